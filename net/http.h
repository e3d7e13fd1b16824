/*
 * The HTTP client's portable half: what a response's status and headers
 * mean for reading its body, chunked bodies decoded in place, and the
 * Location of a redirect.  The transport (the firmware's HTTP protocol)
 * sends the request and hands over the status code, the headers as name
 * and value pairs, and the body's raw bytes; everything else is here, so
 * it is tested on the host.
 */
#ifndef BATON_NET_HTTP_H
#define BATON_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/path.h"

#define HTTP_NO_LENGTH UINT64_MAX	/* no Content-Length */
#define HTTP_REDIRECTS_MAX 5		/* redirects followed per file */

struct http_head {
	int status;		/* 200, 404, ... */
	uint64_t length;	/* Content-Length, or HTTP_NO_LENGTH */
	bool chunked;		/* Transfer-Encoding ends in "chunked" */
	bool encoded;		/* a Transfer-Encoding was given: the body is
				 * chunked or, when not, read until the
				 * server closes; length is HTTP_NO_LENGTH */
	char *location;		/* Location's value (bt_free), or NULL */
};

void http_head_init(struct http_head *h, int status);
void http_head_free(struct http_head *h);

/*
 * Take one header into h (names compared case-insensitively; values with
 * surrounding blanks trimmed), in the order they came; others are ignored.
 *   Content-Length: decimal digits only, below HTTP_NO_LENGTH; the same
 *     value again is fine, a different one an error.  Once a
 *     Transfer-Encoding was given it is only checked, not kept.
 *   Transfer-Encoding: its list of codings (several headers make one
 *     list); chunked when the last coding is "chunked", else the body is
 *     read until the server closes (RFC 9112 section 6.3); either way
 *     length becomes HTTP_NO_LENGTH.  A value of blanks and commas only is
 *     ignored.
 *   Location: kept as it is (the last one given counts).
 * BT_EFORMAT with err ("bad Content-Length 'x'") or BT_ENOMEM.
 */
int http_head_add(struct http_head *h, const char *name, const char *value,
		  char *err, size_t errlen);

/* The reason phrase of a status code ("Not Found"), "" when unknown. */
const char *http_reason(int status);

/* True for the statuses baton follows: 301, 302, 303, 307, 308. */
bool http_is_redirect(int status);

/*
 * The target of a redirect from the file at base: an absolute URL
 * ("http://h/x", or "//h/x" on the same scheme), an absolute path ("/x",
 * same server) or a relative one ("x", "../x", against base's folder, a
 * query in base's file left out); a "#fragment" is dropped, a "?query" is
 * kept at the end of out->file as it was written.  base's pin is kept (the
 * file must still match it).  On success out owns new allocations
 * (path_free()).  Errors, with err naming the Location, out empty:
 * BT_EUNSUPP for https://, BT_EINVAL when it is not something baton can
 * follow (NULL or empty, a space or control character in it, a scheme
 * other than http:, a path that does not parse), BT_ENOMEM.
 */
int http_location(const struct path *base, const char *location,
		  struct path *out, char *err, size_t errlen);

/* Decoding a chunked body (RFC 9112 section 7.1) as it arrives. */
struct http_dechunk {
	int state;		/* internal */
	uint64_t left;		/* data bytes left in the current chunk */
	unsigned digits;	/* bytes of the current size line so far */
	bool done;		/* the last chunk and the trailers were read */
};

void http_dechunk_init(struct http_dechunk *d);

/*
 * Decode buf[0..len), raw bytes of the body that follow those given
 * before (split anywhere), in place: the data bytes are moved to the
 * front, *out is how many.  Bytes after the end of the body are ignored
 * (d->done is set).  A size line or a trailer line may end in a bare LF;
 * the data must be followed by exactly CRLF.
 * BT_EFORMAT with err ("bad chunk size line: no hex digits (byte 0x7A)")
 * on a malformed chunk: a size that is not hex or overflows 64 bits, a
 * missing CRLF after the data, an over-long size line (extensions
 * included: 4 KiB at most), a CR not followed by LF.  *out then counts
 * the data decoded before the fault; the body is broken, stop reading.
 */
int http_dechunk(struct http_dechunk *d, uint8_t *buf, size_t len,
		 size_t *out, char *err, size_t errlen);

#endif
