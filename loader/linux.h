/*
 * Linux x86 boot protocol builders (Documentation/arch/x86/boot.rst), for
 * the kexec-style `linux` entry: parse and check a bzImage, choose where the
 * kernel goes, and fill boot_params ("the zero page").  Portable: addresses
 * are physical numbers, the zero page is a caller's 4 KiB buffer.  The
 * functions that run after ExitBootServices (e820, efi_info) never allocate.
 */
#ifndef BATON_LOADER_LINUX_H
#define BATON_LOADER_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include "lib/memmap.h"
#include "firmware/platform.h"

#define BOOT_PARAMS_SIZE 4096
#define E820_MAX_IN_ZEROPAGE 128

struct bzimage {
	const uint8_t *data;	/* the whole file (borrowed) */
	size_t len;
	unsigned setup_sects;	/* 0 in the header means 4 */
	uint16_t version;	/* boot protocol, e.g. 0x020f */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t cmdline_size;	/* longest command line, NUL excluded */
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint8_t min_alignment;	/* log2 */
	uint64_t pref_address;
	uint32_t init_size;	/* memory the kernel needs from its load address */
	size_t payload_off;	/* (setup_sects + 1) * 512: the 64-bit kernel */
	size_t payload_len;	/* the rest of the file, at least 1 byte */
};

/*
 * Parse and check a bzImage for the 64-bit boot protocol.  Returns 0, or
 * BT_EFORMAT with a message in why naming the field and what was expected:
 * "not a bzImage (no boot flag 0xAA55 at 0x1FE)", "(no HdrS signature at
 * 0x202)", "boot protocol 2.06 is too old (2.12 or later needed for the
 * 64-bit entry)", "not a 64-bit kernel (XLF_KERNEL_64 clear)", "truncated
 * (setup_sects at 0x1F1 says the setup ends at 0x...)", "init_size 0 ...",
 * etc.  The file must hold the setup sectors and a non-empty kernel after
 * them, reaching at least into the last of the syssize 16-byte paragraphs
 * (the last may be partial) and past payload_offset + payload_length when
 * payload_length is set; init_size must cover the kernel part.
 * Only the setup header is read (bytes below 0x290, here and in
 * linux_boot_params), so data may hold just the file's first sectors while
 * len is the whole file's length.
 */
int bzimage_parse(const void *data, size_t len, struct bzimage *bz,
		  char *why, size_t whylen);

/*
 * Where the kernel goes, given the memory map before ExitBootServices:
 * pref_address when [pref, pref + init_size) is free now; for a relocatable
 * kernel, else the lowest address >= pref_address (>= 1 MiB) aligned to
 * kernel_alignment (at least 2^min_alignment) where init_size is free now;
 * else pref_address when that range is RAM after ExitBootServices; else,
 * relocatable, the lowest aligned address >= pref_address in such RAM.
 * Below 4 GiB unless the kernel sets XLF_CAN_BE_LOADED_ABOVE_4G.
 * BT_ENOENT with a message ("kernel needs 0x... bytes at 0x... and is not
 * relocatable" / "no room for the kernel's 0x... bytes") when there is none.
 */
int bzimage_place(const struct bzimage *bz, const struct memmap *ram,
		  uint64_t *addr, char *why, size_t whylen);

struct linux_args {
	uint64_t cmdline_addr;	/* physical address of the NUL-terminated line */
	size_t cmdline_len;	/* without the NUL */
	uint64_t initrd_addr, initrd_size;	/* 0, 0 when none */
	uint64_t rsdp_addr;	/* ACPI RSDP, or 0 */
	const struct fw_framebuffer *fb;	/* for screen_info, or NULL */
};

/*
 * Fill bp (BOOT_PARAMS_SIZE bytes): zeroes, the setup header copied from
 * the image (0x1F1 up to 0x202 + byte[0x201]), then type_of_loader,
 * cmd_line_ptr(+ext), ramdisk_image/size(+ext), acpi_rsdp_addr and
 * screen_info.  Checks the command line against cmdline_size and the initrd
 * against initrd_addr_max (unless XLF_CAN_BE_LOADED_ABOVE_4G); BT_EINVAL with
 * a message ("command line is 5000 bytes; this kernel takes at most 2047")
 * otherwise.
 */
int linux_boot_params(uint8_t *bp, const struct bzimage *bz,
		      const struct linux_args *a, char *why, size_t whylen);

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/*
 * Convert a raw UEFI memory map (as in memmap_from_uefi) to e820: types
 * mapped as Linux's EFI stub does (loader/boot-services/conventional ->
 * 1 RAM, or 0xefffffff soft-reserved with EFI_MEMORY_SP; ACPI reclaim -> 3;
 * NVS -> 4; unusable -> 5; persistent -> 7; reserved/runtime/MMIO/PAL -> 2;
 * unaccepted and unknown types dropped), sorted by address, adjacent or
 * overlapping same-type entries merged.  Writes at most max entries to out
 * and the count to *n; BT_ETOOBIG when more are needed, BT_EINVAL for a
 * malformed map (desc_size < 40, size not a multiple of it, a descriptor
 * that wraps past 2^64).  Never allocates (it runs after ExitBootServices).
 */
int linux_e820(const void *map, size_t size, size_t desc_size,
	       struct e820_entry *out, size_t max, size_t *n);

/*
 * Put e820 entries into bp: the first 128 in e820_table; the rest into the
 * caller's setup_data buffer ext (header + entries, room for n - 128; may be
 * NULL when n <= 128), linked into bp's setup_data chain as SETUP_E820_EXT at
 * physical address ext_phys.  Calling it again with the same ext (after a
 * retried ExitBootServices) replaces the earlier table.  Never allocates.
 */
void linux_set_e820(uint8_t *bp, const struct e820_entry *e, size_t n,
		    void *ext, uint64_t ext_phys);

/* Bytes a SETUP_E820_EXT buffer needs for n entries in all (0 if n <= 128). */
size_t linux_e820_ext_size(size_t n);

/*
 * efi_info for a 64-bit kernel after ExitBootServices: "EL64", the system
 * table, and the final memory map (address, size, descriptor size and
 * version).  Never allocates.
 */
void linux_set_efi_info(uint8_t *bp, uint64_t systab, uint64_t map,
			uint32_t map_size, uint32_t desc_size,
			uint32_t desc_version);

/*
 * For a kernel started by kexec after Linux (e->systab set): the
 * SETUP_EFI setup_data (fw_vendor, runtime, config tables, SMBIOS) and the
 * runtime map in efi_info, so the kernel keeps the first one's virtual map
 * of the runtime services.  Only for kernels that set XLF_EFI_KEXEC
 * (linux_efi_kexec_ok).  buf (linux_efi_kexec_size(e) bytes, physical
 * address buf_phys) gets the setup_data then the map; it is linked at the
 * head of bp's setup_data chain.
 */
bool linux_efi_kexec_ok(const struct bzimage *bz);

/*
 * What a boot_params (BOOT_PARAMS_SIZE bytes, e.g. the running kernel's,
 * /sys/kernel/boot_params/data) says, read back: the EFI system table
 * (0 unless efi_info is "EL64"); the ACPI RSDP (0: none); the EFI
 * framebuffer in screen_info (false unless orig_video_isVGA is EFI and
 * the depth and line length make sense).
 */
uint64_t linux_bp_efi_systab(const uint8_t *bp);
uint64_t linux_bp_rsdp(const uint8_t *bp);
bool linux_bp_framebuffer(const uint8_t *bp, struct fw_framebuffer *fb);
size_t linux_efi_kexec_size(const struct fw_efi_kexec *e);
void linux_set_efi_kexec(uint8_t *bp, const struct fw_efi_kexec *e,
			 void *buf, uint64_t buf_phys);

#endif
