/*
 * libFuzzer target: mb1_find and mb1_kludge_layout must never read out of
 * bounds, and what they accept must be loadable as they say.  The same
 * bytes then drive mb1_build_info: strings, modules and a UEFI memory map
 * taken from the input are built into a heap buffer of exactly
 * mb1_info_size() bytes (ASan catches any write past it), and the result
 * must be a well-formed information structure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/memmap.h"
#include "loader/multiboot1.h"
#include "lib/bytes.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define MAX_DESC 48
#define MAX_MODS 4
#define STR_MAX 24
#define MBI_SIZE 120

/* ------------------------------------------------------------ header */

static void check_layout(const struct mb1_layout *l, size_t size)
{
	CHECK(l->file_offset <= size && l->filesz <= size - l->file_offset);
	CHECK(l->memsz >= l->filesz);
	CHECK(l->load_addr + l->memsz <= 0x100000000ULL);
	CHECK(l->entry >= l->load_addr && l->entry < l->load_addr + l->filesz);
}

static void try_header(const uint8_t *data, size_t size)
{
	struct mb1_header h;
	struct mb1_layout l;
	size_t limit = size < MB1_SEARCH ? size : MB1_SEARCH;
	char why[200];

	why[0] = 0;
	if (mb1_find(data, size, &h, why, sizeof(why))) {
		CHECK(why[0] != 0);
		return;
	}
	CHECK(h.offset % 4 == 0 && h.offset + 12 <= limit);
	CHECK(get32(data + h.offset) == MB1_HEADER_MAGIC);
	CHECK((h.flags & 0xfff8) == 0);
	why[0] = 0;
	if (mb1_kludge_layout(&h, size, &l, why, sizeof(why))) {
		CHECK(why[0] != 0);
		return;
	}
	CHECK(h.flags & MB1_F_AOUT_KLUDGE);
	CHECK(h.offset + 32 <= limit);
	check_layout(&l, size);
	/* What a loader would copy. */
	if (l.filesz) {
		volatile uint8_t first = data[l.file_offset];
		volatile uint8_t last = data[l.file_offset + l.filesz - 1];
		(void)first;
		(void)last;
	}
}

/* ------------------------------------------------------ information */

/* The input, consumed front to back; zeros once it runs out. */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t take64(struct input *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)take8(in) << (8 * i);
	return v;
}

/* A string of up to STR_MAX - 1 bytes from the input; NULL when the
 * length byte says so. */
static const char *take_string(struct input *in, char *buf)
{
	uint8_t len = take8(in);

	if (len == 0xff)
		return NULL;
	len %= STR_MAX;
	for (uint8_t i = 0; i < len; i++)
		buf[i] = (char)(take8(in) | 1);	/* no NUL inside */
	buf[len] = 0;
	return buf;
}

/* Descriptors from the input.  Mostly tame (small lengths, 48-bit
 * addresses) so the builder gets past the map check; the high bit of the
 * type byte keeps the raw values, for the rejection path. */
static size_t take_map(struct input *in, uint8_t *map, size_t desc_size,
		       size_t count)
{
	memset(map, 0xa5, count * desc_size);
	for (size_t i = 0; i < count; i++) {
		uint8_t *d = map + i * desc_size;
		uint8_t t = take8(in);
		uint64_t base = take64(in), pages = take64(in);

		if (!(t & 0x80)) {
			base &= 0xffffffffffffULL;
			pages &= 0xfffff;
			t %= 17;
		}
		put32(d, t & 0x7f);
		put64(d + 8, base);
		put64(d + 24, pages);
		put64(d + 32, take8(in) & 1 ? UEFI_MEMORY_SP : 0);
	}
	return count * desc_size;
}

static void check_string(const uint8_t *buf, uint32_t phys, size_t cap,
			 uint32_t addr, const char *want)
{
	if (!want) {
		CHECK(addr == 0);
		return;
	}
	CHECK(addr >= phys && addr - phys < cap);
	CHECK(strlen(want) < cap - (addr - phys));
	CHECK(memcmp(buf + (addr - phys), want, strlen(want) + 1) == 0);
}

/* Sorted, non-overlapping, merged, and only the five Multiboot types. */
static void check_mmap(const uint8_t *buf, uint32_t phys, size_t cap)
{
	uint32_t len = get32(buf + 44), addr = get32(buf + 48);
	uint64_t prev_end = 0;
	uint32_t prev_type = 0;

	CHECK(len % 24 == 0);
	CHECK(addr >= phys && addr - phys <= cap && len <= cap - (addr - phys));
	for (uint32_t off = 0; off < len; off += 24) {
		const uint8_t *e = buf + (addr - phys) + off;
		uint64_t base = get64(e + 4), n = get64(e + 12);
		uint32_t type = get32(e + 20);

		CHECK(get32(e) == 20);
		CHECK(type >= 1 && type <= 5);
		CHECK(n > 0 && base + n > base);
		if (off) {
			CHECK(base >= prev_end);
			CHECK(!(base == prev_end && type == prev_type));
		}
		prev_end = base + n;
		prev_type = type;
	}
}

static void check_info(const uint8_t *buf, uint32_t phys, size_t cap,
		       const struct mb1_info_args *a)
{
	uint32_t flags = get32(buf);
	const uint8_t *mods;

	CHECK((flags & 0x49) == 0x49 && !(flags & 0x2));
	CHECK(!!(flags & 4) == !!a->cmdline);
	CHECK(!!(flags & 0x200) == !!a->loader_name);
	CHECK(get32(buf + 4) <= 640);
	if (a->cmdline)
		check_string(buf, phys, cap, get32(buf + 16), a->cmdline);
	if (a->loader_name)
		check_string(buf, phys, cap, get32(buf + 64), a->loader_name);
	CHECK(get32(buf + 20) == a->n_modules);
	CHECK(get32(buf + 24) == phys + MBI_SIZE);
	mods = buf + MBI_SIZE;
	for (size_t i = 0; i < a->n_modules; i++, mods += 16) {
		CHECK(get32(mods) == a->modules[i].start);
		CHECK(get32(mods + 4) == a->modules[i].end);
		check_string(buf, phys, cap, get32(mods + 8), a->modules[i].string);
		CHECK(get32(mods + 12) == 0);
	}
	check_mmap(buf, phys, cap);
}

/* Build into exactly mb1_info_size() bytes, then into a smaller buffer
 * taken from the input, which may only fail with BT_ETOOBIG. */
static void build(const struct mb1_info_args *a, uint32_t phys,
		  const uint8_t *map, size_t msize, size_t desc_size,
		  size_t shrink)
{
	size_t cap = mb1_info_size(a, msize / desc_size);
	uint8_t *buf = malloc(cap);
	int err;

	CHECK(buf);
	err = mb1_build_info(buf, phys, cap, a, map, msize, desc_size);
	if (!err)
		check_info(buf, phys, cap, a);
	else
		CHECK(err == BT_EINVAL || (err == BT_ETOOBIG &&
					   phys + (uint64_t)cap > 0x100000000ULL));
	free(buf);
	if (err || shrink > cap)
		return;
	buf = malloc(cap - shrink ? cap - shrink : 1);
	CHECK(buf);
	err = mb1_build_info(buf, phys, cap - shrink, a, map, msize, desc_size);
	CHECK(err == 0 || err == BT_ETOOBIG);
	if (!err)
		check_info(buf, phys, cap - shrink, a);
	free(buf);
}

static void try_info(const uint8_t *data, size_t size)
{
	static uint8_t map[MAX_DESC * 64];	/* desc_size is 40 to 64 */
	struct input in = { data, size };
	char strs[2 + MAX_MODS][STR_MAX];
	struct mb1_module mods[MAX_MODS];
	struct mb1_fb fb = { 0x80000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8 };
	struct mb1_info_args a = { 0 };
	uint8_t sel = take8(&in);
	size_t desc_size = 40 + (sel & 3) * 8, count, msize;
	uint32_t phys = sel & 0x80 ? 0xffffffffu - take8(&in) * 16u : 0x10000;

	a.cmdline = take_string(&in, strs[0]);
	a.loader_name = take_string(&in, strs[1]);
	a.n_modules = ((sel >> 2) & 7) % (MAX_MODS + 1);
	for (size_t i = 0; i < a.n_modules; i++) {
		mods[i].start = (uint32_t)take64(&in);
		mods[i].end = mods[i].start + take8(&in);
		mods[i].string = take_string(&in, strs[2 + i]);
	}
	a.modules = mods;
	a.fb = sel & 0x40 ? &fb : NULL;
	a.shdr_num = sel & 0x20 ? 5 : 0;
	count = take8(&in) % (MAX_DESC + 1);
	msize = take_map(&in, map, desc_size, count);
	build(&a, phys, map, msize, desc_size, take8(&in));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_header(data, size);
	try_info(data, size);
	return 0;
}
