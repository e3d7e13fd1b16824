#include "lib/mem.h"
#include "lib/error.h"

char *str_ndup(const char *s, size_t n)
{
	char *d = bt_alloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

const char *str_quote(char buf[STR_QUOTE_MAX], const char *s, size_t len)
{
	size_t n = len;

	if (n > STR_QUOTE_MAX - 1) {
		n = STR_QUOTE_MAX - 4;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;	/* not inside a multi-byte character */
	}
	memcpy(buf, s, n);
	if (n < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

const char *strlist_at(const char *list, size_t i)
{
	for (; *list && i; i--)
		list += strlen(list) + 1;
	return *list ? list : NULL;
}

size_t strlist_find(const char *list, const char *name)
{
	size_t i;

	for (i = 0; *list && strcmp(list, name); i++)
		list += strlen(list) + 1;
	return i;
}

bool strlist_has(const char *list, const char *name)
{
	return strlist_at(list, strlist_find(list, name)) != NULL;
}

char *str_dup(const char *s)
{
	return str_ndup(s, strlen(s));
}

int str_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int d = to_lower((unsigned char)*a) - to_lower((unsigned char)*b);

		if (d || !*a)
			return d;
	}
	return 0;
}

int str_casecmp(const char *a, const char *b)
{
	return str_ncasecmp(a, b, (size_t)-1);
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with_case(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && str_casecmp(s + ls - lx, suffix) == 0;
}

int array_reserve(void **arr, size_t *cap, size_t need, size_t sz)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > (size_t)-1 / sz)
		return BT_ENOMEM;
	p = bt_realloc(*arr, ncap * sz);
	if (!p)
		return BT_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
