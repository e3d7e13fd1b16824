/*
 * Multiboot 1 (the Multiboot Specification 0.6.96): finding and checking the
 * header, the a.out-kludge layout, and building the information structure.
 * Portable; the builder that runs after ExitBootServices never allocates.
 */
#ifndef BATON_LOADER_MULTIBOOT1_H
#define BATON_LOADER_MULTIBOOT1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_BOOT_MAGIC 0x2BADB002
#define MB1_SEARCH 8192

#define MB1_F_PAGE_ALIGN (1u << 0)	/* modules page-aligned */
#define MB1_F_MEMINFO (1u << 1)		/* mem_* and mmap wanted */
#define MB1_F_VIDEO (1u << 2)		/* video mode fields valid */
#define MB1_F_AOUT_KLUDGE (1u << 16)	/* address fields valid */

struct mb1_header {
	size_t offset;		/* where the header starts in the file */
	uint32_t flags;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
	uint32_t mode_type, width, height, depth;
};

/*
 * Find the header: 4-byte aligned, wholly inside the first 8 KiB, magic +
 * flags + checksum == 0.  Refuses required flags (bits 0-15) baton does not
 * know (it honours 0, 1 and 2).  Returns 0, or BT_EFORMAT with a message:
 * "no Multiboot header in the first 8 KiB", "Multiboot header at 0x40 has a
 * bad checksum", "Multiboot header asks for flag bit 3, which baton does not
 * support".
 */
int mb1_find(const void *data, size_t len, struct mb1_header *h, char *why,
	     size_t whylen);

/* Where the a.out kludge (flag 16) says the image goes. */
struct mb1_layout {
	uint64_t file_offset;	/* first byte to load */
	uint64_t load_addr;	/* where it goes */
	uint64_t filesz;	/* bytes from the file */
	uint64_t memsz;		/* up to bss_end_addr (zero-filled) */
	uint32_t entry;
};

/*
 * Compute the kludge layout: file offset = h->offset - (header_addr -
 * load_addr); load_end_addr 0 means to the end of the file; bss_end_addr 0
 * means no bss.  Checks header_addr >= load_addr, load_end_addr > load_addr,
 * the range inside the file, bss_end >= load_end, entry inside the loaded
 * range, everything below 4 GiB.  Returns 0 or BT_EFORMAT with a message.
 */
int mb1_kludge_layout(const struct mb1_header *h, size_t file_len,
		      struct mb1_layout *out, char *why, size_t whylen);

struct mb1_module {
	uint32_t start, end;	/* physical [start, end) */
	const char *string;	/* the module's command line */
};

struct mb1_fb {			/* a linear framebuffer (flag 12) */
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb1_info_args {
	const char *cmdline;
	const char *loader_name;
	const struct mb1_module *modules;
	size_t n_modules;
	/* ELF section headers (flag 5), already copied below 4 GiB; num 0: none */
	uint32_t shdr_num, shdr_size, shdr_addr, shdr_shndx;
	const struct mb1_fb *fb;	/* or NULL */
};

/*
 * Bytes the information structure needs with its strings, module list and a
 * memory map of up to max_map_entries entries.
 */
size_t mb1_info_size(const struct mb1_info_args *a, size_t max_map_entries);

/*
 * Build the information structure at buf (which is at physical address
 * phys, below 4 GiB, cap bytes) from a and the final raw UEFI memory map
 * (size bytes, desc_size apart; as memmap_from_uefi).  Fills mem_lower /
 * mem_upper (flag 0), the memory map (flag 6: entries {u32 size = 20; u64
 * base; u64 length; u32 type}, types 1 RAM, 3 ACPI reclaim, 4 NVS, 5 bad, 2
 * other reserved; sorted, adjacent same-type runs merged), cmdline (2),
 * modules (3), ELF sections (5), boot_loader_name (9), framebuffer (12).
 * Returns 0, BT_EINVAL for a malformed map (desc_size < 40, size not a
 * multiple of it, a region past 2^64), or BT_ETOOBIG if cap is too small.
 * Never allocates.
 */
int mb1_build_info(uint8_t *buf, uint32_t phys, size_t cap,
		   const struct mb1_info_args *a, const void *map, size_t size,
		   size_t desc_size);

#endif
