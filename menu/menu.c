/*
 * The menu state machine (see menu.h): keys and clock ticks in, a verdict
 * out.  Nothing here draws; menu/render.c reads the state.
 *
 * Invariants kept after every call:
 *   - sel < n_items (or sel == 0 when there are no items);
 *   - items[sel] is among the items the layout shows from top (when the
 *     screen leaves the list any row at all);
 *   - edit != NULL exactly when the editor is open or the last MENU_BOOT
 *     came from it (edited), and then edit[edit_len] == '\0'.
 */
#include <limits.h>
#include "menu/menu.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/* Fixed rows around the list: heading, blank, blank, status, help. */
#define FIXED_ROWS 5
/* Note rows always kept, so a long menu cannot push the config's
 * diagnostics off the screen. */
#define MIN_NOTE_ROWS 3

/* Rows the list gets: what is left after the fixed rows and the reserved
 * note rows, but no more than the items need (one row says "no entries"). */
static unsigned list_rows(const struct menu_params *p)
{
	size_t notes = p->n_notes < MIN_NOTE_ROWS ? p->n_notes : MIN_NOTE_ROWS;
	size_t fixed = FIXED_ROWS + notes;
	size_t room = p->rows > fixed ? p->rows - fixed : 0;
	size_t want = p->n_items ? p->n_items : 1;

	return (unsigned)(room < want ? room : want);
}

/*
 * Which items fit from top.  Markers need a row each and only make sense
 * when at least one item row remains between them, so lists of fewer than
 * three rows simply show what fits.
 */
static void list_window(const struct menu *m, size_t top, struct menu_layout *l)
{
	size_t n = m->p.n_items, rest = top < n ? n - top : 0, avail;

	l->more_above = l->more_below = false;
	l->shown = 0;
	if (!rest || !l->list_rows)
		return;
	if (l->list_rows < 3) {
		l->shown = rest < l->list_rows ? rest : l->list_rows;
		return;
	}
	l->more_above = top > 0;
	avail = l->list_rows - l->more_above;
	if (rest <= avail) {
		l->shown = rest;
	} else {
		l->more_below = true;
		l->shown = avail - 1;
	}
}

void menu_layout(const struct menu *m, size_t top, struct menu_layout *l)
{
	unsigned rows = m->p.rows;

	l->list_row = 2;
	l->list_rows = list_rows(&m->p);
	l->status_row = l->list_row + l->list_rows + 1;
	l->notes_row = l->status_row + 1;
	l->help_row = rows ? rows - 1 : 0;
	l->notes_rows = l->help_row > l->notes_row ? l->help_row - l->notes_row : 0;
	list_window(m, top, l);
}

/* Whether the selection is shown when the list starts at top. */
static bool sel_visible(const struct menu *m, size_t top)
{
	struct menu_layout l;

	menu_layout(m, top, &l);
	return m->sel >= top && m->sel < top + l.shown;
}

/*
 * Move top the least needed to show the selection.  Scrolling down starts
 * at the lowest top that could work (a window never shows more than
 * list_rows items) and steps on; the markers cost at most two rows, so this
 * takes a few steps at most, and top == sel always shows sel.
 */
static void scroll_to_sel(struct menu *m)
{
	unsigned rows = list_rows(&m->p);
	size_t t;

	if (m->sel < m->top || !rows || !m->p.n_items) {
		m->top = m->sel;
		return;
	}
	t = m->sel + 1 > rows ? m->sel + 1 - rows : 0;
	if (t < m->top)
		t = m->top;
	while (t < m->sel && !sel_visible(m, t))
		t++;
	m->top = t;
}

/* Select item i (clamped to the list); a new selection starts unscrolled. */
static void select_item(struct menu *m, size_t i)
{
	if (!m->p.n_items)
		return;
	if (i >= m->p.n_items)
		i = m->p.n_items - 1;
	if (i != m->sel)
		m->hscroll = 0;
	m->sel = i;
	scroll_to_sel(m);
}

/* How far the selected title may scroll: until its end is in view after
 * the leading "..." that marks the scrolled-off part. */
static size_t max_hscroll(const struct menu *m)
{
	size_t w = utf8_width(m->p.items[m->sel].title);
	size_t room = menu_title_room(m, m->sel);

	if (w <= room)
		return 0;
	return w + 3 > room ? w + 3 - room : 0;
}

int menu_init(struct menu *m, const struct menu_params *p)
{
	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->countdown_ms = -1;
	if (m->p.n_items) {
		m->sel = m->p.default_index < m->p.n_items ? m->p.default_index : 0;
		if (m->p.timeout_s >= 0)
			m->countdown_ms = m->p.timeout_s > INT_MAX / 1000 ?
				INT_MAX : m->p.timeout_s * 1000;
	}
	scroll_to_sel(m);
	return 0;
}

/* Drop the editor's text. */
static void edit_drop(struct menu *m)
{
	bt_free(m->edit);
	m->edit = NULL;
	m->edit_len = m->edit_cap = m->edit_cur = 0;
	m->editing = m->edited = false;
}

void menu_free(struct menu *m)
{
	edit_drop(m);
	bt_free(m->status);
	m->status = NULL;
}

int menu_set_status(struct menu *m, const char *msg)
{
	char *copy = NULL;

	if (msg) {
		copy = str_dup(msg);
		if (!copy)
			return BT_ENOMEM;
	}
	bt_free(m->status);
	m->status = copy;
	return 0;
}

/* A boot from the list: forget any earlier edit so menu_edited() is NULL. */
static enum menu_result boot_selected(struct menu *m)
{
	if (!m->p.n_items)
		return MENU_CONTINUE;
	edit_drop(m);
	return MENU_BOOT;
}

/* Open the editor on the selection's options, or say why not.  When memory
 * runs out the key does nothing (menu_key has no way to report it). */
static void edit_open(struct menu *m)
{
	const struct menu_item *it = &m->p.items[m->sel];
	char *text;

	if (!m->p.editor) {
		menu_set_status(m, "editing is disabled in the config");
		return;
	}
	if (!it->options) {
		menu_set_status(m, "this entry has nothing to edit");
		return;
	}
	text = str_dup(it->options);
	if (!text)
		return;
	edit_drop(m);
	m->edit = text;
	m->edit_len = strlen(text);
	m->edit_cap = m->edit_len + 1;
	m->edit_cur = utf8_width(text);	/* at the end, ready to append */
	m->editing = true;
}

/* A printable key in the list: vi keys, 'e', or a digit that boots. */
static enum menu_result list_char(struct menu *m, uint32_t ch)
{
	if (!m->p.n_items)
		return MENU_CONTINUE;
	if (ch == 'k') {
		select_item(m, m->sel ? m->sel - 1 : 0);
	} else if (ch == 'j') {
		select_item(m, m->sel + 1);
	} else if (ch == 'e') {
		edit_open(m);
	} else if (ch >= '1' && ch <= '9' && ch - '1' < m->p.n_items) {
		select_item(m, ch - '1');
		return boot_selected(m);
	}
	return MENU_CONTINUE;
}

/* Rows a page key moves: the list's height. */
static size_t page(const struct menu *m)
{
	unsigned rows = list_rows(&m->p);

	return rows ? rows : 1;
}

/* A key while the list is shown.  A message from the last action is
 * cleared first: it answered that action, not this one. */
static enum menu_result list_key(struct menu *m, const struct key *k)
{
	size_t sel = m->sel;

	menu_set_status(m, NULL);
	switch (k->code) {
	case KEY_UP:
		select_item(m, sel ? sel - 1 : 0);
		break;
	case KEY_DOWN:
		select_item(m, sel + 1);
		break;
	case KEY_HOME:
		select_item(m, 0);
		break;
	case KEY_END:
		select_item(m, m->p.n_items ? m->p.n_items - 1 : 0);
		break;
	case KEY_PGUP:
		select_item(m, sel > page(m) ? sel - page(m) : 0);
		break;
	case KEY_PGDN:
		select_item(m, sel + page(m) > sel ? sel + page(m) : sel);
		break;
	case KEY_LEFT:
		if (m->hscroll)
			m->hscroll--;
		break;
	case KEY_RIGHT:
		if (m->p.n_items && m->hscroll < max_hscroll(m))
			m->hscroll++;
		break;
	case KEY_ENTER:
		return boot_selected(m);
	case KEY_ESC:
		return m->p.submenu ? MENU_BACK : MENU_CONTINUE;
	case KEY_CHAR:
		return list_char(m, k->ch);
	default:
		break;
	}
	return MENU_CONTINUE;
}

/* Byte offset of the editor's code point number cp. */
static size_t edit_off(const struct menu *m, size_t cp)
{
	return utf8_offset(m->edit, cp);
}

/* Insert code point ch at the cursor.  Out of memory drops the key. */
static void edit_insert(struct menu *m, uint32_t ch)
{
	char enc[4];
	size_t n = utf8_encode(ch, enc), at, need;

	if (!n)
		return;
	need = m->edit_len + n + 1;
	if (need > m->edit_cap) {
		size_t cap = m->edit_cap * 2 > need ? m->edit_cap * 2 : need;
		char *p = bt_realloc(m->edit, cap);

		if (!p)
			return;
		m->edit = p;
		m->edit_cap = cap;
	}
	at = edit_off(m, m->edit_cur);
	memmove(m->edit + at + n, m->edit + at, m->edit_len - at + 1);
	memcpy(m->edit + at, enc, n);
	m->edit_len += n;
	m->edit_cur++;
}

/* Remove the code point at index cp (nothing when cp is past the end). */
static void edit_remove(struct menu *m, size_t cp)
{
	size_t from = edit_off(m, cp), to = edit_off(m, cp + 1);

	memmove(m->edit + from, m->edit + to, m->edit_len - to + 1);
	m->edit_len -= to - from;
}

/* Printable: not a C0/C1 control or DEL (those would corrupt the line). */
static bool printable(uint32_t ch)
{
	return ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0);
}

/* A key while the line editor is open. */
static enum menu_result edit_key(struct menu *m, const struct key *k)
{
	size_t width = utf8_width(m->edit);

	switch (k->code) {
	case KEY_ENTER:
		m->editing = false;
		m->edited = true;
		return MENU_BOOT;
	case KEY_ESC:
		edit_drop(m);
		break;
	case KEY_LEFT:
		if (m->edit_cur)
			m->edit_cur--;
		break;
	case KEY_RIGHT:
		if (m->edit_cur < width)
			m->edit_cur++;
		break;
	case KEY_HOME:
		m->edit_cur = 0;
		break;
	case KEY_END:
		m->edit_cur = width;
		break;
	case KEY_BACKSPACE:
		if (m->edit_cur)
			edit_remove(m, --m->edit_cur);
		break;
	case KEY_DELETE:
		edit_remove(m, m->edit_cur);
		break;
	case KEY_CHAR:
		if (printable(k->ch))
			edit_insert(m, k->ch);
		break;
	default:
		break;
	}
	return MENU_CONTINUE;
}

enum menu_result menu_key(struct menu *m, const struct key *k)
{
	/* Any key means someone is there: stop counting, then obey the key. */
	m->countdown_ms = -1;
	if (m->editing)
		return edit_key(m, k);
	return list_key(m, k);
}

enum menu_result menu_tick(struct menu *m, unsigned elapsed_ms)
{
	if (m->countdown_ms < 0 || m->editing)
		return MENU_CONTINUE;
	if (elapsed_ms >= (unsigned)m->countdown_ms)
		m->countdown_ms = 0;
	else
		m->countdown_ms -= (int)elapsed_ms;
	if (m->countdown_ms > 0)
		return MENU_CONTINUE;
	/* Stop so that a failed boot returns to a menu that waits. */
	m->countdown_ms = -1;
	return boot_selected(m);
}

const char *menu_edited(const struct menu *m)
{
	return m->edited ? m->edit : NULL;
}

bool menu_counting(const struct menu *m)
{
	return m->countdown_ms >= 0;
}
