/* Unit tests for lib/memmap.c: parsing UEFI memory maps and asking
 * which ranges will be RAM after ExitBootServices. */
#include "tests/unit/helpers.h"
#include "firmware/host/host.h"
#include "lib/memmap.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write descriptor i of a map whose descriptors are desc_size apart; the
 * virtual address and any padding get junk that the parser must ignore. */
static void put_desc(uint8_t *map, size_t desc_size, size_t i, uint32_t type,
		     uint64_t phys, uint64_t pages, uint64_t attr)
{
	uint8_t *d = map + i * desc_size;

	memset(d, 0xa5, desc_size);
	put_le(d, type, 4);
	put_le(d + 8, phys, 8);
	put_le(d + 24, pages, 8);
	put_le(d + 32, attr, 8);
}

static void expect_region(const struct memmap *m, size_t i, uint64_t start,
			  uint64_t pages, uint32_t type, bool soft_reserved)
{
	assert_true(i < m->n);
	assert_int_equal(m->r[i].start, start);
	assert_int_equal(m->r[i].pages, pages);
	assert_int_equal(m->r[i].type, type);
	assert_int_equal(m->r[i].soft_reserved, soft_reserved);
}

static void test_parse_sorts(void **state)
{
	uint8_t map[5 * 40];
	struct memmap m;

	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0x100000, 0x700, 0xf);
	put_desc(map, 40, 1, UEFI_MMIO, 0xfec00000, 1, 1ULL << 63);
	put_desc(map, 40, 2, UEFI_BOOT_DATA, 0, 0x9f, 0xf);
	put_desc(map, 40, 3, UEFI_ACPI_NVS, 0x800000, 0x100, 0xf);
	put_desc(map, 40, 4, UEFI_LOADER_CODE, 0x900000, 0x10, 0xf);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), 0);
	assert_int_equal(m.n, 5);
	expect_region(&m, 0, 0, 0x9f, MEM_BOOT_SERVICES, false);
	expect_region(&m, 1, 0x100000, 0x700, MEM_FREE, false);
	expect_region(&m, 2, 0x800000, 0x100, MEM_ACPI_NVS, false);
	expect_region(&m, 3, 0x900000, 0x10, MEM_LOADER, false);
	expect_region(&m, 4, 0xfec00000, 1, MEM_RESERVED, false);
	bt_free(m.r);
}

/* A descriptor larger than the spec's 40 bytes: fields at the same
 * offsets, the map stepped through by desc_size. */
static void test_parse_padded_desc(void **state)
{
	uint8_t map[3 * 48];
	struct memmap m;

	put_desc(map, 48, 0, UEFI_CONVENTIONAL, 2 * MiB, 16, 0);
	put_desc(map, 48, 1, UEFI_RUNTIME_DATA, 1 * MiB, 4, 1ULL << 63);
	put_desc(map, 48, 2, UEFI_BOOT_CODE, 4 * GiB, 0x40000, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 48, &m), 0);
	assert_int_equal(m.n, 3);
	expect_region(&m, 0, 1 * MiB, 4, MEM_RUNTIME, false);
	expect_region(&m, 1, 2 * MiB, 16, MEM_FREE, false);
	expect_region(&m, 2, 4 * GiB, 0x40000, MEM_BOOT_SERVICES, false);
	bt_free(m.r);
	/* The same bytes read as 40-byte descriptors are another map. */
	assert_int_equal(memmap_from_uefi(map, sizeof(map) - 24, 40, &m),
			 BT_EINVAL);
}

static void test_parse_rejects(void **state)
{
	uint8_t map[2 * 40];
	struct memmap m;

	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0, 16, 0);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x20000, 16, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), 0);
	bt_free(m.r);

	assert_int_equal(memmap_from_uefi(map, sizeof(map), 39, &m), BT_EINVAL);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 24, &m), BT_EINVAL);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 0, &m), BT_EINVAL);
	assert_null(m.r);
	assert_int_equal(m.n, 0);
	/* size not a whole number of descriptors */
	assert_int_equal(memmap_from_uefi(map, sizeof(map) - 1, 40, &m), BT_EINVAL);
	assert_int_equal(memmap_from_uefi(map, 41, 40, &m), BT_EINVAL);

	/* overlap: the second starts inside the first */
	put_desc(map, 40, 1, UEFI_BOOT_DATA, 0xf000, 16, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);
	assert_null(m.r);
	/* overlap in the other order, and two at the same start */
	put_desc(map, 40, 0, UEFI_BOOT_DATA, 0x10000, 1, 0);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x8000, 16, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x10000, 1, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);

	/* a start that is not page-aligned */
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x20800, 1, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);
	/* a region reaching past the end of the address space */
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0xfffffffffffff000ULL, 1, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x100000, 1ULL << 52, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_EINVAL);
}

static void test_parse_edges(void **state)
{
	uint8_t map[3 * 40] = { 0 };
	struct memmap m;

	/* an empty map is a valid, empty memory map */
	assert_int_equal(memmap_from_uefi(map, 0, 40, &m), 0);
	assert_int_equal(m.n, 0);
	assert_false(memmap_is_ram(&m, 0, 4096));
	assert_int_equal(memmap_ram_top(&m), 0);
	bt_free(m.r);

	/* zero-page descriptors are dropped, even where they would overlap */
	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0x10000, 4, 0);
	put_desc(map, 40, 1, UEFI_MMIO, 0x11000, 0, 0);
	put_desc(map, 40, 2, UEFI_CONVENTIONAL, 0x14000, 4, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(memmap_is_ram(&m, 0x10000, 0x18000));
	bt_free(m.r);

	/* the highest region that can be described */
	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0xffffffffffffe000ULL, 1, 0);
	assert_int_equal(memmap_from_uefi(map, 40, 40, &m), 0);
	assert_int_equal(memmap_ram_top(&m), 0xfffffffffffff000ULL);
	assert_true(memmap_is_ram(&m, 0xffffffffffffe000ULL, 0xfffffffffffff000ULL));
	bt_free(m.r);
}

/* Free now: conventional only; RAM that is only free after
 * ExitBootServices, gaps and soft-reserved memory break a run. */
static void test_is_free(void **state)
{
	uint8_t map[5 * 40] = { 0 };
	struct memmap m;

	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0x100000, 0x100, 0);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x200000, 0x100, 0);
	put_desc(map, 40, 2, UEFI_BOOT_DATA, 0x300000, 0x100, 0);
	put_desc(map, 40, 3, UEFI_CONVENTIONAL, 0x400000, 0x100, UEFI_MEMORY_SP);
	put_desc(map, 40, 4, UEFI_CONVENTIONAL, 0x600000, 0x100, 0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), 0);
	assert_true(memmap_is_free(&m, 0x100000, 0x300000));	/* two regions */
	assert_false(memmap_is_free(&m, 0x100000, 0x301000));	/* boot data */
	assert_true(memmap_is_ram(&m, 0x100000, 0x400000));
	assert_false(memmap_is_free(&m, 0x400000, 0x401000));	/* SP */
	assert_false(memmap_is_free(&m, 0x5ff000, 0x601000));	/* gap */
	assert_true(memmap_is_free(&m, 0x600000, 0x700000));
	assert_false(memmap_is_free(&m, 0x600000, 0x701000));	/* past the end */
	assert_true(memmap_is_free(&m, 0x5000, 0x5000));	/* empty */
	assert_false(memmap_is_free(&m, 0x600000, 0x5ff000));	/* reversed */
	bt_free(m.r);
}

/* The raw walk: address order, ties by position, empty descriptors left
 * out, the buffer untouched; and the shape checks. */
static void test_raw_walk(void **state)
{
	uint8_t map[5 * 48], copy[sizeof(map)];
	size_t order[5], n = 0, i;
	struct mem_region r;

	put_desc(map, 48, 0, UEFI_CONVENTIONAL, 0x300000, 1, 0);
	put_desc(map, 48, 1, UEFI_MMIO, 0x100000, 1, 0);
	put_desc(map, 48, 2, UEFI_BOOT_DATA, 0x300000, 2, 0);	/* tie */
	put_desc(map, 48, 3, UEFI_CONVENTIONAL, 0x50000, 0, 0);	/* empty */
	put_desc(map, 48, 4, UEFI_LOADER_DATA, 0x2000, 3, 7);
	memcpy(copy, map, sizeof(map));
	assert_int_equal(memmap_raw_check(map, sizeof(map), 48), 0);
	for (i = memmap_raw_next(map, 5, 48, 5); i < 5;
	     i = memmap_raw_next(map, 5, 48, i))
		order[n++] = i;
	assert_int_equal(n, 4);
	assert_int_equal(order[0], 4);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 2);
	memmap_raw_desc(map, 48, 4, &r);
	assert_int_equal(r.type, MEM_LOADER);
	assert_int_equal(r.start, 0x2000);
	assert_int_equal(r.pages, 3);
	assert_false(r.soft_reserved);	/* attributes 7: not SP */
	assert_memory_equal(map, copy, sizeof(map));
	assert_int_equal(memmap_raw_next(map, 0, 48, 0), 0);	/* empty map */

	assert_int_equal(memmap_raw_check(map, 0, 48), 0);
	assert_int_equal(memmap_raw_check(map, sizeof(map), 39), BT_EINVAL);
	assert_int_equal(memmap_raw_check(map, sizeof(map) - 1, 48), BT_EINVAL);
	put_desc(map, 48, 3, UEFI_CONVENTIONAL, 0xfffffffffffff000ULL, 2, 0);
	assert_int_equal(memmap_raw_check(map, sizeof(map), 48), BT_EINVAL);
}

static void test_parse_oom(void **state)
{
	uint8_t map[2 * 40];
	struct memmap m;

	put_desc(map, 40, 0, UEFI_CONVENTIONAL, 0, 16, 0);
	put_desc(map, 40, 1, UEFI_CONVENTIONAL, 0x20000, 16, 0);
	host_alloc_fail_after(0);
	assert_int_equal(memmap_from_uefi(map, sizeof(map), 40, &m), BT_ENOMEM);
	host_alloc_fail_after(-1);
	assert_null(m.r);
	assert_int_equal(m.n, 0);
}

static void test_ram_types(void **state)
{
	static const uint32_t ram[] = {
		UEFI_LOADER_CODE, UEFI_LOADER_DATA, UEFI_BOOT_CODE,
		UEFI_BOOT_DATA, UEFI_CONVENTIONAL,
	};
	static const uint32_t not_ram[] = {
		UEFI_RESERVED, UEFI_RUNTIME_CODE, UEFI_RUNTIME_DATA,
		UEFI_UNUSABLE, UEFI_ACPI_RECLAIM, UEFI_ACPI_NVS, UEFI_MMIO,
		UEFI_MMIO_PORT, UEFI_PAL_CODE, UEFI_PERSISTENT,
		UEFI_UNACCEPTED, 16, 0x70000000, 0x80000000,
	};

	/* Through the conversion at the firmware boundary. */
	for (size_t i = 0; i < sizeof(ram) / sizeof(ram[0]); i++)
		assert_true(memmap_type_is_ram_after_ebs(mem_type_from_uefi(ram[i])));
	for (size_t i = 0; i < sizeof(not_ram) / sizeof(not_ram[0]); i++)
		assert_false(memmap_type_is_ram_after_ebs(mem_type_from_uefi(not_ram[i])));
	/* What each UEFI type becomes. */
	assert_int_equal(mem_type_from_uefi(UEFI_CONVENTIONAL), MEM_FREE);
	assert_int_equal(mem_type_from_uefi(UEFI_LOADER_CODE), MEM_LOADER);
	assert_int_equal(mem_type_from_uefi(UEFI_BOOT_DATA), MEM_BOOT_SERVICES);
	assert_int_equal(mem_type_from_uefi(UEFI_RUNTIME_CODE), MEM_RUNTIME);
	assert_int_equal(mem_type_from_uefi(UEFI_ACPI_RECLAIM), MEM_ACPI_RECLAIM);
	assert_int_equal(mem_type_from_uefi(UEFI_ACPI_NVS), MEM_ACPI_NVS);
	assert_int_equal(mem_type_from_uefi(UEFI_PERSISTENT), MEM_PERSISTENT);
	assert_int_equal(mem_type_from_uefi(UEFI_UNUSABLE), MEM_UNUSABLE);
	assert_int_equal(mem_type_from_uefi(UEFI_UNACCEPTED), MEM_UNACCEPTED);
	assert_int_equal(mem_type_from_uefi(UEFI_MMIO_PORT), MEM_RESERVED);
	assert_int_equal(mem_type_from_uefi(UEFI_PAL_CODE), MEM_RESERVED);
	assert_int_equal(mem_type_from_uefi(0x70000000), MEM_UNKNOWN);
	/* baton's own types are not UEFI's numbers. */
	assert_false(memmap_type_is_ram_after_ebs(UEFI_CONVENTIONAL));
}

/* A small OVMF-like machine, given directly as regions. */
static struct mem_region machine[] = {
	{ 0x0, 0x9f, MEM_FREE, false },		/* [0, 0x9f000) */
	{ 0x100000, 0x100, MEM_LOADER, false },	/* [1M, 2M) */
	{ 0x200000, 0x100, MEM_BOOT_SERVICES, false },		/* [2M, 3M) */
	{ 0x300000, 0x500, MEM_FREE, false },	/* [3M, 8M) */
	{ 0x800000, 0x100, MEM_ACPI_NVS, false },		/* [8M, 9M) */
	{ 0x900000, 0x700, MEM_BOOT_SERVICES, false },		/* [9M, 16M) */
	{ 0x1000000, 0x1000, MEM_LOADER, false },	/* [16M, 32M) */
	/* gap [32M, 64M) */
	{ 0x4000000, 0x1000, MEM_FREE, true },	/* [64M, 80M) */
	{ 0x5000000, 0x1000, MEM_PERSISTENT, false },	/* [80M, 96M) */
	{ 0x6000000, 0x1000, MEM_FREE, false },	/* [96M, 112M) */
	{ 0xfec00000, 1, MEM_RESERVED, false },
	{ 0x100000000ULL, 0x40000, MEM_FREE, false },	/* [4G, 5G) */
	{ 0x140000000ULL, 0x100, MEM_RUNTIME, false },	/* 5G + 1M */
};

static const struct memmap machine_map = {
	machine, sizeof(machine) / sizeof(machine[0])
};

static void test_is_ram(void **state)
{
	const struct memmap *m = &machine_map;

	assert_true(memmap_is_ram(m, 0, 0x9f000));
	assert_true(memmap_is_ram(m, 0x1000, 0x2000));
	assert_false(memmap_is_ram(m, 0x9e000, 0xa0000));	/* runs into a gap */
	assert_false(memmap_is_ram(m, 0xa0000, 0x100000));	/* the gap itself */
	/* loader data, boot code, conventional, boot data, loader code are
	 * one run where they touch; NVS at 8M breaks it */
	assert_true(memmap_is_ram(m, 0x100000, 0x800000));
	assert_true(memmap_is_ram(m, 0x1ff000, 0x301000));
	assert_false(memmap_is_ram(m, 0x100000, 0x801000));
	assert_false(memmap_is_ram(m, 0x7ff000, 0x900000));
	assert_true(memmap_is_ram(m, 0x900000, 0x2000000));
	assert_true(memmap_is_ram(m, 0xfff000, 0x1001000));
	/* the end is exclusive: up to a region's end, not one byte more */
	assert_false(memmap_is_ram(m, 0x1000000, 0x2000001));
	assert_false(memmap_is_ram(m, 0x1fff000, 0x4001000));	/* gap */
	assert_false(memmap_is_ram(m, 0x4000000, 0x4001000));	/* soft-reserved */
	assert_false(memmap_is_ram(m, 0x5000000, 0x5001000));	/* persistent */
	assert_true(memmap_is_ram(m, 0x6000000, 0x7000000));
	assert_false(memmap_is_ram(m, 0xfec00000, 0xfec01000));	/* MMIO */
	assert_false(memmap_is_ram(m, 0xfec00000 - 0x1000, 0xfec00000));
	assert_true(memmap_is_ram(m, 0x100000000ULL, 0x140000000ULL));
	assert_false(memmap_is_ram(m, 0x13ffff000ULL, 0x140001000ULL));
	assert_false(memmap_is_ram(m, 0x200000000ULL, 0x200001000ULL));	/* past the end */
	/* unaligned ranges are judged byte for byte */
	assert_true(memmap_is_ram(m, 0x123, 0x9efff));
	assert_false(memmap_is_ram(m, 0x7fffff, 0x800001));
	/* empty and inverted ranges */
	assert_true(memmap_is_ram(m, 0x300000, 0x300000));
	assert_false(memmap_is_ram(m, 0x300001, 0x300000));
}

static void test_ram_top(void **state)
{
	struct mem_region low[] = {
		{ 0, 0x9f, MEM_FREE, false },
		{ 0x100000, 0x100, MEM_BOOT_SERVICES, false },
		{ 0x200000, 0x100, MEM_RUNTIME, false },
		{ 0x300000, 0x100, MEM_FREE, true },
		{ 0xfec00000, 1, MEM_RESERVED, false },
	};
	struct memmap m = { low, 5 };

	/* RAM is highest at 5G; runtime data above it does not count */
	assert_int_equal(memmap_ram_top(&machine_map), 0x140000000ULL);
	assert_int_equal(memmap_ram_top(&m), 0x200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sorts),
		cmocka_unit_test(test_parse_padded_desc),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_edges),
		cmocka_unit_test(test_is_free),
		cmocka_unit_test(test_raw_walk),
		cmocka_unit_test(test_parse_oom),
		cmocka_unit_test(test_ram_types),
		cmocka_unit_test(test_is_ram),
		cmocka_unit_test(test_ram_top),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
