/*
 * Linux x86 boot protocol builders; see loader/linux.h.  Offsets are those
 * of Documentation/arch/x86/boot.rst and the uapi bootparam.h and
 * screen_info.h structures.  The setup header sits at the same offset in
 * the file and in boot_params, so one set of HDR_ names serves both.  Every
 * multi-byte field is read and written byte by byte, little-endian: the
 * image and the zero page are plain byte buffers with no alignment promise.
 */
#include "loader/linux.h"
#include "lib/error.h"
#include "lib/bytes.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The setup header (file and boot_params). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4	/* protected-mode code, in 16-byte paragraphs */
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP_LEN 0x201	/* second byte of the jump: header length */
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_MIN_ALIGNMENT 0x235
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PAYLOAD_OFFSET 0x248	/* from the start of the protected-mode code */
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_SETUP_DATA 0x250
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_HOLE_END 0x290	/* boot_params has room for the header up to here */

/* The rest of boot_params. */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_EFI_INFO 0x1c0
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0

/* struct screen_info, at offset 0 of boot_params. */
#define SI_ORIG_VIDEO_ISVGA 0x0f
#define SI_LFB_WIDTH 0x12
#define SI_LFB_HEIGHT 0x14
#define SI_LFB_DEPTH 0x16
#define SI_LFB_BASE 0x18
#define SI_LFB_SIZE 0x1c
#define SI_LFB_LINELENGTH 0x24
#define SI_RED_SIZE 0x26	/* then red_pos, green, blue, rsvd: 8 bytes */
#define SI_PAGES 0x32
#define SI_CAPABILITIES 0x36
#define SI_EXT_LFB_BASE 0x3a

#define HDRS_MAGIC "HdrS"
#define BOOT_FLAG 0xaa55
#define MIN_VERSION 0x020c	/* xloadflags, so XLF_KERNEL_64, exist from 2.12 */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x0001
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x0002
#define XLF_EFI_KEXEC 0x0010	/* the kernel can be kexec'd with EFI runtime */
#define LOADER_UNDEFINED 0xff	/* type_of_loader: no assigned id */
#define VIDEO_TYPE_EFI 0x70
#define VIDEO_CAPABILITY_SKIP_QUIRKS 0x1
#define VIDEO_CAPABILITY_64BIT_BASE 0x2
#define SETUP_E820_EXT 1
#define SETUP_EFI 4
#define EFI_SETUP_LEN 96	/* fw_vendor, runtime, tables, smbios, 8 reserved: u64 */
#define SETUP_DATA_HDR 16	/* u64 next, u32 type, u32 len */
#define E820_ENTRY_SIZE 20
#define EFI_LOADER_SIG_64 "EL64"

/* e820 types (arch/x86/include/asm/e820/types.h). */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5
#define E820_PMEM 7
#define E820_SOFT_RESERVED 0xefffffffu


#define MIB (1024ULL * 1024)
#define GIB4 (4ULL * 1024 * MIB)







static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ----------------------------------------------------------- parsing */

/* The signatures that make a file a bzImage at all. */
static int check_magic(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	if (len < HDR_BOOT_FLAG + 2 || get16(p + HDR_BOOT_FLAG) != BOOT_FLAG) {
		fmt_buf(why, whylen, "not a bzImage (no boot flag 0xAA55 at 0x1FE)");
		return BT_EFORMAT;
	}
	if (len < HDR_MAGIC + 4 || memcmp(p + HDR_MAGIC, HDRS_MAGIC, 4)) {
		fmt_buf(why, whylen, "not a bzImage (no HdrS signature at 0x202)");
		return BT_EFORMAT;
	}
	return 0;
}

/*
 * How much of the file the header says is kernel.  The rule:
 *  - the setup sectors must be in the file, and at least one byte after
 *    them (the protected-mode kernel, which starts at (setup_sects+1)*512);
 *  - syssize counts 16-byte paragraphs, and the last one may be partial:
 *    a file that ends inside the last paragraph is whole (memtest86+ 6.10
 *    is 8 bytes short of syssize * 16; GRUB ignores syssize altogether),
 *    one that ends before the last paragraph starts is truncated;
 *  - syssize 0 says nothing, and more than syssize (a signature appended
 *    by sbsign) is fine.
 * payload_offset/payload_length are checked in check_payload, once the
 * protocol version says they exist.  Once this holds, every header field
 * up to 0x290 is inside the file, because the setup is at least two
 * sectors.
 */
static int check_length(const uint8_t *p, size_t len, struct bzimage *bz,
			char *why, size_t whylen)
{
	uint64_t paras = get32(p + HDR_SYSSIZE), have;

	bz->setup_sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
	bz->payload_off = ((size_t)bz->setup_sects + 1) * 512;
	if (len < bz->payload_off) {
		fmt_buf(why, whylen, "truncated (setup_sects at 0x1F1 says the "
			"setup ends at 0x%zx, file has 0x%zx)", bz->payload_off,
			len);
		return BT_EFORMAT;
	}
	if (len == bz->payload_off) {
		fmt_buf(why, whylen, "no kernel after the setup (setup_sects at "
			"0x1F1 says it starts at 0x%zx, where the file ends)",
			bz->payload_off);
		return BT_EFORMAT;
	}
	bz->payload_len = len - bz->payload_off;
	have = ((uint64_t)bz->payload_len + 15) / 16;
	if (have < paras) {
		fmt_buf(why, whylen, "truncated (syssize at 0x1F4 says 0x%llx "
			"paragraphs of kernel after the setup, file has 0x%llx)",
			(unsigned long long)paras, (unsigned long long)have);
		return BT_EFORMAT;
	}
	return 0;
}

/* The compressed kernel inside the protected-mode part (protocol 2.08+,
 * which check_protocol guarantees); payload_length 0 says nothing. */
static int check_payload(const uint8_t *p, const struct bzimage *bz,
			 char *why, size_t whylen)
{
	uint64_t off = get32(p + HDR_PAYLOAD_OFFSET);
	uint64_t plen = get32(p + HDR_PAYLOAD_LENGTH);

	if (plen && off + plen > bz->payload_len) {
		fmt_buf(why, whylen, "truncated (payload_offset and payload_length "
			"at 0x248 say the compressed kernel ends 0x%llx bytes after "
			"the setup, file has 0x%zx)",
			(unsigned long long)(off + plen), bz->payload_len);
		return BT_EFORMAT;
	}
	return 0;
}

/* Protocol version and the flags the 64-bit entry depends on. */
static int check_protocol(const uint8_t *p, struct bzimage *bz, char *why,
			  size_t whylen)
{
	unsigned hdr_end = HDR_MAGIC + p[HDR_JUMP_LEN];

	bz->version = get16(p + HDR_VERSION);
	if (bz->version < MIN_VERSION) {
		fmt_buf(why, whylen, "boot protocol %u.%02u (version at 0x206) is "
			"too old (2.12 or later needed for the 64-bit entry)",
			bz->version >> 8, bz->version & 0xff);
		return BT_EFORMAT;
	}
	if (hdr_end < HDR_INIT_SIZE + 4) {
		fmt_buf(why, whylen, "setup header ends at 0x%x (jump length at "
			"0x201), before init_size at 0x260", hdr_end);
		return BT_EFORMAT;
	}
	bz->loadflags = p[HDR_LOADFLAGS];
	if (!(bz->loadflags & LOADED_HIGH)) {
		fmt_buf(why, whylen, "not a bzImage (LOADED_HIGH clear in "
			"loadflags at 0x211)");
		return BT_EFORMAT;
	}
	bz->xloadflags = get16(p + HDR_XLOADFLAGS);
	if (!(bz->xloadflags & XLF_KERNEL_64)) {
		fmt_buf(why, whylen, "not a 64-bit kernel (XLF_KERNEL_64 clear in "
			"xloadflags at 0x236)");
		return BT_EFORMAT;
	}
	return 0;
}

/* What the kernel needs in memory, and where it may go. */
static int check_memory(const uint8_t *p, struct bzimage *bz, char *why,
			size_t whylen)
{
	bz->init_size = get32(p + HDR_INIT_SIZE);
	if (bz->init_size < bz->payload_len) {
		fmt_buf(why, whylen, "init_size 0x%x at 0x260 is smaller than "
			"the 0x%zx-byte kernel after the setup", bz->init_size,
			bz->payload_len);
		return BT_EFORMAT;
	}
	bz->relocatable = p[HDR_RELOCATABLE];
	bz->kernel_alignment = get32(p + HDR_KERNEL_ALIGNMENT);
	bz->min_alignment = p[HDR_MIN_ALIGNMENT];
	bz->pref_address = get64(p + HDR_PREF_ADDRESS);
	if (bz->relocatable && !is_pow2(bz->kernel_alignment)) {
		fmt_buf(why, whylen, "kernel_alignment 0x%x at 0x230 is not a "
			"power of two", bz->kernel_alignment);
		return BT_EFORMAT;
	}
	if (bz->relocatable && bz->min_alignment > 31) {
		fmt_buf(why, whylen, "min_alignment 2^%u at 0x235 is out of range "
			"(at most 2^31)", bz->min_alignment);
		return BT_EFORMAT;
	}
	if (!bz->relocatable &&
	    (!bz->pref_address || bz->pref_address % PAGE_SIZE)) {
		fmt_buf(why, whylen, "not relocatable, and pref_address 0x%llx at "
			"0x258 is not a page-aligned load address",
			(unsigned long long)bz->pref_address);
		return BT_EFORMAT;
	}
	return 0;
}

int bzimage_parse(const void *data, size_t len, struct bzimage *bz,
		  char *why, size_t whylen)
{
	const uint8_t *p = data;
	int err;

	memset(bz, 0, sizeof(*bz));
	err = check_magic(p, len, why, whylen);
	if (!err)
		err = check_length(p, len, bz, why, whylen);
	if (!err)
		err = check_protocol(p, bz, why, whylen);
	if (!err)
		err = check_payload(p, bz, why, whylen);
	if (!err)
		err = check_memory(p, bz, why, whylen);
	if (err)
		return err;
	bz->data = p;
	bz->len = len;
	bz->cmdline_size = get32(p + HDR_CMDLINE_SIZE);
	bz->initrd_addr_max = get32(p + HDR_INITRD_ADDR_MAX);
	return 0;
}

/* --------------------------------------------------------- placement */

/* The alignment a relocatable kernel is placed at: its preferred one, never
 * below its hard minimum, and at least a page for the kimage. */
static uint64_t place_align(const struct bzimage *bz)
{
	uint64_t a = bz->kernel_alignment;

	if (a < (1ULL << bz->min_alignment))
		a = 1ULL << bz->min_alignment;
	return a < PAGE_SIZE ? PAGE_SIZE : a;
}

/* Whether [addr, addr + size) is RAM after ExitBootServices (or, with
 * free_now, conventional memory nobody holds yet) and, for a kernel that
 * cannot run above 4 GiB, below it. */
static bool fits(const struct bzimage *bz, const struct memmap *ram,
		 uint64_t addr, uint64_t size, bool free_now)
{
	if (addr > UINT64_MAX - size)
		return false;
	if (!(bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) && addr + size > GIB4)
		return false;
	return free_now ? memmap_is_free(ram, addr, addr + size)
			: memmap_is_ram(ram, addr, addr + size);
}

/*
 * The lowest address >= floor, aligned, with room.  Regions are sorted, so
 * the first fitting candidate is the lowest: a fit that starts inside a run
 * of suitable memory also fits from the first aligned address of that run,
 * which is the candidate taken from the run's first region.
 */
static bool place_lowest(const struct bzimage *bz, const struct memmap *ram,
			 uint64_t floor, uint64_t size, bool free_now,
			 uint64_t *addr)
{
	uint64_t align = place_align(bz);

	for (size_t i = 0; i < ram->n; i++) {
		uint64_t a = ram->r[i].start;

		if (ram->r[i].start + ram->r[i].pages * PAGE_SIZE <= floor)
			continue;
		if (a < floor)
			a = floor;
		if (a > UINT64_MAX - (align - 1))
			break;
		a = (a + align - 1) & ~(align - 1);
		if (fits(bz, ram, a, size, free_now)) {
			*addr = a;
			return true;
		}
	}
	return false;
}

int bzimage_place(const struct bzimage *bz, const struct memmap *ram,
		  uint64_t *addr, char *why, size_t whylen)
{
	uint64_t size = ((uint64_t)bz->init_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t pref = bz->pref_address;
	uint64_t floor = pref > MIB ? pref : MIB;
	bool pref_ok = pref && pref % PAGE_SIZE == 0;

	/* A relocatable kernel at a misaligned address moves itself up to
	 * the alignment and would then need more than init_size from here. */
	if (bz->relocatable)
		pref_ok = pref_ok && pref % place_align(bz) == 0;
	/* In order: pref_address free now; for a relocatable kernel, the
	 * lowest aligned address above it that is free now (the kernel is read
	 * straight into place and never copied); pref_address as RAM after
	 * ExitBootServices (the trampoline copies it there); the lowest such
	 * address above it.  Never below pref_address: a relocatable kernel
	 * loaded lower decompresses itself at pref_address (LOAD_PHYSICAL_ADDR)
	 * anyway, into memory nobody checked. */
	if (pref_ok && fits(bz, ram, pref, size, true)) {
		*addr = pref;
		return 0;
	}
	if (bz->relocatable && place_lowest(bz, ram, floor, size, true, addr))
		return 0;
	if (pref_ok && fits(bz, ram, pref, size, false)) {
		*addr = pref;
		return 0;
	}
	if (!bz->relocatable) {
		fmt_buf(why, whylen, "kernel needs 0x%llx bytes at 0x%llx and is "
			"not relocatable", (unsigned long long)size,
			(unsigned long long)pref);
		return BT_ENOENT;
	}
	if (place_lowest(bz, ram, floor, size, false, addr))
		return 0;
	fmt_buf(why, whylen, "no room for the kernel's 0x%llx bytes (RAM at or "
		"above 0x%llx, aligned to 0x%llx%s)", (unsigned long long)size,
		(unsigned long long)floor, (unsigned long long)place_align(bz),
		bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G ? "" : ", below 4 GiB");
	return BT_ENOENT;
}

/* ------------------------------------------------------- boot_params */

/* Only the setup header is copied: the kernel treats anything else a
 * loader leaves in boot_params as meaningful (the sentinel at 0x1EF). */
static void copy_setup_header(uint8_t *bp, const struct bzimage *bz)
{
	size_t end = HDR_MAGIC + (size_t)bz->data[HDR_JUMP_LEN];

	if (end > HDR_HOLE_END)
		end = HDR_HOLE_END;
	if (end > bz->len)
		end = bz->len;
	memcpy(bp + HDR_SETUP_SECTS, bz->data + HDR_SETUP_SECTS,
	       end - HDR_SETUP_SECTS);
	/* The chain is the loader's to build; a file's value means nothing. */
	put64(bp + HDR_SETUP_DATA, 0);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
}

static int check_cmdline(const struct bzimage *bz, const struct linux_args *a,
			 bool above_4g, char *why, size_t whylen)
{
	if (a->cmdline_len > bz->cmdline_size) {
		fmt_buf(why, whylen, "command line is %zu bytes; this kernel takes "
			"at most %u (cmdline_size at 0x238)", a->cmdline_len,
			bz->cmdline_size);
		return BT_EINVAL;
	}
	/* The NUL, at cmdline_addr + cmdline_len, is the last byte. */
	if (!above_4g && (a->cmdline_addr >= GIB4 ||
			  a->cmdline_len >= GIB4 - a->cmdline_addr)) {
		fmt_buf(why, whylen, "command line at 0x%llx is above 4 GiB; this "
			"kernel needs it below (XLF_CAN_BE_LOADED_ABOVE_4G clear)",
			(unsigned long long)a->cmdline_addr);
		return BT_EINVAL;
	}
	return 0;
}

static int check_initrd(const struct bzimage *bz, const struct linux_args *a,
			bool above_4g, char *why, size_t whylen)
{
	uint64_t last;

	if (!a->initrd_size)
		return 0;
	if (a->initrd_addr > UINT64_MAX - (a->initrd_size - 1)) {
		fmt_buf(why, whylen, "initrd at 0x%llx of 0x%llx bytes wraps "
			"around", (unsigned long long)a->initrd_addr,
			(unsigned long long)a->initrd_size);
		return BT_EINVAL;
	}
	last = a->initrd_addr + (a->initrd_size - 1);
	if (!above_4g && last > bz->initrd_addr_max) {
		fmt_buf(why, whylen, "initrd at 0x%llx-0x%llx ends above this "
			"kernel's initrd_addr_max 0x%x (at 0x22C)",
			(unsigned long long)a->initrd_addr,
			(unsigned long long)last, bz->initrd_addr_max);
		return BT_EINVAL;
	}
	return 0;
}

static uint8_t fb_depth(const struct fw_framebuffer *fb)
{
	unsigned d = fb->red_size + fb->green_size + fb->blue_size + fb->rsvd_size;

	return d ? (uint8_t)d : 32;
}

static int check_fb(const struct fw_framebuffer *fb, char *why, size_t whylen)
{
	uint64_t line = (uint64_t)fb->pixels_per_line * fb_depth(fb) / 8;

	if (fb->width > 0xffff || fb->height > 0xffff || line > 0xffff) {
		fmt_buf(why, whylen, "framebuffer %ux%u (%u pixels a line) does "
			"not fit screen_info's 16-bit fields", fb->width,
			fb->height, fb->pixels_per_line);
		return BT_EINVAL;
	}
	return 0;
}

/* screen_info for the GOP framebuffer, as the kernel's own EFI stub fills
 * it: the base came from the firmware, so the efifb quirks are skipped. */
static void set_screen_info(uint8_t *bp, const struct fw_framebuffer *fb)
{
	uint8_t depth = fb_depth(fb);
	uint32_t caps = VIDEO_CAPABILITY_SKIP_QUIRKS;
	const uint8_t colours[8] = {
		fb->red_size, fb->red_pos, fb->green_size, fb->green_pos,
		fb->blue_size, fb->blue_pos, fb->rsvd_size, fb->rsvd_pos,
	};

	bp[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_EFI;
	put16(bp + SI_LFB_WIDTH, (uint16_t)fb->width);
	put16(bp + SI_LFB_HEIGHT, (uint16_t)fb->height);
	put16(bp + SI_LFB_DEPTH, depth);
	put32(bp + SI_LFB_BASE, (uint32_t)fb->base);
	put32(bp + SI_EXT_LFB_BASE, (uint32_t)(fb->base >> 32));
	if (fb->base >> 32)
		caps |= VIDEO_CAPABILITY_64BIT_BASE;
	put32(bp + SI_CAPABILITIES, caps);
	put32(bp + SI_LFB_SIZE, fb->size > UINT32_MAX ? UINT32_MAX : (uint32_t)fb->size);
	put16(bp + SI_LFB_LINELENGTH, (uint16_t)(fb->pixels_per_line * depth / 8));
	memcpy(bp + SI_RED_SIZE, colours, sizeof(colours));
	put16(bp + SI_PAGES, 1);
}

int linux_boot_params(uint8_t *bp, const struct bzimage *bz,
		      const struct linux_args *a, char *why, size_t whylen)
{
	bool above_4g = bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G;
	const struct fw_framebuffer *fb = a->fb && a->fb->base ? a->fb : NULL;
	int err;

	err = check_cmdline(bz, a, above_4g, why, whylen);
	if (!err)
		err = check_initrd(bz, a, above_4g, why, whylen);
	if (!err && fb)
		err = check_fb(fb, why, whylen);
	if (err)
		return err;
	memset(bp, 0, BOOT_PARAMS_SIZE);
	copy_setup_header(bp, bz);
	put32(bp + HDR_CMD_LINE_PTR, (uint32_t)a->cmdline_addr);
	put32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(a->cmdline_addr >> 32));
	put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)a->initrd_addr);
	put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(a->initrd_addr >> 32));
	put32(bp + HDR_RAMDISK_SIZE, (uint32_t)a->initrd_size);
	put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(a->initrd_size >> 32));
	put64(bp + BP_ACPI_RSDP_ADDR, a->rsdp_addr);
	if (fb)
		set_screen_info(bp, fb);
	return 0;
}

/* -------------------------------------------------------------- e820 */

/* The e820 type for a memory type, as the kernel's EFI stub maps UEFI's;
 * 0 for types to leave out.  Unaccepted memory is left out: the stub only
 * reports it as RAM alongside a bitmap of what is accepted, which baton
 * does not build, and touching it unaccepted faults. */
static uint32_t e820_type_of(uint32_t type, bool soft_reserved)
{
	switch (type) {
	case MEM_RESERVED:
	case MEM_RUNTIME:
		return E820_RESERVED;
	case MEM_UNUSABLE:
		return E820_UNUSABLE;
	case MEM_ACPI_RECLAIM:
		return E820_ACPI;
	case MEM_ACPI_NVS:
		return E820_NVS;
	case MEM_PERSISTENT:
		return E820_PMEM;
	case MEM_FREE:
	case MEM_LOADER:
	case MEM_BOOT_SERVICES:
		return soft_reserved ? E820_SOFT_RESERVED : E820_RAM;
	default:
		return 0;
	}
}

/* A region as an e820 entry; false when it is left out. */
static bool e820_entry_of(const struct mem_region *r, struct e820_entry *e)
{
	e->type = e820_type_of(r->type, r->soft_reserved);
	e->addr = r->start;
	e->size = r->pages * PAGE_SIZE;
	return e->type && r->pages;
}

/* Append e to out[0..*n), merging with the last entry when they touch or
 * overlap and have one type.  BT_ETOOBIG when a new slot is needed and
 * there is none. */
static int append_entry(struct e820_entry *out, size_t max, size_t *n,
			const struct e820_entry *e)
{
	struct e820_entry *last = *n ? &out[*n - 1] : NULL;

	if (last && last->type == e->type && e->addr <= last->addr + last->size) {
		if (e->addr + e->size > last->addr + last->size)
			last->size = e->addr + e->size - last->addr;
		return 0;
	}
	if (*n >= max)
		return BT_ETOOBIG;
	out[(*n)++] = *e;
	return 0;
}

int linux_e820(const void *map, size_t size, size_t desc_size,
	       struct e820_entry *out, size_t max, size_t *n)
{
	size_t count, i;
	struct mem_region r;
	struct e820_entry e;
	int err;

	*n = 0;
	if (memmap_raw_check(map, size, desc_size))
		return BT_EINVAL;
	count = size / desc_size;
	/* In address order without sorting: out may be too small for the
	 * unmerged entries even when the merged ones fit, and nothing may be
	 * allocated here. */
	for (i = memmap_raw_next(map, count, desc_size, count); i < count;
	     i = memmap_raw_next(map, count, desc_size, i)) {
		memmap_raw_desc(map, desc_size, i, &r);
		if (!e820_entry_of(&r, &e))
			continue;
		err = append_entry(out, max, n, &e);
		if (err)
			return err;
	}
	return 0;
}

size_t linux_e820_ext_size(size_t n)
{
	if (n <= E820_MAX_IN_ZEROPAGE)
		return 0;
	return SETUP_DATA_HDR + (n - E820_MAX_IN_ZEROPAGE) * E820_ENTRY_SIZE;
}

static void put_e820(uint8_t *dst, const struct e820_entry *e)
{
	put64(dst, e->addr);
	put64(dst + 8, e->size);
	put32(dst + 16, e->type);
}

void linux_set_e820(uint8_t *bp, const struct e820_entry *e, size_t n,
		    void *ext, uint64_t ext_phys)
{
	uint8_t *x = ext;
	size_t zp = n < E820_MAX_IN_ZEROPAGE ? n : E820_MAX_IN_ZEROPAGE;

	/* Called again (a retried ExitBootServices), ext may already head the
	 * chain: unlink it first, so it is never linked to itself. */
	if (x && ext_phys && get64(bp + HDR_SETUP_DATA) == ext_phys)
		put64(bp + HDR_SETUP_DATA, get64(x));
	bp[BP_E820_ENTRIES] = (uint8_t)zp;
	for (size_t i = 0; i < zp; i++)
		put_e820(bp + BP_E820_TABLE + i * E820_ENTRY_SIZE, &e[i]);
	if (n <= zp || !x)
		return;
	put64(x, get64(bp + HDR_SETUP_DATA));
	put32(x + 8, SETUP_E820_EXT);
	put32(x + 12, (uint32_t)((n - zp) * E820_ENTRY_SIZE));
	for (size_t i = zp; i < n; i++)
		put_e820(x + SETUP_DATA_HDR + (i - zp) * E820_ENTRY_SIZE, &e[i]);
	put64(bp + HDR_SETUP_DATA, ext_phys);
}

/* ---------------------------------------------------------- efi_info */

void linux_set_efi_info(uint8_t *bp, uint64_t systab, uint64_t map,
			uint32_t map_size, uint32_t desc_size,
			uint32_t desc_version)
{
	uint8_t *ei = bp + BP_EFI_INFO;

	/* struct efi_info: signature, systab, memdesc_size, memdesc_version,
	 * memmap, memmap_size, systab_hi, memmap_hi; all u32. */
	memcpy(ei, EFI_LOADER_SIG_64, 4);
	put32(ei + 4, (uint32_t)systab);
	put32(ei + 8, desc_size);
	put32(ei + 12, desc_version);
	put32(ei + 16, (uint32_t)map);
	put32(ei + 20, map_size);
	put32(ei + 24, (uint32_t)(systab >> 32));
	put32(ei + 28, (uint32_t)(map >> 32));
}

/* ------------------------------------------------- EFI after kexec */

bool linux_efi_kexec_ok(const struct bzimage *bz)
{
	return bz->xloadflags & XLF_EFI_KEXEC;
}

size_t linux_efi_kexec_size(const struct fw_efi_kexec *e)
{
	return SETUP_DATA_HDR + EFI_SETUP_LEN + e->map_size;
}

void linux_set_efi_kexec(uint8_t *bp, const struct fw_efi_kexec *e,
			 void *buf, uint64_t buf_phys)
{
	uint8_t *sd = buf, *map = sd + SETUP_DATA_HDR + EFI_SETUP_LEN;

	memset(sd, 0, SETUP_DATA_HDR + EFI_SETUP_LEN);
	put64(sd, get64(bp + HDR_SETUP_DATA));
	put32(sd + 8, SETUP_EFI);
	put32(sd + 12, EFI_SETUP_LEN);
	put64(sd + SETUP_DATA_HDR, e->fw_vendor);
	put64(sd + SETUP_DATA_HDR + 8, e->runtime);
	put64(sd + SETUP_DATA_HDR + 16, e->tables);
	put64(sd + SETUP_DATA_HDR + 24, e->smbios);
	memcpy(map, e->map, e->map_size);
	put64(bp + HDR_SETUP_DATA, buf_phys);
	linux_set_efi_info(bp, e->systab,
			   buf_phys + SETUP_DATA_HDR + EFI_SETUP_LEN,
			   e->map_size, e->desc_size, 1);
}

/* ------------------------------------- boot_params, read back */

uint64_t linux_bp_efi_systab(const uint8_t *bp)
{
	const uint8_t *ei = bp + BP_EFI_INFO;

	if (memcmp(ei, EFI_LOADER_SIG_64, 4))
		return 0;
	return get32(ei + 4) | (uint64_t)get32(ei + 24) << 32;
}

uint64_t linux_bp_rsdp(const uint8_t *bp)
{
	return get64(bp + BP_ACPI_RSDP_ADDR);
}

/* The inverse of set_screen_info. */
bool linux_bp_framebuffer(const uint8_t *bp, struct fw_framebuffer *fb)
{
	unsigned depth = get16(bp + SI_LFB_DEPTH);
	unsigned line = get16(bp + SI_LFB_LINELENGTH);
	const uint8_t *c = bp + SI_RED_SIZE;

	if (bp[SI_ORIG_VIDEO_ISVGA] != VIDEO_TYPE_EFI || !depth || depth % 8 ||
	    !line)
		return false;
	memset(fb, 0, sizeof(*fb));
	fb->base = get32(bp + SI_LFB_BASE);
	if (get32(bp + SI_CAPABILITIES) & VIDEO_CAPABILITY_64BIT_BASE)
		fb->base |= (uint64_t)get32(bp + SI_EXT_LFB_BASE) << 32;
	fb->size = get32(bp + SI_LFB_SIZE);
	fb->width = get16(bp + SI_LFB_WIDTH);
	fb->height = get16(bp + SI_LFB_HEIGHT);
	fb->pixels_per_line = line / (depth / 8);
	fb->red_size = c[0];
	fb->red_pos = c[1];
	fb->green_size = c[2];
	fb->green_pos = c[3];
	fb->blue_size = c[4];
	fb->blue_pos = c[5];
	fb->rsvd_size = c[6];
	fb->rsvd_pos = c[7];
	return true;
}
