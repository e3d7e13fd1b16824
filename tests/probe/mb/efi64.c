/*
 * efi64.c - the EFI amd64 Multiboot2 probe (mb2-efi64): entered through
 * the EFI amd64 entry tag with boot services still running (Multiboot2
 * section 3.5): 64-bit mode on the firmware's identity map, RAX the magic,
 * RBX the MBI.  The firmware still owns the interrupt controllers, the
 * IDT and the timer, so the probe changes none of them; it proves boot
 * services are alive by calling two of them.
 *
 * EFI layouts: UEFI 2.10 sections 4.3 (system table), 4.4 (boot
 * services), 7.2 (GetMemoryMap), 9.1 (EFI_LOADED_IMAGE_PROTOCOL).
 */
#include "mb.h"

#define MB2_BOOT_MAGIC  0x36D76289u
#define TAG_EFI_BS      18
#define TAG_IMAGE64     20

#define CR0_PE          (1ull << 0)
#define CR0_PG          (1ull << 31)
#define CR4_PAE         (1ull << 5)
#define CR4_LA57        (1ull << 12)
#define MSR_EFER        0xC0000080
#define EFER_LME        (1ull << 8)
#define EFER_LMA        (1ull << 10)
#define RFLAGS_IF       (1ull << 9)

#define ST_BOOT_SERVICES        96
#define BS_SIGNATURE            0x56524553544F4F42ull   /* "BOOTSERV" */
#define BS_GET_MEMORY_MAP       56
#define BS_HANDLE_PROTOCOL      152
#define LI_SYSTEM_TABLE         16
#define LI_IMAGE_BASE           64
#define LI_IMAGE_SIZE           72

#define EFI_SUCCESS             0
#define EFI_BUFFER_TOO_SMALL    0x8000000000000005ull

typedef uint64_t (__attribute__((ms_abi)) *efi_get_memory_map_fn)(
	uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
	uint32_t *desc_version);
typedef uint64_t (__attribute__((ms_abi)) *efi_handle_protocol_fn)(
	uint64_t handle, const void *guid, void **iface);

/* EFI_LOADED_IMAGE_PROTOCOL_GUID 5B1B31A1-9562-11d2-8E3F-00A0C969723B */
static const uint8_t loaded_image_guid[16] = {
	0xA1, 0x31, 0x1B, 0x5B, 0x62, 0x95, 0xD2, 0x11,
	0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B,
};

void mb_main64(const struct mb_entry *e);

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* --- long mode and the firmware's identity map ----------------------------- */

#define PTE_P           (1ull << 0)
#define PTE_PS          (1ull << 7)
#define PTE_ADDR        0x000FFFFFFFFFF000ull

/* Translate va through the tables at cr3; NULL and *pa set, or why not. */
static const char *pt_walk(const struct mb *m, uint64_t cr3, int levels,
			   uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & PTE_ADDR;

	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);

		if (!mem_ok(&m->p, table, 4096))
			return "a page table lies above 4 GiB";
		uint64_t ent = rd64(table + ((va >> shift) & 511) * 8);
		if (!(ent & PTE_P))
			return "not present";
		if (level == 1 || ((level == 2 || level == 3) && (ent & PTE_PS))) {
			uint64_t low = (1ull << shift) - 1;
			*pa = (ent & PTE_ADDR & ~low) | (va & low);
			return NULL;
		}
		table = ent & PTE_ADDR;
	}
	return "no leaf";
}

struct idmap {
	const char *why;
	uint64_t bad;
	unsigned samples;
};

static void idmap_sample(const struct mb *m, struct idmap *s, uint64_t va)
{
	uint64_t cr4 = read_cr(4), pa = 0;

	if (s->why)
		return;
	s->samples++;
	s->why = pt_walk(m, read_cr(3), (cr4 & CR4_LA57) ? 5 : 4, va, &pa);
	if (!s->why && pa != va)
		s->why = "maps elsewhere";
	if (s->why)
		s->bad = va;
}

/*
 * Long mode (EFER.LMA, CR0.PG, CR4.PAE), CS a 64-bit code segment, and
 * the identity map the spec promises, sampled at the image, the MBI and
 * every module.
 */
static void efi64_check_long_mode(struct mb *m)
{
	const struct mb_entry *e = m->e;
	uint64_t cr0 = read_cr(0), cr4 = read_cr(4), efer = rdmsr(MSR_EFER);
	uint64_t cs = 0;
	struct idmap s = { 0 };
	const char *why = NULL;

	if ((uint32_t)(e->cs & ~7u) + 8 <= e->gdt_saved && !(e->cs & 4))
		memcpy(&cs, e->gdt_copy + (e->cs & ~7u), 8);
	idmap_sample(m, &s, m->image);
	idmap_sample(m, &s, m->image_end - 1);
	if (m->mbi) {
		idmap_sample(m, &s, m->mbi);
		idmap_sample(m, &s, m->mbi + m->mbi_size - 1);
	}
	for (unsigned i = 0; i < m->n_mods; i++)
		if (m->mod[i].end > m->mod[i].start) {
			idmap_sample(m, &s, m->mod[i].start);
			idmap_sample(m, &s, m->mod[i].end - 1);
		}

	if (!(efer & EFER_LMA) || !(efer & EFER_LME))
		why = "EFER.LMA or EFER.LME clear";
	else if ((cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE))
		why = "CR0.PG or CR0.PE clear";
	else if (!(cr4 & CR4_PAE))
		why = "CR4.PAE clear";
	else if (!(cs & (1ull << 53)) || (cs & (1ull << 54)))
		why = "CS is not a 64-bit code segment (L=1 D=0) in the entry GDT";
	if (!why && s.why)
		verdict(&m->p, "long_mode", false,
			"not identity-mapped: 0x%lx %s; cr3=0x%lx", s.bad, s.why,
			read_cr(3));
	else
		verdict(&m->p, "long_mode", !why,
			"%s%scr0=0x%lx cr4=0x%lx efer=0x%lx cs=0x%x; %u samples identity-mapped",
			why ? why : "", why ? "; " : "", cr0, cr4, efer, e->cs,
			s.samples);
}

/* --- boot services ----------------------------------------------------------- */

/* The boot services table, if the system table still names a live one. */
static uint64_t boot_services(const struct mb *m, uint64_t st, const char **why)
{
	if (!st) {
		*why = "no usable EFI system table (tag 12)";
		return 0;
	}
	uint64_t bs = rd64(st + ST_BOOT_SERVICES);
	if (!bs) {
		*why = "the system table's BootServices is 0 (ExitBootServices ran)";
		return 0;
	}
	if (!mem_ok(&m->p, bs, BS_HANDLE_PROTOCOL + 8)) {
		*why = "BootServices is unreadable";
		return 0;
	}
	if (rd64(bs) != BS_SIGNATURE) {
		*why = "BootServices has no \"BOOTSERV\" signature";
		return 0;
	}
	return bs;
}

static void check_boot_services(struct mb *m, const struct mb2_tags *t,
				uint64_t bs, const char *bs_why)
{
	if (!t->seen[TAG_EFI_BS]) {
		verdict(&m->p, "boot_services", false,
			"no tag 18 (EFI boot services not terminated)");
		return;
	}
	if (!bs) {
		verdict(&m->p, "boot_services", false, "%s", bs_why);
		return;
	}
	/* A size of 0 must come back EFI_BUFFER_TOO_SMALL with the size
	 * needed: the call works and changes nothing. */
	efi_get_memory_map_fn get_map =
		(efi_get_memory_map_fn)(uintptr_t)rd64(bs + BS_GET_MEMORY_MAP);
	uint64_t size = 0, key = 0, dsize = 0;
	uint32_t dver = 0;
	uint64_t status = get_map(&size, NULL, &key, &dsize, &dver);
	bool ok = status == EFI_BUFFER_TOO_SMALL && size && dsize >= 40;

	verdict(&m->p, "boot_services", ok,
		"%sbs=0x%lx GetMemoryMap(0)=0x%lx size=%lu descriptor_size=%lu version=%u",
		ok ? "" : "GetMemoryMap did not answer EFI_BUFFER_TOO_SMALL with a size; ",
		bs, status, size, dsize, dver);
}

/*
 * Tag 20 names an image handle: the loader's own, as GRUB passes.  It
 * must carry EFI_LOADED_IMAGE_PROTOCOL, whose SystemTable is tag 12's.
 */
static void check_image_handle(struct mb *m, const struct mb2_tags *t,
			       uint64_t st, uint64_t bs)
{
	uint64_t tag = t->first[TAG_IMAGE64];

	if (!tag || rd32(tag + 4) < 16) {
		verdict(&m->p, "image_handle", false, "no EFI 64-bit image handle tag (20)");
		return;
	}
	uint64_t handle = rd64(tag + 8);
	if (!handle) {
		verdict(&m->p, "image_handle", false, "the handle is 0");
		return;
	}
	if (!bs) {
		verdict(&m->p, "image_handle", false,
			"handle=0x%lx; cannot ask boot services about it", handle);
		return;
	}
	efi_handle_protocol_fn handle_protocol =
		(efi_handle_protocol_fn)(uintptr_t)rd64(bs + BS_HANDLE_PROTOCOL);
	void *iface = NULL;
	uint64_t status = handle_protocol(handle, loaded_image_guid, &iface);
	uint64_t li = (uint64_t)(uintptr_t)iface;
	const char *why = NULL;

	if (status != EFI_SUCCESS)
		why = "HandleProtocol(EFI_LOADED_IMAGE_PROTOCOL) failed";
	else if (!mem_ok(&m->p, li, LI_IMAGE_SIZE + 8))
		why = "the loaded image protocol is unreadable";
	else if (rd64(li + LI_SYSTEM_TABLE) != st)
		why = "its SystemTable is not tag 12's";
	if (why)
		verdict(&m->p, "image_handle", false, "%s; handle=0x%lx status=0x%lx",
			why, handle, status);
	else
		verdict(&m->p, "image_handle", true,
			"handle=0x%lx is a loaded image at 0x%lx (%lu bytes)", handle,
			rd64(li + LI_IMAGE_BASE), rd64(li + LI_IMAGE_SIZE));
}

void mb_main64(const struct mb_entry *e)
{
	static struct mb m;
	static struct mb2_tags t;

	mb_init(&m, e, mb_probe_name);
	mb2_parse(&m, &t);

	mb_print_intro(&m);
	con_printf("PROBE INFO mbi=0x%lx total_size=%u tags=%u interrupts=%s\n",
		   m.mbi, t.total_size, t.count,
		   (e->flags & RFLAGS_IF) ? "on" : "off");

	uint64_t st = mb2_efi_systab(&m, &t);
	const char *bs_why = NULL;
	uint64_t bs = boot_services(&m, st, &bs_why);

	efi64_check_long_mode(&m);
	mb_check_magic(&m, MB2_BOOT_MAGIC);
	mb_check_bss_zeroed(&m);
	mb2_check_tags_aligned(&m, &t);
	mb2_check_mbi_fields(&m, &t, true);
	mb_check_mmap(&m);
	mb_check_cmdline(&m);
	mb_check_modules(&m);
	mb_check_loader_name(&m);
	mb2_check_efi_systab(&m, &t);
	mb2_check_acpi(&m, &t);
	mb2_check_efi_mmap(&m, &t, true);
	check_boot_services(&m, &t, bs, bs_why);
	check_image_handle(&m, &t, st, bs);
	mb_done(&m);
}
