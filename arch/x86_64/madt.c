#include "arch/x86_64/madt.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static bool sum_ok(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s == 0;
}

/* The SDT at phys, checked, or NULL. */
static const uint8_t *table(uint64_t phys, madt_to_ptr to_ptr, void *ctx)
{
	const uint8_t *h = phys ? to_ptr(ctx, phys, 36) : NULL;
	uint32_t len;

	if (!h)
		return NULL;
	len = get32(h + 4);
	if (len < 36 || len > (1u << 20))
		return NULL;
	h = to_ptr(ctx, phys, len);
	return h && sum_ok(h, len) ? h : NULL;
}

/* Record the MADT's controllers. */
static void parse_madt(const uint8_t *m, struct madt_info *out)
{
	uint32_t len = get32(m + 4), off = 44;

	out->lapic = get32(m + 36);
	out->pcat_compat = get32(m + 40) & 1;
	while (off + 2 <= len) {
		uint8_t type = m[off], elen = m[off + 1];

		if (elen < 2 || off + elen > len)
			break;
		if (type == 1 && elen >= 12 && out->n_ioapics < MADT_MAX_IOAPICS)
			out->ioapic[out->n_ioapics++] = get32(m + off + 4);
		else if (type == 5 && elen >= 12)	/* 64-bit LAPIC override */
			out->lapic = get64(m + off + 4);
		off += elen;
	}
}

int madt_find(uint64_t rsdp, madt_to_ptr to_ptr, void *ctx,
	      struct madt_info *out, char *why, size_t whylen)
{
	/* A version 1 RSDP is 20 bytes; only a version 2 one is read as 36. */
	const uint8_t *r = rsdp ? to_ptr(ctx, rsdp, 20) : NULL;
	const uint8_t *root;
	size_t i, n, esz;

	memset(out, 0, sizeof(*out));
	if (r && r[15] >= 2)
		r = to_ptr(ctx, rsdp, 36);
	if (!r || memcmp(r, "RSD PTR ", 8) || !sum_ok(r, 20)) {
		fmt_buf(why, whylen, "no valid ACPI RSDP");
		return BT_ENOENT;
	}
	if (r[15] >= 2 && get64(r + 24) && sum_ok(r, 36)) {
		root = table(get64(r + 24), to_ptr, ctx);	/* XSDT */
		esz = 8;
	} else {
		root = table(get32(r + 16), to_ptr, ctx);	/* RSDT */
		esz = 4;
	}
	if (!root) {
		fmt_buf(why, whylen, "the ACPI root table is missing or corrupt");
		return BT_ENOENT;
	}
	n = (get32(root + 4) - 36) / esz;
	for (i = 0; i < n; i++) {
		const uint8_t *e = root + 36 + i * esz;
		const uint8_t *t = table(esz == 8 ? get64(e) : get32(e), to_ptr, ctx);

		if (t && !memcmp(t, "APIC", 4) && get32(t + 4) >= 44) {
			parse_madt(t, out);
			return 0;
		}
	}
	fmt_buf(why, whylen, "no ACPI MADT (APIC table)");
	return BT_ENOENT;
}
