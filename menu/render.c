/*
 * menu_render: draws a struct menu into a struct screen.  The layout comes
 * from menu_layout(), the same one the state machine scrolls with, so the
 * selection the state machine keeps visible is the one drawn here.
 *
 * Every line is formatted into a temporary allocation and copied into the
 * screen; out of memory stops the drawing with BT_ENOMEM (the caller keeps
 * the previous frame).
 */
#include "menu/menu.h"
#include "menu/screen.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/* Shown after a broken item's title. */
static const char broken_suffix[] = " [cannot boot]";

/* Below this many code points a title is just cut: "..." would leave no
 * room for the title itself. */
#define MIN_ELLIPSIS_ROOM 7

/* Set row r, ignoring rows below the screen (tiny screens). */
static int put(struct screen *s, unsigned r, const char *text)
{
	return r < s->rows ? screen_set(s, r, text) : 0;
}

/* Like put(), then free text; a NULL text is the allocation that failed. */
static int put_owned(struct screen *s, unsigned r, char *text)
{
	int err;

	if (!text)
		return BT_ENOMEM;
	err = put(s, r, text);
	bt_free(text);
	return err;
}

/* Decimal digits of n (at least 1), the width of the item numbers. */
static int digits(size_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Here rather than in menu.c because the row's format is decided here;
 * the state machine asks it how far a long title may scroll. */
size_t menu_title_room(const struct menu *m, size_t i)
{
	/* "> " + right-aligned number + ". " */
	size_t used = 2 + (size_t)digits(m->p.n_items) + 2;

	if (i < m->p.n_items && m->p.items[i].error)
		used += sizeof(broken_suffix) - 1;	/* ASCII: bytes == columns */
	return m->p.cols > used ? m->p.cols - used : 0;
}

/*
 * The part of title that fits in room code points when h of them are
 * scrolled off: "..." marks a cut at either end.  New allocation, or NULL.
 */
static char *fit_title(const char *title, size_t room, size_t h)
{
	size_t w = utf8_width(title), lead, keep;
	const char *from;

	if (h > w)
		h = w;
	if (!h && w <= room)
		return str_dup(title);
	from = title + utf8_offset(title, h);
	if (room < MIN_ELLIPSIS_ROOM)
		return str_ndup(from, utf8_offset(from, room));
	lead = h ? 3 : 0;
	if (lead + (w - h) <= room)
		return fmt_alloc("%s%s", h ? "..." : "", from);
	keep = room - lead - 3;
	return fmt_alloc("%s%.*s...", h ? "..." : "",
			 (int)utf8_offset(from, keep), from);
}

/* Item i's row: "> N. Title" when selected, "  N. Title" otherwise. */
static int render_item(const struct menu *m, struct screen *s, size_t i,
		       unsigned r)
{
	const struct menu_item *it = &m->p.items[i];
	bool selected = i == m->sel;
	char *title, *line;

	title = fit_title(it->title, menu_title_room(m, i),
			  selected ? m->hscroll : 0);
	if (!title)
		return BT_ENOMEM;
	line = fmt_alloc("%s%*zu. %s%s", selected ? "> " : "  ",
			 digits(m->p.n_items), i + 1, title,
			 it->error ? broken_suffix : "");
	bt_free(title);
	if (selected && r < s->rows)
		s->highlight = (int)r;
	return put_owned(s, r, line);
}

/* The visible items, with markers for those scrolled off. */
static int render_list(const struct menu *m, struct screen *s,
		       const struct menu_layout *l)
{
	unsigned r = l->list_row;
	size_t i;
	int err;

	if (!m->p.n_items)
		return l->list_rows ? put(s, r, "  (no entries)") : 0;
	if (l->more_above && (err = put(s, r++, "  (more above)")))
		return err;
	for (i = m->top; i < m->top + l->shown; i++, r++)
		if ((err = render_item(m, s, i, r)))
			return err;
	if (l->more_below)
		return put(s, r, "  (more below)");
	return 0;
}

/* Here rather than in menu.c because the wording is decided here; the
 * layout asks for it to know how many rows the message takes. */
bool menu_status_text(const struct menu *m, const char **head,
		      const char **tail)
{
	const char *error = m->p.n_items ? m->p.items[m->sel].error : NULL;

	*head = *tail = NULL;
	if (error) {
		*head = "cannot boot: ";
		*tail = error;
	} else if (m->status) {
		*tail = m->status;
	}
	return *tail != NULL;
}

/* Head then tail wrapped to m's width, on at most max rows from *r;
 * *r is moved past the rows drawn. */
static int render_wrapped(const struct menu *m, struct screen *s,
			  unsigned *r, size_t max, const char *head,
			  const char *tail)
{
	struct screen_wrap w;
	struct screen_wrap_row row;
	int err = 0;

	screen_wrap_start(&w, head, tail, m->p.cols);
	while (!err && w.rows < max && screen_wrap_next(&w, &row))
		err = put_owned(s, (*r)++,
				fmt_alloc("%*s%.*s%.*s", (int)row.indent, "",
					  (int)row.len[0], row.text[0],
					  (int)row.len[1], row.text[1]));
	return err;
}

/* The selection's error if it cannot boot, else the status message, over
 * the rows the layout gave it. */
static int render_status(const struct menu *m, struct screen *s,
			 const struct menu_layout *l)
{
	const char *head, *tail;
	unsigned r = l->status_row;

	if (!menu_status_text(m, &head, &tail))
		return 0;
	return render_wrapped(m, s, &r, l->status_rows, head, tail);
}

/* The notes the layout has room for, each whole; when some do not fit, the
 * row after the last one counts them. */
static int render_notes(const struct menu *m, struct screen *s,
			const struct menu_layout *l)
{
	size_t n = m->p.n_notes, i, left = n - l->notes_shown;
	unsigned r = l->notes_row;
	int err;

	/* The layout made room for each of these whole. */
	for (i = 0; i < l->notes_shown; i++)
		if ((err = render_wrapped(m, s, &r, SIZE_MAX, NULL,
					  m->p.notes[i])))
			return err;
	if (!left || !l->notes_rows)
		return 0;
	return put_owned(s, r, fmt_alloc("(%zu more message%s)", left,
					  left == 1 ? "" : "s"));
}

/* The keys that do something here, or the countdown while it runs. */
static int render_help(const struct menu *m, struct screen *s,
		       const struct menu_layout *l)
{
	const struct menu_item *it = m->p.n_items ? &m->p.items[m->sel] : NULL;
	char help[64];

	if (menu_counting(m) && it) {
		int secs = (m->countdown_ms + 999) / 1000;

		return put_owned(s, l->help_row,
				 fmt_alloc("Booting '%s' in %d s; press any key to stop",
					   it->title, secs));
	}
	fmt_buf(help, sizeof(help), "%s%s%s",
		it ? "Enter: boot" : "",
		it && m->p.editor && it->options ? "  e: edit" : "",
		m->p.submenu ? "  Esc: back" : "");
	/* Without items the line would start with the separator. */
	return put(s, l->help_row, help[0] == ' ' ? help + 2 : help);
}

/* The editor's screen: title, the text scrolled to show the cursor, keys. */
static int render_editor(const struct menu *m, struct screen *s)
{
	unsigned cols = m->p.cols;
	size_t scroll = m->edit_cur >= cols ? m->edit_cur - cols + 1 : 0;
	int err;

	err = put_owned(s, 0, fmt_alloc("Edit: %s", m->p.items[m->sel].title));
	if (!err)
		err = put(s, 2, m->edit + utf8_offset(m->edit, scroll));
	if (!err && s->rows)
		err = put(s, s->rows - 1, "Enter: boot  Esc: cancel");
	if (!err && cols && s->rows > 2) {
		s->cursor_row = 2;
		s->cursor_col = (int)(m->edit_cur - scroll);
	}
	return err;
}

int menu_render(const struct menu *m, struct screen *s)
{
	struct menu_layout l;
	int err;

	screen_clear(s);
	if (m->editing)
		return render_editor(m, s);
	menu_layout(m, m->top, &l);
	err = put(s, 0, m->p.heading ? m->p.heading : "");
	if (!err)
		err = render_list(m, s, &l);
	if (!err)
		err = render_status(m, s, &l);
	if (!err)
		err = render_notes(m, s, &l);
	/* Last: on a tiny screen the help row wins over what it overlaps. */
	if (!err && s->rows)
		err = render_help(m, s, &l);
	return err;
}
