/* Preparing and running the trampoline (the format is in trampoline.asm). */
#include "arch/x86_64/kexec.h"
#include "firmware/firmware.h"
#include "loader/kalloc.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

extern const uint8_t trampoline_start[], trampoline_end[];

#define FOUR_GIB 0x100000000ULL

/* The control area: two pages, below 4 GiB, outside every destination. */
#define CTL_CODE 0x000		/* the trampoline's copy */
#define CTL_GDT 0xC00		/* 5 descriptors */
#define CTL_HANDOFF 0xD00	/* struct handoff */
#define CTL_PLAN 0x1000		/* KIMAGE_MAX_SEGMENTS plan entries */
#define CTL_STACK_TOP 0x2000	/* the stack grows down from the end */

struct handoff {
	uint64_t cr3;
	uint64_t stack_top;
	uint16_t gdt_limit;
	uint64_t gdt_base;
	uint8_t pad[6];
	uint64_t plan;
	uint64_t nplan;
	uint64_t entry;
	uint64_t mode;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct handoff, gdt_base) == 18, "GDTR image");
_Static_assert(__builtin_offsetof(struct handoff, plan) == 32, "plan");
_Static_assert(__builtin_offsetof(struct handoff, rax) == 64, "registers");
_Static_assert(CTL_PLAN + KIMAGE_MAX_SEGMENTS * sizeof(struct kexec_copy) <=
	       CTL_STACK_TOP - 1024, "plan leaves a 1 KiB stack");

static const uint64_t gdt[5] = {
	0,
	0,
	0x00AF9A000000FFFFULL,	/* 0x10: 64-bit code */
	0x00CF92000000FFFFULL,	/* 0x18: flat data */
	0x00CF9A000000FFFFULL,	/* 0x20: flat 32-bit code */
};

static int pt_page(void *ctx, void **virt, uint64_t *phys)
{
	struct kexec_control *kc = ctx;
	int rc;

	if (kc->n_pt_pages == KEXEC_MAX_PT_PAGES)
		return BT_ENOMEM;
	rc = kalloc_pages(kc->fw, kc->ki, 1, FOUR_GIB - 1, phys);
	if (rc)
		return rc;
	kc->pt_pages[kc->n_pt_pages++] = *phys;
	*virt = (void *)(uintptr_t)*phys;	/* the firmware maps 1:1 */
	memset(*virt, 0, PAGE_SIZE);
	return 0;
}

static void *pt_virt(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

static bool cpu_has_gb_pages(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000));
	if (a < 0x80000001)
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001));
	return d & (1u << 26);
}

static const void *phys_ptr(void *ctx, uint64_t phys, size_t len)
{
	return (const void *)(uintptr_t)phys;
}

/* Identity-map what the handoff touches: RAM, the low 4 GiB (APICs,
 * firmware tables) and the framebuffer. */
static int build_tables(struct kexec_control *kc, const struct memmap *map,
			const struct fw_platform *plat)
{
	struct pt_alloc a = { kc, pt_page, pt_virt };
	uint64_t top = memmap_ram_top(map);
	int rc = pt_init(&kc->pt, &a, cpu_has_gb_pages());

	if (!rc)
		rc = pt_map(&kc->pt, 0, top > FOUR_GIB ? top : FOUR_GIB);
	if (!rc && plat->fb.base && plat->fb.size)
		rc = pt_map(&kc->pt, plat->fb.base, plat->fb.base + plat->fb.size);
	if (!rc && kc->irq.lapic >= FOUR_GIB)
		rc = pt_map(&kc->pt, kc->irq.lapic, kc->irq.lapic + PAGE_SIZE);
	return rc;
}

/* Fill the control area: code, GDT, plan and handoff block. */
static void fill_control(struct kexec_control *kc)
{
	uint8_t *area = (uint8_t *)(uintptr_t)kc->area;
	struct handoff *h = (struct handoff *)(area + CTL_HANDOFF);
	const struct kimage *ki = kc->ki;

	memset(area, 0, KEXEC_CONTROL_PAGES * PAGE_SIZE);
	memcpy(area + CTL_CODE, trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	memcpy(area + CTL_GDT, gdt, sizeof(gdt));
	h->cr3 = kc->pt.pml4_phys;
	h->stack_top = kc->area + CTL_STACK_TOP;
	h->gdt_limit = sizeof(gdt) - 1;
	h->gdt_base = kc->area + CTL_GDT;
	h->plan = kc->area + CTL_PLAN;
	h->nplan = kimage_plan(ki, (struct kexec_copy *)(area + CTL_PLAN));
	h->entry = ki->entry;
	h->mode = ki->mode == KIMAGE_PROTECTED_32 ? 1 : 0;
	h->rax = ki->regs.rax;
	h->rbx = ki->regs.rbx;
	h->rcx = ki->regs.rcx;
	h->rdx = ki->regs.rdx;
	h->rsi = ki->regs.rsi;
	h->rdi = ki->regs.rdi;
	h->rbp = ki->regs.rbp;
	h->rsp = ki->regs.rsp;
}

int machine_kexec_prepare(struct fw *fw, const struct kimage *ki,
			  const struct memmap *map,
			  const struct fw_platform *plat,
			  struct kexec_control *kc, char *err, size_t errlen)
{
	char why[120];
	int rc;

	memset(kc, 0, sizeof(*kc));
	kc->fw = fw;
	kc->ki = ki;
	if ((size_t)(trampoline_end - trampoline_start) > CTL_GDT) {
		fmt_buf(err, errlen, "internal error: trampoline too large");
		return BT_EINVAL;
	}
	if (madt_find(plat->rsdp, phys_ptr, NULL, &kc->irq, why, sizeof(why))) {
		/* Without a MADT, use the architectural addresses. */
		kc->irq.lapic = LAPIC_DEFAULT_BASE;
		kc->irq.ioapic[0] = IOAPIC_DEFAULT_BASE;
		kc->irq.n_ioapics = 1;
	}
	rc = kalloc_pages(fw, ki, KEXEC_CONTROL_PAGES, FOUR_GIB - 1, &kc->area);
	if (rc) {
		fmt_buf(err, errlen, "no memory below 4 GiB for the trampoline");
		return rc;
	}
	rc = build_tables(kc, map, plat);
	if (rc) {
		machine_kexec_cleanup(kc);
		fmt_buf(err, errlen, "no memory below 4 GiB for the page tables");
		return rc;
	}
	fill_control(kc);
	return 0;
}

void machine_kexec_cleanup(struct kexec_control *kc)
{
	size_t i;

	for (i = 0; i < kc->n_pt_pages; i++)
		fw_free_pages(kc->fw, kc->pt_pages[i], 1);
	kc->n_pt_pages = 0;
	if (kc->area)
		fw_free_pages(kc->fw, kc->area, KEXEC_CONTROL_PAGES);
	kc->area = 0;
}

void machine_kexec(const struct kexec_control *kc)
{
	void (*tramp)(uint64_t) = (void (*)(uint64_t))(uintptr_t)(kc->area + CTL_CODE);

	/* Switch to baton's tables before running from the control area:
	 * the firmware's may map loader data no-execute.  This code, its
	 * stack and the control area are all RAM, so all identity-mapped. */
	__asm__ volatile("cli; mov %0, %%cr3" : : "r"(kc->pt.pml4_phys) : "memory");
	tramp(kc->area + CTL_HANDOFF);
	machine_panic(kc->fw, "the trampoline returned");
}

void machine_enter_efi64(struct fw *fw, uint64_t entry, uint32_t magic,
			 uint64_t info)
{
	__asm__ volatile("jmp *%2" : : "a"(magic), "b"(info), "r"(entry) : "memory");
	__builtin_unreachable();
}
