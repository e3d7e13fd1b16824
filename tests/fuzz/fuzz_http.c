/*
 * Fuzz the HTTP response handling as a raw response: the first line is the
 * status line ("HTTP/1.1 200 OK"), then "Name: value" header lines up to an
 * empty line, each given to http_head_add(); a Location is followed with
 * http_location() from a fixed base.  The rest is the body: when the
 * headers say chunked (or the status line is odd, so plain bodies get
 * decoded too) it goes through http_dechunk() in pieces whose sizes come
 * from the input's last byte, and must decode exactly as it does in one
 * piece.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/http.h"
#include "lib/mem.h"

/* The 3-digit code after the first blank of the status line, or 0. */
static int status_code(const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	size_t at = sp ? (size_t)(sp - line) + 1 : len;
	int code = 0, i;

	if (len - at < 3)
		return 0;
	for (i = 0; i < 3; i++) {
		if (line[at + i] < '0' || line[at + i] > '9')
			return 0;
		code = code * 10 + line[at + i] - '0';
	}
	return code;
}

/* The length of the line at s[0..len) without its LF (and CR before it);
 * *next is where the next one starts. */
static size_t line_at(const char *s, size_t len, size_t *next)
{
	const char *nl = memchr(s, '\n', len);
	size_t n = nl ? (size_t)(nl - s) : len;

	*next = nl ? n + 1 : len;
	return n && s[n - 1] == '\r' ? n - 1 : n;
}

static void follow(const char *location)
{
	static const char base_text[] = "http://srv:8080/boot/menus/lab.conf"
		"#sha256=0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef";
	struct path base, out;
	char err[128], *f;

	if (path_parse(base_text, NULL, &base, NULL, 0))
		abort();
	if (http_location(&base, location, &out, err, sizeof(err)) == 0) {
		if (out.source != PATH_SRC_HTTP || !out.pinned ||
		    !out.file || out.file[0] != '/')
			abort();
		f = path_format_pinned(&out);
		bt_free(f);
		path_free(&out);
	} else if (out.file || out.arg) {
		abort();	/* out is left empty */
	}
	path_free(&base);
}

/* Decode body[0..len) at once and in pieces; both must agree. */
static void dechunk_both_ways(const uint8_t *body, size_t len, uint8_t key)
{
	uint8_t *one = malloc(len + 1), *many = malloc(len + 1);
	struct http_dechunk d1, d2;
	size_t n1, n2 = 0, from = 0, piece, out;
	char err1[128], err2[128];
	int rc1, rc2 = 0;
	unsigned x = key;

	memcpy(one, body, len);
	memcpy(many, body, len);
	http_dechunk_init(&d1);
	rc1 = http_dechunk(&d1, one, len, &n1, err1, sizeof(err1));
	http_dechunk_init(&d2);
	while (from < len && !rc2 && !d2.done) {
		x = (x * 33 + 1) & 0xff;
		piece = key & 1 ? 1 : x % 32;	/* empty pieces too */
		if (piece > len - from)
			piece = len - from;
		rc2 = http_dechunk(&d2, many + from, piece, &out, err2,
				   sizeof(err2));
		if (out > piece)
			abort();
		memmove(many + n2, many + from, out);
		n2 += out;
		from += piece;
	}
	if (n1 > len || rc1 != rc2 || n1 != n2 || d1.done != d2.done ||
	    memcmp(one, many, n1) || (rc1 && strcmp(err1, err2)))
		abort();
	free(one);
	free(many);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct http_head h;
	size_t at, next, n;
	char *line;

	if (!size)
		return 0;
	n = line_at(text, size, &next);
	http_head_init(&h, status_code(text, n));
	http_reason(h.status);
	http_is_redirect(h.status);
	for (at = next; at < size; at += next) {
		char *colon, err[128];

		n = line_at(text + at, size - at, &next);
		if (!n) {
			at += next;
			break;
		}
		line = malloc(n + 1);
		memcpy(line, text + at, n);
		line[n] = '\0';
		colon = memchr(line, ':', n);
		if (colon) {
			*colon = '\0';
			if (http_head_add(&h, line, colon + 1, err,
					  sizeof(err)) && !err[0])
				abort();	/* every error says why */
		}
		free(line);
		if (h.encoded && h.length != HTTP_NO_LENGTH)
			abort();
		if (h.chunked && !h.encoded)
			abort();
	}
	if (h.location)
		follow(h.location);
	if (at < size && (h.chunked || h.status % 2))
		dechunk_both_ways(data + at, size - at, data[size - 1]);
	http_head_free(&h);
	return 0;
}
