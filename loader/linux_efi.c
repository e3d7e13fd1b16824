#include "loader/protocol.h"
#include "loader/initrd.h"
#include "loader/pe.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The initrds, read when the kernel's stub asks for them. */
struct lazy_initrd {
	struct initrd_set set;
	char err[300];		/* why filling failed, if it did */
};

static int fill_initrd(void *ctx, void *buf, size_t len)
{
	struct lazy_initrd *li = ctx;

	return initrd_read(&li->set, buf, li->err, sizeof(li->err));
}

/*
 * Start the kernel through its EFI stub with the command line as its load
 * options.  Returns 0 if the kernel returned (its status in *status: it
 * failed to boot), else a BT_E* code with a message naming the file.
 */
static int linux_efi_boot(struct fw *fw, const struct boot_spec *b,
			  uint64_t *status, char *msg, size_t msglen)
{
	struct fs *fs = fw_fs(fw);
	struct lazy_initrd li = { 0 };
	uint8_t *kernel = NULL;
	size_t klen;
	struct fs_locator loc;
	char why[200], *exit_data = NULL, *name = path_format(b->image);
	int rc = name ? 0 : BT_ENOMEM;

	if (!rc)
		rc = fs_read_all(fs, b->image, (void **)&kernel, &klen, msg, msglen);
	if (!rc && (rc = pe_check(kernel, klen, why, sizeof(why))))
		fmt_buf(msg, msglen, "%s: %s (linux-efi needs a kernel built "
			"with the EFI stub)", name, why);
	/* The initrds are opened now, so a missing one is reported before the
	 * kernel starts, and read only when its stub asks: straight into the
	 * stub's buffer, once. */
	if (!rc)
		rc = initrd_open(fs, b, &li.set, msg, msglen);
	if (!rc && li.set.total)
		rc = fw_initrd_offer(fw, li.set.total, fill_initrd, &li, msg, msglen);
	if (!rc) {
		rc = fs_locate(fs, b->image, &loc, msg, msglen);
		if (!rc)
			rc = fw_image_start(fw, &loc, kernel, klen, b->cmdline,
					    status, &exit_data, msg, msglen);
		fw_initrd_withdraw(fw);
	}
	initrd_close(&li.set);
	/* A kernel that returns after failing to read its initrd: say why. */
	if (!rc && li.err[0])
		fmt_buf(msg, msglen, "%s", li.err);
	else if (!rc && exit_data && *exit_data)
		fmt_buf(msg, msglen, "%s", exit_data);
	bt_free(exit_data);
	bt_free(kernel);
	bt_free(name);
	return rc;
}

const struct protocol linux_efi_protocol = {
	.key = "linux-efi",
	.flags = PROTO_EDITABLE | PROTO_MAY_RETURN | PROTO_INITRDS,
	.boot = linux_efi_boot,
};
