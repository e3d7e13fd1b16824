/*
 * struct screen (see screen.h).  The row pointers and every row's text live
 * in one allocation made by screen_init(): a row of cols code points needs
 * at most 4 * cols bytes (utf8_offset() steps over whole sequences of at
 * most 4 bytes, or one invalid byte), so setting a row never allocates and
 * drawing a frame cannot fail half-way for lack of memory here.
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
