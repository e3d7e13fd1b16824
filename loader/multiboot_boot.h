/* The `multiboot` and `multiboot2` protocols (DESIGN.md, "Boot protocols"). */
#ifndef BATON_LOADER_MULTIBOOT_BOOT_H
#define BATON_LOADER_MULTIBOOT_BOOT_H

#include <stddef.h>
#include "config/config.h"
#include "loader/kload.h"

struct fw;

/*
 * Load e's kernel (gzip-compressed or not) and modules and hand over:
 * Multiboot 1, or Multiboot 2 either after ExitBootServices in 32-bit
 * protected mode or, when the kernel's header has the EFI boot services and
 * EFI amd64 entry tags, at that 64-bit entry with boot services running.
 * cmdline is the kernel's argument text.  Returns only on failure, with a
 * message naming the file and what was expected; nothing stays allocated.
 */
int multiboot_boot(struct fw *fw, const struct config_entry *e,
		   const char *cmdline, const struct kload_opts *o, char *err,
		   size_t errlen);

#endif
