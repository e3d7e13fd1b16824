/*
 * Finding the interrupt controllers in the ACPI MADT ("APIC" table), from
 * the RSDP.  Portable: physical addresses are read through the identity
 * mapping the firmware (and baton's handoff) provide, or through test
 * memory in host builds, via the to_ptr callback.
 */
#ifndef BATON_ARCH_X86_64_MADT_H
#define BATON_ARCH_X86_64_MADT_H

#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_IOAPICS 8
#define LAPIC_DEFAULT_BASE 0xFEE00000ULL
#define IOAPIC_DEFAULT_BASE 0xFEC00000ULL

struct madt_info {
	uint64_t lapic;		/* local APIC base (0: not found) */
	uint64_t ioapic[MADT_MAX_IOAPICS];
	size_t n_ioapics;
	uint8_t pcat_compat;	/* MADT flags bit 0: the machine has 8259s */
};

/* Translate a physical address to a pointer to len readable bytes, or NULL
 * when they cannot be read.  madt_find reads nothing beyond len: it asks
 * for 20 bytes of the RSDP (36 for version 2), a table's 36-byte header,
 * then the length the header states. */
typedef const void *(*madt_to_ptr)(void *ctx, uint64_t phys, size_t len);

/*
 * Fill *out from the RSDP at rsdp (XSDT preferred, RSDT otherwise).  Each
 * table's checksum is verified.  Returns 0, or BT_ENOENT with a message in
 * why when there is no usable RSDP or MADT (callers then fall back to the
 * architectural defaults).
 */
int madt_find(uint64_t rsdp, madt_to_ptr to_ptr, void *ctx,
	      struct madt_info *out, char *why, size_t whylen);

#endif
