/*
 * Resolvers for volumes on block devices: baton's own (boot), and those
 * named by label=, uuid= and partuuid=.  Each looks at the volumes made so
 * far, then probes devices not probed yet, then asks the platform once to
 * look harder (connect every controller) before it says "not found".
 */
#include "fs/fs.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static bool volume_matches(const struct volume *v, const struct path *p)
{
	const char *have;

	switch (p->source) {
	case PATH_SRC_BOOT:
		return v->is_boot;
	case PATH_SRC_LABEL:
		have = v->label;
		break;
	case PATH_SRC_UUID:
		have = v->fsuuid;
		break;
	case PATH_SRC_PARTUUID:
		have = v->partuuid;
		break;
	default:
		return false;
	}
	return have && p->arg && str_casecmp(have, p->arg) == 0;
}

static struct volume *find(const struct fs *fs, const struct path *p)
{
	size_t i;

	for (i = 0; i < fs->n_vols; i++)
		if (volume_matches(fs->vols[i], p))
			return fs->vols[i];
	return NULL;
}

static int resolve(struct fs *fs, const struct path *p, struct volume **out,
		   char *err, size_t errlen)
{
	int pass;

	/* Pass 0: what is known and the devices not yet probed; pass 1:
	 * after the platform looked harder (at most once a session). */
	for (pass = 0; pass < 2; pass++) {
		if ((*out = find(fs, p)))
			return 0;
		fs_probe(fs, pass == 1, NULL, NULL);
		if ((*out = find(fs, p)))
			return 0;
		if (fs->widened || !fs->widen)
			break;
	}
	if (p->source == PATH_SRC_BOOT)
		fmt_buf(err, errlen, "baton's own volume is not readable "
			"(it was not loaded from a file system)");
	else if (p->source == PATH_SRC_LABEL)
		fmt_buf(err, errlen, "no volume with label '%s'", p->arg);
	else if (p->source == PATH_SRC_UUID)
		fmt_buf(err, errlen, "no volume with file-system UUID '%s'",
			p->arg);
	else
		fmt_buf(err, errlen, "no partition with GUID '%s'", p->arg);
	return BT_ENOENT;
}

const struct fs_resolver fs_volume_resolver = {
	.schemes = 1u << PATH_SRC_BOOT | 1u << PATH_SRC_LABEL |
		   1u << PATH_SRC_UUID | 1u << PATH_SRC_PARTUUID,
	.resolve = resolve,
};

char *fs_volume_prefix(const struct volume *v)
{
	if (v->is_boot)
		return str_dup("boot:");
	if (v->partuuid)
		return fmt_alloc("partuuid=%s:", v->partuuid);
	if (v->fsuuid)
		return fmt_alloc("uuid=%s:", v->fsuuid);
	if (v->label)
		return fmt_alloc("label=%s:", v->label);
	return NULL;
}
