/* kexec/kalloc.c: allocations never land in a destination, also with a
 * firmware that allocates bottom-up (the host double does). */
#include "tests/unit/helpers.h"
#include "kexec/kalloc.h"
#include "tests/unit/rig.h"

static void test_avoids_destinations(void **state)
{
	struct rig r;
	struct kimage ki;
	char err[200];
	uint64_t base, addr, i;

	rig_init(&r, 4096);		/* 16 MiB */
	base = (uintptr_t)r.fw.ram;
	kimage_init(&ki, KIMAGE_LONG_MODE);
	/* A 12 MiB destination from the second page of RAM: the first free
	 * pages bottom-up are all inside it. */
	assert_int_equal(kimage_add(&ki, 0, 0x1000, base + PAGE_SIZE, 12 << 20,
				    "kernel", err, sizeof(err)), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(kalloc_pages(&r.fw, &ki, 3, UINT64_MAX, &addr), 0);
		assert_false(kimage_hits_destination(&ki, addr, addr + 3 * PAGE_SIZE));
	}
	/* The held pages were given back: the destination is free again. */
	for (i = 1; i < (12 << 20) / PAGE_SIZE; i++)
		assert_int_equal(r.fw.page_used[i], 0);
	/* No room outside the destination below a limit: a clean failure. */
	assert_int_equal(kalloc_pages(&r.fw, &ki, 2, base + 0x2000 - 1, &addr),
			 BT_ENOMEM);
	rig_free(&r);
}

/* Pages of fw's RAM in use. */
static uint64_t used_pages(const struct fw *fw)
{
	uint64_t i, n = 0;

	for (i = 0; i < fw->ram_pages; i++)
		n += fw->page_used[i] != 0;
	return n;
}

static uint64_t page_addr(const struct fw *fw, uint64_t page)
{
	return (uintptr_t)fw->ram + page * PAGE_SIZE;
}

/* A block kalloc_pages gave: whole pages of RAM at or below max, taken
 * from the firmware, outside every destination of ki. */
static void expect_good_block(const struct fw *fw, const struct kimage *ki,
			      uint64_t addr, uint64_t npages, uint64_t max)
{
	uint64_t first = (addr - page_addr(fw, 0)) / PAGE_SIZE, i;

	assert_true(addr >= page_addr(fw, 0));
	assert_int_equal((addr - page_addr(fw, 0)) % PAGE_SIZE, 0);
	assert_true(first + npages <= fw->ram_pages);
	assert_true(addr + npages * PAGE_SIZE - 1 <= max);
	assert_false(kimage_hits_destination(ki, addr, addr + npages * PAGE_SIZE));
	for (i = 0; i < npages; i++)
		assert_int_equal(fw->page_used[first + i], 1);
}

/* Destination (copied from a source outside RAM) over pages [first, end). */
static void add_dest(struct fw *fw, struct kimage *ki, uint64_t first,
		     uint64_t end, const char *name)
{
	char err[200];

	assert_int_equal(kimage_add(ki, 0, 0x1000, page_addr(fw, first),
				    (end - first) * PAGE_SIZE, name, err,
				    sizeof(err)), 0);
}

/*
 * Three destinations with gaps of 3, 5 and 7 pages between them and free
 * RAM above: blocks of 1, 2 and 4 pages fill the gaps first (the firmware
 * allocates bottom-up) and none lands in a destination; once everything is
 * given back, all RAM is free again.
 */
static void test_several_destinations(void **state)
{
	static const uint64_t sizes[] = { 4, 2, 1 };
	uint64_t addr[64], npages[64], i, n = 0, below_top = 0;
	struct rig r;
	struct kimage ki;

	rig_init(&r, 512);
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_dest(&r.fw, &ki, 0, 40, "kernel");
	add_dest(&r.fw, &ki, 43, 100, "initrd");
	add_dest(&r.fw, &ki, 105, 200, "module");
	add_dest(&r.fw, &ki, 207, 300, "other");
	/* 24 blocks: more make the step-over search meet more than
	 * KALLOC_HOLD_MAX taken blocks above the destinations and fail,
	 * although RAM above is free (a known limit with a bottom-up
	 * firmware). */
	for (i = 0; i < 24; i++) {
		npages[n] = sizes[i % 3];
		assert_int_equal(kalloc_pages(&r.fw, &ki, npages[n], UINT64_MAX,
					      &addr[n]), 0);
		expect_good_block(&r.fw, &ki, addr[n], npages[n], UINT64_MAX);
		if (addr[n] < page_addr(&r.fw, 300))
			below_top += npages[n];
		n++;
	}
	/* The gaps between destinations were used, not only the RAM above. */
	assert_true(below_top >= 3 + 5);
	for (i = 0; i < n; i++)
		fw_free_pages(&r.fw, addr[i], npages[i]);
	assert_int_equal(used_pages(&r.fw), 0);
	rig_free(&r);
}

/*
 * A segment loaded in place (source == destination, as baton does for
 * boot_params and initrds) lies in pages its owner already holds: kalloc
 * steps past it by the firmware's refusal, not by holding its pages, and
 * never returns them.
 */
static void test_in_place_segment(void **state)
{
	struct rig r;
	struct kimage ki;
	uint64_t addr, in_place, i;
	char err[200];

	rig_init(&r, 256);
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_dest(&r.fw, &ki, 0, 8, "kernel");
	in_place = page_addr(&r.fw, 8);
	assert_int_equal(fw_alloc_pages_at(&r.fw, in_place, 8), 0);
	assert_int_equal(kimage_add(&ki, in_place, 5000, in_place, 8 * PAGE_SIZE,
				    "boot_params", err, sizeof(err)), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(kalloc_pages(&r.fw, &ki, 2, UINT64_MAX, &addr), 0);
		expect_good_block(&r.fw, &ki, addr, 2, UINT64_MAX);
		assert_true(addr >= page_addr(&r.fw, 16));
	}
	/* 10 blocks of 2 pages, the in-place segment's 8, nothing held. */
	assert_int_equal(used_pages(&r.fw), 20 + 8);
	rig_free(&r);
}

/*
 * After a hit kalloc looks below the destination first; when nothing is
 * free there it searches up to max again.  Page 0 is taken, a one-block
 * destination follows, then more taken blocks than the step-over search
 * tries: only the search up to max finds the free RAM above them.
 */
static void test_falls_back_to_max(void **state)
{
	struct rig r;
	struct kimage ki;
	uint64_t addr, used = 1 + 80;

	rig_init(&r, 256);
	kimage_init(&ki, KIMAGE_LONG_MODE);
	assert_int_equal(fw_alloc_pages_at(&r.fw, page_addr(&r.fw, 0), 1), 0);
	add_dest(&r.fw, &ki, 1, 2, "kernel");
	assert_int_equal(fw_alloc_pages_at(&r.fw, page_addr(&r.fw, 2), 80), 0);
	assert_int_equal(kalloc_pages(&r.fw, &ki, 1, UINT64_MAX, &addr), 0);
	expect_good_block(&r.fw, &ki, addr, 1, UINT64_MAX);
	assert_int_equal(addr, page_addr(&r.fw, 82));
	assert_int_equal(r.fw.page_used[1], 0);	/* the held block given back */
	assert_int_equal(used_pages(&r.fw), used + 1);
	/* With max below the free RAM there is nowhere to fall back to. */
	assert_int_equal(kalloc_pages(&r.fw, &ki, 1, page_addr(&r.fw, 83) - 1, &addr),
			 BT_ENOMEM);
	assert_int_equal(used_pages(&r.fw), used + 1);
	rig_free(&r);
}

/*
 * Exhaustion: the free pages outside the destinations are handed out to
 * the last block, then kalloc fails cleanly; whatever it held on the way
 * (here more than it can hold at once) is given back each time.
 */
static void test_exhaustion(void **state)
{
	struct rig r;
	struct kimage ki;
	uint64_t addr, i;

	rig_init(&r, 200);
	kimage_init(&ki, KIMAGE_LONG_MODE);
	add_dest(&r.fw, &ki, 0, 150, "kernel");
	add_dest(&r.fw, &ki, 166, 200, "initrd");
	for (i = 0; i < 4; i++) {
		assert_int_equal(kalloc_pages(&r.fw, &ki, 4, UINT64_MAX, &addr), 0);
		expect_good_block(&r.fw, &ki, addr, 4, UINT64_MAX);
	}
	assert_int_equal(used_pages(&r.fw), 16);
	assert_int_equal(kalloc_pages(&r.fw, &ki, 4, UINT64_MAX, &addr), BT_ENOMEM);
	assert_int_equal(kalloc_pages(&r.fw, &ki, 1, UINT64_MAX, &addr), BT_ENOMEM);
	assert_int_equal(used_pages(&r.fw), 16);
	for (i = 150; i < 166; i++)
		assert_int_equal(r.fw.page_used[i], 1);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_avoids_destinations),
		cmocka_unit_test(test_several_destinations),
		cmocka_unit_test(test_in_place_segment),
		cmocka_unit_test(test_falls_back_to_max),
		cmocka_unit_test(test_exhaustion),
	};

	return cmocka_run_group_tests_name("kalloc", tests, NULL, NULL);
}
