/* The file-source registry: devices, volumes made on demand, resolvers. */
#include "fs/fs.h"
#include "fs/part.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* A partition type the registry gave one of the platform's devices. */
struct fs_type_note {
	struct fs_type_note *next;
	char type[37];
};

static const struct fs_resolver *const default_resolvers[] = {
	&fs_volume_resolver,
	&fs_image_resolver,
	&fs_net_resolver,
	NULL,
};

void fs_init(struct fs *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->drivers = fs_drivers;
	fs->resolvers = default_resolvers;
}

void fs_free(struct fs *fs)
{
	size_t i;

	for (i = fs->n_owned; i-- > 0;)
		fs->owned[i]->ops->free(fs->owned[i]);
	while (fs->types) {
		struct fs_type_note *t = fs->types;

		fs->types = t->next;
		bt_free(t);
	}
	bt_free(fs->owned);
	fs->owned = NULL;
	fs->n_owned = 0;
	for (i = 0; i < fs->n_vols; i++)
		if (fs->vols[i]->ops->free)
			fs->vols[i]->ops->free(fs->vols[i]);
	bt_free(fs->vols);
	bt_free(fs->devs);
	path_free(&fs->origin);
	fs->vols = NULL;
	fs->devs = NULL;
	fs->n_vols = fs->n_devs = fs->n_probed = 0;
}

int fs_add_device(struct fs *fs, struct blockdev *bd)
{
	struct blockdev **d = bt_realloc(fs->devs, (fs->n_devs + 1) * sizeof(*d));

	if (!d)
		return BT_ENOMEM;
	fs->devs = d;
	fs->devs[fs->n_devs++] = bd;
	return 0;
}

int fs_add_owned_device(struct fs *fs, struct blockdev *bd)
{
	struct blockdev **o = bt_realloc(fs->owned,
					 (fs->n_owned + 1) * sizeof(*o));

	if (!o)
		return BT_ENOMEM;
	fs->owned = o;
	if (fs_add_device(fs, bd))
		return BT_ENOMEM;
	fs->owned[fs->n_owned++] = bd;
	return 0;
}

int fs_add_volume(struct fs *fs, struct volume *v)
{
	struct volume **vs = bt_realloc(fs->vols, (fs->n_vols + 1) * sizeof(*vs));

	if (!vs)
		return BT_ENOMEM;
	fs->vols = vs;
	fs->vols[fs->n_vols++] = v;
	return 0;
}

/* Run the drivers over one device: a volume, or nothing. */
static void probe_device(struct fs *fs, struct blockdev *bd,
			 void (*report)(void *ctx, const char *msg), void *ctx)
{
	const struct fs_driver *const *d;
	char err[200];

	for (d = fs->drivers; d && *d; d++) {
		struct volume *v = NULL;
		int rc;

		err[0] = '\0';
		rc = (*d)->probe(bd, &v, err, sizeof(err));
		if (rc == BT_ENOENT)
			continue;
		if (!rc)
			v->on_boot_disk = bd->on_boot_disk || bd->is_boot;
		if (!rc && fs_add_volume(fs, v) == 0)
			return;
		if (!rc) {
			v->ops->free(v);
			fmt_buf(err, sizeof(err), "%s: out of memory", bd->name);
		}
		if (report)
			report(ctx, err[0] ? err : bt_strerror(rc));
		return;
	}
}

struct part_ctx {
	struct fs *fs;
	struct blockdev *disk;
};

/* A partition the registry read: a device of its own, probed later. */
static int add_part(void *ctx, const struct part_entry *e)
{
	struct part_ctx *pc = ctx;
	struct blockdev *bd;

	if (part_device(pc->disk, e, &bd))
		return BT_ENOMEM;
	if (fs_add_owned_device(pc->fs, bd)) {
		bd->ops->free(bd);
		return BT_ENOMEM;
	}
	return 0;
}

/* A partition the platform offers itself: its GPT type, from the table. */
static int note_type(void *ctx, const struct part_entry *e)
{
	struct fs *fs = ((struct part_ctx *)ctx)->fs;
	struct fs_type_note *t;
	size_t i;

	for (i = 0; i < fs->n_devs && e->partuuid[0]; i++) {
		struct blockdev *bd = fs->devs[i];

		if (bd->parttype || !bd->partuuid ||
		    str_casecmp(bd->partuuid, e->partuuid))
			continue;
		if (!(t = bt_alloc(sizeof(*t))))
			return BT_ENOMEM;
		memcpy(t->type, e->parttype, sizeof(t->type));
		t->next = fs->types;
		fs->types = t;
		bd->parttype = t->type;
	}
	return 0;
}

static void read_parts(struct fs *fs, struct blockdev *disk, part_cb cb,
		       void (*report)(void *ctx, const char *msg), void *ctx)
{
	struct part_ctx pc = { fs, disk };
	char msg[160];

	if (part_scan(disk, cb, &pc, report, ctx) && report) {
		fmt_buf(msg, sizeof(msg), "%s: out of memory", disk->name);
		report(ctx, msg);
	}
}

void fs_probe(struct fs *fs, bool widen, void (*report)(void *ctx,
	      const char *msg), void *ctx)
{
	size_t i;

	if (widen && !fs->widened && fs->widen) {
		fs->widened = true;
		fs->widen(fs->widen_ctx);
	}
	/* The platform's partitions get their types before the drivers copy
	 * them into volumes. */
	for (i = fs->n_probed; i < fs->n_devs; i++)
		if (fs->devs[i]->is_disk && fs->devs[i]->platform_parts)
			read_parts(fs, fs->devs[i], note_type, report, ctx);
	while (fs->n_probed < fs->n_devs) {
		struct blockdev *bd = fs->devs[fs->n_probed++];

		probe_device(fs, bd, report, ctx);
		if (bd->is_disk && !bd->platform_parts)
			read_parts(fs, bd, add_part, report, ctx);
	}
}

const char *fs_scheme(const struct path *p)
{
	switch (p->source) {
	case PATH_SRC_BOOT:
		return "boot";
	case PATH_SRC_LABEL:
		return "label";
	case PATH_SRC_UUID:
		return "uuid";
	case PATH_SRC_PARTUUID:
		return "partuuid";
	case PATH_SRC_TFTP:
		return "tftp";
	case PATH_SRC_HTTP:
		return "http";
	case PATH_SRC_ISO:
		return "iso";
	default:
		return "?";
	}
}

int fs_find_volume(struct fs *fs, const struct path *p, struct volume **out,
		   char *err, size_t errlen)
{
	const struct fs_resolver *const *r;

	for (r = fs->resolvers; r && *r; r++)
		if ((*r)->schemes & (1u << p->source))
			return (*r)->resolve(fs, p, out, err, errlen);
	fmt_buf(err, errlen, "%s: paths are not served here", fs_scheme(p));
	return BT_EUNSUPP;
}

int fs_find_named(struct fs *fs, const struct path *p, char **name,
		  struct volume **v, char *err, size_t errlen)
{
	char why[160];
	int rc;

	*name = path_format(p);
	if (!*name) {
		/* Without memory for the full name: the file alone. */
		fmt_buf(err, errlen, "%s: out of memory", p->file);
		return BT_ENOMEM;
	}
	rc = fs_find_volume(fs, p, v, why, sizeof(why));
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", *name, why);
		bt_free(*name);
		*name = NULL;
	}
	return rc;
}

int fs_locate(struct fs *fs, const struct path *p, struct fs_locator *out,
	      char *err, size_t errlen)
{
	struct volume *v;
	char *name;
	int rc = fs_find_named(fs, p, &name, &v, err, errlen);

	if (rc)
		return rc;
	/* No locate op: a volume of baton's own drivers, no device. */
	out->device = NULL;
	out->file = p->file;
	if (v->ops->locate && (rc = v->ops->locate(v, p->file, out)))
		fmt_buf(err, errlen, "%s: the firmware cannot reach files on %s "
			"by itself", name, v->name);
	bt_free(name);
	return rc;
}
