/*
 * A disk image baton reads (an ISO file on a stick) offered to the firmware
 * as a read-only disk of its own: Block I/O plus a vendor device path on a
 * new handle.  Connecting it lets the firmware's partition driver find the
 * image's El Torito EFI image (and GPT/MBR partitions) and its FAT driver
 * mount that, so an ISO's own boot loader starts from it and finds the rest
 * of its CD through Block I/O, as on a real CD.
 *
 * Reads are served by baton's fs/ layer (the blockdev given), so the image
 * must not be read through the firmware's FAT driver: that driver holds one
 * global lock while it reads the El Torito image through this disk, and a
 * nested call into it would break its state.  The caller passes a RAM copy
 * for an image on a firmware-read (FAT) volume (loader/chain.c).
 */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
static EFI_GUID devpath_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
/* baton's vendor GUID for its virtual disks. */
static EFI_GUID vdisk_guid = { 0x6261746f, 0x6e76, 0x6469,
			       { 0x73, 0x6b, 0x69, 0x73, 0x6f, 0x30, 0x30, 0x31 } };

struct vdisk_path {
	VENDOR_DEVICE_PATH vendor;
	UINT32 index;		/* one path per disk */
	EFI_DEVICE_PATH end;
} __attribute__((packed));

struct vdisk {
	EFI_BLOCK_IO bio;	/* first: the protocol pointer is the vdisk */
	EFI_BLOCK_IO_MEDIA media;
	struct vdisk_path path;
	struct blockdev *bd;
	EFI_HANDLE handle;
	struct vdisk *next;	/* the session's other vdisks */
};

static EFI_STATUS EFIAPI vdisk_reset(EFI_BLOCK_IO *bio, BOOLEAN verify)
{
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI vdisk_read(EFI_BLOCK_IO *bio, UINT32 media_id,
				    EFI_LBA lba, UINTN size, VOID *buf)
{
	struct vdisk *v = (struct vdisk *)bio;
	UINTN bs = v->media.BlockSize;

	if (media_id != v->media.MediaId)
		return EFI_MEDIA_CHANGED;
	if (size % bs || !buf)
		return EFI_BAD_BUFFER_SIZE;
	if (lba > v->media.LastBlock || size / bs > v->media.LastBlock + 1 - lba)
		return EFI_INVALID_PARAMETER;
	if (!size)
		return EFI_SUCCESS;
	return v->bd->ops->read(v->bd, lba, size / bs, buf) ? EFI_DEVICE_ERROR :
							      EFI_SUCCESS;
}

static EFI_STATUS EFIAPI vdisk_write(EFI_BLOCK_IO *bio, UINT32 media_id,
				     EFI_LBA lba, UINTN size, VOID *buf)
{
	return EFI_WRITE_PROTECTED;
}

static EFI_STATUS EFIAPI vdisk_flush(EFI_BLOCK_IO *bio)
{
	return EFI_SUCCESS;
}

/* Whether the device path of h starts with the vdisk's own (without its end
 * node) and goes on: a partition the firmware found on it. */
static bool below(struct fw *fw, const struct vdisk *v, EFI_HANDLE h)
{
	EFI_DEVICE_PATH *dp;
	UINTN n = sizeof(v->path) - sizeof(v->path.end);

	return fw->bs->HandleProtocol(h, &devpath_guid, (void **)&dp) == EFI_SUCCESS &&
	       efi_devpath_size(dp) > n + 4 && memcmp(dp, &v->path, n) == 0;
}

/* The registry's volume over a firmware file system on the vdisk. */
static struct volume *find_volume(struct fw *fw, const struct vdisk *v)
{
	size_t i;

	fs_probe(&fw->fs, false, NULL, NULL);
	for (i = 0; i < fw->fs.n_vols; i++) {
		struct volume *vol = fw->fs.vols[i];
		struct fs_locator loc;
		void *sfs;

		if (vol->ops->locate && vol->ops->locate(vol, "/", &loc) == 0 &&
		    fw->bs->HandleProtocol(loc.device, &sfs_guid, &sfs) == EFI_SUCCESS &&
		    below(fw, v, loc.device))
			return vol;
	}
	return NULL;
}

int fw_disk_attach(struct fw *fw, struct blockdev *bd, struct volume **out,
		   char *err, size_t errlen)
{
	static const char what[] = "the firmware found no EFI boot image "
		"(El Torito) nor a FAT partition in it";
	struct vdisk *v;
	EFI_STATUS s;

	/* Attached before (the same image booted again): reuse it. */
	for (v = fw->vdisks; v; v = v->next) {
		if (v->bd != bd)
			continue;
		*out = find_volume(fw, v);
		if (*out)
			return 0;
		fmt_buf(err, errlen, "%s: %s", bd->name, what);
		return BT_ENOENT;
	}
	v = bt_zalloc(sizeof(*v));
	if (!v) {
		fmt_buf(err, errlen, "%s: out of memory", bd->name);
		return BT_ENOMEM;
	}
	v->bd = bd;
	v->media.MediaId = 1;
	v->media.RemovableMedia = TRUE;
	v->media.MediaPresent = TRUE;
	v->media.ReadOnly = TRUE;
	v->media.BlockSize = bd->block_size;
	v->media.LastBlock = bd->blocks - 1;
	v->bio.Revision = EFI_BLOCK_IO_INTERFACE_REVISION;
	v->bio.Media = &v->media;
	v->bio.Reset = vdisk_reset;
	v->bio.ReadBlocks = vdisk_read;
	v->bio.WriteBlocks = vdisk_write;
	v->bio.FlushBlocks = vdisk_flush;
	v->path.vendor.Header.Type = HARDWARE_DEVICE_PATH;
	v->path.vendor.Header.SubType = HW_VENDOR_DP;
	v->path.vendor.Header.Length[0] = sizeof(v->path.vendor) + sizeof(v->path.index);
	v->path.vendor.Guid = vdisk_guid;
	v->path.index = fw->vdisks ? fw->vdisks->path.index + 1 : 1;
	v->path.end.Type = END_DEVICE_PATH_TYPE;
	v->path.end.SubType = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	v->path.end.Length[0] = sizeof(v->path.end);
	s = fw->bs->InstallProtocolInterface(&v->handle, &devpath_guid,
					     EFI_NATIVE_INTERFACE, &v->path);
	if (s == EFI_SUCCESS)
		s = fw->bs->InstallProtocolInterface(&v->handle, &blockio_guid,
						     EFI_NATIVE_INTERFACE, &v->bio);
	if (s != EFI_SUCCESS) {
		/* The disk is left as it is (a half-made handle is harmless);
		 * only the memory goes back when nothing refers to it. */
		if (!v->handle)
			bt_free(v);
		fmt_buf(err, errlen, "%s: the firmware refused a new disk: %s",
			bd->name, efi_status_name(s));
		return efi_error(s);
	}
	v->next = fw->vdisks;
	fw->vdisks = v;
	fw->bs->ConnectController(v->handle, NULL, NULL, TRUE);
	efi_rescan(fw);
	*out = find_volume(fw, v);
	if (*out)
		return 0;
	fmt_buf(err, errlen, "%s: %s", bd->name, what);
	return BT_ENOENT;
}
