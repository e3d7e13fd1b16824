/*
 * The image service: starting another EFI program (chain-loading, a
 * kernel's EFI stub), baton's own load options and image handle, and the
 * LoadFile2 initrd a Linux EFI stub asks for.
 */
#ifndef BATON_FIRMWARE_IMAGE_H
#define BATON_FIRMWARE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/volume.h"

struct fw;

/* baton's own load options as UTF-8 ("" when none); owned by fw. */
const char *fw_load_options(struct fw *fw);

/*
 * Start the EFI program image[0..size) that was read from the file at loc,
 * with options as its load options, and wait for it to return.  The program
 * gets a device path pointing at its file, so it can find its own files.
 * Returns 0 when it ran and returned (its status in *exit_status and any
 * exit text in *exit_data, a bt_alloc'd string or NULL), or a BT_E* code with
 * a message in err when it could not be started.
 */
int fw_image_start(struct fw *fw, const struct fs_locator *loc,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen);

/*
 * Fill buf (len bytes) with the initrd when the kernel asks for it; returns
 * 0 or a BT_E* code (the callback keeps its own message).
 */
typedef int (*fw_initrd_fill)(void *ctx, void *buf, size_t len);

/*
 * Offer an initrd of len bytes to the Linux EFI-stub kernel started next: a
 * LINUX_EFI_INITRD_MEDIA_GUID device path with a LoadFile2 protocol that
 * calls fill to read it straight into the kernel's buffer (so the bytes are
 * read once and never copied).  Returns 0 or a BT_E* code with a message.
 */
int fw_initrd_offer(struct fw *fw, size_t len, fw_initrd_fill fill, void *ctx,
		    char *err, size_t errlen);
/* Remove what fw_initrd_offer installed (nothing if nothing). */
void fw_initrd_withdraw(struct fw *fw);

/* baton's own image handle, for kernels entered with boot services
 * running (they call the firmware themselves). */
uint64_t fw_image_handle(struct fw *fw);

#endif
