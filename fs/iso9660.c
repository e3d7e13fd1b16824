/*
 * ISO 9660, read-only: CDs, DVDs and ISO images written to USB sticks.
 *
 * Names come from Rock Ridge when the root's "." record says so (SUSP SP,
 * then an ER), else from the Joliet tree (UCS-2 names), else
 * from the plain ISO names (";1" and a trailing '.' dropped, matched
 * without case and listed in lower case).  Rock Ridge symbolic links are
 * followed and relocated deep directories (CL/RE) are put back where they
 * belong.  A file is a list of extents (several for multi-extent files,
 * which is how files of 4 GiB and more are stored), read straight into
 * the caller's buffer in as few device reads as possible.
 *
 * Everything is addressed in bytes through blockdev_read_bytes(), so the
 * 2048-byte ISO blocks work on 2048-byte (CD) and 512-byte (USB) devices.
 * Every length read from the disc is checked against the area it lives in
 * and every block number against the volume before it is used.
 */
#include <stdarg.h>
#include "fs/driver.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#define ISO_BLOCK 2048u
#define MAX_DESCRIPTORS 64
#define MAX_CE_HOPS 32		/* continuation areas per record */
#define MAX_LINKS 40		/* symbolic links per lookup */
#define MAX_DEPTH 64		/* directories in one path */
#define READ_CAP (8u << 20)	/* bytes per device read */

enum names { NAMES_PLAIN, NAMES_JOLIET, NAMES_RR };

struct iso_extent {
	uint64_t lba;		/* ISO block */
	uint64_t len;		/* bytes */
};

struct iso_vol {
	struct volume v;
	struct blockdev *bd;
	uint64_t blocks;	/* ISO blocks in the volume (and on the device) */
	struct iso_extent root;
	uint8_t names;		/* enum names */
	uint8_t skip;		/* SUSP LEN_SKP */
	char err[300];
};

/*
 * One directory scan and what it says about the record last seen.  The
 * lookup keeps it (about 5 KB) on the heap.
 */
struct iso_scan {
	struct iso_vol *iv;
	const char *path;	/* for messages */
	const char *want;	/* the name looked for, or NULL: list */
	volume_list_cb cb;
	void *ctx;
	bool er;		/* an ER entry was seen */
	/* The entry (from name_len on, zeroed for each): */
	size_t name_len, link_len;
	bool is_link, is_dir, hidden, zf, nm_done, sl_done, sl_cont;
	uint64_t cl;		/* CL: the relocated directory's block, or 0 */
	char name[256];
	char link[1024];
	struct iso_extent *ext;
	size_t n_ext, cap_ext;
	uint8_t blk[ISO_BLOCK];
	uint8_t ce[ISO_BLOCK];
};

struct iso_file {
	struct vfile f;
	struct iso_vol *iv;
	struct iso_extent *ext;
	size_t n_ext;
};

/* Say what went wrong, naming the volume and the path; returns rc. */
static int fail(struct iso_scan *s, int rc, const char *fmt, ...)
{
	struct iso_vol *iv = s->iv;
	size_t n = fmt_buf(iv->err, sizeof(iv->err), "%s: iso9660: %s: ",
			   iv->v.name, s->path);
	va_list ap;

	if (n < sizeof(iv->err)) {
		va_start(ap, fmt);
		fmt_vbuf(iv->err + n, sizeof(iv->err) - n, fmt, ap);
		va_end(ap);
	}
	iv->v.why = iv->err;
	return rc;
}

/* Check that an extent of len bytes at lba lies inside the volume. */
static int check_extent(struct iso_scan *s, uint64_t lba, uint64_t len,
			const char *what)
{
	if (lba + (len + ISO_BLOCK - 1) / ISO_BLOCK > s->iv->blocks)
		return fail(s, BT_EINVAL, "%s at block %llu is "
			    "past the end of the volume (%llu blocks)", what,
			    (unsigned long long)lba,
			    (unsigned long long)s->iv->blocks);
	return 0;
}

/* Read ISO block lba of the volume into buf. */
static int read_block(struct iso_scan *s, uint64_t lba, uint8_t *buf,
		      const char *what)
{
	return check_extent(s, lba, 1, what) ?:
	       blockdev_read_bytes(s->iv->bd, lba * ISO_BLOCK, buf, ISO_BLOCK);
}

static bool add_bytes(char *dst, size_t *len, size_t cap, const void *src,
		      size_t n)
{
	if (n > cap - 1 - *len)
		return false;
	memcpy(dst + *len, src, n);
	*len += n;
	dst[*len] = '\0';
	return true;
}

/* An SL entry's components (d[0..n)) appended to the link text; false
 * when they run past the entry or the link gets too long. */
static bool add_link(struct iso_scan *s, const uint8_t *d, size_t n)
{
	static const char dots[] = "/\0.\0..";
	size_t i = 0;

	while (i + 2 <= n) {
		uint8_t fl = d[i], cl = d[i + 1];
		const char *text = (const char *)d + i + 2;
		size_t tl = cl;

		if (cl > n - i - 2)
			return false;
		if (fl & 0x0E) {
			text = dots + (fl & 8 ? 0 : fl & 2 ? 2 : 4);
			tl = strlen(text);
		}
		if ((s->link_len && !s->sl_cont &&
		     s->link[s->link_len - 1] != '/' &&
		     !add_bytes(s->link, &s->link_len, sizeof(s->link), "/", 1)) ||
		    !add_bytes(s->link, &s->link_len, sizeof(s->link), text, tl))
			return false;
		s->sl_cont = fl & 1;
		i += 2 + cl;
	}
	return true;
}

/*
 * Walk the SUSP entries of one record's System Use area a[0..n), and the
 * continuation areas it chains.  Fills the entry fields of s.
 */
static int susp(struct iso_scan *s, const uint8_t *a, size_t n)
{
	unsigned hops = 0;
	uint64_t ce_lba = 0, ce_off = 0, ce_len = 0;
	int rc;

	for (;;) {
		while (n >= 4 && a[0]) {
			const uint8_t *e = a;
			size_t el = e[2];
			unsigned sig = e[0] << 8 | e[1];

			if (el < 4 || el > n)
				return fail(s, BT_EINVAL, "Rock Ridge "
					    "entry %c%c is %u bytes, past the "
					    "end of its area (%u bytes left)",
					    e[0], e[1], (unsigned)el,
					    (unsigned)n);
			a += el;
			n -= el;
			if (sig == ('S' << 8 | 'T'))
				return 0;
			if (sig == ('C' << 8 | 'E') && el >= 28) {
				ce_lba = get32(e + 4);
				ce_off = get32(e + 12);
				ce_len = get32(e + 20);
			} else if (sig == ('N' << 8 | 'M') && el >= 5) {
				if (!(e[4] & 6) && !s->nm_done)
					add_bytes(s->name, &s->name_len,
						  sizeof(s->name), e + 5, el - 5);
				s->nm_done = !(e[4] & 1);
			} else if (sig == ('S' << 8 | 'L') && el >= 5) {
				s->is_link = true;
				if (!s->sl_done && !add_link(s, e + 5, el - 5))
					return fail(s, BT_EINVAL, "bad "
						    "Rock Ridge link (SL)");
				s->sl_done = !(e[4] & 1);
			} else if (sig == ('P' << 8 | 'X') && el >= 12) {
				s->is_dir = (get32(e + 4) & 0170000) == 0040000;
			} else if (sig == ('C' << 8 | 'L') && el >= 12) {
				s->cl = get32(e + 4);
			} else if (sig == ('R' << 8 | 'E')) {
				s->hidden = true;
			} else if (sig == ('Z' << 8 | 'F')) {
				s->zf = true;
			} else if (sig == ('E' << 8 | 'R')) {
				s->er = true;
			}
		}
		if (!ce_len)
			return 0;
		if ((rc = read_block(s, ce_lba, s->ce, "Rock Ridge CE area")))
			return rc;
		/* Inside its block, and not chained for ever. */
		if (ce_off >= ISO_BLOCK || ce_len > ISO_BLOCK - ce_off ||
		    ++hops > MAX_CE_HOPS)
			return fail(s, BT_EINVAL, "bad Rock Ridge CE "
				    "area at block %llu", (unsigned long long)ce_lba);
		a = s->ce + ce_off;
		n = (size_t)ce_len;
		ce_len = 0;
	}
}

/* The name of a record without Rock Ridge name, in s->name. */
static void plain_name(struct iso_scan *s, const uint8_t *p, size_t n)
{
	size_t i, o = 0;

	if (s->iv->names == NAMES_JOLIET) {
		for (i = 0; i + 1 < n; i += 2) {
			char u[4];
			size_t w = utf8_encode((uint32_t)p[i] << 8 | p[i + 1], u);

			if (!w)
				w = utf8_encode(0xFFFD, u);
			if (!add_bytes(s->name, &o, sizeof(s->name), u, w))
				break;
		}
	} else {
		for (i = 0; i < n && o < sizeof(s->name) - 1; i++)
			s->name[o++] = (char)to_lower(p[i]);
		s->name[o] = '\0';
	}
	/* "NAME.EXT;1" -> "name.ext", "DIR." -> "dir" */
	for (i = 0; i < o && s->name[i] != ';'; i++)
		;
	o = i;
	if (o > 1 && s->name[o - 1] == '.' && s->iv->names == NAMES_PLAIN)
		o--;
	s->name[o] = '\0';
	s->name_len = o;
}

/* Start a new entry from record r (rl bytes, name nl bytes). */
static int entry_start(struct iso_scan *s, const uint8_t *r, size_t rl,
		       size_t nl)
{
	size_t sua = 33 + nl + !(nl & 1);
	int rc;

	memset(&s->name_len, 0, offsetof(struct iso_scan, ext) -
	       offsetof(struct iso_scan, name_len));
	s->n_ext = 0;
	s->is_dir = r[25] & 2;
	if (s->iv->names == NAMES_RR && sua + s->iv->skip < rl &&
	    (rc = susp(s, r + sua + s->iv->skip, rl - sua - s->iv->skip)))
		return rc;
	if (!s->name_len)
		plain_name(s, r + 33, nl);
	return 0;
}

/* The entry is complete: 1 when the scan should stop here. */
static int entry_done(struct iso_scan *s)
{
	s->is_dir |= s->cl != 0;
	if (s->hidden || !s->name_len)
		return 0;
	if (s->want)
		return (s->iv->names == NAMES_PLAIN ?
			str_casecmp(s->name, s->want) : strcmp(s->name, s->want))
		       == 0;
	return s->cb(s->ctx, s->name, s->is_dir) ? 1 : 0;
}

/*
 * Scan the directory at d: for each entry (multi-extent sections joined),
 * entry_done() decides.  1 when it stopped at an entry (then s holds it),
 * 0 at the end, or an error.
 */
static int scan_dir(struct iso_scan *s, const struct iso_extent *d)
{
	uint64_t b, nblocks = (d->len + ISO_BLOCK - 1) / ISO_BLOCK;
	bool more = false;
	int rc;

	if ((rc = check_extent(s, d->lba, d->len, "directory")))
		return rc;
	for (b = 0; b < nblocks; b++) {
		size_t off = 0;

		if ((rc = read_block(s, d->lba + b, s->blk, "directory")))
			return rc;
		while (off + 34 <= ISO_BLOCK && s->blk[off]) {
			const uint8_t *r = s->blk + off;
			size_t rl = r[0], nl = r[32];

			if (rl < 34 || rl > ISO_BLOCK - off || 33 + nl > rl)
				return fail(s, BT_EINVAL, "bad "
					    "directory record in block %llu",
					    (unsigned long long)(d->lba + b));
			off += rl;
			if (nl == 1 && r[33] <= 1 && !more)
				continue;
			if (!more && (rc = entry_start(s, r, rl, nl)))
				return rc;
			if ((rc = array_reserve((void **)&s->ext, &s->cap_ext,
						s->n_ext + 1, sizeof(*s->ext))))
				return rc;
			s->ext[s->n_ext].lba = get32(r + 2) + (uint64_t)r[1];
			s->ext[s->n_ext++].len = get32(r + 10);
			more = r[25] & 0x80;
			if (!more && (rc = entry_done(s)))
				return rc;
		}
	}
	return 0;
}

/*
 * Find path from the root, following symbolic links (the last one too).
 * On success s holds the entry; *dir is its extent when it is a
 * directory.  Directories are a stack, so ".." needs no parent links.
 */
static int walk(struct iso_scan *s, const char *path, struct iso_extent *dir)
{
	struct iso_extent stack[MAX_DEPTH];
	size_t depth = 1, links = 0, dots;
	char *buf = str_dup(path), *p = buf, *end, c;
	int rc = BT_ENOMEM;

	if (!buf)
		return rc;
	stack[0] = s->iv->root;
	s->is_dir = true;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		rc = BT_ENOTDIR;
		if (!s->is_dir)
			goto out;
		for (end = p; *end && *end != '/'; end++)
			;
		c = *end;
		*end = '\0';
		s->want = p;
		dots = !strcmp(p, ".") ? 1 : !strcmp(p, "..") ? 2 : 0;
		rc = dots ? 1 : scan_dir(s, &stack[depth - 1]);
		*end = c;
		p = end;
		if (rc <= 0) {
			rc = rc ? rc : BT_ENOENT;
			goto out;
		}
		if (dots) {
			depth -= dots == 2 && depth > 1;
			continue;
		}
		if (s->is_link) {
			if (++links > MAX_LINKS) {
				rc = fail(s, BT_ELOOP, "more than %u symbolic "
					  "links", MAX_LINKS);
				goto out;
			}
			rc = BT_ENOMEM;
			if (!(end = fmt_alloc("%s/%s", s->link, p)))
				goto out;
			if (s->link[0] == '/')
				depth = 1;
			bt_free(buf);
			buf = p = end;
			s->is_dir = true;
			continue;
		}
		if (!s->is_dir)
			continue;
		if (depth == MAX_DEPTH) {
			rc = fail(s, BT_ELOOP, "deeper than %u directories",
				  MAX_DEPTH);
			goto out;
		}
		/* A CL entry's directory lives elsewhere; its "." record
		 * says how long it is. */
		stack[depth] = s->ext[0];
		if (s->cl) {
			if ((rc = read_block(s, s->cl, s->blk, "directory")))
				goto out;
			stack[depth].lba = s->cl;
			stack[depth].len = get32(s->blk + 10);
		}
		depth++;
	}
	*dir = stack[depth - 1];
	rc = 0;
out:
	s->want = NULL;
	bt_free(buf);
	return rc;
}

static struct iso_scan *scan_new(struct iso_vol *iv, const char *path)
{
	struct iso_scan *s = bt_zalloc(sizeof(*s));

	if (s) {
		s->iv = iv;
		s->path = path;
	}
	iv->v.why = NULL;
	return s;
}

static void scan_free(struct iso_scan *s)
{
	if (s)
		bt_free(s->ext);
	bt_free(s);
}

/* Read n bytes at device byte dev, at most READ_CAP in one device read. */
static int read_run(struct blockdev *bd, uint64_t dev, uint8_t *buf,
		    uint64_t n)
{
	int rc;

	while (n) {
		uint64_t c = READ_CAP - dev % bd->block_size;

		if (c > n)
			c = n;
		if ((rc = blockdev_read_bytes(bd, dev, buf, (size_t)c)))
			return rc;
		dev += c;
		buf += c;
		n -= c;
	}
	return 0;
}

/* Map [off, off+len) onto the extents; physically adjacent extents are
 * read together. */
static int file_read_at(struct vfile *vf, uint64_t off, void *buf,
			size_t len, size_t *got)
{
	struct iso_file *f = (struct iso_file *)vf;
	uint64_t start = 0, done = 0;
	size_t k = 0;
	int rc;

	*got = 0;
	if (off >= f->f.size)
		return 0;
	if (len > f->f.size - off)
		len = (size_t)(f->f.size - off);
	while (done < len) {
		uint64_t in, dev, run;

		while (start + f->ext[k].len <= off)
			start += f->ext[k++].len;
		in = off - start;
		dev = f->ext[k].lba * ISO_BLOCK + in;
		run = f->ext[k].len - in;
		while (run < len - done && k + 1 < f->n_ext &&
		       f->ext[k].lba * ISO_BLOCK + f->ext[k].len ==
		       f->ext[k + 1].lba * ISO_BLOCK)
			run += f->ext[++k].len;
		if (run > len - done)
			run = len - done;
		if ((rc = read_run(f->iv->bd, dev, (uint8_t *)buf + done, run)))
			return rc;
		done += run;
		off += run;
		start = 0;
		k = 0;
	}
	*got = len;
	return 0;
}

static void file_close(struct vfile *vf)
{
	struct iso_file *f = (struct iso_file *)vf;

	bt_free(f->ext);
	bt_free(f);
}

static const struct vfile_ops iso_file_ops = { file_read_at, file_close };

static int iso_open(struct volume *v, const char *path, struct vfile **out)
{
	struct iso_vol *iv = (struct iso_vol *)v;
	struct iso_scan *s = scan_new(iv, path);
	struct iso_file *f;
	struct iso_extent d;
	uint64_t size = 0;
	size_t i;
	int rc;

	if (!s)
		return BT_ENOMEM;
	if ((rc = walk(s, path, &d)))
		goto out;
	if (s->zf || s->is_dir) {
		rc = fail(s, BT_EUNSUPP, s->zf ? "compressed (zisofs) "
			  "files are not supported" : "is a directory");
		goto out;
	}
	for (i = 0; i < s->n_ext; i++) {
		if ((rc = check_extent(s, s->ext[i].lba, s->ext[i].len,
				       "file section")))
			goto out;
		size += s->ext[i].len;
	}
	rc = BT_ENOMEM;
	if (!(f = bt_zalloc(sizeof(*f))))
		goto out;
	f->f.ops = &iso_file_ops;
	f->f.size = size;
	f->f.seekable = true;
	f->iv = iv;
	f->ext = s->ext;
	f->n_ext = s->n_ext;
	s->ext = NULL;
	*out = &f->f;
	rc = 0;
out:
	scan_free(s);
	return rc;
}

static int iso_list(struct volume *v, const char *dir, volume_list_cb cb,
		    void *ctx)
{
	struct iso_vol *iv = (struct iso_vol *)v;
	struct iso_scan *s = scan_new(iv, dir);
	struct iso_extent d;
	int rc;

	if (!s)
		return BT_ENOMEM;
	rc = walk(s, dir, &d);
	if (!rc && !s->is_dir)
		rc = BT_ENOTDIR;
	if (!rc) {
		s->cb = cb;
		s->ctx = ctx;
		rc = scan_dir(s, &d);
		rc = rc > 0 ? 0 : rc;
	}
	scan_free(s);
	return rc;
}

static void iso_free(struct volume *v)
{
	bt_free(v->name);
	bt_free(v->label);
	bt_free(v->fsuuid);
	bt_free(v->partuuid);
	bt_free(v->parttype);
	bt_free(v);
}

static const struct volume_ops iso_volume_ops = {
	.open = iso_open,
	.list = iso_list,
	.free = iso_free,
};

/* *dst = a copy of src (NULL stays NULL); false when out of memory. */
static bool dup_to(char **dst, const char *src)
{
	*dst = src ? str_dup(src) : NULL;
	return !src || *dst;
}

/* PVD volume id without trailing spaces; NULL when empty. */
static char *pvd_label(const uint8_t *pvd)
{
	size_t n = 32;

	while (n && (pvd[40 + n - 1] == ' ' || !pvd[40 + n - 1]))
		n--;
	return n ? str_ndup((const char *)pvd + 40, n) : NULL;
}

/* The modification date as blkid and GRUB show an ISO's UUID:
 * "YYYY-MM-DD-HH-MM-SS-hh"; NULL when unset (all '0' or all zero bytes). */
static char *pvd_uuid(const uint8_t *pvd)
{
	const char *d = (const char *)pvd + 830;
	bool set = false;
	int i;

	for (i = 0; i < 16; i++)
		set |= d[i] > '0';
	return set ? fmt_alloc("%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", d,
			       d + 4, d + 6, d + 8, d + 10, d + 12, d + 14)
		   : NULL;
}

/* Rock Ridge when the root's "." record (first in its directory) carries
 * SP and an ER (any: the Linux kernel and GRUB accept any too).  Sets
 * skip. */
static int find_rock_ridge(struct iso_scan *s)
{
	struct iso_vol *iv = s->iv;
	const uint8_t *r = s->blk;
	int rc;

	if ((rc = read_block(s, iv->root.lba, s->blk, "directory")))
		return rc;
	if (r[0] < 34 + 7 || r[32] != 1 || memcmp(r + 34, "SP\7\1\xBE\xEF", 6))
		return 0;
	iv->skip = r[40];
	iv->names = NAMES_RR;
	s->er = false;
	rc = susp(s, r + 34, r[0] - 34u);
	if (rc || !s->er)
		iv->names = NAMES_PLAIN;
	iv->v.why = NULL;
	return 0;
}

static int iso_probe(struct blockdev *bd, struct volume **out, char *err,
		     size_t errlen)
{
	struct iso_vol *iv = NULL;
	struct iso_scan *s = NULL;
	uint8_t *pvd = NULL, *vd;
	struct iso_extent joliet = { 0, 0 };
	unsigned i;
	int rc;

	if (!(pvd = bt_alloc(2 * ISO_BLOCK)))
		goto oom;
	vd = pvd + ISO_BLOCK;
	rc = BT_ENOENT;
	for (i = 0; i < MAX_DESCRIPTORS; i++) {
		if (blockdev_read_bytes(bd, (16 + i) * ISO_BLOCK, vd, ISO_BLOCK) ||
		    memcmp(vd + 1, "CD001", 5) || vd[0] == 255)
			break;
		if (vd[0] == 1 && rc) {
			memcpy(pvd, vd, ISO_BLOCK);
			rc = 0;
		}
		if (vd[0] == 2 && vd[88] == 0x25 && vd[89] == 0x2F &&
		    (vd[90] == 0x40 || vd[90] == 0x43 || vd[90] == 0x45) &&
		    !joliet.lba) {
			joliet.lba = get32(vd + 156 + 2);
			joliet.len = get32(vd + 156 + 10);
		}
	}
	if (rc)
		goto out;
	if (!(iv = bt_zalloc(sizeof(*iv))) || !(s = scan_new(iv, "/")))
		goto oom;
	iv->bd = bd;
	iv->v.ops = &iso_volume_ops;
	iv->v.fstype = "iso9660";
	iv->v.is_boot = bd->is_boot;
	iv->v.label = pvd_label(pvd);
	iv->v.fsuuid = pvd_uuid(pvd);
	if (!dup_to(&iv->v.name, bd->name) ||
	    !dup_to(&iv->v.partuuid, bd->partuuid) ||
	    !dup_to(&iv->v.parttype, bd->parttype))
		goto oom;
	iv->blocks = bd->blocks * bd->block_size / ISO_BLOCK;
	if (get32(pvd + 80) < iv->blocks)
		iv->blocks = get32(pvd + 80);
	if (get16(pvd + 128) != ISO_BLOCK) {
		rc = fail(s, BT_EUNSUPP, "logical block size %u is not "
			  "2048", get16(pvd + 128));
		goto out;
	}
	iv->root.lba = get32(pvd + 156 + 2);
	iv->root.len = get32(pvd + 156 + 10);
	/* Directory extents are checked when they are read. */
	if ((rc = find_rock_ridge(s)))
		goto out;
	if (iv->names != NAMES_RR && joliet.lba) {
		iv->root = joliet;
		iv->names = NAMES_JOLIET;
	}
	*out = &iv->v;
	iv = NULL;
	goto out;
oom:
	rc = BT_ENOMEM;
	fmt_buf(err, errlen, "%s: out of memory", bd->name);
out:
	if (rc && rc != BT_ENOMEM && iv)
		fmt_buf(err, errlen, "%s", iv->err);
	if (iv)
		iso_free(&iv->v);
	scan_free(s);
	bt_free(pvd);
	return rc;
}

const struct fs_driver iso9660_driver = { "iso9660", iso_probe };
