/*
 * The Linux kexec backend: the image's segments go to kexec_load(2), with
 * baton's own trampoline entry half (arch/x86_64/trampoline_entry.asm) as
 * the purgatory the kernel jumps to.  The kernel enters it in 64-bit mode
 * on an identity map of RAM and of every segment, interrupts off; the blob
 * loads its own GDT and baton's own identity map (a segment too: the
 * kernel's leaves out the APICs), then the registers, or drops to 32-bit
 * protected mode with paging off for Multiboot.  The running kernel has already put the
 * interrupt controllers back into virtual-wire mode (its machine_shutdown).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "linux/kexec.h"
#include "linux/fw.h"
#include "kexec/kload.h"
#include "arch/x86_64/control.h"
#include "arch/x86_64/pagetable.h"
#include "lib/error.h"
#include "lib/fmt.h"

#define KEXEC_SEGMENT_MAX 16	/* include/uapi/linux/kexec.h */
#define KEXEC_ARCH_X86_64 (62 << 16)
#define FOUR_GIB 0x100000000ULL

extern const uint8_t trampoline_entry_start[], trampoline_entry_end[];

struct lx_segment {		/* struct kexec_segment */
	const void *buf;
	size_t bufsz;
	uint64_t mem;
	size_t memsz;
};

/*
 * The entry page: the blob at its start with its parameters, its stack at
 * the top.  Below 4 GiB, where 32-bit protected mode can still run it, and
 * a segment of its own, so the kernel's identity map covers it.
 */
/* Whether the running kernel pages with 5 levels: only then does the
 * process get addresses above 47 bits when it asks for one. */
static bool five_level(void)
{
	void *hint = (void *)(1ULL << 50);
	void *p = mmap(hint, PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool yes = p != MAP_FAILED && (uintptr_t)p >= (1ULL << 47);

	if (p != MAP_FAILED)
		munmap(p, PAGE_SIZE);
	return yes;
}

/* Table pages handed out from one block, which is one segment. */
struct pt_block {
	uint64_t base, pages, used;
};

static int block_page(void *ctx, void **virt, uint64_t *phys)
{
	struct pt_block *b = ctx;

	if (b->used == b->pages)
		return BT_ENOMEM;
	*phys = b->base + b->used++ * PAGE_SIZE;
	*virt = (void *)(uintptr_t)*phys;
	memset(*virt, 0, PAGE_SIZE);
	return 0;
}

static void *block_virt(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

/*
 * baton's own identity map, as its UEFI handoff has: all RAM and at least
 * the low 4 GiB (the APICs, which the kernel's kexec map leaves out), with
 * 2 MiB pages, as deep as the running kernel pages.  One block below 4 GiB
 * with room for the worst case: the top tables and one page directory a
 * GiB.
 */
static int build_tables(struct kload *kl, uint64_t *cr3, char *err,
			size_t errlen)
{
	uint64_t top = memmap_ram_top(&kl->map), gib;
	struct pt_block b = { 0 };
	struct pt_alloc a = { &b, block_page, block_virt };
	struct pagetable pt;
	int rc;

	if (top < FOUR_GIB)
		top = FOUR_GIB;
	gib = (top + (1ULL << 30) - 1) >> 30;
	b.pages = gib + 2 + (gib + 511) / 512;
	rc = kload_alloc(kl, b.pages, FOUR_GIB - 1, &b.base);
	if (rc) {
		fmt_buf(err, errlen, "no memory below 4 GiB for %llu pages of "
			"page tables", (unsigned long long)b.pages);
		return rc;
	}
	rc = pt_init(&pt, &a, false, five_level() ? 5 : 4);
	if (!rc)
		rc = pt_map(&pt, 0, top);
	if (!rc)
		rc = kload_add_in_place(kl, b.base, b.used * PAGE_SIZE,
					"page tables", err, errlen);
	else
		fmt_buf(err, errlen, "internal error: the page tables do not "
			"fit %llu pages", (unsigned long long)b.pages);
	*cr3 = pt.root_phys;
	return rc;
}

static int lx_prepare(struct kload *kl, char *err, size_t errlen)
{
	size_t len = (size_t)(trampoline_entry_end - trampoline_entry_start);
	struct tramp_entry_params ep;
	uint64_t page, cr3;
	int rc;

	if (len + 256 > PAGE_SIZE) {
		fmt_buf(err, errlen, "internal error: the entry blob is %zu bytes",
			len);
		return BT_EINVAL;
	}
	rc = build_tables(kl, &cr3, err, errlen);
	if (rc)
		return rc;
	rc = kload_alloc(kl, 1, FOUR_GIB - 1, &page);
	if (rc) {
		fmt_buf(err, errlen, "no memory below 4 GiB for the entry code");
		return rc;
	}
	memcpy((void *)(uintptr_t)page, trampoline_entry_start, len);
	control_entry_params(&kl->ki, cr3, &ep);
	if (!ep.rsp)
		ep.rsp = page + PAGE_SIZE;
	memcpy((uint8_t *)(uintptr_t)page + TRAMP_ENTRY_PARAMS_OFF, &ep,
	       sizeof(ep));
	rc = kload_add_in_place(kl, page, PAGE_SIZE, "entry", err, errlen);
	if (!rc)
		rc = kimage_validate(&kl->ki, &kl->map, err, errlen);
	if (!rc && kl->ki.nr > KEXEC_SEGMENT_MAX) {
		fmt_buf(err, errlen, "the image needs %zu segments; kexec_load "
			"takes at most %d", kl->ki.nr, KEXEC_SEGMENT_MAX);
		rc = BT_ETOOBIG;
	}
	kl->kc.area = page;
	return rc;
}

static void lx_cleanup(struct kload *kl)
{
}

/*
 * The memory map the next kernel is told about, in the UEFI layout the
 * protocols' final-map writers read: /sys/firmware/memmap's regions.
 */
static size_t final_map(struct kload *kl, uint8_t *out, size_t cap)
{
	static const uint32_t uefi[] = {
		[MEM_FREE] = UEFI_CONVENTIONAL,
		[MEM_ACPI_RECLAIM] = UEFI_ACPI_RECLAIM,
		[MEM_ACPI_NVS] = UEFI_ACPI_NVS,
		[MEM_PERSISTENT] = UEFI_PERSISTENT,
		[MEM_UNUSABLE] = UEFI_UNUSABLE,
	};
	const struct memmap *m = &kl->fw->ram;
	size_t i, n = 0;

	for (i = 0; i < m->n && (n + 1) * UEFI_DESC_MIN_SIZE <= cap; i++) {
		uint8_t *d = out + n++ * UEFI_DESC_MIN_SIZE;
		uint32_t t = m->r[i].type < sizeof(uefi) / sizeof(uefi[0]) ?
			     uefi[m->r[i].type] : UEFI_RESERVED;

		memset(d, 0, UEFI_DESC_MIN_SIZE);
		memcpy(d + UEFI_DESC_TYPE, &t, 4);
		memcpy(d + UEFI_DESC_PHYS, &m->r[i].start, 8);
		memcpy(d + UEFI_DESC_PAGES, &m->r[i].pages, 8);
	}
	return n * UEFI_DESC_MIN_SIZE;
}

static void print_image(const struct kload *kl)
{
	const struct kimage *ki = &kl->ki;
	struct tramp_entry_params ep;
	size_t i;

	printf("segments: %zu\n", ki->nr);
	for (i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];

		printf("  %-17s mem 0x%09llx-0x%09llx  bufsz 0x%llx  memsz 0x%llx\n",
		       s->name, (unsigned long long)s->mem,
		       (unsigned long long)(s->mem + s->memsz),
		       (unsigned long long)s->bufsz,
		       (unsigned long long)s->memsz);
	}
	memcpy(&ep, (const uint8_t *)(uintptr_t)kl->kc.area +
	       TRAMP_ENTRY_PARAMS_OFF, sizeof(ep));
	printf("purgatory: 0x%llx (baton's entry code)\n",
	       (unsigned long long)kl->kc.area);
	printf("entry: 0x%llx in %s\n", (unsigned long long)ep.entry,
	       ep.mode == TRAMP_MODE_LONG ? "64-bit long mode" :
	       "32-bit protected mode, paging off");
	printf("page tables: 0x%llx\n", (unsigned long long)ep.cr3);
	printf("registers: rax 0x%llx rbx 0x%llx rsi 0x%llx rsp 0x%llx\n",
	       (unsigned long long)ep.rax, (unsigned long long)ep.rbx,
	       (unsigned long long)ep.rsi, (unsigned long long)ep.rsp);
}

/* Why the kernel refused, in words that say what to do. */
static void refused(struct fw *fw, int e, char *err, size_t errlen)
{
	char lock[128] = "", disabled[16] = "";

	lx_sys_read(fw, "kernel/security/lockdown", lock, sizeof(lock));
	if (e == EPERM && strstr(lock, "[integrity]"))
		fmt_buf(err, errlen, "kexec_load: refused: the kernel is locked "
			"down (%s), which allows only signed kernels through "
			"kexec_file_load", lock);
	else if (e == EPERM && strstr(lock, "[confidentiality]"))
		fmt_buf(err, errlen, "kexec_load: refused: the kernel is locked "
			"down (%s)", lock);
	else if (e == EPERM && geteuid() != 0)
		fmt_buf(err, errlen, "kexec_load: not permitted: run as root "
			"(CAP_SYS_BOOT)");
	else if (e == EPERM &&
		 !lx_proc_read("/proc/sys/kernel/kexec_load_disabled", disabled,
			       sizeof(disabled)) && !strcmp(disabled, "1"))
		fmt_buf(err, errlen, "kexec_load: refused: "
			"kernel.kexec_load_disabled is 1 (until the next boot)");
	else if (e == ENOSYS)
		fmt_buf(err, errlen, "kexec_load: the running kernel has no kexec "
			"support (CONFIG_KEXEC)");
	else if (e == EBUSY)
		fmt_buf(err, errlen, "kexec_load: another kexec image is being "
			"loaded or executed");
	else
		fmt_buf(err, errlen, "kexec_load: %s", strerror(e));
}

static int lx_exec(struct kload *kl, const struct kload_opts *o, char *err,
		   size_t errlen)
{
	struct lx_segment seg[KEXEC_SEGMENT_MAX];
	struct fw *fw = kl->fw;
	size_t i, size = final_map(kl, kl->final_map, kl->final_cap);

	kl->final_cb(kl->final_ctx, kl->final_map, size, UEFI_DESC_MIN_SIZE, 1);
	if (fw->dry_run) {
		print_image(kl);
		return 0;
	}
	for (i = 0; i < kl->ki.nr; i++) {
		seg[i].buf = kl->ki.seg[i].ptr;
		seg[i].bufsz = kl->ki.seg[i].bufsz;
		seg[i].mem = kl->ki.seg[i].mem;
		seg[i].memsz = kl->ki.seg[i].memsz;
	}
	if (syscall(SYS_kexec_load, (unsigned long)kl->kc.area,
		    (unsigned long)kl->ki.nr, seg, KEXEC_ARCH_X86_64)) {
		refused(fw, errno, err, errlen);
		return errno == EPERM ? BT_EDENIED : BT_EIO;
	}
	return 0;
}

/* Loads the image; returns 0 once kexec_load took it (nothing is entered
 * until the reboot). */
const struct kexec_backend kexec_linux_backend = {
	.name = "linux",
	.alloc = kload_fw_alloc,
	.alloc_at = kload_fw_alloc_at,
	.free = kload_fw_free,
	.prepare = lx_prepare,
	.cleanup = lx_cleanup,
	.exec = lx_exec,
};

const struct kexec_backend *const kexec_default_backend = &kexec_linux_backend;

int lx_proc_read(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return BT_ENOENT;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

__attribute__((noreturn)) void machine_panic(struct fw *fw, const char *msg)
{
	fprintf(stderr, "baton-kexec: internal error: %s\n", msg);
	_exit(70);
}

__attribute__((noreturn)) void machine_enter_efi64(struct fw *fw, uint64_t entry,
						   uint32_t magic, uint64_t info)
{
	machine_panic(fw, "an EFI entry point with boot services cannot be "
		      "entered from Linux");
}
