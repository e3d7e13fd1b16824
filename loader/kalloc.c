#include "loader/kalloc.h"
#include "firmware/firmware.h"
#include "lib/error.h"

#define KALLOC_HOLD_MAX 64

int kalloc_pages(struct fw *fw, const struct kimage *ki, uint64_t npages,
		 uint64_t max, uint64_t *addr)
{
	uint64_t held[KALLOC_HOLD_MAX];
	size_t n_held = 0, i;
	int rc;

	for (;;) {
		rc = fw_alloc_pages(fw, npages, max, addr);
		if (rc || !kimage_hits_destination(ki, *addr, *addr + npages * PAGE_SIZE))
			break;
		if (n_held == KALLOC_HOLD_MAX) {
			fw_free_pages(fw, *addr, npages);
			rc = BT_ENOMEM;
			break;
		}
		held[n_held++] = *addr;
	}
	for (i = 0; i < n_held; i++)
		fw_free_pages(fw, held[i], npages);
	return rc;
}
