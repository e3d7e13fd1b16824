/*
 * baton's platform services on a running Linux (firmware/firmware.h), for
 * baton-kexec: files from a directory (the mounted ESP) as baton's boot
 * volume, the memory map and platform facts from sysfs, the Boot Loader
 * Interface's variables through efivarfs, lines on stdout.
 *
 * Memory: a kexec image is described by physical destinations, and baton's
 * protocols write their data (boot_params, the command line, initrds)
 * through the address they were given.  Here every page "allocated" at a
 * physical address P is a private anonymous mapping at virtual address P
 * (MAP_FIXED_NOREPLACE: never over the program's own mappings), so the
 * protocols run unchanged and each segment's source is the mapping at its
 * own destination's address; kexec_load(2) copies it into place.  Pages are
 * offered from the RAM in /sys/firmware/memmap above 1 MiB.
 */
#ifndef BATON_LINUX_FW_H
#define BATON_LINUX_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "firmware/firmware.h"

struct fw {
	struct fs fs;
	const char *sys;		/* sysfs root: "/sys", or a recorded tree */
	const char *esp;		/* the directory that is baton's volume */
	const char *load_options;	/* "config=PATH" or "" */
	struct memmap ram;		/* /sys/firmware/memmap, as baton's types */
	struct lx_alloc {
		uint64_t addr, pages;
	} *allocs;			/* pages handed out, mapped at their
					 * own address */
	size_t n_allocs, cap_allocs;
	uint64_t rsdp;			/* ACPI RSDP, 0 when unknown */
	bool rsdp_read;			/* its bytes copied to its address */
	struct fw_efi_kexec efi;	/* the running kernel's EFI runtime
					 * state; systab 0: none, and efi_why
					 * says why */
	const char *efi_why;
	struct fw_framebuffer fb;	/* the EFI framebuffer the running
					 * kernel was given; base 0: none */
	bool dry_run;			/* print the image, load nothing */
	bool quiet;			/* no "baton: config ..." line */
};

/*
 * Set fw up over sysfs root sys and the directory esp: the memory map and
 * the RSDP are read now.  0, or a BT_E* code with err saying what could not
 * be read.
 */
int lx_fw_init(struct fw *fw, const char *sys, const char *esp, char *err,
	       size_t errlen);

void lx_fw_free(struct fw *fw);

/* The text of file sys/rel (trailing newline cut) into buf; BT_ENOENT. */
int lx_sys_read(const struct fw *fw, const char *rel, char *buf, size_t cap);

#endif
