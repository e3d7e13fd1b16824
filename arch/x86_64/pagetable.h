/*
 * Building x86-64 4- or 5-level identity page tables (virtual == physical) for the
 * handoff, in pages supplied by the caller, with the largest pages that fit:
 * 1 GiB where the range covers a whole aligned gigabyte (and the CPU has
 * 1 GiB pages), else 2 MiB, else 4 KiB at unaligned edges.  Portable: it
 * writes the tables through the pointers the allocator gives, and links them
 * by the physical addresses it reports, so host tests can walk the result.
 */
#ifndef BATON_ARCH_X86_64_PAGETABLE_H
#define BATON_ARCH_X86_64_PAGETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_LARGE (1ULL << 7)	/* PS: a 2 MiB or 1 GiB leaf */
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ULL

struct pt_alloc {
	void *ctx;
	/* Give a zeroed 4 KiB page: *virt to write it, *phys to link it.
	 * Returns 0 or a BT_E* code. */
	int (*page)(void *ctx, void **virt, uint64_t *phys);
	/* The writable pointer for a page this allocator gave out. */
	void *(*virt)(void *ctx, uint64_t phys);
};

struct pagetable {
	struct pt_alloc a;
	bool gb_pages;		/* may use 1 GiB pages */
	unsigned levels;	/* 4 (PML4 on top) or 5 (PML5, for LA57) */
	uint64_t *root;		/* writable pointer to the top table */
	uint64_t root_phys;	/* what CR3 gets */
	size_t pages_used;	/* table pages allocated so far */
};

/*
 * The depth the handoff's tables need when the CPU runs with this CR4: 5
 * when CR4.LA57 is on, else 4.  The trampoline switches CR3 with paging on,
 * and LA57 cannot change while paging is on, so the new tables must have
 * the depth of the old ones: a 4-level CR3 under LA57 would be walked as
 * 5-level and crash the machine.
 */
unsigned pt_levels_for_cr4(uint64_t cr4);

/* Allocate the top table of levels-deep tables (4 or 5; BT_EINVAL
 * otherwise).  Returns 0 or the allocator's error. */
int pt_init(struct pagetable *pt, const struct pt_alloc *a, bool gb_pages,
	    unsigned levels);

/*
 * Identity-map [start, end) (rounded out to 4 KiB) writable and executable.
 * Mapping a range twice, or overlapping ranges, is fine: a part already
 * inside a larger leaf stays as it is.  Needs start < end <= 2^48 with 4
 * levels, 2^52 (where physical addresses end) with 5; BT_EINVAL otherwise.  Returns 0 or the allocator's error; after an error
 * the tables may map part of the range, and every page handed out stays the
 * allocator's (counted in pages_used) as always.
 */
int pt_map(struct pagetable *pt, uint64_t start, uint64_t end);

#endif
