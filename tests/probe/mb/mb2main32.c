/*
 * mb2main32.c - the 32-bit Multiboot2 probes (mb2-32, mb2-reloc): entered
 * in 32-bit protected mode after ExitBootServices (Multiboot2 section
 * 3.3).  The relocatable probe also checks the load base address tag.
 */
#include "mb.h"

#define MB2_BOOT_MAGIC  0x36D76289u
#define HDR_MODULE_ALIGN 6
#define HDR_RELOCATABLE 10
#define TAG_LOAD_BASE   21

void mb_main(const struct mb_entry *e);

/*
 * Tag 21 must name the address the image runs at (found with call/pop
 * at entry), inside the header's [min_addr, max_addr] and aligned as it
 * asks.
 */
static void check_load_base(struct mb *m, const struct mb2_tags *t,
			    const uint8_t *reloc)
{
	uint32_t min, max, align, pref;
	uint64_t tag = t->first[TAG_LOAD_BASE];

	memcpy(&min, reloc + 8, 4);
	memcpy(&max, reloc + 12, 4);
	memcpy(&align, reloc + 16, 4);
	memcpy(&pref, reloc + 20, 4);

	if (!tag || rd32(tag + 4) < 12) {
		verdict(&m->p, "load_base", false,
			"no load base address tag (21); the image runs at 0x%lx",
			m->image);
		return;
	}
	uint64_t base = rd32(tag + 8);
	const char *why = NULL;

	if (base != m->image)
		why = "tag 21 differs from where the image runs";
	else if (m->image < min)
		why = "loaded below min_addr";
	else if (m->image_end > (uint64_t)max + 1)
		why = "the image ends above max_addr";
	else if (align && m->image % align)
		why = "not aligned as the header asks";
	verdict(&m->p, "load_base", !why,
		"%s%stag 21=0x%lx runs at 0x%lx (min 0x%x max 0x%x align 0x%x preference %u)",
		why ? why : "", why ? "; " : "", base, m->image, min, max, align,
		pref);
}

void mb_main(const struct mb_entry *e)
{
	static struct mb m;
	static struct mb2_tags t;
	const uint8_t *reloc = mb2_own_tag(HDR_RELOCATABLE);

	mb_init(&m, e, mb_probe_name);
	cpu32_init();
	mb2_parse(&m, &t);
	m.mods_page_aligned = mb2_own_tag(HDR_MODULE_ALIGN) != NULL;

	mb_print_intro(&m);
	con_printf("PROBE INFO mbi=0x%lx total_size=%u tags=%u rsdp=0x%lx\n",
		   m.mbi, t.total_size, t.count, m.p.rsdp);
	if (reloc)
		con_printf("PROBE INFO load_base_hint=0x%lx\n", e->base_hint);

	mb_check_magic(&m, MB2_BOOT_MAGIC);
	cpu32_check_protected_mode(&m);
	cpu32_check_flat_segments(&m);
	cpu32_check_interrupts_off(&m);
	cpu32_check_a20(&m);
	mb_check_bss_zeroed(&m);
	cpu32_check_irq_state(&m);
	mb2_check_tags_aligned(&m, &t);
	mb2_check_mbi_fields(&m, &t, false);
	mb_check_mmap(&m);
	mb_check_cmdline(&m);
	mb_check_modules(&m);
	mb_check_loader_name(&m);
	mb2_check_efi_systab(&m, &t);
	mb2_check_acpi(&m, &t);
	mb2_check_efi_mmap(&m, &t, false);
	if (reloc)
		check_load_base(&m, &t, reloc);
	cpu32_report_nmis();
	mb_done(&m);
}
