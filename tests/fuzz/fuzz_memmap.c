/*
 * libFuzzer target: memmap_from_uefi on arbitrary bytes (the first byte is
 * the descriptor size, the rest the map) must never read out of bounds, and
 * whatever it accepts must keep its promises: regions sorted, non-empty,
 * non-overlapping, not wrapping, and memmap_is_ram / memmap_ram_top agreeing
 * with the regions they were built from.
 */
#include <stddef.h>
#include <stdint.h>
#include "lib/mem.h"
#include "lib/memmap.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static bool ram(const struct mem_region *r)
{
	return memmap_type_is_ram_after_ebs(r->type) && !r->soft_reserved;
}

static void check_region(const struct memmap *m, size_t i, uint64_t *top)
{
	const struct mem_region *r = &m->r[i];
	uint64_t end;

	CHECK(r->pages > 0 && r->start % PAGE_SIZE == 0);
	CHECK(r->pages <= (UINT64_MAX - r->start) / PAGE_SIZE);
	end = r->start + r->pages * PAGE_SIZE;
	if (i + 1 < m->n)
		CHECK(end <= m->r[i + 1].start);
	CHECK(memmap_is_ram(m, r->start, end) == ram(r));
	CHECK(memmap_is_ram(m, r->start, r->start + 1) == ram(r));
	CHECK(memmap_is_ram(m, end - 1, end) == ram(r));
	if (ram(r) && end > *top)
		*top = end;
	/* A run across a neighbour is RAM only if both are and they touch. */
	if (i + 1 < m->n) {
		const struct mem_region *n = &m->r[i + 1];
		bool run = ram(r) && ram(n) && end == n->start;

		CHECK(memmap_is_ram(m, end - 1, n->start + 1) == run);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memmap m;
	uint64_t top = 0;

	if (size < 1)
		return 0;
	if (memmap_from_uefi(data + 1, size - 1, data[0], &m))
		return 0;
	for (size_t i = 0; i < m.n; i++)
		check_region(&m, i, &top);
	CHECK(memmap_ram_top(&m) == top);
	CHECK(memmap_is_ram(&m, 0, 0));
	if (top)
		CHECK(!memmap_is_ram(&m, top, top + 1));
	bt_free(m.r);
	return 0;
}
