/*
 * struct screen (see screen.h).  The row pointers and every row's text live
 * in one allocation made by screen_init(): a row of cols code points needs
 * at most 4 * cols bytes (utf8_offset() steps over whole sequences of at
 * most 4 bytes, or one invalid byte), so setting a row never allocates and
 * drawing a frame cannot fail half-way for lack of memory here.
 *
 * Wrapping (screen_wrap_*) only walks the message it is given; it neither
 * copies nor allocates, so the menu's layout can measure with it.
 */
#include <stdint.h>
#include "menu/screen.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/* Bytes per row: cols code points of up to 4 bytes, and the NUL. */
static size_t row_bytes(unsigned cols)
{
	return (size_t)cols * 4 + 1;
}

int screen_init(struct screen *s, unsigned cols, unsigned rows)
{
	size_t per_row = sizeof(char *) + row_bytes(cols);
	char *text;
	unsigned r;

	memset(s, 0, sizeof(*s));
	if (rows && per_row > SIZE_MAX / rows)
		return BT_ENOMEM;
	s->line = bt_zalloc(per_row * rows);
	if (!s->line)
		return BT_ENOMEM;
	text = (char *)(s->line + rows);
	for (r = 0; r < rows; r++)
		s->line[r] = text + (size_t)r * row_bytes(cols);
	s->cols = cols;
	s->rows = rows;
	screen_clear(s);
	return 0;
}

void screen_free(struct screen *s)
{
	bt_free(s->line);
	s->line = NULL;
	s->cols = s->rows = 0;
}

void screen_clear(struct screen *s)
{
	unsigned r;

	for (r = 0; r < s->rows; r++)
		s->line[r][0] = '\0';
	s->highlight = -1;
	s->cursor_row = s->cursor_col = -1;
}

int screen_set(struct screen *s, unsigned r, const char *text)
{
	size_t n;

	if (r >= s->rows)
		return BT_EINVAL;
	if (!text)
		text = "";
	n = utf8_offset(text, s->cols);
	memcpy(s->line[r], text, n);
	s->line[r][n] = '\0';
	return 0;
}

/* A place in a wrapped message, and the bytes of each part passed since
 * the start of the row. */
struct wrap_pos {
	unsigned at;
	size_t off;
	size_t len[2];
};

/* Move past the ends of parts: afterwards at == 2 or a character is there. */
static void wrap_norm(const struct screen_wrap *w, unsigned *at, size_t *off)
{
	while (*at < 2 && !w->part[*at][*off]) {
		(*at)++;
		*off = 0;
	}
}

static char wrap_char(const struct screen_wrap *w, const struct wrap_pos *p)
{
	return p->at < 2 ? w->part[p->at][p->off] : '\0';
}

/* Step over one code point (one byte when it is invalid); p->at < 2. */
static void wrap_step(const struct screen_wrap *w, struct wrap_pos *p)
{
	size_t n = utf8_offset(w->part[p->at] + p->off, 1);

	p->off += n;
	p->len[p->at] += n;
	wrap_norm(w, &p->at, &p->off);
}

void screen_wrap_start(struct screen_wrap *w, const char *head,
		       const char *tail, unsigned cols)
{
	w->part[0] = head ? head : "";
	w->part[1] = tail ? tail : "";
	w->cols = cols;
	w->rows = 0;
	w->at = 0;
	w->off = 0;
	wrap_norm(w, &w->at, &w->off);
}

/*
 * Take room code points, remembering the last space after the first one.
 * If the message goes on, the row ends at the space right after it, else
 * at the remembered space, else (one long word) where it is; a space the
 * row ends at is skipped, not carried to the next row.
 */
bool screen_wrap_next(struct screen_wrap *w, struct screen_wrap_row *row)
{
	unsigned indent = w->rows && w->cols > SCREEN_WRAP_INDENT ?
		SCREEN_WRAP_INDENT : 0;
	size_t room = w->cols - indent, n;
	struct wrap_pos p = { w->at, w->off, { 0, 0 } }, end, space = p;
	bool have_space = false;

	if (w->rows && p.at == 2)
		return false;
	row->indent = indent;
	row->text[0] = w->part[0] + (p.at == 0 ? p.off : 0);
	row->text[1] = w->part[1] + (p.at == 1 ? p.off : 0);
	for (n = 0; n < room && p.at < 2; n++) {
		if (n && wrap_char(w, &p) == ' ') {
			space = p;
			have_space = true;
		}
		wrap_step(w, &p);
	}
	end = p;
	if (!room) {
		p.at = 2;	/* nothing shows: the message is one empty row */
	} else if (wrap_char(w, &p) == ' ') {
		wrap_step(w, &p);
	} else if (p.at < 2 && have_space) {
		end = p = space;
		wrap_step(w, &p);
	}
	row->len[0] = end.len[0];
	row->len[1] = end.len[1];
	w->at = p.at;
	w->off = p.off;
	w->rows++;
	return true;
}

size_t screen_wrap_rows(const char *head, const char *tail, unsigned cols)
{
	struct screen_wrap w;
	struct screen_wrap_row row;

	screen_wrap_start(&w, head, tail, cols);
	while (screen_wrap_next(&w, &row))
		;
	return w.rows;
}
