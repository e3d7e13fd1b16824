/*
 * kexec/kload.c, the common kexec path, through a recording backend of the
 * test's own: every backend call is appended to a trace ("alloc:3 prepare
 * exec cleanup free:3"), pages come from the host double's RAM arena
 * (firmware/host/fw.c) and are counted, and any one op can be told to fail.
 *
 * The handover: a backend's exec returns only when it failed before the
 * point of no return.  The recording exec simulates a handover that worked
 * by longjmp-ing back to boot() below, which returns BOOT_HANDED_OVER; so
 * kload_boot never returns from a good boot, as on a machine, and what it
 * allocated stays allocated until the test releases it.  Told to fail,
 * exec returns its code with a message like any failure.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "kexec/backend.h"
#include "kexec/kimage.h"
#include "kexec/kload.h"
#include "lib/fmt.h"

#define RAM_PAGES 256
#define BOOT_HANDED_OVER 1000	/* boot(): exec longjmp-ed back */

struct block {
	uint64_t addr, pages;
};

/* The machine (the shared rig), the kload and the recording backend's
 * state.  kl comes first: the backend's ops get &kl and find the krig from
 * it. */
struct krig {
	struct kload kl;
	struct rig rig;
	char trace[1024];
	const char *fail_op;		/* op to fail ("alloc", "prepare", ...) */
	long fail_skip;			/* calls of it to let through first */
	int fail_rc;
	uint64_t outstanding;		/* pages allocated and not freed */
	struct block allocs[64], frees[64];
	size_t n_allocs, n_frees;
	uint64_t last_alloc_max;
	size_t segs_at_prepare;		/* kl.ki.nr when prepare ran */
};

static struct krig *krig_of(struct kload *kl)
{
	return (struct krig *)kl;
}

static void record(struct krig *r, const char *op, uint64_t pages)
{
	size_t n = strlen(r->trace);
	char word[40];

	if (pages)
		snprintf(word, sizeof(word), "%s:%llu", op, (unsigned long long)pages);
	else
		snprintf(word, sizeof(word), "%s", op);
	snprintf(r->trace + n, sizeof(r->trace) - n, "%s%s", n ? " " : "", word);
}

/* Whether this call of op is the one told to fail. */
static bool failing(struct krig *r, const char *op)
{
	if (!r->fail_op || strcmp(r->fail_op, op))
		return false;
	return r->fail_skip-- == 0;
}

static void note_alloc(struct krig *r, uint64_t addr, uint64_t pages)
{
	assert_true(r->n_allocs < sizeof(r->allocs) / sizeof(r->allocs[0]));
	r->allocs[r->n_allocs++] = (struct block){ addr, pages };
	r->outstanding += pages;
}

static int rec_alloc(struct kload *kl, uint64_t npages, uint64_t max,
		     uint64_t *addr)
{
	struct krig *r = krig_of(kl);
	int rc;

	record(r, "alloc", npages);
	r->last_alloc_max = max;
	if (failing(r, "alloc"))
		return r->fail_rc;
	rc = fw_alloc_pages(kl->fw, npages, max, addr);
	if (!rc)
		note_alloc(r, *addr, npages);
	return rc;
}

static int rec_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages)
{
	struct krig *r = krig_of(kl);
	int rc;

	record(r, "alloc_at", npages);
	if (failing(r, "alloc_at"))
		return r->fail_rc;
	rc = fw_alloc_pages_at(kl->fw, addr, npages);
	if (!rc)
		note_alloc(r, addr, npages);
	return rc;
}

static void rec_free(struct kload *kl, uint64_t addr, uint64_t npages)
{
	struct krig *r = krig_of(kl);

	record(r, "free", npages);
	assert_true(r->n_frees < sizeof(r->frees) / sizeof(r->frees[0]));
	assert_true(npages <= r->outstanding);
	r->frees[r->n_frees++] = (struct block){ addr, npages };
	r->outstanding -= npages;
	fw_free_pages(kl->fw, addr, npages);
}

static int rec_prepare(struct kload *kl, char *err, size_t errlen)
{
	struct krig *r = krig_of(kl);

	record(r, "prepare", 0);
	r->segs_at_prepare = kl->ki.nr;
	if (failing(r, "prepare")) {
		fmt_buf(err, errlen, "test prepare: no room for the control pages");
		return r->fail_rc;
	}
	return 0;
}

static void rec_cleanup(struct kload *kl)
{
	record(krig_of(kl), "cleanup", 0);
}

static int rec_exec(struct kload *kl, const struct kload_opts *o, char *err,
		    size_t errlen)
{
	struct krig *r = krig_of(kl);

	(void)o;
	record(r, "exec", 0);
	if (failing(r, "exec")) {
		fmt_buf(err, errlen, "test exec: cannot read the final memory map");
		return r->fail_rc;
	}
	longjmp(r->rig.jb, 1);	/* the handover */
}

static const struct kexec_backend rec_backend = {
	.name = "recording",
	.alloc = rec_alloc,
	.alloc_at = rec_alloc_at,
	.free = rec_free,
	.prepare = rec_prepare,
	.cleanup = rec_cleanup,
	.exec = rec_exec,
};

/* A machine with RAM_PAGES pages and a kload on the recording backend. */
static void krig_init(struct krig *r)
{
	memset(r, 0, sizeof(*r));
	rig_init(&r->rig, RAM_PAGES);
	assert_int_equal(kload_init(&r->kl, &r->rig.fw, KIMAGE_LONG_MODE,
				    r->rig.err, sizeof(r->rig.err)), 0);
	r->kl.be = &rec_backend;
	r->fail_rc = BT_EIO;
}

static uint64_t ram_pages_used(const struct krig *r)
{
	uint64_t i, n = 0;

	for (i = 0; i < r->rig.fw.ram_pages; i++)
		n += r->rig.fw.page_used[i] != 0;
	return n;
}

/* Everything given back: by the backend's count and in the RAM arena, the
 * list of blocks to free empty. */
static void expect_all_released(const struct krig *r)
{
	assert_int_equal(r->outstanding, 0);
	assert_int_equal(ram_pages_used(r), 0);
	assert_int_equal(r->kl.n_allocs, 0);
	assert_null(r->kl.map.r);
}

static void krig_free(struct krig *r)
{
	kload_release(&r->kl);	/* no-op after a failed boot */
	expect_all_released(r);
	rig_free(&r->rig);
}

/* kload_boot, catching the simulated handover.  setjmp is here, not in the
 * test, so that nothing in the test's frame is indeterminate after it. */
static int boot(struct krig *r)
{
	struct kload_opts o = { .quiesce = true };

	if (setjmp(r->rig.jb))
		return BOOT_HANDED_OVER;
	return kload_boot(&r->kl, &o, r->rig.err, sizeof(r->rig.err));
}

/* A one-page kernel loaded in place, entered at its start. */
static uint64_t add_kernel(struct krig *r)
{
	uint64_t addr;

	assert_int_equal(kload_alloc(&r->kl, 1, UINT64_MAX, &addr), 0);
	assert_int_equal(kload_add_in_place(&r->kl, addr, 100, "kernel", r->rig.err,
					    sizeof(r->rig.err)), 0);
	r->kl.ki.entry = addr;
	return addr;
}

/* Pages kload_boot's final map buffer takes on the host double. */
static uint64_t final_map_pages(struct krig *r)
{
	return (fw_memmap_bytes(&r->rig.fw) + 2 * PAGE_SIZE + PAGE_SIZE - 1) /
	       PAGE_SIZE;
}

/* ---------------------------------------------------------- the tests */

static void test_default_backend(void **state)
{
	struct kload kl;
	struct rig r;

	(void)state;
	rig_init(&r, 16);
	assert_int_equal(kload_init(&kl, &r.fw, KIMAGE_LONG_MODE, r.err,
				    sizeof(r.err)), 0);
	assert_ptr_equal(kl.be, &kexec_uefi_backend);
	assert_string_equal(kl.be->name, "uefi");
	kload_release(&kl);
	rig_free(&r);
}

/* A good image: final map, then prepare, then exec, which hands over. */
static void test_good_image(void **state)
{
	struct krig r;
	char want[128];

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	assert_int_equal(boot(&r), BOOT_HANDED_OVER);
	snprintf(want, sizeof(want), "alloc:1 alloc:%llu prepare exec",
		 (unsigned long long)final_map_pages(&r));
	assert_string_equal(r.trace, want);
	/* Nothing given back: the image owns it now. */
	assert_int_equal(r.outstanding, 1 + final_map_pages(&r));
	assert_int_equal(r.kl.n_allocs, 2);
	krig_free(&r);
}

/* A destination outside RAM: kimage_validate's message, no prepare. */
static void test_invalid_outside_ram(void **state)
{
	struct krig r;
	char want[256];
	uint64_t src, dst;

	(void)state;
	krig_init(&r);
	src = add_kernel(&r);
	dst = (uintptr_t)r.rig.fw.ram + RAM_PAGES * PAGE_SIZE;	/* just above */
	assert_int_equal(kimage_add(&r.kl.ki, src, 100, dst, PAGE_SIZE, "module",
				    r.rig.err, sizeof(r.rig.err)), 0);
	assert_int_equal(boot(&r), BT_EINVAL);
	snprintf(want, sizeof(want), "segment 'module' [0x%llx-0x%llx) is not in "
		 "RAM that is free after ExitBootServices",
		 (unsigned long long)dst, (unsigned long long)(dst + PAGE_SIZE));
	assert_string_equal(r.rig.err, want);
	snprintf(want, sizeof(want), "alloc:1 alloc:%llu free:%llu free:1",
		 (unsigned long long)final_map_pages(&r),
		 (unsigned long long)final_map_pages(&r));
	assert_string_equal(r.trace, want);
	expect_all_released(&r);
	krig_free(&r);
}

/* Two segments over the same page: the overlap message, no prepare. */
static void test_invalid_overlap(void **state)
{
	struct krig r;
	char want[256];
	uint64_t k, buf;

	(void)state;
	krig_init(&r);
	k = add_kernel(&r);
	assert_int_equal(kload_alloc(&r.kl, 1, UINT64_MAX, &buf), 0);
	assert_int_equal(kimage_add(&r.kl.ki, buf, 8, k, 8, "initrd", r.rig.err,
				    sizeof(r.rig.err)), 0);
	assert_int_equal(boot(&r), BT_EINVAL);
	snprintf(want, sizeof(want), "segment 'initrd' [0x%llx-0x%llx) overlaps "
		 "'kernel' [0x%llx-0x%llx)", (unsigned long long)k,
		 (unsigned long long)(k + PAGE_SIZE), (unsigned long long)k,
		 (unsigned long long)(k + PAGE_SIZE));
	assert_string_equal(r.rig.err, want);
	assert_null(strstr(r.trace, "prepare"));
	assert_null(strstr(r.trace, "exec"));
	expect_all_released(&r);
	krig_free(&r);
}

/* prepare fails: its code and message, no exec, no cleanup, all freed. */
static void test_prepare_fails(void **state)
{
	struct krig r;
	char want[128];
	uint64_t fm;

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	r.fail_op = "prepare";
	r.fail_rc = BT_ENOMEM;
	assert_int_equal(boot(&r), BT_ENOMEM);
	assert_string_equal(r.rig.err, "test prepare: no room for the control pages");
	fm = final_map_pages(&r);
	snprintf(want, sizeof(want), "alloc:1 alloc:%llu prepare free:%llu free:1",
		 (unsigned long long)fm, (unsigned long long)fm);
	assert_string_equal(r.trace, want);
	expect_all_released(&r);
	krig_free(&r);
}

/* exec fails before the point of no return: cleanup after it, then all
 * freed; exec's code and message. */
static void test_exec_fails(void **state)
{
	struct krig r;
	char want[128];
	uint64_t fm;

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	r.fail_op = "exec";
	r.fail_rc = BT_ETOOBIG;
	assert_int_equal(boot(&r), BT_ETOOBIG);
	assert_string_equal(r.rig.err, "test exec: cannot read the final memory map");
	fm = final_map_pages(&r);
	snprintf(want, sizeof(want),
		 "alloc:1 alloc:%llu prepare exec cleanup free:%llu free:1",
		 (unsigned long long)fm, (unsigned long long)fm);
	assert_string_equal(r.trace, want);
	expect_all_released(&r);
	krig_free(&r);
}

/*
 * kload_alloc and kload_alloc_at go through the backend and are
 * remembered; kload_release frees each block once, through be->free, in
 * reverse order.  A failed backend allocation is not remembered.
 */
static void test_alloc_and_release(void **state)
{
	struct krig r;
	uint64_t a, b, at, i;

	(void)state;
	krig_init(&r);
	assert_int_equal(kload_alloc(&r.kl, 2, UINT64_MAX, &a), 0);
	assert_int_equal(r.last_alloc_max, UINT64_MAX);
	at = (uintptr_t)r.rig.fw.ram + 100 * PAGE_SIZE;
	assert_int_equal(kload_alloc_at(&r.kl, at, 3), 0);
	/* Taken already: the backend's BT_ENOENT, nothing remembered. */
	assert_int_equal(kload_alloc_at(&r.kl, at, 1), BT_ENOENT);
	assert_int_equal(kload_alloc(&r.kl, 1,
				     (uintptr_t)r.rig.fw.ram + 8 * PAGE_SIZE - 1,
				     &b), 0);
	assert_int_equal(r.last_alloc_max, (uintptr_t)r.rig.fw.ram + 8 * PAGE_SIZE - 1);
	r.fail_op = "alloc";
	r.fail_rc = BT_ENOMEM;
	assert_int_equal(kload_alloc(&r.kl, 5, UINT64_MAX, &b), BT_ENOMEM);
	r.fail_op = "alloc_at";
	r.fail_skip = 0;
	assert_int_equal(kload_alloc_at(&r.kl, at + 10 * PAGE_SIZE, 4), BT_ENOMEM);
	r.fail_op = NULL;
	assert_string_equal(r.trace, "alloc:2 alloc_at:3 alloc_at:1 alloc:1 "
			    "alloc:5 alloc_at:4");
	assert_int_equal(r.kl.n_allocs, 3);
	assert_int_equal(r.outstanding, 6);

	r.trace[0] = 0;
	kload_release(&r.kl);
	assert_string_equal(r.trace, "free:1 free:3 free:2");
	assert_int_equal(r.n_frees, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r.frees[i].addr, r.allocs[2 - i].addr);
		assert_int_equal(r.frees[i].pages, r.allocs[2 - i].pages);
	}
	assert_int_equal(r.frees[1].addr, at);
	assert_int_equal(r.frees[2].addr, a);
	/* Once: a second release frees nothing more. */
	kload_release(&r.kl);
	assert_int_equal(r.n_frees, 3);
	expect_all_released(&r);
	krig_free(&r);
}

/* One allocation more than KLOAD_MAX_ALLOCS: freed at once, BT_ENOMEM;
 * through kload_alloc and through kload_alloc_at. */
static void test_too_many_allocs(void **state)
{
	struct krig r;
	uint64_t addr, extra, at, i;

	(void)state;
	krig_init(&r);
	for (i = 0; i < KLOAD_MAX_ALLOCS; i++)
		assert_int_equal(kload_alloc(&r.kl, 1, UINT64_MAX, &addr), 0);
	assert_int_equal(r.outstanding, KLOAD_MAX_ALLOCS);
	r.trace[0] = 0;
	assert_int_equal(kload_alloc(&r.kl, 2, UINT64_MAX, &extra), BT_ENOMEM);
	assert_string_equal(r.trace, "alloc:2 free:2");
	assert_int_equal(r.n_frees, 1);
	assert_int_equal(r.frees[0].addr, r.allocs[KLOAD_MAX_ALLOCS].addr);
	assert_int_equal(r.kl.n_allocs, KLOAD_MAX_ALLOCS);
	assert_int_equal(r.outstanding, KLOAD_MAX_ALLOCS);

	r.trace[0] = 0;
	at = (uintptr_t)r.rig.fw.ram + 200 * PAGE_SIZE;
	assert_int_equal(kload_alloc_at(&r.kl, at, 3), BT_ENOMEM);
	assert_string_equal(r.trace, "alloc_at:3 free:3");
	assert_int_equal(r.frees[1].addr, at);
	assert_int_equal(r.outstanding, KLOAD_MAX_ALLOCS);

	kload_release(&r.kl);
	assert_int_equal(r.n_frees, 2 + KLOAD_MAX_ALLOCS);
	for (i = 0; i < KLOAD_MAX_ALLOCS; i++)
		assert_int_equal(r.frees[2 + i].addr,
				 r.allocs[KLOAD_MAX_ALLOCS - 1 - i].addr);
	expect_all_released(&r);
	krig_free(&r);
}

/* The final map buffer: allocated through the backend (memmap bytes plus
 * two pages, in whole pages, anywhere) and added as an in-place segment
 * before validation, so prepare sees it. */
static void test_final_map_allocated(void **state)
{
	struct krig r;
	const struct kimage_segment *s;
	uint64_t fm;

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	assert_null(r.kl.final_map);
	assert_int_equal(boot(&r), BOOT_HANDED_OVER);
	fm = final_map_pages(&r);
	assert_int_equal(fm, 3);	/* 384 bytes + 2 pages on the host */
	assert_int_equal(r.kl.final_cap, fw_memmap_bytes(&r.rig.fw) + 2 * PAGE_SIZE);
	assert_int_equal(r.n_allocs, 2);
	assert_int_equal(r.allocs[1].pages, fm);
	assert_int_equal(r.last_alloc_max, UINT64_MAX);
	assert_ptr_equal(r.kl.final_map, (void *)(uintptr_t)r.allocs[1].addr);
	/* Remembered for kload_release like any allocation. */
	assert_int_equal(r.kl.n_allocs, 2);
	assert_int_equal(r.kl.allocs[1].addr, r.allocs[1].addr);
	assert_int_equal(r.segs_at_prepare, 2);
	s = &r.kl.ki.seg[1];
	assert_string_equal(s->name, "memory map");
	assert_int_equal(s->buf, r.allocs[1].addr);
	assert_int_equal(s->mem, r.allocs[1].addr);
	assert_int_equal(s->bufsz, fm * PAGE_SIZE);
	assert_int_equal(s->memsz, fm * PAGE_SIZE);
	krig_free(&r);
}

/* A buffer the protocol set already is used as it is: no allocation. */
static void test_final_map_given(void **state)
{
	struct krig r;
	uint64_t buf;

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	assert_int_equal(kload_alloc(&r.kl, 1, UINT64_MAX, &buf), 0);
	r.kl.final_map = (void *)(uintptr_t)buf;
	r.kl.final_cap = PAGE_SIZE;
	r.trace[0] = 0;
	assert_int_equal(boot(&r), BOOT_HANDED_OVER);
	assert_string_equal(r.trace, "prepare exec");
	assert_int_equal(r.segs_at_prepare, 1);
	assert_ptr_equal(r.kl.final_map, (void *)(uintptr_t)buf);
	krig_free(&r);
}

/* No memory for the final map: kload_boot's message, nothing else runs,
 * and the buffer is not left pointing anywhere. */
static void test_final_map_no_memory(void **state)
{
	struct krig r;

	(void)state;
	krig_init(&r);
	add_kernel(&r);
	r.fail_op = "alloc";
	r.fail_rc = BT_ENOMEM;
	r.trace[0] = 0;
	assert_int_equal(boot(&r), BT_ENOMEM);
	assert_string_equal(r.rig.err, "no memory for the final memory map");
	assert_string_equal(r.trace, "alloc:3 free:1");
	assert_null(r.kl.final_map);
	expect_all_released(&r);
	krig_free(&r);
}

/* The final map's segment cannot be added (the image is full): its pages
 * are given back with the rest and kimage_add's message is passed on. */
static void test_final_map_segment_fails(void **state)
{
	struct krig r;
	char want[128];
	uint64_t src, i;

	(void)state;
	krig_init(&r);
	src = add_kernel(&r);
	for (i = 1; i < KIMAGE_MAX_SEGMENTS; i++)
		assert_int_equal(kimage_add(&r.kl.ki, src, 8, src, 8, "filler",
					    r.rig.err, sizeof(r.rig.err)), 0);
	r.trace[0] = 0;
	assert_int_equal(boot(&r), BT_EINVAL);
	snprintf(want, sizeof(want), "too many segments: 'memory map' would be "
		 "number %d (at most %d)", KIMAGE_MAX_SEGMENTS + 1,
		 KIMAGE_MAX_SEGMENTS);
	assert_string_equal(r.rig.err, want);
	assert_string_equal(r.trace, "alloc:3 free:3 free:1");
	assert_null(r.kl.final_map);
	expect_all_released(&r);
	krig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_backend),
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_invalid_outside_ram),
		cmocka_unit_test(test_invalid_overlap),
		cmocka_unit_test(test_prepare_fails),
		cmocka_unit_test(test_exec_fails),
		cmocka_unit_test(test_alloc_and_release),
		cmocka_unit_test(test_too_many_allocs),
		cmocka_unit_test(test_final_map_allocated),
		cmocka_unit_test(test_final_map_given),
		cmocka_unit_test(test_final_map_no_memory),
		cmocka_unit_test(test_final_map_segment_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
