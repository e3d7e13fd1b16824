/* Unit tests for loader/multiboot2.c: finding and parsing Multiboot 2
 * headers in synthetic kernel files, and building the boot information
 * from synthetic UEFI memory maps. */
#include "tests/unit/helpers.h"
#include "lib/memmap.h"
#include "loader/multiboot2.h"
#include "lib/bytes.h"

#define IMG_LEN 0x10000
#define KIB 1024ULL
#define MIB (1024 * KIB)

/* ------------------------------------------------------ header builder */

/* A header being written into img at start; pos is the next tag. */
struct hb {
	uint8_t *img;
	size_t start, pos;
	uint32_t arch;
};

static void hb_begin(struct hb *b, uint8_t *img, size_t start)
{
	b->img = img;
	b->start = start;
	b->pos = start + 16;
	b->arch = 0;
}

/* A tag with n u32 fields; its size is 8 + 4n, the next one 8-aligned. */
static void hb_tag(struct hb *b, uint16_t type, uint16_t flags,
		   const uint32_t *v, size_t n)
{
	uint8_t *t = b->img + b->pos;
	uint32_t size = 8 + 4 * (uint32_t)n;

	put16(t, type);
	put16(t + 2, flags);
	put32(t + 4, size);
	for (size_t i = 0; i < n; i++)
		put32(t + 8 + 4 * i, v[i]);
	b->pos += (size + 7) & ~7u;
}

/* The fixed part with this header_length and a matching checksum. */
static void hb_fixed(struct hb *b, uint32_t len)
{
	uint8_t *h = b->img + b->start;

	put32(h, MB2_HEADER_MAGIC);
	put32(h + 4, b->arch);
	put32(h + 8, len);
	put32(h + 12, -(MB2_HEADER_MAGIC + b->arch + len));
}

/* The end tag, then the fixed part; returns header_length. */
static uint32_t hb_finish(struct hb *b)
{
	uint32_t len;

	hb_tag(b, 0, 0, NULL, 0);
	len = (uint32_t)(b->pos - b->start);
	hb_fixed(b, len);
	return len;
}

/* A minimal header (fixed part and end tag) at off. */
static void minimal_at(uint8_t *img, size_t off)
{
	struct hb b;

	hb_begin(&b, img, off);
	hb_finish(&b);
}

static void find_ok(const uint8_t *img, size_t len, struct mb2_header *h)
{
	char why[256] = "";

	if (mb2_find(img, len, h, why, sizeof(why)))
		fail_msg("unexpected rejection: %s", why);
}

static void expect_reject(const uint8_t *img, size_t len, const char *text)
{
	struct mb2_header h;
	char why[256] = "";

	assert_int_equal(mb2_find(img, len, &h, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message \"%s\" lacks \"%s\"", why, text);
	assert_int_equal(h.offset, 0);
	assert_false(h.has_entry);
}

static uint8_t *new_img(void)
{
	uint8_t *img = calloc(1, IMG_LEN);

	assert_non_null(img);
	return img;
}

/* -------------------------------------------------------- finding */

static void test_find_at_offsets(void **state)
{
	const size_t offs[] = { 0, 8, 0x40, 0x1000, 0x7ff0 - 8, MB2_SEARCH - 24 };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint8_t *img = new_img();
		struct mb2_header h;

		minimal_at(img, offs[i]);
		find_ok(img, IMG_LEN, &h);
		assert_int_equal(h.offset, offs[i]);
		assert_int_equal(h.header_length, 24);
		assert_int_equal(h.n_requests, 0);
		assert_false(h.has_address || h.has_entry || h.efi_bs || h.relocatable);
		free(img);
	}
}

static void test_find_exact_file(void **state)
{
	uint8_t img[24] = { 0 };
	struct mb2_header h;

	minimal_at(img, 0);
	find_ok(img, sizeof(img), &h);
	assert_int_equal(h.header_length, 24);
	expect_reject(img, sizeof(img) - 1, "runs past the end of the file");
	expect_reject(img, 15, "no Multiboot2 header");
}

static void test_find_unaligned_ignored(void **state)
{
	uint8_t *img = new_img();
	struct mb2_header h;

	minimal_at(img, 4);
	expect_reject(img, IMG_LEN, "no Multiboot2 header (magic 0xE85250D6");
	minimal_at(img, 0x84);
	minimal_at(img, 0x100);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.offset, 0x100);
	free(img);
}

static void test_find_past_search_window(void **state)
{
	uint8_t *img = new_img();

	minimal_at(img, MB2_SEARCH);
	expect_reject(img, IMG_LEN, "in the first 32 KiB");
	memset(img, 0, IMG_LEN);
	/* Starts inside the window, ends past it. */
	minimal_at(img, MB2_SEARCH - 16);
	expect_reject(img, IMG_LEN, "runs past the first 32 KiB (0x8000 bytes)");
	free(img);
}

static void test_find_bad_checksum(void **state)
{
	uint8_t *img = new_img();
	struct mb2_header h;

	minimal_at(img, 0x40);
	img[0x40 + 12] ^= 1;
	expect_reject(img, IMG_LEN, "Multiboot2 header at 0x40 has a bad checksum");
	/* A stray magic number before the real header is skipped. */
	minimal_at(img, 0x200);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.offset, 0x200);
	free(img);
}

static void test_find_bad_architecture(void **state)
{
	uint8_t *img = new_img();
	struct hb b;

	hb_begin(&b, img, 0x10);
	b.arch = 4;
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "at 0x10 is for architecture 4 (MIPS32)");
	hb_begin(&b, img, 0x10);
	b.arch = 1;
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "unknown architecture");
	free(img);
}

static void test_find_header_length(void **state)
{
	uint8_t *img = new_img();
	struct hb b;

	hb_begin(&b, img, 0x20);
	hb_finish(&b);
	hb_fixed(&b, 8);
	expect_reject(img, IMG_LEN, "header_length 8 (at 0x28) is shorter than");
	/* 16 is allowed as a length, but then there is no room for an end tag. */
	hb_fixed(&b, 16);
	expect_reject(img, IMG_LEN, "no end tag");
	hb_fixed(&b, 0x100);
	expect_reject(img, 0x80, "runs past the end of the file (0x80 bytes)");
	/* A length that stops short of the end tag. */
	hb_fixed(&b, 20);
	expect_reject(img, IMG_LEN, "no end tag (type 0, size 8) within "
		      "header_length 20");
	free(img);
}

/* -------------------------------------------------------- tags */

static void test_every_tag(void **state)
{
	uint8_t *img = new_img();
	const uint32_t req[] = { 1, 2, 3, 4, 6, 8, 9, 12, 14, 15, 17, 18, 20, 21, 6 };
	const uint32_t addr[] = { 0x100040, 0x100000, 0x180000, 0x190000 };
	const uint32_t entry[] = { 0x100080 }, console[] = { 3 };
	const uint32_t fb[] = { 1024, 768, 32 };
	const uint32_t e32[] = { 0x100100 }, e64[] = { 0x100200 };
	const uint32_t rel[] = { 0x200000, 0x7fffffff, 0x1000, 1 };
	struct mb2_header h;
	struct hb b;

	hb_begin(&b, img, 0x40);
	hb_tag(&b, 1, 0, req, sizeof(req) / 4);
	hb_tag(&b, 2, 0, addr, 4);
	hb_tag(&b, 3, 0, entry, 1);
	hb_tag(&b, 4, 0, console, 1);
	hb_tag(&b, 5, 0, fb, 3);
	hb_tag(&b, 6, 0, NULL, 0);
	hb_tag(&b, 7, 0, NULL, 0);
	hb_tag(&b, 8, 0, e32, 1);
	hb_tag(&b, 9, 0, e64, 1);
	hb_tag(&b, 10, 0, rel, 4);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);

	assert_int_equal(h.offset, 0x40);
	assert_int_equal(h.header_length, b.pos - 0x40);
	assert_int_equal(h.n_requests, 14);	/* the repeated 6 is kept once */
	for (size_t i = 0; i < 14; i++)
		assert_int_equal(h.requests[i], req[i]);
	assert_true(h.has_address);
	assert_int_equal(h.header_addr, 0x100040);
	assert_int_equal(h.load_addr, 0x100000);
	assert_int_equal(h.load_end_addr, 0x180000);
	assert_int_equal(h.bss_end_addr, 0x190000);
	assert_true(h.has_entry);
	assert_int_equal(h.entry_addr, 0x100080);
	assert_true(h.has_console);
	assert_int_equal(h.console_flags, 3);
	assert_true(h.has_framebuffer);
	assert_int_equal(h.fb_width, 1024);
	assert_int_equal(h.fb_height, 768);
	assert_int_equal(h.fb_depth, 32);
	assert_true(h.module_align);
	assert_true(h.efi_bs);
	assert_true(h.has_efi32_entry);
	assert_int_equal(h.efi32_entry, 0x100100);
	assert_true(h.has_efi64_entry);
	assert_int_equal(h.efi64_entry, 0x100200);
	assert_true(h.relocatable);
	assert_int_equal(h.reloc_min, 0x200000);
	assert_int_equal(h.reloc_max, 0x7fffffff);
	assert_int_equal(h.reloc_align, 0x1000);
	assert_int_equal(h.reloc_pref, 1);
	free(img);
}

/* What Xen's header carries: required requests for meminfo and the map,
 * module alignment, and optional relocation, console, framebuffer, boot
 * services and 64-bit EFI entry tags. */
static void test_xen_like(void **state)
{
	uint8_t *img = new_img();
	const uint32_t req[] = { 4, 6 };
	const uint32_t rel[] = { 0x200000, 0xffffffff, 0x200000, 2 };
	const uint32_t console[] = { 2 }, fb[] = { 0, 0, 0 };
	const uint32_t e64[] = { 0x2001c0 };
	struct mb2_header h;
	struct hb b;

	hb_begin(&b, img, 0x1000);
	hb_tag(&b, 1, 0, req, 2);
	hb_tag(&b, 6, 0, NULL, 0);
	hb_tag(&b, 10, 1, rel, 4);
	hb_tag(&b, 4, 1, console, 1);
	hb_tag(&b, 5, 1, fb, 3);
	hb_tag(&b, 7, 1, NULL, 0);
	hb_tag(&b, 9, 1, e64, 1);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.offset, 0x1000);
	assert_int_equal(h.n_requests, 2);
	assert_true(h.module_align && h.efi_bs && h.has_efi64_entry);
	assert_int_equal(h.efi64_entry, 0x2001c0);
	assert_false(h.has_entry || h.has_address || h.has_efi32_entry);
	assert_true(h.relocatable);
	assert_int_equal(h.reloc_max, 0xffffffff);
	assert_int_equal(h.reloc_align, 0x200000);
	assert_int_equal(h.reloc_pref, 2);
	assert_true(h.has_console && h.has_framebuffer);
	assert_int_equal(h.console_flags, 2);
	free(img);
}

static void test_unknown_tags(void **state)
{
	uint8_t *img = new_img();
	const uint32_t v[] = { 1, 2, 3 }, entry[] = { 0x100000 };
	struct mb2_header h;
	struct hb b;

	hb_begin(&b, img, 0);
	hb_tag(&b, 11, 1, v, 3);
	hb_tag(&b, 0x7fff, 1, NULL, 0);
	hb_tag(&b, 3, 0, entry, 1);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_true(h.has_entry);

	hb_begin(&b, img, 0);
	hb_tag(&b, 3, 0, entry, 1);
	hb_tag(&b, 11, 0, v, 3);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "tag 11 at 0x20 is unknown to baton and "
		      "not marked optional");
	free(img);
}

static void test_info_request(void **state)
{
	uint8_t *img = new_img();
	const uint32_t bad[] = { 1, 10 }, other[] = { 16, 5 }, ok[] = { 6, 17 };
	const uint32_t odd[] = { 99 };
	struct mb2_header h;
	struct hb b;

	hb_begin(&b, img, 0);
	hb_tag(&b, 1, 0, bad, 2);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "Multiboot2 header asks for information "
		      "tag 10 (APM table), which baton cannot provide");

	hb_begin(&b, img, 0);
	hb_tag(&b, 1, 0, ok, 2);
	hb_tag(&b, 1, 0, other, 2);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "information tag 16 (networking information)");

	memset(img, 0, 64);
	hb_begin(&b, img, 0);
	hb_tag(&b, 1, 0, ok, 2);
	hb_tag(&b, 1, 1, other, 2);	/* optional: 16 and 5 just absent */
	hb_tag(&b, 1, 1, bad, 2);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.n_requests, 6);
	assert_int_equal(h.requests[0], 6);
	assert_int_equal(h.requests[1], 17);
	assert_int_equal(h.requests[2], 16);
	assert_int_equal(h.requests[5], 10);

	/* Types past the named ones still get a message. */
	hb_begin(&b, img, 0);
	hb_tag(&b, 1, 0, odd, 1);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "information tag 99 (unknown)");
	free(img);
}

static void test_many_requests_kept_to_32(void **state)
{
	uint8_t *img = new_img();
	uint32_t req[40];
	struct mb2_header h;
	struct hb b;

	for (uint32_t i = 0; i < 40; i++)
		req[i] = 100 + i;
	hb_begin(&b, img, 0);
	hb_tag(&b, 1, 1, req, 40);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.n_requests, 32);
	assert_int_equal(h.requests[31], 131);
	free(img);
}

/* Writes a tag header by hand, for sizes hb_tag would not produce. */
static void raw_tag(uint8_t *t, uint16_t type, uint16_t flags, uint32_t size)
{
	put16(t, type);
	put16(t + 2, flags);
	put32(t + 4, size);
}

static void test_tag_sizes(void **state)
{
	uint8_t *img = new_img();
	struct mb2_header h;
	struct hb b;

	/* An address tag too short for its four fields. */
	hb_begin(&b, img, 0);
	raw_tag(img + 16, 2, 0, 16);
	b.pos = 32;
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "tag 2 (address) at 0x10 has size 16, "
		      "needs at least 24");

	/* Size 0 would never advance. */
	memset(img, 0, 64);
	hb_begin(&b, img, 0);
	raw_tag(img + 16, 6, 1, 0);
	b.pos = 24;
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "tag 6 (module alignment) at 0x10 has size 0");

	/* Optional or not, a tag may not run past header_length. */
	memset(img, 0, 64);
	hb_begin(&b, img, 0);
	raw_tag(img + 16, 42, 1, 200);
	b.pos = 24;
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "tag 42 (unknown) at 0x10 has size 200, "
		      "outside 8..16");

	/* The end tag must be exactly 8 bytes. */
	memset(img, 0, 64);
	hb_begin(&b, img, 0);
	raw_tag(img + 16, 0, 0, 16);
	hb_fixed(&b, 32);
	expect_reject(img, IMG_LEN, "tag 0 (end) at 0x10 has size 16, not 8");

	/* A larger tag than its fields need is fine (padding to 8). */
	memset(img, 0, 64);
	hb_begin(&b, img, 0);
	raw_tag(img + 16, 3, 0, 13);
	put32(img + 24, 0x123456);
	b.pos = 32;
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.entry_addr, 0x123456);
	assert_int_equal(h.header_length, 40);
	free(img);
}

static void test_address_and_relocatable_checks(void **state)
{
	uint8_t *img = new_img();
	const uint32_t bad_addr[] = { 0x100000, 0x100040, 0, 0 };
	const uint32_t whole_file[] = { 0x100040, 0xffffffff, 0, 0 };
	const uint32_t rel_range[] = { 0x200000, 0x100000, 0x1000, 0 };
	const uint32_t rel_align[] = { 0, 0xffffffff, 0x3000, 0 };
	const uint32_t rel_pref[] = { 0, 0xffffffff, 0x1000, 3 };
	const uint32_t rel_ok[] = { 0, 0xffffffff, 0, 0 };
	struct mb2_header h;
	struct hb b;

	hb_begin(&b, img, 0x10);
	hb_tag(&b, 2, 0, bad_addr, 4);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "address tag at 0x20: load_addr 0x100040 "
		      "is above header_addr 0x100000");
	hb_begin(&b, img, 0x10);
	hb_tag(&b, 2, 0, whole_file, 4);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_int_equal(h.load_addr, 0xffffffff);

	hb_begin(&b, img, 0x10);
	hb_tag(&b, 10, 0, rel_range, 4);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "min_addr 0x200000 is above max_addr 0x100000");
	hb_begin(&b, img, 0x10);
	hb_tag(&b, 10, 0, rel_align, 4);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "align 0x3000 is not a power of two");
	hb_begin(&b, img, 0x10);
	hb_tag(&b, 10, 1, rel_pref, 4);
	hb_finish(&b);
	expect_reject(img, IMG_LEN, "preference 3 is not 0");
	hb_begin(&b, img, 0x10);
	hb_tag(&b, 10, 0, rel_ok, 4);
	hb_finish(&b);
	find_ok(img, IMG_LEN, &h);
	assert_true(h.relocatable);
	assert_int_equal(h.reloc_align, 0);
	free(img);
}

static void test_message_truncated_safely(void **state)
{
	uint8_t img[64] = { 0 };
	struct mb2_header h;
	char why[8];

	memset(why, 'x', sizeof(why));
	assert_int_equal(mb2_find(img, sizeof(img), &h, why, sizeof(why)), BT_EFORMAT);
	assert_int_equal(why[7], '\0');
	assert_int_equal(mb2_find(img, 0, &h, NULL, 0), BT_EFORMAT);
}

/* ------------------------------------------------------------ the MBI */

/* A UEFI memory map under construction, descriptors desc apart. */
struct rawmap {
	uint8_t buf[64 * 48];
	size_t desc, n;
};

static void add_desc(struct rawmap *m, uint32_t type, uint64_t start,
		     uint64_t pages, uint64_t attr)
{
	uint8_t *d = m->buf + m->n++ * m->desc;

	memset(d, 0xa5, m->desc);	/* padding past 40 bytes is not ours */
	put32(d, type);
	put32(d + 4, 0);
	put64(d + 8, start);
	put64(d + 16, 0);
	put64(d + 24, pages);
	put64(d + 32, attr);
}

static size_t map_size(const struct rawmap *m)
{
	return m->n * m->desc;
}

/* An OVMF-like map, deliberately out of order. */
static void ovmf_map(struct rawmap *m, size_t desc)
{
	m->desc = desc;
	m->n = 0;
	add_desc(m, UEFI_BOOT_DATA, 0x900000, 0x700, 0);
	add_desc(m, UEFI_CONVENTIONAL, 0, 0x9f, 0);
	add_desc(m, UEFI_ACPI_NVS, 0x800000, 0x100, 0);
	add_desc(m, UEFI_CONVENTIONAL, 0x100000, 0x700, 0);
	add_desc(m, UEFI_RESERVED, 0x9f000, 0x61, 0);
	add_desc(m, UEFI_ACPI_RECLAIM, 0x7fb00000, 0x10, 0);
	add_desc(m, UEFI_RUNTIME_DATA, 0x7fb10000, 0x20, 0);
	add_desc(m, UEFI_CONVENTIONAL, 0x1000000, 0x7eb00, 0);
	add_desc(m, UEFI_MMIO, 0xffc00000, 0x400, 1ULL << 63);
}

/* Finds the first tag of a type in a built MBI, checking the walk. */
static const uint8_t *find_tag(const uint8_t *mbi, uint32_t type)
{
	uint32_t total = get32(mbi);

	for (uint32_t off = 8; off + 8 <= total;) {
		const uint8_t *t = mbi + off;

		assert_int_equal(off % 8, 0);
		if (get32(t) == type)
			return t;
		if (get32(t) == 0)
			break;
		off += (get32(t + 4) + 7) & ~7u;
	}
	return NULL;
}

static size_t count_tags(const uint8_t *mbi, uint32_t type)
{
	uint32_t total = get32(mbi);
	size_t n = 0;

	for (uint32_t off = 8; off + 8 <= total; off += (get32(mbi + off + 4) + 7) & ~7u) {
		if (get32(mbi + off) == type)
			n++;
		if (get32(mbi + off) == 0)
			break;
	}
	return n;
}

/* The walk must end in an end tag exactly at total_size, every tag 8-byte
 * aligned and at least 8 bytes; returns the types seen, in order. */
static size_t walk_types(const uint8_t *mbi, uint32_t *types, size_t max)
{
	uint32_t total = get32(mbi), off = 8;
	size_t n = 0;

	assert_int_equal(total % 8, 0);
	assert_int_equal(get32(mbi + 4), 0);
	for (;;) {
		uint32_t type, size;

		assert_true(off + 8 <= total);
		assert_int_equal(off % 8, 0);
		type = get32(mbi + off);
		size = get32(mbi + off + 4);
		assert_true(size >= 8);
		assert_true(n < max);
		types[n++] = type;
		if (type == 0) {
			assert_int_equal(size, 8);
			assert_int_equal(off + 8, total);
			return n;
		}
		/* Padding is zeroed. */
		for (uint32_t i = size; i % 8; i++)
			assert_int_equal(mbi[off + i], 0);
		off += (size + 7) & ~7u;
	}
}

static const uint8_t rsdp_v2[36] = {
	'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x42, 'B', 'O', 'C', 'H', 'S',
	' ', 2, 0x00, 0x10, 0xfe, 0x7f, 36, 0, 0, 0, 0x80, 0x10, 0xfe, 0x7f,
	0, 0, 0, 0, 0x99, 0, 0, 0,
};

static const struct mb2_fb test_fb = {
	.addr = 0x80000000, .pitch = 4096, .width = 1024, .height = 768,
	.bpp = 32, .red_pos = 16, .red_size = 8, .green_pos = 8,
	.green_size = 8, .blue_pos = 0, .blue_size = 8,
};

static const uint8_t test_shdrs[3 * 40] = { [0] = 0x11, [40] = 0x22, [119] = 0x33 };

static const struct mb2_module test_mods[] = {
	{ 0x2000000, 0x2345678, "/vmlinuz root=/dev/sda2" },
	{ 0x3000000, 0x3001000, NULL },
	{ 0x4000000, 0x4800000, "initrd" },
};

static struct mb2_info_args full_args(void)
{
	struct mb2_info_args a = {
		.cmdline = "console=com1 com1=115200,8n1",
		.loader_name = "baton",
		.modules = test_mods,
		.n_modules = 3,
		.fb = &test_fb,
		.efi_systab = 0x7f9ee018,
		.efi_image_handle = 0x7e1c4a98,
		.rsdp = rsdp_v2,
		.boot_services_running = true,
		.has_load_base = true,
		.load_base = 0x200000,
		.shdr_num = 3, .shdr_size = 40, .shdr_shndx = 2,
		.shdrs = test_shdrs,
	};

	return a;
}

/* Builds into a buffer of exactly mb2_info_size bytes (heap, so ASan sees
 * any overrun) and returns it. */
static uint8_t *build(const struct mb2_info_args *a, const struct rawmap *m,
		      size_t *cap)
{
	size_t n = m ? m->n : 0, bytes = m ? map_size(m) : 0;
	uint8_t *buf;

	*cap = mb2_info_size(a, n, bytes);
	buf = malloc(*cap);
	assert_non_null(buf);
	memset(buf, 0xee, *cap);
	assert_int_equal(mb2_build_info(buf, *cap, a, m ? m->buf : NULL, bytes,
					m ? m->desc : 48, 1), 0);
	assert_true(get32(buf) <= *cap);
	return buf;
}

static void test_mbi_every_tag(void **state)
{
	const uint32_t order[] = { 1, 2, 3, 3, 3, 4, 6, 8, 9, 12, 14, 15, 17,
				   18, 20, 21, 0 };
	const uint8_t colours[6] = { 16, 8, 8, 8, 0, 8 };	/* pos, size */
	struct mb2_info_args a = full_args();
	struct rawmap m;
	uint32_t types[32];
	const uint8_t *t;
	size_t cap, n;
	uint8_t *mbi;

	ovmf_map(&m, 48);
	mbi = build(&a, &m, &cap);
	/* Adjacent RAM runs merge, so the size is within the bound. */
	assert_true(get32(mbi) <= cap);
	n = walk_types(mbi, types, 32);
	assert_int_equal(n, sizeof(order) / 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(types[i], order[i]);

	t = find_tag(mbi, 1);
	assert_int_equal(get32(t + 4), 8 + strlen(a.cmdline) + 1);
	assert_string_equal((const char *)t + 8, a.cmdline);
	t = find_tag(mbi, 2);
	assert_int_equal(get32(t + 4), 8 + 6);
	assert_string_equal((const char *)t + 8, "baton");

	t = find_tag(mbi, 3);
	assert_int_equal(get32(t + 4), 16 + strlen(test_mods[0].string) + 1);
	assert_int_equal(get32(t + 8), 0x2000000);
	assert_int_equal(get32(t + 12), 0x2345678);
	assert_string_equal((const char *)t + 16, test_mods[0].string);
	t += (get32(t + 4) + 7) & ~7u;
	assert_int_equal(get32(t), 3);
	assert_int_equal(get32(t + 4), 17);		/* NULL string: just the NUL */
	assert_int_equal(get32(t + 8), 0x3000000);
	assert_int_equal(t[16], 0);

	t = find_tag(mbi, 8);
	assert_int_equal(get32(t + 4), 38);
	assert_int_equal(get64(t + 8), 0x80000000);
	assert_int_equal(get32(t + 16), 4096);
	assert_int_equal(get32(t + 20), 1024);
	assert_int_equal(get32(t + 24), 768);
	assert_int_equal(t[28], 32);
	assert_int_equal(t[29], 1);			/* direct RGB */
	assert_int_equal(t[30] | t[31], 0);		/* u16 reserved */
	assert_memory_equal(t + 32, colours, 6);

	t = find_tag(mbi, 9);
	assert_int_equal(get32(t + 4), 20 + 120);
	assert_int_equal(get32(t + 8), 3);
	assert_int_equal(get32(t + 12), 40);
	assert_int_equal(get32(t + 16), 2);
	assert_memory_equal(t + 20, test_shdrs, sizeof(test_shdrs));

	t = find_tag(mbi, 12);
	assert_int_equal(get32(t + 4), 16);
	assert_int_equal(get64(t + 8), 0x7f9ee018);
	t = find_tag(mbi, 18);
	assert_int_equal(get32(t + 4), 8);
	t = find_tag(mbi, 20);
	assert_int_equal(get32(t + 4), 16);
	assert_int_equal(get64(t + 8), 0x7e1c4a98);
	t = find_tag(mbi, 21);
	assert_int_equal(get32(t + 4), 12);
	assert_int_equal(get32(t + 8), 0x200000);
	free(mbi);
}

static void test_mbi_minimal(void **state)
{
	struct mb2_info_args a = { 0 };
	uint32_t types[4];
	uint8_t buf[32];
	size_t n;

	/* Nothing but an empty command line and the end tag. */
	assert_int_equal(mb2_info_size(&a, 0, 0), 8 + 16 + 8);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, NULL, 0, 48, 1), 0);
	assert_int_equal(get32(buf), 32);
	n = walk_types(buf, types, 4);
	assert_int_equal(n, 2);
	assert_int_equal(types[0], 1);
	assert_int_equal(get32(buf + 12), 9);
	assert_int_equal(buf[16], 0);
	assert_null(find_tag(buf, 4));
	assert_null(find_tag(buf, 6));
	assert_null(find_tag(buf, 17));
}

/* Every tag starts 8-byte aligned whatever the string lengths. */
static void test_mbi_alignment(void **state)
{
	char cmd[16], name[16], mod[16];
	struct mb2_module mods[2] = { { 1, 2, mod }, { 3, 4, name } };
	struct rawmap m;
	uint32_t types[32];

	ovmf_map(&m, 40);
	for (size_t i = 0; i < 9; i++) {
		struct mb2_info_args a = full_args();
		size_t cap;
		uint8_t *mbi;

		memset(cmd, 'c', i);
		cmd[i] = 0;
		memset(name, 'n', (i + 3) % 9);
		name[(i + 3) % 9] = 0;
		memset(mod, 'm', (i + 5) % 9);
		mod[(i + 5) % 9] = 0;
		a.cmdline = cmd;
		a.loader_name = name;
		a.modules = mods;
		a.n_modules = 2;
		a.shdr_size = 7 + (uint32_t)i;	/* odd ELF payloads too */
		a.shdr_num = 1;
		mbi = build(&a, &m, &cap);
		walk_types(mbi, types, 32);	/* asserts alignment and padding */
		assert_int_equal(count_tags(mbi, 3), 2);
		assert_string_equal((const char *)find_tag(mbi, 1) + 8, cmd);
		free(mbi);
	}
}

/* Checks the mmap entries against expected {base, len, type} triples. */
static void expect_mmap(const uint8_t *mbi, const uint64_t (*e)[3], size_t n)
{
	const uint8_t *t = find_tag(mbi, 6);

	assert_non_null(t);
	assert_int_equal(get32(t + 4), 16 + 24 * n);
	assert_int_equal(get32(t + 8), 24);
	assert_int_equal(get32(t + 12), 0);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *x = t + 16 + 24 * i;

		assert_int_equal(get64(x), e[i][0]);
		assert_int_equal(get64(x + 8), e[i][1]);
		assert_int_equal(get32(x + 16), e[i][2]);
		assert_int_equal(get32(x + 20), 0);
	}
}

static void check_ovmf_mmap(size_t desc)
{
	const uint64_t want[][3] = {
		{ 0, 0x9f000, 1 },
		{ 0x9f000, 0x61000, 2 },
		{ 0x100000, 0x700000, 1 },
		{ 0x800000, 0x100000, 4 },
		/* boot data and conventional: both RAM now, merged */
		{ 0x900000, 0x7fb00000 - 0x900000, 1 },
		{ 0x7fb00000, 0x10000, 3 },
		{ 0x7fb10000, 0x20000, 2 },
		{ 0xffc00000, 0x400000, 2 },
	};
	struct mb2_info_args a = { .cmdline = "x" };
	struct rawmap m;
	size_t cap;
	uint8_t *mbi;
	const uint8_t *t;

	ovmf_map(&m, desc);
	mbi = build(&a, &m, &cap);
	expect_mmap(mbi, want, sizeof(want) / sizeof(want[0]));
	t = find_tag(mbi, 4);
	assert_int_equal(get32(t + 4), 16);
	assert_int_equal(get32(t + 8), 0x9f000 / 1024);		/* 636 */
	assert_int_equal(get32(t + 12), 7 * 1024);		/* 1-8 MiB */
	t = find_tag(mbi, 17);
	assert_int_equal(get32(t + 4), 16 + map_size(&m));
	assert_int_equal(get32(t + 8), desc);
	assert_int_equal(get32(t + 12), 1);
	assert_memory_equal(t + 16, m.buf, map_size(&m));
	free(mbi);
}

static void test_mmap_40_byte_descriptors(void **state)
{
	check_ovmf_mmap(40);
}

static void test_mmap_48_byte_descriptors(void **state)
{
	check_ovmf_mmap(48);
}

static void test_mmap_types_and_merging(void **state)
{
	const uint64_t want[][3] = {
		{ 0, 0x3000, 1 },		/* loader data, code, boot code */
		{ 0x4000, 0x1000, 5 },
		{ 0x6000, 0x2000, 2 },		/* runtime code, MMIO port */
		{ 0x9000, 0x1000, 2 },		/* soft-reserved conventional */
		{ 0xb000, 0x1000, 1 },
		{ 0xd000, 0x1000, 2 },		/* persistent keeps its data */
		{ 0xf000, 0x1000, 2 },		/* unaccepted */
		{ 0x11000, 0x1000, 2 },		/* a type UEFI does not define */
		{ 0x13000, 0x2000, 4 },
		{ 0x15000, 0x1000, 3 },		/* touches NVS, another type */
	};
	struct mb2_info_args a = { 0 };
	struct rawmap m = { .desc = 40 };
	size_t cap;
	uint8_t *mbi;

	add_desc(&m, UEFI_ACPI_NVS, 0x14000, 1, 0);
	add_desc(&m, UEFI_ACPI_RECLAIM, 0x15000, 1, 0);
	add_desc(&m, UEFI_LOADER_CODE, 0x1000, 1, 0);
	add_desc(&m, UEFI_BOOT_CODE, 0x2000, 1, 0);
	add_desc(&m, UEFI_LOADER_DATA, 0, 1, 0);
	add_desc(&m, UEFI_UNUSABLE, 0x4000, 1, 0);
	add_desc(&m, UEFI_MMIO_PORT, 0x7000, 1, 0);
	add_desc(&m, UEFI_RUNTIME_CODE, 0x6000, 1, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x9000, 1, UEFI_MEMORY_SP);
	add_desc(&m, UEFI_BOOT_DATA, 0xb000, 1, 0);
	add_desc(&m, UEFI_PERSISTENT, 0xd000, 1, 0);
	add_desc(&m, UEFI_UNACCEPTED, 0xf000, 1, 0);
	add_desc(&m, 0x70000000, 0x11000, 1, 0);
	add_desc(&m, UEFI_ACPI_NVS, 0x13000, 1, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x20000, 0, 0);	/* empty: dropped */
	mbi = build(&a, &m, &cap);
	expect_mmap(mbi, want, sizeof(want) / sizeof(want[0]));
	/* Lower memory stops at the first hole; nothing at 1 MiB. */
	assert_int_equal(get32(find_tag(mbi, 4) + 8), 12);
	assert_int_equal(get32(find_tag(mbi, 4) + 12), 0);
	free(mbi);
}

/* While boot services run, their memory and the loader's are in use. */
static void test_mmap_boot_services_running(void **state)
{
	/* As after ExitBootServices: the kernel follows the EFI map (tag 17)
	 * while boot services run; this map describes what it will own. */
	const uint64_t want[][3] = {
		{ 0, 0x4000, 1 },
		{ 0x100000, 0x300000, 1 },
	};
	struct mb2_info_args a = { .boot_services_running = true };
	struct rawmap m = { .desc = 48 };
	size_t cap;
	uint8_t *mbi;

	add_desc(&m, UEFI_CONVENTIONAL, 0, 1, 0);
	add_desc(&m, UEFI_BOOT_DATA, 0x1000, 1, 0);
	add_desc(&m, UEFI_LOADER_CODE, 0x2000, 1, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x3000, 1, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x100000, 0x100, 0);
	add_desc(&m, UEFI_BOOT_CODE, 0x200000, 0x100, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x300000, 0x100, 0);
	mbi = build(&a, &m, &cap);
	expect_mmap(mbi, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(get32(find_tag(mbi, 4) + 8), 16);
	assert_int_equal(get32(find_tag(mbi, 4) + 12), 3072);
	assert_non_null(find_tag(mbi, 18));
	free(mbi);
}

static void test_meminfo_limits(void **state)
{
	struct mb2_info_args a = { 0 };
	struct rawmap m = { .desc = 40 };
	size_t cap;
	uint8_t *mbi;

	/* RAM from 0 to 8 GiB in overlapping, unordered pieces, two with
	 * one base: lower is capped at 640 KiB, upper counts from 1 MiB to
	 * the end. */
	add_desc(&m, UEFI_CONVENTIONAL, 0, 0x10, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x100000000ULL, 0x100000, 0);
	add_desc(&m, UEFI_BOOT_DATA, 0x80000, 0x80, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0x100000, 0xfff00, 0);
	add_desc(&m, UEFI_CONVENTIONAL, 0, 0x100, 0);
	mbi = build(&a, &m, &cap);
	assert_int_equal(get32(find_tag(mbi, 4) + 8), 640);
	assert_int_equal(get32(find_tag(mbi, 4) + 12), 8 * 1024 * 1024 - 1024);
	/* One merged RAM entry from the overlapping pieces. */
	const uint64_t want[][3] = { { 0, 0x200000000ULL, 1 } };
	expect_mmap(mbi, want, 1);
	free(mbi);

	/* More than 4 TiB of upper memory saturates the u32 KiB count. */
	m.n = 0;
	add_desc(&m, UEFI_CONVENTIONAL, 0x100000, 0x100000000ULL, 0);
	mbi = build(&a, &m, &cap);
	assert_int_equal(get32(find_tag(mbi, 4) + 12), 0xffffffff);
	free(mbi);
}

static void test_rsdp_v1(void **state)
{
	uint8_t v1[20];
	struct mb2_info_args a = { .rsdp = v1 };
	struct rawmap m;
	size_t cap;
	uint8_t *mbi;
	const uint8_t *t;

	memcpy(v1, rsdp_v2, 20);
	v1[15] = 0;
	ovmf_map(&m, 48);
	mbi = build(&a, &m, &cap);
	t = find_tag(mbi, 14);
	assert_int_equal(get32(t + 4), 28);
	assert_memory_equal(t + 8, v1, 20);
	assert_null(find_tag(mbi, 15));
	free(mbi);
}

static void test_rsdp_v2(void **state)
{
	uint8_t big[48], bad[36];
	struct mb2_info_args a = { .rsdp = rsdp_v2 };
	size_t cap;
	uint8_t *mbi;
	const uint8_t *t;

	mbi = build(&a, NULL, &cap);
	assert_int_equal(get32(mbi), cap);
	t = find_tag(mbi, 14);
	assert_int_equal(get32(t + 4), 28);
	assert_memory_equal(t + 8, rsdp_v2, 20);
	t = find_tag(mbi, 15);
	assert_int_equal(get32(t + 4), 8 + 36);
	assert_memory_equal(t + 8, rsdp_v2, 36);
	free(mbi);

	/* The length field decides how much is copied. */
	memset(big, 0x5a, sizeof(big));
	memcpy(big, rsdp_v2, 20);
	put32(big + 20, 48);
	a.rsdp = big;
	mbi = build(&a, NULL, &cap);
	t = find_tag(mbi, 15);
	assert_int_equal(get32(t + 4), 8 + 48);
	assert_memory_equal(t + 8, big, 48);
	free(mbi);

	/* A length shorter than an ACPI 2.0 RSDP: only the 1.0 part. */
	memcpy(bad, rsdp_v2, 36);
	put32(bad + 20, 20);
	a.rsdp = bad;
	mbi = build(&a, NULL, &cap);
	assert_non_null(find_tag(mbi, 14));
	assert_null(find_tag(mbi, 15));
	free(mbi);
}

/* Every capacity below what the tags need fails cleanly, and nothing is
 * written past it. */
static void test_too_small(void **state)
{
	struct mb2_info_args a = full_args();
	struct rawmap m;
	size_t need, total;
	uint8_t *buf, *mbi;

	ovmf_map(&m, 48);
	mbi = build(&a, &m, &need);
	total = get32(mbi);
	free(mbi);
	buf = malloc(need + 64);
	assert_non_null(buf);
	for (size_t cap = 0; cap < total; cap++) {
		memset(buf, 0xcc, need + 64);
		assert_int_equal(mb2_build_info(buf, cap, &a, m.buf, map_size(&m),
						48, 1), BT_ETOOBIG);
		for (size_t i = cap; i < need + 64; i++)
			assert_int_equal(buf[i], 0xcc);
	}
	assert_int_equal(mb2_build_info(buf, total, &a, m.buf, map_size(&m), 48, 1), 0);
	assert_int_equal(get32(buf), total);
	free(buf);
}

/* The size bound holds for a map of many unmergeable entries. */
static void test_size_bound_many_entries(void **state)
{
	struct mb2_info_args a = { .cmdline = "" };
	struct rawmap m = { .desc = 48 };
	size_t cap;
	uint8_t *mbi;

	for (uint64_t i = 0; i < 64; i++)
		add_desc(&m, i % 2 ? UEFI_RESERVED : UEFI_CONVENTIONAL,
			 (63 - i) * 0x1000, 1, 0);
	mbi = build(&a, &m, &cap);
	assert_int_equal(get32(mbi), cap);
	assert_int_equal(get32(find_tag(mbi, 6) + 4), 16 + 64 * 24);
	free(mbi);
}

static void test_malformed_map(void **state)
{
	struct mb2_info_args a = { 0 };
	struct rawmap m = { .desc = 40 };
	uint8_t buf[512];

	add_desc(&m, UEFI_CONVENTIONAL, 0, 1, 0);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, m.buf, 40, 32, 1), BT_EINVAL);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, m.buf, 39, 40, 1), BT_EINVAL);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, NULL, 40, 40, 1), BT_EINVAL);
	add_desc(&m, UEFI_CONVENTIONAL, 0xfffffffffffff000ULL, 2, 0);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, m.buf, 80, 40, 1), BT_EINVAL);
	/* Reaching 2^64 is refused as memmap_from_uefi refuses it; just
	 * below is fine. */
	m.n = 1;
	add_desc(&m, UEFI_RESERVED, 0xfffffffffffff000ULL, 1, 0);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, m.buf, 80, 40, 1), BT_EINVAL);
	m.n = 1;
	add_desc(&m, UEFI_RESERVED, 0xffffffffffffe000ULL, 1, 0);
	assert_int_equal(mb2_build_info(buf, sizeof(buf), &a, m.buf, 80, 40, 1), 0);
	assert_int_equal(get64(find_tag(buf, 6) + 16 + 24), 0xffffffffffffe000ULL);
}

static void test_size_saturates(void **state)
{
	struct mb2_info_args a = { 0 };

	assert_int_equal(mb2_info_size(&a, SIZE_MAX / 2, 0), SIZE_MAX);
	assert_int_equal(mb2_info_size(&a, 0, SIZE_MAX - 4), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_at_offsets),
		cmocka_unit_test(test_find_exact_file),
		cmocka_unit_test(test_find_unaligned_ignored),
		cmocka_unit_test(test_find_past_search_window),
		cmocka_unit_test(test_find_bad_checksum),
		cmocka_unit_test(test_find_bad_architecture),
		cmocka_unit_test(test_find_header_length),
		cmocka_unit_test(test_every_tag),
		cmocka_unit_test(test_xen_like),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_info_request),
		cmocka_unit_test(test_many_requests_kept_to_32),
		cmocka_unit_test(test_tag_sizes),
		cmocka_unit_test(test_address_and_relocatable_checks),
		cmocka_unit_test(test_message_truncated_safely),
		cmocka_unit_test(test_mbi_every_tag),
		cmocka_unit_test(test_mbi_minimal),
		cmocka_unit_test(test_mbi_alignment),
		cmocka_unit_test(test_mmap_40_byte_descriptors),
		cmocka_unit_test(test_mmap_48_byte_descriptors),
		cmocka_unit_test(test_mmap_types_and_merging),
		cmocka_unit_test(test_mmap_boot_services_running),
		cmocka_unit_test(test_meminfo_limits),
		cmocka_unit_test(test_rsdp_v1),
		cmocka_unit_test(test_rsdp_v2),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_size_bound_many_entries),
		cmocka_unit_test(test_malformed_map),
		cmocka_unit_test(test_size_saturates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
