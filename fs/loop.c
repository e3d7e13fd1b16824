/*
 * Image files as disks: an ISO (or any disk image) file on a volume becomes
 * a block device of the registry's, probed like a disk (drivers on the
 * whole image, then its partition table), and iso(PATH): paths name the
 * volume found on it.  One device per image file, made on first use.
 */
#include "fs/fs.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

struct image_dev {
	struct blockdev bd;
	struct vfile *f;
	char *key;		/* the image's path with its pin */
	struct volume *vol;	/* the first volume found on it, or NULL */
	char why[160];		/* what probing it reported first, or "" */
};

static int image_read(struct blockdev *bd, uint64_t lba, size_t count,
		      void *buf)
{
	struct image_dev *d = (struct image_dev *)bd;
	size_t len = count * bd->block_size, done = 0, got;
	int rc;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	while (done < len) {
		got = 0;
		rc = d->f->ops->read_at(d->f, lba * bd->block_size + done,
					(char *)buf + done, len - done, &got);
		if (rc)
			return rc;
		if (got == 0 || got > len - done)
			return BT_EIO;
		done += got;
	}
	return 0;
}

static void image_free(struct blockdev *bd)
{
	struct image_dev *d = (struct image_dev *)bd;

	if (d->f)
		d->f->ops->close(d->f);
	bt_free(d->key);
	bt_free(bd->name);
	bt_free(d);
}

static const struct blockdev_ops image_ops = {
	.read = image_read,
	.free = image_free,
};

static void keep_first(void *ctx, const char *msg)
{
	struct image_dev *d = ctx;

	if (!d->why[0])
		fmt_buf(d->why, sizeof(d->why), "%s", msg);
}

/* Open the image file at p as a device (key: its cache key, taken),
 * add it and probe it. */
static int open_image(struct fs *fs, const struct path *p, char *key,
		      struct blockdev **out, char *err, size_t errlen)
{
	struct image_dev *d = NULL;
	struct fs_stream s;
	size_t first;
	int rc = fs_stream_open(fs, p, &s, err, errlen);

	if (!rc && (!s.f->seekable || s.f->size == VFILE_SIZE_UNKNOWN)) {
		fmt_buf(err, errlen, "iso(%s): the image file is on a source "
			"that cannot seek", s.name);
		rc = BT_EUNSUPP;
	}
	if (!rc && p->pinned)	/* the whole image, once */
		rc = fs_stream_finish(&s, err, errlen);
	if (!rc && (!(d = bt_zalloc(sizeof(*d))) ||
		    !(d->bd.name = fmt_alloc("iso(%s)", s.name))))
		rc = BT_ENOMEM;
	if (!rc) {
		d->f = s.f;
		s.f = NULL;
		d->key = key;
		key = NULL;
		d->bd.ops = &image_ops;
		d->bd.block_size = d->f->size % 2048 ? 512 : 2048;
		d->bd.blocks = d->f->size / d->bd.block_size;
		d->bd.is_disk = true;
		/* Devices still waiting are probed first, so the volumes
		 * added next are the image's own. */
		fs_probe(fs, false, NULL, NULL);
		first = fs->n_vols;
		rc = fs_add_owned_device(fs, &d->bd);
	}
	fs_stream_close(&s);
	bt_free(key);
	if (rc) {
		if (d)
			image_free(&d->bd);
		if (rc == BT_ENOMEM)
			fmt_buf(err, errlen, "%s: out of memory", p->file);
		return rc;
	}
	fs_probe(fs, false, keep_first, d);
	if (fs->n_vols > first)
		d->vol = fs->vols[first];
	*out = &d->bd;
	return 0;
}

int fs_image_device(struct fs *fs, const struct path *p, struct blockdev **out,
		    char *err, size_t errlen)
{
	char *key = path_format_pinned(p);
	size_t i;

	for (i = 0; key && i < fs->n_owned; i++) {
		struct image_dev *d = (struct image_dev *)fs->owned[i];

		if (d->bd.ops == &image_ops && !strcmp(d->key, key)) {
			bt_free(key);
			*out = &d->bd;
			return 0;
		}
	}
	if (!key) {
		fmt_buf(err, errlen, "%s: out of memory", p->file);
		return BT_ENOMEM;
	}
	return open_image(fs, p, key, out, err, errlen);
}

static int resolve(struct fs *fs, const struct path *p, struct volume **out,
		   char *err, size_t errlen)
{
	struct image_dev *d;
	struct blockdev *bd;
	struct path image;
	char why[120];
	const char *a = p->arg;
	unsigned depth = 1;
	int rc;

	/* Checked here, on the outermost path, so that nothing is opened
	 * and the message is not wrapped in every level's name. */
	for (; a && !strncmp(a, "iso(", 4); a += 4)
		depth++;
	if (depth > FS_IMAGE_DEPTH_MAX) {
		fmt_buf(err, errlen, "image files nested more than %u deep",
			FS_IMAGE_DEPTH_MAX);
		return BT_ELOOP;
	}
	rc = path_parse(p->arg, NULL, &image, why, sizeof(why));
	if (rc) {
		fmt_buf(err, errlen, "iso(%s): %s", p->arg, why);
		return rc;
	}
	rc = fs_image_device(fs, &image, &bd, err, errlen);
	path_free(&image);
	if (rc)
		return rc;
	d = (struct image_dev *)bd;
	if (!d->vol) {
		if (d->why[0])
			fmt_buf(err, errlen, "%s", d->why);
		else
			fmt_buf(err, errlen, "%s: no file system found in the "
				"image (baton reads ISO 9660 and ext4 inside "
				"image files)", bd->name);
		return BT_EFORMAT;
	}
	*out = d->vol;
	return 0;
}

const struct fs_resolver fs_image_resolver = {
	.schemes = 1u << PATH_SRC_ISO,
	.resolve = resolve,
};
