/*
 * Tests for the config language (config/lexer.c, config/parser.c,
 * config/config.c): every directive, every kind of error and where it is
 * reported, comments, continuation lines, UTF-8, long lines, includes
 * (in place, relative, missing, loops, depth), the default entry, and
 * out-of-memory at every allocation.
 */
#include "tests/unit/helpers.h"
#include "config/config.h"
#include "firmware/host/host.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A file the fake config source can serve, named as path_format() would. */
struct fake_file {
	const char *name;
	const char *text;
};

struct fake_fs {
	const struct fake_file *files;
	size_t n_files;
	int reads;		/* read() calls so far */
};

static int fake_read(void *ctx, const struct path *p, char **data,
		     size_t *len, char *err, size_t errlen)
{
	struct fake_fs *fs = ctx;
	char *name = path_format(p);
	size_t i;

	fs->reads++;
	if (!name)
		return BT_ENOMEM;
	for (i = 0; i < fs->n_files; i++) {
		if (strcmp(fs->files[i].name, name) == 0) {
			bt_free(name);
			*len = strlen(fs->files[i].text);
			*data = str_dup(fs->files[i].text);
			return *data ? 0 : BT_ENOMEM;
		}
	}
	snprintf(err, errlen, "%s: file not found", name);
	bt_free(name);
	return BT_ENOENT;
}

#define FAKE_FS(arr) { arr, sizeof(arr) / sizeof(arr[0]), 0 }

/*
 * Parse text as the file at origin_text, reading includes from fs (NULL: no
 * source), then config_finish().  cfg is set up here; the caller frees it.
 */
static int parse_as(struct config *cfg, const char *origin_text,
		    const char *text, size_t len, struct fake_fs *fs)
{
	struct config_source src = { fs, fake_read };
	struct path origin;
	int rc;

	config_init(cfg);
	assert_int_equal(path_parse(origin_text, NULL, &origin, NULL, 0), 0);
	rc = config_parse(cfg, &origin, text, len, fs ? &src : NULL);
	if (!rc)
		rc = config_finish(cfg);
	path_free(&origin);
	return rc;
}

/* Parse text as /baton.conf, expecting success. */
static void parse(struct config *cfg, const char *text, struct fake_fs *fs)
{
	assert_int_equal(parse_as(cfg, "/baton.conf", text, strlen(text), fs),
			 0);
}

/* Show all diagnostics; handy when a test fails. */
static void print_diags(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_diags; i++)
		print_message("  diag: %s\n", cfg->diags[i]);
}

/* Assert that there is exactly one diagnostic and that it is want. */
static void assert_one_diag(const struct config *cfg, const char *want)
{
	if (cfg->n_diags != 1 || strcmp(cfg->diags[0], want) != 0)
		print_diags(cfg);
	assert_int_equal(cfg->n_diags, 1);
	assert_string_equal(cfg->diags[0], want);
}

/* Assert that some diagnostic contains part. */
static void assert_diag_has(const struct config *cfg, const char *part)
{
	size_t i;

	for (i = 0; i < cfg->n_diags; i++)
		if (strstr(cfg->diags[i], part))
			return;
	print_diags(cfg);
	fail_msg("no diagnostic contains '%s'", part);
}

/* -- the basics ----------------------------------------------------------- */

static void test_init_defaults(void **state)
{
	struct config cfg;

	config_init(&cfg);
	assert_int_equal(cfg.timeout, 5);
	assert_true(cfg.editor);
	assert_false(cfg.bls);
	assert_null(cfg.default_pattern);
	assert_int_equal(cfg.n_entries, 0);
	assert_int_equal(cfg.n_diags, 0);
	config_free(&cfg);
}

static void test_empty_and_blank(void **state)
{
	struct config cfg;

	parse(&cfg, "", NULL);
	assert_int_equal(cfg.n_entries, 0);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(config_default_index(&cfg), 0);
	config_free(&cfg);

	parse(&cfg, "\n\n   \n\t\n# only a comment\n   # another\n\\\n", NULL);
	assert_int_equal(cfg.n_entries, 0);
	assert_int_equal(cfg.n_diags, 0);
	config_free(&cfg);
}

static const char design_example[] =
	"timeout 5                 # seconds; 0 boots the default at once\n"
	"default debian            # entry id (a glob like debian* is allowed)\n"
	"editor yes                # may the user edit an entry\n"
	"bls yes                   # also read /loader/entries/*.conf\n"
	"\n"
	"entry debian\n"
	"    title    Debian GNU/Linux 12\n"
	"    linux    /vmlinuz\n"
	"    initrd   /initrd.img            # may repeat\n"
	"    options  root=/dev/sda2 console=ttyS0 quiet\n"
	"\n"
	"entry xen\n"
	"    title      Xen\n"
	"    multiboot2 /xen.gz console=com1 com1=115200,8n1\n"
	"    module     /vmlinuz root=/dev/sda2   # a module path, then its string\n"
	"    module     /initrd.img\n"
	"\n"
	"entry shell\n"
	"    efi   /EFI/tools/shellx64.efi -nostartup\n"
	"\n"
	"entry lab\n"
	"    title Lab netboot menu\n"
	"    menu  http://10.0.2.2:8080/lab.conf\n"
	"\n"
	"entry setup\n"
	"    action firmware-setup           # also: reboot, poweroff, exit\n";

static void test_design_example(void **state)
{
	const struct config_entry *e;
	struct config cfg;

	parse(&cfg, design_example, NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.timeout, 5);
	assert_string_equal(cfg.default_pattern, "debian");
	assert_true(cfg.editor);
	assert_true(cfg.bls);
	assert_int_equal(cfg.n_entries, 5);

	e = &cfg.entries[0];
	assert_string_equal(e->id, "debian");
	assert_string_equal(e->title, "Debian GNU/Linux 12");
	assert_string_equal(e->where, "/baton.conf:6");
	assert_int_equal(e->kind, ENTRY_LINUX);
	assert_string_equal(e->image.file, "/vmlinuz");
	assert_string_equal(e->args, "");
	assert_int_equal(e->n_initrds, 1);
	assert_string_equal(e->initrds[0].file, "/initrd.img");
	assert_string_equal(e->options, "root=/dev/sda2 console=ttyS0 quiet");
	assert_null(e->error);

	e = &cfg.entries[1];
	assert_int_equal(e->kind, ENTRY_MULTIBOOT2);
	assert_string_equal(e->image.file, "/xen.gz");
	assert_string_equal(e->args, "console=com1 com1=115200,8n1");
	assert_int_equal(e->n_modules, 2);
	assert_string_equal(e->modules[0].path.file, "/vmlinuz");
	assert_string_equal(e->modules[0].args, "root=/dev/sda2");
	assert_string_equal(e->modules[1].path.file, "/initrd.img");
	assert_string_equal(e->modules[1].args, "");
	assert_null(e->options);
	assert_null(e->error);

	e = &cfg.entries[2];
	assert_int_equal(e->kind, ENTRY_EFI);
	assert_null(e->title);
	assert_string_equal(e->image.file, "/EFI/tools/shellx64.efi");
	assert_string_equal(e->args, "-nostartup");

	e = &cfg.entries[3];
	assert_int_equal(e->kind, ENTRY_MENU);
	assert_int_equal(e->image.source, PATH_SRC_HTTP);
	assert_string_equal(e->image.arg, "10.0.2.2:8080");
	assert_string_equal(e->image.file, "/lab.conf");

	e = &cfg.entries[4];
	assert_int_equal(e->kind, ENTRY_ACTION);
	assert_int_equal(e->action, ACTION_FIRMWARE_SETUP);
	assert_null(e->error);

	assert_int_equal(config_default_index(&cfg), 0);
	config_free(&cfg);
	/* config_free() leaves the config_init() state. */
	assert_int_equal(cfg.timeout, 5);
	assert_int_equal(cfg.n_entries, 0);
	assert_null(cfg.entries);
	assert_null(cfg.diags);
}

static void test_keys_case_insensitive(void **state)
{
	struct config cfg;

	parse(&cfg, "TIMEOUT 3\nEditor NO\nEntry a\n  LINUX /k\n  Initrd /i\n"
		    "  OPTIONS q\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.timeout, 3);
	assert_false(cfg.editor);
	assert_int_equal(cfg.entries[0].kind, ENTRY_LINUX);
	assert_int_equal(cfg.entries[0].n_initrds, 1);
	config_free(&cfg);
}

static void test_linux_efi_and_multiboot(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nlinux-efi /k quiet splash\ninitrd /i1\n"
		    "initrd label=X:/i2\n"
		    "entry b\nmultiboot /mb.elf --verbose\nmodule /m1 one two\n"
		    "entry c\naction REBOOT\nentry d\naction poweroff\n"
		    "entry e\naction exit\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.entries[0].kind, ENTRY_LINUX_EFI);
	assert_string_equal(cfg.entries[0].args, "quiet splash");
	assert_int_equal(cfg.entries[0].n_initrds, 2);
	assert_int_equal(cfg.entries[0].initrds[1].source, PATH_SRC_LABEL);
	assert_int_equal(cfg.entries[1].kind, ENTRY_MULTIBOOT);
	assert_string_equal(cfg.entries[1].args, "--verbose");
	assert_string_equal(cfg.entries[1].modules[0].args, "one two");
	assert_int_equal(cfg.entries[2].action, ACTION_REBOOT);
	assert_int_equal(cfg.entries[3].action, ACTION_POWEROFF);
	assert_int_equal(cfg.entries[4].action, ACTION_EXIT);
	config_free(&cfg);
}

static void test_paths_relative_to_config(void **state)
{
	struct config cfg;
	const char text[] = "entry a\nlinux vmlinuz\ninitrd ../initrd.img\n";

	assert_int_equal(parse_as(&cfg, "label=ESP:/boot/baton.conf", text,
				  strlen(text), NULL), 0);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.entries[0].image.source, PATH_SRC_LABEL);
	assert_string_equal(cfg.entries[0].image.arg, "ESP");
	assert_string_equal(cfg.entries[0].image.file, "/boot/vmlinuz");
	assert_string_equal(cfg.entries[0].initrds[0].file, "/initrd.img");
	assert_string_equal(cfg.entries[0].where, "label=ESP:/boot/baton.conf:1");
	config_free(&cfg);
}

static void test_options_accumulate(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\noptions root=/dev/sda1\nlinux /k\noptions quiet\n",
	      NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].options, "root=/dev/sda1 quiet");
	config_free(&cfg);
}

static void test_title_replaced(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\ntitle One\ntitle  Two  words \nefi /x\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].title, "Two  words");
	config_free(&cfg);
}

/* -- lexing: comments, continuation, line ends, UTF-8, length ------------- */

static void test_comments(void **state)
{
	struct config cfg;

	parse(&cfg, "# leading comment\n"
		    "entry a # the id\n"
		    "title C#sharp and F#\n"
		    "linux /k#sha256=" HEX64 "   # pinned\n"
		    "options a=#b\tc\t# tab before\n"
		    "initrd /i #sha256=" HEX64 "\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].id, "a");
	assert_string_equal(cfg.entries[0].title, "C#sharp and F#");
	assert_true(cfg.entries[0].image.pinned);
	assert_string_equal(cfg.entries[0].image.file, "/k");
	assert_string_equal(cfg.entries[0].options, "a=#b\tc");
	/* "#sha256" after a space starts a comment: the initrd is not pinned. */
	assert_false(cfg.entries[0].initrds[0].pinned);
	config_free(&cfg);
}

static void test_continuation(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\n"
		    "linux /k \\\n"
		    "      root=/dev/sda1 \\\n"
		    "\tquiet\n"
		    "options one\\\n"
		    "two \\   # a comment after the backslash\n"
		    "   three\n"
		    "title \\\n"
		    "\n"
		    "bogus\n", NULL);
	assert_string_equal(cfg.entries[0].args, "root=/dev/sda1 quiet");
	assert_string_equal(cfg.entries[0].options, "one two three");
	/* The line numbers after continuations are still right. */
	assert_diag_has(&cfg, "/baton.conf:8: 'title' needs a value");
	assert_diag_has(&cfg, "/baton.conf:10: unknown key 'bogus'");
	assert_int_equal(cfg.n_diags, 2);
	config_free(&cfg);
}

static void test_continuation_into_key_and_eof(void **state)
{
	struct config cfg;

	parse(&cfg, "entry \\\n  a\nefi /x \\", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].id, "a");
	assert_string_equal(cfg.entries[0].image.file, "/x");
	config_free(&cfg);
}

/* A comment ends a continuation: "\" inside it does not continue. */
static void test_backslash_in_comment(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nefi /x # note \\\ntitle T\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].title, "T");
	assert_string_equal(cfg.entries[0].args, "");
	config_free(&cfg);
}

static void test_crlf(void **state)
{
	struct config cfg;

	parse(&cfg, "timeout 3\r\nentry a\r\n\tlinux /k ro\r\n\r\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.timeout, 3);
	assert_string_equal(cfg.entries[0].args, "ro");
	config_free(&cfg);
}

static void test_bom(void **state)
{
	struct config cfg;

	parse(&cfg, "\xEF\xBB\xBFtimeout 7\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.timeout, 7);
	config_free(&cfg);
}

static void test_utf8_title(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\ntitle Débian — “testing” 🐧\nefi /x\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].title, "Débian — “testing” 🐧");
	config_free(&cfg);
}

static void test_invalid_utf8(void **state)
{
	struct config cfg;

	parse(&cfg, "timeout 3\nentry a\ntitle caf\xe9\nefi /x\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:3: invalid UTF-8 (byte 0xE9 at "
			"column 10); the line is skipped");
	assert_null(cfg.entries[0].title);
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	config_free(&cfg);

	/* Named by the physical line with the bad byte, also when continued;
	 * an overlong encoding and a bad byte in a comment count too. */
	parse(&cfg, "title a \\\n  b\xc0\xaf\n# \xff\n", NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:2: invalid UTF-8 (byte "
			    "0xC0 at column 4); the line is skipped");
	assert_string_equal(cfg.diags[1], "/baton.conf:3: invalid UTF-8 (byte "
			    "0xFF at column 3); the line is skipped");
	config_free(&cfg);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "timeout 3\ntime\0out 4\ntimeout 9\n";
	struct config cfg;

	assert_int_equal(parse_as(&cfg, "/baton.conf", text, sizeof(text) - 1,
				  NULL), 0);
	assert_one_diag(&cfg, "/baton.conf:2: NUL byte at column 5: a config "
			"is text; the line is skipped");
	assert_int_equal(cfg.timeout, 9);
	config_free(&cfg);
}

/* "title " plus n bytes of x: a logical line of 6 + n bytes. */
static char *title_line(size_t n)
{
	char *s = malloc(n + 32);

	strcpy(s, "entry a\ntitle ");
	memset(s + 14, 'x', n);
	strcpy(s + 14 + n, "\nefi /x\n");
	return s;
}

static void test_long_lines(void **state)
{
	struct config cfg;
	char *text;

	/* Exactly CONFIG_LINE_MAX bytes is fine. */
	text = title_line(CONFIG_LINE_MAX - 6);
	parse(&cfg, text, NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(strlen(cfg.entries[0].title), CONFIG_LINE_MAX - 6);
	config_free(&cfg);
	free(text);

	/* One more is too long: reported, skipped, the entry cannot boot. */
	text = title_line(CONFIG_LINE_MAX - 5);
	parse(&cfg, text, NULL);
	assert_one_diag(&cfg, "/baton.conf:2: line too long (over 4096 bytes); "
			"it is skipped");
	assert_null(cfg.entries[0].title);
	assert_int_equal(cfg.entries[0].kind, ENTRY_EFI);
	assert_non_null(cfg.entries[0].error);
	config_free(&cfg);
	free(text);
}

static void test_long_line_by_continuation(void **state)
{
	struct config cfg;
	char *text = malloc(8000);

	strcpy(text, "options ");
	memset(text + 8, 'a', 3000);
	strcpy(text + 3008, " \\\n");
	memset(text + 3011, 'b', 3000);
	strcpy(text + 6011, "\ntimeout x\n");
	parse(&cfg, text, NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:1: line too long (over "
			    "4096 bytes); it is skipped");
	assert_string_equal(cfg.diags[1], "/baton.conf:3: timeout: expected a "
			    "number of seconds, 0 or -1, got 'x'");
	config_free(&cfg);
	free(text);
}

/* A long comment costs nothing: only what counts is measured. */
static void test_long_comment(void **state)
{
	struct config cfg;
	char *text = malloc(20000);

	strcpy(text, "timeout 1 # ");
	memset(text + 12, 'c', 19000);
	strcpy(text + 19012, "\n");
	parse(&cfg, text, NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.timeout, 1);
	config_free(&cfg);
	free(text);
}

/* -- global keys ---------------------------------------------------------- */

static void test_timeout_values(void **state)
{
	static const struct {
		const char *value;
		int want;	/* -99: rejected */
	} cases[] = {
		{ "0", 0 }, { "-1", -1 }, { "10", 10 }, { "007", 7 },
		{ "999999999", 999999999 }, { "x", -99 }, { "-2", -99 },
		{ "5s", -99 }, { "1 2", -99 }, { "9999999999", -99 },
		{ "-", -99 }, { "+3", -99 }, { "--1", -99 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		char text[64], want[160];

		snprintf(text, sizeof(text), "timeout %s\n", cases[i].value);
		parse(&cfg, text, NULL);
		if (cases[i].want != -99) {
			assert_int_equal(cfg.n_diags, 0);
			assert_int_equal(cfg.timeout, cases[i].want);
		} else {
			snprintf(want, sizeof(want), "/baton.conf:1: timeout: "
				 "expected a number of seconds, 0 or -1, got "
				 "'%s'", cases[i].value);
			assert_one_diag(&cfg, want);
			assert_int_equal(cfg.timeout, 5);
		}
		config_free(&cfg);
	}
}

static void test_bools(void **state)
{
	static const char *const yes[] = { "yes", "YES", "true", "on", "1" };
	static const char *const no[] = { "no", "False", "off", "0" };
	struct config cfg;
	char text[64];
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "editor no\neditor %s\nbls %s\n",
			 yes[i], yes[i]);
		parse(&cfg, text, NULL);
		assert_int_equal(cfg.n_diags, 0);
		assert_true(cfg.editor);
		assert_true(cfg.bls);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(text, sizeof(text), "bls yes\neditor %s\nbls %s\n",
			 no[i], no[i]);
		parse(&cfg, text, NULL);
		assert_int_equal(cfg.n_diags, 0);
		assert_false(cfg.editor);
		assert_false(cfg.bls);
		config_free(&cfg);
	}
	parse(&cfg, "editor maybe\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:1: editor: expected yes or no (or "
			"true/false, on/off, 1/0), got 'maybe'");
	assert_true(cfg.editor);
	config_free(&cfg);
}

static void test_default_one_word(void **state)
{
	struct config cfg;

	parse(&cfg, "default a b\nentry a\nefi /x\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:1: 'default' takes one entry id or "
			"glob, but 'b' follows it");
	assert_null(cfg.default_pattern);
	config_free(&cfg);
}

/* -- errors, and where they are reported ---------------------------------- */

static void test_unknown_key(void **state)
{
	struct config cfg;

	parse(&cfg, "foo bar\nentry a\nefi /x\ntitel A\nentry b\nefi /y\n",
	      NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:1: unknown key 'foo'");
	assert_string_equal(cfg.diags[1], "/baton.conf:4: unknown key 'titel'");
	/* Inside an entry it is also the entry's error; others are fine. */
	assert_string_equal(cfg.entries[0].error, cfg.diags[1]);
	assert_null(cfg.entries[1].error);
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);
}

static void test_unknown_key_quoted_short(void **state)
{
	struct config cfg;
	char text[400];

	memset(text, 'k', 300);
	strcpy(text + 300, " v\n");
	parse(&cfg, text, NULL);
	assert_int_equal(cfg.n_diags, 1);
	assert_true(strlen(cfg.diags[0]) < 120);
	assert_non_null(strstr(cfg.diags[0], "kkk...'"));
	config_free(&cfg);
}

static void test_missing_values(void **state)
{
	static const char *const keys[] = {
		"timeout", "default", "editor", "bls", "include", "title",
		"efi", "menu", "action", "linux", "linux-efi", "multiboot",
		"multiboot2", "initrd", "options", "module",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct config cfg;
		char text[64], want[64];

		snprintf(text, sizeof(text), "entry a\nefi /x\n%s   # none\n",
			 keys[i]);
		snprintf(want, sizeof(want), "/baton.conf:3: '%s' needs a value",
			 keys[i]);
		parse(&cfg, text, NULL);
		assert_int_equal(cfg.n_diags, 1);
		assert_true(strncmp(cfg.diags[0], want, strlen(want)) == 0);
		assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
		config_free(&cfg);
	}
}

static void test_entry_key_outside_entry(void **state)
{
	static const char *const keys[] = {
		"title T", "efi /x", "menu /m", "action reboot", "linux /k",
		"linux-efi /k", "multiboot /k", "multiboot2 /k", "initrd /i",
		"options o", "module /m",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct config cfg;
		char text[64], want[96];
		size_t klen = strcspn(keys[i], " ");

		snprintf(text, sizeof(text), "timeout 1\n%s\n", keys[i]);
		snprintf(want, sizeof(want), "/baton.conf:2: '%.*s' must follow "
			 "an 'entry' line", (int)klen, keys[i]);
		parse(&cfg, text, NULL);
		assert_one_diag(&cfg, want);
		assert_int_equal(cfg.n_entries, 0);
		config_free(&cfg);
	}
}

static void test_global_key_in_entry(void **state)
{
	static const char *const keys[] = {
		"timeout 3", "default a", "editor no", "bls yes",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct config cfg;
		char text[64], want[96];
		size_t klen = strcspn(keys[i], " ");

		snprintf(text, sizeof(text), "entry a\nlinux /k\n%s\n", keys[i]);
		snprintf(want, sizeof(want), "/baton.conf:3: '%.*s' is global: "
			 "put it before the first 'entry'", (int)klen, keys[i]);
		parse(&cfg, text, NULL);
		assert_one_diag(&cfg, want);
		assert_string_equal(cfg.entries[0].error, want);
		/* Not applied. */
		assert_int_equal(cfg.timeout, 5);
		assert_true(cfg.editor);
		assert_false(cfg.bls);
		assert_null(cfg.default_pattern);
		config_free(&cfg);
	}
}

static void test_two_boot_keys(void **state)
{
	struct config cfg;

	parse(&cfg, "entry x\nefi /a.efi\nlinux /k\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:3: entry 'x' already has an 'efi' "
			"line");
	assert_int_equal(cfg.entries[0].kind, ENTRY_EFI);
	assert_string_equal(cfg.entries[0].image.file, "/a.efi");
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	config_free(&cfg);

	parse(&cfg, "entry y\nlinux /k\nlinux /k2\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:3: entry 'y' already has a 'linux' "
			"line");
	config_free(&cfg);
}

static void test_initrd_options_need_linux(void **state)
{
	struct config cfg;

	parse(&cfg, "entry x\ninitrd /i\nefi /a.efi\noptions q\n", NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:2: 'initrd' only goes "
			    "with 'linux' or 'linux-efi', but entry 'x' uses "
			    "'efi'");
	assert_string_equal(cfg.diags[1], "/baton.conf:4: 'options' only goes "
			    "with 'linux' or 'linux-efi', but entry 'x' uses "
			    "'efi'");
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	config_free(&cfg);

	parse(&cfg, "entry y\nmultiboot2 /xen\noptions q\nentry z\nlinux /k\n",
	      NULL);
	assert_one_diag(&cfg, "/baton.conf:3: 'options' only goes with 'linux' "
			"or 'linux-efi', but entry 'y' uses 'multiboot2'");
	assert_non_null(cfg.entries[0].error);
	assert_null(cfg.entries[1].error);
	config_free(&cfg);

	/* Before the boot line is fine, in either kind of Linux entry. */
	parse(&cfg, "entry a\ninitrd /i\noptions o\nlinux-efi /k\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	config_free(&cfg);
}

static void test_module_needs_multiboot(void **state)
{
	struct config cfg;

	parse(&cfg, "entry x\nlinux /k\nmodule /m a\nmodule /n\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:3: 'module' needs a 'multiboot' or "
			"'multiboot2' line in its entry, but entry 'x' uses "
			"'linux'");
	assert_non_null(cfg.entries[0].error);
	config_free(&cfg);

	parse(&cfg, "entry a\nmodule /m a\nmultiboot /k\n", NULL);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.entries[0].n_modules, 1);
	config_free(&cfg);
}

static void test_no_boot_key(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\ntitle A\ninitrd /i\nentry b\nlinux /k\n"
		    "entry c\n", NULL);
	assert_int_equal(cfg.n_diags, 2);
	/* Reported where the entry started, and nothing more about it. */
	assert_string_equal(cfg.diags[0], "/baton.conf:1: entry 'a' has no efi, "
			    "linux, linux-efi, multiboot, multiboot2, menu or "
			    "action line");
	assert_string_equal(cfg.diags[1], "/baton.conf:6: entry 'c' has no efi, "
			    "linux, linux-efi, multiboot, multiboot2, menu or "
			    "action line");
	assert_int_equal(cfg.entries[0].kind, ENTRY_NONE);
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	assert_null(cfg.entries[1].error);
	assert_string_equal(cfg.entries[2].error, cfg.diags[1]);
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);
}

static void test_bad_paths_in_entries(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nlinux /k#sha256=12\n"
		    "entry b\nlinux /k\ninitrd label=:/i\n"
		    "entry c\nmultiboot /k\nmodule /../m\n"
		    "entry d\nmenu https://h/m\n"
		    "include /../x\n", NULL);
	assert_int_equal(cfg.n_diags, 5);
	assert_string_equal(cfg.diags[0], "/baton.conf:2: sha256 pin needs 64 "
			    "hex digits, got '12'");
	assert_int_equal(cfg.entries[0].kind, ENTRY_LINUX);
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	assert_true(strncmp(cfg.diags[1], "/baton.conf:5: empty volume name",
			    32) == 0);
	assert_int_equal(cfg.entries[1].n_initrds, 0);
	assert_string_equal(cfg.diags[2], "/baton.conf:8: '..' goes above the "
			    "root in '/../m'");
	assert_int_equal(cfg.entries[2].n_modules, 0);
	assert_true(strncmp(cfg.diags[3], "/baton.conf:10: unknown source "
			    "'https:'", 38) == 0);
	assert_string_equal(cfg.diags[4], "/baton.conf:11: '..' goes above the "
			    "root in '/../x'");
	/* d has two problems; the first is its error. */
	assert_string_equal(cfg.entries[3].error, cfg.diags[3]);
	config_free(&cfg);
}

static void test_one_path_keys(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nlinux /k\ninitrd /i /j\nentry b\nmenu /m x\n",
	      NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:3: 'initrd' takes one "
			    "path; put each initrd on its own 'initrd' line");
	assert_string_equal(cfg.diags[1], "/baton.conf:5: 'menu' takes one "
			    "path, but 'x' follows it");
	config_free(&cfg);
}

static void test_actions(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\naction dance\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:2: unknown action 'dance'; expected "
			"reboot, poweroff, firmware-setup or exit");
	assert_int_equal(cfg.entries[0].kind, ENTRY_ACTION);
	assert_int_equal(cfg.entries[0].action, ACTION_NONE);
	assert_non_null(cfg.entries[0].error);
	config_free(&cfg);
}

static void test_duplicate_id(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nefi /x\n\nentry a\nefi /y\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:4: duplicate entry id 'a' (first at "
			"/baton.conf:1)");
	assert_int_equal(cfg.n_entries, 2);
	assert_null(cfg.entries[0].error);
	assert_string_equal(cfg.entries[1].error, cfg.diags[0]);
	/* The later entry is still parsed, to be shown. */
	assert_string_equal(cfg.entries[1].image.file, "/y");
	config_free(&cfg);
}

static void test_entry_id_problems(void **state)
{
	struct config cfg;

	/* No id: an entry is still opened, so its lines are not blamed on
	 * the entry before. */
	parse(&cfg, "entry a\nefi /x\nentry\ntitle T\nefi /y\n"
		    "entry two words\nefi /z\n", NULL);
	assert_int_equal(cfg.n_entries, 3);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:3: 'entry' needs a "
			    "value: an id such as 'debian' (entry ID)");
	assert_string_equal(cfg.diags[1], "/baton.conf:6: 'entry' takes one "
			    "word as the id, but 'words' follows 'two'; put a "
			    "name on a 'title' line");
	assert_null(cfg.entries[0].error);
	assert_string_equal(cfg.entries[1].id, "");
	assert_string_equal(cfg.entries[1].title, "T");
	assert_non_null(cfg.entries[1].error);
	assert_string_equal(cfg.entries[2].id, "two");
	assert_non_null(cfg.entries[2].error);
	config_free(&cfg);
}

static void test_first_error_wins(void **state)
{
	struct config cfg;

	parse(&cfg, "entry a\nfoo\nlinux /k\nbar\nefi /x\n", NULL);
	assert_int_equal(cfg.n_diags, 3);
	assert_string_equal(cfg.entries[0].error,
			    "/baton.conf:2: unknown key 'foo'");
	config_free(&cfg);
}

static void test_config_diag(void **state)
{
	struct config cfg;

	config_init(&cfg);
	assert_int_equal(config_diag(&cfg, "%s:%d: %s", "x.conf", 7, "hi"), 0);
	assert_int_equal(config_diag(&cfg, "second"), 0);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "x.conf:7: hi");
	host_alloc_fail_after(0);
	assert_int_equal(config_diag(&cfg, "no room"), BT_ENOMEM);
	host_alloc_fail_after(1);
	assert_int_equal(config_diag(&cfg, "no room"), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_int_equal(cfg.n_diags, 2);
	config_free(&cfg);
}

/* Without an origin the file is called "config". */
static void test_no_origin(void **state)
{
	struct config cfg;
	const char text[] = "bogus\nentry a\nlinux vmlinuz\n";

	config_init(&cfg);
	assert_int_equal(config_parse(&cfg, NULL, text, strlen(text), NULL), 0);
	assert_one_diag(&cfg, "config:1: unknown key 'bogus'");
	assert_string_equal(cfg.entries[0].image.file, "/vmlinuz");
	assert_int_equal(cfg.entries[0].image.source, PATH_SRC_BOOT);
	config_free(&cfg);
}

/* The text need not be NUL-terminated: only len bytes are read. */
static void test_len_respected(void **state)
{
	struct config cfg;
	const char text[] = "timeout 3\ntimeout 4";

	assert_int_equal(parse_as(&cfg, "/baton.conf", text, 10, NULL), 0);
	assert_int_equal(cfg.timeout, 3);
	config_free(&cfg);
}

/* -- several files -------------------------------------------------------- */

static void test_several_parses(void **state)
{
	struct config cfg;
	struct path a, b;
	const char one[] = "timeout 2\nentry x\nefi /x\n";
	const char two[] = "editor no\ntitle T\nentry x\nefi /y\n";

	config_init(&cfg);
	assert_int_equal(path_parse("/one.conf", NULL, &a, NULL, 0), 0);
	assert_int_equal(path_parse("/two.conf", NULL, &b, NULL, 0), 0);
	assert_int_equal(config_parse(&cfg, &a, one, strlen(one), NULL), 0);
	assert_int_equal(config_parse(&cfg, &b, two, strlen(two), NULL), 0);
	assert_int_equal(config_finish(&cfg), 0);
	/* The second file starts outside any entry. */
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/two.conf:2: 'title' must follow "
			    "an 'entry' line");
	assert_string_equal(cfg.diags[1], "/two.conf:3: duplicate entry id 'x' "
			    "(first at /one.conf:2)");
	assert_int_equal(cfg.timeout, 2);
	assert_false(cfg.editor);
	assert_null(cfg.entries[0].title);
	path_free(&a);
	path_free(&b);
	config_free(&cfg);
}

/* -- includes ------------------------------------------------------------- */

static void test_include_in_place(void **state)
{
	static const struct fake_file files[] = {
		{ "/boot/more.conf", "timeout 9\nentry b\nefi b.efi\noops\n" },
		{ "/boot/sub/in.conf", "initrd ../i2\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	const char text[] = "entry a\nlinux /k\n"
			    "include sub/in.conf\n"
			    "include more.conf\n"
			    "entry c\nefi /c\n";
	struct config cfg;

	assert_int_equal(parse_as(&cfg, "/boot/baton.conf", text, strlen(text),
				  &fs), 0);
	/* timeout in more.conf comes inside entry a: it is global. */
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/boot/more.conf:1: 'timeout' is "
			    "global: put it before the first 'entry'");
	assert_string_equal(cfg.diags[1], "/boot/more.conf:4: unknown key "
			    "'oops'");
	assert_int_equal(cfg.n_entries, 3);
	assert_string_equal(cfg.entries[0].id, "a");
	assert_int_equal(cfg.entries[0].n_initrds, 1);
	assert_string_equal(cfg.entries[0].initrds[0].file, "/boot/i2");
	assert_string_equal(cfg.entries[0].error, cfg.diags[0]);
	assert_string_equal(cfg.entries[1].id, "b");
	assert_string_equal(cfg.entries[1].where, "/boot/more.conf:2");
	assert_string_equal(cfg.entries[1].image.file, "/boot/b.efi");
	assert_string_equal(cfg.entries[1].error, cfg.diags[1]);
	assert_string_equal(cfg.entries[2].id, "c");
	assert_null(cfg.entries[2].error);
	assert_int_equal(fs.reads, 2);
	config_free(&cfg);
}

/* An entry opened in an include goes on after it, as if inserted. */
static void test_include_entry_continues(void **state)
{
	static const struct fake_file files[] = {
		{ "/head.conf", "entry a\ntitle A\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	struct config cfg;

	parse(&cfg, "timeout 1\ninclude head.conf\nlinux /k\n", &fs);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.n_entries, 1);
	assert_int_equal(cfg.entries[0].kind, ENTRY_LINUX);
	assert_string_equal(cfg.entries[0].title, "A");
	config_free(&cfg);
}

static void test_include_missing(void **state)
{
	struct fake_fs fs = { NULL, 0, 0 };
	struct config cfg;

	parse(&cfg, "include /nope.conf\nentry a\nefi /x\ninclude y.conf\n",
	      &fs);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[0], "/baton.conf:1: /nope.conf: file not "
			    "found");
	assert_string_equal(cfg.diags[1], "/baton.conf:4: /y.conf: file not "
			    "found");
	assert_string_equal(cfg.entries[0].error, cfg.diags[1]);
	config_free(&cfg);
}

/* A source that fails without a message still gets the file named. */
static int silent_fail(void *ctx, const struct path *p, char **data,
		       size_t *len, char *err, size_t errlen)
{
	return BT_EIO;
}

static void test_include_failure_without_message(void **state)
{
	struct config_source src = { NULL, silent_fail };
	const char text[] = "include x.conf\n";
	struct config cfg;

	config_init(&cfg);
	assert_int_equal(config_parse(&cfg, NULL, text, strlen(text), &src), 0);
	assert_one_diag(&cfg, "config:1: /x.conf: read error");
	config_free(&cfg);
}

static void test_include_without_source(void **state)
{
	struct config cfg;

	parse(&cfg, "include x.conf\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:1: /x.conf: cannot read includes "
			"here");
	config_free(&cfg);
}

static void test_include_loop(void **state)
{
	static const struct fake_file files[] = {
		{ "/a.conf", "entry a\nefi /a\ninclude b.conf\n" },
		{ "/b.conf", "entry b\nefi /b\ninclude /a.conf\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	struct config cfg;

	parse(&cfg, "include a.conf\n", &fs);
	assert_one_diag(&cfg, "/b.conf:3: include loop: /b.conf includes "
			"/a.conf which is already being read");
	assert_int_equal(cfg.n_entries, 2);
	assert_string_equal(cfg.entries[1].error, cfg.diags[0]);
	assert_int_equal(fs.reads, 2);
	config_free(&cfg);
}

static void test_include_self(void **state)
{
	struct fake_fs fs = { NULL, 0, 0 };
	struct config cfg;

	parse(&cfg, "include ./baton.conf\n", &fs);
	assert_one_diag(&cfg, "/baton.conf:1: include loop: /baton.conf "
			"includes /baton.conf which is already being read");
	assert_int_equal(fs.reads, 0);
	config_free(&cfg);
}

/* The same file twice in a row is not a loop. */
static void test_include_twice_not_loop(void **state)
{
	static const struct fake_file files[] = {
		{ "/opts.conf", "options quiet\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	struct config cfg;

	parse(&cfg, "entry a\nlinux /k\ninclude opts.conf\ninclude opts.conf\n",
	      &fs);
	assert_int_equal(cfg.n_diags, 0);
	assert_string_equal(cfg.entries[0].options, "quiet quiet");
	config_free(&cfg);
}

static void test_include_depth(void **state)
{
	/* /d1.conf includes /d2.conf ... : each adds an entry. */
	struct fake_file files[12];
	char names[12][24], texts[12][64];
	struct fake_fs fs = { files, 12, 0 };
	struct config cfg;
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "/d%d.conf", i + 1);
		snprintf(texts[i], sizeof(texts[i]),
			 "entry e%d\nefi /x\ninclude d%d.conf\n", i + 1, i + 2);
		files[i].name = names[i];
		files[i].text = texts[i];
	}
	parse(&cfg, "include d1.conf\n", &fs);
	/* The top file is depth 0; d8 is the eighth nested include. */
	assert_one_diag(&cfg, "/d8.conf:3: includes nested too deep: /d8.conf "
			"includes /d9.conf at depth 9 (at most 8)");
	assert_int_equal(cfg.n_entries, CONFIG_INCLUDE_DEPTH);
	assert_int_equal(fs.reads, CONFIG_INCLUDE_DEPTH);
	config_free(&cfg);
}

static void test_include_over_http(void **state)
{
	static const struct fake_file files[] = {
		{ "http://10.0.2.2:8080/menus/more.conf",
		  "entry net\nlinux vmlinuz\ninitrd tftp:/initrd\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	const char text[] = "include more.conf\n";
	struct config cfg;

	assert_int_equal(parse_as(&cfg, "http://10.0.2.2:8080/menus/lab.conf",
				  text, strlen(text), &fs), 0);
	assert_int_equal(cfg.n_diags, 0);
	assert_int_equal(cfg.entries[0].image.source, PATH_SRC_HTTP);
	assert_string_equal(cfg.entries[0].image.file, "/menus/vmlinuz");
	assert_int_equal(cfg.entries[0].initrds[0].source, PATH_SRC_TFTP);
	assert_string_equal(cfg.entries[0].where,
			    "http://10.0.2.2:8080/menus/more.conf:1");
	config_free(&cfg);
}

static void test_include_takes_one_path(void **state)
{
	struct fake_fs fs = { NULL, 0, 0 };
	struct config cfg;

	parse(&cfg, "include a.conf b.conf\n", &fs);
	assert_one_diag(&cfg, "/baton.conf:1: 'include' takes one path, but "
			"'b.conf' follows it");
	assert_int_equal(fs.reads, 0);
	config_free(&cfg);
}

/* A very long file name is cut to its end in messages. */
static void test_long_file_name(void **state)
{
	struct fake_fs fs = { NULL, 0, 0 };
	struct config cfg;
	char text[600], want[200];

	strcpy(text, "include /");
	memset(text + 9, 'd', 400);
	strcpy(text + 409, "/x.conf\n");
	parse(&cfg, text, &fs);
	assert_int_equal(cfg.n_diags, 1);
	/* The source's message is passed on as it wrote it. */
	assert_true(strncmp(cfg.diags[0], "/baton.conf:1: /ddd", 19) == 0);
	config_free(&cfg);

	text[strlen(text) - 1] = '\0';	/* the path alone, as the origin */
	parse_as(&cfg, text + 8, "bogus\n", 6, NULL);
	snprintf(want, sizeof(want), "...%.*s/x.conf:1: unknown key 'bogus'",
		 160 - 3 - 7, text + 9);
	assert_one_diag(&cfg, want);
	config_free(&cfg);
}

/* An included file's own problems: bad UTF-8, a BOM, a long line. */
static void test_include_lexing(void **state)
{
	static const struct fake_file files[] = {
		{ "/x.conf", "\xEF\xBB\xBF" "timeout 4\ntitle \xfe\n" },
	};
	struct fake_fs fs = FAKE_FS(files);
	struct config cfg;

	parse(&cfg, "include x.conf\ntimeout 6\n", &fs);
	assert_one_diag(&cfg, "/x.conf:2: invalid UTF-8 (byte 0xFE at column "
			"7); the line is skipped");
	assert_int_equal(cfg.timeout, 6);
	config_free(&cfg);
}

/* -- the default entry ---------------------------------------------------- */

static void test_default_glob(void **state)
{
	struct config cfg;

	parse(&cfg, "default deb*\n"
		    "entry arch\nlinux /a\n"
		    "entry debian-old\ntitle broken\n"
		    "entry debian\nlinux /d\n"
		    "entry debian2\nlinux /d2\n", NULL);
	assert_int_equal(cfg.n_diags, 1);	/* debian-old: no boot line */
	assert_int_equal(config_default_index(&cfg), 2);
	config_free(&cfg);

	parse(&cfg, "default debian?\nentry debian\nlinux /d\n"
		    "entry debian2\nlinux /d2\n", NULL);
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);

	parse(&cfg, "default [xyz]*\nentry a\nlinux /d\nentry y1\nlinux /d\n",
	      NULL);
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);
}

static void test_default_matches_nothing(void **state)
{
	struct config cfg;

	parse(&cfg, "timeout 1\ndefault nope*\nentry a\ntitle x\n"
		    "entry b\nefi /b\n", NULL);
	assert_int_equal(cfg.n_diags, 2);
	assert_string_equal(cfg.diags[1], "/baton.conf:2: default 'nope*' "
			    "matches no entry");
	assert_int_equal(config_default_index(&cfg), 1);	/* first bootable */
	config_free(&cfg);
}

/* Matching only an entry that cannot boot is not "matches no entry". */
static void test_default_matches_broken_only(void **state)
{
	struct config cfg;

	parse(&cfg, "default a\nentry a\nlinux /k\nfoo\nentry b\nefi /b\n", NULL);
	assert_one_diag(&cfg, "/baton.conf:4: unknown key 'foo'");
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);
}

static void test_default_later_wins(void **state)
{
	struct config cfg;

	parse(&cfg, "default a\ndefault zz\nentry a\nefi /a\n", NULL);
	assert_string_equal(cfg.default_pattern, "zz");
	assert_one_diag(&cfg, "/baton.conf:2: default 'zz' matches no entry");
	config_free(&cfg);
}

static void test_default_index_fallbacks(void **state)
{
	struct config cfg;

	/* All broken: 0. */
	parse(&cfg, "entry a\nentry b\n", NULL);
	assert_int_equal(config_default_index(&cfg), 0);
	config_free(&cfg);

	/* No default: the first that can boot. */
	parse(&cfg, "entry a\nbogus x\nefi /a\nentry b\nefi /b\n", NULL);
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);

	/* Nothing at all: 0, and no diagnostics from config_finish(). */
	config_init(&cfg);
	assert_int_equal(config_finish(&cfg), 0);
	assert_int_equal(config_default_index(&cfg), 0);
	config_free(&cfg);
}

/* -- out of memory -------------------------------------------------------- */

static const struct fake_file oom_files[] = {
	{ "/boot/inc.conf", "entry inc\nlinux /k\ninitrd /i\noptions o\n"
	  "include loop.conf\n" },
	{ "/boot/loop.conf", "bogus\ninclude inc.conf\n" },
};

static const char oom_text[] =
	"\xEF\xBB\xBF# a config with a bit of everything\n"
	"timeout 3\ndefault d*\neditor no\nbls yes\n"
	"entry a\ntitle A \\\n  continued\nlinux /k root=x\ninitrd i1\n"
	"initrd i2\noptions quiet\n"
	"include inc.conf\ninclude missing.conf\n"
	"entry m\nmultiboot2 /xen a\nmodule /m1 x\nmodule /m2\n"
	"entry a\nefi /e.efi#sha256=" HEX64 "\ntimeout 4\n"
	"entry n\ntitle t\xff\n"
	"entry o\ninitrd /i\naction reboot\nmodule /m\n";

/* Parse oom_text with allocation number n failing (-1: none). */
static int parse_oom(struct config *cfg, long n)
{
	struct fake_fs fs = FAKE_FS(oom_files);
	struct config_source src = { &fs, fake_read };
	struct path origin;
	int rc;

	assert_int_equal(path_parse("/boot/baton.conf", NULL, &origin, NULL, 0),
			 0);
	config_init(cfg);
	host_alloc_fail_after(n);
	rc = config_parse(cfg, &origin, oom_text, strlen(oom_text), &src);
	if (!rc)
		rc = config_finish(cfg);
	host_alloc_fail_after(-1);
	path_free(&origin);
	return rc;
}

static void test_oom(void **state)
{
	struct config ref, cfg;
	long n;
	size_t i;

	assert_int_equal(parse_oom(&ref, -1), 0);
	assert_int_equal(ref.n_entries, 6);
	assert_true(ref.n_diags >= 8);
	for (n = 0; n < 100000; n++) {
		int rc = parse_oom(&cfg, n);

		if (rc == BT_ENOMEM) {
			config_free(&cfg);	/* ASan: nothing leaks */
			continue;
		}
		/* Success only when nothing failed: the same result. */
		assert_int_equal(rc, 0);
		assert_int_equal(cfg.n_entries, ref.n_entries);
		assert_int_equal(cfg.n_diags, ref.n_diags);
		for (i = 0; i < ref.n_diags; i++)
			assert_string_equal(cfg.diags[i], ref.diags[i]);
		for (i = 0; i < ref.n_entries; i++) {
			if (ref.entries[i].error)
				assert_string_equal(cfg.entries[i].error,
						    ref.entries[i].error);
			else
				assert_null(cfg.entries[i].error);
		}
		config_free(&cfg);
		break;
	}
	print_message("  %ld allocations\n", n);
	assert_true(n > 50 && n < 100000);
	config_free(&ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_keys_case_insensitive),
		cmocka_unit_test(test_linux_efi_and_multiboot),
		cmocka_unit_test(test_paths_relative_to_config),
		cmocka_unit_test(test_options_accumulate),
		cmocka_unit_test(test_title_replaced),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_continuation_into_key_and_eof),
		cmocka_unit_test(test_backslash_in_comment),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_utf8_title),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_long_line_by_continuation),
		cmocka_unit_test(test_long_comment),
		cmocka_unit_test(test_timeout_values),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_default_one_word),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_key_quoted_short),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_entry_key_outside_entry),
		cmocka_unit_test(test_global_key_in_entry),
		cmocka_unit_test(test_two_boot_keys),
		cmocka_unit_test(test_initrd_options_need_linux),
		cmocka_unit_test(test_module_needs_multiboot),
		cmocka_unit_test(test_no_boot_key),
		cmocka_unit_test(test_bad_paths_in_entries),
		cmocka_unit_test(test_one_path_keys),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_entry_id_problems),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_config_diag),
		cmocka_unit_test(test_no_origin),
		cmocka_unit_test(test_len_respected),
		cmocka_unit_test(test_several_parses),
		cmocka_unit_test(test_include_in_place),
		cmocka_unit_test(test_include_entry_continues),
		cmocka_unit_test(test_include_missing),
		cmocka_unit_test(test_include_failure_without_message),
		cmocka_unit_test(test_include_without_source),
		cmocka_unit_test(test_include_loop),
		cmocka_unit_test(test_include_self),
		cmocka_unit_test(test_include_twice_not_loop),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_include_over_http),
		cmocka_unit_test(test_include_takes_one_path),
		cmocka_unit_test(test_include_lexing),
		cmocka_unit_test(test_long_file_name),
		cmocka_unit_test(test_default_glob),
		cmocka_unit_test(test_default_matches_nothing),
		cmocka_unit_test(test_default_matches_broken_only),
		cmocka_unit_test(test_default_later_wins),
		cmocka_unit_test(test_default_index_fallbacks),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
