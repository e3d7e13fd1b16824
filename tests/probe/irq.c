/*
 * irq.c - the interrupt controllers after the loader's quiescing: both
 * 8259s masked, the local APIC in virtual-wire mode, every IO-APIC entry
 * masked except the one that may carry the 8259 (ExtINT).
 * Registers: Intel SDM Vol. 3A ch. 11 (local APIC), the 82093AA IO-APIC
 * datasheet, and Linux's kexec shutdown path (HANDOFF-FACTS section D).
 */
#include "probe.h"

#define PIC1_DATA       0x21
#define PIC2_DATA       0xA1

#define MSR_APIC_BASE   0x1B
#define APIC_BASE_X2    (1ull << 10)
#define APIC_BASE_EN    (1ull << 11)
#define APIC_BASE_ADDR  0x000FFFFFFFFFF000ull

#define APIC_SVR        0xF0
#define APIC_LVTT       0x320
#define APIC_LVT0       0x350
#define APIC_LVT1       0x360
#define APIC_LVTERR     0x370
#define SVR_ENABLE      (1u << 8)
#define LVT_MASKED      (1u << 16)
#define DM_MASK         (7u << 8)
#define DM_SMI          (2u << 8)
#define DM_NMI          (4u << 8)
#define DM_EXTINT       (7u << 8)

#define IOAPIC_DEFAULT  0xFEC00000ull
#define IOAPIC_VER      0x01
#define IOAPIC_REDTBL   0x10
#define IOAPIC_MAX      8

void check_pic_masks(struct probe *p)
{
	uint8_t m = inb(PIC1_DATA), s = inb(PIC2_DATA);

	verdict(p, "pic_masks", m == 0xFF && s == 0xFF,
		"master imr=0x%x slave imr=0x%x%s", m, s,
		m == 0xFF && s == 0xFF ? "" : " (want 0xff 0xff)");
}

static volatile uint32_t *mmio32(uint64_t addr)
{
	return (volatile uint32_t *)(uintptr_t)addr;
}

static uint32_t ioapic_read(uint64_t base, uint32_t reg)
{
	*mmio32(base) = reg;            /* IOREGSEL */
	return *mmio32(base + 0x10);    /* IOWIN */
}

/* What the IO-APIC scan found, for both the lapic and ioapic verdicts. */
struct ioapic_scan {
	unsigned count;
	bool from_madt;
	uint64_t addr[IOAPIC_MAX];
	unsigned pins[IOAPIC_MAX];
	int extint_apic, extint_pin;    /* the unmasked ExtINT entry, or -1 */
	unsigned smi_unmasked;          /* left alone, as Linux does */
	/* the first problem; bad_entry when it is a redirection entry */
	const char *why;
	bool bad_entry;
	uint64_t bad_addr;
	unsigned bad_pin;
	uint32_t bad_low;
};

static void ioapic_scan(const struct probe *p, struct ioapic_scan *s)
{
	*s = (struct ioapic_scan){ .extint_apic = -1, .extint_pin = -1 };
	s->count = acpi_ioapics(p, s->addr, IOAPIC_MAX);
	s->from_madt = s->count > 0;
	if (!s->count) {
		s->addr[0] = IOAPIC_DEFAULT;
		s->count = 1;
	}
	for (unsigned a = 0; a < s->count && !s->why; a++) {
		uint64_t base = s->addr[a];

		if (!mem_ok(p, base, 0x20)) {
			s->why = "IO-APIC registers are outside the probe's map";
			s->bad_addr = base;
			return;
		}
		uint32_t ver = ioapic_read(base, IOAPIC_VER);
		if (ver == 0xFFFFFFFF) {
			s->why = "no IO-APIC answers";
			s->bad_addr = base;
			return;
		}
		s->pins[a] = ((ver >> 16) & 0xFF) + 1;
		for (unsigned n = 0; n < s->pins[a]; n++) {
			uint32_t low = ioapic_read(base, IOAPIC_REDTBL + 2 * n);
			if (low & LVT_MASKED)
				continue;
			if ((low & DM_MASK) == DM_EXTINT && s->extint_apic < 0) {
				s->extint_apic = (int)a;
				s->extint_pin = (int)n;
				continue;
			}
			if ((low & DM_MASK) == DM_SMI) {
				s->smi_unmasked++;
				continue;
			}
			s->why = (low & DM_MASK) == DM_EXTINT
				 ? "a second unmasked ExtINT entry"
				 : "an unmasked entry";
			s->bad_entry = true;
			s->bad_addr = base;
			s->bad_pin = n;
			s->bad_low = low;
			return;
		}
	}
}

static void verdict_ioapic(struct probe *p, const struct ioapic_scan *s)
{
	if (s->why && s->bad_entry) {
		verdict(p, "ioapic", false, "%s: 0x%lx pin %u low=0x%x",
			s->why, s->bad_addr, s->bad_pin, s->bad_low);
		return;
	}
	if (s->why) {
		verdict(p, "ioapic", false, "%s at 0x%lx (%s)", s->why,
			s->bad_addr, s->from_madt ? "from the MADT" : "default");
		return;
	}
	unsigned pins = 0;
	for (unsigned a = 0; a < s->count; a++)
		pins += s->pins[a];
	if (s->extint_apic >= 0)
		verdict(p, "ioapic", true,
			"%u IO-APIC(s) (%s, first 0x%lx), %u pins masked but ExtINT on 0x%lx pin %d, %u SMI",
			s->count, s->from_madt ? "MADT" : "default", s->addr[0],
			pins - 1 - s->smi_unmasked, s->addr[s->extint_apic],
			s->extint_pin, s->smi_unmasked);
	else
		verdict(p, "ioapic", true,
			"%u IO-APIC(s) (%s, first 0x%lx), %u pins masked, no ExtINT, %u SMI",
			s->count, s->from_madt ? "MADT" : "default", s->addr[0],
			pins - s->smi_unmasked, s->smi_unmasked);
}

struct lapic {
	bool x2;
	uint64_t base;
};

static uint32_t lapic_read(const struct lapic *l, uint32_t off)
{
	if (l->x2)
		return (uint32_t)rdmsr(0x800 + (off >> 4));
	return *mmio32(l->base + off);
}

/*
 * Virtual-wire mode (MPS 1.4 section 3.6.2.2): the 8259 reaches the CPU
 * through LINT0 (ExtINT, unmasked), or through an IO-APIC ExtINT entry, in
 * which case LINT0 is masked so it is not delivered twice.  LINT1 carries
 * NMI.  The timer and the error LVT are masked.
 */
static void verdict_lapic(struct probe *p, const struct ioapic_scan *s)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	struct lapic l = { .x2 = msr & APIC_BASE_X2, .base = msr & APIC_BASE_ADDR };

	if (!(msr & APIC_BASE_EN)) {
		verdict(p, "lapic", false, "globally disabled (apic_base=0x%lx)", msr);
		return;
	}
	if (!l.x2 && !mem_ok(p, l.base, 0x400)) {
		verdict(p, "lapic", false, "base 0x%lx outside the probe's map", l.base);
		return;
	}
	uint32_t svr = lapic_read(&l, APIC_SVR);
	uint32_t lvt0 = lapic_read(&l, APIC_LVT0);
	uint32_t lvt1 = lapic_read(&l, APIC_LVT1);
	uint32_t lvtt = lapic_read(&l, APIC_LVTT);
	uint32_t lverr = lapic_read(&l, APIC_LVTERR);
	bool ioapic_extint = s->extint_apic >= 0;
	const char *why = NULL;

	if (!(svr & SVR_ENABLE))
		why = "software-disabled (SVR bit 8 clear)";
	else if ((lvt0 & DM_MASK) != DM_EXTINT)
		why = "LVT0 is not ExtINT";
	else if (!ioapic_extint && (lvt0 & LVT_MASKED))
		why = "LVT0 is masked and no IO-APIC entry carries the 8259";
	else if (ioapic_extint && !(lvt0 & LVT_MASKED))
		why = "LVT0 is unmasked while an IO-APIC entry carries the 8259";
	else if ((lvt1 & DM_MASK) != DM_NMI)
		why = "LVT1 is not NMI";
	else if (lvt1 & LVT_MASKED)
		why = "LVT1 is masked";
	else if (!(lvtt & LVT_MASKED))
		why = "the timer LVT is unmasked";
	else if (!(lverr & LVT_MASKED))
		why = "the error LVT is unmasked";
	verdict(p, "lapic", !why,
		"%s%s%s base=0x%lx svr=0x%x lvt0=0x%x lvt1=0x%x timer=0x%x error=0x%x",
		why ? why : "", why ? "; " : "", l.x2 ? "x2apic" : "xapic",
		l.base, svr, lvt0, lvt1, lvtt, lverr);
}

void check_lapic_ioapic(struct probe *p)
{
	struct ioapic_scan s;

	ioapic_scan(p, &s);
	verdict_lapic(p, &s);
	verdict_ioapic(p, &s);
}
