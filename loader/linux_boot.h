/* The `linux` protocol: a bzImage entered at its 64-bit entry point after
 * ExitBootServices, kexec-style (DESIGN.md, "Boot protocols"). */
#ifndef BATON_LOADER_LINUX_BOOT_H
#define BATON_LOADER_LINUX_BOOT_H

#include <stddef.h>
#include "config/config.h"
#include "loader/kload.h"

struct fw;

/*
 * Load the kernel and initrds of e, with cmdline as the command line, and
 * hand over.  Returns only on failure (before ExitBootServices), with a
 * message in err naming the file and what was expected; nothing stays
 * allocated.
 */
int linux_boot(struct fw *fw, const struct config_entry *e,
	       const char *cmdline, const struct kload_opts *o,
	       char *err, size_t errlen);

#endif
