/* The `linux-efi` protocol: the kernel's own EFI stub, started with
 * LoadImage/StartImage, its initrds served through LoadFile2. */
#ifndef BATON_LOADER_LINUX_EFI_H
#define BATON_LOADER_LINUX_EFI_H

#include <stddef.h>
#include <stdint.h>
#include "config/config.h"

struct fw;

/*
 * Start e's kernel through its EFI stub with cmdline as its load options.
 * Returns 0 if the kernel returned (its status in *status: it failed to
 * boot), else a BT_E* code with a message naming the file.
 */
int linux_efi_boot(struct fw *fw, const struct config_entry *e,
		   const char *cmdline, uint64_t *status, char *msg,
		   size_t msglen);

#endif
