/*
 * bt_alloc() and friends for host builds, on top of malloc.  Tests can make
 * the n-th allocation from now fail (host_alloc_fail_after) to prove that
 * out-of-memory is reported, not crashed on, and count the blocks still
 * allocated (host_alloc_live) to prove that a failed run gave back all it
 * took.
 */
#include <stdlib.h>
#include "lib/mem.h"
#include "firmware/host/host.h"

static long fail_countdown = -1;
static long live;		/* blocks from bt_* not yet freed */

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

long host_alloc_live(void)
{
	return live;
}

/* Count a new block (p from malloc, calloc or realloc(NULL, ...)). */
static void *counted(void *p)
{
	if (p)
		live++;
	return p;
}

void *bt_alloc(size_t n)
{
	return should_fail() ? NULL : counted(malloc(n ? n : 1));
}

void *bt_zalloc(size_t n)
{
	return should_fail() ? NULL : counted(calloc(1, n ? n : 1));
}

void *bt_realloc(void *p, size_t n)
{
	void *q;

	if (should_fail())
		return NULL;
	q = realloc(p, n ? n : 1);
	return p ? q : counted(q);
}

void bt_free(void *p)
{
	if (p)
		live--;
	free(p);
}
