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
#include "menu/screen.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/* Fixed rows: heading, blank, blank after the list, help. */
#define FIXED_ROWS 4
/* Item rows kept however long the messages are, unless the screen is
 * tiny: with fewer the list could not scroll with its markers. */
#define MIN_LIST_ROWS 3
/* Notes whose rows are always kept (the last of them becomes the count
 * when there are more), so a long menu cannot push the config's
 * diagnostics off the screen. */
#define MIN_NOTES 3

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Take up to want of the *left rows that are free; returns what it got. */
static size_t take(size_t *left, size_t want)
{
	size_t got = min_size(*left, want);

	*left -= got;
	return got;
}

/* Rows note i needs on m's screen. */
static size_t note_rows(const struct menu *m, size_t i)
{
	return screen_wrap_rows(m->p.notes[i], NULL, m->p.cols);
}

/* Rows always kept for the notes: the first MIN_NOTES whole, or when there
 * are more, the first MIN_NOTES - 1 and the row that counts the rest. */
static size_t notes_reserve(const struct menu *m)
{
	size_t n = m->p.n_notes, keep = min_size(n, MIN_NOTES), rows = 0, i;

	if (n > MIN_NOTES)
		keep--;
	for (i = 0; i < keep; i++)
		rows += note_rows(m, i);
	return n > keep ? rows + 1 : rows;
}

/*
 * How many notes are drawn whole in l->notes_rows: all when they fit, else
 * as many as leave a row for the count.  Stops at the first that does not
 * fit, so the count is of the notes after the shown ones.
 */
static size_t notes_shown(const struct menu *m, const struct menu_layout *l)
{
	size_t n = m->p.n_notes, left = l->notes_rows, rest = 0, i, h;

	if (!left)
		return 0;
	for (i = 0; i < n; i++)
		rest += note_rows(m, i);
	for (i = 0; i < n && rest > left; i++) {
		h = note_rows(m, i);
		if (h >= left)
			break;
		left -= h;
		rest -= h;
	}
	return rest <= left ? n : i;
}

/* Rows the status message needs (its row is kept blank when there is
 * none, so the notes do not jump when one appears). */
static size_t status_need(const struct menu *m)
{
	const char *head, *tail;

	if (!menu_status_text(m, &head, &tail))
		return 1;
	return screen_wrap_rows(head, tail, m->p.cols);
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
	size_t left = rows > FIXED_ROWS ? rows - FIXED_ROWS : 0;
	size_t want = m->p.n_items ? m->p.n_items : 1;	/* or "no entries" */
	size_t list, status;

	/* In order of priority; see menu.h. */
	status = take(&left, 1);
	list = take(&left, min_size(want, MIN_LIST_ROWS));
	status += take(&left, status_need(m) - 1);
	take(&left, notes_reserve(m));
	list += take(&left, want - list);

	l->list_row = 2;
	l->list_rows = (unsigned)list;
	l->status_row = l->list_row + l->list_rows + 1;
	l->status_rows = (unsigned)status;
	l->notes_row = l->status_row + l->status_rows;
	l->help_row = rows ? rows - 1 : 0;
	l->notes_rows = l->help_row > l->notes_row ? l->help_row - l->notes_row : 0;
	l->notes_shown = notes_shown(m, l);
	list_window(m, top, l);
}

/* Whether the selection is shown when the list starts at top; l is m's
 * layout, its window moved to top. */
static bool sel_visible(const struct menu *m, struct menu_layout *l,
			size_t top)
{
	list_window(m, top, l);
	return m->sel >= top && m->sel < top + l->shown;
}

/* Whether the list starting at top shows the last item; l as above. */
static bool end_visible(const struct menu *m, struct menu_layout *l,
			size_t top)
{
	list_window(m, top, l);
	return top + l->shown == m->p.n_items;
}

/*
 * Move top the least needed to show the selection.  Scrolling down starts
 * at the lowest top that could work (a window never shows more than
 * list_rows items) and steps on; the markers cost at most two rows, so this
 * takes a few steps at most, and top == sel always shows sel.
 *
 * The list's height depends on the selection (its error is the status) and
 * on the status, so this runs whenever either changes.  When the list grew
 * back, top also moves up as long as the last item stays shown: the rows
 * under it would be empty while items above are hidden.  A window that
 * shows the last item from below sel also shows sel.
 */
static void scroll_to_sel(struct menu *m)
{
	struct menu_layout l;
	size_t t;

	menu_layout(m, m->top, &l);
	if (!m->p.n_items || !l.list_rows) {
		m->top = m->sel;
		return;
	}
	if (m->sel < m->top) {
		t = m->sel;
	} else {
		t = m->sel + 1 > l.list_rows ? m->sel + 1 - l.list_rows : 0;
		if (t < m->top)
			t = m->top;
		while (t < m->sel && !sel_visible(m, &l, t))
			t++;
	}
	while (t > 0 && end_visible(m, &l, t - 1))
		t--;
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
	/* The message's rows may have taken the selection's. */
	scroll_to_sel(m);
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
	struct menu_layout l;

	menu_layout(m, m->top, &l);
	return l.list_rows ? l.list_rows : 1;
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
