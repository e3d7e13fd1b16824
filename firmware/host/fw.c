#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "firmware/host/host.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/memmap.h"

void host_fw_init(struct fw *fw)
{
	memset(fw, 0, sizeof(*fw));
	fw->load_options = "";
	fs_init(&fw->fs);
	fw->fs.origin.source = PATH_SRC_BOOT;
	fw->fs.origin.file = str_dup(HOST_SELF_PATH);
	fw->cols = 80;
	fw->rows = 25;
}

void host_fw_free(struct fw *fw)
{
	fs_free(&fw->fs);
	free(fw->out);
	fw->out = NULL;
	if (fw->ram)
		munmap(fw->ram, fw->ram_pages * PAGE_SIZE);
	free(fw->page_used);
	fw->ram = NULL;
	fw->page_used = NULL;
}

#ifndef MAP_32BIT
#define MAP_32BIT 0		/* x86-64 only; elsewhere just "anywhere" */
#endif

#define RAM_ALIGN (2ULL << 20)
#define RAM_LOW_BASE 0x40000000ULL	/* below 4 GiB, and inside ASan's low
					 * memory (which ends near 2 GiB) */

/* Map len bytes (flags added to a private anonymous mapping) and trim the
 * mapping to a RAM_ALIGN-aligned block; NULL when it cannot be had. */
static uint8_t *map_aligned(size_t len, int flags)
{
	size_t span = len + RAM_ALIGN, head;
	uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	head = (RAM_ALIGN - (uintptr_t)p % RAM_ALIGN) % RAM_ALIGN;
	if (head)
		munmap(p, head);
	munmap(p + head + len, span - head - len);
	return p + head;
}

/*
 * The arena goes below 4 GiB when the host lets it, like a PC's RAM: the
 * protocols put the command line, boot_params, initrds and Multiboot data
 * there.  First at a fixed low address (MAP_FIXED_NOREPLACE: never over an
 * existing mapping; a kernel that ignores the flag treats it as a hint),
 * then anywhere in the low 2 GiB (MAP_32BIT), else anywhere.
 */
void host_fw_ram(struct fw *fw, uint64_t pages)
{
	size_t len = pages * PAGE_SIZE;
	uint8_t *p = mmap((void *)(uintptr_t)RAM_LOW_BASE, len,
			  PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED && (uintptr_t)p != RAM_LOW_BASE) {
		munmap(p, len);
		p = MAP_FAILED;
	}
	if (p == MAP_FAILED)
		p = map_aligned(len, MAP_32BIT);
	if (!p)
		p = map_aligned(len, 0);
	if (!p) {
		fprintf(stderr, "host fw: cannot map %zu bytes of RAM\n", len);
		abort();
	}
	fw->ram = p;
	madvise(p, len, MADV_HUGEPAGE);	/* fewer faults; a hint only */
	memset(fw->ram, 0xA5, len);	/* not zero: like real RAM */
	fw->ram_pages = pages;
	fw->page_used = calloc(pages, 1);
}

void host_trace(struct fw *fw, const char *what)
{
	size_t n = strlen(fw->trace);

	snprintf(fw->trace + n, sizeof(fw->trace) - n, "%s%s", n ? " " : "", what);
}

static uint64_t ram_base(const struct fw *fw)
{
	return (uintptr_t)fw->ram;
}

/* First-fit search for npages free pages ending at or below max. */
int fw_alloc_pages(struct fw *fw, uint64_t npages, uint64_t max, uint64_t *addr)
{
	uint64_t i, run = 0;

	for (i = 0; i < fw->ram_pages; i++) {
		uint64_t end = ram_base(fw) + (i + 1) * PAGE_SIZE - 1;

		run = fw->page_used[i] ? 0 : run + 1;
		if (end > max)
			break;
		if (run == npages) {
			uint64_t first = i + 1 - npages;

			memset(fw->page_used + first, 1, npages);
			*addr = ram_base(fw) + first * PAGE_SIZE;
			return 0;
		}
	}
	return BT_ENOMEM;
}

int fw_alloc_pages_at(struct fw *fw, uint64_t addr, uint64_t npages)
{
	uint64_t first, i;

	if (addr < ram_base(fw) || (addr - ram_base(fw)) % PAGE_SIZE)
		return BT_ENOENT;
	first = (addr - ram_base(fw)) / PAGE_SIZE;
	if (first + npages > fw->ram_pages)
		return BT_ENOENT;
	for (i = 0; i < npages; i++)
		if (fw->page_used[first + i])
			return BT_ENOENT;
	memset(fw->page_used + first, 1, npages);
	return 0;
}

void fw_free_pages(struct fw *fw, uint64_t addr, uint64_t npages)
{
	memset(fw->page_used + (addr - ram_base(fw)) / PAGE_SIZE, 0, npages);
}

/* The raw UEFI map of the arena: one conventional descriptor. */
static size_t raw_map(const struct fw *fw, uint8_t *buf)
{
	memset(buf, 0, 48);
	buf[0] = UEFI_CONVENTIONAL;
	memcpy(buf + 8, &(uint64_t){ ram_base(fw) }, 8);
	memcpy(buf + 24, &fw->ram_pages, 8);
	return 48;
}

/* One descriptor per run of used or free pages. */
static size_t raw_map_used(const struct fw *fw, uint8_t *buf)
{
	size_t n = 0;
	uint64_t i = 0;

	while (i < fw->ram_pages) {
		uint64_t j = i;
		uint8_t *d = buf + n++ * 48;

		while (j < fw->ram_pages && fw->page_used[j] == fw->page_used[i])
			j++;
		memset(d, 0, 48);
		d[0] = fw->page_used[i] ? UEFI_BOOT_DATA : UEFI_CONVENTIONAL;
		memcpy(d + 8, &(uint64_t){ ram_base(fw) + i * PAGE_SIZE }, 8);
		memcpy(d + 24, &(uint64_t){ j - i }, 8);
		i = j;
	}
	return n * 48;
}

int fw_memmap(struct fw *fw, struct memmap *out)
{
	uint8_t one[48], *buf = one;
	int rc;

	if (!fw->map_shows_used || !fw->ram)
		return memmap_from_uefi(one, raw_map(fw, one), 48, out);
	buf = malloc(fw->ram_pages * 48);
	if (!buf)
		return BT_ENOMEM;
	rc = memmap_from_uefi(buf, raw_map_used(fw, buf), 48, out);
	free(buf);
	return rc;
}

size_t fw_memmap_bytes(struct fw *fw)
{
	return 48 * 8;
}

void fw_platform(struct fw *fw, struct fw_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->systab = 0x5157AB;	/* a recognisable fake */
}

/* The key is the number of the map read: only the latest one is valid,
 * as on real firmware. */
int fw_ebs_map(struct fw *fw, void *buf, size_t cap, size_t *size,
	       size_t *desc_size, uint32_t *desc_version, uint64_t *key)
{
	fw->ebs_maps++;
	if (fw->ebs_map_fails_at && fw->ebs_maps == (unsigned)fw->ebs_map_fails_at)
		return BT_ETOOBIG;
	*size = raw_map(fw, buf);
	*desc_size = 48;
	*desc_version = 1;
	*key = fw->ebs_maps;
	return 0;
}

int fw_ebs_try(struct fw *fw, uint64_t key)
{
	host_trace(fw, "ebs");
	fw->ebs_tries++;
	if (key != fw->ebs_maps)
		return BT_EINVAL;
	if (fw->ebs_fails < 0 || fw->ebs_tries <= (unsigned)fw->ebs_fails)
		return BT_EINVAL;
	return 0;
}

static void record(struct fw *fw, const char *s)
{
	size_t n = strlen(s);

	if (fw->out_len + n + 1 > fw->out_cap) {
		fw->out_cap = (fw->out_len + n + 1) * 2;
		fw->out = realloc(fw->out, fw->out_cap);
	}
	memcpy(fw->out + fw->out_len, s, n + 1);
	fw->out_len += n;
}

void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows)
{
	*cols = fw->cols;
	*rows = fw->rows;
}

void fw_con_clear(struct fw *fw)
{
	record(fw, "\n<clear>\n");
}

/* Each positioned write starts a new line in the log, so tests can find
 * whole rows. */
void fw_con_goto(struct fw *fw, unsigned col, unsigned row)
{
	record(fw, "\n");
}

void fw_con_highlight(struct fw *fw, bool on)
{
}

void fw_con_cursor(struct fw *fw, bool visible)
{
}

void fw_con_write(struct fw *fw, const char *utf8)
{
	record(fw, utf8);
}

static bool idle_marker(const struct fw *fw)
{
	return fw->next_key < fw->n_keys &&
	       fw->keys[fw->next_key].code == KEY_OTHER &&
	       fw->keys[fw->next_key].ch == HOST_IDLE;
}

int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k)
{
	if (idle_marker(fw) && timeout_ms != UINT32_MAX) {
		fw->now_ms += timeout_ms;
		return BT_ETIMEOUT;
	}
	if (idle_marker(fw))
		fw->next_key++;
	if (fw->next_key < fw->n_keys) {
		*k = fw->keys[fw->next_key++];
		return 0;
	}
	if (timeout_ms == UINT32_MAX) {
		/* A real machine would wait for ever: the test is wrong. */
		fprintf(stderr, "host fw: key script ran out while baton waits "
			"for a key; console so far:\n%s\n", fw->out ? fw->out : "");
		abort();
	}
	fw->now_ms += timeout_ms;
	return BT_ETIMEOUT;
}

uint64_t fw_time_ms(struct fw *fw)
{
	return fw->now_ms;
}

struct fs *fw_fs(struct fw *fw)
{
	return &fw->fs;
}

const char *fw_load_options(struct fw *fw)
{
	return fw->load_options;
}

int fw_image_start(struct fw *fw, const struct fs_locator *loc,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen)
{
	const char *path = loc->file;

	*exit_data = NULL;
	fw->started_device = loc->device;
	if (fw->start_error) {
		snprintf(err, errlen, "%s: host refuses to start it", path);
		return fw->start_error;
	}
	fw->starts++;
	snprintf(fw->started_path, sizeof(fw->started_path), "%s", path);
	snprintf(fw->started_options, sizeof(fw->started_options), "%s",
		 options ? options : "");
	fw->started_size = size;
	*exit_status = fw->start_status;
	return 0;
}

int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen)
{
	fw->resets++;
	fw->last_reset = kind;
	snprintf(err, errlen, "host machine cannot reset");
	return BT_EUNSUPP;
}

int fw_initrd_offer(struct fw *fw, size_t len, fw_initrd_fill fill, void *ctx,
		    char *err, size_t errlen)
{
	host_trace(fw, "initrd-offer");
	fw->initrd_fill = fill;
	fw->initrd_ctx = ctx;
	fw->initrd_len = len;
	return 0;
}

void fw_initrd_withdraw(struct fw *fw)
{
	host_trace(fw, "initrd-withdraw");
}

int fw_memmap_raw(struct fw *fw, void *buf, size_t cap, size_t *size,
		  size_t *desc_size, uint32_t *desc_version)
{
	if (cap < 48)
		return BT_ETOOBIG;
	*size = raw_map(fw, buf);
	*desc_size = 48;
	*desc_version = 1;
	return 0;
}

uint64_t fw_image_handle(struct fw *fw)
{
	return 0x1A6E;		/* a recognisable fake */
}
