#include "kexec/kalloc.h"
#include "firmware/firmware.h"
#include "lib/error.h"

#define KALLOC_HOLD_MAX 64

/* The lowest start of a destination that [start, end) overlaps. */
static uint64_t first_hit(const struct kimage *ki, uint64_t start, uint64_t end)
{
	uint64_t low = UINT64_MAX;
	size_t i;

	for (i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];

		if (s->buf != s->mem && s->mem < end && start < s->mem + s->memsz &&
		    s->mem < low)
			low = s->mem;
	}
	return low;
}

/* The highest end of a destination that [start, end) overlaps. */
static uint64_t last_hit_end(const struct kimage *ki, uint64_t start, uint64_t end)
{
	uint64_t high = 0;
	size_t i;

	for (i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];

		if (s->buf != s->mem && s->mem < end && start < s->mem + s->memsz &&
		    s->mem + s->memsz > high)
			high = s->mem + s->memsz;
	}
	return high;
}

/*
 * Try the pages after the destinations a block hit, stepping over
 * destinations and taken blocks (a few dozen tries): where a bottom-up
 * allocator would otherwise keep offering pages inside the same destination.
 */
static int try_after(struct fw *fw, const struct kimage *ki, uint64_t start,
		     uint64_t npages, uint64_t max, uint64_t *addr)
{
	uint64_t bytes = npages * PAGE_SIZE, at = start;
	unsigned tries;

	for (tries = 0; tries < KALLOC_HOLD_MAX; tries++) {
		uint64_t next = last_hit_end(ki, at, at + bytes);

		if (next)
			at = next;
		if (at + bytes < at || at + bytes - 1 > max)
			return BT_ENOMEM;
		if (!next && fw_alloc_pages_at(fw, at, npages) == 0) {
			*addr = at;
			return 0;
		}
		if (!next)
			at += bytes;
	}
	return BT_ENOMEM;
}

int kalloc_pages(struct fw *fw, const struct kimage *ki, uint64_t npages,
		 uint64_t max, uint64_t *addr)
{
	uint64_t held[KALLOC_HOLD_MAX], limit = max, bytes = npages * PAGE_SIZE;
	size_t n_held = 0, i;
	int rc;

	for (;;) {
		uint64_t hit;

		rc = fw_alloc_pages(fw, npages, limit, addr);
		if (rc && limit != max) {
			/* Nothing below the destination: search everywhere. */
			limit = max;
			continue;
		}
		if (rc || !kimage_hits_destination(ki, *addr, *addr + bytes))
			break;
		/* Hold the block, so the firmware offers other pages next, and
		 * look below the destination it hit first (a firmware that
		 * allocates bottom-up would otherwise offer the next pages of
		 * the same destination again and again). */
		if (n_held == KALLOC_HOLD_MAX) {
			fw_free_pages(fw, *addr, npages);
			rc = BT_ENOMEM;
			break;
		}
		held[n_held++] = *addr;
		if (try_after(fw, ki, *addr, npages, max, addr) == 0) {
			rc = 0;
			break;
		}
		hit = first_hit(ki, held[n_held - 1], held[n_held - 1] + bytes);
		if (hit != UINT64_MAX && hit >= bytes && hit - 1 < limit)
			limit = hit - 1;
	}
	for (i = 0; i < n_held; i++)
		fw_free_pages(fw, held[i], npages);
	return rc;
}
