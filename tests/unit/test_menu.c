/*
 * The menu state machine, its renderer and struct screen: key sequences in,
 * screen rows checked as strings.
 */
#include "tests/unit/helpers.h"
#include "firmware/host/host.h"
#include "lib/fmt.h"
#include "lib/utf8.h"
#include "menu/menu.h"
#include "menu/screen.h"

#define MAX_ITEMS 64

/* A menu, its items and a screen of the menu's size. */
struct fx {
	struct menu_params p;
	struct menu_item items[MAX_ITEMS];
	char titles[MAX_ITEMS][32];
	char options[MAX_ITEMS][32];
	struct menu m;
	struct screen s;
};

/* n items "Entry N" with options "opt=N", on a cols x rows screen, no
 * countdown, editor on.  Change f->p and call start(). */
static struct fx *fx_new(size_t n, unsigned cols, unsigned rows)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	assert_true(n <= MAX_ITEMS);
	for (i = 0; i < n; i++) {
		snprintf(f->titles[i], sizeof(f->titles[i]), "Entry %zu", i + 1);
		snprintf(f->options[i], sizeof(f->options[i]), "opt=%zu", i + 1);
		f->items[i].title = f->titles[i];
		f->items[i].options = f->options[i];
	}
	f->p.heading = "baton";
	f->p.items = f->items;
	f->p.n_items = n;
	f->p.timeout_s = -1;
	f->p.editor = true;
	f->p.cols = cols;
	f->p.rows = rows;
	return f;
}

/* Initialise the menu and the screen from f->p. */
static void start(struct fx *f)
{
	assert_int_equal(menu_init(&f->m, &f->p), 0);
	assert_int_equal(screen_init(&f->s, f->p.cols, f->p.rows), 0);
}

static void fx_free(struct fx *f)
{
	menu_free(&f->m);
	screen_free(&f->s);
	free(f);
}

static enum menu_result press(struct fx *f, enum key_code code)
{
	struct key k = { code, 0 };

	return menu_key(&f->m, &k);
}

static enum menu_result ch(struct fx *f, uint32_t c)
{
	struct key k = { KEY_CHAR, c };

	return menu_key(&f->m, &k);
}

/* Type a UTF-8 string, one code point per key. */
static void type(struct fx *f, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + off, len - off, &cp);

		assert_true(n > 0);
		assert_int_equal(ch(f, cp), MENU_CONTINUE);
		off += n;
	}
}

static void draw(struct fx *f)
{
	assert_int_equal(menu_render(&f->m, &f->s), 0);
}

#define ROW(f, r) ((const char *)(f)->s.line[r])
#define assert_row(f, r, text) assert_string_equal(ROW(f, r), text)

/* Rows lo..hi (inclusive) are empty. */
static void assert_blank(struct fx *f, unsigned lo, unsigned hi)
{
	for (; lo <= hi; lo++)
		assert_row(f, lo, "");
}

/* --- initial state -------------------------------------------------------- */

static void test_init_defaults(void **state)
{
	struct fx *f = fx_new(5, 40, 12);

	f->p.default_index = 3;
	f->p.timeout_s = 5;
	start(f);
	assert_int_equal(f->m.sel, 3);
	assert_int_equal(f->m.top, 0);
	assert_int_equal(f->m.hscroll, 0);
	assert_int_equal(f->m.countdown_ms, 5000);
	assert_true(menu_counting(&f->m));
	assert_false(f->m.editing);
	assert_null(f->m.status);
	assert_null(menu_edited(&f->m));
	fx_free(f);
}

static void test_init_default_out_of_range(void **state)
{
	struct fx *f = fx_new(5, 40, 12);

	f->p.default_index = 5;
	start(f);
	assert_int_equal(f->m.sel, 0);
	assert_false(menu_counting(&f->m));
	fx_free(f);
}

static void test_init_default_scrolled_into_view(void **state)
{
	struct fx *f = fx_new(40, 80, 25);

	f->p.default_index = 30;
	start(f);
	assert_int_equal(f->m.sel, 30);
	/* marker, items 13..30, marker: the lowest top that shows item 30 */
	assert_int_equal(f->m.top, 13);
	draw(f);
	assert_row(f, 2, "  (more above)");
	assert_row(f, 3, "  14. Entry 14");
	assert_row(f, 20, "> 31. Entry 31");
	assert_row(f, 21, "  (more below)");
	assert_int_equal(f->s.highlight, 20);
	fx_free(f);
}

/* --- navigation ----------------------------------------------------------- */

static void test_up_down_stop_at_ends(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	assert_int_equal(press(f, KEY_UP), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 0);
	assert_int_equal(press(f, KEY_DOWN), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 1);
	press(f, KEY_DOWN);
	assert_int_equal(f->m.sel, 2);
	press(f, KEY_DOWN);
	assert_int_equal(f->m.sel, 2);	/* no wrap */
	press(f, KEY_UP);
	assert_int_equal(f->m.sel, 1);
	fx_free(f);
}

static void test_vi_keys(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	assert_int_equal(ch(f, 'k'), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 0);
	ch(f, 'j');
	ch(f, 'j');
	ch(f, 'j');
	assert_int_equal(f->m.sel, 2);
	ch(f, 'k');
	assert_int_equal(f->m.sel, 1);
	fx_free(f);
}

static void test_home_end(void **state)
{
	struct fx *f = fx_new(40, 80, 25);

	start(f);
	press(f, KEY_END);
	assert_int_equal(f->m.sel, 39);
	assert_int_equal(f->m.top, 21);
	press(f, KEY_HOME);
	assert_int_equal(f->m.sel, 0);
	assert_int_equal(f->m.top, 0);
	fx_free(f);
}

static void test_paging(void **state)
{
	struct fx *f = fx_new(40, 80, 25);
	struct menu_layout l;

	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_rows, 20);	/* 25 - heading, blanks, status, help */
	press(f, KEY_PGDN);
	assert_int_equal(f->m.sel, 20);
	assert_int_equal(f->m.top, 3);
	press(f, KEY_PGDN);
	assert_int_equal(f->m.sel, 39);	/* clamped to the end */
	press(f, KEY_PGUP);
	assert_int_equal(f->m.sel, 19);
	assert_int_equal(f->m.top, 19);
	press(f, KEY_UP);
	press(f, KEY_PGUP);
	assert_int_equal(f->m.sel, 0);	/* clamped to the start */
	assert_int_equal(f->m.top, 0);
	fx_free(f);
}

/* Check the screen of a 40-item menu on 25 rows: markers where items are
 * hidden, every list row filled, the selection highlighted and visible. */
static void check_scrolled_screen(struct fx *f)
{
	size_t sel = f->m.sel, top = f->m.top, i;
	unsigned r = 2;
	char want[32];

	draw(f);
	if (top > 0)
		assert_row(f, r++, "  (more above)");
	for (i = top; r < 21 || (r == 21 && i == 39); i++, r++) {
		snprintf(want, sizeof(want), "%s%2zu. Entry %zu",
			 i == sel ? "> " : "  ", i + 1, i + 1);
		assert_row(f, r, want);
		if (i == sel)
			assert_int_equal(f->s.highlight, (int)r);
	}
	if (r == 21)
		assert_row(f, 21, "  (more below)");
	assert_true(sel >= top && sel < i);
	assert_row(f, 22, "");
	assert_row(f, 24, "Enter: boot  e: edit");
}

static void test_scroll_long_menu(void **state)
{
	struct fx *f = fx_new(40, 80, 25);
	size_t i;

	start(f);
	draw(f);
	assert_row(f, 0, "baton");
	assert_row(f, 1, "");
	assert_row(f, 2, ">  1. Entry 1");
	assert_row(f, 20, "  19. Entry 19");
	assert_row(f, 21, "  (more below)");
	for (i = 0; i < 39; i++) {
		press(f, KEY_DOWN);
		assert_int_equal(f->m.sel, i + 1);
		check_scrolled_screen(f);
	}
	assert_row(f, 2, "  (more above)");
	assert_row(f, 3, "  22. Entry 22");
	assert_row(f, 21, "> 40. Entry 40");
	for (i = 39; i > 0; i--) {
		press(f, KEY_UP);
		check_scrolled_screen(f);
	}
	assert_int_equal(f->m.top, 0);
	fx_free(f);
}

static void test_scroll_one_past_the_first_page(void **state)
{
	struct fx *f = fx_new(40, 80, 25);
	size_t i;

	start(f);
	for (i = 0; i < 19; i++)
		press(f, KEY_DOWN);
	/* Item 20 needs both markers: items 3..20 are shown. */
	assert_int_equal(f->m.top, 2);
	draw(f);
	assert_row(f, 2, "  (more above)");
	assert_row(f, 3, "   3. Entry 3");
	assert_row(f, 20, "> 20. Entry 20");
	assert_row(f, 21, "  (more below)");
	fx_free(f);
}

/* --- booting, digits, Esc ------------------------------------------------- */

static void test_enter_boots_selection(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	press(f, KEY_DOWN);
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_int_equal(f->m.sel, 1);
	assert_null(menu_edited(&f->m));
	fx_free(f);
}

static void test_digits(void **state)
{
	struct fx *f = fx_new(5, 40, 12);

	start(f);
	assert_int_equal(ch(f, '9'), MENU_CONTINUE);	/* no item 9 */
	assert_int_equal(ch(f, '6'), MENU_CONTINUE);
	assert_int_equal(ch(f, '0'), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 0);
	assert_int_equal(ch(f, '3'), MENU_BOOT);
	assert_int_equal(f->m.sel, 2);
	assert_int_equal(ch(f, '5'), MENU_BOOT);
	assert_int_equal(f->m.sel, 4);
	assert_int_equal(ch(f, '1'), MENU_BOOT);
	assert_int_equal(f->m.sel, 0);
	assert_null(menu_edited(&f->m));
	fx_free(f);
}

static void test_digit_scrolls_into_view(void **state)
{
	struct fx *f = fx_new(12, 80, 9);	/* 4 list rows */

	start(f);
	assert_int_equal(ch(f, '9'), MENU_BOOT);
	assert_int_equal(f->m.sel, 8);
	draw(f);
	assert_int_equal(f->s.highlight, 4);
	assert_row(f, 4, ">  9. Entry 9");
	fx_free(f);
}

static void test_esc_in_root_does_nothing(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	press(f, KEY_DOWN);
	assert_int_equal(press(f, KEY_ESC), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 1);
	draw(f);
	assert_row(f, 11, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_esc_in_submenu_goes_back(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	f->p.submenu = true;
	f->p.heading = "Lab netboot menu";
	start(f);
	draw(f);
	assert_row(f, 0, "Lab netboot menu");
	assert_row(f, 11, "Enter: boot  e: edit  Esc: back");
	assert_int_equal(press(f, KEY_ESC), MENU_BACK);
	fx_free(f);
}

static void test_unused_keys_ignored(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	assert_int_equal(press(f, KEY_TAB), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_OTHER), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_BACKSPACE), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_DELETE), MENU_CONTINUE);
	assert_int_equal(ch(f, 'x'), MENU_CONTINUE);
	assert_int_equal(f->m.sel, 0);
	assert_false(f->m.editing);
	fx_free(f);
}

/* --- countdown ------------------------------------------------------------ */

static void test_countdown_runs_out(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 5;
	f->p.default_index = 1;
	start(f);
	draw(f);
	assert_row(f, 11, "Booting 'Entry 2' in 5 s; press any key to stop");
	assert_int_equal(menu_tick(&f->m, 1500), MENU_CONTINUE);
	draw(f);
	assert_row(f, 11, "Booting 'Entry 2' in 4 s; press any key to stop");
	assert_int_equal(menu_tick(&f->m, 3499), MENU_CONTINUE);
	draw(f);
	assert_row(f, 11, "Booting 'Entry 2' in 1 s; press any key to stop");
	assert_int_equal(menu_tick(&f->m, 1), MENU_BOOT);
	assert_int_equal(f->m.sel, 1);
	assert_null(menu_edited(&f->m));
	/* A failed boot comes back to a menu that waits. */
	assert_false(menu_counting(&f->m));
	assert_int_equal(menu_tick(&f->m, 10000), MENU_CONTINUE);
	draw(f);
	assert_row(f, 11, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_countdown_overshoot(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 2;
	start(f);
	assert_int_equal(menu_tick(&f->m, 4000000000u), MENU_BOOT);
	assert_int_equal(f->m.sel, 0);
	fx_free(f);
}

static void test_countdown_stopped_by_key(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 5;
	start(f);
	assert_int_equal(menu_tick(&f->m, 1000), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_DOWN), MENU_CONTINUE);
	assert_false(menu_counting(&f->m));
	assert_int_equal(f->m.countdown_ms, -1);
	assert_int_equal(f->m.sel, 1);	/* the key still moved */
	assert_int_equal(menu_tick(&f->m, 100000), MENU_CONTINUE);
	draw(f);
	assert_row(f, 11, "Enter: boot  e: edit");
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_int_equal(f->m.sel, 1);
	fx_free(f);
}

static void test_countdown_stopped_by_useless_key(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 1;
	start(f);
	assert_int_equal(press(f, KEY_OTHER), MENU_CONTINUE);
	assert_false(menu_counting(&f->m));
	assert_int_equal(menu_tick(&f->m, 5000), MENU_CONTINUE);
	fx_free(f);
}

static void test_countdown_key_acted_on_enter(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 3;
	start(f);
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_false(menu_counting(&f->m));
	fx_free(f);
}

static void test_timeout_zero_and_none(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 0;
	start(f);
	assert_true(menu_counting(&f->m));
	assert_int_equal(f->m.countdown_ms, 0);
	assert_int_equal(menu_tick(&f->m, 0), MENU_BOOT);
	fx_free(f);

	f = fx_new(3, 60, 12);
	f->p.timeout_s = -1;
	start(f);
	assert_false(menu_counting(&f->m));
	assert_int_equal(menu_tick(&f->m, 1000000), MENU_CONTINUE);
	fx_free(f);
}

static void test_huge_timeout(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.timeout_s = 2000000000;
	start(f);
	assert_true(f->m.countdown_ms > 0);
	assert_int_equal(menu_tick(&f->m, 1000), MENU_CONTINUE);
	fx_free(f);
}

/* --- the line editor ------------------------------------------------------ */

static void test_editor_edits_and_boots(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->items[0].options = "root=/dev/sda quiet";
	start(f);
	assert_int_equal(ch(f, 'e'), MENU_CONTINUE);
	assert_true(f->m.editing);
	assert_int_equal(f->m.edit_cur, 19);	/* at the end */
	draw(f);
	assert_row(f, 0, "Edit: Entry 1");
	assert_row(f, 1, "");
	assert_row(f, 2, "root=/dev/sda quiet");
	assert_blank(f, 3, 10);
	assert_row(f, 11, "Enter: boot  Esc: cancel");
	assert_int_equal(f->s.highlight, -1);
	assert_int_equal(f->s.cursor_row, 2);
	assert_int_equal(f->s.cursor_col, 19);

	type(f, " \xc3\xa9\xe6\x97\xa5");	/* " é日" */
	assert_string_equal(f->m.edit, "root=/dev/sda quiet \xc3\xa9\xe6\x97\xa5");
	assert_int_equal(f->m.edit_cur, 22);
	press(f, KEY_LEFT);
	press(f, KEY_LEFT);
	draw(f);
	assert_int_equal(f->s.cursor_col, 20);
	press(f, KEY_BACKSPACE);	/* the space before é */
	assert_string_equal(f->m.edit, "root=/dev/sda quiet\xc3\xa9\xe6\x97\xa5");
	assert_int_equal(f->m.edit_cur, 19);
	press(f, KEY_DELETE);		/* é */
	assert_string_equal(f->m.edit, "root=/dev/sda quiet\xe6\x97\xa5");
	assert_int_equal(f->m.edit_len, strlen(f->m.edit));
	press(f, KEY_HOME);
	assert_int_equal(f->m.edit_cur, 0);
	type(f, "x");
	press(f, KEY_END);
	assert_int_equal(f->m.edit_cur, 21);
	press(f, KEY_RIGHT);		/* already at the end */
	assert_int_equal(f->m.edit_cur, 21);
	press(f, KEY_DELETE);		/* nothing after the cursor */
	press(f, KEY_BACKSPACE);	/* 日 */
	type(f, "1je");			/* text, not navigation */
	assert_string_equal(f->m.edit, "xroot=/dev/sda quiet1je");
	assert_int_equal(f->m.sel, 0);

	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_false(f->m.editing);
	assert_string_equal(menu_edited(&f->m), "xroot=/dev/sda quiet1je");
	assert_string_equal(f->items[0].options, "root=/dev/sda quiet");
	fx_free(f);
}

static void test_editor_cursor_ends(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->items[1].options = "ab";
	start(f);
	press(f, KEY_DOWN);
	ch(f, 'e');
	assert_string_equal(f->m.edit, "ab");
	press(f, KEY_HOME);
	press(f, KEY_LEFT);		/* already at the start */
	assert_int_equal(f->m.edit_cur, 0);
	press(f, KEY_BACKSPACE);	/* nothing before the cursor */
	assert_string_equal(f->m.edit, "ab");
	press(f, KEY_RIGHT);
	press(f, KEY_DELETE);
	assert_string_equal(f->m.edit, "a");
	press(f, KEY_UP);		/* no meaning here */
	press(f, KEY_PGDN);
	press(f, KEY_TAB);
	assert_string_equal(f->m.edit, "a");
	assert_int_equal(f->m.sel, 1);
	press(f, KEY_BACKSPACE);
	assert_string_equal(f->m.edit, "");
	assert_int_equal(f->m.edit_len, 0);
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_string_equal(menu_edited(&f->m), "");
	fx_free(f);
}

static void test_editor_ignores_control_chars(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	start(f);
	ch(f, 'e');
	ch(f, 0x07);
	ch(f, 0x1b);
	ch(f, 0x7f);
	ch(f, 0x85);
	ch(f, 0xD800);	/* a surrogate cannot be encoded */
	assert_string_equal(f->m.edit, "opt=1");
	ch(f, 0x1F600);
	assert_string_equal(f->m.edit, "opt=1\xf0\x9f\x98\x80");
	assert_int_equal(f->m.edit_cur, 6);
	fx_free(f);
}

static void test_editor_esc_cancels(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	start(f);
	ch(f, 'e');
	type(f, " zz");
	assert_int_equal(press(f, KEY_ESC), MENU_CONTINUE);
	assert_false(f->m.editing);
	assert_null(menu_edited(&f->m));
	draw(f);
	assert_row(f, 2, "> 1. Entry 1");
	assert_int_equal(f->s.cursor_row, -1);
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_null(menu_edited(&f->m));
	/* Reopening starts again from the entry's options. */
	ch(f, 'e');
	assert_string_equal(f->m.edit, "opt=1");
	fx_free(f);
}

static void test_editor_esc_in_submenu_stays(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.submenu = true;
	start(f);
	ch(f, 'e');
	assert_int_equal(press(f, KEY_ESC), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_ESC), MENU_BACK);
	fx_free(f);
}

static void test_edit_forgotten_by_next_boot(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	start(f);
	ch(f, 'e');
	type(f, "!");
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_string_equal(menu_edited(&f->m), "opt=1!");
	/* The boot failed; the caller comes back and the user picks again. */
	press(f, KEY_DOWN);
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_null(menu_edited(&f->m));
	fx_free(f);
}

static void test_editor_scrolls_to_cursor(void **state)
{
	struct fx *f = fx_new(1, 10, 12);

	f->items[0].options = "0123456789abcdef";
	start(f);
	ch(f, 'e');
	draw(f);
	assert_row(f, 2, "789abcdef");
	assert_int_equal(f->s.cursor_col, 9);
	press(f, KEY_HOME);
	draw(f);
	assert_row(f, 2, "0123456789");
	assert_int_equal(f->s.cursor_col, 0);
	fx_free(f);
}

static void test_editor_disabled(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->p.editor = false;
	start(f);
	assert_int_equal(ch(f, 'e'), MENU_CONTINUE);
	assert_false(f->m.editing);
	assert_string_equal(f->m.status, "editing is disabled in the config");
	draw(f);
	assert_row(f, 5, "");
	assert_row(f, 6, "editing is disabled in the config");
	assert_row(f, 11, "Enter: boot");
	/* The message answered 'e'; the next key clears it. */
	press(f, KEY_DOWN);
	assert_null(f->m.status);
	draw(f);
	assert_row(f, 6, "");
	fx_free(f);
}

static void test_entry_with_nothing_to_edit(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->items[1].options = NULL;
	start(f);
	press(f, KEY_DOWN);
	draw(f);
	assert_row(f, 11, "Enter: boot");	/* 'e' does not apply here */
	ch(f, 'e');
	assert_false(f->m.editing);
	draw(f);
	assert_row(f, 6, "this entry has nothing to edit");
	press(f, KEY_UP);
	draw(f);
	assert_row(f, 11, "Enter: boot  e: edit");
	fx_free(f);
}

/* --- rendering ------------------------------------------------------------ */

static void test_render_whole_screen(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	draw(f);
	assert_row(f, 0, "baton");
	assert_row(f, 1, "");
	assert_row(f, 2, "> 1. Entry 1");
	assert_row(f, 3, "  2. Entry 2");
	assert_row(f, 4, "  3. Entry 3");
	assert_blank(f, 5, 10);
	assert_row(f, 11, "Enter: boot  e: edit");
	assert_int_equal(f->s.highlight, 2);
	assert_int_equal(f->s.cursor_row, -1);
	assert_int_equal(f->s.cursor_col, -1);
	press(f, KEY_DOWN);
	draw(f);
	assert_row(f, 2, "  1. Entry 1");
	assert_row(f, 3, "> 2. Entry 2");
	assert_int_equal(f->s.highlight, 3);
	fx_free(f);
}

static void test_render_numbers_aligned(void **state)
{
	struct fx *f = fx_new(12, 40, 25);

	start(f);
	draw(f);
	assert_row(f, 2, ">  1. Entry 1");
	assert_row(f, 10, "   9. Entry 9");
	assert_row(f, 11, "  10. Entry 10");
	assert_row(f, 13, "  12. Entry 12");
	assert_row(f, 14, "");
	fx_free(f);
}

static void test_status_line(void **state)
{
	struct fx *f = fx_new(3, 40, 12);
	char msg[] = "vmlinuz: not found";

	start(f);
	assert_int_equal(menu_set_status(&f->m, msg), 0);
	msg[0] = 'X';	/* copied, not borrowed */
	draw(f);
	assert_row(f, 5, "");
	assert_row(f, 6, "vmlinuz: not found");
	assert_int_equal(menu_set_status(&f->m, "second"), 0);
	draw(f);
	assert_row(f, 6, "second");
	assert_int_equal(menu_set_status(&f->m, NULL), 0);
	assert_null(f->m.status);
	draw(f);
	assert_row(f, 6, "");
	fx_free(f);
}

static void test_broken_item(void **state)
{
	struct fx *f = fx_new(3, 60, 12);

	f->items[1].error = "vmlinuz: not a bzImage (no HdrS signature at 0x202)";
	start(f);
	draw(f);
	assert_row(f, 3, "  2. Entry 2 [cannot boot]");
	assert_row(f, 6, "");	/* the error shows only when selected */
	press(f, KEY_DOWN);
	draw(f);
	assert_row(f, 3, "> 2. Entry 2 [cannot boot]");
	/* 65 code points on 60 columns: wrapped, the end on its own row. */
	assert_row(f, 6, "cannot boot: vmlinuz: not a bzImage (no HdrS signature at");
	assert_row(f, 7, "  0x202)");
	/* The error wins over a status message. */
	assert_int_equal(menu_set_status(&f->m, "something else"), 0);
	draw(f);
	assert_row(f, 6, "cannot boot: vmlinuz: not a bzImage (no HdrS signature at");
	assert_row(f, 7, "  0x202)");
	/* Enter still boots: the caller shows the error and comes back. */
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_int_equal(f->m.sel, 1);
	press(f, KEY_DOWN);
	draw(f);
	assert_row(f, 6, "");
	assert_row(f, 7, "");
	fx_free(f);
}

static const char long_title[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* Long messages, as baton really writes them. */
#define HEX_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
static const char sha_error[] =
	"/boot/vmlinuz: SHA-256 mismatch (expected " HEX_A ", got " HEX_B ")";
static const char conf_note[] =
	"/EFI/BOOT/baton.conf:12: entry 'x' has no efi, linux, linux-efi, "
	"multiboot, multiboot2, menu or action line";

static void test_long_title_cut(void **state)
{
	struct fx *f = fx_new(3, 30, 12);

	f->items[0].title = long_title;
	f->items[2].title = long_title;
	start(f);
	assert_int_equal(menu_title_room(&f->m, 0), 25);
	draw(f);
	assert_row(f, 2, "> 1. abcdefghijklmnopqrstuv...");
	assert_row(f, 4, "  3. abcdefghijklmnopqrstuv...");
	assert_int_equal(utf8_width(ROW(f, 2)), 30);
	fx_free(f);
}

static void test_hscroll(void **state)
{
	struct fx *f = fx_new(3, 30, 12);
	int i;

	f->items[0].title = long_title;
	start(f);
	press(f, KEY_LEFT);		/* nothing scrolled yet */
	assert_int_equal(f->m.hscroll, 0);
	press(f, KEY_RIGHT);
	assert_int_equal(f->m.hscroll, 1);
	draw(f);
	assert_row(f, 2, "> 1. ...bcdefghijklmnopqrst...");
	for (i = 0; i < 12; i++)
		press(f, KEY_RIGHT);
	draw(f);
	assert_row(f, 2, "> 1. ...nopqrstuvwxyz012345...");
	press(f, KEY_RIGHT);
	draw(f);
	assert_row(f, 2, "> 1. ...opqrstuvwxyz0123456789");
	for (i = 0; i < 10; i++)	/* the end is in view: stop there */
		press(f, KEY_RIGHT);
	assert_int_equal(f->m.hscroll, 14);
	draw(f);
	assert_row(f, 2, "> 1. ...opqrstuvwxyz0123456789");
	press(f, KEY_LEFT);
	assert_int_equal(f->m.hscroll, 13);
	/* A new selection starts unscrolled; the old one is drawn cut. */
	press(f, KEY_DOWN);
	assert_int_equal(f->m.hscroll, 0);
	draw(f);
	assert_row(f, 2, "  1. abcdefghijklmnopqrstuv...");
	press(f, KEY_RIGHT);		/* "Entry 2" fits: nothing to scroll */
	assert_int_equal(f->m.hscroll, 0);
	press(f, KEY_UP);
	assert_int_equal(f->m.hscroll, 0);
	draw(f);
	assert_row(f, 2, "> 1. abcdefghijklmnopqrstuv...");
	fx_free(f);
}

static void test_long_broken_title_keeps_suffix(void **state)
{
	struct fx *f = fx_new(3, 30, 12);

	f->items[0].title = long_title;
	f->items[0].error = "no kernel";
	start(f);
	assert_int_equal(menu_title_room(&f->m, 0), 11);
	draw(f);
	assert_row(f, 2, "> 1. abcdefgh... [cannot boot]");
	press(f, KEY_RIGHT);
	draw(f);
	assert_row(f, 2, "> 1. ...bcdef... [cannot boot]");
	fx_free(f);
}

static void test_utf8_title_cut(void **state)
{
	struct fx *f = fx_new(2, 20, 12);

	f->items[0].title = "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 Linux with a long name";
	start(f);
	draw(f);
	/* "Ünïcödé Linu..." : cut by code points, not bytes */
	assert_row(f, 2, "> 1. \xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 Linu...");
	assert_int_equal(utf8_width(ROW(f, 2)), 20);
	fx_free(f);
}

static void test_notes_fit(void **state)
{
	static const char *const notes[] = {
		"baton.conf:3: unknown key 'colour'",
		"baton.conf:9: entry 'x' has no kernel",
	};
	struct fx *f = fx_new(3, 40, 12);

	f->p.notes = notes;
	f->p.n_notes = 2;
	start(f);
	draw(f);
	assert_row(f, 4, "  3. Entry 3");
	assert_row(f, 5, "");
	assert_row(f, 6, "");	/* status */
	assert_row(f, 7, "baton.conf:3: unknown key 'colour'");
	assert_row(f, 8, "baton.conf:9: entry 'x' has no kernel");
	assert_blank(f, 9, 10);
	assert_row(f, 11, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_notes_wrap_to_cols(void **state)
{
	static const char *const notes[] = {
		"a very long diagnostic line that does not fit",
		"next",
	};
	struct fx *f = fx_new(3, 20, 12);

	f->p.notes = notes;
	f->p.n_notes = 2;
	start(f);
	draw(f);
	assert_row(f, 7, "a very long");
	assert_row(f, 8, "  diagnostic line");
	assert_row(f, 9, "  that does not fit");
	assert_row(f, 10, "next");
	assert_row(f, 11, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_notes_overflow(void **state)
{
	const char *notes[10];
	char text[10][16];
	struct fx *f = fx_new(3, 40, 12);
	size_t i;

	for (i = 0; i < 10; i++) {
		snprintf(text[i], sizeof(text[i]), "note %zu", i + 1);
		notes[i] = text[i];
	}
	f->p.notes = notes;
	f->p.n_notes = 10;
	start(f);
	draw(f);
	assert_row(f, 6, "");
	assert_row(f, 7, "note 1");
	assert_row(f, 9, "note 3");
	assert_row(f, 10, "(7 more messages)");
	assert_row(f, 11, "Enter: boot  e: edit");
	menu_free(&f->m);

	f->p.n_notes = 4;	/* exactly fills the rows */
	assert_int_equal(menu_init(&f->m, &f->p), 0);
	draw(f);
	assert_row(f, 10, "note 4");
	menu_free(&f->m);

	f->p.n_notes = 5;
	assert_int_equal(menu_init(&f->m, &f->p), 0);
	draw(f);
	assert_row(f, 9, "note 3");
	assert_row(f, 10, "(2 more messages)");
	fx_free(f);
}

static void test_notes_reserve_rows_in_long_menu(void **state)
{
	const char *notes[6] = { "n1", "n2", "n3", "n4", "n5", "n6" };
	struct fx *f = fx_new(40, 40, 25);
	struct menu_layout l;

	f->p.notes = notes;
	f->p.n_notes = 6;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_rows, 17);	/* 25 - 5 fixed - 3 note rows */
	draw(f);
	assert_row(f, 18, "  (more below)");
	assert_row(f, 19, "");
	assert_row(f, 20, "");
	assert_row(f, 21, "n1");
	assert_row(f, 22, "n2");
	assert_row(f, 23, "(4 more messages)");
	assert_row(f, 24, "Enter: boot  e: edit");
	menu_free(&f->m);

	f->p.n_notes = 3;
	assert_int_equal(menu_init(&f->m, &f->p), 0);
	draw(f);
	assert_row(f, 23, "n3");
	menu_free(&f->m);

	f->p.n_notes = 4;
	assert_int_equal(menu_init(&f->m, &f->p), 0);
	draw(f);
	assert_row(f, 22, "n2");
	assert_row(f, 23, "(2 more messages)");
	fx_free(f);
}

static void test_empty_menu(void **state)
{
	struct fx *f = fx_new(0, 40, 12);

	f->p.timeout_s = 5;
	f->p.submenu = true;
	start(f);
	assert_false(menu_counting(&f->m));
	draw(f);
	assert_row(f, 2, "  (no entries)");
	assert_row(f, 11, "Esc: back");
	assert_int_equal(f->s.highlight, -1);
	assert_int_equal(press(f, KEY_ENTER), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_DOWN), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_END), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_PGDN), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_RIGHT), MENU_CONTINUE);
	assert_int_equal(ch(f, '1'), MENU_CONTINUE);
	assert_int_equal(ch(f, 'e'), MENU_CONTINUE);
	assert_false(f->m.editing);
	assert_int_equal(menu_tick(&f->m, 10000), MENU_CONTINUE);
	assert_int_equal(press(f, KEY_ESC), MENU_BACK);
	fx_free(f);
}

/* Every row fits its width and the highlight, when set, is a list row;
 * the layout's parts do not overlap, and the list keeps three rows when
 * the screen has them. */
static void check_tiny(struct fx *f)
{
	struct menu_layout l;
	unsigned r;

	assert_int_equal(menu_render(&f->m, &f->s), 0);
	for (r = 0; r < f->s.rows; r++)
		assert_true(utf8_width(ROW(f, r)) <= f->s.cols);
	assert_true(f->s.highlight < (int)f->s.rows);
	assert_true(f->s.cursor_row < (int)f->s.rows);
	assert_true(f->s.cursor_col <= (int)f->s.cols);
	menu_layout(&f->m, f->m.top, &l);
	assert_true(l.notes_shown <= f->p.n_notes);
	if (f->s.rows >= 5) {
		assert_true(l.status_row + l.status_rows <= l.help_row);
		assert_true(l.notes_row + l.notes_rows <= l.help_row);
	}
	if (f->s.rows >= 8)	/* 4 fixed rows, a status row, 3 items */
		assert_true(l.list_rows >= 3);
}

/* Drive a 40-item menu with item 2 broken (error) and the notes through
 * keys and the editor on every screen up to 12 x 14. */
static void tiny_sweep(const char *error, const char *const *notes,
		       size_t n_notes)
{
	static const enum key_code keys[] = {
		KEY_DOWN, KEY_END, KEY_RIGHT, KEY_RIGHT, KEY_PGUP, KEY_DOWN,
		KEY_PGDN, KEY_UP, KEY_HOME, KEY_RIGHT,
	};
	unsigned rows, cols;
	size_t k;

	for (rows = 0; rows <= 12; rows++) {
		for (cols = 0; cols <= 14; cols++) {
			struct fx *f = fx_new(40, cols, rows);

			f->items[0].title = long_title;
			f->items[1].error = error;
			f->items[1].title = long_title;
			f->p.notes = notes;
			f->p.n_notes = n_notes;
			f->p.timeout_s = 3;
			start(f);
			check_tiny(f);
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				press(f, keys[k]);
				check_tiny(f);
				if (rows >= 9)	/* at least one list row */
					assert_true(f->s.highlight >= 2);
			}
			ch(f, 'e');
			type(f, "\xc3\xa9xyz");
			check_tiny(f);
			press(f, KEY_HOME);
			check_tiny(f);
			press(f, KEY_ESC);
			assert_int_equal(menu_set_status(&f->m, conf_note), 0);
			check_tiny(f);
			fx_free(f);
		}
	}
}

static void test_tiny_screens(void **state)
{
	static const char *const notes[] = { "n1", "n2", "n3", "n4" };
	static const char *const long_notes[] = {
		conf_note, "n2", conf_note, "a\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 b",
	};

	tiny_sweep("broken", notes, 4);
	tiny_sweep(sha_error, long_notes, 4);
	tiny_sweep(sha_error, long_notes, 1);
}

static void test_layout(void **state)
{
	struct fx *f = fx_new(40, 80, 25);
	struct menu_layout l;

	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_row, 2);
	assert_int_equal(l.list_rows, 20);
	assert_int_equal(l.status_row, 23);
	assert_int_equal(l.status_rows, 1);	/* kept blank for a message */
	assert_int_equal(l.notes_row, 24);
	assert_int_equal(l.notes_rows, 0);
	assert_int_equal(l.notes_shown, 0);
	assert_int_equal(l.help_row, 24);
	assert_false(l.more_above);
	assert_true(l.more_below);
	assert_int_equal(l.shown, 19);
	menu_layout(&f->m, 5, &l);
	assert_true(l.more_above);
	assert_true(l.more_below);
	assert_int_equal(l.shown, 18);
	menu_layout(&f->m, 21, &l);
	assert_true(l.more_above);
	assert_false(l.more_below);
	assert_int_equal(l.shown, 19);
	assert_int_equal(menu_title_room(&f->m, 0), 80 - 6);
	fx_free(f);
}

/* --- wrapped messages ----------------------------------------------------- */

/* Code points in the first n bytes of s. */
static size_t width_n(const char *s, size_t n)
{
	size_t w = 0, i = 0;

	while (i < n) {
		i += utf8_offset(s + i, 1);
		w++;
	}
	return w;
}

/*
 * Rows from r hold msg wrapped to the screen's width: every row fits, rows
 * after the first are indented by two, a row ends before a space only when
 * the next word would not have fitted and elsewhere only when it is full,
 * and the rows put back together give msg.  Returns the row after it.
 */
static unsigned assert_wrapped(struct fx *f, unsigned r, const char *msg)
{
	unsigned first = r, cols = f->s.cols;
	size_t pos = 0, len = strlen(msg);

	for (; r == first || pos < len; r++) {
		const char *row, *text;
		size_t n;

		assert_true(r < f->s.rows);
		row = text = ROW(f, r);
		assert_true(utf8_width(row) <= cols);
		if (r > first) {
			const char *prev = ROW(f, r - 1);

			assert_memory_equal(row, "  ", 2);
			text += 2;
			if (msg[pos] == ' ') {
				size_t word = strcspn(text, " ");

				assert_true(utf8_width(prev) + 1 +
					    width_n(text, word) > cols);
				pos++;
			} else {
				assert_int_equal(utf8_width(prev), cols);
			}
		}
		n = strlen(text);
		assert_true(n > 0 || len == 0);
		assert_true(n <= len - pos);
		assert_memory_equal(text, msg + pos, n);
		pos += n;
	}
	return r;
}

/* The screen's notes: the ones the layout shows, each wrapped whole, then
 * the count of the rest.  Returns the row after them. */
static unsigned assert_notes(struct fx *f, const struct menu_layout *l)
{
	unsigned r = l->notes_row;
	size_t i, left = f->p.n_notes - l->notes_shown;
	char want[48];

	for (i = 0; i < l->notes_shown; i++)
		r = assert_wrapped(f, r, f->p.notes[i]);
	if (left) {
		snprintf(want, sizeof(want), "(%zu more message%s)", left,
			 left == 1 ? "" : "s");
		assert_row(f, r++, want);
	}
	assert_true(r <= l->help_row);
	return r;
}

static void test_status_wraps(void **state)
{
	struct fx *f = fx_new(3, 80, 25);
	char msg[256];

	snprintf(msg, sizeof(msg), "cannot boot 'Debian': %s", sha_error);
	start(f);
	assert_int_equal(menu_set_status(&f->m, msg), 0);
	draw(f);
	assert_row(f, 4, "  3. Entry 3");
	assert_row(f, 5, "");
	assert_row(f, 6, "cannot boot 'Debian': /boot/vmlinuz: SHA-256 mismatch (expected");
	assert_row(f, 7, "  " HEX_A ", got");
	assert_row(f, 8, "  " HEX_B ")");
	assert_int_equal(assert_wrapped(f, 6, msg), 9);
	assert_blank(f, 9, 23);
	assert_row(f, 24, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_status_breaks_long_words(void **state)
{
	struct fx *f = fx_new(3, 40, 25);
	char msg[256];

	snprintf(msg, sizeof(msg), "cannot boot 'Debian': %s", sha_error);
	start(f);
	assert_int_equal(menu_set_status(&f->m, msg), 0);
	draw(f);
	assert_row(f, 6, "cannot boot 'Debian': /boot/vmlinuz:");
	assert_row(f, 7, "  SHA-256 mismatch (expected");
	/* 64 hex digits do not fit anywhere: cut where the row is full. */
	assert_row(f, 8, "  0123456789abcdef0123456789abcdef012345");
	assert_row(f, 9, "  6789abcdef0123456789abcdef, got");
	assert_int_equal(assert_wrapped(f, 6, msg), 12);
	assert_row(f, 12, "");
	fx_free(f);
}

static void test_status_wraps_utf8(void **state)
{
	static const char msg[] =
		"Pr\xc3\xbc" "fsumme f\xc3\xbcr \xe2\x80\x9evmlinuz\xe2\x80\x9c "
		"stimmt nicht \xc3\xbc" "berein: "
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9";
	struct fx *f = fx_new(3, 10, 25);

	start(f);
	assert_int_equal(menu_set_status(&f->m, msg), 0);
	draw(f);
	/* Counted in code points: "Prüfsumme" is 9 of them, 10 bytes. */
	assert_row(f, 6, "Pr\xc3\xbc" "fsumme");
	assert_row(f, 7, "  f\xc3\xbcr");
	assert_row(f, 8, "  \xe2\x80\x9evmlinuz");
	/* 25 é, 2 bytes each: broken by code points, never inside one. */
	assert_row(f, 12, "  \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		   "\xc3\xa9\xc3\xa9");
	assert_int_equal(assert_wrapped(f, 6, msg), 16);
	fx_free(f);
}

static void test_broken_error_wraps(void **state)
{
	struct fx *f = fx_new(3, 80, 25);
	char msg[256];

	f->items[1].error = sha_error;
	snprintf(msg, sizeof(msg), "cannot boot: %s", sha_error);
	start(f);
	press(f, KEY_DOWN);
	draw(f);
	assert_row(f, 3, "> 2. Entry 2 [cannot boot]");
	assert_row(f, 6, "cannot boot: /boot/vmlinuz: SHA-256 mismatch (expected");
	assert_row(f, 7, "  " HEX_A ", got");
	assert_row(f, 8, "  " HEX_B ")");
	assert_int_equal(assert_wrapped(f, 6, msg), 9);
	assert_blank(f, 9, 23);
	press(f, KEY_DOWN);
	draw(f);
	assert_blank(f, 5, 23);
	fx_free(f);

	/* The prefix's space is a place to break too: the path is not cut. */
	f = fx_new(3, 24, 12);
	f->items[0].error = "/EFI/debian/vmlinuz: not found";
	start(f);
	draw(f);
	assert_row(f, 6, "cannot boot:");
	assert_row(f, 7, "  /EFI/debian/vmlinuz:");
	assert_row(f, 8, "  not found");
	assert_row(f, 9, "");
	fx_free(f);
}

static void test_notes_wrap_and_overflow(void **state)
{
	static const char *const notes[] = {
		conf_note, "baton.conf:3: unknown key 'colour'", conf_note,
		"n4", "n5",
	};
	struct fx *f = fx_new(3, 40, 16);
	struct menu_layout l;

	f->p.notes = notes;
	f->p.n_notes = 5;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.notes_row, 7);
	assert_int_equal(l.notes_rows, 8);
	assert_int_equal(l.notes_shown, 3);	/* 3 + 1 + 3 rows, and a count */
	draw(f);
	assert_row(f, 7, "/EFI/BOOT/baton.conf:12: entry 'x' has");
	assert_row(f, 8, "  no efi, linux, linux-efi, multiboot,");
	assert_row(f, 9, "  multiboot2, menu or action line");
	assert_row(f, 10, "baton.conf:3: unknown key 'colour'");
	assert_int_equal(assert_wrapped(f, 11, conf_note), 14);
	assert_row(f, 14, "(2 more messages)");
	assert_int_equal(assert_notes(f, &l), 15);
	assert_row(f, 15, "Enter: boot  e: edit");
	fx_free(f);

	/* A note that does not fit whole is counted, not cut. */
	f = fx_new(3, 40, 13);
	f->p.notes = notes;
	f->p.n_notes = 3;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.notes_rows, 5);
	assert_int_equal(l.notes_shown, 2);
	draw(f);
	assert_int_equal(assert_wrapped(f, 7, conf_note), 10);
	assert_row(f, 10, "baton.conf:3: unknown key 'colour'");
	assert_row(f, 11, "(1 more message)");
	assert_row(f, 12, "Enter: boot  e: edit");
	fx_free(f);
}

static void test_wrapped_notes_reserve_rows(void **state)
{
	static const char *const notes[] = {
		conf_note, conf_note, conf_note, conf_note,
	};
	struct fx *f = fx_new(40, 40, 25);
	struct menu_layout l;

	f->p.notes = notes;
	f->p.n_notes = 4;
	start(f);
	menu_layout(&f->m, 0, &l);
	/* Two notes of 3 rows and the count: 25 - 4 fixed - status - 7. */
	assert_int_equal(l.list_rows, 13);
	assert_int_equal(l.notes_shown, 2);
	draw(f);
	assert_row(f, 14, "  (more below)");
	assert_row(f, 17, "/EFI/BOOT/baton.conf:12: entry 'x' has");
	assert_int_equal(assert_notes(f, &l), 24);
	assert_row(f, 23, "(2 more messages)");
	fx_free(f);

	/* Up to three notes are kept whole. */
	f = fx_new(40, 40, 25);
	f->p.notes = notes;
	f->p.n_notes = 3;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_rows, 11);
	assert_int_equal(l.notes_shown, 3);
	draw(f);
	assert_int_equal(assert_notes(f, &l), 24);
	fx_free(f);
}

static void test_list_keeps_three_rows(void **state)
{
	static const char *const notes[] = { conf_note, conf_note };
	struct fx *f = fx_new(40, 40, 25);
	struct menu_layout l;
	char huge[1200];
	size_t i;

	for (i = 0; i + 1 < sizeof(huge); i++)
		huge[i] = i % 8 == 7 ? ' ' : 'a' + i % 8;
	huge[i] = '\0';
	f->p.notes = notes;
	f->p.n_notes = 2;
	f->items[5].error = huge;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_rows, 14);	/* 25 - 4 - status - 6 */
	for (i = 0; i < 5; i++)
		press(f, KEY_DOWN);
	menu_layout(&f->m, f->m.top, &l);
	assert_int_equal(l.list_rows, 3);
	assert_int_equal(l.status_row, 6);
	assert_int_equal(l.status_rows, 18);	/* the rest, the text cut */
	assert_int_equal(l.notes_rows, 0);
	assert_int_equal(l.help_row, 24);
	draw(f);
	/* Item 6 needs both markers, so it is the only item shown. */
	assert_row(f, 2, "  (more above)");
	assert_row(f, 3, ">  6. Entry 6 [cannot boot]");
	assert_row(f, 4, "  (more below)");
	assert_row(f, 5, "");
	assert_row(f, 6, "cannot boot: abcdefg abcdefg abcdefg");
	assert_int_equal(strncmp(ROW(f, 23), "  ", 2), 0);
	assert_row(f, 24, "Enter: boot  e: edit");
	/* Moving on gives the rows back. */
	press(f, KEY_DOWN);
	menu_layout(&f->m, f->m.top, &l);
	assert_int_equal(l.list_rows, 14);
	assert_int_equal(f->m.top, 5);
	draw(f);
	assert_int_equal(f->s.highlight, 4);
	fx_free(f);

	/* Fewer items than that: the list is only as long as they are. */
	f = fx_new(2, 40, 12);
	f->items[0].error = huge;
	start(f);
	menu_layout(&f->m, 0, &l);
	assert_int_equal(l.list_rows, 2);
	assert_int_equal(l.status_rows, 11 - 5);
	fx_free(f);
}

/* Check f's screen against its layout: the selection highlighted inside
 * the list, no empty list row, the status showing the selection's error
 * whole, and the notes under it. */
static void check_selection_drawn(struct fx *f)
{
	const char *error = f->items[f->m.sel].error;
	struct menu_layout l;
	char want[256];
	unsigned r;

	draw(f);
	menu_layout(&f->m, f->m.top, &l);
	assert_true(l.list_rows >= 3);
	assert_true(f->s.highlight >= (int)l.list_row);
	assert_true(f->s.highlight < (int)(l.list_row + l.list_rows));
	snprintf(want, sizeof(want), "> %2zu. ", f->m.sel + 1);
	assert_memory_equal(ROW(f, f->s.highlight), want, strlen(want));
	for (r = l.list_row; r < l.list_row + l.list_rows; r++)
		assert_true(ROW(f, r)[0] != '\0');
	assert_row(f, r, "");
	if (error) {
		snprintf(want, sizeof(want), "cannot boot: %s", error);
		assert_int_equal(assert_wrapped(f, l.status_row, want),
				 l.notes_row);
	} else if (f->m.status) {
		assert_int_equal(assert_wrapped(f, l.status_row, f->m.status),
				 l.notes_row);
	} else {
		assert_row(f, l.status_row, "");
	}
	assert_notes(f, &l);
}

static void test_scroll_with_wrapped_messages(void **state)
{
	static const char *const notes[] = { conf_note, "short", conf_note };
	static const enum key_code keys[] = {
		KEY_PGDN, KEY_PGDN, KEY_UP, KEY_PGUP, KEY_END, KEY_HOME,
		KEY_PGDN, KEY_DOWN,
	};
	struct fx *f = fx_new(40, 40, 25);
	char msg[256];
	size_t i;

	f->p.notes = notes;
	f->p.n_notes = 3;
	for (i = 4; i < 40; i += 7)	/* 6 rows of error each */
		f->items[i].error = sha_error;
	start(f);
	check_selection_drawn(f);
	for (i = 0; i < 39; i++) {
		press(f, KEY_DOWN);
		assert_int_equal(f->m.sel, i + 1);
		check_selection_drawn(f);
	}
	for (i = 39; i > 0; i--) {
		press(f, KEY_UP);
		check_selection_drawn(f);
	}
	assert_int_equal(f->m.top, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		press(f, keys[i]);
		check_selection_drawn(f);
	}

	/* A long message set while the selection is at the list's bottom
	 * takes its rows; the list scrolls to keep the selection shown. */
	press(f, KEY_HOME);
	for (i = 0; i < 10; i++)
		press(f, KEY_DOWN);
	assert_int_equal(f->m.top, 0);
	check_selection_drawn(f);
	snprintf(msg, sizeof(msg), "cannot boot 'Entry 11': %s", sha_error);
	assert_int_equal(menu_set_status(&f->m, msg), 0);
	assert_true(f->m.top > 0);
	check_selection_drawn(f);
	press(f, KEY_LEFT);	/* any key clears it */
	assert_null(f->m.status);
	check_selection_drawn(f);
	fx_free(f);
}

/* Every wrapped row of head + tail at cols, joined by '|' into buf. */
static const char *wrap_rows_text(const char *head, const char *tail,
				  unsigned cols, char *buf, size_t size)
{
	struct screen_wrap w;
	struct screen_wrap_row row;
	size_t n = 0;

	screen_wrap_start(&w, head, tail, cols);
	while (screen_wrap_next(&w, &row))
		n += snprintf(buf + n, size - n, "%s%*s%.*s%.*s", n ? "|" : "",
			      (int)row.indent, "", (int)row.len[0], row.text[0],
			      (int)row.len[1], row.text[1]);
	assert_true(n < size);
	assert_int_equal(w.rows, screen_wrap_rows(head, tail, cols));
	return buf;
}

static void test_screen_wrap(void **state)
{
	char b[256];

	assert_string_equal(wrap_rows_text(NULL, NULL, 10, b, sizeof(b)), "");
	assert_string_equal(wrap_rows_text("", "", 10, b, sizeof(b)), "");
	assert_int_equal(screen_wrap_rows("anything at all", NULL, 0), 1);
	assert_string_equal(wrap_rows_text("hello world", NULL, 11, b, sizeof(b)),
			    "hello world");
	assert_string_equal(wrap_rows_text("hello world", NULL, 10, b, sizeof(b)),
			    "hello|  world");
	/* The space right after a full row is the break. */
	assert_string_equal(wrap_rows_text("hello world", NULL, 5, b, sizeof(b)),
			    "hello|  wor|  ld");
	/* A row never starts with the space it broke at, but keeps others. */
	assert_string_equal(wrap_rows_text("aaa  bbb", NULL, 4, b, sizeof(b)),
			    "aaa |  bb|  b");
	assert_string_equal(wrap_rows_text("abc ", NULL, 3, b, sizeof(b)), "abc");
	/* Head and tail are one text; a row may take from both. */
	assert_string_equal(wrap_rows_text("ab", "cd", 3, b, sizeof(b)),
			    "abc|  d");
	assert_string_equal(wrap_rows_text("cannot boot: ", "/x/y", 12, b,
					   sizeof(b)), "cannot boot:|  /x/y");
	assert_string_equal(wrap_rows_text(NULL, "x y", 3, b, sizeof(b)), "x y");
	/* Too narrow for the indent: rows are not indented. */
	assert_string_equal(wrap_rows_text("abcde", NULL, 2, b, sizeof(b)),
			    "ab|cd|e");
	assert_string_equal(wrap_rows_text("a b", NULL, 1, b, sizeof(b)), "a|b");
	/* Invalid bytes count one column each. */
	assert_string_equal(wrap_rows_text("\xff\xfe\xfd", NULL, 2, b, sizeof(b)),
			    "\xff\xfe|\xfd");
	assert_string_equal(wrap_rows_text("\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9",
					   NULL, 4, b, sizeof(b)),
			    "\xc3\xa9\xc3\xa9\xc3\xa9|  \xc3\xa9");
}

/* --- struct screen -------------------------------------------------------- */

static void test_screen_set_cuts_code_points(void **state)
{
	struct screen s;

	assert_int_equal(screen_init(&s, 3, 2), 0);
	assert_string_equal(s.line[0], "");
	assert_string_equal(s.line[1], "");
	assert_int_equal(s.highlight, -1);
	assert_int_equal(screen_set(&s, 0, "h\xc3\xa9llo"), 0);
	assert_string_equal(s.line[0], "h\xc3\xa9l");
	assert_int_equal(screen_set(&s, 1, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 0);
	assert_string_equal(s.line[1], "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
	/* An invalid byte counts as one code point. */
	assert_int_equal(screen_set(&s, 1, "\xff\xfe" "abc"), 0);
	assert_string_equal(s.line[1], "\xff\xfe" "a");
	assert_int_equal(screen_set(&s, 1, "ab"), 0);
	assert_string_equal(s.line[1], "ab");
	assert_int_equal(screen_set(&s, 1, NULL), 0);
	assert_string_equal(s.line[1], "");
	assert_int_equal(screen_set(&s, 2, "x"), BT_EINVAL);
	s.highlight = 1;
	s.cursor_row = s.cursor_col = 0;
	screen_clear(&s);
	assert_string_equal(s.line[0], "");
	assert_int_equal(s.highlight, -1);
	assert_int_equal(s.cursor_row, -1);
	assert_int_equal(s.cursor_col, -1);
	screen_free(&s);
	assert_null(s.line);
}

static void test_screen_empty_sizes(void **state)
{
	struct screen s;

	assert_int_equal(screen_init(&s, 0, 0), 0);
	assert_int_equal(screen_set(&s, 0, "x"), BT_EINVAL);
	screen_free(&s);
	assert_int_equal(screen_init(&s, 0, 1), 0);
	assert_int_equal(screen_set(&s, 0, "x"), 0);
	assert_string_equal(s.line[0], "");
	screen_free(&s);
}

/* --- out of memory -------------------------------------------------------- */

static void test_oom_screen_init(void **state)
{
	struct screen s;

	host_alloc_fail_after(0);
	assert_int_equal(screen_init(&s, 80, 25), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_null(s.line);
	screen_free(&s);	/* harmless after a failed init */
}

static void test_oom_set_status(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	assert_int_equal(menu_set_status(&f->m, "old"), 0);
	host_alloc_fail_after(0);
	assert_int_equal(menu_set_status(&f->m, "new"), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_string_equal(f->m.status, "old");	/* left as it was */
	fx_free(f);
}

/* Render f under every possible allocation failure: each one is reported as
 * BT_ENOMEM; then a render with memory succeeds.  Returns the failures. */
static long render_oom_loop(struct fx *f)
{
	long n;
	int err;

	for (n = 0; n < 1000; n++) {
		host_alloc_fail_after(n);
		err = menu_render(&f->m, &f->s);
		host_alloc_fail_after(-1);
		if (!err)
			return n;
		assert_int_equal(err, BT_ENOMEM);
	}
	fail_msg("render never succeeded");
	return n;
}

static void test_oom_render(void **state)
{
	const char *notes[5] = { "n1", "n2", "n3", "n4", "n5" };
	struct fx *f = fx_new(40, 30, 25);

	f->items[0].title = long_title;
	f->items[1].error = "vmlinuz: not found";
	f->p.notes = notes;
	f->p.n_notes = 5;
	f->p.timeout_s = 10;
	f->p.default_index = 1;
	start(f);
	assert_true(render_oom_loop(f) > 10);
	assert_row(f, 3, ">  2. Entry 2 [cannot boot]");
	assert_row(f, 16, "  15. Entry 15");	/* the list gave a row... */
	assert_row(f, 17, "  (more below)");
	assert_row(f, 18, "");
	assert_row(f, 19, "cannot boot: vmlinuz: not");	/* ...to the error */
	assert_row(f, 20, "  found");
	assert_row(f, 21, "n1");
	assert_row(f, 22, "n2");
	assert_row(f, 23, "(3 more messages)");
	assert_row(f, 24, "Booting 'Entry 2' in 10 s; pre");

	ch(f, 'e');
	assert_true(f->m.editing);
	assert_true(render_oom_loop(f) >= 1);
	assert_row(f, 0, "Edit: Entry 2");
	assert_row(f, 2, "opt=2");
	fx_free(f);
}

static void test_oom_render_wrapped(void **state)
{
	static const char *const notes[] = { conf_note, "n2", conf_note, "n4" };
	struct fx *f = fx_new(40, 40, 25);
	struct menu_layout l;
	char msg[256];

	f->items[3].error = sha_error;
	f->p.notes = notes;
	f->p.n_notes = 4;
	f->p.default_index = 3;
	start(f);
	/* One allocation per wrapped row: each failure is reported. */
	assert_true(render_oom_loop(f) > 20);
	menu_layout(&f->m, f->m.top, &l);
	snprintf(msg, sizeof(msg), "cannot boot: %s", sha_error);
	assert_int_equal(assert_wrapped(f, l.status_row, msg), l.notes_row);
	assert_int_equal(assert_notes(f, &l), 24);

	assert_int_equal(menu_set_status(&f->m, "x"), 0);
	press(f, KEY_DOWN);
	host_alloc_fail_after(0);
	assert_int_equal(menu_set_status(&f->m, msg), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_null(f->m.status);	/* as it was; the layout with it */
	assert_true(render_oom_loop(f) > 10);
	menu_layout(&f->m, f->m.top, &l);
	assert_int_equal(l.status_rows, 1);
	assert_row(f, l.status_row, "");
	fx_free(f);
}

static void test_oom_editor(void **state)
{
	struct fx *f = fx_new(3, 40, 12);

	start(f);
	host_alloc_fail_after(0);
	assert_int_equal(ch(f, 'e'), MENU_CONTINUE);
	host_alloc_fail_after(-1);
	assert_false(f->m.editing);	/* nothing half-open */
	assert_null(f->m.edit);

	ch(f, 'e');
	assert_true(f->m.editing);
	/* The first insert must grow the buffer: a failure drops the key. */
	host_alloc_fail_after(0);
	assert_int_equal(ch(f, 'x'), MENU_CONTINUE);
	host_alloc_fail_after(-1);
	assert_string_equal(f->m.edit, "opt=1");
	assert_int_equal(f->m.edit_cur, 5);
	assert_int_equal(f->m.edit_len, 5);
	type(f, "xy");
	assert_string_equal(f->m.edit, "opt=1xy");
	assert_int_equal(press(f, KEY_ENTER), MENU_BOOT);
	assert_string_equal(menu_edited(&f->m), "opt=1xy");
	fx_free(f);
}

/* Drive a whole session with allocation n failing: nothing may crash or
 * leak, and whatever happened must leave a consistent editor buffer. */
static void test_oom_session_sweep(void **state)
{
	long n;

	for (n = 0; n < 40; n++) {
		struct fx *f = fx_new(20, 30, 12);

		f->items[0].title = long_title;
		f->p.timeout_s = 2;
		start(f);
		host_alloc_fail_after(n);
		menu_render(&f->m, &f->s);
		ch(f, 'x');
		menu_render(&f->m, &f->s);
		f->m.p.editor = false;
		ch(f, 'e');
		menu_set_status(&f->m, "hello");
		menu_render(&f->m, &f->s);
		f->m.p.editor = true;
		ch(f, 'e');
		ch(f, 'a');
		ch(f, 0xe9);
		press(f, KEY_LEFT);
		press(f, KEY_BACKSPACE);
		ch(f, 'b');
		menu_render(&f->m, &f->s);
		host_alloc_fail_after(-1);
		if (f->m.editing) {
			assert_int_equal(strlen(f->m.edit), f->m.edit_len);
			assert_true(f->m.edit_len < f->m.edit_cap);
			assert_true(f->m.edit_cur <= utf8_width(f->m.edit));
		}
		fx_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_init_default_out_of_range),
		cmocka_unit_test(test_init_default_scrolled_into_view),
		cmocka_unit_test(test_up_down_stop_at_ends),
		cmocka_unit_test(test_vi_keys),
		cmocka_unit_test(test_home_end),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_scroll_long_menu),
		cmocka_unit_test(test_scroll_one_past_the_first_page),
		cmocka_unit_test(test_enter_boots_selection),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_digit_scrolls_into_view),
		cmocka_unit_test(test_esc_in_root_does_nothing),
		cmocka_unit_test(test_esc_in_submenu_goes_back),
		cmocka_unit_test(test_unused_keys_ignored),
		cmocka_unit_test(test_countdown_runs_out),
		cmocka_unit_test(test_countdown_overshoot),
		cmocka_unit_test(test_countdown_stopped_by_key),
		cmocka_unit_test(test_countdown_stopped_by_useless_key),
		cmocka_unit_test(test_countdown_key_acted_on_enter),
		cmocka_unit_test(test_timeout_zero_and_none),
		cmocka_unit_test(test_huge_timeout),
		cmocka_unit_test(test_editor_edits_and_boots),
		cmocka_unit_test(test_editor_cursor_ends),
		cmocka_unit_test(test_editor_ignores_control_chars),
		cmocka_unit_test(test_editor_esc_cancels),
		cmocka_unit_test(test_editor_esc_in_submenu_stays),
		cmocka_unit_test(test_edit_forgotten_by_next_boot),
		cmocka_unit_test(test_editor_scrolls_to_cursor),
		cmocka_unit_test(test_editor_disabled),
		cmocka_unit_test(test_entry_with_nothing_to_edit),
		cmocka_unit_test(test_render_whole_screen),
		cmocka_unit_test(test_render_numbers_aligned),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_broken_item),
		cmocka_unit_test(test_long_title_cut),
		cmocka_unit_test(test_hscroll),
		cmocka_unit_test(test_long_broken_title_keeps_suffix),
		cmocka_unit_test(test_utf8_title_cut),
		cmocka_unit_test(test_notes_fit),
		cmocka_unit_test(test_notes_wrap_to_cols),
		cmocka_unit_test(test_notes_overflow),
		cmocka_unit_test(test_notes_reserve_rows_in_long_menu),
		cmocka_unit_test(test_empty_menu),
		cmocka_unit_test(test_tiny_screens),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_status_wraps),
		cmocka_unit_test(test_status_breaks_long_words),
		cmocka_unit_test(test_status_wraps_utf8),
		cmocka_unit_test(test_broken_error_wraps),
		cmocka_unit_test(test_notes_wrap_and_overflow),
		cmocka_unit_test(test_wrapped_notes_reserve_rows),
		cmocka_unit_test(test_list_keeps_three_rows),
		cmocka_unit_test(test_scroll_with_wrapped_messages),
		cmocka_unit_test(test_screen_wrap),
		cmocka_unit_test(test_screen_set_cuts_code_points),
		cmocka_unit_test(test_screen_empty_sizes),
		cmocka_unit_test(test_oom_screen_init),
		cmocka_unit_test(test_oom_set_status),
		cmocka_unit_test(test_oom_render),
		cmocka_unit_test(test_oom_render_wrapped),
		cmocka_unit_test(test_oom_editor),
		cmocka_unit_test(test_oom_session_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
