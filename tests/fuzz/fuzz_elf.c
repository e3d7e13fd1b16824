/*
 * libFuzzer target: elf_parse must never read out of bounds, and what it
 * accepts must be safe to load as it says: every segment's file bytes
 * inside the file, filesz <= memsz, no address wrap, at most
 * ELF_MAX_SEGMENTS, a section table (if kept) inside the file.
 */
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "lib/mem.h"
#include "loader/elf.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* Read every byte a loader would copy, so ASan sees a bad range. */
static unsigned touch(const uint8_t *p, uint64_t n)
{
	unsigned sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

static void check_segment(const struct elf_segment *s, unsigned bits,
			  const uint8_t *data, size_t size)
{
	uint64_t top = bits == 64 ? UINT64_MAX : UINT32_MAX;

	CHECK(s->memsz > 0);
	CHECK(s->filesz <= s->memsz);
	CHECK(s->paddr <= top && s->memsz - 1 <= top - s->paddr);
	if (s->filesz) {
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		touch(data + s->offset, s->filesz);
	}
}

static void check_accepted(const struct elf_image *e, const uint8_t *data,
			   size_t size)
{
	CHECK(e->bits == 32 || e->bits == 64);
	CHECK(e->n >= 1 && e->n <= ELF_MAX_SEGMENTS);
	for (size_t i = 0; i < e->n; i++)
		check_segment(&e->seg[i], e->bits, data, size);
	if (e->bits == 32)
		CHECK(e->entry <= UINT32_MAX);
	if (e->shnum) {
		CHECK(e->shentsize > 0);
		CHECK(e->shoff <= size);
		CHECK((uint64_t)e->shnum * e->shentsize <= size - e->shoff);
		touch(data + e->shoff, (uint64_t)e->shnum * e->shentsize);
	} else {
		CHECK(e->shoff == 0 && e->shentsize == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image e;
	char why[200];

	why[0] = 0;
	if (elf_parse(data, size, &e, why, sizeof(why))) {
		CHECK(why[0] != 0);
		CHECK(e.n == 0);
		return 0;
	}
	check_accepted(&e, data, size);
	return 0;
}
