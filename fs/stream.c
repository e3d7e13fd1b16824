/*
 * Reading files front to back: the one place files are read, hashed and
 * checked against their sha256 pins.
 */
#include "fs/fs.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define READ_ALL_FIRST (64 * 1024)	/* first buffer for a file of unknown size */

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

int fs_stream_open(struct fs *fs, const struct path *p, struct fs_stream *s,
		   char *err, size_t errlen)
{
	struct volume *v;
	int rc;

	memset(s, 0, sizeof(*s));
	s->p = p;
	rc = fs_find_named(fs, p, &s->name, &v, err, errlen);
	if (rc)
		return rc;
	rc = v->ops->open(v, p->file, &s->f);
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", s->name,
			v->why ? v->why : rc == BT_ENOENT ?
			"file not found" : bt_strerror(rc));
		s->f = NULL;
		fs_stream_close(s);
		return rc;
	}
	if (p->pinned)
		sha256_init(&s->sha);
	return 0;
}

uint64_t fs_stream_size(const struct fs_stream *s)
{
	return s->f->size;
}

int fs_stream_read(struct fs_stream *s, void *buf, size_t len, size_t *got,
		   char *err, size_t errlen)
{
	size_t done = 0;

	/* Normally one call: the firmware is much faster with one large
	 * read than with many small ones. */
	while (done < len) {
		size_t n = 0;
		int rc = s->f->ops->read_at(s->f, s->pos, (char *)buf + done,
					    len - done, &n);

		if (rc) {
			fmt_buf(err, errlen, "%s: read error at byte %llu: %s",
				s->name, (unsigned long long)s->pos,
				s->f->why && *s->f->why ? s->f->why :
				bt_strerror(rc));
			return rc;
		}
		if (n == 0)
			break;
		if (n > len - done) {
			fmt_buf(err, errlen, "%s: the source returned more "
				"than was asked for", s->name);
			return BT_EIO;
		}
		if (s->p->pinned)
			sha256_update(&s->sha, (char *)buf + done, n);
		done += n;
		s->pos += n;
	}
	*got = done;
	return 0;
}

int fs_stream_read_exact(struct fs_stream *s, void *buf, size_t len,
			 char *err, size_t errlen)
{
	uint64_t start = s->pos;
	size_t got;
	int rc = fs_stream_read(s, buf, len, &got, err, errlen);

	if (!rc && got < len) {
		fmt_buf(err, errlen, "%s: ends at %llu bytes, expected at "
			"least %llu", s->name, (unsigned long long)s->pos,
			(unsigned long long)(start + len));
		rc = BT_EIO;
	}
	return rc;
}

int fs_stream_finish(struct fs_stream *s, char *err, size_t errlen)
{
	uint8_t digest[SHA256_LEN], rest[512];
	size_t got;
	int rc;

	if (!s->p->pinned)
		return 0;
	/* The pin covers the whole file: hash what the caller left. */
	do {
		rc = fs_stream_read(s, rest, sizeof(rest), &got, err, errlen);
		if (rc)
			return rc;
	} while (got == sizeof(rest));
	sha256_final(&s->sha, digest);
	return fs_check_pin(s->p, digest, err, errlen);
}

/* A file held in memory, for fs_stream_need_size. */
struct mem_vfile {
	struct vfile f;
	char *data;
};

static int mem_read_at(struct vfile *vf, uint64_t off, void *buf, size_t len,
		       size_t *got)
{
	struct mem_vfile *m = (struct mem_vfile *)vf;

	*got = off >= vf->size ? 0 : (size_t)(vf->size - off) < len ?
	       (size_t)(vf->size - off) : len;
	memcpy(buf, m->data + off, *got);
	return 0;
}

static void mem_close(struct vfile *vf)
{
	bt_free(((struct mem_vfile *)vf)->data);
	bt_free(vf);
}

static const struct vfile_ops mem_vfile_ops = { mem_read_at, mem_close };

static int read_growing(struct fs_stream *s, char **out, size_t *len,
			char *err, size_t errlen);

int fs_stream_need_size(struct fs_stream *s, char *err, size_t errlen)
{
	struct mem_vfile *m;
	size_t len;
	int rc;

	if (s->f->size != VFILE_SIZE_UNKNOWN)
		return 0;
	if (s->pos) {
		fmt_buf(err, errlen, "%s: size asked for after reading began",
			s->name);
		return BT_EINVAL;
	}
	m = bt_zalloc(sizeof(*m));
	if (!m) {
		fmt_buf(err, errlen, "%s: out of memory", s->name);
		return BT_ENOMEM;
	}
	rc = read_growing(s, &m->data, &len, err, errlen);
	if (rc) {
		bt_free(m);
		return rc;
	}
	m->f.ops = &mem_vfile_ops;
	m->f.size = len;
	m->f.seekable = true;
	s->f->ops->close(s->f);
	s->f = &m->f;
	s->pos = 0;
	if (s->p->pinned)	/* it is read again, from memory */
		sha256_init(&s->sha);
	return 0;
}

void fs_stream_close(struct fs_stream *s)
{
	if (s->f)
		s->f->ops->close(s->f);
	bt_free(s->name);
	s->f = NULL;
	s->name = NULL;
}

int fs_load(struct fs *fs, const struct path *p, void *dst, uint64_t cap,
	    uint64_t *len, char *err, size_t errlen)
{
	struct fs_stream s;
	size_t got = 0, more = 0;
	uint8_t extra;
	int rc = fs_stream_open(fs, p, &s, err, errlen);

	if (rc)
		return rc;
	if (s.f->size != VFILE_SIZE_UNKNOWN && s.f->size > cap)
		rc = BT_ETOOBIG;
	if (!rc && cap > (size_t)-1)
		cap = (size_t)-1;
	if (!rc)
		rc = fs_stream_read(&s, dst, (size_t)cap, &got, err, errlen);
	if (!rc && s.f->size != VFILE_SIZE_UNKNOWN && got < s.f->size) {
		fmt_buf(err, errlen, "%s: ends at %llu bytes, expected %llu",
			s.name, (unsigned long long)got,
			(unsigned long long)s.f->size);
		rc = BT_EIO;
	}
	/* Filled to the brim: the file must end there. */
	if (!rc && got == cap && s.f->size == VFILE_SIZE_UNKNOWN &&
	    !(rc = fs_stream_read(&s, &extra, 1, &more, err, errlen)) && more)
		rc = BT_ETOOBIG;
	if (rc == BT_ETOOBIG)
		fmt_buf(err, errlen, "%s: larger than the %llu bytes reserved "
			"for it", s.name, (unsigned long long)cap);
	if (!rc)
		rc = fs_stream_finish(&s, err, errlen);
	fs_stream_close(&s);
	*len = got;
	return rc;
}

/* Read the rest of s into a growing allocation (NUL-terminated). */
static int read_growing(struct fs_stream *s, char **out, size_t *len,
			char *err, size_t errlen)
{
	size_t cap = READ_ALL_FIRST, used = 0;
	char *data = bt_alloc(cap + 1);
	int rc = data ? 0 : BT_ENOMEM;

	while (!rc) {
		size_t got;

		if (used == cap) {
			char *bigger = cap < (size_t)-1 / 4 ?
				bt_realloc(data, 2 * cap + 1) : NULL;

			if (!bigger) {
				rc = BT_ENOMEM;
				break;
			}
			data = bigger;
			cap *= 2;
		}
		rc = fs_stream_read(s, data + used, cap - used, &got, err, errlen);
		if (!rc && got == 0)
			break;
		used += got;
	}
	if (rc == BT_ENOMEM)
		fmt_buf(err, errlen, "%s: out of memory", s->name);
	if (rc) {
		bt_free(data);
		return rc;
	}
	*out = data;
	*len = used;
	return 0;
}

int fs_read_all(struct fs *fs, const struct path *p, void **buf, size_t *len,
		char *err, size_t errlen)
{
	struct fs_stream s;
	char *data = NULL;
	int rc;

	*buf = NULL;
	rc = fs_stream_open(fs, p, &s, err, errlen);
	if (rc)
		return rc;
	if (s.f->size == VFILE_SIZE_UNKNOWN) {
		rc = read_growing(&s, &data, len, err, errlen);
	} else if (s.f->size >= (uint64_t)(size_t)-1) {
		fmt_buf(err, errlen, "%s: %s", s.name, bt_strerror(BT_ETOOBIG));
		rc = BT_ETOOBIG;
	} else if (!(data = bt_alloc((size_t)s.f->size + 1))) {
		fmt_buf(err, errlen, "%s: out of memory", s.name);
		rc = BT_ENOMEM;
	} else {
		*len = (size_t)s.f->size;
		rc = fs_stream_read_exact(&s, data, *len, err, errlen);
	}
	if (!rc)
		rc = fs_stream_finish(&s, err, errlen);
	fs_stream_close(&s);
	if (rc) {
		bt_free(data);
		*buf = NULL;
		return rc;
	}
	data[*len] = '\0';
	*buf = data;
	return 0;
}
