#include "loader/linux_efi.h"
#include "loader/initrd.h"
#include "loader/pe.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* Read and concatenate the initrds into a new buffer (*buf, bt_free()). */
static int read_initrds(struct fw *fw, const struct config_entry *e,
			uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	struct initrd_set set;
	int rc = initrd_open(fw_fs(fw), e, &set, err, errlen);

	*buf = NULL;
	*len = 0;
	if (rc || !set.total) {
		initrd_close(&set);
		return rc;
	}
	*buf = bt_alloc(set.total);
	rc = *buf ? initrd_read(e, &set, *buf, err, errlen) : BT_ENOMEM;
	initrd_close(&set);
	if (rc) {
		bt_free(*buf);
		*buf = NULL;
	} else {
		*len = set.total;
	}
	return rc;
}

int linux_efi_boot(struct fw *fw, const struct config_entry *e,
		   const char *cmdline, uint64_t *status, char *msg,
		   size_t msglen)
{
	const struct fs *fs = fw_fs(fw);
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t klen, ilen;
	struct volume *vol;
	char why[200], *exit_data = NULL, *name = path_format(&e->image);
	int rc = name ? 0 : BT_ENOMEM;

	if (!rc)
		rc = fs_read_all(fs, &e->image, (void **)&kernel, &klen, msg, msglen);
	if (!rc && (rc = pe_check(kernel, klen, why, sizeof(why))))
		fmt_buf(msg, msglen, "%s: %s (linux-efi needs a kernel built "
			"with the EFI stub)", name, why);
	if (!rc)
		rc = read_initrds(fw, e, &initrd, &ilen, msg, msglen);
	if (!rc && ilen)
		rc = fw_initrd_offer(fw, initrd, ilen, msg, msglen);
	if (!rc) {
		rc = fs_find_volume(fs, &e->image, &vol, why, sizeof(why));
		if (!rc)
			rc = fw_image_start(fw, vol, e->image.file, kernel, klen,
					    cmdline, status, &exit_data, msg, msglen);
		fw_initrd_withdraw(fw);
	}
	if (!rc && exit_data && *exit_data)
		fmt_buf(msg, msglen, "%s", exit_data);
	bt_free(exit_data);
	bt_free(initrd);
	bt_free(kernel);
	bt_free(name);
	return rc;
}
