/*
 * Unit tests for fs/iso9660.c: images made at test time with xorriso from
 * a source tree (Rock Ridge + Joliet, Joliet only, plain ISO names), every
 * file read through the driver on 2048-byte and 512-byte devices and
 * compared by SHA-256 with the tree; hand-made images for multi-extent
 * files (also one larger than 4 GiB) and for broken input, which must give
 * a message naming the volume and the path.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "fs/driver.h"
#include "fs/fs.h"
#include "lib/bytes.h"
#include "lib/sha256.h"
#include "firmware/host/host.h"

#define BIG_SIZE (20u * 1000 * 1000 + 123)	/* not a whole block */
#define LONG_NAME "A Long Mixed-Case File Name, Longer Than Sixty-Four " \
		  "Characters In All.Text"
#define DEEP "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10"

struct tree {
	char dir[64];		/* the temporary directory */
	char src[96];		/* the source tree in it */
};

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (uint8_t)seed;
	}
}

static void put_file(const struct tree *t, const char *rel, size_t size,
		     uint32_t seed)
{
	char path[512];
	uint8_t *data = malloc(size ? size : 1);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->src, rel);
	fill(data, size, seed);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
	free(data);
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	assert_int_equal(system(cmd), 0);
}

static bool have_xorriso(void)
{
	return system("xorriso -version >/dev/null 2>&1") == 0;
}

static void make_tree(struct tree *t)
{
	strcpy(t->dir, "/tmp/baton-iso-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->src, sizeof(t->src), "%s/src", t->dir);
	sh("mkdir -p %s/docs/a/b %s/" DEEP, t->src, t->src);
	put_file(t, "big.bin", BIG_SIZE, 1);
	put_file(t, "top.txt", 1000, 2);
	put_file(t, "docs/a/b/nested.txt", 5000, 3);
	put_file(t, "empty.txt", 0, 4);
	put_file(t, LONG_NAME, 3000, 5);
	put_file(t, DEEP "/deep.txt", 700, 6);
	sh("ln -s docs/a/b/nested.txt %s/link-file && ln -s docs/a %s/link-dir",
	   t->src, t->src);
	sh("ln -s ../../../top.txt %s/docs/a/b/up && ln -s loop2 %s/loop1",
	   t->src, t->src);
	sh("ln -s /loop1 %s/loop2", t->src, NULL);
}

static void remove_tree(struct tree *t)
{
	sh("rm -rf %s", t->dir, NULL);
}

/* Make t->dir/name from the tree with xorriso -as mkisofs opts. */
static void make_iso(const struct tree *t, const char *name, const char *opts,
		     char *iso, size_t isolen)
{
	char cmd[1024];

	snprintf(iso, isolen, "%s/%s", t->dir, name);
	snprintf(cmd, sizeof(cmd), "xorriso -as mkisofs %s -V BATONISO "
		 "--modification-date=2026120312345600 -o %s %s >/dev/null "
		 "2>&1", opts, iso, t->src);
	assert_int_equal(system(cmd), 0);
}

static void sha_of_file(const char *path, uint8_t out[SHA256_LEN])
{
	struct sha256 s;
	uint8_t buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	sha256_init(&s);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&s, buf, n);
	fclose(f);
	sha256_final(&s, out);
}

/* Read the whole file at path through v, in pieces of piece bytes. */
static int read_through(struct volume *v, const char *path, size_t piece,
			uint8_t out[SHA256_LEN], uint64_t *size)
{
	struct vfile *f;
	struct sha256 s;
	uint8_t *buf = malloc(piece);
	uint64_t off = 0;
	int rc = v->ops->open(v, path, &f);

	if (rc) {
		free(buf);
		return rc;
	}
	assert_true(f->seekable);
	sha256_init(&s);
	for (;;) {
		size_t got = 0;

		assert_int_equal(f->ops->read_at(f, off, buf, piece, &got), 0);
		if (!got)
			break;
		sha256_update(&s, buf, got);
		off += got;
	}
	sha256_final(&s, out);
	*size = f->size;
	assert_int_equal(off, f->size);
	f->ops->close(f);
	free(buf);
	return 0;
}

/* The file at path on v has the contents of the file rel in the tree. */
static void check_file(const struct tree *t, struct volume *v,
		       const char *path, const char *rel)
{
	uint8_t want[SHA256_LEN], got[SHA256_LEN];
	char src[512];
	uint64_t size;
	int rc;

	snprintf(src, sizeof(src), "%s/%s", t->src, rel);
	sha_of_file(src, want);
	rc = read_through(v, path, 1u << 20, got, &size);
	if (rc)
		fail_msg("%s: %s (%s)", path, bt_strerror(rc), (v->why ? v->why : ""));
	assert_memory_equal(got, want, SHA256_LEN);
	/* Odd piece sizes cross every block boundary differently. */
	if (size < 100000) {
		assert_int_equal(read_through(v, path, 777, got, &size), 0);
		assert_memory_equal(got, want, SHA256_LEN);
	}
}

struct names {
	char list[32][128];
	bool is_dir[32];
	int n;
};

static int collect(void *ctx, const char *name, bool is_dir)
{
	struct names *nm = ctx;

	assert_true(nm->n < 32);
	snprintf(nm->list[nm->n], sizeof(nm->list[0]), "%s", name);
	nm->is_dir[nm->n++] = is_dir;
	return 0;
}

/* The entry name is listed in dir (with is_dir as given): nonzero. */
static int listed(struct volume *v, const char *dir, const char *name,
		  bool is_dir)
{
	struct names nm = { .n = 0 };
	int i, rc = v->ops->list(v, dir, collect, &nm);

	if (rc)
		fail_msg("list %s: %s (%s)", dir, bt_strerror(rc),
			 (v->why ? v->why : ""));
	for (i = 0; i < nm.n; i++)
		if (!strcmp(nm.list[i], name))
			return nm.is_dir[i] == is_dir ? 1 : -1;
	return 0;
}

static struct volume *probe(struct host_blockdev *hb, const char *iso,
			    uint32_t bs)
{
	struct volume *v = NULL;
	char err[300] = "";
	int rc;

	assert_int_equal(host_blockdev_open(hb, iso, 0, 0, bs), 0);
	rc = iso9660_driver.probe(&hb->bd, &v, err, sizeof(err));
	if (rc)
		fail_msg("%s: probe: %s (%s)", iso, bt_strerror(rc), err);
	assert_string_equal(v->fstype, "iso9660");
	assert_string_equal(v->label, "BATONISO");
	assert_string_equal(v->fsuuid, "2026-12-03-12-34-56-00");
	assert_string_equal(v->name, hb->bd.name);
	return v;
}

/* The tree's regular files, read by their names as written. */
static void check_plain_files(const struct tree *t, struct volume *v)
{
	check_file(t, v, "/big.bin", "big.bin");
	check_file(t, v, "/top.txt", "top.txt");
	check_file(t, v, "/docs/a/b/nested.txt", "docs/a/b/nested.txt");
	check_file(t, v, "/empty.txt", "empty.txt");
	check_file(t, v, "/" LONG_NAME, LONG_NAME);
	check_file(t, v, "/" DEEP "/deep.txt", DEEP "/deep.txt");
}

/* A 20 MB file is a handful of device reads, whatever the block size. */
static void check_reads(struct host_blockdev *hb, struct volume *v)
{
	struct vfile *f;
	uint8_t *buf = malloc(BIG_SIZE), *want = malloc(BIG_SIZE);
	size_t got;

	fill(want, BIG_SIZE, 1);
	assert_int_equal(v->ops->open(v, "/big.bin", &f), 0);
	assert_int_equal(f->size, BIG_SIZE);
	hb->reads = 0;
	assert_int_equal(f->ops->read_at(f, 0, buf, BIG_SIZE, &got), 0);
	assert_int_equal(got, BIG_SIZE);
	assert_memory_equal(buf, want, BIG_SIZE);
	/* 8 MiB per read, and one bounce for the partial last block. */
	assert_in_range(hb->reads, 3, 4);
	hb->reads = 0;
	assert_int_equal(f->ops->read_at(f, 1001, buf, 10u << 20, &got), 0);
	assert_int_equal(got, 10u << 20);
	assert_memory_equal(buf, want + 1001, 10u << 20);
	assert_in_range(hb->reads, 2, 4);
	/* Past the end: nothing; at the end: what is left. */
	assert_int_equal(f->ops->read_at(f, BIG_SIZE, buf, 10, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(f->ops->read_at(f, BIG_SIZE - 5, buf, 10, &got), 0);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, want + BIG_SIZE - 5, 5);
	f->ops->close(f);
	free(buf);
	free(want);
}

static void test_rock_ridge(void **state)
{
	static const uint32_t sizes[] = { 2048, 512 };
	struct tree t;
	char iso[160];
	size_t i;

	if (!have_xorriso())
		skip();
	make_tree(&t);
	/* -J too: Rock Ridge names win over the Joliet ones. */
	make_iso(&t, "rr.iso", "-R -J -joliet-long -rr_reloc_dir RR_MOVED",
		 iso, sizeof(iso));
	for (i = 0; i < 2; i++) {
		struct host_blockdev hb;
		struct volume *v = probe(&hb, iso, sizes[i]);
		struct vfile *f;

		check_plain_files(&t, v);
		check_file(&t, v, "/link-file", "docs/a/b/nested.txt");
		check_file(&t, v, "/link-dir/b/nested.txt", "docs/a/b/nested.txt");
		check_file(&t, v, "/docs/a/b/up", "top.txt");
		check_file(&t, v, "/link-dir/b/../../../top.txt", "top.txt");
		check_reads(&hb, v);
		/* Case matters with Rock Ridge names. */
		assert_int_equal(v->ops->open(v, "/TOP.TXT", &f), BT_ENOENT);
		assert_int_equal(v->ops->open(v, "/top.txt/x", &f), BT_ENOTDIR);
		assert_int_equal(v->ops->open(v, "/docs", &f), BT_EUNSUPP);
		assert_int_equal(listed(v, "/", LONG_NAME, false), 1);
		assert_int_equal(listed(v, "/", "docs", true), 1);
		assert_int_equal(listed(v, "/link-dir", "b", true), 1);
		assert_int_equal(listed(v, "/" DEEP, "deep.txt", false), 1);
		/* The relocated directory is shown only where it belongs. */
		assert_int_equal(listed(v, "/d1/d2/d3/d4/d5/d6/d7", "d8", true), 1);
		assert_int_equal(listed(v, "/", "RR_MOVED", true), 0);
		/* A link loop ends, with a message. */
		assert_int_equal(v->ops->open(v, "/loop1", &f), BT_ELOOP);
		assert_non_null(strstr((v->why ? v->why : ""), "/loop1: more than 40 "
				       "symbolic links"));
		assert_non_null(strstr((v->why ? v->why : ""), hb.bd.name));
		v->ops->free(v);
		host_blockdev_close(&hb);
	}
	remove_tree(&t);
}

static void test_joliet(void **state)
{
	static const uint32_t sizes[] = { 2048, 512 };
	struct tree t;
	char iso[160];
	size_t i;

	if (!have_xorriso())
		skip();
	make_tree(&t);
	make_iso(&t, "j.iso", "--norock -J -joliet-long", iso, sizeof(iso));
	for (i = 0; i < 2; i++) {
		struct host_blockdev hb;
		struct volume *v = probe(&hb, iso, sizes[i]);

		check_plain_files(&t, v);
		check_reads(&hb, v);
		assert_int_equal(listed(v, "/", LONG_NAME, false), 1);
		assert_int_equal(listed(v, "/docs/a", "b", true), 1);
		v->ops->free(v);
		host_blockdev_close(&hb);
	}
	remove_tree(&t);
}

static void test_plain(void **state)
{
	static const uint32_t sizes[] = { 2048, 512 };
	struct tree t;
	char iso[160];
	size_t i;

	if (!have_xorriso())
		skip();
	make_tree(&t);
	make_iso(&t, "p.iso", "--norock -iso-level 1", iso, sizeof(iso));
	for (i = 0; i < 2; i++) {
		struct host_blockdev hb;
		struct volume *v = probe(&hb, iso, sizes[i]);

		/* BIG.BIN;1 etc., found whatever the case. */
		check_file(&t, v, "/big.bin", "big.bin");
		check_file(&t, v, "/BIG.BIN", "big.bin");
		check_file(&t, v, "/Docs/A/b/Nested.Txt", "docs/a/b/nested.txt");
		check_file(&t, v, "/empty.txt", "empty.txt");
		check_file(&t, v, "/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt",
			   DEEP "/deep.txt");
		check_reads(&hb, v);
		/* Listed in lower case without ";1". */
		assert_int_equal(listed(v, "/", "top.txt", false), 1);
		assert_int_equal(listed(v, "/", "docs", true), 1);
		assert_int_equal(listed(v, "/DOCS/A", "b", true), 1);
		v->ops->free(v);
		host_blockdev_close(&hb);
	}
	remove_tree(&t);
}

/* label= and uuid= paths find the ISO through the registry. */
static void test_registry(void **state)
{
	struct tree t;
	struct rig r;
	struct host_blockdev hb;
	struct path by_label = { .source = PATH_SRC_LABEL, .arg = "BATONISO",
				 .file = "/docs/a/b/nested.txt" };
	struct path by_uuid = { .source = PATH_SRC_UUID,
				.arg = "2026-12-03-12-34-56-00", .file = "/top.txt" };
	struct volume *v;
	uint8_t want[SHA256_LEN], got[SHA256_LEN];
	char iso[160], src[256];
	void *buf;
	size_t len;

	if (!have_xorriso())
		skip();
	make_tree(&t);
	make_iso(&t, "rr.iso", "-R -J", iso, sizeof(iso));
	rig_init(&r, 0);
	rig_disk(&r, &hb, iso, 0, 2048);
	hb.bd.partuuid = "0fc63daf-8483-4772-8e79-3d69d8477de4";
	assert_int_equal(fs_find_volume(&r.fw.fs, &by_label, &v, r.err,
					sizeof(r.err)), 0);
	assert_string_equal(v->fstype, "iso9660");
	assert_string_equal(v->partuuid, hb.bd.partuuid);
	assert_false(v->is_boot);
	assert_int_equal(fs_read_all(&r.fw.fs, &by_label, &buf, &len, r.err,
				     sizeof(r.err)), 0);
	snprintf(src, sizeof(src), "%s/docs/a/b/nested.txt", t.src);
	sha_of_file(src, want);
	sha256_digest(buf, len, got);
	assert_memory_equal(got, want, SHA256_LEN);
	bt_free(buf);
	assert_int_equal(fs_read_all(&r.fw.fs, &by_uuid, &buf, &len, r.err,
				     sizeof(r.err)), 0);
	assert_int_equal(len, 1000);
	bt_free(buf);
	rig_free(&r);
	remove_tree(&t);
}

/*
 * Hand-made images: a PVD, a terminator, a root directory in block 18
 * and whatever records and data a test puts there.
 */
struct rec {
	const char *name;
	uint32_t lba, len;
	uint8_t flags;
	const uint8_t *sua;
	size_t sua_len;
};

static size_t put_rec(uint8_t *p, const struct rec *r)
{
	size_t nl = strlen(r->name), off = 33 + nl + !(nl & 1);
	size_t len = off + r->sua_len;

	len += len & 1;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	put32(p + 2, r->lba);
	put32(p + 10, r->len);
	p[25] = r->flags;
	p[32] = (uint8_t)nl;
	memcpy(p + 33, r->name, nl);
	if (nl == 1 && (r->name[0] == '.' || r->name[0] == ','))
		p[33] = r->name[0] == '.' ? 0 : 1;
	if (r->sua_len)
		memcpy(p + off, r->sua, r->sua_len);
	return len;
}

/* SP and ER in the root's "." record: Rock Ridge. */
static const uint8_t rr_root_sua[] = {
	'S', 'P', 7, 1, 0xBE, 0xEF, 0,
	'E', 'R', 18, 1, 10, 0, 0, 1, 'R', 'R', 'I', 'P', '_', '1', '9', '9',
	'1', 'A',
};

/*
 * Write the image: volume_blocks in the PVD, the root's records (after
 * "." and ".."), file_blocks blocks in the file (sparse where nothing is
 * written).
 */
static void write_iso(const char *path, uint32_t volume_blocks,
		      uint64_t file_blocks, const struct rec *recs, size_t n,
		      bool rock_ridge)
{
	uint8_t blk[2048];
	struct rec dot = { ".", 18, 2048, 2, rock_ridge ? rr_root_sua : NULL,
			   rock_ridge ? sizeof(rr_root_sua) : 0 };
	struct rec dotdot = { ",", 18, 2048, 2, NULL, 0 };
	size_t off, i;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(file_blocks * 2048)), 0);
	memset(blk, 0, sizeof(blk));
	blk[0] = 1;
	memcpy(blk + 1, "CD001\1", 6);
	memset(blk + 40, ' ', 32);
	memcpy(blk + 40, "HANDMADE", 8);
	put32(blk + 80, volume_blocks);
	put16(blk + 128, 2048);
	dotdot.name = ".";
	put_rec(blk + 156, &dotdot);	/* 34 bytes, no System Use */
	dotdot.name = ",";
	memset(blk + 830, '0', 16);
	assert_int_equal(pwrite(fd, blk, 2048, 16 * 2048), 2048);
	memset(blk, 0, sizeof(blk));
	blk[0] = 255;
	memcpy(blk + 1, "CD001\1", 6);
	assert_int_equal(pwrite(fd, blk, 2048, 17 * 2048), 2048);
	memset(blk, 0, sizeof(blk));
	off = put_rec(blk, &dot);
	off += put_rec(blk + off, &dotdot);
	for (i = 0; i < n; i++) {
		if (off + 34 + strlen(recs[i].name) + recs[i].sua_len > 2048)
			off = 2048;	/* the rest goes in block 19 */
		assert_true(off < 2048);
		off += put_rec(blk + off, &recs[i]);
	}
	assert_int_equal(pwrite(fd, blk, 2048, 18 * 2048), 2048);
	close(fd);
}

static void write_at(const char *path, uint64_t off, const void *data,
		     size_t len)
{
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static struct volume *probe_hand(struct host_blockdev *hb, const char *iso,
				 uint32_t bs)
{
	struct volume *v = NULL;
	char err[300] = "";

	assert_int_equal(host_blockdev_open(hb, iso, 0, 0, bs), 0);
	if (iso9660_driver.probe(&hb->bd, &v, err, sizeof(err)))
		fail_msg("%s: probe: %s", iso, err);
	assert_string_equal(v->label, "HANDMADE");
	assert_null(v->fsuuid);		/* the date is all '0' */
	return v;
}

/* A multi-extent file: four sections, two of them adjacent on disk. */
static void test_multi_extent(void **state)
{
	static const struct rec recs[] = {
		{ "SPLIT.BIN;1", 30, 4096, 0x80, NULL, 0 },
		{ "SPLIT.BIN;1", 40, 6144, 0x80, NULL, 0 },
		{ "SPLIT.BIN;1", 43, 2048, 0x80, NULL, 0 },
		{ "SPLIT.BIN;1", 50, 1000, 0, NULL, 0 },
		{ "AFTER.TXT;1", 52, 10, 0, NULL, 0 },
	};
	static const uint32_t sizes[] = { 2048, 512 };
	char iso[] = "/tmp/baton-iso-multi-XXXXXX";
	uint8_t data[13288], *buf = malloc(sizeof(data));
	size_t i, off, len;
	int fd = mkstemp(iso);

	assert_true(fd >= 0);
	close(fd);
	write_iso(iso, 60, 60, recs, 5, false);
	fill(data, sizeof(data), 7);
	write_at(iso, 30 * 2048, data, 4096);
	write_at(iso, 40 * 2048, data + 4096, 8192);
	write_at(iso, 50 * 2048, data + 12288, 1000);
	write_at(iso, 52 * 2048, "after file", 10);
	for (i = 0; i < 2; i++) {
		struct host_blockdev hb;
		struct volume *v = probe_hand(&hb, iso, sizes[i]);
		struct vfile *f;
		size_t got;

		assert_int_equal(v->ops->open(v, "/split.bin", &f), 0);
		assert_int_equal(f->size, sizeof(data));
		/* Every (offset, length) pair on a coarse grid. */
		for (off = 0; off < sizeof(data); off += 997)
			for (len = 1; len <= sizeof(data); len += 1499) {
				size_t want = len < sizeof(data) - off ?
					      len : sizeof(data) - off;

				assert_int_equal(f->ops->read_at(f, off, buf, len,
								 &got), 0);
				assert_int_equal(got, want);
				assert_memory_equal(buf, data + off, want);
			}
		/* Sections 2 and 3 are adjacent: one read for both. */
		hb.reads = 0;
		assert_int_equal(f->ops->read_at(f, 4096, buf, 8192, &got), 0);
		assert_int_equal(hb.reads, 1);
		f->ops->close(f);
		assert_int_equal(v->ops->open(v, "/after.txt", &f), 0);
		assert_int_equal(f->ops->read_at(f, 0, buf, 100, &got), 0);
		assert_int_equal(got, 10);
		assert_memory_equal(buf, "after file", 10);
		f->ops->close(f);
		assert_int_equal(listed(v, "/", "split.bin", false), 1);
		v->ops->free(v);
		host_blockdev_close(&hb);
	}
	free(buf);
	unlink(iso);
}

/*
 * A file of more than 4 GiB: four 1 GiB sections and a 4 MiB one, all
 * over the same blocks of a sparse image.  Only the size and offset
 * arithmetic is checked: data read at 4 GiB - 1 MiB and past 4 GiB.
 */
static void test_over_4gib(void **state)
{
	static const struct rec recs[] = {
		{ "HUGE.BIN;1", 100, 1u << 30, 0x80, NULL, 0 },
		{ "HUGE.BIN;1", 100, 1u << 30, 0x80, NULL, 0 },
		{ "HUGE.BIN;1", 100, 1u << 30, 0x80, NULL, 0 },
		{ "HUGE.BIN;1", 100, 1u << 30, 0x80, NULL, 0 },
		{ "HUGE.BIN;1", 100, 4u << 20, 0, NULL, 0 },
	};
	const uint64_t base = 100 * 2048, gib = 1ull << 30, mib = 1u << 20;
	const uint32_t blocks = 100 + (1u << 19) + 1;
	char iso[] = "/tmp/baton-iso-huge-XXXXXX";
	uint8_t *a = malloc(mib), *b = malloc(4 * mib), *buf = malloc(2 * mib);
	struct host_blockdev hb;
	struct volume *v;
	struct vfile *f;
	size_t got;
	int fd = mkstemp(iso);

	assert_true(fd >= 0);
	close(fd);
	write_iso(iso, blocks, blocks, recs, 5, false);
	fill(a, mib, 8);
	fill(b, 4 * mib, 9);
	write_at(iso, base + gib - mib, a, mib);
	write_at(iso, base, b, 4 * mib);
	v = probe_hand(&hb, iso, 512);
	assert_int_equal(v->ops->open(v, "/huge.bin", &f), 0);
	assert_true(f->size == 4 * gib + 4 * mib);
	assert_int_equal(f->ops->read_at(f, 4 * gib - mib, buf, 2 * mib, &got), 0);
	assert_int_equal(got, 2 * mib);
	assert_memory_equal(buf, a, mib);
	assert_memory_equal(buf + mib, b, mib);
	assert_int_equal(f->ops->read_at(f, 4 * gib + mib, buf, 2 * mib, &got), 0);
	assert_int_equal(got, 2 * mib);
	assert_memory_equal(buf, b + mib, 2 * mib);
	assert_int_equal(f->ops->read_at(f, 4 * gib + 4 * mib - 3, buf, 2 * mib,
					 &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, b + 4 * mib - 3, 3);
	f->ops->close(f);
	v->ops->free(v);
	host_blockdev_close(&hb);
	free(a);
	free(b);
	free(buf);
	unlink(iso);
}

/* Open (or list, when list) path on a hand-made image: rc, and a message
 * that names the volume and the path and contains what. */
static void expect_error(const char *iso, const char *path, bool list, int rc,
			 const char *what)
{
	struct host_blockdev hb;
	struct volume *v = probe_hand(&hb, iso, 2048);
	struct names nm = { .n = 0 };
	struct vfile *f;
	char want[300];

	if (list)
		assert_int_equal(v->ops->list(v, path, collect, &nm), rc);
	else
		assert_int_equal(v->ops->open(v, path, &f), rc);
	snprintf(want, sizeof(want), "%s: iso9660: %s: %s", hb.bd.name, path,
		 what);
	if (strncmp((v->why ? v->why : ""), want, strlen(want)))
		fail_msg("got '%s', expected '%s...'", (v->why ? v->why : ""), want);
	v->ops->free(v);
	host_blockdev_close(&hb);
}

static void test_bad_input(void **state)
{
	/* NM says 200 bytes; the area has 12. */
	static const uint8_t long_nm[] = { 'N', 'M', 200, 1, 0, 'x', 'y', 'z',
					   0, 0, 0, 0 };
	/* A CE area far past the 40-block volume. */
	static const uint8_t far_ce[] = {
		'C', 'E', 28, 1,
		0x9f, 0x86, 0x01, 0, 0, 0x01, 0x86, 0x9f,	/* 99999 */
		0, 0, 0, 0, 0, 0, 0, 0,
		100, 0, 0, 0, 0, 0, 0, 100,
	};
	/* A zisofs-compressed file. */
	static const uint8_t zf[] = { 'Z', 'F', 16, 1, 'p', 'z', 4, 15,
				      0, 0x40, 0, 0, 0, 0, 0x40, 0 };
	const struct rec rr_recs[] = {
		{ "BAD.TXT;1", 30, 10, 0, long_nm, sizeof(long_nm) },
		{ "FAR.TXT;1", 30, 10, 0, far_ce, sizeof(far_ce) },
		{ "ZIP.TXT;1", 30, 10, 0, zf, sizeof(zf) },
	};
	const struct rec trunc_recs[] = {
		{ "SUB", 60, 2048, 2, NULL, 0 },
		{ "DATA.BIN;1", 45, 20000, 0, NULL, 0 },
	};
	char iso[] = "/tmp/baton-iso-bad-XXXXXX";
	struct host_blockdev hb;
	struct volume *v = NULL;
	char err[300] = "";
	int fd = mkstemp(iso);

	assert_true(fd >= 0);
	/* Not an ISO: zeros. */
	assert_int_equal(ftruncate(fd, 64 * 2048), 0);
	close(fd);
	assert_int_equal(host_blockdev_open(&hb, iso, 0, 0, 2048), 0);
	assert_int_equal(iso9660_driver.probe(&hb.bd, &v, err, sizeof(err)),
			 BT_ENOENT);
	host_blockdev_close(&hb);
	/* Too short even for the descriptors. */
	write_iso(iso, 40, 40, trunc_recs, 2, false);
	assert_int_equal(truncate(iso, 16 * 2048 + 100), 0);
	assert_int_equal(host_blockdev_open(&hb, iso, 0, 0, 512), 0);
	assert_int_equal(iso9660_driver.probe(&hb.bd, &v, err, sizeof(err)),
			 BT_ENOENT);
	host_blockdev_close(&hb);

	/* Truncated: the PVD says 70 blocks, the image has 50. */
	write_iso(iso, 70, 50, trunc_recs, 2, false);
	expect_error(iso, "/sub", true, BT_EINVAL, "directory at block 60 is "
		     "past the end of the volume (50 blocks)");
	expect_error(iso, "/sub/x", false, BT_EINVAL, "directory at block 60");
	expect_error(iso, "/data.bin", false, BT_EINVAL, "file section at "
		     "block 45 is past the end of the volume (50 blocks)");

	/* Rock Ridge entries that do not fit. */
	write_iso(iso, 40, 40, rr_recs, 2, true);
	expect_error(iso, "/bad.txt", false, BT_EINVAL, "Rock Ridge entry NM "
		     "is 200 bytes, past the end of its area (12 bytes left)");
	expect_error(iso, "/", true, BT_EINVAL, "Rock Ridge entry NM");
	write_iso(iso, 40, 40, rr_recs + 2, 1, true);
	expect_error(iso, "/zip.txt", false, BT_EUNSUPP, "compressed "
		     "(zisofs) files are not supported");
	write_iso(iso, 40, 40, rr_recs + 1, 1, true);
	expect_error(iso, "/far.txt", false, BT_EINVAL, "Rock Ridge CE area "
		     "at block 99999 is past the end of the volume (40 blocks)");
	unlink(iso);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rock_ridge),
		cmocka_unit_test(test_joliet),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_multi_extent),
		cmocka_unit_test(test_over_4gib),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
