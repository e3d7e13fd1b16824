/*
 * mb.h - the Multiboot probe kernels: tiny kernels that baton boots through
 * its `multiboot` and `multiboot2` entries.  Each checks the machine state
 * at entry and the boot information it got, and prints one verdict per
 * check on COM1 in the Linux probe's format (see ../README.md).
 *
 * The 32-bit probes run with paging off, so a physical address below
 * 4 GiB is a pointer.  The EFI amd64 probe runs on the firmware's identity
 * map.  Either way every read is bounds-checked with mem_ok() against
 * [0, 4 GiB): Multiboot places nothing above 4 GiB.
 *
 * The C code is built twice: -m32 for the 32-bit probes and -m64 for the
 * EFI amd64 probe.  It is position-independent (-fpie, hidden symbols, no
 * pointers in initialised data), so the relocatable probe runs wherever
 * it is loaded.  printf-style formats follow console.c: %lx and %lu take a
 * uint64_t on both targets; %x, %u and %d take 32-bit values.  Never pass
 * size_t, long or uintptr_t.
 */
#ifndef MB_PROBE_H
#define MB_PROBE_H

#pragma GCC visibility push(hidden)

#include "../probe.h"
#include "../sha256.h"

/* --- the entry state, recorded by head32.asm / head64.asm ------------------ */

#define MB_GDT_COPY     512     /* bytes of the entry GDT saved */

struct mb_entry {
	uint64_t magic;         /* EAX / RAX */
	uint64_t mbi;           /* EBX / RBX */
	uint64_t sp;            /* ESP / RSP */
	uint64_t flags;         /* EFLAGS / RFLAGS */
	uint64_t base;          /* where the image runs (found with call/pop) */
	uint64_t base_hint;     /* relocatable probe: tag 21 as read at entry */
	uint64_t bss_dirty;     /* nonzero bytes found in .bss at entry */
	uint64_t bss_first;     /* address of the first one */
	uint16_t cs, ds, es, ss, fs, gs;
	uint16_t pad0;
	uint16_t gdt_limit;     /* sgdt: limit, then base */
	uint64_t gdt_base;
	uint16_t pad1[3];
	uint16_t idt_limit;
	uint64_t idt_base;
	uint32_t gdt_saved;     /* bytes of the GDT copied below */
	uint32_t pad2;
	uint8_t gdt_copy[MB_GDT_COPY];
};

/* head32.asm and head64.asm use these offsets; the layout is the same for
 * -m32 (where uint64_t is only 4-aligned) because every field sits at its
 * natural offset. */
_Static_assert(offsetof(struct mb_entry, base) == 0x20, "head*.asm");
_Static_assert(offsetof(struct mb_entry, bss_first) == 0x38, "head*.asm");
_Static_assert(offsetof(struct mb_entry, cs) == 0x40, "head*.asm");
_Static_assert(offsetof(struct mb_entry, gs) == 0x4A, "head*.asm");
_Static_assert(offsetof(struct mb_entry, gdt_limit) == 0x4E, "head*.asm");
_Static_assert(offsetof(struct mb_entry, gdt_base) == 0x50, "head*.asm");
_Static_assert(offsetof(struct mb_entry, idt_limit) == 0x5E, "head*.asm");
_Static_assert(offsetof(struct mb_entry, gdt_saved) == 0x68, "head*.asm");
_Static_assert(offsetof(struct mb_entry, gdt_copy) == 0x70, "head*.asm");
_Static_assert(sizeof(struct mb_entry) == 0x70 + MB_GDT_COPY, "head*.asm");

/* --- what the boot information said, gathered before any check ------------ */

#define MB_MAX_REGIONS  256
#define MB_MAX_MODS     32
#define MB_RAM          1       /* Multiboot memory map type: available */

struct mb_region {
	uint64_t base, len;
	uint32_t type;
};

struct mb_mod {
	uint64_t start, end;    /* [start, end) */
	uint64_t string;        /* address of the NUL-terminated string, or 0 */
};

/*
 * One probe run.  `p` is the Linux probe's context, so its interrupt
 * controller and ACPI checks (irq.c, acpi.c) run unchanged: they read
 * p.map_limit and p.rsdp and report through verdict().
 */
struct mb {
	struct probe p;
	const struct mb_entry *e;
	const char *name;               /* "baton-probe-mb1-elf", ... */
	uint64_t image, image_end;      /* [load, bss end) where it runs */

	uint64_t mbi;                   /* EBX, if it looked readable */
	const char *mbi_why;            /* why not, when mbi == 0 */
	uint64_t mbi_size;              /* bytes the loader owns at mbi */

	const char *cmdline;            /* NUL-terminated, or NULL */
	const char *cmdline_why;        /* why there is none */
	const char *loader;             /* boot loader name, or NULL */
	const char *loader_why;

	bool have_meminfo;
	uint32_t mem_lower, mem_upper;  /* KiB */

	bool regions_ok;                /* the memory map, as parsed */
	const char *regions_why;
	unsigned n_regions;
	struct mb_region region[MB_MAX_REGIONS];

	bool have_mods;                 /* the loader reported modules */
	const char *mods_why;           /* a broken module list */
	unsigned n_mods;                /* modules found (up to MB_MAX_MODS) */
	unsigned n_mods_total;          /* modules the loader reported */
	struct mb_mod mod[MB_MAX_MODS];
	bool mods_page_aligned;         /* the header asked for it */
};

/* --- common.c ---------------------------------------------------------------- */

/* Set up the context: COM1, the image range, map_limit. */
void mb_init(struct mb *m, const struct mb_entry *e, const char *name);
/* Print the "INFO kernel / load / entry" lines. */
void mb_print_intro(const struct mb *m);
/* Print "PROBE DONE ..." and leave through isa-debug-exit (or halt). */
__attribute__((noreturn)) void mb_done(struct mb *m);
/* Write to isa-debug-exit; halt if there is no such device. */
__attribute__((noreturn)) void mb_exit(unsigned failed);

/* Does [addr, addr + len) overlap the probe's own [load, bss end)? */
bool mb_in_image(const struct mb *m, uint64_t addr, uint64_t len);
/* A NUL-terminated string at addr within max bytes: its length, or -1. */
int64_t mb_strlen_at(const struct mb *m, uint64_t addr, uint64_t max);
/* "probe.<key>=<value>" on the command line: the value and its length. */
const char *mb_opt(const struct mb *m, const char *key, size_t *len);
bool mb_opt_is(const struct mb *m, const char *key, const char *value);
/* Print s escaping bytes outside printable ASCII and the backslash. */
void mb_put_escaped(const char *s);
/* Print "PROBE INFO cmdline=<escaped>" ("(none)" when there is none). */
void mb_print_cmdline(const struct mb *m);

/* Sort check of m->region: sets regions_ok / regions_why. */
void mb_regions_validate(struct mb *m);
/* Is [addr, addr + len) covered by type-1 regions (touching ones joined)? */
bool mb_ram_covers(const struct mb *m, uint64_t addr, uint64_t len);

/* The checks shared by every protocol, in the order they print. */
void mb_check_bss_zeroed(struct mb *m);
void mb_check_magic(struct mb *m, uint32_t want);
void mb_check_mmap(struct mb *m);               /* prints INFO per region */
void mb_check_cmdline(struct mb *m);
void mb_check_modules(struct mb *m);            /* prints INFO per module */
void mb_check_loader_name(struct mb *m);
/* mem_lower / mem_upper against the map; NULL when plausible. */
const char *mb_meminfo_problem(const struct mb *m);

/* --- cpu32.c (32-bit probes) ---------------------------------------------- */

/* Load the probe's own GDT and an IDT that reports faults. */
void cpu32_init(void);
void cpu32_check_protected_mode(struct mb *m);
void cpu32_check_flat_segments(struct mb *m);
void cpu32_check_interrupts_off(struct mb *m);
void cpu32_check_a20(struct mb *m);
/* pic_masks (or its skip with probe.pic=any), lapic, ioapic. */
void cpu32_check_irq_state(struct mb *m);
/* "PROBE INFO nmi_count=<n>" if NMIs arrived (counted and ignored). */
void cpu32_report_nmis(void);

/* --- mb2.c (both widths) -------------------------------------------------- */

struct mb2_tags {
	const char *why;        /* the first structural problem, or NULL */
	uint32_t total_size;
	unsigned count;
	uint64_t first[32];     /* address of the first tag of each type < 32 */
	unsigned seen[32];      /* how often each type appeared */
	bool end_ok;
};

/* Walk the MBI at m->mbi: alignment, sizes, end tag.  Fills m (cmdline,
 * loader name, meminfo, memory map, modules, RSDP) and t. */
void mb2_parse(struct mb *m, struct mb2_tags *t);
void mb2_check_tags_aligned(struct mb *m, const struct mb2_tags *t);
/* Tags 1, 2, 4, 6 present, meminfo plausible; boot_services: whether
 * tag 18 must be present (EFI amd64 entry) or absent. */
void mb2_check_mbi_fields(struct mb *m, const struct mb2_tags *t,
			  bool boot_services);
void mb2_check_efi_systab(struct mb *m, const struct mb2_tags *t);
void mb2_check_acpi(struct mb *m, const struct mb2_tags *t);
/* allocated: the probe's pages must be EfiLoaderCode/Data (boot services
 * still running) rather than merely usable after ExitBootServices. */
void mb2_check_efi_mmap(struct mb *m, const struct mb2_tags *t, bool allocated);
/* The EFI system table from tag 12, or 0. */
uint64_t mb2_efi_systab(const struct mb *m, const struct mb2_tags *t);

/* The probe's own Multiboot2 header (from the header .asm). */
extern const uint8_t mb2_header[];
/* Find tag `type` in the probe's own header: its address, or NULL. */
const uint8_t *mb2_own_tag(uint16_t type);

/* --- the image, from the linker scripts ------------------------------------ */

extern char mb_image_start[], __bss_start[], __bss_end[];
extern const char mb_probe_name[];      /* the header .asm */

#define MB_EFI_SYST     0x5453595320494249ull   /* "IBI SYST" */

#endif
