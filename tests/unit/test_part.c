/*
 * Tests for fs/part.c and fs/loop.c: GPT and MBR disks made with sgdisk and
 * sfdisk (and by hand, for the broken ones), the partitions the registry
 * makes of them, the platform's partitions learning their types, and image
 * files opened as disks through iso(...) paths.
 *
 * The host has no driver for a real file system (FAT is the firmware's),
 * so the disks hold "testfs": a magic at byte 0 of a device, a length, and
 * one file, /hello, made of the bytes after it.
 */
#include <fcntl.h>
#include <unistd.h>
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "fs/fs.h"
#include "fs/part.h"
#include "lib/bytes.h"
#include "lib/sha256.h"

#define TESTFS_MAGIC "TESTFS01"
#define TESTFS_HDR 16
#define ESP_TYPE "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define LINUX_TYPE "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* --- testfs: a one-file file system for these tests ------------------- */

struct tvol {
	struct volume v;
	struct blockdev *bd;
	uint32_t len;
};

struct tfile {
	struct vfile f;
	struct tvol *tv;
};

static int tf_read_at(struct vfile *vf, uint64_t off, void *buf, size_t len,
		      size_t *got)
{
	struct tfile *f = (struct tfile *)vf;

	*got = off >= vf->size ? 0 : vf->size - off < len ? vf->size - off : len;
	return *got ? blockdev_read_bytes(f->tv->bd, TESTFS_HDR + off, buf,
					  *got) : 0;
}

static void tf_close(struct vfile *vf)
{
	free(vf);
}

static const struct vfile_ops tf_ops = { tf_read_at, tf_close };

static int tv_open(struct volume *v, const char *path, struct vfile **out)
{
	struct tfile *f;

	if (strcmp(path, "/hello"))
		return BT_ENOENT;
	f = calloc(1, sizeof(*f));
	f->f.ops = &tf_ops;
	f->f.why = NULL;
	f->f.size = ((struct tvol *)v)->len;
	f->f.seekable = true;
	f->tv = (struct tvol *)v;
	*out = &f->f;
	return 0;
}

static void tv_free(struct volume *v)
{
	free(v->name);
	free(v->partuuid);
	free(v->parttype);
	free(v);
}

static const struct volume_ops tv_ops = { .open = tv_open, .free = tv_free };

static int testfs_probe(struct blockdev *bd, struct volume **out, char *err,
			size_t errlen)
{
	uint8_t hdr[TESTFS_HDR];
	struct tvol *tv;

	if (blockdev_read_bytes(bd, 0, hdr, sizeof(hdr)) ||
	    memcmp(hdr, TESTFS_MAGIC, 8))
		return BT_ENOENT;
	if (get32(hdr + 8) > bd->blocks * bd->block_size - TESTFS_HDR) {
		snprintf(err, errlen, "%s: testfs: file past the end", bd->name);
		return BT_EFORMAT;
	}
	tv = calloc(1, sizeof(*tv));
	tv->v.ops = &tv_ops;
	tv->v.name = strdup(bd->name);
	tv->v.partuuid = bd->partuuid ? strdup(bd->partuuid) : NULL;
	tv->v.parttype = bd->parttype ? strdup(bd->parttype) : NULL;
	tv->v.fstype = "testfs";
	tv->bd = bd;
	tv->len = get32(hdr + 8);
	*out = &tv->v;
	return 0;
}

static const struct fs_driver testfs = { "testfs", testfs_probe };
static const struct fs_driver *const test_drivers[] = { &testfs, NULL };

/* A testfs image of data[0..len) in buf (TESTFS_HDR + len bytes). */
static size_t testfs_make(uint8_t *buf, const void *data, size_t len)
{
	memcpy(buf, TESTFS_MAGIC, 8);
	put32(buf + 8, (uint32_t)len);
	put32(buf + 12, 0);
	memcpy(buf + TESTFS_HDR, data, len);
	return TESTFS_HDR + len;
}

/* --- images ------------------------------------------------------------- */

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* A new empty image file of size bytes; its name in path. */
static void new_image(char *path, size_t pathlen, uint64_t size)
{
	int fd;

	snprintf(path, pathlen, "/tmp/baton-part-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		fail_msg("failed: %s", cmd);
}

static void write_at(const char *path, uint64_t off, const void *data,
		     size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* Put a testfs holding text at sector lba of the image. */
static void put_testfs(const char *path, uint64_t lba, const char *text)
{
	uint8_t buf[512];

	write_at(path, lba * 512, buf, testfs_make(buf, text, strlen(text)));
}

/* sgdisk's GUID (field "Partition GUID code" or "Partition unique GUID")
 * of partition n, lower case. */
static void sgdisk_guid(const char *img, int n, const char *field, char out[37])
{
	char cmd[512], line[256];
	FILE *p;
	size_t i;

	snprintf(cmd, sizeof(cmd), "sgdisk -i %d %s", n, img);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	while (fgets(line, sizeof(line), p))
		if (!strncmp(line, field, strlen(field)))
			snprintf(out, 37, "%s", line + strlen(field) + 2);
	pclose(p);
	assert_int_equal(strlen(out), 36);
	for (i = 0; i < 36; i++)
		out[i] = (char)to_lower((unsigned char)out[i]);
}

#define assert_string_contains(s, part) do { \
	const char *s_ = (s); \
	if (!strstr(s_, (part))) \
		fail_msg("'%s' does not contain '%s'", s_, (part)); \
} while (0)

/* The reports fs_probe gave, one per line. */
static char reports[2048];

static void collect(void *ctx, const char *msg)
{
	size_t n = strlen(reports);

	snprintf(reports + n, sizeof(reports) - n, "%s\n", msg);
}

/* Read the file at text (a path) whole and compare it with want[0..len). */
static void expect_bytes(struct rig *r, const char *text, const void *want,
			 size_t want_len)
{
	struct path p;
	uint8_t d1[SHA256_LEN], d2[SHA256_LEN];
	void *buf;
	size_t len;

	assert_int_equal(path_parse(text, NULL, &p, r->err, sizeof(r->err)), 0);
	if (fs_read_all(&r->fw.fs, &p, &buf, &len, r->err, sizeof(r->err)))
		fail_msg("%s: %s", text, r->err);
	sha256_digest(buf, len, d1);
	sha256_digest(want, want_len, d2);
	assert_int_equal(len, want_len);
	assert_memory_equal(d1, d2, SHA256_LEN);
	bt_free(buf);
	path_free(&p);
}

static void expect_file(struct rig *r, const char *text, const char *want)
{
	expect_bytes(r, text, want, strlen(want));
}

/* The error reading text gives; asserts it fails with rc. */
static const char *expect_error(struct rig *r, const char *text, int rc)
{
	struct path p;
	void *buf = NULL;
	size_t len;

	assert_int_equal(path_parse(text, NULL, &p, r->err, sizeof(r->err)), 0);
	assert_int_equal(fs_read_all(&r->fw.fs, &p, &buf, &len, r->err,
				     sizeof(r->err)), rc);
	assert_null(buf);
	path_free(&p);
	return r->err;
}

/* The volume named name, or NULL. */
static struct volume *volume_named(struct fs *fs, const char *suffix)
{
	size_t i, n = strlen(suffix);

	for (i = 0; i < fs->n_vols; i++) {
		const char *name = fs->vols[i]->name;
		size_t l = strlen(name);

		if (l >= n && !strcmp(name + l - n, suffix))
			return fs->vols[i];
	}
	return NULL;
}

/* A rig with testfs and one file-backed disk (512-byte blocks). */
static void rig_with_disk(struct rig *r, struct host_blockdev *hb,
			  const char *img)
{
	rig_init(r, 0);
	r->fw.fs.drivers = test_drivers;
	rig_disk(r, hb, img, 0, 512);
	hb->bd.is_disk = true;
	reports[0] = '\0';
}

/* A GPT disk of three partitions (ESP, Linux, Windows data) on 2 MiB. */
static void make_gpt(char *img, size_t len)
{
	new_image(img, len, 2 << 20);
	run("sgdisk -n 1:2048:+256K -t 1:ef00 -n 2:2560:+256K -t 2:8300 "
	    "-n 3:3072:+128K -t 3:0700 %s >/dev/null", img);
	put_testfs(img, 2048, "the ESP's hello");
	put_testfs(img, 2560, "the root's hello");
}

/* --- partition tables --------------------------------------------------- */

static void test_gpt(void **state)
{
	struct host_blockdev hb;
	struct rig r;
	char img[64], guid[37], type[37], name[400];
	uint8_t mbr[512];
	int fd, n;

	if (!have("sgdisk"))
		skip();
	make_gpt(img, sizeof(img));
	fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, mbr, 512, 0), 512);
	close(fd);
	assert_int_equal(mbr[446 + 4], 0xee);	/* protective */
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	assert_string_equal(reports, "");
	assert_int_equal(r.fw.fs.n_owned, 3);
	for (n = 1; n <= 3; n++) {
		struct blockdev *bd = r.fw.fs.owned[n - 1];

		sgdisk_guid(img, n, "Partition unique GUID", guid);
		sgdisk_guid(img, n, "Partition GUID code", type);
		snprintf(name, sizeof(name), "disk %s partition %d", img, n);
		assert_string_equal(bd->name, name);
		assert_string_equal(bd->partuuid, guid);
		assert_string_equal(bd->parttype, type);
		assert_false(bd->is_disk);
		assert_false(bd->is_boot);
		assert_null(bd->handle);
		assert_int_equal(bd->block_size, 512);
	}
	assert_string_equal(r.fw.fs.owned[0]->parttype, ESP_TYPE);
	assert_string_equal(r.fw.fs.owned[1]->parttype, LINUX_TYPE);
	assert_int_equal(r.fw.fs.owned[2]->blocks, 256);
	/* partuuid= names a partition's volume; its types come along. */
	sgdisk_guid(img, 2, "Partition unique GUID", guid);
	snprintf(name, sizeof(name), "partuuid=%s:/hello", guid);
	expect_file(&r, name, "the root's hello");
	assert_string_equal(volume_named(&r.fw.fs, "partition 2")->parttype,
			    LINUX_TYPE);
	sgdisk_guid(img, 1, "Partition unique GUID", guid);
	snprintf(name, sizeof(name), "partuuid=%s:/hello", guid);
	expect_file(&r, name, "the ESP's hello");
	assert_null(volume_named(&r.fw.fs, "partition 3"));	/* empty */
	rig_free(&r);
	unlink(img);
}

/* Corrupt bytes of the image at off. */
static void corrupt(const char *img, uint64_t off)
{
	write_at(img, off, "\xff\x00\xff", 3);
}

static void test_gpt_backup(void **state)
{
	static const struct {
		uint64_t off;
		const char *why;
	} cases[] = {
		{ 512 + 40, "(header CRC mismatch)" },		/* first usable */
		{ 512, "(no header)" },				/* signature */
		{ 1024 + 200, "(entry array CRC mismatch)" },
	};
	struct host_blockdev hb;
	struct rig r;
	char img[64], want[200];
	size_t i;

	if (!have("sgdisk"))
		skip();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_gpt(img, sizeof(img));
		corrupt(img, cases[i].off);
		rig_with_disk(&r, &hb, img);
		fs_probe(&r.fw.fs, false, collect, NULL);
		snprintf(want, sizeof(want), "disk %s: GPT: the primary table "
			 "is bad %s; using the backup\n", img, cases[i].why);
		assert_string_equal(reports, want);
		assert_int_equal(r.fw.fs.n_owned, 3);
		assert_non_null(volume_named(&r.fw.fs, "partition 2"));
		rig_free(&r);
		unlink(img);
	}
	/* Both copies bad: reported, and the disk is still a disk. */
	make_gpt(img, sizeof(img));
	corrupt(img, 512 + 40);
	corrupt(img, (2 << 20) - 512 + 40);
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	snprintf(want, sizeof(want), "disk %s: GPT: primary: header CRC "
		 "mismatch; backup: header CRC mismatch\n", img);
	assert_string_equal(reports, want);
	assert_int_equal(r.fw.fs.n_owned, 0);
	rig_free(&r);
	unlink(img);
}

static void test_gpt_past_end(void **state)
{
	struct host_blockdev hb;
	struct rig r;
	char img[64], want[300];

	if (!have("sgdisk"))
		skip();
	new_image(img, sizeof(img), 4 << 20);
	run("sgdisk -n 1:2048:+256K -n 2:6144:+512K %s >/dev/null", img);
	put_testfs(img, 2048, "still here");
	assert_int_equal(truncate(img, 2 << 20), 0);	/* loses the backup */
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	snprintf(want, sizeof(want), "disk %s: partition 2 (sectors 6144+1024) "
		 "is past the end (4096 sectors); skipped\n", img);
	assert_string_equal(reports, want);
	assert_int_equal(r.fw.fs.n_owned, 1);
	assert_non_null(volume_named(&r.fw.fs, "partition 1"));
	rig_free(&r);
	unlink(img);
}

static void test_mbr(void **state)
{
	static const char *const want_types[] = { "mbr:83", "mbr:0c", "mbr:83" };
	static const char *const want_names[] = { "1", "5", "6" };
	struct host_blockdev hb;
	struct rig r;
	char img[64], name[400];
	struct volume *v;
	size_t i;

	if (!have("sfdisk"))
		skip();
	new_image(img, sizeof(img), 2 << 20);
	run("printf 'label: dos\\nstart=2048, size=512, type=83\\n"
	    "start=3072, size=1000, type=5\\nstart=3200, size=100, type=c\\n"
	    "start=3400, size=100, type=83\\n' | sfdisk -q %s", img);
	put_testfs(img, 2048, "primary");
	put_testfs(img, 3200, "first logical");
	put_testfs(img, 3400, "second logical");
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	assert_string_equal(reports, "");
	assert_int_equal(r.fw.fs.n_owned, 3);	/* not the extended one */
	for (i = 0; i < 3; i++) {
		struct blockdev *bd = r.fw.fs.owned[i];

		snprintf(name, sizeof(name), "disk %s partition %s", img,
			 want_names[i]);
		assert_string_equal(bd->name, name);
		assert_string_equal(bd->parttype, want_types[i]);
		assert_null(bd->partuuid);
	}
	assert_int_equal(r.fw.fs.owned[1]->blocks, 100);
	v = volume_named(&r.fw.fs, "partition 6");
	assert_non_null(v);
	assert_string_equal(v->parttype, "mbr:83");
	rig_free(&r);
	unlink(img);
}

/* An MBR entry in sec at slot i. */
static void mbr_set(uint8_t *sec, int i, uint8_t type, uint32_t start,
		    uint32_t count)
{
	uint8_t *e = sec + 446 + 16 * i;

	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, count);
	sec[510] = 0x55;
	sec[511] = 0xaa;
}

/* A hand-made extended chain of links boot records at sectors 100, 104,
 * ..., each holding one logical partition of 2 sectors. */
static void make_chain(const char *img, int links)
{
	uint8_t sec[512] = { 0 };
	int i;

	mbr_set(sec, 0, 0x0f, 100, 4 * (uint32_t)links + 100);
	write_at(img, 0, sec, 512);
	for (i = 0; i < links; i++) {
		memset(sec, 0, sizeof(sec));
		mbr_set(sec, 0, 0x83, 1, 2);
		if (i + 1 < links)
			mbr_set(sec, 1, 0x05, 4 * (uint32_t)(i + 1), 4);
		write_at(img, (100 + 4 * (uint64_t)i) * 512, sec, 512);
	}
}

static void test_ebr_bounds(void **state)
{
	struct host_blockdev hb;
	struct rig r;
	char img[64], want[300];
	uint8_t sec[512] = { 0 };

	/* A chain that loops: the third record links back to the second. */
	new_image(img, sizeof(img), 1 << 20);
	make_chain(img, 3);
	mbr_set(sec, 0, 0x83, 1, 2);
	mbr_set(sec, 1, 0x05, 4, 4);
	write_at(img, (100 + 8) * 512, sec, 512);
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	snprintf(want, sizeof(want), "disk %s: MBR: the chain of logical "
		 "partitions loops\n", img);
	assert_string_equal(reports, want);
	assert_int_equal(r.fw.fs.n_owned, 3);	/* each once */
	snprintf(want, sizeof(want), "disk %s partition 7", img);
	assert_string_equal(r.fw.fs.owned[2]->name, want);
	assert_int_equal(r.fw.fs.owned[2]->blocks, 2);
	rig_free(&r);
	unlink(img);

	/* A chain of 70: the first 64 are followed. */
	new_image(img, sizeof(img), 1 << 20);
	make_chain(img, 70);
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	snprintf(want, sizeof(want), "disk %s: MBR: more than 64 logical "
		 "partitions\n", img);
	assert_string_equal(reports, want);
	assert_int_equal(r.fw.fs.n_owned, 64);
	snprintf(want, sizeof(want), "disk %s partition 68", img);
	assert_string_equal(r.fw.fs.owned[63]->name, want);
	rig_free(&r);
	unlink(img);
}

/* A hybrid layout: a file system on the whole disk, an MBR whose first
 * partition is the whole disk again (skipped), and a real one after it;
 * and a partition past the end. */
static void test_hybrid(void **state)
{
	struct host_blockdev hb;
	struct rig r;
	char img[64], want[300];
	uint8_t sec[512] = { 0 };

	new_image(img, sizeof(img), 1 << 20);
	testfs_make(sec, "the whole disk", 14);
	mbr_set(sec, 0, 0xcd, 0, 2048);
	mbr_set(sec, 1, 0xef, 100, 200);
	mbr_set(sec, 2, 0x83, 2000, 100);
	write_at(img, 0, sec, 512);
	put_testfs(img, 100, "the ESP image");
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	snprintf(want, sizeof(want), "disk %s: partition 3 (sectors 2000+100) "
		 "is past the end (2048 sectors); skipped\n", img);
	assert_string_equal(reports, want);
	assert_int_equal(r.fw.fs.n_owned, 1);
	assert_string_equal(r.fw.fs.owned[0]->parttype, "mbr:ef");
	assert_int_equal(r.fw.fs.n_vols, 3);	/* boot, whole disk, ESP */
	assert_string_equal(r.fw.fs.vols[1]->name + strlen(r.fw.fs.vols[1]->name) -
			    strlen(img), img);
	assert_null(r.fw.fs.vols[1]->parttype);	/* the whole disk */
	assert_string_equal(r.fw.fs.vols[2]->parttype, "mbr:ef");
	rig_free(&r);
	unlink(img);

	/* A FAT-like boot sector (55 AA, code where entries would be) is
	 * not a table. */
	new_image(img, sizeof(img), 1 << 20);
	memset(sec, 0, sizeof(sec));
	memset(sec + 446, 'x', 64);
	sec[510] = 0x55;
	sec[511] = 0xaa;
	write_at(img, 0, sec, 512);
	rig_with_disk(&r, &hb, img);
	fs_probe(&r.fw.fs, false, collect, NULL);
	assert_string_equal(reports, "");
	assert_int_equal(r.fw.fs.n_owned, 0);
	rig_free(&r);
	unlink(img);
}

/* The platform offers the partitions itself: they only learn their type. */
static void test_platform_parts(void **state)
{
	struct host_blockdev hb, part;
	struct rig r;
	char img[64], guid[37];

	if (!have("sgdisk"))
		skip();
	make_gpt(img, sizeof(img));
	sgdisk_guid(img, 2, "Partition unique GUID", guid);
	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	reports[0] = '\0';
	/* The partition first: types are set before any device is probed. */
	rig_disk(&r, &part, img, 2560 * 512, 512);
	part.bd.partuuid = guid;
	rig_disk(&r, &hb, img, 0, 512);
	hb.bd.is_disk = true;
	hb.bd.platform_parts = true;
	fs_probe(&r.fw.fs, false, collect, NULL);
	assert_string_equal(reports, "");
	assert_int_equal(r.fw.fs.n_owned, 0);
	assert_string_equal(part.bd.parttype, LINUX_TYPE);
	assert_null(hb.bd.parttype);
	assert_string_equal(volume_named(&r.fw.fs, img)->parttype, LINUX_TYPE);
	rig_free(&r);
	unlink(img);
}

/* --- image files ---------------------------------------------------------- */

/* A 4 KiB image (a multiple of 2048: 2048-byte blocks) holding text. */
static uint8_t *iso_like(const char *text, size_t *len)
{
	uint8_t *img = calloc(1, 4096);

	testfs_make(img, text, strlen(text));
	*len = 4096;
	return img;
}

static void test_image_file(void **state)
{
	struct rig r;
	struct blockdev *bd;
	struct path p;
	size_t len;
	uint8_t *img = iso_like("inside the image", &len);
	char pinned[200], hex[65];
	uint8_t digest[SHA256_LEN];

	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/isos/a.iso", img, len);
	expect_file(&r, "iso(/isos/a.iso):/hello", "inside the image");
	assert_int_equal(r.fw.fs.n_owned, 1);
	bd = r.fw.fs.owned[0];
	assert_string_equal(bd->name, "iso(/isos/a.iso)");
	assert_int_equal(bd->block_size, 2048);
	assert_int_equal(bd->blocks, 2);
	assert_true(bd->is_disk);
	assert_false(bd->platform_parts);
	/* Opened once, however it is named. */
	expect_file(&r, "iso(//isos/./a.iso):hello", "inside the image");
	assert_int_equal(r.fw.fs.n_owned, 1);
	assert_int_equal(r.boot.opens, 1);
	assert_int_equal(path_parse("/isos/a.iso", NULL, &p, NULL, 0), 0);
	assert_int_equal(fs_image_device(&r.fw.fs, &p, &bd, r.err,
					 sizeof(r.err)), 0);
	assert_ptr_equal(bd, r.fw.fs.owned[0]);
	path_free(&p);
	/* The image's pin is checked when it is opened. */
	sha256_digest(img, len, digest);
	sha256_hex(digest, hex);
	snprintf(pinned, sizeof(pinned), "iso(/isos/a.iso#sha256=%s):/hello", hex);
	expect_file(&r, pinned, "inside the image");
	assert_int_equal(r.fw.fs.n_owned, 2);	/* a different key */
	assert_string_contains(expect_error(&r, "iso(/isos/a.iso#sha256="
					    HEX64 "):/hello", BT_EHASH),
			       "/isos/a.iso: SHA-256 mismatch");
	/* The file inside, pinned. */
	sha256_digest("inside the image", 16, digest);
	sha256_hex(digest, hex);
	snprintf(pinned, sizeof(pinned), "iso(/isos/a.iso):/hello#sha256=%s",
		 hex);
	expect_file(&r, pinned, "inside the image");
	assert_string_contains(expect_error(&r, "iso(/isos/a.iso):/hello"
					    "#sha256=" HEX64, BT_EHASH),
			       "iso(/isos/a.iso):/hello: SHA-256 mismatch");
	assert_string_contains(expect_error(&r, "iso(/isos/a.iso):/nope",
					    BT_ENOENT),
			       "iso(/isos/a.iso):/nope: file not found");
	assert_string_contains(expect_error(&r, "iso(/isos/b.iso):/hello",
					    BT_ENOENT),
			       "iso(/isos/b.iso):/hello: /isos/b.iso: file not "
			       "found");
	rig_free(&r);
	free(img);
}

/* An odd-sized image has 512-byte blocks; one with nothing readable says so. */
static void test_image_errors(void **state)
{
	static const char junk[1536] = "not a file system";
	struct rig r;
	size_t len;
	uint8_t *img = iso_like("x", &len);

	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/junk.img", junk, sizeof(junk));
	rig_file(&r, "/odd.img", img, 1536);
	assert_string_equal(expect_error(&r, "iso(/junk.img):/hello",
					 BT_EFORMAT),
			    "iso(/junk.img):/hello: iso(/junk.img): no file "
			    "system found in the image (baton reads ISO 9660 "
			    "and ext4 inside image files)");
	/* Cached, with the same answer. */
	expect_error(&r, "iso(/junk.img):/hello", BT_EFORMAT);
	assert_int_equal(r.fw.fs.n_owned, 1);
	expect_file(&r, "iso(/odd.img):/hello", "x");
	assert_int_equal(r.fw.fs.owned[1]->block_size, 512);
	assert_int_equal(r.fw.fs.owned[1]->blocks, 3);
	rig_free(&r);

	/* A source that cannot seek cannot hold an image. */
	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/x.iso", img, len);
	r.boot.no_seek = true;
	assert_string_equal(expect_error(&r, "iso(/x.iso):/hello", BT_EUNSUPP),
			    "iso(/x.iso):/hello: iso(/x.iso): the image file "
			    "is on a source that cannot seek");
	assert_int_equal(r.fw.fs.n_owned, 0);
	rig_free(&r);
	free(img);
}

/* A GPT disk image as a file: the volume is its first partition's. */
static void test_image_with_partitions(void **state)
{
	struct rig r;
	char img[64];
	uint8_t *data = malloc(2 << 20);
	int fd;

	if (!have("sgdisk"))
		skip();
	make_gpt(img, sizeof(img));
	fd = open(img, O_RDONLY);
	assert_int_equal(read(fd, data, 2 << 20), 2 << 20);
	close(fd);
	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/disk.img", data, 2 << 20);
	expect_file(&r, "iso(/disk.img):/hello", "the ESP's hello");
	assert_int_equal(r.fw.fs.n_owned, 4);	/* the image, 3 partitions */
	assert_string_equal(r.fw.fs.owned[2]->name,
			    "iso(/disk.img) partition 2");
	assert_string_equal(r.fw.fs.owned[2]->parttype, LINUX_TYPE);
	rig_free(&r);
	unlink(img);
	free(data);
}

/* Images inside images, up to four deep. */
static void test_nested(void **state)
{
	static const char *const texts[] = {
		"iso(/i4):/hello",
		"iso(iso(/i4):/hello):/hello",
		"iso(iso(iso(/i4):/hello):/hello):/hello",
		"iso(iso(iso(iso(/i4):/hello):/hello):/hello):/hello",
	};
	struct path p = { PATH_SRC_ISO, (char *)texts[3], (char *)"/hello",
			  false, { 0 } };
	uint8_t *levels[5];
	size_t len[5], i;
	void *buf;
	struct rig r;

	/* levels[0] is the innermost: the text; each outer one holds it. */
	levels[0] = (uint8_t *)strdup("the innermost hello");
	len[0] = strlen((char *)levels[0]);
	for (i = 1; i < 5; i++) {
		len[i] = (TESTFS_HDR + len[i - 1] + 511) / 512 * 512;
		levels[i] = calloc(1, len[i]);
		testfs_make(levels[i], levels[i - 1], len[i - 1]);
	}
	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/i4", levels[4], len[4]);
	for (i = 0; i < 4; i++)
		expect_bytes(&r, texts[i], levels[3 - i], len[3 - i]);
	assert_int_equal(r.fw.fs.n_owned, 4);
	rig_free(&r);
	/* A fifth level (written by hand: the parser refuses it). */
	rig_init(&r, 0);
	r.fw.fs.drivers = test_drivers;
	rig_file(&r, "/i4", levels[4], len[4]);
	assert_int_equal(fs_read_all(&r.fw.fs, &p, &buf, &len[0], r.err,
				     sizeof(r.err)), BT_ELOOP);
	assert_string_contains(r.err, "image files nested more than 4 deep");
	assert_int_equal(r.fw.fs.n_owned, 0);	/* nothing was opened */
	rig_free(&r);
	for (i = 0; i < 5; i++)
		free(levels[i]);
}

/* Out of memory anywhere while an image is opened: an error, no leak. */
static void test_image_oom(void **state)
{
	size_t len;
	uint8_t *img = iso_like("oom", &len);
	long n;

	for (n = 0; n < 40; n++) {
		struct rig r;
		struct path p;
		void *buf = NULL;
		size_t got;
		int rc;

		rig_init(&r, 0);
		r.fw.fs.drivers = test_drivers;
		rig_file(&r, "/a.iso", img, len);
		assert_int_equal(path_parse("iso(/a.iso):/hello", NULL, &p,
					    NULL, 0), 0);
		host_alloc_fail_after(n);
		rc = fs_read_all(&r.fw.fs, &p, &buf, &got, r.err,
				 sizeof(r.err));
		host_alloc_fail_after(-1);
		if (rc == 0)
			assert_memory_equal(buf, "oom", 3);
		else
			assert_true(rc == BT_ENOMEM || rc == BT_EFORMAT);
		bt_free(buf);
		path_free(&p);
		rig_free(&r);
	}
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_gpt_backup),
		cmocka_unit_test(test_gpt_past_end),
		cmocka_unit_test(test_mbr),
		cmocka_unit_test(test_ebr_bounds),
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_platform_parts),
		cmocka_unit_test(test_image_file),
		cmocka_unit_test(test_image_errors),
		cmocka_unit_test(test_image_with_partitions),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_image_oom),
	};

	return cmocka_run_group_tests_name("part", tests, NULL, NULL);
}
