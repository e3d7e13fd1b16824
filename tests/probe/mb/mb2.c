/*
 * mb2.c - the Multiboot2 boot information (Multiboot2 Specification 2.0
 * section 3.6) and its checks, shared by the 32-bit probes and the EFI
 * amd64 probe.
 */
#include "mb.h"

#define MB2_HEADER_MAGIC 0xE85250D6u

/* Boot information tag types. */
#define TAG_END         0
#define TAG_CMDLINE     1
#define TAG_LOADER      2
#define TAG_MODULE      3
#define TAG_MEMINFO     4
#define TAG_MMAP        6
#define TAG_EFI64       12
#define TAG_ACPI_OLD    14
#define TAG_ACPI_NEW    15
#define TAG_EFI_MMAP    17
#define TAG_EFI_BS      18

#define MBI_MAX         0x100000        /* a bigger MBI is surely garbage */

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10 7.2.3) */
#define EFI_MD_TYPE     0
#define EFI_MD_START    8
#define EFI_MD_PAGES    24
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BS_CODE     3
#define EFI_BS_DATA     4
#define EFI_CONVENTIONAL 7

static const char *sep(const char *why)
{
	return why ? "; " : "";
}

static const char *str(const char *why)
{
	return why ? why : "";
}

/* --- the probe's own header -------------------------------------------------- */

const uint8_t *mb2_own_tag(uint16_t type)
{
	const uint8_t *h = mb2_header;
	uint32_t len, size;

	memcpy(&len, h + 8, 4);
	for (uint32_t off = 16; off + 8 <= len; off += (size + 7) & ~7u) {
		uint16_t t;

		memcpy(&t, h + off, 2);
		memcpy(&size, h + off + 4, 4);
		if (t == TAG_END || size < 8)
			break;
		if (t == type)
			return h + off;
	}
	return NULL;
}

/* --- parsing ------------------------------------------------------------------- */

/* A string tag (1, 2): NUL-terminated inside the tag. */
static const char *tag_string(uint64_t tag, const char **why)
{
	uint32_t size = rd32(tag + 4);

	for (uint64_t i = 8; i < size; i++)
		if (!rd8(tag + i))
			return phys(tag + 8);
	*why = "the string in the tag is not NUL-terminated";
	return NULL;
}

/* Tag 6: entry_size, entry_version, then {u64 base, u64 len, u32 type, u32}. */
static void parse_mmap(struct mb *m, uint64_t tag)
{
	uint32_t size = rd32(tag + 4);
	uint32_t esize = size >= 16 ? rd32(tag + 8) : 0;
	uint32_t version = size >= 16 ? rd32(tag + 12) : 0;

	if (size < 16)
		m->regions_why = "the memory map tag is shorter than 16 bytes";
	else if (esize < 24 || esize % 8)
		m->regions_why = "entry_size is below 24 or not a multiple of 8";
	else if (version != 0)
		m->regions_why = "entry_version is not 0";
	else if ((size - 16) % esize)
		m->regions_why = "the tag does not hold a whole number of entries";
	if (m->regions_why)
		return;
	for (uint64_t at = tag + 16; at + esize <= tag + size; at += esize) {
		if (m->n_regions == MB_MAX_REGIONS) {
			m->regions_why = "more than 256 entries";
			return;
		}
		m->region[m->n_regions++] = (struct mb_region){
			.base = rd64(at), .len = rd64(at + 8), .type = rd32(at + 16),
		};
	}
	mb_regions_validate(m);
}

static void parse_module(struct mb *m, uint64_t tag)
{
	m->n_mods_total++;
	if (rd32(tag + 4) < 17) {
		if (!m->mods_why)
			m->mods_why = "a module tag is shorter than 17 bytes";
		return;
	}
	if (m->n_mods < MB_MAX_MODS)
		m->mod[m->n_mods++] = (struct mb_mod){
			.start = rd32(tag + 8), .end = rd32(tag + 12), .string = tag + 16,
		};
}

/* NULL if the RSDP copy in tag 14/15 is sound, else what is wrong. */
static const char *rsdp_tag_problem(const struct mb *m, uint64_t tag)
{
	uint16_t type = rd16(tag);
	uint32_t size = rd32(tag + 4);
	uint64_t r = tag + 8;

	if (size < 8 + 20)
		return "the tag is too short for an RSDP";
	if (memcmp(phys(r), "RSD PTR ", 8) != 0)
		return "no \"RSD PTR \" signature";
	if (type == TAG_ACPI_OLD) {
		uint8_t sum = 0;
		for (unsigned i = 0; i < 20; i++)
			sum = (uint8_t)(sum + rd8(r + i));
		return sum ? "bad checksum" : NULL;
	}
	if (size < 8 + 36)
		return "tag 15 is too short for an ACPI 2.0 RSDP";
	if (rd8(r + 15) < 2)
		return "tag 15 holds an RSDP of revision below 2";
	if (rd32(r + 20) > size - 8)
		return "the RSDP's length runs past the tag";
	return acpi_rsdp_problem(&m->p, r);
}

static void walk_tags(struct mb *m, struct mb2_tags *t)
{
	uint64_t end = m->mbi + t->total_size;

	for (uint64_t at = m->mbi + 8;;) {
		if (at + 8 > end) {
			t->why = "the tags run past total_size with no end tag";
			return;
		}
		uint16_t type = rd16(at);
		uint32_t size = rd32(at + 4);

		if (size < 8) {
			t->why = "a tag's size is below 8";
			return;
		}
		if (at + size > end) {
			t->why = "a tag runs past total_size";
			return;
		}
		t->count++;
		if (type == TAG_END) {
			if (size != 8)
				t->why = "the end tag's size is not 8";
			else if (at + 8 != end)
				t->why = "total_size does not end at the end tag";
			else
				t->end_ok = true;
			return;
		}
		if (type < 32 && !t->seen[type]++)
			t->first[type] = at;
		if (type == TAG_MODULE)
			parse_module(m, at);
		else if (type == TAG_MMAP && t->seen[type] == 1)
			parse_mmap(m, at);
		at += ((uint64_t)size + 7) & ~7ull;
	}
}

void mb2_parse(struct mb *m, struct mb2_tags *t)
{
	uint64_t mbi = m->e->mbi;

	*t = (struct mb2_tags){ 0 };
	m->cmdline_why = m->loader_why = m->regions_why = m->mods_why =
		"no usable boot information";
	if (!mbi)
		m->mbi_why = "ebx is 0";
	else if (!mem_ok(&m->p, mbi, 16))
		m->mbi_why = "ebx points at unreadable memory (or above 4 GiB)";
	else if ((t->total_size = rd32(mbi)) < 16 || t->total_size > MBI_MAX)
		m->mbi_why = "total_size is below 16 or above 1 MiB";
	else if (!mem_ok(&m->p, mbi, t->total_size))
		m->mbi_why = "the structure is unreadable";
	if (m->mbi_why) {
		t->why = m->mbi_why;
		return;
	}
	m->mbi = mbi;
	m->mbi_size = t->total_size;
	m->cmdline_why = m->loader_why = m->regions_why = m->mods_why = NULL;
	m->have_mods = true;            /* no module tags: no modules */
	walk_tags(m, t);

	if (t->first[TAG_CMDLINE])
		m->cmdline = tag_string(t->first[TAG_CMDLINE], &m->cmdline_why);
	else
		m->cmdline_why = "no command line tag (1)";
	if (t->first[TAG_LOADER])
		m->loader = tag_string(t->first[TAG_LOADER], &m->loader_why);
	else
		m->loader_why = "no boot loader name tag (2)";
	if (t->first[TAG_MEMINFO] && rd32(t->first[TAG_MEMINFO] + 4) >= 16) {
		m->have_meminfo = true;
		m->mem_lower = rd32(t->first[TAG_MEMINFO] + 8);
		m->mem_upper = rd32(t->first[TAG_MEMINFO] + 12);
	}
	if (!t->first[TAG_MMAP])
		m->regions_why = "no memory map tag (6)";

	uint64_t acpi = t->first[TAG_ACPI_NEW] ? t->first[TAG_ACPI_NEW]
					       : t->first[TAG_ACPI_OLD];
	if (acpi && !rsdp_tag_problem(m, acpi))
		m->p.rsdp = acpi + 8;
}

/* --- checks -------------------------------------------------------------------- */

void mb2_check_tags_aligned(struct mb *m, const struct mb2_tags *t)
{
	uint64_t mbi = m->e->mbi;
	const char *why = t->why;

	if (!why && (mbi & 7))
		why = "the structure is not 8-byte aligned";
	if (!why && !t->end_ok)
		why = "no end tag";
	if (!why && mb_in_image(m, mbi, t->total_size))
		why = "the structure lies inside the probe's image";
	verdict(&m->p, "tags_aligned", !why,
		"%s%smbi=0x%lx total_size=%u, %u tags, 8-byte aligned, end tag last",
		str(why), sep(why), mbi, t->total_size, t->count);
}

void mb2_check_mbi_fields(struct mb *m, const struct mb2_tags *t,
			  bool boot_services)
{
	const char *why = NULL;
	unsigned dup = 0;

	if (!m->mbi) {
		verdict(&m->p, "mbi_fields", false, "%s; ebx=0x%lx", m->mbi_why,
			m->e->mbi);
		return;
	}
	for (unsigned type = 1; type < 32 && !dup; type++)
		if (type != TAG_MODULE && t->seen[type] > 1)
			dup = type;
	if (!t->seen[TAG_CMDLINE] || !t->seen[TAG_LOADER] ||
	    !t->seen[TAG_MEMINFO] || !t->seen[TAG_MMAP])
		why = "a tag of 1 (cmdline), 2 (loader name), 4 (meminfo), 6 (mmap) is missing";
	else if (dup)
		why = "a tag type appears twice";
	else if (!m->have_meminfo)
		why = "the meminfo tag is shorter than 16 bytes";
	else if (boot_services && !t->seen[TAG_EFI_BS])
		why = "no tag 18, yet boot services were to keep running";
	else if (!boot_services && t->seen[TAG_EFI_BS])
		why = "tag 18 says boot services are running, yet they must be terminated";
	else
		why = mb_meminfo_problem(m);
	if (dup)
		verdict(&m->p, "mbi_fields", false, "%s; type %u seen %u times", why,
			dup, t->seen[dup]);
	else
		verdict(&m->p, "mbi_fields", !why, "%s%smem_lower=%u mem_upper=%u%s",
			str(why), sep(why), m->mem_lower, m->mem_upper,
			t->seen[TAG_EFI_BS] ? ", tag 18" : "");
}

uint64_t mb2_efi_systab(const struct mb *m, const struct mb2_tags *t)
{
	uint64_t tag = t->first[TAG_EFI64];

	if (!tag || rd32(tag + 4) < 16)
		return 0;
	uint64_t st = rd64(tag + 8);
	if (!st || !mem_ok(&m->p, st, 24) || rd64(st) != MB_EFI_SYST)
		return 0;
	return st;
}

void mb2_check_efi_systab(struct mb *m, const struct mb2_tags *t)
{
	uint64_t tag = t->first[TAG_EFI64];

	if (!tag) {
		verdict(&m->p, "efi_systab", false, "no EFI 64-bit system table tag (12)");
		return;
	}
	if (rd32(tag + 4) < 16) {
		verdict(&m->p, "efi_systab", false, "tag 12 is shorter than 16 bytes");
		return;
	}
	uint64_t st = rd64(tag + 8);
	const char *why = NULL;

	if (!st)
		why = "the pointer is 0";
	else if (!mem_ok(&m->p, st, 24))
		why = "unreadable (or above 4 GiB)";
	else if (rd64(st) != MB_EFI_SYST)
		why = "no \"IBI SYST\" signature";
	else if (rd32(st + 12) < 24)
		why = "HeaderSize is below 24";
	verdict(&m->p, "efi_systab", !why, "%s%ssystab=0x%lx revision=0x%x",
		str(why), sep(why), st, why ? 0 : rd32(st + 8));
}

void mb2_check_acpi(struct mb *m, const struct mb2_tags *t)
{
	uint64_t tag = t->first[TAG_ACPI_NEW] ? t->first[TAG_ACPI_NEW]
					      : t->first[TAG_ACPI_OLD];

	if (!tag) {
		verdict(&m->p, "acpi", false, "no ACPI RSDP tag (14 or 15)");
		return;
	}
	const char *why = rsdp_tag_problem(m, tag);
	uint64_t r = tag + 8;

	if (why) {
		verdict(&m->p, "acpi", false, "tag %u: %s", rd16(tag), why);
		return;
	}
	/* The copy's pointers lead to the real tables. */
	uint64_t rsdt = rd32(r + 16);
	uint64_t xsdt = rd16(tag) == TAG_ACPI_NEW ? rd64(r + 24) : 0;
	if (rsdt && mem_ok(&m->p, rsdt, 4) && memcmp(phys(rsdt), "RSDT", 4) != 0)
		why = "the RSDT pointer does not lead to \"RSDT\"";
	else if (xsdt && mem_ok(&m->p, xsdt, 4) && memcmp(phys(xsdt), "XSDT", 4) != 0)
		why = "the XSDT pointer does not lead to \"XSDT\"";
	verdict(&m->p, "acpi", !why, "%s%stag %u: \"RSD PTR \" revision %u rsdt=0x%lx xsdt=0x%lx",
		str(why), sep(why), rd16(tag), rd8(r + 15), rsdt, xsdt);
}

/* Is [addr, addr + len) covered by descriptors of the allowed types? */
static bool efi_covers(uint64_t map, uint32_t bytes, uint32_t dsize,
		       uint64_t addr, uint64_t len, bool allocated)
{
	uint64_t at = addr & ~0xFFFull, end = addr + len;

	while (at < end) {
		bool moved = false;
		for (uint64_t d = map; d + dsize <= map + bytes; d += dsize) {
			uint32_t type = rd32(d + EFI_MD_TYPE);
			uint64_t s = rd64(d + EFI_MD_START);
			uint64_t e = s + (rd64(d + EFI_MD_PAGES) << 12);
			bool ok = type == EFI_LOADER_CODE || type == EFI_LOADER_DATA ||
				  (!allocated && (type == EFI_BS_CODE ||
						  type == EFI_BS_DATA ||
						  type == EFI_CONVENTIONAL));
			if (ok && s <= at && at < e) {
				at = e;
				moved = true;
			}
		}
		if (!moved)
			return false;
	}
	return true;
}

void mb2_check_efi_mmap(struct mb *m, const struct mb2_tags *t, bool allocated)
{
	uint64_t tag = t->first[TAG_EFI_MMAP];

	if (!tag) {
		verdict(&m->p, "efi_mmap", false, "no EFI memory map tag (17)");
		return;
	}
	uint32_t size = rd32(tag + 4);
	uint32_t dsize = size >= 16 ? rd32(tag + 8) : 0;
	uint32_t dver = size >= 16 ? rd32(tag + 12) : 0;
	uint32_t bytes = size >= 16 ? size - 16 : 0;
	uint64_t map = tag + 16;
	const char *why = NULL;

	if (size < 16)
		why = "the tag is shorter than 16 bytes";
	else if (dsize < 40 || dsize % 8)
		why = "descr_size is below 40 or not a multiple of 8";
	else if (dver != 1)
		why = "descr_version is not 1";
	else if (!bytes || bytes % dsize)
		why = "the map is empty or not a whole number of descriptors";
	for (uint64_t d = map; !why && d + dsize <= map + bytes; d += dsize) {
		if (rd64(d + EFI_MD_START) & 0xFFF)
			why = "a descriptor's start is not page-aligned";
		else if (!rd64(d + EFI_MD_PAGES))
			why = "a descriptor has no pages";
	}
	if (!why && !efi_covers(map, bytes, dsize, m->image,
				m->image_end - m->image, allocated))
		why = allocated
		      ? "the probe's image is not in EfiLoaderCode/EfiLoaderData memory"
		      : "the probe's image is not in memory usable after ExitBootServices";
	if (!why && allocated && m->mbi &&
	    !efi_covers(map, bytes, dsize, m->mbi, m->mbi_size, true))
		why = "the boot information is not in EfiLoaderCode/EfiLoaderData memory";
	for (unsigned i = 0; !why && allocated && i < m->n_mods; i++) {
		const struct mb_mod *d = &m->mod[i];
		if (d->end > d->start &&
		    !efi_covers(map, bytes, dsize, d->start, d->end - d->start, true))
			why = "a module is not in EfiLoaderCode/EfiLoaderData memory";
	}
	verdict(&m->p, "efi_mmap", !why,
		"%s%s%u descriptors of %u bytes, version %u%s", str(why), sep(why),
		dsize ? bytes / dsize : 0, dsize, dver,
		!why && allocated ? "; image, MBI and modules in loader memory" : "");
}
