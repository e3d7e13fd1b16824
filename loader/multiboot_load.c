/*
 * The Multiboot load both versions share (loader/multiboot_load.h): the
 * kernel read and gunzipped, its parts loaded as segments (in place when
 * their memory is free, else copied by the trampoline), modules and ELF
 * section headers below 4 GiB, and the handoff through kload_boot().
 */
#include "loader/multiboot_load.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/inflate.h"
#include "lib/mem.h"

#define MB_KERNEL_MAX (512u << 20)	/* a decompressed kernel larger than
					 * this is refused, not allocated */

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

/* One part from the a.out kludge. */
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
	ml->parts[0] = (struct mb_part){ l.file_offset, l.filesz, l.load_addr, l.memsz };
	ml->n_parts = 1;
	ml->entry = l.entry;
	return 0;
}

int mb_parts(struct mb_load *ml, const struct mb1_header *kludge, char *err,
	     size_t errlen)
{
	return kludge ? part_from_kludge(ml, kludge, err, errlen)
		      : parts_from_elf(ml, err, errlen);
}

void mb_span(const struct mb_load *ml, uint64_t *lo, uint64_t *hi)
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

	if (kload_alloc_at(kl, lo, mb_pages(hi - lo)) == 0)
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
		rc = kload_alloc(kl, mb_pages(hi - lo), UINT64_MAX, &src);
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
		struct mb_part p = ml->parts[i];

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
		const struct mb_part *a = &ml->parts[j - 1], *b = &ml->parts[j];

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
		ml->mods[i].string = fmt_alloc("%s%s%s", f.name,
					       *mod->args ? " " : "", mod->args);
		rc = ml->mods[i].string ? fs_stream_need_size(&f, err, errlen)
					: BT_ENOMEM;
		if (!rc) {
			size = fs_stream_size(&f);
			rc = size < MB_FOUR_GIB ? kload_alloc(&ml->kl, mb_pages(size ? size : 1),
							      MB_FOUR_GIB - 1, &addr)
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
		ml->mods[i].start = (uint32_t)addr;
		ml->mods[i].end = (uint32_t)(addr + size);
		ml->n_mods = i + 1;
	}
	return rc;
}

/* Copy the ELF section header table below 4 GiB (MB1 flag 5, MB2 tag 9). */
static int load_sections(struct mb_load *ml, char *err, size_t errlen)
{
	const struct elf_image *el = &ml->elf;
	uint64_t bytes = (uint64_t)el->shnum * el->shentsize, addr;
	int rc;

	if (!ml->is_elf || !el->shnum || el->shoff > ml->len || bytes > ml->len - el->shoff)
		return 0;	/* none, or not in the file: the flag stays clear */
	rc = kload_alloc(&ml->kl, mb_pages(bytes), MB_FOUR_GIB - 1, &addr);
	if (!rc) {
		memcpy((void *)(uintptr_t)addr, ml->file + el->shoff, bytes);
		rc = kload_add_in_place(&ml->kl, addr, bytes, "ELF sections", err, errlen);
	}
	if (!rc) {
		ml->shdr_addr = addr;
		ml->shdr_num = el->shnum;
		ml->shdr_size = el->shentsize;
		ml->shdr_shndx = el->shstrndx;
	}
	return rc;
}

/* Allocate the information structure (info_cap bytes) below 4 GiB, in
 * place. */
static int alloc_info(struct mb_load *ml, char *err, size_t errlen)
{
	int rc;

	rc = kload_alloc(&ml->kl, mb_pages(ml->info_cap), MB_FOUR_GIB - 1, &ml->info_phys);
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
	struct mb_load *ml = ctx;

	if (ml->ops->build_info(ml, map, size, desc_size, desc_version))
		machine_panic(ml->kl.fw, "the Multiboot information does not fit its buffer");
}

static int load_all(struct mb_load *ml, char *err, size_t errlen)
{
	int rc = ml->ops->parse(ml, err, errlen);

	if (!rc)
		rc = load_image(ml, ml->keep_bs, err, errlen);
	if (!rc)
		rc = load_modules(ml, err, errlen);
	if (!rc)
		rc = load_sections(ml, err, errlen);
	if (!rc) {
		ml->info_cap = ml->ops->info_args(ml, ml->kl.map.n + 64);
		rc = alloc_info(ml, err, errlen);
	}
	return rc;
}

int mb_boot(struct fw *fw, const struct boot_spec *b, const struct mb_ops *ops,
	    char *err, size_t errlen)
{
	struct kload_opts o = { .quiesce = b->quiesce, .disturb = b->disturb };
	const char *cmdline = b->cmdline;
	struct mb_load *ml = bt_zalloc(ops->size);
	size_t i;
	int rc = ml ? 0 : BT_ENOMEM;

	err[0] = '\0';
	if (!rc) {
		ml->b = b;
		ml->ops = ops;
		ml->name = path_format(b->image);
		ml->cmdline = ml->name ? fmt_alloc("%s%s%s", ml->name, *cmdline ? " " : "",
						   cmdline) : NULL;
		rc = ml->cmdline ? 0 : BT_ENOMEM;
	}
	if (!rc)
		rc = kload_init(&ml->kl, fw, KIMAGE_PROTECTED_32, err, errlen);
	if (!rc)
		rc = read_kernel(ml, err, errlen);
	if (!rc)
		rc = load_all(ml, err, errlen);
	if (!rc && ml->keep_bs) {
		rc = ops->enter_bs(ml, err, errlen);	/* returns only on failure */
	} else if (!rc) {
		ml->kl.ki.regs.rax = ops->boot_magic;
		ml->kl.ki.regs.rbx = ml->info_phys;
		ml->kl.final_cb = mb_final_map;
		ml->kl.final_ctx = ml;
		rc = kload_boot(&ml->kl, &o, err, errlen);	/* returns only on failure */
	}
	if (ml) {
		if (rc)
			kload_release(&ml->kl);	/* harmless if already done */
		for (i = 0; i < MB_MAX_MODULES; i++)
			bt_free(ml->mods[i].string);
		bt_free(ml->file);
		bt_free(ml->cmdline);
		bt_free(ml->name);
		bt_free(ml);
	}
	if (rc == BT_ENOMEM && !err[0])
		fmt_buf(err, errlen, "out of memory");
	return rc;
}
