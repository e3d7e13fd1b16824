/*
 * The control area the trampoline runs in: KEXEC_CONTROL_PAGES pages below
 * 4 GiB, outside every destination, identity-mapped.  Laid out here, in
 * portable code, so host tests can check it:
 *
 *   CTL_COPY         the copy half (trampoline_copy.asm), called first
 *   CTL_ENTRY        the entry half (trampoline_entry.asm), with its
 *                    parameter block at TRAMP_ENTRY_PARAMS_OFF and its GDT
 *   CTL_COPY_PARAMS  struct tramp_copy_params, the copy half's argument
 *   CTL_PLAN         the copy plan, KIMAGE_MAX_SEGMENTS struct kexec_copy
 *   CTL_STACK_TOP    the stack grows down from the end of the area; the
 *                    kernel is entered on it when its rsp is 0
 *
 * The parameter structs mirror the blocks written at the top of the .asm
 * files; trampoline_abi.h checks them against the offsets the assembler
 * exports.
 */
#ifndef BATON_ARCH_X86_64_CONTROL_H
#define BATON_ARCH_X86_64_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include "kexec/kimage.h"

#define CTL_COPY 0x000
#define CTL_ENTRY 0x400
#define CTL_COPY_PARAMS 0xC00
#define CTL_PLAN 0x1000
#define CTL_STACK_TOP 0x2000
#define CTL_SIZE 0x2000

/* Where the entry half's parameter block starts inside it. */
#define TRAMP_ENTRY_PARAMS_OFF 8

/* The entry half's modes. */
#define TRAMP_MODE_LONG 0
#define TRAMP_MODE_PROTECTED_32 1

struct tramp_copy_params {
	uint64_t cr3;
	uint64_t stack_top;
	uint64_t plan;
	uint64_t nplan;
	uint64_t next;		/* the entry half */
};

struct tramp_entry_params {
	uint64_t cr3;		/* 0: keep the current one */
	uint64_t entry;
	uint64_t mode;		/* TRAMP_MODE_* */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
};

/* The entry half's parameters for entering ki with page tables cr3 (0:
 * the current ones); also what baton-kexec gives the same blob as its
 * purgatory. */
void control_entry_params(const struct kimage *ki, uint64_t cr3,
			  struct tramp_entry_params *ep);

/* The two halves' bytes, as linked (or as a test gives them). */
struct tramp_code {
	const void *copy;
	size_t copy_len;
	const void *entry;
	size_t entry_len;
};

/*
 * Lay out the control area for entering ki (validated) with the identity
 * tables at cr3: both halves, their parameters, the plan.  area is where
 * it can be written, area_phys where it is (CTL_SIZE bytes, all zeroed
 * first).  Returns 0, or BT_EINVAL with a message in err when a half does
 * not fit its slot.
 */
int control_fill(void *area, uint64_t area_phys, const struct tramp_code *code,
		 uint64_t cr3, const struct kimage *ki, char *err, size_t errlen);

#endif
