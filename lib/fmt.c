#include "lib/fmt.h"
#include "lib/mem.h"

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t len, int width,
		       bool left, char pad)
{
	size_t fill = width > 0 && (size_t)width > len ? (size_t)width - len : 0;

	if (!left)
		while (fill--)
			put(o, pad);
	while (len--)
		put(o, *s++);
	if (left)
		while (fill--)
			put(o, ' ');
}

static void put_number(struct out *o, unsigned long long v, bool neg,
		       unsigned base, bool upper, int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (neg) {
		if (pad == '0') {
			put(o, '-');
			width = width > 0 ? width - 1 : 0;
		} else {
			tmp[--i] = '-';
		}
	}
	put_padded(o, tmp + i, sizeof(tmp) - i, width, left, pad);
}

size_t fmt_vbuf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (; *fmt; fmt++) {
		bool left = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		bool size_t_arg = false;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				size_t_arg = true;
			else
				break;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t len = 0;

			if (!s)
				s = "(null)";
			while (s[len] && (prec < 0 || len < (size_t)prec))
				len++;
			put_padded(&o, s, len, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 'd':
		case 'i': {
			long long v;

			if (size_t_arg)
				v = (long long)va_arg(ap, size_t);
			else if (lng >= 2)
				v = va_arg(ap, long long);
			else if (lng == 1)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			put_number(&o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v,
				   v < 0, 10, false, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v;

			if (size_t_arg)
				v = va_arg(ap, size_t);
			else if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			put_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				   width, left, pad);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false,
				   width, left, pad);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: show it rather than guess its argument. */
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
			break;
		}
	}
done:
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return o.len;
}

size_t fmt_buf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = fmt_vbuf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}

char *fmt_alloc(const char *fmt, ...)
{
	va_list ap;
	size_t len;
	char *s;

	va_start(ap, fmt);
	len = fmt_vbuf(NULL, 0, fmt, ap);
	va_end(ap);
	s = bt_alloc(len + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	fmt_vbuf(s, len + 1, fmt, ap);
	va_end(ap);
	return s;
}
