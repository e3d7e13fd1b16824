/*
 * Tests for net/http.c: the headers that decide how a body is read, the
 * reason phrases, which statuses redirect and where a Location leads, and
 * the chunked decoder fed in every possible split of its input.
 */
#include "tests/unit/helpers.h"
#include "net/http.h"
#include "firmware/host/host.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Add one header that must be taken. */
static void add_ok(struct http_head *h, const char *name, const char *value)
{
	char err[128] = "";

	assert_int_equal(http_head_add(h, name, value, err, sizeof(err)), 0);
}

static void test_head_init_free(void **state)
{
	struct http_head h;

	memset(&h, 0x5a, sizeof(h));
	http_head_init(&h, 404);
	assert_int_equal(h.status, 404);
	assert_true(h.length == HTTP_NO_LENGTH);
	assert_false(h.chunked);
	assert_false(h.encoded);
	assert_null(h.location);
	http_head_free(&h);
	http_head_free(&h);	/* harmless twice */
	assert_null(h.location);
}

static void test_content_length(void **state)
{
	static const struct {
		const char *name, *value;
		uint64_t want;
	} cases[] = {
		{ "Content-Length", "0", 0 },
		{ "Content-Length", "123", 123 },
		{ "content-length", " 42 ", 42 },
		{ "CONTENT-LENGTH", "\t7\t", 7 },
		{ "Content-Length", "007", 7 },
		{ "Content-Length", "18446744073709551614", UINT64_MAX - 1 },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++) {
		struct http_head h;

		http_head_init(&h, 200);
		add_ok(&h, cases[i].name, cases[i].value);
		assert_true(h.length == cases[i].want);
		assert_false(h.chunked);
		/* The same value again is fine, however it is written. */
		add_ok(&h, "Content-Length", cases[i].value);
		assert_true(h.length == cases[i].want);
		http_head_free(&h);
	}
}

static void test_bad_content_length(void **state)
{
	static const struct {
		const char *value, *message;
	} cases[] = {
		{ "", "bad Content-Length ''" },
		{ "  ", "bad Content-Length ''" },
		{ "+5", "bad Content-Length '+5'" },
		{ "-5", "bad Content-Length '-5'" },
		{ "1 2", "bad Content-Length '1 2'" },
		{ "0x10", "bad Content-Length '0x10'" },
		{ "12a", "bad Content-Length '12a'" },
		{ "5,5", "bad Content-Length '5,5'" },
		{ "5, 5", "bad Content-Length '5, 5'" },
		{ "\xd9\xa3", "bad Content-Length '\xd9\xa3'" },	/* a digit 3 */
		/* HTTP_NO_LENGTH itself, and past 64 bits. */
		{ "18446744073709551615",
		  "bad Content-Length '18446744073709551615'" },
		{ "18446744073709551616",
		  "bad Content-Length '18446744073709551616'" },
		{ "99999999999999999999999",
		  "bad Content-Length '99999999999999999999999'" },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++) {
		struct http_head h;
		char err[128];

		http_head_init(&h, 200);
		assert_int_equal(http_head_add(&h, "Content-Length",
					       cases[i].value, err, sizeof(err)),
				 BT_EFORMAT);
		assert_string_equal(err, cases[i].message);
		assert_true(h.length == HTTP_NO_LENGTH);
		/* Also wrong after a Transfer-Encoding, which makes the value
		 * unused but not any less broken. */
		add_ok(&h, "Transfer-Encoding", "chunked");
		assert_int_equal(http_head_add(&h, "Content-Length",
					       cases[i].value, NULL, 0),
				 BT_EFORMAT);
		http_head_free(&h);
	}
}

static void test_conflicting_content_length(void **state)
{
	struct http_head h;
	char err[128];

	http_head_init(&h, 200);
	add_ok(&h, "Content-Length", "5");
	assert_int_equal(http_head_add(&h, "Content-Length", " 6", err,
				       sizeof(err)), BT_EFORMAT);
	assert_string_equal(err, "conflicting Content-Length '6' (an earlier "
			    "one said 5)");
	assert_true(h.length == 5);
	http_head_free(&h);
}

static void test_transfer_encoding(void **state)
{
	static const struct {
		const char *value;
		bool chunked;
	} cases[] = {
		{ "chunked", true },
		{ "CHUNKED", true },
		{ " Chunked ", true },
		{ "gzip, chunked", true },
		{ "gzip,chunked", true },
		{ "gzip ,\tchunked", true },
		{ "chunked,", true },		/* empty list elements */
		{ "chunked , , ", true },
		{ ",chunked", true },
		{ "gzip", false },		/* read to the close */
		{ "chunked, gzip", false },
		{ "xchunked", false },
		{ "chunkedx", false },
		{ "chun ked", false },
		{ "identity", false },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++) {
		struct http_head h;

		http_head_init(&h, 200);
		add_ok(&h, "Content-Length", "10");
		add_ok(&h, "transfer-encoding", cases[i].value);
		print_message("  '%s'\n", cases[i].value);
		assert_int_equal(h.chunked, cases[i].chunked);
		assert_true(h.encoded);
		assert_true(h.length == HTTP_NO_LENGTH);
		http_head_free(&h);
	}
}

static void test_empty_transfer_encoding_ignored(void **state)
{
	static const char *const values[] = { "", " ", ",", " , ,\t" };
	size_t i;

	for (i = 0; i < N_ELEM(values); i++) {
		struct http_head h;

		http_head_init(&h, 200);
		add_ok(&h, "Content-Length", "10");
		add_ok(&h, "Transfer-Encoding", values[i]);
		assert_false(h.encoded);
		assert_false(h.chunked);
		assert_true(h.length == 10);
		http_head_free(&h);
	}
}

/* Several Transfer-Encoding headers are one list: the last coding counts. */
static void test_transfer_encoding_headers_join(void **state)
{
	struct http_head h;

	http_head_init(&h, 200);
	add_ok(&h, "Transfer-Encoding", "chunked");
	add_ok(&h, "Transfer-Encoding", "gzip");
	assert_false(h.chunked);
	assert_true(h.encoded);
	add_ok(&h, "Transfer-Encoding", "chunked");
	assert_true(h.chunked);
	add_ok(&h, "Transfer-Encoding", " ");	/* says nothing */
	assert_true(h.chunked);
	http_head_free(&h);
}

/* Chunked (or any coding) wins over Content-Length, in either order. */
static void test_encoding_beats_length(void **state)
{
	struct http_head h;

	http_head_init(&h, 200);
	add_ok(&h, "Content-Length", "5");
	add_ok(&h, "Transfer-Encoding", "chunked");
	assert_true(h.chunked);
	assert_true(h.length == HTTP_NO_LENGTH);
	http_head_free(&h);

	http_head_init(&h, 200);
	add_ok(&h, "Transfer-Encoding", "chunked");
	add_ok(&h, "Content-Length", "5");
	add_ok(&h, "Content-Length", "6");	/* not kept: not compared */
	assert_true(h.chunked);
	assert_true(h.length == HTTP_NO_LENGTH);
	http_head_free(&h);

	http_head_init(&h, 200);
	add_ok(&h, "Transfer-Encoding", "gzip");
	add_ok(&h, "Content-Length", "5");
	assert_false(h.chunked);
	assert_true(h.length == HTTP_NO_LENGTH);
	http_head_free(&h);
}

static void test_location_header(void **state)
{
	struct http_head h;

	http_head_init(&h, 302);
	add_ok(&h, "Content-Type", "text/html");	/* ignored */
	add_ok(&h, "Content-Lengthx", "junk");		/* ignored */
	add_ok(&h, "X-Location", "/no");		/* ignored */
	assert_null(h.location);
	add_ok(&h, "location", " \t/first \r\n");
	assert_string_equal(h.location, "/first");
	add_ok(&h, "LOCATION", "http://h/second");	/* the last counts */
	assert_string_equal(h.location, "http://h/second");
	add_ok(&h, "Location", "");
	assert_string_equal(h.location, "");
	assert_true(h.length == HTTP_NO_LENGTH);
	assert_false(h.chunked);
	http_head_free(&h);
	assert_null(h.location);
}

static void test_location_header_oom(void **state)
{
	struct http_head h;
	char err[64];
	long live = host_alloc_live();

	http_head_init(&h, 301);
	add_ok(&h, "Location", "/old");
	host_alloc_fail_after(0);
	assert_int_equal(http_head_add(&h, "Location", "/new", err,
				       sizeof(err)), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_string_equal(err, "out of memory");
	assert_string_equal(h.location, "/old");	/* untouched */
	http_head_free(&h);
	assert_int_equal(host_alloc_live(), live);
}

static void test_reason(void **state)
{
	static const struct {
		int status;
		const char *reason;
	} cases[] = {
		{ 200, "OK" }, { 204, "No Content" }, { 206, "Partial Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" },
		{ 303, "See Other" }, { 304, "Not Modified" },
		{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 410, "Gone" }, { 416, "Range Not Satisfiable" },
		{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
		{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
		{ 0, "" }, { -1, "" }, { 100, "" }, { 201, "" }, { 418, "" },
		{ 505, "" }, { 999, "" }, { 200 + 65536, "" },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++)
		assert_string_equal(http_reason(cases[i].status),
				    cases[i].reason);
}

static void test_is_redirect(void **state)
{
	static const int yes[] = { 301, 302, 303, 307, 308 };
	static const int no[] = { 0, 200, 204, 300, 304, 305, 306, 309, 400,
				  404, 500, -301 };
	size_t i;

	for (i = 0; i < N_ELEM(yes); i++)
		assert_true(http_is_redirect(yes[i]));
	for (i = 0; i < N_ELEM(no); i++)
		assert_false(http_is_redirect(no[i]));
}

/* A Location that leads somewhere: path_format() of it, and its file. */
struct redirect_case {
	const char *base, *location, *formatted, *file;
};

#define BASE "http://srv:8080/boot/menus/lab.conf"

static const struct redirect_case redirects[] = {
	/* Absolute URLs, to another host or port. */
	{ BASE, "http://other/x", "http://other/x", "/x" },
	{ BASE, "http://other:8081/a/b", "http://other:8081/a/b", "/a/b" },
	{ BASE, "http://srv:8080/a/./b/../c", "http://srv:8080/a/c", "/a/c" },
	{ BASE, "HTTP://Other/X", "http://Other/X", "/X" },
	{ BASE, "http://[::1]:80/v6", "http://[::1]:80/v6", "/v6" },
	{ BASE, "http://other", "http://other/", "/" },
	{ BASE, "//other:81/x", "http://other:81/x", "/x" },
	/* Absolute paths: the same server. */
	{ BASE, "/abs/k", "http://srv:8080/abs/k", "/abs/k" },
	{ BASE, "/", "http://srv:8080/", "/" },
	{ BASE, "\\abs\\k", "http://srv:8080/abs/k", "/abs/k" },
	/* Relative paths, against the nested folder. */
	{ BASE, "k", "http://srv:8080/boot/menus/k", "/boot/menus/k" },
	{ BASE, "./k", "http://srv:8080/boot/menus/k", "/boot/menus/k" },
	{ BASE, "sub/k", "http://srv:8080/boot/menus/sub/k",
	  "/boot/menus/sub/k" },
	{ BASE, "../x", "http://srv:8080/boot/x", "/boot/x" },
	{ BASE, "../../x", "http://srv:8080/x", "/x" },
	{ BASE, "k%20x\xc3\xa9", "http://srv:8080/boot/menus/k%20x\xc3\xa9",
	  "/boot/menus/k%20x\xc3\xa9" },
	/* Not sources, as path_parse() would read them: folders. */
	{ BASE, "iso(/a.iso):/k", "http://srv:8080/boot/menus/iso(/a.iso):/k",
	  "/boot/menus/iso(/a.iso):/k" },
	{ BASE, "label=X/y:/z", "http://srv:8080/boot/menus/label=X/y:/z",
	  "/boot/menus/label=X/y:/z" },
	{ BASE, "uuid=AB/c:/d", "http://srv:8080/boot/menus/uuid=AB/c:/d",
	  "/boot/menus/uuid=AB/c:/d" },
	{ BASE, "/label=X:/z", "http://srv:8080/label=X:/z", "/label=X:/z" },
	/* Fragments dropped, a pin in one too. */
	{ BASE, "k#frag", "http://srv:8080/boot/menus/k", "/boot/menus/k" },
	{ BASE, "/x#", "http://srv:8080/x", "/x" },
	{ BASE, "k#sha256=" HEX64, "http://srv:8080/boot/menus/k",
	  "/boot/menus/k" },
	{ BASE, "http://h/x#a?b", "http://h/x", "/x" },
	/* Queries kept as written, '/' and ".." in them included. */
	{ BASE, "k?a=b", "http://srv:8080/boot/menus/k?a=b",
	  "/boot/menus/k?a=b" },
	{ BASE, "/x?next=/a/../b//c", "http://srv:8080/x?next=/a/../b//c",
	  "/x?next=/a/../b//c" },
	{ BASE, "/x?a=b#frag", "http://srv:8080/x?a=b", "/x?a=b" },
	{ BASE, "k?u=http://h:1/x", "http://srv:8080/boot/menus/k?u=http://h:1/x",
	  "/boot/menus/k?u=http://h:1/x" },
	{ BASE, "http://h?q", "http://h/?q", "/?q" },
	{ BASE, "?a=b", "http://srv:8080/boot/menus/lab.conf?a=b",
	  "/boot/menus/lab.conf?a=b" },
	{ BASE, "?", "http://srv:8080/boot/menus/lab.conf?",
	  "/boot/menus/lab.conf?" },
	/* base's own query is not part of its folder. */
	{ "http://h/a/b.cgi?x=/y/z", "c", "http://h/a/c", "/a/c" },
	{ "http://h/a/b.cgi?x=/y/z", "?q", "http://h/a/b.cgi?q", "/a/b.cgi?q" },
	{ "http://h/a/b.cgi?x=/y/z", "../c", "http://h/c", "/c" },
};

/* Parse the base of a case; asserts it parses. */
static void parse_base(const char *text, struct path *out)
{
	assert_int_equal(path_parse(text, NULL, out, NULL, 0), 0);
}

static void test_redirects(void **state)
{
	size_t i;

	for (i = 0; i < N_ELEM(redirects); i++) {
		const struct redirect_case *c = &redirects[i];
		struct path base, out;
		char err[256] = "junk", *f;

		parse_base(c->base, &base);
		print_message("  %s (from %s)\n", c->location, c->base);
		assert_int_equal(http_location(&base, c->location, &out, err,
					       sizeof(err)), 0);
		assert_int_equal(out.source, PATH_SRC_HTTP);
		assert_string_equal(out.file, c->file);
		assert_false(out.pinned);
		f = path_format(&out);
		assert_string_equal(f, c->formatted);
		bt_free(f);
		path_free(&out);
		path_free(&base);
	}
}

/* base's pin holds for the file it redirects to, wherever that is. */
static void test_redirect_keeps_pin(void **state)
{
	static const char *const locations[] = {
		"http://other:81/x", "/x", "k", "?q", "k#sha256=" HEX64,
	};
	struct path base, out;
	size_t i;

	parse_base("http://srv/a/b.efi#sha256=" HEX64, &base);
	assert_true(base.pinned);
	for (i = 0; i < N_ELEM(locations); i++) {
		assert_int_equal(http_location(&base, locations[i], &out, NULL,
					       0), 0);
		assert_true(out.pinned);
		assert_memory_equal(out.sha256, base.sha256, SHA256_LEN);
		path_free(&out);
	}
	path_free(&base);

	/* Nor does a Location bring a pin of its own. */
	parse_base("http://srv/a/b.efi", &base);
	assert_int_equal(http_location(&base, "k#sha256=" HEX64, &out, NULL,
				       0), 0);
	assert_false(out.pinned);
	path_free(&out);
	path_free(&base);
}

/* A Location that is refused: the code and the whole message. */
struct bad_redirect {
	const char *location;
	int rc;
	const char *message;
};

static const struct bad_redirect bad_redirects[] = {
	{ NULL, BT_EINVAL, "redirect with an empty Location ''" },
	{ "", BT_EINVAL, "redirect with an empty Location ''" },
	{ "#frag", BT_EINVAL, "redirect with an empty Location '#frag'" },
	{ "https://h/x", BT_EUNSUPP,
	  "redirect to https://h/x: baton does not do HTTPS yet" },
	{ "HTTPS://h:443/x?a#b", BT_EUNSUPP,
	  "redirect to HTTPS://h:443/x?a#b: baton does not do HTTPS yet" },
	{ "ftp://h/x", BT_EINVAL,
	  "redirect to 'ftp://h/x': baton follows redirects to http:// only" },
	{ "tftp://h/x", BT_EINVAL,
	  "redirect to 'tftp://h/x': baton follows redirects to http:// only" },
	{ "tftp:/x", BT_EINVAL,
	  "redirect to 'tftp:/x': baton follows redirects to http:// only" },
	{ "label=ESP:/x", BT_EINVAL, "redirect to 'label=ESP:/x': baton "
	  "follows redirects to http:// only" },
	{ "boot:/x", BT_EINVAL,
	  "redirect to 'boot:/x': baton follows redirects to http:// only" },
	{ "iso(a.iso):/x", BT_EINVAL, "redirect to 'iso(a.iso):/x': baton "
	  "follows redirects to http:// only" },
	{ "C:\\x", BT_EINVAL,
	  "redirect to 'C:\\x': baton follows redirects to http:// only" },
	{ "k:x", BT_EINVAL,
	  "redirect to 'k:x': baton follows redirects to http:// only" },
	{ "javascript:alert(1)", BT_EINVAL, "redirect to 'javascript:alert(1)"
	  "': baton follows redirects to http:// only" },
	{ "http:x", BT_EINVAL, "bad Location: bad server in 'http:x'; "
	  "expected http://host[:port]/file" },
	{ "http:///x", BT_EINVAL, "bad Location: bad server in 'http:///x'; "
	  "expected http://host[:port]/file" },
	{ "http://h:99999/x", BT_EINVAL, "bad Location: bad server in "
	  "'http://h:99999/x'; expected http://host[:port]/file" },
	{ "//h:0/x", BT_EINVAL, "bad Location: bad server in 'http://h:0/x'; "
	  "expected http://host[:port]/file" },
	{ "../../../x", BT_EINVAL,
	  "bad Location: '..' goes above the root in './../../../x'" },
	{ "/../x?a", BT_EINVAL,
	  "bad Location: '..' goes above the root in '/../x'" },
	{ "a b", BT_EINVAL,
	  "bad Location: a space or control character (0x20) after 'a'" },
	{ "/x\r\n", BT_EINVAL,
	  "bad Location: a space or control character (0x0D) after '/x'" },
	{ "\x1b[31m/x", BT_EINVAL,
	  "bad Location: a space or control character (0x1B) after ''" },
	{ "/x#a b", BT_EINVAL,
	  "bad Location: a space or control character (0x20) after '/x#a'" },
	{ "/x\x7f", BT_EINVAL,
	  "bad Location: a space or control character (0x7F) after '/x'" },
};

static void test_bad_redirects(void **state)
{
	struct path base, out;
	size_t i;

	parse_base(BASE, &base);
	for (i = 0; i < N_ELEM(bad_redirects); i++) {
		const struct bad_redirect *c = &bad_redirects[i];
		char err[256] = "junk";

		print_message("  %s\n", c->location ? c->location : "(null)");
		memset(&out, 0x5a, sizeof(out));
		assert_int_equal(http_location(&base, c->location, &out, err,
					       sizeof(err)), c->rc);
		assert_string_equal(err, c->message);
		assert_null(out.file);		/* left empty */
		assert_null(out.arg);
		assert_false(out.pinned);
		/* No room for a message is fine too. */
		assert_int_equal(http_location(&base, c->location, &out, NULL,
					       0), c->rc);
	}
	path_free(&base);
}

static void test_long_location_quoted_short(void **state)
{
	char loc[3000], err[512];
	struct path base, out;

	memset(loc, 'x', sizeof(loc));
	memcpy(loc, "https://", 8);
	loc[sizeof(loc) - 1] = '\0';
	parse_base(BASE, &base);
	assert_int_equal(http_location(&base, loc, &out, err, sizeof(err)),
			 BT_EUNSUPP);
	assert_true(strlen(err) < 120);
	assert_non_null(strstr(err, "...: baton does not do HTTPS yet"));
	/* A message from path_parse() fits the caller's buffer too. */
	memcpy(loc, "http://:", 8);
	assert_int_equal(http_location(&base, loc, &out, err, 40), BT_EINVAL);
	assert_int_equal(strlen(err), 39);
	path_free(&base);
}

/* Every allocation failure is BT_ENOMEM, nothing leaked, out empty. */
static void test_redirect_oom(void **state)
{
	static const char *const locations[] = {
		"http://other:81/x?q", "//o/x", "k?q", "?q", "../x#f",
		"iso(/a):/b",
	};
	struct path base, out;
	size_t i;
	long n, live;

	parse_base("http://srv/a/b.cgi?x#sha256=" HEX64, &base);
	live = host_alloc_live();
	for (i = 0; i < N_ELEM(locations); i++) {
		for (n = 0; n < 12; n++) {
			char err[128];
			int rc;

			host_alloc_fail_after(n);
			rc = http_location(&base, locations[i], &out, err,
					   sizeof(err));
			host_alloc_fail_after(-1);
			if (rc == BT_ENOMEM) {
				assert_string_equal(err, "out of memory");
				assert_null(out.file);
				assert_null(out.arg);
				assert_int_equal(host_alloc_live(), live);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_true(out.pinned);
			path_free(&out);
			assert_int_equal(host_alloc_live(), live);
		}
	}
	path_free(&base);
}

/* --- chunked bodies ------------------------------------------------------ */

/* A body with extensions, a CRLF inside the data, a trailer, and bytes
 * after its end; and what it decodes to. */
static const char sample[] =
	"4\r\nWiki\r\n"
	"5;name=val;x=\"a b\"\r\npedia\r\n"
	"E \t;e\r\n in\r\n\r\nchunks.\r\n"
	"0a\r\n0123456789\r\n"
	"0000\r\n"
	"Expires: never\r\nX: 1\r\n"
	"\r\n"
	"HTTP/1.1 200 OK\r\n";
static const char sample_data[] = "Wikipedia in\r\n\r\nchunks.0123456789";
#define SAMPLE_END (sizeof(sample) - 1 - strlen("HTTP/1.1 200 OK\r\n"))

/*
 * Decode body[0..len) in pieces ending at cuts[0..ncuts) (ascending), the
 * data appended to data (room for len bytes).  Returns the first error,
 * or 0; *dlen is the data decoded, err the message.
 */
static int decode_pieces(const char *body, size_t len, const size_t *cuts,
			 size_t ncuts, char *data, size_t *dlen,
			 struct http_dechunk *d, char *err, size_t errlen)
{
	uint8_t *buf = malloc(len ? len : 1);
	size_t from = 0, k, out;
	int rc = 0;

	memcpy(buf, body, len);
	http_dechunk_init(d);
	*dlen = 0;
	for (k = 0; k <= ncuts && !rc; k++) {
		size_t to = k < ncuts ? cuts[k] : len;

		out = 12345;
		rc = http_dechunk(d, buf + from, to - from, &out, err, errlen);
		assert_true(out <= to - from);
		memcpy(data + *dlen, buf + from, out);
		*dlen += out;
		from = to;
	}
	free(buf);
	return rc;
}

static void assert_sample(const char *data, size_t dlen,
			  const struct http_dechunk *d)
{
	assert_int_equal(dlen, sizeof(sample_data) - 1);
	assert_memory_equal(data, sample_data, dlen);
	assert_true(d->done);
}

static void test_dechunk_whole(void **state)
{
	struct http_dechunk d;
	char data[sizeof(sample)], err[128];
	size_t dlen;

	assert_int_equal(decode_pieces(sample, sizeof(sample) - 1, NULL, 0,
				       data, &dlen, &d, err, sizeof(err)), 0);
	assert_sample(data, dlen, &d);
}

/* Two pieces split at every point, and three at every pair of points. */
static void test_dechunk_every_split(void **state)
{
	size_t len = sizeof(sample) - 1, cuts[2], dlen;
	struct http_dechunk d;
	char data[sizeof(sample)], err[128];

	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		assert_int_equal(decode_pieces(sample, len, cuts, 1, data,
					       &dlen, &d, err, sizeof(err)), 0);
		assert_sample(data, dlen, &d);
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			assert_int_equal(decode_pieces(sample, len, cuts, 2,
						       data, &dlen, &d, err,
						       sizeof(err)), 0);
			assert_sample(data, dlen, &d);
		}
	}
}

static void test_dechunk_byte_by_byte(void **state)
{
	size_t len = sizeof(sample) - 1, cuts[sizeof(sample)], i, dlen;
	struct http_dechunk d;
	char data[sizeof(sample)], err[128];

	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	assert_int_equal(decode_pieces(sample, len, cuts, len, data, &dlen, &d,
				       err, sizeof(err)), 0);
	assert_sample(data, dlen, &d);
}

/* The body ends where the empty line after the trailers does. */
static void test_dechunk_stops_at_end(void **state)
{
	struct http_dechunk d;
	uint8_t buf[sizeof(sample)];
	size_t out;
	size_t i;

	memcpy(buf, sample, sizeof(sample));
	http_dechunk_init(&d);
	for (i = 0; i < SAMPLE_END - 1; i++) {
		assert_int_equal(http_dechunk(&d, buf + i, 1, &out, NULL, 0), 0);
		assert_false(d.done);
	}
	assert_int_equal(http_dechunk(&d, buf + i, sizeof(sample) - 1 - i,
				      &out, NULL, 0), 0);
	assert_true(d.done);
	assert_int_equal(out, 0);
	assert_memory_equal(buf + i, "\nHTTP/1.1", 9);	/* untouched */
	/* More afterwards is ignored, broken or not. */
	memcpy(buf, "zz\r\n", 4);
	out = 99;
	assert_int_equal(http_dechunk(&d, buf, 4, &out, NULL, 0), 0);
	assert_int_equal(out, 0);
	assert_true(d.done);
}

/* Bodies that decode: what they give. */
static void test_dechunk_forms(void **state)
{
	static const struct {
		const char *body, *data;
	} cases[] = {
		{ "0\r\n\r\n", "" },
		{ "0\n\n", "" },				/* bare LFs */
		{ "3\nabc\r\n0\n\n", "abc" },
		{ "3;x\nabc\r\n0;y\r\n\n", "abc" },
		{ "3\r\nabc\r\n0\r\nA: b\nC: d\r\n\r\n", "abc" },
		{ "3\r\nabc\r\n0\r\nA: b\rc\r\n\r\n", "abc" },	/* CR inside */
		{ "a\r\n0123456789\r\nA\r\n9876543210\r\n0\r\n\r\n",
		  "01234567899876543210" },
		{ "1 \r\nx\r\n0\t\r\n\r\n", "x" },		/* blanks */
		{ "4 4\r\nabcd\r\n0\r\n\r\n", "abcd" },	/* after blanks,
							 * an extension */
		{ "1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n" },	/* CR, LF data */
		{ "00000000000000000000000000000001\r\nz\r\n0\r\n\r\n", "z" },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++) {
		size_t len = strlen(cases[i].body), cuts[64], k, dlen;
		struct http_dechunk d;
		char data[64], err[128];

		print_message("  case %zu\n", i);
		assert_int_equal(decode_pieces(cases[i].body, len, NULL, 0,
					       data, &dlen, &d, err,
					       sizeof(err)), 0);
		assert_true(d.done);
		assert_int_equal(dlen, strlen(cases[i].data));
		assert_memory_equal(data, cases[i].data, dlen);
		for (k = 0; k < len; k++)
			cuts[k] = k + 1;
		assert_int_equal(decode_pieces(cases[i].body, len, cuts, len,
					       data, &dlen, &d, err,
					       sizeof(err)), 0);
		assert_true(d.done);
		assert_int_equal(dlen, strlen(cases[i].data));
		assert_memory_equal(data, cases[i].data, dlen);
	}
}

/* The largest size still parses (the caller limits what it reads). */
static void test_dechunk_largest_size(void **state)
{
	struct http_dechunk d;
	uint8_t buf[] = "FFFFffffFFFFffff\r\nabc";
	size_t out;

	http_dechunk_init(&d);
	assert_int_equal(http_dechunk(&d, buf, sizeof(buf) - 1, &out, NULL, 0),
			 0);
	assert_int_equal(out, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_true(d.left == UINT64_MAX - 3);
	assert_false(d.done);
}

static void test_dechunk_empty_input(void **state)
{
	struct http_dechunk d;
	uint8_t b = 'x';
	size_t out = 7;

	http_dechunk_init(&d);
	assert_int_equal(http_dechunk(&d, &b, 0, &out, NULL, 0), 0);
	assert_int_equal(out, 0);
	assert_false(d.done);
}

/* Malformed bodies: the message, and the data decoded before the fault. */
static void test_dechunk_errors(void **state)
{
	static const struct {
		const char *body, *message, *data;
	} cases[] = {
		{ "x\r\n", "bad chunk size line: no hex digits (byte 0x78)", "" },
		{ "\r\n", "bad chunk size line: no hex digits (byte 0x0D)", "" },
		{ "\n", "bad chunk size line: no hex digits (byte 0x0A)", "" },
		{ ";x\r\n", "bad chunk size line: no hex digits (byte 0x3B)", "" },
		{ " 4\r\n", "bad chunk size line: no hex digits (byte 0x20)", "" },
		{ "-4\r\n", "bad chunk size line: no hex digits (byte 0x2D)", "" },
		{ "+4\r\n", "bad chunk size line: no hex digits (byte 0x2B)", "" },
		{ "4x\r\n", "bad chunk size line: no ';' or CRLF after the size "
		  "(byte 0x78)", "" },
		{ "0x4\r\n", "bad chunk size line: no ';' or CRLF after the size "
		  "(byte 0x78)", "" },
		{ "4\rW", "bad chunk size line: CR without LF (byte 0x57)", "" },
		{ "4;e\r\r\n", "bad chunk size line: CR without LF (byte 0x0D)",
		  "" },
		{ "4\r\nWikiX", "chunk data not followed by CRLF (byte 0x58)",
		  "Wiki" },
		{ "4\r\nWiki\n", "chunk data not followed by CRLF (byte 0x0A)",
		  "Wiki" },
		{ "4\r\nWiki\rX", "chunk data not followed by CRLF (byte 0x58)",
		  "Wiki" },
		{ "4\r\nWiki\r\r", "chunk data not followed by CRLF (byte 0x0D)",
		  "Wiki" },
		{ "2\r\nab\r\n4\r\nWik\r\n\r\n", "chunk data not followed by "
		  "CRLF (byte 0x0A)", "abWik\r" },
		{ "10000000000000000\r\n", "chunk size overflows 64 bits "
		  "(byte 0x30)", "" },
		{ "1\r\na\r\nFFFFFFFFFFFFFFFF0\r\n", "chunk size overflows 64 "
		  "bits (byte 0x30)", "a" },
		{ "0\r\n\rX", "bad chunked trailer: CR without LF (byte 0x58)",
		  "" },
		{ "0\r\nA: b\r\n\r\r", "bad chunked trailer: CR without LF "
		  "(byte 0x0D)", "" },
	};
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++) {
		size_t len = strlen(cases[i].body), cuts[64], k, dlen;
		struct http_dechunk d;
		char data[64], err[128];
		int rc;

		print_message("  case %zu\n", i);
		rc = decode_pieces(cases[i].body, len, NULL, 0, data, &dlen,
				   &d, err, sizeof(err));
		assert_int_equal(rc, BT_EFORMAT);
		assert_string_equal(err, cases[i].message);
		assert_int_equal(dlen, strlen(cases[i].data));
		assert_memory_equal(data, cases[i].data, dlen);
		assert_false(d.done);
		/* The same, a byte at a time. */
		for (k = 0; k < len; k++)
			cuts[k] = k + 1;
		strcpy(err, "junk");
		assert_int_equal(decode_pieces(cases[i].body, len, cuts, len,
					       data, &dlen, &d, err,
					       sizeof(err)), BT_EFORMAT);
		assert_string_equal(err, cases[i].message);
		assert_int_equal(dlen, strlen(cases[i].data));
	}
}

/* A size line of 4 KiB, extensions included, is fine; one byte more is
 * not.  The count starts again at every size line. */
static void test_dechunk_line_limit(void **state)
{
	size_t n = 4096, len = 0, dlen;
	int k;
	char *body = malloc(3 * n + 64), data[16], err[128];
	struct http_dechunk d;

	/* "1;xxx...x\r\nA\r\n" twice with a line of n bytes, then "0\r\n\r\n". */
	for (k = 0; k < 2; k++) {
		memcpy(body + len, "1;", 2);
		memset(body + len + 2, 'x', n - 2);
		len += n;
		memcpy(body + len, "\r\nA\r\n", 5);
		len += 5;
	}
	memcpy(body + len, "0\r\n\r\n", 5);
	len += 5;
	assert_int_equal(decode_pieces(body, len, NULL, 0, data, &dlen, &d, err,
				       sizeof(err)), 0);
	assert_int_equal(dlen, 2);
	assert_true(d.done);

	memcpy(body, "1;", 2);
	memset(body + 2, 'x', n - 1);
	memcpy(body + n + 1, "\r\nA\r\n0\r\n\r\n", 10);
	assert_int_equal(decode_pieces(body, n + 11, NULL, 0, data, &dlen, &d,
				       err, sizeof(err)), BT_EFORMAT);
	assert_string_equal(err, "chunk size line longer than 4 KiB (byte 0x78)");

	/* Leading zeros count too. */
	memset(body, '0', n + 1);
	assert_int_equal(decode_pieces(body, n + 1, NULL, 0, data, &dlen, &d,
				       err, sizeof(err)), BT_EFORMAT);
	assert_string_equal(err, "chunk size line longer than 4 KiB (byte 0x30)");
	free(body);
}

static void test_dechunk_err_truncated(void **state)
{
	struct http_dechunk d;
	uint8_t buf[] = "zz";
	char err[8];
	size_t out;

	http_dechunk_init(&d);
	assert_int_equal(http_dechunk(&d, buf, 2, &out, err, sizeof(err)),
			 BT_EFORMAT);
	assert_string_equal(err, "bad chu");
	http_dechunk_init(&d);
	assert_int_equal(http_dechunk(&d, buf, 2, &out, NULL, 0), BT_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_init_free),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_bad_content_length),
		cmocka_unit_test(test_conflicting_content_length),
		cmocka_unit_test(test_transfer_encoding),
		cmocka_unit_test(test_empty_transfer_encoding_ignored),
		cmocka_unit_test(test_transfer_encoding_headers_join),
		cmocka_unit_test(test_encoding_beats_length),
		cmocka_unit_test(test_location_header),
		cmocka_unit_test(test_location_header_oom),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_is_redirect),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_redirect_keeps_pin),
		cmocka_unit_test(test_bad_redirects),
		cmocka_unit_test(test_long_location_quoted_short),
		cmocka_unit_test(test_redirect_oom),
		cmocka_unit_test(test_dechunk_whole),
		cmocka_unit_test(test_dechunk_every_split),
		cmocka_unit_test(test_dechunk_byte_by_byte),
		cmocka_unit_test(test_dechunk_stops_at_end),
		cmocka_unit_test(test_dechunk_forms),
		cmocka_unit_test(test_dechunk_largest_size),
		cmocka_unit_test(test_dechunk_empty_input),
		cmocka_unit_test(test_dechunk_errors),
		cmocka_unit_test(test_dechunk_line_limit),
		cmocka_unit_test(test_dechunk_err_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
