#define _GNU_SOURCE
/*
 * Unit tests for fs/ext4.c: images made at test time with mkfs.ext2/3/4 -d
 * from a source tree (a 20 MB random file, a 70 MB sparse file reaching
 * triple indirect blocks with 1 KiB blocks, nested folders, fast, slow,
 * relative and absolute symlinks, an empty file), every file read through
 * the driver and compared by SHA-256 with the source; the read count of a
 * big file; a journal holding the only copy of a directory block; damaged
 * images, each refused with a message naming the volume and the path.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "fs/fs.h"
#include "lib/sha256.h"
#include "firmware/host/host.h"

static char dir[64];		/* the temporary folder */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void put_file(const char *rel, const void *data, size_t len)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_random(const char *rel, size_t len, uint32_t seed)
{
	uint8_t *b = malloc(len);
	size_t i;

	for (i = 0; i < len; i++) {
		seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
		b[i] = (uint8_t)seed;
	}
	put_file(rel, b, len);
	free(b);
}

static int group_setup(void **state)
{
	char target[128];

	(void)state;
	if (sh("command -v mkfs.ext4 debugfs >/dev/null 2>&1"))
		return 0;	/* the tests skip */
	snprintf(dir, sizeof(dir), "/tmp/baton-ext4-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	sh("mkdir -p %s/src/dir1/dir2 %s/src/dir1/emptydir", dir, dir);
	put_file("src/small.txt", "hello, ext4\n", 12);
	put_file("src/empty", "", 0);
	put_file("src/dir1/dir2/deep.txt", "deep down\n", 10);
	put_random("src/big.bin", 20 << 20, 1);
	put_random("src/medium.bin", 300000, 2);
	put_random("src/dir1/tiny.bin", 40, 3);
	/* 70 MB with data only at the end: with 1 KiB blocks that is past
	 * the double-indirect range (64.3 MiB). */
	sh("truncate -s 70000000 %s/src/sparse && printf END >> %s/src/sparse",
	   dir, dir);
	sh("cd %s/src && ln -s dir1/dir2/deep.txt link_fast && "
	   "ln -s ../small.txt dir1/up && ln -s dir1/dir2 link_dir", dir);
	snprintf(target, sizeof(target), "/dir1/%s/dir2/deep.txt",
		 "./././././././././././././././././././././././././././.");
	sh("cd %s/src && ln -s %s link_slow", dir, target);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (dir[0])
		sh("rm -rf %s", dir);
	return 0;
}

static void need_tools(void)
{
	if (!dir[0])
		skip();
}

/* Make dir/NAME.img with mkfs; false when mkfs refuses the options. */
static bool mkimg(char *img, size_t n, const char *name, const char *mkfs,
		  const char *opts, const char *src, const char *size)
{
	snprintf(img, n, "%s/%s.img", dir, name);
	return sh("rm -f %s && %s -q -F -E nodiscard %s -d %s/%s %s %s "
		  ">/dev/null 2>&1", img, mkfs, opts, dir, src, img, size) == 0;
}

struct img {
	struct host_blockdev hb;
	struct volume *v;
	char err[256];
};

static int img_open(struct img *im, const char *file, uint32_t bs)
{
	assert_int_equal(host_blockdev_open(&im->hb, file, 0, 0, bs), 0);
	im->err[0] = '\0';
	im->v = NULL;
	return ext4_driver.probe(&im->hb.bd, &im->v, im->err, sizeof(im->err));
}

static void img_close(struct img *im)
{
	if (im->v)
		im->v->ops->free(im->v);
	host_blockdev_close(&im->hb);
}

/* Read the whole file at path into a new buffer; the driver's code. */
static int slurp(struct volume *v, const char *path, uint8_t **out,
		 size_t *len, size_t chunk)
{
	struct vfile *f;
	uint8_t *b;
	size_t got, done = 0;
	int rc = v->ops->open(v, path, &f);

	*out = NULL;
	if (rc)
		return rc;
	b = malloc(f->size + 1);
	while (done < f->size && !rc) {
		size_t n = f->size - done < chunk ? f->size - done : chunk;

		rc = f->ops->read_at(f, done, b + done, n, &got);
		if (!rc && !got)
			rc = BT_EIO;
		done += got;
	}
	if (!rc) {
		assert_int_equal(f->ops->read_at(f, done, b, 1, &got), 0);
		assert_int_equal(got, 0);
	}
	f->ops->close(f);
	*out = b;
	*len = done;
	return rc;
}

static void host_sha(const char *rel, uint8_t out[SHA256_LEN], size_t *len)
{
	char p[256];
	struct sha256 s;
	uint8_t buf[65536];
	size_t n;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "rb");
	assert_non_null(f);
	sha256_init(&s);
	*len = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(&s, buf, n);
		*len += n;
	}
	fclose(f);
	sha256_final(&s, out);
}

static void check_file(struct volume *v, const char *path, const char *rel)
{
	uint8_t want[SHA256_LEN], got[SHA256_LEN], *b;
	size_t wlen, len;
	int rc = slurp(v, path, &b, &len, 1 << 20);

	if (rc)
		fail_msg("%s: %s (%s)", path, bt_strerror(rc),
			 v->why ? v->why : "");
	host_sha(rel, want, &wlen);
	sha256_digest(b, len, got);
	free(b);
	assert_int_equal(len, wlen);
	if (memcmp(want, got, SHA256_LEN))
		fail_msg("%s: SHA-256 differs from %s", path, rel);
}

static const char *const base_files[][2] = {
	{ "/small.txt", "src/small.txt" },
	{ "/empty", "src/empty" },
	{ "/big.bin", "src/big.bin" },
	{ "/medium.bin", "src/medium.bin" },
	{ "/sparse", "src/sparse" },
	{ "/dir1/tiny.bin", "src/dir1/tiny.bin" },
	{ "/dir1/dir2/deep.txt", "src/dir1/dir2/deep.txt" },
	{ "//dir1/./dir2//deep.txt", "src/dir1/dir2/deep.txt" },
	{ "/dir1/../dir1/dir2/../../small.txt", "src/small.txt" },
	{ "/link_fast", "src/dir1/dir2/deep.txt" },
	{ "/link_slow", "src/dir1/dir2/deep.txt" },
	{ "/dir1/up", "src/small.txt" },
	{ "/link_dir/deep.txt", "src/dir1/dir2/deep.txt" },
};

struct seen {
	unsigned n, dirs;
	bool small, dir1;
};

static int seen_cb(void *ctx, const char *name, bool is_dir)
{
	struct seen *s = ctx;

	s->n++;
	s->dirs += is_dir;
	s->small |= !strcmp(name, "small.txt") && !is_dir;
	s->dir1 |= !strcmp(name, "dir1") && is_dir;
	return 0;
}

static void check_tree(struct volume *v)
{
	struct seen s = { 0 };
	struct vfile *f;
	size_t i;

	for (i = 0; i < sizeof(base_files) / sizeof(base_files[0]); i++)
		check_file(v, base_files[i][0], base_files[i][1]);
	assert_int_equal(v->ops->list(v, "/", seen_cb, &s), 0);
	/* small.txt empty big.bin medium.bin sparse dir1 link_fast link_dir
	 * link_slow lost+found */
	assert_int_equal(s.n, 10);
	assert_int_equal(s.dirs, 2);
	assert_true(s.small && s.dir1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(v->ops->list(v, "/link_dir/..", seen_cb, &s), 0);
	assert_int_equal(s.n, 4);	/* dir2 emptydir tiny.bin up */
	memset(&s, 0, sizeof(s));
	assert_int_equal(v->ops->list(v, "/dir1/emptydir", seen_cb, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(v->ops->open(v, "/nope", &f), BT_ENOENT);
	assert_int_equal(v->ops->open(v, "/dir1/nope/x", &f), BT_ENOENT);
	assert_int_equal(v->ops->open(v, "/small.txt/x", &f), BT_ENOTDIR);
	assert_int_equal(v->ops->open(v, "/dir1", &f), BT_ENOENT);
}

struct variant {
	const char *name, *mkfs, *opts, *size;
	uint32_t devbs;
};

static const struct variant variants[] = {
	{ "ext2", "mkfs.ext2", "", "96M", 512 },
	{ "ext3", "mkfs.ext3", "", "96M", 512 },
	{ "debian12", "mkfs.ext4", "-b 4096", "96M", 4096 },
	{ "upstream", "mkfs.ext4", "-b 4096 -O metadata_csum_seed,orphan_file",
	  "96M", 512 },
	{ "blockmap1k", "mkfs.ext4", "-b 1024 -O ^extent,^64bit", "96M", 512 },
	{ "inline", "mkfs.ext4", "-O inline_data", "96M", 512 },
	{ "meta_bg", "mkfs.ext4", "-O meta_bg,^resize_inode", "96M", 512 },
	{ "meta_bg4k", "mkfs.ext4", "-b 4096 -O meta_bg,^resize_inode -g 1024",
	  "96M", 512 },
	{ "1k", "mkfs.ext4", "-b 1024", "96M", 4096 },
	{ "i128", "mkfs.ext4", "-I 128", "96M", 512 },
	{ "bigalloc", "mkfs.ext4", "-O bigalloc -C 16384", "96M", 512 },
	{ "bigalloc4k", "mkfs.ext4", "-b 4096 -O bigalloc -C 65536", "96M",
	  512 },
	{ "casefold", "mkfs.ext4", "-O casefold", "96M", 512 },
	{ "64k", "mkfs.ext4", "-b 65536", "128M", 512 },
	{ "no64bit", "mkfs.ext4", "-O ^64bit,^flex_bg", "96M", 512 },
	{ "rev0", "mkfs.ext2", "-r 0", "96M", 512 },
};

static void test_variant(void **state)
{
	const struct variant *va = *state;
	char img[128];
	struct img im;
	int rc;

	need_tools();
	if (!mkimg(img, sizeof(img), va->name, va->mkfs, va->opts, "src",
		   va->size))
		fail_msg("%s: mkfs %s failed", va->name, va->opts);
	rc = img_open(&im, img, va->devbs);
	if (rc)
		fail_msg("%s: probe: %s", va->name, im.err);
	assert_string_equal(im.v->fstype, "ext4");
	check_tree(im.v);
	img_close(&im);
	unlink(img);
}

/* A 20 MB file in one call, and in 1 MiB calls: a handful of device reads. */
static void test_reads_are_few(void **state)
{
	char img[128];
	struct img im;
	uint8_t *b;
	size_t len;
	unsigned before;

	(void)state;
	need_tools();
	assert_true(mkimg(img, sizeof(img), "perf", "mkfs.ext4", "-b 4096",
			  "src", "96M"));
	assert_int_equal(img_open(&im, img, 512), 0);
	before = im.hb.reads;
	assert_int_equal(slurp(im.v, "/big.bin", &b, &len, 20 << 20), 0);
	free(b);
	assert_int_equal(len, 20 << 20);
	if (im.hb.reads - before > 12)
		fail_msg("one 20 MB read took %u device reads",
			 im.hb.reads - before);
	before = im.hb.reads;
	assert_int_equal(slurp(im.v, "/big.bin", &b, &len, 1 << 20), 0);
	free(b);
	if (im.hb.reads - before > 20 + 12)
		fail_msg("20 reads of 1 MiB took %u device reads",
			 im.hb.reads - before);
	/* The sparse file's 70 MB of holes cost no reads. */
	before = im.hb.reads;
	assert_int_equal(slurp(im.v, "/sparse", &b, &len, 80 << 20), 0);
	free(b);
	assert_true(im.hb.reads - before <= 8);
	img_close(&im);
	unlink(img);
}

/* Through the registry: label= and uuid= paths find the volume. */
static void test_registry(void **state)
{
	static const char uuid[] = "0123abcd-89ab-cdef-0123-456789abcdef";
	char img[128], opts[128], err[300];
	struct host_blockdev hb;
	struct path p;
	struct rig r;
	void *buf;
	size_t len;

	(void)state;
	need_tools();
	snprintf(opts, sizeof(opts), "-L BATONEXT -U %s", uuid);
	assert_true(mkimg(img, sizeof(img), "reg", "mkfs.ext4", opts, "src",
			  "96M"));
	rig_init(&r, 0);
	rig_disk(&r, &hb, img, 0, 512);
	assert_int_equal(path_parse("label=BATONEXT:/dir1/up", NULL, &p, NULL,
				    0), 0);
	assert_int_equal(fs_read_all(&r.fw.fs, &p, &buf, &len, err,
				     sizeof(err)), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(buf, "hello, ext4\n", 12);
	bt_free(buf);
	path_free(&p);
	assert_int_equal(path_parse("uuid=0123abcd-89ab-cdef-0123-456789abcdef"
				    ":/link_slow", NULL, &p, NULL, 0), 0);
	assert_int_equal(fs_read_all(&r.fw.fs, &p, &buf, &len, err,
				     sizeof(err)), 0);
	assert_int_equal(len, 10);
	bt_free(buf);
	path_free(&p);
	rig_free(&r);
	unlink(img);
}

/* 5000 files in one folder (an htree, large_dir): all listed, any found. */
static void test_large_dir(void **state)
{
	char img[128], name[64];
	struct seen s = { 0 };
	struct img im;
	uint8_t *b;
	size_t len;

	(void)state;
	need_tools();
	sh("mkdir -p %s/many/d && cd %s/many/d && for i in $(seq 1 5000); "
	   "do echo $i > f$i; done", dir, dir);
	assert_true(mkimg(img, sizeof(img), "many", "mkfs.ext4",
			  "-O large_dir -b 1024", "many", "64M"));
	/* mke2fs -d links entries one by one; e2fsck -D indexes them. */
	sh("e2fsck -fyD %s >/dev/null 2>&1", img);
	assert_int_equal(sh("debugfs -R 'htree /d' %s 2>/dev/null | "
			    "grep -q 'Number of entries'", img), 0);
	assert_int_equal(img_open(&im, img, 512), 0);
	assert_int_equal(im.v->ops->list(im.v, "/d", seen_cb, &s), 0);
	assert_int_equal(s.n, 5000);
	assert_int_equal(slurp(im.v, "/d/f4321", &b, &len, 4096), 0);
	snprintf(name, sizeof(name), "4321\n");
	assert_int_equal(len, 5);
	assert_memory_equal(b, name, 5);
	free(b);
	img_close(&im);
	unlink(img);
}

/* A 5 GiB sparse file with a marker at its end: i_size_high, no reads for
 * the holes. */
static void test_huge_sparse(void **state)
{
	char img[128];
	struct img im;
	struct vfile *f;
	uint8_t buf[4096], zero[4096] = { 0 };
	size_t got;

	(void)state;
	need_tools();
	sh("mkdir -p %s/huge && truncate -s 5G %s/huge/h && "
	   "printf MARK >> %s/huge/h", dir, dir, dir);
	assert_true(mkimg(img, sizeof(img), "huge", "mkfs.ext4", "", "huge",
			  "32M"));
	assert_int_equal(img_open(&im, img, 512), 0);
	assert_int_equal(im.v->ops->open(im.v, "/h", &f), 0);
	assert_true(f->seekable);
	assert_int_equal(f->size, (5ull << 30) + 4);
	assert_int_equal(f->ops->read_at(f, f->size - 4, buf, 100, &got), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "MARK", 4);
	assert_int_equal(f->ops->read_at(f, 3ull << 30, buf, 4096, &got), 0);
	assert_int_equal(got, 4096);
	assert_memory_equal(buf, zero, 4096);
	f->ops->close(f);
	img_close(&im);
	unlink(img);
}

/* Uninitialized extents over stale bytes read as zeros. */
static void test_unwritten(void **state)
{
	char img[128];
	struct img im;
	uint8_t *b, *want;
	size_t len;

	(void)state;
	need_tools();
	snprintf(img, sizeof(img), "%s/unwr.img", dir);
	sh("mkdir -p %s/unwr && printf abc > %s/unwr/pre", dir, dir);
	assert_int_equal(sh("/usr/bin/python3 -c \"open('%s','wb')"
			    ".write(b'\\xaa'*(16<<20))\" && mkfs.ext4 -q -F "
			    "-E nodiscard -b 1024 -d %s/unwr %s && "
			    "debugfs -w -R 'fallocate /pre 0 99' %s && "
			    "debugfs -w -R 'sif /pre size 102400' %s",
			    img, dir, img, img, img), 0);
	assert_int_equal(sh("debugfs -R 'stat /pre' %s 2>/dev/null | "
			    "grep -q '\\[u\\]'", img), 0);
	assert_int_equal(img_open(&im, img, 512), 0);
	assert_int_equal(slurp(im.v, "/pre", &b, &len, 1 << 20), 0);
	assert_int_equal(len, 102400);
	want = calloc(1, len);
	memcpy(want, "abc", 3);
	assert_memory_equal(b, want, len);
	free(want);
	free(b);
	img_close(&im);
	unlink(img);
}

/* Read one fs block of an image file raw. */
static void raw_block(const char *img, unsigned bs, uint64_t blk, uint8_t *b)
{
	int fd = open(img, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, bs, (off_t)(blk * bs)), bs);
	close(fd);
}

static uint64_t first_block(const char *img, const char *path)
{
	char cmd[512];
	unsigned long long blk = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "debugfs -R 'blocks %s' %s 2>/dev/null",
		 path, img);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llu", &blk), 1);
	pclose(p);
	return blk;
}

/* The root folder's new block exists only in the journal: the file is
 * found under its new name thanks to the replay alone. */
static void test_journal(void **state)
{
	char img[128], nb[160];
	uint8_t b[1024], *data;
	struct seen s = { 0 };
	struct img im;
	uint64_t blk;
	size_t len;
	uint8_t *hit;

	(void)state;
	need_tools();
	assert_true(mkimg(img, sizeof(img), "jnl", "mkfs.ext4", "-b 1024",
			  "src", "96M"));
	blk = first_block(img, "/");
	raw_block(img, 1024, blk, b);
	hit = memmem(b, sizeof(b), "small.txt", 9);
	assert_non_null(hit);
	*hit = 'j';
	snprintf(nb, sizeof(nb), "%s/newroot", dir);
	{
		FILE *f = fopen(nb, "wb");

		assert_non_null(f);
		fwrite(b, 1, sizeof(b), f);
		fclose(f);
	}
	assert_int_equal(sh("printf 'jo\\njw -b %llu %s\\njc\\n' | "
			    "debugfs -w -f - %s >/dev/null 2>&1",
			    (unsigned long long)blk, nb, img), 0);
	assert_int_equal(sh("dumpe2fs -h %s 2>/dev/null | grep -q "
			    "needs_recovery", img), 0);
	/* The device itself still has the old name. */
	raw_block(img, 1024, blk, b);
	assert_non_null(memmem(b, sizeof(b), "small.txt", 9));
	assert_int_equal(img_open(&im, img, 512), 0);
	assert_int_equal(slurp(im.v, "/jmall.txt", &data, &len, 4096), 0);
	assert_int_equal(len, 12);
	free(data);
	assert_int_equal(slurp(im.v, "/small.txt", &data, &len, 4096),
			 BT_ENOENT);
	free(data);
	assert_int_equal(im.v->ops->list(im.v, "/", seen_cb, &s), 0);
	assert_false(s.small);
	check_file(im.v, "/big.bin", "src/big.bin");
	img_close(&im);
	unlink(img);
	unlink(nb);
}

static void poke(const char *img, uint64_t off, const void *data, size_t n)
{
	int fd = open(img, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static void expect_why(struct volume *v, const char *path, int rc,
		       const char *words)
{
	struct vfile *f;

	assert_int_equal(v->ops->open(v, path, &f), rc);
	assert_non_null(v->why);
	if (!strstr(v->why, words) || !strstr(v->why, "disk "))
		fail_msg("message '%s' lacks '%s'", v->why, words);
}

static void test_bad_superblocks(void **state)
{
	char img[128];
	uint8_t b[4];
	struct img im;

	(void)state;
	need_tools();
	snprintf(img, sizeof(img), "%s/zero.img", dir);
	sh("truncate -s 1M %s", img);
	assert_int_equal(img_open(&im, img, 512), BT_ENOENT);
	img_close(&im);
	assert_true(mkimg(img, sizeof(img), "feat", "mkfs.ext4", "", "src",
			  "96M"));
	raw_block(img, 4, 1024 / 4 + 0x60 / 4, b);
	b[2] |= 0x04;		/* incompat 0x40000: unknown */
	poke(img, 1024 + 0x60, b, 4);
	assert_int_equal(img_open(&im, img, 512), BT_EUNSUPP);
	assert_non_null(strstr(im.err, "feature 'unknown' (incompat 0x40000)"));
	assert_non_null(strstr(im.err, "disk "));
	img_close(&im);
	b[2] &= ~0x04;
	b[0] |= 0x01;		/* compression */
	poke(img, 1024 + 0x60, b, 4);
	assert_int_equal(img_open(&im, img, 512), BT_EUNSUPP);
	assert_non_null(strstr(im.err, "feature 'compression' (incompat 0x1)"));
	img_close(&im);
	unlink(img);
}

static void test_damaged(void **state)
{
	char img[128];
	uint8_t b[1024];
	uint64_t blk;
	struct img im;
	struct seen s;

	(void)state;
	need_tools();
	assert_true(mkimg(img, sizeof(img), "bad", "mkfs.ext4", "-b 1024",
			  "src", "96M"));
	/* An extent past the end of the device; a directory that contains
	 * itself; two symlinks pointing at each other. */
	assert_int_equal(sh("debugfs -w -R 'sif /medium.bin block[5] "
			    "99999999' %s >/dev/null 2>&1 && "
			    "debugfs -w -R 'ln /dir1 /dir1/loop' %s && "
			    "debugfs -w -R 'symlink /la /lb' %s && "
			    "debugfs -w -R 'symlink /lb /la' %s",
			    img, img, img, img), 0);
	/* A symlink whose 200 components lead back to it: 40 of them are
	 * more components than a walk takes. */
	{
		char target[1100] = "";
		int i;

		for (i = 0; i < 200; i++)
			strcat(target, "loop/");
		strcat(target, "l");
		assert_int_equal(sh("debugfs -w -R 'symlink /dir1/l %s' %s "
				    ">/dev/null 2>&1", target, img), 0);
	}
	assert_int_equal(img_open(&im, img, 512), 0);
	expect_why(im.v, "/medium.bin", BT_EIO,
		   "block 100000291 of /medium.bin is past the end of the "
		   "device (98304 blocks)");
	expect_why(im.v, "/la", BT_ELOOP, "/la: too many levels of symbolic "
		   "links");
	check_file(im.v, "/dir1/loop/loop/dir2/deep.txt",
		   "src/dir1/dir2/deep.txt");
	expect_why(im.v, "/dir1/l", BT_ELOOP, "/dir1/l: too many path "
		   "components");
	img_close(&im);
	/* rec_len 0 in the root folder. */
	blk = first_block(img, "/");
	raw_block(img, 1024, blk, b);
	b[4] = b[5] = 0;
	poke(img, blk * 1024, b, sizeof(b));
	assert_int_equal(img_open(&im, img, 512), 0);
	expect_why(im.v, "/small.txt", BT_EINVAL,
		   "/small.txt: damaged directory entry (rec_len 0 at byte 0)");
	memset(&s, 0, sizeof(s));
	assert_int_equal(im.v->ops->list(im.v, "/", seen_cb, &s), BT_EINVAL);
	img_close(&im);
	unlink(img);
	/* A truncated image: big.bin's blocks are past its end. */
	assert_true(mkimg(img, sizeof(img), "trunc", "mkfs.ext4", "-b 1024",
			  "src", "96M"));
	sh("truncate -s 8M %s", img);
	assert_int_equal(img_open(&im, img, 512), 0);
	expect_why(im.v, "/big.bin", BT_EIO, "of /big.bin is past the end of "
		   "the device (8192 blocks)");
	img_close(&im);
	unlink(img);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(variants) / sizeof(variants[0]) + 16];
	size_t n = 0, i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct CMUnitTest t = { variants[i].name, test_variant, NULL,
					NULL, (void *)&variants[i] };

		tests[n++] = t;
	}
	{
		const struct CMUnitTest more[] = {
			cmocka_unit_test(test_reads_are_few),
			cmocka_unit_test(test_registry),
			cmocka_unit_test(test_large_dir),
			cmocka_unit_test(test_huge_sparse),
			cmocka_unit_test(test_unwritten),
			cmocka_unit_test(test_journal),
			cmocka_unit_test(test_bad_superblocks),
			cmocka_unit_test(test_damaged),
		};

		for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
			tests[n++] = more[i];
	}
	return _cmocka_run_group_tests("ext4", tests, n, group_setup,
				       group_teardown);
}
