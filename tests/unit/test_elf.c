/* Unit tests for loader/elf.c: synthetic 32- and 64-bit executables, every
 * rejection, bss segments, entry translation and the section table. */
#include "tests/unit/helpers.h"
#include "loader/elf.h"
#include "lib/bytes.h"

#define IMG_CAP 0x4000
#define PH_OFF 0x40
#define DATA_OFF 0x1000

struct ph {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void wr_word(uint8_t *p, unsigned bits, uint64_t v)
{
	if (bits == 64)
		put64(p, v);
	else
		put32(p, (uint32_t)v);
}

static void put_ph32(uint8_t *h, const struct ph *ph)
{
	put32(h, ph->type);
	put32(h + 4, (uint32_t)ph->offset);
	put32(h + 8, (uint32_t)ph->vaddr);
	put32(h + 12, (uint32_t)ph->paddr);
	put32(h + 16, (uint32_t)ph->filesz);
	put32(h + 20, (uint32_t)ph->memsz);
	put32(h + 24, 7);
	put32(h + 28, 0x1000);
}

static void put_ph64(uint8_t *h, const struct ph *ph)
{
	put32(h, ph->type);
	put32(h + 4, 7);
	put64(h + 8, ph->offset);
	put64(h + 16, ph->vaddr);
	put64(h + 24, ph->paddr);
	put64(h + 32, ph->filesz);
	put64(h + 40, ph->memsz);
	put64(h + 48, 0x1000);
}

/* An ELF executable with its program headers at PH_OFF and no sections;
 * the bytes from DATA_OFF on are a recognisable pattern. */
static void make_elf(uint8_t *img, unsigned bits, const struct ph *ph,
		     unsigned n, uint64_t entry)
{
	unsigned phsize = bits == 64 ? 56 : 32;
	size_t f = bits == 64 ? 54 : 42;	/* e_phentsize */

	memset(img, 0, IMG_CAP);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = bits == 64 ? 2 : 1;
	img[5] = 1;
	img[6] = 1;
	put16(img + 16, 2);				/* ET_EXEC */
	put16(img + 18, bits == 64 ? 62 : 3);
	put32(img + 20, 1);
	wr_word(img + 24, bits, entry);
	wr_word(img + (bits == 64 ? 32 : 28), bits, PH_OFF);
	put16(img + f - 2, bits == 64 ? 64 : 52);	/* e_ehsize */
	put16(img + f, (uint16_t)phsize);
	put16(img + f + 2, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		if (bits == 64)
			put_ph64(img + PH_OFF + i * phsize, &ph[i]);
		else
			put_ph32(img + PH_OFF + i * phsize, &ph[i]);
	}
	for (size_t i = DATA_OFF; i < IMG_CAP; i++)
		img[i] = (uint8_t)i;
}

/* Section table fields: e_shoff, then shentsize/shnum/shstrndx. */
static void set_sections(uint8_t *img, unsigned bits, uint64_t off,
			 uint16_t entsize, uint16_t num, uint16_t strndx)
{
	size_t f = bits == 64 ? 58 : 46;

	wr_word(img + (bits == 64 ? 40 : 32), bits, off);
	put16(img + f, entsize);
	put16(img + f + 2, num);
	put16(img + f + 4, strndx);
}

/* The usual kernel: text, then data with bss, a note, an empty PT_LOAD. */
static const struct ph kernel32[] = {
	{ 1, DATA_OFF, 0x100000, 0x100000, 0x1000, 0x1000 },
	{ 4, DATA_OFF, 0x100000, 0x100000, 0x20, 0x20 },
	{ 1, DATA_OFF + 0x1000, 0x101000, 0x101000, 0x800, 0x3000 },
	{ 1, 0, 0x200000, 0x200000, 0, 0 },
};

static void parse_ok(const uint8_t *img, size_t len, struct elf_image *e)
{
	char why[200] = "";

	if (elf_parse(img, len, e, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void expect_reject(const uint8_t *img, size_t len, const char *text)
{
	struct elf_image e;
	char why[200] = "";

	assert_int_equal(elf_parse(img, len, &e, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
	assert_int_equal(e.n, 0);
}

static void test_elf32_kernel(void **state)
{
	static uint8_t img[IMG_CAP];
	struct elf_image e;

	make_elf(img, 32, kernel32, 4, 0x10000c);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.bits, 32);
	assert_int_equal(e.entry, 0x10000c);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.seg[0].offset, DATA_OFF);
	assert_int_equal(e.seg[0].paddr, 0x100000);
	assert_int_equal(e.seg[0].filesz, 0x1000);
	assert_int_equal(e.seg[0].memsz, 0x1000);
	assert_int_equal(e.seg[1].offset, DATA_OFF + 0x1000);
	assert_int_equal(e.seg[1].paddr, 0x101000);
	assert_int_equal(e.seg[1].filesz, 0x800);	/* then 0x2800 of bss */
	assert_int_equal(e.seg[1].memsz, 0x3000);
	assert_int_equal(e.shnum, 0);
	assert_int_equal(e.shoff, 0);
}

static void test_elf64_kernel(void **state)
{
	static uint8_t img[IMG_CAP];
	const struct ph ph[] = {
		{ 1, DATA_OFF, 0x200000, 0x200000, 0x2000, 0x2000 },
		{ 1, 0, 0x100000000ULL, 0x100000000ULL, 0, 0x10000 },	/* bss */
	};
	struct elf_image e;

	make_elf(img, 64, ph, 2, 0x200040);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.bits, 64);
	assert_int_equal(e.entry, 0x200040);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.seg[0].paddr, 0x200000);
	assert_int_equal(e.seg[0].filesz, 0x2000);
	assert_int_equal(e.seg[1].paddr, 0x100000000ULL);
	assert_int_equal(e.seg[1].filesz, 0);
	assert_int_equal(e.seg[1].memsz, 0x10000);
}

/* A higher-half kernel: linked at 3 GiB + 1 MiB, loaded at 1 MiB. */
static void test_entry_moved_to_physical(void **state)
{
	static uint8_t img[IMG_CAP];
	const struct ph ph[] = {
		{ 1, DATA_OFF, 0x100000, 0x100000, 0x100, 0x100 },
		{ 1, DATA_OFF + 0x1000, 0xc0101000, 0x101000, 0x1000, 0x2000 },
	};
	struct elf_image e;

	make_elf(img, 32, ph, 2, 0xc0101010);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.entry, 0x101010);
	make_elf(img, 64, ph, 2, 0xc0101010);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.entry, 0x101010);
	/* Outside every segment: kept as it is. */
	make_elf(img, 32, ph, 2, 0x500000);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.entry, 0x500000);
}

static void test_et_dyn_and_bigger_phentsize(void **state)
{
	static uint8_t img[IMG_CAP];
	struct elf_image e;

	make_elf(img, 32, kernel32, 1, 0x100000);
	put16(img + 16, 3);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.n, 1);
	/* Entries 0x40 apart: the header at 0x40 is read, the slack skipped. */
	make_elf(img, 32, kernel32, 1, 0x100000);
	put16(img + 42, 0x40);
	put16(img + 44, 2);
	put_ph32(img + PH_OFF + 0x40, &kernel32[2]);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.seg[1].paddr, 0x101000);
}

static void test_sixteen_segments_and_top_of_4g(void **state)
{
	static uint8_t img[IMG_CAP];
	struct ph ph[ELF_MAX_SEGMENTS];
	struct elf_image e;

	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		ph[i] = (struct ph){ 1, DATA_OFF, 0x100000 + i * 0x1000,
				     0x100000 + i * 0x1000, 0x10, 0x1000 };
	ph[15].paddr = 0xfffff000;	/* ends exactly at 4 GiB */
	make_elf(img, 32, ph, ELF_MAX_SEGMENTS, 0x100000);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.n, ELF_MAX_SEGMENTS);
	assert_int_equal(e.seg[15].paddr, 0xfffff000);
}

/* A pure-bss segment has no file range, wherever its offset points. */
static void test_bss_segment_offset_ignored(void **state)
{
	static uint8_t img[IMG_CAP];
	const struct ph ph[] = {
		{ 1, DATA_OFF, 0x100000, 0x100000, 0x100, 0x100 },
		{ 1, 0xffffff00, 0x200000, 0x200000, 0, 0x5000 },
	};
	struct elf_image e;

	make_elf(img, 32, ph, 2, 0x100000);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.seg[1].memsz, 0x5000);
	assert_int_equal(e.seg[1].filesz, 0);
}

static void test_sections(void **state)
{
	static uint8_t img[IMG_CAP];
	struct elf_image e;

	make_elf(img, 32, kernel32, 4, 0x100000);
	set_sections(img, 32, 0x3000, 40, 10, 9);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.shoff, 0x3000);
	assert_int_equal(e.shnum, 10);
	assert_int_equal(e.shentsize, 40);
	assert_int_equal(e.shstrndx, 9);

	make_elf(img, 64, kernel32, 1, 0x100000);
	set_sections(img, 64, 0x3c00, 64, 16, 15);	/* ends at the file's end */
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.shoff, 0x3c00);
	assert_int_equal(e.shnum, 16);
	assert_int_equal(e.shentsize, 64);
	assert_int_equal(e.shstrndx, 15);
	/* One entry too many for the file: the table is dropped, not fatal. */
	set_sections(img, 64, 0x3c00, 64, 17, 15);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.shnum, 0);
	assert_int_equal(e.shoff, 0);
	assert_int_equal(e.shentsize, 0);
	set_sections(img, 64, 0xffffffffffffff00ULL, 64, 2, 1);
	parse_ok(img, IMG_CAP, &e);
	assert_int_equal(e.shnum, 0);
}

static void test_reject_ident(void **state)
{
	static uint8_t img[IMG_CAP];

	expect_reject((const uint8_t *)"MZ\x90\x00", 4, "not an ELF file (no \\x7fELF magic)");
	expect_reject((const uint8_t *)"\x7f" "EL", 3, "no \\x7fELF magic");
	make_elf(img, 32, kernel32, 4, 0x100000);
	expect_reject(img, 15, "truncated ELF header (file has 0xf bytes)");
	img[4] = 3;
	expect_reject(img, IMG_CAP, "ELF class 3 at 0x4 is neither 1 (32-bit) nor 2 (64-bit)");
	img[4] = 1;
	img[5] = 2;
	expect_reject(img, IMG_CAP, "ELF data encoding 2 at 0x5 is not 1 (little-endian)");
	img[5] = 1;
	expect_reject(img, 51, "truncated ELF header (the 32-bit header is 0x34 bytes, file has 0x33)");
	make_elf(img, 64, kernel32, 4, 0x100000);
	expect_reject(img, 63, "the 64-bit header is 0x40 bytes, file has 0x3f");
}

static void test_reject_kind(void **state)
{
	static uint8_t img[IMG_CAP];

	make_elf(img, 32, kernel32, 4, 0x100000);
	put16(img + 16, 1);
	expect_reject(img, IMG_CAP, "ELF type 1 at 0x10 is not an executable (2 ET_EXEC or 3 ET_DYN)");
	make_elf(img, 32, kernel32, 4, 0x100000);
	put16(img + 18, 62);
	expect_reject(img, IMG_CAP, "ELF machine 62 at 0x12 is not 3 (i386) for a 32-bit file");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put16(img + 18, 3);
	expect_reject(img, IMG_CAP, "ELF machine 3 at 0x12 is not 62 (x86-64) for a 64-bit file");
	put16(img + 18, 40);
	expect_reject(img, IMG_CAP, "ELF machine 40");
}

static void test_reject_phdr_table(void **state)
{
	static uint8_t img[IMG_CAP];

	make_elf(img, 32, kernel32, 4, 0x100000);
	put16(img + 44, 0xffff);
	expect_reject(img, IMG_CAP, "program header count at 0x2c is PN_XNUM");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put16(img + 56, 0xffff);
	expect_reject(img, IMG_CAP, "program header count at 0x38 is PN_XNUM");
	make_elf(img, 32, kernel32, 4, 0x100000);
	put16(img + 42, 28);
	expect_reject(img, IMG_CAP, "ELF program header size 28 at 0x2a is below 32");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put16(img + 54, 32);
	expect_reject(img, IMG_CAP, "ELF program header size 32 at 0x36 is below 56");
	make_elf(img, 32, kernel32, 4, 0x100000);
	expect_reject(img, PH_OFF + 4 * 32 - 1, "4 program headers of 32 bytes at 0x40 run past the end of the file (0xbf bytes)");
	make_elf(img, 32, kernel32, 4, 0x100000);
	put32(img + 28, 0xfffffff0);
	expect_reject(img, IMG_CAP, "at 0xfffffff0 run past the end of the file");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put64(img + 32, 0xffffffffffffffc0ULL);
	expect_reject(img, IMG_CAP, "at 0xffffffffffffffc0 run past the end of the file");
	make_elf(img, 32, kernel32, 0, 0x100000);
	expect_reject(img, IMG_CAP, "no loadable segments (no PT_LOAD program header with memsz > 0 among 0)");
	/* A note and an empty PT_LOAD do not count. */
	make_elf(img, 32, kernel32 + 1, 1, 0x100000);
	put_ph32(img + PH_OFF + 32, &kernel32[3]);
	put16(img + 44, 2);
	expect_reject(img, IMG_CAP, "among 2");
}

static void test_reject_segments(void **state)
{
	static uint8_t img[IMG_CAP];
	struct ph ph[ELF_MAX_SEGMENTS + 1];

	make_elf(img, 32, kernel32, 4, 0x100000);
	put32(img + PH_OFF + 2 * 32 + 16, 0x3001);	/* data filesz > memsz */
	expect_reject(img, IMG_CAP, "program header 2: filesz 0x3001 is larger than memsz 0x3000");

	make_elf(img, 32, kernel32, 4, 0x100000);
	expect_reject(img, DATA_OFF + 0x17ff, "program header 2: file range 0x2000-0x2800 runs past the end of the file (0x27ff bytes)");
	make_elf(img, 32, kernel32, 4, 0x100000);
	expect_reject(img, DATA_OFF + 0x800, "program header 0: file range 0x1000-0x2000 runs past the end of the file (0x1800 bytes)");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put64(img + PH_OFF + 56 * 2 + 8, 0xfffffffffffff000ULL);	/* offset + filesz wraps */
	put64(img + PH_OFF + 56 * 2 + 32, 0x2000);
	expect_reject(img, IMG_CAP, "program header 2: file range 0xfffffffffffff000-");

	make_elf(img, 32, kernel32, 4, 0x100000);
	put32(img + PH_OFF + 2 * 32 + 12, 0xffffe000);	/* paddr + 0x3000 > 4 GiB */
	expect_reject(img, IMG_CAP, "program header 2: 0x3000 bytes at physical address 0xffffe000 wrap around the 32-bit address space");
	make_elf(img, 64, kernel32, 4, 0x100000);
	put64(img + PH_OFF + 2 * 56 + 24, 0xffffffffffffe000ULL);
	expect_reject(img, IMG_CAP, "wrap around the 64-bit address space");

	for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
		ph[i] = (struct ph){ 1, DATA_OFF, 0x100000 + i * 0x1000,
				     0x100000 + i * 0x1000, 0x10, 0x1000 };
	make_elf(img, 64, ph, ELF_MAX_SEGMENTS + 1, 0x100000);
	expect_reject(img, IMG_CAP, "more than 16 loadable segments (program header 16 would be number 17)");
}

/* A rejection leaves no half-filled image behind. */
static void test_reject_clears_output(void **state)
{
	static uint8_t img[IMG_CAP];
	struct elf_image e;
	char why[100];

	make_elf(img, 32, kernel32, 4, 0x100000);
	parse_ok(img, IMG_CAP, &e);
	put32(img + PH_OFF + 2 * 32 + 12, 0xffffe000);
	assert_int_equal(elf_parse(img, IMG_CAP, &e, why, sizeof(why)), BT_EFORMAT);
	assert_int_equal(e.n, 0);
	assert_int_equal(e.bits, 0);
	assert_int_equal(e.entry, 0);
	/* A tiny message buffer truncates, never overflows. */
	assert_int_equal(elf_parse(img, IMG_CAP, &e, why, 8), BT_EFORMAT);
	assert_int_equal(strlen(why), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_kernel),
		cmocka_unit_test(test_elf64_kernel),
		cmocka_unit_test(test_entry_moved_to_physical),
		cmocka_unit_test(test_et_dyn_and_bigger_phentsize),
		cmocka_unit_test(test_sixteen_segments_and_top_of_4g),
		cmocka_unit_test(test_bss_segment_offset_ignored),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_reject_ident),
		cmocka_unit_test(test_reject_kind),
		cmocka_unit_test(test_reject_phdr_table),
		cmocka_unit_test(test_reject_segments),
		cmocka_unit_test(test_reject_clears_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
