/*
 * Version comparison (lib/vercmp.h).  Both strings are walked together one
 * segment at a time; a segment is an optional prefix character ('~', '-',
 * '^' or '.', looked at in that order) and then a run of digits or a run
 * of letters.  Characters outside [A-Za-z0-9~^.-] only separate.
 */
#include "lib/vercmp.h"
#include "lib/mem.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_version_char(char c)
{
	return is_digit(c) || is_letter(c) || (c && strchr("~-^.", c));
}

/* -1, 0 or 1 as x is below, equal to or above y. */
static int sign(long x, long y)
{
	return (x > y) - (x < y);
}

/*
 * The prefix character c on either side: the side that has it compares as
 * older than the side that does not (so '^' is newer than '-' only because
 * '-' is looked at first); when both have it, both skip it.  *r is the
 * verdict when one side has it.
 */
static bool prefix(const char **a, const char **b, char c, int *r)
{
	bool ha = **a == c, hb = **b == c;

	if (!ha && !hb)
		return false;
	if (ha != hb) {
		*r = ha ? -1 : 1;
		return true;
	}
	(*a)++;
	(*b)++;
	return false;
}

int vercmp(const char *a, const char *b)
{
	int r = 0;

	a = a ? a : "";
	b = b ? b : "";
	for (;;) {
		const char *ea, *eb;
		size_t la, lb, i;

		while (*a && !is_version_char(*a))
			a++;
		while (*b && !is_version_char(*b))
			b++;
		/* '~' comes before the end-of-string check: "1~rc" < "1". */
		if (prefix(&a, &b, '~', &r))
			return r;
		if (!*a || !*b)
			return sign(*a != 0, *b != 0);
		if (prefix(&a, &b, '-', &r) || prefix(&a, &b, '^', &r) ||
		    prefix(&a, &b, '.', &r))
			return r;
		if (is_digit(*a) || is_digit(*b)) {
			/* A number beats no number (a letter or the end). */
			for (ea = a; is_digit(*ea); ea++)
				;
			for (eb = b; is_digit(*eb); eb++)
				;
			if ((ea == a) != (eb == b))
				return ea == a ? -1 : 1;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			/* Without leading zeros, more digits is bigger. */
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			r = memcmp(a, b, la);
			if (r)
				return r < 0 ? -1 : 1;
		} else {
			/* Letter by letter, in ASCII order: 'A' < 'a'. */
			for (ea = a; is_letter(*ea); ea++)
				;
			for (eb = b; is_letter(*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			for (i = 0; i < la && i < lb; i++)
				if (a[i] != b[i])
					return (unsigned char)a[i] <
					       (unsigned char)b[i] ? -1 : 1;
			if (la != lb)
				return la < lb ? -1 : 1;
		}
		a = ea;
		b = eb;
	}
}
