/*
 * Splitting config text into logical lines (see config/lexer.h).  The text
 * is never modified or copied whole: each physical line is trimmed where it
 * lies and only the parts that count are copied into one line buffer, so a
 * long comment costs nothing and a long line is detected without growing
 * anything.
 */
#include "config/internal.h"
#include "config/config.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

int config_lexer_init(struct config_lexer *lx, const char *text, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	/* A byte order mark is how some editors say "UTF-8"; it is not text. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	lx->text = text;
	lx->len = len;
	lx->line = 1;
	lx->buf = bt_alloc(CONFIG_LINE_MAX + 1);
	return lx->buf ? 0 : BT_ENOMEM;
}

void config_lexer_free(struct config_lexer *lx)
{
	bt_free(lx->buf);
	lx->buf = NULL;
}

/*
 * Offset of the first byte in s[0..n) that is not UTF-8 text (invalid UTF-8
 * or a NUL, which would cut the line short in C strings), or n.
 */
static size_t first_bad_byte(const char *s, size_t n)
{
	size_t bad = utf8_check(s, n), i;

	for (i = 0; i < bad; i++)
		if (s[i] == '\0')
			return i;
	return bad;
}

/*
 * Cut the physical line s[0..n) down to what counts (*cs, *cn), dropping
 * leading and trailing whitespace, the comment ('#' starting a word) and a
 * final '\', which sets *cont.  A '#' inside a word ("a#sha256=...") stays.
 */
static void trim_line(const char *s, size_t n, const char **cs, size_t *cn,
		      bool *cont)
{
	size_t b = 0, e, i;

	while (b < n && is_space(s[b]))
		b++;
	for (i = b; i < n; i++)
		if (s[i] == '#' && (i == b || is_space(s[i - 1])))
			break;
	e = i;
	while (e > b && is_space(s[e - 1]))
		e--;
	*cont = e > b && s[e - 1] == '\\';
	if (*cont)
		for (e--; e > b && is_space(s[e - 1]); e--)
			;
	*cs = s + b;
	*cn = e - b;
}

/*
 * Consume one physical line; note its first bad byte in out (only the first
 * one of a logical line is reported) and return its trimmed contents.
 */
static void read_physical(struct config_lexer *lx, struct config_line *out,
			  const char **cs, size_t *cn, bool *cont)
{
	const char *s = lx->text + lx->pos;
	size_t n = 0, bad;

	while (lx->pos + n < lx->len && s[n] != '\n')
		n++;
	lx->pos += n + (lx->pos + n < lx->len);	/* and the '\n' */
	bad = first_bad_byte(s, n);
	if (bad < n && !out->bad_line) {
		out->bad_line = lx->line;
		out->bad_byte = (unsigned char)s[bad];
		out->bad_col = bad + 1;
	}
	lx->line++;
	trim_line(s, n, cs, cn, cont);
}

enum config_lex config_lexer_next(struct config_lexer *lx,
				  struct config_line *out)
{
	for (;;) {
		size_t len = 0, cn;
		const char *cs;
		bool cont = true, too_long = false;

		memset(out, 0, sizeof(*out));
		if (lx->pos >= lx->len)
			return CONFIG_LEX_END;
		out->line = lx->line;
		while (cont && lx->pos < lx->len) {
			read_physical(lx, out, &cs, &cn, &cont);
			if (!cn || too_long)
				continue;
			/* Invariant: buf[0..len) holds the joined line so far. */
			if (len + (len > 0) + cn > CONFIG_LINE_MAX) {
				too_long = true;
				continue;
			}
			if (len)
				lx->buf[len++] = ' ';
			memcpy(lx->buf + len, cs, cn);
			len += cn;
		}
		if (out->bad_line)
			return CONFIG_LEX_BAD_TEXT;
		if (too_long)
			return CONFIG_LEX_TOO_LONG;
		if (len) {
			lx->buf[len] = '\0';
			out->text = lx->buf;
			out->len = len;
			return CONFIG_LEX_LINE;
		}
	}
}

const char *config_quote(char buf[CONFIG_QUOTE_MAX], const char *s)
{
	return str_quote(buf, s, strlen(s));
}
