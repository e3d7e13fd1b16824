/*
 * Tests for net/dhcp.c: the fields and options of an ACK, options past the
 * 312 bytes BOOTP reserves, option overload into the file and sname fields,
 * options split over several instances (RFC 3396), every malformed packet
 * with its message, which packet each boot setting comes from, and
 * dotted-quad addresses.
 */
#include "tests/unit/helpers.h"
#include "net/dhcp.h"

#define SNAME 44
#define FILE_AT 108
#define OPTIONS 240

/* A packet being written: the BOOTP header, the cookie, options at at. */
struct pkt {
	uint8_t b[1500];
	size_t at;
};

static void pkt_init(struct pkt *p)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };

	memset(p, 0, sizeof(*p));
	p->b[0] = 2;		/* BOOTREPLY */
	p->b[1] = 1;		/* Ethernet */
	p->b[2] = 6;
	memcpy(p->b + 236, cookie, 4);
	p->at = OPTIONS;
}

/* One option at b[*at]; *at moves past it. */
static void put(uint8_t *b, size_t *at, uint8_t code, const void *v, size_t n)
{
	b[(*at)++] = code;
	b[(*at)++] = (uint8_t)n;
	memcpy(b + *at, v, n);
	*at += n;
}

static void opt(struct pkt *p, uint8_t code, const void *v, size_t n)
{
	put(p->b, &p->at, code, v, n);
}

static void opt_str(struct pkt *p, uint8_t code, const char *s)
{
	opt(p, code, s, strlen(s));
}

static void opt_ip(struct pkt *p, uint8_t code, uint8_t a, uint8_t b,
		   uint8_t c, uint8_t d)
{
	const uint8_t ip[4] = { a, b, c, d };

	opt(p, code, ip, 4);
}

static void set_ip(struct pkt *p, size_t off, uint8_t a, uint8_t b,
		   uint8_t c, uint8_t d)
{
	p->b[off] = a;
	p->b[off + 1] = b;
	p->b[off + 2] = c;
	p->b[off + 3] = d;
}

/* End the options; the packet's length. */
static size_t pkt_end(struct pkt *p)
{
	p->b[p->at++] = 255;
	return p->at;
}

static void assert_ip(const uint8_t *ip, uint8_t a, uint8_t b, uint8_t c,
		      uint8_t d)
{
	const uint8_t want[4] = { a, b, c, d };

	assert_memory_equal(ip, want, 4);
}

static void parse_ok(const struct pkt *p, size_t len, struct dhcp_info *d)
{
	char err[128] = "";

	assert_int_equal(dhcp_parse(p->b, len, d, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void parse_bad(const struct pkt *p, size_t len, const char *msg)
{
	struct dhcp_info d;
	char err[128] = "";

	assert_int_equal(dhcp_parse(p->b, len, &d, err, sizeof(err)),
			 BT_EFORMAT);
	assert_string_equal(err, msg);
}

/* An ACK as a DHCP server sends it. */
static void test_plain_ack(void **state)
{
	static const uint8_t type = 5, routers[8] = { 10, 0, 2, 1, 10, 0, 2, 254 };
	static const uint8_t lease[4] = { 0, 1, 81, 128 };
	struct dhcp_info d;
	struct pkt p;
	size_t len;

	pkt_init(&p);
	set_ip(&p, 16, 10, 0, 2, 15);
	set_ip(&p, 20, 10, 0, 2, 2);
	opt(&p, 53, &type, 1);
	opt_ip(&p, 54, 10, 0, 2, 2);
	opt(&p, 51, lease, 4);
	opt_ip(&p, 1, 255, 255, 255, 0);
	p.b[p.at++] = 0;	/* pads between options are skipped */
	p.b[p.at++] = 0;
	opt(&p, 3, routers, sizeof(routers));
	opt_ip(&p, 6, 10, 0, 2, 3);
	opt_str(&p, 67, "pxelinux.0");
	len = pkt_end(&p);
	/* What follows the end option is not read, however wrong. */
	p.b[len] = 67;
	p.b[len + 1] = 200;
	parse_ok(&p, len + 2, &d);
	assert_ip(d.yiaddr, 10, 0, 2, 15);
	assert_ip(d.siaddr, 10, 0, 2, 2);
	assert_true(d.has_subnet && d.has_router && d.has_dns && d.has_server_id);
	assert_ip(d.subnet, 255, 255, 255, 0);
	assert_ip(d.router, 10, 0, 2, 1);
	assert_ip(d.dns, 10, 0, 2, 3);
	assert_ip(d.server_id, 10, 0, 2, 2);
	assert_string_equal(d.boot_file, "pxelinux.0");
	assert_string_equal(d.server_name, "");
	assert_string_equal(d.config_file, "");
	assert_string_equal(d.path_prefix, "");
}

/* A bare BOOTP-style reply: the sname and file fields are the texts, and
 * a packet may end without the end option. */
static void test_fields_as_text(void **state)
{
	struct dhcp_info d;
	struct pkt p;

	pkt_init(&p);
	memcpy(p.b + SNAME, "tftp.example", 12);
	memset(p.b + FILE_AT, 'f', 128);	/* all 128 bytes, no NUL */
	parse_ok(&p, OPTIONS, &d);
	assert_string_equal(d.server_name, "tftp.example");
	assert_int_equal(strlen(d.boot_file), 128);
	assert_false(d.has_subnet || d.has_router || d.has_dns ||
		     d.has_server_id);

	/* Options 66 and 67 win over the fields. */
	opt_str(&p, 66, "10.0.0.9");
	opt_str(&p, 67, "boot.efi");
	parse_ok(&p, p.at, &d);
	assert_string_equal(d.server_name, "10.0.0.9");
	assert_string_equal(d.boot_file, "boot.efi");
}

/* Options are read to the end option, not to the 312th byte. */
static void test_options_past_312(void **state)
{
	uint8_t vendor[255];
	struct dhcp_info d;
	struct pkt p;
	size_t len;

	memset(vendor, 0xab, sizeof(vendor));
	pkt_init(&p);
	opt(&p, 43, vendor, sizeof(vendor));
	opt(&p, 43, vendor, 100);
	opt_str(&p, 209, "far/away.conf");
	opt_ip(&p, 54, 192, 168, 1, 1);
	len = pkt_end(&p);
	assert_true(len > OPTIONS + 312);
	parse_ok(&p, len, &d);
	assert_string_equal(d.config_file, "far/away.conf");
	assert_true(d.has_server_id);
	assert_ip(d.server_id, 192, 168, 1, 1);
}

/* Overload 1: the file field holds options (read after the options
 * field) and is no boot file name; sname still is the server name. */
static void test_overload_file(void **state)
{
	static const uint8_t one = 1;
	struct dhcp_info d;
	struct pkt p;
	size_t at = FILE_AT, len;

	pkt_init(&p);
	memcpy(p.b + SNAME, "srv", 3);
	opt(&p, 52, &one, 1);
	len = pkt_end(&p);
	put(p.b, &at, 67, "in-file.efi", 11);
	put(p.b, &at, 210, "/pxe/", 5);
	p.b[at] = 255;
	parse_ok(&p, len, &d);
	assert_string_equal(d.boot_file, "in-file.efi");
	assert_string_equal(d.path_prefix, "/pxe/");
	assert_string_equal(d.server_name, "srv");

	/* Without a 67 among them, the field's bytes are still not a name. */
	at = FILE_AT;
	put(p.b, &at, 210, "/pxe/", 5);
	p.b[at++] = 255;
	memset(p.b + at, 'x', 236 - at);
	parse_ok(&p, len, &d);
	assert_string_equal(d.boot_file, "");
}

/* Overload 2: the sname field holds options; file is the boot file. */
static void test_overload_sname(void **state)
{
	static const uint8_t two = 2;
	struct dhcp_info d;
	struct pkt p;
	size_t at = SNAME, len;

	pkt_init(&p);
	memcpy(p.b + FILE_AT, "from-field.efi", 14);
	opt(&p, 52, &two, 1);
	len = pkt_end(&p);
	put(p.b, &at, 209, "cfg", 3);
	p.b[at] = 255;
	parse_ok(&p, len, &d);
	assert_string_equal(d.config_file, "cfg");
	assert_string_equal(d.server_name, "");
	assert_string_equal(d.boot_file, "from-field.efi");

	/* A name in the sname options is the server name. */
	at = SNAME;
	put(p.b, &at, 66, "10.1.1.1", 8);
	p.b[at] = 255;
	parse_ok(&p, len, &d);
	assert_string_equal(d.server_name, "10.1.1.1");
}

/* Overload 3: both fields hold options, the file field first, so a value
 * split over the three areas joins in that order; neither field is text.
 * The sname field may end without an end option. */
static void test_overload_both(void **state)
{
	static const uint8_t three = 3;
	struct dhcp_info d;
	struct pkt p;
	size_t at, len;

	pkt_init(&p);
	opt(&p, 52, &three, 1);
	opt_str(&p, 209, "/a");
	len = pkt_end(&p);
	at = FILE_AT;
	put(p.b, &at, 209, "/b", 2);
	p.b[at] = 255;
	at = SNAME;
	put(p.b, &at, 209, "/c", 2);
	while (at < FILE_AT)
		p.b[at++] = 0;
	parse_ok(&p, len, &d);
	assert_string_equal(d.config_file, "/a/b/c");
	assert_string_equal(d.server_name, "");
	assert_string_equal(d.boot_file, "");
}

/* Option 52 counts only in the options field. */
static void test_overload_only_in_options(void **state)
{
	static const uint8_t one = 1, two = 2;
	struct dhcp_info d;
	struct pkt p;
	size_t at = FILE_AT, len;

	pkt_init(&p);
	memcpy(p.b + SNAME, "srv", 3);
	opt(&p, 52, &one, 1);
	len = pkt_end(&p);
	put(p.b, &at, 52, &two, 1);
	p.b[at] = 255;
	parse_ok(&p, len, &d);
	assert_string_equal(d.server_name, "srv");
}

/* RFC 3396: instances of one text option are joined; a NUL may end the
 * joined value only. */
static void test_split_options(void **state)
{
	char part[200];
	struct dhcp_info d;
	struct pkt p;
	size_t len;

	pkt_init(&p);
	opt_str(&p, 67, "EFI/");
	opt_str(&p, 210, "http://10.0.0.1/");
	opt_str(&p, 67, "BOOT/");
	opt(&p, 67, "BOOTX64.EFI", 12);	/* with its NUL */
	opt_str(&p, 210, "baton/");
	len = pkt_end(&p);
	parse_ok(&p, len, &d);
	assert_string_equal(d.boot_file, "EFI/BOOT/BOOTX64.EFI");
	assert_string_equal(d.path_prefix, "http://10.0.0.1/baton/");

	/* 255 characters in two parts, then a NUL: the longest there is. */
	memset(part, 'p', sizeof(part));
	pkt_init(&p);
	opt(&p, 209, part, 200);
	opt(&p, 209, part, 55);
	opt(&p, 209, "", 1);
	len = pkt_end(&p);
	parse_ok(&p, len, &d);
	assert_int_equal(strlen(d.config_file), 255);

	/* Empty instances add nothing; an empty 66 is no name. */
	pkt_init(&p);
	memcpy(p.b + SNAME, "field", 5);
	opt(&p, 66, "", 0);
	opt(&p, 67, "", 0);
	opt_str(&p, 67, "x");
	opt(&p, 67, "", 0);
	len = pkt_end(&p);
	parse_ok(&p, len, &d);
	assert_string_equal(d.boot_file, "x");
	assert_string_equal(d.server_name, "field");
}

/* PXELINUX's options 209 and 210. */
static void test_pxelinux_options(void **state)
{
	struct dhcp_info d;
	struct pkt p;
	size_t len;

	pkt_init(&p);
	opt_str(&p, 209, "pxelinux.cfg/default");
	opt(&p, 210, "/tftpboot/\0", 11);
	len = pkt_end(&p);
	parse_ok(&p, len, &d);
	assert_string_equal(d.config_file, "pxelinux.cfg/default");
	assert_string_equal(d.path_prefix, "/tftpboot/");
}

/* Packets too short for the header or the cookie. */
static void test_bad_header(void **state)
{
	struct pkt p;

	pkt_init(&p);
	parse_bad(&p, 0, "DHCP packet: 0 bytes, shorter than the 236-byte "
		  "BOOTP header");
	parse_bad(&p, 235, "DHCP packet: 235 bytes, shorter than the "
		  "236-byte BOOTP header");
	parse_bad(&p, 236, "DHCP packet: no magic cookie 99.130.83.99 at "
		  "offset 236");
	parse_bad(&p, 239, "DHCP packet: no magic cookie 99.130.83.99 at "
		  "offset 236");
	p.b[239] = 98;
	parse_bad(&p, 240, "DHCP packet: no magic cookie 99.130.83.99 at "
		  "offset 236");
}

/* Options that run past their area. */
static void test_bad_runs_past(void **state)
{
	static const uint8_t one = 1, two = 2;
	struct dhcp_info d;
	struct pkt p;
	size_t len;

	pkt_init(&p);
	opt_str(&p, 67, "boot.efi");
	parse_bad(&p, p.at - 1, "DHCP packet: option 67 runs past the end "
		  "of the packet");
	parse_bad(&p, OPTIONS + 1, "DHCP packet: option 67 runs past the "
		  "end of the packet");	/* no length byte */
	parse_ok(&p, p.at, &d);

	pkt_init(&p);
	opt(&p, 52, &one, 1);
	len = pkt_end(&p);
	/* Pads, then 7 bytes of value announced where 6 are left. */
	p.b[228] = 67;
	p.b[229] = 7;
	parse_bad(&p, len, "DHCP packet: option 67 runs past the end of "
		  "the file field");

	pkt_init(&p);
	opt(&p, 52, &two, 1);
	len = pkt_end(&p);
	p.b[FILE_AT - 1] = 66;	/* the last byte: no room for a length */
	parse_bad(&p, len, "DHCP packet: option 66 runs past the end of "
		  "the sname field");
}

/* Text options too long or with a NUL inside. */
static void test_bad_text(void **state)
{
	char big[255];
	struct pkt p;

	memset(big, 'x', sizeof(big));
	pkt_init(&p);
	opt(&p, 209, big, 255);
	opt(&p, 209, "yz", 2);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 209 is longer than 255 bytes");

	pkt_init(&p);
	opt(&p, 210, big, 255);
	opt(&p, 210, "y", 1);	/* 256 bytes, no NUL to end them */
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 210 is longer than 255 bytes");

	pkt_init(&p);
	opt(&p, 67, "ab\0c", 4);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 67 holds a NUL byte before "
		  "its end");

	/* Split: the NUL that ends one part is inside the joined value. */
	pkt_init(&p);
	opt(&p, 66, "srv\0", 4);
	opt(&p, 66, "x", 1);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 66 holds a NUL byte before "
		  "its end");

	pkt_init(&p);
	opt(&p, 67, "\0\0", 2);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 67 holds a NUL byte before "
		  "its end");
}

/* Address options of the wrong size, and a bad overload. */
static void test_bad_sizes(void **state)
{
	static const struct {
		uint8_t code, len;
		const char *msg;
	} cases[] = {
		{ 1, 3, "DHCP packet: option 1 is 3 bytes long, expected 4" },
		{ 1, 8, "DHCP packet: option 1 is 8 bytes long, expected 4" },
		{ 54, 0, "DHCP packet: option 54 is 0 bytes long, expected 4" },
		{ 54, 5, "DHCP packet: option 54 is 5 bytes long, expected 4" },
		{ 3, 6, "DHCP packet: option 3 is 6 bytes long, expected a "
		  "multiple of 4" },
		{ 3, 0, "DHCP packet: option 3 is 0 bytes long, expected a "
		  "multiple of 4" },
		{ 6, 2, "DHCP packet: option 6 is 2 bytes long, expected a "
		  "multiple of 4" },
		{ 52, 2, "DHCP packet: option 52 is 2 bytes long, expected 1" },
		{ 52, 0, "DHCP packet: option 52 is 0 bytes long, expected 1" },
	};
	static const uint8_t v[16] = { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
	static const uint8_t zero = 0, four = 4;
	struct dhcp_info d;
	struct pkt p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pkt_init(&p);
		opt(&p, cases[i].code, v, cases[i].len);
		pkt_end(&p);
		parse_bad(&p, p.at, cases[i].msg);
	}
	pkt_init(&p);
	opt(&p, 52, &zero, 1);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 52 (overload) is 0, "
		  "expected 1, 2 or 3");
	pkt_init(&p);
	opt(&p, 52, &four, 1);
	pkt_end(&p);
	parse_bad(&p, p.at, "DHCP packet: option 52 (overload) is 4, "
		  "expected 1, 2 or 3");

	/* Lists of three; the first entry counts, also over two instances. */
	pkt_init(&p);
	opt(&p, 6, v, 12);
	opt(&p, 3, v + 4, 4);
	opt(&p, 3, v + 8, 4);
	opt(&p, 1, v + 8, 4);
	opt(&p, 1, v, 4);
	pkt_end(&p);
	parse_ok(&p, p.at, &d);
	assert_ip(d.dns, 1, 1, 1, 1);
	assert_ip(d.router, 2, 2, 2, 2);
	assert_ip(d.subnet, 3, 3, 3, 3);
}

/* No buffer for the message is fine; a short one is cut, not overrun. */
static void test_err_buffers(void **state)
{
	struct dhcp_info d;
	struct pkt p;
	char err[8];

	pkt_init(&p);
	assert_int_equal(dhcp_parse(p.b, 10, &d, NULL, 0), BT_EFORMAT);
	memset(err, '#', sizeof(err));
	assert_int_equal(dhcp_parse(p.b, 10, &d, err, 1), BT_EFORMAT);
	assert_int_equal(err[0], 0);
	assert_int_equal(err[1], '#');
	assert_int_equal(dhcp_parse(p.b, 10, &d, err, sizeof(err)), BT_EFORMAT);
	assert_string_equal(err, "DHCP pa");
}

/* -- combining packets ----------------------------------------------------- */

static void info(struct dhcp_info *d, const char *file, const char *cfg,
		 const char *prefix)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->boot_file, file);
	strcpy(d->config_file, cfg);
	strcpy(d->path_prefix, prefix);
}

/* Each boot setting from the highest packet that has it: boot-server
 * reply, then ProxyDHCP offer, then ACK; the addresses from the ACK. */
static void test_precedence(void **state)
{
	struct dhcp_info reply, proxy, ack;
	struct dhcp_boot b;

	info(&ack, "ack.efi", "ack.conf", "/ack/");
	memcpy(ack.yiaddr, (uint8_t[]){ 10, 0, 2, 15 }, 4);
	memcpy(ack.siaddr, (uint8_t[]){ 10, 0, 2, 1 }, 4);
	ack.has_subnet = ack.has_router = ack.has_dns = true;
	memcpy(ack.subnet, (uint8_t[]){ 255, 255, 0, 0 }, 4);
	memcpy(ack.router, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(ack.dns, (uint8_t[]){ 10, 0, 0, 53 }, 4);
	info(&proxy, "proxy.efi", "proxy.conf", "");
	memcpy(proxy.siaddr, (uint8_t[]){ 10, 0, 2, 3 }, 4);
	proxy.has_subnet = true;	/* not taken from a proxy */
	memcpy(proxy.subnet, (uint8_t[]){ 255, 0, 0, 0 }, 4);
	memcpy(proxy.yiaddr, (uint8_t[]){ 1, 2, 3, 4 }, 4);
	info(&reply, "reply.efi", "", "");

	dhcp_boot_info(&reply, &proxy, &ack, &b);
	assert_ip(b.station, 10, 0, 2, 15);
	assert_ip(b.subnet, 255, 255, 0, 0);
	assert_ip(b.router, 10, 0, 0, 1);
	assert_ip(b.dns, 10, 0, 0, 53);
	assert_ip(b.server, 10, 0, 2, 3);	/* the reply names none */
	assert_string_equal(b.boot_file, "reply.efi");
	assert_string_equal(b.config_file, "proxy.conf");
	assert_string_equal(b.path_prefix, "/ack/");

	dhcp_boot_info(NULL, &proxy, &ack, &b);
	assert_string_equal(b.boot_file, "proxy.efi");
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.server, 10, 0, 2, 1);
	assert_string_equal(b.boot_file, "ack.efi");
	assert_string_equal(b.config_file, "ack.conf");

	/* Without an ACK, no address; the rest still comes through. */
	dhcp_boot_info(&reply, &proxy, NULL, &b);
	assert_ip(b.station, 0, 0, 0, 0);
	assert_ip(b.subnet, 0, 0, 0, 0);
	assert_ip(b.server, 10, 0, 2, 3);
	assert_string_equal(b.boot_file, "reply.efi");
	assert_string_equal(b.path_prefix, "");

	/* An ACK without subnet, router or DNS leaves them 0.0.0.0. */
	ack.has_subnet = ack.has_router = ack.has_dns = false;
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.subnet, 0, 0, 0, 0);
	assert_ip(b.router, 0, 0, 0, 0);
	assert_ip(b.dns, 0, 0, 0, 0);

	dhcp_boot_info(NULL, NULL, NULL, &b);
	assert_ip(b.server, 0, 0, 0, 0);
	assert_string_equal(b.boot_file, "");
}

/* Within a packet: siaddr, else option 66 as an address, else 54. */
static void test_server_fallback(void **state)
{
	struct dhcp_info ack, reply;
	struct dhcp_boot b;

	info(&ack, "", "", "");
	ack.has_server_id = true;
	memcpy(ack.server_id, (uint8_t[]){ 10, 0, 0, 54 }, 4);
	strcpy(ack.server_name, "10.0.0.66");
	memcpy(ack.siaddr, (uint8_t[]){ 10, 0, 0, 20 }, 4);
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.server, 10, 0, 0, 20);

	memset(ack.siaddr, 0, 4);
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.server, 10, 0, 0, 66);

	strcpy(ack.server_name, "tftp.example.com");
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.server, 10, 0, 0, 54);

	/* A reply naming its server only by option 54 still wins. */
	info(&reply, "", "", "");
	reply.has_server_id = true;
	memcpy(reply.server_id, (uint8_t[]){ 10, 9, 9, 9 }, 4);
	dhcp_boot_info(&reply, NULL, &ack, &b);
	assert_ip(b.server, 10, 9, 9, 9);

	ack.has_server_id = false;
	dhcp_boot_info(NULL, NULL, &ack, &b);
	assert_ip(b.server, 0, 0, 0, 0);
}

/* From packets to the boot settings: a ProxyDHCP offer's boot file. */
static void test_parse_then_combine(void **state)
{
	struct dhcp_info ack, proxy;
	struct dhcp_boot b;
	struct pkt p;

	pkt_init(&p);
	set_ip(&p, 16, 192, 168, 0, 50);
	opt_ip(&p, 54, 192, 168, 0, 1);
	parse_ok(&p, pkt_end(&p), &ack);
	pkt_init(&p);
	opt_ip(&p, 54, 192, 168, 0, 7);
	opt_str(&p, 67, "baton.efi");
	parse_ok(&p, pkt_end(&p), &proxy);
	dhcp_boot_info(NULL, &proxy, &ack, &b);
	assert_ip(b.station, 192, 168, 0, 50);
	assert_ip(b.server, 192, 168, 0, 7);
	assert_string_equal(b.boot_file, "baton.efi");
}

/* -- dotted quads -------------------------------------------------------- */

static void test_ipv4_parse(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256",
		"01.2.3.4", "1.2.3.00", "1.2.3.09", "1..2.3", ".1.2.3",
		"1.2.3.4.", "1.2.3.4x", " 1.2.3.4", "1.2.3.4 ", "-1.2.3.4",
		"1.2.3.+4", "a.b.c.d", "1.2.3.99999999999999999999",
		"1,2,3,4", "tftp.example",
	};
	uint8_t ip[4];
	size_t i;

	assert_true(ipv4_parse("10.0.2.2", 8, ip));
	assert_ip(ip, 10, 0, 2, 2);
	assert_true(ipv4_parse("0.0.0.0", 7, ip));
	assert_ip(ip, 0, 0, 0, 0);
	assert_true(ipv4_parse("255.255.255.255", 15, ip));
	assert_ip(ip, 255, 255, 255, 255);
	assert_true(ipv4_parse("100.20.3.0", 10, ip));
	assert_ip(ip, 100, 20, 3, 0);
	/* Only len bytes count. */
	assert_true(ipv4_parse("1.2.3.4567", 7, ip));
	assert_ip(ip, 1, 2, 3, 4);
	assert_false(ipv4_parse("1.2.3.4", 6, ip));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(ip, 0xee, 4);
		if (ipv4_parse(bad[i], strlen(bad[i]), ip))
			fail_msg("'%s' parsed", bad[i]);
		assert_ip(ip, 0xee, 0xee, 0xee, 0xee);	/* untouched */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ack),
		cmocka_unit_test(test_fields_as_text),
		cmocka_unit_test(test_options_past_312),
		cmocka_unit_test(test_overload_file),
		cmocka_unit_test(test_overload_sname),
		cmocka_unit_test(test_overload_both),
		cmocka_unit_test(test_overload_only_in_options),
		cmocka_unit_test(test_split_options),
		cmocka_unit_test(test_pxelinux_options),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_runs_past),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_err_buffers),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_server_fallback),
		cmocka_unit_test(test_parse_then_combine),
		cmocka_unit_test(test_ipv4_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
