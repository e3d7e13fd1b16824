/*
 * baton.efi as shipped: this stub and baton's own PE image, compressed with
 * DEFLATE by tools/zpack.py (the way Linux's EFI zboot images and UPX pack
 * a program).  The download of a netbooted baton and its room on an ESP are
 * its compressed size; in memory it is the image it always was.
 *
 * The stub inflates the image into a pool buffer, lays its sections out at
 * their addresses in pages of loader code, and calls its entry point with
 * the stub's own image handle and system table: baton's LoadedImage (its
 * device, its file path, its load options) is the stub's.  The image needs
 * no relocating from here: GNU-EFI's crt0 applies its relocations from
 * wherever it runs.  Secure Boot checks the stub's signature, which covers
 * the compressed image too.
 *
 * The payload (zboot.asm) is a 4-byte little-endian length of the image,
 * then its raw DEFLATE stream.
 */
#include <efi.h>
#include "lib/bytes.h"
#include "lib/inflate.h"
#include "lib/mem.h"

extern const uint8_t zboot_payload[], zboot_payload_end[];

typedef EFI_STATUS (EFIAPI *image_entry)(EFI_HANDLE, EFI_SYSTEM_TABLE *);

/* As firmware/efi/main.c's: the image says it can be loaded anywhere. */
static const uint32_t pe_reloc_block[3]
	__attribute__((section(".reloc"), aligned(4))) = { 0, 12, 0 };

/*
 * Lay the PE file at f[0..len) out in memory; its entry point, or NULL when
 * the file is not a PE32+ whose headers and sections lie inside it.
 */
static image_entry lay_out(EFI_BOOT_SERVICES *bs, const uint8_t *f,
			   size_t len, EFI_PHYSICAL_ADDRESS *base,
			   UINTN *pages)
{
	uint32_t pe, opt, size, hdrs, entry, i, n;
	uint8_t *m;

	if (len < 0x40 || f[0] != 'M' || f[1] != 'Z')
		return NULL;
	pe = get32(f + 0x3C);
	if (pe > len - 24 - 112 || get32(f + pe) != 0x4550 ||
	    get16(f + pe + 24) != 0x20B)
		return NULL;
	opt = pe + 24;
	n = get16(f + pe + 6);
	entry = get32(f + opt + 16);
	size = get32(f + opt + 56);
	hdrs = get32(f + opt + 60);
	i = opt + get16(f + pe + 20);	/* the section table */
	if (hdrs > len || hdrs > size || entry >= size ||
	    i > len || n > (len - i) / 40)
		return NULL;
	*pages = (size + 4095) / 4096;
	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderCode, *pages, base) !=
	    EFI_SUCCESS)
		return NULL;
	m = (uint8_t *)(UINTN)*base;
	memset(m, 0, *pages * 4096);
	memcpy(m, f, hdrs);
	for (; n > 0; n--, i += 40) {
		uint32_t vsize = get32(f + i + 8), va = get32(f + i + 12);
		uint32_t raw = get32(f + i + 16), at = get32(f + i + 20);

		if (raw > vsize)
			raw = vsize;
		if (va > size || raw > size - va || at > len || raw > len - at) {
			bs->FreePages(*base, *pages);
			return NULL;
		}
		memcpy(m + va, f + at, raw);
	}
	return (image_entry)(m + entry);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	size_t in = (size_t)(zboot_payload_end - zboot_payload), got = 0;
	uint32_t len = in >= 4 ? get32(zboot_payload) : 0;
	EFI_PHYSICAL_ADDRESS base = 0;
	UINTN pages = 0;
	image_entry entry = NULL;
	uint8_t *file = NULL;
	EFI_STATUS s;

	__asm__ volatile("" : : "r"(pe_reloc_block));
	if (len && bs->AllocatePool(EfiLoaderData, len, (void **)&file) ==
	    EFI_SUCCESS &&
	    inflate_raw(zboot_payload + 4, in - 4, file, len, &got, NULL, NULL,
			0) == 0 && got == len)
		entry = lay_out(bs, file, len, &base, &pages);
	if (file)
		bs->FreePool(file);
	if (!entry) {
		st->ConOut->OutputString(st->ConOut, L"baton: the image inside "
					 L"baton.efi is damaged or does not "
					 L"fit in memory\r\n");
		return EFI_LOAD_ERROR;
	}
	s = entry(image, st);
	bs->FreePages(base, pages);
	return s;
}
