/* The `efi` protocol: chain-loading another EFI program. */
#include "loader/protocol.h"
#include "loader/pe.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/sha256.h"

/*
 * The block device to offer the firmware for the image file at iso.  An
 * image on a volume the firmware itself reads (FAT) is copied to memory
 * first: the firmware's FAT driver would otherwise be called again from
 * inside itself while it reads the El Torito image (firmware/efi/vdisk.c).
 * Images on baton's own drivers' volumes are read in place.  The copy
 * stays for the session, found again by its name.
 */
static int image_device(struct fs *fs, const struct path *iso,
			struct blockdev **out, char *msg, size_t msglen)
{
	struct ram_blockdev *r;
	struct volume *host;
	char *name, *ram_name;
	void *data;
	size_t len, i;
	int rc = fs_find_named(fs, iso, &name, &host, msg, msglen);

	if (rc)
		return rc;
	if (!host->fstype || strcmp(host->fstype, "fat")) {
		bt_free(name);
		return fs_image_device(fs, iso, out, msg, msglen);
	}
	ram_name = fmt_alloc("%s (in memory)", name);
	bt_free(name);
	if (!ram_name) {
		fmt_buf(msg, msglen, "out of memory");
		return BT_ENOMEM;
	}
	for (i = 0; i < fs->n_devs; i++)
		if (!strcmp(fs->devs[i]->name, ram_name)) {
			bt_free(ram_name);
			*out = fs->devs[i];
			return 0;
		}
	rc = fs_read_all(fs, iso, &data, &len, msg, msglen);
	if (rc == BT_ENOMEM)
		fmt_buf(msg, msglen, "%s: the image is on a FAT volume, which the "
			"firmware reads; offered as a CD it must be copied to memory, "
			"and it does not fit (put it on ext4 to boot it from there)",
			ram_name);
	if (rc) {		/* msg says why */
		bt_free(ram_name);
		return rc;
	}
	r = bt_zalloc(sizeof(*r));
	if (r)
		blockdev_ram(r, data, len, len % 2048 ? 512 : 2048, ram_name);
	if (!r || fs_add_device(fs, &r->bd)) {
		fmt_buf(msg, msglen, "%s: out of memory", ram_name);
		bt_free(r);
		bt_free(data);
		bt_free(ram_name);
		return BT_ENOMEM;
	}
	*out = &r->bd;
	return 0;
}

/*
 * An EFI program on the CD an image file holds (iso(IMAGE):/EFI/BOOT/...):
 * the image is offered to the firmware as a CD and the program read from
 * the firmware's file system on it (its El Torito EFI image), so it starts
 * as from real media and finds its own CD.  *image and *loc as below.
 */
static int read_from_cd(struct fw *fw, const struct path *p, void **image,
			size_t *len, struct fs_locator *loc, char *msg,
			size_t msglen)
{
	struct fs *fs = fw_fs(fw);
	struct blockdev *bd;
	struct volume *cd;
	struct vfile *f = NULL;
	struct path iso;
	size_t got = 0;
	uint8_t digest[SHA256_LEN];
	int rc = path_parse(p->arg, NULL, &iso, msg, msglen);

	if (rc)
		return rc;
	rc = image_device(fs, &iso, &bd, msg, msglen);
	path_free(&iso);
	if (!rc)
		rc = fw_disk_attach(fw, bd, &cd, msg, msglen);
	if (rc)
		return rc;
	*image = NULL;
	rc = cd->ops->open(cd, p->file, &f);
	if (!rc && (f->size == VFILE_SIZE_UNKNOWN || f->size > SIZE_MAX - 1))
		rc = BT_ETOOBIG;
	if (!rc && !(*image = bt_alloc(f->size + 1)))
		rc = BT_ENOMEM;
	if (!rc)
		rc = f->ops->read_at(f, 0, *image, f->size, &got);
	if (!rc && got != f->size)
		rc = BT_EIO;
	if (rc)
		fmt_buf(msg, msglen, "%s on the CD in %s: %s", p->file, bd->name,
			rc == BT_ENOENT ? "file not found" : bt_strerror(rc));
	if (f)
		f->ops->close(f);
	*len = got;
	if (!rc) {
		sha256_digest(*image, got, digest);
		rc = fs_check_pin(p, digest, msg, msglen);
	}
	if (!rc && (rc = cd->ops->locate(cd, p->file, loc)))
		fmt_buf(msg, msglen, "%s: the firmware cannot reach the CD's files",
			p->file);
	if (rc) {
		bt_free(*image);
		*image = NULL;
	}
	return rc;
}

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
	if (b->image->source == PATH_SRC_ISO)
		rc = read_from_cd(fw, b->image, &image, &len, &loc, msg, msglen);
	else
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
	if (b->image->source != PATH_SRC_ISO)
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
