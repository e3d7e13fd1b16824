/*
 * DEFLATE (RFC 1951) decompression with gzip (RFC 1952) framing, so baton
 * can boot gzip-compressed kernels such as Debian's xen-*.gz.
 *
 * Whole-buffer decompression: the caller gives all the input and an output
 * buffer large enough for the result, and the output buffer is the window
 * that back-references point into.  Nothing is allocated; the decoder's
 * tables live on the stack (about 6 KiB).  The decoder never reads outside
 * in[0..len) nor writes outside out[0..cap), whatever the input.
 */
#ifndef BATON_LIB_INFLATE_H
#define BATON_LIB_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether data starts like a gzip member (1f 8b 08: magic, method deflate). */
bool gzip_is(const void *data, size_t len);

/*
 * The uncompressed size recorded in a gzip member's trailer (ISIZE, the size
 * modulo 2^32), read from the last four bytes of data, so data must end where
 * the member ends.  0 if len < 18 (too short to be a member).  The value is
 * only a hint until gzip_inflate() has checked it.
 */
uint32_t gzip_isize(const void *data, size_t len);

/*
 * Decompress the gzip member at in[0..len) into out[0..cap).  The header's
 * optional fields (FEXTRA, FNAME, FCOMMENT, FHCRC) are skipped, the header
 * CRC is checked when present, and the trailer's CRC-32 and ISIZE are checked
 * against the output.  Bytes after the member are ignored.
 *
 * *out_len is set to the bytes written to out, also on failure (then out
 * holds a partial, unchecked result).  Returns 0; BT_ETOOBIG when the result
 * does not fit in cap bytes; BT_EFORMAT for anything malformed.  Failures put
 * a message in why (always NUL-terminated when whylen > 0; why may be NULL
 * when whylen is 0), e.g. "gzip: bad CRC-32 (expected 0x1234abcd, got
 * 0x89abcdef)" or "deflate: invalid distance 40 at input byte 1234 (only 12
 * bytes decoded)"; input byte offsets count from the start of in.
 */
int gzip_inflate(const void *in, size_t len, void *out, size_t cap,
		 size_t *out_len, char *why, size_t whylen);

/*
 * Decompress a raw DEFLATE stream (no gzip or zlib framing) at in[0..len)
 * into out[0..cap).  *out_len is set as for gzip_inflate(); if in_used is not
 * NULL, *in_used is set on success to the input bytes the stream took, up to
 * the byte holding its last bit.  Returns 0, BT_ETOOBIG or BT_EFORMAT with a
 * message in why, as gzip_inflate() does.
 */
int inflate_raw(const void *in, size_t len, void *out, size_t cap,
		size_t *out_len, size_t *in_used, char *why, size_t whylen);

/*
 * CRC-32 as gzip, zlib and PNG use it (reflected polynomial 0xedb88320).
 * Start with crc = 0; feeding a buffer in pieces, each call given the last
 * call's result, gives the same value as one call over the whole buffer.
 * crc32_update(0, "123456789", 9) == 0xcbf43926.
 */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
