/*
 * The whole portable boot session on the host machine: config discovery,
 * a config on another disk, the menu driven by key scripts, chain-loading,
 * submenus, actions and the error messages a user sees.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "core/baton.h"
#include "firmware/host/host.h"
#include "lib/sha256.h"
#include <unistd.h>

#define CH(c) { KEY_CHAR, (c) }
#define K(code) { (code), 0 }

/* A minimal x86-64 EFI application header (what pe_check looks at). */
static char pe_image[RIG_PE_SIZE];

static void make_pe_image(void)
{
	rig_pe_image(pe_image);
}

/* A machine whose boot volume has /EFI/tools/hello.efi, plus the given
 * config text at conf_path (if any). */
static void machine_init(struct rig *m, const char *conf_path, const char *conf)
{
	make_pe_image();
	rig_init(m, 0);
	rig_dir(m, "/EFI");
	rig_dir(m, "/EFI/BOOT");
	rig_file(m, "/EFI/BOOT/BOOTX64.EFI", pe_image, sizeof(pe_image));
	rig_dir(m, "/EFI/tools");
	rig_file(m, "/EFI/tools/hello.efi", pe_image, sizeof(pe_image));
	rig_file(m, "/notefi.efi", "plain text", 0);
	if (conf)
		rig_file(m, conf_path, conf, 0);
}

static const char basic_conf[] =
	"timeout -1\n"
	"default hello\n"
	"entry hello\n"
	"  title Hello\n"
	"  efi /EFI/tools/hello.efi exit=3 greeting\n"
	"entry quit\n"
	"  title Leave\n"
	"  action exit\n";

static void test_config_next_to_self_and_chain(void **state)
{
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", basic_conf);
	m.fw.start_status = 3;
	RIG_RUN(&m, K(KEY_ENTER), K(KEY_DOWN), K(KEY_ENTER));
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/EFI/tools/hello.efi");
	assert_string_equal(m.fw.started_options, "exit=3 greeting");
	assert_int_equal(m.fw.started_size, sizeof(pe_image));
	rig_expect_out(&m, "config /EFI/BOOT/baton.conf");
	rig_expect_out(&m, "Booting 'Hello'");
	rig_expect_out(&m, "'Hello' returned status 0x3");
	rig_free(&m);
}

/* "editor no" holds in the submenus opened from that menu, whose own
 * config (a menu file, an ISO's generated menu) cannot turn it back on. */
static void test_editor_off_reaches_submenus(void **state)
{
	static const char entries[] =
		"entry sub\n  title Sub\n  menu /sub.conf\n"
		"entry quit\n  title Leave\n  action exit\n";
	static const char sub_conf[] =
		"timeout -1\neditor yes\n"
		"entry hi\n  title Hi\n  efi /EFI/tools/hello.efi opt\n";
	char top[200];
	struct rig m;

	snprintf(top, sizeof(top), "timeout -1\neditor no\n%s", entries);
	machine_init(&m, "/baton.conf", top);
	rig_file(&m, "/sub.conf", sub_conf, 0);
	RIG_RUN(&m, CH('1'), CH('e'), K(KEY_END), CH('X'), K(KEY_ENTER),
	    K(KEY_ESC), CH('2'));
	rig_expect_out(&m, "editing is disabled in the config");
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_options, "opt");
	rig_free(&m);

	/* Without "editor no" above it, the submenu's own setting holds. */
	snprintf(top, sizeof(top), "timeout -1\n%s", entries);
	machine_init(&m, "/baton.conf", top);
	rig_file(&m, "/sub.conf", sub_conf, 0);
	RIG_RUN(&m, CH('1'), CH('e'), K(KEY_END), CH('X'), K(KEY_ENTER),
	    K(KEY_ESC), CH('2'));
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_options, "optX");
	rig_free(&m);
}

static void test_config_option_and_fallbacks(void **state)
{
	struct rig m;

	machine_init(&m, "/custom/my.conf", basic_conf);
	m.fw.load_options = "baton.efi config=/custom/my.conf";
	RIG_RUN(&m, CH('2'));
	rig_expect_out(&m, "config /custom/my.conf");
	rig_free(&m);

	machine_init(&m, "/boot/baton.conf", basic_conf);
	RIG_RUN(&m, CH('2'));
	rig_expect_out(&m, "config /boot/baton.conf");
	rig_free(&m);

	machine_init(&m, "/baton.conf", basic_conf);
	RIG_RUN(&m, CH('2'));
	rig_expect_out(&m, "config /baton.conf");
	rig_free(&m);

	/* A config= that cannot be read is reported; the usual places still work. */
	machine_init(&m, "/baton.conf", basic_conf);
	m.fw.load_options = "config=/missing.conf";
	RIG_RUN(&m, CH('2'));
	rig_expect_out(&m, "config= load option: /missing.conf: file not found");
	rig_expect_out(&m, "config /baton.conf");
	rig_free(&m);
}

static void test_no_config_menu(void **state)
{
	struct rig m;

	machine_init(&m, NULL, NULL);
	/* Entries: tools/hello.efi, then firmware setup, reboot, power off
	 * and exit. */
	RIG_RUN(&m, CH('1'), CH('2'), CH('3'), CH('4'), K(KEY_ESC), CH('5'));
	rig_expect_out(&m, "no baton.conf found");
	rig_expect_out(&m, "tools/hello.efi (BATON)");
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/EFI/tools/hello.efi");
	assert_null(strstr(m.fw.out, "BOOT/BOOTX64.EFI ("));	/* not itself */
	assert_int_equal(m.fw.resets, 3);
	assert_int_equal(m.fw.last_reset, FW_RESET_POWEROFF);
	rig_expect_out(&m, "cannot boot 'Reboot': host machine cannot reset");
	rig_free(&m);
}

static const char broken_conf[] =
	"timeout -1\n"
	"frobnicate yes\n"
	"entry missing\n"
	"  title Missing\n"
	"  efi /EFI/nope.efi\n"
	"entry pinned\n"
	"  title Pinned\n"
	"  efi /EFI/tools/hello.efi#sha256=0000000000000000000000000000000000000000000000000000000000000000\n"
	"entry text\n"
	"  title Text\n"
	"  efi /notefi.efi\n"
	"entry kernel\n"
	"  title Kernel\n"
	"  linux /vmlinuz\n"
	"entry quit\n"
	"  action exit\n";

static void test_errors_return_to_menu(void **state)
{
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", broken_conf);
	RIG_RUN(&m, CH('1'), CH('2'), CH('3'), CH('4'), CH('5'));
	rig_expect_out(&m, "/EFI/BOOT/baton.conf:2: unknown key 'frobnicate'");
	rig_expect_out(&m, "cannot boot 'Missing': /EFI/nope.efi: file not found");
	rig_expect_out(&m, "cannot boot 'Pinned': /EFI/tools/hello.efi: SHA-256 mismatch (expected "
		   "0000000000000000000000000000000000000000000000000000000000000000, got ");
	rig_expect_out(&m, "cannot boot 'Text': /notefi.efi: not an EFI program (no MZ signature at offset 0)");
	rig_expect_out(&m, "cannot boot 'Kernel': /vmlinuz: file not found");
	assert_int_equal(m.fw.starts, 0);
	rig_free(&m);
}

static void test_submenu(void **state)
{
	static const char conf[] =
		"timeout -1\n"
		"entry sub\n  title More\n  menu /sub/more.conf\n"
		"entry quit\n  action exit\n";
	static const char sub[] =
		"entry inner\n  title Inner program\n  efi ../EFI/tools/hello.efi inner\n";
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", conf);
	rig_file(&m, "/sub/more.conf", sub, 0);
	RIG_RUN(&m, K(KEY_ENTER), K(KEY_ENTER), K(KEY_ESC), K(KEY_DOWN), K(KEY_ENTER));
	rig_expect_out(&m, "Inner program");
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/EFI/tools/hello.efi");
	assert_string_equal(m.fw.started_options, "inner");
	rig_free(&m);
}

static void test_timeout_boots_default(void **state)
{
	static const char conf[] =
		"timeout 2\ndefault h*\n"
		"entry quit\n  action exit\n"
		"entry hello\n  title Hello\n  efi /EFI/tools/hello.efi\n";
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", conf);
	/* No key until the program has run: the countdown must boot it. */
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('1'));
	assert_int_equal(m.fw.starts, 1);
	assert_true(m.fw.now_ms >= 2000);
	rig_expect_out(&m, "Booting 'Hello' in 2 s");
	rig_free(&m);
}

static void test_timeout_zero_and_key_stops_countdown(void **state)
{
	static const char conf0[] =
		"timeout 0\n"
		"entry hello\n  efi /EFI/tools/hello.efi\n"
		"entry quit\n  action exit\n";
	static const char conf5[] =
		"timeout 5\n"
		"entry hello\n  efi /EFI/tools/hello.efi\n"
		"entry quit\n  action exit\n";
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", conf0);
	RIG_RUN(&m, CH('2'));
	assert_int_equal(m.fw.starts, 1);
	assert_int_equal(m.fw.now_ms, 0);
	rig_free(&m);

	machine_init(&m, "/EFI/BOOT/baton.conf", conf5);
	RIG_RUN(&m, K(KEY_DOWN), K(KEY_UP), K(KEY_DOWN), K(KEY_ENTER));
	assert_int_equal(m.fw.starts, 0);
	rig_free(&m);
}

static void test_editor(void **state)
{
	struct rig m;

	machine_init(&m, "/EFI/BOOT/baton.conf", basic_conf);
	RIG_RUN(&m, CH('e'), K(KEY_END), CH(' '), CH('x'), CH('='), CH('1'),
	    K(KEY_ENTER), CH('2'));
	assert_string_equal(m.fw.started_options, "exit=3 greeting x=1");
	rig_free(&m);
}

/*
 * A config on another disk: a FAT image made at test time, its files given
 * by a memvol as the firmware's file system on it, found by uuid= (the
 * serial mkfs.fat wrote into the boot sector) and by label=.  Its relative
 * paths are on that disk; label=BATON: reaches back to the boot volume.
 */
/* No config on baton's own volume: the other volumes of its disk are
 * looked at (the ISO 9660 tree of the CD whose El Torito image holds
 * baton), in device order; volumes on other disks are not. */
static void test_config_on_boot_disk(void **state)
{
	static const char conf[] =
		"timeout -1\n"
		"entry tree\n  title From the tree\n  efi /tree.efi in-tree\n"
		"entry quit\n  action exit\n";
	struct memfile files[] = {
		{ "/boot/baton.conf", conf, 0 },
		{ "/tree.efi", pe_image, sizeof(pe_image) },
	};
	struct memvol other, tree;
	struct rig m;

	make_pe_image();
	memvol_init(&other, files, 2);
	other.v.label = "OTHER";
	memvol_init(&tree, files, 2);
	tree.v.label = "ISOTREE";
	tree.v.on_boot_disk = true;

	machine_init(&m, NULL, NULL);
	assert_int_equal(fs_add_volume(&m.fw.fs, &other.v), 0);
	assert_int_equal(fs_add_volume(&m.fw.fs, &tree.v), 0);
	RIG_RUN(&m, CH('1'), CH('2'));
	rig_expect_out(&m, "config label=ISOTREE:/boot/baton.conf");
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/tree.efi");
	rig_free(&m);

	/* Off the boot disk, the same config is not taken. */
	tree.v.on_boot_disk = false;
	machine_init(&m, NULL, NULL);
	assert_int_equal(fs_add_volume(&m.fw.fs, &tree.v), 0);
	RIG_RUN(&m, CH('5'));
	rig_expect_out(&m, "no baton.conf found");
	rig_free(&m);
}

static void test_config_on_disk(void **state)
{
	static const char conf[] =
		"timeout -1\n"
		"entry disk\n  title From disk\n  efi /disk.efi on-disk\n"
		"entry back\n  title From boot\n"
		"  efi label=BATON:/EFI/tools/hello.efi\n"
		"entry quit\n  action exit\n";
	struct memfile files[] = {
		{ "/baton.conf", conf, 0 },
		{ "/disk.efi", pe_image, sizeof(pe_image) },
	};
	struct host_blockdev hb;
	struct memvol data;
	struct rig m;
	char img[64];

	if (!rig_fat_image(img, sizeof(img), 6, 1 << 20, 0x2468ACE0, "DATA"))
		skip();
	memvol_init(&data, files, 2);
	data.v.label = "DATA";

	machine_init(&m, NULL, NULL);
	rig_disk(&m, &hb, img, 1 << 20, 512);
	hb.bd.fsys = &data.fsys;
	m.fw.load_options = "config=uuid=2468-ace0:/baton.conf";
	RIG_RUN(&m, CH('2'), CH('1'), CH('3'));
	rig_expect_out(&m, "config uuid=2468-ace0:/baton.conf");
	rig_expect_out(&m, "Booting 'From boot'");
	rig_expect_out(&m, "Booting 'From disk'");
	assert_int_equal(m.fw.starts, 2);
	assert_ptr_equal(m.fw.started_device, &hb);	/* the last one */
	assert_string_equal(m.fw.started_path, "/disk.efi");
	assert_string_equal(m.fw.started_options, "on-disk");
	rig_free(&m);

	machine_init(&m, NULL, NULL);
	rig_disk(&m, &hb, img, 1 << 20, 512);
	hb.bd.fsys = &data.fsys;
	m.fw.load_options = "config=label=DATA:/baton.conf";
	RIG_RUN(&m, CH('3'));
	rig_expect_out(&m, "config label=DATA:/baton.conf");
	assert_int_equal(m.fw.starts, 0);
	rig_free(&m);
	unlink(img);
}

/* A session to run with allocations failing: a machine and its keys. */
struct oom_case {
	const char *conf_path, *conf;	/* the config (conf NULL: none) */
	const struct memfile *extra;	/* one more file, or NULL */
	const struct key *keys;
	size_t n_keys;
	unsigned starts;		/* programs the whole script starts */
};

/* Whether the console log's last line is line (with its newline). */
static bool out_ends_with_line(const struct rig *m, const char *line)
{
	size_t n = strlen(line);
	const char *o = m->fw.out;

	return o && m->fw.out_len >= n && !strcmp(o + m->fw.out_len - n, line) &&
	       (m->fw.out_len == n || o[m->fw.out_len - n - 1] == '\n');
}

/*
 * Run c with every allocation from the n-th on failing (the host allocator
 * keeps failing once it has started), for n = 0, 1, ... until a run needs
 * fewer than n allocations.  Each failing run must end the session with
 * BT_ENOMEM and "baton: out of memory" as the console's last line (a boot
 * that ran out is reported as "cannot boot" first, but the menu cannot go
 * on without memory), and give back every block it took.  The sweep must
 * end in a run that completes the whole key script, starts the programs it
 * should and reports no out-of-memory.
 */
static void oom_sweep(const struct oom_case *c)
{
	long n;

	for (n = 0; n < 5000; n++) {
		struct rig m;
		long live = host_alloc_live();
		bool done, bad;
		int rc;

		machine_init(&m, c->conf_path, c->conf);
		if (c->extra)
			rig_file(&m, c->extra->path, c->extra->data,
				 c->extra->len);
		m.fw.keys = c->keys;
		m.fw.n_keys = c->n_keys;
		host_alloc_fail_after(n);
		rc = baton_main(&m.fw);
		host_alloc_fail_after(-1);
		done = rc == 0 && m.fw.next_key == c->n_keys && m.fw.out &&
		       !strstr(m.fw.out, "out of memory");
		bad = done ? m.fw.starts != c->starts :
		      rc != BT_ENOMEM || !out_ends_with_line(&m, "baton: out of memory\n");
		if (bad)	/* cmocka's messages are short: the log's end */
			print_error("allocation %ld failing: rc %d, %u started, "
				    "console ends:\n%s\n", n, rc, m.fw.starts,
				    !m.fw.out ? "(nothing)" : m.fw.out_len < 400 ?
				    m.fw.out : m.fw.out + m.fw.out_len - 400);
		rig_free(&m);
		if (bad)
			fail();
		if (host_alloc_live() != live)
			fail_msg("allocation %ld failing: %ld blocks not given back",
				 n, host_alloc_live() - live);
		if (done) {
			assert_true(n > 0);	/* the session allocates at all */
			return;
		}
	}
	fail_msg("still out of memory after %ld allocations", n);
}

static void test_oom_chain_and_exit(void **state)
{
	static const struct key keys[] = { CH('1'), CH('2') };
	static const struct oom_case c = {
		"/EFI/BOOT/baton.conf", basic_conf, NULL, keys, 2, 1,
	};

	oom_sweep(&c);
}

static void test_oom_automenu(void **state)
{
	static const struct key keys[] = { CH('1'), CH('5') };
	static const struct oom_case c = { NULL, NULL, NULL, keys, 2, 1 };

	oom_sweep(&c);
}

static void test_oom_submenu(void **state)
{
	static const char conf[] =
		"timeout -1\n"
		"entry sub\n  title More\n  menu /sub/more.conf\n"
		"entry quit\n  action exit\n";
	static const struct memfile sub = {
		"/sub/more.conf",
		"entry inner\n  efi ../EFI/tools/hello.efi inner\n", 0,
	};
	static const struct key keys[] = {
		K(KEY_ENTER), K(KEY_ENTER), K(KEY_ESC), K(KEY_DOWN), K(KEY_ENTER),
	};
	static const struct oom_case c = {
		"/EFI/BOOT/baton.conf", conf, &sub, keys, 5, 1,
	};

	oom_sweep(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_next_to_self_and_chain),
		cmocka_unit_test(test_config_option_and_fallbacks),
		cmocka_unit_test(test_editor_off_reaches_submenus),
		cmocka_unit_test(test_no_config_menu),
		cmocka_unit_test(test_errors_return_to_menu),
		cmocka_unit_test(test_submenu),
		cmocka_unit_test(test_timeout_boots_default),
		cmocka_unit_test(test_timeout_zero_and_key_stops_countdown),
		cmocka_unit_test(test_editor),
		cmocka_unit_test(test_config_on_disk),
		cmocka_unit_test(test_config_on_boot_disk),
		cmocka_unit_test(test_oom_chain_and_exit),
		cmocka_unit_test(test_oom_automenu),
		cmocka_unit_test(test_oom_submenu),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
