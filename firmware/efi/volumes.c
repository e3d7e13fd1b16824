/*
 * Volumes: every file system the firmware can read (FAT, through the
 * Simple File System protocol), with the label, FAT serial and GPT partition
 * GUID that label=, uuid= and partuuid= paths name.
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

struct efi_volume {
	struct volume v;
	EFI_HANDLE handle;
	EFI_FILE_HANDLE root;
};

struct efi_file {
	struct vfile f;
	EFI_FILE_HANDLE fh;
	uint64_t size;
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

static uint64_t efi_file_size(struct vfile *vf)
{
	return ((struct efi_file *)vf)->size;
}

static void efi_file_close(struct vfile *vf)
{
	struct efi_file *f = (struct efi_file *)vf;

	f->fh->Close(f->fh);
	bt_free(f);
}

static const struct vfile_ops efi_file_ops = {
	.read_at = efi_file_read_at,
	.size = efi_file_size,
	.close = efi_file_close,
};

/* Open path (file or directory) on v; *is_dir tells which. */
static int open_handle(struct efi_volume *v, const char *path,
		       EFI_FILE_HANDLE *out, uint64_t *size, bool *is_dir)
{
	CHAR16 *p = efi_path(path);
	EFI_FILE_INFO *info;
	EFI_STATUS s;

	if (!p)
		return BT_ENOMEM;
	s = v->root->Open(v->root, out, p, EFI_FILE_MODE_READ, 0);
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

static int efi_volume_open(struct volume *vol, const char *path,
			   struct vfile **out)
{
	struct efi_volume *v = (struct efi_volume *)vol;
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
	f->fh = fh;
	f->size = size;
	*out = &f->f;
	return 0;
}

static int efi_volume_list(struct volume *vol, const char *dir,
			   volume_list_cb cb, void *ctx)
{
	struct efi_volume *v = (struct efi_volume *)vol;
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

static const struct volume_ops efi_volume_ops = {
	.open = efi_volume_open,
	.list = efi_volume_list,
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

/* The FAT volume serial as "ABCD-1234", read from the boot sector. */
static char *fat_serial(EFI_HANDLE h)
{
	EFI_BLOCK_IO *bio;
	UINT8 *sec;
	UINT32 serial;
	char *out = NULL;

	if (efi_bs->HandleProtocol(h, &blockio_guid, (void **)&bio) != EFI_SUCCESS)
		return NULL;
	if (bio->Media->BlockSize < 512 || bio->Media->BlockSize > 4096)
		return NULL;
	sec = bt_alloc(bio->Media->BlockSize);
	if (!sec)
		return NULL;
	if (bio->ReadBlocks(bio, bio->Media->MediaId, 0, bio->Media->BlockSize,
			    sec) == EFI_SUCCESS && sec[510] == 0x55 && sec[511] == 0xAA) {
		/* FAT32 has a zero 16-bit FAT size (offset 0x16) and keeps its
		 * serial at 0x43; FAT12/16 keep it at 0x27. */
		unsigned off = (sec[0x16] | sec[0x17]) ? 0x27 : 0x43;

		serial = sec[off] | (UINT32)sec[off + 1] << 8 |
			 (UINT32)sec[off + 2] << 16 | (UINT32)sec[off + 3] << 24;
		out = fmt_alloc("%04X-%04X", serial >> 16, serial & 0xFFFF);
	}
	bt_free(sec);
	return out;
}

/* The volume label, or NULL when it has none. */
static char *volume_label(EFI_FILE_HANDLE root)
{
	UINTN size = SIZE_OF_EFI_FILE_SYSTEM_INFO + 256;
	EFI_FILE_SYSTEM_INFO *info = bt_alloc(size);
	char *label = NULL;

	if (!info)
		return NULL;
	if (root->GetInfo(root, &fsinfo_guid, &size, info) == EFI_SUCCESS &&
	    info->VolumeLabel[0])
		label = ucs2_to_utf8(info->VolumeLabel, 128);
	bt_free(info);
	return label;
}

/* Describe one file-system handle as a volume; NULL if it cannot be read. */
static struct efi_volume *volume_new(struct fw *fw, EFI_HANDLE h, size_t index)
{
	EFI_FILE_IO_INTERFACE *sfs;
	struct efi_volume *v;

	if (fw->bs->HandleProtocol(h, &sfs_guid, (void **)&sfs) != EFI_SUCCESS)
		return NULL;
	v = bt_zalloc(sizeof(*v));
	if (!v)
		return NULL;
	if (sfs->OpenVolume(sfs, &v->root) != EFI_SUCCESS) {
		bt_free(v);
		return NULL;
	}
	v->handle = h;
	v->v.ops = &efi_volume_ops;
	v->v.name = fmt_alloc("volume %zu", index);
	v->v.label = volume_label(v->root);
	v->v.fsuuid = fat_serial(h);
	v->v.partuuid = partition_guid(h);
	v->v.is_boot = fw->loaded && h == fw->loaded->DeviceHandle;
	return v;
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

static bool known(const struct fw *fw, EFI_HANDLE h)
{
	size_t i;

	for (i = 0; i < fw->fs.n_vols; i++)
		if (((const struct efi_volume *)fw->fs.vols[i])->handle == h)
			return true;
	return false;
}

/* Add a volume for every file-system handle not seen before.  Volumes
 * already handed out stay valid. */
static int scan(struct fw *fw)
{
	EFI_HANDLE *handles = NULL;
	struct volume **vols;
	UINTN n = 0, i;

	if (fw->bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &n,
				       &handles) != EFI_SUCCESS)
		return 0;	/* no file systems at all: nothing to add */
	vols = bt_realloc(fw->fs.vols, (fw->fs.n_vols + n) * sizeof(*vols));
	if (!vols) {
		fw->bs->FreePool(handles);
		return BT_ENOMEM;
	}
	fw->fs.vols = vols;
	for (i = 0; i < n; i++) {
		struct efi_volume *v;

		if (known(fw, handles[i]))
			continue;
		v = volume_new(fw, handles[i], fw->fs.n_vols);
		if (v)
			fw->fs.vols[fw->fs.n_vols++] = &v->v;
	}
	fw->bs->FreePool(handles);
	return 0;
}

/* fs.widen: connect everything once, then look for new volumes. */
static int widen(void *ctx)
{
	struct fw *fw = ctx;
	size_t before = fw->fs.n_vols;
	int rc;

	if (fw->connected_all)
		return BT_ENOENT;
	fw->connected_all = true;
	connect_all(fw);
	rc = scan(fw);
	return rc ? rc : fw->fs.n_vols > before ? 0 : BT_ENOENT;
}

int efi_volumes_init(struct fw *fw)
{
	fw->fs.vols = NULL;
	fw->fs.n_vols = 0;
	fw->fs.widen = widen;
	fw->fs.widen_ctx = fw;
	return scan(fw);
}

EFI_DEVICE_PATH *efi_volume_file_path(struct fw *fw, struct volume *vol,
				       const char *path)
{
	struct efi_volume *v = (struct efi_volume *)vol;
	EFI_DEVICE_PATH *dev, *out;
	CHAR16 *p = efi_path(path);
	UINTN dev_len, name_len, node_len;
	UINT8 *w;

	if (!p)
		return NULL;
	if (fw->bs->HandleProtocol(v->handle, &devpath_guid, (void **)&dev) != EFI_SUCCESS) {
		bt_free(p);
		return NULL;
	}
	dev_len = efi_devpath_size(dev) - 4;	/* without its end node */
	for (name_len = 0; p[name_len]; name_len++)
		;
	node_len = 4 + (name_len + 1) * sizeof(CHAR16);
	if (node_len > 0xFFFF ||
	    fw->bs->AllocatePool(EfiLoaderData, dev_len + node_len + 4,
				 (void **)&out) != EFI_SUCCESS) {
		bt_free(p);
		return NULL;
	}
	w = (UINT8 *)out;
	memcpy(w, dev, dev_len);
	w += dev_len;
	w[0] = MEDIA_DEVICE_PATH;
	w[1] = MEDIA_FILEPATH_DP;
	w[2] = (UINT8)node_len;
	w[3] = (UINT8)(node_len >> 8);
	memcpy(w + 4, p, (name_len + 1) * sizeof(CHAR16));
	w += node_len;
	w[0] = END_DEVICE_PATH_TYPE;
	w[1] = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	w[2] = 4;
	w[3] = 0;
	bt_free(p);
	return out;
}
