/*
 * What Multiboot 1 and Multiboot 2 share on the kexec core: reading (and
 * gunzipping) the kernel, turning its ELF program headers or its a.out
 * kludge / address tag into parts, loading the parts as segments, the
 * modules and the ELF section headers below 4 GiB, and the common tail of
 * the handoff, where the information structure is written from the final
 * memory map.  Each protocol (loader/multiboot1_boot.c,
 * loader/multiboot2_boot.c) gives its own steps as a struct mb_ops and
 * boots through mb_boot().
 */
#ifndef BATON_LOADER_MULTIBOOT_LOAD_H
#define BATON_LOADER_MULTIBOOT_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kexec/kload.h"
#include "loader/elf.h"
#include "loader/multiboot1.h"
#include "loader/protocol.h"

#define MB_FOUR_GIB 0x100000000ULL
#define MB_MAX_MODULES 16
#define MB_LOADER_NAME "baton"

/* One loadable part of the image: file bytes to an address, plus zeroes. */
struct mb_part {
	uint64_t offset, filesz, addr, memsz;
};

/* A module as loaded: physical [start, end) and its string (owned). */
struct mb_module {
	uint32_t start, end;
	char *string;
};

struct mb_ops;

/*
 * One Multiboot load.  A protocol's own state follows it: the protocol's
 * struct begins with a struct mb_load, and mb_boot() allocates
 * mb_ops.size bytes (zeroed) and frees them, with everything below that
 * is marked owned.
 */
struct mb_load {
	struct kload kl;
	const struct boot_spec *b;
	const struct mb_ops *ops;
	uint8_t *file;			/* the kernel, decompressed (owned) */
	size_t len;
	struct mb_part parts[ELF_MAX_SEGMENTS];
	size_t n_parts;
	uint64_t entry;
	struct elf_image elf;
	bool is_elf;
	int64_t shift;			/* relocation (Multiboot 2 tag 10) */
	bool keep_bs;			/* enter with boot services running */
	char *name;			/* the kernel's path, for messages (owned) */
	char *cmdline;			/* "path args" as GRUB passes it (owned) */
	struct mb_module mods[MB_MAX_MODULES];
	size_t n_mods;
	/* The ELF section headers copied below 4 GiB (shdr_addr 0: none). */
	uint64_t shdr_addr;
	uint32_t shdr_num, shdr_size, shdr_shndx;
	uint8_t *info;			/* the information structure */
	uint64_t info_phys;
	size_t info_cap;
};

/*
 * A protocol's own steps, called by mb_boot() in this order: parse,
 * info_args, then either enter_bs (boot services kept) or build_info from
 * the final memory map after ExitBootServices.
 */
struct mb_ops {
	size_t size;		/* bytes of the protocol's struct (>= struct mb_load) */
	uint32_t boot_magic;	/* in eax at the 32-bit entry */
	/*
	 * Find and check the header in ml->file; fill parts and entry (with
	 * mb_parts), ml->shift, and
	 * ml->keep_bs when the kernel is to be entered with boot services
	 * running (then loaded where it runs now).  Returns 0 or a BT_E*
	 * code with a message naming the file.
	 */
	int (*parse)(struct mb_load *ml, char *err, size_t errlen);
	/*
	 * Fill the information arguments from what was loaded.  Returns the
	 * bytes the information structure needs with a memory map of up to
	 * max_entries entries.
	 */
	size_t (*info_args)(struct mb_load *ml, size_t max_entries);
	/*
	 * Build the information structure at ml->info (ml->info_cap bytes)
	 * from a raw UEFI memory map.  Runs after ExitBootServices: never
	 * allocates.  Returns 0 or a BT_E* code.
	 */
	int (*build_info)(struct mb_load *ml, const void *map, size_t size,
			  size_t desc_size, uint32_t desc_version);
	/* Enter the kernel with boot services running; returns only on
	 * failure, with a message.  Needed only where parse sets keep_bs. */
	int (*enter_bs)(struct mb_load *ml, char *err, size_t errlen);
};

/* Pages that hold bytes. */
static inline uint64_t mb_pages(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

/*
 * The parts of ml->file and its entry: the one part the a.out kludge
 * describes when kludge is not NULL (Multiboot 1 flag 16, or the Multiboot 2
 * address tag in its terms), else the ELF program headers (physical
 * addresses; ml->elf keeps the section header facts).  Returns 0 or
 * BT_EFORMAT with a message naming the file.
 */
int mb_parts(struct mb_load *ml, const struct mb1_header *kludge, char *err,
	     size_t errlen);

/* [lo, hi): the page-aligned span of all parts (before ml->shift). */
void mb_span(const struct mb_load *ml, uint64_t *lo, uint64_t *hi);

/*
 * Initializers for the fields struct mb1_info_args and struct mb2_info_args
 * share by name: the command line, the loader's name, the modules (mods:
 * the protocol's copy of ml->mods) and the ELF section header facts.
 */
#define MB_INFO_INIT(ml, mods) \
	.cmdline = (ml)->cmdline, .loader_name = MB_LOADER_NAME, \
	.modules = (mods), .n_modules = (ml)->n_mods, \
	.shdr_num = (ml)->shdr_num, .shdr_size = (ml)->shdr_size, \
	.shdr_shndx = (ml)->shdr_shndx

/*
 * The GOP framebuffer in (a const struct fw_framebuffer *, base not 0) in
 * Multiboot terms, 32 bits a pixel: an initializer for a struct mb1_fb or a
 * struct mb2_fb, which have these fields by the same names.
 */
#define MB_FB_INIT(in) { \
	.addr = (in)->base, .pitch = (in)->pixels_per_line * 4, \
	.width = (in)->width, .height = (in)->height, .bpp = 32, \
	.red_pos = (in)->red_pos, .red_size = (in)->red_size, \
	.green_pos = (in)->green_pos, .green_size = (in)->green_size, \
	.blue_pos = (in)->blue_pos, .blue_size = (in)->blue_size, \
}

/*
 * Load b's kernel (gzip-compressed or not) and modules with ops' steps and
 * hand over: after ExitBootServices at the image's entry in 32-bit
 * protected mode (eax ops->boot_magic, ebx the information structure), or
 * with boot services running through ops->enter_bs when ops->parse set
 * keep_bs.  ops is read only during the call.  Returns only on failure, with a message naming the file and what
 * was expected; nothing stays allocated.
 */
int mb_boot(struct fw *fw, const struct boot_spec *b, const struct mb_ops *ops,
	    char *err, size_t errlen);

#endif
