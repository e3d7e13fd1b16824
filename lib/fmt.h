/*
 * printf-style formatting without a C library.  Supported: %s %.*s %c %d %i
 * %u %x %X %p %%, the length modifiers l, ll, z, and a width with optional
 * '0' or '-' flag.  %s with NULL prints "(null)".
 */
#ifndef BATON_LIB_FMT_H
#define BATON_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into buf (always NUL-terminated when n > 0).  Returns the length the
 * whole output would have had, like snprintf, so callers can detect truncation.
 */
size_t fmt_buf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t fmt_vbuf(char *buf, size_t n, const char *fmt, va_list ap);

/* Format into a new allocation (bt_free()); NULL when out of memory. */
char *fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
