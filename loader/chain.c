/* The `efi` protocol: chain-loading another EFI program. */
#include "loader/protocol.h"
#include "loader/pe.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/*
 * Read the EFI program completely (checking its pin), check that it is an
 * x86-64 EFI program, and start it with the command line as its load
 * options, with a device path for its file from the volume that holds it.
 */
static int chain_boot(struct fw *fw, const struct boot_spec *b,
		      uint64_t *status, char *msg, size_t msglen)
{
	struct fs *fs = fw_fs(fw);
	struct fs_locator loc;
	char why[200];
	char *exit_data = NULL, *name;
	void *image;
	size_t len;
	int rc;

	msg[0] = '\0';
	rc = fs_read_all(fs, b->image, &image, &len, msg, msglen);
	if (rc)
		return rc;
	name = path_format(b->image);
	rc = name ? pe_check(image, len, why, sizeof(why)) : BT_ENOMEM;
	if (rc) {
		fmt_buf(msg, msglen, "%s: %s", name ? name : b->image->file,
			name ? why : bt_strerror(rc));
		goto out;
	}
	rc = fs_locate(fs, b->image, &loc, msg, msglen);
	if (!rc)
		rc = fw_image_start(fw, &loc, image, len, b->cmdline, status,
				    &exit_data, msg, msglen);
	if (!rc && exit_data && *exit_data)
		fmt_buf(msg, msglen, "%s", exit_data);
out:
	bt_free(exit_data);
	bt_free(name);
	bt_free(image);
	return rc;
}

static bool chain_probe(const void *head, size_t len)
{
	const uint8_t *p = head;

	return len >= 2 && p[0] == 'M' && p[1] == 'Z';
}

const struct protocol efi_protocol = {
	.key = "efi",
	.flags = PROTO_EDITABLE | PROTO_MAY_RETURN,
	.probe = chain_probe,
	.boot = chain_boot,
};
