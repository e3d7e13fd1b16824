/*
 * Multiboot 1 (the Multiboot Specification 0.6.96); see loader/multiboot1.h.
 * Offsets are the specification's: §3.1.1 for the OS image header, §3.3 for
 * the boot information structure.  Every multi-byte field is read and
 * written byte by byte, little-endian: the image and the information
 * buffer are plain byte buffers with no alignment promise.
 */
#include "loader/multiboot1.h"
#include "lib/memmap.h"
#include "lib/error.h"
#include "lib/bytes.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The OS image header (§3.1.1). */
#define HDR_MAGIC 0
#define HDR_FLAGS 4
#define HDR_CHECKSUM 8
#define HDR_HEADER_ADDR 12
#define HDR_LOAD_ADDR 16
#define HDR_LOAD_END_ADDR 20
#define HDR_BSS_END_ADDR 24
#define HDR_ENTRY_ADDR 28
#define HDR_MODE_TYPE 32
#define HDR_WIDTH 36
#define HDR_HEIGHT 40
#define HDR_DEPTH 44
#define HDR_SIZE_BASE 12	/* magic, flags, checksum */
#define HDR_SIZE_ADDR 32	/* ... and the address fields (flag 16) */
#define HDR_SIZE_VIDEO 48	/* ... and the video fields (flag 2) */

/* Bits 0-15 are requirements: a loader must refuse one it does not know. */
#define MB1_F_REQUIRED_MASK 0xffffu
#define MB1_F_KNOWN (MB1_F_PAGE_ALIGN | MB1_F_MEMINFO | MB1_F_VIDEO)

/* The boot information structure (§3.3). */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_SHDR_NUM 28
#define MBI_SHDR_SIZE 32
#define MBI_SHDR_ADDR 36
#define MBI_SHDR_SHNDX 40
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_BOOT_LOADER_NAME 64
#define MBI_FB_ADDR 88
#define MBI_FB_PITCH 96
#define MBI_FB_WIDTH 100
#define MBI_FB_HEIGHT 104
#define MBI_FB_BPP 108
#define MBI_FB_TYPE 109
#define MBI_FB_COLOR 110	/* red pos, red size, green.., blue.. */
#define MBI_SIZE 120		/* 116 bytes, rounded up so what follows is 8-aligned */

/* Its flags. */
#define MBI_F_MEM (1u << 0)
#define MBI_F_CMDLINE (1u << 2)
#define MBI_F_MODS (1u << 3)
#define MBI_F_ELF_SHDR (1u << 5)
#define MBI_F_MMAP (1u << 6)
#define MBI_F_LOADER_NAME (1u << 9)
#define MBI_F_FB (1u << 12)
#define MBI_FB_TYPE_RGB 1

#define MOD_SIZE 16		/* start, end, string, reserved */
#define MMAP_ENTRY_SIZE 24	/* u32 size (= 20, itself excluded), base, length, type */
#define MMAP_SIZE_FIELD 20

/* Multiboot memory map types. */
#define MB1_RAM 1
#define MB1_RESERVED 2
#define MB1_ACPI 3
#define MB1_NVS 4
#define MB1_BAD 5


#define KIB 1024ULL
#define MIB (1024 * KIB)
#define GIB4 (4096 * MIB)
#define LOWER_MEM_TOP (640 * KIB)	/* conventional memory ends here */





/* --------------------------------------------------------- the header */

/* How many header bytes the flags say follow the magic (§3.1.1: the
 * address fields sit at 12-28 even when only the video ones are used). */
static size_t header_size(uint32_t flags)
{
	if (flags & MB1_F_VIDEO)
		return HDR_SIZE_VIDEO;
	if (flags & MB1_F_AOUT_KLUDGE)
		return HDR_SIZE_ADDR;
	return HDR_SIZE_BASE;
}

static bool checksum_ok(const uint8_t *p)
{
	return (uint32_t)(get32(p + HDR_MAGIC) + get32(p + HDR_FLAGS) +
			  get32(p + HDR_CHECKSUM)) == 0;
}

/* The lowest requirement bit baton does not know, or -1. */
static int unknown_required_bit(uint32_t flags)
{
	uint32_t unknown = flags & MB1_F_REQUIRED_MASK & ~MB1_F_KNOWN;

	for (int bit = 0; bit < 16; bit++)
		if (unknown & (1u << bit))
			return bit;
	return -1;
}

/*
 * Take the header with a good checksum at off.  limit is where the search
 * area ends (8 KiB, or the end of a shorter file): the whole header must be
 * inside it, not just its first 12 bytes.
 */
static int take_header(const uint8_t *p, size_t off, size_t limit,
		       struct mb1_header *h, char *why, size_t whylen)
{
	uint32_t flags = get32(p + off + HDR_FLAGS);
	size_t size = header_size(flags);
	int bit = unknown_required_bit(flags);

	if (bit >= 0) {
		fmt_buf(why, whylen, "Multiboot header asks for flag bit %d, "
			"which baton does not support", bit);
		return BT_EFORMAT;
	}
	if (size > limit - off) {
		fmt_buf(why, whylen, "Multiboot header at 0x%zx with flags 0x%x is "
			"0x%zx bytes and runs past %s", off, flags, size,
			limit == MB1_SEARCH ? "the first 8 KiB" :
			"the end of the file");
		return BT_EFORMAT;
	}
	h->offset = off;
	h->flags = flags;
	p += off;
	if (flags & MB1_F_AOUT_KLUDGE) {
		h->header_addr = get32(p + HDR_HEADER_ADDR);
		h->load_addr = get32(p + HDR_LOAD_ADDR);
		h->load_end_addr = get32(p + HDR_LOAD_END_ADDR);
		h->bss_end_addr = get32(p + HDR_BSS_END_ADDR);
		h->entry_addr = get32(p + HDR_ENTRY_ADDR);
	}
	if (flags & MB1_F_VIDEO) {
		h->mode_type = get32(p + HDR_MODE_TYPE);
		h->width = get32(p + HDR_WIDTH);
		h->height = get32(p + HDR_HEIGHT);
		h->depth = get32(p + HDR_DEPTH);
	}
	return 0;
}

int mb1_find(const void *data, size_t len, struct mb1_header *h, char *why,
	     size_t whylen)
{
	const uint8_t *p = data;
	size_t limit = len < MB1_SEARCH ? len : MB1_SEARCH;
	size_t off, bad = SIZE_MAX;

	memset(h, 0, sizeof(*h));
	/* A magic with a bad checksum may be data that happens to match;
	 * the first one is only blamed when no real header follows. */
	for (off = 0; limit >= HDR_SIZE_BASE && off <= limit - HDR_SIZE_BASE;
	     off += 4) {
		if (get32(p + off + HDR_MAGIC) != MB1_HEADER_MAGIC)
			continue;
		if (checksum_ok(p + off))
			return take_header(p, off, limit, h, why, whylen);
		if (bad == SIZE_MAX)
			bad = off;
	}
	if (bad != SIZE_MAX)
		fmt_buf(why, whylen, "Multiboot header at 0x%zx has a bad "
			"checksum", bad);
	else
		fmt_buf(why, whylen, "no Multiboot header in the first 8 KiB");
	return BT_EFORMAT;
}

/* --------------------------------------------------- the a.out kludge */

/* Where loading starts in the file: the header is header_addr - load_addr
 * bytes into the loaded image. */
static int kludge_start(const struct mb1_header *h, struct mb1_layout *out,
			char *why, size_t whylen)
{
	uint32_t delta;

	if (!(h->flags & MB1_F_AOUT_KLUDGE)) {
		fmt_buf(why, whylen, "Multiboot header has no address fields "
			"(flag 16 clear in flags 0x%x)", h->flags);
		return BT_EFORMAT;
	}
	if (h->header_addr < h->load_addr) {
		fmt_buf(why, whylen, "Multiboot header_addr 0x%x is below "
			"load_addr 0x%x", h->header_addr, h->load_addr);
		return BT_EFORMAT;
	}
	delta = h->header_addr - h->load_addr;
	if (delta > h->offset) {
		fmt_buf(why, whylen, "Multiboot load_addr 0x%x is 0x%x bytes "
			"before header_addr 0x%x, but the header is only 0x%zx "
			"bytes into the file", h->load_addr, delta,
			h->header_addr, h->offset);
		return BT_EFORMAT;
	}
	out->file_offset = h->offset - delta;
	out->load_addr = h->load_addr;
	return 0;
}

/* How much comes from the file: to load_end_addr, or (0) to its end. */
static int kludge_filesz(const struct mb1_header *h, size_t file_len,
			 struct mb1_layout *out, char *why, size_t whylen)
{
	uint64_t avail = file_len - out->file_offset;

	if (!h->load_end_addr) {
		out->filesz = avail;
	} else if (h->load_end_addr <= h->load_addr) {
		fmt_buf(why, whylen, "Multiboot load_end_addr 0x%x is not above "
			"load_addr 0x%x", h->load_end_addr, h->load_addr);
		return BT_EFORMAT;
	} else {
		out->filesz = h->load_end_addr - h->load_addr;
	}
	if (out->filesz > avail) {
		fmt_buf(why, whylen, "Multiboot load_addr 0x%x-load_end_addr 0x%x "
			"needs file bytes 0x%llx-0x%llx, file has 0x%zx",
			h->load_addr, h->load_end_addr,
			(unsigned long long)out->file_offset,
			(unsigned long long)(out->file_offset + out->filesz),
			file_len);
		return BT_EFORMAT;
	}
	if (out->load_addr + out->filesz > GIB4) {
		fmt_buf(why, whylen, "Multiboot image of 0x%llx bytes at load_addr "
			"0x%x runs past 4 GiB", (unsigned long long)out->filesz,
			h->load_addr);
		return BT_EFORMAT;
	}
	return 0;
}

/* The bss after the loaded bytes, and an entry point among them. */
static int kludge_bss_entry(const struct mb1_header *h, struct mb1_layout *out,
			    char *why, size_t whylen)
{
	uint64_t load_end = out->load_addr + out->filesz;

	out->memsz = out->filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < load_end) {
			fmt_buf(why, whylen, "Multiboot bss_end_addr 0x%x is below "
				"the end of the loaded image 0x%llx",
				h->bss_end_addr, (unsigned long long)load_end);
			return BT_EFORMAT;
		}
		out->memsz = h->bss_end_addr - out->load_addr;
	}
	if (h->entry_addr < out->load_addr || h->entry_addr >= load_end) {
		fmt_buf(why, whylen, "Multiboot entry_addr 0x%x is outside the "
			"loaded image 0x%llx-0x%llx", h->entry_addr,
			(unsigned long long)out->load_addr,
			(unsigned long long)load_end);
		return BT_EFORMAT;
	}
	out->entry = h->entry_addr;
	return 0;
}

int mb1_kludge_layout(const struct mb1_header *h, size_t file_len,
		      struct mb1_layout *out, char *why, size_t whylen)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = kludge_start(h, out, why, whylen);
	/* h may not come from this file's mb1_find: its address fields, at
	 * least, must be inside the file, so file_offset is too. */
	if (!err && (h->offset > file_len ||
		     file_len - h->offset < HDR_SIZE_ADDR)) {
		fmt_buf(why, whylen, "Multiboot header at 0x%zx is past the end "
			"of the 0x%zx-byte file", h->offset, file_len);
		err = BT_EFORMAT;
	}
	if (!err)
		err = kludge_filesz(h, file_len, out, why, whylen);
	if (!err)
		err = kludge_bss_entry(h, out, why, whylen);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

/* ------------------------------------------- sizing the information */

/* Sizes saturate instead of wrapping, so an absurd request still gets an
 * answer that no buffer can satisfy. */
static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_mul(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t string_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

size_t mb1_info_size(const struct mb1_info_args *a, size_t max_map_entries)
{
	size_t n = MBI_SIZE;

	n = sat_add(n, sat_mul(a->n_modules, MOD_SIZE));
	n = sat_add(n, sat_mul(max_map_entries, MMAP_ENTRY_SIZE));
	n = sat_add(n, string_size(a->cmdline));
	n = sat_add(n, string_size(a->loader_name));
	for (size_t i = 0; i < a->n_modules; i++)
		n = sat_add(n, string_size(a->modules[i].string));
	return n;
}

/* ------------------------------------------------ the information area */

/*
 * The buffer being filled: bytes [0, used) are taken.  cap is already cut
 * so that phys + cap never passes 4 GiB, which keeps every address that is
 * handed out (phys + an offset below cap) a valid 32-bit pointer.
 */
struct mbi_buf {
	uint8_t *buf;
	uint32_t phys;
	size_t cap, used;
};

/* Take n bytes; their offset in *off.  BT_ETOOBIG when they do not fit. */
static int take(struct mbi_buf *b, size_t n, size_t *off)
{
	if (n > b->cap - b->used)
		return BT_ETOOBIG;
	*off = b->used;
	b->used += n;
	return 0;
}

static uint32_t phys_of(const struct mbi_buf *b, size_t off)
{
	return b->phys + (uint32_t)off;
}

/* Copy s with its NUL; *addr is its physical address, 0 for NULL. */
static int put_string(struct mbi_buf *b, const char *s, uint32_t *addr)
{
	size_t n = string_size(s), off;
	int err;

	*addr = 0;
	if (!s)
		return 0;
	err = take(b, n, &off);
	if (err)
		return err;
	memcpy(b->buf + off, s, n);
	*addr = phys_of(b, off);
	return 0;
}

/* ------------------------------------------------------ the memory map */

/* The Multiboot type for a UEFI memory type as the kernel will find the
 * memory after ExitBootServices.  Soft-reserved (EFI_MEMORY_SP) RAM is
 * set aside for a specific use, unaccepted memory faults until accepted,
 * and persistent memory keeps data: none of them is RAM to hand out, and
 * Multiboot 1 has no type for them, so they are reserved like MMIO. */
static uint32_t mb1_type_of(uint32_t type, bool soft_reserved)
{
	if (memmap_type_is_ram_after_ebs(type))
		return soft_reserved ? MB1_RESERVED : MB1_RAM;
	switch (type) {
	case MEM_ACPI_RECLAIM:
		return MB1_ACPI;
	case MEM_ACPI_NVS:
		return MB1_NVS;
	case MEM_UNUSABLE:
		return MB1_BAD;
	default:
		return MB1_RESERVED;
	}
}

struct mmap_entry {
	uint64_t base, len;
	uint32_t type;
};

/* A region as a Multiboot map entry. */
static void mmap_entry_of(const struct mem_region *r, struct mmap_entry *e)
{
	e->base = r->start;
	e->len = r->pages * PAGE_SIZE;
	e->type = mb1_type_of(r->type, r->soft_reserved);
}

static void get_entry(const uint8_t *p, struct mmap_entry *e)
{
	e->base = get64(p + 4);
	e->len = get64(p + 12);
	e->type = get32(p + 20);
}

static void put_entry(uint8_t *p, const struct mmap_entry *e)
{
	put32(p, MMAP_SIZE_FIELD);
	put64(p + 4, e->base);
	put64(p + 12, e->len);
	put32(p + 20, e->type);
}

/*
 * Append e after the n entries at map, in address order: merged into the
 * last entry when they touch and have one type; clipped to start after it
 * when a malformed map makes them overlap, so the output never overlaps.
 */
static int append_entry(struct mbi_buf *b, size_t map, size_t *n,
			struct mmap_entry e)
{
	struct mmap_entry last;
	uint64_t last_end;
	size_t off;
	int err;

	if (*n) {
		uint8_t *lp = b->buf + map + (*n - 1) * MMAP_ENTRY_SIZE;

		get_entry(lp, &last);
		last_end = last.base + last.len;
		if (last.type == e.type && e.base <= last_end) {
			if (e.base + e.len > last_end)
				last.len = e.base + e.len - last.base;
			put_entry(lp, &last);
			return 0;
		}
		if (e.base + e.len <= last_end)
			return 0;
		if (e.base < last_end) {
			e.len -= last_end - e.base;
			e.base = last_end;
		}
	}
	err = take(b, MMAP_ENTRY_SIZE, &off);
	if (err)
		return err;
	put_entry(b->buf + off, &e);
	(*n)++;
	return 0;
}

/* Write the sorted, merged map at the end of the used area; its offset and
 * entry count in *map and *n. */
static int put_mmap(struct mbi_buf *b, const uint8_t *p, size_t size,
		    size_t desc_size, size_t *map, size_t *n)
{
	size_t count = size / desc_size, i;
	struct mem_region r;
	struct mmap_entry e;
	int err;

	*map = b->used;
	*n = 0;
	/* In address order without sorting: the firmware's map must not be
	 * reordered, and nothing may be allocated after ExitBootServices. */
	for (i = memmap_raw_next(p, count, desc_size, count); i < count;
	     i = memmap_raw_next(p, count, desc_size, i)) {
		memmap_raw_desc(p, desc_size, i, &r);
		mmap_entry_of(&r, &e);
		err = append_entry(b, *map, n, e);
		if (err)
			return err;
	}
	return 0;
}

/*
 * mem_lower: KiB of RAM from address 0, at most 640; mem_upper: KiB of RAM
 * from 1 MiB up to the first hole (§3.3).  The map is sorted and merged,
 * so each run of RAM is one entry.
 */
static void put_mem_sizes(uint8_t *mbi, const uint8_t *map, size_t n)
{
	uint64_t lower = 0, upper = 0;
	struct mmap_entry e;

	for (size_t i = 0; i < n; i++) {
		get_entry(map + i * MMAP_ENTRY_SIZE, &e);
		if (e.type != MB1_RAM)
			continue;
		if (e.base == 0)
			lower = e.len < LOWER_MEM_TOP ? e.len : LOWER_MEM_TOP;
		if (e.base <= MIB && e.len > MIB - e.base)
			upper = e.base + e.len - MIB;
	}
	upper /= KIB;
	put32(mbi + MBI_MEM_LOWER, (uint32_t)(lower / KIB));
	put32(mbi + MBI_MEM_UPPER, upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper);
}

/* ------------------------------------------------------- the rest */

/* Strings go after the map; each module entry points at its own. */
static int put_modules(struct mbi_buf *b, size_t mods,
		       const struct mb1_info_args *a)
{
	for (size_t i = 0; i < a->n_modules; i++) {
		uint8_t *m = b->buf + mods + i * MOD_SIZE;
		uint32_t str;
		int err = put_string(b, a->modules[i].string, &str);

		if (err)
			return err;
		put32(m, a->modules[i].start);
		put32(m + 4, a->modules[i].end);
		put32(m + 8, str);
		put32(m + 12, 0);
	}
	return 0;
}

static void put_fb(uint8_t *mbi, const struct mb1_fb *fb)
{
	const uint8_t colour[6] = {
		fb->red_pos, fb->red_size, fb->green_pos, fb->green_size,
		fb->blue_pos, fb->blue_size,
	};

	put64(mbi + MBI_FB_ADDR, fb->addr);
	put32(mbi + MBI_FB_PITCH, fb->pitch);
	put32(mbi + MBI_FB_WIDTH, fb->width);
	put32(mbi + MBI_FB_HEIGHT, fb->height);
	mbi[MBI_FB_BPP] = fb->bpp;
	mbi[MBI_FB_TYPE] = MBI_FB_TYPE_RGB;
	memcpy(mbi + MBI_FB_COLOR, colour, sizeof(colour));
}

static void put_shdr(uint8_t *mbi, const struct mb1_info_args *a)
{
	put32(mbi + MBI_SHDR_NUM, a->shdr_num);
	put32(mbi + MBI_SHDR_SIZE, a->shdr_size);
	put32(mbi + MBI_SHDR_ADDR, a->shdr_addr);
	put32(mbi + MBI_SHDR_SHNDX, a->shdr_shndx);
}

/* The fields whose presence depends on the arguments; returns their flags. */
static uint32_t put_optional(uint8_t *mbi, const struct mb1_info_args *a,
			     uint32_t cmdline, uint32_t name)
{
	uint32_t flags = 0;

	if (a->cmdline) {
		put32(mbi + MBI_CMDLINE, cmdline);
		flags |= MBI_F_CMDLINE;
	}
	if (a->loader_name) {
		put32(mbi + MBI_BOOT_LOADER_NAME, name);
		flags |= MBI_F_LOADER_NAME;
	}
	if (a->shdr_num) {
		put_shdr(mbi, a);
		flags |= MBI_F_ELF_SHDR;
	}
	if (a->fb) {
		put_fb(mbi, a->fb);
		flags |= MBI_F_FB;
	}
	return flags;
}

/*
 * Layout: the structure, the module list, the memory map, then the
 * strings (command line, loader name, module strings).  The map's length is
 * only known once it is merged, so what follows it is placed afterwards.
 * boot_device (flag 1) stays clear: UEFI gives no BIOS drive number.
 */
int mb1_build_info(uint8_t *buf, uint32_t phys, size_t cap,
		   const struct mb1_info_args *a, const void *map, size_t size,
		   size_t desc_size)
{
	struct mbi_buf b = { buf, phys, cap, 0 };
	size_t info, mods, mmap, n_map;
	uint32_t cmdline, name;
	int err;

	if (memmap_raw_check(map, size, desc_size))
		return BT_EINVAL;
	if (b.cap > GIB4 - phys)
		b.cap = GIB4 - phys;
	err = take(&b, MBI_SIZE, &info);	/* offset 0: buf is the structure */
	if (!err)
		err = take(&b, sat_mul(a->n_modules, MOD_SIZE), &mods);
	if (!err)
		err = put_mmap(&b, map, size, desc_size, &mmap, &n_map);
	if (!err)
		err = put_string(&b, a->cmdline, &cmdline);
	if (!err)
		err = put_string(&b, a->loader_name, &name);
	if (!err)
		err = put_modules(&b, mods, a);
	if (err)
		return err;
	memset(buf + info, 0, MBI_SIZE);
	put32(buf + MBI_MODS_COUNT, (uint32_t)a->n_modules);
	put32(buf + MBI_MODS_ADDR, phys_of(&b, mods));
	put32(buf + MBI_MMAP_LENGTH, (uint32_t)(n_map * MMAP_ENTRY_SIZE));
	put32(buf + MBI_MMAP_ADDR, phys_of(&b, mmap));
	put_mem_sizes(buf, buf + mmap, n_map);
	put32(buf + MBI_FLAGS, MBI_F_MEM | MBI_F_MODS | MBI_F_MMAP |
	      put_optional(buf, a, cmdline, name));
	return 0;
}
