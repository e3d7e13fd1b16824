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
#include "lib/memmap.h"
#include "loader/linux.h"

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

/* The file-source registry: the block devices found at start-up, the
 * volumes made of them, and baton's origin. */
struct fs *fw_fs(struct fw *fw);

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

enum fw_reset_kind {
	FW_RESET_REBOOT,
	FW_RESET_POWEROFF,
	FW_RESET_FIRMWARE_SETUP,	/* reboot into the firmware's setup UI */
};

/* Reset the machine; returns only on failure (with a message in err). */
int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen);

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

/* --- memory (for the kexec-style handoff) --- */

/*
 * Allocate npages 4 KiB pages anywhere at or below max (the last usable
 * byte's address, e.g. 0xFFFFFFFF; UINT64_MAX for anywhere).  The pages
 * are typed as loader data, so they are RAM for the next kernel.
 * Returns 0 with the physical address in *addr, or BT_ENOMEM.
 */
int fw_alloc_pages(struct fw *fw, uint64_t npages, uint64_t max, uint64_t *addr);

/* Allocate exactly [addr, addr + npages * 4 KiB); BT_ENOENT if not free. */
int fw_alloc_pages_at(struct fw *fw, uint64_t addr, uint64_t npages);

/* Give back pages from fw_alloc_pages*(). */
void fw_free_pages(struct fw *fw, uint64_t addr, uint64_t npages);

/* The memory map now (out->r: bt_free()).  Returns 0, BT_ENOMEM or BT_EIO. */
int fw_memmap(struct fw *fw, struct memmap *out);

/*
 * The raw UEFI memory map now (descriptors desc_size apart) into buf.
 * BT_ETOOBIG when cap is too small.  For kernels entered with boot services
 * still running.
 */
int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version);

/* baton's own image handle, for kernels entered with boot services
 * running (they call the firmware themselves). */
uint64_t fw_image_handle(struct fw *fw);

/* What a kernel is told about the platform. */
struct fw_platform {
	uint64_t systab;	/* EFI system table */
	uint64_t rsdp;		/* ACPI RSDP (2.0 preferred), or 0 */
	struct linux_fb fb;	/* GOP framebuffer (base 0: none) */
};

/* Fill *p.  Never fails: what is missing is left 0. */
void fw_platform(struct fw *fw, struct fw_platform *p);

/* Bytes a buffer for the final memory map needs, with slack for the
 * entries that allocations made after this call add. */
size_t fw_memmap_bytes(struct fw *fw);

/*
 * Called right after ExitBootServices with the final memory map (in the
 * caller's buffer) so map-dependent data (e820, efi_info, a Multiboot map)
 * can be written into buffers allocated before.  Must not allocate or call
 * the firmware.
 */
typedef void (*fw_final_map_cb)(void *ctx, const void *map, size_t size,
				size_t desc_size, uint32_t desc_version);

/*
 * Leaving the firmware takes two calls, which the caller repeats
 * (kexec/kload.c; UEFI 2.10 section 7.4, ExitBootServices):
 *
 *   fw_ebs_map   reads the memory map into the caller's buffer and gives
 *                its key; nothing may allocate, print or otherwise change
 *                the map between it and fw_ebs_try.
 *   fw_ebs_try   calls ExitBootServices with that key.  0: boot services
 *                are gone.  A failure (BT_EINVAL: the key was stale, the
 *                map changed) may come after the firmware has already shut
 *                parts of itself down (timers, devices, the console): from
 *                then on the only calls allowed are fw_ebs_map and
 *                fw_ebs_try, so the caller either retries with a fresh map
 *                or reports on COM1 and resets (machine_panic); it never
 *                returns to the menu.
 *
 * Before the first fw_ebs_try, a failed fw_ebs_map leaves the firmware as it
 * was.  fw_ebs_map: 0 with the map's size, descriptor size and version and
 * *key; BT_ETOOBIG when cap is too small; another BT_E* code otherwise.
 */
int fw_ebs_map(struct fw *fw, void *buf, size_t cap, size_t *size,
	       size_t *desc_size, uint32_t *desc_version, uint64_t *key);
int fw_ebs_try(struct fw *fw, uint64_t key);

#endif
