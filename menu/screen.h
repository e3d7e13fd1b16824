/*
 * A text screen: rows of UTF-8 text, one highlighted row and an optional
 * cursor.  The renderer fills one; the console code writes the rows that
 * differ from the previous frame, and tests read the rows as strings.
 */
#ifndef BATON_MENU_SCREEN_H
#define BATON_MENU_SCREEN_H

#include <stddef.h>

struct screen {
	unsigned cols, rows;
	char **line;		/* rows lines, each at most cols code points */
	int highlight;		/* row drawn highlighted, or -1 */
	int cursor_row, cursor_col;	/* cursor position, or -1 when hidden */
};

/* Allocate an empty screen.  Returns 0 or BT_ENOMEM. */
int screen_init(struct screen *s, unsigned cols, unsigned rows);
void screen_free(struct screen *s);
/* Empty every row, no highlight, hidden cursor. */
void screen_clear(struct screen *s);
/* Set row r to text (copied), cut to cols code points.  Returns 0, or
 * BT_EINVAL when r >= rows. */
int screen_set(struct screen *s, unsigned r, const char *text);

struct menu;
/* Draw the menu's state into s (cleared first).  Returns 0 or BT_ENOMEM. */
int menu_render(const struct menu *m, struct screen *s);

#endif
