/*
 * The memory-map service: the map now (in baton's types, lib/memmap.h),
 * the raw UEFI map for kernels that keep boot services, and leaving the
 * firmware (ExitBootServices) with the final map.
 */
#ifndef BATON_FIRMWARE_MEMMAP_H
#define BATON_FIRMWARE_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/memmap.h"

struct fw;

/* The memory map now (out->r: bt_free()).  Returns 0, BT_ENOMEM or BT_EIO. */
int fw_memmap(struct fw *fw, struct memmap *out);

/*
 * The raw UEFI memory map now (descriptors desc_size apart) into buf.
 * BT_ETOOBIG when cap is too small.  For kernels entered with boot services
 * still running.
 */
int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version);

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
