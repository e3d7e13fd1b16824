/*
 * A small, documented subset of GRUB script (docs/config.md, "ISO files"),
 * enough to take the boot entries out of an ISO's /boot/grub/loopback.cfg
 * or /boot/grub/grub.cfg: menuentry and submenu blocks, linux and initrd
 * lines, set/assignments with $var and ${var} expansion, quoting,
 * comments and line continuation.  Everything else is either a listed
 * no-op or reported as not understood, with its line; nothing is guessed.
 * An entry is kept only when baton understood its kernel line.
 */
#ifndef BATON_CONFIG_GRUBCFG_H
#define BATON_CONFIG_GRUBCFG_H

#include <stddef.h>
#include "config/config.h"

#define GRUBCFG_MAX_ENTRIES 64	/* entries kept; the rest are reported */
#define GRUBCFG_MAX_INITRDS 8	/* files on one initrd line */
#define GRUBCFG_MAX_DEPTH 8	/* nested menuentry/submenu blocks */
#define GRUBCFG_MAX_VARS 64	/* variables set at once */
#define GRUBCFG_MAX_WORDS 128	/* words in one command */

/* What the caller knows before the script runs. */
struct grubcfg_env {
	const char *iso_path;	/* GRUB's iso_path: the ISO file's path on
				 * its volume ("/isos/x.iso"), or NULL */
	const char *root;	/* the preset $root; NULL: "loop" */
	const char *host_fsuuid;	/* file-system UUID of the volume that
					 * holds the ISO (for "probe"), or NULL */
};

struct grub_entry {
	char *title;		/* submenu titles, " > ", the entry's title */
	char *kernel;		/* absolute path inside the ISO */
	char *args;		/* the command line ("" when none) */
	char *initrds[GRUBCFG_MAX_INITRDS];	/* absolute paths, in order */
	size_t n_initrds;
	unsigned line;		/* the line of its "menuentry" */
};

struct grubcfg {
	struct grub_entry *entries;
	size_t n_entries;
};

/*
 * Run the script text[0..len) named name (for messages "name:line: ...")
 * with env, filling out (which must be zeroed) with its entries.  Every
 * problem is a diagnostic added to notes with config_diag().  Returns 0,
 * or BT_ENOMEM (then out holds what was found so far; free it anyway).
 */
int grubcfg_parse(const char *name, const char *text, size_t len,
		  const struct grubcfg_env *env, struct grubcfg *out,
		  struct config *notes);

/* Free what out owns and zero it. */
void grubcfg_free(struct grubcfg *out);

#endif
