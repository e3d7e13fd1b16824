#include "fs/fs.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* Whether v is the volume p's source names. */
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

int fs_find_volume(const struct fs *fs, const struct path *p,
		   struct volume **out, char *err, size_t errlen)
{
	static const char *const what[] = {
		[PATH_SRC_BOOT] = "baton's own volume",
		[PATH_SRC_LABEL] = "no volume with label",
		[PATH_SRC_UUID] = "no volume with file-system UUID",
		[PATH_SRC_PARTUUID] = "no partition with GUID",
	};
	size_t i;

	if (p->source == PATH_SRC_TFTP || p->source == PATH_SRC_HTTP) {
		fmt_buf(err, errlen, "network sources (tftp:, http:) are not "
			"available in this build of baton");
		return BT_EUNSUPP;
	}
	for (i = 0; i < fs->n_vols; i++) {
		if (volume_matches(fs->vols[i], p)) {
			*out = fs->vols[i];
			return 0;
		}
	}
	if (p->source == PATH_SRC_BOOT)
		fmt_buf(err, errlen, "baton's own volume is not readable "
			"(it was not loaded from a file system)");
	else
		fmt_buf(err, errlen, "%s '%s'", what[p->source], p->arg);
	return BT_ENOENT;
}

/* Read f completely into a new NUL-terminated buffer. */
static int read_file(struct vfile *f, void **buf, size_t *len)
{
	uint64_t size = f->ops->size(f);
	size_t got = 0;
	char *data;
	int err;

	if (size >= (uint64_t)(size_t)-1)
		return BT_ETOOBIG;
	data = bt_alloc((size_t)size + 1);
	if (!data)
		return BT_ENOMEM;
	/* One large read: the firmware is much faster that way than in
	 * chunks, and the file size is known. */
	while (got < size) {
		size_t n = 0;

		err = f->ops->read_at(f, got, data + got, (size_t)size - got, &n);
		if (err || n == 0) {
			bt_free(data);
			return err ? err : BT_EIO;
		}
		got += n;
	}
	data[size] = '\0';
	*buf = data;
	*len = (size_t)size;
	return 0;
}

/* Compare data with p's pin; on mismatch, describe it in err. */
static int check_pin(const struct path *p, const char *name, const void *data,
		     size_t len, char *err, size_t errlen)
{
	uint8_t got[SHA256_LEN];
	char want_hex[2 * SHA256_LEN + 1], got_hex[2 * SHA256_LEN + 1];

	if (!p->pinned)
		return 0;
	sha256_digest(data, len, got);
	if (memcmp(got, p->sha256, SHA256_LEN) == 0)
		return 0;
	sha256_hex(p->sha256, want_hex);
	sha256_hex(got, got_hex);
	fmt_buf(err, errlen, "%s: SHA-256 mismatch (expected %s, got %s)",
		name, want_hex, got_hex);
	return BT_EHASH;
}

int fs_read_all(const struct fs *fs, const struct path *p, void **buf,
		size_t *len, char *err, size_t errlen)
{
	char why[160];
	struct volume *v;
	struct vfile *f;
	char *name = path_format(p);
	int rc;

	if (!name) {
		fmt_buf(err, errlen, "out of memory");
		return BT_ENOMEM;
	}
	rc = fs_find_volume(fs, p, &v, why, sizeof(why));
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", name, why);
		goto out;
	}
	rc = v->ops->open(v, p->file, &f);
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", name,
			rc == BT_ENOENT ? "file not found" : bt_strerror(rc));
		goto out;
	}
	rc = read_file(f, buf, len);
	f->ops->close(f);
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", name, bt_strerror(rc));
		goto out;
	}
	rc = check_pin(p, name, *buf, *len, err, errlen);
	if (rc) {
		bt_free(*buf);
		*buf = NULL;
	}
out:
	bt_free(name);
	return rc;
}
