/*
 * probe.h - the Linux probe kernel: a tiny bzImage that checks the machine
 * state a loader handed it and prints one verdict per check on COM1.
 *
 * The probe is freestanding and position-independent: it is linked at 0
 * and runs wherever the loader put it.  Physical memory is read through
 * the identity map (the probe's own, see paging.c), so an address is a
 * pointer.  Nothing here is shared with baton itself: the probe must not
 * trust the code it is testing.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- the entry state, recorded by entry.asm before anything changes ------- */

struct probe_entry {
	uint64_t rsi;           /* boot_params */
	uint64_t rsp;
	uint64_t rflags;
	uint64_t image;         /* where the protected-mode image was loaded */
	uint64_t cr0, cr3, cr4, efer;
	uint16_t cs, ds, es, ss, fs, gs;
	uint16_t pad0;
	uint16_t gdt_limit;     /* sgdt stores limit then base */
	uint64_t gdt_base;
	uint16_t pad1[3];
	uint16_t idt_limit;
	uint64_t idt_base;
};

_Static_assert(offsetof(struct probe_entry, image) == 0x18, "entry.asm");
_Static_assert(offsetof(struct probe_entry, efer) == 0x38, "entry.asm");
_Static_assert(offsetof(struct probe_entry, cs) == 0x40, "entry.asm");
_Static_assert(offsetof(struct probe_entry, gs) == 0x4A, "entry.asm");
_Static_assert(offsetof(struct probe_entry, gdt_limit) == 0x4E, "entry.asm");
_Static_assert(offsetof(struct probe_entry, idt_limit) == 0x5E, "entry.asm");
_Static_assert(sizeof(struct probe_entry) == 0x68, "entry.asm");

/* --- boot_params offsets (Linux Documentation/arch/x86/boot.rst) ---------- */

#define BP_ACPI_RSDP_ADDR       0x070
#define BP_EXT_RAMDISK_IMAGE    0x0C0
#define BP_EXT_RAMDISK_SIZE     0x0C4
#define BP_EXT_CMD_LINE_PTR     0x0C8
#define BP_EFI_INFO             0x1C0
#define BP_E820_ENTRIES         0x1E8
#define BP_SENTINEL             0x1EF
#define BP_BOOT_FLAG            0x1FE
#define BP_HEADER               0x202
#define BP_VERSION              0x206
#define BP_TYPE_OF_LOADER       0x210
#define BP_RAMDISK_IMAGE        0x218
#define BP_RAMDISK_SIZE         0x21C
#define BP_CMD_LINE_PTR         0x228
#define BP_MIN_ALIGNMENT        0x235
#define BP_CMDLINE_SIZE         0x238
#define BP_PREF_ADDRESS         0x258
#define BP_INIT_SIZE            0x260
#define BP_E820_TABLE           0x2D0
#define BP_SIZE                 0x1000

#define E820_MAX                128
#define E820_RAM                1

/* The protocol version mkbzimage.py writes; a loader copies it verbatim. */
#define PROBE_BOOT_VERSION      0x020F

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

/* --- the probe's context --------------------------------------------------- */

/*
 * One probe run.  Filled step by step by probe_main; a field that could not
 * be established safely is left 0 / NULL / false, and every check that
 * depends on it reports FAIL instead of touching memory.
 */
struct probe {
	const struct probe_entry *entry;
	uint64_t image;         /* load address L */
	uint64_t image_size;    /* linked init_size (file + bss, 4 KiB units) */
	uint64_t map_limit;     /* [0, map_limit) is safe to read */
	bool own_map;           /* running on the probe's page tables */

	uint64_t bp;            /* boot_params if its checks passed, else 0 */
	const char *cmdline;    /* NUL-terminated, or NULL */

	bool e820_ok;           /* sorted, non-overlapping, 1..128 entries */
	const char *e820_why;   /* what is wrong with it when !e820_ok */
	unsigned e820_n;
	struct e820_entry e820[E820_MAX];

	uint64_t rsdp;          /* a valid RSDP, or 0 */

	unsigned checks, failed;
};

/* --- port I/O, MSRs, memory ----------------------------------------------- */

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

/* Physical memory through the identity map; callers check mem_ok first. */
static inline const void *phys(uint64_t addr)
{
	return (const void *)(uintptr_t)addr;
}

static inline uint8_t rd8(uint64_t a)
{
	return *(const volatile uint8_t *)phys(a);
}

static inline uint16_t rd16(uint64_t a)
{
	uint16_t v;
	__builtin_memcpy(&v, phys(a), sizeof(v));
	return v;
}

static inline uint32_t rd32(uint64_t a)
{
	uint32_t v;
	__builtin_memcpy(&v, phys(a), sizeof(v));
	return v;
}

static inline uint64_t rd64(uint64_t a)
{
	uint64_t v;
	__builtin_memcpy(&v, phys(a), sizeof(v));
	return v;
}

/* Does [addr, addr + len) not wrap and lie inside the readable map? */
static inline bool mem_ok(const struct probe *p, uint64_t addr, uint64_t len)
{
	return addr + len >= addr && addr + len <= p->map_limit;
}

/* --- console (console.c) --------------------------------------------------- */

/* Program COM1 for 115200 8N1, no interrupts. */
void con_init(void);
void con_putc(char c);
void con_puts(const char *s);
/* printf subset: %s %c %u %lu %x %lx %d, and %% ; "\n" becomes CR LF. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void con_vprintf(const char *fmt, va_list ap);

/* --- verdicts (main.c) ----------------------------------------------------- */

/* Print "PROBE <name>: PASS|FAIL <detail>" and count it. */
void verdict(struct probe *p, const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* --- the checks, in the order they are printed ------------------------------ */

void check_long_mode(struct probe *p);          /* cpu.c */
void check_cs_selector(struct probe *p);
void check_data_selectors(struct probe *p);
void check_gdt_flat(struct probe *p);
void check_interrupts_off(struct probe *p);
void check_boot_params(struct probe *p);        /* bootinfo.c */
void check_cmdline(struct probe *p);
void check_initrd(struct probe *p);
void check_e820(struct probe *p);
void check_efi_info(struct probe *p);
void check_acpi_rsdp(struct probe *p);
void check_pic_masks(struct probe *p);          /* irq.c */
void check_lapic_ioapic(struct probe *p);       /* prints lapic, then ioapic */
void check_identity_map(struct probe *p);       /* paging.c */

/* --- helpers shared between the check files -------------------------------- */

/* Install an IDT that reports faults (cpu.c); cs is the code selector. */
void fault_init(uint16_t cs);
/* Build and load the probe's identity map if the image fits in it. */
void paging_init(struct probe *p);
/* Copy and validate the e820 table of boot_params (bootinfo.c). */
void e820_parse(struct probe *p);
/* "probe.<key>=<value>" on the command line: the value and its length. */
const char *cmdline_opt(const struct probe *p, const char *key, size_t *len);
/* Addresses of the IO-APICs named by the MADT (acpi.c); returns the count. */
unsigned acpi_ioapics(const struct probe *p, uint64_t *addr, unsigned max);
/* NULL if the RSDP at addr is sound, else what is wrong with it. */
const char *acpi_rsdp_problem(const struct probe *p, uint64_t addr);
/* Print the words of a finished run and exit QEMU (main.c). */
__attribute__((noreturn)) void probe_exit(unsigned failed);

/* freestanding string helpers (lib.c) */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
