/*
 * The memory service: whole 4 KiB pages from the firmware, typed so that
 * they are RAM for the next kernel.
 */
#ifndef BATON_FIRMWARE_MEMORY_H
#define BATON_FIRMWARE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw;

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

#endif
