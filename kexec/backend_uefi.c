/*
 * The UEFI kexec backend: pages from the firmware (never inside a
 * destination), the machine half in arch/x86_64 for the control area and
 * the jump, and ExitBootServices in between, retried as UEFI allows.
 */
#include "kexec/backend.h"
#include "kexec/kload.h"
#include "arch/x86_64/kexec.h"
#include "lib/error.h"
#include "lib/fmt.h"

/* ExitBootServices calls before giving up: a stale key needs one retry
 * unless something keeps changing the map behind baton's back. */
#define EBS_TRIES 8

static int uefi_prepare(struct kload *kl, char *err, size_t errlen)
{
	return machine_kexec_prepare(kl->fw, &kl->ki, &kl->map, &kl->plat,
				     &kl->kc, err, errlen);
}

static void uefi_cleanup(struct kload *kl)
{
	machine_kexec_cleanup(&kl->kc);
}

/* After a failed ExitBootServices the firmware may be half shut down and
 * allows only a fresh map and another try: report on COM1 and reset. */
static __attribute__((noreturn)) void ebs_give_up(struct kload *kl,
						  const char *what, int rc,
						  unsigned tries)
{
	char msg[160];

	fmt_buf(msg, sizeof(msg), "%s after %u failed ExitBootServices call%s "
		"(%s)", what, tries, tries == 1 ? "" : "s", bt_strerror(rc));
	machine_panic(kl->fw, msg);
}

/*
 * Exit boot services, then hand the final map to the protocol's callback.
 * Returns only when the first map read fails, before any ExitBootServices
 * call, with the firmware untouched (message in err).  A failed
 * ExitBootServices is retried with a fresh map, at most EBS_TRIES times in
 * all; if that does not do, the machine resets.
 */
static int exit_boot_services(struct kload *kl, char *err, size_t errlen)
{
	size_t size, dsize;
	uint32_t dver;
	uint64_t key;
	unsigned tries;
	int rc;

	rc = fw_ebs_map(kl->fw, kl->final_map, kl->final_cap, &size, &dsize,
			&dver, &key);
	if (rc) {
		fmt_buf(err, errlen, "cannot read the final memory map: %s",
			bt_strerror(rc));
		return rc;
	}
	for (tries = 1; (rc = fw_ebs_try(kl->fw, key)) != 0; tries++) {
		if (tries == EBS_TRIES)
			ebs_give_up(kl, "giving up", rc, tries);
		rc = fw_ebs_map(kl->fw, kl->final_map, kl->final_cap, &size,
				&dsize, &dver, &key);
		if (rc)
			ebs_give_up(kl, "cannot read the memory map", rc, tries);
	}
	kl->final_cb(kl->final_ctx, kl->final_map, size, dsize, dver);
	return 0;
}

static int uefi_exec(struct kload *kl, const struct kload_opts *o, char *err,
		     size_t errlen)
{
	int rc = exit_boot_services(kl, err, errlen);

	if (rc)
		return rc;
	/* No firmware from here on. */
	if (o->disturb)
		machine_disturb_irqs(&kl->kc);
	if (o->quiesce)
		machine_shutdown(&kl->kc);
	machine_kexec(&kl->kc);
}

const struct kexec_backend kexec_uefi_backend = {
	.name = "uefi",
	.alloc = kload_fw_alloc,
	.alloc_at = kload_fw_alloc_at,
	.free = kload_fw_free,
	.prepare = uefi_prepare,
	.cleanup = uefi_cleanup,
	.exec = uefi_exec,
};

const struct kexec_backend *const kexec_default_backend = &kexec_uefi_backend;
