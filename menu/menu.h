/*
 * The menu as a pure state machine: it is fed keys and clock ticks and says
 * what the caller should do next; menu/render.c draws its state into a
 * struct screen.  No firmware here, so tests drive it with key sequences.
 *
 * Keys: Up/Down/k/j move, Home/End, PgUp/PgDn move by a page, Enter boots the
 * selection, digits 1-9 boot that entry, 'e' edits the entry's options (when
 * the editor is allowed and the entry has options), Left/Right scroll a long
 * selected title, Esc leaves a submenu.  Any key stops the countdown.
 */
#ifndef BATON_MENU_MENU_H
#define BATON_MENU_MENU_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/key.h"

struct menu_item {
	const char *title;	/* UTF-8 */
	const char *error;	/* non-NULL: the entry cannot boot, and why */
	const char *options;	/* editable text, or NULL when not editable */
};

struct menu_params {
	const char *heading;	/* top line, e.g. "baton" or a submenu's title */
	const struct menu_item *items;	/* borrowed; must outlive the menu */
	size_t n_items;
	size_t default_index;
	int timeout_s;		/* countdown in seconds; < 0: none */
	bool editor;		/* 'e' allowed */
	bool submenu;		/* Esc leaves */
	const char *const *notes;	/* borrowed lines shown under the menu
					 * (config diagnostics) */
	size_t n_notes;
	unsigned cols, rows;	/* screen size */
};

enum menu_result {
	MENU_CONTINUE,		/* keep feeding keys */
	MENU_BOOT,		/* boot items[sel] (see menu_edited()) */
	MENU_BACK,		/* leave this submenu */
};

struct menu {
	struct menu_params p;
	size_t sel;		/* selected item */
	size_t top;		/* first item shown */
	size_t hscroll;		/* code points of the selected title scrolled off */
	int countdown_ms;	/* < 0: no countdown running */
	char *status;		/* owned message under the list, or NULL */

	bool editing;		/* the line editor is open */
	bool edited;		/* the last MENU_BOOT came from the editor */
	char *edit;		/* owned editor text (UTF-8) */
	size_t edit_len, edit_cap;
	size_t edit_cur;	/* cursor, in code points */
};

/* Set up m from p (copied).  Returns 0 or BT_ENOMEM. */
int menu_init(struct menu *m, const struct menu_params *p);
/* Free what m owns. */
void menu_free(struct menu *m);

/* Feed one key. */
enum menu_result menu_key(struct menu *m, const struct key *k);
/* Feed elapsed time; MENU_BOOT when the countdown runs out. */
enum menu_result menu_tick(struct menu *m, unsigned elapsed_ms);

/* After MENU_BOOT: the edited options if the boot came from the editor,
 * else NULL.  Owned by m. */
const char *menu_edited(const struct menu *m);

/* Show msg under the list (copied; NULL clears) until the next key in the
 * list.  Returns 0 or BT_ENOMEM (the old message stays). */
int menu_set_status(struct menu *m, const char *msg);

/* Whether the countdown is running (for the caller's wait granularity). */
bool menu_counting(const struct menu *m);

/*
 * Where the parts of the menu go on its p.cols x p.rows screen.  Scrolling
 * (menu.c) and drawing (render.c) both use menu_layout(), so they agree on
 * which items are visible and on how many rows the wrapped messages take.
 *
 * The rows between the heading (and a blank row) and the help row are
 * shared in this order: the status gets one row, the list up to three, the
 * status the rest of its wrapped text, the first three notes their rows,
 * the list what its items want, the notes what is left.  So the list keeps
 * three rows unless the screen is tiny, and on tiny screens some rows lie
 * past the bottom.
 */
struct menu_layout {
	unsigned list_row, list_rows;	/* the item list: first row, row count */
	unsigned status_row, status_rows;	/* the status message; rows
					 * past status_rows are not shown */
	unsigned notes_row, notes_rows;	/* rows the notes may use */
	size_t notes_shown;		/* notes drawn whole from notes_row; if
					 * fewer than n_notes and notes_rows > 0,
					 * the row after them counts the rest */
	unsigned help_row;		/* the last row */
	bool more_above, more_below;	/* list's first/last row is a marker */
	size_t shown;			/* items shown, starting at top */
};

/* Lay out m's screen as if its first shown item were top.  Allocates
 * nothing; the status depends on m->sel and m->status. */
void menu_layout(const struct menu *m, size_t top, struct menu_layout *l);
/* Code points available for item i's title on its row (suffix excluded);
 * in render.c, which decides the row's format. */
size_t menu_title_room(const struct menu *m, size_t i);
/* The message under the list, as a head and a tail shown one after the
 * other (the layout measures it without joining them): the selection's
 * error when it cannot boot, else the status.  False when there is none
 * (then both are NULL).  In render.c, which decides the wording. */
bool menu_status_text(const struct menu *m, const char **head,
		      const char **tail);

#endif
