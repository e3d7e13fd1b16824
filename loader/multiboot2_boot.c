/*
 * The `multiboot2` protocol: Multiboot 2 on the shared Multiboot load
 * (loader/multiboot_load.h).  The image is an ELF file or a flat image the
 * address tag places, moved where RAM is free when it is relocatable (tag
 * 10).  The MBI's memory map is written after ExitBootServices from the
 * final map -- except for kernels that ask to keep boot services (tags 7
 * and 9), which are entered at their EFI amd64 entry with the firmware
 * still running, as GRUB boots Xen on UEFI.
 */
#include "loader/multiboot_load.h"
#include "loader/multiboot2.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

struct mb2_load {
	struct mb_load ml;	/* first: mb_boot() allocates the whole */
	struct mb2_header h;
	struct mb2_module mods[MB_MAX_MODULES];
	struct mb2_fb fb;
	struct mb2_info_args a;
};

static struct mb2_load *mb2_of(struct mb_load *ml)
{
	return (struct mb2_load *)ml;
}

/*
 * Tag 10: move the image to the lowest (or highest) aligned base in [min,
 * max] where it fits in RAM.
 */
static int relocate(struct mb_load *ml, char *err, size_t errlen)
{
	const struct mb2_header *h = &mb2_of(ml)->h;
	uint64_t lo, hi, align = h->reloc_align ? h->reloc_align : PAGE_SIZE, base;
	uint64_t first, last;

	mb_span(ml, &lo, &hi);
	if (align < PAGE_SIZE || (align & (align - 1))) {
		fmt_buf(err, errlen, "%s: relocatable tag alignment 0x%x is not a "
			"power of two of at least 4 KiB", ml->name, h->reloc_align);
		return BT_EFORMAT;
	}
	first = ((uint64_t)h->reloc_min + align - 1) & ~(align - 1);
	last = h->reloc_max >= hi - lo ? ((uint64_t)h->reloc_max - (hi - lo)) & ~(align - 1) : 0;
	for (base = h->reloc_pref == 2 ? last : first; base >= first && base <= last;
	     base = h->reloc_pref == 2 ? base - align : base + align) {
		if (base + (hi - lo) <= MB_FOUR_GIB &&
		    memmap_is_ram(&ml->kl.map, base, base + (hi - lo))) {
			ml->shift = (int64_t)(base - lo);
			return 0;
		}
		if (h->reloc_pref == 2 && base < align)
			break;
	}
	fmt_buf(err, errlen, "%s: no RAM for its 0x%llx bytes between 0x%x and 0x%x "
		"(relocatable tag)", ml->name, (unsigned long long)(hi - lo),
		h->reloc_min, h->reloc_max);
	return BT_ENOENT;
}

/* With boot services kept the image must be allocated where it runs: pick
 * the relocation base by asking the firmware. */
static int relocate_now(struct mb_load *ml, char *err, size_t errlen)
{
	const struct mb2_header *h = &mb2_of(ml)->h;
	uint64_t lo, hi, align = h->reloc_align >= PAGE_SIZE ? h->reloc_align : PAGE_SIZE;
	uint64_t base;

	mb_span(ml, &lo, &hi);
	for (base = ((uint64_t)h->reloc_min + align - 1) & ~(align - 1);
	     base + (hi - lo) <= (uint64_t)h->reloc_max + 1 && base + (hi - lo) <= MB_FOUR_GIB;
	     base += align) {
		if (fw_alloc_pages_at(ml->kl.fw, base, mb_pages(hi - lo)) == 0) {
			fw_free_pages(ml->kl.fw, base, mb_pages(hi - lo));
			ml->shift = (int64_t)(base - lo);
			return 0;
		}
	}
	fmt_buf(err, errlen, "%s: no free memory for its 0x%llx bytes between 0x%x "
		"and 0x%x (relocatable tag)", ml->name, (unsigned long long)(hi - lo),
		h->reloc_min, h->reloc_max);
	return BT_ENOENT;
}

static int mb2_parse(struct mb_load *ml, char *err, size_t errlen)
{
	struct mb2_header *h = &mb2_of(ml)->h;
	struct mb1_header k;
	char why[200];
	int rc = mb2_find(ml->file, ml->len, h, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	/* Tags 7 and 9: enter at the EFI amd64 entry, firmware running;
	 * with no firmware (baton-kexec), at the 32-bit entry. */
	ml->keep_bs = h->efi_bs && h->has_efi64_entry && ml->kl.plat.systab;
	if (h->has_address && !h->has_entry) {
		fmt_buf(err, errlen, "%s: Multiboot2 header has an address "
			"tag but no entry address tag", ml->name);
		return BT_EFORMAT;
	}
	/* The address tag has the a.out kludge's meaning. */
	k = (struct mb1_header){
		.flags = MB1_F_AOUT_KLUDGE, .offset = h->offset, .header_addr = h->header_addr,
		.load_addr = h->load_addr, .load_end_addr = h->load_end_addr,
		.bss_end_addr = h->bss_end_addr, .entry_addr = h->entry_addr,
	};
	rc = mb_parts(ml, h->has_address ? &k : NULL, err, errlen);
	if (!rc && h->has_entry)
		ml->entry = h->entry_addr;
	if (!rc && h->relocatable)
		rc = ml->keep_bs ? relocate_now(ml, err, errlen) : relocate(ml, err, errlen);
	return rc;
}

/* Room for the EFI memory map tag: the map now and 64 more descriptors. */
static size_t efi_map_room(struct mb_load *ml)
{
	return fw_memmap_bytes(ml->kl.fw) + 64 * 48;
}

static size_t mb2_info_args(struct mb_load *ml, size_t max_entries)
{
	struct mb2_load *m = mb2_of(ml);
	struct mb2_info_args *a = &m->a;
	const struct fw_framebuffer *fb = &ml->kl.plat.fb;
	size_t i;

	for (i = 0; i < ml->n_mods; i++)
		m->mods[i] = (struct mb2_module){ ml->mods[i].start, ml->mods[i].end,
						  ml->mods[i].string };
	*a = (struct mb2_info_args){ MB_INFO_INIT(ml, m->mods), };
	a->shdrs = (const void *)(uintptr_t)ml->shdr_addr;
	if (fb->base) {
		m->fb = (struct mb2_fb)MB_FB_INIT(fb);
		a->fb = &m->fb;
	}
	a->efi_systab = ml->kl.plat.systab;
	a->rsdp = ml->kl.plat.rsdp_bytes;
	if (m->h.relocatable) {
		uint64_t lo, hi;

		mb_span(ml, &lo, &hi);
		a->has_load_base = true;
		a->load_base = (uint32_t)lo;
	}
	return mb2_info_size(a, max_entries, efi_map_room(ml));
}

static int mb2_build(struct mb_load *ml, const void *map, size_t size,
		     size_t desc_size, uint32_t desc_version)
{
	return mb2_build_info(ml->info, ml->info_cap, &mb2_of(ml)->a, map, size,
			      desc_size, desc_version);
}

/* Boot services kept: build the MBI from the current map now and jump to
 * the EFI amd64 entry. */
static int enter_efi64(struct mb_load *ml, char *err, size_t errlen)
{
	struct mb2_load *m = mb2_of(ml);
	size_t cap = efi_map_room(ml), size, dsize;
	uint32_t dver;
	void *map = bt_alloc(cap);
	int rc = map ? 0 : BT_ENOMEM;

	m->a.boot_services_running = true;
	m->a.efi_image_handle = fw_image_handle(ml->kl.fw);
	if (!rc)
		rc = fw_memmap_raw(ml->kl.fw, map, cap, &size, &dsize, &dver);
	if (!rc)
		rc = mb2_build(ml, map, size, dsize, dver);
	bt_free(map);
	if (rc) {
		fmt_buf(err, errlen, "cannot build the Multiboot2 information: %s",
			bt_strerror(rc));
		return rc;
	}
	machine_enter_efi64(ml->kl.fw, m->h.efi64_entry + (uint64_t)ml->shift,
			    MB2_BOOT_MAGIC, ml->info_phys);
}

static int multiboot2_boot(struct fw *fw, const struct boot_spec *b,
			   uint64_t *status, char *err, size_t errlen)
{
	static const struct mb_ops ops = {
		.size = sizeof(struct mb2_load),
		.boot_magic = MB2_BOOT_MAGIC,
		.parse = mb2_parse,
		.info_args = mb2_info_args,
		.build_info = mb2_build,
		.enter_bs = enter_efi64,
	};

	return mb_boot(fw, b, &ops, err, errlen);
}

const struct protocol multiboot2_protocol = {
	.key = "multiboot2",
	.flags = PROTO_EDITABLE | PROTO_KEXEC | PROTO_MODULES,
	.boot = multiboot2_boot,
};
