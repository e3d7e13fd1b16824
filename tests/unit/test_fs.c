/*
 * Unit tests for fs/: the registry and its resolvers, file-backed block
 * devices under the firmware-FAT volume kind, and the one reading path
 * (streams, fs_load, fs_read_all) with its pins, sizes and messages.
 */
#include <unistd.h>
#include "tests/unit/helpers.h"
#include "tests/unit/memvol.h"
#include "tests/unit/rig.h"
#include "fs/fs.h"
#include "lib/sha256.h"
#include "firmware/host/host.h"

static const struct memfile boot_files[] = {
	{ "/EFI", NULL, 0 },
	{ "/EFI/BOOT", NULL, 0 },
	{ "/EFI/BOOT/baton.conf", "timeout 3\n", 0 },
	{ "/abc", "abc", 0 },
};
static const struct memfile data_files[] = {
	{ "/vmlinuz", "kernel bytes", 0 },
};

struct fixture {
	struct memvol boot, data, extra;	/* extra: a test's own */
	struct fs fs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	memvol_init(&f->boot, boot_files, 4);
	f->boot.v.is_boot = true;
	f->boot.v.label = "ESP";
	memvol_init(&f->data, data_files, 1);
	f->data.v.label = "DATA";
	f->data.v.fsuuid = "ABCD-1234";
	f->data.v.partuuid = "0fc63daf-8483-4772-8e79-3d69d8477de4";
	fs_init(&f->fs);
	assert_int_equal(fs_add_volume(&f->fs, &f->boot.v), 0);
	assert_int_equal(fs_add_volume(&f->fs, &f->data.v), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fs_free(&f->fs);
	free(f);
	return 0;
}

static struct path mkpath(enum path_source src, const char *arg, const char *file)
{
	struct path p = { .source = src, .arg = (char *)arg, .file = (char *)file };

	return p;
}

static void test_read_boot(void **state)
{
	struct fixture *f = *state;
	struct path p = mkpath(PATH_SRC_BOOT, NULL, "/EFI/BOOT/baton.conf");
	char err[200];
	void *buf;
	size_t len;

	assert_int_equal(fs_read_all(&f->fs, &p, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "timeout 3\n");	/* NUL-terminated */
	bt_free(buf);
}

static void test_sources(void **state)
{
	struct fixture *f = *state;
	struct path by_label = mkpath(PATH_SRC_LABEL, "data", "/vmlinuz");
	struct path by_uuid = mkpath(PATH_SRC_UUID, "abcd-1234", "/vmlinuz");
	struct path by_part = mkpath(PATH_SRC_PARTUUID,
				     "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "/vmlinuz");
	struct path boot = mkpath(PATH_SRC_BOOT, NULL, "/abc");
	struct path *all[] = { &by_label, &by_uuid, &by_part };
	char err[200];
	struct volume *v = NULL;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = NULL;
		assert_int_equal(fs_find_volume(&f->fs, all[i], &v, err, sizeof(err)), 0);
		assert_ptr_equal(v, &f->data.v);
	}
	assert_int_equal(fs_find_volume(&f->fs, &boot, &v, err, sizeof(err)), 0);
	assert_ptr_equal(v, &f->boot.v);
	assert_string_equal(fs_scheme(&by_label), "label");
	assert_string_equal(fs_scheme(&by_part), "partuuid");
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct path no_vol = mkpath(PATH_SRC_LABEL, "NOPE", "/x");
	struct path no_file = mkpath(PATH_SRC_BOOT, NULL, "/EFI/nope.efi");
	struct path dir = mkpath(PATH_SRC_BOOT, NULL, "/EFI");
	struct path http = mkpath(PATH_SRC_HTTP, "10.0.2.2:8080", "/a.conf");
	struct path tftp = mkpath(PATH_SRC_TFTP, NULL, "/a.conf");
	char err[200];
	void *buf = NULL;
	size_t len;

	assert_int_equal(fs_read_all(&f->fs, &no_vol, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "label=NOPE:/x: no volume with label 'NOPE'");
	assert_int_equal(fs_read_all(&f->fs, &no_file, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "/EFI/nope.efi: file not found");
	assert_int_equal(fs_read_all(&f->fs, &dir, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "/EFI: file not found");
	assert_int_equal(fs_read_all(&f->fs, &http, &buf, &len, err, sizeof(err)), BT_EUNSUPP);
	assert_string_equal(err, "http://10.0.2.2:8080/a.conf: http: paths need a "
			    "network, which this platform does not have");
	assert_int_equal(fs_read_all(&f->fs, &tftp, &buf, &len, err, sizeof(err)), BT_EUNSUPP);
	assert_string_equal(err, "tftp:/a.conf: tftp: paths need a network, "
			    "which this platform does not have");
	f->boot.fail_read = BT_EIO;
	no_file.file = "/abc";
	assert_int_equal(fs_read_all(&f->fs, &no_file, &buf, &len, err, sizeof(err)), BT_EIO);
	assert_string_equal(err, "/abc: read error at byte 0: read error");
	assert_null(buf);
}

static void test_no_boot_volume(void **state)
{
	struct fs fs;
	struct path p = mkpath(PATH_SRC_BOOT, NULL, "/x");
	struct volume *v;
	char err[200];

	fs_init(&fs);
	assert_int_equal(fs_find_volume(&fs, &p, &v, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "baton's own volume is not readable (it was not "
			    "loaded from a file system)");
	fs_free(&fs);
}

static const char abc_sha_bad[] = "/abc: SHA-256 mismatch (expected "
	"bb7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, got "
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad)";

static void test_pins(void **state)
{
	struct fixture *f = *state;
	struct path p = mkpath(PATH_SRC_BOOT, NULL, "/abc");
	char err[300];
	void *buf = NULL;
	size_t len;

	p.pinned = true;
	sha256_digest("abc", 3, p.sha256);
	assert_int_equal(fs_read_all(&f->fs, &p, &buf, &len, err, sizeof(err)), 0);
	bt_free(buf);
	buf = NULL;
	p.sha256[0] ^= 1;
	assert_int_equal(fs_read_all(&f->fs, &p, &buf, &len, err, sizeof(err)), BT_EHASH);
	assert_string_equal(err, abc_sha_bad);
	assert_null(buf);
}

/* A pin covers the whole file even when the caller reads only part of it:
 * fs_stream_finish reads and hashes the rest. */
static void test_pin_partial_read(void **state)
{
	struct fixture *f = *state;
	struct path p = mkpath(PATH_SRC_BOOT, NULL, "/abc");
	struct fs_stream s;
	char err[300], one;

	p.pinned = true;
	sha256_digest("abc", 3, p.sha256);
	f->boot.max_read = 1;
	assert_int_equal(fs_stream_open(&f->fs, &p, &s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_read_exact(&s, &one, 1, err, sizeof(err)), 0);
	assert_int_equal(one, 'a');
	assert_int_equal(fs_stream_finish(&s, err, sizeof(err)), 0);
	fs_stream_close(&s);
	p.sha256[0] ^= 1;
	assert_int_equal(fs_stream_open(&f->fs, &p, &s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_read_exact(&s, &one, 1, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_finish(&s, err, sizeof(err)), BT_EHASH);
	assert_string_equal(err, abc_sha_bad);
	fs_stream_close(&s);
	fs_stream_close(&s);	/* safe twice */
}

/*
 * Read p with every allocation from the n-th on failing, for n = 0, 1, ...
 * until a read needs fewer than n: each failing read must return
 * BT_ENOMEM with the message want (want_first when the very first
 * allocation, the path's name, fails), set *buf to NULL and give back what it
 * took; the last read must give the file's contents.
 */
static void oom_sweep(struct fixture *f, const struct path *p,
		      const char *want_first, const char *want,
		      const char *contents)
{
	char err[200];
	size_t len;
	long n;

	for (n = 0; n < 100; n++) {
		long live = host_alloc_live();
		void *buf = (void *)1;
		int rc;

		err[0] = '\0';
		host_alloc_fail_after(n);
		rc = fs_read_all(&f->fs, p, &buf, &len, err, sizeof(err));
		host_alloc_fail_after(-1);
		if (rc == 0) {
			assert_true(n > 0);
			assert_int_equal(len, strlen(contents));
			assert_string_equal(buf, contents);
			bt_free(buf);
			assert_int_equal(host_alloc_live(), live);
			return;
		}
		if (rc != BT_ENOMEM || strcmp(err, n ? want : want_first))
			fail_msg("allocation %ld failing: rc %d, \"%s\"", n, rc, err);
		assert_null(buf);
		assert_int_equal(host_alloc_live(), live);
	}
	fail_msg("still out of memory after %ld allocations", n);
}

static void test_oom(void **state)
{
	struct fixture *f = *state;
	struct path boot = mkpath(PATH_SRC_BOOT, NULL, "/abc");
	struct path label = mkpath(PATH_SRC_LABEL, "DATA", "/vmlinuz");
	struct path pinned = boot;

	pinned.pinned = true;
	sha256_digest("abc", 3, pinned.sha256);
	oom_sweep(f, &boot, "/abc: out of memory", "/abc: out of memory", "abc");
	/* Without memory for "label=DATA:/vmlinuz", the file alone. */
	oom_sweep(f, &label, "/vmlinuz: out of memory",
		  "label=DATA:/vmlinuz: out of memory", "kernel bytes");
	oom_sweep(f, &pinned, "/abc: out of memory", "/abc: out of memory", "abc");
	/* A file of unknown size grows its buffer: every step may fail. */
	f->data.unknown_size = true;
	oom_sweep(f, &label, "/vmlinuz: out of memory",
		  "label=DATA:/vmlinuz: out of memory", "kernel bytes");
}

/* A platform that finds the data volume only when asked to look harder. */
static int widen_calls;

static int widen_adds_data(void *ctx)
{
	struct fixture *f = ctx;

	widen_calls++;
	if (f->fs.n_vols == 2)
		return BT_ENOENT;
	assert_int_equal(fs_add_volume(&f->fs, &f->data.v), 0);
	return 0;
}

static void test_widen(void **state)
{
	struct fixture *f = *state;
	struct path by_label = mkpath(PATH_SRC_LABEL, "DATA", "/vmlinuz");
	struct path missing = mkpath(PATH_SRC_LABEL, "NOPE", "/x");
	struct volume *v = NULL;
	char err[200];

	f->fs.n_vols = 1;	/* only the boot volume is known at first */
	f->fs.widen = widen_adds_data;
	f->fs.widen_ctx = f;
	widen_calls = 0;
	assert_int_equal(fs_find_volume(&f->fs, &by_label, &v, err, sizeof(err)), 0);
	assert_ptr_equal(v, &f->data.v);
	assert_int_equal(widen_calls, 1);
	assert_int_equal(fs_find_volume(&f->fs, &missing, &v, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "no volume with label 'NOPE'");
	assert_int_equal(widen_calls, 1);	/* at most once a session */
}

/* ------------------------------------------------------ reading paths */

static char big[300 * 1024];

static const struct memfile big_files[] = {
	{ "/big", big, sizeof(big) },
	{ "/abc", "abc", 0 },
};

static void fill_big(void)
{
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + (i >> 9));
}

/* A file of unknown size from a source that cannot seek, in small reads:
 * fs_read_all grows its buffer; the pin still covers every byte. */
static void test_unknown_size_stream(void **state)
{
	struct fixture *f = *state;
	struct memvol *mv = &f->extra;
	struct path p = mkpath(PATH_SRC_LABEL, "NET", "/big");
	char err[200];
	void *buf;
	size_t len;

	fill_big();
	memvol_init(mv, big_files, 2);
	mv->v.label = "NET";
	mv->unknown_size = true;
	mv->no_seek = true;
	mv->max_read = 1000;
	assert_int_equal(fs_add_volume(&f->fs, &mv->v), 0);
	p.pinned = true;
	sha256_digest(big, sizeof(big), p.sha256);
	assert_int_equal(fs_read_all(&f->fs, &p, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(buf, big, sizeof(big));
	assert_true(mv->reads > sizeof(big) / 1000);
	bt_free(buf);
	p.sha256[5] ^= 0x40;
	assert_int_equal(fs_read_all(&f->fs, &p, &buf, &len, err, sizeof(err)), BT_EHASH);
	assert_null(buf);
}

/* fs_load reads straight into the caller's memory, with the size known or
 * not, and refuses what does not fit. */
static void test_load(void **state)
{
	struct fixture *f = *state;
	struct memvol *mv = &f->extra;
	struct path p = mkpath(PATH_SRC_LABEL, "SRC", "/big");
	static char dst[sizeof(big) + 16];
	char err[200];
	uint64_t len;
	int unknown;

	fill_big();
	memvol_init(mv, big_files, 2);
	mv->v.label = "SRC";
	assert_int_equal(fs_add_volume(&f->fs, &mv->v), 0);
	for (unknown = 0; unknown < 2; unknown++) {
		mv->unknown_size = unknown;
		memset(dst, 0, sizeof(dst));
		assert_int_equal(fs_load(&f->fs, &p, dst, sizeof(dst), &len, err,
					 sizeof(err)), 0);
		assert_int_equal(len, sizeof(big));
		assert_memory_equal(dst, big, sizeof(big));
		/* exactly as large as the room */
		assert_int_equal(fs_load(&f->fs, &p, dst, sizeof(big), &len, err,
					 sizeof(err)), 0);
		assert_int_equal(fs_load(&f->fs, &p, dst, sizeof(big) - 1, &len,
					 err, sizeof(err)), BT_ETOOBIG);
		assert_string_equal(err, "label=SRC:/big: larger than the 307199 "
				    "bytes reserved for it");
	}
	mv->unknown_size = false;
	mv->claim_extra = 10;	/* says 10 bytes more than it has */
	assert_int_equal(fs_load(&f->fs, &p, dst, sizeof(dst), &len, err,
				 sizeof(err)), BT_EIO);
	assert_string_equal(err, "label=SRC:/big: ends at 307200 bytes, expected 307210");
}

/* A loader that must place a file first asks for its size: a file of
 * unknown size is read into memory once, then read from there. */
static void test_need_size(void **state)
{
	struct fixture *f = *state;
	struct memvol *mv = &f->extra;
	struct path p = mkpath(PATH_SRC_LABEL, "NET", "/big");
	struct fs_stream s;
	char err[200], *dst = malloc(sizeof(big));
	unsigned before;

	fill_big();
	memvol_init(mv, big_files, 2);
	mv->v.label = "NET";
	mv->unknown_size = true;
	mv->no_seek = true;
	assert_int_equal(fs_add_volume(&f->fs, &mv->v), 0);
	p.pinned = true;
	sha256_digest(big, sizeof(big), p.sha256);
	assert_int_equal(fs_stream_open(&f->fs, &p, &s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_size(&s), VFILE_SIZE_UNKNOWN);
	assert_int_equal(fs_stream_need_size(&s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_size(&s), sizeof(big));
	before = mv->reads;
	assert_int_equal(fs_stream_read_exact(&s, dst, sizeof(big), err, sizeof(err)), 0);
	assert_int_equal(mv->reads, before);	/* from memory: no second download */
	assert_memory_equal(dst, big, sizeof(big));
	assert_int_equal(fs_stream_finish(&s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_read_exact(&s, dst, 1, err, sizeof(err)), BT_EIO);
	assert_string_equal(err, "label=NET:/big: ends at 307200 bytes, expected at "
			    "least 307201");
	fs_stream_close(&s);
	/* Asked for after reading began: refused, not guessed. */
	assert_int_equal(fs_stream_open(&f->fs, &p, &s, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_read_exact(&s, dst, 1, err, sizeof(err)), 0);
	assert_int_equal(fs_stream_need_size(&s, err, sizeof(err)), BT_EINVAL);
	fs_stream_close(&s);
	free(dst);
}

static void test_locate(void **state)
{
	struct fixture *f = *state;
	static const struct volume_ops no_locate_ops = { 0 };
	static struct volume bare = { .ops = &no_locate_ops, .name = "volume 9",
			       .label = "BARE" };
	struct path p = mkpath(PATH_SRC_LABEL, "DATA", "/vmlinuz");
	struct path q = mkpath(PATH_SRC_LABEL, "BARE", "/x.efi");
	struct fs_locator loc;
	char err[200];

	assert_int_equal(fs_locate(&f->fs, &p, &loc, err, sizeof(err)), 0);
	assert_ptr_equal(loc.device, &f->data.v);
	assert_string_equal(loc.file, "/vmlinuz");
	assert_int_equal(fs_add_volume(&f->fs, &bare), 0);
	/* A volume of baton's own drivers: no device, the file alone. */
	assert_int_equal(fs_locate(&f->fs, &q, &loc, err, sizeof(err)), 0);
	assert_null(loc.device);
	assert_string_equal(loc.file, "/x.efi");
}

/* ------------------------------------- block devices and the FAT kind */

static void sector(uint8_t *s, bool fat32, uint32_t serial, bool extended)
{
	unsigned off = fat32 ? 0x43 : 0x27;

	memset(s, 0, 512);
	s[510] = 0x55;
	s[511] = 0xAA;
	if (!fat32)
		s[0x16] = 9;	/* a 16-bit FAT size: FAT12/16 */
	s[off - 1] = extended ? 0x29 : 0;
	s[off] = (uint8_t)serial;
	s[off + 1] = (uint8_t)(serial >> 8);
	s[off + 2] = (uint8_t)(serial >> 16);
	s[off + 3] = (uint8_t)(serial >> 24);
}

static void test_fat_serial(void **state)
{
	uint8_t s[512];
	char *t;

	sector(s, false, 0x1234ABCD, true);
	t = fat_serial(s, sizeof(s));
	assert_string_equal(t, "1234-ABCD");
	bt_free(t);
	sector(s, true, 0xDEADBEEF, true);
	t = fat_serial(s, sizeof(s));
	assert_string_equal(t, "DEAD-BEEF");
	bt_free(t);
	sector(s, true, 0xDEADBEEF, false);
	assert_null(fat_serial(s, sizeof(s)));
	sector(s, false, 1, true);
	s[511] = 0;
	assert_null(fat_serial(s, sizeof(s)));
	assert_null(fat_serial(s, 100));
}

/* A FAT image made by mkfs.fat at test time, as a file-backed block device
 * at an offset (a partition) carrying a firmware file system. */
#define IMG_OFFSET (1024 * 1024)

static void test_blockdev_fat(void **state)
{
	struct fixture *f = *state;
	struct host_blockdev hb;
	struct memvol files;
	struct path by_uuid = mkpath(PATH_SRC_UUID, "1234-abcd", "/vmlinuz");
	struct path by_part = mkpath(PATH_SRC_PARTUUID,
				     "11111111-2222-3333-4444-555555555555", "/vmlinuz");
	struct volume *v = NULL, *w = NULL;
	uint8_t raw[1500], want[1500];
	char img[64], err[200];
	FILE *fp;

	if (!rig_fat_image(img, sizeof(img), 6, IMG_OFFSET, 0x1234ABCD, "DATA"))
		skip();
	assert_int_equal(host_blockdev_open(&hb, img, IMG_OFFSET, 0, 512), 0);
	memvol_init(&files, data_files, 1);
	files.v.label = "DATA";
	hb.bd.fsys = &files.fsys;
	hb.bd.partuuid = "11111111-2222-3333-4444-555555555555";
	assert_int_equal(fs_add_device(&f->fs, &hb.bd), 0);
	assert_int_equal(fs_find_volume(&f->fs, &by_uuid, &v, err, sizeof(err)), 0);
	assert_string_equal(v->fsuuid, "1234-ABCD");	/* from the boot sector */
	assert_string_equal(v->label, "DATA");
	assert_string_equal(v->name, hb.name);
	assert_false(v->is_boot);
	assert_int_equal(fs_find_volume(&f->fs, &by_part, &w, err, sizeof(err)), 0);
	assert_ptr_equal(v, w);	/* made once, then cached */
	assert_int_equal(f->fs.n_probed, 1);

	/* Byte reads at any alignment match the image. */
	fp = fopen(img, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, IMG_OFFSET + 300, SEEK_SET), 0);
	assert_int_equal(fread(want, 1, sizeof(want), fp), sizeof(want));
	fclose(fp);
	assert_int_equal(blockdev_read_bytes(&hb.bd, 300, raw, sizeof(raw)), 0);
	assert_memory_equal(raw, want, sizeof(raw));
	assert_int_equal(blockdev_read_bytes(&hb.bd, hb.bd.blocks * 512 - 10, raw, 11),
			 BT_EINVAL);
	hb.fail_read = BT_EIO;
	assert_int_equal(blockdev_read_bytes(&hb.bd, 0, raw, 512), BT_EIO);
	host_blockdev_close(&hb);
	unlink(img);
}

/* A driver that recognises a device but cannot read it is reported; a
 * device nobody recognises is left alone. */
static int refusing_probe(struct blockdev *bd, struct volume **out, char *err,
			  size_t errlen)
{
	if (strcmp(bd->name, "disk odd"))
		return BT_ENOENT;
	snprintf(err, errlen, "%s: feature 'x' is not supported", bd->name);
	return BT_EUNSUPP;
}

static const struct fs_driver refusing = { "odd", refusing_probe };
static const struct fs_driver *const odd_drivers[] = { &refusing, &fat_sfs_driver, NULL };
static char reported[200];
static int n_reported;

static void report(void *ctx, const char *msg)
{
	snprintf(reported, sizeof(reported), "%s", msg);
	n_reported++;
}

static void test_probe_reports(void **state)
{
	struct fixture *f = *state;
	struct blockdev odd = { .name = "disk odd" }, plain = { .name = "disk 2" };

	f->fs.drivers = odd_drivers;
	assert_int_equal(fs_add_device(&f->fs, &odd), 0);
	assert_int_equal(fs_add_device(&f->fs, &plain), 0);
	n_reported = 0;
	fs_probe(&f->fs, false, report, NULL);
	assert_int_equal(n_reported, 1);
	assert_string_equal(reported, "disk odd: feature 'x' is not supported");
	assert_int_equal(f->fs.n_vols, 2);	/* no new volume */
	fs_probe(&f->fs, false, report, NULL);
	assert_int_equal(n_reported, 1);	/* each device once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test(test_no_boot_volume),
		cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_partial_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_widen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_size_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_need_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locate, setup, teardown),
		cmocka_unit_test(test_fat_serial),
		cmocka_unit_test_setup_teardown(test_blockdev_fat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_reports, setup, teardown),
	};

	return cmocka_run_group_tests_name("fs", tests, NULL, NULL);
}
