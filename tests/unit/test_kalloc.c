/* loader/kalloc.c: allocations never land in a destination, also with a
 * firmware that allocates bottom-up (the host double does). */
#include "tests/unit/helpers.h"
#include "loader/kalloc.h"
#include "firmware/host/host.h"

static void test_avoids_destinations(void **state)
{
	struct fw fw;
	struct kimage ki;
	char err[200];
	uint64_t base, addr, i;

	host_fw_init(&fw);
	host_fw_ram(&fw, 4096);		/* 16 MiB */
	base = (uintptr_t)fw.ram;
	kimage_init(&ki, KIMAGE_LONG_MODE);
	/* A 12 MiB destination from the second page of RAM: the first free
	 * pages bottom-up are all inside it. */
	assert_int_equal(kimage_add(&ki, 0, 0x1000, base + PAGE_SIZE, 12 << 20,
				    "kernel", err, sizeof(err)), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(kalloc_pages(&fw, &ki, 3, UINT64_MAX, &addr), 0);
		assert_false(kimage_hits_destination(&ki, addr, addr + 3 * PAGE_SIZE));
	}
	/* The held pages were given back: the destination is free again. */
	for (i = 1; i < (12 << 20) / PAGE_SIZE; i++)
		assert_int_equal(fw.page_used[i], 0);
	/* No room outside the destination below a limit: a clean failure. */
	assert_int_equal(kalloc_pages(&fw, &ki, 2, base + 0x2000 - 1, &addr), BT_ENOMEM);
	host_fw_free(&fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_avoids_destinations),
	};

	return cmocka_run_group_tests_name("kalloc", tests, NULL, NULL);
}
