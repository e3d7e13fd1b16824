/* The portable boot session: config, menu, and the chosen entry's boot. */
#ifndef BATON_CORE_BATON_H
#define BATON_CORE_BATON_H

#include <stddef.h>
#include <stdint.h>

struct fw;

/*
 * Run baton on the machine behind fw: find and parse the config, show the
 * menu, boot what the user chooses.  Returns only when the user asks to
 * leave baton ("action exit") with 0, or when baton cannot even start
 * (out of memory) with a BT_E* code.
 */
int baton_main(struct fw *fw);

struct config;

/*
 * The top menu as baton_main would show it, without showing it: the config
 * found as baton finds it (config= from fw_load_options, then next to
 * baton's binary, /boot/baton.conf, /baton.conf), its BLS entries, and the
 * checks that need the whole config.  The found config is said on the
 * console; diagnostics are left in cfg->diags.  0, BT_ENOENT when there is
 * no config, or BT_ENOMEM.  For baton-kexec, which boots the same entries
 * from a running Linux.
 */
int baton_load_menu(struct fw *fw, struct config *cfg);

struct config_entry;

/*
 * Boot entry e (a linux, linux-efi, multiboot, multiboot2 or efi entry)
 * through its protocol with cmdline (NULL: none), as the menu boots it.
 * What the protocol's boot returns: a kexec protocol returns only on
 * failure on UEFI, and 0 once the image is loaded in baton-kexec; msg says
 * what went wrong.
 */
int baton_boot(struct fw *fw, const struct config_entry *e,
	       const char *cmdline, uint64_t *status, char *msg, size_t msglen);

#define BATON_VERSION "0.1"

#endif
