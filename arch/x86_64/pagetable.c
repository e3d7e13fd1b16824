#include "arch/x86_64/pagetable.h"
#include "lib/error.h"
#include "lib/mem.h"

/*
 * Levels are numbered from the leaf: 1 = PT (4 KiB entries), 2 = PD
 * (2 MiB), 3 = PDPT (1 GiB), 4 = PML4 (512 GiB), 5 = PML5 (256 TiB).
 * Each table has 512 entries and an entry at level L covers
 * 1 << entry_shift(L) bytes; the tables of depth n cover 1 << (12 + 9n).
 */
#define PT_ENTRIES 512
#define CR4_LA57 (1ULL << 12)
/* An identity map ends where physical addresses do (52 bits, the width of
 * an entry's address field), even though 5-level tables translate 57. */
#define PHYS_LIMIT (1ULL << 52)
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

unsigned pt_levels_for_cr4(uint64_t cr4)
{
	return (cr4 & CR4_LA57) ? 5 : 4;
}

int pt_init(struct pagetable *pt, const struct pt_alloc *a, bool gb_pages,
	    unsigned levels)
{
	memset(pt, 0, sizeof(*pt));
	if (levels != 4 && levels != 5)
		return BT_EINVAL;
	pt->a = *a;
	pt->gb_pages = gb_pages;
	pt->levels = levels;
	return new_table(pt, &pt->root, &pt->root_phys);
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
	uint64_t limit = 1ULL << entry_shift((int)pt->levels + 1);

	if (limit > PHYS_LIMIT)
		limit = PHYS_LIMIT;
	if (start >= end || end > limit)
		return BT_EINVAL;
	start &= ~(PAGE_4K - 1);
	end = (end + PAGE_4K - 1) & ~(PAGE_4K - 1);
	return map_range(pt, pt->root, (int)pt->levels, start, end);
}
