/*
 * Multiboot 2 (Multiboot2 Specification 2.0): the header and its tags, and
 * the boot information (MBI) tags.  Portable; the MBI builder never
 * allocates (it runs after ExitBootServices in the normal handoff).
 */
#ifndef BATON_LOADER_MULTIBOOT2_H
#define BATON_LOADER_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_BOOT_MAGIC 0x36D76289
#define MB2_SEARCH 32768

struct mb2_header {
	size_t offset;		/* where the header starts in the file */
	uint32_t header_length;
	/* information request (tag 1): the MBI tag types asked for */
	uint32_t requests[32];
	size_t n_requests;
	bool has_address;	/* tag 2 */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	bool has_entry;		/* tag 3 */
	uint32_t entry_addr;
	bool has_console;	/* tag 4 */
	uint32_t console_flags;
	bool has_framebuffer;	/* tag 5 */
	uint32_t fb_width, fb_height, fb_depth;
	bool module_align;	/* tag 6 */
	bool efi_bs;		/* tag 7: keep boot services */
	bool has_efi32_entry;	/* tag 8 */
	uint32_t efi32_entry;
	bool has_efi64_entry;	/* tag 9 */
	uint32_t efi64_entry;
	bool relocatable;	/* tag 10 */
	uint32_t reloc_min, reloc_max, reloc_align, reloc_pref;	/* pref: 0 none, 1 low, 2 high */
};

/*
 * Find and parse the header: 8-byte aligned, inside the first 32 KiB,
 * magic, architecture 0 (i386), header_length, checksum; tags 8-byte
 * aligned, each inside header_length, ended by type 0 size 8.  Refuses an
 * unknown tag that is not optional, and an information request that is not
 * optional for a tag baton cannot provide (baton provides 1, 2, 3, 4, 6, 8,
 * 9, 12, 14, 15, 17, 18, 20, 21).  Returns 0, or BT_EFORMAT with a message
 * naming the tag: "Multiboot2 header asks for information tag 10 (APM
 * table), which baton cannot provide".
 */
int mb2_find(const void *data, size_t len, struct mb2_header *h, char *why,
	     size_t whylen);

struct mb2_module {
	uint32_t start, end;	/* physical [start, end) */
	const char *string;
};

struct mb2_fb {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb2_info_args {
	const char *cmdline;
	const char *loader_name;
	const struct mb2_module *modules;
	size_t n_modules;
	const struct mb2_fb *fb;	/* or NULL */
	uint64_t efi_systab;		/* 0: no EFI 64-bit system table tag */
	uint64_t efi_image_handle;	/* 0: no image handle tag (20) */
	const void *rsdp;		/* ACPI RSDP to copy (v1: 20 bytes,
					 * v2: its length field), or NULL */
	bool boot_services_running;	/* tag 18 */
	bool has_load_base;		/* tag 21 (relocated images) */
	uint32_t load_base;
	/* ELF sections (tag 9); num 0: none */
	uint32_t shdr_num, shdr_size, shdr_shndx;
	const void *shdrs;		/* copied into the MBI */
};

/* Bytes the MBI needs with a memory map of up to max_map_entries entries
 * (and an EFI memory map tag of efi_map_bytes). */
size_t mb2_info_size(const struct mb2_info_args *a, size_t max_map_entries,
		     size_t efi_map_bytes);

/*
 * Build the MBI at buf (cap bytes, 8-byte aligned): total_size, reserved,
 * then tags 8-byte aligned: cmdline (1), boot loader name (2), modules (3),
 * basic meminfo (4), memory map (6: entry_size 24, version 0, entries {u64
 * base, u64 len, u32 type, u32 zero}, types as Multiboot 1; sorted,
 * merged), framebuffer (8), ELF sections (9), EFI 64-bit system table (12),
 * ACPI old/new RSDP copy (14/15), EFI memory map (17: descr_size,
 * descr_version, the raw map), EFI boot services not terminated (18), EFI
 * 64-bit image handle (20), load base address (21), end (0).  map is the raw
 * UEFI map (final, or current when boot services keep running).  Returns 0,
 * BT_EINVAL for a malformed map (as memmap_from_uefi: desc_size < 40, size
 * not a multiple of it, a region reaching 2^64), or BT_ETOOBIG.  Never
 * allocates.
 */
int mb2_build_info(uint8_t *buf, size_t cap, const struct mb2_info_args *a,
		   const void *map, size_t size, size_t desc_size,
		   uint32_t desc_version);

#endif
