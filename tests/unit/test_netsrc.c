/*
 * Tests for fs/net.c, the tftp: and http: sources, on the host network
 * double (firmware/host/net.c): sizes from tsize or Content-Length, one
 * transfer per file, chunked bodies and bodies read to the close, the
 * redirect limit, every fault's message, pins, and the netbooted config
 * search (core/baton.c) picking the MAC name before baton.conf.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "core/baton.h"
#include "fs/fs.h"

#define BODY "0123456789abcdefghijklmnopqrstuvwxyz"
#define CHUNKED "5;x=y\r\n01234\r\n1f\r\n56789abcdefghijklmnopqrstuvwxyz\r\n" \
	"0\r\nT: 1\r\n\r\n"

#define LEAVE "timeout -1\nentry q\n  title Leave by MAC\n  action exit\n"
#define WRONG "timeout -1\nentry q\n  title Wrong one\n  action exit\n"

static const struct host_net_file files[] = {
	{ .url = "tftp://10.0.2.2/pxe/baton.conf-01-52-54-00-12-34-56",
	  .body = LEAVE, .len = sizeof(LEAVE) - 1 },
	{ .url = "tftp://10.0.2.2/pxe/baton.conf", .body = WRONG,
	  .len = sizeof(WRONG) - 1 },
	{ .url = "http://h/boot/baton.conf-01-52-54-00-12-34-56",
	  .status = 200, .headers = "Content-Length: 54", .body = LEAVE,
	  .len = sizeof(LEAVE) - 1 },
	{ .url = "http://h/menus/by-209.cfg", .status = 200,
	  .headers = "Content-Length: 54", .body = LEAVE,
	  .len = sizeof(LEAVE) - 1 },
	{ .url = "tftp://10.0.2.2/k", .body = BODY, .len = 36 },
	{ .url = "tftp://10.0.2.2/pxe/nosize", .body = BODY, .len = 36,
	  .no_tsize = true },
	{ .url = "tftp://10.0.2.9/other", .body = "x", .len = 1 },
	{ .url = "http://h/a", .status = 200, .headers = "Content-Length: 36",
	  .body = BODY, .len = 36, .piece = 7 },
	{ .url = "http://h:8080/c", .status = 200,
	  .headers = "Transfer-Encoding: chunked", .body = CHUNKED,
	  .len = sizeof(CHUNKED) - 1, .piece = 3 },
	{ .url = "http://h/noclen", .status = 200, .body = BODY, .len = 36,
	  .piece = 10 },
	{ .url = "http://h/404", .status = 404 },
	{ .url = "http://h/500", .status = 500 },
	{ .url = "http://h/r1", .status = 302, .headers = "Location: /d/r2" },
	{ .url = "http://h/d/r2", .status = 301,
	  .headers = "Location: http://h:8080/c" },
	{ .url = "http://h/r404", .status = 307, .headers = "Location: 404" },
	{ .url = "http://h/loop", .status = 302, .headers = "Location: loop" },
	{ .url = "http://h/tftp", .status = 302,
	  .headers = "Location: tftp://10.0.2.2/k" },
	{ .url = "http://h/mid", .status = 200, .headers = "Content-Length: 36",
	  .body = BODY, .len = 36, .close_at = 20 },
	{ .url = "http://h/stall", .status = 200,
	  .headers = "Content-Length: 36", .body = BODY, .len = 36,
	  .close_at = 8, .stall = true },
	{ .url = "http://h/badchunk", .status = 200,
	  .headers = "Transfer-Encoding: chunked", .body = "zz\r\n", .len = 4 },
	{ .url = "http://h/cutchunk", .status = 200,
	  .headers = "Transfer-Encoding: chunked", .body = "5\r\n012", .len = 6 },
	{ .url = NULL },
};

static struct rig *setup(bool netbooted)
{
	struct rig *r = test_malloc(sizeof(*r));

	rig_init(r, 0);
	r->fw.net_files = files;
	if (netbooted) {
		static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

		r->fw.netboot.pxe = true;
		memcpy(r->fw.netboot.boot.server, "\x0a\x00\x02\x02", 4);
		memcpy(r->fw.netboot.boot.station, "\x0a\x00\x02\x0f", 4);
		memcpy(r->fw.netboot.mac, mac, 6);
		r->fw.netboot.mac_len = 6;
		strcpy(r->fw.netboot.boot.boot_file, "pxe/baton.efi");
	}
	return r;
}

static void teardown(struct rig *r)
{
	rig_free(r);
	test_free(r);
}

/* Read text's file whole: 0 and its bytes in got (NUL-terminated), or the
 * error with its message in r->err. */
static int read_all(struct rig *r, const char *text, char **got, size_t *len)
{
	struct path p;
	int rc;

	*got = NULL;
	assert_int_equal(path_parse(text, NULL, &p, r->err, sizeof(r->err)), 0);
	rc = fs_read_all(&r->fw.fs, &p, (void **)got, len, r->err,
			 sizeof(r->err));
	path_free(&p);
	return rc;
}

static void expect_body(const char *text, const char *want, bool netbooted)
{
	struct rig *r = setup(netbooted);
	char *got;
	size_t len;

	assert_int_equal(read_all(r, text, &got, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	bt_free(got);
	teardown(r);
}

static void expect_error(const char *text, int rc, const char *message,
			 bool netbooted)
{
	struct rig *r = setup(netbooted);
	char *got;
	size_t len;

	assert_int_equal(read_all(r, text, &got, &len), rc);
	assert_null(got);
	assert_string_equal(r->err, message);
	teardown(r);
}

static void test_tftp_boot_server(void **state)
{
	expect_body("tftp:/k", BODY, true);
	expect_body("tftp://10.0.2.9/other", "x", true);
	/* No tsize: read into memory (twice: the size comes with the file). */
	expect_body("tftp:/pxe/nosize", BODY, true);
}

static void test_tftp_one_transfer(void **state)
{
	struct rig *r = setup(true);
	struct path p;
	char buf[64];
	uint64_t len;

	assert_int_equal(path_parse("tftp:/k", NULL, &p, r->err,
				    sizeof(r->err)), 0);
	assert_int_equal(fs_load(&r->fw.fs, &p, buf, sizeof(buf), &len, r->err,
				 sizeof(r->err)), 0);
	assert_int_equal(len, 36);
	assert_memory_equal(buf, BODY, 36);
	assert_int_equal(r->fw.net_requests, 1);
	/* Too small a place: said before anything crosses the wire. */
	assert_int_equal(fs_load(&r->fw.fs, &p, buf, 10, &len, r->err,
				 sizeof(r->err)), BT_ETOOBIG);
	assert_string_equal(r->err, "tftp:/k: larger than the 10 "
			    "bytes reserved for it");
	assert_int_equal(r->fw.net_requests, 1);
	path_free(&p);
	teardown(r);
}

static void test_tftp_errors(void **state)
{
	expect_error("tftp:/missing", BT_ENOENT, "tftp:/missing: "
		     "TFTP error 1: File not found", true);
	expect_error("tftp:/k", BT_ENOENT, "tftp:/k: baton was not started by "
		     "PXE, so there is no boot server; write tftp://SERVER/FILE",
		     false);
	expect_error("tftp://boot.lan/k", BT_EUNSUPP, "tftp://boot.lan/k: "
		     "TFTP servers are given by IPv4 address (the firmware's "
		     "TFTP client does not look up names)", true);
}

/* Run a whole session that leaves by its first entry. */
static void session(struct rig *r)
{
	static const struct key keys[] = { { KEY_CHAR, '1' } };

	r->fw.keys = keys;
	r->fw.n_keys = 1;
	assert_int_equal(baton_main(&r->fw), 0);
	assert_non_null(r->fw.out);
}

static void test_http_booted(void **state)
{
	struct rig *r = setup(false);
	char *got;
	size_t len;

	/* HTTP boot: no boot server for tftp:. */
	r->fw.netboot.http = true;
	strcpy(r->fw.netboot.url, "http://h/boot/baton.efi");
	assert_int_equal(read_all(r, "tftp:/k", &got, &len), BT_ENOENT);
	assert_string_equal(r->err, "tftp:/k: baton was not started by PXE, so "
			    "there is no boot server; write tftp://SERVER/FILE");
	teardown(r);

	/* Its config by MAC next to baton's own URL (not found names are
	 * 404s, then the MAC name). */
	r = setup(false);
	r->fw.netboot.http = true;
	strcpy(r->fw.netboot.url, "http://h/boot/baton.efi");
	memcpy(r->fw.netboot.mac, "\x52\x54\x00\x12\x34\x56", 6);
	r->fw.netboot.mac_len = 6;
	session(r);
	assert_non_null(strstr(r->fw.out, "config http://h/boot/baton.conf-01-52-"
			       "54-00-12-34-56\n"));
	teardown(r);
}

static void test_http_bodies(void **state)
{
	expect_body("http://h/a", BODY, false);
	expect_body("http://h:8080/c", BODY, false);
	expect_body("http://h/noclen", BODY, false);
}

static void test_http_redirects(void **state)
{
	struct rig *r = setup(false);
	char *got;
	size_t len;

	/* Absolute path, then an absolute URL to another port, chunked. */
	assert_int_equal(read_all(r, "http://h/r1", &got, &len), 0);
	assert_memory_equal(got, BODY, 36);
	bt_free(got);
	assert_int_equal(r->fw.net_requests, 3);
	teardown(r);
	expect_error("http://h/r404", BT_ENOENT, "http://h/r404: redirected to "
		     "http://h/404: HTTP 404 Not Found", false);
	expect_error("http://h/loop", BT_ELOOP, "http://h/loop: more than 5 "
		     "redirects (the last to loop)", false);
	expect_error("http://h/tftp", BT_EINVAL, "http://h/tftp: redirect to "
		     "'tftp://10.0.2.2/k': baton follows redirects to http:// "
		     "only", false);
}

static void test_http_faults(void **state)
{
	expect_error("http://h/404", BT_ENOENT, "http://h/404: HTTP 404 Not "
		     "Found", false);
	expect_error("http://h/500", BT_EIO, "http://h/500: HTTP 500 Internal "
		     "Server Error", false);
	expect_error("http://h/none", BT_EIO, "http://h/none: connection "
		     "refused", false);
	expect_error("http://h/mid", BT_EIO, "http://h/mid: read error at byte "
		     "20: the server closed the connection at byte 20", false);
	expect_error("http://h/stall", BT_ETIMEOUT, "http://h/stall: read error "
		     "at byte 8: no data from the server for 15 s", false);
	expect_error("http://h/cutchunk", BT_EIO, "http://h/cutchunk: read "
		     "error at byte 3: the server closed the connection at byte "
		     "3, inside a chunked body", false);
}

static void test_http_bad_chunk(void **state)
{
	struct rig *r = setup(false);
	char *got;
	size_t len;

	assert_int_equal(read_all(r, "http://h/badchunk", &got, &len),
			 BT_EFORMAT);
	assert_non_null(strstr(r->err, "http://h/badchunk: read error at byte "
			       "0: "));
	teardown(r);
}

static void test_pin(void **state)
{
	expect_error("http://h/a#sha256=" "0000000000000000000000000000000000"
		     "000000000000000000000000000000", BT_EHASH,
		     "http://h/a: SHA-256 mismatch (expected 000000000000000000"
		     "0000000000000000000000000000000000000000000000, got "
		     "74e7e5bb9d22d6db26bf76946d40fff3ea9f0346b884fd0694920fccfad"
		     "15e33)", false);
}

static void test_net_down(void **state)
{
	struct rig *r = setup(false);
	char *got;
	size_t len;

	r->fw.net_up_error = BT_ETIMEOUT;
	assert_int_equal(read_all(r, "http://h/a", &got, &len), BT_ETIMEOUT);
	assert_string_equal(r->err, "http://h/a: no DHCP answer on the network "
			    "card");
	teardown(r);
}

static void test_config_search(void **state)
{
	struct rig *r = setup(true);

	/* By MAC before baton.conf, next to baton's own folder. */
	session(r);
	assert_non_null(strstr(r->fw.out, "config tftp:/pxe/baton.conf-01-52-"
			       "54-00-12-34-56\n"));
	assert_non_null(strstr(r->fw.out, "Leave by MAC"));
	assert_null(strstr(r->fw.out, "Wrong one"));
	teardown(r);

	/* Options 209 and 210 first: a URL prefix puts the config on HTTP. */
	r = setup(true);
	strcpy(r->fw.netboot.boot.config_file, "by-209.cfg");
	strcpy(r->fw.netboot.boot.path_prefix, "http://h/menus/");
	session(r);
	assert_non_null(strstr(r->fw.out, "config http://h/menus/by-209.cfg\n"));
	teardown(r);

	/* Without the MAC: the IP names, then baton.conf. */
	r = setup(true);
	r->fw.netboot.mac_len = 0;
	session(r);
	assert_non_null(strstr(r->fw.out, "config tftp:/pxe/baton.conf\n"));
	assert_int_equal(r->fw.net_requests, 1);	/* one read: the found */
	teardown(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tftp_boot_server),
		cmocka_unit_test(test_tftp_one_transfer),
		cmocka_unit_test(test_tftp_errors),
		cmocka_unit_test(test_http_booted),
		cmocka_unit_test(test_http_bodies),
		cmocka_unit_test(test_http_redirects),
		cmocka_unit_test(test_http_faults),
		cmocka_unit_test(test_http_bad_chunk),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_net_down),
		cmocka_unit_test(test_config_search),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
