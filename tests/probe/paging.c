/*
 * paging.c - the probe's own identity map, and the identity_map check,
 * which walks the loader's tables (CR3 at entry).
 *
 * The loader only promises an identity map of the image, boot_params and
 * the command line; the probe also reads the initrd, ACPI, EFI and the
 * APIC registers.  So right after entry it switches to tables of its own
 * that map [0, 64 GiB) with 2 MiB pages (all 512 GiB with 1 GiB pages
 * where the CPU has them), the 3-4 GiB MMIO gigabyte uncached.  Reads
 * outside that range are refused by mem_ok().
 */
#include "probe.h"

#define PTE_P           (1ull << 0)
#define PTE_W           (1ull << 1)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_PS          (1ull << 7)
#define PTE_ADDR        0x000FFFFFFFFFF000ull

#define CR4_PGE         (1ull << 7)
#define CR4_LA57        (1ull << 12)

#define GIB             (1ull << 30)
#define MIB2            (1ull << 21)
#define OWN_PD_GIB      64

/* The probe's tables: live for the whole run, hence .bss. */
static uint64_t own_pml5[512] __attribute__((aligned(4096)));
static uint64_t own_pml4[512] __attribute__((aligned(4096)));
static uint64_t own_pdpt[512] __attribute__((aligned(4096)));
static uint64_t own_pd[OWN_PD_GIB][512] __attribute__((aligned(4096)));

static uint64_t addr_of(const void *table)
{
	return (uint64_t)(uintptr_t)table;      /* identity-mapped */
}

static bool cpu_has_1g_pages(void)
{
	uint32_t r[4];

	cpuid(0x80000000, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, r);
	return r[3] & (1u << 26);
}

void paging_init(struct probe *p)
{
	bool gb = cpu_has_1g_pages();
	uint64_t limit = gb ? 512 * GIB : OWN_PD_GIB * GIB;
	uint64_t cr4 = p->entry->cr4;

	if (p->image + p->image_size > limit) {
		/* The probe could not run on its own map: stay on the
		 * loader's and let the fault handler report surprises. */
		p->map_limit = UINT64_MAX;
		p->own_map = false;
		return;
	}
	for (uint64_t g = 0; g < OWN_PD_GIB; g++) {
		uint64_t attr = PTE_P | PTE_W | PTE_PS;

		if (g == 3)
			attr |= PTE_PCD | PTE_PWT;      /* LAPIC, IO-APIC */
		for (uint64_t j = 0; j < 512; j++)
			own_pd[g][j] = (g * GIB + j * MIB2) | attr;
		own_pdpt[g] = addr_of(own_pd[g]) | PTE_P | PTE_W;
	}
	if (gb)
		for (uint64_t g = OWN_PD_GIB; g < 512; g++)
			own_pdpt[g] = (g * GIB) | PTE_P | PTE_W | PTE_PS;
	own_pml4[0] = addr_of(own_pdpt) | PTE_P | PTE_W;

	/* LA57 cannot be turned off with paging on: add a fifth level. */
	uint64_t root = addr_of(own_pml4);
	if (cr4 & CR4_LA57) {
		own_pml5[0] = root | PTE_P | PTE_W;
		root = addr_of(own_pml5);
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
	if (cr4 & CR4_PGE) {    /* drop global entries of the old tables */
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~CR4_PGE) : "memory");
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	}
	p->map_limit = limit;
	p->own_map = true;
}

/* --- walking the loader's tables ------------------------------------------- */

struct walk {
	uint64_t pa;
	bool writable;
	const char *why;        /* set when the walk failed */
};

/* A string literal per level: an array of pointers would need relocations. */
static const char *not_present(int level)
{
	if (level == 5)
		return "PML5E not present";
	if (level == 4)
		return "PML4E not present";
	if (level == 3)
		return "PDPTE not present";
	if (level == 2)
		return "PDE not present";
	return "PTE not present";
}

/*
 * Translate va through the tables rooted at cr3 (levels 4 or 5).
 * Handles 1 GiB (PDPTE.PS) and 2 MiB (PDE.PS) leaves.
 */
static struct walk pt_walk(const struct probe *p, uint64_t cr3, int levels,
			   uint64_t va)
{
	struct walk w = { .writable = true };
	uint64_t table = cr3 & PTE_ADDR;

	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		uint64_t slot = table + ((va >> shift) & 511) * 8;

		if (!mem_ok(p, table, 4096)) {
			w.why = "a page table lies outside the probe's map";
			return w;
		}
		uint64_t ent = rd64(slot);
		if (!(ent & PTE_P)) {
			w.why = not_present(level);
			return w;
		}
		w.writable = w.writable && (ent & PTE_W);
		bool leaf = level == 1 || ((level == 2 || level == 3) && (ent & PTE_PS));
		if (leaf) {
			uint64_t low = (1ull << shift) - 1;
			w.pa = (ent & PTE_ADDR & ~low) | (va & low);
			return w;
		}
		if (ent & PTE_PS) {
			w.why = "PS set above the PDPT level";
			return w;
		}
		table = ent & PTE_ADDR;
	}
	return w;
}

struct idmap_tally {
	unsigned samples;
	uint64_t bad_va;
	const char *why;
};

/* Check one address; remember the first failure. */
static void idmap_sample(const struct probe *p, struct idmap_tally *t,
			 uint64_t va, bool need_write)
{
	if (t->why)
		return;
	t->samples++;

	int levels = (p->entry->cr4 & CR4_LA57) ? 5 : 4;
	struct walk w = pt_walk(p, p->entry->cr3, levels, va);

	if (w.why)
		t->why = w.why;
	else if (w.pa != va)
		t->why = "maps elsewhere";
	else if (need_write && !w.writable)
		t->why = "read-only";
	if (t->why)
		t->bad_va = va;
}

void check_identity_map(struct probe *p)
{
	struct idmap_tally t = { 0 };
	unsigned regions = 0;

	/* What boot.rst promises: the image, boot_params, the command line.
	 * The kernel writes to the first two. */
	idmap_sample(p, &t, p->image, true);
	idmap_sample(p, &t, p->image + p->image_size - 1, true);
	if (p->bp) {
		idmap_sample(p, &t, p->bp, true);
		idmap_sample(p, &t, p->bp + BP_SIZE - 1, true);
	}
	if (p->cmdline)
		idmap_sample(p, &t, (uint64_t)(uintptr_t)p->cmdline, false);

	/* What baton promises: all RAM.  First and last page of every RAM
	 * region, and every 2 MiB boundary in between. */
	for (unsigned i = 0; p->e820_ok && i < p->e820_n; i++) {
		const struct e820_entry *r = &p->e820[i];
		uint64_t first = (r->addr + 0xFFF) & ~0xFFFull;
		uint64_t end = (r->addr + r->size) & ~0xFFFull;

		if (r->type != E820_RAM || end <= first)
			continue;
		regions++;
		idmap_sample(p, &t, first, false);
		for (uint64_t a = (first + MIB2) & ~(MIB2 - 1); a < end; a += MIB2)
			idmap_sample(p, &t, a, false);
		idmap_sample(p, &t, end - 0x1000, false);
	}

	if (t.why)
		verdict(p, "identity_map", false, "0x%lx: %s (cr3=0x%lx)",
			t.bad_va, t.why, p->entry->cr3);
	else if (!p->e820_ok)
		verdict(p, "identity_map", false,
			"no usable e820 table to find RAM; %u samples fine",
			t.samples);
	else
		verdict(p, "identity_map", true,
			"%u samples in %u RAM regions identity-mapped (cr3=0x%lx)",
			t.samples, regions, p->entry->cr3);
}
