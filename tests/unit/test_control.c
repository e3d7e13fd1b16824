/*
 * Unit tests for arch/x86_64/control.c, the control area the trampoline
 * runs in, with the real trampoline halves (the test links their objects
 * as bytes; it never runs them).  trampoline_abi.h proves at compile time
 * that the parameter blocks' C layout matches the assembler's; these tests
 * check what control_fill writes where, read back at the offsets the
 * assembler exported.
 */
#include "tests/unit/helpers.h"
#include "arch/x86_64/trampoline_abi.h"
#include "lib/bytes.h"

extern const uint8_t trampoline_copy_start[], trampoline_copy_end[];
extern const uint8_t trampoline_entry_start[], trampoline_entry_end[];

/* Where the test pretends the area is: below 4 GiB, not page 0. */
#define AREA_PHYS 0x7e000ULL

static struct tramp_code real_code(void)
{
	struct tramp_code c = {
		trampoline_copy_start,
		(size_t)(trampoline_copy_end - trampoline_copy_start),
		trampoline_entry_start,
		(size_t)(trampoline_entry_end - trampoline_entry_start),
	};
	return c;
}

static uint8_t *new_area(void)
{
	uint8_t *a = aligned_alloc(4096, CTL_SIZE);

	assert_non_null(a);
	memset(a, 0xA5, CTL_SIZE);	/* control_fill must clear it */
	return a;
}

/* A Linux-like image: a copied kernel with a tail, an in-place initrd. */
static void sample_image(struct kimage *ki, enum kimage_mode mode)
{
	char err[128];

	kimage_init(ki, mode);
	assert_int_equal(kimage_add(ki, 0x20000000, 0x3008, 0x1000000, 0x5000,
				    "kernel", err, sizeof(err)), 0);
	assert_int_equal(kimage_add(ki, 0x30000000, 0x2000, 0x30000000, 0x3000,
				    "initrd", err, sizeof(err)), 0);
	ki->entry = 0x1000200;
	ki->regs.rax = 0x2BADB002;
	ki->regs.rbx = 0x11223344;
	ki->regs.rcx = 3;
	ki->regs.rdx = 4;
	ki->regs.rsi = 0x9000;
	ki->regs.rdi = 6;
	ki->regs.rbp = 7;
	ki->regs.rsp = 0;
}

/* The blobs as assembled: sizes as exported, the entry half starting with
 * a short jump over an empty parameter block, and its GDT as documented. */
static void test_entry_blob_layout(void **state)
{
	struct tramp_code c = real_code();
	const uint8_t *e = c.entry;
	const uint8_t *gdt = e + ASM_TRAMP_ENTRY_GDT;
	size_t target;

	assert_int_equal(c.copy_len, ASM_TRAMP_COPY_SIZE);
	assert_int_equal(c.entry_len, ASM_TRAMP_ENTRY_SIZE);

	assert_int_equal(e[0], 0xEB);		/* jmp rel8 */
	target = 2 + (size_t)(int8_t)e[1];
	assert_true(target >= TRAMP_ENTRY_PARAMS_OFF + sizeof(struct tramp_entry_params));
	assert_true(target < ASM_TRAMP_ENTRY_GDT);
	for (size_t i = 0; i < sizeof(struct tramp_entry_params); i++)
		assert_int_equal(e[TRAMP_ENTRY_PARAMS_OFF + i], 0);

	assert_int_equal(ASM_TRAMP_ENTRY_GDT % 8, 0);
	assert_int_equal(ASM_TRAMP_ENTRY_GDT_SIZE, 5 * 8);
	assert_true(ASM_TRAMP_ENTRY_GDT + ASM_TRAMP_ENTRY_GDT_SIZE <= c.entry_len);
	assert_int_equal(get64(gdt + 0x00), 0);
	assert_int_equal(get64(gdt + 0x08), 0);
	assert_int_equal(get64(gdt + 0x10), 0x00AF9A000000FFFFULL);
	assert_int_equal(get64(gdt + 0x18), 0x00CF92000000FFFFULL);
	assert_int_equal(get64(gdt + 0x20), 0x00CF9A000000FFFFULL);
}

static void check_filled(const uint8_t *a, const struct kimage *ki, uint64_t cr3,
			 uint64_t mode)
{
	struct tramp_code c = real_code();
	const uint8_t *cp = a + CTL_COPY_PARAMS;
	const uint8_t *ep = a + CTL_ENTRY + ASM_TRAMP_ENTRY_PARAMS;
	struct kexec_copy want[KIMAGE_MAX_SEGMENTS];
	size_t n = kimage_plan(ki, want);
	size_t p;

	/* both halves, byte for byte outside the entry parameters */
	assert_memory_equal(a + CTL_COPY, c.copy, c.copy_len);
	assert_memory_equal(a + CTL_ENTRY, c.entry, TRAMP_ENTRY_PARAMS_OFF);
	p = TRAMP_ENTRY_PARAMS_OFF + sizeof(struct tramp_entry_params);
	assert_memory_equal(a + CTL_ENTRY + p, (const uint8_t *)c.entry + p,
			    c.entry_len - p);

	/* the copy half's parameters, at the asm's offsets */
	assert_int_equal(get64(cp + ASM_TRAMP_CP_CR3), cr3);
	assert_int_equal(get64(cp + ASM_TRAMP_CP_STACK), AREA_PHYS + CTL_STACK_TOP);
	assert_int_equal(get64(cp + ASM_TRAMP_CP_PLAN), AREA_PHYS + CTL_PLAN);
	assert_int_equal(get64(cp + ASM_TRAMP_CP_NPLAN), n);
	assert_int_equal(get64(cp + ASM_TRAMP_CP_NEXT), AREA_PHYS + CTL_ENTRY);
	assert_memory_equal(a + CTL_PLAN, want, n * sizeof(want[0]));

	/* the entry half's */
	assert_int_equal(get64(ep + ASM_TRAMP_EP_CR3), cr3);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_ENTRY), ki->entry);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_MODE), mode);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RAX), ki->regs.rax);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RBX), ki->regs.rbx);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RCX), ki->regs.rcx);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RDX), ki->regs.rdx);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RSI), ki->regs.rsi);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RDI), ki->regs.rdi);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RBP), ki->regs.rbp);
	assert_int_equal(get64(ep + ASM_TRAMP_EP_RSP), ki->regs.rsp);

	/* everything else is zero: the gaps, and the stack */
	for (size_t i = CTL_COPY + c.copy_len; i < CTL_ENTRY; i++)
		assert_int_equal(a[i], 0);
	for (size_t i = CTL_ENTRY + c.entry_len; i < CTL_COPY_PARAMS; i++)
		assert_int_equal(a[i], 0);
	for (size_t i = CTL_COPY_PARAMS + sizeof(struct tramp_copy_params);
	     i < CTL_PLAN; i++)
		assert_int_equal(a[i], 0);
	for (size_t i = CTL_PLAN + n * sizeof(want[0]); i < CTL_SIZE; i++)
		assert_int_equal(a[i], 0);
}

static void test_fill_long_mode(void **state)
{
	struct tramp_code c = real_code();
	struct kimage ki;
	uint8_t *a = new_area();
	char err[128] = "";

	sample_image(&ki, KIMAGE_LONG_MODE);
	assert_int_equal(control_fill(a, AREA_PHYS, &c, 0x5000, &ki, err,
				      sizeof(err)), 0);
	check_filled(a, &ki, 0x5000, TRAMP_MODE_LONG);
	assert_int_equal(get64(a + CTL_COPY_PARAMS + ASM_TRAMP_CP_NPLAN), 2);
	free(a);
}

static void test_fill_protected_32(void **state)
{
	struct tramp_code c = real_code();
	struct kimage ki;
	uint8_t *a = new_area();
	char err[128] = "";

	sample_image(&ki, KIMAGE_PROTECTED_32);
	ki.regs.rsp = 0x8ff0;
	assert_int_equal(control_fill(a, AREA_PHYS, &c, 0x6000, &ki, err,
				      sizeof(err)), 0);
	check_filled(a, &ki, 0x6000, TRAMP_MODE_PROTECTED_32);
	free(a);
}

/* A half that would spill into the next slot is refused, area untouched. */
static void test_halves_too_large(void **state)
{
	static uint8_t big[CTL_SIZE];
	struct tramp_code c = real_code();
	struct kimage ki;
	uint8_t *a = new_area();
	char err[128] = "";

	sample_image(&ki, KIMAGE_LONG_MODE);
	c.copy = big;
	c.copy_len = CTL_ENTRY - CTL_COPY + 1;
	assert_int_equal(control_fill(a, AREA_PHYS, &c, 0x5000, &ki, err,
				      sizeof(err)), BT_EINVAL);
	assert_non_null(strstr(err, "do not fit the control area"));
	assert_int_equal(a[0], 0xA5);

	c = real_code();
	c.entry = big;
	c.entry_len = CTL_COPY_PARAMS - CTL_ENTRY + 1;
	err[0] = 0;
	assert_int_equal(control_fill(a, AREA_PHYS, &c, 0x5000, &ki, err,
				      sizeof(err)), BT_EINVAL);
	assert_non_null(strstr(err, "do not fit"));

	/* an entry half too short to hold its own parameter block */
	c = real_code();
	c.entry_len = TRAMP_ENTRY_PARAMS_OFF + sizeof(struct tramp_entry_params) - 1;
	assert_int_equal(control_fill(a, AREA_PHYS, &c, 0x5000, &ki, err,
				      sizeof(err)), BT_EINVAL);
	assert_int_equal(a[0], 0xA5);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_blob_layout),
		cmocka_unit_test(test_fill_long_mode),
		cmocka_unit_test(test_fill_protected_32),
		cmocka_unit_test(test_halves_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
