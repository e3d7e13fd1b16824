/*
 * DHCP packets (net/dhcp.h).
 *
 * A packet is read in up to three areas, in RFC 2132's order: the options
 * from offset 240 to the end of the packet, then the file field and then
 * the sname field when option 52 in the first area says they hold options.
 * The text options are gathered across all areas (RFC 3396) and checked
 * once at the end, when their whole value is known.
 */
#include <stdarg.h>
#include "net/dhcp.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* Offsets in the BOOTP header (RFC 951). */
enum {
	BOOTP_YIADDR = 16,
	BOOTP_SIADDR = 20,
	BOOTP_SNAME = 44,	/* 64 bytes */
	BOOTP_FILE = 108,	/* 128 bytes */
	BOOTP_LEN = 236,	/* the magic cookie follows */
	DHCP_OPTIONS = 240,
};

enum {
	OPT_PAD = 0,
	OPT_SUBNET = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_OVERLOAD = 52,	/* 1: file holds options, 2: sname, 3: both */
	OPT_SERVER_ID = 54,
	OPT_END = 255,
};

/* The text options kept, in the order of struct parse's arrays: the TFTP
 * server name, the boot file, PXELINUX's config file and path prefix. */
static const uint8_t text_codes[4] = { 66, 67, 209, 210 };

struct parse {
	struct dhcp_info *out;
	char *text[4];		/* out's field for each of text_codes */
	size_t text_len[4];	/* bytes gathered so far, <= DHCP_STR_MAX */
	unsigned overload;	/* option 52's value, 0 when absent */
	char *err;
	size_t errlen;
};

/* "DHCP packet: " and the message into err; returns BT_EFORMAT. */
static int bad(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!p->err || !p->errlen)
		return BT_EFORMAT;
	n = fmt_buf(p->err, p->errlen, "DHCP packet: ");
	if (n < p->errlen) {
		va_start(ap, fmt);
		fmt_vbuf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return BT_EFORMAT;
}

/* Append one instance of text option i to what earlier ones gave. */
static int add_text(struct parse *p, unsigned i, const uint8_t *v, size_t n)
{
	if (n > DHCP_STR_MAX - p->text_len[i])
		return bad(p, "option %u is longer than %u bytes",
			   text_codes[i], DHCP_STR_MAX - 1);
	memcpy(p->text[i] + p->text_len[i], v, n);
	p->text_len[i] += n;
	return 0;
}

/*
 * Take one option.  The addresses must have their sizes (1 and 54 one
 * address, 3 and 6 a list of them); of an address option given twice the
 * first is kept, as a list split in two (RFC 3396) starts the same way.
 */
static int take(struct parse *p, unsigned code, const uint8_t *v, size_t n)
{
	struct dhcp_info *d = p->out;
	uint8_t *ip = NULL;
	bool *has = NULL, list = false;
	size_t want = 4;
	unsigned i;

	for (i = 0; i < 4; i++)
		if (code == text_codes[i])
			return add_text(p, i, v, n);
	switch (code) {
	case OPT_SUBNET:
		ip = d->subnet;
		has = &d->has_subnet;
		break;
	case OPT_ROUTER:
		ip = d->router;
		has = &d->has_router;
		list = true;
		break;
	case OPT_DNS:
		ip = d->dns;
		has = &d->has_dns;
		list = true;
		break;
	case OPT_SERVER_ID:
		ip = d->server_id;
		has = &d->has_server_id;
		break;
	case OPT_OVERLOAD:
		want = 1;
		break;
	default:
		return 0;
	}
	if (list ? n < want || n % want : n != want)
		return bad(p, "option %u is %zu bytes long, expected %s%zu",
			   code, n, list ? "a multiple of " : "", want);
	if (code == OPT_OVERLOAD) {
		if (v[0] < 1 || v[0] > 3)
			return bad(p, "option 52 (overload) is %u, expected "
				   "1, 2 or 3", v[0]);
		p->overload = v[0];
	} else if (!*has) {
		memcpy(ip, v, 4);
		*has = true;
	}
	return 0;
}

/* The options in pkt[at..end), up to the end option or the area's end. */
static int scan(struct parse *p, const uint8_t *pkt, size_t at, size_t end,
		const char *area)
{
	unsigned code;
	size_t n;
	int rc;

	while (at < end) {
		code = pkt[at++];
		if (code == OPT_END)
			break;
		if (code == OPT_PAD)
			continue;
		if (at == end || pkt[at] > end - at - 1)
			return bad(p, "option %u runs past the end of the %s",
				   code, area);
		n = pkt[at++];
		rc = take(p, code, pkt + at, n);
		if (rc)
			return rc;
		at += n;
	}
	return 0;
}

/* End each gathered text: a NUL may end it (and is dropped), nothing
 * may follow one. */
static int end_texts(struct parse *p)
{
	size_t i, j, n;
	char *s;

	for (i = 0; i < 4; i++) {
		s = p->text[i];
		n = p->text_len[i];
		if (n && !s[n - 1])
			n--;
		for (j = 0; j < n; j++)
			if (!s[j])
				return bad(p, "option %u holds a NUL byte "
					   "before its end", text_codes[i]);
		if (n == DHCP_STR_MAX)
			return bad(p, "option %u is longer than %u bytes",
				   text_codes[i], DHCP_STR_MAX - 1);
		s[n] = 0;
	}
	return 0;
}

/* A fixed BOOTP text field as dst, unless an option gave that text. */
static void field_text(char *dst, const uint8_t *f, size_t size)
{
	size_t n = 0;

	if (dst[0])
		return;
	while (n < size && f[n])
		n++;
	memcpy(dst, f, n);
	dst[n] = 0;
}

int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_info *out,
	       char *err, size_t errlen)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	struct parse p = {
		.out = out,
		.text = { out->server_name, out->boot_file, out->config_file,
			  out->path_prefix },
		.err = err,
		.errlen = errlen,
	};
	unsigned ov;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < BOOTP_LEN)
		return bad(&p, "%zu bytes, shorter than the %u-byte BOOTP "
			   "header", len, BOOTP_LEN);
	if (len < DHCP_OPTIONS || memcmp(pkt + BOOTP_LEN, cookie, 4))
		return bad(&p, "no magic cookie 99.130.83.99 at offset %u",
			   BOOTP_LEN);
	memcpy(out->yiaddr, pkt + BOOTP_YIADDR, 4);
	memcpy(out->siaddr, pkt + BOOTP_SIADDR, 4);
	rc = scan(&p, pkt, DHCP_OPTIONS, len, "packet");
	/* Only the options field can say what the other two hold. */
	ov = p.overload;
	if (!rc && (ov & 1))
		rc = scan(&p, pkt, BOOTP_FILE, BOOTP_LEN, "file field");
	if (!rc && (ov & 2))
		rc = scan(&p, pkt, BOOTP_SNAME, BOOTP_FILE, "sname field");
	if (!rc)
		rc = end_texts(&p);
	if (rc)
		return rc;
	if (!(ov & 2))
		field_text(out->server_name, pkt + BOOTP_SNAME,
			   BOOTP_FILE - BOOTP_SNAME);
	if (!(ov & 1))
		field_text(out->boot_file, pkt + BOOTP_FILE,
			   BOOTP_LEN - BOOTP_FILE);
	return 0;
}

/* The boot server one packet names, if it names one. */
static bool boot_server(const struct dhcp_info *d, uint8_t ip[4])
{
	if (get32(d->siaddr)) {
		memcpy(ip, d->siaddr, 4);
		return true;
	}
	if (ipv4_parse(d->server_name, strlen(d->server_name), ip))
		return true;
	if (d->has_server_id)
		memcpy(ip, d->server_id, 4);
	return d->has_server_id;
}

/* src into dst when the packet gave it (not ""). */
static void take_text(char *dst, const char *src)
{
	if (src[0])
		memcpy(dst, src, strlen(src) + 1);
}

void dhcp_boot_info(const struct dhcp_info *reply,
		    const struct dhcp_info *proxy,
		    const struct dhcp_info *ack, struct dhcp_boot *out)
{
	/* Lowest precedence first: each packet overrides what it gives. */
	const struct dhcp_info *const rank[3] = { ack, proxy, reply };
	const struct dhcp_info *d;
	uint8_t ip[4];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ack) {
		memcpy(out->station, ack->yiaddr, 4);
		if (ack->has_subnet)
			memcpy(out->subnet, ack->subnet, 4);
		if (ack->has_router)
			memcpy(out->router, ack->router, 4);
		if (ack->has_dns)
			memcpy(out->dns, ack->dns, 4);
	}
	for (i = 0; i < 3; i++) {
		d = rank[i];
		if (!d)
			continue;
		if (boot_server(d, ip))
			memcpy(out->server, ip, 4);
		take_text(out->boot_file, d->boot_file);
		take_text(out->config_file, d->config_file);
		take_text(out->path_prefix, d->path_prefix);
	}
}

bool ipv4_parse(const char *s, size_t len, uint8_t out[4])
{
	uint8_t ip[4];
	size_t i = 0, part;
	unsigned v;
	bool any;

	for (part = 0; part < 4; part++) {
		if (part && (i == len || s[i++] != '.'))
			return false;
		for (v = 0, any = false; i < len && s[i] >= '0' && s[i] <= '9';
		     i++, any = true) {
			if (any && !v)
				return false;	/* a leading zero */
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return false;
		}
		if (!any)
			return false;
		ip[part] = (uint8_t)v;
	}
	if (i != len)
		return false;
	memcpy(out, ip, 4);
	return true;
}
