/*
 * The machine-specific half of the kexec-style handoff (DESIGN.md, boot path
 * steps 7, 9 and 10), named after Linux's hooks:
 *
 *   machine_kexec_prepare  before ExitBootServices: control area (both
 *                          trampoline halves, their parameters, plan, stack;
 *                          control.h) and identity page tables as deep as
 *                          CR4.LA57 says, all below 4 GiB and outside every
 *                          destination; finds the interrupt controllers in
 *                          the MADT.
 *   machine_kexec_cleanup  gives all of that back when the boot is abandoned.
 *   machine_shutdown       after ExitBootServices: 8259s reinitialised and
 *                          masked, IO-APIC pins masked but the 8259's,
 *                          local APIC in virtual-wire mode.
 *   machine_kexec          after ExitBootServices: runs the trampoline.
 */
#ifndef BATON_ARCH_X86_64_KEXEC_H
#define BATON_ARCH_X86_64_KEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/madt.h"
#include "arch/x86_64/pagetable.h"
#include "kexec/kimage.h"

struct fw;
struct fw_platform;

#define KEXEC_CONTROL_PAGES 2
#define KEXEC_MAX_PT_PAGES 64

struct kexec_control {
	uint64_t area;			/* control area (physical, < 4 GiB) */
	struct pagetable pt;
	uint64_t pt_pages[KEXEC_MAX_PT_PAGES];	/* for cleanup */
	size_t n_pt_pages;
	struct madt_info irq;		/* interrupt controllers */
	struct fw *fw;
	const struct kimage *ki;	/* for the allocator */
};

/*
 * Prepare the handoff of ki (complete and validated): control area, page
 * tables identity-mapping RAM up to the top of map (and at least 4 GiB,
 * which covers the APICs), the framebuffer, and the plan.  Returns 0 or a
 * BT_E* code with a message in err; on failure nothing stays allocated.
 */
int machine_kexec_prepare(struct fw *fw, const struct kimage *ki,
			  const struct memmap *map,
			  const struct fw_platform *plat,
			  struct kexec_control *kc, char *err, size_t errlen);

/* Give back what machine_kexec_prepare allocated. */
void machine_kexec_cleanup(struct kexec_control *kc);

/* Quiesce the interrupt controllers (after ExitBootServices). */
void machine_shutdown(const struct kexec_control *kc);

/*
 * For tests of the quiescing: put the interrupt controllers in a state
 * machine_shutdown must repair (8259s unmasked, LVT0/LVT1 masked, timer
 * unmasked, IO-APIC pin 1 unmasked).  Interrupts stay off throughout.
 */
void machine_disturb_irqs(const struct kexec_control *kc);

/* Jump to the trampoline's copy half, which copies the segments and jumps
 * to the entry half, which enters ki. */
__attribute__((noreturn)) void machine_kexec(const struct kexec_control *kc);

/*
 * Enter a kernel at its 64-bit EFI entry point with boot services still
 * running (Multiboot 2's EFI amd64 state): EAX = magic, RBX = info, the
 * firmware's page tables, stack and interrupt state.  Never returns.
 */
__attribute__((noreturn)) void machine_enter_efi64(struct fw *fw, uint64_t entry,
						   uint32_t magic, uint64_t info);

/*
 * Once ExitBootServices has been called (successfully or not): print msg on
 * COM1 and reset the machine, touching no firmware service.  fw is only for
 * the host double, which records the reset and returns to the test.
 */
__attribute__((noreturn)) void machine_panic(struct fw *fw, const char *msg);

#endif
