/* Preparing and running the trampoline (the formats are at the top of
 * trampoline_copy.asm and trampoline_entry.asm; the layout in control.c). */
#include "arch/x86_64/kexec.h"
#include "arch/x86_64/trampoline_abi.h"
#include "firmware/firmware.h"
#include "kexec/kalloc.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

extern const uint8_t trampoline_copy_start[], trampoline_copy_end[];
extern const uint8_t trampoline_entry_start[], trampoline_entry_end[];

#define FOUR_GIB 0x100000000ULL

_Static_assert(KEXEC_CONTROL_PAGES * PAGE_SIZE == CTL_SIZE, "control area size");

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

static uint64_t read_cr4(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4;
}

static const void *phys_ptr(void *ctx, uint64_t phys, size_t len)
{
	return (const void *)(uintptr_t)phys;
}

/* Identity-map what the handoff touches: RAM, the low 4 GiB (APICs,
 * firmware tables) and the framebuffer, as deep as the CPU's paging is
 * now (5 levels under CR4.LA57). */
static int build_tables(struct kexec_control *kc, const struct memmap *map,
			const struct fw_platform *plat)
{
	struct pt_alloc a = { kc, pt_page, pt_virt };
	uint64_t top = memmap_ram_top(map);
	int rc = pt_init(&kc->pt, &a, cpu_has_gb_pages(),
			 pt_levels_for_cr4(read_cr4()));

	if (!rc)
		rc = pt_map(&kc->pt, 0, top > FOUR_GIB ? top : FOUR_GIB);
	if (!rc && plat->fb.base && plat->fb.size)
		rc = pt_map(&kc->pt, plat->fb.base, plat->fb.base + plat->fb.size);
	if (!rc && kc->irq.lapic >= FOUR_GIB)
		rc = pt_map(&kc->pt, kc->irq.lapic, kc->irq.lapic + PAGE_SIZE);
	return rc;
}

int machine_kexec_prepare(struct fw *fw, const struct kimage *ki,
			  const struct memmap *map,
			  const struct fw_platform *plat,
			  struct kexec_control *kc, char *err, size_t errlen)
{
	struct tramp_code code = {
		trampoline_copy_start,
		(size_t)(trampoline_copy_end - trampoline_copy_start),
		trampoline_entry_start,
		(size_t)(trampoline_entry_end - trampoline_entry_start),
	};
	char why[120];
	int rc;

	memset(kc, 0, sizeof(*kc));
	kc->fw = fw;
	kc->ki = ki;
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
	rc = control_fill((void *)(uintptr_t)kc->area, kc->area, &code,
			  kc->pt.root_phys, ki, err, errlen);
	if (rc)
		machine_kexec_cleanup(kc);
	return rc;
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
	void (*tramp)(uint64_t) = (void (*)(uint64_t))(uintptr_t)(kc->area + CTL_COPY);

	/* Switch to baton's tables before running from the control area:
	 * the firmware's may map loader data no-execute.  This code, its
	 * stack and the control area are all RAM, so all identity-mapped. */
	__asm__ volatile("cli; mov %0, %%cr3" : : "r"(kc->pt.root_phys) : "memory");
	tramp(kc->area + CTL_COPY_PARAMS);
	machine_panic(kc->fw, "the trampoline returned");
}

void machine_enter_efi64(struct fw *fw, uint64_t entry, uint32_t magic,
			 uint64_t info)
{
	__asm__ volatile("jmp *%2" : : "a"(magic), "b"(info), "r"(entry) : "memory");
	__builtin_unreachable();
}
