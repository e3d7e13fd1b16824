/* Running a menu: draw, wait for keys or the countdown, boot the choice. */
#include "core/baton.h"
#include "core/session.h"
#include "config/isomenu.h"
#include "firmware/firmware.h"
#include "loader/protocol.h"
#include "menu/menu.h"
#include "menu/screen.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define MAX_MENU_DEPTH 8
#define TICK_MS 250		/* wait granularity while counting down */

static const char *entry_title(const struct config_entry *e)
{
	return e->title ? e->title : e->id;
}

/*
 * An entry's command line or load options: the text after the image's path,
 * then the "options" lines (Linux entries only have those).  A new
 * allocation (bt_free()), or NULL when out of memory.
 */
static char *entry_cmdline(const struct config_entry *e)
{
	const char *a = e->args ? e->args : "", *o = e->options ? e->options : "";

	return fmt_alloc("%s%s%s", a, *a && *o ? " " : "", o);
}

/* The menu items for cfg's entries, and the strings they own. */
struct items {
	struct menu_item *item;
	char **owned;		/* per entry: an editable text built here, or NULL */
	size_t n;
};

static void items_free(struct items *it)
{
	size_t i;

	for (i = 0; it->owned && i < it->n; i++)
		bt_free(it->owned[i]);
	bt_free(it->owned);
	bt_free(it->item);
}

static int make_items(const struct config *cfg, struct items *it)
{
	size_t i;

	it->n = cfg->n_entries;
	it->item = bt_zalloc((it->n + 1) * sizeof(*it->item));
	it->owned = bt_zalloc((it->n + 1) * sizeof(*it->owned));
	if (!it->item || !it->owned)
		return BT_ENOMEM;
	for (i = 0; i < it->n; i++) {
		const struct config_entry *e = &cfg->entries[i];

		it->item[i].title = entry_title(e);
		it->item[i].error = e->error;
		const struct protocol *proto = protocol_find(config_kind_key(e->kind));

		if (proto && (proto->flags & PROTO_EDITABLE)) {
			it->owned[i] = entry_cmdline(e);
			if (!it->owned[i])
				return BT_ENOMEM;
			it->item[i].options = it->owned[i];
		}
	}
	return 0;
}

/*
 * Parse text[0..len) (a config read from, or written for, origin) into sub,
 * which config_init() set up and which may hold notes already, and run it
 * as the submenu of e.  Frees sub.
 */
static int open_text(struct session *s, const struct config_entry *e,
		     const struct path *origin, const char *text, size_t len,
		     struct config *sub)
{
	struct config_source src;
	size_t i;
	int rc = config_parse(sub, origin, text, len, session_source(s, &src));

	if (!rc)
		rc = config_finish(sub);
	if (!rc) {
		for (i = 0; i < sub->n_diags; i++)
			session_print(s, sub->diags[i]);
		s->depth++;
		rc = run_menu(s, sub, entry_title(e), true);
		s->depth--;
		console_invalidate(&s->con);
	}
	config_free(sub);
	return rc;
}

static int check_depth(struct session *s, char *msg, size_t msglen)
{
	if (s->depth < MAX_MENU_DEPTH)
		return 0;
	fmt_buf(msg, msglen, "menus nested more than %d deep", MAX_MENU_DEPTH);
	return BT_ELOOP;
}

/* Open the config of a `menu` entry as a submenu. */
static int open_submenu(struct session *s, const struct config_entry *e,
			char *msg, size_t msglen)
{
	struct config sub;
	char *data;
	size_t len;
	int rc = check_depth(s, msg, msglen);

	if (!rc)
		rc = fs_read_all(fw_fs(s->fw), &e->image, (void **)&data, &len,
				 msg, msglen);
	if (rc)
		return rc;
	config_init(&sub);
	rc = open_text(s, e, &e->image, data, len, &sub);
	bt_free(data);
	return rc;
}

/*
 * The volume inside the ISO file at iso_path: iso(ISO-PATH):/, through the
 * registry's resolver for that source.  err names the ISO on failure.
 */
static int find_iso_volume(struct fs *fs, const struct path *iso_path,
			   struct volume **out, char *msg, size_t msglen)
{
	char *text = isomenu_inner(iso_path, "/"), *name = NULL;
	struct path p;
	int rc = text ? path_parse(text, NULL, &p, msg, msglen) : BT_ENOMEM;

	if (!rc) {
		rc = fs_find_named(fs, &p, &name, out, msg, msglen);
		path_free(&p);
	}
	bt_free(name);
	bt_free(text);
	return rc;
}

/* An `iso` or `isos` entry: its submenu, written as config text. */
static int open_isomenu(struct session *s, const struct config_entry *e,
			char *msg, size_t msglen)
{
	struct fs *fs = fw_fs(s->fw);
	struct volume *host, *iso;
	struct config sub;
	char *name = NULL, *text = NULL;
	size_t len;
	int rc = check_depth(s, msg, msglen);

	if (!rc)
		rc = fs_find_named(fs, &e->image, &name, &host, msg, msglen);
	if (rc)
		return rc;
	bt_free(name);
	config_init(&sub);
	if (e->kind == ENTRY_ISOS)
		rc = isomenu_dir(host, &e->image, &sub, &text, &len, msg,
				 msglen);
	else if (!(rc = find_iso_volume(fs, &e->image, &iso, msg, msglen)))
		rc = isomenu_build(iso, &e->image, host, &sub, &text, &len);
	if (rc) {
		config_free(&sub);
		return rc;
	}
	rc = open_text(s, e, &e->image, text, len, &sub);
	bt_free(text);
	return rc;
}

int baton_boot(struct fw *fw, const struct config_entry *e,
	       const char *cmdline, uint64_t *status, char *msg, size_t msglen)
{
	const struct protocol *proto = protocol_find(config_kind_key(e->kind));
	struct boot_module *mods = NULL;
	struct boot_spec b = {
		.image = &e->image,
		.cmdline = cmdline ? cmdline : "",
		.where = e->where,
		.initrds = e->initrds,
		.n_initrds = e->n_initrds,
		.n_modules = e->n_modules,
		.quiesce = !e->no_quiesce,
		.disturb = e->disturb_irqs,
	};
	size_t i;
	int rc;

	if (!proto) {
		fmt_buf(msg, msglen, "nothing to boot");
		return BT_EUNSUPP;
	}
	if (e->n_modules && !(mods = bt_zalloc(e->n_modules * sizeof(*mods))))
		return BT_ENOMEM;
	for (i = 0; i < e->n_modules; i++) {
		mods[i].path = &e->modules[i].path;
		mods[i].args = e->modules[i].args;
	}
	b.modules = mods;
	rc = proto->boot(fw, &b, status, msg, msglen);
	bt_free(mods);
	return rc;
}

/*
 * Boot e through its protocol with cmdline.  *returned says whether what it
 * started came back (then *status is its exit status).
 */
static int boot_protocol(struct session *s, const struct config_entry *e,
			 const char *cmdline, bool *returned, uint64_t *status,
			 char *msg, size_t msglen)
{
	const struct protocol *proto = protocol_find(config_kind_key(e->kind));
	int rc = baton_boot(s->fw, e, cmdline, status, msg, msglen);

	*returned = rc == 0 && proto && (proto->flags & PROTO_MAY_RETURN);
	return rc;
}

/* Carry out an action entry; returns only when it did not happen. */
static int run_action(struct session *s, enum entry_action a, char *msg,
		      size_t msglen)
{
	switch (a) {
	case ACTION_EXIT:
		return RUN_EXIT;
	case ACTION_REBOOT:
		return fw_reset(s->fw, FW_RESET_REBOOT, msg, msglen);
	case ACTION_POWEROFF:
		return fw_reset(s->fw, FW_RESET_POWEROFF, msg, msglen);
	case ACTION_FIRMWARE_SETUP:
		return fw_reset(s->fw, FW_RESET_FIRMWARE_SETUP, msg, msglen);
	default:
		fmt_buf(msg, msglen, "unknown action");
		return BT_EINVAL;
	}
}

/*
 * Boot entry idx of cfg (with edited options, if any).  Returns RUN_EXIT to
 * leave baton, BT_ENOMEM, or 0 when baton should show the menu again; then
 * the menu's status says what happened.
 */
static int boot_entry(struct session *s, struct config *cfg, size_t idx,
		      const char *edited, struct menu *m)
{
	struct config_entry *e = &cfg->entries[idx];
	const char *title = entry_title(e), *why = m->p.items[idx].error;
	/* The load options or command line: as edited, or as configured. */
	const char *text = edited ? edited : m->p.items[idx].options;
	bool returned = false;
	char msg[400], line[520];
	uint64_t status = 0;
	int rc;

	msg[0] = '\0';
	if (why) {
		fmt_buf(line, sizeof(line), "cannot boot '%s': %s", title, why);
		session_print(s, line);
		return menu_set_status(m, line);
	}
	fw_con_clear(s->fw);
	fmt_buf(line, sizeof(line), "Booting '%s'", title);
	session_print(s, line);
	switch (e->kind) {
	case ENTRY_MENU:
	case ENTRY_ISO:
	case ENTRY_ISOS:
		rc = e->kind == ENTRY_MENU ? open_submenu(s, e, msg, sizeof(msg)) :
		     open_isomenu(s, e, msg, sizeof(msg));
		if (rc == RUN_BACK)
			return menu_set_status(m, NULL);
		break;
	case ENTRY_ACTION:
		rc = run_action(s, e->action, msg, sizeof(msg));
		break;
	default:
		/* A BLS entry with a boot counter: one try fewer, before it
		 * runs (the OS takes the counter away once it is up). */
		bls_count_boot(s, e);
		bli_booting(s, e, idx, !m->p.submenu);
		rc = boot_protocol(s, e, text, &returned, &status, msg,
				   sizeof(msg));
		break;
	}
	/* A boot that ran out of memory gave back what it took: the menu can
	 * go on, so it is reported like any other failure. */
	if (returned) {
		/* A program (or an EFI-stub kernel) ran and came back. */
		fmt_buf(line, sizeof(line), "'%s' returned status 0x%llx%s%s", title,
			(unsigned long long)status, msg[0] ? ": " : "", msg);
		session_print(s, line);
		return menu_set_status(m, line);
	}
	if (rc == RUN_EXIT)
		return rc;
	if (!msg[0])
		fmt_buf(msg, sizeof(msg), "%s", bt_strerror(rc));
	fmt_buf(line, sizeof(line), "cannot boot '%s': %s", title, msg);
	session_print(s, line);
	return menu_set_status(m, line);
}

/* Wait for a key or the next countdown step and feed it to the menu. */
static enum menu_result next_event(struct session *s, struct menu *m)
{
	uint64_t t0 = fw_time_ms(s->fw);
	struct key k;

	if (fw_key_wait(s->fw, menu_counting(m) ? TICK_MS : UINT32_MAX, &k) == 0) {
		s->interacted = true;
		return menu_key(m, &k);
	}
	return menu_tick(m, (unsigned)(fw_time_ms(s->fw) - t0));
}

static int menu_loop(struct session *s, struct config *cfg, struct menu *m,
		     struct screen *scr)
{
	/* "timeout 0" boots the default at once, unless the user is already
	 * choosing (then a submenu's timeout would surprise them). */
	if (cfg->timeout == 0 && !s->interacted && cfg->n_entries) {
		int rc = boot_entry(s, cfg, m->sel, NULL, m);

		if (rc)
			return rc;
	}
	if (!m->p.submenu)
		bli_menu_shown(s);
	for (;;) {
		enum menu_result r;
		int rc = menu_render(m, scr);

		if (!rc)
			rc = console_draw(&s->con, scr);
		if (rc)
			return rc;
		r = next_event(s, m);
		if (r == MENU_BACK)
			return RUN_BACK;
		if (r != MENU_BOOT || !cfg->n_entries)
			continue;
		rc = boot_entry(s, cfg, m->sel, menu_edited(m), m);
		if (rc)
			return rc;
		console_invalidate(&s->con);
	}
}

int run_menu(struct session *s, struct config *cfg, const char *heading,
	     bool submenu)
{
	struct items it = { 0 };
	int rc = make_items(cfg, &it);
	bool outer_off = s->editor_off;
	/* The top menu's default and timeout are the Boot Loader
	 * Interface's to change. */
	size_t def = submenu ? config_default_index(cfg) : bli_menu(s, cfg);
	struct menu_params p = {
		.heading = heading,
		.items = it.item,
		.n_items = cfg->n_entries,
		.default_index = def,
		.timeout_s = s->interacted || cfg->timeout <= 0 ? -1 : cfg->timeout,
		.editor = cfg->editor && !outer_off,
		.submenu = submenu,
		.notes = (const char *const *)cfg->diags,
		.n_notes = cfg->n_diags,
	};
	struct screen scr;
	struct menu m;

	if (rc) {
		items_free(&it);
		return rc;
	}
	fw_con_size(s->fw, &p.cols, &p.rows);
	rc = screen_init(&scr, p.cols, p.rows);
	if (!rc) {
		rc = menu_init(&m, &p);
		if (!rc) {
			console_invalidate(&s->con);
			s->editor_off = !p.editor;
			rc = menu_loop(s, cfg, &m, &scr);
			s->editor_off = outer_off;
			menu_free(&m);
		}
		screen_free(&scr);
	}
	items_free(&it);
	return rc;
}
