/* Unit tests for lib/: SHA-256 vectors, formatting, globs, UTF-8, errors. */
#include "tests/unit/helpers.h"
#include "lib/sha256.h"
#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/utf8.h"
#include "firmware/host/host.h"

static void hex_of(const void *data, size_t len, char out[65])
{
	uint8_t d[SHA256_LEN];

	sha256_digest(data, len, d);
	sha256_hex(d, out);
}

/* FIPS 180-4 / NIST CAVS example vectors. */
static void test_sha256_vectors(void **state)
{
	char hex[65];
	char *million;

	hex_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112, hex);
	assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	million = malloc(1000000);
	memset(million, 'a', 1000000);
	hex_of(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Feeding the same bytes in pieces of every size gives the same digest,
 * which exercises every path through the block buffer. */
static void test_sha256_incremental(void **state)
{
	uint8_t data[300], one[SHA256_LEN], inc[SHA256_LEN];
	size_t i, step;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	sha256_digest(data, sizeof(data), one);
	for (step = 1; step <= 130; step++) {
		struct sha256 s;

		sha256_init(&s);
		for (i = 0; i < sizeof(data); i += step)
			sha256_update(&s, data + i, i + step > sizeof(data) ? sizeof(data) - i : step);
		sha256_final(&s, inc);
		assert_memory_equal(one, inc, SHA256_LEN);
	}
	/* Lengths around the 55/56/64-byte padding boundaries. */
	for (i = 50; i < 70; i++) {
		char ref[65], got[65];
		struct sha256 s;
		uint8_t d[SHA256_LEN];

		hex_of(data, i, ref);
		sha256_init(&s);
		sha256_update(&s, data, i / 2);
		sha256_update(&s, data + i / 2, i - i / 2);
		sha256_final(&s, d);
		sha256_hex(d, got);
		assert_string_equal(ref, got);
	}
}

static void test_fmt(void **state)
{
	char buf[64];

	assert_int_equal(fmt_buf(buf, sizeof(buf), "%s:%u: %d", "a.conf", 12u, -5), 13);
	assert_string_equal(buf, "a.conf:12: -5");
	fmt_buf(buf, sizeof(buf), "[%5s|%-5s|%05d|%x|%X|%llx]", "ab", "cd", -42, 255u, 255u, 0x123456789abcULL);
	assert_string_equal(buf, "[   ab|cd   |-0042|ff|FF|123456789abc]");
	fmt_buf(buf, sizeof(buf), "%.*s|%c|%%|%zu", 3, "abcdef", 'x', (size_t)7);
	assert_string_equal(buf, "abc|x|%|7");
	fmt_buf(buf, sizeof(buf), "%ld %lu %i", -1L, 4000000000UL, 0);
	assert_string_equal(buf, "-1 4000000000 0");
	/* Truncation keeps the NUL and reports the full length. */
	assert_int_equal(fmt_buf(buf, 5, "%s", "abcdefgh"), 8);
	assert_string_equal(buf, "abcd");
	assert_int_equal(fmt_buf(NULL, 0, "%d", 12345), 5);
	/* NULL strings and unknown conversions are shown, not crashed on
	 * (the format comes from a variable to get past the compiler's
	 * own check). */
	{
		const char *odd = "%q|%s|%";

		fmt_buf(buf, sizeof(buf), odd, (char *)NULL);
		assert_string_equal(buf, "%q|(null)|%");
	}
}

static void test_fmt_alloc(void **state)
{
	char *s = fmt_alloc("%s-%04x", "id", 0xbeu);

	assert_string_equal(s, "id-00be");
	bt_free(s);
	host_alloc_fail_after(0);
	assert_null(fmt_alloc("%d", 1));
	host_alloc_fail_after(-1);
}

static void test_glob(void **state)
{
	assert_true(glob_match("debian", "debian"));
	assert_false(glob_match("debian", "debian2"));
	assert_true(glob_match("debian*", "debian-6.1"));
	assert_true(glob_match("*", ""));
	assert_true(glob_match("*6.1*", "linux-6.1-amd64"));
	assert_false(glob_match("*6.2*", "linux-6.1-amd64"));
	assert_true(glob_match("d?b", "deb"));
	assert_false(glob_match("d?b", "db"));
	assert_true(glob_match("[a-c]x", "bx"));
	assert_false(glob_match("[!a-c]x", "bx"));
	assert_true(glob_match("[!a-c]x", "dx"));
	assert_true(glob_match("a\\*", "a*"));
	assert_false(glob_match("a\\*", "ab"));
	assert_true(glob_match("[x", "[x"));	/* unterminated set is literal */
	assert_true(glob_match("a*b*c", "aXXbYYc"));
	assert_false(glob_match("a*b*c", "aXXbYY"));
	assert_true(glob_match("**a**", "bab"));
}

/* A pathological pattern must not take exponential time. */
static void test_glob_hostile(void **state)
{
	char s[201], p[202];

	memset(s, 'a', 200);
	s[200] = 0;
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 100; i++) {
		p[2 * i] = 'a';
		p[2 * i + 1] = '*';
	}
	p[200] = 'b';
	assert_false(glob_match(p, s));
}

static void test_utf8(void **state)
{
	uint32_t cp;
	char out[4];
	uint16_t *w;
	char *back;

	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 0);	/* overlong */
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0);	/* surrogate */
	assert_int_equal(utf8_decode("\xe2\x82", 2, &cp), 0);	/* truncated */
	assert_int_equal(utf8_decode("\x80", 1, &cp), 0);
	assert_int_equal(utf8_encode(0x20ac, out), 3);
	assert_memory_equal(out, "\xe2\x82\xac", 3);
	assert_int_equal(utf8_encode(0xd800, out), 0);
	assert_int_equal(utf8_check("ok\xc3\xa9\xff!", 6), 4);
	assert_int_equal(utf8_width("h\xc3\xa9llo"), 5);
	assert_int_equal(utf8_offset("h\xc3\xa9llo", 2), 3);
	w = utf8_to_ucs2("D\xc3\xa9j\xf0\x9f\x98\x80");
	assert_int_equal(w[0], 'D');
	assert_int_equal(w[1], 0xe9);
	assert_int_equal(w[3], 0xfffd);
	assert_int_equal(w[4], 0);
	back = ucs2_to_utf8(w, 10);
	assert_string_equal(back, "D\xc3\xa9j\xef\xbf\xbd");
	bt_free(w);
	bt_free(back);
}

static void test_strings(void **state)
{
	char *d = str_ndup("abcdef", 3);

	assert_string_equal(d, "abc");
	bt_free(d);
	assert_int_equal(str_casecmp("EFI", "efi"), 0);
	assert_true(str_casecmp("a", "b") < 0);
	assert_true(str_ends_with_case("x/BOOTX64.EFI", ".efi"));
	assert_false(str_ends_with_case("efi", ".efi"));
	assert_true(str_starts_with("config=/a", "config="));
	assert_string_equal(bt_strerror(BT_ENOENT), "not found");
	assert_string_equal(bt_strerror(-999), "unknown error");
	assert_string_equal(bt_strerror(5), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_incremental),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_fmt_alloc),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_hostile),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
