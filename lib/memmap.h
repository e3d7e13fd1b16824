/*
 * The machine's memory map in portable form, with baton's own memory types.
 * UEFI's memory types are turned into them in exactly two places, the two
 * readers of the UEFI descriptor format below (memmap_from_uefi for the map
 * while boot services run, memmap_raw_desc for the final map after they
 * are gone); everything else (placement, validation, e820, the Multiboot
 * maps) speaks enum mem_type.
 */
#ifndef BATON_LIB_MEMMAP_H
#define BATON_LIB_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ULL

/* UEFI 2.10 §7.2, EFI_MEMORY_TYPE. */
enum uefi_mem_type {
	UEFI_RESERVED = 0,
	UEFI_LOADER_CODE = 1,
	UEFI_LOADER_DATA = 2,
	UEFI_BOOT_CODE = 3,
	UEFI_BOOT_DATA = 4,
	UEFI_RUNTIME_CODE = 5,
	UEFI_RUNTIME_DATA = 6,
	UEFI_CONVENTIONAL = 7,
	UEFI_UNUSABLE = 8,
	UEFI_ACPI_RECLAIM = 9,
	UEFI_ACPI_NVS = 10,
	UEFI_MMIO = 11,
	UEFI_MMIO_PORT = 12,
	UEFI_PAL_CODE = 13,
	UEFI_PERSISTENT = 14,
	UEFI_UNACCEPTED = 15,
};

#define UEFI_MEMORY_SP (1ULL << 18)

/* EFI_MEMORY_DESCRIPTOR field offsets (UEFI 2.10 §7.2); descriptors are
 * desc_size apart, which is at least UEFI_DESC_MIN_SIZE. */
#define UEFI_DESC_TYPE 0
#define UEFI_DESC_PHYS 8
#define UEFI_DESC_PAGES 24
#define UEFI_DESC_ATTR 32
#define UEFI_DESC_MIN_SIZE 40	/* specific-purpose (soft-reserved) */

/* What a region of memory is, as baton needs to know it. */
enum mem_type {
	MEM_FREE = 1,		/* RAM nobody has allocated yet */
	MEM_LOADER,		/* RAM allocated by boot loaders (baton too) */
	MEM_BOOT_SERVICES,	/* RAM the firmware uses until ExitBootServices */
	MEM_RUNTIME,		/* firmware runtime code and data: kept */
	MEM_ACPI_RECLAIM,	/* ACPI tables: RAM once the OS read them */
	MEM_ACPI_NVS,		/* ACPI non-volatile storage: kept */
	MEM_PERSISTENT,		/* persistent memory: keeps its data */
	MEM_UNUSABLE,		/* memory with errors */
	MEM_UNACCEPTED,		/* must be accepted before use (TDX, SEV-SNP) */
	MEM_RESERVED,		/* reserved, MMIO, I/O port space, PAL code */
	MEM_UNKNOWN,		/* a type this build does not know */
};

struct mem_region {
	uint64_t start;		/* physical, page-aligned */
	uint64_t pages;		/* length in 4 KiB pages */
	uint32_t type;		/* enum mem_type */
	bool soft_reserved;	/* EFI_MEMORY_SP: set aside for one use */
};

/* A UEFI memory type number as baton's. */
enum mem_type mem_type_from_uefi(uint32_t uefi_type);

struct memmap {
	struct mem_region *r;	/* sorted by start, non-overlapping */
	size_t n;
};

/*
 * Whether a region of this type (enum mem_type) is RAM that nobody owns
 * once boot services have exited: free, loader and boot-services memory
 * (and persistent memory is not: it keeps data).  Runtime, ACPI, reserved,
 * MMIO and unusable regions are never RAM for a kernel to be loaded into.
 */
bool memmap_type_is_ram_after_ebs(uint32_t type);

/*
 * Parse a raw UEFI memory map (size bytes of descriptors desc_size apart,
 * each { u32 type; u32 pad; u64 phys; u64 virt; u64 pages; u64 attr }) into
 * out (regions sorted by start; bt_free(out->r)).  Descriptors of 0 pages
 * are dropped.  Returns 0, BT_EINVAL for a malformed map (desc_size < 40,
 * size not a multiple of desc_size, a start not page-aligned, a region
 * reaching 2^64, overlapping entries), or BT_ENOMEM; out is empty then.
 */
int memmap_from_uefi(const void *map, size_t size, size_t desc_size,
		     struct memmap *out);

/*
 * Reading a raw UEFI map in place, for code that may not allocate (after
 * ExitBootServices) or reorder the firmware's buffer.
 *
 * memmap_raw_check: BT_EINVAL unless desc_size >= 40, size is a multiple
 * of it and no descriptor's end passes 2^64 (so every end computed from a
 * descriptor fits in 64 bits); 0 otherwise.
 * memmap_raw_desc: descriptor i as a region (start not checked).
 * memmap_raw_next: the index of the next non-empty descriptor after
 * descriptor prev in address order, ties by position (so each is visited
 * exactly once), or count when there is none; prev == count asks for the
 * first.  Selection rather than sorting: O(count) per call, and maps hold
 * a few hundred descriptors.
 */
int memmap_raw_check(const void *map, size_t size, size_t desc_size);
void memmap_raw_desc(const void *map, size_t desc_size, size_t i,
		     struct mem_region *r);
size_t memmap_raw_next(const void *map, size_t count, size_t desc_size,
		       size_t prev);

/* Whether [start, end) lies wholly inside RAM-after-ExitBootServices
 * (adjacent RAM regions of different RAM types count as one run).  Regions
 * marked UEFI_MEMORY_SP are not RAM for this.  An empty range is RAM;
 * start > end is not. */
bool memmap_is_ram(const struct memmap *m, uint64_t start, uint64_t end);

/* Whether [start, end) lies wholly inside conventional memory, i.e. is free
 * now, before ExitBootServices (same rules for SP, empty and reversed
 * ranges). */
bool memmap_is_free(const struct memmap *m, uint64_t start, uint64_t end);

/* The end of the highest RAM region as memmap_is_ram counts RAM, 0 when
 * there is none (for sizing identity maps). */
uint64_t memmap_ram_top(const struct memmap *m);

#endif
