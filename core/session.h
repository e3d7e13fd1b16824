/* Private to core/: the state of one baton run, passed to every step. */
#ifndef BATON_CORE_SESSION_H
#define BATON_CORE_SESSION_H

#include <stdbool.h>
#include "config/config.h"
#include "core/bli.h"
#include "core/console.h"

struct fw;

/* What running a menu ended with. */
enum run_end {
	RUN_BACK = 1,	/* the user left a submenu */
	RUN_EXIT = 2,	/* "action exit": leave baton */
};

struct session {
	struct fw *fw;
	struct console con;
	bool interacted;	/* a key was pressed: no more countdowns */
	unsigned depth;		/* submenu nesting */
	bool editor_off;	/* a menu this one opened from said "editor
				 * no": a submenu cannot turn it back on */
	/* The Boot Loader Interface (core/bli.c). */
	struct bli_vars bli;	/* what the variables asked of this boot */
	enum bli_save bli_save;	/* @saved on or off */
	size_t bli_oneshot;	/* the top menu's one-shot entry, or SIZE_MAX */
	bool bli_menu_timed;	/* LoaderTimeMenuUSec written */
	bool bli_warned;	/* a variable failure was said */
};

/* The config_source that reads includes through the firmware's volumes. */
extern const struct config_source *session_source(struct session *s,
						  struct config_source *out);

/*
 * Run the menu of cfg until the user leaves it or exits baton.  heading is
 * the top line; submenu says whether Esc leaves.  Returns RUN_BACK or
 * RUN_EXIT, or BT_ENOMEM.
 */
int run_menu(struct session *s, struct config *cfg, const char *heading,
	     bool submenu);

/*
 * Fill cfg with the menu baton shows when it has no config: the EFI
 * programs found under /EFI on every volume (other than baton itself),
 * the /isos and /iso folders holding ISO files, then firmware setup,
 * reboot, power off and exit.  Returns 0 or BT_ENOMEM.
 */
int automenu_build(struct session *s, struct config *cfg);

struct bls_prefs;

/*
 * Add the Boot Loader Specification entries found on baton's own volume
 * and the XBOOTLDR partitions to cfg, sorted, after those it has, and apply
 * /loader/loader.conf where no config set the key; prefs says what it asks
 * of baton's automatic menu.  0 or BT_ENOMEM (problems are diagnostics).
 */
int bls_scan(struct session *s, struct config *cfg, struct bls_prefs *prefs);

/*
 * Before e boots: rename its file to its next boot-counter name (only when
 * e->bls_next is set; once per session).  A failure is printed, not
 * returned: the boot goes on.
 */
void bls_count_boot(struct session *s, struct config_entry *e);

/* Print a line (UTF-8) on the console, below whatever is there. */
void session_print(struct session *s, const char *line);

#endif
