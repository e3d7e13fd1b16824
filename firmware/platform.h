/*
 * The platform service: what a kernel is told about the machine (system
 * table, ACPI, framebuffer), and resetting it.
 */
#ifndef BATON_FIRMWARE_PLATFORM_H
#define BATON_FIRMWARE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw;

enum fw_reset_kind {
	FW_RESET_REBOOT,
	FW_RESET_POWEROFF,
	FW_RESET_FIRMWARE_SETUP,	/* reboot into the firmware's setup UI */
};

/* Reset the machine; returns only on failure (with a message in err). */
int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen);

/* The firmware's framebuffer (on UEFI, GOP's current mode); base 0 means
 * none.  Sizes and positions of each colour are in bits. */
struct fw_framebuffer {
	uint64_t base, size;
	uint32_t width, height, pixels_per_line;
	uint8_t red_size, red_pos, green_size, green_pos;
	uint8_t blue_size, blue_pos, rsvd_size, rsvd_pos;
};

/*
 * The running kernel's EFI state, for a kernel started after it by kexec
 * (baton-kexec): Linux has put the runtime services at virtual addresses
 * of its own with SetVirtualAddressMap, which can be called once, so the
 * next kernel must keep that layout.  map holds EFI memory descriptors
 * (desc_size bytes each, version 1) of the runtime regions with their
 * virtual addresses.  systab 0: none.
 */
struct fw_efi_kexec {
	uint64_t systab, fw_vendor, runtime, tables, smbios;
	const void *map;
	uint32_t map_size, desc_size;
};

/* What a kernel is told about the platform. */
struct fw_platform {
	uint64_t systab;	/* EFI system table */
	uint64_t rsdp;		/* ACPI RSDP (2.0 preferred), or 0 */
	const void *rsdp_bytes;	/* the RSDP where baton can read it (on UEFI
				 * at rsdp); NULL when it cannot (Linux
				 * without /dev/mem access) */
	struct fw_framebuffer fb;	/* base 0: none */
	struct fw_efi_kexec efi_kexec;	/* Linux only: systab 0 elsewhere */
};

/* Fill *p.  Never fails: what is missing is left 0. */
void fw_platform(struct fw *fw, struct fw_platform *p);

#endif
