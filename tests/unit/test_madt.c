/*
 * Unit tests for arch/x86_64/madt.c: ACPI tables built in a small
 * "physical memory", read through a to_ptr that hands out exact-size
 * copies, so ASan reports any read past the length madt_find asked for.
 */
#include "tests/unit/helpers.h"
#include "arch/x86_64/madt.h"
#include "lib/bytes.h"

#define MEM_BASE 0x10000ULL	/* physical address of mem.bytes[0] */
#define MEM_SIZE 4096

/* Where the tests put things, as offsets in the memory. */
#define AT_RSDP 0x000
#define AT_RSDT 0x100
#define AT_XSDT 0x200
#define AT_FACP 0x300
#define AT_MADT 0x400
#define AT_MADT2 0x800

struct acpi_mem {
	uint8_t bytes[MEM_SIZE];
	size_t size;		/* readable bytes from MEM_BASE */
	void *copy[64];		/* what to_ptr handed out */
	size_t n_copies;
};

static const void *mem_ptr(void *ctx, uint64_t phys, size_t len)
{
	struct acpi_mem *m = ctx;
	void *p;

	if (phys < MEM_BASE || phys - MEM_BASE > m->size ||
	    len > m->size - (phys - MEM_BASE))
		return NULL;
	assert_true(m->n_copies < 64);
	p = malloc(len ? len : 1);
	memcpy(p, m->bytes + (phys - MEM_BASE), len);
	m->copy[m->n_copies++] = p;
	return p;
}

static void mem_release(struct acpi_mem *m)
{
	while (m->n_copies)
		free(m->copy[--m->n_copies]);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Make p[0..len) sum to zero by setting p[at]. */
static void fix_sum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-sum(p, len);
}

static void put_rsdp(struct acpi_mem *m, unsigned rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = m->bytes + AT_RSDP;

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BATON ", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, rsdt);
	fix_sum(r, 20, 8);
	if (rev >= 2) {
		put32(r + 20, 36);
		put64(r + 24, xsdt);
		fix_sum(r, 36, 32);
	}
}

/* A table header at off: signature, length; the checksum is fixed by
 * seal() once the body is written. */
static uint8_t *put_sdt(struct acpi_mem *m, size_t off, const char *sig, uint32_t len)
{
	uint8_t *t = m->bytes + off;

	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "BATON ", 6);
	return t;
}

static void seal(struct acpi_mem *m, size_t off)
{
	uint8_t *t = m->bytes + off;

	fix_sum(t, get32(t + 4), 9);
}

/* A root table at off listing the given tables (4- or 8-byte entries). */
static void put_root(struct acpi_mem *m, size_t off, const char *sig,
		     unsigned esz, const size_t *tables, size_t n)
{
	uint8_t *t = put_sdt(m, off, sig, (uint32_t)(36 + n * esz));
	size_t i;

	for (i = 0; i < n; i++) {
		if (esz == 8)
			put64(t + 36 + i * 8, MEM_BASE + tables[i]);
		else
			put32(t + 36 + i * 4, (uint32_t)(MEM_BASE + tables[i]));
	}
	seal(m, off);
}

/* A FACP that is not the MADT (madt_find must look past it). */
static void put_facp(struct acpi_mem *m)
{
	put_sdt(m, AT_FACP, "FACP", 116);
	seal(m, AT_FACP);
}

/*
 * A MADT at off with local APIC lapic and flags 1, then entries: a local
 * APIC, an I/O APIC at 0xFEC00000, an interrupt source override (IRQ 0 to
 * GSI 2), a second I/O APIC at ioapic2.  Returns its length.
 */
static uint32_t put_madt(struct acpi_mem *m, size_t off, uint32_t lapic,
			 uint32_t ioapic2)
{
	uint8_t *t = put_sdt(m, off, "APIC", 44 + 8 + 12 + 10 + 12), *e = t + 44;

	put32(t + 36, lapic);
	put32(t + 40, 1);
	e[0] = 0;			/* processor local APIC */
	e[1] = 8;
	e[3] = 0;
	put32(e + 4, 1);
	e += 8;
	e[0] = 1;			/* I/O APIC */
	e[1] = 12;
	e[2] = 0;
	put32(e + 4, 0xFEC00000);
	e += 12;
	e[0] = 2;			/* interrupt source override */
	e[1] = 10;
	e[3] = 0;			/* IRQ 0 */
	put32(e + 4, 2);		/* GSI 2 */
	e += 10;
	e[0] = 1;
	e[1] = 12;
	e[2] = 1;
	put32(e + 4, ioapic2);
	put32(e + 8, 24);		/* its first GSI */
	seal(m, off);
	return get32(t + 4);
}

/* A v1 machine: RSDP -> RSDT -> { FACP, MADT }. */
static void machine_v1(struct acpi_mem *m)
{
	static const size_t tables[] = { AT_FACP, AT_MADT };

	memset(m, 0, sizeof(*m));
	m->size = MEM_SIZE;
	put_facp(m);
	put_madt(m, AT_MADT, 0xFEE00000, 0xFEC01000);
	put_root(m, AT_RSDT, "RSDT", 4, tables, 2);
	put_rsdp(m, 0, MEM_BASE + AT_RSDT, 0);
}

static int find(struct acpi_mem *m, struct madt_info *out, char *why, size_t n)
{
	int rc;

	why[0] = '\0';
	rc = madt_find(MEM_BASE + AT_RSDP, mem_ptr, m, out, why, n);
	mem_release(m);
	return rc;
}

static void expect_missing(struct acpi_mem *m, const char *why_want)
{
	struct madt_info info;
	char why[100];

	assert_int_equal(find(m, &info, why, sizeof(why)), BT_ENOENT);
	assert_string_equal(why, why_want);
	assert_int_equal(info.lapic, 0);
	assert_int_equal(info.n_ioapics, 0);
}

static void expect_v1_controllers(const struct madt_info *info)
{
	assert_int_equal(info->lapic, 0xFEE00000);
	assert_int_equal(info->n_ioapics, 2);
	assert_int_equal(info->ioapic[0], 0xFEC00000);
	assert_int_equal(info->ioapic[1], 0xFEC01000);
	assert_int_equal(info->pcat_compat, 1);
}

static void test_rsdp_v1_rsdt(void **state)
{
	struct acpi_mem m;
	struct madt_info info;
	char why[100];

	machine_v1(&m);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	expect_v1_controllers(&info);
	/* The flags' other bits are not the 8259s' bit. */
	put32(m.bytes + AT_MADT + 40, 0xFFFFFFFE);
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.pcat_compat, 0);
}

/* v2: the XSDT is preferred; a bad extended checksum or a zero XSDT
 * address means the RSDT. */
static void test_rsdp_v2_xsdt(void **state)
{
	static const size_t xtables[] = { AT_MADT2, AT_FACP };
	struct acpi_mem m;
	struct madt_info info;
	char why[100];

	machine_v1(&m);
	put_madt(&m, AT_MADT2, 0xFEE10000, 0xFEC02000);
	put_root(&m, AT_XSDT, "XSDT", 8, xtables, 2);
	put_rsdp(&m, 2, MEM_BASE + AT_RSDT, MEM_BASE + AT_XSDT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.lapic, 0xFEE10000);
	assert_int_equal(info.ioapic[1], 0xFEC02000);

	m.bytes[AT_RSDP + 32]++;	/* extended checksum */
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	expect_v1_controllers(&info);

	put_rsdp(&m, 2, MEM_BASE + AT_RSDT, 0);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	expect_v1_controllers(&info);

	/* A corrupt XSDT is not replaced by the RSDT: the firmware said to
	 * use it. */
	put_rsdp(&m, 2, MEM_BASE + AT_RSDT, MEM_BASE + AT_XSDT);
	m.bytes[AT_XSDT + 40]++;
	expect_missing(&m, "the ACPI root table is missing or corrupt");
}

static void test_lapic_override(void **state)
{
	struct acpi_mem m;
	struct madt_info info;
	char why[100];
	uint8_t *t, *e;

	machine_v1(&m);
	t = m.bytes + AT_MADT;
	e = t + get32(t + 4);
	e[0] = 5;
	e[1] = 12;
	put64(e + 4, 0x123456789000ULL);
	put32(t + 4, get32(t + 4) + 12);
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.lapic, 0x123456789000ULL);
	assert_int_equal(info.n_ioapics, 2);
	/* Too short to hold the address: ignored. */
	e[1] = 8;
	put32(t + 4, get32(t + 4) - 4);
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.lapic, 0xFEE00000);
}

static void test_bad_checksums(void **state)
{
	struct acpi_mem m;

	machine_v1(&m);
	m.bytes[AT_RSDP + 8]++;
	expect_missing(&m, "no valid ACPI RSDP");

	machine_v1(&m);
	m.bytes[AT_RSDP] = 'X';
	expect_missing(&m, "no valid ACPI RSDP");

	machine_v1(&m);
	m.bytes[AT_RSDT + 36]++;	/* an entry of the RSDT */
	expect_missing(&m, "the ACPI root table is missing or corrupt");

	machine_v1(&m);
	m.bytes[AT_MADT + 50]++;
	expect_missing(&m, "no ACPI MADT (APIC table)");
}

static void test_no_rsdp_or_madt(void **state)
{
	static const size_t only_facp[] = { AT_FACP };
	struct acpi_mem m;
	struct madt_info info;
	char why[100];

	machine_v1(&m);
	assert_int_equal(madt_find(0, mem_ptr, &m, &info, why, sizeof(why)), BT_ENOENT);
	assert_string_equal(why, "no valid ACPI RSDP");
	assert_int_equal(madt_find(MEM_BASE + MEM_SIZE + 0x1000, mem_ptr, &m, &info,
				   why, sizeof(why)), BT_ENOENT);
	mem_release(&m);

	machine_v1(&m);
	put_root(&m, AT_RSDT, "RSDT", 4, only_facp, 1);
	expect_missing(&m, "no ACPI MADT (APIC table)");

	machine_v1(&m);
	put_rsdp(&m, 0, 0, 0);		/* no RSDT at all */
	expect_missing(&m, "the ACPI root table is missing or corrupt");
}

/* Entries that do not fit end the walk; what came before is kept. */
static void test_truncated_entries(void **state)
{
	struct acpi_mem m;
	struct madt_info info;
	char why[100];
	size_t second = AT_MADT + 44 + 8 + 12 + 10;	/* the second I/O APIC */
	uint32_t len;

	machine_v1(&m);
	m.bytes[second + 1] = 0;	/* length 0: would loop for ever */
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.n_ioapics, 1);

	machine_v1(&m);
	m.bytes[second + 1] = 13;	/* one byte past the table */
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.n_ioapics, 1);

	machine_v1(&m);
	m.bytes[AT_MADT + 44 + 8 + 1] = 8;	/* an I/O APIC too short... */
	m.bytes[AT_MADT + 44 + 8 + 8] = 0;	/* ...then 4 bytes of a type 0 */
	m.bytes[AT_MADT + 44 + 8 + 9] = 4;
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.n_ioapics, 1);	/* only the second one */
	assert_int_equal(info.ioapic[0], 0xFEC01000);

	/* A table cut in the middle of an entry header. */
	machine_v1(&m);
	len = get32(m.bytes + AT_MADT + 4);
	m.bytes[AT_MADT + len] = 1;
	put32(m.bytes + AT_MADT + 4, len + 1);
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.n_ioapics, 2);
}

static void test_many_ioapics(void **state)
{
	struct acpi_mem m;
	struct madt_info info;
	char why[100];
	uint8_t *t;
	size_t i;

	machine_v1(&m);
	t = put_sdt(&m, AT_MADT, "APIC", 44 + 12 * 10);
	put32(t + 36, 0xFEE00000);
	for (i = 0; i < 10; i++) {
		t[44 + 12 * i] = 1;
		t[44 + 12 * i + 1] = 12;
		put32(t + 44 + 12 * i + 4, (uint32_t)(0xFEC00000 + 0x1000 * i));
	}
	seal(&m, AT_MADT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	assert_int_equal(info.n_ioapics, MADT_MAX_IOAPICS);
	assert_int_equal(info.ioapic[MADT_MAX_IOAPICS - 1],
			 0xFEC00000 + 0x1000 * (MADT_MAX_IOAPICS - 1));
	assert_int_equal(info.pcat_compat, 0);
}

/* Lengths that point past the memory there is, or below a header. */
static void test_lengths_past_the_end(void **state)
{
	struct acpi_mem m;
	struct madt_info info;
	char why[100];

	machine_v1(&m);
	put32(m.bytes + AT_RSDT + 4, MEM_SIZE);	/* runs off the end */
	expect_missing(&m, "the ACPI root table is missing or corrupt");

	machine_v1(&m);
	put32(m.bytes + AT_RSDT + 4, 35);		/* shorter than a header */
	seal(&m, AT_RSDT);
	expect_missing(&m, "the ACPI root table is missing or corrupt");

	machine_v1(&m);
	put32(m.bytes + AT_MADT + 4, 0x100000);
	expect_missing(&m, "no ACPI MADT (APIC table)");

	machine_v1(&m);
	put32(m.bytes + AT_MADT + 4, 43);		/* no room for its flags */
	seal(&m, AT_MADT);
	expect_missing(&m, "no ACPI MADT (APIC table)");

	/* An RSDT entry outside memory is skipped, the next one used. */
	machine_v1(&m);
	put32(m.bytes + AT_RSDT + 36, 0xFFFFF000);
	seal(&m, AT_RSDT);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	expect_v1_controllers(&info);

	/* The MADT ends exactly where memory does. */
	machine_v1(&m);
	m.size = AT_MADT + get32(m.bytes + AT_MADT + 4);
	assert_int_equal(find(&m, &info, why, sizeof(why)), 0);
	expect_v1_controllers(&info);
	m.size--;
	expect_missing(&m, "no ACPI MADT (APIC table)");
}

/* A version 1 RSDP is 20 bytes: nothing after it needs to be readable. */
static void test_rsdp_v1_at_the_end(void **state)
{
	static const size_t tables[] = { AT_MADT };
	struct acpi_mem m;
	struct madt_info info;
	char why[100];
	uint8_t *r;

	machine_v1(&m);
	put_root(&m, AT_RSDT, "RSDT", 4, tables, 1);
	r = m.bytes + MEM_SIZE - 20;
	memcpy(r, m.bytes + AT_RSDP, 20);
	assert_int_equal(madt_find(MEM_BASE + MEM_SIZE - 20, mem_ptr, &m, &info,
				   why, sizeof(why)), 0);
	mem_release(&m);
	expect_v1_controllers(&info);
	/* A version 2 one there is cut short: not valid. */
	r[15] = 2;
	fix_sum(r, 20, 8);
	assert_int_equal(madt_find(MEM_BASE + MEM_SIZE - 20, mem_ptr, &m, &info,
				   why, sizeof(why)), BT_ENOENT);
	mem_release(&m);
	assert_string_equal(why, "no valid ACPI RSDP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_v1_rsdt),
		cmocka_unit_test(test_rsdp_v2_xsdt),
		cmocka_unit_test(test_lapic_override),
		cmocka_unit_test(test_bad_checksums),
		cmocka_unit_test(test_no_rsdp_or_madt),
		cmocka_unit_test(test_truncated_entries),
		cmocka_unit_test(test_many_ioapics),
		cmocka_unit_test(test_lengths_past_the_end),
		cmocka_unit_test(test_rsdp_v1_at_the_end),
	};

	return cmocka_run_group_tests_name("madt", tests, NULL, NULL);
}
