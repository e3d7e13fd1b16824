/*
 * Unit tests for arch/x86_64/pagetable.c.  The tables are built in host
 * pages that a test allocator hands out under made-up physical addresses,
 * and checked by walking them the way the MMU would: every answer here
 * comes from translating addresses through the tables, not from trusting
 * the builder's bookkeeping.
 */
#include "tests/unit/helpers.h"
#include "arch/x86_64/pagetable.h"

#define KiB 0x400ULL
#define MiB 0x100000ULL
#define GiB 0x40000000ULL
#define TiB (1024 * GiB)
#define VA_TOP (1ULL << 48)
#define P4K 0x1000ULL
#define P2M (2 * MiB)
#define P1G GiB

/* Far from any address the tests map, so a walker that mixed up table
 * addresses with mapped ones would notice. */
#define FAKE_PHYS_BASE 0x7a5000000000ULL
#define MAX_TABLES 8192

struct test_alloc {
	void *pages[MAX_TABLES];
	size_t n;
	size_t limit;		/* hand out at most this many pages */
	int error;		/* what to return past the limit */
};

static int ta_page(void *ctx, void **virt, uint64_t *phys)
{
	struct test_alloc *ta = ctx;
	void *p;

	if (ta->n >= ta->limit)
		return ta->error;
	assert_true(ta->n < MAX_TABLES);
	p = aligned_alloc(4096, 4096);
	assert_non_null(p);
	memset(p, 0, 4096);
	ta->pages[ta->n] = p;
	*virt = p;
	*phys = FAKE_PHYS_BASE + ta->n * P4K;
	ta->n++;
	return 0;
}

static void *ta_virt(void *ctx, uint64_t phys)
{
	struct test_alloc *ta = ctx;
	uint64_t i = (phys - FAKE_PHYS_BASE) / P4K;

	if (phys < FAKE_PHYS_BASE || phys % P4K || i >= ta->n)
		return NULL;
	return ta->pages[i];
}

static struct test_alloc *ta_new(size_t limit, int error)
{
	struct test_alloc *ta = calloc(1, sizeof(*ta));

	assert_non_null(ta);
	ta->limit = limit;
	ta->error = error;
	return ta;
}

static void ta_free(struct test_alloc *ta)
{
	for (size_t i = 0; i < ta->n; i++)
		free(ta->pages[i]);
	free(ta);
}

static void setup_pt_levels(struct pagetable *pt, struct test_alloc *ta,
			    bool gb, unsigned levels)
{
	struct pt_alloc a = { ta, ta_page, ta_virt };

	assert_int_equal(pt_init(pt, &a, gb, levels), 0);
	assert_int_equal(pt->pages_used, 1);
	assert_int_equal(pt->root_phys, FAKE_PHYS_BASE);
	assert_ptr_equal(pt->root, ta->pages[0]);
	assert_int_equal(pt->gb_pages, gb);
	assert_int_equal(pt->levels, levels);
}

static void setup_pt(struct pagetable *pt, struct test_alloc *ta, bool gb)
{
	setup_pt_levels(pt, ta, gb, 4);
}

/* The end of the address space tables of this depth translate. */
static uint64_t va_top(const struct pagetable *pt)
{
	return 1ULL << (12 + 9 * pt->levels);
}

/* An entry may carry only these bits: no NX, no user, nothing else. */
#define ALLOWED_BITS (PTE_ADDR_MASK | PTE_PRESENT | PTE_WRITE | PTE_LARGE)

/*
 * Translate va as the MMU would, starting from CR3 (pt->root_phys) and
 * walking pt->levels tables.  Returns whether it is mapped; then *pa is
 * where it goes and *size the size of the leaf.
 */
static bool walk(const struct test_alloc *ta, const struct pagetable *pt,
		 uint64_t va, uint64_t *pa, uint64_t *size)
{
	uint64_t table = pt->root_phys;

	for (int level = (int)pt->levels; level >= 1; level--) {
		const uint64_t *t = ta_virt((void *)ta, table);
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e;

		if (!t)
			fail_msg("table 0x%llx was never allocated",
				 (unsigned long long)table);
		e = t[(va >> shift) & 511];
		if (!(e & PTE_PRESENT))
			return false;
		assert_int_equal(e & ~ALLOWED_BITS, 0);
		assert_true(e & PTE_WRITE);
		/* PS is reserved in PML4 and PML5 entries, PAT in a PTE */
		if (level >= 4 || level == 1)
			assert_false(e & PTE_LARGE);
		if (level == 1 || (e & PTE_LARGE)) {
			uint64_t sz = 1ULL << shift;
			uint64_t base = e & PTE_ADDR_MASK;

			/* a large leaf's base is aligned (and PAT, bit 12, clear) */
			assert_int_equal(base % sz, 0);
			*pa = base + (va & (sz - 1));
			*size = sz;
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	return false;
}

static uint64_t leaf_size(const struct test_alloc *ta,
			  const struct pagetable *pt, uint64_t va)
{
	uint64_t pa, size;

	if (!walk(ta, pt, va, &pa, &size))
		fail_msg("0x%llx is not mapped", (unsigned long long)va);
	if (pa != va)
		fail_msg("0x%llx maps to 0x%llx", (unsigned long long)va,
			 (unsigned long long)pa);
	return size;
}

static void expect_mapped(const struct test_alloc *ta,
			  const struct pagetable *pt, uint64_t va, uint64_t size)
{
	uint64_t got = leaf_size(ta, pt, va);

	if (got != size)
		fail_msg("0x%llx is in a 0x%llx leaf, expected 0x%llx",
			 (unsigned long long)va, (unsigned long long)got,
			 (unsigned long long)size);
}

static void expect_unmapped(const struct test_alloc *ta,
			    const struct pagetable *pt, uint64_t va)
{
	uint64_t pa, size;

	if (walk(ta, pt, va, &pa, &size))
		fail_msg("0x%llx is mapped (to 0x%llx)", (unsigned long long)va,
			 (unsigned long long)pa);
}

/* The leaf a fresh table should use for va when [rs, re) (4 KiB-aligned)
 * was mapped alone: the largest allowed aligned block inside the range. */
static uint64_t expected_leaf(uint64_t va, uint64_t rs, uint64_t re, bool gb)
{
	static const uint64_t sizes[] = { P1G, P2M };

	for (int i = 0; i < 2; i++) {
		uint64_t s = sizes[i], b = va & ~(s - 1);

		if ((s != P1G || gb) && b >= rs && b + s <= re)
			return s;
	}
	return P4K;
}

/*
 * Walk leaf by leaf from a page below the rounded-out range to a page past
 * it: everything inside maps to itself with the largest leaf that fits,
 * and the pages on either side are not mapped.
 */
static void check_alone(const struct test_alloc *ta, const struct pagetable *pt,
			uint64_t start, uint64_t end)
{
	uint64_t rs = start & ~(P4K - 1), re = (end + P4K - 1) & ~(P4K - 1);
	uint64_t a = rs;

	if (rs >= 2 * P4K) {
		expect_unmapped(ta, pt, rs - P4K);
		expect_unmapped(ta, pt, rs - 2 * P4K);
	}
	while (a < re) {
		uint64_t size = expected_leaf(a, rs, re, pt->gb_pages);

		expect_mapped(ta, pt, a, size);
		expect_mapped(ta, pt, a + size - 1, size);
		a += size;
	}
	if (re < va_top(pt)) {
		expect_unmapped(ta, pt, re);
		expect_unmapped(ta, pt, re + P4K);
	}
}

/* Count the tables reachable from CR3 and the leaves of each size; fails
 * if a table is linked twice (the tables must form a tree). */
struct census {
	size_t tables, leaf4k, leaf2m, leaf1g;
	bool seen[MAX_TABLES];
};

static void census_table(const struct test_alloc *ta, uint64_t phys, int level,
			 struct census *c)
{
	const uint64_t *t = ta_virt((void *)ta, phys);
	size_t idx = (phys - FAKE_PHYS_BASE) / P4K;

	assert_non_null(t);
	assert_false(c->seen[idx]);
	c->seen[idx] = true;
	c->tables++;
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];

		if (!(e & PTE_PRESENT)) {
			assert_int_equal(e, 0);	/* nothing half-written */
			continue;
		}
		if (level == 1)
			c->leaf4k++;
		else if (level == 2 && (e & PTE_LARGE))
			c->leaf2m++;
		else if (level == 3 && (e & PTE_LARGE))
			c->leaf1g++;
		else
			census_table(ta, e & PTE_ADDR_MASK, level - 1, c);
	}
}

static struct census *census(const struct test_alloc *ta,
			     const struct pagetable *pt)
{
	struct census *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	census_table(ta, pt->root_phys, (int)pt->levels, c);
	assert_int_equal(c->tables, pt->pages_used);
	assert_int_equal(c->tables, ta->n);
	return c;
}

static void expect_census(const struct test_alloc *ta,
			  const struct pagetable *pt, size_t tables,
			  size_t l4k, size_t l2m, size_t l1g)
{
	struct census *c = census(ta, pt);

	assert_int_equal(c->tables, tables);
	assert_int_equal(c->leaf4k, l4k);
	assert_int_equal(c->leaf2m, l2m);
	assert_int_equal(c->leaf1g, l1g);
	free(c);
}

static void test_one_page(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000), 0);
	expect_mapped(ta, &pt, 0x1000, P4K);
	expect_mapped(ta, &pt, 0x1fff, P4K);
	expect_unmapped(ta, &pt, 0x0fff);
	expect_unmapped(ta, &pt, 0x2000);
	expect_unmapped(ta, &pt, 0x200000);
	expect_unmapped(ta, &pt, 0x40000000);
	expect_unmapped(ta, &pt, 0x8000000000ULL);
	expect_census(ta, &pt, 4, 1, 0, 0);	/* PML4, PDPT, PD, PT */
	ta_free(ta);
}

static void test_2m_leaf(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 2 * MiB, 4 * MiB), 0);
	check_alone(ta, &pt, 2 * MiB, 4 * MiB);
	expect_mapped(ta, &pt, 3 * MiB + 123, P2M);
	expect_census(ta, &pt, 3, 0, 1, 0);	/* no PT at all */
	ta_free(ta);
}

static void test_1g_leaf_when_allowed(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, GiB, 3 * GiB), 0);
	check_alone(ta, &pt, GiB, 3 * GiB);
	expect_census(ta, &pt, 2, 0, 0, 2);	/* PML4 and PDPT only */
	ta_free(ta);

	/* the same range without 1 GiB pages: 2 MiB leaves in two PDs */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, false);
	assert_int_equal(pt_map(&pt, GiB, 3 * GiB), 0);
	check_alone(ta, &pt, GiB, 3 * GiB);
	expect_census(ta, &pt, 4, 0, 1024, 0);
	ta_free(ta);
}

/* 1 GiB pages only for a whole aligned gigabyte, even when allowed. */
static void test_1g_needs_whole_gigabyte(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, GiB + P2M, 2 * GiB + P2M), 0);
	check_alone(ta, &pt, GiB + P2M, 2 * GiB + P2M);
	expect_census(ta, &pt, 4, 0, 512, 0);
	ta_free(ta);
}

static void test_unaligned_edges(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	/* rounded out to [0x1000, 0x401000): 4 KiB up to 2 MiB, one 2 MiB
	 * leaf, one 4 KiB page past 4 MiB */
	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0x1234, 0x400123), 0);
	check_alone(ta, &pt, 0x1234, 0x400123);
	expect_unmapped(ta, &pt, 0);
	expect_mapped(ta, &pt, 0x1000, P4K);
	expect_mapped(ta, &pt, 0x1fffff, P4K);
	expect_mapped(ta, &pt, 0x200000, P2M);
	expect_mapped(ta, &pt, 0x400fff, P4K);
	expect_unmapped(ta, &pt, 0x401000);
	expect_census(ta, &pt, 5, 511 + 1, 1, 0);
	ta_free(ta);

	/* all three sizes in one range */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, GiB - P4K, 3 * GiB + P2M + 1), 0);
	check_alone(ta, &pt, GiB - P4K, 3 * GiB + P2M + 1);
	expect_mapped(ta, &pt, GiB - 1, P4K);
	expect_mapped(ta, &pt, GiB, P1G);
	expect_mapped(ta, &pt, 3 * GiB, P2M);
	expect_mapped(ta, &pt, 3 * GiB + P2M, P4K);
	expect_unmapped(ta, &pt, 3 * GiB + P2M + P4K);
	ta_free(ta);

	/* a range inside one page */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, false);
	assert_int_equal(pt_map(&pt, 0x5010, 0x5020), 0);
	expect_mapped(ta, &pt, 0x5000, P4K);
	expect_unmapped(ta, &pt, 0x4000);
	expect_unmapped(ta, &pt, 0x6000);
	expect_census(ta, &pt, 4, 1, 0, 0);
	ta_free(ta);
}

static void test_above_4g(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, false);
	assert_int_equal(pt_map(&pt, 4 * GiB + 0xc00, 6 * GiB + P2M + 0x1400), 0);
	check_alone(ta, &pt, 4 * GiB + 0xc00, 6 * GiB + P2M + 0x1400);
	expect_unmapped(ta, &pt, 0);
	expect_unmapped(ta, &pt, 4 * GiB - P4K);
	ta_free(ta);

	/* across a PML4 entry's 512 GiB boundary */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 512 * GiB - P4K, 512 * GiB + P4K), 0);
	check_alone(ta, &pt, 512 * GiB - P4K, 512 * GiB + P4K);
	expect_census(ta, &pt, 7, 2, 0, 0);
	ta_free(ta);

	/* the very top of the 48-bit space */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, VA_TOP - GiB - P2M - P4K, VA_TOP), 0);
	check_alone(ta, &pt, VA_TOP - GiB - P2M - P4K, VA_TOP);
	expect_mapped(ta, &pt, VA_TOP - 1, P1G);
	expect_mapped(ta, &pt, VA_TOP - GiB - 1, P2M);
	expect_mapped(ta, &pt, VA_TOP - GiB - P2M - 1, P4K);
	ta_free(ta);
}

static void test_invalid_ranges(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000), BT_EINVAL);
	assert_int_equal(pt_map(&pt, 0x2000, 0x1000), BT_EINVAL);
	assert_int_equal(pt_map(&pt, 0, VA_TOP + 1), BT_EINVAL);
	assert_int_equal(pt_map(&pt, VA_TOP, VA_TOP + P4K), BT_EINVAL);
	assert_int_equal(pt_map(&pt, VA_TOP - P4K, UINT64_MAX), BT_EINVAL);
	assert_int_equal(pt_map(&pt, 0xffff800000000000ULL, UINT64_MAX),
			 BT_EINVAL);
	/* nothing was touched */
	expect_census(ta, &pt, 1, 0, 0, 0);
	/* the full 48-bit space is the limit, and allowed */
	assert_int_equal(pt_map(&pt, 0, VA_TOP), 0);
	expect_census(ta, &pt, 1 + 512, 0, 0, 512 * 512);
	ta_free(ta);
}

/* Snapshot every table page, to show a second mapping changed nothing. */
static uint8_t *snapshot(const struct test_alloc *ta)
{
	uint8_t *s = malloc(ta->n * 4096);

	assert_non_null(s);
	for (size_t i = 0; i < ta->n; i++)
		memcpy(s + i * 4096, ta->pages[i], 4096);
	return s;
}

static void expect_unchanged(const struct test_alloc *ta, size_t n,
			     const uint8_t *snap)
{
	assert_int_equal(ta->n, n);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(snap + i * 4096, ta->pages[i], 4096);
}

static void test_map_twice(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;
	uint8_t *snap;
	size_t n;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0x3000, 5 * GiB + 0x7000), 0);
	n = ta->n;
	snap = snapshot(ta);
	assert_int_equal(pt_map(&pt, 0x3000, 5 * GiB + 0x7000), 0);
	expect_unchanged(ta, n, snap);
	/* parts of it again, unaligned */
	assert_int_equal(pt_map(&pt, 0x3fff, 0x4001), 0);
	assert_int_equal(pt_map(&pt, 2 * GiB + 5, 4 * GiB + P2M + 7), 0);
	expect_unchanged(ta, n, snap);
	assert_int_equal(pt.pages_used, n);
	free(snap);
	check_alone(ta, &pt, 0x3000, 5 * GiB + 0x7000);
	ta_free(ta);
}

/* A large leaf already there covers a smaller range mapped later. */
static void test_smaller_inside_larger(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;
	uint8_t *snap;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0, GiB), 0);
	assert_int_equal(pt_map(&pt, 2 * GiB, 2 * GiB + P2M), 0);
	snap = snapshot(ta);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000), 0);
	assert_int_equal(pt_map(&pt, 4 * MiB, 6 * MiB), 0);
	assert_int_equal(pt_map(&pt, 2 * GiB + 0x5000, 2 * GiB + 0x6000), 0);
	expect_unchanged(ta, 3, snap);
	free(snap);
	expect_mapped(ta, &pt, 0x1000, P1G);
	expect_mapped(ta, &pt, 2 * GiB + 0x5000, P2M);
	/* a range straddling a large leaf: only the part outside is new */
	assert_int_equal(pt_map(&pt, 2 * GiB + P2M - P4K, 2 * GiB + P2M + P4K), 0);
	expect_mapped(ta, &pt, 2 * GiB + P2M - P4K, P2M);
	expect_mapped(ta, &pt, 2 * GiB + P2M, P4K);
	expect_unmapped(ta, &pt, 2 * GiB + P2M + P4K);
	expect_census(ta, &pt, 4, 1, 1, 1);
	ta_free(ta);
}

/* A table already there is descended into, not replaced by a leaf: what
 * it maps stays mapped and no page is lost. */
static void test_larger_over_smaller(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 2 * MiB + 0x5000, 2 * MiB + 0x6000), 0);
	expect_census(ta, &pt, 4, 1, 0, 0);
	assert_int_equal(pt_map(&pt, 0, 2 * GiB), 0);
	/* the first gigabyte had a PD: 2 MiB leaves, except the block that
	 * had a PT, now full of 4 KiB pages; the second is one 1 GiB leaf */
	expect_census(ta, &pt, 4, 512, 511, 1);
	expect_mapped(ta, &pt, 0, P2M);
	expect_mapped(ta, &pt, 2 * MiB, P4K);
	expect_mapped(ta, &pt, 2 * MiB + 0x5000, P4K);
	expect_mapped(ta, &pt, 4 * MiB - 1, P4K);
	expect_mapped(ta, &pt, 4 * MiB, P2M);
	expect_mapped(ta, &pt, GiB - 1, P2M);
	expect_mapped(ta, &pt, GiB, P1G);
	expect_mapped(ta, &pt, 2 * GiB - 1, P1G);
	expect_unmapped(ta, &pt, 2 * GiB);
	ta_free(ta);
}

static void test_overlapping_ranges(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt(&pt, ta, false);
	assert_int_equal(pt_map(&pt, 0x100000, 0x500000), 0);
	assert_int_equal(pt_map(&pt, 0x300000, 0x900123), 0);
	for (uint64_t a = 0xf0000; a < 0x90a000; a += P4K) {
		if (a >= 0x100000 && a < 0x901000)
			leaf_size(ta, &pt, a);
		else
			expect_unmapped(ta, &pt, a);
	}
	/* [4M, 6M) already had a PT from the first range's 4 KiB tail: the
	 * second range fills it in rather than using a 2 MiB leaf */
	expect_mapped(ta, &pt, 0x100000, P4K);
	expect_mapped(ta, &pt, 0x200000, P2M);
	expect_mapped(ta, &pt, 0x3fffff, P2M);
	expect_mapped(ta, &pt, 0x400000, P4K);
	expect_mapped(ta, &pt, 0x5ff000, P4K);
	expect_mapped(ta, &pt, 0x600000, P2M);
	expect_mapped(ta, &pt, 0x800000, P4K);
	expect_mapped(ta, &pt, 0x900000, P4K);
	ta_free(ta);
}

/* Every allocation the build makes may fail; each failure is reported,
 * with the allocator's own code, and leaves well-formed tables. */
static void test_allocator_failure(void **state)
{
	struct pt_alloc a;
	struct pagetable pt;
	struct test_alloc *ta;
	size_t need;
	int rc;

	ta = ta_new(0, BT_ENOMEM);
	a = (struct pt_alloc){ ta, ta_page, ta_virt };
	assert_int_equal(pt_init(&pt, &a, true, 4), BT_ENOMEM);
	assert_int_equal(pt.pages_used, 0);
	ta_free(ta);

	/* how many pages the mapping needs when nothing fails */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt(&pt, ta, true);
	assert_int_equal(pt_map(&pt, 0x1000, 513 * GiB + 0x3000), 0);
	need = ta->n;
	ta_free(ta);
	assert_true(need > 6);

	for (size_t limit = 1; limit < need; limit++) {
		ta = ta_new(limit, limit % 2 ? BT_ENOMEM : BT_EIO);
		setup_pt(&pt, ta, true);
		rc = pt_map(&pt, 0x1000, 513 * GiB + 0x3000);
		assert_int_equal(rc, limit % 2 ? BT_ENOMEM : BT_EIO);
		assert_int_equal(pt.pages_used, limit);
		free(census(ta, &pt));	/* still a tree, counts right */
		ta_free(ta);
	}
}

/* An allocator whose page cannot be linked from an entry. */
static int bad_phys_page(void *ctx, void **virt, uint64_t *phys)
{
	int rc = ta_page(ctx, virt, phys);

	*phys += 0x800;
	return rc;
}

static void test_unlinkable_page(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pt_alloc a = { ta, bad_phys_page, ta_virt };
	struct pagetable pt;

	assert_int_equal(pt_init(&pt, &a, true, 4), BT_EINVAL);
	assert_int_equal(pt.pages_used, 1);	/* counted: it was handed out */
	ta_free(ta);
}

/* The depth follows CR4.LA57 (bit 12) and nothing else. */
static void test_levels_for_cr4(void **state)
{
	assert_int_equal(pt_levels_for_cr4(0), 4);
	assert_int_equal(pt_levels_for_cr4(1ULL << 12), 5);
	/* PAE, PGE, OSFXSR, OSXMMEXCPT, VMXE, FSGSBASE, PCIDE, OSXSAVE: not LA57 */
	assert_int_equal(pt_levels_for_cr4(0x00070620 | (1 << 5) | (1 << 7) |
					   (1 << 13) | (1 << 16) | (1 << 17) |
					   (1 << 18)), 4);
	assert_int_equal(pt_levels_for_cr4(~0ULL), 5);
	assert_int_equal(pt_levels_for_cr4(~(1ULL << 12)), 4);
}

/* Only 4- and 5-level tables exist; anything else is refused before an
 * allocation. */
static void test_init_other_depths(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pt_alloc a = { ta, ta_page, ta_virt };
	struct pagetable pt;

	assert_int_equal(pt_init(&pt, &a, true, 3), BT_EINVAL);
	assert_int_equal(pt_init(&pt, &a, true, 6), BT_EINVAL);
	assert_int_equal(pt_init(&pt, &a, true, 0), BT_EINVAL);
	assert_int_equal(ta->n, 0);
	ta_free(ta);
}

/* Under LA57 one page needs a PML5 above the usual four tables. */
static void test_5level_one_page(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;

	setup_pt_levels(&pt, ta, true, 5);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000), 0);
	check_alone(ta, &pt, 0x1000, 0x2000);
	expect_census(ta, &pt, 5, 1, 0, 0);	/* PML5, PML4, PDPT, PD, PT */
	ta_free(ta);

	/* the handoff's usual map, the low 4 GiB, in 1 GiB leaves */
	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt_levels(&pt, ta, true, 5);
	assert_int_equal(pt_map(&pt, 0, 4 * GiB), 0);
	check_alone(ta, &pt, 0, 4 * GiB);
	expect_census(ta, &pt, 3, 0, 0, 4);
	ta_free(ta);
}

/* 5-level tables reach past 2^48, which 4-level tables refuse: across the
 * first PML5 entry's edge and up to 2^52, where physical addresses (and so
 * an identity map) end, though the tables could translate 2^57. */
static void test_5level_above_48_bits(void **state)
{
	struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
	struct pagetable pt;
	uint64_t top52 = 1ULL << 52;

	setup_pt_levels(&pt, ta, true, 5);
	assert_int_equal(pt_map(&pt, VA_TOP - P4K, VA_TOP + GiB), 0);
	check_alone(ta, &pt, VA_TOP - P4K, VA_TOP + GiB);
	expect_mapped(ta, &pt, VA_TOP - 1, P4K);
	expect_mapped(ta, &pt, VA_TOP, P1G);
	/* PML5; PML4, PDPT, PD, PT below 2^48; PML4, PDPT above */
	expect_census(ta, &pt, 7, 1, 0, 1);
	ta_free(ta);

	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt_levels(&pt, ta, false, 5);
	assert_int_equal(pt_map(&pt, top52 - P2M - P4K, top52), 0);
	check_alone(ta, &pt, top52 - P2M - P4K, top52);
	expect_mapped(ta, &pt, top52 - 1, P2M);
	expect_unmapped(ta, &pt, top52 - P2M - 2 * P4K);
	assert_int_equal(pt_map(&pt, top52 - P4K, top52 + P4K), BT_EINVAL);
	assert_int_equal(pt_map(&pt, top52, top52 + P4K), BT_EINVAL);
	assert_int_equal(pt_map(&pt, 1ULL << 56, (1ULL << 56) + P4K), BT_EINVAL);
	ta_free(ta);

	ta = ta_new(MAX_TABLES, BT_ENOMEM);
	setup_pt_levels(&pt, ta, true, 4);
	assert_int_equal(pt_map(&pt, VA_TOP - P4K, VA_TOP + GiB), BT_EINVAL);
	assert_int_equal(ta->n, 1);
	ta_free(ta);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random range whose edges like to sit on or near page boundaries. */
static void random_range(uint64_t *rng, uint64_t *start, uint64_t *end)
{
	static const uint64_t grains[] = { 1, P4K, P2M, P1G };
	uint64_t g = grains[rng_next(rng) % 4];
	uint64_t s = (rng_next(rng) % (2 * TiB)) / g * g;
	uint64_t len = 1 + rng_next(rng) % (rng_next(rng) % 2 ? 8 * MiB : 6 * GiB);

	if (rng_next(rng) % 3 == 0)
		s += rng_next(rng) % 3 * P4K;
	*start = s;
	*end = s + len;
}

static void test_random_ranges(void **state)
{
	uint64_t rng = 0x243f6a8885a308d3ULL;

	for (int round = 0; round < 150; round++) {
		struct test_alloc *ta = ta_new(MAX_TABLES, BT_ENOMEM);
		struct pagetable pt;
		uint64_t s, e;

		setup_pt(&pt, ta, round % 2);
		random_range(&rng, &s, &e);
		assert_int_equal(pt_map(&pt, s, e), 0);
		check_alone(ta, &pt, s, e);
		if (!pt.gb_pages) {
			struct census *c = census(ta, &pt);

			assert_int_equal(c->leaf1g, 0);
			free(c);
		}
		ta_free(ta);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_2m_leaf),
		cmocka_unit_test(test_1g_leaf_when_allowed),
		cmocka_unit_test(test_1g_needs_whole_gigabyte),
		cmocka_unit_test(test_unaligned_edges),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_invalid_ranges),
		cmocka_unit_test(test_map_twice),
		cmocka_unit_test(test_smaller_inside_larger),
		cmocka_unit_test(test_larger_over_smaller),
		cmocka_unit_test(test_overlapping_ranges),
		cmocka_unit_test(test_allocator_failure),
		cmocka_unit_test(test_unlinkable_page),
		cmocka_unit_test(test_random_ranges),
		cmocka_unit_test(test_levels_for_cr4),
		cmocka_unit_test(test_init_other_depths),
		cmocka_unit_test(test_5level_one_page),
		cmocka_unit_test(test_5level_above_48_bits),
	};

	return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
