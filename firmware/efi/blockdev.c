/*
 * Block devices: every handle with Block I/O or a Simple File System (the
 * firmware's own FAT driver), offered to fs/ as struct blockdev with the
 * firmware file system, when there is one, as its fsys.  Nothing is opened
 * or read until a driver probes the device.
 */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static EFI_GUID devpath_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
static EFI_GUID fsinfo_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID fileinfo_guid = EFI_FILE_INFO_ID;

struct efi_dev {
	struct blockdev bd;
	struct fsys fsys;
	EFI_BLOCK_IO *bio;		/* NULL: no block access */
	EFI_FILE_IO_INTERFACE *sfs;	/* NULL: no firmware file system */
	EFI_FILE_HANDLE root;		/* opened on first use */
};

struct efi_file {
	struct vfile f;
	EFI_FILE_HANDLE fh;
};

/* "/a/b" as the firmware's "\a\b" in UCS-2; bt_free(). */
static CHAR16 *efi_path(const char *path)
{
	uint16_t *p = utf8_to_ucs2(path);
	size_t i;

	for (i = 0; p && p[i]; i++)
		if (p[i] == '/')
			p[i] = '\\';
	return (CHAR16 *)p;
}

/* The file's EFI_FILE_INFO in a new allocation, or NULL. */
static EFI_FILE_INFO *file_info(EFI_FILE_HANDLE fh)
{
	UINTN size = SIZE_OF_EFI_FILE_INFO + 512;
	EFI_FILE_INFO *info = bt_alloc(size);
	EFI_STATUS s;

	if (!info)
		return NULL;
	s = fh->GetInfo(fh, &fileinfo_guid, &size, info);
	if (s == EFI_BUFFER_TOO_SMALL) {
		bt_free(info);
		info = bt_alloc(size);
		if (!info)
			return NULL;
		s = fh->GetInfo(fh, &fileinfo_guid, &size, info);
	}
	if (s != EFI_SUCCESS) {
		bt_free(info);
		return NULL;
	}
	return info;
}

static int efi_file_read_at(struct vfile *vf, uint64_t off, void *buf,
			    size_t len, size_t *got)
{
	struct efi_file *f = (struct efi_file *)vf;
	UINTN n = len;
	EFI_STATUS s;

	s = f->fh->SetPosition(f->fh, off);
	if (s == EFI_SUCCESS)
		s = f->fh->Read(f->fh, &n, buf);
	*got = s == EFI_SUCCESS ? n : 0;
	return efi_error(s);
}

static void efi_file_close(struct vfile *vf)
{
	struct efi_file *f = (struct efi_file *)vf;

	f->fh->Close(f->fh);
	bt_free(f);
}

static const struct vfile_ops efi_file_ops = {
	.read_at = efi_file_read_at,
	.close = efi_file_close,
};

/* The file system's root directory, opened on first use. */
static EFI_STATUS open_root(struct efi_dev *d)
{
	EFI_STATUS s = EFI_SUCCESS;

	if (!d->root && (s = d->sfs->OpenVolume(d->sfs, &d->root)) != EFI_SUCCESS)
		d->root = NULL;
	return s;
}

/* Open path (file or directory) on v; *is_dir tells which. */
static int open_handle(struct efi_dev *d, const char *path,
		       EFI_FILE_HANDLE *out, uint64_t *size, bool *is_dir)
{
	CHAR16 *p;
	EFI_FILE_INFO *info;
	EFI_STATUS s;

	if ((s = open_root(d)) != EFI_SUCCESS)
		return efi_error(s);
	p = efi_path(path);
	if (!p)
		return BT_ENOMEM;
	s = d->root->Open(d->root, out, p, EFI_FILE_MODE_READ, 0);
	bt_free(p);
	if (s != EFI_SUCCESS)
		return efi_error(s);
	info = file_info(*out);
	if (!info) {
		(*out)->Close(*out);
		return BT_EIO;
	}
	*size = info->FileSize;
	*is_dir = info->Attribute & EFI_FILE_DIRECTORY;
	bt_free(info);
	return 0;
}

static struct efi_dev *dev_of(struct fsys *fs)
{
	return (struct efi_dev *)((char *)fs - offsetof(struct efi_dev, fsys));
}

static int efi_fsys_open(struct fsys *fs, const char *path, struct vfile **out)
{
	struct efi_dev *v = dev_of(fs);
	struct efi_file *f;
	EFI_FILE_HANDLE fh;
	uint64_t size;
	bool is_dir;
	int rc = open_handle(v, path, &fh, &size, &is_dir);

	if (rc)
		return rc;
	if (is_dir) {
		fh->Close(fh);
		return BT_ENOENT;
	}
	f = bt_alloc(sizeof(*f));
	if (!f) {
		fh->Close(fh);
		return BT_ENOMEM;
	}
	f->f.ops = &efi_file_ops;
	f->f.why = NULL;
	f->f.size = size;
	f->f.seekable = true;
	f->fh = fh;
	*out = &f->f;
	return 0;
}

static int efi_fsys_list(struct fsys *fs, const char *dir, volume_list_cb cb,
			 void *ctx)
{
	struct efi_dev *v = dev_of(fs);
	UINTN cap = SIZE_OF_EFI_FILE_INFO + 1024;
	EFI_FILE_INFO *info = NULL;
	EFI_FILE_HANDLE fh;
	uint64_t size;
	bool is_dir;
	int rc = open_handle(v, dir, &fh, &size, &is_dir);

	if (rc)
		return rc;
	if (!is_dir) {
		fh->Close(fh);
		return BT_ENOTDIR;
	}
	info = bt_alloc(cap);
	rc = info ? 0 : BT_ENOMEM;
	while (!rc) {
		UINTN n = cap;
		EFI_STATUS s = fh->Read(fh, &n, info);
		char *name;

		if (s != EFI_SUCCESS) {
			rc = efi_error(s);
			break;
		}
		if (n == 0)
			break;
		name = ucs2_to_utf8(info->FileName, 256);
		if (!name) {
			rc = BT_ENOMEM;
			break;
		}
		if (strcmp(name, ".") && strcmp(name, ".."))
			rc = cb(ctx, name, info->Attribute & EFI_FILE_DIRECTORY) ? 1 : 0;
		bt_free(name);
	}
	bt_free(info);
	fh->Close(fh);
	return rc > 0 ? 0 : rc;
}

/* The volume label, or NULL when it has none. */
static char *efi_fsys_label(struct fsys *fs)
{
	struct efi_dev *d = dev_of(fs);
	UINTN size = SIZE_OF_EFI_FILE_SYSTEM_INFO + 256;
	EFI_FILE_SYSTEM_INFO *info;
	char *label = NULL;

	if (open_root(d) != EFI_SUCCESS)
		return NULL;
	info = bt_alloc(size);
	if (!info)
		return NULL;
	if (d->root->GetInfo(d->root, &fsinfo_guid, &size, info) == EFI_SUCCESS &&
	    info->VolumeLabel[0])
		label = ucs2_to_utf8(info->VolumeLabel, 128);
	bt_free(info);
	return label;
}

/*
 * Rename path to new_name in its folder: EFI_FILE_INFO with the new
 * FileName (no folder in it) through SetInfo, then Flush so the directory
 * entry is on the disk before the boot goes on.  baton's only write.
 */
static int efi_fsys_rename(struct fsys *fs, const char *path,
			   const char *new_name)
{
	struct efi_dev *d = dev_of(fs);
	EFI_FILE_INFO *info, *next = NULL;
	EFI_FILE_HANDLE fh;
	CHAR16 *p, *name = (CHAR16 *)utf8_to_ucs2(new_name);
	UINTN n = 0, size;
	EFI_STATUS s;

	if (!name || (s = open_root(d)) != EFI_SUCCESS) {
		bt_free(name);
		return name ? efi_error(s) : BT_ENOMEM;
	}
	p = efi_path(path);
	s = p ? d->root->Open(d->root, &fh, p, EFI_FILE_MODE_READ |
			      EFI_FILE_MODE_WRITE, 0) : EFI_OUT_OF_RESOURCES;
	bt_free(p);
	if (s != EFI_SUCCESS) {
		bt_free(name);
		return efi_error(s);
	}
	while (name[n])
		n++;
	info = file_info(fh);
	size = SIZE_OF_EFI_FILE_INFO + (n + 1) * sizeof(CHAR16);
	if (info && (next = bt_alloc(size))) {
		memcpy(next, info, SIZE_OF_EFI_FILE_INFO);
		next->Size = size;
		memcpy(next->FileName, name, (n + 1) * sizeof(CHAR16));
		s = fh->SetInfo(fh, &fileinfo_guid, size, next);
		if (s == EFI_SUCCESS)
			s = fh->Flush(fh);
	} else {
		s = EFI_OUT_OF_RESOURCES;
	}
	fh->Close(fh);
	bt_free(next);
	bt_free(info);
	bt_free(name);
	return efi_error(s);
}

static const struct fsys_ops efi_fsys_ops = {
	.open = efi_fsys_open,
	.list = efi_fsys_list,
	.label = efi_fsys_label,
	.rename = efi_fsys_rename,
};

static int efi_block_read(struct blockdev *bd, uint64_t lba, size_t count,
			  void *buf)
{
	struct efi_dev *d = (struct efi_dev *)bd;

	if (!d->bio || lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	return efi_error(d->bio->ReadBlocks(d->bio, d->bio->Media->MediaId, lba,
					    count * bd->block_size, buf));
}

static const struct blockdev_ops efi_block_ops = {
	.read = efi_block_read,
};

UINTN efi_devpath_size(const EFI_DEVICE_PATH *dp)
{
	const UINT8 *p = (const UINT8 *)dp;

	for (;;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = n->Length[0] | (UINTN)n->Length[1] << 8;

		if (n->Type == END_DEVICE_PATH_TYPE &&
		    n->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE)
			return (UINTN)(p - (const UINT8 *)dp) + len;
		if (len < 4)	/* malformed: stop rather than loop */
			return (UINTN)(p - (const UINT8 *)dp);
		p += len;
	}
}

/* The GPT partition GUID from the handle's device path, lower-case text. */
static char *partition_guid(EFI_HANDLE h)
{
	EFI_DEVICE_PATH *dp;
	const UINT8 *p;

	if (efi_bs->HandleProtocol(h, &devpath_guid, (void **)&dp) != EFI_SUCCESS)
		return NULL;
	for (p = (const UINT8 *)dp;;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = n->Length[0] | (UINTN)n->Length[1] << 8;

		if (n->Type == END_DEVICE_PATH_TYPE || len < 4)
			return NULL;
		if (n->Type == MEDIA_DEVICE_PATH && n->SubType == MEDIA_HARDDRIVE_DP) {
			const HARDDRIVE_DEVICE_PATH *hd = (const void *)n;
			const UINT8 *g = hd->Signature;

			if (hd->SignatureType != SIGNATURE_TYPE_GUID)
				return NULL;
			/* The first three fields are stored little-endian. */
			return fmt_alloc("%02x%02x%02x%02x-%02x%02x-%02x%02x-"
					 "%02x%02x-%02x%02x%02x%02x%02x%02x",
					 g[3], g[2], g[1], g[0], g[5], g[4], g[7],
					 g[6], g[8], g[9], g[10], g[11], g[12],
					 g[13], g[14], g[15]);
		}
		p += len;
	}
}

/* The handle's device path, or NULL. */
static EFI_DEVICE_PATH *devpath_of(struct fw *fw, EFI_HANDLE h)
{
	EFI_DEVICE_PATH *dp;

	if (!h || fw->bs->HandleProtocol(h, &devpath_guid, (void **)&dp) != EFI_SUCCESS)
		return NULL;
	return dp;
}

/*
 * Bytes of the boot device's path that name its disk: the whole path
 * without its end node, less a last hard-drive or CD-ROM node (the
 * partition or El Torito image baton was loaded from).  0 when unknown.
 */
static UINTN boot_disk_prefix(struct fw *fw, const EFI_DEVICE_PATH **out)
{
	const EFI_DEVICE_PATH *dp = devpath_of(fw, fw->loaded ? fw->loaded->DeviceHandle : NULL);
	const UINT8 *p, *last = NULL;

	if (!dp)
		return 0;
	*out = dp;
	for (p = (const UINT8 *)dp;;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = n->Length[0] | (UINTN)n->Length[1] << 8;

		if (n->Type == END_DEVICE_PATH_TYPE || len < 4)
			break;
		last = p;
		p += len;
	}
	if (last && ((const EFI_DEVICE_PATH *)last)->Type == MEDIA_DEVICE_PATH &&
	    (((const EFI_DEVICE_PATH *)last)->SubType == MEDIA_HARDDRIVE_DP ||
	     ((const EFI_DEVICE_PATH *)last)->SubType == MEDIA_CDROM_DP))
		p = last;
	return (UINTN)(p - (const UINT8 *)dp);
}

/* Whether h is the boot disk or a partition on it. */
static bool on_boot_disk(struct fw *fw, EFI_HANDLE h)
{
	const EFI_DEVICE_PATH *boot = NULL, *dp = devpath_of(fw, h);
	UINTN n = boot_disk_prefix(fw, &boot);

	return n && dp && efi_devpath_size(dp) >= n + 4 && memcmp(dp, boot, n) == 0;
}

/* Describe one handle as a block device; NULL when it has neither block
 * access nor a file system (or out of memory). */
static struct efi_dev *dev_new(struct fw *fw, EFI_HANDLE h, size_t index)
{
	struct efi_dev *d = bt_zalloc(sizeof(*d));

	if (!d)
		return NULL;
	if (fw->bs->HandleProtocol(h, &blockio_guid, (void **)&d->bio) != EFI_SUCCESS ||
	    !d->bio->Media->MediaPresent)
		d->bio = NULL;
	if (fw->bs->HandleProtocol(h, &sfs_guid, (void **)&d->sfs) != EFI_SUCCESS)
		d->sfs = NULL;
	d->bd.name = fmt_alloc("volume %zu", index);
	if ((!d->bio && !d->sfs) || !d->bd.name) {
		bt_free(d->bd.name);
		bt_free(d);
		return NULL;
	}
	d->bd.ops = &efi_block_ops;
	if (d->bio) {
		d->bd.block_size = d->bio->Media->BlockSize;
		d->bd.blocks = d->bio->Media->LastBlock + 1;
		d->bd.is_disk = !d->bio->Media->LogicalPartition;
	}
	/* The firmware's partition driver makes a device of every GPT, MBR
	 * and El Torito partition; fs/ only notes their types. */
	d->bd.platform_parts = true;
	d->bd.on_boot_disk = on_boot_disk(fw, h);
	d->bd.handle = h;
	d->bd.partuuid = partition_guid(h);
	d->bd.is_boot = fw->loaded && h == fw->loaded->DeviceHandle;
	if (d->sfs) {
		d->fsys.ops = &efi_fsys_ops;
		d->bd.fsys = &d->fsys;
	}
	return d;
}

/*
 * Connect every driver to every device.  A firmware boot manager connects
 * only the devices in its boot order, so without this a second disk may
 * have no file system for label=, uuid= or partuuid= to find.  It costs a
 * quarter of a second in QEMU, so it is done only when a path names a
 * volume that is not found, or the no-config menu looks for programs.
 */
static void connect_all(struct fw *fw)
{
	EFI_HANDLE *handles = NULL;
	UINTN n = 0, i;

	if (fw->bs->LocateHandleBuffer(AllHandles, NULL, NULL, &n, &handles) != EFI_SUCCESS)
		return;
	for (i = 0; i < n; i++)
		fw->bs->ConnectController(handles[i], NULL, NULL, TRUE);
	fw->bs->FreePool(handles);
}

/* Is h described already (with its file system, when with_fsys)? */
static bool known(const struct fw *fw, EFI_HANDLE h, bool with_fsys)
{
	size_t i;

	for (i = 0; i < fw->fs.n_devs; i++)
		if (fw->fs.devs[i]->handle == h &&
		    (!with_fsys || fw->fs.devs[i]->fsys))
			return true;
	return false;
}

/* Add the handles carrying protocol guid not seen before.  Devices already
 * handed out stay valid: a handle that gained a file system since (a
 * driver from the drivers folder bound to it) becomes a second device,
 * which is probed like a new one. */
static int scan_protocol(struct fw *fw, EFI_GUID *guid)
{
	EFI_HANDLE *handles = NULL;
	UINTN n = 0, i;
	int rc = 0;

	if (fw->bs->LocateHandleBuffer(ByProtocol, guid, NULL, &n,
				       &handles) != EFI_SUCCESS)
		return 0;	/* none at all: nothing to add */
	for (i = 0; i < n && !rc; i++) {
		struct efi_dev *d;

		if (known(fw, handles[i], guid == &sfs_guid))
			continue;
		d = dev_new(fw, handles[i], fw->fs.n_devs);
		if (d && (rc = fs_add_device(&fw->fs, &d->bd))) {
			bt_free(d->bd.name);
			bt_free(d->bd.partuuid);
			bt_free(d);
		}
	}
	fw->bs->FreePool(handles);
	return rc;
}

/* File systems first, so baton's own volume and the ESPs come first. */
static int scan(struct fw *fw)
{
	int rc = scan_protocol(fw, &sfs_guid);

	return rc ? rc : scan_protocol(fw, &blockio_guid);
}

/* fs.widen: connect everything once, then look for new devices. */
static int widen(void *ctx)
{
	struct fw *fw = ctx;
	size_t before = fw->fs.n_devs;
	int rc;

	if (fw->connected_all)
		return BT_ENOENT;
	fw->connected_all = true;
	connect_all(fw);
	rc = scan(fw);
	return rc ? rc : fw->fs.n_devs > before ? 0 : BT_ENOENT;
}

void efi_rescan(struct fw *fw)
{
	fw->connected_all = true;
	connect_all(fw);
	scan(fw);
}

int efi_blockdevs_init(struct fw *fw, char *self_path)
{
	fs_init(&fw->fs);
	fw->fs.widen = widen;
	fw->fs.widen_ctx = fw;
	fw->fs.fw = fw;
	fw->fs.origin.source = PATH_SRC_BOOT;
	fw->fs.origin.file = self_path;
	if (!fw->fs.origin.file)
		return BT_ENOMEM;
	return scan(fw);
}

EFI_DEVICE_PATH *efi_file_devpath(struct fw *fw, EFI_HANDLE device,
				  const char *path)
{
	bool uri = str_starts_with(path, "http://");
	EFI_DEVICE_PATH *dev, *out;
	CHAR16 *p = uri ? NULL : efi_path(path);
	UINTN dev_len, name_len, node_len;
	UINT8 *w;

	if (!uri && !p)
		return NULL;
	if (fw->bs->HandleProtocol(device, &devpath_guid, (void **)&dev) != EFI_SUCCESS) {
		bt_free(p);
		return NULL;
	}
	dev_len = efi_devpath_size(dev) - 4;	/* without its end node */
	/* A URL is a URI node of ASCII (HTTP boot's), "" no node at all,
	 * anything else a file path node. */
	name_len = uri ? strlen(path) : 0;
	for (; p && p[name_len]; name_len++)
		;
	node_len = !*path ? 0 : uri ? 4 + name_len :
		   4 + (name_len + 1) * sizeof(CHAR16);
	if (node_len > 0xFFFF ||
	    fw->bs->AllocatePool(EfiLoaderData, dev_len + node_len + 4,
				 (void **)&out) != EFI_SUCCESS) {
		bt_free(p);
		return NULL;
	}
	w = (UINT8 *)out;
	memcpy(w, dev, dev_len);
	w += dev_len;
	if (node_len) {
		w[0] = uri ? MESSAGING_DEVICE_PATH : MEDIA_DEVICE_PATH;
		w[1] = uri ? MSG_URI_DP : MEDIA_FILEPATH_DP;
		w[2] = (UINT8)node_len;
		w[3] = (UINT8)(node_len >> 8);
		memcpy(w + 4, uri ? (const void *)path : (const void *)p,
		       node_len - 4);
		w += node_len;
	}
	w[0] = END_DEVICE_PATH_TYPE;
	w[1] = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	w[2] = 4;
	w[3] = 0;
	bt_free(p);
	return out;
}
