/* UTF-8 decoding and conversion to and from the firmware's UCS-2. */
#ifndef BATON_LIB_UTF8_H
#define BATON_LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from s (at most len bytes).  Returns the number of
 * bytes used (1-4) and stores the code point in *cp; returns 0 for an
 * invalid, overlong or truncated sequence (and *cp = U+FFFD).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp into out (at least 4 bytes); returns bytes written (0 if invalid). */
size_t utf8_encode(uint32_t cp, char *out);
/* Offset of the first invalid byte in s[0..len), or len when all is valid. */
size_t utf8_check(const char *s, size_t len);
/* Number of code points in a NUL-terminated string (invalid bytes count one each). */
size_t utf8_width(const char *s);
/* Byte offset of the code point with index col (or strlen(s) if shorter). */
size_t utf8_offset(const char *s, size_t col);

/*
 * Convert NUL-terminated UTF-8 to NUL-terminated UCS-2 in a new allocation
 * (bt_free()).  Code points above U+FFFF and invalid bytes become U+FFFD.
 */
uint16_t *utf8_to_ucs2(const char *s);
/* Convert NUL-terminated UCS-2 (at most max units) to UTF-8; bt_free(). */
char *ucs2_to_utf8(const uint16_t *s, size_t max);

#endif
