/*
 * libFuzzer target: the bzImage checks must never read out of bounds, and
 * what they accept must be something placement and boot_params can use
 * without surprises.  The same bytes, read as a UEFI memory map, go through
 * the e820 conversion, which must come out sorted and within its bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "loader/linux.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_accepted(const struct bzimage *bz, size_t size)
{
	CHECK(bz->setup_sects >= 1 && bz->setup_sects <= 255);
	CHECK(bz->payload_off == ((size_t)bz->setup_sects + 1) * 512);
	CHECK(bz->payload_len > 0 && bz->payload_off + bz->payload_len == size);
	/* Into the last syssize paragraph, and past the compressed kernel. */
	CHECK(((uint64_t)bz->payload_len + 15) / 16 >= get32(bz->data + 0x1f4));
	CHECK((uint64_t)get32(bz->data + 0x248) + get32(bz->data + 0x24c) <=
	      bz->payload_len || !get32(bz->data + 0x24c));
	CHECK(bz->init_size >= bz->payload_len);
	CHECK(bz->version >= 0x020c && (bz->loadflags & 1) && (bz->xloadflags & 1));
}

static void try_place(const struct bzimage *bz)
{
	struct mem_region r[] = {
		{ 0, 0x9f, UEFI_CONVENTIONAL, 0 },
		{ 0x100000, 0x700, UEFI_CONVENTIONAL, 0 },
		{ 0x800000, 0x100, UEFI_ACPI_NVS, 0 },
		{ 0x900000, 0x700, UEFI_BOOT_DATA, 0 },
		{ 0x1000000, 0x7f000, UEFI_CONVENTIONAL, 0 },
		{ 0x100000000ULL, 0x100000, UEFI_CONVENTIONAL, 0 },
	};
	struct memmap m = { r, sizeof(r) / sizeof(r[0]) };
	uint64_t addr = 0, size = ((uint64_t)bz->init_size + 0xfff) & ~0xfffULL;
	char why[200];

	if (bzimage_place(bz, &m, &addr, why, sizeof(why)))
		return;
	CHECK(addr % PAGE_SIZE == 0);
	CHECK(memmap_is_ram(&m, addr, addr + size));
	if (!(bz->xloadflags & 2))
		CHECK(addr + size <= 0x100000000ULL);
}

static void try_boot_params(const struct bzimage *bz)
{
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct fw_framebuffer fb = {
		.base = 0x80000000, .size = 0x300000, .width = 1024,
		.height = 768, .pixels_per_line = 1024, .red_size = 8,
		.red_pos = 16, .green_size = 8, .green_pos = 8, .blue_size = 8,
		.rsvd_size = 8, .rsvd_pos = 24,
	};
	struct linux_args a = {
		.cmdline_addr = 0x20000, .cmdline_len = 40,
		.initrd_addr = 0x30000000, .initrd_size = 0x800000,
		.rsdp_addr = 0x7fbfe014, .fb = &fb,
	};
	char why[200];

	if (linux_boot_params(bp, bz, &a, why, sizeof(why)))
		return;
	CHECK(bp[0x1ef] == 0);		/* the sentinel is never copied */
	CHECK(bp[0x210] == 0xff);
	for (size_t i = 0x290; i < BOOT_PARAMS_SIZE; i++)
		CHECK(bp[i] == 0);
}

/* At most 64 descriptors: the conversion is quadratic by design. */
static void try_e820(const uint8_t *data, size_t size)
{
	struct e820_entry out[16];
	size_t desc = 40 + (size ? data[0] % 3 : 0) * 8, n = 0;
	size_t len = size > 1 ? size - 1 : 0;

	if (len > 64 * desc)
		len = 64 * desc;
	len -= len % desc;
	if (linux_e820(data + (size ? 1 : 0), len, desc, out, 16, &n) == BT_EINVAL)
		return;
	CHECK(n <= 16);
	for (size_t i = 1; i < n; i++)
		CHECK(out[i - 1].addr <= out[i].addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bzimage bz;
	char why[200];

	try_e820(data, size);
	if (bzimage_parse(data, size, &bz, why, sizeof(why))) {
		CHECK(why[0] != 0);
		return 0;
	}
	check_accepted(&bz, size);
	try_place(&bz);
	try_boot_params(&bz);
	return 0;
}
