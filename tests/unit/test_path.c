/*
 * Tests for fs/path.c: parsing every source, joining relative paths to the
 * file they were written in, normalising, sha256 pins, the error messages,
 * formatting back, comparing, copying, and out-of-memory.
 */
#include "tests/unit/helpers.h"
#include "fs/path.h"
#include "firmware/host/host.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX64_UP "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

/* A path that parses: what it must become. */
struct good_case {
	const char *origin;	/* text parsed with no origin, or NULL */
	const char *text;
	enum path_source source;
	const char *arg;	/* NULL: none */
	const char *file;
	const char *formatted;
};

static const struct good_case good_cases[] = {
	{ NULL, "/a/b", PATH_SRC_BOOT, NULL, "/a/b", "/a/b" },
	{ NULL, "a/b", PATH_SRC_BOOT, NULL, "/a/b", "/a/b" },
	{ NULL, "\\EFI\\BOOT\\BOOTX64.EFI", PATH_SRC_BOOT, NULL,
	  "/EFI/BOOT/BOOTX64.EFI", "/EFI/BOOT/BOOTX64.EFI" },
	{ NULL, "//a///b//", PATH_SRC_BOOT, NULL, "/a/b", "/a/b" },
	{ NULL, "/a/./b/../c", PATH_SRC_BOOT, NULL, "/a/c", "/a/c" },
	{ NULL, "/a/..", PATH_SRC_BOOT, NULL, "/", "/" },
	{ NULL, "/", PATH_SRC_BOOT, NULL, "/", "/" },
	{ NULL, ".", PATH_SRC_BOOT, NULL, "/", "/" },
	{ NULL, "/a/.../b", PATH_SRC_BOOT, NULL, "/a/.../b", "/a/.../b" },
	{ NULL, "/a#b", PATH_SRC_BOOT, NULL, "/a#b", "/a#b" },
	{ NULL, "/a:b", PATH_SRC_BOOT, NULL, "/a:b", "/a:b" },
	{ NULL, "boot:/x", PATH_SRC_BOOT, NULL, "/x", "/x" },
	{ NULL, "BOOT:x", PATH_SRC_BOOT, NULL, "/x", "/x" },
	{ NULL, "boot:", PATH_SRC_BOOT, NULL, "/", "/" },
	{ NULL, "label=ESP:/efi/x.efi", PATH_SRC_LABEL, "ESP", "/efi/x.efi",
	  "label=ESP:/efi/x.efi" },
	{ NULL, "LABEL=My-Disk:k", PATH_SRC_LABEL, "My-Disk", "/k",
	  "label=My-Disk:/k" },
	{ NULL, "uuid=1234-ABCD:/k", PATH_SRC_UUID, "1234-ABCD", "/k",
	  "uuid=1234-ABCD:/k" },
	{ NULL, "uuid=0a1b2c3d-4e5f-6789-abcd-ef0123456789:\\x",
	  PATH_SRC_UUID, "0a1b2c3d-4e5f-6789-abcd-ef0123456789", "/x",
	  "uuid=0a1b2c3d-4e5f-6789-abcd-ef0123456789:/x" },
	{ NULL, "partuuid=0FC63DAF-8483-4772-8E79-3D69D8477DE4:/vmlinuz",
	  PATH_SRC_PARTUUID, "0fc63daf-8483-4772-8e79-3d69d8477de4",
	  "/vmlinuz",
	  "partuuid=0fc63daf-8483-4772-8e79-3d69d8477de4:/vmlinuz" },
	{ NULL, "tftp:/pxe/menu.conf", PATH_SRC_TFTP, NULL, "/pxe/menu.conf",
	  "tftp:/pxe/menu.conf" },
	{ NULL, "tftp://10.0.2.2/boot/x", PATH_SRC_TFTP, "10.0.2.2", "/boot/x",
	  "tftp://10.0.2.2/boot/x" },
	{ NULL, "tftp://srv:69/x", PATH_SRC_TFTP, "srv:69", "/x",
	  "tftp://srv:69/x" },
	{ NULL, "http://10.0.2.2:8080/lab.conf", PATH_SRC_HTTP, "10.0.2.2:8080",
	  "/lab.conf", "http://10.0.2.2:8080/lab.conf" },
	{ NULL, "http://example.com", PATH_SRC_HTTP, "example.com", "/",
	  "http://example.com/" },
	{ NULL, "http://[::1]:8080/a", PATH_SRC_HTTP, "[::1]:8080", "/a",
	  "http://[::1]:8080/a" },
	{ NULL, "HTTP://Host/A/../B", PATH_SRC_HTTP, "Host", "/B",
	  "http://Host/B" },
	/* Relative to the config file's folder, on its source. */
	{ "/boot/baton.conf", "more.conf", PATH_SRC_BOOT, NULL,
	  "/boot/more.conf", "/boot/more.conf" },
	{ "/boot/baton.conf", "../x", PATH_SRC_BOOT, NULL, "/x", "/x" },
	{ "/boot/baton.conf", "./sub/../y", PATH_SRC_BOOT, NULL, "/boot/y",
	  "/boot/y" },
	{ "/boot/baton.conf", "/abs", PATH_SRC_BOOT, NULL, "/abs", "/abs" },
	{ "/baton.conf", "k", PATH_SRC_BOOT, NULL, "/k", "/k" },
	{ "label=ESP:/cfg/a.conf", "b.conf", PATH_SRC_LABEL, "ESP",
	  "/cfg/b.conf", "label=ESP:/cfg/b.conf" },
	{ "label=ESP:/cfg/a.conf", "/k", PATH_SRC_LABEL, "ESP", "/k",
	  "label=ESP:/k" },
	{ "label=ESP:/cfg/a.conf", "boot:/k", PATH_SRC_BOOT, NULL, "/k", "/k" },
	{ "label=ESP:/cfg/a.conf", "uuid=AB:/k", PATH_SRC_UUID, "AB", "/k",
	  "uuid=AB:/k" },
	{ "label=ESP:/cfg/a.conf", "label=X:a/b", PATH_SRC_LABEL, "X", "/a/b",
	  "label=X:/a/b" },
	{ "http://h:80/menus/lab.conf", "sub.conf", PATH_SRC_HTTP, "h:80",
	  "/menus/sub.conf", "http://h:80/menus/sub.conf" },
	{ "http://h:80/menus/lab.conf", "/vmlinuz", PATH_SRC_HTTP, "h:80",
	  "/vmlinuz", "http://h:80/vmlinuz" },
	{ "tftp:/pxe/m.conf", "k", PATH_SRC_TFTP, NULL, "/pxe/k", "tftp:/pxe/k" },
	{ "tftp://s/pxe/m.conf", "..\\k", PATH_SRC_TFTP, "s", "/k",
	  "tftp://s/k" },
	/* Inside image files: the image's path is any path, against the
	 * origin; the inner file is normalised as usual. */
	{ NULL, "iso(/isos/a.iso):/live/vmlinuz", PATH_SRC_ISO, "/isos/a.iso",
	  "/live/vmlinuz", "iso(/isos/a.iso):/live/vmlinuz" },
	{ NULL, "ISO(/isos/a.iso):live//x/../vmlinuz", PATH_SRC_ISO,
	  "/isos/a.iso", "/live/vmlinuz", "iso(/isos/a.iso):/live/vmlinuz" },
	{ NULL, "iso(label=D:/a(1).iso):/k", PATH_SRC_ISO, "label=D:/a(1).iso",
	  "/k", "iso(label=D:/a(1).iso):/k" },
	{ "label=STICK:/boot/baton.conf", "iso(../isos/a.iso):/k",
	  PATH_SRC_ISO, "label=STICK:/isos/a.iso", "/k",
	  "iso(label=STICK:/isos/a.iso):/k" },
	{ NULL, "iso(iso(/a.iso):/b.iso):/c", PATH_SRC_ISO, "iso(/a.iso):/b.iso",
	  "/c", "iso(iso(/a.iso):/b.iso):/c" },
	{ NULL, "iso(iso(iso(iso(/a):/b):/c):/d):/e", PATH_SRC_ISO,
	  "iso(iso(iso(/a):/b):/c):/d", "/e",
	  "iso(iso(iso(iso(/a):/b):/c):/d):/e" },
	{ NULL, "iso(/a.iso#sha256=" HEX64_UP "):/k", PATH_SRC_ISO,
	  "/a.iso#sha256=" HEX64, "/k", "iso(/a.iso#sha256=" HEX64 "):/k" },
	{ NULL, "iso(http://h/x.iso):/k", PATH_SRC_ISO, "http://h/x.iso", "/k",
	  "iso(http://h/x.iso):/k" },
	/* A file read from an image names its neighbours without a source. */
	{ "iso(/a.iso):/boot/grub.cfg", "vmlinuz", PATH_SRC_ISO, "/a.iso",
	  "/boot/vmlinuz", "iso(/a.iso):/boot/vmlinuz" },
	{ "iso(/a.iso):/boot/grub.cfg", "iso(/in.iso):/k", PATH_SRC_ISO,
	  "iso(/a.iso):/in.iso", "/k", "iso(iso(/a.iso):/in.iso):/k" },
};

/* origin text parsed without an origin; asserts it parses. */
static void parse_origin(const char *text, struct path *out)
{
	char err[128];

	assert_int_equal(path_parse(text, NULL, out, err, sizeof(err)), 0);
}

static void test_good_paths(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *c = &good_cases[i];
		struct path origin = { 0 }, p;
		char err[128] = "junk", *f;

		if (c->origin)
			parse_origin(c->origin, &origin);
		print_message("  %s (from %s)\n", c->text,
			      c->origin ? c->origin : "nothing");
		assert_int_equal(path_parse(c->text, c->origin ? &origin : NULL,
					    &p, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		assert_int_equal(p.source, c->source);
		if (c->arg)
			assert_string_equal(p.arg, c->arg);
		else
			assert_null(p.arg);
		assert_string_equal(p.file, c->file);
		assert_false(p.pinned);
		f = path_format(&p);
		assert_string_equal(f, c->formatted);
		bt_free(f);
		path_free(&p);
		path_free(&origin);
	}
}

/* Formatting and parsing again gives the same path, for every good case. */
static void test_format_round_trip(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		struct path origin = { 0 }, p, q;
		char *f;

		if (good_cases[i].origin)
			parse_origin(good_cases[i].origin, &origin);
		assert_int_equal(path_parse(good_cases[i].text,
				 good_cases[i].origin ? &origin : NULL, &p,
				 NULL, 0), 0);
		f = path_format(&p);
		assert_int_equal(path_parse(f, NULL, &q, NULL, 0), 0);
		assert_true(path_same(&p, &q));
		bt_free(f);
		path_free(&p);
		path_free(&q);
		path_free(&origin);
	}
}

/* A path that does not parse: a part of the message it must give. */
struct bad_case {
	const char *origin;
	const char *text;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ NULL, "", "empty path; expected a file" },
	{ NULL, "#sha256=" HEX64, "empty path" },
	{ NULL, "/a#sha256=abc", "sha256 pin needs 64 hex digits, got 'abc'" },
	{ NULL, "/a#sha256=", "sha256 pin needs 64 hex digits, got ''" },
	{ NULL, "/a#sha256=" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdeg", "sha256 pin needs 64 hex digits" },
	{ NULL, "/a#sha256=" HEX64 "0", "sha256 pin needs 64 hex digits" },
	{ NULL, "/a#sha256=" HEX64 " ", "sha256 pin needs 64 hex digits" },
	{ NULL, "/a#sha256=" HEX64 "#sha256=" HEX64,
	  "sha256 pin needs 64 hex digits" },
	{ NULL, "label=:/a", "empty volume name in 'label=:/a'; expected "
	  "label=NAME:/file" },
	{ NULL, "label=X", "no ':' after the volume in 'label=X'" },
	{ NULL, "uuid=xyz:/a", "bad file-system uuid 'xyz'; expected "
	  "uuid=1234-ABCD:/file" },
	{ NULL, "uuid=:/a", "empty volume name" },
	{ NULL, "partuuid=1234:/a", "bad partition GUID '1234'; expected "
	  "partuuid=" },
	{ NULL, "partuuid=0fc63daf-8483-4772-8e79-3d69d8477dez:/a",
	  "bad partition GUID" },
	{ NULL, "partuuid=0fc63daf84834772-8e79-3d69d8477de4-xx:/a",
	  "bad partition GUID" },
	{ NULL, "http:/a", "bad server in 'http:/a'; expected "
	  "http://host[:port]/file" },
	{ NULL, "http:///a", "bad server" },
	{ NULL, "http://h:0/a", "bad server" },
	{ NULL, "http://h:65536/a", "bad server" },
	{ NULL, "http://h:/a", "bad server" },
	{ NULL, "http://h:8o/a", "bad server" },
	{ NULL, "http://[::1/a", "bad server" },
	{ NULL, "tftp:///a", "or tftp:/file for the boot server" },
	{ NULL, "https://h/a", "unknown source 'https:'" },
	{ NULL, "lable=X:/a", "unknown source 'lable=X:' in 'lable=X:/a'; "
	  "expected boot:, label=NAME:, uuid=ID:, partuuid=GUID:, tftp: or "
	  "http://" },
	{ NULL, "c:\\x", "unknown source 'c:'" },
	{ NULL, "/../a", "'..' goes above the root in '/../a'" },
	{ NULL, "/a\nb", "control character 0x0A in path '/a'" },
	{ NULL, "/a\tb", "control character 0x09" },
	{ NULL, "label=\x1b[31m:/a", "control character 0x1B" },
	{ NULL, "/a\x7f", "control character 0x7F" },
	{ NULL, "a/../../b", "'..' goes above the root" },
	{ "/boot/a.conf", "../../x", "'..' goes above the root in '../../x'" },
	{ "label=ESP:/a.conf", "../x", "'..' goes above the root" },
	{ NULL, "iso(:/x", "no ')' closing 'iso(' in 'iso(:/x'; expected "
	  "iso(/isos/x.iso):/file" },
	{ NULL, "iso()/x", "empty image path in 'iso()/x'" },
	{ NULL, "iso():/x", "empty image path" },
	{ NULL, "iso(/a.iso)/x", "no ':' after 'iso(...)' in 'iso(/a.iso)/x'" },
	{ NULL, "iso(/a.iso)", "no ':' after 'iso(...)'" },
	{ NULL, "iso(/a(.iso):/x", "no ')' closing 'iso('" },
	{ NULL, "iso(/../a.iso):/x", "'..' goes above the root in '/../a.iso'" },
	{ NULL, "iso(lable=X:/a.iso):/x", "unknown source 'lable=X:'" },
	{ NULL, "iso(/a.iso#sha256=12):/x", "sha256 pin needs 64 hex digits" },
	{ NULL, "iso(/a.iso):/x#sha256=12", "sha256 pin needs 64 hex digits" },
	{ NULL, "iso(iso(iso(iso(iso(/a):/b):/c):/d):/e):/f",
	  "image files nested more than 4 deep" },
	/* Balanced as written, not once ".." is folded (found by fuzz_url:
	 * the formatted path did not parse back). */
	{ NULL, "iso((/../)):/k", "image path '/)' has unbalanced parentheses "
	  "in 'iso((/../)):/k'" },
	{ NULL, "iso(/a(/..):/k", "no ')' closing 'iso('" },
	{ NULL, "iso(/a(/../b)):/k", "image path '/b)' has unbalanced "
	  "parentheses" },
};

static void test_bad_paths(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct path origin = { 0 }, p;
		char err[256];

		if (c->origin)
			parse_origin(c->origin, &origin);
		memset(&p, 0x5a, sizeof(p));
		print_message("  %s\n", c->text);
		assert_int_equal(path_parse(c->text, c->origin ? &origin : NULL,
					    &p, err, sizeof(err)), BT_EINVAL);
		if (!strstr(err, c->message))
			fail_msg("'%s': got '%s', expected '%s'", c->text, err,
				 c->message);
		/* Left empty, so path_free() on it is harmless. */
		assert_null(p.file);
		assert_null(p.arg);
		assert_false(p.pinned);
		path_free(&p);
		path_free(&origin);
	}
}

static void test_null_text_and_no_err_buffer(void **state)
{
	struct path p;

	assert_int_equal(path_parse(NULL, NULL, &p, NULL, 0), BT_EINVAL);
	assert_int_equal(path_parse("/../x", NULL, &p, NULL, 0), BT_EINVAL);
	assert_int_equal(path_parse("/x", NULL, &p, NULL, 0), 0);
	path_free(&p);
}

static void test_pin(void **state)
{
	static const uint8_t want[SHA256_LEN] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	struct path p, q;
	char *f;

	assert_int_equal(path_parse("/vmlinuz#sha256=" HEX64, NULL, &p, NULL, 0),
			 0);
	assert_true(p.pinned);
	assert_memory_equal(p.sha256, want, SHA256_LEN);
	assert_string_equal(p.file, "/vmlinuz");
	f = path_format(&p);
	assert_string_equal(f, "/vmlinuz");	/* the pin is not shown */
	bt_free(f);

	/* Any case, in the digits and in the marker. */
	assert_int_equal(path_parse("label=X:/k#SHA256=" HEX64_UP, NULL, &q,
				    NULL, 0), 0);
	assert_true(q.pinned);
	assert_memory_equal(q.sha256, want, SHA256_LEN);
	assert_int_equal(q.source, PATH_SRC_LABEL);
	assert_string_equal(q.file, "/k");
	path_free(&p);
	path_free(&q);

	/* A pinned relative path on an http origin. */
	{
		struct path origin;

		parse_origin("http://h/m/a.conf", &origin);
		assert_int_equal(path_parse("k#sha256=" HEX64, &origin, &p,
					    NULL, 0), 0);
		assert_int_equal(p.source, PATH_SRC_HTTP);
		assert_string_equal(p.file, "/m/k");
		assert_true(p.pinned);
		path_free(&p);
		path_free(&origin);
	}
}

/* The origin's pin is not inherited: it pins the config, not this file. */
/* In iso(...), the pin after the parentheses is the file's, the one inside
 * is the image's (kept in arg, checked when the image is opened). */
static void test_iso_pins(void **state)
{
	struct path p;
	char err[128];

	assert_int_equal(path_parse("iso(/a.iso):/f#sha256=" HEX64, NULL, &p,
				    err, sizeof(err)), 0);
	assert_true(p.pinned);
	assert_int_equal(p.sha256[0], 0x01);
	assert_string_equal(p.arg, "/a.iso");
	assert_string_equal(p.file, "/f");
	path_free(&p);
	assert_int_equal(path_parse("iso(/a.iso#sha256=" HEX64 "):/f", NULL,
				    &p, err, sizeof(err)), 0);
	assert_false(p.pinned);
	assert_string_equal(p.arg, "/a.iso#sha256=" HEX64);
	path_free(&p);
}

static void test_pin_not_inherited(void **state)
{
	struct path origin, p;

	parse_origin("/a.conf#sha256=" HEX64, &origin);
	assert_true(origin.pinned);
	assert_int_equal(path_parse("k", &origin, &p, NULL, 0), 0);
	assert_false(p.pinned);
	path_free(&p);
	path_free(&origin);
}

static void test_long_text_is_quoted_short(void **state)
{
	char text[2000], err[512];
	struct path p;

	memset(text, 'x', sizeof(text));
	memcpy(text, "lable=", 6);
	text[sizeof(text) - 3] = ':';
	text[sizeof(text) - 2] = '/';
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(path_parse(text, NULL, &p, err, sizeof(err)),
			 BT_EINVAL);
	assert_true(strlen(err) < 300);
	assert_non_null(strstr(err, "...'"));
}

/* A long quoted text is not cut inside a UTF-8 character. */
static void test_quote_utf8_boundary(void **state)
{
	char text[400], err[512];
	struct path p;
	size_t i;

	strcpy(text, "/../");
	for (i = 4; i + 2 < sizeof(text) - 1; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);	/* é */
	text[i] = '\0';
	assert_int_equal(path_parse(text, NULL, &p, err, sizeof(err)),
			 BT_EINVAL);
	/* "...'" follows a whole "é", never half of one. */
	{
		char *dots = strstr(err, "...'");

		assert_non_null(dots);
		assert_int_equal((unsigned char)dots[-1], 0xa9);
		assert_int_equal((unsigned char)dots[-2], 0xc3);
	}
}

static void test_err_truncated_safely(void **state)
{
	char err[8];
	struct path p;

	assert_int_equal(path_parse("/../a", NULL, &p, err, sizeof(err)),
			 BT_EINVAL);
	assert_int_equal(strlen(err), 7);
}

static void test_same(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
		{ "/a/b", "boot:/a//b", true },
		{ "/a/b", "/a/B", false },
		{ "/a/b", "/a/b#sha256=" HEX64, true },
		{ "label=ESP:/a", "LABEL=esp:/a", true },
		{ "label=ESP:/a", "uuid=E5:/a", false },
		{ "label=ESP:/a", "/a", false },
		{ "tftp:/a", "tftp://h/a", false },
		{ "tftp://H/a", "tftp://h/a", true },
		{ "http://h:80/a", "http://h/a", false },
		{ "partuuid=0FC63DAF-8483-4772-8E79-3D69D8477DE4:/a",
		  "partuuid=0fc63daf-8483-4772-8e79-3d69d8477de4:/a", true },
		{ "iso(/a.iso):/k", "iso(//a.iso):k", true },
		{ "iso(/a.iso):/k", "iso(/A.iso):/k", false },	/* exactly */
		{ "iso(/a.iso):/k", "/k", false },
		{ "iso(label=X:/a.iso):/k", "iso(LABEL=X:/a.iso):/k", true },
		{ "iso(/a.iso):/k", "iso(/a.iso#sha256=" HEX64 "):/k", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path a, b;

		parse_origin(cases[i].a, &a);
		parse_origin(cases[i].b, &b);
		assert_int_equal(path_same(&a, &b), cases[i].same);
		assert_int_equal(path_same(&b, &a), cases[i].same);
		path_free(&a);
		path_free(&b);
	}
	assert_false(path_same(NULL, &(struct path){ 0 }));
	assert_true(path_same(NULL, NULL));
}

static void test_copy(void **state)
{
	struct path a, b;

	parse_origin("http://h:8/x/y#sha256=" HEX64, &a);
	assert_int_equal(path_copy(&b, &a), 0);
	assert_true(path_same(&a, &b));
	assert_ptr_not_equal(a.file, b.file);
	assert_ptr_not_equal(a.arg, b.arg);
	assert_true(b.pinned);
	assert_memory_equal(a.sha256, b.sha256, SHA256_LEN);
	path_free(&a);
	assert_string_equal(b.file, "/x/y");	/* independent of a */
	path_free(&b);
	path_free(&b);	/* twice is harmless */
	assert_null(b.file);
}

static void test_format_each_source(void **state)
{
	static const struct {
		struct path p;
		const char *want;
	} cases[] = {
		{ { PATH_SRC_BOOT, NULL, "/a/b", false, { 0 } }, "/a/b" },
		{ { PATH_SRC_LABEL, "X", "/a/b", false, { 0 } }, "label=X:/a/b" },
		{ { PATH_SRC_UUID, "U-1", "/a", false, { 0 } }, "uuid=U-1:/a" },
		{ { PATH_SRC_PARTUUID, "g", "/a/b", false, { 0 } },
		  "partuuid=g:/a/b" },
		{ { PATH_SRC_TFTP, NULL, "/a/b", false, { 0 } }, "tftp:/a/b" },
		{ { PATH_SRC_TFTP, "h", "/a/b", false, { 0 } }, "tftp://h/a/b" },
		{ { PATH_SRC_HTTP, "h:8", "/a/b", true, { 0 } }, "http://h:8/a/b" },
		{ { PATH_SRC_ISO, "/x.iso", "/a", true, { 0 } }, "iso(/x.iso):/a" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = path_format(&cases[i].p);

		assert_string_equal(f, cases[i].want);
		bt_free(f);
	}
}

/* Every allocation failure is reported as BT_ENOMEM, with nothing leaked. */
static void test_oom(void **state)
{
	static const char *const texts[] = {
		"label=ESP:/a/../b#sha256=" HEX64, "http://h:80/x", "rel/x",
		"partuuid=0FC63DAF-8483-4772-8E79-3D69D8477DE4:/a",
		"iso(iso(/a.iso#sha256=" HEX64 "):/b.iso):c#sha256=" HEX64,
	};
	struct path origin, p, q;
	size_t t;
	long n;

	parse_origin("tftp://srv/pxe/menu.conf", &origin);
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		for (n = 0; n < 20; n++) {
			char err[128], *f;
			int rc;

			host_alloc_fail_after(n);
			rc = path_parse(texts[t], &origin, &p, err, sizeof(err));
			if (rc == BT_ENOMEM) {
				host_alloc_fail_after(-1);
				assert_null(p.file);
				assert_string_equal(err, "out of memory");
				continue;
			}
			assert_int_equal(rc, 0);
			rc = path_copy(&q, &p);
			f = path_format(&p);
			host_alloc_fail_after(-1);
			if (rc == 0) {
				assert_true(path_same(&p, &q));
			} else {
				assert_int_equal(rc, BT_ENOMEM);
				assert_null(q.file);	/* left empty */
				assert_null(q.arg);
			}
			path_free(&q);
			bt_free(f);
			path_free(&p);
		}
	}
	host_alloc_fail_after(-1);
	path_free(&origin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_paths),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_null_text_and_no_err_buffer),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_pin_not_inherited),
		cmocka_unit_test(test_iso_pins),
		cmocka_unit_test(test_long_text_is_quoted_short),
		cmocka_unit_test(test_quote_utf8_boundary),
		cmocka_unit_test(test_err_truncated_safely),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_format_each_source),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
