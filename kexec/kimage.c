#include "kexec/kimage.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define FOUR_GIB (1ULL << 32)
#define RANGE "[0x%llx-0x%llx)"

typedef unsigned long long ull;

static const char *seg_name(const struct kimage_segment *s)
{
	return s->name ? s->name : "(unnamed)";
}

/* Whether [start, start + len) is representable: its end does not wrap. */
static bool range_fits(uint64_t start, uint64_t len)
{
	return len <= UINT64_MAX - start;
}

/* The trampoline moves quadwords, so a source is read in whole ones. */
static uint64_t src_len(const struct kimage_segment *s)
{
	return (s->bufsz + 7) & ~7ULL;
}

static uint64_t dst_end(const struct kimage_segment *s)
{
	return s->mem + s->memsz;
}

static bool in_place(const struct kimage_segment *s)
{
	return s->buf == s->mem;
}

/* Overlap of [a, a_end) and [b, b_end); an empty range overlaps nothing. */
static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < a_end && b < b_end && a < b_end && b < a_end;
}

void kimage_init(struct kimage *ki, enum kimage_mode mode)
{
	memset(ki, 0, sizeof(*ki));
	ki->mode = mode;
}

/* The checks one segment must pass on its own.  Dest wrap-around is ruled
 * out before any message prints the destination's end. */
static int seg_check(const struct kimage_segment *s, char *err, size_t errlen)
{
	const char *n = seg_name(s);

	if (s->mem % PAGE_SIZE) {
		fmt_buf(err, errlen, "segment '%s': destination 0x%llx is not "
			"page-aligned", n, (ull)s->mem);
		return BT_EINVAL;
	}
	if (s->memsz % PAGE_SIZE) {
		fmt_buf(err, errlen, "segment '%s': size 0x%llx is not a whole "
			"number of pages", n, (ull)s->memsz);
		return BT_EINVAL;
	}
	if (!range_fits(s->mem, s->memsz)) {
		fmt_buf(err, errlen, "segment '%s': 0x%llx bytes at 0x%llx wrap "
			"around the address space", n, (ull)s->memsz, (ull)s->mem);
		return BT_EINVAL;
	}
	if (s->bufsz > s->memsz) {
		fmt_buf(err, errlen, "segment '%s' has 0x%llx bytes but its "
			"destination " RANGE " holds only 0x%llx", n,
			(ull)s->bufsz, (ull)s->mem, (ull)dst_end(s), (ull)s->memsz);
		return BT_EINVAL;
	}
	/* bufsz <= memsz, a page multiple, so rounding it to 8 cannot wrap. */
	if (!range_fits(s->buf, src_len(s))) {
		fmt_buf(err, errlen, "segment '%s': source of 0x%llx bytes at "
			"0x%llx wraps around the address space", n,
			(ull)s->bufsz, (ull)s->buf);
		return BT_EINVAL;
	}
	return 0;
}

int kimage_add(struct kimage *ki, uint64_t buf, uint64_t bufsz, uint64_t mem,
	       uint64_t memsz, const char *name, char *err, size_t errlen)
{
	struct kimage_segment s = {
		.buf = buf, .ptr = (const void *)(uintptr_t)buf, .bufsz = bufsz,
		.mem = mem, .memsz = memsz, .name = name,
	};
	int rc;

	if (ki->nr >= KIMAGE_MAX_SEGMENTS) {
		fmt_buf(err, errlen, "too many segments: '%s' would be number "
			"%zu (at most %d)", seg_name(&s), ki->nr + 1,
			KIMAGE_MAX_SEGMENTS);
		return BT_EINVAL;
	}
	if (memsz > UINT64_MAX - (PAGE_SIZE - 1)) {
		fmt_buf(err, errlen, "segment '%s': 0x%llx bytes at 0x%llx wrap "
			"around the address space", seg_name(&s), (ull)memsz,
			(ull)mem);
		return BT_EINVAL;
	}
	s.memsz = (memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	rc = seg_check(&s, err, errlen);
	if (rc)
		return rc;
	ki->seg[ki->nr++] = s;
	return 0;
}

/* Where a destination may be: RAM nobody owns after ExitBootServices, and
 * in 32-bit mode (no paging, so no way above) below 4 GiB. */
static int seg_check_place(const struct kimage *ki,
			   const struct kimage_segment *s,
			   const struct memmap *ram, char *err, size_t errlen)
{
	if (ki->mode == KIMAGE_PROTECTED_32 && dst_end(s) > FOUR_GIB) {
		fmt_buf(err, errlen, "segment '%s' " RANGE " is above 4 GiB, "
			"out of reach of a 32-bit entry without paging",
			seg_name(s), (ull)s->mem, (ull)dst_end(s));
		return BT_EINVAL;
	}
	if (!memmap_is_ram(ram, s->mem, dst_end(s))) {
		fmt_buf(err, errlen, "segment '%s' " RANGE " is not in RAM that "
			"is free after ExitBootServices", seg_name(s),
			(ull)s->mem, (ull)dst_end(s));
		return BT_EINVAL;
	}
	return 0;
}

static int check_dest_overlaps(const struct kimage *ki, char *err,
			       size_t errlen)
{
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *a = &ki->seg[i];

		for (size_t j = 0; j < i; j++) {
			const struct kimage_segment *b = &ki->seg[j];

			if (!overlaps(a->mem, dst_end(a), b->mem, dst_end(b)))
				continue;
			fmt_buf(err, errlen, "segment '%s' " RANGE " overlaps '%s' "
				RANGE, seg_name(a), (ull)a->mem, (ull)dst_end(a),
				seg_name(b), (ull)b->mem, (ull)dst_end(b));
			return BT_EINVAL;
		}
	}
	return 0;
}

/*
 * THE INVARIANT, kept here: every source is either exactly its own
 * destination (buf == mem: nothing to copy, and since destinations do not
 * overlap, no other copy writes there), or it overlaps no destination at all,
 * its own included (a forward quadword copy into an overlapping destination
 * would overwrite bytes it has yet to read).  So the trampoline may copy the
 * segments in any order and every source still holds its bytes when read.
 */
static int check_sources(const struct kimage *ki, char *err, size_t errlen)
{
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];
		uint64_t end = s->buf + src_len(s);

		if (in_place(s))
			continue;
		for (size_t j = 0; j < ki->nr; j++) {
			const struct kimage_segment *d = &ki->seg[j];

			if (!overlaps(s->buf, end, d->mem, dst_end(d)))
				continue;
			fmt_buf(err, errlen, "segment '%s': its source " RANGE
				" overlaps %s%s%s destination " RANGE
				", which would overwrite it before it is copied",
				seg_name(s), (ull)s->buf, (ull)end,
				i == j ? "its own" : "'",
				i == j ? "" : seg_name(d), i == j ? "" : "'s",
				(ull)d->mem, (ull)dst_end(d));
			return BT_EINVAL;
		}
	}
	return 0;
}

static int check_entry(const struct kimage *ki, char *err, size_t errlen)
{
	if (ki->mode == KIMAGE_PROTECTED_32 && ki->entry >= FOUR_GIB) {
		fmt_buf(err, errlen, "entry point 0x%llx is above 4 GiB, out of "
			"reach of a 32-bit entry", (ull)ki->entry);
		return BT_EINVAL;
	}
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];

		if (ki->entry >= s->mem && ki->entry < dst_end(s))
			return 0;
	}
	fmt_buf(err, errlen, "entry point 0x%llx is outside every segment",
		(ull)ki->entry);
	return BT_EINVAL;
}

int kimage_validate(const struct kimage *ki, const struct memmap *ram,
		    char *err, size_t errlen)
{
	int rc;

	if (!ki->nr || ki->nr > KIMAGE_MAX_SEGMENTS) {
		fmt_buf(err, errlen, "the image has %zu segments (1 to %d "
			"allowed)", ki->nr, KIMAGE_MAX_SEGMENTS);
		return BT_EINVAL;
	}
	/* Each segment's shape first: the checks after it rely on ranges
	 * that neither wrap nor break alignment. */
	for (size_t i = 0; i < ki->nr; i++) {
		rc = seg_check(&ki->seg[i], err, errlen);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < ki->nr; i++) {
		rc = seg_check_place(ki, &ki->seg[i], ram, err, errlen);
		if (rc)
			return rc;
	}
	rc = check_dest_overlaps(ki, err, errlen);
	if (!rc)
		rc = check_sources(ki, err, errlen);
	if (!rc)
		rc = check_entry(ki, err, errlen);
	return rc;
}

bool kimage_hits_destination(const struct kimage *ki, uint64_t start,
			     uint64_t end)
{
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];

		if (overlaps(start, end, s->mem, dst_end(s)))
			return true;
	}
	return false;
}

size_t kimage_plan(const struct kimage *ki, struct kexec_copy *plan)
{
	for (size_t i = 0; i < ki->nr; i++) {
		const struct kimage_segment *s = &ki->seg[i];
		uint64_t len = src_len(s);
		struct kexec_copy *c = &plan[i];

		if (in_place(s)) {
			/* The bytes are already there: only the tail. */
			c->src = c->dst = s->mem + len;
			c->copy_bytes = 0;
		} else {
			c->src = s->buf;
			c->dst = s->mem;
			c->copy_bytes = len;
		}
		/* A kernel's scratch area is only reserved: clearing tens of
		 * megabytes it will overwrite anyway costs time for nothing. */
		c->zero_bytes = s->scratch_tail ? 0 : s->memsz - len;
	}
	return ki->nr;
}
