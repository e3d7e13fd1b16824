/*
 * The Boot Loader Interface: the variable encodings, the choice of the
 * entry and timeout as a pure function, and whole sessions on the host
 * machine with variables set as bootctl and systemctl set them.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "config/config.h"
#include "core/baton.h"
#include "core/bli.h"
#include "firmware/host/host.h"

#define CH(c) { KEY_CHAR, (c) }

/* --- encodings ------------------------------------------------------------- */

static void test_strings(void **state)
{
	static const uint8_t want[] = { 'a', 0, '-', 0, '1', 0, 0, 0 };
	uint8_t buf[16];
	char out[8];

	assert_int_equal(bli_str_encode("a-1", buf, sizeof(buf)), 8);
	assert_memory_equal(buf, want, 8);
	assert_int_equal(bli_str_encode("a-1", buf, 7), 0);	/* no room */
	assert_int_equal(bli_str_decode(buf, 8, out, sizeof(out)), 0);
	assert_string_equal(out, "a-1");
	/* The NUL may be missing, as userspace's reader allows. */
	assert_int_equal(bli_str_decode(buf, 6, out, sizeof(out)), 0);
	assert_string_equal(out, "a-1");
	assert_int_equal(bli_str_decode(buf, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(bli_str_decode(buf, 5, out, sizeof(out)), BT_EINVAL);
	assert_int_equal(bli_str_decode(buf, 8, out, 3), BT_EINVAL);
	buf[1] = 0x01;		/* U+0161: not an id character */
	assert_int_equal(bli_str_decode(buf, 8, out, sizeof(out)), BT_EINVAL);
	buf[0] = '\n';
	buf[1] = 0;
	assert_int_equal(bli_str_decode(buf, 8, out, sizeof(out)), BT_EINVAL);
	/* UTF-8 in, UTF-16 out; beyond U+FFFF becomes U+FFFD. */
	assert_int_equal(bli_str_encode("\xc3\xa9\xf0\x9f\x98\x80", buf,
					sizeof(buf)), 6);
	assert_int_equal(buf[0] | buf[1] << 8, 0xe9);
	assert_int_equal(buf[2] | buf[3] << 8, 0xfffd);
}

static void test_timeouts(void **state)
{
	static const struct { const char *text; int rc, want; } cases[] = {
		{ "0", 0, 0 }, { "5", 0, 5 }, { "300", 0, 300 },
		{ "menu-force", 0, -1 }, { "4294967295", 0, -1 },
		{ "menu-hidden", 0, 0 }, { "menu-disabled", 0, 0 },
		{ "", BT_EINVAL, 0 }, { "-1", BT_EINVAL, 0 },
		{ "5s", BT_EINVAL, 0 }, { "4294967296", BT_EINVAL, 0 },
		{ "99999999999999999999999", BT_EINVAL, 0 },
		{ "Menu-Force", BT_EINVAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int t = 1234;

		assert_int_equal(bli_timeout_parse(cases[i].text, &t),
				 cases[i].rc);
		if (!cases[i].rc && t != cases[i].want)
			fail_msg("'%s': %d, expected %d", cases[i].text, t,
				 cases[i].want);
	}
}

static void test_entry_ids(void **state)
{
	char id[BLI_ID_MAX];

	bli_entry_id("Debian", id, sizeof(id));
	assert_string_equal(id, "debian");
	bli_entry_id("fedora-6.8.conf", id, sizeof(id));
	assert_string_equal(id, "fedora-6.8.conf");
	bli_entry_id("a+b_c@d", id, sizeof(id));
	assert_string_equal(id, "a+b_c@d");
	bli_entry_id("x/y\\z:w*", id, sizeof(id));
	assert_string_equal(id, "x_y_z_w_");
	bli_entry_id("abcdef", id, 4);
	assert_string_equal(id, "abc");
}

/* --- the choice ------------------------------------------------------------ */

static void parse(struct config *cfg, const char *text)
{
	config_init(cfg);
	assert_int_equal(config_parse(cfg, NULL, text, strlen(text), NULL), 0);
	assert_int_equal(config_finish(cfg), 0);
}

static const char three[] =
	"default Beta\n"
	"entry alpha\n  efi /a.efi\n"
	"entry Beta\n  efi /b.efi\n"
	"entry gamma\n  efi /c.efi\n"
	"entry broken\n  title cannot boot\n";

struct pick_case {
	const char *oneshot, *efi_default, *last, *cfg_default;
	size_t want;
	enum bli_from from;
	enum bli_save save;
};

static void test_pick(void **state)
{
	static const struct pick_case cases[] = {
		{ "", "", "", NULL, 1, BLI_CONFIG, BLI_FORGET },
		{ "GAMMA", "", "", NULL, 2, BLI_ONESHOT, BLI_KEEP },
		{ "gamma", "alpha", "", NULL, 2, BLI_ONESHOT, BLI_KEEP },
		{ "nothing", "alpha", "", NULL, 0, BLI_EFI_DEFAULT,
		  BLI_FORGET },
		/* An entry that cannot boot is never chosen. */
		{ "broken", "", "", NULL, 1, BLI_CONFIG, BLI_FORGET },
		{ "", "g*", "", NULL, 2, BLI_EFI_DEFAULT, BLI_FORGET },
		{ "", "@saved", "alpha", NULL, 0, BLI_EFI_DEFAULT, BLI_SAVE },
		/* @saved with nothing saved yet: the config's default. */
		{ "", "@saved", "", NULL, 1, BLI_CONFIG, BLI_SAVE },
		{ "", "@saved", "gone", NULL, 1, BLI_CONFIG, BLI_SAVE },
		{ "", "nomatch", "", NULL, 1, BLI_CONFIG, BLI_FORGET },
		{ "", "", "gamma", "@saved", 2, BLI_CONFIG, BLI_SAVE },
		{ "", "", "", "@saved", 0, BLI_FIRST, BLI_SAVE },
		/* LoaderEntryDefault overrides the config's @saved. */
		{ "", "alpha", "gamma", "@saved", 0, BLI_EFI_DEFAULT,
		  BLI_FORGET },
		{ "beta", "", "gamma", "@saved", 1, BLI_ONESHOT, BLI_KEEP },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pick_case *c = &cases[i];
		struct bli_vars v = { .has_timeout = false };
		struct config cfg;
		enum bli_from from;
		enum bli_save save;
		size_t got;

		parse(&cfg, three);
		if (c->cfg_default) {
			bt_free(cfg.default_pattern);
			cfg.default_pattern = str_dup(c->cfg_default);
		}
		snprintf(v.oneshot, sizeof(v.oneshot), "%s", c->oneshot);
		snprintf(v.efi_default, sizeof(v.efi_default), "%s",
			 c->efi_default);
		snprintf(v.last_booted, sizeof(v.last_booted), "%s", c->last);
		got = bli_pick(&cfg, &v, &from, &save);
		if (got != c->want || from != c->from || save != c->save)
			fail_msg("case %zu: entry %zu from %d save %d, expected "
				 "%zu from %d save %d", i, got, from, save,
				 c->want, c->from, c->save);
		config_free(&cfg);
	}
}

static void test_timeout_precedence(void **state)
{
	struct bli_vars v = { .has_timeout = false };

	assert_int_equal(bli_timeout(5, &v), 5);
	v.has_timeout = true;
	v.timeout = 0;
	assert_int_equal(bli_timeout(5, &v), 0);
	v.has_oneshot_timeout = true;
	v.oneshot_timeout = 7;
	assert_int_equal(bli_timeout(5, &v), 7);
	/* The one-shot timeout shows the menu: 0 then waits. */
	v.oneshot_timeout = 0;
	assert_int_equal(bli_timeout(5, &v), -1);
}

static void test_entries_list(void **state)
{
	static const uint8_t want[] = "a\0l\0p\0h\0a\0\0\0b\0e\0t\0a\0\0\0"
				      "g\0a\0m\0m\0a\0\0\0b\0r\0o\0k\0e\0n\0\0";
	struct config cfg;
	uint8_t *list;
	size_t len;

	parse(&cfg, three);
	assert_int_equal(bli_entries(&cfg, &list, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(list, want, len);
	bt_free(list);
	config_free(&cfg);
}

/* --- sessions --------------------------------------------------------------- */

/* A minimal x86-64 EFI application header (what pe_check looks at). */
static char pe_image[RIG_PE_SIZE];

static void make_pe_image(void)
{
	rig_pe_image(pe_image);
}

static void machine_init(struct rig *m, const char *conf)
{
	make_pe_image();
	rig_init(m, 0);
	rig_dir(m, "/EFI");
	rig_dir(m, "/EFI/BOOT");
	rig_file(m, "/EFI/BOOT/BOOTX64.EFI", pe_image, sizeof(pe_image));
	rig_file(m, "/hello.efi", pe_image, sizeof(pe_image));
	rig_file(m, "/EFI/BOOT/baton.conf", conf, 0);
}

static struct host_var *var(struct rig *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->fw.n_vars; i++)
		if (!strcmp(m->fw.vars[i].name, name))
			return &m->fw.vars[i];
	return NULL;
}

static void set_var(struct rig *m, const char *name, const char *value)
{
	char why[64];
	uint8_t buf[256];
	size_t n = bli_str_encode(value, buf, sizeof(buf));

	assert_int_equal(fw_var_set(&m->fw, name, buf, n, true, why,
				    sizeof(why)), 0);
}

/* The variable as ASCII, or NULL when absent. */
static const char *var_text(struct rig *m, const char *name)
{
	static char out[BLI_ID_MAX];
	struct host_var *v = var(m, name);

	if (!v)
		return NULL;
	assert_int_equal(bli_str_decode(v->data, v->len, out, sizeof(out)), 0);
	return out;
}

static const char session_conf[] =
	"timeout 0\n"
	"default hello\n"
	"entry hello\n  efi /hello.efi\n"
	"entry Quit\n  action exit\n";

/* What every boot reports, and a one-shot entry taken at once (matched
 * without case) and deleted. */
static void test_session_reports_and_oneshot(void **state)
{
	static const uint8_t entries[] = "h\0e\0l\0l\0o\0\0\0q\0u\0i\0t\0\0";
	struct host_var *v;
	struct rig m;
	uint64_t features = 0;
	int i;

	machine_init(&m, session_conf);
	set_var(&m, "LoaderEntryOneShot", "QUIT");
	rig_run(&m, NULL, 0);
	assert_int_equal(m.fw.starts, 0);	/* quit, not hello */
	assert_null(var(&m, "LoaderEntryOneShot"));
	assert_string_equal(var_text(&m, "LoaderInfo"), "baton " BATON_VERSION);
	assert_string_equal(var_text(&m, "LoaderFirmwareType"), "UEFI 2.70");
	assert_string_equal(var_text(&m, "LoaderFirmwareInfo"),
			    "baton host 1.00");
	assert_string_equal(var_text(&m, "LoaderImageIdentifier"),
			    "\\EFI\\BOOT\\BOOTX64.EFI");
	assert_non_null(var_text(&m, "LoaderTimeInitUSec"));
	v = var(&m, "LoaderEntries");
	assert_non_null(v);
	assert_int_equal(v->len, sizeof(entries));
	assert_memory_equal(v->data, entries, v->len);
	assert_false(v->persistent);
	v = var(&m, "LoaderFeatures");
	assert_non_null(v);
	assert_int_equal(v->len, 8);
	for (i = 7; i >= 0; i--)
		features = features << 8 | v->data[i];
	assert_true(features == BLI_FEATURES);
	/* An action is not an entry systemd-boot reports as selected. */
	assert_null(var(&m, "LoaderEntrySelected"));
	rig_free(&m);
}

/* A one-shot id that matches nothing is said and still used up. */
static void test_session_unknown_oneshot(void **state)
{
	struct rig m;

	machine_init(&m, session_conf);
	set_var(&m, "LoaderEntryOneShot", "nosuch");
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('2'));
	assert_int_equal(m.fw.starts, 1);	/* the default, hello */
	assert_null(var(&m, "LoaderEntryOneShot"));
	rig_expect_out(&m, "LoaderEntryOneShot 'nosuch' matches no entry");
	assert_string_equal(var_text(&m, "LoaderEntrySelected"), "hello");
	assert_non_null(var_text(&m, "LoaderTimeExecUSec"));
	rig_free(&m);
}

/* @saved: the last booted entry is taken and a new choice is saved,
 * persistently; a one-shot boot leaves it alone. */
static void test_session_saved(void **state)
{
	static const char conf[] =
		"timeout 0\ndefault @saved\n"
		"entry hello\n  efi /hello.efi\n"
		"entry other\n  efi /hello.efi\n"
		"entry quit\n  action exit\n";
	struct rig m;

	machine_init(&m, conf);
	set_var(&m, "LoaderEntryLastBooted", "other");
	/* other boots at once and returns; then hello is chosen by hand. */
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('1'), CH('3'));
	assert_int_equal(m.fw.starts, 2);
	assert_string_equal(var_text(&m, "LoaderEntryLastBooted"), "hello");
	assert_true(var(&m, "LoaderEntryLastBooted")->persistent);
	assert_string_equal(var_text(&m, "LoaderEntrySelected"), "hello");
	rig_free(&m);

	machine_init(&m, conf);
	set_var(&m, "LoaderEntryLastBooted", "hello");
	set_var(&m, "LoaderEntryOneShot", "other");
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('3'));
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(var_text(&m, "LoaderEntrySelected"), "other");
	assert_string_equal(var_text(&m, "LoaderEntryLastBooted"), "hello");
	rig_free(&m);

	/* Without @saved, a saved entry left by an earlier setting goes. */
	machine_init(&m, session_conf);
	set_var(&m, "LoaderEntryLastBooted", "quit");
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('2'));
	assert_int_equal(m.fw.starts, 1);
	assert_null(var(&m, "LoaderEntryLastBooted"));
	rig_free(&m);
}

/* LoaderEntryDefault beats the config's default; LoaderConfigTimeout its
 * timeout; LoaderConfigTimeoutOneShot shows the menu once and goes. */
static void test_session_default_and_timeouts(void **state)
{
	struct rig m;

	machine_init(&m, session_conf);
	set_var(&m, "LoaderEntryDefault", "quit");
	rig_run(&m, NULL, 0);
	assert_int_equal(m.fw.starts, 0);
	assert_non_null(var(&m, "LoaderEntryDefault"));	/* stays */
	rig_free(&m);

	machine_init(&m, session_conf);
	set_var(&m, "LoaderConfigTimeout", "3");
	set_var(&m, "LoaderConfigTimeoutOneShot", "2");
	/* The countdown (2 s) boots hello, which returns; quit by hand. */
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('2'));
	assert_int_equal(m.fw.starts, 1);
	assert_true(m.fw.now_ms >= 2000);
	rig_expect_out(&m, "Booting 'hello' in 2 s");
	assert_null(var(&m, "LoaderConfigTimeoutOneShot"));
	assert_non_null(var(&m, "LoaderConfigTimeout"));
	assert_non_null(var_text(&m, "LoaderTimeMenuUSec"));
	rig_free(&m);

	machine_init(&m, session_conf);
	set_var(&m, "LoaderConfigTimeout", "menu-force");
	/* No countdown: the menu waits for the key. */
	RIG_RUN(&m, CH('2'));
	assert_int_equal(m.fw.starts, 0);
	rig_free(&m);
}

/* Bad values are said and ignored (a bad one-shot is still deleted); a
 * firmware that fails every variable is said once and baton boots. */
static void test_session_bad_vars(void **state)
{
	static const uint8_t odd[] = { 'q', 0, 'u' };
	char why[64];
	struct rig m;

	machine_init(&m, session_conf);
	assert_int_equal(fw_var_set(&m.fw, "LoaderEntryOneShot", odd,
				    sizeof(odd), true, why, sizeof(why)), 0);
	set_var(&m, "LoaderConfigTimeout", "soon");
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('2'));
	assert_int_equal(m.fw.starts, 1);
	assert_null(var(&m, "LoaderEntryOneShot"));
	rig_expect_out(&m, "EFI variable LoaderEntryOneShot is not an id");
	rig_expect_out(&m, "EFI variable LoaderConfigTimeout is 'soon', expected "
		   "seconds, menu-force, menu-hidden or menu-disabled");
	rig_free(&m);

	machine_init(&m, session_conf);
	m.fw.var_error = BT_EIO;
	RIG_RUN(&m, { KEY_OTHER, HOST_IDLE }, CH('2'));
	assert_int_equal(m.fw.starts, 1);
	rig_expect_out(&m, "cannot read EFI variable LoaderEntryOneShot: "
		   "EFI_DEVICE_ERROR");
	assert_null(strstr(strstr(m.fw.out, "cannot read") + 1,
			   "cannot "));
	rig_free(&m);
}

/* The automatic menu's entries carry systemd-boot's auto-* ids: a
 * one-shot one is preselected (the menu still waits, as its timeout
 * says). */
static void test_session_auto_ids(void **state)
{
	static const uint8_t want[] =
		"a\0u\0t\0o\0-\0w\0i\0n\0d\0o\0w\0s\0\0\0"
		"a\0u\0t\0o\0-\0e\0f\0i\0-\0s\0h\0e\0l\0l\0\0\0"
		"a\0u\0t\0o\0-\0e\0f\0i\0-\0t\0o\0o\0l\0s\0-\0"
		"h\0e\0l\0l\0o\0\0\0"
		"a\0u\0t\0o\0-\0e\0f\0i\0-\0s\0h\0e\0l\0l\0-\0"
		"2\0\0\0"
		"a\0u\0t\0o\0-\0r\0e\0b\0o\0o\0t\0-\0t\0o\0-\0"
		"f\0i\0r\0m\0w\0a\0r\0e\0-\0s\0e\0t\0u\0p\0\0\0"
		"a\0u\0t\0o\0-\0r\0e\0b\0o\0o\0t\0\0\0"
		"a\0u\0t\0o\0-\0p\0o\0w\0e\0r\0o\0f\0f\0\0\0"
		"e\0x\0i\0t\0\0";
	struct host_var *v;
	struct rig m;

	make_pe_image();
	rig_init(&m, 0);
	rig_dir(&m, "/EFI");
	rig_dir(&m, "/EFI/BOOT");
	rig_file(&m, "/EFI/BOOT/BOOTX64.EFI", pe_image, sizeof(pe_image));
	rig_dir(&m, "/EFI/Microsoft");
	rig_dir(&m, "/EFI/Microsoft/Boot");
	rig_file(&m, "/EFI/Microsoft/Boot/bootmgfw.efi", pe_image,
		 sizeof(pe_image));
	rig_dir(&m, "/EFI/tools");
	rig_file(&m, "/EFI/tools/Shell.efi", pe_image, sizeof(pe_image));
	rig_file(&m, "/EFI/tools/Hello.efi", pe_image, sizeof(pe_image));
	rig_file(&m, "/EFI/tools/shellx64.efi", pe_image, sizeof(pe_image));
	set_var(&m, "LoaderEntryOneShot", "auto-efi-tools-hello");
	RIG_RUN(&m, { KEY_ENTER, 0 }, CH('8'));
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/EFI/tools/Hello.efi");
	v = var(&m, "LoaderEntries");
	assert_non_null(v);
	if (v->len != sizeof(want) || memcmp(v->data, want, v->len)) {
		char got[BLI_ID_MAX * 4];
		size_t i;

		for (i = 0; i < v->len / 2 && i + 1 < sizeof(got); i++)
			got[i] = v->data[2 * i] ? (char)v->data[2 * i] : ' ';
		got[i] = 0;
		fail_msg("LoaderEntries is '%s'", got);
	}
	rig_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_entry_ids),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_timeout_precedence),
		cmocka_unit_test(test_entries_list),
		cmocka_unit_test(test_session_reports_and_oneshot),
		cmocka_unit_test(test_session_unknown_oneshot),
		cmocka_unit_test(test_session_saved),
		cmocka_unit_test(test_session_default_and_timeouts),
		cmocka_unit_test(test_session_bad_vars),
		cmocka_unit_test(test_session_auto_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
