/*
 * Multiboot 2 header parser and boot information (MBI) builder; see
 * loader/multiboot2.h.  Layouts are those of the Multiboot2 Specification
 * 2.0 (multiboot2.texi), except where GRUB, the reference loader that
 * every Multiboot 2 kernel is tested against, writes something else: the
 * ELF sections tag has u32 num, entsize and shndx (the text says u16 with a
 * u16 pad) and the framebuffer tag a u16 reserved field (the text says u8).
 * Every field is read and written byte by byte, little-endian: the kernel
 * file and the MBI are plain byte buffers with no alignment promise.
 */
#include "loader/multiboot2.h"
#include "lib/memmap.h"
#include "lib/error.h"
#include "lib/bytes.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The header's fixed part. */
#define HDR_MAGIC 0
#define HDR_ARCH 4
#define HDR_LENGTH 8
#define HDR_CHECKSUM 12
#define HDR_FIXED 16
#define HDR_ALIGN 8
#define ARCH_I386 0
#define ARCH_MIPS32 4

/* Header tags: u16 type, u16 flags, u32 size, then the payload. */
#define HTAG_TYPE 0
#define HTAG_FLAGS 2
#define HTAG_SIZE 4
#define HTAG_HDR 8
#define HTAG_OPTIONAL 0x1
#define HTAG_ALIGN 8

enum {
	HTAG_END = 0,
	HTAG_INFO_REQUEST = 1,
	HTAG_ADDRESS = 2,
	HTAG_ENTRY = 3,
	HTAG_CONSOLE = 4,
	HTAG_FRAMEBUFFER = 5,
	HTAG_MODULE_ALIGN = 6,
	HTAG_EFI_BS = 7,
	HTAG_EFI32_ENTRY = 8,
	HTAG_EFI64_ENTRY = 9,
	HTAG_RELOCATABLE = 10,
	HTAG_COUNT
};

#define LOAD_FROM_FILE_START 0xffffffffu	/* address tag's load_addr -1 */
#define RELOC_PREF_HIGH 2

/* MBI tags: u32 type, u32 size, then the payload, each 8-byte aligned. */
enum {
	MBI_END = 0,
	MBI_CMDLINE = 1,
	MBI_LOADER_NAME = 2,
	MBI_MODULE = 3,
	MBI_MEMINFO = 4,
	MBI_MMAP = 6,
	MBI_FRAMEBUFFER = 8,
	MBI_ELF_SECTIONS = 9,
	MBI_EFI64 = 12,
	MBI_ACPI_OLD = 14,
	MBI_ACPI_NEW = 15,
	MBI_EFI_MMAP = 17,
	MBI_EFI_BS = 18,
	MBI_EFI64_IH = 20,
	MBI_LOAD_BASE = 21,
	MBI_NAMED = 22		/* types below this have a name */
};

#define MBI_FIXED 8		/* u32 total_size, u32 reserved */
#define MBI_TAG_HDR 8
#define MBI_ALIGN 8
#define MBI_MODULE_HDR 16	/* tag header, mod_start, mod_end */
#define MBI_MMAP_HDR 16		/* tag header, entry_size, entry_version */
#define MBI_MMAP_ENTRY 24	/* u64 base, u64 length, u32 type, u32 zero */
#define MBI_MMAP_VERSION 0
#define MBI_FB_SIZE 38		/* common part (32) + RGB colour info (6) */
#define MBI_FB_TYPE_RGB 1
#define MBI_ELF_HDR 20		/* tag header, num, entsize, shndx */
#define MBI_EFI_MMAP_HDR 16	/* tag header, descr_size, descr_version */

/* The information tags baton can fill in (mb2_find refuses a required
 * request for any other). */
#define MBI_PROVIDED ((1u << MBI_CMDLINE) | (1u << MBI_LOADER_NAME) | \
		      (1u << MBI_MODULE) | (1u << MBI_MEMINFO) | \
		      (1u << MBI_MMAP) | (1u << MBI_FRAMEBUFFER) | \
		      (1u << MBI_ELF_SECTIONS) | (1u << MBI_EFI64) | \
		      (1u << MBI_ACPI_OLD) | (1u << MBI_ACPI_NEW) | \
		      (1u << MBI_EFI_MMAP) | (1u << MBI_EFI_BS) | \
		      (1u << MBI_EFI64_IH) | (1u << MBI_LOAD_BASE))

/* Multiboot memory map types (as Multiboot 1 and e820). */
#define MB_RAM 1
#define MB_RESERVED 2
#define MB_ACPI 3
#define MB_NVS 4
#define MB_BAD 5

/* ACPI RSDP: revision at 15; from revision 2, a u32 length at 20. */
#define RSDP_REVISION 15
#define RSDP_LENGTH 20
#define RSDP_V1_SIZE 20
#define RSDP_V2_MIN 36
#define RSDP_V2_MAX 4096	/* a length beyond a page is corruption */


#define KIB 1024ULL
#define LOWER_MEM_END (640 * KIB)
#define UPPER_MEM_START (1024 * KIB)






static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ----------------------------------------------------------- the header */

/* The header tags' names, in the order of their types (a strlist). */
static const char htag_names[] =
	"end\0"			/* HTAG_END */
	"information request\0"	/* HTAG_INFO_REQUEST */
	"address\0"			/* HTAG_ADDRESS */
	"entry address\0"		/* HTAG_ENTRY */
	"console flags\0"		/* HTAG_CONSOLE */
	"framebuffer\0"			/* HTAG_FRAMEBUFFER */
	"module alignment\0"		/* HTAG_MODULE_ALIGN */
	"EFI boot services\0"		/* HTAG_EFI_BS */
	"EFI i386 entry address\0"	/* HTAG_EFI32_ENTRY */
	"EFI amd64 entry address\0"	/* HTAG_EFI64_ENTRY */
	"relocatable\0";		/* HTAG_RELOCATABLE */

/* The smallest size each header tag can have and still hold its fields. */
static const uint8_t htag_min_size[HTAG_COUNT] = {
	[HTAG_END] = 8, [HTAG_INFO_REQUEST] = 8, [HTAG_ADDRESS] = 24,
	[HTAG_ENTRY] = 12, [HTAG_CONSOLE] = 12, [HTAG_FRAMEBUFFER] = 20,
	[HTAG_MODULE_ALIGN] = 8, [HTAG_EFI_BS] = 8, [HTAG_EFI32_ENTRY] = 12,
	[HTAG_EFI64_ENTRY] = 12, [HTAG_RELOCATABLE] = 24,
};

/* The MBI tags' names, types 0 to MBI_NAMED - 1 in order (a strlist). */
static const char mbi_names[] =
	"end\0" "boot command line\0" "boot loader name\0" "module\0"
	"basic memory information\0" "BIOS boot device\0" "memory map\0"
	"VBE info\0" "framebuffer info\0" "ELF sections\0" "APM table\0"
	"EFI 32-bit system table pointer\0" "EFI 64-bit system table pointer\0"
	"SMBIOS tables\0" "ACPI old RSDP\0" "ACPI new RSDP\0"
	"networking information\0" "EFI memory map\0"
	"EFI boot services not terminated\0" "EFI 32-bit image handle pointer\0"
	"EFI 64-bit image handle pointer\0" "image load base physical address\0";

static const char *mbi_name(uint32_t type)
{
	return type < MBI_NAMED ? strlist_at(mbi_names, type) : "unknown";
}

static bool mbi_provided(uint32_t type)
{
	return type < 32 && (MBI_PROVIDED >> type & 1);
}

/* One header being parsed: p is its first byte, at file offset base. */
struct hdr_scan {
	const uint8_t *p;
	size_t base;
	uint32_t len;		/* header_length, checked to fit */
	struct mb2_header *h;
	char *why;
	size_t whylen;
};

/*
 * Why the candidate at p (whose magic matched) is not a header for baton,
 * or NULL when it is.  The checksum covers the architecture, so a bad sum
 * is reported before a foreign architecture.
 */
static const char *candidate_flaw(const uint8_t *p)
{
	uint32_t sum = get32(p + HDR_MAGIC) + get32(p + HDR_ARCH) +
		       get32(p + HDR_LENGTH) + get32(p + HDR_CHECKSUM);

	if (sum)
		return "has a bad checksum (magic + architecture + "
		       "header_length + checksum is not 0)";
	if (get32(p + HDR_ARCH) == ARCH_MIPS32)
		return "is for architecture 4 (MIPS32); baton boots i386 (0)";
	if (get32(p + HDR_ARCH) != ARCH_I386)
		return "is for an unknown architecture; baton boots i386 (0)";
	return NULL;
}

/*
 * The first 8-byte-aligned offset in the search window holding the magic,
 * a good checksum and architecture 0, as GRUB searches: a stray magic
 * number in code or data before the real header is skipped.  When none is
 * found, the message names the first near miss.
 */
static int find_candidate(const uint8_t *p, size_t len, size_t *off,
			  char *why, size_t whylen)
{
	size_t window = len < MB2_SEARCH ? len : MB2_SEARCH;
	const char *flaw = NULL;
	size_t flaw_at = 0;

	for (size_t o = 0; o + HDR_FIXED <= window; o += HDR_ALIGN) {
		const char *f;

		if (get32(p + o + HDR_MAGIC) != MB2_HEADER_MAGIC)
			continue;
		f = candidate_flaw(p + o);
		if (!f) {
			*off = o;
			return 0;
		}
		if (!flaw) {
			flaw = f;
			flaw_at = o;
		}
	}
	if (flaw)
		fmt_buf(why, whylen, "Multiboot2 header at 0x%zx %s", flaw_at,
			flaw);
	else
		fmt_buf(why, whylen, "no Multiboot2 header (magic 0x%X, 8-byte "
			"aligned) in the first 32 KiB", MB2_HEADER_MAGIC);
	return BT_EFORMAT;
}

/* header_length must cover the fixed part and stay inside both the file
 * and the search window (the spec wants the whole header in 32 KiB). */
static int check_length(struct hdr_scan *s, size_t file_len)
{
	size_t window = file_len < MB2_SEARCH ? file_len : MB2_SEARCH;
	uint32_t hl = get32(s->p + HDR_LENGTH);

	if (hl < HDR_FIXED) {
		fmt_buf(s->why, s->whylen, "Multiboot2 header at 0x%zx: "
			"header_length %u (at 0x%zx) is shorter than the "
			"16-byte fixed part", s->base, hl, s->base + HDR_LENGTH);
		return BT_EFORMAT;
	}
	if (hl > window - s->base) {
		fmt_buf(s->why, s->whylen, "Multiboot2 header at 0x%zx: "
			"header_length %u (at 0x%zx) runs past %s (0x%zx "
			"bytes)", s->base, hl, s->base + HDR_LENGTH,
			window == file_len ? "the end of the file" :
			"the first 32 KiB", window);
		return BT_EFORMAT;
	}
	s->len = hl;
	return 0;
}

/* Record a requested information tag once (the array is informational:
 * past 32 distinct types, later ones are not kept). */
static void note_request(struct mb2_header *h, uint32_t type)
{
	for (size_t i = 0; i < h->n_requests; i++)
		if (h->requests[i] == type)
			return;
	if (h->n_requests < sizeof(h->requests) / sizeof(h->requests[0]))
		h->requests[h->n_requests++] = type;
}

/* Tag 1: a required request for a tag baton cannot fill is fatal, because
 * the spec says the loader must then fail rather than boot the kernel. */
static int parse_info_request(struct hdr_scan *s, const uint8_t *t,
			      uint32_t size, bool optional)
{
	for (uint32_t i = HTAG_HDR; i + 4 <= size; i += 4) {
		uint32_t type = get32(t + i);

		if (!optional && !mbi_provided(type)) {
			fmt_buf(s->why, s->whylen, "Multiboot2 header asks for "
				"information tag %u (%s), which baton cannot "
				"provide", type, mbi_name(type));
			return BT_EFORMAT;
		}
		note_request(s->h, type);
	}
	return 0;
}

/* Tag 2: the file offset to load from is the header's offset minus
 * (header_addr - load_addr), so load_addr may not be above header_addr. */
static int parse_address(struct hdr_scan *s, const uint8_t *t, size_t at)
{
	struct mb2_header *h = s->h;

	h->has_address = true;
	h->header_addr = get32(t + 8);
	h->load_addr = get32(t + 12);
	h->load_end_addr = get32(t + 16);
	h->bss_end_addr = get32(t + 20);
	if (h->load_addr != LOAD_FROM_FILE_START && h->load_addr > h->header_addr) {
		fmt_buf(s->why, s->whylen, "Multiboot2 address tag at 0x%zx: "
			"load_addr 0x%x is above header_addr 0x%x", at,
			h->load_addr, h->header_addr);
		return BT_EFORMAT;
	}
	return 0;
}

/* Tag 10: a range the image can be placed in at all, and an alignment the
 * placement can honour (0 meaning none, as GRUB reads it). */
static int parse_relocatable(struct hdr_scan *s, const uint8_t *t, size_t at)
{
	struct mb2_header *h = s->h;

	h->relocatable = true;
	h->reloc_min = get32(t + 8);
	h->reloc_max = get32(t + 12);
	h->reloc_align = get32(t + 16);
	h->reloc_pref = get32(t + 20);
	if (h->reloc_min > h->reloc_max) {
		fmt_buf(s->why, s->whylen, "Multiboot2 relocatable tag at 0x%zx: "
			"min_addr 0x%x is above max_addr 0x%x", at,
			h->reloc_min, h->reloc_max);
		return BT_EFORMAT;
	}
	if (h->reloc_align && !is_pow2(h->reloc_align)) {
		fmt_buf(s->why, s->whylen, "Multiboot2 relocatable tag at 0x%zx: "
			"align 0x%x is not a power of two", at, h->reloc_align);
		return BT_EFORMAT;
	}
	if (h->reloc_pref > RELOC_PREF_HIGH) {
		fmt_buf(s->why, s->whylen, "Multiboot2 relocatable tag at 0x%zx: "
			"preference %u is not 0 (none), 1 (low) or 2 (high)", at,
			h->reloc_pref);
		return BT_EFORMAT;
	}
	return 0;
}

/* One known tag, already checked to hold its fields; at is its file
 * offset for messages. */
static int parse_known(struct hdr_scan *s, const uint8_t *t, uint16_t type,
		       uint32_t size, bool optional, size_t at)
{
	struct mb2_header *h = s->h;

	switch (type) {
	case HTAG_INFO_REQUEST:
		return parse_info_request(s, t, size, optional);
	case HTAG_ADDRESS:
		return parse_address(s, t, at);
	case HTAG_ENTRY:
		h->has_entry = true;
		h->entry_addr = get32(t + 8);
		return 0;
	case HTAG_CONSOLE:
		h->has_console = true;
		h->console_flags = get32(t + 8);
		return 0;
	case HTAG_FRAMEBUFFER:
		h->has_framebuffer = true;
		h->fb_width = get32(t + 8);
		h->fb_height = get32(t + 12);
		h->fb_depth = get32(t + 16);
		return 0;
	case HTAG_MODULE_ALIGN:
		h->module_align = true;
		return 0;
	case HTAG_EFI_BS:
		h->efi_bs = true;
		return 0;
	case HTAG_EFI32_ENTRY:
		h->has_efi32_entry = true;
		h->efi32_entry = get32(t + 8);
		return 0;
	case HTAG_EFI64_ENTRY:
		h->has_efi64_entry = true;
		h->efi64_entry = get32(t + 8);
		return 0;
	default:	/* HTAG_RELOCATABLE, the last known type */
		return parse_relocatable(s, t, at);
	}
}

/*
 * The tag at header offset off: its size must hold the tag header and its
 * fields and stay inside header_length.  Sets *end for the end tag.
 */
static int parse_tag(struct hdr_scan *s, uint32_t off, uint32_t *size,
		     bool *end)
{
	const uint8_t *t = s->p + off;
	uint16_t type = get16(t + HTAG_TYPE);
	bool optional = get16(t + HTAG_FLAGS) & HTAG_OPTIONAL;
	size_t at = s->base + off;
	const char *name = type < HTAG_COUNT ? strlist_at(htag_names, type) :
						"unknown";

	*size = get32(t + HTAG_SIZE);
	if (*size < HTAG_HDR || *size > s->len - off) {
		fmt_buf(s->why, s->whylen, "Multiboot2 header tag %u (%s) at "
			"0x%zx has size %u, outside 8..%u (header_length %u)",
			type, name, at, *size, s->len - off, s->len);
		return BT_EFORMAT;
	}
	if (type >= HTAG_COUNT) {
		if (optional)
			return 0;
		fmt_buf(s->why, s->whylen, "Multiboot2 header tag %u at 0x%zx "
			"is unknown to baton and not marked optional", type, at);
		return BT_EFORMAT;
	}
	if (*size < htag_min_size[type] || (type == HTAG_END && *size != HTAG_HDR)) {
		fmt_buf(s->why, s->whylen, "Multiboot2 header tag %u (%s) at "
			"0x%zx has size %u, %s %u", type, name, at, *size,
			type == HTAG_END ? "not" : "needs at least",
			htag_min_size[type]);
		return BT_EFORMAT;
	}
	*end = type == HTAG_END;
	return *end ? 0 : parse_known(s, t, type, *size, optional, at);
}

/* Walk the tags from the end of the fixed part, each at an 8-byte-aligned
 * offset, until the end tag, which must come before header_length runs
 * out.  A tag's size is at most header_length (< 32 KiB), so off cannot
 * wrap. */
static int parse_tags(struct hdr_scan *s)
{
	uint32_t size = 0;
	bool end = false;
	int err;

	for (uint32_t off = HDR_FIXED; off < s->len && s->len - off >= HTAG_HDR;
	     off += (size + HTAG_ALIGN - 1) & ~(uint32_t)(HTAG_ALIGN - 1)) {
		err = parse_tag(s, off, &size, &end);
		if (err || end)
			return err;
	}
	fmt_buf(s->why, s->whylen, "Multiboot2 header at 0x%zx: no end tag "
		"(type 0, size 8) within header_length %u", s->base, s->len);
	return BT_EFORMAT;
}

int mb2_find(const void *data, size_t len, struct mb2_header *h, char *why,
	     size_t whylen)
{
	const uint8_t *p = data;
	struct hdr_scan s = { .h = h, .why = why, .whylen = whylen };
	int err;

	memset(h, 0, sizeof(*h));
	err = find_candidate(p, len, &s.base, why, whylen);
	if (err)
		return err;
	s.p = p + s.base;
	err = check_length(&s, len);
	if (!err)
		err = parse_tags(&s);
	if (err) {
		memset(h, 0, sizeof(*h));
		return err;
	}
	h->offset = s.base;
	h->header_length = s.len;
	return 0;
}

/* ------------------------------------------------------------- the map */

/* The raw UEFI map as given, checked once by map_check. */
struct raw_map {
	const uint8_t *p;
	size_t count, desc_size;
	bool bs_running;	/* boot services still own their memory */
};

/* One memory map entry, as the MBI reports it. */
struct mb_range {
	uint64_t base, len;
	uint32_t type;
};

/* Walk by desc_size, never a fixed size; a descriptor whose end would wrap
 * cannot be sorted or merged, so the whole map is refused. */
static int map_check(struct raw_map *m, const void *map, size_t size,
		     size_t desc_size, bool bs_running)
{
	m->p = map;
	m->desc_size = desc_size;
	m->count = 0;
	m->bs_running = bs_running;
	if (!size)
		return 0;
	if (!map || memmap_raw_check(map, size, desc_size))
		return BT_EINVAL;
	m->count = size / desc_size;
	return 0;
}

/*
 * The Multiboot type for a UEFI type.  RAM is what is free once boot
 * services are gone -- also for kernels that keep boot services (tag 7):
 * such a kernel must follow the EFI memory map (tag 17) while they run, and
 * the Multiboot map describes the machine it will own, as GRUB reports it.
 * Soft-reserved (EFI_MEMORY_SP) memory is set aside by the platform and is
 * not for a kernel's general use.
 */
static uint32_t mb_type(uint32_t type, bool soft_reserved, bool bs_running)
{
	switch (type) {
	case MEM_ACPI_RECLAIM:
		return MB_ACPI;
	case MEM_ACPI_NVS:
		return MB_NVS;
	case MEM_UNUSABLE:
		return MB_BAD;
	default:
		break;
	}
	if (soft_reserved)
		return MB_RESERVED;
	return memmap_type_is_ram_after_ebs(type) ? MB_RAM : MB_RESERVED;
}

/* Descriptor i as a range; false for an empty one, which is left out. */
static bool map_range(const struct raw_map *m, size_t i, struct mb_range *r)
{
	struct mem_region d;

	memmap_raw_desc(m->p, m->desc_size, i, &d);
	r->base = d.start;
	r->len = d.pages * PAGE_SIZE;
	r->type = mb_type(d.type, d.soft_reserved, m->bs_running);
	return d.pages != 0;
}

static void put_mmap_entry(uint8_t *e, const struct mb_range *r)
{
	put64(e, r->base);
	put64(e + 8, r->len);
	put32(e + 16, r->type);
	put32(e + 20, 0);
}

/*
 * The sorted entries, adjacent or overlapping runs of one type merged,
 * written to out when it is not NULL; returns how many there are.  The
 * first pass counts, so the tag's size is known before it is written.
 */
static size_t map_entries(const struct raw_map *m, uint8_t *out)
{
	struct mb_range cur = { 0, 0, 0 }, r;
	size_t n = 0;

	/* In address order without sorting: the map is the caller's and
	 * nothing may be allocated here. */
	for (size_t i = memmap_raw_next(m->p, m->count, m->desc_size, m->count);
	     i < m->count; i = memmap_raw_next(m->p, m->count, m->desc_size, i)) {
		map_range(m, i, &r);
		if (n && r.type == cur.type && r.base <= cur.base + cur.len) {
			if (r.base + r.len > cur.base + cur.len)
				cur.len = r.base + r.len - cur.base;
			continue;
		}
		if (n && out)
			put_mmap_entry(out + (n - 1) * MBI_MMAP_ENTRY, &cur);
		cur = r;
		n++;
	}
	if (n && out)
		put_mmap_entry(out + (n - 1) * MBI_MMAP_ENTRY, &cur);
	return n;
}

/* The end of the run of RAM that contains addr (addr itself when there is
 * none): each pass extends it by a region starting inside it, so at most
 * count passes are made whatever the order of the map. */
static uint64_t ram_run_end(const struct raw_map *m, uint64_t addr)
{
	struct mb_range r;
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < m->count; i++) {
			if (!map_range(m, i, &r) || r.type != MB_RAM)
				continue;
			if (r.base <= addr && addr < r.base + r.len) {
				addr = r.base + r.len;
				grew = true;
			}
		}
	}
	return addr;
}

/* ------------------------------------------------------------- the MBI */

/* Bytes a tag with this many payload bytes takes, padding included;
 * saturates instead of wrapping so a size stays an upper bound. */
static size_t tag_space(size_t payload)
{
	if (payload > SIZE_MAX - MBI_TAG_HDR - (MBI_ALIGN - 1))
		return SIZE_MAX;
	return (MBI_TAG_HDR + payload + MBI_ALIGN - 1) & ~(size_t)(MBI_ALIGN - 1);
}

static size_t add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t mul_sat(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t str_size(const char *s)
{
	return (s ? strlen(s) : 0) + 1;
}

/* The copy of the RSDP for tag 15: its length field, when the revision
 * has one and it is sane; 0 for no tag 15. */
static size_t rsdp_v2_size(const uint8_t *rsdp)
{
	uint32_t len;

	if (!rsdp || rsdp[RSDP_REVISION] < 2)
		return 0;
	len = get32(rsdp + RSDP_LENGTH);
	return len >= RSDP_V2_MIN && len <= RSDP_V2_MAX ? len : 0;
}

static bool has_elf(const struct mb2_info_args *a)
{
	return a->shdr_num && a->shdrs;
}

static size_t elf_payload(const struct mb2_info_args *a)
{
	return add_sat(MBI_ELF_HDR - MBI_TAG_HDR,
		       mul_sat(a->shdr_num, a->shdr_size));
}

size_t mb2_info_size(const struct mb2_info_args *a, size_t max_map_entries,
		     size_t efi_map_bytes)
{
	size_t n = MBI_FIXED;

	n = add_sat(n, tag_space(str_size(a->cmdline)));
	if (a->loader_name)
		n = add_sat(n, tag_space(str_size(a->loader_name)));
	for (size_t i = 0; i < a->n_modules; i++)
		n = add_sat(n, tag_space(MBI_MODULE_HDR - MBI_TAG_HDR +
					 str_size(a->modules[i].string)));
	if (max_map_entries) {
		n = add_sat(n, tag_space(8));		/* meminfo */
		n = add_sat(n, tag_space(add_sat(MBI_MMAP_HDR - MBI_TAG_HDR,
				mul_sat(max_map_entries, MBI_MMAP_ENTRY))));
	}
	if (a->fb)
		n = add_sat(n, tag_space(MBI_FB_SIZE - MBI_TAG_HDR));
	if (has_elf(a))
		n = add_sat(n, tag_space(elf_payload(a)));
	if (a->efi_systab)
		n = add_sat(n, tag_space(8));
	if (a->rsdp)
		n = add_sat(n, tag_space(RSDP_V1_SIZE));
	if (rsdp_v2_size(a->rsdp))
		n = add_sat(n, tag_space(rsdp_v2_size(a->rsdp)));
	if (efi_map_bytes)
		n = add_sat(n, tag_space(add_sat(MBI_EFI_MMAP_HDR - MBI_TAG_HDR,
						 efi_map_bytes)));
	if (a->boot_services_running)
		n = add_sat(n, tag_space(0));
	if (a->efi_image_handle)
		n = add_sat(n, tag_space(8));
	if (a->has_load_base)
		n = add_sat(n, tag_space(4));
	return add_sat(n, tag_space(0));	/* end */
}

/* The MBI being written: tags go at pos, which stays 8-byte aligned. */
struct mbi_out {
	uint8_t *buf;
	size_t cap, pos;
};

/*
 * Start a tag of size bytes (header included) at o->pos: writes its header,
 * zeroes its padding and moves pos past it.  Returns the tag, or NULL when
 * it does not fit in the buffer or in the u32 size and total_size fields.
 */
static uint8_t *tag_open(struct mbi_out *o, uint32_t type, size_t size)
{
	size_t space = tag_space(size - MBI_TAG_HDR);
	uint8_t *t;

	if (size > UINT32_MAX || space > o->cap - o->pos ||
	    o->pos + space > UINT32_MAX)
		return NULL;
	t = o->buf + o->pos;
	put32(t, type);
	put32(t + 4, (uint32_t)size);
	memset(t + size, 0, space - size);
	o->pos += space;
	return t;
}

/* A tag whose payload is the string s (NULL: empty), NUL included. */
static int put_string(struct mbi_out *o, uint32_t type, const char *s)
{
	size_t n = str_size(s);
	uint8_t *t = tag_open(o, type, MBI_TAG_HDR + n);

	if (!t)
		return BT_ETOOBIG;
	memcpy(t + MBI_TAG_HDR, s ? s : "", n);
	return 0;
}

/* One tag per module, in the order given. */
static int put_modules(struct mbi_out *o, const struct mb2_info_args *a)
{
	for (size_t i = 0; i < a->n_modules; i++) {
		const struct mb2_module *m = &a->modules[i];
		size_t n = str_size(m->string);
		uint8_t *t = tag_open(o, MBI_MODULE, MBI_MODULE_HDR + n);

		if (!t)
			return BT_ETOOBIG;
		put32(t + 8, m->start);
		put32(t + 12, m->end);
		memcpy(t + MBI_MODULE_HDR, m->string ? m->string : "", n);
	}
	return 0;
}

/* mem_lower and mem_upper as Multiboot 1 has them, in KiB: the RAM from 0
 * (at most 640 KiB) and the RAM from 1 MiB up to its first hole. */
static int put_meminfo(struct mbi_out *o, const struct raw_map *m)
{
	uint64_t lower = ram_run_end(m, 0), upper = ram_run_end(m, UPPER_MEM_START);
	uint8_t *t = tag_open(o, MBI_MEMINFO, MBI_TAG_HDR + 8);

	if (!t)
		return BT_ETOOBIG;
	if (lower > LOWER_MEM_END)
		lower = LOWER_MEM_END;
	upper = (upper - UPPER_MEM_START) / KIB;
	put32(t + 8, (uint32_t)(lower / KIB));
	put32(t + 12, upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper);
	return 0;
}

static int put_mmap(struct mbi_out *o, const struct raw_map *m)
{
	size_t n = map_entries(m, NULL);
	uint8_t *t;

	if (n > (SIZE_MAX - MBI_MMAP_HDR) / MBI_MMAP_ENTRY)
		return BT_ETOOBIG;
	t = tag_open(o, MBI_MMAP, MBI_MMAP_HDR + n * MBI_MMAP_ENTRY);
	if (!t)
		return BT_ETOOBIG;
	put32(t + 8, MBI_MMAP_ENTRY);
	put32(t + 12, MBI_MMAP_VERSION);
	map_entries(m, t + MBI_MMAP_HDR);
	return 0;
}

/* A direct-colour (type 1) framebuffer: the common part with GRUB's u16
 * reserved, then the six position/size bytes. */
static int put_fb(struct mbi_out *o, const struct mb2_fb *fb)
{
	uint8_t *t = tag_open(o, MBI_FRAMEBUFFER, MBI_FB_SIZE);
	const uint8_t colours[6] = {
		fb->red_pos, fb->red_size, fb->green_pos, fb->green_size,
		fb->blue_pos, fb->blue_size,
	};

	if (!t)
		return BT_ETOOBIG;
	put64(t + 8, fb->addr);
	put32(t + 16, fb->pitch);
	put32(t + 20, fb->width);
	put32(t + 24, fb->height);
	t[28] = fb->bpp;
	t[29] = MBI_FB_TYPE_RGB;
	t[30] = t[31] = 0;
	memcpy(t + 32, colours, sizeof(colours));
	return 0;
}

/* The section headers, copied whole (GRUB's u32 num, entsize, shndx). */
static int put_elf(struct mbi_out *o, const struct mb2_info_args *a)
{
	size_t payload = elf_payload(a);
	uint8_t *t;

	if (payload == SIZE_MAX)
		return BT_ETOOBIG;
	t = tag_open(o, MBI_ELF_SECTIONS, MBI_TAG_HDR + payload);
	if (!t)
		return BT_ETOOBIG;
	put32(t + 8, a->shdr_num);
	put32(t + 12, a->shdr_size);
	put32(t + 16, a->shdr_shndx);
	memcpy(t + MBI_ELF_HDR, a->shdrs, payload - (MBI_ELF_HDR - MBI_TAG_HDR));
	return 0;
}

static int put_u64(struct mbi_out *o, uint32_t type, uint64_t v)
{
	uint8_t *t = tag_open(o, type, MBI_TAG_HDR + 8);

	if (!t)
		return BT_ETOOBIG;
	put64(t + 8, v);
	return 0;
}

static int put_u32(struct mbi_out *o, uint32_t type, uint32_t v)
{
	uint8_t *t = tag_open(o, type, MBI_TAG_HDR + 4);

	if (!t)
		return BT_ETOOBIG;
	put32(t + 8, v);
	return 0;
}

static int put_bytes(struct mbi_out *o, uint32_t type, const void *p,
		     size_t n)
{
	uint8_t *t = tag_open(o, type, MBI_TAG_HDR + n);

	if (!t)
		return BT_ETOOBIG;
	memcpy(t + MBI_TAG_HDR, p, n);
	return 0;
}

/* Tag 14 always carries the ACPI 1.0 part (the first 20 bytes), which
 * every RSDP starts with; tag 15 the whole table when it is 2.0 or later.
 * GRUB gives both, and kernels that only know tag 14 still find ACPI. */
static int put_rsdp(struct mbi_out *o, const uint8_t *rsdp)
{
	size_t v2 = rsdp_v2_size(rsdp);
	int err = put_bytes(o, MBI_ACPI_OLD, rsdp, RSDP_V1_SIZE);

	if (!err && v2)
		err = put_bytes(o, MBI_ACPI_NEW, rsdp, v2);
	return err;
}

static int put_efi_map(struct mbi_out *o, const void *map, size_t size,
		       size_t desc_size, uint32_t desc_version)
{
	uint8_t *t;

	if (size > SIZE_MAX - MBI_EFI_MMAP_HDR)
		return BT_ETOOBIG;
	t = tag_open(o, MBI_EFI_MMAP, MBI_EFI_MMAP_HDR + size);
	if (!t)
		return BT_ETOOBIG;
	put32(t + 8, (uint32_t)desc_size);
	put32(t + 12, desc_version);
	memcpy(t + MBI_EFI_MMAP_HDR, map, size);
	return 0;
}

/* The tags that come from the loader's own data, in the header's order. */
static int put_loader_tags(struct mbi_out *o, const struct mb2_info_args *a)
{
	int err = put_string(o, MBI_CMDLINE, a->cmdline);

	if (!err && a->loader_name)
		err = put_string(o, MBI_LOADER_NAME, a->loader_name);
	if (!err)
		err = put_modules(o, a);
	return err;
}

/* The tags that describe the machine, in the header's order. */
static int put_machine_tags(struct mbi_out *o, const struct mb2_info_args *a,
			    const struct raw_map *m)
{
	int err = 0;

	if (m->count)
		err = put_meminfo(o, m);
	if (!err && m->count)
		err = put_mmap(o, m);
	if (!err && a->fb)
		err = put_fb(o, a->fb);
	if (!err && has_elf(a))
		err = put_elf(o, a);
	if (!err && a->efi_systab)
		err = put_u64(o, MBI_EFI64, a->efi_systab);
	if (!err && a->rsdp)
		err = put_rsdp(o, a->rsdp);
	return err;
}

/* The tags after the machine's: the EFI memory map (the raw map, whose
 * descriptor size and version the kernel needs to walk it), boot services,
 * the image handle and the load base. */
static int put_efi_tags(struct mbi_out *o, const struct mb2_info_args *a,
			const struct raw_map *m, size_t size,
			uint32_t desc_version)
{
	int err = 0;

	if (size)
		err = put_efi_map(o, m->p, size, m->desc_size, desc_version);
	if (!err && a->boot_services_running &&
	    !tag_open(o, MBI_EFI_BS, MBI_TAG_HDR))
		err = BT_ETOOBIG;
	if (!err && a->efi_image_handle)
		err = put_u64(o, MBI_EFI64_IH, a->efi_image_handle);
	if (!err && a->has_load_base)
		err = put_u32(o, MBI_LOAD_BASE, a->load_base);
	return err;
}

/*
 * Tags are written front to back, each checked against cap before a byte
 * of it is stored, so a buffer sized by mb2_info_size is never overrun and
 * a smaller one fails cleanly.  total_size is written last.
 */
int mb2_build_info(uint8_t *buf, size_t cap, const struct mb2_info_args *a,
		   const void *map, size_t size, size_t desc_size,
		   uint32_t desc_version)
{
	struct mbi_out o = { buf, cap, MBI_FIXED };
	struct raw_map m;
	int err;

	if (cap < MBI_FIXED)
		return BT_ETOOBIG;
	err = map_check(&m, map, size, desc_size, a->boot_services_running);
	if (!err)
		err = put_loader_tags(&o, a);
	if (!err)
		err = put_machine_tags(&o, a, &m);
	if (!err)
		err = put_efi_tags(&o, a, &m, size, desc_version);
	if (!err && !tag_open(&o, MBI_END, MBI_TAG_HDR))
		err = BT_ETOOBIG;
	if (err)
		return err;
	put32(buf, (uint32_t)o.pos);
	put32(buf + 4, 0);
	return 0;
}
