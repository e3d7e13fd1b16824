/* Unit tests for loader/multiboot1.c: finding and checking the header, the
 * a.out-kludge layout, and the information structure built from synthetic
 * UEFI memory maps. */
#include "tests/unit/helpers.h"
#include "lib/memmap.h"
#include "loader/multiboot1.h"
#include "lib/bytes.h"

#define FILE_CAP 0x4000
#define MIB 0x100000ULL
#define PHYS 0x10000u		/* where GRUB and Limine put the structure */
#define MBI_SIZE 120

/* magic, flags and a checksum that makes them sum to zero. */
static void put_header(uint8_t *img, size_t off, uint32_t flags)
{
	put32(img + off, MB1_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
}

static void put_kludge(uint8_t *img, size_t off, uint32_t header_addr,
		       uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
		       uint32_t entry)
{
	put32(img + off + 12, header_addr);
	put32(img + off + 16, load_addr);
	put32(img + off + 20, load_end);
	put32(img + off + 24, bss_end);
	put32(img + off + 28, entry);
}

static void find_ok(const uint8_t *img, size_t len, struct mb1_header *h)
{
	char why[200] = "";

	if (mb1_find(img, len, h, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void find_fails(const uint8_t *img, size_t len, const char *text)
{
	struct mb1_header h;
	char why[200] = "";

	assert_int_equal(mb1_find(img, len, &h, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
}

/* ------------------------------------------------------------ header */

static void test_find_at_aligned_offsets(void **state)
{
	static uint8_t img[FILE_CAP];
	const size_t offs[] = { 0, 4, 0x40, 0x1000, MB1_SEARCH - 12 };
	struct mb1_header h;

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memset(img, 0, sizeof(img));
		put_header(img, offs[i], MB1_F_PAGE_ALIGN | MB1_F_MEMINFO);
		find_ok(img, sizeof(img), &h);
		assert_int_equal(h.offset, offs[i]);
		assert_int_equal(h.flags, 3);
		assert_int_equal(h.load_addr, 0);
		assert_int_equal(h.entry_addr, 0);
		assert_int_equal(h.mode_type, 0);
	}
	/* A file of just the header. */
	memset(img, 0, sizeof(img));
	put_header(img, 0, 0);
	find_ok(img, 12, &h);
	assert_int_equal(h.offset, 0);
}

static void test_find_outside_the_search_area(void **state)
{
	static uint8_t img[FILE_CAP];

	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH, 0);
	find_fails(img, sizeof(img), "no Multiboot header in the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 8, 0);	/* straddles the 8 KiB mark */
	find_fails(img, sizeof(img), "no Multiboot header in the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 4, 0);
	find_fails(img, sizeof(img), "no Multiboot header in the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, 2, 0);			/* not 4-byte aligned */
	find_fails(img, sizeof(img), "no Multiboot header in the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, 0x100, 0);
	find_fails(img, 0x10b, "no Multiboot header");	/* cut short */
	find_fails(img, 0, "no Multiboot header");
	find_fails((const uint8_t *)"\x02\xb0\xad\x1b", 4, "no Multiboot header");
}

/* The address and video fields are part of the header: all of it must be
 * inside the first 8 KiB and the file. */
static void test_find_whole_header_inside(void **state)
{
	static uint8_t img[FILE_CAP];
	struct mb1_header h;

	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 32, MB1_F_AOUT_KLUDGE);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.offset, MB1_SEARCH - 32);
	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 28, MB1_F_AOUT_KLUDGE);
	find_fails(img, sizeof(img), "Multiboot header at 0x1fe4 with flags 0x10000 is 0x20 bytes and runs past the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 48, MB1_F_VIDEO);
	find_ok(img, sizeof(img), &h);
	memset(img, 0, sizeof(img));
	put_header(img, MB1_SEARCH - 44, MB1_F_VIDEO);
	find_fails(img, sizeof(img), "is 0x30 bytes and runs past the first 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img, 0x20, MB1_F_AOUT_KLUDGE);
	find_fails(img, 0x3c, "Multiboot header at 0x20 with flags 0x10000 is 0x20 bytes and runs past the end of the file");
	find_ok(img, 0x40, &h);
}

static void test_find_checksum(void **state)
{
	static uint8_t img[FILE_CAP];
	struct mb1_header h;

	memset(img, 0, sizeof(img));
	put_header(img, 0x40, 0);
	img[0x48] ^= 1;
	find_fails(img, sizeof(img), "Multiboot header at 0x40 has a bad checksum");
	/* A stray magic before the real header is passed over. */
	put_header(img, 0x80, MB1_F_MEMINFO);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.offset, 0x80);
	assert_int_equal(h.flags, MB1_F_MEMINFO);
	/* The first bad one is the one named. */
	memset(img, 0, sizeof(img));
	put_header(img, 0x100, 0);
	put_header(img, 0x200, 0);
	img[0x108] ^= 1;
	img[0x208] ^= 1;
	find_fails(img, sizeof(img), "at 0x100 has a bad checksum");
	/* A checksum that is right for other flags. */
	memset(img, 0, sizeof(img));
	put_header(img, 0, 0);
	put32(img + 4, MB1_F_MEMINFO);
	find_fails(img, sizeof(img), "at 0x0 has a bad checksum");
}

static void test_find_flags(void **state)
{
	static uint8_t img[FILE_CAP];
	struct mb1_header h;

	memset(img, 0, sizeof(img));
	put_header(img, 0, 1u << 3);
	find_fails(img, sizeof(img), "Multiboot header asks for flag bit 3, which baton does not support");
	put_header(img, 0, (1u << 15) | (1u << 9) | MB1_F_MEMINFO);
	find_fails(img, sizeof(img), "asks for flag bit 9,");
	put_header(img, 0, 1u << 15);
	find_fails(img, sizeof(img), "asks for flag bit 15,");
	/* Bits 16-31 are optional: an unknown one is ignored. */
	put_header(img, 0, MB1_F_PAGE_ALIGN | MB1_F_MEMINFO | (1u << 20));
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.flags, 0x100003);
}

static void test_find_fields(void **state)
{
	static uint8_t img[FILE_CAP];
	struct mb1_header h;

	memset(img, 0, sizeof(img));
	put_header(img, 0x80, MB1_F_AOUT_KLUDGE | MB1_F_VIDEO | MB1_F_MEMINFO);
	put_kludge(img, 0x80, 0x100080, 0x100000, 0x103000, 0x108000, 0x10000c);
	put32(img + 0x80 + 32, 1);
	put32(img + 0x80 + 36, 80);
	put32(img + 0x80 + 40, 25);
	put32(img + 0x80 + 44, 0);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.offset, 0x80);
	assert_int_equal(h.header_addr, 0x100080);
	assert_int_equal(h.load_addr, 0x100000);
	assert_int_equal(h.load_end_addr, 0x103000);
	assert_int_equal(h.bss_end_addr, 0x108000);
	assert_int_equal(h.entry_addr, 0x10000c);
	assert_int_equal(h.mode_type, 1);
	assert_int_equal(h.width, 80);
	assert_int_equal(h.height, 25);
	assert_int_equal(h.depth, 0);
	/* Without flag 16 the address bytes mean nothing and are not read. */
	put_header(img, 0x80, MB1_F_VIDEO);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.load_addr, 0);
	assert_int_equal(h.header_addr, 0);
	assert_int_equal(h.width, 80);
	put_header(img, 0x80, MB1_F_AOUT_KLUDGE);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.load_addr, 0x100000);
	assert_int_equal(h.width, 0);
}

/* ------------------------------------------------------------- kludge */

static struct mb1_header kludge(size_t offset, uint32_t header_addr,
				uint32_t load_addr, uint32_t load_end,
				uint32_t bss_end, uint32_t entry)
{
	return (struct mb1_header){
		.offset = offset, .flags = MB1_F_AOUT_KLUDGE | MB1_F_MEMINFO,
		.header_addr = header_addr, .load_addr = load_addr,
		.load_end_addr = load_end, .bss_end_addr = bss_end,
		.entry_addr = entry,
	};
}

static void layout_ok(const struct mb1_header *h, size_t len,
		      struct mb1_layout *l)
{
	char why[200] = "";

	if (mb1_kludge_layout(h, len, l, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void layout_fails(const struct mb1_header *h, size_t len,
			 const char *text)
{
	struct mb1_layout l;
	char why[200] = "";

	assert_int_equal(mb1_kludge_layout(h, len, &l, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
	assert_int_equal(l.memsz, 0);
}

/* A kernel as a Multiboot a.out-kludge file: the header 0x20 bytes in,
 * the file loaded from its start. */
static void test_kludge_from_file(void **state)
{
	static uint8_t img[0x3000];
	struct mb1_header h;
	struct mb1_layout l;

	memset(img, 0, sizeof(img));
	put_header(img, 0x20, MB1_F_AOUT_KLUDGE | MB1_F_PAGE_ALIGN);
	put_kludge(img, 0x20, 0x100020, 0x100000, 0x102000, 0x105000, 0x100040);
	find_ok(img, sizeof(img), &h);
	layout_ok(&h, sizeof(img), &l);
	assert_int_equal(l.file_offset, 0);
	assert_int_equal(l.load_addr, 0x100000);
	assert_int_equal(l.filesz, 0x2000);
	assert_int_equal(l.memsz, 0x5000);
	assert_int_equal(l.entry, 0x100040);
}

static void test_kludge_variants(void **state)
{
	struct mb1_header h;
	struct mb1_layout l;

	/* load_end_addr 0: to the end of the file; bss_end_addr 0: no bss. */
	h = kludge(0x20, 0x100020, 0x100000, 0, 0, 0x100040);
	layout_ok(&h, 0x3000, &l);
	assert_int_equal(l.file_offset, 0);
	assert_int_equal(l.filesz, 0x3000);
	assert_int_equal(l.memsz, 0x3000);
	/* Loading starts after a prefix the kernel does not want. */
	h = kludge(0x1000, 0x200000, 0x1ff800, 0x201000, 0, 0x1ff800);
	layout_ok(&h, 0x3000, &l);
	assert_int_equal(l.file_offset, 0x800);
	assert_int_equal(l.load_addr, 0x1ff800);
	assert_int_equal(l.filesz, 0x1800);
	assert_int_equal(l.memsz, 0x1800);
	assert_int_equal(l.entry, 0x1ff800);
	h = kludge(0x1000, 0x200000, 0x1ff800, 0, 0x210000, 0x2007ff);
	layout_ok(&h, 0x3000, &l);
	assert_int_equal(l.filesz, 0x2800);
	assert_int_equal(l.memsz, 0x10800);
	/* Everything up to the last byte below 4 GiB. */
	h = kludge(0, 0xffffe000, 0xffffe000, 0, 0, 0xffffe000);
	layout_ok(&h, 0x2000, &l);
	assert_int_equal(l.load_addr + l.memsz, 0x100000000ULL);
	/* bss_end_addr equal to load_end_addr: an empty bss. */
	h = kludge(0, 0x100000, 0x100000, 0x101000, 0x101000, 0x100000);
	layout_ok(&h, 0x1000, &l);
	assert_int_equal(l.memsz, 0x1000);
}

static void test_kludge_rejections(void **state)
{
	struct mb1_header h;

	h = kludge(0x20, 0x100020, 0x100000, 0x102000, 0, 0x100040);
	h.flags = MB1_F_MEMINFO;
	layout_fails(&h, 0x3000, "no address fields (flag 16 clear in flags 0x2)");

	h = kludge(0x20, 0x100020, 0x100040, 0x102000, 0, 0x100040);
	layout_fails(&h, 0x3000, "Multiboot header_addr 0x100020 is below load_addr 0x100040");

	h = kludge(0x20, 0x100040, 0x100000, 0x102000, 0, 0x100040);
	layout_fails(&h, 0x3000, "load_addr 0x100000 is 0x40 bytes before header_addr 0x100040, but the header is only 0x20 bytes into the file");

	h = kludge(0x20, 0x100020, 0x100000, 0x100000, 0, 0x100000);
	layout_fails(&h, 0x3000, "Multiboot load_end_addr 0x100000 is not above load_addr 0x100000");
	h.load_end_addr = 0xfffff;
	layout_fails(&h, 0x3000, "load_end_addr 0xfffff is not above");

	h = kludge(0x20, 0x100020, 0x100000, 0x103001, 0, 0x100040);
	layout_fails(&h, 0x3000, "Multiboot load_addr 0x100000-load_end_addr 0x103001 needs file bytes 0x0-0x3001, file has 0x3000");
	h = kludge(0x1000, 0x200000, 0x1ff800, 0x202000, 0, 0x1ff800);
	layout_fails(&h, 0x2000, "needs file bytes 0x800-0x3000, file has 0x2000");

	h = kludge(0x20, 0x100020, 0x100000, 0x102000, 0x101fff, 0x100040);
	layout_fails(&h, 0x3000, "Multiboot bss_end_addr 0x101fff is below the end of the loaded image 0x102000");
	h = kludge(0x20, 0x100020, 0x100000, 0, 0x102000, 0x100040);
	layout_fails(&h, 0x3000, "bss_end_addr 0x102000 is below the end of the loaded image 0x103000");

	h = kludge(0x20, 0x100020, 0x100000, 0x102000, 0x105000, 0x102000);
	layout_fails(&h, 0x3000, "Multiboot entry_addr 0x102000 is outside the loaded image 0x100000-0x102000");
	h.entry_addr = 0xfffff;
	layout_fails(&h, 0x3000, "entry_addr 0xfffff is outside");
	h.entry_addr = 0x104000;	/* in the bss: nothing there to run */
	layout_fails(&h, 0x3000, "entry_addr 0x104000 is outside");

	/* The file, loaded whole, would pass 4 GiB. */
	h = kludge(0x20, 0xfffff020, 0xfffff000, 0, 0, 0xfffff040);
	layout_fails(&h, 0x3000, "Multiboot image of 0x3000 bytes at load_addr 0xfffff000 runs past 4 GiB");

	/* A header said to be beyond the file it came from. */
	h = kludge(0x4000, 0x104000, 0x100000, 0, 0, 0x100000);
	layout_fails(&h, 0x3000, "Multiboot header at 0x4000 is past the end of the 0x3000-byte file");
}

/* ------------------------------------------------------ information */

struct desc {
	uint32_t type;
	uint64_t phys, pages, attr;
};

/* A raw UEFI map; the bytes a larger descriptor adds are junk to skip. */
static size_t make_map(uint8_t *map, size_t desc_size, const struct desc *d,
		       size_t n)
{
	memset(map, 0xa5, n * desc_size);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = map + i * desc_size;

		put32(p, d[i].type);
		put32(p + 4, 0);
		put64(p + 8, d[i].phys);
		put64(p + 16, 0);
		put64(p + 24, d[i].pages);
		put64(p + 32, d[i].attr);
	}
	return n * desc_size;
}

/* OVMF-like, out of order, with every kind of region; see want_map. */
static const struct desc ovmf[] = {
	{ UEFI_CONVENTIONAL, 0x100000, 0x700, 0xf },
	{ UEFI_ACPI_NVS, 0x800000, 8, 0xf },
	{ UEFI_BOOT_DATA, 0x0, 1, 0xf },
	{ UEFI_CONVENTIONAL, 0x1000, 0x9e, 0xf },
	{ UEFI_CONVENTIONAL, 0x808000, 3, 0xf },
	{ UEFI_ACPI_NVS, 0x80b000, 1, 0xf },
	{ UEFI_LOADER_DATA, 0x5000000, 0, 0xf },	/* empty: dropped */
	{ UEFI_BOOT_CODE, 0x80c000, 4, 0xf },
	{ UEFI_ACPI_NVS, 0x810000, 0xf0, 0xf },
	{ UEFI_CONVENTIONAL, 0xa00000, 0x1000, 0xf },
	{ UEFI_LOADER_CODE, 0x900000, 0x100, 0xf },
	{ UEFI_ACPI_RECLAIM, 0x1a00000, 0x10, 0xf },
	{ UEFI_RUNTIME_DATA, 0x1a10000, 0x10, 0x800000000000000fULL },
	{ UEFI_RUNTIME_CODE, 0x1a20000, 0x10, 0x800000000000000fULL },
	{ UEFI_UNUSABLE, 0x1a30000, 1, 0xf },
	{ UEFI_MMIO, 0xffc00000, 0x400, 0x8000000000000001ULL },
	{ UEFI_CONVENTIONAL, 0x100000000ULL, 0x40000, 0xf },
	{ UEFI_CONVENTIONAL, 0x140000000ULL, 0x100, 0xf | UEFI_MEMORY_SP },
	{ UEFI_PERSISTENT, 0x140100000ULL, 0x100, 0xf },
	{ UEFI_UNACCEPTED, 0x180000000ULL, 0x10, 0xf },
	{ UEFI_MMIO_PORT, 0xfee00000, 1, 0x8000000000000001ULL },
};
#define N_OVMF (sizeof(ovmf) / sizeof(ovmf[0]))

static const struct { uint64_t base, len; uint32_t type; } want_map[] = {
	{ 0x0, 0x9f000, 1 },
	{ 0x100000, 0x700000, 1 },
	{ 0x800000, 0x8000, 4 },
	{ 0x808000, 0x3000, 1 },
	{ 0x80b000, 0x1000, 4 },
	{ 0x80c000, 0x4000, 1 },
	{ 0x810000, 0xf0000, 4 },
	{ 0x900000, 0x1100000, 1 },	/* loader code and conventional */
	{ 0x1a00000, 0x10000, 3 },
	{ 0x1a10000, 0x20000, 2 },	/* runtime data and code */
	{ 0x1a30000, 0x1000, 5 },
	{ 0xfee00000, 0x1000, 2 },
	{ 0xffc00000, 0x400000, 2 },
	{ 0x100000000ULL, 0x40000000, 1 },
	{ 0x140000000ULL, 0x200000, 2 },	/* soft-reserved and persistent */
	{ 0x180000000ULL, 0x10000, 2 },	/* unaccepted */
};
#define N_WANT (sizeof(want_map) / sizeof(want_map[0]))

static const struct mb1_module mods[] = {
	{ 0x2000000, 0x2001234, "initrd.img quiet" },
	{ 0x2002000, 0x2003000, NULL },
	{ 0x2003000, 0x2003001, "" },
};

static const struct mb1_fb fb = {
	.addr = 0x80000000, .pitch = 4096, .width = 1024, .height = 768,
	.bpp = 32, .red_pos = 16, .red_size = 8, .green_pos = 8,
	.green_size = 8, .blue_pos = 0, .blue_size = 8,
};

static struct mb1_info_args full_args(void)
{
	return (struct mb1_info_args){
		.cmdline = "/boot/kernel console=ttyS0",
		.loader_name = "baton",
		.modules = mods, .n_modules = 3,
		.shdr_num = 12, .shdr_size = 40, .shdr_addr = 0x300000,
		.shdr_shndx = 11, .fb = &fb,
	};
}

/* The bytes at physical address addr, which must lie in [buf, buf+used). */
static const uint8_t *at(const uint8_t *buf, size_t used, uint32_t addr)
{
	assert_true(addr >= PHYS && addr - PHYS < used);
	return buf + (addr - PHYS);
}

static void check_map(const uint8_t *buf, size_t used)
{
	const uint8_t *m;

	assert_int_equal(get32(buf + 44), N_WANT * 24);
	m = at(buf, used, get32(buf + 48));
	for (size_t i = 0; i < N_WANT; i++, m += 24) {
		assert_int_equal(get32(m), 20);
		assert_int_equal(get64(m + 4), want_map[i].base);
		assert_int_equal(get64(m + 12), want_map[i].len);
		assert_int_equal(get32(m + 20), want_map[i].type);
	}
}

static void check_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			fail_msg("byte %zu is 0x%x, not 0", i, p[i]);
}

static void test_info_every_field(void **state)
{
	static uint8_t map[N_OVMF * 48];
	const size_t descs[] = { 40, 48 };

	for (size_t k = 0; k < 2; k++) {
		struct mb1_info_args a = full_args();
		size_t msize = make_map(map, descs[k], ovmf, N_OVMF);
		size_t cap = mb1_info_size(&a, N_OVMF), used;
		uint8_t *buf = malloc(cap + 64);
		const uint8_t *mod;

		memset(buf, 0xee, cap + 64);
		assert_int_equal(mb1_build_info(buf, PHYS, cap, &a, map, msize,
						descs[k]), 0);
		used = MBI_SIZE + 3 * 16 + N_WANT * 24 + 27 + 6 + 17 + 1;
		/* Laid out as documented, and nothing past what it used. */
		assert_true(used <= cap);
		for (size_t i = used; i < cap + 64; i++)
			assert_int_equal(buf[i], 0xee);

		assert_int_equal(get32(buf + 0), 0x126d);	/* 0 2 3 5 6 9 12 */
		assert_int_equal(get32(buf + 4), 636);
		assert_int_equal(get32(buf + 8), 7 * 1024);
		check_zero(buf, 12, 16);			/* boot_device */
		assert_string_equal(at(buf, used, get32(buf + 16)),
				    "/boot/kernel console=ttyS0");
		assert_int_equal(get32(buf + 20), 3);
		assert_int_equal(get32(buf + 24), PHYS + MBI_SIZE);
		assert_int_equal(get32(buf + 28), 12);
		assert_int_equal(get32(buf + 32), 40);
		assert_int_equal(get32(buf + 36), 0x300000);
		assert_int_equal(get32(buf + 40), 11);
		assert_int_equal(get32(buf + 48), PHYS + MBI_SIZE + 3 * 16);
		check_map(buf, used);
		check_zero(buf, 52, 64);	/* drives, config table */
		assert_string_equal(at(buf, used, get32(buf + 64)), "baton");
		check_zero(buf, 68, 88);	/* APM, VBE */
		assert_int_equal(get64(buf + 88), 0x80000000);
		assert_int_equal(get32(buf + 96), 4096);
		assert_int_equal(get32(buf + 100), 1024);
		assert_int_equal(get32(buf + 104), 768);
		assert_int_equal(buf[108], 32);
		assert_int_equal(buf[109], 1);
		assert_memory_equal(buf + 110, "\x10\x08\x08\x08\x00\x08", 6);
		check_zero(buf, 116, MBI_SIZE);

		/* Strings follow the map: command line, name, modules'. */
		assert_int_equal(get32(buf + 16), get32(buf + 48) + N_WANT * 24);
		assert_int_equal(get32(buf + 64), get32(buf + 16) + 27);
		mod = at(buf, used, get32(buf + 24));
		assert_int_equal(get32(mod), 0x2000000);
		assert_int_equal(get32(mod + 4), 0x2001234);
		assert_int_equal(get32(mod + 8), get32(buf + 64) + 6);
		assert_string_equal(at(buf, used, get32(mod + 8)), "initrd.img quiet");
		assert_int_equal(get32(mod + 12), 0);
		assert_int_equal(get32(mod + 16), 0x2002000);
		assert_int_equal(get32(mod + 20), 0x2003000);
		assert_int_equal(get32(mod + 24), 0);	/* no string */
		assert_int_equal(get32(mod + 28), 0);
		assert_int_equal(get32(mod + 40), get32(mod + 8) + 17);
		assert_string_equal(at(buf, used, get32(mod + 40)), "");
		free(buf);
	}
}

/* Nothing optional: only the memory fields, the (empty) module list and
 * the map; the fields of absent parts stay zero. */
static void test_info_minimal(void **state)
{
	static uint8_t map[2 * 40];
	const struct desc d[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x100, 0 },
		{ UEFI_RESERVED, 0xe0000, 0x20, 0 },
	};
	struct mb1_info_args a = { 0 };
	size_t msize = make_map(map, 40, d, 2);
	uint8_t buf[MBI_SIZE + 2 * 24];

	assert_int_equal(mb1_info_size(&a, 2), sizeof(buf));
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	assert_int_equal(get32(buf), 0x49);		/* 0, 3, 6 */
	assert_int_equal(get32(buf + 4), 0);		/* nothing at 0 */
	assert_int_equal(get32(buf + 8), 1024);
	check_zero(buf, 12, 20);
	assert_int_equal(get32(buf + 20), 0);
	assert_int_equal(get32(buf + 24), PHYS + MBI_SIZE);
	check_zero(buf, 28, 44);
	assert_int_equal(get32(buf + 44), 48);
	assert_int_equal(get32(buf + 48), PHYS + MBI_SIZE);
	check_zero(buf, 52, MBI_SIZE);
	assert_int_equal(get64(buf + MBI_SIZE + 4), 0xe0000);
	assert_int_equal(get32(buf + MBI_SIZE + 20), 2);
	assert_int_equal(get64(buf + MBI_SIZE + 28), 0x100000);
	assert_int_equal(get32(buf + MBI_SIZE + 44), 1);
}

static uint32_t lower_of(const struct desc *d, size_t n, uint32_t *upper)
{
	uint8_t map[8 * 40], buf[MBI_SIZE + 8 * 24];
	struct mb1_info_args a = { 0 };
	size_t msize = make_map(map, 40, d, n);

	assert_true(n <= 8);
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	*upper = get32(buf + 8);
	return get32(buf + 4);
}

static void test_info_mem_lower_upper(void **state)
{
	uint32_t upper;

	/* One run from 0 through 1 MiB: lower is capped at 640 KiB, upper
	 * counts from 1 MiB to the end of the run. */
	const struct desc whole[] = { { UEFI_CONVENTIONAL, 0, 0x800, 0 } };
	assert_int_equal(lower_of(whole, 1, &upper), 640);
	assert_int_equal(upper, 7 * 1024);
	/* Upper ends at the first hole, even with RAM after it. */
	const struct desc hole[] = {
		{ UEFI_CONVENTIONAL, 0, 0x80, 0 },
		{ UEFI_BOOT_DATA, 0x100000, 0x100, 0 },
		{ UEFI_LOADER_DATA, 0x200000, 0x100, 0 },
		{ UEFI_CONVENTIONAL, 0x400000, 0x1000, 0 },
	};
	assert_int_equal(lower_of(hole, 4, &upper), 512);
	assert_int_equal(upper, 2 * 1024);
	/* ...or at the first region that is not RAM. */
	const struct desc nvs[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x10, 0 },
		{ UEFI_ACPI_NVS, 0x110000, 0x10, 0 },
		{ UEFI_CONVENTIONAL, 0x120000, 0x1000, 0 },
	};
	assert_int_equal(lower_of(nvs, 3, &upper), 0);
	assert_int_equal(upper, 64);
	/* Nothing at 1 MiB, or RAM at 0 that is soft-reserved. */
	const struct desc none[] = {
		{ UEFI_CONVENTIONAL, 0, 0x9f, UEFI_MEMORY_SP },
		{ UEFI_RESERVED, 0x100000, 0x10, 0 },
		{ UEFI_CONVENTIONAL, 0x110000, 0x1000, 0 },
	};
	assert_int_equal(lower_of(none, 3, &upper), 0);
	assert_int_equal(upper, 0);
	/* A run from below 1 MiB that covers it. */
	const struct desc below[] = { { UEFI_CONVENTIONAL, 0xc0000, 0x140, 0 } };
	assert_int_equal(lower_of(below, 1, &upper), 0);
	assert_int_equal(upper, 1024);
	/* More than 4 TiB from 1 MiB is clamped to the 32-bit field. */
	const struct desc huge[] = { { UEFI_CONVENTIONAL, 0x100000, 1ULL << 31, 0 } };
	assert_int_equal(lower_of(huge, 1, &upper), 0);
	assert_int_equal(upper, UINT32_MAX);
}

/* A map that overlaps (malformed firmware): entries stay sorted and
 * never overlap; same-type overlaps merge. */
static void test_info_overlaps(void **state)
{
	uint8_t map[5 * 40], buf[MBI_SIZE + 5 * 24];
	const struct desc d[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x100, 0 },	/* to 0x200000 */
		{ UEFI_RESERVED, 0x180000, 0x10, 0 },		/* inside it */
		{ UEFI_RESERVED, 0x1f0000, 0x20, 0 },		/* across its end */
		{ UEFI_BOOT_DATA, 0x1000000, 0x10, 0 },
		{ UEFI_CONVENTIONAL, 0x1008000, 0x10, 0 },	/* same type */
	};
	struct mb1_info_args a = { 0 };
	size_t msize = make_map(map, 40, d, 5);
	const uint8_t *m = buf + MBI_SIZE;

	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	assert_int_equal(get32(buf + 44), 3 * 24);
	assert_int_equal(get64(m + 4), 0x100000);
	assert_int_equal(get64(m + 12), 0x100000);
	assert_int_equal(get32(m + 20), 1);
	assert_int_equal(get64(m + 24 + 4), 0x200000);
	assert_int_equal(get64(m + 24 + 12), 0x10000);
	assert_int_equal(get32(m + 24 + 20), 2);
	assert_int_equal(get64(m + 48 + 4), 0x1000000);
	assert_int_equal(get64(m + 48 + 12), 0x18000);
	assert_int_equal(get32(m + 48 + 20), 1);
}

/* Every cap below what is needed fails without writing past it; what
 * mb1_info_size says is always enough. */
static void test_info_too_small(void **state)
{
	static uint8_t map[N_OVMF * 48];
	struct mb1_info_args a = full_args();
	size_t msize = make_map(map, 48, ovmf, N_OVMF);
	size_t need = MBI_SIZE + 3 * 16 + N_WANT * 24 + 27 + 6 + 17 + 1;

	for (size_t cap = 0; cap <= need; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);	/* ASan checks the edge */

		assert_int_equal(mb1_build_info(buf, PHYS, cap, &a, map, msize, 48),
				 cap < need ? BT_ETOOBIG : 0);
		free(buf);
	}
	assert_true(mb1_info_size(&a, N_OVMF) >= need);
	assert_int_equal(mb1_info_size(&a, N_OVMF),
			 MBI_SIZE + 3 * 16 + N_OVMF * 24 + 27 + 6 + 17 + 1);
	/* Huge requests saturate rather than wrap. */
	assert_int_equal(mb1_info_size(&a, SIZE_MAX / 8), SIZE_MAX);
}

/* The structure must end below 4 GiB, whatever cap says. */
static void test_info_below_4g(void **state)
{
	uint8_t map[2 * 40], buf[0x200];
	const struct desc d[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x100, 0 },
		{ UEFI_RESERVED, 0x200000, 0x100, 0 },
	};
	struct mb1_info_args a = { .cmdline = "x" };
	size_t msize = make_map(map, 40, d, 2);
	uint32_t top = MBI_SIZE + 2 * 24 + 2;	/* exactly what it needs */

	assert_int_equal(mb1_build_info(buf, (uint32_t)(0x100000000ULL - top),
					sizeof(buf), &a, map, msize, 40), 0);
	assert_int_equal(get32(buf + 16), 0xfffffffe);
	assert_int_equal(mb1_build_info(buf, (uint32_t)(0x100000000ULL - top + 1),
					sizeof(buf), &a, map, msize, 40), BT_ETOOBIG);
}

static void test_info_bad_map(void **state)
{
	uint8_t map[2 * 48], buf[0x400];
	const struct desc d[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x100, 0 },
		{ UEFI_CONVENTIONAL, 0xfffffffffffff000ULL, 2, 0 },	/* wraps */
	};
	struct mb1_info_args a = { 0 };
	size_t msize = make_map(map, 40, d, 1);

	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 32), BT_EINVAL);
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize - 1, 40), BT_EINVAL);
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	msize = make_map(map, 48, d, 2);
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 48), BT_EINVAL);
	/* An empty map is a valid one, if a useless one. */
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, 0, 48), 0);
	assert_int_equal(get32(buf + 44), 0);
	assert_int_equal(get32(buf + 8), 0);
}

/* After a retried ExitBootServices the builder runs again into the same
 * buffer with a changed map: nothing of the first run may survive. */
static void test_info_rebuilt(void **state)
{
	uint8_t map[3 * 40], buf[MBI_SIZE + 3 * 24 + 16];
	const struct desc d1[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x100, 0 },
		{ UEFI_RESERVED, 0x200000, 0x100, 0 },
		{ UEFI_CONVENTIONAL, 0x300000, 0x100, 0 },
	};
	const struct desc d2[] = {
		{ UEFI_CONVENTIONAL, 0x100000, 0x300, 0 },
	};
	struct mb1_info_args a = { .loader_name = "baton" };
	size_t msize = make_map(map, 40, d1, 3);

	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	assert_int_equal(get32(buf + 44), 72);
	msize = make_map(map, 40, d2, 1);
	assert_int_equal(mb1_build_info(buf, PHYS, sizeof(buf), &a, map, msize, 40), 0);
	assert_int_equal(get32(buf + 44), 24);
	assert_int_equal(get32(buf + 8), 3 * 1024);
	assert_int_equal(get32(buf + 64), PHYS + MBI_SIZE + 24);
	assert_string_equal(buf + MBI_SIZE + 24, "baton");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_at_aligned_offsets),
		cmocka_unit_test(test_find_outside_the_search_area),
		cmocka_unit_test(test_find_whole_header_inside),
		cmocka_unit_test(test_find_checksum),
		cmocka_unit_test(test_find_flags),
		cmocka_unit_test(test_find_fields),
		cmocka_unit_test(test_kludge_from_file),
		cmocka_unit_test(test_kludge_variants),
		cmocka_unit_test(test_kludge_rejections),
		cmocka_unit_test(test_info_every_field),
		cmocka_unit_test(test_info_minimal),
		cmocka_unit_test(test_info_mem_lower_upper),
		cmocka_unit_test(test_info_overlaps),
		cmocka_unit_test(test_info_too_small),
		cmocka_unit_test(test_info_below_4g),
		cmocka_unit_test(test_info_bad_map),
		cmocka_unit_test(test_info_rebuilt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
