/*
 * The firmware's own file system as a volume kind: FAT (or whatever the
 * firmware can read) through its file-system service, with the label it
 * reports, the FAT serial read from the boot sector for uuid= paths, and the
 * partition GUID for partuuid= paths.
 */
#include "fs/driver.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

struct sfs_volume {
	struct volume v;
	struct blockdev *bd;
};

static int sfs_open(struct volume *vol, const char *path, struct vfile **out)
{
	struct blockdev *bd = ((struct sfs_volume *)vol)->bd;

	return bd->fsys->ops->open(bd->fsys, path, out);
}

static int sfs_list(struct volume *vol, const char *dir, volume_list_cb cb,
		    void *ctx)
{
	struct blockdev *bd = ((struct sfs_volume *)vol)->bd;

	return bd->fsys->ops->list(bd->fsys, dir, cb, ctx);
}

static int sfs_locate(struct volume *vol, const char *path,
		      struct fs_locator *out)
{
	struct blockdev *bd = ((struct sfs_volume *)vol)->bd;

	if (!bd->handle)
		return BT_EUNSUPP;
	out->device = bd->handle;
	out->file = path;
	return 0;
}

/* Boot counting's rename (the only write): through the firmware's driver,
 * when it can write. */
static int sfs_rename(struct volume *vol, const char *path,
		      const char *new_name)
{
	struct blockdev *bd = ((struct sfs_volume *)vol)->bd;

	if (!bd->fsys->ops->rename)
		return BT_EUNSUPP;
	return bd->fsys->ops->rename(bd->fsys, path, new_name);
}

static void sfs_free(struct volume *vol)
{
	struct sfs_volume *v = (struct sfs_volume *)vol;

	bt_free(v->v.name);
	bt_free(v->v.label);
	bt_free(v->v.fsuuid);
	bt_free(v->v.partuuid);
	bt_free(v->v.parttype);
	bt_free(v);
}

static const struct volume_ops sfs_volume_ops = {
	.open = sfs_open,
	.list = sfs_list,
	.locate = sfs_locate,
	.rename = sfs_rename,
	.free = sfs_free,
};

/*
 * The FAT volume serial as "ABCD-1234" from a boot sector, or NULL when the
 * sector is not a FAT boot sector.  FAT32 has a zero 16-bit FAT size (offset
 * 0x16) and keeps its serial at 0x43; FAT12/16 keep it at 0x27, both after
 * an extended boot signature 0x29 (at 0x42 and 0x26).
 */
char *fat_serial(const uint8_t *sec, size_t len)
{
	unsigned off;
	uint32_t serial;

	if (len < 512 || sec[510] != 0x55 || sec[511] != 0xAA)
		return NULL;
	off = get16(sec + 0x16) ? 0x27 : 0x43;
	if (sec[off - 1] != 0x29)
		return NULL;
	serial = get32(sec + off);
	return fmt_alloc("%04X-%04X", serial >> 16, serial & 0xFFFF);
}

static int sfs_probe(struct blockdev *bd, struct volume **out, char *err,
		     size_t errlen)
{
	struct sfs_volume *v;
	uint8_t *sec = NULL;

	if (!bd->fsys)
		return BT_ENOENT;
	v = bt_zalloc(sizeof(*v));
	if (!v)
		goto oom;
	v->bd = bd;
	v->v.ops = &sfs_volume_ops;
	v->v.is_boot = bd->is_boot;
	v->v.fstype = "fat";
	v->v.name = str_dup(bd->name);
	v->v.label = bd->fsys->ops->label(bd->fsys);
	if (bd->partuuid)
		v->v.partuuid = str_dup(bd->partuuid);
	if (bd->parttype)
		v->v.parttype = str_dup(bd->parttype);
	if (!v->v.name || (bd->partuuid && !v->v.partuuid) ||
	    (bd->parttype && !v->v.parttype))
		goto oom;
	/* The serial is optional: a device without block access (or not
	 * FAT) has none. */
	if (bd->block_size >= 512 && bd->block_size <= 4096 && bd->blocks) {
		sec = bt_alloc(bd->block_size);
		if (!sec)
			goto oom;
		if (bd->ops->read(bd, 0, 1, sec) == 0)
			v->v.fsuuid = fat_serial(sec, bd->block_size);
		bt_free(sec);
	}
	*out = &v->v;
	return 0;
oom:
	if (v)
		sfs_free(&v->v);
	fmt_buf(err, errlen, "%s: out of memory", bd->name);
	return BT_ENOMEM;
}

const struct fs_driver fat_sfs_driver = { "fat", sfs_probe };
