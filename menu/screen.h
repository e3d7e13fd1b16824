/*
 * A text screen: rows of UTF-8 text, one highlighted row and an optional
 * cursor.  The renderer fills one; the console code writes the rows that
 * differ from the previous frame, and tests read the rows as strings.
 */
#ifndef BATON_MENU_SCREEN_H
#define BATON_MENU_SCREEN_H

#include <stdbool.h>
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

/*
 * A message wrapped over rows of cols code points, for messages that must
 * be read to the end (errors, config diagnostics).  A row ends before the
 * last space that lets it fit, and that space is not shown; a word longer
 * than a row is broken where the row is full.  Rows after the first are
 * indented by SCREEN_WRAP_INDENT spaces (not at all when cols leaves no
 * room for that).  The message is a head and a tail shown one after the
 * other, so that a fixed prefix and a borrowed text are measured and drawn
 * without being joined in a new allocation.
 */
#define SCREEN_WRAP_INDENT 2

struct screen_wrap {
	const char *part[2];	/* head, tail; "" for a NULL one */
	unsigned cols;
	size_t rows;		/* rows returned so far */
	unsigned at;		/* part the next row starts in; 2: the end */
	size_t off;		/* byte offset of the next row in part[at] */
};

/* One row: indent spaces, then len[0] bytes at text[0] and len[1] bytes at
 * text[1] (pointers into the message, not NUL-terminated there). */
struct screen_wrap_row {
	unsigned indent;
	const char *text[2];
	size_t len[2];
};

/* Start wrapping head then tail (either may be NULL) to cols code points. */
void screen_wrap_start(struct screen_wrap *w, const char *head,
		       const char *tail, unsigned cols);
/* Store the next row in *row; false once the message is used up.  There is
 * always a first row, empty for an empty message.  Every row has at most
 * cols code points, indent included (none at all when cols is 0). */
bool screen_wrap_next(struct screen_wrap *w, struct screen_wrap_row *row);
/* The rows head then tail need at cols code points: at least 1.  Allocates
 * nothing, so layouts can call it freely. */
size_t screen_wrap_rows(const char *head, const char *tail, unsigned cols);

struct menu;
/* Draw the menu's state into s (cleared first).  Returns 0 or BT_ENOMEM. */
int menu_render(const struct menu *m, struct screen *s);

#endif
