/*
 * libFuzzer target: mb2_find must never read outside the file and must
 * only accept headers that keep the promises of loader/multiboot2.h.  For
 * an accepted header, the boot information is built from a memory map and
 * arguments derived from the same bytes, into a heap buffer of exactly
 * mb2_info_size bytes: it must fit (ASan catches any overrun), walk
 * cleanly, and fail with BT_ETOOBIG in anything shorter than it needed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/memmap.h"
#include "loader/multiboot2.h"
#include "lib/bytes.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define MAX_DESC 24	/* the map conversion is quadratic by design */
#define RSDP_BYTES 4096

/* Input bytes handed out one at a time, zeros once they run out. */
struct src {
	const uint8_t *p;
	size_t n, i;
};

static uint8_t next(struct src *s)
{
	return s->i < s->n ? s->p[s->i++] : 0;
}

static void check_accepted(const struct mb2_header *h, const uint8_t *d,
			   size_t size)
{
	size_t window = size < MB2_SEARCH ? size : MB2_SEARCH;
	const uint8_t *p = d + h->offset;

	CHECK(h->offset % 8 == 0);
	CHECK(h->header_length >= 24);
	CHECK(h->offset + h->header_length <= window);
	CHECK(get32(p) == MB2_HEADER_MAGIC && get32(p + 4) == 0);
	CHECK(get32(p) + get32(p + 4) + get32(p + 8) + get32(p + 12) == 0);
	CHECK(get32(p + 8) == h->header_length);
	CHECK(h->n_requests <= 32);
	for (size_t i = 0; i < h->n_requests; i++)
		for (size_t j = 0; j < i; j++)
			CHECK(h->requests[i] != h->requests[j]);
	if (h->relocatable) {
		CHECK(h->reloc_min <= h->reloc_max && h->reloc_pref <= 2);
		CHECK(!(h->reloc_align & (h->reloc_align - 1)));
	}
	if (h->has_address && h->load_addr != 0xffffffff)
		CHECK(h->load_addr <= h->header_addr);
}

/* A UEFI map from the input: small page numbers, so that entries touch,
 * overlap and share bases; occasionally one at the top of the address
 * space, which may reach 2^64 and make the map malformed. */
static size_t make_map(struct src *s, uint8_t *map, size_t *desc_size)
{
	size_t n = next(s) % (MAX_DESC + 1);

	*desc_size = next(s) & 1 ? 48 : 40;
	memset(map, 0, MAX_DESC * 48);
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = map + i * *desc_size;
		uint8_t hi = next(s);
		uint64_t page = next(s) | (uint64_t)(hi & 0x3) << 8;

		if (hi & 0x80)		/* near the top: may reach 2^64 */
			page = (UINT64_MAX >> 12) - next(s);
		put32(d, next(s) % 17);
		put64(d + 8, page * PAGE_SIZE);
		put64(d + 24, next(s) % 64);
		put64(d + 32, hi & 0x40 ? UEFI_MEMORY_SP : 0);
	}
	return n * *desc_size;
}

/* Every tag 8-byte aligned and inside total_size, ended by the end tag;
 * the memory map sorted, with no touching runs of one type left unmerged. */
static void check_mbi(const uint8_t *mbi, size_t cap)
{
	uint32_t total = get32(mbi), off = 8;

	CHECK(total <= cap && total % 8 == 0 && get32(mbi + 4) == 0);
	for (;;) {
		uint32_t type, size;

		CHECK(off + 8 <= total);
		type = get32(mbi + off);
		size = get32(mbi + off + 4);
		CHECK(size >= 8 && size <= total - off);
		if (type == 0) {
			CHECK(size == 8 && off + 8 == total);
			return;
		}
		if (type == 6) {
			CHECK(get32(mbi + off + 8) == 24 && (size - 16) % 24 == 0);
			for (uint32_t e = off + 16; e + 48 <= off + size; e += 24) {
				uint64_t base = get64(mbi + e), len = get64(mbi + e + 8);
				uint64_t nbase = get64(mbi + e + 24);

				CHECK(nbase >= base);
				if (get32(mbi + e + 16) == get32(mbi + e + 40))
					CHECK(nbase > base + len);
			}
		}
		off += (size + 7) & ~7u;
	}
}

static void try_build(const struct mb2_header *h, struct src *s)
{
	uint8_t map[MAX_DESC * 48], rsdp[RSDP_BYTES], shdrs[4 * 64];
	char cmd[64], modstr[3][16];
	struct mb2_module mods[3];
	struct mb2_fb fb = { 0x80000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8 };
	struct mb2_info_args a = { .loader_name = "baton" };
	size_t desc_size, msize, cap, short_by, len = next(s) % sizeof(cmd);
	uint8_t *buf;
	int err;

	for (size_t i = 0; i < len; i++)
		cmd[i] = (char)(next(s) | 1);
	cmd[len] = 0;
	a.cmdline = len ? cmd : NULL;
	a.n_modules = next(s) % 4;
	for (size_t i = 0; i < a.n_modules; i++) {
		size_t l = next(s) % sizeof(modstr[i]);

		memset(modstr[i], 'm', l);
		modstr[i][l] = 0;
		mods[i].start = 0x1000000 * (uint32_t)(i + 1);
		mods[i].end = mods[i].start + (uint32_t)l;
		mods[i].string = modstr[i];
	}
	a.modules = mods;
	a.fb = next(s) & 1 ? &fb : NULL;
	memset(rsdp, 0x5a, sizeof(rsdp));
	rsdp[15] = next(s) % 4;
	put32(rsdp + 20, (uint32_t)next(s) << (next(s) % 24));
	a.rsdp = next(s) & 1 ? rsdp : NULL;
	a.shdr_num = next(s) % 5;
	a.shdr_size = next(s) & 1 ? 64 : 40;
	a.shdr_shndx = 1;
	a.shdrs = shdrs;
	memset(shdrs, 0x33, sizeof(shdrs));
	a.efi_systab = next(s) ? 0x7f9ee018 : 0;
	a.efi_image_handle = h->efi_bs ? 0x7e1c4a98 : 0;
	a.boot_services_running = h->efi_bs;
	a.has_load_base = h->relocatable;
	a.load_base = h->reloc_min;
	msize = make_map(s, map, &desc_size);

	cap = mb2_info_size(&a, msize / desc_size, msize);
	buf = malloc(cap);
	CHECK(buf);
	err = mb2_build_info(buf, cap, &a, map, msize, desc_size, 1);
	if (err == BT_EINVAL) {		/* a wrapping descriptor */
		free(buf);
		return;
	}
	CHECK(err == 0);
	check_mbi(buf, cap);
	short_by = 1 + (size_t)next(s) * 8 % get32(buf);
	CHECK(mb2_build_info(buf, get32(buf) - short_by, &a, map, msize,
			     desc_size, 1) == BT_ETOOBIG);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb2_header h;
	char why[200];
	struct src s;

	why[0] = 0;
	if (mb2_find(data, size, &h, why, sizeof(why))) {
		CHECK(why[0] && h.offset == 0 && h.header_length == 0);
		return 0;
	}
	check_accepted(&h, data, size);
	/* The bytes after the header drive the MBI's contents. */
	s = (struct src){ data, size, h.offset + h.header_length };
	try_build(&h, &s);
	return 0;
}
