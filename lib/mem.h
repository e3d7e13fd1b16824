/*
 * The few C library functions portable code may use.  The hosted build gets
 * them from the C library; the firmware build from lib/freestanding.c.  The
 * prototypes are the standard ones, so both builds mean the same thing.
 * Allocation goes through bt_alloc()/bt_free(), which each platform provides
 * (firmware/efi/alloc.c, firmware/host/alloc.c).
 */
#ifndef BATON_LIB_MEM_H
#define BATON_LIB_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Allocate n bytes; NULL when out of memory.  Freed with bt_free(). */
void *bt_alloc(size_t n);
/* Like bt_alloc() but zero-filled. */
void *bt_zalloc(size_t n);
/* Resize; on failure the old block is untouched and NULL is returned. */
void *bt_realloc(void *p, size_t n);
/* Free a block from bt_alloc(); NULL is allowed. */
void bt_free(void *p);

/* Copy a string (or its first n bytes) into a new allocation; NULL on OOM. */
char *str_dup(const char *s);
char *str_ndup(const char *s, size_t n);
/* ASCII case-insensitive comparisons. */
int str_casecmp(const char *a, const char *b);
int str_ncasecmp(const char *a, const char *b, size_t n);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with_case(const char *s, const char *suffix);
/*
 * A list of names kept as one string, each name ended by "\0" ("end\0"
 * "module\0"): no pointer per name, and no padding to the longest.
 * strlist_at() is the i-th name, or NULL past the last; strlist_find() is
 * the index of name in the list, or the number of names; strlist_has()
 * says whether name is one of them.
 */
const char *strlist_at(const char *list, size_t i);
size_t strlist_find(const char *list, const char *name);
bool strlist_has(const char *list, const char *name);
/*
 * Copy s[0..len) into buf for quoting in a message, cut at a UTF-8
 * character boundary and ended with "..." when it is too long, so one
 * hostile line or path cannot flood the screen.  Returns buf.
 */
#define STR_QUOTE_MAX 64
const char *str_quote(char buf[STR_QUOTE_MAX], const char *s, size_t len);
/* Grow *arr (of *cap elements of size sz) so that it holds at least need. */
int array_reserve(void **arr, size_t *cap, size_t need, size_t sz);

static inline bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static inline int to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

#endif
