/*
 * libFuzzer target: madt_find must read no byte beyond the lengths it asks
 * to_ptr for, whatever the tables say, and what it reports must fit
 * struct madt_info.  Input: one byte of options, then the "physical
 * memory" from FUZZ_BASE, with the RSDP at its start.  Option bit 0 fixes
 * up the checksums of the RSDP, the root table and the tables it lists
 * before the call, so mutations reach the MADT walk instead of stopping
 * at a checksum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86_64/madt.h"
#include "lib/bytes.h"
#include "lib/error.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FUZZ_BASE 0x1000ULL
#define MAX_COPIES 128

struct mem {
	uint8_t *bytes;
	size_t size;
	void *copy[MAX_COPIES];
	size_t n_copies;
};

/* An exact-size copy of [phys, phys+len): ASan reports a read past it. */
static const void *mem_ptr(void *ctx, uint64_t phys, size_t len)
{
	struct mem *m = ctx;
	void *p;

	if (phys < FUZZ_BASE || phys - FUZZ_BASE > m->size ||
	    len > m->size - (phys - FUZZ_BASE) || m->n_copies == MAX_COPIES)
		return NULL;
	p = malloc(len ? len : 1);
	CHECK(p);
	memcpy(p, m->bytes + (phys - FUZZ_BASE), len);
	m->copy[m->n_copies++] = p;
	return p;
}

/* The offset of len bytes at phys in m, or -1. */
static long at(const struct mem *m, uint64_t phys, uint64_t len)
{
	if (phys < FUZZ_BASE || phys - FUZZ_BASE > m->size ||
	    len > m->size - (phys - FUZZ_BASE))
		return -1;
	return (long)(phys - FUZZ_BASE);
}

static void fix_sum(uint8_t *p, size_t len, size_t where)
{
	uint8_t s = 0;
	size_t i;

	p[where] = 0;
	for (i = 0; i < len; i++)
		s += p[i];
	p[where] = (uint8_t)-s;
}

/* Fix the checksum of the table at phys, if it lies in m; its length. */
static uint32_t fix_table(struct mem *m, uint64_t phys)
{
	long off = at(m, phys, 36);
	uint32_t len;

	if (off < 0)
		return 0;
	len = get32(m->bytes + off + 4);
	if (len < 36 || at(m, phys, len) < 0)
		return 0;
	fix_sum(m->bytes + off, len, 9);
	return len;
}

static void fix_checksums(struct mem *m)
{
	uint8_t *r = m->bytes;
	uint64_t root;
	uint32_t len, i, esz;
	long off;

	if (m->size < 20)
		return;
	fix_sum(r, 20, 8);
	esz = 4;
	root = get32(r + 16);
	if (r[15] >= 2 && m->size >= 36) {
		fix_sum(r, 36, 32);
		if (get64(r + 24)) {
			root = get64(r + 24);
			esz = 8;
		}
	}
	/* Tables first (the root's entries), then the root, in case a table
	 * overlaps it: the root's own checksum is then right at least. */
	off = at(m, root, 36);
	len = fix_table(m, root);
	for (i = 0; off >= 0 && len && i < (len - 36) / esz; i++) {
		const uint8_t *e = m->bytes + off + 36 + i * esz;

		fix_table(m, esz == 8 ? get64(e) : get32(e));
	}
	fix_table(m, root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { 0 };
	struct madt_info info;
	char why[100];
	int rc;

	if (size < 1)
		return 0;
	m.size = size - 1;
	m.bytes = malloc(m.size ? m.size : 1);
	CHECK(m.bytes);
	memcpy(m.bytes, data + 1, m.size);
	if (data[0] & 1)
		fix_checksums(&m);
	why[0] = '\0';
	memset(&info, 0xA5, sizeof(info));
	rc = madt_find(FUZZ_BASE, mem_ptr, &m, &info, why, sizeof(why));
	CHECK(rc == 0 || rc == BT_ENOENT);
	CHECK(info.n_ioapics <= MADT_MAX_IOAPICS);
	CHECK(info.pcat_compat <= 1);
	if (rc) {
		/* Nothing half-filled, and a reason given. */
		CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
		CHECK(info.lapic == 0 && info.n_ioapics == 0);
	}
	while (m.n_copies)
		free(m.copy[--m.n_copies]);
	free(m.bytes);
	return 0;
}
