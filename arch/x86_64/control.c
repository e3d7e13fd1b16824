#include "arch/x86_64/control.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

_Static_assert(CTL_PLAN + KIMAGE_MAX_SEGMENTS * sizeof(struct kexec_copy) <=
	       CTL_STACK_TOP - 1024, "the plan leaves a 1 KiB stack");
_Static_assert(CTL_COPY_PARAMS + sizeof(struct tramp_copy_params) <= CTL_PLAN,
	       "the copy parameters fit before the plan");

void control_entry_params(const struct kimage *ki, uint64_t cr3,
			  struct tramp_entry_params *ep)
{
	ep->cr3 = cr3;
	ep->entry = ki->entry;
	ep->mode = ki->mode == KIMAGE_PROTECTED_32 ? TRAMP_MODE_PROTECTED_32
						   : TRAMP_MODE_LONG;
	ep->rax = ki->regs.rax;
	ep->rbx = ki->regs.rbx;
	ep->rcx = ki->regs.rcx;
	ep->rdx = ki->regs.rdx;
	ep->rsi = ki->regs.rsi;
	ep->rdi = ki->regs.rdi;
	ep->rbp = ki->regs.rbp;
	ep->rsp = ki->regs.rsp;
}

int control_fill(void *area, uint64_t area_phys, const struct tramp_code *code,
		 uint64_t cr3, const struct kimage *ki, char *err, size_t errlen)
{
	uint8_t *a = area;
	struct tramp_copy_params cp;
	struct tramp_entry_params ep;

	if (code->copy_len > CTL_ENTRY - CTL_COPY ||
	    code->entry_len > CTL_COPY_PARAMS - CTL_ENTRY ||
	    code->entry_len < TRAMP_ENTRY_PARAMS_OFF + sizeof(ep)) {
		fmt_buf(err, errlen, "internal error: trampoline halves of %u and "
			"%u bytes do not fit the control area",
			(unsigned)code->copy_len, (unsigned)code->entry_len);
		return BT_EINVAL;
	}
	memset(a, 0, CTL_SIZE);
	memcpy(a + CTL_COPY, code->copy, code->copy_len);
	memcpy(a + CTL_ENTRY, code->entry, code->entry_len);

	cp.cr3 = cr3;
	cp.stack_top = area_phys + CTL_STACK_TOP;
	cp.plan = area_phys + CTL_PLAN;
	cp.nplan = kimage_plan(ki, (struct kexec_copy *)(a + CTL_PLAN));
	cp.next = area_phys + CTL_ENTRY;
	memcpy(a + CTL_COPY_PARAMS, &cp, sizeof(cp));

	/* The copy half already switched to these tables; giving them again
	 * keeps the entry half's contract complete on its own. */
	control_entry_params(ki, cr3, &ep);
	memcpy(a + CTL_ENTRY + TRAMP_ENTRY_PARAMS_OFF, &ep, sizeof(ep));
	return 0;
}
