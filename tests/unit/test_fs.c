/* Unit tests for fs/fs.c: choosing the volume, reading, sha256 pins. */
#include "tests/unit/helpers.h"
#include "tests/unit/memvol.h"
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
	struct memvol boot, data;
	struct volume *vols[2];
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
	f->vols[0] = &f->boot.v;
	f->vols[1] = &f->data.v;
	f->fs.vols = f->vols;
	f->fs.n_vols = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
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
	struct path *all[] = { &by_label, &by_uuid, &by_part };
	char err[200];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct volume *v = NULL;

		assert_int_equal(fs_find_volume(&f->fs, all[i], &v, err, sizeof(err)), 0);
		assert_ptr_equal(v, &f->data.v);
	}
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct path no_vol = mkpath(PATH_SRC_LABEL, "NOPE", "/x");
	struct path no_file = mkpath(PATH_SRC_BOOT, NULL, "/EFI/nope.efi");
	struct path dir = mkpath(PATH_SRC_BOOT, NULL, "/EFI");
	struct path http = mkpath(PATH_SRC_HTTP, "10.0.2.2:8080", "/a.conf");
	char err[200];
	void *buf = NULL;
	size_t len;

	assert_int_equal(fs_read_all(&f->fs, &no_vol, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "label=NOPE:/x: no volume with label 'NOPE'");
	assert_int_equal(fs_read_all(&f->fs, &no_file, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_string_equal(err, "/EFI/nope.efi: file not found");
	assert_int_equal(fs_read_all(&f->fs, &dir, &buf, &len, err, sizeof(err)), BT_ENOENT);
	assert_int_equal(fs_read_all(&f->fs, &http, &buf, &len, err, sizeof(err)), BT_EUNSUPP);
	assert_non_null(strstr(err, "network sources"));
	f->boot.fail_read = BT_EIO;
	no_file.file = "/abc";
	assert_int_equal(fs_read_all(&f->fs, &no_file, &buf, &len, err, sizeof(err)), BT_EIO);
	assert_string_equal(err, "/abc: read error");
	assert_null(buf);
}

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
	assert_string_equal(err, "/abc: SHA-256 mismatch (expected "
			    "bb7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, got "
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad)");
	assert_null(buf);
}

/*
 * Read p with every allocation from the n-th on failing, for n = 0, 1, ...
 * until a read needs fewer than n: each failing read must return
 * BT_ENOMEM with the message want, leave *buf alone and give back what it
 * took; the last read must give the file's contents.
 */
static void oom_sweep(struct fixture *f, const struct path *p, const char *want,
		      const char *contents)
{
	char err[200];
	size_t len;
	long n;

	for (n = 0; n < 100; n++) {
		long live = host_alloc_live();
		void *buf = NULL;
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
		if (rc != BT_ENOMEM || strcmp(err, want))
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
	oom_sweep(f, &boot, "/abc: out of memory", "abc");
	/* Without memory for "label=DATA:/vmlinuz", the file alone. */
	oom_sweep(f, &label, "/vmlinuz: out of memory", "kernel bytes");
	oom_sweep(f, &pinned, "/abc: out of memory", "abc");
}

/* A platform that finds the data volume only when asked to look harder. */
static int widen_calls;

static int widen_adds_data(void *ctx)
{
	struct fixture *f = ctx;

	widen_calls++;
	if (f->fs.n_vols == 2)
		return BT_ENOENT;
	f->fs.n_vols = 2;
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
	assert_int_equal(widen_calls, 2);	/* asked again, found nothing new */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_widen, setup, teardown),
	};

	return cmocka_run_group_tests_name("fs", tests, NULL, NULL);
}
