/*
 * EFI drivers next to baton: every *.efi in the "drivers" folder beside
 * baton's binary (e.g. /EFI/BOOT/drivers/ext4_x64.efi) is loaded and started
 * at start-up, then every controller is connected, so a file system baton
 * has no driver for (btrfs, xfs, ... from efifs) shows up as one more
 * firmware file system, read like FAT.  As systemd-boot and rEFInd do.
 */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define DRIVERS_MAX 32

static EFI_GUID loaded_guid = LOADED_IMAGE_PROTOCOL;

struct drivers {
	struct fw *fw;
	struct volume *vol;
	EFI_HANDLE device;
	char dir[256];
	unsigned started, seen;
};

static void say(struct fw *fw, const char *msg)
{
	fw_con_write(fw, msg);
	fw_con_write(fw, "\n");
}

static bool ends_with_efi(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !str_casecmp(name + n - 4, ".efi");
}

/* Load and start one driver; a message on failure. */
static void start_driver(struct drivers *d, const char *name)
{
	struct fw *fw = d->fw;
	char path[320], msg[400];
	struct vfile *f = NULL;
	EFI_DEVICE_PATH *dp;
	EFI_LOADED_IMAGE *li;
	EFI_HANDLE child = NULL;
	EFI_STATUS s;
	void *buf = NULL;
	size_t got = 0;
	int rc;

	fmt_buf(path, sizeof(path), "%s/%s", d->dir, name);
	rc = d->vol->ops->open(d->vol, path, &f);
	if (!rc && (f->size == VFILE_SIZE_UNKNOWN || f->size > (64u << 20)))
		rc = BT_ETOOBIG;
	if (!rc && !(buf = bt_alloc(f->size ? f->size : 1)))
		rc = BT_ENOMEM;
	if (!rc)
		rc = f->ops->read_at(f, 0, buf, f->size, &got);
	if (!rc && got != f->size)
		rc = BT_EIO;
	if (rc) {
		fmt_buf(msg, sizeof(msg), "baton: driver %s: %s", path, bt_strerror(rc));
		goto out;
	}
	dp = efi_file_devpath(fw, d->device, path);
	s = fw->bs->LoadImage(FALSE, fw->image, dp, buf, got, &child);
	if (dp)
		fw->bs->FreePool(dp);
	if (s == EFI_SUCCESS &&
	    fw->bs->HandleProtocol(child, &loaded_guid, (void **)&li) == EFI_SUCCESS &&
	    li->ImageCodeType != EfiBootServicesCode &&
	    li->ImageCodeType != EfiRuntimeServicesCode) {
		fmt_buf(msg, sizeof(msg), "baton: driver %s: not a driver (an EFI "
			"application), not started", path);
		fw->bs->UnloadImage(child);
		goto out;
	}
	if (s == EFI_SUCCESS)
		s = fw->bs->StartImage(child, NULL, NULL);
	else if (child)
		fw->bs->UnloadImage(child);
	/* A driver that finds nothing to drive may say EFI_ABORTED. */
	if (s != EFI_SUCCESS && s != EFI_ABORTED) {
		fmt_buf(msg, sizeof(msg), "baton: driver %s: %s", path,
			efi_status_name(s));
		goto out;
	}
	d->started++;
	fmt_buf(msg, sizeof(msg), "baton: started driver %s", path);
out:
	say(fw, msg);
	bt_free(buf);
	if (f)
		f->ops->close(f);
}

static int each_file(void *ctx, const char *name, bool is_dir)
{
	struct drivers *d = ctx;

	if (is_dir || name[0] == '.' || !ends_with_efi(name))
		return 0;
	if (++d->seen > DRIVERS_MAX) {
		say(d->fw, "baton: more than 32 drivers; the rest are not loaded");
		return 1;
	}
	start_driver(d, name);
	return 0;
}

void efi_load_drivers(struct fw *fw)
{
	struct drivers d = { .fw = fw };
	const char *self = fw->fs.origin.file, *slash = NULL, *c;
	struct path boot = { .source = PATH_SRC_BOOT, .file = (char *)"/" };
	char err[200];

	if (fs_find_volume(&fw->fs, &boot, &d.vol, err, sizeof(err)) ||
	    !fw->loaded)
		return;
	d.device = fw->loaded->DeviceHandle;
	for (c = self ? self : ""; *c; c++)
		if (*c == '/')
			slash = c;
	fmt_buf(d.dir, sizeof(d.dir), "%.*s/drivers",
		slash ? (int)(slash - self) : 0, slash ? self : "");
	if (d.vol->ops->list(d.vol, d.dir, each_file, &d) || !d.started)
		return;
	/* Let the new drivers bind to every device, then look again. */
	efi_rescan(fw);
}
