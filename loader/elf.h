/*
 * ELF executables (32- and 64-bit, little-endian x86) as Multiboot kernels
 * are loaded: by their PT_LOAD program headers, at their physical addresses.
 */
#ifndef BATON_LOADER_ELF_H
#define BATON_LOADER_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t offset;	/* in the file */
	uint64_t filesz;	/* bytes from the file */
	uint64_t paddr;		/* physical load address */
	uint64_t memsz;		/* bytes in memory (>= filesz; the rest zero) */
};

struct elf_image {
	unsigned bits;		/* 32 or 64 */
	uint64_t entry;		/* physical: e_entry moved as its segment */
	struct elf_segment seg[ELF_MAX_SEGMENTS];	/* PT_LOAD, memsz > 0 */
	size_t n;
	uint64_t shoff;		/* section header table: file offset, */
	uint32_t shnum, shentsize, shstrndx;	/* count, entry size, names */
};

/*
 * Parse and check an ELF executable: magic, class, little-endian, x86 or
 * x86-64 machine, ET_EXEC (or ET_DYN), program headers inside the file,
 * each PT_LOAD's file range inside the file, filesz <= memsz, no address
 * wrap-around, at least one loadable segment.  Returns 0, or BT_EFORMAT with
 * a message in why ("not an ELF file (no \\x7fELF magic)", "program header 3:
 * file range 0x...-0x... runs past the end of the file (0x... bytes)").
 */
int elf_parse(const void *data, size_t len, struct elf_image *out, char *why,
	      size_t whylen);

#endif
