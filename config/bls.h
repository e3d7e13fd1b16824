/*
 * Boot Loader Specification entries (UAPI.1: Type #1 ".conf" files and
 * Type #2 unified kernel images) and systemd-boot's loader.conf, turned
 * into config entries (docs/config.md, "Boot Loader Specification").
 * Reading the files is core/'s (core/bls.c); everything here works on
 * text already read, so it is tested and fuzzed on the host.
 *
 * Like config_parse(), nothing here fails on bad input: problems become
 * diagnostics "FILE:LINE: message" (FILE as path_format() writes the
 * file's path) and broken entries keep their place with an error.  Only
 * BT_ENOMEM is returned.
 */
#ifndef BATON_CONFIG_BLS_H
#define BATON_CONFIG_BLS_H

#include <stdbool.h>
#include <stddef.h>
#include "config/config.h"

#define BLS_MAX_ENTRIES 256	/* files read per folder */

/* What loader.conf says about the menu baton builds itself. */
struct bls_prefs {
	bool auto_entries;	/* "auto-entries": list other EFI programs */
	bool auto_firmware;	/* "auto-firmware": a firmware setup entry */
};

/* A boot counter "+LEFT" or "+LEFT-DONE" before ".conf" or ".efi". */
struct bls_counter {
	unsigned left, done;
	unsigned left_digits, done_digits;	/* done_digits 0: no "-DONE" */
	size_t plus;		/* where the '+' is in the name */
};

/* Both prefs on, as systemd-boot's defaults. */
void bls_prefs_init(struct bls_prefs *p);

/*
 * The counter in file name name (no folder), if it has one: the last '+'
 * followed by 1-9 digits, optionally '-' and 1-9 digits, then ".conf" or
 * ".efi" (any case) and the end.
 */
bool bls_counter_parse(const char *name, struct bls_counter *c);

/*
 * The name the file gets when it is booted: tries left one less (not
 * below 0), tries done one more (a missing "-DONE" counts as 0), both
 * keeping their number of digits: "+10" -> "+09-1", "+3-09" -> "+2-10",
 * and done stops at the most its digits hold ("+2-9" -> "+1-9").  *next
 * is NULL when the name has no counter or would not change.  0 or
 * BT_ENOMEM.
 */
int bls_next_name(const char *name, char **next);

/* The entry id: name in lower case without its counter ("A+3.conf" ->
 * "a.conf").  A new allocation; NULL when out of memory. */
char *bls_entry_id(const char *name);

/*
 * Parse the Type #1 entry text[0..len) read from file (the entry's path on
 * its own volume, which its linux/initrd/efi/uki paths are relative to) and
 * append it to cfg, unless its architecture is not x64.
 */
int bls_add_entry(struct config *cfg, const struct path *file,
		  const char *text, size_t len);

/*
 * Append the UKI at file, given its .osrel and .cmdline sections (cmdline
 * may be NULL), as an efi entry.
 */
int bls_add_uki(struct config *cfg, const struct path *file,
		const char *osrel, size_t osrel_len,
		const char *cmdline, size_t cmdline_len);

/*
 * Apply loader.conf text[0..len) read from file to cfg where no config set
 * the key before (default, timeout, editor), and to prefs.
 */
int bls_loader_conf(struct config *cfg, const struct path *file,
		    const char *text, size_t len, struct bls_prefs *prefs);

/*
 * Sort cfg->entries[first..n_entries) in the specification's order and
 * make repeated titles unique with " (version)" (or " (id)").
 */
int bls_sort(struct config *cfg, size_t first);

#endif
