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
	char *location;		/* Location's value (bt_free), or NULL */
};

void http_head_init(struct http_head *h, int status);
void http_head_free(struct http_head *h);

/*
 * Take one header into h (names compared case-insensitively; values with
 * surrounding blanks trimmed): Content-Length (digits only; two different
 * values are an error), Transfer-Encoding, Location; others are ignored.
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
 * ("http://h/x"), an absolute path ("/x", same server) or a relative one
 * ("x", against base's folder); a "#fragment" is dropped.  base's pin is
 * kept (the file must still match it).  BT_EINVAL with err naming the
 * Location when it is not something baton can follow.
 */
int http_location(const struct path *base, const char *location,
		  struct path *out, char *err, size_t errlen);

/* Decoding a chunked body (RFC 9112 section 7.1) as it arrives. */
struct http_dechunk {
	int state;		/* internal */
	uint64_t left;		/* data bytes left in the current chunk */
	unsigned digits;	/* hex digits of the size line so far */
	bool done;		/* the last chunk and the trailers were read */
};

void http_dechunk_init(struct http_dechunk *d);

/*
 * Decode buf[0..len), raw bytes of the body that follow those given
 * before, in place: the data bytes are moved to the front, *out is how
 * many.  Bytes after the end of the body are ignored (d->done is set).
 * BT_EFORMAT with err ("bad chunk size line") on a malformed chunk:
 * a size that is not hex or overflows 64 bits, a missing CRLF after the
 * data, an over-long size line (extensions included: 4 KiB at most).
 */
int http_dechunk(struct http_dechunk *d, uint8_t *buf, size_t len,
		 size_t *out, char *err, size_t errlen);

#endif
