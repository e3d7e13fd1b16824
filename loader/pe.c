#include "loader/pe.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define PE_MACHINE_X64 0x8664
#define PE_MACHINE_I386 0x014c
#define PE_MACHINE_ARM64 0xaa64
#define PE32PLUS_MAGIC 0x020b

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case PE_MACHINE_I386:
		return "32-bit x86 (IA-32)";
	case PE_MACHINE_ARM64:
		return "ARM64 (AArch64)";
	case 0x01c2:
	case 0x01c4:
		return "32-bit ARM";
	case 0x5064:
		return "RISC-V 64";
	default:
		return NULL;
	}
}

int pe_check(const void *data, size_t len, char *why, size_t whylen)
{
	const uint8_t *p = data;
	uint32_t pe;
	uint16_t machine, magic, subsystem;
	const char *name;

	if (len < 64 || p[0] != 'M' || p[1] != 'Z') {
		fmt_buf(why, whylen, "not an EFI program (no MZ signature at offset 0)");
		return BT_EFORMAT;
	}
	pe = get32(p + 0x3c);
	/* Signature, COFF header (20 bytes), then the optional header up to
	 * and including Subsystem (offset 68, 2 bytes). */
	if (pe > len || len - pe < 4 + 20 + 70 || memcmp(p + pe, "PE\0\0", 4)) {
		fmt_buf(why, whylen, "not an EFI program (no PE header where the "
			"MZ header points, offset 0x%x)", pe);
		return BT_EFORMAT;
	}
	machine = get16(p + pe + 4);
	if (machine != PE_MACHINE_X64) {
		name = machine_name(machine);
		if (name)
			fmt_buf(why, whylen, "an EFI program for %s; this machine "
				"runs x86-64 ones", name);
		else
			fmt_buf(why, whylen, "a PE file for machine type 0x%04x, "
				"not x86-64 (0x8664)", machine);
		return BT_EFORMAT;
	}
	magic = get16(p + pe + 24);
	if (magic != PE32PLUS_MAGIC) {
		fmt_buf(why, whylen, "not a 64-bit PE32+ image (optional header "
			"magic 0x%04x, expected 0x020b)", magic);
		return BT_EFORMAT;
	}
	subsystem = get16(p + pe + 24 + 68);
	if (subsystem < 10 || subsystem > 12) {
		fmt_buf(why, whylen, "a PE program for subsystem %u, not an EFI "
			"application or driver (10-12)", subsystem);
		return BT_EFORMAT;
	}
	return 0;
}

/* Where the section table starts and how many entries it has; false when
 * data[0..len) does not hold the COFF header. */
static bool section_table(const uint8_t *p, size_t len, size_t *table,
			  unsigned *n)
{
	uint32_t pe;

	if (len < 64 || p[0] != 'M' || p[1] != 'Z')
		return false;
	pe = get32(p + 0x3c);
	if (pe > len || len - pe < 24 || memcmp(p + pe, "PE\0\0", 4))
		return false;
	*n = get16(p + pe + 6);
	*table = (size_t)pe + 24 + get16(p + pe + 20);
	return true;
}

size_t pe_headers_len(const void *data, size_t len)
{
	size_t table;
	unsigned n;

	if (!section_table(data, len, &table, &n))
		return 0;
	return table + (size_t)n * 40;
}

int pe_section(const void *data, size_t len, const char *name, uint32_t *off,
	       uint32_t *size)
{
	const uint8_t *p = data;
	size_t table, nlen = strlen(name), i;
	unsigned n;

	if (!section_table(p, len, &table, &n) || nlen > 8 ||
	    table > len || (len - table) / 40 < n)
		return BT_EFORMAT;
	for (i = 0; i < n; i++) {
		const uint8_t *s = p + table + i * 40;
		uint32_t vsize = get32(s + 8), raw = get32(s + 16);

		if (memcmp(s, name, nlen) || (nlen < 8 && s[nlen]))
			continue;
		*off = get32(s + 20);
		*size = vsize && vsize < raw ? vsize : raw;
		return 0;
	}
	return BT_ENOENT;
}
