/*
 * The handoff protocols end to end on the host machine: linux, linux-efi,
 * multiboot and multiboot2 load synthetic kernels from an in-memory volume
 * into a 64 MiB RAM arena (firmware/host/fw.c) and hand over to the machine
 * double (firmware/host/machine.c), which records the steps in fw->trace,
 * keeps the kimage it would have entered and longjmps back here.  The tests
 * then read what the kernel would find: boot_params, the Multiboot
 * information, the segments in RAM.
 *
 * A handover never returns on a real machine, so what the loader allocated
 * for it is never freed: those allocations are kept from the leak checker.
 * A boot that fails must give back every byte and every page; that is
 * asserted on each failure.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "firmware/host/host.h"
#include "kexec/kimage.h"
#include "kexec/kload.h"
#include "lib/memmap.h"
#include "loader/protocol.h"
#include "config/config.h"
#include "lib/sha256.h"
#include "lib/bytes.h"

/* From the sanitizer runtime when there is one (weak: absent otherwise). */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

#define RAM_PAGES 16384			/* 64 MiB */
#define MIB (1024ULL * 1024)

/* ---------------------------------------------------------- the rig */

static uint64_t ram(const struct rig *r)
{
	return (uintptr_t)r->fw.ram;
}

static size_t pages_in_use(const struct rig *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->fw.ram_pages; i++)
		n += r->fw.page_used[i] != 0;
	return n;
}

static size_t heap_bytes(void)
{
	return __sanitizer_get_current_allocated_bytes ?
	       __sanitizer_get_current_allocated_bytes() : 0;
}

/* An entry through its protocol, as core/run.c boots it (the module list
 * on the stack: a handover never returns to free it). */
static int proto_boot(const struct protocol *p, struct fw *fw,
		      const struct config_entry *e, const char *cmdline,
		      const struct kload_opts *o, uint64_t *status, char *err,
		      size_t errlen)
{
	struct boot_module mods[32];
	struct boot_spec b = {
		.image = &e->image, .cmdline = cmdline, .where = e->where,
		.initrds = e->initrds, .n_initrds = e->n_initrds,
		.modules = mods, .n_modules = e->n_modules,
		.quiesce = o ? o->quiesce : true, .disturb = o && o->disturb,
	};
	uint64_t st;
	size_t i;

	assert_true(e->n_modules <= 32);
	for (i = 0; i < e->n_modules; i++)
		mods[i] = (struct boot_module){ &e->modules[i].path, e->modules[i].args };
	return p->boot(fw, &b, status ? status : &st, err, errlen);
}

static int linux_boot(struct fw *fw, const struct config_entry *e,
		      const char *cmdline, const struct kload_opts *o,
		      char *err, size_t errlen)
{
	return proto_boot(protocol_find("linux"), fw, e, cmdline, o, NULL, err,
			  errlen);
}

static int multiboot_boot(struct fw *fw, const struct config_entry *e,
			  const char *cmdline, const struct kload_opts *o,
			  char *err, size_t errlen)
{
	return proto_boot(protocol_find(config_kind_key(e->kind)), fw, e,
			  cmdline, o, NULL, err, errlen);
}

static int linux_efi_boot(struct fw *fw, const struct config_entry *e,
			  const char *cmdline, uint64_t *status, char *err,
			  size_t errlen)
{
	return proto_boot(protocol_find("linux-efi"), fw, e, cmdline, NULL,
			  status, err, errlen);
}

typedef int (*boot_fn)(struct fw *fw, const struct config_entry *e,
		       const char *cmdline, const struct kload_opts *o,
		       char *err, size_t errlen);

/*
 * Boot e with fn.  Returns true when the machine handed over or reset
 * (r->reset); otherwise *rc is what fn returned, and the heap is asserted
 * to be as it was.
 */
static bool boot(struct rig *r, boot_fn fn, const struct config_entry *e,
		 const char *cmdline, const struct kload_opts *o, int *rc)
{
	volatile size_t before = heap_bytes();
	volatile bool handed = false;

	r->err[0] = '\0';
	r->reset = false;
	*rc = 0;
	if (__lsan_disable)
		__lsan_disable();
	switch (setjmp(r->jb)) {
	case 0:
		*rc = fn(&r->fw, e, cmdline, o, r->err, sizeof(r->err));
		break;
	case 1:
		handed = true;
		break;
	default:
		handed = true;
		r->reset = true;
		break;
	}
	if (__lsan_enable)
		__lsan_enable();
	if (!handed)
		assert_int_equal(heap_bytes(), before);
	return handed;
}

/* Boot, expecting a handover. */
static void boot_ok(struct rig *r, boot_fn fn, const struct config_entry *e,
		    const char *cmdline, const struct kload_opts *o)
{
	int rc;

	if (!boot(r, fn, e, cmdline, o, &rc))
		fail_msg("boot failed (%d): %s", rc, r->err);
	if (r->reset)
		fail_msg("reset instead of handing over: %s", r->fw.panic_msg);
}

/* Boot, expecting the machine to reset with msg on COM1. */
static void boot_resets(struct rig *r, boot_fn fn, const struct config_entry *e,
			const char *cmdline, const struct kload_opts *o,
			const char *msg)
{
	int rc;

	if (!boot(r, fn, e, cmdline, o, &rc))
		fail_msg("returned %d (%s), expected a reset", rc, r->err);
	if (!r->reset)
		fail_msg("handed over, expected a reset with \"%s\"", msg);
	assert_string_equal(r->fw.panic_msg, msg);
}

/* Boot, expecting failure rc with message msg, every page free again
 * (except busy ones the test set). */
static void boot_fails(struct rig *r, boot_fn fn, const struct config_entry *e,
		       const char *cmdline, const struct kload_opts *o,
		       int want, const char *msg, size_t busy)
{
	int rc;

	if (boot(r, fn, e, cmdline, o, &rc))
		fail_msg("handed over, expected \"%s\"", msg);
	assert_int_equal(rc, want);
	assert_string_equal(r->err, msg);
	assert_int_equal(pages_in_use(r), busy);
}

static struct path boot_path(const char *file)
{
	return (struct path){ .source = PATH_SRC_BOOT, .file = (char *)file };
}

static void pin(struct path *p, const void *data, size_t len)
{
	sha256_digest(data, len, p->sha256);
	p->pinned = true;
}

/* The message fs_check_pin gives for p when the file hashes to got. */
static void mismatch_msg(char *out, size_t cap, const char *name,
			 const struct path *p, const void *data, size_t len)
{
	uint8_t got[SHA256_LEN];
	char want_hex[2 * SHA256_LEN + 1], got_hex[2 * SHA256_LEN + 1];

	sha256_digest(data, len, got);
	sha256_hex(p->sha256, want_hex);
	sha256_hex(got, got_hex);
	snprintf(out, cap, "%s: SHA-256 mismatch (expected %s, got %s)", name,
		 want_hex, got_hex);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

/* -------------------------------------------------- little-endian */

static const uint8_t *phys(uint64_t addr)
{
	return (const uint8_t *)(uintptr_t)addr;
}

/* ------------------------------------------------------------ linux */

#define BZ_SETUP_SECTS 1
#define BZ_PAYLOAD_OFF ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD_LEN 0x2345		/* not a multiple of 8 */
#define BZ_INIT_SIZE 0x400000
#define BZ_LEN (BZ_PAYLOAD_OFF + BZ_PAYLOAD_LEN)

/* A minimal relocatable 64-bit bzImage (boot protocol 2.15) preferring
 * pref, with a patterned payload. */
static void make_bzimage(uint8_t *img, uint64_t pref)
{
	memset(img, 0, BZ_LEN);
	img[0x1f1] = BZ_SETUP_SECTS;
	put32(img + 0x1f4, BZ_PAYLOAD_LEN / 16);	/* syssize */
	put16(img + 0x1fe, 0xaa55);
	img[0x201] = 0x6a;				/* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	img[0x211] = 0x01;				/* LOADED_HIGH */
	put32(img + 0x22c, 0xffffffff);			/* initrd_addr_max */
	put32(img + 0x230, 0x200000);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable */
	img[0x235] = 21;				/* min_alignment */
	put16(img + 0x236, 0x3);	/* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	put32(img + 0x238, 2047);			/* cmdline_size */
	put64(img + 0x258, pref);
	put32(img + 0x260, BZ_INIT_SIZE);
	fill_pattern(img + BZ_PAYLOAD_OFF, BZ_PAYLOAD_LEN, 7);
}

#define INITRD1_LEN 1001		/* so the second starts after padding */
#define INITRD2_LEN 513

struct linux_case {
	struct rig r;
	uint8_t kernel[BZ_LEN];
	uint8_t initrd1[INITRD1_LEN], initrd2[INITRD2_LEN];
	struct path initrds[2];
	struct config_entry e;
};

/* A machine with /vmlinuz and two initrds, and the entry that boots them. */
static void linux_case_init(struct linux_case *c, uint64_t pref)
{
	rig_init(&c->r, RAM_PAGES);
	make_bzimage(c->kernel, pref);
	fill_pattern(c->initrd1, INITRD1_LEN, 1);
	fill_pattern(c->initrd2, INITRD2_LEN, 2);
	rig_file(&c->r, "/vmlinuz", c->kernel, BZ_LEN);
	rig_file(&c->r, "/initrd1.img", c->initrd1, INITRD1_LEN);
	rig_file(&c->r, "/initrd2.img", c->initrd2, INITRD2_LEN);
	c->initrds[0] = boot_path("/initrd1.img");
	c->initrds[1] = boot_path("/initrd2.img");
	c->e = (struct config_entry){
		.id = "linux", .where = "test.conf:1", .kind = ENTRY_LINUX,
		.image = boot_path("/vmlinuz"), .args = "",
		.initrds = c->initrds, .n_initrds = 2,
	};
}

static const struct kimage_segment *segment(const struct kimage *ki,
					    const char *name)
{
	size_t i;

	for (i = 0; i < ki->nr; i++)
		if (!strcmp(ki->seg[i].name, name))
			return &ki->seg[i];
	fail_msg("no segment '%s'", name);
	return NULL;
}

/* Every segment of the handed image validates against the host's map and
 * lies in the arena. */
static void expect_valid_image(struct rig *r)
{
	struct memmap map;
	char why[256] = "";
	size_t i;

	assert_int_equal(fw_memmap(&r->fw, &map), 0);
	if (kimage_validate(&r->fw.handed, &map, why, sizeof(why)))
		fail_msg("handed image does not validate: %s", why);
	bt_free(map.r);
	for (i = 0; i < r->fw.handed.nr; i++) {
		const struct kimage_segment *s = &r->fw.handed.seg[i];

		assert_true(s->mem >= ram(r));
		assert_true(s->mem + s->memsz <= ram(r) + RAM_PAGES * PAGE_SIZE);
	}
}

/* What the kernel finds: boot_params, command line, initrds, e820 and
 * efi_info, its own payload. */
static void expect_linux_handover(struct linux_case *c, const char *cmdline,
				  uint64_t dest)
{
	struct rig *r = &c->r;
	const struct kimage *ki = &r->fw.handed;
	const struct kimage_segment *k = segment(ki, "kernel");
	const uint8_t *bp = phys(ki->regs.rsi), *ei, *e820, *rd;
	uint64_t cl, rd_addr, rd_size;

	assert_int_equal(ki->mode, KIMAGE_LONG_MODE);
	assert_int_equal(k->mem, dest);
	assert_int_equal(ki->entry, dest + 0x200);
	assert_int_equal(k->bufsz, BZ_PAYLOAD_LEN);
	assert_true(k->memsz >= BZ_INIT_SIZE);
	assert_memory_equal(phys(k->buf), c->kernel + BZ_PAYLOAD_OFF, BZ_PAYLOAD_LEN);
	assert_int_equal(segment(ki, "boot_params")->mem, ki->regs.rsi);

	/* The setup header travels; the loader's fields are baton's. */
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(bp[0x210], 0xff);			/* type_of_loader */
	cl = get32(bp + 0x228) | (uint64_t)get32(bp + 0xc8) << 32;
	assert_true(cl < 0x100000000ULL);
	assert_string_equal((const char *)phys(cl), cmdline);

	rd_addr = get32(bp + 0x218) | (uint64_t)get32(bp + 0xc0) << 32;
	rd_size = get32(bp + 0x21c) | (uint64_t)get32(bp + 0xc4) << 32;
	assert_int_equal(rd_size, 1004 + INITRD2_LEN);	/* 1001 padded to 4 */
	assert_true(rd_addr + rd_size - 1 <= 0xffffffffULL);
	rd = phys(rd_addr);
	assert_memory_equal(rd, c->initrd1, INITRD1_LEN);
	assert_memory_equal(rd + INITRD1_LEN, "\0\0\0", 3);
	assert_memory_equal(rd + 1004, c->initrd2, INITRD2_LEN);
	assert_int_equal(segment(ki, "initrd")->mem, rd_addr);

	/* e820 from the host's map: one RAM entry, the arena. */
	assert_int_equal(bp[0x1e8], 1);
	e820 = bp + 0x2d0;
	assert_int_equal(get64(e820), ram(r));
	assert_int_equal(get64(e820 + 8), RAM_PAGES * PAGE_SIZE);
	assert_int_equal(get32(e820 + 16), 1);
	assert_int_equal(get64(bp + 0x250), 0);		/* no SETUP_E820_EXT */

	ei = bp + 0x1c0;
	assert_memory_equal(ei, "EL64", 4);
	assert_int_equal(get32(ei + 4) | (uint64_t)get32(ei + 24) << 32, 0x5157AB);
	assert_int_equal(get32(ei + 8), 48);			/* desc size */
	assert_int_equal(get32(ei + 20), 48);			/* map size */
	assert_int_equal(get32(ei + 16) | (uint64_t)get32(ei + 28) << 32,
			 segment(ki, "memory map")->mem);
	expect_valid_image(r);
}

static const struct kload_opts quiesce = { .quiesce = true };

static void test_linux_handover(void **state)
{
	static struct linux_case c;
	const char *cmdline = "console=ttyS0 root=/dev/vda quiet";

	/* pref_address 16 MiB is not in the arena: relocated to its start,
	 * the lowest 2 MiB-aligned RAM, and loaded there in place. */
	linux_case_init(&c, 0x1000000);
	boot_ok(&c.r, linux_boot, &c.e, cmdline, &quiesce);
	assert_string_equal(c.r.fw.trace, "prepare ebs shutdown kexec");
	expect_linux_handover(&c, cmdline, ram(&c.r));
	assert_int_equal(segment(&c.r.fw.handed, "kernel")->buf, ram(&c.r));
	rig_free(&c.r);
}

/*
 * Boots a kernel preferring ram + 32 MiB with the page at +35 MiB in use,
 * shown in the memory map or not, and checks where the kernel went and
 * whether the trampoline copies it (buf != mem, from outside its range).
 */
static void boot_busy_pref(bool map_shows_used, bool relocatable,
			   uint64_t dest_off, bool copied)
{
	static struct linux_case c;
	const struct kimage_segment *k;
	uint64_t pref;

	linux_case_init(&c, 0);
	pref = ram(&c.r) + 32 * MIB;
	put64(c.kernel + 0x258, pref);
	c.kernel[0x234] = relocatable;
	c.r.fw.map_shows_used = map_shows_used;
	c.r.fw.page_used[(32 * MIB + 3 * MIB) / PAGE_SIZE] = 1;
	boot_ok(&c.r, linux_boot, &c.e, "", &quiesce);
	expect_linux_handover(&c, "", pref + dest_off);
	k = segment(&c.r.fw.handed, "kernel");
	if (copied) {
		assert_int_not_equal(k->buf, k->mem);
		assert_true(k->buf + k->bufsz <= k->mem ||
			    k->buf >= k->mem + k->memsz);
	} else {
		assert_int_equal(k->buf, k->mem);
	}
	rig_free(&c.r);
}

/* pref_address inside the arena with a page there in use that the memory
 * map baton read does not show (taken after): the kernel still goes there,
 * from a buffer the trampoline copies. */
static void test_linux_busy_destination(void **state)
{
	boot_busy_pref(false, true, 0, true);
}

/* The map shows the page in use, as OVMF's does for its DXE volume at
 * 9-21 MiB over the usual 16 MiB: a relocatable kernel is read straight
 * into the next aligned free range above pref_address; one that is not
 * relocatable still goes to pref_address through the trampoline. */
static void test_linux_busy_pref_relocates(void **state)
{
	boot_busy_pref(true, true, 4 * MIB, false);
	boot_busy_pref(true, false, 0, true);
}

static void test_linux_opts(void **state)
{
	static struct linux_case c;
	const struct kload_opts panic = { .quiesce = false };
	const struct kload_opts disturb = { .quiesce = true, .disturb = true };

	linux_case_init(&c, 0x1000000);
	boot_ok(&c.r, linux_boot, &c.e, "x", &panic);
	assert_string_equal(c.r.fw.trace, "prepare ebs kexec");
	rig_free(&c.r);

	linux_case_init(&c, 0x1000000);
	boot_ok(&c.r, linux_boot, &c.e, "x", &disturb);
	assert_string_equal(c.r.fw.trace, "prepare ebs disturb shutdown kexec");
	rig_free(&c.r);
}

static void test_linux_pins(void **state)
{
	static struct linux_case c;
	char msg[512];

	/* Correct pins boot. */
	linux_case_init(&c, 0x1000000);
	pin(&c.e.image, c.kernel, BZ_LEN);
	pin(&c.initrds[0], c.initrd1, INITRD1_LEN);
	pin(&c.initrds[1], c.initrd2, INITRD2_LEN);
	boot_ok(&c.r, linux_boot, &c.e, "pinned", &quiesce);
	expect_linux_handover(&c, "pinned", ram(&c.r));
	rig_free(&c.r);

	/* The kernel's pin covers the whole file, setup and payload. */
	linux_case_init(&c, 0x1000000);
	pin(&c.e.image, c.kernel, BZ_LEN);
	c.kernel[BZ_LEN - 1] ^= 1;
	mismatch_msg(msg, sizeof(msg), "/vmlinuz", &c.e.image, c.kernel, BZ_LEN);
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_EHASH, msg, 0);
	assert_string_equal(c.r.fw.trace, "");
	rig_free(&c.r);

	linux_case_init(&c, 0x1000000);
	pin(&c.initrds[1], c.initrd2, INITRD2_LEN);
	c.initrd2[0] ^= 0x80;
	mismatch_msg(msg, sizeof(msg), "/initrd2.img", &c.initrds[1], c.initrd2,
		     INITRD2_LEN);
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_EHASH, msg, 0);
	rig_free(&c.r);
}

/* A stale map key: the map is read again and ExitBootServices retried,
 * and the protocol's final map is the one the last, good call took. */
static void test_linux_ebs_retried(void **state)
{
	static struct linux_case c;
	const char *cmdline = "console=ttyS0";

	linux_case_init(&c, 0x1000000);
	c.r.fw.ebs_fails = 7;		/* the eighth and last allowed call works */
	boot_ok(&c.r, linux_boot, &c.e, cmdline, &quiesce);
	assert_string_equal(c.r.fw.trace, "prepare ebs ebs ebs ebs ebs ebs ebs "
			    "ebs shutdown kexec");
	assert_int_equal(c.r.fw.ebs_maps, 8);
	expect_linux_handover(&c, cmdline, ram(&c.r));
	rig_free(&c.r);
}

/* After a failed ExitBootServices the firmware may be half shut down:
 * never back to the menu, but a bounded number of tries and a reset. */
static void test_linux_ebs_keeps_failing(void **state)
{
	static struct linux_case c;

	linux_case_init(&c, 0x1000000);
	c.r.fw.ebs_fails = -1;
	boot_resets(&c.r, linux_boot, &c.e, "", &quiesce, "giving up after 8 "
		    "failed ExitBootServices calls (invalid input)");
	assert_string_equal(c.r.fw.trace, "prepare ebs ebs ebs ebs ebs ebs ebs "
			    "ebs reset");
	assert_int_equal(c.r.fw.ebs_maps, 8);
	rig_free(&c.r);

	/* The map cannot be read again after the second failure. */
	linux_case_init(&c, 0x1000000);
	c.r.fw.ebs_fails = -1;
	c.r.fw.ebs_map_fails_at = 3;
	boot_resets(&c.r, linux_boot, &c.e, "", &quiesce, "cannot read the "
		    "memory map after 2 failed ExitBootServices calls (too large)");
	assert_string_equal(c.r.fw.trace, "prepare ebs ebs reset");
	rig_free(&c.r);
}

/* The first map read fails before any ExitBootServices call: the firmware
 * is untouched, so the boot is abandoned cleanly and the menu goes on. */
static void test_linux_ebs_first_map_fails(void **state)
{
	static struct linux_case c;

	linux_case_init(&c, 0x1000000);
	c.r.fw.ebs_map_fails_at = 1;
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_ETOOBIG,
		   "cannot read the final memory map: too large", 0);
	assert_string_equal(c.r.fw.trace, "prepare cleanup");
	assert_int_equal(c.r.fw.ebs_tries, 0);
	rig_free(&c.r);
}

static void test_linux_bad_inputs(void **state)
{
	static struct linux_case c;
	char long_line[2100];

	linux_case_init(&c, 0x1000000);
	c.kernel[0x202] = 'X';
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_EFORMAT,
		   "/vmlinuz: not a bzImage (no HdrS signature at 0x202)", 0);
	rig_free(&c.r);

	linux_case_init(&c, 0x1000000);
	c.initrds[1] = boot_path("/missing.img");
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_ENOENT,
		   "/missing.img: file not found", 0);
	rig_free(&c.r);

	linux_case_init(&c, 0x1000000);
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	boot_fails(&c.r, linux_boot, &c.e, long_line, &quiesce, BT_EINVAL,
		   "command line is 2099 bytes; this kernel takes at most 2047 "
		   "(cmdline_size at 0x238)", 0);
	rig_free(&c.r);

	/* A kernel whose init_size cannot fit anywhere in the 64 MiB. */
	linux_case_init(&c, 0x1000000);
	put32(c.kernel + 0x260, 0x8000000);
	boot_fails(&c.r, linux_boot, &c.e, "", &quiesce, BT_ENOENT,
		   "/vmlinuz: no room for the kernel's 0x8000000 bytes (RAM "
		   "at or above 0x1000000, aligned to 0x200000)", 0);
	rig_free(&c.r);
}

/* Every allocation failure is reported, leaks nothing and gives back every
 * page; with enough allocations the boot hands over. */
static void test_linux_oom(void **state)
{
	static struct linux_case c;
	bool handed = false;
	long n;
	int rc;

	for (n = 0; n < 500 && !handed; n++) {
		linux_case_init(&c, 0x1000000);
		pin(&c.e.image, c.kernel, BZ_LEN);
		pin(&c.initrds[0], c.initrd1, INITRD1_LEN);
		host_alloc_fail_after(n);
		handed = boot(&c.r, linux_boot, &c.e, "oom", &quiesce, &rc);
		host_alloc_fail_after(-1);
		if (handed) {
			assert_string_equal(c.r.fw.trace, "prepare ebs shutdown kexec");
			expect_linux_handover(&c, "oom", ram(&c.r));
		} else {
			assert_int_not_equal(rc, 0);
			if (!c.r.err[0])
				fail_msg("allocation %ld failed without a message", n);
			assert_int_equal(pages_in_use(&c.r), 0);
		}
		rig_free(&c.r);
	}
	assert_true(handed);
	assert_true(n > 1);	/* at least one failure was injected */
}

/* -------------------------------------------------------- linux-efi */

static uint8_t pe_image[512];

/* A minimal x86-64 EFI application header (what pe_check looks at). */
static void make_pe_image(void)
{
	memset(pe_image, 0, sizeof(pe_image));
	memcpy(pe_image, "MZ", 2);
	pe_image[0x3c] = 0x80;
	memcpy(pe_image + 0x80, "PE\0\0", 4);
	put16(pe_image + 0x84, 0x8664);
	put16(pe_image + 0x80 + 24, 0x020b);	/* PE32+ */
	pe_image[0x80 + 24 + 68] = 10;		/* EFI application */
}

static int efi_boot(struct linux_case *c, uint64_t *status)
{
	volatile size_t before = heap_bytes();
	int rc;

	c->r.err[0] = '\0';
	rc = linux_efi_boot(&c->r.fw, &c->e, "root=/dev/sda1 ro", status,
			    c->r.err, sizeof(c->r.err));
	assert_int_equal(heap_bytes(), before);
	assert_int_equal(pages_in_use(&c->r), 0);
	return rc;
}

static void test_linux_efi(void **state)
{
	static struct linux_case c;
	uint64_t status = 0;

	make_pe_image();
	linux_case_init(&c, 0x1000000);
	c.r.files[0] = (struct memfile){ "/vmlinuz", (const char *)pe_image,
				       sizeof(pe_image) };
	c.e.kind = ENTRY_LINUX_EFI;
	c.r.fw.start_status = 0x8000000000000003ULL;
	assert_int_equal(efi_boot(&c, &status), 0);
	assert_int_equal(status, 0x8000000000000003ULL);
	assert_int_equal(c.r.fw.starts, 1);
	assert_string_equal(c.r.fw.started_path, "/vmlinuz");
	assert_string_equal(c.r.fw.started_options, "root=/dev/sda1 ro");
	assert_int_equal(c.r.fw.started_size, sizeof(pe_image));
	assert_string_equal(c.r.fw.trace, "initrd-offer initrd-withdraw");
	rig_free(&c.r);

	/* No initrds: nothing offered, nothing withdrawn that was offered. */
	linux_case_init(&c, 0x1000000);
	c.r.files[0] = (struct memfile){ "/vmlinuz", (const char *)pe_image,
				       sizeof(pe_image) };
	c.e.n_initrds = 0;
	assert_int_equal(efi_boot(&c, &status), 0);
	assert_int_equal(c.r.fw.starts, 1);
	assert_null(strstr(c.r.fw.trace, "initrd-offer"));
	rig_free(&c.r);

	/* A bzImage without the EFI stub's PE header. */
	linux_case_init(&c, 0x1000000);
	assert_int_equal(efi_boot(&c, &status), BT_EFORMAT);
	assert_string_equal(c.r.err, "/vmlinuz: not an EFI program (no MZ "
			    "signature at offset 0) (linux-efi needs a kernel "
			    "built with the EFI stub)");
	assert_int_equal(c.r.fw.starts, 0);
	assert_string_equal(c.r.fw.trace, "");
	rig_free(&c.r);
}

/* ------------------------------------------------------- multiboot */

/*
 * A synthetic ELF32 kernel with two PT_LOAD segments that share no page,
 * linked at base (in the arena), its Multiboot header at the start of the
 * first segment:
 *   A: file 0x1000, 0x800 bytes -> base,           memsz 0x1800 (bss)
 *   B: file 0x2000, 0x300 bytes -> base + 0x5010,  memsz 0x2000
 */
#define ELF_LEN 0x2300
#define SEG_A_OFF 0x1000
#define SEG_A_FILESZ 0x800
#define SEG_A_MEMSZ 0x1800
#define SEG_B_OFF 0x2000
#define SEG_B_FILESZ 0x300
#define SEG_B_MEMSZ 0x2000
#define SEG_B_DELTA 0x5010
#define ENTRY_DELTA 0x40
#define EFI64_DELTA 0x80

static void put_phdr(uint8_t *h, uint32_t off, uint32_t paddr, uint32_t filesz,
		     uint32_t memsz)
{
	put32(h, 1);			/* PT_LOAD */
	put32(h + 4, off);
	put32(h + 8, paddr);		/* vaddr == paddr */
	put32(h + 12, paddr);
	put32(h + 16, filesz);
	put32(h + 20, memsz);
	put32(h + 24, 7);
	put32(h + 28, 0x1000);
}

static void make_elf32(uint8_t *f, uint32_t base)
{
	memset(f, 0, ELF_LEN);
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 1;			/* ELFCLASS32 */
	f[5] = 1;			/* little-endian */
	f[6] = 1;
	put16(f + 16, 2);		/* ET_EXEC */
	put16(f + 18, 3);		/* EM_386 */
	put32(f + 20, 1);
	put32(f + 24, base + ENTRY_DELTA);
	put32(f + 28, 52);		/* e_phoff */
	put16(f + 40, 52);
	put16(f + 42, 32);
	put16(f + 44, 2);
	put_phdr(f + 52, SEG_A_OFF, base, SEG_A_FILESZ, SEG_A_MEMSZ);
	put_phdr(f + 84, SEG_B_OFF, base + SEG_B_DELTA, SEG_B_FILESZ, SEG_B_MEMSZ);
	fill_pattern(f + SEG_A_OFF, SEG_A_FILESZ, 3);
	fill_pattern(f + SEG_B_OFF, SEG_B_FILESZ, 4);
}

static void put_mb1_header(uint8_t *f, uint32_t flags)
{
	uint8_t *h = f + SEG_A_OFF;

	put32(h, 0x1BADB002);
	put32(h + 4, flags);
	put32(h + 8, -(0x1BADB002u + flags));
}

/* The Multiboot 2 header, with the EFI boot services and EFI amd64 entry
 * tags when efi. */
static void put_mb2_header(uint8_t *f, uint32_t base, bool efi)
{
	uint8_t *h = f + SEG_A_OFF, *t = h + 16;
	uint32_t len;

	memset(h, 0, 64);
	if (efi) {
		put16(t, 7);		/* EFI boot services */
		put32(t + 4, 8);
		t += 8;
		put16(t, 9);		/* EFI amd64 entry */
		put32(t + 4, 12);
		put32(t + 8, base + EFI64_DELTA);
		t += 16;
	}
	put32(t + 4, 8);		/* end tag */
	t += 8;
	len = (uint32_t)(t - h);
	put32(h, 0xE85250D6);
	put32(h + 4, 0);		/* i386 */
	put32(h + 8, len);
	put32(h + 12, -(0xE85250D6u + len));
}

#define MOD1_LEN 5000
#define MOD2_LEN 77

struct mb_case {
	struct rig r;
	uint64_t base;
	uint8_t kernel[ELF_LEN];
	uint8_t mod1[MOD1_LEN], mod2[MOD2_LEN];
	struct config_module mods[2];
	struct config_entry e;
};

/* A machine with /kernel.elf linked 2 MiB into the arena and two modules. */
static void mb_case_init(struct mb_case *c, enum entry_kind kind)
{
	rig_init(&c->r, RAM_PAGES);
	c->base = ram(&c->r) + 2 * MIB;
	make_elf32(c->kernel, (uint32_t)c->base);
	fill_pattern(c->mod1, MOD1_LEN, 5);
	fill_pattern(c->mod2, MOD2_LEN, 6);
	rig_file(&c->r, "/kernel.elf", c->kernel, ELF_LEN);
	rig_file(&c->r, "/mod.bin", c->mod1, MOD1_LEN);
	rig_file(&c->r, "/mod2.bin", c->mod2, MOD2_LEN);
	c->mods[0] = (struct config_module){ boot_path("/mod.bin"), "a=1" };
	c->mods[1] = (struct config_module){ boot_path("/mod2.bin"), "" };
	c->e = (struct config_entry){
		.id = "mb", .where = "test.conf:1", .kind = kind,
		.image = boot_path("/kernel.elf"), .args = "args",
		.modules = c->mods, .n_modules = 2,
	};
}

/* The two segments hold the file's bytes at their paddr, bss zeroed. */
static void expect_segments(struct mb_case *c)
{
	static const uint8_t zero[SEG_B_MEMSZ];
	const struct kimage *ki = &c->r.fw.handed;
	size_t i, kernels = 0;

	for (i = 0; i < ki->nr; i++)
		if (!strcmp(ki->seg[i].name, "kernel"))
			kernels++;
	assert_int_equal(kernels, 2);
	assert_memory_equal(phys(c->base), c->kernel + SEG_A_OFF, SEG_A_FILESZ);
	assert_memory_equal(phys(c->base + SEG_A_FILESZ), zero,
			    SEG_A_MEMSZ - SEG_A_FILESZ);
	assert_memory_equal(phys(c->base + SEG_B_DELTA), c->kernel + SEG_B_OFF,
			    SEG_B_FILESZ);
	assert_memory_equal(phys(c->base + SEG_B_DELTA + SEG_B_FILESZ), zero,
			    SEG_B_MEMSZ - SEG_B_FILESZ);
}

static void test_multiboot1(void **state)
{
	static struct mb_case c;
	const struct kimage *ki;
	const uint8_t *mbi, *mods, *mm;

	mb_case_init(&c, ENTRY_MULTIBOOT);
	put_mb1_header(c.kernel, 0x3);
	boot_ok(&c.r, multiboot_boot, &c.e, "args", &quiesce);
	ki = &c.r.fw.handed;
	assert_string_equal(c.r.fw.trace, "prepare ebs shutdown kexec");
	assert_int_equal(ki->mode, KIMAGE_PROTECTED_32);
	assert_int_equal(ki->entry, c.base + ENTRY_DELTA);
	assert_int_equal(ki->regs.rax, 0x2BADB002);
	expect_segments(&c);
	expect_valid_image(&c.r);

	mbi = phys(ki->regs.rbx);
	assert_true(ki->regs.rbx < 0x100000000ULL);
	assert_int_equal(get32(mbi), 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9);
	assert_string_equal((const char *)phys(get32(mbi + 16)), "/kernel.elf args");
	assert_string_equal((const char *)phys(get32(mbi + 64)), "baton");
	assert_int_equal(get32(mbi + 20), 2);
	mods = phys(get32(mbi + 24));
	assert_int_equal(get32(mods) % PAGE_SIZE, 0);		/* flag 0 */
	assert_int_equal(get32(mods + 4) - get32(mods), MOD1_LEN);
	assert_memory_equal(phys(get32(mods)), c.mod1, MOD1_LEN);
	assert_string_equal((const char *)phys(get32(mods + 8)), "/mod.bin a=1");
	assert_int_equal(get32(mods + 20) - get32(mods + 16), MOD2_LEN);
	assert_memory_equal(phys(get32(mods + 16)), c.mod2, MOD2_LEN);
	assert_string_equal((const char *)phys(get32(mods + 24)), "/mod2.bin");

	/* The memory map: one RAM entry, the arena. */
	assert_int_equal(get32(mbi + 44), 24);
	mm = phys(get32(mbi + 48));
	assert_int_equal(get32(mm), 20);
	assert_int_equal(get64(mm + 4), ram(&c.r));
	assert_int_equal(get64(mm + 12), RAM_PAGES * PAGE_SIZE);
	assert_int_equal(get32(mm + 20), 1);
	rig_free(&c.r);
}

static void test_multiboot1_fails(void **state)
{
	static struct mb_case c;
	char msg[512];

	mb_case_init(&c, ENTRY_MULTIBOOT);
	put_mb1_header(c.kernel, 0x3);
	pin(&c.mods[1].path, c.mod1, MOD1_LEN);		/* the wrong file's */
	mismatch_msg(msg, sizeof(msg), "/mod2.bin", &c.mods[1].path, c.mod2,
		     MOD2_LEN);
	boot_fails(&c.r, multiboot_boot, &c.e, "args", &quiesce, BT_EHASH, msg, 0);
	rig_free(&c.r);

	mb_case_init(&c, ENTRY_MULTIBOOT);
	put_mb1_header(c.kernel, 0x3);
	c.r.fw.ebs_map_fails_at = 1;
	boot_fails(&c.r, multiboot_boot, &c.e, "args", &quiesce, BT_ETOOBIG,
		   "cannot read the final memory map: too large", 0);
	assert_string_equal(c.r.fw.trace, "prepare cleanup");
	rig_free(&c.r);

	mb_case_init(&c, ENTRY_MULTIBOOT);
	put_mb1_header(c.kernel, 0x3);
	c.r.fw.ebs_fails = -1;
	boot_resets(&c.r, multiboot_boot, &c.e, "args", &quiesce, "giving up "
		    "after 8 failed ExitBootServices calls (invalid input)");
	rig_free(&c.r);
}

/* Find MBI tag type in the Multiboot 2 information at mbi. */
static const uint8_t *mb2_tag(const uint8_t *mbi, uint32_t type)
{
	uint32_t total = get32(mbi), off = 8;

	while (off + 8 <= total) {
		const uint8_t *t = mbi + off;

		if (get32(t) == type)
			return t;
		if (get32(t) == 0)
			break;
		off += (get32(t + 4) + 7) & ~7u;
	}
	fail_msg("no MBI tag %u", type);
	return NULL;
}

static void test_multiboot2_efi64(void **state)
{
	static struct mb_case c;
	const struct kimage *ki;
	const uint8_t *mbi, *t;

	mb_case_init(&c, ENTRY_MULTIBOOT2);
	put_mb2_header(c.kernel, (uint32_t)c.base, true);
	boot_ok(&c.r, multiboot_boot, &c.e, "args", &quiesce);
	ki = &c.r.fw.handed;
	assert_string_equal(c.r.fw.trace, "enter-efi64");
	assert_int_equal(ki->entry, c.base + EFI64_DELTA);
	assert_int_equal(ki->regs.rax, 0x36D76289);
	/* Entered with boot services running: everything is in place now. */
	assert_memory_equal(phys(c.base), c.kernel + SEG_A_OFF, SEG_A_FILESZ);
	assert_memory_equal(phys(c.base + SEG_B_DELTA), c.kernel + SEG_B_OFF,
			    SEG_B_FILESZ);
	mbi = phys(ki->regs.rbx);
	assert_int_equal(get32(mb2_tag(mbi, 18) + 4), 8);
	t = mb2_tag(mbi, 20);
	assert_int_equal(get64(t + 8), 0x1A6E);
	t = mb2_tag(mbi, 12);
	assert_int_equal(get64(t + 8), 0x5157AB);
	assert_string_equal((const char *)mb2_tag(mbi, 1) + 8, "/kernel.elf args");
	t = mb2_tag(mbi, 3);
	assert_int_equal(get32(t + 12) - get32(t + 8), MOD1_LEN);
	assert_memory_equal(phys(get32(t + 8)), c.mod1, MOD1_LEN);
	assert_string_equal((const char *)t + 16, "/mod.bin a=1");
	rig_free(&c.r);
}

/* Without the EFI tags: the kexec path, 32-bit, the MB2 magic. */
static void test_multiboot2_kexec(void **state)
{
	static struct mb_case c;
	const struct kimage *ki;
	const uint8_t *t;

	mb_case_init(&c, ENTRY_MULTIBOOT2);
	put_mb2_header(c.kernel, (uint32_t)c.base, false);
	boot_ok(&c.r, multiboot_boot, &c.e, "args", &quiesce);
	ki = &c.r.fw.handed;
	assert_string_equal(c.r.fw.trace, "prepare ebs shutdown kexec");
	assert_int_equal(ki->mode, KIMAGE_PROTECTED_32);
	assert_int_equal(ki->entry, c.base + ENTRY_DELTA);
	assert_int_equal(ki->regs.rax, 0x36D76289);
	expect_segments(&c);
	expect_valid_image(&c.r);
	t = mb2_tag(phys(ki->regs.rbx), 6);		/* memory map */
	assert_int_equal(get32(t + 4), 16 + 24);
	assert_int_equal(get64(t + 16), ram(&c.r));
	assert_int_equal(get64(t + 24), RAM_PAGES * PAGE_SIZE);
	assert_int_equal(get32(t + 32), 1);
	rig_free(&c.r);
}

/* A kernel that keeps boot services runs where it is linked: when that
 * memory is in use, it is refused and nothing stays allocated. */
static void test_multiboot2_efi64_busy(void **state)
{
	static struct mb_case c;
	char msg[256];

	mb_case_init(&c, ENTRY_MULTIBOOT2);
	put_mb2_header(c.kernel, (uint32_t)c.base, true);
	c.r.fw.page_used[(2 * MIB + SEG_B_DELTA) / PAGE_SIZE] = 1;
	snprintf(msg, sizeof(msg), "/kernel.elf: its memory [0x%llx-0x%llx) is in "
		 "use by the firmware (a kernel that keeps boot services must be "
		 "loaded where it is linked)",
		 (unsigned long long)(c.base + 0x5000),
		 (unsigned long long)(c.base + 0x8000));
	boot_fails(&c.r, multiboot_boot, &c.e, "args", &quiesce, BT_ENOENT, msg, 1);
	assert_string_equal(c.r.fw.trace, "");
	rig_free(&c.r);
}

static void multiboot_oom(enum entry_kind kind)
{
	static struct mb_case c;
	bool handed = false;
	long n;
	int rc;

	for (n = 0; n < 500 && !handed; n++) {
		mb_case_init(&c, kind);
		if (kind == ENTRY_MULTIBOOT2)
			put_mb2_header(c.kernel, (uint32_t)c.base, true);
		else
			put_mb1_header(c.kernel, 0x3);
		host_alloc_fail_after(n);
		handed = boot(&c.r, multiboot_boot, &c.e, "args", &quiesce, &rc);
		host_alloc_fail_after(-1);
		if (!handed) {
			assert_int_not_equal(rc, 0);
			if (!c.r.err[0])
				fail_msg("allocation %ld failed without a message", n);
			assert_int_equal(pages_in_use(&c.r), 0);
		}
		rig_free(&c.r);
	}
	assert_true(handed);
	assert_true(n > 1);
}

static void test_multiboot_oom(void **state)
{
	multiboot_oom(ENTRY_MULTIBOOT);
	multiboot_oom(ENTRY_MULTIBOOT2);	/* the EFI amd64 entry */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_handover),
		cmocka_unit_test(test_linux_busy_destination),
		cmocka_unit_test(test_linux_busy_pref_relocates),
		cmocka_unit_test(test_linux_opts),
		cmocka_unit_test(test_linux_pins),
		cmocka_unit_test(test_linux_ebs_retried),
		cmocka_unit_test(test_linux_ebs_keeps_failing),
		cmocka_unit_test(test_linux_ebs_first_map_fails),
		cmocka_unit_test(test_linux_bad_inputs),
		cmocka_unit_test(test_linux_oom),
		cmocka_unit_test(test_linux_efi),
		cmocka_unit_test(test_multiboot1),
		cmocka_unit_test(test_multiboot1_fails),
		cmocka_unit_test(test_multiboot2_efi64),
		cmocka_unit_test(test_multiboot2_kexec),
		cmocka_unit_test(test_multiboot2_efi64_busy),
		cmocka_unit_test(test_multiboot_oom),
	};

	return cmocka_run_group_tests_name("handoff", tests, NULL, NULL);
}
