/*
 * shim.c - mbshim, a test-only Multiboot2 loader for the smoke test of the
 * 32-bit Multiboot2 probes without UEFI.  QEMU boots it as a Multiboot 1
 * kernel with the probe as module 1; it loads the probe, builds a
 * Multiboot2 information structure and enters it in the i386 machine
 * state (Multiboot2 section 3.3).  It is not baton and proves nothing
 * about baton: it exercises the probes' own code.
 *
 * Module 1 is the Multiboot2 image; its string is "<path> <command line>".
 * Modules 2... become the image's modules (tags 3), strings unchanged.
 * The shim's own command line takes:
 *   shim.base=<hex>    where a relocatable image goes (default min_addr
 *                      + align, so that it does not run where it was linked)
 *   shim.dirty_bss     fill .bss with 0xA5 instead of zeroing it
 *   shim.tag21=<hex>   report this load base instead of the real one
 *
 * There is no EFI here, so tags 12 and 17 are fakes built from the BIOS
 * memory map: a system table header with the "IBI SYST" signature and an
 * EFI memory map of conventional (RAM) and reserved descriptors.  The
 * RSDP comes from the BIOS area (tag 14 or 15).  The 8259s are masked,
 * ESP is 0 at entry (the spec leaves it undefined), EAX the magic, EBX
 * the structure.  The image's entry tag (3) is used; the EFI tags are
 * ignored, which is how the EFI amd64 probe's i386 stub is tested.
 *
 * Errors print "MBSHIM: <what>" and exit QEMU with status 3.
 */
#include "mb.h"

#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_BOOT_MAGIC  0x36D76289u
#define MBI_CAP         0x10000

#define MB1_F_MEM       (1u << 0)
#define MB1_F_CMDLINE   (1u << 2)
#define MB1_F_MODS      (1u << 3)
#define MB1_F_MMAP      (1u << 6)

void mb_main(const struct mb_entry *e);

static uint8_t mbi_buf[MBI_CAP] __attribute__((aligned(4096)));
static uint8_t fake_systab[120] __attribute__((aligned(8)));

struct shim {
	struct mb m;            /* the shim's own MB1 view: cmdline, mods, map */
	uint64_t image;         /* module 1: the Multiboot2 image */
	uint32_t image_len;
	const char *kernel_cmdline;
	uint32_t hdr;           /* header offset in the image */
	uint32_t entry;
	uint32_t base;          /* load base (relocatable images) */
	bool reloc;
	uint32_t lo, hi;        /* what the load wrote: [lo, hi) */
	uint32_t mbi_len;
};

__attribute__((noreturn)) static void die(const char *what, uint32_t v)
{
	con_printf("\nMBSHIM: %s (0x%x)\n", what, v);
	mb_exit(1);
}

static uint32_t hex_opt(const struct mb *m, const char *key, uint32_t def)
{
	size_t len;
	const char *v = mb_opt(m, key, &len);
	uint32_t n = 0;

	if (!v)
		return def;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (i < 2 && c == (i ? 'x' : '0'))
			continue;
		n = n * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return n;
}

static bool has_word(const struct mb *m, const char *word)
{
	const char *s = m->cmdline;
	size_t n = strlen(word);

	while (s && *s) {
		while (*s == ' ')
			s++;
		if (!memcmp(s, word, n) && (s[n] == ' ' || !s[n]))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

/* The shim's own MB1 information: command line, modules, memory map. */
static void read_mb1(struct shim *s, const struct mb_entry *e)
{
	struct mb *m = &s->m;
	uint64_t mbi = e->mbi;
	uint32_t flags = rd32(mbi);

	if ((flags & (MB1_F_MEM | MB1_F_MODS | MB1_F_MMAP)) !=
	    (MB1_F_MEM | MB1_F_MODS | MB1_F_MMAP))
		die("the Multiboot 1 information lacks mem, mods or mmap", flags);
	m->mem_lower = rd32(mbi + 4);
	m->mem_upper = rd32(mbi + 8);
	if (flags & MB1_F_CMDLINE)
		m->cmdline = phys(rd32(mbi + 16));
	uint32_t count = rd32(mbi + 20), mods = rd32(mbi + 24);
	if (count < 1 || count > MB_MAX_MODS)
		die("want the Multiboot2 image as module 1", count);
	for (uint32_t i = 0; i < count; i++)
		m->mod[i] = (struct mb_mod){ rd32(mods + 16 * i), rd32(mods + 16 * i + 4),
					     rd32(mods + 16 * i + 8) };
	m->n_mods = count;
	uint64_t at = rd32(mbi + 48), end = at + rd32(mbi + 44);
	for (; at < end && m->n_regions < MB_MAX_REGIONS; at += 4 + rd32(at))
		m->region[m->n_regions++] = (struct mb_region){
			rd64(at + 4), rd64(at + 12), rd32(at + 20) };

	s->image = m->mod[0].start;
	s->image_len = (uint32_t)(m->mod[0].end - m->mod[0].start);
	const char *str = phys(m->mod[0].string);
	while (*str && *str != ' ')
		str++;
	while (*str == ' ')
		str++;
	s->kernel_cmdline = str;
}

static const uint8_t *header_tag(const struct shim *s, uint16_t type)
{
	const uint8_t *h = phys(s->image + s->hdr);
	uint32_t len = rd32(s->image + s->hdr + 8);

	for (uint32_t off = 16; off + 8 <= len;) {
		uint16_t t = rd16((uintptr_t)(h + off));
		uint32_t size = rd32((uintptr_t)(h + off + 4));
		if (t == 0 || size < 8)
			break;
		if (t == type)
			return h + off;
		off += (size + 7) & ~7u;
	}
	return NULL;
}

static void find_header(struct shim *s)
{
	for (uint32_t off = 0; off + 16 <= s->image_len && off < 32768; off += 8) {
		uint64_t h = s->image + off;
		if (rd32(h) != MB2_HEADER_MAGIC)
			continue;
		if (rd32(h) + rd32(h + 4) + rd32(h + 8) + rd32(h + 12) != 0)
			die("bad Multiboot2 header checksum", off);
		s->hdr = off;
		return;
	}
	die("no Multiboot2 header in module 1", s->image_len);
}

static void place(struct shim *s, uint32_t dst, uint64_t src, uint32_t len,
		  uint32_t memsz, bool dirty)
{
	uint32_t shim_end = (uint32_t)(uintptr_t)__bss_end;

	if (dst < shim_end && (uint32_t)(uintptr_t)mb_image_start < dst + memsz)
		die("the image would overwrite the shim", dst);
	for (unsigned i = 0; i < s->m.n_mods; i++)
		if (dst < s->m.mod[i].end && s->m.mod[i].start < dst + memsz)
			die("the image would overwrite a module", dst);
	memcpy((void *)(uintptr_t)dst, phys(src), len);
	memset((void *)(uintptr_t)(dst + len), dirty ? 0xA5 : 0, memsz - len);
	if (!s->lo || dst < s->lo)
		s->lo = dst;
	if (dst + memsz > s->hi)
		s->hi = dst + memsz;
}

/* Load by the address tag (kept offsets), or by the ELF program headers. */
static void load_image(struct shim *s, bool dirty)
{
	const uint8_t *addr = header_tag(s, 2), *entry = header_tag(s, 3);
	const uint8_t *reloc = header_tag(s, 10);
	uint32_t delta = 0;

	if (!entry)
		die("the shim needs an entry address tag", 0);
	if (addr) {
		uint32_t header_addr, load_addr, load_end, bss_end;
		memcpy(&header_addr, addr + 8, 4);
		memcpy(&load_addr, addr + 12, 4);
		memcpy(&load_end, addr + 16, 4);
		memcpy(&bss_end, addr + 20, 4);
		uint32_t off = s->hdr - (header_addr - load_addr);
		uint32_t len = load_end ? load_end - load_addr : s->image_len - off;
		uint32_t memsz = bss_end ? bss_end - load_addr : len;
		if (reloc) {
			uint32_t min, align;
			memcpy(&min, reloc + 8, 4);
			memcpy(&align, reloc + 16, 4);
			s->base = hex_opt(&s->m, "shim.base", min + align);
			s->reloc = true;
			delta = s->base - load_addr;
		}
		place(s, load_addr + delta, s->image + off, len, memsz, dirty);
	} else {
		uint64_t e = s->image;
		bool elf64 = rd8(e + 4) == 2;
		if (rd32(e) != 0x464C457F || (rd8(e + 4) != 1 && !elf64))
			die("no address tag and not an ELF file", 0);
		uint32_t phoff = elf64 ? (uint32_t)rd64(e + 32) : rd32(e + 28);
		uint16_t phentsize = rd16(e + (elf64 ? 54 : 42));
		uint16_t phnum = rd16(e + (elf64 ? 56 : 44));
		for (uint16_t i = 0; i < phnum; i++) {
			uint64_t ph = e + phoff + (uint32_t)i * phentsize;
			/* type, offset, paddr, filesz, memsz */
			uint32_t f[5] = { rd32(ph), rd32(ph + 4), rd32(ph + 12),
					  rd32(ph + 16), rd32(ph + 20) };
			if (elf64) {
				f[1] = (uint32_t)rd64(ph + 8);
				f[2] = (uint32_t)rd64(ph + 24);
				f[3] = (uint32_t)rd64(ph + 32);
				f[4] = (uint32_t)rd64(ph + 40);
			}
			if (f[0] == 1 && f[4])
				place(s, f[2], e + f[1], f[3], f[4], dirty);
		}
	}
	memcpy(&s->entry, entry + 8, 4);
	s->entry += delta;
}

/* --- the Multiboot2 information structure -------------------------------------- */

struct mbi {
	uint8_t *buf;
	uint32_t len;
};

static uint8_t *tag_open(struct mbi *b, uint16_t type, uint32_t size)
{
	uint8_t *t = b->buf + b->len;

	if (b->len + size + 8 > MBI_CAP)
		die("the information structure does not fit", b->len);
	memset(t, 0, (size + 7) & ~7u);
	memcpy(t, &type, 2);
	memcpy(t + 4, &size, 4);
	b->len += (size + 7) & ~7u;
	return t;
}

static void tag_string(struct mbi *b, uint16_t type, const char *str)
{
	uint32_t n = (uint32_t)strlen(str) + 1;
	memcpy(tag_open(b, type, 8 + n) + 8, str, n);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t bios_rsdp(const struct mb *m)
{
	for (uint64_t a = 0xE0000; a < 0x100000; a += 16)
		if (!acpi_rsdp_problem(&m->p, a))
			return a;
	return 0;
}

static void build_mbi(struct shim *s, uint32_t tag21)
{
	struct mb *m = &s->m;
	struct mbi b = { mbi_buf, 8 };

	tag_string(&b, 1, s->kernel_cmdline);
	tag_string(&b, 2, "mbshim (tests/probe/mb)");
	for (unsigned i = 1; i < m->n_mods; i++) {
		const char *str = phys(m->mod[i].string);
		uint32_t n = (uint32_t)strlen(str) + 1;
		uint8_t *t = tag_open(&b, 3, 16 + n);
		put32(t + 8, (uint32_t)m->mod[i].start);
		put32(t + 12, (uint32_t)m->mod[i].end);
		memcpy(t + 16, str, n);
	}
	uint8_t *t = tag_open(&b, 4, 16);
	put32(t + 8, m->mem_lower);
	put32(t + 12, m->mem_upper);

	t = tag_open(&b, 6, 16 + 24 * m->n_regions);
	put32(t + 8, 24);
	for (unsigned i = 0; i < m->n_regions; i++) {
		put64(t + 16 + 24 * i, m->region[i].base);
		put64(t + 24 + 24 * i, m->region[i].len);
		put32(t + 32 + 24 * i, m->region[i].type);
	}

	memcpy(fake_systab, "IBI SYST", 8);
	put32(fake_systab + 8, 0x00020046);
	put32(fake_systab + 12, sizeof(fake_systab));
	put64(tag_open(&b, 12, 16) + 8, (uint64_t)(uintptr_t)fake_systab);

	uint64_t rsdp = bios_rsdp(m);
	if (rsdp) {
		uint32_t len = rd8(rsdp + 15) >= 2 ? rd32(rsdp + 20) : 20;
		memcpy(tag_open(&b, len > 20 ? 15 : 14, 8 + len) + 8, phys(rsdp), len);
	}

	/* EFI memory map: whole pages of RAM as conventional memory (7),
	 * everything else reserved (0); 48-byte descriptors, version 1. */
	unsigned n = 0;
	for (unsigned i = 0; i < m->n_regions; i++)
		n += m->region[i].len >= 4096;
	t = tag_open(&b, 17, 16 + 48 * n);
	put32(t + 8, 48);
	put32(t + 12, 1);
	uint8_t *d = t + 16;
	for (unsigned i = 0; i < m->n_regions; i++) {
		const struct mb_region *r = &m->region[i];
		uint64_t start = (r->base + 0xFFF) & ~0xFFFull;
		uint64_t pages = r->base + r->len > start ? (r->base + r->len - start) >> 12 : 0;
		if (r->len < 4096)
			continue;
		put32(d, r->type == MB_RAM ? 7 : 0);
		put64(d + 8, start);
		put64(d + 24, pages ? pages : 1);
		d += 48;
	}
	if (s->reloc)
		put32(tag_open(&b, 21, 12) + 8, tag21);
	tag_open(&b, 0, 8);
	put32(mbi_buf, b.len);
	s->mbi_len = b.len;
}

void mb_main(const struct mb_entry *e)
{
	static struct shim s;

	con_init();
	cpu32_init();           /* a fault in the shim says so */
	s.m.p.map_limit = 0x100000000ull;
	read_mb1(&s, e);
	find_header(&s);
	load_image(&s, has_word(&s.m, "shim.dirty_bss"));
	build_mbi(&s, hex_opt(&s.m, "shim.tag21", s.base));
	con_printf("\nMBSHIM: loaded 0x%x-0x%x, entry 0x%x, MBI 0x%x (%u bytes)\n",
		   s.lo, s.hi, s.entry, (uint32_t)(uintptr_t)mbi_buf, s.mbi_len);

	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	__asm__ volatile("cli\n\t"
			 "xorl %%esp, %%esp\n\t"
			 "jmp *%%ecx"
			 : : "a"(MB2_BOOT_MAGIC), "b"((uint32_t)(uintptr_t)mbi_buf),
			   "c"(s.entry)
			 : "memory");
	__builtin_unreachable();
}
