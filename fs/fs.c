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
	do {
		for (i = 0; i < fs->n_vols; i++) {
			if (volume_matches(fs->vols[i], p)) {
				*out = fs->vols[i];
				return 0;
			}
		}
	} while (fs->widen && fs->widen(fs->widen_ctx) == 0);
	if (p->source == PATH_SRC_BOOT)
		fmt_buf(err, errlen, "baton's own volume is not readable "
			"(it was not loaded from a file system)");
	else
		fmt_buf(err, errlen, "%s '%s'", what[p->source], p->arg);
	return BT_ENOENT;
}

int fs_read_exact(struct vfile *f, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;

	/* Normally one call: the firmware is much faster with one large
	 * read than with many small ones. */
	while (got < len) {
		size_t n = 0;
		int err = f->ops->read_at(f, off + got, (char *)buf + got,
					  len - got, &n);

		if (err)
			return err;
		if (n == 0)
			return BT_EIO;
		got += n;
	}
	return 0;
}

void fs_widen(const struct fs *fs)
{
	if (fs->widen)
		fs->widen(fs->widen_ctx);
}

/* Read f completely into a new NUL-terminated buffer. */
static int read_file(struct vfile *f, void **buf, size_t *len)
{
	uint64_t size = f->ops->size(f);
	char *data;
	int err;

	if (size >= (uint64_t)(size_t)-1)
		return BT_ETOOBIG;
	data = bt_alloc((size_t)size + 1);
	if (!data)
		return BT_ENOMEM;
	err = fs_read_exact(f, 0, data, (size_t)size);
	if (err) {
		bt_free(data);
		return err;
	}
	data[size] = '\0';
	*buf = data;
	*len = (size_t)size;
	return 0;
}

int fs_check_pin(const struct path *p, const uint8_t digest[SHA256_LEN],
		 char *err, size_t errlen)
{
	char want_hex[2 * SHA256_LEN + 1], got_hex[2 * SHA256_LEN + 1];
	char *name;

	if (!p->pinned || memcmp(digest, p->sha256, SHA256_LEN) == 0)
		return 0;
	sha256_hex(p->sha256, want_hex);
	sha256_hex(digest, got_hex);
	name = path_format(p);
	fmt_buf(err, errlen, "%s: SHA-256 mismatch (expected %s, got %s)",
		name ? name : p->file, want_hex, got_hex);
	bt_free(name);
	return BT_EHASH;
}

int fs_open(const struct fs *fs, const struct path *p, struct vfile **out,
	    char *err, size_t errlen)
{
	char why[160];
	struct volume *v;
	char *name = path_format(p);
	int rc;

	if (!name) {
		/* Like the other messages when the full name cannot be
		 * made: the file without its source. */
		fmt_buf(err, errlen, "%s: out of memory", p->file);
		return BT_ENOMEM;
	}
	rc = fs_find_volume(fs, p, &v, why, sizeof(why));
	if (rc)
		fmt_buf(err, errlen, "%s: %s", name, why);
	else if ((rc = v->ops->open(v, p->file, out)))
		fmt_buf(err, errlen, "%s: %s", name,
			rc == BT_ENOENT ? "file not found" : bt_strerror(rc));
	bt_free(name);
	return rc;
}

int fs_read_all(const struct fs *fs, const struct path *p, void **buf,
		size_t *len, char *err, size_t errlen)
{
	uint8_t digest[SHA256_LEN];
	struct vfile *f;
	char *name;
	int rc = fs_open(fs, p, &f, err, errlen);

	if (rc)
		return rc;
	rc = read_file(f, buf, len);
	f->ops->close(f);
	if (rc) {
		name = path_format(p);
		fmt_buf(err, errlen, "%s: %s", name ? name : p->file,
			bt_strerror(rc));
		bt_free(name);
		return rc;
	}
	if (p->pinned) {
		sha256_digest(*buf, *len, digest);
		rc = fs_check_pin(p, digest, err, errlen);
		if (rc) {
			bt_free(*buf);
			*buf = NULL;
		}
	}
	return rc;
}
