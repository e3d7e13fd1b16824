/*
 * cpu.c - checks of the CPU state at entry (mode, selectors, GDT, IF) and
 * the probe's fault reporting.
 *
 * Everything is judged from the record entry.asm made before the probe
 * changed anything (struct probe_entry).
 */
#include "probe.h"

#define CR0_PE          (1ull << 0)
#define CR0_PG          (1ull << 31)
#define CR4_PAE         (1ull << 5)
#define EFER_LME        (1ull << 8)
#define EFER_LMA        (1ull << 10)
#define RFLAGS_IF       (1ull << 9)

#define BOOT_CS         0x10
#define BOOT_DS         0x18

void check_long_mode(struct probe *p)
{
	const struct probe_entry *e = p->entry;
	const char *why = NULL;

	if (!(e->efer & EFER_LMA))
		why = "EFER.LMA clear";
	else if (!(e->efer & EFER_LME))
		why = "EFER.LME clear";
	else if ((e->cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE))
		why = "CR0.PG or CR0.PE clear";
	else if (!(e->cr4 & CR4_PAE))
		why = "CR4.PAE clear";
	verdict(p, "long_mode", !why, "%s%scr0=0x%lx cr4=0x%lx efer=0x%lx",
		why ? why : "", why ? "; " : "", e->cr0, e->cr4, e->efer);
}

void check_cs_selector(struct probe *p)
{
	uint16_t cs = p->entry->cs;

	verdict(p, "cs_selector", cs == BOOT_CS, "cs=0x%x%s", cs,
		cs == BOOT_CS ? "" : " (want 0x10)");
}

void check_data_selectors(struct probe *p)
{
	const struct probe_entry *e = p->entry;
	bool ok = e->ds == BOOT_DS && e->es == BOOT_DS && e->ss == BOOT_DS;

	verdict(p, "data_selectors", ok, "ds=0x%x es=0x%x ss=0x%x%s",
		e->ds, e->es, e->ss, ok ? "" : " (want 0x18)");
}

/* Descriptor fields (SDM Vol. 3A 3.4.5). */
#define DESC_W          (1ull << 41)    /* data: writable */
#define DESC_CODE       (1ull << 43)
#define DESC_S          (1ull << 44)    /* code or data, not system */
#define DESC_DPL        (3ull << 45)
#define DESC_P          (1ull << 47)
#define DESC_L          (1ull << 53)
#define DESC_D          (1ull << 54)
#define DESC_G          (1ull << 55)

static uint64_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xFFFFFF) | ((d >> 56) << 24);
}

static uint64_t desc_limit(uint64_t d)
{
	return (d & 0xFFFF) | (((d >> 48) & 0xF) << 16);
}

static const char *code_desc_problem(uint64_t d)
{
	if (!(d & DESC_P))
		return "0x10 not present";
	if (!(d & DESC_S) || !(d & DESC_CODE))
		return "0x10 is not a code segment";
	if (d & DESC_DPL)
		return "0x10 DPL is not 0";
	if (!(d & DESC_L) || (d & DESC_D))
		return "0x10 is not 64-bit code (L=1 D=0)";
	return NULL;
}

static const char *data_desc_problem(uint64_t d)
{
	if (!(d & DESC_P))
		return "0x18 not present";
	if (!(d & DESC_S) || (d & DESC_CODE))
		return "0x18 is not a data segment";
	if (!(d & DESC_W))
		return "0x18 not writable";
	if (d & DESC_DPL)
		return "0x18 DPL is not 0";
	if (desc_base(d) != 0)
		return "0x18 base is not 0";
	if (desc_limit(d) != 0xFFFFF || !(d & DESC_G))
		return "0x18 limit is not 4 GiB";
	return NULL;
}

void check_gdt_flat(struct probe *p)
{
	const struct probe_entry *e = p->entry;
	uint64_t base = e->gdt_base;

	if (e->gdt_limit < 0x1F) {
		verdict(p, "gdt_flat", false,
			"gdt limit 0x%x does not reach selector 0x18", e->gdt_limit);
		return;
	}
	if (!mem_ok(p, base, 0x20)) {
		verdict(p, "gdt_flat", false, "gdt at 0x%lx is unreadable", base);
		return;
	}
	uint64_t code = rd64(base + 0x10), data = rd64(base + 0x18);
	const char *why = code_desc_problem(code);

	if (!why)
		why = data_desc_problem(data);
	verdict(p, "gdt_flat", !why, "%s%sgdt=0x%lx limit=0x%x 0x10=0x%lx 0x18=0x%lx",
		why ? why : "", why ? "; " : "", base, e->gdt_limit, code, data);
}

void check_interrupts_off(struct probe *p)
{
	uint64_t fl = p->entry->rflags;

	verdict(p, "interrupts_off", !(fl & RFLAGS_IF), "rflags=0x%lx%s", fl,
		(fl & RFLAGS_IF) ? " (IF set)" : "");
}

/* --- faults ---------------------------------------------------------------- */

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;           /* 0x8E: present, DPL 0, 64-bit interrupt gate */
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
};

/* The probe's only IDT: it lives as long as the probe, so in .bss. */
static struct idt_gate probe_idt[32] __attribute__((aligned(16)));

extern char probe_isr_stubs[];          /* entry.asm: 32 stubs, 16 bytes each */

void fault_init(uint16_t cs)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	for (unsigned v = 0; v < 32; v++) {
		uint64_t h = (uint64_t)(uintptr_t)(probe_isr_stubs + 16 * v);
		probe_idt[v] = (struct idt_gate){
			.off0 = (uint16_t)h,
			.sel = cs,
			.type = 0x8E,
			.off1 = (uint16_t)(h >> 16),
			.off2 = (uint32_t)(h >> 32),
		};
	}
	idtr.limit = sizeof(probe_idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)probe_idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Called by entry.asm with [vector, error, rip, cs, rflags, rsp, ss]. */
__attribute__((noreturn)) void probe_fault(const uint64_t *frame);

__attribute__((noreturn)) void probe_fault(const uint64_t *frame)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	con_printf("\nPROBE FAULT vector=%lu error=0x%lx rip=0x%lx cr2=0x%lx\n",
		   frame[0], frame[1], frame[2], cr2);
	probe_exit(1);
}
