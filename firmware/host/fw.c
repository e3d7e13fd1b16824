/* The host double: the machine the unit tests run baton on (firmware/host/
 * host.h), its set-up, storage and platform services. */
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
	fw->fs.fw = fw;
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

struct fs *fw_fs(struct fw *fw)
{
	return &fw->fs;
}

const char *fw_load_options(struct fw *fw)
{
	return fw->load_options;
}

int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen)
{
	fw->resets++;
	fw->last_reset = kind;
	snprintf(err, errlen, "host machine cannot reset");
	return BT_EUNSUPP;
}

void fw_platform(struct fw *fw, struct fw_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->systab = 0x5157AB;	/* a recognisable fake */
}

int fw_disk_attach(struct fw *fw, struct blockdev *bd, struct volume **out,
		   char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: the host double has no firmware to offer "
		 "the image to as a CD", bd->name);
	return BT_EUNSUPP;
}
