/*
 * Boot Loader Specification support: the version comparison (the spec's
 * whole test vector, and systemd-analyze where installed), Type #1 entry
 * keys and their diagnostics, boot counters and ids, the sort order and
 * the default, loader.conf against baton.conf, UKIs (a PE made here and,
 * where systemd-boot-efi is installed, a real one made with objcopy), and
 * a whole session on the host rig that boots a counted UKI and leaves the
 * renamed file behind.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "config/bls.h"
#include "core/baton.h"
#include "lib/fmt.h"
#include "lib/vercmp.h"
#include "loader/pe.h"
#include <unistd.h>

#define CH(c) { KEY_CHAR, (c) }
#define K(code) { (code), 0 }

static int sgn(int x)
{
	return (x > 0) - (x < 0);
}

static void expect_cmp(const char *a, const char *b, int want)
{
	if (sgn(vercmp(a, b)) != want || sgn(vercmp(b, a)) != -want)
		fail_msg("vercmp('%s', '%s') = %d, expected %d", a, b,
			 vercmp(a, b), want);
}

static const char *const vector[] = {
	"122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1",
	"123^post1", "123.a-1", "123.1-1", "123a-1", "124-1",
};
#define N_VECTOR (sizeof(vector) / sizeof(vector[0]))

static void test_vercmp_vector(void **state)
{
	size_t i, j;

	for (i = 0; i < N_VECTOR; i++)
		for (j = 0; j < N_VECTOR; j++)
			expect_cmp(vector[i], vector[j], i < j ? -1 : i > j);
}

/* The specification's examples, as systemd-analyze compare-versions
 * (systemd 252) answers them; for '~' against "0" and "" the spec's own
 * list says the opposite of its test vector and of systemd. */
static void test_vercmp_examples(void **state)
{
	static const struct { const char *a, *b; int want; } ex[] = {
		{ "11", "11", 0 }, { "systemd-123", "systemd-123", 0 },
		{ "bar-123", "foo-123", -1 }, { "123a", "123", 1 },
		{ "123.a", "123", 1 }, { "123.a", "123.b", -1 },
		{ "123a", "123.a", 1 }, { "11\xce\xb1", "11\xce\xb2", 0 },
		{ "A", "a", -1 }, { "", "0", -1 }, { "0.", "0", 1 },
		{ "0.0", "0", 1 }, { "0", "~", 1 }, { "", "~", 1 },
		{ "1_", "1", 0 }, { "_1", "1", 0 }, { "1_", "1.2", -1 },
		{ "1_2_3", "1.3.3", 1 }, { "1+", "1", 0 }, { "+1", "1", 0 },
		{ "1+", "1.2", -1 }, { "1+2+3", "1.3.3", 1 },
		{ "00123", "123", 0 }, { "1.10", "1.9", 1 },
		{ "6.8.0-300.fc40.x86_64", "6.10.1-200.fc40.x86_64", -1 },
		{ "123~rc1", "123~rc2", -1 }, { "1~~", "1~", 1 },
		{ NULL, "", 0 }, { "abc", "abcd", -1 },
		{ "99999999999999999999", "99999999999999999998", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		expect_cmp(ex[i].a, ex[i].b, ex[i].want);
}

/* Every pair of the vector and a few more through systemd-analyze. */
static void test_vercmp_systemd_analyze(void **state)
{
	static const char *const more[] = {
		"0", "~", "1.0", "1.0~rc", "5.10.0-26-amd64", "5.10.0-9-amd64",
		"A1", "a1", "1a", "1.a", "1-a", "1^a",
	};
	const char *all[N_VECTOR + sizeof(more) / sizeof(more[0])];
	size_t i, j, n = 0;

	/* Its exit status encodes the answer; only whether it runs counts. */
	if (system("systemd-analyze compare-versions 1 1 >/dev/null 2>&1") != 0)
		skip();
	for (i = 0; i < N_VECTOR; i++)
		all[n++] = vector[i];
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		all[n++] = more[i];
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			char cmd[200], out[200] = "";
			FILE *p;
			int want;

			snprintf(cmd, sizeof(cmd), "systemd-analyze compare-versions "
				 "'%s' '%s'", all[i], all[j]);
			p = popen(cmd, "r");
			assert_non_null(p);
			assert_non_null(fgets(out, sizeof(out), p));
			pclose(p);
			want = strstr(out, " < ") ? -1 : strstr(out, " > ") ? 1 : 0;
			expect_cmp(all[i], all[j], want);
		}
}

/* -- entries ------------------------------------------------------------- */

static struct path esp_file(const char *file)
{
	struct path p;
	char err[100];

	assert_int_equal(path_parse(file, NULL, &p, err, sizeof(err)), 0);
	return p;
}

/* Parse text as the entry at file (e.g. "partuuid=...:/loader/entries/x.conf"). */
static void add(struct config *cfg, const char *file, const char *text)
{
	struct path p = esp_file(file);

	assert_int_equal(bls_add_entry(cfg, &p, text, strlen(text)), 0);
	path_free(&p);
}

static void expect_diag(const struct config *cfg, const char *text)
{
	size_t i;

	for (i = 0; i < cfg->n_diags; i++)
		if (!strcmp(cfg->diags[i], text))
			return;
	for (i = 0; i < cfg->n_diags; i++)
		print_error("  diag: %s\n", cfg->diags[i]);
	fail_msg("no diagnostic \"%s\"", text);
}

#define PU "partuuid=0fc63daf-8483-4772-8e79-3d69d8477de4:"

static void test_entry_keys(void **state)
{
	struct config cfg;
	struct config_entry *e;
	char *s;

	config_init(&cfg);
	add(&cfg, PU "/loader/entries/Fedora-6.8+3-1.conf",
	    "# a comment\n"
	    "title   Fedora Linux 40\n"
	    "version 6.8.5-301.fc40.x86_64\n"
	    "machine-id 0123456789abcdef0123456789abcdef\n"
	    "sort-key fedora\n"
	    "linux /0123/6.8/linux\n"
	    "initrd 0123/6.8/microcode\n"
	    "initrd /0123/6.8/initrd /0123/6.8/extra.img\n"
	    "options root=UUID=1234 ro  \r\n"
	    "options quiet #not-a-comment\n"
	    "architecture X64\n");
	assert_int_equal(cfg.n_entries, 1);
	assert_int_equal(cfg.n_diags, 0);
	e = &cfg.entries[0];
	assert_null(e->error);
	assert_string_equal(e->id, "fedora-6.8.conf");
	assert_string_equal(e->title, "Fedora Linux 40");
	assert_string_equal(e->version, "6.8.5-301.fc40.x86_64");
	assert_string_equal(e->machine_id, "0123456789abcdef0123456789abcdef");
	assert_string_equal(e->sort_key, "fedora");
	assert_int_equal(e->kind, ENTRY_LINUX);
	s = path_format(&e->image);
	assert_string_equal(s, PU "/0123/6.8/linux");
	bt_free(s);
	assert_int_equal(e->n_initrds, 3);
	s = path_format(&e->initrds[0]);
	assert_string_equal(s, PU "/0123/6.8/microcode");
	bt_free(s);
	assert_string_equal(e->initrds[2].file, "/0123/6.8/extra.img");
	assert_string_equal(e->options, "root=UUID=1234 ro quiet #not-a-comment");
	assert_string_equal(e->args, "");
	assert_int_equal(e->tries_left, 3);
	assert_int_equal(e->tries_done, 1);
	assert_false(e->bls_bad);
	assert_string_equal(e->bls_next, "Fedora-6.8+2-2.conf");
	assert_string_equal(e->bls_file.file, "/loader/entries/Fedora-6.8+3-1.conf");
	assert_string_equal(e->where, PU "/loader/entries/Fedora-6.8+3-1.conf");

	/* efi: options are the load options; uki boots as efi; no title:
	 * the id is shown. */
	add(&cfg, "/loader/entries/shell.conf",
	    "efi EFI/tools/shell.efi\noptions -nostartup\noptions fs0:\n");
	e = &cfg.entries[1];
	assert_int_equal(e->kind, ENTRY_EFI);
	assert_string_equal(e->image.file, "/EFI/tools/shell.efi");
	assert_string_equal(e->args, "-nostartup fs0:");
	assert_null(e->options);
	assert_null(e->title);
	assert_string_equal(e->id, "shell.conf");
	assert_int_equal(e->tries_left, -1);
	add(&cfg, "/loader/entries/shell+2.conf", "efi /shell.efi\n");
	assert_null(cfg.entries[2].bls_next);	/* efi entries are not counted */
	assert_int_equal(cfg.entries[2].tries_left, 2);
	add(&cfg, "/loader/entries/u+1.conf", "uki /EFI/Linux/x.efi\noptions a=1\n");
	e = &cfg.entries[3];
	assert_int_equal(e->kind, ENTRY_EFI);
	assert_string_equal(e->args, "a=1");
	assert_string_equal(e->bls_next, "u+0-1.conf");
	assert_int_equal(cfg.n_diags, 0);
	config_free(&cfg);
}

static void test_entry_diags(void **state)
{
	struct config cfg;

	config_init(&cfg);
	add(&cfg, PU "/loader/entries/a.conf",
	    "title A\nfrobnicate 1\nlinux /vmlinuz\ndevicetree /x.dtb\n"
	    "devicetree-overlay /a.dtbo /b.dtbo\nextra /x.cred\nprofile 1\n"
	    "version\n");
	expect_diag(&cfg, PU "/loader/entries/a.conf:2: unknown key 'frobnicate'");
	expect_diag(&cfg, PU "/loader/entries/a.conf:4: 'devicetree' is not "
		    "used on x86; ignored");
	expect_diag(&cfg, PU "/loader/entries/a.conf:5: 'devicetree-overlay' "
		    "is not used on x86; ignored");
	expect_diag(&cfg, PU "/loader/entries/a.conf:6: 'extra' is not "
		    "supported by baton; ignored");
	expect_diag(&cfg, PU "/loader/entries/a.conf:7: 'profile' is not "
		    "supported by baton; ignored");
	expect_diag(&cfg, PU "/loader/entries/a.conf:8: 'version' needs a value");
	assert_null(cfg.entries[0].error);	/* still bootable */

	add(&cfg, "/loader/entries/b.conf", "title B\noptions x\n");
	assert_string_equal(cfg.entries[1].error, "/loader/entries/b.conf: no "
			    "'linux', 'efi' or 'uki' line");
	expect_diag(&cfg, "/loader/entries/b.conf: no 'linux', 'efi' or 'uki' line");

	add(&cfg, "/loader/entries/c.conf", "linux /k\ninitrd /i\nefi /x.efi\n");
	assert_string_equal(cfg.entries[2].error, "/loader/entries/c.conf:3: "
			    "'efi' cannot be mixed with 'linux' (line 1) in one entry");
	add(&cfg, "/loader/entries/d.conf", "uki-url /y.efi\n");
	assert_non_null(strstr(cfg.entries[3].error, "d.conf:1: 'uki-url' needs "
			       "an http:// URL"));
	add(&cfg, "/loader/entries/d2.conf", "uki-url http://10.0.0.1/u.efi\n");
	assert_null(cfg.entries[4].error);
	assert_int_equal(cfg.entries[4].kind, ENTRY_EFI);
	assert_int_equal(cfg.entries[4].image.source, PATH_SRC_HTTP);
	assert_string_equal(cfg.entries[4].image.file, "/u.efi");
	add(&cfg, "/loader/entries/e.conf", "efi /x.efi\ninitrd /i\n");
	expect_diag(&cfg, "/loader/entries/e.conf:2: 'initrd' goes with 'linux' "
		    "only; ignored for 'efi'");
	assert_int_equal(cfg.entries[5].n_initrds, 0);
	add(&cfg, "/loader/entries/f.conf", "linux /k\nlinux /k2\n");
	assert_string_equal(cfg.entries[6].error, "/loader/entries/f.conf:2: a "
			    "second 'linux' line (the first is on line 1)");
	add(&cfg, "/loader/entries/g.conf", "linux /a/../../k\n");
	assert_non_null(cfg.entries[7].error);
	add(&cfg, "/loader/entries/h.conf", "title \xff\xfe\nlinux /k\n");
	expect_diag(&cfg, "/loader/entries/h.conf:1: not UTF-8 text (byte 0xFF "
		    "at column 7); the line is skipped");
	assert_null(cfg.entries[8].title);

	/* Another architecture's entry disappears without a word. */
	add(&cfg, "/loader/entries/arm.conf", "linux /k\narchitecture aa64\n");
	assert_int_equal(cfg.n_entries, 9);
	add(&cfg, "/loader/entries/x.conf", "linux /k\narchitecture x64\n");
	assert_int_equal(cfg.n_entries, 10);
	config_free(&cfg);
}

static void expect_next(const char *name, const char *want)
{
	char *next;

	assert_int_equal(bls_next_name(name, &next), 0);
	if (!want) {
		if (next)
			fail_msg("%s: next name %s, expected none", name, next);
		return;
	}
	if (!next)
		fail_msg("%s: no next name, expected %s", name, want);
	assert_string_equal(next, want);
	bt_free(next);
}

static void test_counters(void **state)
{
	struct bls_counter c;
	char *id;

	expect_next("a+3.conf", "a+2-1.conf");
	expect_next("a+2-1.conf", "a+1-2.conf");
	expect_next("a+1-2.conf", "a+0-3.conf");
	expect_next("a+0-3.conf", "a+0-4.conf");	/* bad stays bad */
	expect_next("a+10.conf", "a+09-1.conf");	/* widths kept */
	expect_next("a+10-05.conf", "a+09-06.conf");
	expect_next("a+3-09.conf", "a+2-10.conf");
	expect_next("a+2-9.conf", "a+1-9.conf");	/* done capped */
	expect_next("a+0-9.conf", NULL);		/* nothing changes */
	expect_next("UKI+3-0.EFI", "UKI+2-1.EFI");
	expect_next("x+1+3.conf", "x+1+2-1.conf");	/* the last '+' */
	expect_next("a.conf", NULL);
	expect_next("a+.conf", NULL);
	expect_next("a+x.conf", NULL);
	expect_next("a+3-.conf", NULL);
	expect_next("a+3x.conf", NULL);
	expect_next("a+3.txt", NULL);
	expect_next("a+1234567890.conf", NULL);		/* too many digits */
	assert_true(bls_counter_parse("k+0-7.conf", &c));
	assert_int_equal(c.left, 0);
	assert_int_equal(c.done, 7);
	assert_int_equal(c.plus, 1);

	id = bls_entry_id("Fedora+3-1.conf");
	assert_string_equal(id, "fedora.conf");
	bt_free(id);
	id = bls_entry_id("My-UKI+0.EFI");
	assert_string_equal(id, "my-uki.efi");
	bt_free(id);
	id = bls_entry_id("plain+x.conf");
	assert_string_equal(id, "plain+x.conf");
	bt_free(id);
}

/* The ids of cfg's entries, space-separated. */
static void expect_order(const struct config *cfg, const char *want)
{
	char got[600] = "";
	size_t i;

	for (i = 0; i < cfg->n_entries; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", cfg->entries[i].id);
	assert_string_equal(got, want);
}

static void test_sort_and_default(void **state)
{
	struct config cfg;

	config_init(&cfg);
	add(&cfg, "/e/own.conf", "linux /k\n");	/* before the BLS block */
	add(&cfg, "/loader/entries/old-5.10.conf", "linux /k\n");
	add(&cfg, "/loader/entries/old-5.9.conf", "linux /k\n");
	add(&cfg, "/loader/entries/bad-9+0-3.conf", "linux /k\n");
	add(&cfg, "/loader/entries/fed-6.8.conf",
	    "title Fedora\nsort-key fedora\nversion 6.8\nlinux /k\n");
	add(&cfg, "/loader/entries/fed-6.10.conf",
	    "title Fedora\nsort-key fedora\nversion 6.10\nlinux /k\n");
	add(&cfg, "/loader/entries/deb.conf",
	    "title Debian\nsort-key debian\nmachine-id bb\nversion 1\nlinux /k\n");
	add(&cfg, "/loader/entries/deb2.conf",
	    "title Debian\nsort-key debian\nmachine-id aa\nversion 1\nlinux /k\n");
	add(&cfg, "/loader/entries/try+1-1.conf", "linux /k\n");
	add(&cfg, "/loader/entries/try+2.conf", "linux /k\n");
	add(&cfg, "/loader/entries/zbad+0.conf",
	    "sort-key aaa\nlinux /k\n");	/* bad beats sort-key */
	assert_int_equal(bls_sort(&cfg, 1), 0);
	expect_order(&cfg, "own.conf deb2.conf deb.conf fed-6.10.conf "
		     "fed-6.8.conf try.conf try.conf old-5.10.conf "
		     "old-5.9.conf zbad.conf bad-9.conf");
	assert_int_equal(cfg.entries[5].tries_left, 2);	/* more tries first */
	/* Repeated titles get their version. */
	assert_string_equal(cfg.entries[1].title, "Debian (1)");
	assert_string_equal(cfg.entries[3].title, "Fedora (6.10)");
	assert_string_equal(cfg.entries[4].title, "Fedora (6.8)");
	assert_string_equal(cfg.entries[5].title, "try.conf (try.conf)");
	assert_null(cfg.entries[7].title);

	/* A default glob that matches only bad entries loses to the first
	 * entry that is not bad (systemd#31215). */
	cfg.default_pattern = str_dup("*bad*");
	assert_true(cfg.entries[9].bls_bad && cfg.entries[10].bls_bad);
	assert_int_equal(config_default_index(&cfg), 0);
	bt_free(cfg.default_pattern);
	cfg.default_pattern = str_dup("old-*");
	assert_int_equal(config_default_index(&cfg), 7);
	bt_free(cfg.default_pattern);
	cfg.default_pattern = NULL;
	cfg.entries[0].error = str_dup("x");
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);

	/* Only bad entries: one of them after all. */
	config_init(&cfg);
	add(&cfg, "/loader/entries/b+0.conf", "linux /k\n");
	assert_int_equal(config_default_index(&cfg), 0);
	add(&cfg, "/loader/entries/c.conf", "linux /k\n");
	assert_int_equal(config_default_index(&cfg), 1);
	config_free(&cfg);
}

static void loader_conf(struct config *cfg, struct bls_prefs *prefs,
			const char *text)
{
	struct path p = esp_file("/loader/loader.conf");

	bls_prefs_init(prefs);
	assert_int_equal(bls_loader_conf(cfg, &p, text, strlen(text), prefs), 0);
	path_free(&p);
}

static void test_loader_conf(void **state)
{
	static const char text[] =
		"default Fedora-*\ntimeout 7\neditor no\nauto-entries no\n"
		"auto-firmware off\nconsole-mode max\nbeep yes\nfancy 1\n";
	struct bls_prefs prefs;
	struct config cfg;
	struct path own = esp_file("/EFI/BOOT/baton.conf");

	config_init(&cfg);
	loader_conf(&cfg, &prefs, text);
	assert_string_equal(cfg.default_pattern, "fedora-*");
	assert_string_equal(cfg.default_where, "/loader/loader.conf:1");
	assert_int_equal(cfg.timeout, 7);
	assert_false(cfg.editor);
	assert_false(prefs.auto_entries);
	assert_false(prefs.auto_firmware);
	assert_int_equal(cfg.n_diags, 1);
	expect_diag(&cfg, "/loader/loader.conf:8: unknown key 'fancy'");
	config_free(&cfg);

	/* baton.conf's own keys win. */
	config_init(&cfg);
	assert_int_equal(config_parse(&cfg, &own, "timeout 3\neditor yes\n"
				      "default mine\nbls yes\n", 42, NULL), 0);
	assert_true(cfg.bls && cfg.timeout_set && cfg.editor_set);
	loader_conf(&cfg, &prefs, text);
	assert_int_equal(cfg.timeout, 3);
	assert_true(cfg.editor);
	assert_string_equal(cfg.default_pattern, "mine");
	config_free(&cfg);

	config_init(&cfg);
	loader_conf(&cfg, &prefs, "timeout menu-force\n");
	assert_int_equal(cfg.timeout, -1);
	assert_true(prefs.auto_entries && prefs.auto_firmware);
	config_free(&cfg);
	config_init(&cfg);
	loader_conf(&cfg, &prefs, "timeout menu-hidden\ntimeout 9\n");
	assert_int_equal(cfg.timeout, 0);	/* the first one set it */
	assert_int_equal(cfg.n_diags, 1);
	assert_non_null(strstr(cfg.diags[0], "/loader/loader.conf:1: timeout "
			       "menu-hidden: baton has no hidden menu"));
	config_free(&cfg);
	config_init(&cfg);
	loader_conf(&cfg, &prefs, "timeout soon\neditor maybe\n");
	expect_diag(&cfg, "/loader/loader.conf:1: timeout: expected seconds, "
		    "menu-force, menu-hidden or menu-disabled, got 'soon'");
	expect_diag(&cfg, "/loader/loader.conf:2: editor: expected yes or no, "
		    "got 'maybe'");
	assert_int_equal(cfg.timeout, CONFIG_DEFAULT_TIMEOUT);
	config_free(&cfg);
	path_free(&own);
}

/* -- UKIs ---------------------------------------------------------------- */

/*
 * A PE32+ x86-64 EFI application with the given sections (name, data),
 * laid out as a linker would: headers, then each section's raw data at a
 * 512-byte file alignment.  *len is its size; bt_free().
 */
static uint8_t *make_pe(const char *const *names, const char *const *data,
			size_t n, size_t *len)
{
	size_t off = 1024, i, total = off;
	uint8_t *pe, *sec;

	for (i = 0; i < n; i++)
		total += (strlen(data[i]) + 511) / 512 * 512;
	pe = bt_zalloc(total);
	assert_non_null(pe);
	pe[0] = 'M';
	pe[1] = 'Z';
	pe[0x3c] = 0x80;
	memcpy(pe + 0x80, "PE\0\0", 4);
	pe[0x84] = 0x64;
	pe[0x85] = 0x86;
	pe[0x86] = (uint8_t)n;
	pe[0x80 + 20] = 240;			/* SizeOfOptionalHeader */
	pe[0x80 + 24] = 0x0b;
	pe[0x80 + 25] = 0x02;
	pe[0x80 + 24 + 68] = 10;		/* EFI application */
	sec = pe + 0x80 + 24 + 240;
	for (i = 0; i < n; i++, sec += 40) {
		uint32_t size = (uint32_t)strlen(data[i]);
		uint32_t raw = (size + 511) / 512 * 512;

		memcpy(sec, names[i], strlen(names[i]));
		memcpy(sec + 8, &size, 4);
		memcpy(sec + 16, &raw, 4);
		memcpy(sec + 20, &(uint32_t){ (uint32_t)off }, 4);
		memcpy(pe + off, data[i], size);
		off += raw;
	}
	*len = total;
	return pe;
}

static const char osrel_text[] =
	"NAME=\"Fedora Linux\"\n"
	"ID=fedora\n"
	"VERSION_ID=40\n"
	"VERSION=\"40 (Workstation Edition)\"\n"
	"PRETTY_NAME='Fedora Linux 40 (Workstation)'\n"
	"IMAGE_VERSION=\"6.8\\\"x\\\\\"\n";

static void test_pe_sections(void **state)
{
	static const char *const names[] = { ".linux", ".osrel", ".cmdline" };
	static const char *const data[] = { "kernel", osrel_text, "quiet\n" };
	uint32_t off, size;
	size_t len;
	uint8_t *pe = make_pe(names, data, 3, &len);
	char why[100];

	assert_int_equal(pe_check(pe, len, why, sizeof(why)), 0);
	assert_int_equal(pe_headers_len(pe, len), 0x80 + 24 + 240 + 3 * 40);
	assert_int_equal(pe_section(pe, len, ".osrel", &off, &size), 0);
	assert_int_equal(size, strlen(osrel_text));
	assert_memory_equal(pe + off, osrel_text, size);
	assert_int_equal(pe_section(pe, len, ".cmdline", &off, &size), 0);
	assert_int_equal(size, 6);
	assert_int_equal(pe_section(pe, len, ".initrd", &off, &size), BT_ENOENT);
	assert_int_equal(pe_section(pe, len, ".cmd", &off, &size), BT_ENOENT);
	/* Cut inside the section table: refused, nothing read past it. */
	assert_int_equal(pe_section(pe, 0x80 + 24 + 240 + 50, ".osrel", &off,
				    &size), BT_EFORMAT);
	assert_int_equal(pe_headers_len("MZ", 2), 0);
	bt_free(pe);
}

static void test_uki_entry(void **state)
{
	struct path p = esp_file("/EFI/Linux/Fedora-6.8+3.efi");
	struct config cfg;
	struct config_entry *e;
	static const char cmd[] = "root=UUID=1 quiet\n\0\0";

	config_init(&cfg);
	assert_int_equal(bls_add_uki(&cfg, &p, osrel_text, strlen(osrel_text),
				     cmd, sizeof(cmd)), 0);
	e = &cfg.entries[0];
	assert_int_equal(e->kind, ENTRY_EFI);
	assert_string_equal(e->title, "Fedora Linux 40 (Workstation)");
	assert_string_equal(e->version, "6.8\"x\\");
	assert_string_equal(e->sort_key, "fedora");
	assert_string_equal(e->args, "root=UUID=1 quiet");
	assert_string_equal(e->id, "fedora-6.8.efi");
	assert_string_equal(e->bls_next, "Fedora-6.8+2-1.efi");
	assert_true(path_same(&e->image, &p));
	/* Without PRETTY_NAME and the versions: NAME, BUILD_ID; no cmdline. */
	assert_int_equal(bls_add_uki(&cfg, &p, "NAME=Arch\nBUILD_ID=rolling\n"
				     "IMAGE_ID=arch\n", 41, NULL, 0), 0);
	e = &cfg.entries[1];
	assert_string_equal(e->title, "arch");	/* IMAGE_ID before NAME */
	assert_string_equal(e->version, "rolling");
	assert_string_equal(e->sort_key, "arch");
	assert_string_equal(e->args, "");
	assert_int_equal(cfg.n_diags, 0);
	config_free(&cfg);
	path_free(&p);
}

/* -- a whole session ------------------------------------------------------- */

/* The file at path in a new allocation (*len its size), or NULL. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)n);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return d;
}

/*
 * A real UKI: systemd's stub with .osrel, .cmdline and .linux added by
 * objcopy, as ukify does.  NULL when the stub or objcopy is missing.
 */
static uint8_t *real_uki(size_t *len)
{
	static const char stub[] = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";
	char dir[] = "/tmp/baton-uki-XXXXXX", cmd[1200], out[80];
	uint8_t *d;
	FILE *f;

	if (access(stub, R_OK) || !mkdtemp(dir))
		return NULL;
	snprintf(cmd, sizeof(cmd), "%s/osrel", dir);
	f = fopen(cmd, "w");
	fputs(osrel_text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && printf 'console=ttyS0 quiet' >cmdline && "
		 "head -c 300000 /dev/urandom >linux && objcopy "
		 "--add-section .osrel=osrel --change-section-vma .osrel=0x20000 "
		 "--add-section .cmdline=cmdline --change-section-vma .cmdline=0x30000 "
		 "--add-section .linux=linux --change-section-vma .linux=0x2000000 "
		 "%s uki.efi >/dev/null 2>&1", dir, stub);
	snprintf(out, sizeof(out), "%s/uki.efi", dir);
	d = system(cmd) == 0 ? slurp(out, len) : NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return d;
}

/* The rig's boot volume with a UKI (uki, ulen bytes) and two entries. */
static void bls_machine(struct rig *m, const uint8_t *uki, size_t ulen,
			const char *conf)
{
	rig_init(m, 0);
	rig_dir(m, "/loader");
	rig_file(m, "/loader/loader.conf", "timeout menu-force\n"
		 "auto-firmware no\nconsole-mode keep\n", 0);
	rig_dir(m, "/loader/entries");
	rig_file(m, "/loader/entries/shell.conf",
		 "title Shell\nsort-key zzz\nefi /EFI/tools/hello.efi\n"
		 "options from-bls\n", 0);
	rig_file(m, "/loader/entries/.hidden.conf", "efi /x.efi\n", 0);
	rig_file(m, "/loader/entries/auto-windows.conf", "efi /x.efi\n", 0);
	rig_dir(m, "/loader/entries/dir.conf");
	rig_dir(m, "/EFI");
	rig_dir(m, "/EFI/Linux");
	rig_file(m, "/EFI/Linux/fedora+3.efi", uki, ulen);
	rig_file(m, "/EFI/Linux/notauki.efi", uki, 1024);	/* headers only */
	rig_dir(m, "/EFI/tools");
	rig_file(m, "/EFI/tools/hello.efi", uki, ulen);
	if (conf)
		rig_file(m, "/baton.conf", conf, 0);
}

static void session_with(const uint8_t *uki, size_t ulen, const char *cmdline)
{
	static const char conf[] =
		"timeout -1\nbls yes\n"
		"entry mine\n  title Mine\n  efi /EFI/tools/hello.efi\n"
		"entry quit\n  action exit\n";
	struct volume_ops ro;
	struct rig m;

	/* No baton.conf: the BLS entries (UKI first: it has a sort key),
	 * then the programs, no firmware setup (auto-firmware no). */
	bls_machine(&m, uki, ulen, NULL);
	RIG_RUN(&m, CH('1'), K(KEY_END), K(KEY_ENTER));
	rig_expect_out(&m, "Fedora Linux 40 (Workstation)");
	rig_expect_out(&m, "Shell");
	rig_expect_out(&m, "Booting 'Fedora Linux 40 (Workstation)'");
	/* A UKI cut short is reported; dot and auto- files are not read. */
	rig_expect_out(&m, "/EFI/Linux/notauki.efi: cannot be read: ");
	assert_null(strstr(m.fw.out, "Firmware setup"));
	assert_null(strstr(m.fw.out, "auto-windows"));
	assert_int_equal(m.fw.starts, 1);
	/* Renamed before it ran, and started under its new name. */
	assert_int_equal(m.boot.n_renamed, 1);
	assert_string_equal(m.boot.renamed[0].path, "/EFI/Linux/fedora+2-1.efi");
	assert_string_equal(memvol_path(&m.boot, 9), "/EFI/Linux/fedora+2-1.efi");
	assert_string_equal(m.fw.started_path, "/EFI/Linux/fedora+2-1.efi");
	assert_string_equal(m.fw.started_options, cmdline);
	rig_free(&m);

	/* Booted twice in one session: counted once. */
	bls_machine(&m, uki, ulen, NULL);
	RIG_RUN(&m, CH('1'), CH('1'), K(KEY_END), K(KEY_ENTER));
	assert_int_equal(m.fw.starts, 2);
	assert_int_equal(m.boot.n_renamed, 1);
	rig_free(&m);

	/* An efi entry is not counted; baton.conf's entries come first. */
	bls_machine(&m, uki, ulen, conf);
	RIG_RUN(&m, CH('4'), CH('2'));
	rig_expect_out(&m, "  3. Fedora Linux 40 (Workstation)");
	rig_expect_out(&m, "Booting 'Shell'");
	assert_string_equal(m.fw.started_options, "from-bls");
	assert_int_equal(m.boot.n_renamed, 0);
	rig_free(&m);

	/* A volume baton cannot write: said, and booted anyway. */
	bls_machine(&m, uki, ulen, NULL);
	ro = *m.boot.v.ops;
	ro.rename = NULL;
	m.boot.v.ops = &ro;
	RIG_RUN(&m, CH('1'), K(KEY_END), K(KEY_ENTER));
	rig_expect_out(&m, "cannot count this boot: memvol is read-only to baton");
	assert_int_equal(m.fw.starts, 1);
	assert_string_equal(m.fw.started_path, "/EFI/Linux/fedora+3.efi");
	rig_free(&m);
}

static void test_session_made_pe(void **state)
{
	static const char *const names[] = { ".osrel", ".cmdline", ".linux" };
	static const char *const data[] = { osrel_text, "root=/dev/sda1 ro\n", "k" };
	size_t len;
	uint8_t *pe = make_pe(names, data, 3, &len);

	session_with(pe, len, "root=/dev/sda1 ro");
	bt_free(pe);
}

static void test_session_real_uki(void **state)
{
	size_t len;
	uint8_t *uki = real_uki(&len);

	if (!uki)
		skip();		/* no systemd-boot-efi stub or objcopy */
	session_with(uki, len, "console=ttyS0 quiet");
	free(uki);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vercmp_vector),
		cmocka_unit_test(test_vercmp_examples),
		cmocka_unit_test(test_vercmp_systemd_analyze),
		cmocka_unit_test(test_entry_keys),
		cmocka_unit_test(test_entry_diags),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_sort_and_default),
		cmocka_unit_test(test_loader_conf),
		cmocka_unit_test(test_pe_sections),
		cmocka_unit_test(test_uki_entry),
		cmocka_unit_test(test_session_made_pe),
		cmocka_unit_test(test_session_real_uki),
	};

	return cmocka_run_group_tests_name("bls", tests, NULL, NULL);
}
