#include "loader/chain.h"
#include "loader/pe.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

int chain_boot(struct fw *fw, const struct path *p, const char *options,
	       uint64_t *status, char *msg, size_t msglen)
{
	const struct fs *fs = fw_fs(fw);
	char why[200];
	struct volume *vol;
	char *exit_data = NULL, *name;
	void *image;
	size_t len;
	int rc;

	msg[0] = '\0';
	rc = fs_read_all(fs, p, &image, &len, msg, msglen);
	if (rc)
		return rc;
	name = path_format(p);
	rc = name ? pe_check(image, len, why, sizeof(why)) : BT_ENOMEM;
	if (rc) {
		fmt_buf(msg, msglen, "%s: %s", name ? name : p->file,
			name ? why : bt_strerror(rc));
		goto out;
	}
	/* fs_read_all found it, so the volume exists. */
	rc = fs_find_volume(fs, p, &vol, why, sizeof(why));
	if (!rc)
		rc = fw_image_start(fw, vol, p->file, image, len, options,
				    status, &exit_data, msg, msglen);
	if (!rc && exit_data && *exit_data)
		fmt_buf(msg, msglen, "%s", exit_data);
out:
	bt_free(exit_data);
	bt_free(name);
	bt_free(image);
	return rc;
}
