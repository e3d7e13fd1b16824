/*
 * main.c - the probe's sequence: record, report, exit.
 *
 * Output (COM1), one line each:
 *   PROBE INFO <key>=<value> ...        facts, never judged
 *   PROBE <check>: PASS|FAIL <detail>   one per check, in a fixed order
 *   PROBE DONE <n> checks <f> failed
 * then QEMU's isa-debug-exit (port 0xf4) is written 0 if every check
 * passed, 1 otherwise, so QEMU exits with status 1 or 3.  A CPU exception
 * prints "PROBE FAULT ..." and exits with 1 instead of DONE.
 */
#include "probe.h"

#define DEBUG_EXIT_PORT 0xF4

extern char probe_image_start[], __image_end[];        /* probe.ld */
extern uint64_t probe_nmi_count;                        /* entry.asm */

void probe_main(const struct probe_entry *e);

void verdict(struct probe *p, const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	p->checks++;
	if (!ok)
		p->failed++;
	con_printf("PROBE %s: %s ", name, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	con_putc('\n');
}

__attribute__((noreturn)) void probe_exit(unsigned failed)
{
	outl(DEBUG_EXIT_PORT, failed ? 1 : 0);
	/* No debug-exit device: stop here; the harness sees DONE anyway. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void probe_main(const struct probe_entry *e)
{
	/* Some 3 KiB: kept in .bss (zeroed at entry), off the 16 KiB stack. */
	static struct probe p;
	uint64_t linked = (uint64_t)(__image_end - probe_image_start);

	p.entry = e;
	p.image = e->image;
	p.image_size = (linked + 0xFFF) & ~0xFFFull;   /* as mkbzimage.py */
	p.map_limit = UINT64_MAX;

	con_init();
	fault_init(e->cs);
	paging_init(&p);

	con_puts("\nPROBE INFO kernel=baton-probe-linux\n");
	con_printf("PROBE INFO load_addr=0x%lx\n", p.image);
	con_printf("PROBE INFO entry rsi=0x%lx rsp=0x%lx cr3=0x%lx page_tables=%s\n",
		   e->rsi, e->rsp, e->cr3, p.own_map ? "probe" : "loader");

	check_long_mode(&p);
	check_cs_selector(&p);
	check_data_selectors(&p);
	check_gdt_flat(&p);
	check_interrupts_off(&p);
	check_boot_params(&p);
	check_cmdline(&p);
	e820_parse(&p);
	check_initrd(&p);
	check_e820(&p);
	check_efi_info(&p);
	check_acpi_rsdp(&p);
	check_pic_masks(&p);
	check_lapic_ioapic(&p);
	check_identity_map(&p);

	if (probe_nmi_count)
		con_printf("PROBE INFO nmi_count=%lu\n", probe_nmi_count);
	con_printf("PROBE DONE %u checks %u failed\n", p.checks, p.failed);
	probe_exit(p.failed);
}
