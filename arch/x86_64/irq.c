/*
 * Quiescing the interrupt controllers for the next kernel, as Linux's kexec
 * shutdown leaves them and as the MultiProcessor Specification (§3.6.2.2,
 * virtual wire mode) describes: 8259s reinitialised (vector bases 0x08/0x70,
 * as a PC BIOS leaves them) and fully masked; every IO-APIC pin masked except
 * one that carries the 8259 (ExtINT), which is re-pointed at this CPU; the
 * local APIC software-enabled with LINT0 = ExtINT and LINT1 = NMI, and its
 * timer, error and other local vectors masked.
 */
#include "arch/x86_64/kexec.h"
#include "arch/x86_64/io.h"
#include "lib/mem.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_X2APIC (1ULL << 10)
#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_SVR 0xF0
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2F0
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVT_ERROR 0x370
#define LVT_MASKED (1u << 16)
#define LVT_EXTINT (7u << 8)
#define LVT_NMI (4u << 8)
#define SVR_ENABLE (1u << 8)
#define SVR_VECTOR 0x0F	/* what Linux's disconnect_bsp_APIC leaves */

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)
#define REDIR_REMOTE_IRR (1u << 14)
#define REDIR_MODE_MASK (7u << 8)
#define REDIR_SMI (2u << 8)
#define REDIR_EXTINT (7u << 8)

/* The local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode. */
struct lapic {
	uint64_t base;
	bool x2;
};

static struct lapic lapic_get(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	struct lapic l = { msr & 0xFFFFFF000ULL, (msr & APIC_BASE_X2APIC) != 0 };

	return l;
}

static uint32_t lapic_read(const struct lapic *l, uint32_t reg)
{
	return l->x2 ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : mmio_read32(l->base + reg);
}

static void lapic_write(const struct lapic *l, uint32_t reg, uint32_t v)
{
	if (l->x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(l->base + reg, v);
}

static uint32_t lapic_id(const struct lapic *l)
{
	uint32_t id = lapic_read(l, APIC_ID);

	return l->x2 ? id : id >> 24;
}

static uint32_t ioapic_read(uint64_t base, uint32_t reg)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	return mmio_read32(base + IOAPIC_WIN);
}

static void ioapic_write(uint64_t base, uint32_t reg, uint32_t v)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	mmio_write32(base + IOAPIC_WIN, v);
}

static unsigned ioapic_pins(uint64_t base)
{
	return ((ioapic_read(base, IOAPIC_VER) >> 16) & 0xFF) + 1;
}

/* Reinitialise both 8259s with the BIOS vector bases and mask them. */
static void pic_reset(void)
{
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
	outb(PIC1_CMD, 0x11);	/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x08);	/* ICW2: vector bases */
	outb(PIC2_DATA, 0x70);
	outb(PIC1_DATA, 0x04);	/* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);	/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFF);	/* OCW1: everything masked */
	outb(PIC2_DATA, 0xFF);
}

/*
 * Mask every pin of one IO-APIC.  Returns the pin that carried the 8259
 * (an unmasked ExtINT entry), or -1.  A level-triggered pin with Remote IRR
 * set is EOI'd by switching it to edge and back, as Linux does, so it does
 * not stay stuck for the next kernel.
 */
static int ioapic_mask_all(uint64_t base)
{
	unsigned n = ioapic_pins(base), pin;
	int extint = -1;

	for (pin = 0; pin < n; pin++) {
		uint32_t lo = ioapic_read(base, IOAPIC_REDIR(pin));

		if ((lo & REDIR_MODE_MASK) == REDIR_SMI)
			continue;
		if ((lo & REDIR_MODE_MASK) == REDIR_EXTINT && !(lo & REDIR_MASKED))
			extint = (int)pin;
		ioapic_write(base, IOAPIC_REDIR(pin), lo | REDIR_MASKED);
		if (lo & REDIR_REMOTE_IRR) {
			ioapic_write(base, IOAPIC_REDIR(pin), (lo | REDIR_MASKED) & ~REDIR_LEVEL);
			ioapic_write(base, IOAPIC_REDIR(pin), lo | REDIR_MASKED);
		}
		ioapic_write(base, IOAPIC_REDIR(pin), REDIR_MASKED);
		ioapic_write(base, IOAPIC_REDIR(pin) + 1, 0);
	}
	return extint;
}

/* Mask the local vectors and clear errors (Linux's clear_local_APIC). */
static void lapic_clear(const struct lapic *l)
{
	unsigned maxlvt = (lapic_read(l, APIC_VERSION) >> 16) & 0xFF;

	/* Error vector first, with a nonzero vector, so masking the others
	 * cannot raise an error interrupt. */
	lapic_write(l, APIC_LVT_ERROR, LVT_MASKED | 0xFE);
	lapic_write(l, APIC_LVT_TIMER, LVT_MASKED | 0xEF);
	lapic_write(l, APIC_LVT0, LVT_MASKED);
	lapic_write(l, APIC_LVT1, LVT_MASKED);
	if (maxlvt >= 4)
		lapic_write(l, APIC_LVT_PERF, LVT_MASKED);
	if (maxlvt >= 5)
		lapic_write(l, APIC_LVT_THERMAL, LVT_MASKED);
	if (maxlvt >= 6)
		lapic_write(l, APIC_LVT_CMCI, LVT_MASKED);
	if (!l->x2)	/* x2APIC's ESR must be written with zero only */
		lapic_write(l, APIC_ESR, 0);
	lapic_write(l, APIC_ESR, 0);
}

void machine_shutdown(const struct kexec_control *kc)
{
	struct lapic l = lapic_get();
	uint64_t extint_base = 0;
	int extint_pin = -1;
	size_t i;

	__asm__ volatile("cli");
	pic_reset();
	for (i = 0; i < kc->irq.n_ioapics; i++) {
		int pin = ioapic_mask_all(kc->irq.ioapic[i]);

		if (pin >= 0 && extint_pin < 0) {
			extint_pin = pin;
			extint_base = kc->irq.ioapic[i];
		}
	}
	lapic_clear(&l);
	lapic_write(&l, APIC_SVR, SVR_ENABLE | SVR_VECTOR);
	if (extint_pin >= 0) {
		/* The 8259 reaches the CPU through the IO-APIC (virtual wire
		 * mode B): route that pin to us, edge, high, ExtINT, high
		 * dword first; LINT0 stays masked. */
		ioapic_write(extint_base, IOAPIC_REDIR(extint_pin) + 1,
			     lapic_id(&l) << 24);
		ioapic_write(extint_base, IOAPIC_REDIR(extint_pin), REDIR_EXTINT);
		lapic_write(&l, APIC_LVT0, LVT_MASKED | LVT_EXTINT);
	} else {
		/* Virtual wire mode A: the 8259 on LINT0. */
		lapic_write(&l, APIC_LVT0, LVT_EXTINT);
	}
	lapic_write(&l, APIC_LVT1, LVT_NMI);
}

void machine_disturb_irqs(const struct kexec_control *kc)
{
	struct lapic l = lapic_get();

	__asm__ volatile("cli");
	outb(PIC1_DATA, 0x00);
	outb(PIC2_DATA, 0x00);
	lapic_write(&l, APIC_LVT0, LVT_MASKED);
	lapic_write(&l, APIC_LVT1, LVT_MASKED);
	lapic_write(&l, APIC_LVT_TIMER, 0xEF);		/* unmasked, one-shot, count 0 */
	lapic_write(&l, APIC_LVT_ERROR, 0xFE);
	if (kc->irq.n_ioapics)
		ioapic_write(kc->irq.ioapic[0], IOAPIC_REDIR(1), 0x31);	/* fixed, vector 0x31 */
}

/* --- after ExitBootServices, failures go straight to COM1 --- */

#define COM1 0x3F8

static void com1_putc(char c)
{
	unsigned spin = 100000;

	while (!(inb(COM1 + 5) & 0x20) && --spin)
		;
	outb(COM1, (uint8_t)c);
}

void machine_panic(struct fw *fw, const char *msg)
{
	const char *p;

	__asm__ volatile("cli");
	for (p = "\r\nbaton: handoff failed after ExitBootServices was called: ";
	     *p; p++)
		com1_putc(*p);
	for (p = msg; *p; p++)
		com1_putc(*p);
	for (p = "\r\nbaton: resetting\r\n"; *p; p++)
		com1_putc(*p);
	/* Reset through the PCI reset control register, then the keyboard
	 * controller, then a triple fault. */
	outb(0xCF9, 0x02);
	outb(0xCF9, 0x06);
	outb(0x64, 0xFE);
	for (;;) {
		static const struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };

		__asm__ volatile("lidt %0; int3" : : "m"(none));
	}
}
