/*
 * The HTTP client's portable half (net/http.h): response headers, reason
 * phrases, redirects and chunked bodies.  Nothing here touches the network;
 * the transport feeds it what arrived, in whatever pieces it arrived in.
 */
#include "net/http.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define CHUNK_LINE_MAX 4096	/* a chunk-size line, extensions included */

void http_head_init(struct http_head *h, int status)
{
	memset(h, 0, sizeof(*h));
	h->status = status;
	h->length = HTTP_NO_LENGTH;
}

void http_head_free(struct http_head *h)
{
	bt_free(h->location);
	h->location = NULL;
}

/* s[0..*len) without blanks on either side: the start, *len shortened. */
static const char *trim(const char *s, size_t *len)
{
	while (*len && is_space((unsigned char)s[*len - 1]))
		(*len)--;
	while (*len && is_space((unsigned char)*s)) {
		s++;
		(*len)--;
	}
	return s;
}

static int add_length(struct http_head *h, const char *v, size_t n,
		      char *err, size_t errlen)
{
	uint64_t len = 0;
	char q[STR_QUOTE_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)v[i] - '0';

		/* HTTP_NO_LENGTH itself is too large: it means "none". */
		if (d > 9 || len > (HTTP_NO_LENGTH - 1 - d) / 10)
			break;
		len = len * 10 + d;
	}
	if (!n || i < n) {
		fmt_buf(err, errlen, "bad Content-Length '%s'",
			str_quote(q, v, n));
		return BT_EFORMAT;
	}
	if (h->encoded)
		return 0;	/* the Transfer-Encoding decides */
	if (h->length != HTTP_NO_LENGTH && h->length != len) {
		fmt_buf(err, errlen, "conflicting Content-Length '%s' (an "
			"earlier one said %llu)", str_quote(q, v, n),
			(unsigned long long)h->length);
		return BT_EFORMAT;
	}
	h->length = len;
	return 0;
}

/*
 * RFC 9112 section 6.3: with a Transfer-Encoding the Content-Length does
 * not count, and a response whose last coding is not chunked is read until
 * the server closes the connection.  Several Transfer-Encoding headers make
 * one list, so the last coding of the last one is what matters; an empty
 * list (blanks and commas only) says nothing and is ignored.
 */
static void add_coding(struct http_head *h, const char *v, size_t n)
{
	size_t start;

	while (n && (is_space((unsigned char)v[n - 1]) || v[n - 1] == ','))
		n--;
	if (!n)
		return;
	for (start = n; start && v[start - 1] != ','; start--)
		;
	n -= start;
	v = trim(v + start, &n);
	h->encoded = true;
	h->chunked = n == 7 && str_ncasecmp(v, "chunked", 7) == 0;
	h->length = HTTP_NO_LENGTH;
}

int http_head_add(struct http_head *h, const char *name, const char *value,
		  char *err, size_t errlen)
{
	size_t n = strlen(value);
	const char *v = trim(value, &n);
	char *loc;

	if (str_casecmp(name, "Content-Length") == 0)
		return add_length(h, v, n, err, errlen);
	if (str_casecmp(name, "Transfer-Encoding") == 0)
		add_coding(h, v, n);
	if (str_casecmp(name, "Location") != 0)
		return 0;
	loc = str_ndup(v, n);
	if (!loc) {
		fmt_buf(err, errlen, "out of memory");
		return BT_ENOMEM;
	}
	bt_free(h->location);	/* the last Location counts */
	h->location = loc;
	return 0;
}

/* The codes http_reason() knows, and their phrases in the same order. */
static const uint16_t reason_codes[] = {
	200, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405,
	408, 410, 416, 429, 500, 501, 502, 503, 504,
};

static const char reasons[] =
	"OK\0" "No Content\0" "Partial Content\0" "Moved Permanently\0"
	"Found\0" "See Other\0" "Not Modified\0" "Temporary Redirect\0"
	"Permanent Redirect\0" "Bad Request\0" "Unauthorized\0" "Forbidden\0"
	"Not Found\0" "Method Not Allowed\0" "Request Timeout\0" "Gone\0"
	"Range Not Satisfiable\0" "Too Many Requests\0"
	"Internal Server Error\0" "Not Implemented\0" "Bad Gateway\0"
	"Service Unavailable\0" "Gateway Timeout\0";

const char *http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reason_codes) / sizeof(reason_codes[0]); i++)
		if (reason_codes[i] == status)
			return strlist_at(reasons, i);
	return "";
}

bool http_is_redirect(int status)
{
	return (status >= 301 && status <= 303) || status == 307 ||
	       status == 308;
}

/*
 * What loc[0..n) names before its "?query", as path_parse() text: "//h/x"
 * (a URL without its scheme) gets "http:" in front, a relative path "./",
 * so that path_parse() cannot take "label=X/y:/z" or "iso(/a):/b" for a
 * source.  The scheme, if any, must be http:; the ones path_parse() knows
 * besides (tftp:, label=X: and the other volumes) are not places an HTTP
 * server may send baton to.
 */
static int location_text(const char *loc, size_t n, char **text,
			 char *err, size_t errlen)
{
	const char *pre = "./";
	char q[STR_QUOTE_MAX];
	size_t i;

	for (i = 0; i < n && loc[i] != ':' && loc[i] != '/'; i++)
		;
	if (i < n && loc[i] == ':' && (i != 4 || str_ncasecmp(loc, "http", 4))) {
		bool https = i == 5 && str_ncasecmp(loc, "https", 5) == 0;

		str_quote(q, loc, strlen(loc));	/* all of it */
		if (https)
			fmt_buf(err, errlen, "redirect to %s: baton does not do "
				"HTTPS yet", q);
		else
			fmt_buf(err, errlen, "redirect to '%s': baton follows "
				"redirects to http:// only", q);
		return https ? BT_EUNSUPP : BT_EINVAL;
	}
	if ((i < n && loc[i] == ':') || loc[0] == '\\')
		pre = "";		/* http:, or an absolute path */
	else if (loc[0] == '/')
		pre = loc[1] == '/' ? "http:" : "";
	*text = fmt_alloc("%s%.*s", pre, (int)n, loc);
	return *text ? 0 : BT_ENOMEM;
}

/* p->file with query[0..n) after it. */
static int add_query(struct path *p, const char *query, size_t n)
{
	char *f;

	if (!n)
		return 0;
	f = fmt_alloc("%s%.*s", p->file, (int)n, query);
	if (!f)
		return BT_ENOMEM;
	bt_free(p->file);
	p->file = f;
	return 0;
}

/*
 * The query of a URL stays as it is: it is split off before the path is
 * parsed (which would fold a '/' or ".." inside it) and put back after.
 * base's own query is not part of its folder.
 */
int http_location(const struct path *base, const char *location,
		  struct path *out, char *err, size_t errlen)
{
	const char *loc = location ? location : "";
	struct path origin = *base;
	size_t end, qs, cut = 0, i;
	char *text = NULL, q[STR_QUOTE_MAX], why[256];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; loc[i]; i++) {
		unsigned char c = (unsigned char)loc[i];

		if (c <= ' ' || c == 0x7f) {
			fmt_buf(err, errlen, "bad Location: a space or control "
				"character (0x%02X) after '%s'", c,
				str_quote(q, loc, i));
			return BT_EINVAL;
		}
	}
	for (end = 0; loc[end] && loc[end] != '#'; end++)
		;
	for (qs = 0; qs < end && loc[qs] != '?'; qs++)
		;
	if (!end) {
		fmt_buf(err, errlen, "redirect with an empty Location '%s'",
			str_quote(q, loc, i));
		return BT_EINVAL;
	}
	while (base->file && base->file[cut] && base->file[cut] != '?')
		cut++;
	origin.file = base->file ? str_ndup(base->file, cut) : NULL;
	if (base->file && !origin.file)
		rc = BT_ENOMEM;
	if (!rc && qs)
		rc = location_text(loc, qs, &text, err, errlen);
	if (!rc && qs) {
		rc = path_parse(text, &origin, out, why, sizeof(why));
		if (rc == BT_EINVAL)
			fmt_buf(err, errlen, "bad Location: %s", why);
	} else if (!rc) {
		rc = path_copy(out, &origin);	/* "?q": the same file */
	}
	if (!rc)
		rc = add_query(out, loc + qs, end - qs);
	if (rc == BT_ENOMEM)
		fmt_buf(err, errlen, "out of memory");
	if (rc) {
		path_free(out);
	} else {
		out->pinned = base->pinned;
		memcpy(out->sha256, base->sha256, sizeof(out->sha256));
	}
	bt_free(text);
	bt_free(origin.file);
	return rc;
}

/*
 * Where a chunked body is: the size line of a chunk ("1a;ext CRLF"), its
 * data, the CRLF after the data, and after the last chunk (size 0) the
 * trailer lines up to an empty one.  A size line or a trailer line may end
 * in a bare LF, as senders that forget the CR exist and other clients take
 * them; the CRLF after data must be exactly that, since anything else there
 * means the size was wrong.
 */
enum {
	CH_SIZE,		/* the hex digits of a size line */
	CH_EXT,			/* the rest of it: blanks, ";name=value" */
	CH_SIZE_LF,		/* its CR was read: LF must follow */
	CH_DATA,		/* d->left data bytes to go */
	CH_DATA_CR,		/* the CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER,		/* the start of a trailer line, or the end */
	CH_TRAILER_LINE,	/* inside a trailer field, up to its LF */
	CH_END_LF,		/* the CR of the empty last line was read */
};

void http_dechunk_init(struct http_dechunk *d)
{
	memset(d, 0, sizeof(*d));
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One byte of a size line; what is wrong with it, or NULL. */
static const char *size_byte(struct http_dechunk *d, uint8_t c)
{
	int v = hex_digit(c);

	if (c == '\r' || c == '\n') {
		if (!d->digits)
			return "bad chunk size line: no hex digits";
		d->digits = 0;
		d->state = c == '\r' ? CH_SIZE_LF : d->left ? CH_DATA : CH_TRAILER;
		return NULL;
	}
	if (++d->digits > CHUNK_LINE_MAX)
		return "chunk size line longer than 4 KiB";
	if (d->state == CH_EXT)
		return NULL;
	if (v >= 0) {
		if (d->left >> 60)
			return "chunk size overflows 64 bits";
		d->left = d->left << 4 | (unsigned)v;
	} else if (d->digits == 1) {
		return "bad chunk size line: no hex digits";
	} else if (c == ';' || c == ' ' || c == '\t') {
		d->state = CH_EXT;
	} else {
		return "bad chunk size line: no ';' or CRLF after the size";
	}
	return NULL;
}

/* One byte outside the data; what is wrong with it, or NULL. */
static const char *frame_byte(struct http_dechunk *d, uint8_t c)
{
	switch (d->state) {
	case CH_SIZE:
	case CH_EXT:
		return size_byte(d, c);
	case CH_SIZE_LF:
		if (c != '\n')
			return "bad chunk size line: CR without LF";
		d->state = d->left ? CH_DATA : CH_TRAILER;
		return NULL;
	case CH_DATA_CR:
	case CH_DATA_LF:
		if (c != (d->state == CH_DATA_CR ? '\r' : '\n'))
			return "chunk data not followed by CRLF";
		d->state = d->state == CH_DATA_CR ? CH_DATA_LF : CH_SIZE;
		return NULL;
	case CH_TRAILER:
		d->done = c == '\n';
		d->state = c == '\r' ? CH_END_LF : CH_TRAILER_LINE;
		return NULL;
	case CH_TRAILER_LINE:
		if (c == '\n')
			d->state = CH_TRAILER;
		return NULL;
	}
	/* CH_END_LF */
	if (c != '\n')
		return "bad chunked trailer: CR without LF";
	d->done = true;
	return NULL;
}

int http_dechunk(struct http_dechunk *d, uint8_t *buf, size_t len,
		 size_t *out, char *err, size_t errlen)
{
	const char *why = NULL;
	size_t i = 0, o = 0, n;
	uint8_t c = 0;

	while (i < len && !d->done && !why) {
		if (d->state != CH_DATA) {
			c = buf[i++];
			why = frame_byte(d, c);
			continue;
		}
		n = len - i < d->left ? len - i : (size_t)d->left;
		memmove(buf + o, buf + i, n);
		o += n;
		i += n;
		d->left -= n;
		if (!d->left)
			d->state = CH_DATA_CR;
	}
	*out = o;
	if (!why)
		return 0;
	fmt_buf(err, errlen, "%s (byte 0x%02X)", why, c);
	return BT_EFORMAT;
}
