/* Unit tests for loader/linux.c: bzImage checks, placement, boot_params,
 * e820 and efi_info, on synthetic kernels and memory maps. */
#include "tests/unit/helpers.h"
#include "loader/linux.h"
#include "lib/bytes.h"

#define MIB 0x100000ULL
#define GIB 0x40000000ULL
#define SETUP_SECTS 4
#define PAYLOAD_OFF ((SETUP_SECTS + 1) * 512)
#define PAYLOAD_LEN 0x1000
#define IMG_LEN (PAYLOAD_OFF + PAYLOAD_LEN)
#define HDR_END 0x26c	/* 0x202 + the jump length byte below */

/* A modern relocatable 64-bit bzImage header (protocol 2.15) followed by a
 * PAYLOAD_LEN-byte kernel: what a distribution kernel looks like. */
static void make_bz(uint8_t *img)
{
	memset(img, 0, IMG_LEN);
	img[0x1f1] = SETUP_SECTS;
	put32(img + 0x1f4, PAYLOAD_LEN / 16);
	put16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = HDR_END - 0x202;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	img[0x211] = 0x01;				/* LOADED_HIGH */
	put32(img + 0x22c, 0x7fffffff);			/* initrd_addr_max */
	put32(img + 0x230, 0x200000);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable */
	img[0x235] = 21;				/* min_alignment */
	put16(img + 0x236, 0x0003);			/* KERNEL_64 | ABOVE_4G */
	put32(img + 0x238, 2047);			/* cmdline_size */
	put64(img + 0x258, 0x1000000);			/* pref_address */
	put32(img + 0x260, 0x2000000);			/* init_size */
	memset(img + PAYLOAD_OFF, 0x90, PAYLOAD_LEN);
}

static void parse_ok(const uint8_t *img, size_t len, struct bzimage *bz)
{
	char why[200] = "";

	if (bzimage_parse(img, len, bz, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void expect_reject(const uint8_t *img, size_t len, const char *text)
{
	struct bzimage bz;
	char why[200] = "";

	assert_int_equal(bzimage_parse(img, len, &bz, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
}

/* ------------------------------------------------------------ parsing */

static void test_parse_fields(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	parse_ok(img, IMG_LEN, &bz);
	assert_ptr_equal(bz.data, img);
	assert_int_equal(bz.len, IMG_LEN);
	assert_int_equal(bz.setup_sects, 4);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.loadflags, 0x01);
	assert_int_equal(bz.xloadflags, 0x0003);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.relocatable, 1);
	assert_int_equal(bz.min_alignment, 21);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, 0x2000000);
	assert_int_equal(bz.payload_off, 0xa00);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	img[0x1f1] = 0;
	parse_ok(img, IMG_LEN, &bz);
	assert_int_equal(bz.setup_sects, 4);
	assert_int_equal(bz.payload_off, 5 * 512);
}

static void test_parse_other_setup_sects(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	img[0x1f1] = 2;			/* payload from 0x600 */
	put32(img + 0x1f4, (IMG_LEN - 0x600) / 16);
	parse_ok(img, IMG_LEN, &bz);
	assert_int_equal(bz.payload_off, 0x600);
	assert_int_equal(bz.payload_len, IMG_LEN - 0x600);
}

/* A signature appended after the kernel (sbsign) is not truncation. */
static void test_parse_trailing_data_and_zero_syssize(void **state)
{
	static uint8_t img[IMG_LEN + 0x800];
	struct bzimage bz;

	make_bz(img);
	parse_ok(img, sizeof(img), &bz);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN + 0x800);
	put32(img + 0x1f4, 0);		/* no size given: the file is it */
	parse_ok(img, IMG_LEN, &bz);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN);
}

/* The whole message, not a part: these are what a user sees for a
 * damaged download. */
static void expect_reject_exactly(const uint8_t *img, size_t len,
				  const char *text)
{
	struct bzimage bz;
	char why[200] = "";

	assert_int_equal(bzimage_parse(img, len, &bz, why, sizeof(why)), BT_EFORMAT);
	assert_string_equal(why, text);
}

/*
 * syssize counts 16-byte paragraphs and the last may be partial: a file
 * ending anywhere inside the last paragraph is whole (memtest86+ 6.10's
 * x64.bin is 8 bytes short of syssize * 16), one ending before it is not.
 */
static void test_parse_short_last_paragraph(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	parse_ok(img, IMG_LEN - 8, &bz);
	assert_int_equal(bz.payload_off, PAYLOAD_OFF);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN - 8);
	parse_ok(img, IMG_LEN - 15, &bz);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN - 15);
	expect_reject_exactly(img, IMG_LEN - 16, "truncated (syssize at 0x1F4 "
			      "says 0x100 paragraphs of kernel after the setup, "
			      "file has 0xff)");
}

/* memtest86+ 6.10's own numbers: setup_sects 2, syssize 0x22dc, a
 * 0x233b8-byte file, and no payload_offset/payload_length. */
static void test_parse_memtest_layout(void **state)
{
	static uint8_t img[0x233c0];
	struct bzimage bz;

	make_bz(img);
	memset(img + PAYLOAD_OFF, 0, sizeof(img) - PAYLOAD_OFF);
	img[0x1f1] = 2;
	put32(img + 0x1f4, 0x22dc);
	put32(img + 0x260, 0x6acf8);
	parse_ok(img, 0x233b8, &bz);
	assert_int_equal(bz.payload_off, 0x600);
	assert_int_equal(bz.payload_len, 0x22db8);
	expect_reject_exactly(img, 0x233a0, "truncated (syssize at 0x1F4 "
			      "says 0x22dc paragraphs of kernel after the setup, "
			      "file has 0x22da)");
}

/* What is still refused: a file ending in or right after the setup, and
 * one ending inside the compressed kernel that payload_offset and
 * payload_length describe, whatever syssize says. */
static void test_parse_truncations(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	expect_reject_exactly(img, PAYLOAD_OFF - 1, "truncated (setup_sects at "
			      "0x1F1 says the setup ends at 0xa00, file has "
			      "0x9ff)");
	expect_reject_exactly(img, PAYLOAD_OFF, "no kernel after the setup "
			      "(setup_sects at 0x1F1 says it starts at 0xa00, "
			      "where the file ends)");
	put32(img + 0x1f4, 0);		/* syssize 0 excuses nothing here */
	expect_reject_exactly(img, PAYLOAD_OFF, "no kernel after the setup "
			      "(setup_sects at 0x1F1 says it starts at 0xa00, "
			      "where the file ends)");
	make_bz(img);
	img[0x1f1] = 200;		/* setup alone runs past the file */
	expect_reject_exactly(img, IMG_LEN, "truncated (setup_sects at 0x1F1 "
			      "says the setup ends at 0x19200, file has 0x1a00)");

	make_bz(img);
	put32(img + 0x1f4, 0);
	put32(img + 0x248, 0x100);	/* payload_offset */
	put32(img + 0x24c, PAYLOAD_LEN - 0x100);	/* payload_length */
	parse_ok(img, IMG_LEN, &bz);
	expect_reject_exactly(img, IMG_LEN - 1, "truncated (payload_offset and "
			      "payload_length at 0x248 say the compressed kernel "
			      "ends 0x1000 bytes after the setup, file has 0xfff)");
}

static void test_parse_rejections(void **state)
{
	static uint8_t img[IMG_LEN];

	expect_reject((const uint8_t *)"hello", 5, "no boot flag 0xAA55 at 0x1FE");
	make_bz(img);
	expect_reject(img, 0x1ff, "no boot flag 0xAA55 at 0x1FE");
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xab;
	expect_reject(img, IMG_LEN, "no boot flag 0xAA55 at 0x1FE");

	make_bz(img);
	expect_reject(img, 0x205, "no HdrS signature at 0x202");
	img[0x205] = 's';
	expect_reject(img, IMG_LEN, "no HdrS signature at 0x202");

	make_bz(img);
	put16(img + 0x206, 0x0206);
	expect_reject(img, IMG_LEN, "boot protocol 2.06");
	expect_reject(img, IMG_LEN, "too old (2.12 or later needed for the 64-bit entry)");
	put16(img + 0x206, 0x020b);
	expect_reject(img, IMG_LEN, "boot protocol 2.11");

	make_bz(img);
	img[0x201] = 0x5d;		/* header ends at 0x25f */
	expect_reject(img, IMG_LEN, "ends at 0x25f (jump length at 0x201), before init_size");

	make_bz(img);
	img[0x211] = 0x80;
	expect_reject(img, IMG_LEN, "LOADED_HIGH clear in loadflags at 0x211");

	make_bz(img);
	put16(img + 0x236, 0x0002);
	expect_reject(img, IMG_LEN, "not a 64-bit kernel (XLF_KERNEL_64 clear in xloadflags at 0x236)");

	make_bz(img);
	put32(img + 0x260, 0);
	expect_reject(img, IMG_LEN, "init_size 0x0 at 0x260");
	put32(img + 0x260, PAYLOAD_LEN - 1);
	expect_reject(img, IMG_LEN, "init_size 0xfff at 0x260 is smaller than the 0x1000-byte kernel");

	make_bz(img);
	put32(img + 0x230, 0x300000);
	expect_reject(img, IMG_LEN, "kernel_alignment 0x300000 at 0x230 is not a power of two");
	put32(img + 0x230, 0);
	expect_reject(img, IMG_LEN, "kernel_alignment 0x0");

	make_bz(img);
	img[0x235] = 32;
	expect_reject(img, IMG_LEN, "min_alignment 2^32 at 0x235");

	make_bz(img);
	img[0x234] = 0;
	put64(img + 0x258, 0);
	expect_reject(img, IMG_LEN, "not relocatable, and pref_address 0x0 at 0x258");
	put64(img + 0x258, 0x1000800);
	expect_reject(img, IMG_LEN, "pref_address 0x1000800");
}

/* Alignment fields only matter for a relocatable kernel. */
static void test_parse_fixed_kernel_ignores_alignment(void **state)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	img[0x234] = 0;
	put32(img + 0x230, 0x300000);
	img[0x235] = 99;
	parse_ok(img, IMG_LEN, &bz);
	assert_int_equal(bz.relocatable, 0);
}

/* ---------------------------------------------------------- placement */

#define R(start, end, type) { (start), ((end) - (start)) / 4096, (type), false }

/* An OVMF-like map: low RAM, 1-8 MiB RAM, NVS, then RAM to 2 GiB. */
static struct mem_region ovmf_regions[] = {
	R(0, 0x9f000, MEM_FREE),
	R(0x100000, 0x800000, MEM_FREE),
	R(0x800000, 0x900000, MEM_ACPI_NVS),
	R(0x900000, 0x1000000, MEM_BOOT_SERVICES),
	R(0x1000000, 0x1400000, MEM_RUNTIME),
	R(0x1400000, 0x80000000, MEM_FREE),
};

static struct bzimage std_bz(void)
{
	static uint8_t img[IMG_LEN];
	struct bzimage bz;

	make_bz(img);
	parse_ok(img, IMG_LEN, &bz);
	return bz;
}

static uint64_t place_ok(const struct bzimage *bz, const struct memmap *m)
{
	char why[200] = "";
	uint64_t addr = 0;

	if (bzimage_place(bz, m, &addr, why, sizeof(why)))
		fail_msg("unexpected placement failure: %s", why);
	return addr;
}

static void place_fails(const struct bzimage *bz, const struct memmap *m,
			const char *text)
{
	char why[200] = "";
	uint64_t addr = 0;

	assert_int_equal(bzimage_place(bz, m, &addr, why, sizeof(why)), BT_ENOENT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
}

static void test_place_pref_free(void **state)
{
	struct mem_region r[] = {
		R(0x100000, 0x800000, MEM_FREE),
		R(0x800000, 0x1000000, MEM_LOADER),
		R(0x1000000, 0x3000000, MEM_BOOT_SERVICES),	/* exactly enough */
	};
	struct memmap m = { r, 3 };
	struct bzimage bz = std_bz();

	assert_int_equal(place_ok(&bz, &m), 0x1000000);
	bz.relocatable = 0;
	assert_int_equal(place_ok(&bz, &m), 0x1000000);
	/* init_size is rounded up to a page: one more byte does not fit. */
	bz.init_size = 0x2000001;
	place_fails(&bz, &m, "kernel needs 0x2001000 bytes at 0x1000000 and is not relocatable");
}

static void test_place_pref_occupied_relocates(void **state)
{
	struct memmap m = { ovmf_regions, 6 };
	struct bzimage bz = std_bz();

	/* 32 MiB fits neither 1-8 MiB nor 9-16 MiB: first 2 MiB-aligned
	 * address past the runtime data. */
	assert_int_equal(place_ok(&bz, &m), 0x1400000);
	bz.kernel_alignment = 0x1000000;
	assert_int_equal(place_ok(&bz, &m), 0x2000000);
	/* min_alignment is a floor over kernel_alignment. */
	bz.kernel_alignment = 0x200000;
	bz.min_alignment = 24;
	assert_int_equal(place_ok(&bz, &m), 0x2000000);
}

static void test_place_lowest_above_pref(void **state)
{
	struct memmap m = { ovmf_regions, 6 };
	struct bzimage bz = std_bz();

	/* Never below pref_address: a relocatable kernel loaded lower would
	 * decompress itself at pref_address anyway. */
	bz.init_size = 0x400000;
	bz.pref_address = 0x1000000;	/* runtime data there */
	assert_int_equal(place_ok(&bz, &m), 0x1400000);
	bz.kernel_alignment = 0x100000;
	bz.min_alignment = 20;
	assert_int_equal(place_ok(&bz, &m), 0x1400000);
	/* Without a pref_address the floor is 1 MiB. */
	bz.pref_address = 0;
	assert_int_equal(place_ok(&bz, &m), 0x100000);
	/* Tiny alignments are raised to a page. */
	bz.kernel_alignment = 0x10;
	bz.min_alignment = 0;
	assert_int_equal(place_ok(&bz, &m), 0x100000);
	bz.kernel_alignment = 0x200000;
	assert_int_equal(place_ok(&bz, &m), 0x200000);
}

/* OVMF keeps its decompressed DXE volume (boot services data) at 9-21 MiB
 * until ExitBootServices, over the usual pref_address of 16 MiB. */
static void test_place_prefers_free_now(void **state)
{
	struct mem_region r[] = {
		R(0x100000, 0x800000, MEM_FREE),
		R(0x800000, 0x900000, MEM_ACPI_NVS),
		R(0x900000, 0x1500000, MEM_BOOT_SERVICES),
		R(0x1500000, 0x3e000000, MEM_FREE),
		R(0x3e000000, 0x3f000000, MEM_LOADER),
	};
	struct memmap m = { r, 5 };
	struct bzimage bz = std_bz();

	/* Relocatable: the first 2 MiB-aligned address above the busy part,
	 * read straight into place instead of copied to 16 MiB later. */
	assert_int_equal(place_ok(&bz, &m), 0x1600000);
	/* Not relocatable: pref_address, RAM after ExitBootServices. */
	bz.relocatable = 0;
	assert_int_equal(place_ok(&bz, &m), 0x1000000);
	/* pref_address free now wins over everything. */
	bz.relocatable = 1;
	r[2].type = MEM_FREE;
	assert_int_equal(place_ok(&bz, &m), 0x1000000);
	/* Nothing free now that is big enough: pref_address, to be copied. */
	r[2].type = MEM_BOOT_SERVICES;
	r[3].type = MEM_BOOT_SERVICES;
	assert_int_equal(place_ok(&bz, &m), 0x1000000);
	/* ... or, when that is not RAM either, the lowest RAM above it. */
	r[1] = (struct mem_region)R(0x800000, 0x1100000, MEM_ACPI_NVS);
	r[2] = (struct mem_region)R(0x1100000, 0x1500000, MEM_BOOT_SERVICES);
	assert_int_equal(place_ok(&bz, &m), 0x1200000);
}

static void test_place_run_across_regions(void **state)
{
	struct mem_region r[] = {
		R(0x100000, 0x400000, MEM_LOADER),
		R(0x400000, 0x800000, MEM_BOOT_SERVICES),
		R(0x800000, 0x900000, MEM_ACPI_NVS),
		R(0x900000, 0x4000000, MEM_FREE),
	};
	struct memmap m = { r, 4 };
	struct bzimage bz = std_bz();

	bz.pref_address = 0;
	bz.init_size = 0x600000;	/* 0x200000 + 6 MiB ends at 0x800000 */
	/* Free now beats RAM that is only free after ExitBootServices. */
	assert_int_equal(place_ok(&bz, &m), 0xa00000);
	r[3].type = MEM_BOOT_SERVICES;
	assert_int_equal(place_ok(&bz, &m), 0x200000);
	bz.init_size = 0x600001;
	assert_int_equal(place_ok(&bz, &m), 0xa00000);
}

static void test_place_pref_misaligned_or_soft_reserved(void **state)
{
	struct mem_region r[] = {
		R(0x100000, 0x8000000, MEM_FREE),
		R(0x8000000, 0x10000000, MEM_FREE),
	};
	struct memmap m = { r, 2 };
	struct bzimage bz = std_bz();

	bz.init_size = 0x400000;
	bz.pref_address = 0x1100000;	/* RAM, but not 2 MiB aligned */
	assert_int_equal(place_ok(&bz, &m), 0x1200000);
	bz.pref_address = 0x9000000;
	assert_int_equal(place_ok(&bz, &m), 0x9000000);
	r[1].soft_reserved = true;	/* set aside by the platform */
	place_fails(&bz, &m, "no room for the kernel's 0x400000 bytes (RAM at or above 0x9000000");
	bz.pref_address = 0x4000000;
	assert_int_equal(place_ok(&bz, &m), 0x4000000);
	bz.init_size = 0x4000001;	/* would reach into the SP region */
	place_fails(&bz, &m, "no room");
}

static void test_place_not_relocatable(void **state)
{
	struct memmap m = { ovmf_regions, 6 };
	struct bzimage bz = std_bz();

	bz.relocatable = 0;
	place_fails(&bz, &m, "kernel needs 0x2000000 bytes at 0x1000000 and is not relocatable");
}

static void test_place_no_room(void **state)
{
	struct mem_region r[] = {
		R(0, 0x9f000, MEM_FREE),
		R(0x100000, 0x1000000, MEM_FREE),
		R(0x1000000, 0x1001000, MEM_RESERVED),
		R(0x1001000, 0x2000000, MEM_FREE),
	};
	struct memmap m = { r, 4 };
	struct memmap empty = { NULL, 0 };
	struct bzimage bz = std_bz();

	place_fails(&bz, &m, "no room for the kernel's 0x2000000 bytes (RAM at or above 0x1000000, aligned to 0x200000)");
	place_fails(&bz, &empty, "no room");
	/* Low memory does not count, even when it is big enough. */
	bz.init_size = 0x80000;
	bz.pref_address = 0;
	r[1].type = MEM_RESERVED;
	r[3].type = MEM_RUNTIME;
	place_fails(&bz, &m, "no room for the kernel's 0x80000 bytes");
}

static void test_place_4gib_limit(void **state)
{
	struct mem_region r[] = {
		R(0x100000, 0x800000, MEM_FREE),
		R(0xfe000000, 0x100000000, MEM_FREE),
		R(0x100000000, 0x200000000, MEM_FREE),
	};
	struct memmap m = { r, 3 };
	struct bzimage bz = std_bz();

	bz.pref_address = 0xff000000;	/* crosses 4 GiB */
	assert_int_equal(place_ok(&bz, &m), 0xff000000);
	bz.xloadflags &= ~0x2;
	place_fails(&bz, &m, "(RAM at or above 0xff000000, aligned to 0x200000, below 4 GiB)");
	bz.pref_address = 0;
	assert_int_equal(place_ok(&bz, &m), 0xfe000000);	/* ends at 4 GiB */
	bz.init_size = 0x2001000;
	place_fails(&bz, &m, "aligned to 0x200000, below 4 GiB)");
	bz.xloadflags |= 0x2;
	assert_int_equal(place_ok(&bz, &m), 0xfe000000);
	bz.pref_address = 0xff000000;
	assert_int_equal(place_ok(&bz, &m), 0xff000000);
}

/* -------------------------------------------------------- boot_params */

static struct linux_args std_args(void)
{
	struct linux_args a = {
		.cmdline_addr = 0x20000,
		.cmdline_len = 30,
		.initrd_addr = 0x30000000,
		.initrd_size = 0x1234567,
		.rsdp_addr = 0x7fbfe014,
		.fb = NULL,
	};
	return a;
}

static void bp_ok(uint8_t *bp, const struct bzimage *bz, const struct linux_args *a)
{
	char why[200] = "";

	if (linux_boot_params(bp, bz, a, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void bp_fails(const struct bzimage *bz, const struct linux_args *a,
		     const char *text)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	char why[200] = "";

	assert_int_equal(linux_boot_params(bp, bz, a, why, sizeof(why)), BT_EINVAL);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
}

/* Callers may read only the setup sectors: nothing past 0x290 is touched
 * (ASan checks the exact-size heap copy). */
static void test_parse_header_prefix_only(void **state)
{
	static uint8_t img[IMG_LEN], bp[BOOT_PARAMS_SIZE];
	uint8_t *head = malloc(0x290);
	struct bzimage bz;
	struct linux_args a = std_args();

	assert_non_null(head);
	make_bz(img);
	img[0x201] = 0xff;		/* a header claiming to reach 0x301 */
	memcpy(head, img, 0x290);
	parse_ok(head, IMG_LEN, &bz);
	assert_int_equal(bz.payload_len, PAYLOAD_LEN);
	bp_ok(bp, &bz, &a);
	assert_memory_equal(bp + 0x258, img + 0x258, 0x290 - 0x258);
	free(head);
}

static void assert_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			fail_msg("byte 0x%zx is 0x%02x, expected 0", i, p[i]);
}

static void test_boot_params_fields(void **state)
{
	static uint8_t img[IMG_LEN], bp[BOOT_PARAMS_SIZE];
	struct bzimage bz;
	struct linux_args a = std_args();

	make_bz(img);
	img[0x1ef] = 0xff;			/* the sentinel: never copied */
	memset(img + HDR_END, 0xcc, 0x290 - HDR_END);	/* past the header */
	put64(img + 0x250, 0xdeadbeef);		/* setup_data from a file */
	img[0x210] = 0x12;
	parse_ok(img, IMG_LEN, &bz);
	memset(bp, 0x5a, sizeof(bp));
	a.cmdline_addr = 0x123456789aULL;
	a.initrd_addr = 0x2300000000ULL + 0x45000;
	a.initrd_size = 0x100000000ULL + 0x1000;
	bp_ok(bp, &bz, &a);

	/* screen_info, efi_info, e820_entries, the sentinel ...: zero. */
	assert_zero(bp, 0, 0x70);
	assert_int_equal(get64(bp + 0x070), 0x7fbfe014);	/* acpi_rsdp_addr */
	assert_zero(bp, 0x78, 0xc0);
	assert_int_equal(get32(bp + 0x0c0), 0x23);	/* ext_ramdisk_image */
	assert_int_equal(get32(bp + 0x0c4), 0x1);	/* ext_ramdisk_size */
	assert_int_equal(get32(bp + 0x0c8), 0x12);	/* ext_cmd_line_ptr */
	assert_zero(bp, 0xcc, 0x1f1);
	/* The setup header, except what the loader writes. */
	assert_memory_equal(bp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1);
	assert_int_equal(bp[0x210], 0xff);	/* type_of_loader */
	assert_int_equal(bp[0x211], 0x01);	/* loadflags kept */
	assert_memory_equal(bp + 0x212, img + 0x212, 0x218 - 0x212);
	assert_int_equal(get32(bp + 0x218), 0x45000);	/* ramdisk_image */
	assert_int_equal(get32(bp + 0x21c), 0x1000);	/* ramdisk_size */
	assert_memory_equal(bp + 0x220, img + 0x220, 0x228 - 0x220);
	assert_int_equal(get32(bp + 0x228), 0x3456789a);	/* cmd_line_ptr */
	assert_memory_equal(bp + 0x22c, img + 0x22c, 0x250 - 0x22c);
	assert_int_equal(get64(bp + 0x250), 0);		/* setup_data */
	assert_memory_equal(bp + 0x258, img + 0x258, HDR_END - 0x258);
	assert_zero(bp, HDR_END, BOOT_PARAMS_SIZE);
}

static void test_boot_params_low_fields(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();

	bp_ok(bp, &bz, &a);
	assert_int_equal(get32(bp + 0x228), 0x20000);
	assert_int_equal(get32(bp + 0x0c8), 0);
	assert_int_equal(get32(bp + 0x218), 0x30000000);
	assert_int_equal(get32(bp + 0x21c), 0x1234567);
	assert_int_equal(get32(bp + 0x0c0), 0);
	assert_int_equal(get32(bp + 0x0c4), 0);
	assert_int_equal(get64(bp + 0x070), 0x7fbfe014);
	assert_zero(bp, 0, 0x40);	/* no framebuffer: no screen_info */
}

/* A header claiming to run past 0x290 is cut at the end of its hole. */
static void test_boot_params_header_capped(void **state)
{
	static uint8_t img[IMG_LEN], bp[BOOT_PARAMS_SIZE];
	struct bzimage bz;
	struct linux_args a = std_args();

	make_bz(img);
	img[0x201] = 0xff;			/* would end at 0x301 */
	memset(img + HDR_END, 0xcc, 0x400 - HDR_END);
	parse_ok(img, IMG_LEN, &bz);
	bp_ok(bp, &bz, &a);
	assert_int_equal(bp[0x28f], 0xcc);
	assert_zero(bp, 0x290, BOOT_PARAMS_SIZE);
}

static void test_boot_params_cmdline_limit(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();

	a.cmdline_len = 2047;
	bp_ok(bp, &bz, &a);
	a.cmdline_len = 2048;
	bp_fails(&bz, &a, "command line is 2048 bytes; this kernel takes at most 2047");
	bz.cmdline_size = 0;
	a.cmdline_len = 0;
	bp_ok(bp, &bz, &a);
	a.cmdline_len = 1;
	bp_fails(&bz, &a, "at most 0");
}

static void test_boot_params_below_4g(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();

	bz.xloadflags = 0x1;		/* no XLF_CAN_BE_LOADED_ABOVE_4G */
	a.cmdline_addr = 0xffffffff - 30;	/* the NUL is the last byte */
	bp_ok(bp, &bz, &a);
	a.cmdline_addr++;
	bp_fails(&bz, &a, "command line at 0xffffffe2 is above 4 GiB");
	a.cmdline_addr = 0x100000000ULL;
	bp_fails(&bz, &a, "XLF_CAN_BE_LOADED_ABOVE_4G clear");
}

static void test_boot_params_initrd_limit(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();

	bz.xloadflags = 0x1;
	a.initrd_size = 0x100000;
	a.initrd_addr = 0x80000000 - 0x100000;	/* last byte is the max */
	bp_ok(bp, &bz, &a);
	a.initrd_addr += 0x1000;
	bp_fails(&bz, &a, "initrd at 0x7ff01000-0x80000fff ends above this kernel's initrd_addr_max 0x7fffffff");
	/* A kernel that may have it anywhere. */
	bz.xloadflags = 0x3;
	a.initrd_addr = 0x300000000ULL;
	bp_ok(bp, &bz, &a);
	assert_int_equal(get32(bp + 0x0c0), 3);
	a.initrd_addr = UINT64_MAX - 0xfff;
	bp_fails(&bz, &a, "wraps around");
	/* No initrd: nothing to check, zeros written. */
	bz.xloadflags = 0x1;
	a.initrd_addr = 0;
	a.initrd_size = 0;
	bp_ok(bp, &bz, &a);
	assert_int_equal(get32(bp + 0x218), 0);
	assert_int_equal(get32(bp + 0x21c), 0);
}

static void test_boot_params_screen_info(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();
	struct fw_framebuffer fb = {
		.base = 0x80000000, .size = 0x300000,
		.width = 1024, .height = 768, .pixels_per_line = 1056,
		.red_size = 8, .red_pos = 16, .green_size = 8, .green_pos = 8,
		.blue_size = 8, .blue_pos = 0, .rsvd_size = 8, .rsvd_pos = 24,
	};
	const uint8_t colours[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };

	a.fb = &fb;
	bp_ok(bp, &bz, &a);
	assert_int_equal(bp[0x0f], 0x70);		/* VIDEO_TYPE_EFI */
	assert_int_equal(get16(bp + 0x12), 1024);
	assert_int_equal(get16(bp + 0x14), 768);
	assert_int_equal(get16(bp + 0x16), 32);
	assert_int_equal(get32(bp + 0x18), 0x80000000);
	assert_int_equal(get32(bp + 0x1c), 0x300000);	/* bytes */
	assert_int_equal(get16(bp + 0x24), 1056 * 4);
	assert_memory_equal(bp + 0x26, colours, 8);
	assert_int_equal(get16(bp + 0x32), 1);		/* pages */
	assert_int_equal(get32(bp + 0x36), 0x1);		/* SKIP_QUIRKS only */
	assert_int_equal(get32(bp + 0x3a), 0);
	assert_zero(bp, 0, 0x0f);
	assert_zero(bp, 0x3e, 0x40);

	fb.base = 0x3800000000ULL + 0xc0000000;
	fb.size = 0x500000000ULL;		/* capped at 32 bits */
	bp_ok(bp, &bz, &a);
	assert_int_equal(get32(bp + 0x18), 0xc0000000);
	assert_int_equal(get32(bp + 0x3a), 0x38);	/* ext_lfb_base */
	assert_int_equal(get32(bp + 0x36), 0x3);		/* + 64BIT_BASE */
	assert_int_equal(get32(bp + 0x1c), 0xffffffff);

	/* 16 bpp from the colour sizes. */
	fb.red_size = 5;
	fb.green_size = 6;
	fb.blue_size = 5;
	fb.rsvd_size = 0;
	bp_ok(bp, &bz, &a);
	assert_int_equal(get16(bp + 0x16), 16);
	assert_int_equal(get16(bp + 0x24), 1056 * 2);

	/* No base: no framebuffer. */
	fb.base = 0;
	bp_ok(bp, &bz, &a);
	assert_zero(bp, 0, 0x40);
}

static void test_boot_params_fb_too_big(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();
	struct fw_framebuffer fb = {
		.base = 0x80000000, .size = 0x300000,
		.width = 70000, .height = 768, .pixels_per_line = 70000,
		.red_size = 8, .green_size = 8, .blue_size = 8, .rsvd_size = 8,
	};

	a.fb = &fb;
	bp_fails(&bz, &a, "framebuffer 70000x768");
	fb.width = 16384;
	fb.pixels_per_line = 16384;	/* 65536 bytes a line */
	bp_fails(&bz, &a, "16-bit fields");
}

/* --------------------------------------------------------------- e820 */

#define DESC 48		/* firmware descriptors are often larger than 40 */

static void put_desc(uint8_t *map, size_t i, uint32_t type, uint64_t phys,
		     uint64_t pages, uint64_t attr)
{
	uint8_t *d = map + i * DESC;

	memset(d, 0xee, DESC);		/* padding and virt are never read */
	put32(d, type);
	put64(d + 8, phys);
	put64(d + 24, pages);
	put64(d + 32, attr);
}

static void assert_entry(const struct e820_entry *e, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	if (e->addr != addr || e->size != size || e->type != type)
		fail_msg("entry {0x%llx, 0x%llx, %u}, expected {0x%llx, 0x%llx, %u}",
			 (unsigned long long)e->addr, (unsigned long long)e->size,
			 e->type, (unsigned long long)addr,
			 (unsigned long long)size, type);
}

static void test_e820_types(void **state)
{
	/* Every UEFI type, one each, 2 pages apart so none merges. */
	static const uint32_t want[] = {
		2, 1, 1, 1, 1, 2, 2, 1, 5, 3, 4, 2, 2, 2, 7,
	};
	uint8_t map[20 * DESC];
	struct e820_entry out[20];
	size_t n, i;

	for (i = 0; i < 15; i++)
		put_desc(map, i, (uint32_t)i, i * 0x2000, 1, 0);
	put_desc(map, 15, 15, 15 * 0x2000, 1, 0);	/* unaccepted */
	put_desc(map, 16, 16, 16 * 0x2000, 1, 0);	/* unknown */
	put_desc(map, 17, 0x80000000, 17 * 0x2000, 1, 0);	/* OEM */
	put_desc(map, 18, 0x70000000, 18 * 0x2000, 1, 0);	/* OS vendor */
	put_desc(map, 19, UEFI_CONVENTIONAL, 19 * 0x2000, 0, 0);	/* empty */
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 20, &n), 0);
	assert_int_equal(n, 15);
	for (i = 0; i < 15; i++)
		assert_entry(&out[i], i * 0x2000, 0x1000, want[i]);
}

static void test_e820_soft_reserved(void **state)
{
	uint8_t map[6 * DESC];
	struct e820_entry out[6];
	size_t n;

	put_desc(map, 0, UEFI_CONVENTIONAL, 0x100000, 16, UEFI_MEMORY_SP | 0xf);
	put_desc(map, 1, UEFI_BOOT_DATA, 0x200000, 16, UEFI_MEMORY_SP);
	put_desc(map, 2, UEFI_LOADER_CODE, 0x300000, 16, UEFI_MEMORY_SP);
	put_desc(map, 3, UEFI_RESERVED, 0x400000, 16, UEFI_MEMORY_SP);
	put_desc(map, 4, UEFI_ACPI_NVS, 0x500000, 16, UEFI_MEMORY_SP);
	put_desc(map, 5, UEFI_CONVENTIONAL, 0x600000, 16, 0xf);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 6, &n), 0);
	assert_int_equal(n, 6);
	assert_entry(&out[0], 0x100000, 0x10000, 0xefffffff);
	assert_entry(&out[1], 0x200000, 0x10000, 0xefffffff);
	assert_entry(&out[2], 0x300000, 0x10000, 0xefffffff);
	assert_entry(&out[3], 0x400000, 0x10000, 2);
	assert_entry(&out[4], 0x500000, 0x10000, 4);
	assert_entry(&out[5], 0x600000, 0x10000, 1);
}

static void test_e820_sorts_and_merges(void **state)
{
	uint8_t map[8 * DESC];
	struct e820_entry out[8];
	size_t n;

	/* Out of order; RAM kinds touching; a gap; a different type between. */
	put_desc(map, 0, UEFI_CONVENTIONAL, 0x1000000, 0x1000, 0);
	put_desc(map, 1, UEFI_BOOT_DATA, 0x900000, 0x600, 0);
	put_desc(map, 2, UEFI_ACPI_NVS, 0x800000, 0x100, 0);
	put_desc(map, 3, UEFI_CONVENTIONAL, 0x100000, 0x200, 0);
	put_desc(map, 4, UEFI_LOADER_DATA, 0x400000, 0x400, 0);
	put_desc(map, 5, UEFI_CONVENTIONAL, 0, 0x9f, 0);
	put_desc(map, 6, UEFI_BOOT_CODE, 0xf00000, 0x100, 0);
	put_desc(map, 7, UEFI_RESERVED, 0x9f000, 0x61, 0);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 8, &n), 0);
	assert_int_equal(n, 6);
	assert_entry(&out[0], 0, 0x9f000, 1);
	assert_entry(&out[1], 0x9f000, 0x61000, 2);
	assert_entry(&out[2], 0x100000, 0x200000, 1);	/* gap before 4 MiB */
	assert_entry(&out[3], 0x400000, 0x400000, 1);
	assert_entry(&out[4], 0x800000, 0x100000, 4);
	assert_entry(&out[5], 0x900000, 0x1700000, 1);	/* three merged */
}

static void test_e820_overlap_and_duplicates(void **state)
{
	uint8_t map[4 * DESC];
	struct e820_entry out[4];
	size_t n;

	put_desc(map, 0, UEFI_CONVENTIONAL, 0x100000, 0x100, 0);
	put_desc(map, 1, UEFI_CONVENTIONAL, 0x100000, 0x100, 0);	/* same */
	put_desc(map, 2, UEFI_CONVENTIONAL, 0x180000, 0x10, 0);	/* inside */
	put_desc(map, 3, UEFI_RESERVED, 0x100000, 0x1, 0);	/* clash */
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 4, &n), 0);
	/* Ties keep map order; only the last entry is merged into, and the
	 * kernel sanitises clashing types itself. */
	assert_int_equal(n, 3);
	assert_entry(&out[0], 0x100000, 0x100000, 1);
	assert_entry(&out[1], 0x100000, 0x1000, 2);
	assert_entry(&out[2], 0x180000, 0x10000, 1);
}

static void test_e820_overflow(void **state)
{
	uint8_t map[4 * DESC];
	struct e820_entry out[4];
	size_t n;

	put_desc(map, 0, UEFI_CONVENTIONAL, 0x0, 1, 0);
	put_desc(map, 1, UEFI_RESERVED, 0x1000, 1, 0);
	put_desc(map, 2, UEFI_CONVENTIONAL, 0x2000, 1, 0);
	put_desc(map, 3, UEFI_RESERVED, 0x3000, 1, 0);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 3, &n), BT_ETOOBIG);
	assert_int_equal(n, 3);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 0, &n), BT_ETOOBIG);
	assert_int_equal(linux_e820(map, 0, DESC, out, 0, &n), 0);
	assert_int_equal(n, 0);
}

/* The count that matters is after merging, whatever the map's order. */
static void test_e820_fits_only_after_merge(void **state)
{
	uint8_t map[3 * DESC];
	struct e820_entry out[1];
	size_t n;

	put_desc(map, 0, UEFI_CONVENTIONAL, 0x0, 1, 0);
	put_desc(map, 1, UEFI_CONVENTIONAL, 0x2000, 1, 0);
	put_desc(map, 2, UEFI_BOOT_DATA, 0x1000, 1, 0);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_entry(&out[0], 0, 0x3000, 1);
}

static void test_e820_malformed(void **state)
{
	uint8_t map[2 * DESC];
	struct e820_entry out[2];
	size_t n;

	put_desc(map, 0, UEFI_CONVENTIONAL, 0x0, 1, 0);
	put_desc(map, 1, UEFI_CONVENTIONAL, 0x100000, 1, 0);
	assert_int_equal(linux_e820(map, sizeof(map), 32, out, 2, &n), BT_EINVAL);
	assert_int_equal(linux_e820(map, sizeof(map) - 1, DESC, out, 2, &n), BT_EINVAL);
	/* An end of 2^64 cannot be written down: that wraps too. */
	put_desc(map, 1, UEFI_CONVENTIONAL, 0xfffffffffffff000ULL, 1, 0);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 2, &n), BT_EINVAL);
	put_desc(map, 1, UEFI_CONVENTIONAL, 0xffffffffffffe000ULL, 1, 0);
	assert_int_equal(linux_e820(map, sizeof(map), DESC, out, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_entry(&out[1], 0xffffffffffffe000ULL, 0x1000, 1);
}

/* ------------------------------------------------------------ set_e820 */

static void make_entries(struct e820_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		e[i].addr = (uint64_t)i * 0x200000;
		e[i].size = 0x100000 + i;
		e[i].type = 1 + (uint32_t)(i % 5);
	}
}

static void assert_raw_entry(const uint8_t *p, const struct e820_entry *e)
{
	assert_int_equal(get64(p), e->addr);
	assert_int_equal(get64(p + 8), e->size);
	assert_int_equal(get32(p + 16), e->type);
}

static void test_set_e820_in_zero_page(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct e820_entry e[128];

	make_entries(e, 128);
	memset(bp, 0, sizeof(bp));
	linux_set_e820(bp, e, 3, NULL, 0);
	assert_int_equal(bp[0x1e8], 3);
	for (size_t i = 0; i < 3; i++)
		assert_raw_entry(bp + 0x2d0 + i * 20, &e[i]);
	assert_zero(bp, 0x2d0 + 3 * 20, BOOT_PARAMS_SIZE);
	assert_int_equal(linux_e820_ext_size(128), 0);
	linux_set_e820(bp, e, 128, NULL, 0);
	assert_int_equal(bp[0x1e8], 128);
	assert_raw_entry(bp + 0x2d0 + 127 * 20, &e[127]);
	assert_zero(bp, 0xcd0, BOOT_PARAMS_SIZE);	/* _pad8 after the table */
	assert_int_equal(get64(bp + 0x250), 0);
}

static void test_set_e820_ext_chain(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	static struct e820_entry e[200];
	static uint8_t ext[16 + 72 * 20 + 8];
	const uint64_t ext_phys = 0x7000000, older = 0xabc000;

	make_entries(e, 200);
	assert_int_equal(linux_e820_ext_size(129), 16 + 20);
	assert_int_equal(linux_e820_ext_size(200), 16 + 72 * 20);
	memset(bp, 0, sizeof(bp));
	memset(ext, 0x77, sizeof(ext));
	put64(bp + 0x250, older);	/* a chain exists already */
	linux_set_e820(bp, e, 200, ext, ext_phys);
	assert_int_equal(bp[0x1e8], 128);
	assert_raw_entry(bp + 0x2d0, &e[0]);
	assert_raw_entry(bp + 0x2d0 + 127 * 20, &e[127]);
	assert_int_equal(get64(bp + 0x250), ext_phys);
	assert_int_equal(get64(ext), older);		/* next */
	assert_int_equal(get32(ext + 8), 1);		/* SETUP_E820_EXT */
	assert_int_equal(get32(ext + 12), 72 * 20);	/* len */
	for (size_t i = 0; i < 72; i++)
		assert_raw_entry(ext + 16 + i * 20, &e[128 + i]);
	assert_int_equal(ext[16 + 72 * 20], 0x77);	/* nothing past it */

	/* Again (the map changed before ExitBootServices): no loop. */
	linux_set_e820(bp, e + 1, 150, ext, ext_phys);
	assert_int_equal(get64(bp + 0x250), ext_phys);
	assert_int_equal(get64(ext), older);
	assert_int_equal(get32(ext + 12), 22 * 20);
	assert_raw_entry(ext + 16, &e[129]);
	assert_raw_entry(bp + 0x2d0, &e[1]);

	/* And with few enough entries: ext leaves the chain. */
	linux_set_e820(bp, e, 100, ext, ext_phys);
	assert_int_equal(bp[0x1e8], 100);
	assert_int_equal(get64(bp + 0x250), older);
}

static void test_set_e820_ext_empty_chain(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	static struct e820_entry e[129];
	uint8_t ext[16 + 20];

	make_entries(e, 129);
	memset(bp, 0, sizeof(bp));
	memset(ext, 0x55, sizeof(ext));
	linux_set_e820(bp, e, 129, ext, 0x5000);
	assert_int_equal(get64(bp + 0x250), 0x5000);
	assert_int_equal(get64(ext), 0);
	assert_int_equal(get32(ext + 8), 1);
	assert_int_equal(get32(ext + 12), 20);
	assert_raw_entry(ext + 16, &e[128]);
}

/* ----------------------------------------------------------- efi_info */

static void test_efi_info(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];

	memset(bp, 0, sizeof(bp));
	linux_set_efi_info(bp, 0x17fe5018ULL | 0x100000000ULL * 0x12,
			   0x7e6a0000ULL | 0x100000000ULL * 0x34, 0x1b90, 48, 1);
	assert_memory_equal(bp + 0x1c0, "EL64", 4);
	assert_int_equal(get32(bp + 0x1c0), 0x34364c45);
	assert_int_equal(get32(bp + 0x1c4), 0x17fe5018);	/* efi_systab */
	assert_int_equal(get32(bp + 0x1c8), 48);		/* memdesc_size */
	assert_int_equal(get32(bp + 0x1cc), 1);		/* memdesc_version */
	assert_int_equal(get32(bp + 0x1d0), 0x7e6a0000);	/* efi_memmap */
	assert_int_equal(get32(bp + 0x1d4), 0x1b90);	/* efi_memmap_size */
	assert_int_equal(get32(bp + 0x1d8), 0x12);	/* efi_systab_hi */
	assert_int_equal(get32(bp + 0x1dc), 0x34);	/* efi_memmap_hi */
	assert_zero(bp, 0, 0x1c0);
	assert_zero(bp, 0x1e0, BOOT_PARAMS_SIZE);
}

/* After Linux: SETUP_EFI heads the setup_data chain (ahead of what was
 * there), the runtime map follows it and efi_info points at the map. */
static void test_efi_kexec(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE], buf[512], map[80];
	struct fw_efi_kexec e = {
		.systab = 0x3f9ee018, .fw_vendor = 0x3f9eef98,
		.runtime = 0x3f9eeb98, .tables = 0x3f9ed018,
		.smbios = 0x3f5d9000, .map = map, .map_size = sizeof(map),
		.desc_size = 40,
	};
	struct bzimage bz = { .xloadflags = 0x13 };
	const uint64_t at = 0x12345000;

	for (size_t i = 0; i < sizeof(map); i++)
		map[i] = (uint8_t)(i * 7 + 1);
	memset(bp, 0, sizeof(bp));
	memset(buf, 0xee, sizeof(buf));
	put64(bp + 0x250, 0xabc000);	/* an earlier setup_data */
	assert_true(linux_efi_kexec_ok(&bz));
	bz.xloadflags = 0x03;
	assert_false(linux_efi_kexec_ok(&bz));
	assert_int_equal(linux_efi_kexec_size(&e), 16 + 96 + 80);
	linux_set_efi_kexec(bp, &e, buf, at);
	assert_int_equal(get64(bp + 0x250), at);
	assert_int_equal(get64(buf), 0xabc000);		/* next */
	assert_int_equal(get32(buf + 8), 4);		/* SETUP_EFI */
	assert_int_equal(get32(buf + 12), 96);
	assert_int_equal(get64(buf + 16), 0x3f9eef98);	/* fw_vendor */
	assert_int_equal(get64(buf + 24), 0x3f9eeb98);	/* runtime */
	assert_int_equal(get64(buf + 32), 0x3f9ed018);	/* tables */
	assert_int_equal(get64(buf + 40), 0x3f5d9000);	/* smbios */
	assert_zero(buf, 48, 112);			/* reserved[8] */
	assert_memory_equal(buf + 112, map, sizeof(map));
	assert_int_equal(buf[192], 0xee);		/* nothing past it */
	assert_memory_equal(bp + 0x1c0, "EL64", 4);
	assert_int_equal(get32(bp + 0x1c4), 0x3f9ee018);
	assert_int_equal(get32(bp + 0x1c8), 40);
	assert_int_equal(get32(bp + 0x1cc), 1);
	assert_int_equal(get32(bp + 0x1d0), at + 112);
	assert_int_equal(get32(bp + 0x1d4), 80);
	assert_int_equal(get32(bp + 0x1d8), 0);
	assert_int_equal(get32(bp + 0x1dc), 0);
}

/* boot_params read back (baton-kexec reads the running kernel's): what
 * linux_boot_params and linux_set_efi_info wrote comes out again. */
static void test_boot_params_read_back(void **state)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct bzimage bz = std_bz();
	struct linux_args a = std_args();
	struct fw_framebuffer fb = {
		.base = 0x4080000000ULL, .size = 0x300000,
		.width = 1024, .height = 768, .pixels_per_line = 1056,
		.red_size = 8, .red_pos = 16, .green_size = 8, .green_pos = 8,
		.blue_size = 8, .blue_pos = 0, .rsvd_size = 8, .rsvd_pos = 24,
	}, got;

	bp_ok(bp, &bz, &a);
	assert_false(linux_bp_framebuffer(bp, &got));	/* no framebuffer */
	assert_int_equal(linux_bp_efi_systab(bp), 0);	/* no "EL64" */
	assert_int_equal(linux_bp_rsdp(bp), 0x7fbfe014);
	a.fb = &fb;
	bp_ok(bp, &bz, &a);
	assert_true(linux_bp_framebuffer(bp, &got));
	assert_int_equal(got.base, fb.base);
	assert_int_equal(got.size, fb.size);
	assert_int_equal(got.width, fb.width);
	assert_int_equal(got.height, fb.height);
	assert_int_equal(got.pixels_per_line, fb.pixels_per_line);
	assert_memory_equal(&got.red_size, &fb.red_size, 8);	/* the colours */
	linux_set_efi_info(bp, 0x123456789018ULL, 0x1000, 0x60, 48, 1);
	assert_int_equal(linux_bp_efi_systab(bp), 0x123456789018ULL);
	put16(bp + 0x16, 12);			/* depth not in bytes */
	assert_false(linux_bp_framebuffer(bp, &got));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_setup_sects_zero_means_four),
		cmocka_unit_test(test_parse_other_setup_sects),
		cmocka_unit_test(test_parse_trailing_data_and_zero_syssize),
		cmocka_unit_test(test_parse_short_last_paragraph),
		cmocka_unit_test(test_parse_memtest_layout),
		cmocka_unit_test(test_parse_truncations),
		cmocka_unit_test(test_parse_rejections),
		cmocka_unit_test(test_parse_header_prefix_only),
		cmocka_unit_test(test_parse_fixed_kernel_ignores_alignment),
		cmocka_unit_test(test_place_pref_free),
		cmocka_unit_test(test_place_pref_occupied_relocates),
		cmocka_unit_test(test_place_lowest_above_pref),
		cmocka_unit_test(test_place_prefers_free_now),
		cmocka_unit_test(test_place_run_across_regions),
		cmocka_unit_test(test_place_pref_misaligned_or_soft_reserved),
		cmocka_unit_test(test_place_not_relocatable),
		cmocka_unit_test(test_place_no_room),
		cmocka_unit_test(test_place_4gib_limit),
		cmocka_unit_test(test_boot_params_fields),
		cmocka_unit_test(test_boot_params_low_fields),
		cmocka_unit_test(test_boot_params_header_capped),
		cmocka_unit_test(test_boot_params_cmdline_limit),
		cmocka_unit_test(test_boot_params_below_4g),
		cmocka_unit_test(test_boot_params_initrd_limit),
		cmocka_unit_test(test_boot_params_screen_info),
		cmocka_unit_test(test_boot_params_fb_too_big),
		cmocka_unit_test(test_e820_types),
		cmocka_unit_test(test_e820_soft_reserved),
		cmocka_unit_test(test_e820_sorts_and_merges),
		cmocka_unit_test(test_e820_overlap_and_duplicates),
		cmocka_unit_test(test_e820_overflow),
		cmocka_unit_test(test_e820_fits_only_after_merge),
		cmocka_unit_test(test_e820_malformed),
		cmocka_unit_test(test_set_e820_in_zero_page),
		cmocka_unit_test(test_set_e820_ext_chain),
		cmocka_unit_test(test_set_e820_ext_empty_chain),
		cmocka_unit_test(test_efi_info),
		cmocka_unit_test(test_efi_kexec),
		cmocka_unit_test(test_boot_params_read_back),
	};

	return cmocka_run_group_tests_name("linux", tests, NULL, NULL);
}
