/* The host double's memory and memory-map services: pages from the test's
 * RAM arena, its map, and ExitBootServices as the test scripts it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/host/host.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/memmap.h"

static uint64_t ram_base(const struct fw *fw)
{
	return (uintptr_t)fw->ram;
}

/* First-fit search for npages free pages ending at or below max. */
int fw_alloc_pages(struct fw *fw, uint64_t npages, uint64_t max, uint64_t *addr)
{
	uint64_t i, run = 0;

	for (i = 0; i < fw->ram_pages; i++) {
		uint64_t end = ram_base(fw) + (i + 1) * PAGE_SIZE - 1;

		run = fw->page_used[i] ? 0 : run + 1;
		if (end > max)
			break;
		if (run == npages) {
			uint64_t first = i + 1 - npages;

			memset(fw->page_used + first, 1, npages);
			*addr = ram_base(fw) + first * PAGE_SIZE;
			return 0;
		}
	}
	return BT_ENOMEM;
}

int fw_alloc_pages_at(struct fw *fw, uint64_t addr, uint64_t npages)
{
	uint64_t first, i;

	if (addr < ram_base(fw) || (addr - ram_base(fw)) % PAGE_SIZE)
		return BT_ENOENT;
	first = (addr - ram_base(fw)) / PAGE_SIZE;
	if (first + npages > fw->ram_pages)
		return BT_ENOENT;
	for (i = 0; i < npages; i++)
		if (fw->page_used[first + i])
			return BT_ENOENT;
	memset(fw->page_used + first, 1, npages);
	return 0;
}

void fw_free_pages(struct fw *fw, uint64_t addr, uint64_t npages)
{
	memset(fw->page_used + (addr - ram_base(fw)) / PAGE_SIZE, 0, npages);
}

/* The raw UEFI map of the arena: one conventional descriptor. */
static size_t raw_map(const struct fw *fw, uint8_t *buf)
{
	memset(buf, 0, 48);
	buf[0] = UEFI_CONVENTIONAL;
	memcpy(buf + 8, &(uint64_t){ ram_base(fw) }, 8);
	memcpy(buf + 24, &fw->ram_pages, 8);
	return 48;
}

/* One descriptor per run of used or free pages. */
static size_t raw_map_used(const struct fw *fw, uint8_t *buf)
{
	size_t n = 0;
	uint64_t i = 0;

	while (i < fw->ram_pages) {
		uint64_t j = i;
		uint8_t *d = buf + n++ * 48;

		while (j < fw->ram_pages && fw->page_used[j] == fw->page_used[i])
			j++;
		memset(d, 0, 48);
		d[0] = fw->page_used[i] ? UEFI_BOOT_DATA : UEFI_CONVENTIONAL;
		memcpy(d + 8, &(uint64_t){ ram_base(fw) + i * PAGE_SIZE }, 8);
		memcpy(d + 24, &(uint64_t){ j - i }, 8);
		i = j;
	}
	return n * 48;
}

int fw_memmap(struct fw *fw, struct memmap *out)
{
	uint8_t one[48], *buf = one;
	int rc;

	if (!fw->map_shows_used || !fw->ram)
		return memmap_from_uefi(one, raw_map(fw, one), 48, out);
	buf = malloc(fw->ram_pages * 48);
	if (!buf)
		return BT_ENOMEM;
	rc = memmap_from_uefi(buf, raw_map_used(fw, buf), 48, out);
	free(buf);
	return rc;
}

size_t fw_memmap_bytes(struct fw *fw)
{
	return 48 * 8;
}


/* The key is the number of the map read: only the latest one is valid,
 * as on real firmware. */
int fw_ebs_map(struct fw *fw, void *buf, size_t cap, size_t *size,
	       size_t *desc_size, uint32_t *desc_version, uint64_t *key)
{
	fw->ebs_maps++;
	if (fw->ebs_map_fails_at && fw->ebs_maps == (unsigned)fw->ebs_map_fails_at)
		return BT_ETOOBIG;
	*size = raw_map(fw, buf);
	*desc_size = 48;
	*desc_version = 1;
	*key = fw->ebs_maps;
	return 0;
}

int fw_ebs_try(struct fw *fw, uint64_t key)
{
	host_trace(fw, "ebs");
	fw->ebs_tries++;
	if (key != fw->ebs_maps)
		return BT_EINVAL;
	if (fw->ebs_fails < 0 || fw->ebs_tries <= (unsigned)fw->ebs_fails)
		return BT_EINVAL;
	return 0;
}

int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version)
{
	if (cap < 48)
		return BT_ETOOBIG;
	*size = raw_map(fw, buf);
	*desc_size = 48;
	*desc_version = 1;
	return 0;
}
