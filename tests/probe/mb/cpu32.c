/*
 * cpu32.c - the 32-bit protected-mode entry state (Multiboot 1 section 3.2,
 * Multiboot2 section 3.3 "I386 machine state"), judged from the record
 * head32.asm made before the probe changed anything, and the probe's own
 * GDT and fault-reporting IDT.
 */
#include "mb.h"

#define CR0_PE          (1u << 0)
#define CR0_PG          (1u << 31)
#define EFL_IF          (1u << 9)
#define EFL_VM          (1u << 17)
#define MSR_EFER        0xC0000080
#define EFER_LME        (1ull << 8)

/* --- the probe's own GDT and IDT ---------------------------------------------- */

/*
 * The spec allows the loader's GDT to be gone by now, so the probe loads
 * its own before anything can fault: 0x08 flat 32-bit code, 0x10 flat data.
 */
static const uint64_t mb_gdt[3] __attribute__((aligned(8))) = {
	0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull,
};

struct gate32 {
	uint16_t off0;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;           /* 0x8E: present, DPL 0, 32-bit interrupt gate */
	uint16_t off1;
};

static struct gate32 mb_idt[32] __attribute__((aligned(8)));

extern char mb_isr_stubs[];             /* head32.asm: 32 stubs, 16 bytes each */
extern uint32_t mb_nmi_count;           /* head32.asm */

struct desc_ptr32 {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

void cpu32_init(void)
{
	struct desc_ptr32 gdtr = { sizeof(mb_gdt) - 1, (uint32_t)(uintptr_t)mb_gdt };
	struct desc_ptr32 idtr = { sizeof(mb_idt) - 1, (uint32_t)(uintptr_t)mb_idt };

	/* Far return to reload CS: the image may run anywhere, so the
	 * target is computed with call rather than written as an address. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushl $0x08\n\t"
			 "call 1f\n"
			 "1:\n\t"
			 "addl $(2f - 1b), (%%esp)\n\t"
			 "lret\n"
			 "2:\n\t"
			 "movw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs\n\t"
			 "movw %%ax, %%ss\n\t"
			 : : "m"(gdtr) : "eax", "memory");
	for (unsigned v = 0; v < 32; v++) {
		uint32_t h = (uint32_t)(uintptr_t)(mb_isr_stubs + 16 * v);
		mb_idt[v] = (struct gate32){
			.off0 = (uint16_t)h, .sel = 0x08, .type = 0x8E,
			.off1 = (uint16_t)(h >> 16),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Called by head32.asm with [vector, error, eip, cs, eflags]. */
__attribute__((noreturn)) void mb_fault32(const uint32_t *frame);

__attribute__((noreturn)) void mb_fault32(const uint32_t *frame)
{
	uint32_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	con_printf("\nPROBE FAULT vector=%u error=0x%x eip=0x%x cr2=0x%x\n",
		   frame[0], frame[1], frame[2], cr2);
	mb_exit(1);
}

/* --- checks -------------------------------------------------------------------- */

static uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* EFER exists when CPUID reports long mode, NX or SYSCALL. */
static bool have_efer(void)
{
	uint32_t r[4];

	cpuid(0x80000000, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, r);
	return r[3] & ((1u << 29) | (1u << 20) | (1u << 11));
}

/*
 * PE set, PG clear, not virtual-8086.  EFER.LME must be clear too: the
 * spec leaves EFER undefined, but a 32-bit kernel that turns paging on
 * with LME still set would enter long mode (or #GP without PAE), so a
 * loader that came down from long mode has to clear it (SDM 9.8.5.4).
 * CR0 and CR4 are read now: the probe changes neither.
 */
void cpu32_check_protected_mode(struct mb *m)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	uint32_t fl = (uint32_t)m->e->flags;
	bool efer = have_efer();
	uint64_t efer_v = efer ? rdmsr(MSR_EFER) : 0;
	const char *why = NULL;

	if (!(cr0 & CR0_PE))
		why = "CR0.PE clear";
	else if (cr0 & CR0_PG)
		why = "CR0.PG set (paging on)";
	else if (fl & EFL_VM)
		why = "EFLAGS.VM set";
	else if (efer_v & EFER_LME)
		why = "EFER.LME set (paging would enter long mode)";
	if (efer)
		verdict(&m->p, "protected_mode", !why,
			"%s%scr0=0x%x cr4=0x%x efer=0x%lx", why ? why : "",
			why ? "; " : "", cr0, cr4, efer_v);
	else
		verdict(&m->p, "protected_mode", !why, "%s%scr0=0x%x cr4=0x%x (no EFER)",
			why ? why : "", why ? "; " : "", cr0, cr4);
}

/* Descriptor fields (SDM Vol. 3A 3.4.5). */
#define DESC_RW         (1ull << 41)    /* code: readable; data: writable */
#define DESC_EXPDOWN    (1ull << 42)    /* data: expand-down */
#define DESC_CODE       (1ull << 43)
#define DESC_S          (1ull << 44)
#define DESC_P          (1ull << 47)
#define DESC_L          (1ull << 53)
#define DESC_DB         (1ull << 54)
#define DESC_G          (1ull << 55)

static uint64_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xFFFFFF) | ((d >> 56) << 24);
}

static uint64_t desc_limit(uint64_t d)
{
	return (d & 0xFFFF) | (((d >> 48) & 0xF) << 16);
}

/*
 * What is wrong with the descriptor for selector sel in the GDT as it
 * was at entry, or NULL.  code: CS (readable 32-bit code); otherwise a
 * writable data segment (stack: also B=1, a 32-bit stack).
 */
static const char *seg_problem(const struct mb *m, uint16_t sel, bool code,
			       bool stack, uint64_t *out)
{
	const struct mb_entry *e = m->e;

	*out = 0;
	if (sel & 4)
		return "selector points into the LDT";
	if ((sel & ~7u) == 0)
		return "null selector";
	if ((uint32_t)(sel & ~7u) + 7 > e->gdt_limit)
		return "selector beyond the GDT limit";
	if ((uint32_t)(sel & ~7u) + 8 > e->gdt_saved)
		return "selector beyond the part of the GDT the probe saved";

	uint64_t d;
	memcpy(&d, e->gdt_copy + (sel & ~7u), 8);
	*out = d;
	if (!(d & DESC_P))
		return "not present";
	if (!(d & DESC_S))
		return "a system descriptor";
	if (code && !(d & DESC_CODE))
		return "CS is not a code segment";
	if (code && !(d & DESC_RW))
		return "CS is not readable";
	if (code && ((d & DESC_L) || !(d & DESC_DB)))
		return "CS is not 32-bit code";
	if (!code && (d & DESC_CODE))
		return "not a data segment";
	if (!code && !(d & DESC_RW))
		return "not writable";
	if (!code && (d & DESC_EXPDOWN))
		return "expand-down";
	if (stack && !(d & DESC_DB))
		return "SS is a 16-bit stack (B=0)";
	if (desc_base(d) != 0)
		return "base is not 0";
	if (desc_limit(d) != 0xFFFFF || !(d & DESC_G))
		return "limit is not 4 GiB";
	return NULL;
}

/*
 * CS a flat 32-bit code segment; DS, ES, FS, GS, SS flat 32-bit data
 * (base 0, limit 4 GiB), read from the GDT at entry (the descriptor
 * caches themselves cannot be read).
 */
void cpu32_check_flat_segments(struct mb *m)
{
	const struct mb_entry *e = m->e;
	const uint16_t sel[6] = { e->cs, e->ds, e->es, e->fs, e->gs, e->ss };
	const char *names = "CSDSESFSGSSS";
	const char *why = NULL;
	unsigned bad = 0;
	uint64_t d = 0;

	if (mb_in_image(m, e->gdt_base, (uint64_t)e->gdt_limit + 1)) {
		verdict(&m->p, "flat_segments", false,
			"the GDT lies inside the probe's image; gdt=0x%lx limit=0x%x",
			e->gdt_base, e->gdt_limit);
		return;
	}
	for (unsigned i = 0; i < 6 && !why; i++) {
		why = seg_problem(m, sel[i], i == 0, i == 5, &d);
		bad = i;
	}
	if (why)
		verdict(&m->p, "flat_segments", false,
			"%c%c=0x%x: %s; descriptor=0x%lx gdt=0x%lx limit=0x%x",
			names[2 * bad], names[2 * bad + 1], sel[bad], why, d,
			e->gdt_base, e->gdt_limit);
	else
		verdict(&m->p, "flat_segments", true,
			"cs=0x%x ds=0x%x es=0x%x fs=0x%x gs=0x%x ss=0x%x flat 4 GiB; gdt=0x%lx limit=0x%x",
			e->cs, e->ds, e->es, e->fs, e->gs, e->ss, e->gdt_base,
			e->gdt_limit);
}

void cpu32_check_interrupts_off(struct mb *m)
{
	uint32_t fl = (uint32_t)m->e->flags;

	verdict(&m->p, "interrupts_off", !(fl & EFL_IF), "%seflags=0x%x",
		(fl & EFL_IF) ? "IF set; " : "", fl);
}

/*
 * With the A20 gate off, address bit 20 is forced to 0, so a word and
 * its alias 1 MiB away are the same memory.  The probe writes only its
 * own word (in .bss) and reads the alias: if the alias follows two
 * different values, A20 is off.  Nothing outside the image is written.
 */
static volatile uint32_t a20_word;

void cpu32_check_a20(struct mb *m)
{
	uint64_t a = (uint64_t)(uintptr_t)&a20_word;
	uint64_t alias = a ^ (1ull << 20);
	volatile const uint32_t *ap = (volatile const uint32_t *)(uintptr_t)alias;
	uint32_t before = *ap;
	unsigned follows = 0;

	for (unsigned i = 0; i < 2; i++) {
		uint32_t v = before ^ (i ? 0x5AA5C33Cu : 0xFFFFFFFFu);
		a20_word = v;
		__asm__ volatile("" : : : "memory");
		if (*ap == v)
			follows++;
	}
	a20_word = 0;
	verdict(&m->p, "a20", follows < 2, "%s0x%lx and 0x%lx are %s",
		follows < 2 ? "" : "A20 is off; ", a, alias,
		follows < 2 ? "distinct" : "the same memory");
}

void cpu32_check_irq_state(struct mb *m)
{
	if (mb_opt_is(m, "probe.pic", "any")) {
		uint8_t ma = inb(0x21), sl = inb(0xA1);
		verdict(&m->p, "pic_masks", true,
			"not judged (probe.pic=any); master imr=0x%x slave imr=0x%x",
			ma, sl);
	} else {
		check_pic_masks(&m->p);
	}
	check_lapic_ioapic(&m->p);
}

void cpu32_report_nmis(void)
{
	if (mb_nmi_count)
		con_printf("PROBE INFO nmi_count=%u\n", mb_nmi_count);
}
