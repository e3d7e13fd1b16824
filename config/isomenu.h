/*
 * Menus for ISO files (docs/config.md, "ISO files"): the entries of one ISO
 * (an "iso PATH" entry) and the ISO files of one folder ("isos DIR"),
 * written as config text in baton's own language, so that they are parsed
 * and shown like any config.  Kernels and initrds are named by
 * iso(HOST-PATH):/file paths, and each Linux entry gets the parameter its
 * distribution's initramfs needs to find the ISO file again.
 */
#ifndef BATON_CONFIG_ISOMENU_H
#define BATON_CONFIG_ISOMENU_H

#include <stddef.h>
#include "config/config.h"
#include "fs/path.h"
#include "fs/volume.h"

#define ISOMENU_MAX_ISOS 64	/* ISO files listed from one folder */
#define ISOMENU_MAX_FILE (256u * 1024)	/* bytes of a grub.cfg read */

/* What fills in the parameters that find the ISO. */
struct isomenu_facts {
	const char *iso_file;	/* the ISO's path on its volume: "/isos/x.iso" */
	const char *host_fsuuid;	/* that volume's file-system UUID, or NULL */
	const char *iso_label;	/* the ISO's volume label, or NULL */
};

/*
 * The command line args of a kernel at kernel (a path inside the ISO) with
 * the parameter that lets its initramfs find the ISO added when it is
 * missing or empty (the rules table in isomenu.c).  *out is a new
 * allocation (bt_free()).  *unfilled, when not NULL on return, is the
 * parameter that was needed but could not be filled (no host UUID).
 * Returns 0 or BT_ENOMEM.
 */
int isomenu_fix_args(const char *kernel, const char *args,
		     const struct isomenu_facts *f, char **out,
		     const char **unfilled);

/*
 * "iso(HOST):FILE" for the file at file inside the ISO at iso_path, with
 * the host path written with its source ("boot:/isos/x.iso" for baton's
 * own volume).  A new allocation; NULL when out of memory.
 */
char *isomenu_inner(const struct path *iso_path, const char *file);

/*
 * The submenu of the ISO file at iso_path, whose files are read through
 * iso (the ISO's volume) and which lies on host: the entries of its
 * /boot/grub/loopback.cfg, else those of /boot/grub/grub.cfg, else one
 * from a known layout (Debian live, Ubuntu casper, Fedora live, Arch),
 * and an entry for its own EFI boot loader when it has
 * /EFI/BOOT/BOOTX64.EFI.  What was not understood or is missing goes to
 * notes (config_diag()).  *text (bt_free()) and *len get the config text.
 * Returns 0 or BT_ENOMEM.
 */
int isomenu_build(struct volume *iso, const struct path *iso_path,
		  const struct volume *host, struct config *notes,
		  char **text, size_t *len);

/*
 * The submenu of the folder dir on host: one "iso" entry per *.iso file,
 * sorted by name, at most ISOMENU_MAX_ISOS (the rest are noted).  A folder
 * that cannot be listed returns its error with err naming it.
 */
int isomenu_dir(struct volume *host, const struct path *dir,
		struct config *notes, char **text, size_t *len,
		char *err, size_t errlen);

#endif
