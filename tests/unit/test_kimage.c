/* Unit tests for kexec/kimage.c: building, validating and planning a
 * kexec-style image, including adversarial segment layouts. */
#include "tests/unit/helpers.h"
#include "kexec/kimage.h"

#define KiB 0x400ULL
#define MiB 0x100000ULL
#define GiB 0x40000000ULL

/* An OVMF-like machine: low RAM, NVS at 8 MiB, RAM to 2 GiB, MMIO, then
 * RAM from 4 GiB to 8 GiB. */
static struct mem_region ovmf_regions[] = {
	{ 0x0, 0x9f, MEM_FREE, false },
	{ 0x100000, 0x100, MEM_LOADER, false },
	{ 0x200000, 0x600, MEM_FREE, false },
	{ 0x800000, 0x100, MEM_ACPI_NVS, false },
	{ 0x900000, 0x700, MEM_BOOT_SERVICES, false },
	{ 0x1000000, 0x7f000, MEM_FREE, false },	/* [16M, 2G) */
	{ 0xfec00000, 1, MEM_RESERVED, false },
	{ 0x100000000ULL, 0x100000, MEM_FREE, false },	/* [4G, 8G) */
};
static const struct memmap ovmf = { ovmf_regions, 8 };

/* RAM from 0 to 16 GiB without a hole, to test the 4 GiB line itself. */
static struct mem_region flat_regions[] = {
	{ 0, 0x400000, MEM_FREE, false },
};
static const struct memmap flat = { flat_regions, 1 };

static char err[256];

static void add_ok(struct kimage *ki, uint64_t buf, uint64_t bufsz,
		   uint64_t mem, uint64_t memsz, const char *name)
{
	int rc = kimage_add(ki, buf, bufsz, mem, memsz, name, err, sizeof(err));

	if (rc)
		fail_msg("kimage_add '%s': %d %s", name, rc, err);
}

static void expect_add_error(struct kimage *ki, uint64_t buf, uint64_t bufsz,
			     uint64_t mem, uint64_t memsz, const char *name,
			     const char *msg)
{
	size_t nr = ki->nr;

	err[0] = 0;
	assert_int_equal(kimage_add(ki, buf, bufsz, mem, memsz, name, err,
				    sizeof(err)), BT_EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(ki->nr, nr);	/* nothing added */
}

static void expect_valid(const struct kimage *ki, const struct memmap *m)
{
	int rc = kimage_validate(ki, m, err, sizeof(err));

	if (rc)
		fail_msg("kimage_validate: %d %s", rc, err);
}

static void expect_invalid(const struct kimage *ki, const struct memmap *m,
			   const char *msg)
{
	err[0] = 0;
	assert_int_equal(kimage_validate(ki, m, err, sizeof(err)), BT_EINVAL);
	assert_string_equal(err, msg);
}

/* The usual Linux shape: kernel at 16 MiB, boot_params and initrd loaded
 * elsewhere, sources in high RAM away from every destination. */
static void linux_image(struct kimage *ki)
{
	kimage_init(ki, KIMAGE_LONG_MODE);
	add_ok(ki, 0x40000000, 0x812345, 0x1000000, 0x2000000, "vmlinuz");
	add_ok(ki, 0x41000000, 0x1000, 0x90000, 0x1000, "boot_params");
	add_ok(ki, 0x42000000, 0x300001, 0x7f000000, 0x300001, "initrd");
	ki->entry = 0x1000200;
	ki->regs.rsi = 0x90000;
}

static void test_valid_linux(void **state)
{
	struct kimage ki;

	linux_image(&ki);
	assert_int_equal(ki.nr, 3);
	assert_int_equal(ki.seg[2].memsz, 0x301000);	/* rounded up */
	assert_string_equal(ki.seg[0].name, "vmlinuz");
	assert_int_equal(ki.mode, KIMAGE_LONG_MODE);
	expect_valid(&ki, &ovmf);
}

static void test_init_clears(void **state)
{
	struct kimage ki;

	memset(&ki, 0x5a, sizeof(ki));
	kimage_init(&ki, KIMAGE_PROTECTED_32);
	assert_int_equal(ki.nr, 0);
	assert_int_equal(ki.entry, 0);
	assert_int_equal(ki.regs.rax, 0);
	assert_int_equal(ki.regs.rsp, 0);
	assert_int_equal(ki.mode, KIMAGE_PROTECTED_32);
}

/* A segment carries both the physical address of its source and a pointer
 * to the same bytes; on the identity-mapped UEFI backend they agree. */
static void test_add_sets_pointer(void **state)
{
	struct kimage ki;
	char err[200];

	kimage_init(&ki, KIMAGE_LONG_MODE);
	assert_int_equal(kimage_add(&ki, 0x5000000, 100, 0x1000000, 0x1000,
				    "kernel", err, sizeof(err)), 0);
	assert_int_equal(ki.seg[0].buf, 0x5000000);
	assert_ptr_equal(ki.seg[0].ptr, (const void *)(uintptr_t)0x5000000);
	assert_int_equal(ki.seg[0].mem, 0x1000000);
	assert_false(ki.seg[0].scratch_tail);
}

static void test_add_rejects(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	expect_add_error(&ki, 0x40000000, 0x1000, 0x100800, 0x1000, "vmlinuz",
			 "segment 'vmlinuz': destination 0x100800 is not page-aligned");
	expect_add_error(&ki, 0x40000000, 0x2001, 0x1000000, 0x2000, "initrd",
			 "segment 'initrd' has 0x2001 bytes but its destination "
			 "[0x1000000-0x1002000) holds only 0x2000");
	expect_add_error(&ki, 0x40000000, 0, 0xfffffffffff00000ULL, 0x200000,
			 "high", "segment 'high': 0x200000 bytes at "
			 "0xfffffffffff00000 wrap around the address space");
	/* a range ending exactly at 2^64 has no representable end */
	expect_add_error(&ki, 0x40000000, 0, 0xfffffffffffff000ULL, 0x1000,
			 "top", "segment 'top': 0x1000 bytes at "
			 "0xfffffffffffff000 wrap around the address space");
	/* rounding memsz up to a page would itself wrap */
	expect_add_error(&ki, 0x40000000, 0, 0x1000, UINT64_MAX, "huge",
			 "segment 'huge': 0xffffffffffffffff bytes at 0x1000 "
			 "wrap around the address space");
	/* the source, read in quadwords, would run past 2^64 */
	expect_add_error(&ki, 0xfffffffffffffffcULL, 3, 0x1000, 0x1000, "src",
			 "segment 'src': source of 0x3 bytes at "
			 "0xfffffffffffffffc wraps around the address space");
	expect_add_error(&ki, 0x40000000, 0x1000, 0x100001, 0x1000, NULL,
			 "segment '(unnamed)': destination 0x100001 is not "
			 "page-aligned");
	assert_int_equal(ki.nr, 0);
}

static void test_add_rounds_memsz(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	/* bufsz is checked against the rounded size: 0x1800 fits 0x2000 */
	add_ok(&ki, 0x40000000, 0x1800, 0x100000, 0x1001, "a");
	assert_int_equal(ki.seg[0].memsz, 0x2000);
	add_ok(&ki, 0x40000000, 0, 0x200000, 0x1000, "b");
	assert_int_equal(ki.seg[1].memsz, 0x1000);
	add_ok(&ki, 0x40000000, 0, 0x300000, 0, "empty");
	assert_int_equal(ki.seg[2].memsz, 0);
	add_ok(&ki, 0xfffffffffffffff0ULL, 7, 0x400000, 0x1000, "last quad");
	assert_int_equal(ki.nr, 4);
	assert_int_equal(ki.seg[3].buf, 0xfffffffffffffff0ULL);
	assert_int_equal(ki.seg[3].bufsz, 7);
	assert_int_equal(ki.seg[3].mem, 0x400000);
}

static void test_too_many_segments(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	for (uint64_t i = 0; i < KIMAGE_MAX_SEGMENTS; i++)
		add_ok(&ki, 0x40000000 + i * 0x1000, 0x1000,
		       0x1000000 + i * 0x1000, 0x1000, "small");
	expect_add_error(&ki, 0x50000000, 0x1000, 0x2000000, 0x1000, "extra",
			 "too many segments: 'extra' would be number 33 (at most 32)");
	ki.entry = 0x1000000;
	expect_valid(&ki, &ovmf);

	/* a segment list grown past the limit by hand is refused too */
	ki.nr = KIMAGE_MAX_SEGMENTS + 1;
	expect_invalid(&ki, &ovmf, "the image has 33 segments (1 to 32 allowed)");
	kimage_init(&ki, KIMAGE_LONG_MODE);
	expect_invalid(&ki, &ovmf, "the image has 0 segments (1 to 32 allowed)");
}

/* Segments filled in by hand skip kimage_add: validate checks again. */
static void test_validate_shape(void **state)
{
	struct kimage ki;

	linux_image(&ki);
	ki.seg[1].memsz = 0x1800;
	expect_invalid(&ki, &ovmf, "segment 'boot_params': size 0x1800 is not a "
		       "whole number of pages");
	linux_image(&ki);
	ki.seg[1].mem = 0x90010;
	expect_invalid(&ki, &ovmf, "segment 'boot_params': destination 0x90010 "
		       "is not page-aligned");
	linux_image(&ki);
	ki.seg[1].bufsz = 0x1001;
	expect_invalid(&ki, &ovmf, "segment 'boot_params' has 0x1001 bytes but "
		       "its destination [0x90000-0x91000) holds only 0x1000");
	linux_image(&ki);
	ki.seg[2].mem = 0xffffffffff000000ULL;
	ki.seg[2].memsz = 0x1000000;
	expect_invalid(&ki, &ovmf, "segment 'initrd': 0x1000000 bytes at "
		       "0xffffffffff000000 wrap around the address space");
	linux_image(&ki);
	ki.seg[0].buf = 0xffffffffffff0000ULL;
	expect_invalid(&ki, &ovmf, "segment 'vmlinuz': source of 0x812345 bytes "
		       "at 0xffffffffffff0000 wraps around the address space");
}

static void test_not_ram(void **state)
{
	struct kimage ki;

	linux_image(&ki);
	ki.seg[1].mem = 0x800000;	/* ACPI NVS */
	expect_invalid(&ki, &ovmf, "segment 'boot_params' [0x800000-0x801000) "
		       "is not in RAM that is free after ExitBootServices");
	linux_image(&ki);
	ki.seg[1].mem = 0x7ff000;
	ki.seg[1].memsz = 0x2000;	/* RAM, then NVS */
	expect_invalid(&ki, &ovmf, "segment 'boot_params' [0x7ff000-0x801000) "
		       "is not in RAM that is free after ExitBootServices");
	linux_image(&ki);
	ki.seg[1].mem = 0x9f000;	/* the legacy VGA hole */
	expect_invalid(&ki, &ovmf, "segment 'boot_params' [0x9f000-0xa0000) "
		       "is not in RAM that is free after ExitBootServices");
	linux_image(&ki);
	ki.seg[2].mem = 0xfec00000;	/* the IO-APIC */
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0xfec00000-0xfef01000) "
		       "is not in RAM that is free after ExitBootServices");
	linux_image(&ki);
	ki.seg[2].mem = 0x7ff00000;	/* runs past the end of low RAM */
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0x7ff00000-0x80201000) "
		       "is not in RAM that is free after ExitBootServices");
	linux_image(&ki);
	ki.seg[2].mem = 0x200000000ULL;	/* past the top of RAM */
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0x200000000-0x200301000) "
		       "is not in RAM that is free after ExitBootServices");

	/* across adjacent regions of different RAM types is fine */
	linux_image(&ki);
	ki.seg[1].mem = 0x1ff000;	/* loader data .. */
	ki.seg[1].memsz = 0x2000;	/* .. into conventional */
	expect_valid(&ki, &ovmf);
	ki.seg[1].mem = 0xfff000;	/* boot data .. */
	ki.seg[0].mem = 0x1001000;	/* .. into conventional */
	ki.entry = 0x1001200;
	expect_valid(&ki, &ovmf);
}

static void test_destination_overlaps(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x40000000, 0x1000, 0x1100000, 0x200000, "vmlinuz");
	add_ok(&ki, 0x41000000, 0x1000, 0x1000000, 0x200000, "initrd");
	ki.entry = 0x1100000;
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0x1000000-0x1200000) "
		       "overlaps 'vmlinuz' [0x1100000-0x1300000)");

	/* one inside another, and the same destination twice */
	ki.seg[1].mem = 0x1180000;
	ki.seg[1].memsz = 0x1000;
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0x1180000-0x1181000) "
		       "overlaps 'vmlinuz' [0x1100000-0x1300000)");
	ki.seg[1].mem = 0x1100000;
	ki.seg[1].memsz = 0x200000;
	expect_invalid(&ki, &ovmf, "segment 'initrd' [0x1100000-0x1300000) "
		       "overlaps 'vmlinuz' [0x1100000-0x1300000)");
	/* touching is not overlapping */
	ki.seg[1].mem = 0x1300000;
	expect_valid(&ki, &ovmf);
	ki.seg[1].mem = 0x1000000;
	ki.seg[1].memsz = 0x100000;
	expect_valid(&ki, &ovmf);
	/* an empty segment sits nowhere */
	add_ok(&ki, 0x42000000, 0, 0x1200000, 0, "empty");
	expect_valid(&ki, &ovmf);
}

static void test_source_in_destination(void **state)
{
	struct kimage ki;

	/* vmlinuz's source was loaded where the initrd must go */
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x2000000, 0x1000, 0x1000000, 0x1000, "vmlinuz");
	add_ok(&ki, 0x41000000, 0x1000, 0x1fff000, 0x2000, "initrd");
	ki.entry = 0x1000000;
	expect_invalid(&ki, &ovmf, "segment 'vmlinuz': its source "
		       "[0x2000000-0x2001000) overlaps 'initrd's destination "
		       "[0x1fff000-0x2001000), which would overwrite it before "
		       "it is copied");

	/* a source that overlaps its own destination without being it */
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x1001000, 0x2000, 0x1000000, 0x4000, "vmlinuz");
	ki.entry = 0x1000000;
	expect_invalid(&ki, &ovmf, "segment 'vmlinuz': its source "
		       "[0x1001000-0x1003000) overlaps its own destination "
		       "[0x1000000-0x1004000), which would overwrite it before "
		       "it is copied");
	ki.seg[0].buf = 0xfff000;	/* starting just below it */
	expect_invalid(&ki, &ovmf, "segment 'vmlinuz': its source "
		       "[0xfff000-0x1001000) overlaps its own destination "
		       "[0x1000000-0x1004000), which would overwrite it before "
		       "it is copied");
	ki.seg[0].buf = 0xffe000;	/* ending exactly at it */
	expect_valid(&ki, &ovmf);

	/* the source is read in quadwords: 0xff9 bytes 4 bytes short of the
	 * destination reach 4 bytes into it */
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x1000000 - 0xffc, 0xff9, 0x3000000, 0x1000, "cmdline");
	add_ok(&ki, 0x40000000, 0x1000, 0x1000000, 0x1000, "vmlinuz");
	ki.entry = 0x1000000;
	expect_invalid(&ki, &ovmf, "segment 'cmdline': its source "
		       "[0xfff004-0x1000004) overlaps 'vmlinuz's destination "
		       "[0x1000000-0x1001000), which would overwrite it before "
		       "it is copied");
	ki.seg[0].buf = 0x1000000 - 0x1000;
	ki.seg[0].bufsz = 0xffd;
	expect_valid(&ki, &ovmf);

	/* a source not in RAM at all is not the validator's business, and
	 * an empty source reads nothing, wherever it is */
	ki.seg[0].buf = 0x1000800;
	ki.seg[0].bufsz = 0;
	expect_valid(&ki, &ovmf);
}

static void test_in_place(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x1000000, 0x812345, 0x1000000, 0x2000000, "vmlinuz");
	add_ok(&ki, 0x40000000, 0x1000, 0x3000000, 0x1000, "boot_params");
	ki.entry = 0x1000200;
	expect_valid(&ki, &ovmf);

	/* another source inside the in-place segment is still refused */
	ki.seg[1].buf = 0x2000000;
	expect_invalid(&ki, &ovmf, "segment 'boot_params': its source "
		       "[0x2000000-0x2001000) overlaps 'vmlinuz's destination "
		       "[0x1000000-0x3000000), which would overwrite it before "
		       "it is copied");
	/* and both in place is fine */
	ki.seg[1].buf = 0x3000000;
	expect_valid(&ki, &ovmf);
}

static void test_entry(void **state)
{
	struct kimage ki;

	linux_image(&ki);
	ki.entry = 0x1000000;	/* the first byte */
	expect_valid(&ki, &ovmf);
	ki.entry = 0x2ffffff;	/* the last byte */
	expect_valid(&ki, &ovmf);
	ki.entry = 0x3000000;	/* one past */
	expect_invalid(&ki, &ovmf, "entry point 0x3000000 is outside every segment");
	ki.entry = 0x40000200;	/* in a source, not a destination */
	expect_invalid(&ki, &ovmf, "entry point 0x40000200 is outside every segment");
	ki.entry = 0x90800;	/* inside boot_params: any segment will do */
	expect_valid(&ki, &ovmf);
}

static void test_long_mode_above_4g(void **state)
{
	struct kimage ki;

	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_ok(&ki, 0x40000000, 0x10000, 0x100000000ULL, 0x10000, "kernel");
	add_ok(&ki, 0x1c0000000ULL, 0x1000, 0x180000000ULL, 0x1000, "data");
	ki.entry = 0x100001000ULL;
	expect_valid(&ki, &ovmf);
}

static void test_protected_32(void **state)
{
	struct kimage ki;

	/* Multiboot-like: everything low, sources above 4 GiB are fine
	 * because the copy runs before the switch to 32-bit mode */
	kimage_init(&ki, KIMAGE_PROTECTED_32);
	add_ok(&ki, 0x100000000ULL, 0x5000, 0x100000, 0x8000, "kernel");
	add_ok(&ki, 0x100100000ULL, 0x1000, 0x10000, 0x1000, "mbi");
	ki.entry = 0x10000c;
	expect_valid(&ki, &ovmf);

	/* a destination above 4 GiB: fine in long mode, not here */
	add_ok(&ki, 0x40000000, 0x1000, 0x180000000ULL, 0x1000, "module");
	expect_invalid(&ki, &ovmf, "segment 'module' [0x180000000-0x180001000) "
		       "is above 4 GiB, out of reach of a 32-bit entry without "
		       "paging");
	ki.mode = KIMAGE_LONG_MODE;
	expect_valid(&ki, &ovmf);

	/* the 4 GiB line itself, on a machine with RAM across it */
	kimage_init(&ki, KIMAGE_PROTECTED_32);
	add_ok(&ki, 0x200000000ULL, 0x1000, 0xfffff000, 0x1000, "top");
	ki.entry = 0xfffffffc;
	expect_valid(&ki, &flat);
	ki.seg[0].memsz = 0x2000;
	expect_invalid(&ki, &flat, "segment 'top' [0xfffff000-0x100001000) is "
		       "above 4 GiB, out of reach of a 32-bit entry without "
		       "paging");
	ki.mode = KIMAGE_LONG_MODE;
	expect_valid(&ki, &flat);
	ki.mode = KIMAGE_PROTECTED_32;
	ki.seg[0].memsz = 0x1000;
	ki.entry = 0x100000000ULL;
	expect_invalid(&ki, &flat, "entry point 0x100000000 is above 4 GiB, out "
		       "of reach of a 32-bit entry");
}

static void test_hits_destination(void **state)
{
	struct kimage ki;

	linux_image(&ki);
	assert_true(kimage_hits_destination(&ki, 0x1000000, 0x1001000));
	assert_true(kimage_hits_destination(&ki, 0xfff000, 0x1000001));
	assert_true(kimage_hits_destination(&ki, 0x2fff000, 0x3000000));
	assert_true(kimage_hits_destination(&ki, 0, UINT64_MAX));
	assert_true(kimage_hits_destination(&ki, 0x90fff, 0x91000));
	assert_false(kimage_hits_destination(&ki, 0xfff000, 0x1000000));
	assert_false(kimage_hits_destination(&ki, 0x3000000, 0x3001000));
	assert_false(kimage_hits_destination(&ki, 0x91000, 0x1000000));
	/* sources are not destinations */
	assert_false(kimage_hits_destination(&ki, 0x40000000, 0x40001000));
	/* an empty range hits nothing */
	assert_false(kimage_hits_destination(&ki, 0x1800000, 0x1800000));
	kimage_init(&ki, KIMAGE_LONG_MODE);
	assert_false(kimage_hits_destination(&ki, 0, UINT64_MAX));
}

static void test_plan(void **state)
{
	struct kimage ki;
	struct kexec_copy plan[KIMAGE_MAX_SEGMENTS];

	linux_image(&ki);
	add_ok(&ki, 0x3000000, 0x2003, 0x3000000, 0x5000, "in place");
	add_ok(&ki, 0x43000000, 0, 0x3100000, 0x2000, "bss");
	add_ok(&ki, 0x44000000, 0x1000, 0x3200000, 0x1000, "full");
	add_ok(&ki, 0x3300000, 0x3000, 0x3300000, 0x3000, "full in place");
	expect_valid(&ki, &ovmf);
	memset(plan, 0xee, sizeof(plan));
	assert_int_equal(kimage_plan(&ki, plan), 7);

	/* vmlinuz: 0x812345 bytes read as 0x812348, the rest zeroed */
	assert_int_equal(plan[0].src, 0x40000000);
	assert_int_equal(plan[0].dst, 0x1000000);
	assert_int_equal(plan[0].copy_bytes, 0x812348);
	assert_int_equal(plan[0].zero_bytes, 0x2000000 - 0x812348);
	assert_int_equal(plan[1].src, 0x41000000);
	assert_int_equal(plan[1].dst, 0x90000);
	assert_int_equal(plan[1].copy_bytes, 0x1000);
	assert_int_equal(plan[1].zero_bytes, 0);
	assert_int_equal(plan[2].src, 0x42000000);
	assert_int_equal(plan[2].dst, 0x7f000000);
	assert_int_equal(plan[2].copy_bytes, 0x300008);
	assert_int_equal(plan[2].zero_bytes, 0x301000 - 0x300008);
	/* in place: nothing copied, the tail from the rounded length zeroed */
	assert_int_equal(plan[3].src, 0x3002008);
	assert_int_equal(plan[3].dst, 0x3002008);
	assert_int_equal(plan[3].copy_bytes, 0);
	assert_int_equal(plan[3].zero_bytes, 0x5000 - 0x2008);
	/* nothing to copy: all zeroes */
	assert_int_equal(plan[4].src, 0x43000000);
	assert_int_equal(plan[4].dst, 0x3100000);
	assert_int_equal(plan[4].copy_bytes, 0);
	assert_int_equal(plan[4].zero_bytes, 0x2000);
	assert_int_equal(plan[5].copy_bytes, 0x1000);
	assert_int_equal(plan[5].zero_bytes, 0);
	/* in place and full: an entry that does nothing, at its end */
	assert_int_equal(plan[6].src, 0x3303000);
	assert_int_equal(plan[6].dst, 0x3303000);
	assert_int_equal(plan[6].copy_bytes, 0);
	assert_int_equal(plan[6].zero_bytes, 0);
	/* nothing written past the count */
	for (size_t i = 0; i < sizeof(plan[7]); i++)
		assert_int_equal(((uint8_t *)&plan[7])[i], 0xee);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(plan[i].copy_bytes % 8, 0);
		assert_int_equal(plan[i].zero_bytes % 8, 0);
		assert_int_equal(plan[i].dst + plan[i].copy_bytes +
				 plan[i].zero_bytes,
				 ki.seg[i].mem + ki.seg[i].memsz);
	}
}

/*
 * Random layouts in a small simulated memory.  Whenever kimage_validate
 * accepts one, running its plan as the trampoline would (forward quadword
 * copies, then zeroing), in plan order and in reverse order, must leave
 * every destination holding its source's bytes as they were before
 * anything moved, followed by zeroes.  That is THE INVARIANT, tested by
 * its consequence rather than by its wording.
 */
#define SIM_PAGES 48
#define SIM_SIZE (SIM_PAGES * 4096)

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void run_plan(uint8_t *memory, const struct kexec_copy *plan,
		     size_t n, bool reverse)
{
	for (size_t k = 0; k < n; k++) {
		const struct kexec_copy *c = &plan[reverse ? n - 1 - k : k];

		for (uint64_t off = 0; off < c->copy_bytes; off += 8)
			memcpy(memory + c->dst + off, memory + c->src + off, 8);
		memset(memory + c->dst + c->copy_bytes, 0, c->zero_bytes);
	}
}

static void check_result(const uint8_t *before, const uint8_t *after,
			 const struct kimage *ki)
{
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];
		uint64_t len = (s->bufsz + 7) & ~7ULL;

		assert_memory_equal(after + s->mem, before + s->buf, len);
		for (uint64_t b = len; b < s->memsz; b++)
			assert_int_equal(after[s->mem + b], 0);
	}
}

static void random_segment(struct kimage *ki, uint64_t *rng)
{
	uint64_t memsz = (1 + rng_next(rng) % 4) * 4096;
	uint64_t mem = (rng_next(rng) % (SIM_PAGES - 4)) * 4096;
	uint64_t bufsz = rng_next(rng) % (memsz + 1);
	uint64_t buf = rng_next(rng) % 4 == 0 ? mem :
		       rng_next(rng) % (SIM_SIZE - memsz - 8);
	char e[200];

	if (kimage_add(ki, buf, bufsz, mem, memsz, "r", e, sizeof(e)))
		fail_msg("kimage_add: %s", e);
}

static void test_random_layouts(void **state)
{
	static struct mem_region sim_regions[] = {
		{ 0, SIM_PAGES - 2, MEM_FREE, false },
		{ (SIM_PAGES - 2) * 4096, 2, MEM_RUNTIME, false },
	};
	static const struct memmap sim = { sim_regions, 2 };
	static uint8_t before[SIM_SIZE], after[SIM_SIZE];
	struct kexec_copy plan[KIMAGE_MAX_SEGMENTS];
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned accepted = 0, rejected = 0;
	struct kimage ki;

	for (int round = 0; round < 20000; round++) {
		size_t nseg = 1 + rng_next(&rng) % 5;
		size_t n;

		kimage_init(&ki, KIMAGE_LONG_MODE);
		for (size_t i = 0; i < nseg; i++)
			random_segment(&ki, &rng);
		ki.entry = ki.seg[0].mem;
		if (kimage_validate(&ki, &sim, err, sizeof(err))) {
			rejected++;
			continue;
		}
		accepted++;
		for (size_t b = 0; b < SIM_SIZE; b += 8) {
			uint64_t v = rng_next(&rng);

			memcpy(before + b, &v, 8);
		}
		n = kimage_plan(&ki, plan);
		assert_int_equal(n, ki.nr);
		for (int reverse = 0; reverse < 2; reverse++) {
			memcpy(after, before, SIM_SIZE);
			run_plan(after, plan, n, reverse);
			check_result(before, after, &ki);
		}
	}
	/* both verdicts were exercised, or the test proves nothing */
	assert_true(accepted > 500);
	assert_true(rejected > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_linux),
		cmocka_unit_test(test_init_clears),
		cmocka_unit_test(test_add_sets_pointer),
		cmocka_unit_test(test_add_rejects),
		cmocka_unit_test(test_add_rounds_memsz),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_validate_shape),
		cmocka_unit_test(test_not_ram),
		cmocka_unit_test(test_destination_overlaps),
		cmocka_unit_test(test_source_in_destination),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_long_mode_above_4g),
		cmocka_unit_test(test_protected_32),
		cmocka_unit_test(test_hits_destination),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_random_layouts),
	};

	return cmocka_run_group_tests_name("kimage", tests, NULL, NULL);
}
