#include "lib/memmap.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/mem.h"

/* UEFI 2.10 §7.2, EFI_MEMORY_DESCRIPTOR: the offsets of its fields.  A
 * descriptor is at least 40 bytes; firmware may make it larger (desc_size),
 * so the map is always stepped through by desc_size, never by sizeof. */

enum mem_type mem_type_from_uefi(uint32_t uefi_type)
{
	switch (uefi_type) {
	case UEFI_CONVENTIONAL:
		return MEM_FREE;
	case UEFI_LOADER_CODE:
	case UEFI_LOADER_DATA:
		return MEM_LOADER;
	case UEFI_BOOT_CODE:
	case UEFI_BOOT_DATA:
		return MEM_BOOT_SERVICES;
	case UEFI_RUNTIME_CODE:
	case UEFI_RUNTIME_DATA:
		return MEM_RUNTIME;
	case UEFI_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIM;
	case UEFI_ACPI_NVS:
		return MEM_ACPI_NVS;
	case UEFI_PERSISTENT:
		return MEM_PERSISTENT;
	case UEFI_UNUSABLE:
		return MEM_UNUSABLE;
	case UEFI_UNACCEPTED:
		return MEM_UNACCEPTED;
	case UEFI_RESERVED:
	case UEFI_MMIO:
	case UEFI_MMIO_PORT:
	case UEFI_PAL_CODE:
		return MEM_RESERVED;
	default:
		return MEM_UNKNOWN;
	}
}

bool memmap_type_is_ram_after_ebs(uint32_t type)
{
	return type == MEM_FREE || type == MEM_LOADER || type == MEM_BOOT_SERVICES;
}

/* RAM a kernel may be placed in: a RAM type, and not soft-reserved
 * (EFI_MEMORY_SP memory is set aside for a specific use by the platform). */
static bool region_is_ram(const struct mem_region *r)
{
	return memmap_type_is_ram_after_ebs(r->type) && !r->soft_reserved;
}

/* Exclusive end; memmap_from_uefi guarantees it does not wrap. */
static uint64_t region_end(const struct mem_region *r)
{
	return r->start + r->pages * PAGE_SIZE;
}

void memmap_raw_desc(const void *map, size_t desc_size, size_t i,
		     struct mem_region *r)
{
	const uint8_t *d = (const uint8_t *)map + i * desc_size;

	r->type = mem_type_from_uefi(get32(d + UEFI_DESC_TYPE));
	r->start = get64(d + UEFI_DESC_PHYS);
	r->pages = get64(d + UEFI_DESC_PAGES);
	r->soft_reserved = get64(d + UEFI_DESC_ATTR) & UEFI_MEMORY_SP;
}

static bool wraps(const struct mem_region *r)
{
	return r->pages > (UINT64_MAX - r->start) / PAGE_SIZE;
}

int memmap_raw_check(const void *map, size_t size, size_t desc_size)
{
	struct mem_region r;

	if (desc_size < UEFI_DESC_MIN_SIZE || size % desc_size)
		return BT_EINVAL;
	for (size_t i = 0; i < size / desc_size; i++) {
		memmap_raw_desc(map, desc_size, i, &r);
		if (wraps(&r))
			return BT_EINVAL;
	}
	return 0;
}

/* Whether (start a, index i) sorts before (b, j). */
static bool before(uint64_t a, size_t i, uint64_t b, size_t j)
{
	return a < b || (a == b && i < j);
}

size_t memmap_raw_next(const void *map, size_t count, size_t desc_size,
		       size_t prev)
{
	struct mem_region r, last = { 0, 0, 0, 0 };
	size_t best = count;
	uint64_t best_start = 0;

	if (prev < count)
		memmap_raw_desc(map, desc_size, prev, &last);
	for (size_t i = 0; i < count; i++) {
		memmap_raw_desc(map, desc_size, i, &r);
		if (!r.pages)
			continue;
		if (prev < count && !before(last.start, prev, r.start, i))
			continue;
		if (best == count || before(r.start, i, best_start, best)) {
			best = i;
			best_start = r.start;
		}
	}
	return best;
}

/* Decode one descriptor.  BT_EINVAL when its start is not page-aligned or
 * its end would wrap past 2^64 (which region_end relies on never doing). */
static int parse_desc(const uint8_t *map, size_t desc_size, size_t i,
		      struct mem_region *r)
{
	memmap_raw_desc(map, desc_size, i, r);
	return r->start % PAGE_SIZE || wraps(r) ? BT_EINVAL : 0;
}

/* Insertion sort by start: maps are a few hundred entries at most, and
 * firmware usually hands them over nearly sorted. */
static void sort_regions(struct mem_region *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct mem_region key = r[i];
		size_t j = i;

		while (j > 0 && r[j - 1].start > key.start) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = key;
	}
}

/* Sorted by start, so any overlap shows up between neighbours. */
static bool regions_overlap(const struct mem_region *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (r[i].start < region_end(&r[i - 1]))
			return true;
	return false;
}

int memmap_from_uefi(const void *map, size_t size, size_t desc_size,
		     struct memmap *out)
{
	const uint8_t *p = map;
	size_t count, n = 0;
	struct mem_region *r;

	out->r = NULL;
	out->n = 0;
	if (desc_size < UEFI_DESC_MIN_SIZE || size % desc_size)
		return BT_EINVAL;
	count = size / desc_size;
	if (!count)
		return 0;
	r = bt_alloc(count * sizeof(*r));
	if (!r)
		return BT_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (parse_desc(p, desc_size, i, &r[n]))
			goto bad;
		if (r[n].pages)	/* empty descriptors describe nothing */
			n++;
	}
	sort_regions(r, n);
	if (regions_overlap(r, n))
		goto bad;
	out->r = r;
	out->n = n;
	return 0;
bad:
	bt_free(r);
	return BT_EINVAL;
}

/* Free now: conventional memory nobody has allocated yet. */
static bool region_is_free(const struct mem_region *r)
{
	return r->type == MEM_FREE && !r->soft_reserved;
}

/* Whether [start, end) is covered, without gaps, by regions that ok()
 * accepts. */
static bool covered(const struct memmap *m, uint64_t start, uint64_t end,
		    bool (*ok)(const struct mem_region *))
{
	uint64_t pos = start;

	if (start >= end)
		return start == end;
	/* Walk the regions in order; pos is the first byte not yet shown to
	 * be covered.  Any gap or refused region before end breaks the run. */
	for (size_t i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];

		if (region_end(r) <= pos)
			continue;
		if (r->start > pos || !ok(r))
			return false;
		pos = region_end(r);
		if (pos >= end)
			return true;
	}
	return false;
}

bool memmap_is_ram(const struct memmap *m, uint64_t start, uint64_t end)
{
	return covered(m, start, end, region_is_ram);
}

bool memmap_is_free(const struct memmap *m, uint64_t start, uint64_t end)
{
	return covered(m, start, end, region_is_free);
}

uint64_t memmap_ram_top(const struct memmap *m)
{
	uint64_t top = 0;

	for (size_t i = 0; i < m->n; i++)
		if (region_is_ram(&m->r[i]) && region_end(&m->r[i]) > top)
			top = region_end(&m->r[i]);
	return top;
}
