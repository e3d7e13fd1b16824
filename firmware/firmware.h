/*
 * The narrow interface between baton's portable code and the machine.
 * firmware/efi/ implements it on UEFI; firmware/host/ implements it for the
 * host unit tests.  Portable code reaches the machine only through here,
 * passing the struct fw context it was given (there are no globals).
 */
#ifndef BATON_FIRMWARE_FIRMWARE_H
#define BATON_FIRMWARE_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/key.h"
#include "fs/fs.h"

struct fw;

/* --- console: a grid of cols x rows character cells --- */
void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows);
void fw_con_clear(struct fw *fw);
void fw_con_goto(struct fw *fw, unsigned col, unsigned row);
void fw_con_highlight(struct fw *fw, bool on);
void fw_con_cursor(struct fw *fw, bool visible);
/* Write UTF-8 text at the cursor; "\n" starts a new line. */
void fw_con_write(struct fw *fw, const char *utf8);

/*
 * Wait up to timeout_ms (0: just poll; UINT32_MAX: forever) for a key.
 * Returns 0 and fills *k, or BT_ETIMEOUT.
 */
int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k);

/* Milliseconds since an arbitrary point; monotonic. */
uint64_t fw_time_ms(struct fw *fw);

/* The volumes found at start-up (baton's own marked is_boot). */
const struct fs *fw_fs(struct fw *fw);

/* baton's own load options as UTF-8 ("" when none); owned by fw. */
const char *fw_load_options(struct fw *fw);

/* The path of baton's own binary on its volume, e.g. "/EFI/BOOT/BOOTX64.EFI"
 * ("" when unknown); owned by fw. */
const char *fw_self_path(struct fw *fw);

/*
 * Start the EFI program image[0..size) that was read from path on vol, with
 * options as its load options, and wait for it to return.  The program gets
 * a device path pointing at its file, so it can find its own files.
 * Returns 0 when it ran and returned (its status in *exit_status and any
 * exit text in *exit_data, a bt_alloc'd string or NULL), or a BT_E* code with
 * a message in err when it could not be started.
 */
int fw_image_start(struct fw *fw, struct volume *vol, const char *path,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen);

enum fw_reset_kind {
	FW_RESET_REBOOT,
	FW_RESET_POWEROFF,
	FW_RESET_FIRMWARE_SETUP,	/* reboot into the firmware's setup UI */
};

/* Reset the machine; returns only on failure (with a message in err). */
int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen);

#endif
