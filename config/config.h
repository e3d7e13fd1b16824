/*
 * The config language (DESIGN.md, "Config language") parsed into a model.
 *
 * Parsing never fails on bad input: every problem becomes a diagnostic
 * "file:line: message", a broken entry keeps its place in the menu with an
 * error that says why it cannot boot, and the rest of the config still works.
 * Only running out of memory makes config_parse() fail.
 */
#ifndef BATON_CONFIG_CONFIG_H
#define BATON_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "fs/path.h"

#define CONFIG_LINE_MAX 4096	/* bytes in one logical line, after joining */
#define CONFIG_INCLUDE_DEPTH 8	/* nested includes */
#define CONFIG_DEFAULT_TIMEOUT 5

enum entry_kind {
	ENTRY_NONE = 0,		/* no boot key (an error) */
	ENTRY_EFI,		/* efi PATH [LOAD OPTIONS] */
	ENTRY_MENU,		/* menu PATH */
	ENTRY_ACTION,		/* action reboot|poweroff|firmware-setup|exit */
	ENTRY_LINUX,		/* linux PATH [OPTIONS] */
	ENTRY_LINUX_EFI,	/* linux-efi PATH [OPTIONS] */
	ENTRY_MULTIBOOT,	/* multiboot PATH [ARGS] */
	ENTRY_MULTIBOOT2,	/* multiboot2 PATH [ARGS] */
	ENTRY_ISO,		/* iso PATH: the entries of an ISO file */
	ENTRY_ISOS,		/* isos DIR: the ISO files in a folder */
};

enum entry_action {
	ACTION_NONE = 0,
	ACTION_REBOOT,
	ACTION_POWEROFF,
	ACTION_FIRMWARE_SETUP,
	ACTION_EXIT,
};

struct config_module {
	struct path path;
	char *args;		/* "" when none */
};

struct config_entry {
	char *id;		/* from "entry ID" */
	char *title;		/* from "title"; NULL when none (show the id) */
	char *where;		/* "file:line" of the entry line */
	enum entry_kind kind;
	enum entry_action action;	/* for ENTRY_ACTION */
	struct path image;	/* the program, kernel or config (not for actions) */
	char *args;		/* text after the image path ("" when none):
				 * efi load options, linux/multiboot command line */
	char *options;		/* from "options" (Linux command line), or NULL */
	struct path *initrds;	/* "initrd" lines, in order */
	size_t n_initrds;
	struct config_module *modules;	/* "module" lines, in order */
	size_t n_modules;
	bool no_quiesce;	/* "handoff no-quiesce": leave the interrupt
				 * controllers as they are */
	bool disturb_irqs;	/* "handoff disturb-irqs" (for tests) */
	char *error;		/* NULL if the entry can boot, else the first
				 * problem: "file:line: message" */
	/* Boot Loader Specification entries only (config/bls.h): */
	char *sort_key, *machine_id, *version;	/* or NULL */
	int tries_left, tries_done;	/* the "+LEFT-DONE" counter, -1 when
					 * none (set by config/bls.c only) */
	bool bls_bad;		/* tries left 0: sorted last, never the
				 * default unless nothing else can boot */
	struct path bls_file;	/* the entry's file (a UKI: the image) when
				 * it counts boots, else file NULL */
	char *bls_next;		/* the file's next name when booted, or NULL */
};

struct config {
	int timeout;		/* seconds; 0 boots at once; -1 waits forever */
	char *default_pattern;	/* id or glob from "default", or NULL */
	char *default_where;	/* "file:line" of that "default", or NULL */
	bool editor;		/* "editor": may entries be edited */
	bool bls;		/* "bls": also read /loader/entries */
	bool timeout_set;	/* a config set "timeout" (loader.conf's */
	bool editor_set;	/* "editor" (then loader.conf's is not used) */
	struct config_entry *entries;
	size_t n_entries;
	char **diags;		/* "file:line: message", in the order found */
	size_t n_diags;
};

/* How included files are read: the platform's fs_read_all, or a test double. */
struct config_source {
	void *ctx;
	/*
	 * Read the file at p completely into *data (NUL-terminated, freed
	 * with bt_free() by the caller).  On failure return a BT_E* code and
	 * put a message naming the file in err.
	 */
	int (*read)(void *ctx, const struct path *p, char **data, size_t *len,
		    char *err, size_t errlen);
};

/* The key that makes an entry of kind k ("linux", "efi", "menu", ...):
 * for boot entries, the key of their protocol (loader/protocol.h). */
const char *config_kind_key(enum entry_kind k);

/* An empty config with the defaults (timeout 5, editor yes, bls no). */
void config_init(struct config *cfg);

/*
 * Parse text[0..len) read from origin into cfg (which config_init() set up;
 * several files may be parsed into one config).  Includes are read through
 * src, resolved against the including file.  Returns 0, or BT_ENOMEM.
 */
int config_parse(struct config *cfg, const struct path *origin,
		 const char *text, size_t len, const struct config_source *src);

/*
 * Checks that need the whole config: "default" must match an entry.
 * Call once after the last config_parse(); adds diagnostics.
 */
int config_finish(struct config *cfg);

/*
 * The entry to preselect: the first entry whose id matches the default
 * pattern (glob), else the first entry that can boot, else 0.  Entries
 * that can boot are preferred over "bad" BLS ones (bls_bad) in both steps.
 */
size_t config_default_index(const struct config *cfg);

/* Add a diagnostic (printf-style); BT_ENOMEM on failure. */
int config_diag(struct config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free what one entry owns (not the entry itself, which is in an array)
 * and zero it. */
void config_entry_free(struct config_entry *e);

/* Free everything cfg owns and leave it empty (config_init() state). */
void config_free(struct config *cfg);

#endif
