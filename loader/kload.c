#include "loader/kload.h"
#include "loader/kalloc.h"
#include "arch/x86_64/kexec.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

int kload_init(struct kload *kl, struct fw *fw, enum kimage_mode mode,
	       char *err, size_t errlen)
{
	int rc;

	memset(kl, 0, sizeof(*kl));
	kl->fw = fw;
	kimage_init(&kl->ki, mode);
	fw_platform(fw, &kl->plat);
	rc = fw_memmap(fw, &kl->map);
	if (rc)
		fmt_buf(err, errlen, "cannot read the firmware's memory map: %s",
			bt_strerror(rc));
	return rc;
}

static int remember(struct kload *kl, uint64_t addr, uint64_t npages)
{
	if (kl->n_allocs == KLOAD_MAX_ALLOCS) {
		fw_free_pages(kl->fw, addr, npages);
		return BT_ENOMEM;
	}
	kl->allocs[kl->n_allocs].addr = addr;
	kl->allocs[kl->n_allocs].pages = npages;
	kl->n_allocs++;
	return 0;
}

int kload_alloc(struct kload *kl, uint64_t npages, uint64_t max, uint64_t *addr)
{
	int rc = kalloc_pages(kl->fw, &kl->ki, npages, max, addr);

	return rc ? rc : remember(kl, *addr, npages);
}

int kload_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages)
{
	int rc = fw_alloc_pages_at(kl->fw, addr, npages);

	return rc ? rc : remember(kl, addr, npages);
}

int kload_add_in_place(struct kload *kl, uint64_t addr, uint64_t bytes,
		       const char *name, char *err, size_t errlen)
{
	/* The trampoline moves quadwords: the bytes up to the next multiple
	 * of 8 are part of the segment and must be zero (the allocation is
	 * whole pages, so they exist). */
	memset((uint8_t *)(uintptr_t)(addr + bytes), 0, ((bytes + 7) & ~7ULL) - bytes);
	return kimage_add(&kl->ki, addr, bytes, addr, bytes ? bytes : 1, name,
			  err, errlen);
}

void kload_release(struct kload *kl)
{
	while (kl->n_allocs) {
		kl->n_allocs--;
		fw_free_pages(kl->fw, kl->allocs[kl->n_allocs].addr,
			      kl->allocs[kl->n_allocs].pages);
	}
	bt_free(kl->map.r);
	kl->map.r = NULL;
	kl->map.n = 0;
}

/* Allocate the buffer the final memory map is read into. */
static int alloc_final_map(struct kload *kl, char *err, size_t errlen)
{
	uint64_t addr, pages;
	int rc;

	kl->final_cap = fw_memmap_bytes(kl->fw) + 2 * PAGE_SIZE;
	pages = (kl->final_cap + PAGE_SIZE - 1) / PAGE_SIZE;
	rc = kload_alloc(kl, pages, UINT64_MAX, &addr);
	if (!rc)
		rc = kload_add_in_place(kl, addr, pages * PAGE_SIZE, "memory map",
					err, errlen);
	else
		fmt_buf(err, errlen, "no memory for the final memory map");
	kl->final_map = (void *)(uintptr_t)addr;
	return rc;
}

/* ExitBootServices calls before giving up: a stale key needs one retry
 * unless something keeps changing the map behind baton's back. */
#define KLOAD_EBS_TRIES 8

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
 * ExitBootServices is retried with a fresh map, at most KLOAD_EBS_TRIES
 * times in all; if that does not do, the machine resets.
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
		if (tries == KLOAD_EBS_TRIES)
			ebs_give_up(kl, "giving up", rc, tries);
		rc = fw_ebs_map(kl->fw, kl->final_map, kl->final_cap, &size,
				&dsize, &dver, &key);
		if (rc)
			ebs_give_up(kl, "cannot read the memory map", rc, tries);
	}
	kl->final_cb(kl->final_ctx, kl->final_map, size, dsize, dver);
	return 0;
}

int kload_boot(struct kload *kl, const struct kload_opts *o, char *err,
	       size_t errlen)
{
	struct kexec_control kc;
	int rc;

	if (!kl->final_map && (rc = alloc_final_map(kl, err, errlen)))
		goto fail;
	rc = kimage_validate(&kl->ki, &kl->map, err, errlen);
	if (rc)
		goto fail;
	rc = machine_kexec_prepare(kl->fw, &kl->ki, &kl->map, &kl->plat, &kc,
				   err, errlen);
	if (rc)
		goto fail;
	rc = exit_boot_services(kl, err, errlen);
	if (rc) {
		machine_kexec_cleanup(&kc);
		goto fail;
	}
	/* No firmware from here on. */
	if (o->disturb)
		machine_disturb_irqs(&kc);
	if (o->quiesce)
		machine_shutdown(&kc);
	machine_kexec(&kc);
fail:
	kload_release(kl);
	return rc;
}
