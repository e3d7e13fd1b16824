/*
 * Multiboot 1 and 2 on the kexec core.  The kernel image (an ELF file, or a
 * flat image placed by the a.out kludge / address tag) becomes one segment
 * spanning all its loadable parts; modules, the command line and the
 * information structure are loaded in place below 4 GiB.  The information
 * structure's memory map is written after ExitBootServices from the final
 * map -- except for Multiboot 2 kernels that ask to keep boot services
 * (tags 7 and 9), which are entered at their EFI amd64 entry with the
 * firmware still running, as GRUB boots Xen on UEFI.
 */
#include "loader/protocol.h"
#include "kexec/kload.h"
#include "loader/elf.h"
#include "loader/multiboot1.h"
#include "loader/multiboot2.h"
#include "arch/x86_64/kexec.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/inflate.h"
#include "lib/mem.h"

#define FOUR_GIB 0x100000000ULL
#define MB_MAX_MODULES 16
#define MB_KERNEL_MAX (512u << 20)	/* a decompressed kernel larger than
					 * this is refused, not allocated */
#define LOADER_NAME "baton"

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* One loadable part of the image: file bytes to an address, plus zeroes. */
struct part {
	uint64_t offset, filesz, addr, memsz;
};

struct mb_load {
	struct kload kl;
	const struct boot_spec *b;
	bool v2;
	struct mb1_header h1;
	struct mb2_header h2;
	uint8_t *file;			/* the kernel, decompressed (bt_alloc) */
	size_t len;
	struct part parts[ELF_MAX_SEGMENTS];
	size_t n_parts;
	uint64_t entry;
	struct elf_image elf;
	bool is_elf;
	int64_t shift;			/* relocation (Multiboot 2 tag 10) */
	char *name;			/* the kernel's path, for messages */
	char *cmdline;			/* "path args" as GRUB passes it */
	char *mod_strings[MB_MAX_MODULES];
	struct mb1_module mods1[MB_MAX_MODULES];
	struct mb2_module mods2[MB_MAX_MODULES];
	size_t n_mods;
	uint8_t *info;			/* the information structure */
	uint64_t info_phys;
	size_t info_cap;
};

/* Read the kernel whole (its pin checked) and decompress a gzip file. */
static int read_kernel(struct mb_load *ml, char *err, size_t errlen)
{
	void *raw;
	size_t len, out_len, isize;
	char why[160];
	int rc = fs_read_all(fw_fs(ml->kl.fw), ml->b->image, &raw, &len, err, errlen);

	if (rc)
		return rc;
	if (!gzip_is(raw, len)) {
		ml->file = raw;
		ml->len = len;
		return 0;
	}
	isize = gzip_isize(raw, len);
	if (isize == 0 || isize > MB_KERNEL_MAX) {
		bt_free(raw);
		fmt_buf(err, errlen, "%s: gzip trailer says %zu bytes uncompressed "
			"(at most %u are accepted)", ml->name, isize, MB_KERNEL_MAX);
		return BT_EFORMAT;
	}
	ml->file = bt_alloc(isize);
	rc = ml->file ? gzip_inflate(raw, len, ml->file, isize, &out_len, why, sizeof(why))
		      : BT_ENOMEM;
	bt_free(raw);
	if (rc == BT_EFORMAT || rc == BT_ETOOBIG)
		fmt_buf(err, errlen, "%s: %s", ml->name,
			rc == BT_ETOOBIG ? "gzip data larger than its trailer says" : why);
	ml->len = out_len;
	return rc;
}

/* Parts from the ELF program headers. */
static int parts_from_elf(struct mb_load *ml, char *err, size_t errlen)
{
	char why[200];
	size_t i;
	int rc = elf_parse(ml->file, ml->len, &ml->elf, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	for (i = 0; i < ml->elf.n; i++) {
		ml->parts[i].offset = ml->elf.seg[i].offset;
		ml->parts[i].filesz = ml->elf.seg[i].filesz;
		ml->parts[i].addr = ml->elf.seg[i].paddr;
		ml->parts[i].memsz = ml->elf.seg[i].memsz;
	}
	ml->n_parts = ml->elf.n;
	ml->entry = ml->elf.entry;
	ml->is_elf = true;
	return 0;
}

/* One part from the a.out kludge (MB1 flag 16) or the address tag (MB2). */
static int part_from_kludge(struct mb_load *ml, const struct mb1_header *h,
			    char *err, size_t errlen)
{
	struct mb1_layout l;
	char why[200];
	int rc = mb1_kludge_layout(h, ml->len, &l, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	ml->parts[0] = (struct part){ l.file_offset, l.filesz, l.load_addr, l.memsz };
	ml->n_parts = 1;
	ml->entry = l.entry;
	return 0;
}

static int parse_mb1(struct mb_load *ml, char *err, size_t errlen)
{
	char why[200];
	int rc = mb1_find(ml->file, ml->len, &ml->h1, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	if (ml->h1.flags & MB1_F_AOUT_KLUDGE)
		return part_from_kludge(ml, &ml->h1, err, errlen);
	return parts_from_elf(ml, err, errlen);
}

static int parse_mb2(struct mb_load *ml, char *err, size_t errlen)
{
	struct mb2_header *h = &ml->h2;
	char why[200];
	int rc = mb2_find(ml->file, ml->len, h, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	if (h->has_address) {
		/* The address tag has the a.out kludge's meaning. */
		struct mb1_header k = {
			.flags = MB1_F_AOUT_KLUDGE, .offset = h->offset, .header_addr = h->header_addr,
			.load_addr = h->load_addr, .load_end_addr = h->load_end_addr,
			.bss_end_addr = h->bss_end_addr, .entry_addr = h->entry_addr,
		};

		if (!h->has_entry) {
			fmt_buf(err, errlen, "%s: Multiboot2 header has an address "
				"tag but no entry address tag", ml->name);
			return BT_EFORMAT;
		}
		rc = part_from_kludge(ml, &k, err, errlen);
	} else {
		rc = parts_from_elf(ml, err, errlen);
	}
	if (!rc && h->has_entry)
		ml->entry = h->entry_addr;
	return rc;
}

/* [lo, hi): the page-aligned span of all parts. */
static void span(const struct mb_load *ml, uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < ml->n_parts; i++) {
		uint64_t a = ml->parts[i].addr, end = a + ml->parts[i].memsz;

		if (a < *lo)
			*lo = a;
		if (end > *hi)
			*hi = end;
	}
	*lo &= ~(PAGE_SIZE - 1);
	*hi = (*hi + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/*
 * Multiboot 2 tag 10: move the image to the lowest (or highest) aligned
 * base in [min, max] where it fits in RAM.
 */
static int relocate(struct mb_load *ml, char *err, size_t errlen)
{
	const struct mb2_header *h = &ml->h2;
	uint64_t lo, hi, align = h->reloc_align ? h->reloc_align : PAGE_SIZE, base;
	uint64_t first, last;

	span(ml, &lo, &hi);
	if (align < PAGE_SIZE || (align & (align - 1))) {
		fmt_buf(err, errlen, "%s: relocatable tag alignment 0x%x is not a "
			"power of two of at least 4 KiB", ml->name, h->reloc_align);
		return BT_EFORMAT;
	}
	first = ((uint64_t)h->reloc_min + align - 1) & ~(align - 1);
	last = h->reloc_max >= hi - lo ? ((uint64_t)h->reloc_max - (hi - lo)) & ~(align - 1) : 0;
	for (base = h->reloc_pref == 2 ? last : first; base >= first && base <= last;
	     base = h->reloc_pref == 2 ? base - align : base + align) {
		if (base + (hi - lo) <= FOUR_GIB &&
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

/* Copy the bytes of the parts inside [lo, hi) into buf, which lands at lo. */
static void fill_group(const struct mb_load *ml, uint8_t *buf, uint64_t lo,
		       uint64_t hi)
{
	size_t i;

	memset(buf, 0, hi - lo);
	for (i = 0; i < ml->n_parts; i++)
		if (ml->parts[i].addr >= lo && ml->parts[i].addr < hi)
			memcpy(buf + (ml->parts[i].addr - lo),
			       ml->file + ml->parts[i].offset, ml->parts[i].filesz);
}

/*
 * One run of parts that share or touch pages, as one segment: in place when
 * its destination is free now, else from a buffer the trampoline copies.
 * With boot services kept, it must be in place.
 */
static int load_group(struct mb_load *ml, uint64_t lo, uint64_t hi,
		      bool in_place_only, char *err, size_t errlen)
{
	struct kload *kl = &ml->kl;
	uint64_t src = 0;
	int rc;

	if (kload_alloc_at(kl, lo, pages_for(hi - lo)) == 0)
		src = lo;
	else if (in_place_only) {
		fmt_buf(err, errlen, "%s: its memory [0x%llx-0x%llx) is in use by "
			"the firmware (a kernel that keeps boot services must be "
			"loaded where it is linked)", ml->name,
			(unsigned long long)lo, (unsigned long long)hi);
		return BT_ENOENT;
	}
	rc = kimage_add(&kl->ki, src, hi - lo, lo, hi - lo, "kernel", err, errlen);
	if (!rc && !src) {
		rc = kload_alloc(kl, pages_for(hi - lo), UINT64_MAX, &src);
		kl->ki.seg[kl->ki.nr - 1].buf = src;
		if (rc) {
			fmt_buf(err, errlen, "%s: no memory for its 0x%llx bytes at "
				"0x%llx", ml->name, (unsigned long long)(hi - lo),
				(unsigned long long)lo);
			rc = BT_ETOOBIG;
		}
	}
	if (!rc)
		fill_group(ml, (uint8_t *)(uintptr_t)src, lo, hi);
	return rc;
}

/* Sort the parts by address (at most ELF_MAX_SEGMENTS: insertion sort). */
static void sort_parts(struct mb_load *ml)
{
	size_t i, j;

	for (i = 1; i < ml->n_parts; i++) {
		struct part p = ml->parts[i];

		for (j = i; j > 0 && ml->parts[j - 1].addr > p.addr; j--)
			ml->parts[j] = ml->parts[j - 1];
		ml->parts[j] = p;
	}
}

/* The image: relocated by the chosen shift, as runs of touching parts. */
static int load_image(struct mb_load *ml, bool in_place_only, char *err,
		      size_t errlen)
{
	size_t i = 0, j;
	int rc = 0;

	for (j = 0; j < ml->n_parts; j++)
		ml->parts[j].addr += (uint64_t)ml->shift;
	ml->entry += (uint64_t)ml->shift;
	ml->kl.ki.entry = ml->entry;
	sort_parts(ml);
	for (j = 1; j < ml->n_parts; j++) {
		const struct part *a = &ml->parts[j - 1], *b = &ml->parts[j];

		if (b->addr < a->addr + a->memsz) {
			fmt_buf(err, errlen, "%s: two loadable segments overlap: "
				"[0x%llx-0x%llx) and [0x%llx-0x%llx)", ml->name,
				(unsigned long long)a->addr,
				(unsigned long long)(a->addr + a->memsz),
				(unsigned long long)b->addr,
				(unsigned long long)(b->addr + b->memsz));
			return BT_EFORMAT;
		}
	}
	while (!rc && i < ml->n_parts) {
		uint64_t lo = ml->parts[i].addr & ~(PAGE_SIZE - 1);
		uint64_t hi = (ml->parts[i].addr + ml->parts[i].memsz + PAGE_SIZE - 1) &
			      ~(PAGE_SIZE - 1);

		for (j = i + 1; j < ml->n_parts &&
		     (ml->parts[j].addr & ~(PAGE_SIZE - 1)) <= hi; j++) {
			uint64_t end = (ml->parts[j].addr + ml->parts[j].memsz +
					PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

			if (end > hi)
				hi = end;
		}
		rc = load_group(ml, lo, hi, in_place_only, err, errlen);
		i = j;
	}
	return rc;
}

/* Read each module into its own pages below 4 GiB (so page-aligned). */
static int load_modules(struct mb_load *ml, char *err, size_t errlen)
{
	const struct boot_spec *b = ml->b;
	size_t i;
	int rc = 0;

	if (b->n_modules > MB_MAX_MODULES) {
		fmt_buf(err, errlen, "%s: more than %d module lines", b->where,
			MB_MAX_MODULES);
		return BT_ETOOBIG;
	}
	for (i = 0; !rc && i < b->n_modules; i++) {
		const struct boot_module *mod = &b->modules[i];
		struct fs_stream f;
		uint64_t size = 0, addr = 0;

		rc = fs_stream_open(fw_fs(ml->kl.fw), mod->path, &f, err, errlen);
		if (rc)
			return rc;
		ml->mod_strings[i] = fmt_alloc("%s%s%s", f.name,
					       *mod->args ? " " : "", mod->args);
		rc = ml->mod_strings[i] ? fs_stream_need_size(&f, err, errlen)
					: BT_ENOMEM;
		if (!rc) {
			size = fs_stream_size(&f);
			rc = size < FOUR_GIB ? kload_alloc(&ml->kl, pages_for(size ? size : 1),
							   FOUR_GIB - 1, &addr)
					     : BT_ETOOBIG;
			if (rc)
				fmt_buf(err, errlen, "%s: %s", f.name, rc == BT_ENOMEM ?
					"no memory below 4 GiB for it" : bt_strerror(rc));
		}
		if (!rc)
			rc = fs_stream_read_exact(&f, (void *)(uintptr_t)addr,
						  (size_t)size, err, errlen);
		if (!rc)
			rc = fs_stream_finish(&f, err, errlen);
		fs_stream_close(&f);
		if (!rc)
			rc = kload_add_in_place(&ml->kl, addr, size, "module", err, errlen);
		ml->mods1[i] = (struct mb1_module){ (uint32_t)addr, (uint32_t)(addr + size),
						    ml->mod_strings[i] };
		ml->mods2[i] = (struct mb2_module){ (uint32_t)addr, (uint32_t)(addr + size),
						    ml->mod_strings[i] };
		ml->n_mods = i + 1;
	}
	return rc;
}

/* Copy the ELF section header table below 4 GiB (MB1 flag 5, MB2 tag 9). */
static int load_sections(struct mb_load *ml, uint64_t *addr, char *err,
			 size_t errlen)
{
	const struct elf_image *el = &ml->elf;
	uint64_t bytes = (uint64_t)el->shnum * el->shentsize;
	int rc;

	*addr = 0;
	if (!ml->is_elf || !el->shnum || el->shoff > ml->len || bytes > ml->len - el->shoff)
		return 0;	/* none, or not in the file: the flag stays clear */
	rc = kload_alloc(&ml->kl, pages_for(bytes), FOUR_GIB - 1, addr);
	if (!rc) {
		memcpy((void *)(uintptr_t)*addr, ml->file + el->shoff, bytes);
		rc = kload_add_in_place(&ml->kl, *addr, bytes, "ELF sections", err, errlen);
	}
	return rc;
}

/* The GOP framebuffer in Multiboot terms (32 bits a pixel). */
static void fb_fields(const struct fw_framebuffer *in, uint64_t *addr, uint32_t *pitch,
		      uint8_t pos_size[6])
{
	*addr = in->base;
	*pitch = in->pixels_per_line * 4;
	pos_size[0] = in->red_pos;
	pos_size[1] = in->red_size;
	pos_size[2] = in->green_pos;
	pos_size[3] = in->green_size;
	pos_size[4] = in->blue_pos;
	pos_size[5] = in->blue_size;
}

struct mb_info {
	struct mb_load *ml;
	struct mb1_info_args a1;
	struct mb2_info_args a2;
	struct mb1_fb fb1;
	struct mb2_fb fb2;
	uint8_t *shdrs;
};

/* Fill both argument sets from what was loaded. */
static void info_args(struct mb_info *mi, uint64_t shdr_addr)
{
	struct mb_load *ml = mi->ml;
	const struct fw_framebuffer *fb = &ml->kl.plat.fb;
	uint8_t ps[6];

	mi->a1.cmdline = mi->a2.cmdline = ml->cmdline;
	mi->a1.loader_name = mi->a2.loader_name = LOADER_NAME;
	mi->a1.modules = ml->mods1;
	mi->a2.modules = ml->mods2;
	mi->a1.n_modules = mi->a2.n_modules = ml->n_mods;
	if (shdr_addr) {
		mi->a1.shdr_num = mi->a2.shdr_num = ml->elf.shnum;
		mi->a1.shdr_size = mi->a2.shdr_size = ml->elf.shentsize;
		mi->a1.shdr_shndx = mi->a2.shdr_shndx = ml->elf.shstrndx;
		mi->a1.shdr_addr = (uint32_t)shdr_addr;
		mi->a2.shdrs = (const void *)(uintptr_t)shdr_addr;
	}
	if (fb->base) {
		fb_fields(fb, &mi->fb1.addr, &mi->fb1.pitch, ps);
		mi->fb1.width = mi->fb2.width = fb->width;
		mi->fb1.height = mi->fb2.height = fb->height;
		mi->fb1.bpp = mi->fb2.bpp = 32;
		mi->fb2.addr = mi->fb1.addr;
		mi->fb2.pitch = mi->fb1.pitch;
		mi->fb1.red_pos = mi->fb2.red_pos = ps[0];
		mi->fb1.red_size = mi->fb2.red_size = ps[1];
		mi->fb1.green_pos = mi->fb2.green_pos = ps[2];
		mi->fb1.green_size = mi->fb2.green_size = ps[3];
		mi->fb1.blue_pos = mi->fb2.blue_pos = ps[4];
		mi->fb1.blue_size = mi->fb2.blue_size = ps[5];
		if (ml->h1.flags & MB1_F_VIDEO)
			mi->a1.fb = &mi->fb1;
		mi->a2.fb = &mi->fb2;
	}
	mi->a2.efi_systab = ml->kl.plat.systab;
	mi->a2.rsdp = ml->kl.plat.rsdp ? (const void *)(uintptr_t)ml->kl.plat.rsdp : NULL;
	if (ml->h2.relocatable) {
		uint64_t lo, hi;

		span(ml, &lo, &hi);
		mi->a2.has_load_base = true;
		mi->a2.load_base = (uint32_t)lo;
	}
}

/* Allocate the information structure below 4 GiB, in place. */
static int alloc_info(struct mb_info *mi, char *err, size_t errlen)
{
	struct mb_load *ml = mi->ml;
	size_t entries = ml->kl.map.n + 64;
	int rc;

	ml->info_cap = ml->v2 ? mb2_info_size(&mi->a2, entries, fw_memmap_bytes(ml->kl.fw) +
					     64 * 48)
			      : mb1_info_size(&mi->a1, entries);
	rc = kload_alloc(&ml->kl, pages_for(ml->info_cap), FOUR_GIB - 1, &ml->info_phys);
	if (!rc)
		rc = kload_add_in_place(&ml->kl, ml->info_phys, ml->info_cap,
					"boot information", err, errlen);
	else
		fmt_buf(err, errlen, "no memory below 4 GiB for the boot information");
	ml->info = (uint8_t *)(uintptr_t)ml->info_phys;
	return rc;
}

/* After ExitBootServices: the information structure from the final map. */
static void mb_final_map(void *ctx, const void *map, size_t size,
			 size_t desc_size, uint32_t desc_version)
{
	struct mb_info *mi = ctx;
	struct mb_load *ml = mi->ml;
	int rc = ml->v2 ? mb2_build_info(ml->info, ml->info_cap, &mi->a2, map, size,
					 desc_size, desc_version)
			: mb1_build_info(ml->info, (uint32_t)ml->info_phys, ml->info_cap,
					 &mi->a1, map, size, desc_size);

	if (rc)
		machine_panic(ml->kl.fw, "the Multiboot information does not fit its buffer");
}

/* Multiboot 2 with boot services kept: build the MBI now and jump. */
static int enter_efi64(struct mb_info *mi, char *err, size_t errlen)
{
	struct mb_load *ml = mi->ml;
	size_t cap = fw_memmap_bytes(ml->kl.fw) + 64 * 48, size, dsize;
	uint32_t dver;
	void *map = bt_alloc(cap);
	int rc = map ? 0 : BT_ENOMEM;

	mi->a2.boot_services_running = true;
	mi->a2.efi_image_handle = fw_image_handle(ml->kl.fw);
	if (!rc)
		rc = fw_memmap_raw(ml->kl.fw, map, cap, &size, &dsize, &dver);
	if (!rc)
		rc = mb2_build_info(ml->info, ml->info_cap, &mi->a2, map, size, dsize, dver);
	bt_free(map);
	if (rc) {
		fmt_buf(err, errlen, "cannot build the Multiboot2 information: %s",
			bt_strerror(rc));
		return rc;
	}
	machine_enter_efi64(ml->kl.fw, ml->h2.efi64_entry + (uint64_t)ml->shift,
			    MB2_BOOT_MAGIC, ml->info_phys);
}

/* With boot services kept the image must be allocated where it runs: pick
 * the relocation base by asking the firmware. */
static int relocate_now(struct mb_load *ml, char *err, size_t errlen)
{
	const struct mb2_header *h = &ml->h2;
	uint64_t lo, hi, align = h->reloc_align >= PAGE_SIZE ? h->reloc_align : PAGE_SIZE;
	uint64_t base;

	span(ml, &lo, &hi);
	for (base = ((uint64_t)h->reloc_min + align - 1) & ~(align - 1);
	     base + (hi - lo) <= (uint64_t)h->reloc_max + 1 && base + (hi - lo) <= FOUR_GIB;
	     base += align) {
		if (fw_alloc_pages_at(ml->kl.fw, base, pages_for(hi - lo)) == 0) {
			fw_free_pages(ml->kl.fw, base, pages_for(hi - lo));
			ml->shift = (int64_t)(base - lo);
			return 0;
		}
	}
	fmt_buf(err, errlen, "%s: no free memory for its 0x%llx bytes between 0x%x "
		"and 0x%x (relocatable tag)", ml->name, (unsigned long long)(hi - lo),
		h->reloc_min, h->reloc_max);
	return BT_ENOENT;
}

static int load_all(struct mb_load *ml, struct mb_info *mi, bool keep_bs,
		    char *err, size_t errlen)
{
	uint64_t shdr_addr;
	int rc = ml->v2 ? parse_mb2(ml, err, errlen) : parse_mb1(ml, err, errlen);

	if (!rc && ml->v2 && ml->h2.relocatable)
		rc = keep_bs ? relocate_now(ml, err, errlen) : relocate(ml, err, errlen);
	if (!rc)
		rc = load_image(ml, keep_bs, err, errlen);
	if (!rc)
		rc = load_modules(ml, err, errlen);
	if (!rc)
		rc = load_sections(ml, &shdr_addr, err, errlen);
	if (!rc) {
		info_args(mi, shdr_addr);
		rc = alloc_info(mi, err, errlen);
	}
	return rc;
}

/*
 * Load b's kernel (gzip-compressed or not) and modules and hand over:
 * Multiboot 1, or Multiboot 2 either after ExitBootServices in 32-bit
 * protected mode or, when the kernel's header has the EFI boot services and
 * EFI amd64 entry tags, at that 64-bit entry with boot services running.
 * Returns only on failure, with a message naming the file and what was
 * expected; nothing stays allocated.
 */
static int multiboot_boot(struct fw *fw, const struct boot_spec *b, bool v2,
			  char *err, size_t errlen)
{
	struct kload_opts o = { .quiesce = b->quiesce, .disturb = b->disturb };
	const char *cmdline = b->cmdline;
	struct mb_load *ml = bt_zalloc(sizeof(*ml));
	struct mb_info mi = { .ml = ml };
	bool keep_bs = false;
	size_t i;
	int rc = ml ? 0 : BT_ENOMEM;

	err[0] = '\0';
	if (!rc) {
		ml->b = b;
		ml->v2 = v2;
		ml->name = path_format(b->image);
		ml->cmdline = ml->name ? fmt_alloc("%s%s%s", ml->name, *cmdline ? " " : "",
						   cmdline) : NULL;
		rc = ml->cmdline ? 0 : BT_ENOMEM;
	}
	if (!rc)
		rc = kload_init(&ml->kl, fw, KIMAGE_PROTECTED_32, err, errlen);
	if (!rc)
		rc = read_kernel(ml, err, errlen);
	if (!rc && ml->v2) {
		/* Peek at the header to choose the handoff before loading. */
		char why[200];

		if (mb2_find(ml->file, ml->len, &ml->h2, why, sizeof(why)) == 0)
			keep_bs = ml->h2.efi_bs && ml->h2.has_efi64_entry;
	}
	if (!rc)
		rc = load_all(ml, &mi, keep_bs, err, errlen);
	if (!rc && keep_bs) {
		rc = enter_efi64(&mi, err, errlen);	/* returns only on failure */
	} else if (!rc) {
		ml->kl.ki.regs.rax = ml->v2 ? MB2_BOOT_MAGIC : MB1_BOOT_MAGIC;
		ml->kl.ki.regs.rbx = ml->info_phys;
		ml->kl.final_cb = mb_final_map;
		ml->kl.final_ctx = &mi;
		rc = kload_boot(&ml->kl, &o, err, errlen);	/* returns only on failure */
	}
	if (ml) {
		if (rc)
			kload_release(&ml->kl);	/* harmless if already done */
		for (i = 0; i < MB_MAX_MODULES; i++)
			bt_free(ml->mod_strings[i]);
		bt_free(ml->file);
		bt_free(ml->cmdline);
		bt_free(ml->name);
		bt_free(ml);
	}
	if (rc == BT_ENOMEM && !err[0])
		fmt_buf(err, errlen, "out of memory");
	return rc;
}

static int multiboot1_boot(struct fw *fw, const struct boot_spec *b,
			   uint64_t *status, char *err, size_t errlen)
{
	return multiboot_boot(fw, b, false, err, errlen);
}

static int multiboot2_boot(struct fw *fw, const struct boot_spec *b,
			   uint64_t *status, char *err, size_t errlen)
{
	return multiboot_boot(fw, b, true, err, errlen);
}

const struct protocol multiboot1_protocol = {
	.key = "multiboot",
	.flags = PROTO_EDITABLE | PROTO_KEXEC | PROTO_MODULES,
	.boot = multiboot1_boot,
};

const struct protocol multiboot2_protocol = {
	.key = "multiboot2",
	.flags = PROTO_EDITABLE | PROTO_KEXEC | PROTO_MODULES,
	.boot = multiboot2_boot,
};
