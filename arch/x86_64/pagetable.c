#include "arch/x86_64/pagetable.h"
#include "lib/error.h"
#include "lib/mem.h"

/*
 * Levels are numbered from the leaf: 1 = PT (4 KiB entries), 2 = PD
 * (2 MiB), 3 = PDPT (1 GiB), 4 = PML4 (512 GiB).  Each table has 512
 * entries and an entry at level L covers 1 << entry_shift(L) bytes.
 */
#define PT_ENTRIES 512
#define TOP_LEVEL 4
#define VA_LIMIT (1ULL << 48)
#define PAGE_4K 4096ULL
#define PTE_FLAGS (PTE_PRESENT | PTE_WRITE)

static unsigned entry_shift(int level)
{
	return 12 + 9 * (unsigned)(level - 1);
}

/* A fresh table page from the allocator; its physical address must fit an
 * entry's address field, or the tables could not link to it. */
static int new_table(struct pagetable *pt, uint64_t **virt, uint64_t *phys)
{
	void *v;
	int rc = pt->a.page(pt->a.ctx, &v, phys);

	if (rc)
		return rc;
	pt->pages_used++;
	if (!v || (*phys & ~PTE_ADDR_MASK))
		return BT_EINVAL;
	*virt = v;
	return 0;
}

int pt_init(struct pagetable *pt, const struct pt_alloc *a, bool gb_pages)
{
	memset(pt, 0, sizeof(*pt));
	pt->a = *a;
	pt->gb_pages = gb_pages;
	return new_table(pt, &pt->pml4, &pt->pml4_phys);
}

/* Whether a whole entry at this level may be one leaf. */
static bool leaf_allowed(const struct pagetable *pt, int level)
{
	return level == 1 || level == 2 || (level == 3 && pt->gb_pages);
}

static int map_range(struct pagetable *pt, uint64_t *table, int level,
		     uint64_t start, uint64_t end);

/*
 * Map [start, end), which lies inside the area of the entry *e at base
 * (that area is 1 << entry_shift(level) bytes).  An existing larger leaf
 * already maps all of it (identity), so nothing changes; an existing table
 * is descended into rather than replaced, so what it maps stays mapped.
 */
static int map_entry(struct pagetable *pt, uint64_t *e, int level,
		     uint64_t base, uint64_t start, uint64_t end)
{
	uint64_t size = 1ULL << entry_shift(level);
	uint64_t *child;
	uint64_t phys;
	int rc;

	if ((*e & PTE_PRESENT) && (level == 1 || (*e & PTE_LARGE)))
		return 0;
	if (!(*e & PTE_PRESENT)) {
		if (start == base && end - base == size && leaf_allowed(pt, level)) {
			*e = base | PTE_FLAGS | (level > 1 ? PTE_LARGE : 0);
			return 0;
		}
		rc = new_table(pt, &child, &phys);
		if (rc)
			return rc;
		*e = phys | PTE_FLAGS;
	} else {
		child = pt->a.virt(pt->a.ctx, *e & PTE_ADDR_MASK);
		if (!child)
			return BT_EINVAL;
	}
	return map_range(pt, child, level - 1, start, end);
}

/* Map [start, end) through table, a table at this level (start < end, both
 * 4 KiB-aligned and inside the table's area). */
static int map_range(struct pagetable *pt, uint64_t *table, int level,
		     uint64_t start, uint64_t end)
{
	unsigned shift = entry_shift(level);
	uint64_t size = 1ULL << shift;

	while (start < end) {
		uint64_t base = start & ~(size - 1);
		uint64_t stop = base + size < end ? base + size : end;
		uint64_t *e = &table[(start >> shift) % PT_ENTRIES];
		int rc = map_entry(pt, e, level, base, start, stop);

		if (rc)
			return rc;
		start = stop;
	}
	return 0;
}

int pt_map(struct pagetable *pt, uint64_t start, uint64_t end)
{
	if (start >= end || end > VA_LIMIT)
		return BT_EINVAL;
	start &= ~(PAGE_4K - 1);
	end = (end + PAGE_4K - 1) & ~(PAGE_4K - 1);
	return map_range(pt, pt->pml4, TOP_LEVEL, start, end);
}
