/*
 * acpi.c - just enough ACPI to find the IO-APICs: RSDP -> XSDT/RSDT ->
 * MADT ("APIC") -> type 1 entries.  Layouts: ACPI 6.x sections 5.2.5
 * (RSDP), 5.2.6 (table header), 5.2.7/5.2.8 (RSDT/XSDT), 5.2.12 (MADT).
 */
#include "probe.h"

#define SDT_HEADER_LEN  36
#define MADT_ENTRIES    44
#define MADT_IOAPIC     1

static uint8_t checksum(uint64_t addr, uint64_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + rd8(addr++));
	return sum;
}

const char *acpi_rsdp_problem(const struct probe *p, uint64_t addr)
{
	if (!mem_ok(p, addr, 20))
		return "unreadable";
	if (memcmp(phys(addr), "RSD PTR ", 8) != 0)
		return "no \"RSD PTR \" signature";
	if (checksum(addr, 20) != 0)
		return "bad checksum";
	if (rd8(addr + 15) >= 2) {
		uint32_t len = rd32(addr + 20);
		if (len < 36 || len > 4096 || !mem_ok(p, addr, len))
			return "bad length";
		if (checksum(addr, len) != 0)
			return "bad extended checksum";
	}
	return NULL;
}

/* Length of the table at addr if it is readable and named sig, else 0. */
static uint32_t sdt_len(const struct probe *p, uint64_t addr, const char *sig)
{
	if (!addr || !mem_ok(p, addr, SDT_HEADER_LEN) ||
	    memcmp(phys(addr), sig, 4) != 0)
		return 0;
	uint32_t len = rd32(addr + 4);
	if (len < SDT_HEADER_LEN || !mem_ok(p, addr, len))
		return 0;
	return len;
}

static uint64_t find_madt(const struct probe *p)
{
	uint64_t rsdp = p->rsdp, root = 0;
	unsigned step = 4;
	uint32_t len = 0;

	if (rd8(rsdp + 15) >= 2) {
		root = rd64(rsdp + 24);
		step = 8;
		len = sdt_len(p, root, "XSDT");
	}
	if (!len) {
		root = rd32(rsdp + 16);
		step = 4;
		len = sdt_len(p, root, "RSDT");
	}
	for (uint64_t off = SDT_HEADER_LEN; len && off + step <= len; off += step) {
		uint64_t t = step == 8 ? rd64(root + off) : rd32(root + off);
		if (sdt_len(p, t, "APIC"))
			return t;
	}
	return 0;
}

unsigned acpi_ioapics(const struct probe *p, uint64_t *addr, unsigned max)
{
	unsigned n = 0;

	if (!p->rsdp)
		return 0;
	uint64_t madt = find_madt(p);
	uint32_t len = madt ? sdt_len(p, madt, "APIC") : 0;

	for (uint64_t off = MADT_ENTRIES; off + 2 <= len;) {
		uint8_t type = rd8(madt + off), elen = rd8(madt + off + 1);
		if (elen < 2 || off + elen > len)
			break;
		if (type == MADT_IOAPIC && elen >= 12 && n < max)
			addr[n++] = rd32(madt + off + 4);
		off += elen;
	}
	return n;
}
