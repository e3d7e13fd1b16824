/* baton's platform services on a running Linux (linux/fw.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "linux/fw.h"
#include "core/bli.h"
#include "loader/linux.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/bytes.h"
#include "lib/mem.h"

#define LOW_LIMIT 0x100000ULL	/* nothing of baton's below 1 MiB */
#define BLI_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

/* ---- sysfs ---- */

int lx_sys_read(const struct fw *fw, const char *rel, char *buf, size_t cap)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fw->sys, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return BT_ENOENT;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return BT_EIO;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* A /sys/firmware/memmap type as baton's. */
static uint32_t memmap_type(const char *t)
{
	static const struct {
		const char *name;
		uint32_t type;
	} types[] = {
		{ "System RAM", MEM_FREE },
		{ "ACPI Tables", MEM_ACPI_RECLAIM },
		{ "ACPI Non-volatile Storage", MEM_ACPI_NVS },
		{ "Persistent Memory", MEM_PERSISTENT },
		{ "Persistent Memory (legacy)", MEM_PERSISTENT },
		{ "Unusable memory", MEM_UNUSABLE },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i].name))
			return types[i].type;
	return MEM_RESERVED;
}

static int region_cmp(const void *a, const void *b)
{
	const struct mem_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The map the firmware gave the running kernel (kexec-tools reads the same
 * directory).  RAM shrinks to whole pages inside it, everything else grows
 * to whole pages; where they then overlap, RAM gives way.
 */
static int read_memmap(struct fw *fw, char *err, size_t errlen)
{
	struct mem_region *r = NULL;
	size_t n = 0, cap = 0, i, out;

	for (i = 0;; i++) {
		char rel[64], a[32], b[32], t[64];
		uint64_t start, end;
		struct mem_region m = { 0 };

		snprintf(rel, sizeof(rel), "firmware/memmap/%zu/start", i);
		if (lx_sys_read(fw, rel, a, sizeof(a)))
			break;
		snprintf(rel, sizeof(rel), "firmware/memmap/%zu/end", i);
		if (lx_sys_read(fw, rel, b, sizeof(b)))
			break;
		snprintf(rel, sizeof(rel), "firmware/memmap/%zu/type", i);
		if (lx_sys_read(fw, rel, t, sizeof(t)))
			break;
		start = strtoull(a, NULL, 0);
		end = strtoull(b, NULL, 0) + 1;		/* the file's is inclusive */
		m.type = memmap_type(t);
		if (m.type == MEM_FREE) {
			start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			end &= ~(PAGE_SIZE - 1);
		} else {
			start &= ~(PAGE_SIZE - 1);
			end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		}
		if (end <= start)
			continue;
		m.start = start;
		m.pages = (end - start) / PAGE_SIZE;
		if (n == cap) {
			struct mem_region *g;

			cap = cap ? 2 * cap : 64;
			if (!(g = bt_realloc(r, cap * sizeof(*r)))) {
				bt_free(r);
				return BT_ENOMEM;
			}
			r = g;
		}
		r[n++] = m;
	}
	if (!n) {
		fmt_buf(err, errlen, "%s/firmware/memmap: no memory map (is this "
			"kernel built with CONFIG_FIRMWARE_MEMMAP, and sysfs "
			"mounted?)", fw->sys);
		bt_free(r);
		return BT_ENOENT;
	}
	qsort(r, n, sizeof(*r), region_cmp);
	/* Clip overlaps: a RAM region loses to what it overlaps. */
	for (i = 1, out = 1; i < n; i++) {
		struct mem_region *prev = &r[out - 1], cur = r[i];
		uint64_t prev_end = prev->start + prev->pages * PAGE_SIZE;

		if (cur.start < prev_end) {
			uint64_t cur_end = cur.start + cur.pages * PAGE_SIZE;

			if (prev->type == MEM_FREE) {
				prev->pages = (cur.start - prev->start) / PAGE_SIZE;
			} else {
				if (cur_end <= prev_end)
					continue;
				cur.start = prev_end;
				cur.pages = (cur_end - prev_end) / PAGE_SIZE;
			}
			if (!prev->pages)
				out--;
		}
		r[out++] = cur;
	}
	fw->ram.r = r;
	fw->ram.n = out;
	return 0;
}

/*
 * What the running kernel was booted with, read once: its boot_params
 * (/sys/kernel/boot_params/data, root only) and /sys/firmware/efi/systab.
 */
struct lx_boot {
	uint8_t bp[BOOT_PARAMS_SIZE];
	bool have_bp;
	char systab[4096];	/* "" when absent */
};

static void read_boot(const struct fw *fw, struct lx_boot *b)
{
	char path[512];
	int fd;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/kernel/boot_params/data", fw->sys);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		b->have_bp = pread(fd, b->bp, sizeof(b->bp), 0) >= 0x200;
		close(fd);
	}
	if (!b->have_bp)
		memset(b->bp, 0, sizeof(b->bp));
	if (lx_sys_read(fw, "firmware/efi/systab", b->systab, sizeof(b->systab)))
		b->systab[0] = '\0';
}

/* The ACPI RSDP: the EFI system table's entry, else the one the running
 * kernel was given in boot_params. */
static uint64_t find_rsdp(const struct lx_boot *b)
{
	const char *at;

	if ((at = strstr(b->systab, "ACPI20=")))
		return strtoull(at + 7, NULL, 0);
	if ((at = strstr(b->systab, "ACPI=")))
		return strtoull(at + 5, NULL, 0);
	return linux_bp_rsdp(b->bp);
}

/*
 * The running kernel's EFI state for the next one (kexec-tools reads the
 * same files): the system table from the boot_params Linux was given,
 * fw_vendor, runtime and config_table from /sys/firmware/efi, SMBIOS from
 * its systab, and the runtime regions with the virtual addresses Linux
 * gave them from /sys/firmware/efi/runtime-map (CONFIG_EFI_RUNTIME_MAP).
 * Returns NULL, or why there is none.
 */
#define EFI_DESC_SIZE 40	/* type, pad, phys, virt, pages, attribute */

static int sys_u64(const struct fw *fw, const char *rel, uint64_t *v)
{
	char text[64], *end;

	if (lx_sys_read(fw, rel, text, sizeof(text)))
		return BT_ENOENT;
	*v = strtoull(text, &end, 0);
	return end == text || *end ? BT_EFORMAT : 0;
}

static const char *read_efi_kexec(struct fw *fw, const struct lx_boot *b)
{
	static const char *const fields[] = { "type", "phys_addr", "virt_addr",
					      "num_pages", "attribute" };
	struct fw_efi_kexec *e = &fw->efi;
	char text[64], rel[96];
	uint8_t *map = NULL, *d;
	uint64_t v[5], systab = linux_bp_efi_systab(b->bp);
	const char *at;
	size_t n, f;

	if (!b->have_bp)
		return "/sys/kernel/boot_params/data cannot be read";
	if (!systab)
		return "the running kernel was not booted by 64-bit EFI";
	if (sys_u64(fw, "firmware/efi/fw_vendor", &e->fw_vendor) ||
	    sys_u64(fw, "firmware/efi/runtime", &e->runtime) ||
	    sys_u64(fw, "firmware/efi/config_table", &e->tables))
		return "/sys/firmware/efi has no fw_vendor, runtime or "
		       "config_table";
	if ((at = strstr(b->systab, "SMBIOS=")))
		e->smbios = strtoull(at + 7, NULL, 0);
	for (n = 0;; n++) {
		snprintf(rel, sizeof(rel), "firmware/efi/runtime-map/%zu/type", n);
		if (lx_sys_read(fw, rel, text, sizeof(text)))
			break;
		if (!(d = bt_realloc(map, (n + 1) * EFI_DESC_SIZE))) {
			bt_free(map);
			return "out of memory";
		}
		map = d;
		d += n * EFI_DESC_SIZE;
		memset(d, 0, EFI_DESC_SIZE);
		for (f = 0; f < 5; f++) {
			snprintf(rel, sizeof(rel), "firmware/efi/runtime-map/%zu/%s",
				 n, fields[f]);
			if (sys_u64(fw, rel, &v[f])) {
				bt_free(map);
				return "a /sys/firmware/efi/runtime-map entry is "
				       "incomplete";
			}
		}
		put32(d, (uint32_t)v[0]);
		put64(d + 8, v[1]);
		put64(d + 16, v[2]);
		put64(d + 24, v[3]);
		put64(d + 32, v[4]);
	}
	if (!n)
		return "/sys/firmware/efi/runtime-map is missing or empty "
		       "(CONFIG_EFI_RUNTIME_MAP)";
	e->map = map;
	e->map_size = (uint32_t)(n * EFI_DESC_SIZE);
	e->desc_size = EFI_DESC_SIZE;
	e->systab = systab;
	return NULL;
}

/*
 * The protocols read the RSDP where it is (Multiboot 2 copies it into its
 * ACPI tags): copy its bytes from /dev/mem into a mapping at its own
 * address, as every other physical address here is.  false when that
 * cannot be done (the address still goes into boot_params).
 */
#define RSDP_BYTES 36		/* ACPI 2.0 and later; 1.0 has 20 */

static bool map_rsdp(const char *sys, uint64_t rsdp)
{
	uint64_t page = rsdp & ~(PAGE_SIZE - 1);
	const char *why = NULL;
	uint8_t *p = MAP_FAILED;
	int fd;

	if (!rsdp || strcmp(sys, "/sys"))	/* a recorded tree: no /dev/mem */
		return false;
	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		why = strerror(errno);
	} else {
		p = mmap((void *)(uintptr_t)page, 2 * PAGE_SIZE,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED || (uintptr_t)p != page)
			why = "its address is taken in this process";
		else if (pread(fd, p + (rsdp - page), RSDP_BYTES, (off_t)rsdp) !=
			 RSDP_BYTES)
			why = strerror(errno);
		close(fd);
	}
	if (why && p != MAP_FAILED && (uintptr_t)p == page)
		munmap(p, 2 * PAGE_SIZE);
	return !why;
}

/* ---- the ESP as baton's volume ---- */

struct dir_volume {
	struct volume v;
	char *root;
};

struct dir_file {
	struct vfile f;
	int fd;
};

static int file_read_at(struct vfile *f, uint64_t off, void *buf, size_t len,
			size_t *got)
{
	struct dir_file *d = (struct dir_file *)f;
	ssize_t n = pread(d->fd, buf, len, (off_t)off);

	*got = 0;
	if (n < 0)
		return BT_EIO;
	*got = (size_t)n;
	return 0;
}

static void file_close(struct vfile *f)
{
	struct dir_file *d = (struct dir_file *)f;

	close(d->fd);
	bt_free(d);
}

static const struct vfile_ops file_ops = {
	.read_at = file_read_at,
	.close = file_close,
};

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
		return BT_ENOENT;
	case ENOTDIR:
		return BT_ENOTDIR;
	case EACCES:
	case EPERM:
		return BT_EDENIED;
	case ENOMEM:
		return BT_ENOMEM;
	default:
		return BT_EIO;
	}
}

static int dir_open(struct volume *v, const char *path, struct vfile **out)
{
	struct dir_volume *dv = (struct dir_volume *)v;
	char full[4096];
	struct dir_file *d;
	struct stat st;
	int fd;

	snprintf(full, sizeof(full), "%s%s", dv->root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno_code(errno);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? BT_ENOENT : BT_EIO;
	}
	if (!(d = bt_zalloc(sizeof(*d)))) {
		close(fd);
		return BT_ENOMEM;
	}
	d->f.ops = &file_ops;
	d->f.size = (uint64_t)st.st_size;
	d->f.seekable = true;
	d->fd = fd;
	*out = &d->f;
	return 0;
}

static int dir_list(struct volume *v, const char *dir, volume_list_cb cb,
		    void *ctx)
{
	struct dir_volume *dv = (struct dir_volume *)v;
	char full[4096];
	struct dirent *de;
	DIR *d;

	snprintf(full, sizeof(full), "%s%s", dv->root, dir);
	if (!(d = opendir(full)))
		return errno_code(errno);
	while ((de = readdir(d))) {
		bool is_dir = de->d_type == DT_DIR;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
			struct stat st;

			is_dir = !fstatat(dirfd(d), de->d_name, &st, 0) &&
				 S_ISDIR(st.st_mode);
		}
		if (cb(ctx, de->d_name, is_dir))
			break;
	}
	closedir(d);
	return 0;
}

static void dir_free(struct volume *v)
{
	struct dir_volume *dv = (struct dir_volume *)v;

	bt_free(dv->root);
	bt_free(v->name);
	bt_free(dv);
}

static const struct volume_ops dir_ops = {
	.open = dir_open,
	.list = dir_list,
	.free = dir_free,
};

static int add_esp(struct fw *fw, const char *esp)
{
	struct dir_volume *dv = bt_zalloc(sizeof(*dv));
	size_t len = strlen(esp);

	if (!dv)
		return BT_ENOMEM;
	while (len > 1 && esp[len - 1] == '/')
		len--;
	dv->root = str_ndup(esp, len == 1 && esp[0] == '/' ? 0 : len);
	dv->v.ops = &dir_ops;
	dv->v.name = fmt_alloc("%s", esp);
	dv->v.fstype = "dir";
	dv->v.is_boot = true;
	dv->v.on_boot_disk = true;
	if (!dv->root || !dv->v.name || fs_add_volume(&fw->fs, &dv->v)) {
		dir_free(&dv->v);
		return BT_ENOMEM;
	}
	return 0;
}

int lx_fw_init(struct fw *fw, const char *sys, const char *esp, char *err,
	       size_t errlen)
{
	char self[512], buf[1024], why[200];
	struct lx_boot boot;
	size_t len, i;
	int rc;

	memset(fw, 0, sizeof(*fw));
	fw->sys = sys;
	fw->esp = esp;
	fw->load_options = "";
	fs_init(&fw->fs);
	fw->fs.fw = fw;
	fw->fs.origin.source = PATH_SRC_BOOT;
	/* baton's own path, as baton wrote it in LoaderImageIdentifier. */
	strcpy(self, "/EFI/BOOT/BOOTX64.EFI");
	if (!fw_var_get(fw, "LoaderImageIdentifier", buf, sizeof(buf), &len,
			why, sizeof(why)) &&
	    !bli_str_decode((const uint8_t *)buf, len, self, sizeof(self)))
		for (i = 0; self[i]; i++)
			if (self[i] == '\\')
				self[i] = '/';
	fw->fs.origin.file = str_dup(self);
	rc = add_esp(fw, esp);
	if (!rc && !fw->fs.origin.file)
		rc = BT_ENOMEM;
	if (!rc)
		rc = read_memmap(fw, err, errlen);
	if (rc == BT_ENOMEM)
		fmt_buf(err, errlen, "out of memory");
	if (rc)
		return rc;
	read_boot(fw, &boot);
	fw->rsdp_read = map_rsdp(sys, fw->rsdp = find_rsdp(&boot));
	fw->efi_why = read_efi_kexec(fw, &boot);
	/* The EFI framebuffer, as kexec-tools copies screen_info; the mode
	 * is still the firmware's unless a DRM driver changed it. */
	if (!linux_bp_framebuffer(boot.bp, &fw->fb))
		memset(&fw->fb, 0, sizeof(fw->fb));
	return 0;
}

void lx_fw_free(struct fw *fw)
{
	while (fw->n_allocs)
		fw_free_pages(fw, fw->allocs[0].addr, fw->allocs[0].pages);
	bt_free(fw->allocs);
	bt_free(fw->ram.r);
	bt_free((void *)fw->efi.map);
	fs_free(&fw->fs);
}

struct fs *fw_fs(struct fw *fw)
{
	return &fw->fs;
}

int fw_disk_attach(struct fw *fw, struct blockdev *bd, struct volume **out,
		   char *err, size_t errlen)
{
	fmt_buf(err, errlen, "%s: baton-kexec cannot offer an image to the "
		"firmware as a disk (Linux owns the machine)", bd->name);
	return BT_EUNSUPP;
}

/* ---- memory: pages mapped at their physical address ---- */

static bool taken(const struct fw *fw, uint64_t start, uint64_t end)
{
	size_t i;

	for (i = 0; i < fw->n_allocs; i++) {
		uint64_t s = fw->allocs[i].addr, e = s + fw->allocs[i].pages * PAGE_SIZE;

		if (start < e && s < end)
			return true;
	}
	return false;
}

/* Map [addr, addr + npages) at its own address and remember it. */
static int take(struct fw *fw, uint64_t addr, uint64_t npages)
{
	size_t len = npages * PAGE_SIZE;
	void *p;

	if (fw->n_allocs == fw->cap_allocs) {
		size_t cap = fw->cap_allocs ? 2 * fw->cap_allocs : 32;
		struct lx_alloc *g = bt_realloc(fw->allocs, cap * sizeof(*g));

		if (!g)
			return BT_ENOMEM;
		fw->allocs = g;
		fw->cap_allocs = cap;
	}
	p = mmap((void *)(uintptr_t)addr, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return BT_ENOENT;
	if ((uintptr_t)p != addr) {	/* a kernel without the flag: a hint */
		munmap(p, len);
		return BT_ENOENT;
	}
	fw->allocs[fw->n_allocs].addr = addr;
	fw->allocs[fw->n_allocs].pages = npages;
	fw->n_allocs++;
	return 0;
}

int fw_alloc_pages_at(struct fw *fw, uint64_t addr, uint64_t npages)
{
	uint64_t end = addr + npages * PAGE_SIZE;

	if (addr < LOW_LIMIT || addr % PAGE_SIZE || end < addr ||
	    !memmap_is_free(&fw->ram, addr, end) || taken(fw, addr, end))
		return BT_ENOENT;
	return take(fw, addr, npages);
}

/* First fit from the bottom of RAM above 1 MiB, stepping over what is
 * taken and over addresses the program itself occupies. */
int fw_alloc_pages(struct fw *fw, uint64_t npages, uint64_t max, uint64_t *addr)
{
	uint64_t bytes = npages * PAGE_SIZE;
	size_t i;

	for (i = 0; i < fw->ram.n; i++) {
		const struct mem_region *r = &fw->ram.r[i];
		uint64_t at = r->start < LOW_LIMIT ? LOW_LIMIT : r->start;
		uint64_t end = r->start + r->pages * PAGE_SIZE;

		if (r->type != MEM_FREE)
			continue;
		for (; at + bytes <= end && at + bytes - 1 <= max; at += PAGE_SIZE) {
			size_t j;

			if (taken(fw, at, at + bytes)) {
				/* Jump past the allocation in the way. */
				for (j = 0; j < fw->n_allocs; j++) {
					uint64_t s = fw->allocs[j].addr;
					uint64_t e = s + fw->allocs[j].pages * PAGE_SIZE;

					if (at < e && s < at + bytes)
						at = e - PAGE_SIZE;
				}
				continue;
			}
			if (take(fw, at, npages) == 0) {
				*addr = at;
				return 0;
			}
		}
	}
	return BT_ENOMEM;
}

void fw_free_pages(struct fw *fw, uint64_t addr, uint64_t npages)
{
	size_t i;

	for (i = 0; i < fw->n_allocs; i++)
		if (fw->allocs[i].addr == addr) {
			munmap((void *)(uintptr_t)addr, npages * PAGE_SIZE);
			fw->allocs[i] = fw->allocs[--fw->n_allocs];
			return;
		}
}

int fw_memmap(struct fw *fw, struct memmap *out)
{
	out->n = fw->ram.n;
	out->r = bt_alloc(fw->ram.n * sizeof(*out->r));
	if (!out->r)
		return BT_ENOMEM;
	memcpy(out->r, fw->ram.r, fw->ram.n * sizeof(*out->r));
	return 0;
}

int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version)
{
	return BT_EUNSUPP;	/* no boot services after Linux */
}

size_t fw_memmap_bytes(struct fw *fw)
{
	return (fw->ram.n + 8) * UEFI_DESC_MIN_SIZE;
}

int fw_ebs_map(struct fw *fw, void *buf, size_t cap, size_t *size,
	       size_t *desc_size, uint32_t *desc_version, uint64_t *key)
{
	return BT_EUNSUPP;
}

int fw_ebs_try(struct fw *fw, uint64_t key)
{
	return BT_EUNSUPP;
}

/* ---- platform ---- */

void fw_platform(struct fw *fw, struct fw_platform *p)
{
	/* No system table: boot services are gone.  A Linux kernel gets the
	 * runtime services as the running one mapped them (efi_kexec). */
	memset(p, 0, sizeof(*p));
	p->efi_kexec = fw->efi;
	p->fb = fw->fb;
	p->rsdp = fw->rsdp;
	if (fw->rsdp_read)
		p->rsdp_bytes = (const void *)(uintptr_t)fw->rsdp;
}

int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen)
{
	fmt_buf(err, errlen, "baton-kexec does not reset the machine itself: "
		"use systemctl reboot or poweroff");
	return BT_EUNSUPP;
}

/* ---- the console: lines on stdout ---- */

void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows)
{
	*cols = 80;
	*rows = 25;
}

void fw_con_clear(struct fw *fw)
{
}

void fw_con_goto(struct fw *fw, unsigned col, unsigned row)
{
}

void fw_con_highlight(struct fw *fw, bool on)
{
}

void fw_con_cursor(struct fw *fw, bool visible)
{
}

void fw_con_write(struct fw *fw, const char *utf8)
{
	if (!fw->quiet)
		fputs(utf8, stderr);
}

int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k)
{
	return BT_ETIMEOUT;	/* nobody at a menu */
}

uint64_t fw_time_us(struct fw *fw)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t fw_time_ms(struct fw *fw)
{
	return fw_time_us(fw) / 1000;
}

/* ---- EFI programs: none after Linux ---- */

const char *fw_load_options(struct fw *fw)
{
	return fw->load_options;
}

int fw_image_start(struct fw *fw, const struct fs_locator *loc,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data, char *err,
		   size_t errlen)
{
	fmt_buf(err, errlen, "EFI programs cannot run after Linux has taken "
		"over the firmware");
	return BT_EUNSUPP;
}

int fw_initrd_offer(struct fw *fw, size_t len, fw_initrd_fill fill, void *ctx,
		    char *err, size_t errlen)
{
	fmt_buf(err, errlen, "no firmware to offer an initrd through");
	return BT_EUNSUPP;
}

void fw_initrd_withdraw(struct fw *fw)
{
}

uint64_t fw_image_handle(struct fw *fw)
{
	return 0;
}

/* ---- the network: not from Linux (yet) ---- */

bool fw_netboot(struct fw *fw, struct fw_netboot *out)
{
	memset(out, 0, sizeof(*out));
	return false;
}

int fw_net_up(struct fw *fw, char *err, size_t errlen)
{
	fmt_buf(err, errlen, "baton-kexec reads files from the ESP only: "
		"network paths are not available");
	return BT_EUNSUPP;
}

void *fw_net_device(struct fw *fw)
{
	return NULL;
}

int fw_tftp_size(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, uint64_t *size, char *why, size_t whylen)
{
	return fw_net_up(fw, why, whylen);
}

int fw_tftp_read(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, void *buf, uint64_t *len,
		 void (*tick)(void *ctx, uint64_t done), void *ctx, char *why,
		 size_t whylen)
{
	return fw_net_up(fw, why, whylen);
}

int fw_http_get(struct fw *fw, const char *host, uint16_t port,
		const char *target, struct http_head *head,
		struct fw_http **out, char *why, size_t whylen)
{
	return fw_net_up(fw, why, whylen);
}

int fw_http_read(struct fw_http *c, void *buf, size_t len, size_t *got,
		 uint32_t stall_ms, char *why, size_t whylen)
{
	return BT_EUNSUPP;
}

void fw_http_close(struct fw_http *c)
{
}

/* ---- the Boot Loader Interface's variables, through efivarfs ---- */

static void var_path(const struct fw *fw, const char *name, char *out,
		     size_t cap)
{
	snprintf(out, cap, "%s/firmware/efi/efivars/%s-" BLI_GUID, fw->sys, name);
}

int fw_var_get(struct fw *fw, const char *name, void *buf, size_t cap,
	       size_t *len, char *why, size_t whylen)
{
	uint8_t data[4 + 4096];
	char path[512];
	ssize_t n;
	int fd;

	*len = 0;
	var_path(fw, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return BT_ENOENT;
		fmt_buf(why, whylen, "%s: %s", path, strerror(errno));
		return BT_EIO;
	}
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n < 4) {
		fmt_buf(why, whylen, "%s: %s", path, n < 0 ? strerror(errno) :
			"shorter than its attributes");
		return BT_EIO;
	}
	*len = (size_t)n - 4;
	if (*len > cap)
		return BT_ETOOBIG;
	memcpy(buf, data + 4, *len);
	return 0;
}

/* efivarfs makes its files immutable: clear that before a write or a
 * delete (as chattr -i does). */
static void mutable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags;

	if (fd < 0)
		return;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags) && (flags & FS_IMMUTABLE_FL)) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

int fw_var_set(struct fw *fw, const char *name, const void *data, size_t len,
	       bool persistent, char *why, size_t whylen)
{
	/* NON_VOLATILE, BOOTSERVICE_ACCESS, RUNTIME_ACCESS. */
	uint32_t attrs = persistent ? 7 : 6;
	uint8_t buf[4 + 4096];
	char path[512];
	int fd;

	var_path(fw, name, path, sizeof(path));
	mutable(path);
	if (!len) {
		if (unlink(path) && errno != ENOENT) {
			fmt_buf(why, whylen, "%s: %s", path, strerror(errno));
			return BT_EIO;
		}
		return 0;
	}
	if (len > sizeof(buf) - 4) {
		fmt_buf(why, whylen, "%s: %zu bytes is too long", name, len);
		return BT_EIO;
	}
	memcpy(buf, &attrs, 4);
	memcpy(buf + 4, data, len);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		fmt_buf(why, whylen, "%s/firmware/efi/efivars: efivarfs is not "
			"mounted (or this system was not booted by EFI)", fw->sys);
		return BT_EIO;
	}
	if (fd < 0 || write(fd, buf, len + 4) != (ssize_t)(len + 4)) {
		fmt_buf(why, whylen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return BT_EIO;
	}
	close(fd);
	return 0;
}

void fw_firmware_id(struct fw *fw, char *info, size_t infolen, char *type,
		    size_t typelen)
{
	fmt_buf(info, infolen, "Linux");
	fmt_buf(type, typelen, "Linux");
}

/* ---- allocation: the C library's ---- */

void *bt_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *bt_zalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void *bt_realloc(void *p, size_t n)
{
	return realloc(p, n ? n : 1);
}

void bt_free(void *p)
{
	free(p);
}
