#include "lib/utf8.h"
#include "lib/mem.h"

size_t utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t n, i;

	*cp = 0xFFFD;
	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2; c = s[0] & 0x1F; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3; c = s[0] & 0x0F; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp <= 0x10FFFF) {
		o[0] = (unsigned char)(0xF0 | cp >> 18);
		o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (unsigned char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

size_t utf8_check(const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + off, len - off, &cp);

		if (!n)
			return off;
		off += n;
	}
	return len;
}

/* Length of the code point at s, treating an invalid byte as one unit. */
static size_t step(const char *s)
{
	uint32_t cp;
	size_t n = utf8_decode(s, strlen(s), &cp);

	return n ? n : 1;
}

size_t utf8_width(const char *s)
{
	size_t w = 0;

	while (*s) {
		s += step(s);
		w++;
	}
	return w;
}

size_t utf8_offset(const char *s, size_t col)
{
	const char *p = s;

	while (*p && col--)
		p += step(p);
	return (size_t)(p - s);
}

uint16_t *utf8_to_ucs2(const char *s)
{
	size_t len = strlen(s), units = utf8_width(s), i = 0, off = 0;
	uint16_t *out = bt_alloc((units + 1) * sizeof(*out));

	if (!out)
		return NULL;
	while (off < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + off, len - off, &cp);

		off += n ? n : 1;
		out[i++] = cp > 0xFFFF ? 0xFFFD : (uint16_t)cp;
	}
	out[i] = 0;
	return out;
}

char *ucs2_to_utf8(const uint16_t *s, size_t max)
{
	size_t n = 0, i, o = 0;
	char *out;

	while (n < max && s[n])
		n++;
	out = bt_alloc(3 * n + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t w = utf8_encode(s[i], out + o);

		if (!w)
			w = utf8_encode(0xFFFD, out + o);
		o += w;
	}
	out[o] = '\0';
	return out;
}
