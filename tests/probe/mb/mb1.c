/*
 * mb1.c - the Multiboot 1 probes (mb1-elf, mb1-aout): the information
 * structure (Multiboot Specification 0.6.96 section 3.3) and the order
 * of the checks.
 */
#include "mb.h"

#define MB1_BOOT_MAGIC  0x2BADB002u

/* Information structure offsets and flag bits. */
#define MBI_FLAGS       0
#define MBI_MEM_LOWER   4
#define MBI_MEM_UPPER   8
#define MBI_CMDLINE     16
#define MBI_MODS_COUNT  20
#define MBI_MODS_ADDR   24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR   48
#define MBI_LOADER_NAME 64
#define MBI_SIZE        88      /* up to and including the VBE fields */
#define MBI_SIZE_FB     116     /* with the framebuffer fields (flag 12) */

#define F_MEM           (1u << 0)
#define F_CMDLINE       (1u << 2)
#define F_MODS          (1u << 3)
#define F_AOUT_SYMS     (1u << 4)
#define F_ELF_SHDR      (1u << 5)
#define F_MMAP          (1u << 6)
#define F_LOADER_NAME   (1u << 9)
#define F_FRAMEBUFFER   (1u << 12)
#define F_REQUIRED      (F_MEM | F_CMDLINE | F_MODS | F_MMAP | F_LOADER_NAME)

#define HDR_F_PAGE_ALIGN (1u << 0)

#define STRING_MAX      0x10000

/* The probe's own header (mb1-elf.asm / mb1-aout.asm): magic, flags, ... */
extern const uint32_t mb1_header[];

void mb_main(const struct mb_entry *e);

static const char *mb1_string(struct mb *m, uint64_t addr, const char **why)
{
	if (!addr) {
		*why = "the pointer is 0";
		return NULL;
	}
	if (mb_strlen_at(m, addr, STRING_MAX) < 0) {
		*why = "unreadable or not NUL-terminated within 64 KiB";
		return NULL;
	}
	return phys(addr);
}

static void mb1_parse_mods(struct mb *m, uint32_t flags)
{
	if (!(flags & F_MODS)) {
		m->mods_why = "flag 3 (modules) is not set";
		return;
	}
	uint32_t count = rd32(m->mbi + MBI_MODS_COUNT);
	uint32_t addr = rd32(m->mbi + MBI_MODS_ADDR);

	m->have_mods = true;
	m->n_mods_total = count;
	if (count && !mem_ok(&m->p, addr, (uint64_t)count * 16)) {
		m->mods_why = "the module list is unreadable";
		return;
	}
	for (uint32_t i = 0; i < count && i < MB_MAX_MODS; i++) {
		uint64_t at = addr + 16ull * i;
		m->mod[i] = (struct mb_mod){
			.start = rd32(at), .end = rd32(at + 4), .string = rd32(at + 8),
		};
		m->n_mods++;
	}
}

/* Entries {u32 size, u64 base, u64 length, u32 type}; size excludes itself. */
static void mb1_parse_mmap(struct mb *m, uint32_t flags)
{
	if (!(flags & F_MMAP)) {
		m->regions_why = "flag 6 (memory map) is not set";
		return;
	}
	uint64_t addr = rd32(m->mbi + MBI_MMAP_ADDR);
	uint64_t end = addr + rd32(m->mbi + MBI_MMAP_LENGTH);

	if (!mem_ok(&m->p, addr, end - addr)) {
		m->regions_why = "the memory map is unreadable";
		return;
	}
	for (uint64_t at = addr; at < end;) {
		uint32_t size = at + 4 <= end ? rd32(at) : 0;

		if (size < 20) {
			m->regions_why = "an entry's size field is below 20";
			return;
		}
		if (at + 4 + size > end) {
			m->regions_why = "an entry runs past mmap_length";
			return;
		}
		if (m->n_regions == MB_MAX_REGIONS) {
			m->regions_why = "more than 256 entries";
			return;
		}
		m->region[m->n_regions++] = (struct mb_region){
			.base = rd64(at + 4), .len = rd64(at + 12), .type = rd32(at + 20),
		};
		at += 4 + (uint64_t)size;
	}
	mb_regions_validate(m);
}

static void mb1_parse(struct mb *m)
{
	uint64_t mbi = m->e->mbi;

	m->cmdline_why = m->loader_why = m->regions_why = m->mods_why =
		"no usable information structure";
	if (!mbi) {
		m->mbi_why = "ebx is 0";
		return;
	}
	if (!mem_ok(&m->p, mbi, MBI_SIZE)) {
		m->mbi_why = "ebx points at unreadable memory";
		return;
	}
	m->cmdline_why = m->loader_why = m->regions_why = m->mods_why = NULL;
	m->mbi = mbi;

	uint32_t flags = rd32(mbi + MBI_FLAGS);
	m->mbi_size = (flags & F_FRAMEBUFFER) ? MBI_SIZE_FB : MBI_SIZE;
	if (flags & F_MEM) {
		m->have_meminfo = true;
		m->mem_lower = rd32(mbi + MBI_MEM_LOWER);
		m->mem_upper = rd32(mbi + MBI_MEM_UPPER);
	}
	if (flags & F_CMDLINE)
		m->cmdline = mb1_string(m, rd32(mbi + MBI_CMDLINE), &m->cmdline_why);
	else
		m->cmdline_why = "flag 2 (cmdline) is not set";
	if (flags & F_LOADER_NAME)
		m->loader = mb1_string(m, rd32(mbi + MBI_LOADER_NAME), &m->loader_why);
	else
		m->loader_why = "flag 9 (boot_loader_name) is not set";
	mb1_parse_mods(m, flags);
	mb1_parse_mmap(m, flags);
}

static void check_mbi_fields(struct mb *m)
{
	if (!m->mbi) {
		verdict(&m->p, "mbi_fields", false, "%s; ebx=0x%lx", m->mbi_why,
			m->e->mbi);
		return;
	}
	uint32_t flags = rd32(m->mbi + MBI_FLAGS);
	const char *why = NULL;

	if ((flags & F_REQUIRED) != F_REQUIRED)
		why = "a flag of 0 (mem), 2 (cmdline), 3 (mods), 6 (mmap), 9 (loader name) is missing";
	else if ((flags & F_AOUT_SYMS) && (flags & F_ELF_SHDR))
		why = "flags 4 and 5 are both set";
	else if (mb_in_image(m, m->mbi, m->mbi_size))
		why = "the structure lies inside the probe's image";
	else
		why = mb_meminfo_problem(m);
	verdict(&m->p, "mbi_fields", !why,
		"%s%smbi=0x%lx flags=0x%x mem_lower=%u mem_upper=%u", why ? why : "",
		why ? "; " : "", m->mbi, flags, m->mem_lower, m->mem_upper);
}

/* The RSDP, which only tells the IO-APIC addresses here: the EBDA's first
 * KiB, then 0xE0000-0xFFFFF (ACPI 6.x 5.2.5.1). */
static uint64_t legacy_rsdp(const struct mb *m)
{
	uintptr_t bda = 0x40E;  /* the BIOS data area's EBDA segment */

	/* Hide the constant address from gcc, which takes it for a null
	 * pointer plus an offset. */
	__asm__("" : "+r"(bda));
	uint64_t ebda = (uint64_t)rd16(bda) << 4;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		for (uint64_t a = ebda; a < ebda + 1024; a += 16)
			if (!acpi_rsdp_problem(&m->p, a))
				return a;
	for (uint64_t a = 0xE0000; a < 0x100000; a += 16)
		if (!acpi_rsdp_problem(&m->p, a))
			return a;
	return 0;
}

void mb_main(const struct mb_entry *e)
{
	static struct mb m;     /* about 8 KiB: .bss, not the stack */

	mb_init(&m, e, mb_probe_name);
	cpu32_init();
	mb1_parse(&m);
	m.mods_page_aligned = mb1_header[1] & HDR_F_PAGE_ALIGN;
	m.p.rsdp = legacy_rsdp(&m);

	mb_print_intro(&m);
	con_printf("PROBE INFO mbi=0x%lx flags=0x%x rsdp=0x%lx\n", m.mbi,
		   m.mbi ? rd32(m.mbi) : 0, m.p.rsdp);

	mb_check_magic(&m, MB1_BOOT_MAGIC);
	cpu32_check_protected_mode(&m);
	cpu32_check_flat_segments(&m);
	cpu32_check_interrupts_off(&m);
	cpu32_check_a20(&m);
	mb_check_bss_zeroed(&m);
	cpu32_check_irq_state(&m);
	check_mbi_fields(&m);
	mb_check_mmap(&m);
	mb_check_cmdline(&m);
	mb_check_modules(&m);
	mb_check_loader_name(&m);
	cpu32_report_nmis();
	mb_done(&m);
}
