#include "lib/glob.h"

/*
 * Match one pattern element at *pp against c; advance *pp past the element.
 * Returns true on a match.
 */
static bool match_one(const char **pp, char c)
{
	const char *p = *pp;
	bool ok = false, neg;

	if (*p == '?') {
		*pp = p + 1;
		return true;
	}
	if (*p == '\\' && p[1]) {
		*pp = p + 2;
		return p[1] == c;
	}
	if (*p != '[') {
		*pp = p + 1;
		return *p == c;
	}
	/* A set; an unterminated '[' is an ordinary character. */
	{
		const char *q = p + 1;

		neg = *q == '!' || *q == '^';
		if (neg)
			q++;
		if (*q == ']')
			q++;
		while (*q && *q != ']')
			q++;
		if (!*q) {
			*pp = p + 1;
			return c == '[';
		}
		q = p + 1 + neg;
		do {
			char lo = *q, hi = lo;

			if (q[1] == '-' && q[2] && q[2] != ']') {
				hi = q[2];
				q += 3;
			} else {
				q++;
			}
			if (c >= lo && c <= hi)
				ok = true;
		} while (*q != ']');
		*pp = q + 1;
		return ok != neg;
	}
}

bool glob_match(const char *p, const char *s)
{
	/* Classic backtracking to the last star: linear in practice, bounded
	 * by len(p) * len(s) in the worst case. */
	const char *star_p = 0, *star_s = 0;

	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p) {
			const char *next = p;

			if (match_one(&next, *s)) {
				p = next;
				s++;
				continue;
			}
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}
