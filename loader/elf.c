/*
 * ELF executables for Multiboot kernels; see loader/elf.h.  Offsets are
 * those of the System V ABI's ELF header and program header (the gABI,
 * "Object Files"), in their 32- and 64-bit forms.  Every field is read byte
 * by byte, little-endian: the file is a plain byte buffer with no alignment
 * promise, and only little-endian files are accepted.
 */
#include "loader/elf.h"
#include "lib/error.h"
#include "lib/bytes.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* e_ident */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1

/* The ELF header: offsets shared by both classes. */
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_ENTRY 24

/* ...and the ones that move with the class. */
#define EH32_PHOFF 28
#define EH32_SHOFF 32
#define EH32_PHENTSIZE 42
#define EH32_SIZE 52
#define EH64_PHOFF 32
#define EH64_SHOFF 40
#define EH64_PHENTSIZE 54
#define EH64_SIZE 64
/* After e_phentsize come phnum, shentsize, shnum, shstrndx, u16 each. */

#define ET_EXEC 2
#define ET_DYN 3
#define EM_386 3
#define EM_X86_64 62
#define PN_XNUM 0xffff	/* the real count is in section header 0 */

/* Program header fields. */
#define PH32_OFFSET 4
#define PH32_VADDR 8
#define PH32_PADDR 12
#define PH32_FILESZ 16
#define PH32_MEMSZ 20
#define PH32_SIZE 32
#define PH64_OFFSET 8
#define PH64_VADDR 16
#define PH64_PADDR 24
#define PH64_FILESZ 32
#define PH64_MEMSZ 40
#define PH64_SIZE 56
#define PT_LOAD 1




/* A word that is 4 bytes in ELF32 and 8 in ELF64. */
static uint64_t get_word(const uint8_t *p, unsigned bits)
{
	return bits == 64 ? get64(p) : get32(p);
}

/* Whether [off, off + n * size) lies inside a file of len bytes, without
 * the products or sums overflowing. */
static bool table_in_file(uint64_t off, uint64_t n, uint64_t size, size_t len)
{
	if (off > len)
		return false;
	return !size || n <= (len - off) / size;
}

/* ------------------------------------------------------- ELF header */

/* Magic, class, byte order: what makes the bytes an ELF file for x86. */
static int check_ident(const uint8_t *p, size_t len, struct elf_image *img,
		       char *why, size_t whylen)
{
	size_t need;

	if (len < 4 || memcmp(p, "\x7f" "ELF", 4)) {
		fmt_buf(why, whylen, "not an ELF file (no \\x7fELF magic)");
		return BT_EFORMAT;
	}
	if (len < EI_NIDENT) {
		fmt_buf(why, whylen, "truncated ELF header (file has 0x%zx bytes)",
			len);
		return BT_EFORMAT;
	}
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) {
		fmt_buf(why, whylen, "ELF class %u at 0x4 is neither 1 (32-bit) "
			"nor 2 (64-bit)", p[EI_CLASS]);
		return BT_EFORMAT;
	}
	img->bits = p[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	if (p[EI_DATA] != ELFDATA2LSB) {
		fmt_buf(why, whylen, "ELF data encoding %u at 0x5 is not 1 "
			"(little-endian)", p[EI_DATA]);
		return BT_EFORMAT;
	}
	need = img->bits == 64 ? EH64_SIZE : EH32_SIZE;
	if (len < need) {
		fmt_buf(why, whylen, "truncated ELF header (the %u-bit header is "
			"0x%zx bytes, file has 0x%zx)", img->bits, need, len);
		return BT_EFORMAT;
	}
	return 0;
}

/* Type and machine: an x86 executable of the class's own machine, as GRUB
 * pairs them (EM_386 for ELF32, EM_X86_64 for ELF64). */
static int check_kind(const uint8_t *p, const struct elf_image *img,
		      char *why, size_t whylen)
{
	unsigned type = get16(p + EH_TYPE), machine = get16(p + EH_MACHINE);
	unsigned want = img->bits == 64 ? EM_X86_64 : EM_386;

	if (type != ET_EXEC && type != ET_DYN) {
		fmt_buf(why, whylen, "ELF type %u at 0x10 is not an executable "
			"(2 ET_EXEC or 3 ET_DYN)", type);
		return BT_EFORMAT;
	}
	if (machine != want) {
		fmt_buf(why, whylen, "ELF machine %u at 0x12 is not %u (%s) for a "
			"%u-bit file", machine, want,
			want == EM_386 ? "i386" : "x86-64", img->bits);
		return BT_EFORMAT;
	}
	return 0;
}

/*
 * The section header table only feeds the optional ELF-sections field of
 * the Multiboot information, so a table that is not inside the file (or
 * uses extended numbering) is dropped rather than making the kernel
 * unbootable: shnum 0 then means "none".
 */
static void read_sections(const uint8_t *p, size_t len, struct elf_image *img)
{
	size_t f = img->bits == 64 ? EH64_PHENTSIZE : EH32_PHENTSIZE;

	img->shoff = get_word(p + (img->bits == 64 ? EH64_SHOFF : EH32_SHOFF),
			      img->bits);
	img->shentsize = get16(p + f + 4);
	img->shnum = get16(p + f + 6);
	img->shstrndx = get16(p + f + 8);
	if (!img->shnum || !img->shentsize ||
	    !table_in_file(img->shoff, img->shnum, img->shentsize, len)) {
		img->shoff = 0;
		img->shnum = img->shentsize = img->shstrndx = 0;
	}
}

/* ------------------------------------------------- program headers */

struct phdrs {
	uint64_t off;		/* file offset of the table */
	unsigned num, entsize;
};

static int find_phdrs(const uint8_t *p, size_t len, const struct elf_image *img,
		      struct phdrs *ph, char *why, size_t whylen)
{
	size_t f = img->bits == 64 ? EH64_PHENTSIZE : EH32_PHENTSIZE;
	unsigned min = img->bits == 64 ? PH64_SIZE : PH32_SIZE;

	ph->off = get_word(p + (img->bits == 64 ? EH64_PHOFF : EH32_PHOFF),
			   img->bits);
	ph->entsize = get16(p + f);
	ph->num = get16(p + f + 2);
	if (ph->num == PN_XNUM) {
		fmt_buf(why, whylen, "ELF program header count at 0x%zx is "
			"PN_XNUM (extended numbering is not supported)", f + 2);
		return BT_EFORMAT;
	}
	if (ph->num && ph->entsize < min) {
		fmt_buf(why, whylen, "ELF program header size %u at 0x%zx is "
			"below %u", ph->entsize, f, min);
		return BT_EFORMAT;
	}
	if (!table_in_file(ph->off, ph->num, ph->entsize, len)) {
		fmt_buf(why, whylen, "%u program headers of %u bytes at 0x%llx "
			"run past the end of the file (0x%zx bytes)", ph->num,
			ph->entsize, (unsigned long long)ph->off, len);
		return BT_EFORMAT;
	}
	return 0;
}

/* A program header's fields; vaddr only serves to translate the entry. */
static void read_segment(const uint8_t *h, unsigned bits, struct elf_segment *s,
			 uint64_t *vaddr)
{
	if (bits == 64) {
		s->offset = get64(h + PH64_OFFSET);
		*vaddr = get64(h + PH64_VADDR);
		s->paddr = get64(h + PH64_PADDR);
		s->filesz = get64(h + PH64_FILESZ);
		s->memsz = get64(h + PH64_MEMSZ);
	} else {
		s->offset = get32(h + PH32_OFFSET);
		*vaddr = get32(h + PH32_VADDR);
		s->paddr = get32(h + PH32_PADDR);
		s->filesz = get32(h + PH32_FILESZ);
		s->memsz = get32(h + PH32_MEMSZ);
	}
}

/*
 * One PT_LOAD with memsz > 0.  An ELF32 segment lives in a 32-bit address
 * space, so it must end at or below 4 GiB; an ELF64 one below 2^64.  A
 * segment with nothing from the file (pure bss) has no file range to check.
 */
static int check_segment(const struct elf_segment *s, unsigned i,
			 unsigned bits, size_t len, char *why, size_t whylen)
{
	uint64_t top = bits == 64 ? UINT64_MAX : UINT32_MAX;

	if (s->filesz > s->memsz) {
		fmt_buf(why, whylen, "program header %u: filesz 0x%llx is larger "
			"than memsz 0x%llx", i, (unsigned long long)s->filesz,
			(unsigned long long)s->memsz);
		return BT_EFORMAT;
	}
	if (s->filesz && (s->offset > len || s->filesz > len - s->offset)) {
		fmt_buf(why, whylen, "program header %u: file range 0x%llx-0x%llx "
			"runs past the end of the file (0x%zx bytes)", i,
			(unsigned long long)s->offset,
			(unsigned long long)(s->offset + s->filesz), len);
		return BT_EFORMAT;
	}
	if (s->paddr > top || s->memsz - 1 > top - s->paddr) {
		fmt_buf(why, whylen, "program header %u: 0x%llx bytes at physical "
			"address 0x%llx wrap around the %u-bit address space", i,
			(unsigned long long)s->memsz,
			(unsigned long long)s->paddr, bits);
		return BT_EFORMAT;
	}
	return 0;
}

/*
 * e_entry is a virtual address.  The kernel is entered with paging off, so
 * when it falls inside a segment's virtual range it is moved by that
 * segment's paddr - vaddr, as GRUB does for kernels linked high but loaded
 * low; otherwise (vaddr == paddr, the usual case) it is taken as it is.
 */
static bool translate_entry(struct elf_image *img, const struct elf_segment *s,
			    uint64_t vaddr, uint64_t e_entry)
{
	if (e_entry < vaddr || e_entry - vaddr >= s->memsz)
		return false;
	img->entry = s->paddr + (e_entry - vaddr);
	return true;
}

/* Collect the loadable segments; empty ones (memsz 0) occupy nothing. */
static int read_segments(const uint8_t *p, size_t len, const struct phdrs *ph,
			 struct elf_image *img, char *why, size_t whylen)
{
	uint64_t e_entry = img->entry;
	bool translated = false;

	for (unsigned i = 0; i < ph->num; i++) {
		const uint8_t *h = p + ph->off + (uint64_t)i * ph->entsize;
		struct elf_segment s;
		uint64_t vaddr;
		int err;

		if (get32(h) != PT_LOAD)
			continue;
		read_segment(h, img->bits, &s, &vaddr);
		if (!s.memsz)
			continue;
		err = check_segment(&s, i, img->bits, len, why, whylen);
		if (err)
			return err;
		if (img->n == ELF_MAX_SEGMENTS) {
			fmt_buf(why, whylen, "more than %d loadable segments "
				"(program header %u would be number %d)",
				ELF_MAX_SEGMENTS, i, ELF_MAX_SEGMENTS + 1);
			return BT_EFORMAT;
		}
		if (!translated)	/* the first segment holding it wins */
			translated = translate_entry(img, &s, vaddr, e_entry);
		img->seg[img->n++] = s;
	}
	if (!img->n) {
		fmt_buf(why, whylen, "no loadable segments (no PT_LOAD program "
			"header with memsz > 0 among %u)", ph->num);
		return BT_EFORMAT;
	}
	return 0;
}

int elf_parse(const void *data, size_t len, struct elf_image *out, char *why,
	      size_t whylen)
{
	const uint8_t *p = data;
	struct phdrs ph;
	int err;

	memset(out, 0, sizeof(*out));
	err = check_ident(p, len, out, why, whylen);
	if (!err)
		err = check_kind(p, out, why, whylen);
	if (!err)
		err = find_phdrs(p, len, out, &ph, why, whylen);
	if (!err) {
		out->entry = get_word(p + EH_ENTRY, out->bits);
		err = read_segments(p, len, &ph, out, why, whylen);
	}
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	read_sections(p, len, out);
	return 0;
}
