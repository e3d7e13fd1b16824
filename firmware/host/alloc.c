/*
 * bt_alloc() and friends for host builds, on top of malloc.  Tests can make
 * the n-th allocation from now fail (host_alloc_fail_after) to prove that
 * out-of-memory is reported, not crashed on.
 */
#include <stdlib.h>
#include "lib/mem.h"
#include "firmware/host/host.h"

static long fail_countdown = -1;

void host_alloc_fail_after(long n)
{
	fail_countdown = n;
}

static bool should_fail(void)
{
	if (fail_countdown < 0)
		return false;
	if (fail_countdown == 0)
		return true;
	fail_countdown--;
	return false;
}

void *bt_alloc(size_t n)
{
	return should_fail() ? NULL : malloc(n ? n : 1);
}

void *bt_zalloc(size_t n)
{
	return should_fail() ? NULL : calloc(1, n ? n : 1);
}

void *bt_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void bt_free(void *p)
{
	free(p);
}
