/*
 * ext2, ext3 and ext4, read-only, over a block device.
 *
 * Supported: revision 0 (128-byte inodes, no features) and 1; blocks of
 * 1 KiB to 64 KiB; any inode size; 32- and 64-byte group descriptors, also
 * placed by meta_bg (with sparse_super and sparse_super2 backups); extent
 * trees up to depth 5, uninitialized extents and holes (zeros); classic
 * block maps up to triple indirect; i_size_high (files over 4 GiB);
 * inline data (files, directories, symlinks); linear directory scans
 * (htree index blocks look empty to them); fast and slow symlinks;
 * bigalloc (extents count blocks); casefold directories (exact-case
 * lookup); and a journal that needs recovery, replayed in memory (see
 * journal_replay): nothing is ever written.
 *
 * Incompat features accepted: filetype, recover, meta_bg, extent, 64bit,
 * mmp, flex_bg, ea_inode, dirdata (type nibble only), csum_seed, large_dir,
 * inline_data, encrypt (an encrypted inode is refused by name) and
 * casefold.  Refused: compression, journal_dev and unknown bits, with a
 * message naming the feature.  ro_compat and compat bits are ignored: they
 * do not change how data is found.  Checksums are not verified.
 *
 * Reading: a file's extent tree (or block map) is resolved once, at open,
 * into runs of physically contiguous blocks; read_at reads each run
 * straight into the caller's buffer (blockdev_read_bytes bounces only a
 * partial device block at either end), zero-fills holes without I/O, and
 * diverts only the blocks the journal holds.  Metadata blocks go through a
 * small cache.  Every physical block is checked against the device size.
 */
#include <stdarg.h>
#include "fs/driver.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define EXT4_ROOT 2
#define EXT4_LINKS 40		/* symlinks followed in one walk */
#define EXT4_STEPS 4096		/* path components looked up in one walk */
#define EXT4_CACHE 8		/* metadata blocks cached */
#define EXT4_READ_CAP (8u << 20)	/* bytes in one device read */

#define IN_COMPRESSION 0x1
#define IN_FILETYPE 0x2
#define IN_RECOVER 0x4
#define IN_META_BG 0x10
#define IN_64BIT 0x80
#define IN_INLINE 0x8000
#define IN_KNOWN 0x3F7D6	/* all the accepted bits above */
#define COMPAT_JOURNAL 0x4
#define COMPAT_SPARSE2 0x200
#define RO_SPARSE 0x1

#define FL_ENCRYPT 0x800
#define FL_EXTENTS 0x80000
#define FL_INLINE 0x10000000

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFLNK 0120000
#define S_IFREG 0100000

#define JBD_MAGIC 0xC03B3998u

/* A journalled block: fs block blk is in device block pblk; bit 63 of
 * pblk: the journal escaped its first four bytes (they were the magic). */
struct jmap {
	uint64_t blk, pblk;
};
#define JMAP_ESC (1ull << 63)

struct ext4_vol {
	struct volume v;
	struct blockdev *bd;
	uint32_t bs, bshift, isz, dsz, ipg, bpg, first_data, first_meta_bg;
	uint32_t incompat, compat, ro_compat, inodes, backup[2];
	uint64_t blocks;	/* of the device, in fs blocks */
	uint64_t groups;
	struct jmap *jmap;	/* sorted by blk, unique */
	size_t n_jmap;
	uint8_t *cache;		/* EXT4_CACHE blocks */
	uint64_t cache_blk[EXT4_CACHE];	/* block + 1; 0: empty */
	unsigned cache_next;
	const char *cur;	/* the path being worked on, for messages */
	char why[200];		/* the last failure's words */
};

struct ext4_inode {
	uint32_t ino, flags;
	uint16_t mode;
	uint64_t size;
	uint8_t iblock[60];
};

/* Logical blocks lblk..lblk+len at physical pblk; pblk 0: zeros. */
struct run {
	uint32_t lblk, len;
	uint64_t pblk;
};

struct ext4_file {
	struct vfile f;
	struct ext4_vol *vol;
	char *path;		/* for messages, once open */
	struct ext4_inode in;
	bool inl;		/* data in iblock (+ inl_data): no runs */
	uint8_t *inl_data;	/* the system.data xattr value */
	size_t inl_len;
	struct run *runs;	/* sorted, not overlapping */
	size_t n_runs, cap_runs;
	uint64_t nodes;		/* tree nodes and data pointers seen */
};

/* Set the volume's message ("volume 1: ext4: ...") and return rc. */
__attribute__((format(printf, 3, 4)))
static int fail(struct ext4_vol *v, int rc, const char *fmt, ...)
{
	size_t n = fmt_buf(v->why, sizeof(v->why), "%s: ext4: ", v->v.name);
	va_list ap;

	va_start(ap, fmt);
	if (n < sizeof(v->why))
		fmt_vbuf(v->why + n, sizeof(v->why) - n, fmt, ap);
	va_end(ap);
	v->v.why = v->why;
	return rc;
}

static int oom(struct ext4_vol *v)
{
	return fail(v, BT_ENOMEM, "%s: out of memory", v->cur);
}

/* Read count device-checked blocks at blk, raw (no journal). */
static int read_raw(struct ext4_vol *v, uint64_t blk, uint64_t count,
		    void *buf)
{
	int rc;

	if (blk > v->blocks || count > v->blocks - blk)
		return fail(v, BT_EIO, "%s: block %llu is past the end of the "
			    "device (%llu blocks)", v->cur,
			    (unsigned long long)(blk + count - 1),
			    (unsigned long long)v->blocks);
	rc = blockdev_read_bytes(v->bd, blk << v->bshift, buf,
				 (size_t)(count << v->bshift));
	return rc ? fail(v, rc, "%s: cannot read block %llu", v->cur,
			 (unsigned long long)blk) : 0;
}

/* The first journal entry at or after blk (n_jmap when none). */
static size_t jmap_find(const struct ext4_vol *v, uint64_t blk)
{
	size_t lo = 0, hi = v->n_jmap;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v->jmap[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Read one block as the file system has it: from the journal when the
 * journal holds a newer copy. */
static int read_block(struct ext4_vol *v, uint64_t blk, uint8_t *buf)
{
	size_t j = jmap_find(v, blk);
	int rc;

	if (j == v->n_jmap || v->jmap[j].blk != blk)
		return read_raw(v, blk, 1, buf);
	rc = read_raw(v, v->jmap[j].pblk & ~JMAP_ESC, 1, buf);
	if (!rc && v->jmap[j].pblk & JMAP_ESC) {
		buf[0] = 0xC0, buf[1] = 0x3B, buf[2] = 0x39, buf[3] = 0x98;
	}
	return rc;
}

/* A metadata block through the cache: valid until the next call. */
static const uint8_t *get_meta(struct ext4_vol *v, uint64_t blk, int *rc)
{
	unsigned i;
	uint8_t *b;

	for (i = 0; i < EXT4_CACHE; i++)
		if (v->cache_blk[i] == blk + 1)
			return v->cache + ((size_t)i << v->bshift);
	i = v->cache_next++ % EXT4_CACHE;
	b = v->cache + ((size_t)i << v->bshift);
	v->cache_blk[i] = 0;
	if ((*rc = read_block(v, blk, b)))
		return NULL;
	v->cache_blk[i] = blk + 1;
	return b;
}

static bool has_super(const struct ext4_vol *v, uint64_t g)
{
	uint64_t p;

	if (g == 0)
		return true;
	if (v->compat & COMPAT_SPARSE2)
		return g == v->backup[0] || g == v->backup[1];
	if (g == 1 || !(v->ro_compat & RO_SPARSE))
		return true;
	if (!(g & 1))
		return false;
	for (p = 3; p <= 7; p += 2) {
		uint64_t x = p;

		while (x < g)
			x *= p;
		if (x == g)
			return true;
	}
	return false;
}

/* Where group-descriptor block i is.  Bigalloc with 1 KiB blocks keeps
 * block 0 out of the file system (e2fsprogs' descriptor placement). */
static uint64_t desc_block(const struct ext4_vol *v, uint64_t i)
{
	uint64_t adj = !v->first_data && v->bs == 1024, g;

	if (!(v->incompat & IN_META_BG) || i < v->first_meta_bg)
		return v->first_data + 1 + i + adj;
	g = i * (v->bs / v->dsz);
	return v->first_data + g * v->bpg + has_super(v, g) + (i ? 0 : adj);
}

/* Read inode ino; *raw points at it in the cache (until the next read). */
static int load_inode(struct ext4_vol *v, uint32_t ino, struct ext4_inode *in,
		      const uint8_t **raw)
{
	uint32_t dpb = v->bs / v->dsz;
	uint64_t g, idx, table, off;
	const uint8_t *d, *r;
	int rc;

	if (!ino || ino > v->inodes || (g = (ino - 1) / v->ipg) >= v->groups)
		return fail(v, BT_EINVAL, "%s: inode %u is out of range",
			    v->cur, ino);
	idx = (ino - 1) % v->ipg;
	if (!(d = get_meta(v, desc_block(v, g / dpb), &rc)))
		return rc;
	d += (g % dpb) * v->dsz;
	table = get32(d + 8);
	if (v->dsz >= 64)
		table |= (uint64_t)get32(d + 0x28) << 32;
	off = idx * v->isz;
	if (!(r = get_meta(v, table + (off >> v->bshift), &rc)))
		return rc;
	r += off & (v->bs - 1);
	in->ino = ino;
	in->mode = get16(r);
	in->size = get32(r + 4) | (uint64_t)get32(r + 0x6C) << 32;
	in->flags = get32(r + 0x20);
	memcpy(in->iblock, r + 0x28, 60);
	*raw = r;
	return 0;
}

/* The value of the in-inode xattr system.data (inline data), copied. */
static int inline_value(struct ext4_vol *v, struct ext4_file *f,
			const uint8_t *raw)
{
	uint32_t pos, first, end = v->isz;

	if (end <= 0x84)
		return 0;
	pos = 128 + get16(raw + 0x80);
	if (pos + 4 > end || get32(raw + pos) != 0xEA020000)
		return 0;
	first = pos += 4;
	while (pos + 16 <= end && get32(raw + pos)) {
		uint32_t nlen = raw[pos], offs = get16(raw + pos + 2);
		uint32_t size = get32(raw + pos + 8);

		if (raw[pos + 1] == 7 && nlen == 4 && pos + 20 <= end &&
		    !memcmp(raw + pos + 16, "data", 4)) {
			if (get32(raw + pos + 4) || offs > end - first ||
			    size > end - first - offs)
				return fail(v, BT_EINVAL, "%s: inline data of "
					    "inode %u is damaged", v->cur,
					    f->in.ino);
			f->inl_len = size;
			if (!size)
				return 0;
			if (!(f->inl_data = bt_alloc(size)))
				return oom(v);
			memcpy(f->inl_data, raw + first + offs, size);
			return 0;
		}
		pos += (16 + nlen + 3) & ~3u;
	}
	return 0;
}

/* Append logical blocks lblk..+len at pblk (0: zeros), merging. */
static int add_run(struct ext4_file *f, uint64_t lblk, uint64_t len,
		   uint64_t pblk)
{
	struct ext4_vol *v = f->vol;
	struct run *r = f->n_runs ? &f->runs[f->n_runs - 1] : NULL;

	if (r && lblk < (uint64_t)r->lblk + r->len)
		return fail(v, BT_EINVAL, "%s: the block map of inode %u "
			    "overlaps itself", v->cur, f->in.ino);
	if (lblk + len > (1ull << 32))
		return fail(v, BT_EINVAL, "%s: inode %u maps blocks past "
			    "2^32", v->cur, f->in.ino);
	if (pblk && (pblk > v->blocks || len > v->blocks - pblk))
		return fail(v, BT_EIO, "block %llu of %s is past the end "
			    "of the device (%llu blocks)",
			    (unsigned long long)(pblk + len - 1), v->cur,
			    (unsigned long long)v->blocks);
	if (r && r->lblk + r->len == lblk && r->len + len < (1ull << 31) &&
	    (pblk ? r->pblk && r->pblk + r->len == pblk : !r->pblk)) {
		r->len += (uint32_t)len;
		return 0;
	}
	if (f->n_runs >= v->blocks + 16 ||
	    array_reserve((void **)&f->runs, &f->cap_runs, f->n_runs + 1,
			  sizeof(*r)))
		return f->n_runs >= v->blocks + 16 ?
		       fail(v, BT_EINVAL, "%s: inode %u has more extents than "
			    "the device has blocks", v->cur, f->in.ino) :
		       oom(v);
	r = &f->runs[f->n_runs++];
	r->lblk = (uint32_t)lblk;
	r->len = (uint32_t)len;
	r->pblk = pblk;
	return 0;
}

static int too_big(struct ext4_file *f)
{
	return fail(f->vol, BT_EINVAL, "%s: the block map of inode %u is "
		    "larger than the device", f->vol->cur, f->in.ino);
}

/* Collect the extents under node blk (0: the root in the inode), which
 * must have depth want (unless it is the root). */
static int ext_walk(struct ext4_file *f, uint64_t blk, unsigned want)
{
	struct ext4_vol *v = f->vol;
	unsigned i, n, depth;
	int rc = 0;

	for (i = 0;; i++) {
		const uint8_t *b = blk ? get_meta(v, blk, &rc) : f->in.iblock;
		size_t cap = blk ? v->bs : 60;
		const uint8_t *e;

		if (!b)
			return rc;
		n = get16(b + 2);
		depth = get16(b + 6);
		if (get16(b) != 0xF30A || n > get16(b + 4) ||
		    12 + 12 * (size_t)get16(b + 4) > cap || depth > 5 ||
		    (blk && depth != want))
			return fail(v, BT_EINVAL, "%s: extent tree of inode %u "
				    "is damaged", v->cur, f->in.ino);
		if (i >= n)
			return 0;
		e = b + 12 + 12 * i;
		if (++f->nodes > v->blocks)
			return too_big(f);
		if (depth) {
			rc = ext_walk(f, get32(e + 4) |
				      (uint64_t)get16(e + 8) << 32, depth - 1);
		} else {
			unsigned len = get16(e + 4);
			uint64_t p = get32(e + 8) | (uint64_t)get16(e + 6) << 32;

			if (len > 32768)
				len -= 32768, p = 0;
			else if (!p)
				return fail(v, BT_EINVAL, "%s: extent of inode "
					    "%u at block 0", v->cur, f->in.ino);
			rc = len ? add_run(f, get32(e), len, p) : 0;
		}
		if (rc)
			return rc;
	}
}

/* Collect the blocks under pointer blk of the given indirection level,
 * starting at logical block *lblk; nlb: the file's length in blocks. */
static int map_walk(struct ext4_file *f, uint32_t blk, unsigned level,
		    uint64_t *lblk, uint64_t nlb)
{
	struct ext4_vol *v = f->vol;
	uint64_t per = v->bs / 4, span = 1;
	unsigned i, l;
	int rc = 0;

	for (l = 0; l < level; l++)
		span *= per;
	if (!blk || *lblk >= nlb) {
		*lblk += span;
		return 0;
	}
	if (++f->nodes > v->blocks + 16)
		return too_big(f);
	if (!level) {
		rc = add_run(f, *lblk, 1, blk);
		(*lblk)++;
		return rc;
	}
	for (i = 0; i < per && !rc; i++) {
		const uint8_t *b = get_meta(v, blk, &rc);

		if (b)
			rc = map_walk(f, get32(b + 4 * i), level - 1, lblk, nlb);
	}
	return rc;
}

static void file_fini(struct ext4_file *f)
{
	bt_free(f->runs);
	bt_free(f->inl_data);
	f->runs = NULL;
	f->inl_data = NULL;
}

/* Load inode ino into f (zeroed first) and resolve where its data is. */
static int file_init(struct ext4_vol *v, struct ext4_file *f, uint32_t ino)
{
	struct ext4_inode *in = &f->in;
	const uint8_t *raw;
	uint64_t lblk = 0, nlb;
	unsigned i;
	int rc;

	memset(f, 0, sizeof(*f));
	f->vol = v;
	if ((rc = load_inode(v, ino, in, &raw)))
		return rc;
	nlb = (in->size + v->bs - 1) >> v->bshift;
	if (in->flags & FL_INLINE) {
		f->inl = true;
		rc = inline_value(v, f, raw);
	} else if ((in->mode & S_IFMT) == S_IFLNK && in->size < 60 &&
		   !(in->flags & FL_EXTENTS)) {
		f->inl = true;
	} else if (in->flags & FL_EXTENTS) {
		rc = ext_walk(f, 0, 0);
	} else {
		for (i = 0; i < 15 && !rc; i++)
			rc = map_walk(f, get32(in->iblock + 4 * i),
				      i < 12 ? 0 : i - 11, &lblk, nlb);
	}
	if (rc)
		file_fini(f);
	return rc;
}

/* The run holding logical block lblk, or the first after it (n_runs: none). */
static size_t run_find(const struct ext4_file *f, uint64_t lblk)
{
	size_t lo = 0, hi = f->n_runs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if ((uint64_t)f->runs[mid].lblk + f->runs[mid].len <= lblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Read from an inline file: iblock, then the xattr value, then zeros. */
static void read_inline(const struct ext4_file *f, uint64_t off,
			uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++, off++)
		out[i] = off < 60 ? f->in.iblock[off] :
			 off - 60 < f->inl_len ? f->inl_data[off - 60] : 0;
}

/*
 * Read len bytes at off (clipped to the file's size) into buf: whole
 * physical runs straight from the device, holes as zeros, journalled
 * blocks one at a time.
 */
static int file_read(struct ext4_file *f, uint64_t off, void *buf,
		     size_t len, size_t *got)
{
	struct ext4_vol *v = f->vol;
	uint8_t *out = buf;
	uint64_t mask = v->bs - 1;
	int rc;

	*got = 0;
	if (off >= f->in.size)
		return 0;
	if (len > f->in.size - off)
		len = (size_t)(f->in.size - off);
	if (f->inl) {
		read_inline(f, off, out, len);
		*got = len;
		return 0;
	}
	while (*got < len) {
		uint64_t pos = off + *got, lblk = pos >> v->bshift;
		uint64_t boff = pos & mask, avail, p;
		size_t r = run_find(f, lblk), n, j;
		const struct run *ru = r < f->n_runs ? &f->runs[r] : NULL;

		if (!ru || lblk < ru->lblk) {
			avail = ru ? ru->lblk - lblk : UINT64_MAX >> 17;
			p = 0;
		} else {
			avail = ru->lblk + ru->len - lblk;
			p = ru->pblk ? ru->pblk + (lblk - ru->lblk) : 0;
		}
		n = len - *got;
		if (avail < (n + boff + mask) >> v->bshift)
			n = (size_t)((avail << v->bshift) - boff);
		if (!p) {
			memset(out + *got, 0, n);
			*got += n;
			continue;
		}
		j = jmap_find(v, p);
		if (j < v->n_jmap && v->jmap[j].blk == p) {
			const uint8_t *b = get_meta(v, p, &rc);

			if (!b)
				return rc;
			n = n < v->bs - boff ? n : (size_t)(v->bs - boff);
			memcpy(out + *got, b + boff, n);
			*got += n;
			continue;
		}
		if (j < v->n_jmap && v->jmap[j].blk - p < avail)
			n = (size_t)(((v->jmap[j].blk - p) << v->bshift) - boff);
		if (n > EXT4_READ_CAP)
			n = EXT4_READ_CAP;
		rc = blockdev_read_bytes(v->bd, (p << v->bshift) + boff,
					 out + *got, n);
		if (rc)
			return fail(v, rc, "%s: cannot read block %llu",
				    v->cur, (unsigned long long)p);
		*got += n;
	}
	return 0;
}

/* Called for each directory entry: >0 stops the scan, <0 fails it. */
typedef int (*dirent_cb)(void *ctx, const uint8_t *name, unsigned nlen,
			 uint32_t ino, unsigned type);

static int dirents(struct ext4_vol *v, const uint8_t *b, size_t n,
		   dirent_cb cb, void *ctx)
{
	size_t off = 0;
	int rc;

	while (off + 8 <= n) {
		size_t rec = get16(b + off + 4);
		unsigned nlen = b[off + 6];
		uint32_t ino = get32(b + off);

		if (v->bs >= 65536 && (rec == 0 || rec == 65535))
			rec = 65536;
		if (rec < 8 || rec & 3 || rec > n - off || nlen + 8u > rec)
			return fail(v, BT_EINVAL, "%s: damaged directory entry "
				    "(rec_len %u at byte %u)", v->cur,
				    (unsigned)rec, (unsigned)off);
		if (ino && nlen &&
		    (rc = cb(ctx, b + off + 8, nlen, ino,
			     v->incompat & IN_FILETYPE ? b[off + 7] & 15 : 0)))
			return rc;
		off += rec;
	}
	return 0;
}

/* Every entry of directory d, "." and ".." included. */
static int dir_scan(struct ext4_file *d, dirent_cb cb, void *ctx)
{
	struct ext4_vol *v = d->vol;
	uint8_t *buf;
	uint64_t off;
	size_t got;
	int rc = 0;

	if ((d->in.mode & S_IFMT) != S_IFDIR)
		return fail(v, BT_ENOTDIR, "%s: not a directory", v->cur);
	if (d->inl) {
		if ((rc = cb(ctx, (const uint8_t *)"..", 2,
			     get32(d->in.iblock), 2)) ||
		    (rc = cb(ctx, (const uint8_t *)".", 1, d->in.ino, 2)) ||
		    (rc = dirents(v, d->in.iblock + 4, 56, cb, ctx)))
			return rc;
		return dirents(v, d->inl_data, d->inl_len, cb, ctx);
	}
	if (!(buf = bt_alloc(v->bs)))
		return oom(v);
	for (off = 0; off < d->in.size && !rc; off += v->bs) {
		rc = file_read(d, off, buf, v->bs, &got);
		if (!rc)
			rc = dirents(v, buf, got, cb, ctx);
	}
	bt_free(buf);
	return rc;
}

struct lookup {
	const char *name;
	unsigned nlen;
	uint32_t ino;
};

static int lookup_cb(void *ctx, const uint8_t *name, unsigned nlen,
		     uint32_t ino, unsigned type)
{
	struct lookup *l = ctx;

	(void)type;
	if (nlen != l->nlen || memcmp(name, l->name, nlen))
		return 0;
	l->ino = ino;
	return 1;
}

/*
 * Find path (absolute) and load it into *out (file_fini() it), following
 * symlinks on the way and, when follow, at the end.
 */
static int walk(struct ext4_vol *v, const char *path, bool follow,
		struct ext4_file *out)
{
	char *buf = str_dup(path), *p = buf, *nb;
	unsigned links = 0, steps = 0;
	struct ext4_file f;
	struct lookup l;
	uint32_t dir;
	size_t got;
	int rc;

	if (!buf)
		return oom(v);
	rc = file_init(v, &f, EXT4_ROOT);
	while (!rc) {
		while (*p == '/')
			p++;
		if (!*p) {
			*out = f;
			bt_free(buf);
			return 0;
		}
		if (f.in.flags & FL_ENCRYPT) {
			rc = fail(v, BT_EUNSUPP, "%s is encrypted", v->cur);
			break;
		}
		if (++steps > EXT4_STEPS) {
			rc = fail(v, BT_ELOOP, "%s: too many path components "
				  "(a directory loop?)", v->cur);
			break;
		}
		l.name = p;
		while (*p && *p != '/')
			p++;
		l.nlen = (unsigned)(p - l.name);
		rc = dir_scan(&f, lookup_cb, &l);
		if (rc <= 0) {
			rc = rc ? rc : BT_ENOENT;
			break;
		}
		dir = f.in.ino;
		file_fini(&f);
		rc = file_init(v, &f, l.ino);
		if (rc || (f.in.mode & S_IFMT) != S_IFLNK || (!*p && !follow))
			continue;
		if (++links > EXT4_LINKS) {
			rc = fail(v, BT_ELOOP, "%s: too many levels of symbolic "
				  "links", v->cur);
			break;
		}
		if (!f.in.size || f.in.size > 4095) {
			rc = fail(v, BT_EINVAL, "%s: symbolic link of %llu "
				  "bytes", v->cur,
				  (unsigned long long)f.in.size);
			break;
		}
		if (!(nb = bt_alloc((size_t)f.in.size + strlen(p) + 1))) {
			rc = oom(v);
			break;
		}
		rc = file_read(&f, 0, nb, (size_t)f.in.size, &got);
		memcpy(nb + got, p, strlen(p) + 1);
		bt_free(buf);
		buf = p = nb;
		file_fini(&f);
		if (!rc)
			rc = file_init(v, &f, *p == '/' ? EXT4_ROOT : dir);
	}
	file_fini(&f);
	bt_free(buf);
	return rc;
}

static int ext4_read_at(struct vfile *vf, uint64_t off, void *buf,
			size_t len, size_t *got)
{
	struct ext4_file *f = (struct ext4_file *)vf;

	f->vol->cur = f->path;
	f->vol->v.why = NULL;
	return file_read(f, off, buf, len, got);
}

static void ext4_close(struct vfile *vf)
{
	struct ext4_file *f = (struct ext4_file *)vf;

	file_fini(f);
	bt_free(f->path);
	bt_free(f);
}

static const struct vfile_ops ext4_file_ops = { ext4_read_at, ext4_close };

static int ext4_open(struct volume *vol, const char *path, struct vfile **out)
{
	struct ext4_vol *v = (struct ext4_vol *)vol;
	struct ext4_file *f = bt_alloc(sizeof(*f));
	int rc;

	v->cur = path;
	v->v.why = NULL;
	if (!f)
		return oom(v);
	if ((rc = walk(v, path, true, f))) {
		bt_free(f);
		return rc;
	}
	rc = (f->in.mode & S_IFMT) != S_IFREG ?
	     fail(v, BT_ENOENT, "%s is not a regular file", path) :
	     f->in.flags & FL_ENCRYPT ?
	     fail(v, BT_EUNSUPP, "%s is encrypted", path) : 0;
	if (!rc && !(f->path = str_dup(path)))
		rc = oom(v);
	if (rc) {
		ext4_close(&f->f);
		return rc;
	}
	f->f.ops = &ext4_file_ops;
	f->f.why = NULL;
	f->f.size = f->in.size;
	f->f.seekable = true;
	*out = &f->f;
	return 0;
}

struct lister {
	struct ext4_vol *v;
	volume_list_cb cb;
	void *ctx;
};

static int list_cb(void *ctx, const uint8_t *name, unsigned nlen,
		   uint32_t ino, unsigned type)
{
	struct lister *l = ctx;
	char s[256];
	unsigned i;

	if (name[0] == '.' && (nlen == 1 || (nlen == 2 && name[1] == '.')))
		return 0;
	/* A name no path can reach (a damaged entry) is not listed. */
	for (i = 0; i < nlen; i++)
		if (!name[i] || name[i] == '/')
			return 0;
	if (!type) {
		struct ext4_inode in;
		const uint8_t *raw;
		int rc = load_inode(l->v, ino, &in, &raw);

		if (rc)
			return rc;
		type = (in.mode & S_IFMT) == S_IFDIR ? 2 : 1;
	}
	memcpy(s, name, nlen);
	s[nlen] = '\0';
	return l->cb(l->ctx, s, type == 2) ? 1 : 0;
}

static int ext4_list(struct volume *vol, const char *dir, volume_list_cb cb,
		     void *ctx)
{
	struct ext4_vol *v = (struct ext4_vol *)vol;
	struct lister l = { v, cb, ctx };
	struct ext4_file d;
	int rc;

	v->cur = dir;
	v->v.why = NULL;
	if ((rc = walk(v, dir, true, &d)))
		return rc;
	rc = dir_scan(&d, list_cb, &l);
	file_fini(&d);
	return rc < 0 ? rc : 0;
}

static void ext4_free(struct volume *vol)
{
	struct ext4_vol *v = (struct ext4_vol *)vol;

	bt_free(v->v.name);
	bt_free(v->v.label);
	bt_free(v->v.fsuuid);
	bt_free(v->v.partuuid);
	bt_free(v->v.parttype);
	bt_free(v->cache);
	bt_free(v->jmap);
	bt_free(v);
}

static const struct volume_ops ext4_volume_ops = {
	.open = ext4_open,
	.list = ext4_list,
	.free = ext4_free,
};

/* A transaction's blocks until its commit block is seen. */
struct jtrans {
	struct jmap *tags;
	size_t n_tags, cap_tags;
	uint64_t *revoked;
	size_t n_rev, cap_rev;
};

/* Enter blk -> pblk into the map (insert == false: remove blk). */
static int jmap_set(struct ext4_vol *v, uint64_t blk, uint64_t pblk,
		    bool insert, size_t *cap)
{
	size_t j = jmap_find(v, blk);
	bool found = j < v->n_jmap && v->jmap[j].blk == blk;

	if (found && insert) {
		v->jmap[j].pblk = pblk;
	} else if (found) {
		memmove(v->jmap + j, v->jmap + j + 1,
			(--v->n_jmap - j) * sizeof(*v->jmap));
	} else if (insert) {
		if (array_reserve((void **)&v->jmap, cap, v->n_jmap + 1,
				  sizeof(*v->jmap)))
			return oom(v);
		memmove(v->jmap + j + 1, v->jmap + j,
			(v->n_jmap++ - j) * sizeof(*v->jmap));
		v->jmap[j].blk = blk;
		v->jmap[j].pblk = pblk;
	}
	return 0;
}

/* A commit: the transaction's blocks replace older copies, then its
 * revoke records cancel every copy logged so far. */
static int jcommit(struct ext4_vol *v, struct jtrans *t, size_t *cap)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->n_tags && !rc; i++)
		rc = jmap_set(v, t->tags[i].blk, t->tags[i].pblk, true, cap);
	for (i = 0; i < t->n_rev && !rc; i++)
		rc = jmap_set(v, t->revoked[i], 0, false, cap);
	t->n_tags = t->n_rev = 0;
	return rc;
}

/* Where journal block pos is on the device. */
static int jblock(struct ext4_file *jf, uint64_t pos, uint64_t *pblk)
{
	size_t r = run_find(jf, pos);

	if (r == jf->n_runs || jf->runs[r].lblk > pos || !jf->runs[r].pblk)
		return fail(jf->vol, BT_EINVAL, "journal: block %llu is a "
			    "hole", (unsigned long long)pos);
	*pblk = jf->runs[r].pblk + (pos - jf->runs[r].lblk);
	return 0;
}

/*
 * Walk the log of journal jf from its start: descriptor blocks name the
 * fs blocks whose new contents follow, revoke blocks cancel earlier
 * copies, and only what a commit block closes counts.  The log ends at
 * the first block without the magic or with another sequence number; the
 * walk takes at most one lap of the log.
 */
static int journal_walk(struct ext4_vol *v, struct ext4_file *jf,
			uint8_t *b, struct jtrans *t, size_t *cap)
{
	uint32_t maxlen, first, seq, start, feat, last, tagsz, tail, fc;
	uint64_t steps, pos, pblk, jlen = jf->in.size >> v->bshift;
	size_t off, got, end;
	int rc;

	if ((rc = file_read(jf, 0, b, v->bs, &got)))
		return rc;
	if (got < v->bs || get32be(b) != JBD_MAGIC || get32be(b + 4) < 3 ||
	    get32be(b + 4) > 4 || get32be(b + 12) != v->bs)
		return fail(v, BT_EINVAL, "journal: bad superblock");
	maxlen = get32be(b + 16);
	first = get32be(b + 20);
	seq = get32be(b + 24);
	start = get32be(b + 28);
	feat = get32be(b + 4) == 4 ? get32be(b + 0x28) : 0;
	fc = feat & 0x20 ? (get32be(b + 0x54) ? get32be(b + 0x54) : 256) : 0;
	last = fc < maxlen ? maxlen - fc : 0;
	if (!start)
		return 0;
	if (maxlen > jlen || !first || first >= last || start < first ||
	    start >= last)
		return fail(v, BT_EINVAL, "journal: bad log bounds");
	tagsz = feat & 0x10 ? 16 : (feat & 0x2 ? 12 : 8) + (feat & 0x8 ? 2 : 0);
	tail = feat & 0x18 ? 4 : 0;
	pos = start;
#define JNEXT() (pos = pos + 1 == last ? first : pos + 1, ++steps)
	for (steps = 0; steps < last - first; JNEXT()) {
		uint32_t type;

		if ((rc = jblock(jf, pos, &pblk)) ||
		    (rc = read_raw(v, pblk, 1, b)))
			return rc;
		type = get32be(b + 4);
		if (get32be(b) != JBD_MAGIC || get32be(b + 8) != seq)
			break;
		if (type == 1) {
			for (off = 12; off + tagsz <= v->bs - tail;) {
				const uint8_t *tg = b + off;
				uint32_t fl = feat & 0x10 ? get32be(tg + 4) :
					      (uint32_t)(tg[6] << 8 | tg[7]);
				uint64_t blk = get32be(tg);

				if (feat & 0x2)
					blk |= (uint64_t)get32be(tg + 8) << 32;
				JNEXT();
				if ((rc = jblock(jf, pos, &pblk)) ||
				    (rc = array_reserve((void **)&t->tags,
							&t->cap_tags,
							t->n_tags + 1,
							sizeof(*t->tags))))
					return rc == BT_ENOMEM ? oom(v) : rc;
				t->tags[t->n_tags].blk = blk;
				t->tags[t->n_tags++].pblk =
					pblk | (fl & 1 ? JMAP_ESC : 0);
				off += tagsz + (fl & 2 ? 0 : 16);
				if (fl & 8 || steps >= last - first)
					break;
			}
		} else if (type == 2) {
			if ((rc = jcommit(v, t, cap)))
				return rc;
			seq++;
		} else if (type == 5) {
			unsigned rsz = feat & 0x2 ? 8 : 4;

			end = get32be(b + 12) < v->bs ? get32be(b + 12) : v->bs;
			for (off = 16; off + rsz <= end; off += rsz) {
				if (array_reserve((void **)&t->revoked,
						  &t->cap_rev, t->n_rev + 1,
						  sizeof(*t->revoked)))
					return oom(v);
				t->revoked[t->n_rev++] = rsz == 8 ?
					(uint64_t)get32be(b + off) << 32 |
					get32be(b + off + 4) : get32be(b + off);
			}
		} else {
			break;
		}
	}
#undef JNEXT
	return 0;
}

/* Replay the journal (inode ino) into the volume's block map, in memory. */
static int journal_replay(struct ext4_vol *v, uint32_t ino)
{
	struct jtrans t = { 0 };
	struct ext4_file jf;
	size_t cap = 0;
	uint8_t *b = bt_alloc(v->bs);
	int rc;

	v->cur = "journal";
	if (!b)
		return oom(v);
	rc = file_init(v, &jf, ino);
	if (!rc) {
		rc = jf.inl ? fail(v, BT_EINVAL, "journal: inline") :
		     journal_walk(v, &jf, b, &t, &cap);
		file_fini(&jf);
	}
	bt_free(t.tags);
	bt_free(t.revoked);
	bt_free(b);
	/* Blocks read so far were read before the map existed. */
	memset(v->cache_blk, 0, sizeof(v->cache_blk));
	return rc;
}

static char *uuid_str(const uint8_t *u)
{
	const char *hex = "0123456789abcdef";	/* one copy, shared */
	char s[37], *p = s;
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u[i] >> 4];
		*p++ = hex[u[i] & 15];
	}
	*p = '\0';
	return str_dup(s);
}

/* Check the superblock sb and fill v's geometry; a message on refusal. */
static int ext4_geometry(struct ext4_vol *v, const uint8_t *sb)
{
	uint32_t rev = get32(sb + 0x4C), log = get32(sb + 0x18), bad;
	uint64_t count;

	if (log > 6)
		return fail(v, BT_EUNSUPP, "block size 2^%u KiB", log);
	v->bshift = 10 + log;
	v->bs = 1u << v->bshift;
	if (rev) {
		v->compat = get32(sb + 0x5C);
		v->incompat = get32(sb + 0x60);
		v->ro_compat = get32(sb + 0x64);
	}
	if ((bad = v->incompat & ~IN_KNOWN)) {
		bad &= -bad;
		return fail(v, BT_EUNSUPP, "feature '%s' (incompat 0x%x) "
			    "cannot be read", bad == IN_COMPRESSION ?
			    "compression" : bad == 0x8 ? "journal_dev" :
			    "unknown", bad);
	}
	v->isz = rev ? get16(sb + 0x58) : 128;
	v->dsz = v->incompat & IN_64BIT ? get16(sb + 0xFE) : 32;
	v->first_data = get32(sb + 0x14);
	v->bpg = get32(sb + 0x20);
	v->ipg = get32(sb + 0x28);
	v->inodes = get32(sb + 0x00);
	v->first_meta_bg = get32(sb + 0x104);
	v->backup[0] = get32(sb + 0x24C);
	v->backup[1] = get32(sb + 0x250);
	count = get32(sb + 0x04);
	if (v->incompat & IN_64BIT)
		count |= (uint64_t)get32(sb + 0x150) << 32;
	if (v->isz < 128 || v->isz > v->bs || v->isz & (v->isz - 1) ||
	    v->dsz < (v->incompat & IN_64BIT ? 64 : 32) || v->dsz > v->bs ||
	    v->dsz & (v->dsz - 1) || !v->bpg || !v->ipg ||
	    count <= v->first_data)
		return fail(v, BT_EINVAL, "damaged superblock");
	v->groups = (count - v->first_data + v->bpg - 1) / v->bpg;
	v->blocks = v->bd->blocks * v->bd->block_size >> v->bshift;
	return 0;
}

static int ext4_probe(struct blockdev *bd, struct volume **out, char *err,
		      size_t errlen)
{
	struct ext4_vol *v;
	uint8_t sb[1024];
	size_t n;
	int rc;

	if (blockdev_read_bytes(bd, 1024, sb, sizeof(sb)) ||
	    get16(sb + 0x38) != 0xEF53)
		return BT_ENOENT;
	if (!(v = bt_zalloc(sizeof(*v)))) {
		fmt_buf(err, errlen, "%s: out of memory", bd->name);
		return BT_ENOMEM;
	}
	v->bd = bd;
	v->cur = "/";
	v->v.ops = &ext4_volume_ops;
	v->v.fstype = "ext4";
	v->v.is_boot = bd->is_boot;
	v->v.name = str_dup(bd->name);
	for (n = 0; n < 16 && sb[0x78 + n]; n++)
		;
	v->v.label = n ? str_ndup((const char *)sb + 0x78, n) : NULL;
	v->v.fsuuid = uuid_str(sb + 0x68);
	v->v.partuuid = bd->partuuid ? str_dup(bd->partuuid) : NULL;
	v->v.parttype = bd->parttype ? str_dup(bd->parttype) : NULL;
	rc = !v->v.name || (n && !v->v.label) || !v->v.fsuuid ||
	     (bd->partuuid && !v->v.partuuid) ||
	     (bd->parttype && !v->v.parttype) ? BT_ENOMEM : 0;
	if (!rc && v->v.name && !(rc = ext4_geometry(v, sb))) {
		v->cache = bt_alloc((size_t)EXT4_CACHE << v->bshift);
		rc = v->cache ? 0 : oom(v);
	}
	if (!rc && v->incompat & IN_RECOVER && v->compat & COMPAT_JOURNAL &&
	    get32(sb + 0xE0))
		rc = journal_replay(v, get32(sb + 0xE0));
	if (rc) {
		if (v->v.why)
			fmt_buf(err, errlen, "%s", v->v.why);
		else
			fmt_buf(err, errlen, "%s: ext4: out of memory",
				bd->name);
		ext4_free(&v->v);
		return rc;
	}
	v->v.why = NULL;
	*out = &v->v;
	return 0;
}

const struct fs_driver ext4_driver = { "ext4", ext4_probe };
