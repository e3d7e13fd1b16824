/*
 * efiload.c - mbefiload.efi, a test-only Multiboot2 loader for the smoke
 * test of the EFI amd64 probe (mb2-efi64) without baton.  It is not baton
 * and proves nothing about baton: it lets the probe's 64-bit code run.
 *
 * From the root of the volume it was loaded from it reads mb2-efi64.elf,
 * mod1.bin and cmdline.txt (the probe's command line, one line).  It loads
 * the ELF64 program headers at their physical addresses with
 * AllocatePages(AllocateAddress, EfiLoaderData), the module and the
 * information structure below 4 GiB, takes the memory map, and calls the
 * EFI amd64 entry (header tag 9) with boot services running: EAX the
 * magic, RBX the structure, the firmware's stack, interrupts as they are.
 * Tags: 1 cmdline, 2 loader name "mbefiload", 3 module, 4 meminfo, 6 mmap
 * (from the EFI map, Linux's type rules), 12 system table, 14/15 RSDP copy,
 * 17 EFI memory map, 18 boot services running, 20 image handle.
 *
 * Errors print "MBEFILOAD: <what>" and return to the firmware.  Like
 * tests/efi/hello.c it links only libgnuefi's crt0 and relocation code,
 * and calls the firmware directly (GNU_EFI_USE_MS_ABI).
 */
#include <efi.h>

#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_BOOT_MAGIC  0x36D76289u
#define MBI_PAGES       16
#define MAP_BYTES       (48 * 1024)
#define FILE_MAX        (4u << 20)

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;

/* EFI_ERROR without its macro pitfall (it does not parenthesise). */
static int failed(EFI_STATUS s)
{
	return (INTN)s < 0;
}

static void say(const CHAR16 *s)
{
	st->ConOut->OutputString(st->ConOut, (CHAR16 *)s);
}

static EFI_STATUS fail(const CHAR16 *what, EFI_STATUS status)
{
	say(L"MBEFILOAD: ");
	say(what);
	say(L"\r\n");
	return failed(status) ? status : EFI_LOAD_ERROR;
}

static void copy(void *d, const void *s, UINTN n)
{
	UINT8 *p = d;
	const UINT8 *q = s;

	while (n--)
		*p++ = *q++;
}

static void fill(void *d, UINT8 c, UINTN n)
{
	UINT8 *p = d;

	while (n--)
		*p++ = c;
}

static UINTN cstrlen(const char *s)
{
	UINTN n = 0;

	while (s[n])
		n++;
	return n;
}

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const UINT8 *p = (const UINT8 *)a, *q = (const UINT8 *)b;

	for (int i = 0; i < 16; i++)
		if (p[i] != q[i])
			return 0;
	return 1;
}

/* Read a whole file from the root of root into pool memory. */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *name, UINT8 **data,
			    UINTN *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS s = root->Open(root, &f, name, EFI_FILE_MODE_READ, 0);

	if (failed(s))
		return s;
	s = bs->AllocatePool(EfiLoaderData, FILE_MAX, (void **)data);
	if (!failed(s)) {
		*size = FILE_MAX;
		s = f->Read(f, size, *data);
	}
	f->Close(f);
	return s;
}

/* Pages below 4 GiB, typed EfiLoaderData. */
static EFI_STATUS low_pages(UINTN pages, EFI_PHYSICAL_ADDRESS *addr)
{
	*addr = 0xFFFFFFFF;
	return bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, addr);
}

/* Load the ELF64 program headers where they ask; the entry from tag 9. */
static EFI_STATUS load_elf(const UINT8 *f, UINTN size, UINT64 *entry)
{
	if (size < 64 || f[0] != 0x7F || f[1] != 'E' || f[4] != 2)
		return fail(L"mb2-efi64.elf is not an ELF64 file", 0);
	UINT64 phoff = *(const UINT64 *)(f + 32);
	UINT16 phentsize = *(const UINT16 *)(f + 54), phnum = *(const UINT16 *)(f + 56);

	for (UINT16 i = 0; i < phnum; i++) {
		const UINT8 *ph = f + phoff + (UINTN)i * phentsize;
		UINT64 off = *(const UINT64 *)(ph + 8), paddr = *(const UINT64 *)(ph + 24);
		UINT64 filesz = *(const UINT64 *)(ph + 32), memsz = *(const UINT64 *)(ph + 40);
		if (*(const UINT32 *)ph != 1 || !memsz)
			continue;
		EFI_PHYSICAL_ADDRESS at = paddr & ~0xFFFull;
		UINTN pages = (paddr + memsz - at + 0xFFF) >> 12;
		EFI_STATUS s = bs->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at);
		if (failed(s))
			return fail(L"AllocatePages(AllocateAddress) for a PT_LOAD failed", s);
		copy((void *)paddr, f + off, filesz);
		fill((void *)(paddr + filesz), 0, memsz - filesz);
	}
	for (UINTN off = 0; off + 16 <= size && off < 32768; off += 8) {
		const UINT32 *h = (const UINT32 *)(f + off);
		if (h[0] != MB2_HEADER_MAGIC || h[0] + h[1] + h[2] + h[3])
			continue;
		for (UINT32 t = 16; t + 8 <= h[2];) {
			UINT16 type = *(const UINT16 *)(f + off + t);
			UINT32 tsize = *(const UINT32 *)(f + off + t + 4);
			if (type == 0 || tsize < 8)
				break;
			if (type == 9) {
				*entry = *(const UINT32 *)(f + off + t + 8);
				return EFI_SUCCESS;
			}
			t += (tsize + 7) & ~7u;
		}
	}
	return fail(L"no Multiboot2 header with an EFI amd64 entry tag", 0);
}

/* --- the information structure -------------------------------------------------- */

struct mbi {
	UINT8 *buf;
	UINT32 len, cap;
};

static UINT8 *tag(struct mbi *b, UINT16 type, UINT32 size)
{
	UINT8 *t = b->buf + b->len;
	UINT32 padded = (size + 7) & ~7u;

	if (b->len + padded + 8 > b->cap)
		return NULL;
	fill(t, 0, padded);
	*(UINT16 *)t = type;
	*(UINT32 *)(t + 4) = size;
	b->len += padded;
	return t;
}

/* Linux's rule (HANDOFF-FACTS B): UEFI type to Multiboot type. */
static UINT32 mb_type(UINT32 t)
{
	switch (t) {
	case EfiLoaderCode: case EfiLoaderData: case EfiBootServicesCode:
	case EfiBootServicesData: case EfiConventionalMemory:
		return 1;
	case EfiACPIReclaimMemory:
		return 3;
	case EfiACPIMemoryNVS:
		return 4;
	case EfiUnusableMemory:
		return 5;
	default:
		return 2;
	}
}

struct region {
	UINT64 base, len;
	UINT32 type;
};

/* The EFI map as sorted, merged Multiboot regions; returns the count. */
static UINTN regions(const UINT8 *map, UINTN size, UINTN dsize, struct region *r,
		     UINTN max)
{
	UINTN n = 0;

	for (UINTN off = 0; off + dsize <= size && n < max; off += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		struct region x = { d->PhysicalStart, d->NumberOfPages << 12, mb_type(d->Type) };
		UINTN i = n++;
		while (i && r[i - 1].base > x.base) {
			r[i] = r[i - 1];
			i--;
		}
		r[i] = x;
	}
	UINTN m = 0;
	for (UINTN i = 0; i < n; i++) {
		if (m && r[m - 1].type == r[i].type &&
		    r[m - 1].base + r[m - 1].len == r[i].base)
			r[m - 1].len += r[i].len;
		else
			r[m++] = r[i];
	}
	return m;
}

static UINT64 ram_run(const struct region *r, UINTN n, UINT64 from)
{
	UINT64 at = from;

	for (UINTN i = 0; i < n; i++)
		if (r[i].type == 1 && r[i].base <= at && at < r[i].base + r[i].len)
			at = r[i].base + r[i].len;
	return at - from;
}

static UINT64 find_rsdp(UINT32 *len)
{
	UINT64 v1 = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *c = &st->ConfigurationTable[i];
		if (guid_eq(&c->VendorGuid, &acpi20_guid)) {
			*len = *(UINT32 *)((UINT8 *)c->VendorTable + 20);
			return (UINT64)c->VendorTable;
		}
		if (guid_eq(&c->VendorGuid, &acpi10_guid))
			v1 = (UINT64)c->VendorTable;
	}
	*len = 20;
	return v1;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;
	UINT8 *elf, *mod, *cmd, *map;
	UINTN elf_len, mod_len, cmd_len, map_size, key, dsize;
	UINT32 dver;
	UINT64 entry = 0;
	EFI_PHYSICAL_ADDRESS mod_at, mbi_at;
	EFI_STATUS s;
	static struct region r[256];

	st = systab;
	bs = systab->BootServices;
	if (failed(s = bs->HandleProtocol(image, &loaded_image_guid, (void **)&li)) ||
	    failed(s = bs->HandleProtocol(li->DeviceHandle, &simple_fs_guid, (void **)&fs)) ||
	    failed(s = fs->OpenVolume(fs, &root)))
		return fail(L"cannot open the volume", s);
	if (failed(s = read_file(root, L"mb2-efi64.elf", &elf, &elf_len)) ||
	    failed(s = read_file(root, L"mod1.bin", &mod, &mod_len)) ||
	    failed(s = read_file(root, L"cmdline.txt", &cmd, &cmd_len)))
		return fail(L"cannot read mb2-efi64.elf, mod1.bin or cmdline.txt", s);
	while (cmd_len && (cmd[cmd_len - 1] == '\n' || cmd[cmd_len - 1] == '\r'))
		cmd_len--;
	cmd[cmd_len] = 0;
	if (failed(s = load_elf(elf, elf_len, &entry)))
		return s;
	if (failed(s = low_pages((mod_len + 0xFFF) >> 12, &mod_at)) ||
	    failed(s = low_pages(MBI_PAGES, &mbi_at)) ||
	    failed(s = bs->AllocatePool(EfiLoaderData, MAP_BYTES, (void **)&map)))
		return fail(L"cannot allocate the module, MBI or map", s);
	copy((void *)mod_at, mod, mod_len);

	/* The map last: everything above is in it as EfiLoaderData. */
	map_size = MAP_BYTES;
	if (failed(s = bs->GetMemoryMap(&map_size, (void *)map, &key, &dsize, &dver)))
		return fail(L"GetMemoryMap failed", s);
	UINTN n = regions(map, map_size, dsize, r, 256);

	struct mbi b = { (UINT8 *)mbi_at, 8, MBI_PAGES << 12 };
	UINT8 *t;
	const char *name = "mbefiload (tests/probe/mb)";
	if ((t = tag(&b, 1, 8 + (UINT32)cmd_len + 1)))
		copy(t + 8, cmd, cmd_len + 1);
	if ((t = tag(&b, 2, 8 + (UINT32)cstrlen(name) + 1)))
		copy(t + 8, name, cstrlen(name) + 1);
	if ((t = tag(&b, 3, 16 + 9))) {
		*(UINT32 *)(t + 8) = (UINT32)mod_at;
		*(UINT32 *)(t + 12) = (UINT32)(mod_at + mod_len);
		copy(t + 16, "mod1.bin", 9);
	}
	if ((t = tag(&b, 4, 16))) {
		UINT64 lower = ram_run(r, n, 0), upper = ram_run(r, n, 0x100000);
		*(UINT32 *)(t + 8) = (UINT32)((lower > 0xA0000 ? 0xA0000 : lower) >> 10);
		*(UINT32 *)(t + 12) = (UINT32)(upper >> 10);
	}
	if ((t = tag(&b, 6, 16 + 24 * (UINT32)n))) {
		*(UINT32 *)(t + 8) = 24;
		for (UINTN i = 0; i < n; i++) {
			*(UINT64 *)(t + 16 + 24 * i) = r[i].base;
			*(UINT64 *)(t + 24 + 24 * i) = r[i].len;
			*(UINT32 *)(t + 32 + 24 * i) = r[i].type;
		}
	}
	if ((t = tag(&b, 12, 16)))
		*(UINT64 *)(t + 8) = (UINT64)st;
	UINT32 rlen;
	UINT64 rsdp = find_rsdp(&rlen);
	if (rsdp && (t = tag(&b, rlen > 20 ? 15 : 14, 8 + rlen)))
		copy(t + 8, (void *)rsdp, rlen);
	if ((t = tag(&b, 17, 16 + (UINT32)map_size))) {
		*(UINT32 *)(t + 8) = (UINT32)dsize;
		*(UINT32 *)(t + 12) = dver;
		copy(t + 16, map, map_size);
	}
	tag(&b, 18, 8);
	if ((t = tag(&b, 20, 16)))
		*(UINT64 *)(t + 8) = (UINT64)image;
	if (!tag(&b, 0, 8))
		return fail(L"the information structure does not fit", 0);
	*(UINT32 *)b.buf = b.len;

	say(L"MBEFILOAD: entering the EFI amd64 entry\r\n");
	__asm__ volatile("call *%2"
			 : : "a"((UINT64)MB2_BOOT_MAGIC), "b"(mbi_at), "r"(entry)
			 : "memory");
	return fail(L"the kernel returned", 0);
}
