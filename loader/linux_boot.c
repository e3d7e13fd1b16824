#include "loader/protocol.h"
#include "kexec/kload.h"
#include "loader/linux.h"
#include "loader/initrd.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "arch/x86_64/kexec.h"

#define FOUR_GIB 0x100000000ULL
#define SETUP_MAX (256 * 512)	/* setup_sects is a byte: at most 255+1 sectors */

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

struct linux_load {
	struct kload kl;
	struct bzimage bz;
	uint8_t *setup;		/* the file's first bytes (bt_alloc) */
	size_t setup_len;
	uint8_t *bp;		/* boot_params page */
	void *ext;		/* SETUP_E820_EXT buffer (header + entries) */
	uint64_t ext_phys;
	struct e820_entry *tmp;	/* where the e820 table is built first */
	size_t ext_cap;		/* e820 entries each of them has room for */
};

/*
 * Read and check the kernel's setup sectors: the file's first bytes (up to
 * SETUP_MAX, which may include the start of the payload); parse the header.
 */
static int read_setup(struct linux_load *ll, struct fs_stream *f, char *err,
		      size_t errlen)
{
	uint64_t size = fs_stream_size(f);
	size_t n = size < SETUP_MAX ? (size_t)size : SETUP_MAX;
	char why[200];
	int rc;

	ll->setup = bt_alloc(n ? n : 1);
	if (!ll->setup)
		return BT_ENOMEM;
	ll->setup_len = n;
	rc = fs_stream_read_exact(f, ll->setup, n, err, errlen);
	if (rc)
		return rc;
	rc = bzimage_parse(ll->setup, (size_t)size, &ll->bz, why, sizeof(why));
	if (rc)
		fmt_buf(err, errlen, "%s: %s", f->name, why);
	return rc;
}

/*
 * Place the kernel and read its payload: straight into its destination
 * when that is free now, else into a buffer the trampoline copies from.
 * The payload's first bytes were read with the setup; the rest follows.
 */
static int load_kernel(struct linux_load *ll, struct fs_stream *f, char *err,
		       size_t errlen)
{
	struct kload *kl = &ll->kl;
	uint64_t dest, src, need = ll->bz.init_size;
	size_t have = ll->setup_len - ll->bz.payload_off;
	char why[200];
	int rc;

	if (need < ll->bz.payload_len)
		need = ll->bz.payload_len;
	rc = bzimage_place(&ll->bz, &kl->map, &dest, why, sizeof(why));
	if (rc) {
		fmt_buf(err, errlen, "%s: %s", f->name, why);
		return rc;
	}
	if (kload_alloc_at(kl, dest, pages_for(need)) == 0)
		src = dest;
	else
		src = 0;
	rc = kimage_add(&kl->ki, src, ll->bz.payload_len, dest,
			pages_for(need) * PAGE_SIZE, "kernel", err, errlen);
	/* [dest, dest + init_size) is the decompressor's to use; the boot
	 * protocol does not ask for it to be zeroed. */
	if (!rc)
		kl->ki.seg[kl->ki.nr - 1].scratch_tail = true;
	if (!rc && !src) {
		rc = kload_alloc(kl, pages_for(ll->bz.payload_len), UINT64_MAX, &src);
		kl->ki.seg[kl->ki.nr - 1].buf = src;
		kl->ki.seg[kl->ki.nr - 1].ptr = (const void *)(uintptr_t)src;
		if (rc)
			fmt_buf(err, errlen, "%s: no memory for its %zu bytes",
				f->name, ll->bz.payload_len);
	}
	if (rc)
		return rc;
	memcpy((void *)(uintptr_t)src, ll->setup + ll->bz.payload_off, have);
	rc = fs_stream_read_exact(f, (uint8_t *)(uintptr_t)src + have,
				  ll->bz.payload_len - have, err, errlen);
	if (!rc)
		rc = fs_stream_finish(f, err, errlen);
	if (rc)
		return rc;
	/* The copy moves quadwords: zero the bytes up to the next 8. */
	memset((uint8_t *)(uintptr_t)src + ll->bz.payload_len, 0,
	       ((ll->bz.payload_len + 7) & ~7ULL) - ll->bz.payload_len);
	kl->ki.entry = dest + 0x200;	/* the 64-bit entry point */
	return 0;
}

/* The kernel, front to back: the setup, then the payload into place. */
static int open_kernel(struct linux_load *ll, const struct boot_spec *b,
		       char *err, size_t errlen)
{
	struct fs_stream f;
	int rc = fs_stream_open(fw_fs(ll->kl.fw), b->image, &f, err, errlen);

	if (!rc)
		rc = fs_stream_need_size(&f, err, errlen);
	if (!rc)
		rc = read_setup(ll, &f, err, errlen);
	if (!rc)
		rc = load_kernel(ll, &f, err, errlen);
	fs_stream_close(&f);
	return rc;
}

/* Read the initrds, one after another, into one block that stays where it
 * is: its destination is where it was loaded. */
static int load_initrds(struct linux_load *ll, const struct boot_spec *b,
			uint64_t *addr, uint64_t *total, char *err, size_t errlen)
{
	uint64_t max = ll->bz.initrd_addr_max ? ll->bz.initrd_addr_max : 0x37FFFFFF;
	struct initrd_set set;
	int rc;

	*addr = *total = 0;
	rc = initrd_open(fw_fs(ll->kl.fw), b, &set, err, errlen);
	if (rc || !set.total) {
		initrd_close(&set);
		return rc;
	}
	*total = set.total;
	rc = kload_alloc(&ll->kl, pages_for(*total), max, addr);
	if (rc)
		fmt_buf(err, errlen, "no memory below 0x%llx for %llu bytes of "
			"initrd", (unsigned long long)max + 1,
			(unsigned long long)*total);
	else
		rc = initrd_read(&set, (uint8_t *)(uintptr_t)*addr, err, errlen);
	initrd_close(&set);
	if (!rc)
		rc = kload_add_in_place(&ll->kl, *addr, *total, "initrd", err, errlen);
	return rc;
}

/*
 * After Linux (baton-kexec): the running kernel's EFI runtime map and
 * SETUP_EFI, for a kernel that can take them; any other kernel boots
 * without EFI, as it would after kexec-tools.
 */
static int add_efi_kexec(struct linux_load *ll, char *err, size_t errlen)
{
	const struct fw_efi_kexec *e = &ll->kl.plat.efi_kexec;
	size_t size;
	uint64_t at;

	if (!e->systab || !linux_efi_kexec_ok(&ll->bz))
		return 0;
	size = linux_efi_kexec_size(e);
	if (kload_alloc(&ll->kl, pages_for(size), FOUR_GIB - 1, &at)) {
		fmt_buf(err, errlen, "no memory below 4 GiB for the EFI runtime map");
		return BT_ENOMEM;
	}
	linux_set_efi_kexec(ll->bp, e, (void *)(uintptr_t)at, at);
	return kload_add_in_place(&ll->kl, at, size, "EFI runtime map", err,
				  errlen);
}

/* Command line page, boot_params page and the e820 extension buffer. */
static int build_params(struct linux_load *ll, const char *cmdline,
			uint64_t initrd, uint64_t initrd_size, char *err,
			size_t errlen)
{
	struct kload *kl = &ll->kl;
	size_t len = strlen(cmdline);
	struct linux_args a = { 0 };
	uint64_t cl, bp, ext_bytes;
	char why[200];
	int rc;

	rc = kload_alloc(kl, pages_for(len + 1), FOUR_GIB - 1, &cl);
	if (!rc)
		rc = kload_alloc(kl, 1, FOUR_GIB - 1, &bp);
	/* Room for as many e820 entries as the final map can have (the
	 * allocations made until then split regions: allow for that). */
	ll->ext_cap = kl->map.n + 64;
	ext_bytes = 16 + 2 * ll->ext_cap * sizeof(struct e820_entry);
	if (!rc)
		rc = kload_alloc(kl, pages_for(ext_bytes), FOUR_GIB - 1, &ll->ext_phys);
	if (rc) {
		fmt_buf(err, errlen, "no memory below 4 GiB for boot_params");
		return rc;
	}
	memcpy((void *)(uintptr_t)cl, cmdline, len + 1);
	ll->bp = (uint8_t *)(uintptr_t)bp;
	ll->ext = (void *)(uintptr_t)ll->ext_phys;
	ll->tmp = (struct e820_entry *)((uint8_t *)ll->ext + 16 +
					 ll->ext_cap * sizeof(struct e820_entry));
	a.cmdline_addr = cl;
	a.cmdline_len = len;
	a.initrd_addr = initrd;
	a.initrd_size = initrd_size;
	a.rsdp_addr = kl->plat.rsdp;
	a.fb = kl->plat.fb.base ? &kl->plat.fb : NULL;
	rc = linux_boot_params(ll->bp, &ll->bz, &a, why, sizeof(why));
	if (rc) {
		fmt_buf(err, errlen, "%s", why);
		return rc;
	}
	kl->ki.regs.rsi = bp;
	rc = add_efi_kexec(ll, err, errlen);
	if (!rc)
		rc = kload_add_in_place(kl, cl, len + 1, "command line", err, errlen);
	if (!rc)
		rc = kload_add_in_place(kl, bp, PAGE_SIZE, "boot_params", err, errlen);
	if (!rc)
		rc = kload_add_in_place(kl, ll->ext_phys, ext_bytes,
					"e820 table", err, errlen);
	return rc;
}

/*
 * After ExitBootServices: e820 and efi_info from the final map.  The e820
 * table is built in tmp (room for one entry per descriptor), then the first
 * 128 entries go into boot_params and the rest into the ext buffer.
 */
static void linux_final_map(void *ctx, const void *map, size_t size,
			    size_t desc_size, uint32_t desc_version)
{
	struct linux_load *ll = ctx;
	size_t n;

	if (linux_e820(map, size, desc_size, ll->tmp, ll->ext_cap, &n))
		machine_panic(ll->kl.fw, "the final memory map has more "
			      "entries than the e820 buffer holds");
	/* ext every time: if ExitBootServices was retried, a second call
	 * must unlink what the first linked. */
	linux_set_e820(ll->bp, ll->tmp, n, ll->ext, ll->ext_phys);
	/* No system table (baton-kexec): efi_info is the running kernel's
	 * runtime map (add_efi_kexec), or none. */
	if (ll->kl.plat.systab)
		linux_set_efi_info(ll->bp, ll->kl.plat.systab, (uintptr_t)map,
				   (uint32_t)size, (uint32_t)desc_size,
				   desc_version);
}

/*
 * Load the kernel and initrds of b and hand over.  Returns only on failure
 * (before ExitBootServices), with a message in err naming the file and what
 * was expected; nothing stays allocated.
 */
static int linux_boot(struct fw *fw, const struct boot_spec *b,
		      uint64_t *status, char *err, size_t errlen)
{
	struct kload_opts o = { .quiesce = b->quiesce, .disturb = b->disturb };
	struct linux_load ll = { 0 };
	uint64_t initrd, initrd_size;
	int rc = kload_init(&ll.kl, fw, KIMAGE_LONG_MODE, err, errlen);

	if (!rc)
		rc = open_kernel(&ll, b, err, errlen);
	if (!rc)
		rc = load_initrds(&ll, b, &initrd, &initrd_size, err, errlen);
	if (!rc)
		rc = build_params(&ll, b->cmdline, initrd, initrd_size, err, errlen);
	if (!rc) {
		ll.kl.final_cb = linux_final_map;
		ll.kl.final_ctx = &ll;
		rc = kload_boot(&ll.kl, &o, err, errlen);	/* returns only on failure */
	} else {
		kload_release(&ll.kl);
	}
	bt_free(ll.setup);
	if (rc == BT_ENOMEM && !err[0])
		fmt_buf(err, errlen, "out of memory");
	return rc;
}

static bool linux_probe(const void *head, size_t len)
{
	const uint8_t *p = head;

	return len >= 0x206 && p[0x1FE] == 0x55 && p[0x1FF] == 0xAA &&
	       !memcmp(p + 0x202, "HdrS", 4);
}

const struct protocol linux_protocol = {
	.key = "linux",
	.flags = PROTO_EDITABLE | PROTO_KEXEC | PROTO_INITRDS,
	.probe = linux_probe,
	.boot = linux_boot,
};
