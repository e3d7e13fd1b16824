#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "tests/unit/memvol.h"
#include "lib/error.h"
#include "lib/mem.h"

struct memvfile {
	struct vfile f;
	const struct memfile *mf;
	struct memvol *mv;
	uint64_t pos;		/* for a volume without seeking */
};

static size_t mf_len(const struct memfile *mf)
{
	return mf->len ? mf->len : strlen(mf->data);
}

static int mf_read_at(struct vfile *vf, uint64_t off, void *buf, size_t len,
		      size_t *got)
{
	struct memvfile *f = (struct memvfile *)vf;
	size_t size = mf_len(f->mf);

	if (f->mv->fail_read)
		return f->mv->fail_read;
	if (f->mv->no_seek && off != f->pos)
		return BT_EUNSUPP;
	if (f->mv->max_read && len > f->mv->max_read)
		len = f->mv->max_read;
	*got = off >= size ? 0 : (size - off < len ? size - off : len);
	memcpy(buf, f->mf->data + off, *got);
	f->pos = off + *got;
	f->mv->reads++;
	return 0;
}

static void mf_close(struct vfile *vf)
{
	free(vf);
}

static const struct vfile_ops memfile_ops = { mf_read_at, mf_close };

const char *memvol_path(const struct memvol *mv, size_t i)
{
	size_t r;

	for (r = mv->n_renamed; r-- > 0;)
		if (mv->renamed[r].index == i)
			return mv->renamed[r].path;
	return mv->files[i].path;
}

static const struct memfile *lookup(struct memvol *mv, const char *path)
{
	size_t i;

	for (i = 0; i < mv->n; i++)
		if (!strcasecmp(memvol_path(mv, i), path))
			return &mv->files[i];
	return NULL;
}

static int mv_open(struct volume *v, const char *path, struct vfile **out)
{
	struct memvol *mv = (struct memvol *)v;
	const struct memfile *mf = lookup(mv, path);
	struct memvfile *f;

	if (!mf || !mf->data)
		return BT_ENOENT;
	f = calloc(1, sizeof(*f));
	f->f.ops = &memfile_ops;
	f->f.why = NULL;
	f->f.size = mv->unknown_size ? VFILE_SIZE_UNKNOWN :
		    mf_len(mf) + mv->claim_extra;
	f->f.seekable = !mv->no_seek;
	f->mf = mf;
	f->mv = mv;
	mv->opens++;
	*out = &f->f;
	return 0;
}

static int mv_list(struct volume *v, const char *dir, volume_list_cb cb, void *ctx)
{
	struct memvol *mv = (struct memvol *)v;
	size_t i, dl = strlen(dir);

	if (!lookup(mv, dir))
		return BT_ENOENT;
	for (i = 0; i < mv->n; i++) {
		const char *p = memvol_path(mv, i);

		if (strncasecmp(p, dir, dl) || p[dl] != '/' || strchr(p + dl + 1, '/'))
			continue;
		if (cb(ctx, p + dl + 1, mv->files[i].data == NULL))
			break;
	}
	return 0;
}

/* The locator names the volume itself as the device. */
static int mv_locate(struct volume *v, const char *path, struct fs_locator *out)
{
	out->device = v;
	out->file = path;
	return 0;
}

/* Rename a file (not a folder) within its folder, as FAT's SetInfo does. */
static int mv_rename(struct volume *v, const char *path, const char *new_name)
{
	struct memvol *mv = (struct memvol *)v;
	const struct memfile *mf = lookup(mv, path);
	const char *slash = strrchr(path, '/');
	char to[256];

	if (!mf || !mf->data)
		return BT_ENOENT;
	if (strchr(new_name, '/') || mv->n_renamed >= MEMVOL_RENAMES ||
	    snprintf(to, sizeof(to), "%.*s/%s", (int)(slash - path), path,
		     new_name) >= (int)sizeof(to))
		return BT_EINVAL;
	if (lookup(mv, to))
		return BT_EINVAL;	/* the name is taken */
	mv->renamed[mv->n_renamed].index = (size_t)(mf - mv->files);
	strcpy(mv->renamed[mv->n_renamed++].path, to);
	return 0;
}

static const struct volume_ops memvol_ops = {
	.open = mv_open, .list = mv_list, .locate = mv_locate,
	.rename = mv_rename,
};

static struct memvol *of_fsys(struct fsys *fs)
{
	return (struct memvol *)((char *)fs - offsetof(struct memvol, fsys));
}

static int fsys_open(struct fsys *fs, const char *path, struct vfile **out)
{
	return mv_open(&of_fsys(fs)->v, path, out);
}

static int fsys_list(struct fsys *fs, const char *dir, volume_list_cb cb,
		     void *ctx)
{
	return mv_list(&of_fsys(fs)->v, dir, cb, ctx);
}

static char *fsys_label(struct fsys *fs)
{
	const char *l = of_fsys(fs)->v.label;

	return l ? str_dup(l) : NULL;
}

static int fsys_rename(struct fsys *fs, const char *path, const char *new_name)
{
	return mv_rename(&of_fsys(fs)->v, path, new_name);
}

static const struct fsys_ops memvol_fsys_ops = {
	.open = fsys_open,
	.list = fsys_list,
	.label = fsys_label,
	.rename = fsys_rename,
};

void memvol_init(struct memvol *mv, const struct memfile *files, size_t n)
{
	memset(mv, 0, sizeof(*mv));
	mv->v.ops = &memvol_ops;
	mv->fsys.ops = &memvol_fsys_ops;
	mv->v.name = "memvol";
	mv->files = files;
	mv->n = n;
}
