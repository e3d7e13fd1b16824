/* Pages, the memory map, platform facts for kernels, and ExitBootServices. */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/mem.h"

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

int fw_alloc_pages(struct fw *fw, uint64_t npages, uint64_t max, uint64_t *addr)
{
	EFI_PHYSICAL_ADDRESS a = max;
	EFI_STATUS s;

	s = fw->bs->AllocatePages(max == UINT64_MAX ? AllocateAnyPages : AllocateMaxAddress,
				  EfiLoaderData, npages, &a);
	if (s != EFI_SUCCESS)
		return BT_ENOMEM;
	*addr = a;
	return 0;
}

int fw_alloc_pages_at(struct fw *fw, uint64_t addr, uint64_t npages)
{
	EFI_PHYSICAL_ADDRESS a = addr;

	return fw->bs->AllocatePages(AllocateAddress, EfiLoaderData, npages,
				     &a) == EFI_SUCCESS ? 0 : BT_ENOENT;
}

void fw_free_pages(struct fw *fw, uint64_t addr, uint64_t npages)
{
	fw->bs->FreePages(addr, npages);
}

/* Read the raw map into a new allocation (bt_free()). */
static int raw_map(struct fw *fw, void **buf, UINTN *size, UINTN *dsize,
		   UINT32 *dver)
{
	UINTN key;
	EFI_STATUS s;

	*size = 0;
	*buf = NULL;
	for (;;) {
		s = fw->bs->GetMemoryMap(size, *buf, &key, dsize, dver);
		if (s != EFI_BUFFER_TOO_SMALL)
			break;
		bt_free(*buf);
		*size += 16 * sizeof(EFI_MEMORY_DESCRIPTOR) + 4096;
		*buf = bt_alloc(*size);
		if (!*buf)
			return BT_ENOMEM;
	}
	if (s != EFI_SUCCESS) {
		bt_free(*buf);
		*buf = NULL;
		return efi_error(s);
	}
	return 0;
}

int fw_memmap(struct fw *fw, struct memmap *out)
{
	UINTN size, dsize;
	UINT32 dver;
	void *buf;
	int rc = raw_map(fw, &buf, &size, &dsize, &dver);

	if (rc)
		return rc;
	rc = memmap_from_uefi(buf, size, dsize, out);
	bt_free(buf);
	return rc;
}

size_t fw_memmap_bytes(struct fw *fw)
{
	UINTN size = 0, key, dsize = sizeof(EFI_MEMORY_DESCRIPTOR);
	UINT32 dver;

	fw->bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	/* Room for the entries that the caller's own allocation of this
	 * buffer, and anything until ExitBootServices, may add. */
	return size + 32 * dsize;
}

/* Channel sizes and positions of a GOP pixel format (32 bits a pixel). */
static void fb_format(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, struct fw_framebuffer *fb)
{
	EFI_PIXEL_BITMASK m = info->PixelInformation;
	UINT32 masks[4] = { m.RedMask, m.GreenMask, m.BlueMask, m.ReservedMask };
	uint8_t *size[4] = { &fb->red_size, &fb->green_size, &fb->blue_size, &fb->rsvd_size };
	uint8_t *pos[4] = { &fb->red_pos, &fb->green_pos, &fb->blue_pos, &fb->rsvd_pos };
	unsigned i;

	if (info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor) {
		masks[0] = 0xff; masks[1] = 0xff00; masks[2] = 0xff0000; masks[3] = 0xff000000;
	} else if (info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor) {
		masks[0] = 0xff0000; masks[1] = 0xff00; masks[2] = 0xff; masks[3] = 0xff000000;
	} else if (info->PixelFormat != PixelBitMask) {
		fb->base = 0;	/* PixelBltOnly: no linear framebuffer */
		return;
	}
	for (i = 0; i < 4; i++) {
		UINT32 v = masks[i];
		uint8_t p = 0, n = 0;

		while (v && !(v & 1)) {
			v >>= 1;
			p++;
		}
		while (v & 1) {
			v >>= 1;
			n++;
		}
		*pos[i] = p;
		*size[i] = n;
	}
}

void fw_platform(struct fw *fw, struct fw_platform *p)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	UINTN i;

	memset(p, 0, sizeof(*p));
	p->systab = (uintptr_t)fw->st;
	for (i = 0; i < fw->st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &fw->st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID)))
			p->rsdp = (uintptr_t)t->VendorTable;
		else if (!p->rsdp && !memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)))
			p->rsdp = (uintptr_t)t->VendorTable;
	}
	p->rsdp_bytes = (const void *)(uintptr_t)p->rsdp;
	if (fw->bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) == EFI_SUCCESS &&
	    gop->Mode && gop->Mode->Info) {
		p->fb.base = gop->Mode->FrameBufferBase;
		p->fb.size = gop->Mode->FrameBufferSize;
		p->fb.width = gop->Mode->Info->HorizontalResolution;
		p->fb.height = gop->Mode->Info->VerticalResolution;
		p->fb.pixels_per_line = gop->Mode->Info->PixelsPerScanLine;
		fb_format(gop->Mode->Info, &p->fb);
	}
}

int fw_ebs_map(struct fw *fw, void *buf, size_t cap, size_t *size,
	       size_t *desc_size, uint32_t *desc_version, uint64_t *key)
{
	UINTN n = cap, k, dsize;
	UINT32 dver;
	EFI_STATUS s = fw->bs->GetMemoryMap(&n, buf, &k, &dsize, &dver);

	if (s != EFI_SUCCESS)
		return efi_error(s);
	*size = n;
	*desc_size = dsize;
	*desc_version = dver;
	*key = k;
	return 0;
}

int fw_ebs_try(struct fw *fw, uint64_t key)
{
	return efi_error(fw->bs->ExitBootServices(fw->image, (UINTN)key));
}

int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version)
{
	uint64_t key;	/* only ExitBootServices wants it */

	return fw_ebs_map(fw, buf, cap, size, desc_size, desc_version, &key);
}

uint64_t fw_image_handle(struct fw *fw)
{
	return (uintptr_t)fw->image;
}
