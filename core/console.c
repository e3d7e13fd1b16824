#include "core/console.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

int console_init(struct console *c, struct fw *fw)
{
	unsigned cols, rows;

	fw_con_size(fw, &cols, &rows);
	c->fw = fw;
	c->valid = false;
	return screen_init(&c->shown, cols, rows);
}

void console_free(struct console *c)
{
	screen_free(&c->shown);
}

void console_invalidate(struct console *c)
{
	c->valid = false;
}

/* Write row r of s, padded with spaces to clear what was there before.
 * The last column is never written: on many terminals that scrolls. */
static void write_row(struct fw *fw, const struct screen *s, unsigned r)
{
	char pad[161];
	const char *text = s->line[r] ? s->line[r] : "";
	size_t w = utf8_width(text), width = s->cols > 1 ? s->cols - 1 : 1;

	fw_con_goto(fw, 0, r);
	fw_con_highlight(fw, (int)r == s->highlight);
	fw_con_write(fw, text);
	if (w < width) {
		size_t n = width - w < sizeof(pad) - 1 ? width - w : sizeof(pad) - 1;

		memset(pad, ' ', n);
		pad[n] = '\0';
		fw_con_write(fw, pad);
	}
	if ((int)r == s->highlight)
		fw_con_highlight(fw, false);
}

static bool row_differs(const struct screen *a, const struct screen *b, unsigned r)
{
	const char *x = a->line[r] ? a->line[r] : "";
	const char *y = b->line[r] ? b->line[r] : "";

	if (((int)r == a->highlight) != ((int)r == b->highlight))
		return true;
	return strcmp(x, y) != 0;
}

int console_draw(struct console *c, const struct screen *next)
{
	unsigned r, rows = next->rows < c->shown.rows ? next->rows : c->shown.rows;
	int rc = 0;

	fw_con_cursor(c->fw, false);
	if (!c->valid)
		fw_con_clear(c->fw);
	for (r = 0; r < rows; r++) {
		const char *text = next->line[r] ? next->line[r] : "";

		if (c->valid && !row_differs(&c->shown, next, r))
			continue;
		/* After a clear, empty rows need no writing. */
		if (c->valid || *text || (int)r == next->highlight)
			write_row(c->fw, next, r);
		if (!rc)
			rc = screen_set(&c->shown, r, text);
	}
	c->shown.highlight = next->highlight;
	c->valid = rc == 0;
	if (next->cursor_row >= 0) {
		fw_con_goto(c->fw, (unsigned)next->cursor_col, (unsigned)next->cursor_row);
		fw_con_cursor(c->fw, true);
	}
	return rc;
}
