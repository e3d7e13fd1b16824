/*
 * The kexec-style image: what is to be copied where, and how to enter it.
 *
 * A protocol (linux.c, multiboot*.c) loads files into source buffers anywhere
 * in memory and describes them as segments {buf, bufsz, mem, memsz}; the
 * trampoline copies each buf to its destination mem after ExitBootServices
 * and zero-fills up to memsz.  Everything is validated here, before anything
 * moves.
 *
 * THE INVARIANT (kept by kimage_validate, and by the allocator that places
 * source buffers and control pages): no source buffer and no control page
 * overlaps any destination range, unless a segment's source IS its own
 * destination (buf == mem, loaded in place, nothing to copy).  So copying the
 * segments in any order never overwrites a byte before it is copied.
 */
#ifndef BATON_KEXEC_KIMAGE_H
#define BATON_KEXEC_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/memmap.h"

#define KIMAGE_MAX_SEGMENTS 32

enum kimage_mode {
	KIMAGE_LONG_MODE,	/* 64-bit, paging on (the identity map) */
	KIMAGE_PROTECTED_32,	/* 32-bit protected mode, paging off */
};

struct kimage_segment {
	uint64_t buf;		/* physical address of the source bytes */
	const void *ptr;	/* the same bytes where baton reads them: the
				 * copy a userspace backend hands to the kernel.
				 * kimage_add sets it to buf, as it is on UEFI,
				 * where baton runs identity-mapped; a backend
				 * that maps memory elsewhere sets its own */
	uint64_t bufsz;		/* bytes to copy */
	uint64_t mem;		/* destination, page-aligned */
	uint64_t memsz;		/* destination size, page multiple, >= bufsz;
				 * the tail beyond bufsz is zero-filled */
	const char *name;	/* for messages: "vmlinuz", "initrd", ... */
	bool scratch_tail;	/* the memory beyond bufsz is the kernel's to use
				 * but need not be zeroed (a bzImage's
				 * init_size): reserved, not cleared */
};

/* Registers at entry (the rest are zero). */
struct kimage_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
};

struct kimage {
	struct kimage_segment seg[KIMAGE_MAX_SEGMENTS];
	size_t nr;
	uint64_t entry;		/* physical entry point */
	enum kimage_mode mode;
	struct kimage_regs regs;
};

/* Start an empty image. */
void kimage_init(struct kimage *ki, enum kimage_mode mode);

/*
 * Add a segment.  Rounds memsz up to a page.  BT_EINVAL (message in err,
 * naming the segment) when mem is not page-aligned, bufsz > memsz, the range
 * wraps around, or there are already KIMAGE_MAX_SEGMENTS.  name is not
 * copied: it must live as long as the image.
 */
int kimage_add(struct kimage *ki, uint64_t buf, uint64_t bufsz, uint64_t mem,
	       uint64_t memsz, const char *name, char *err, size_t errlen);

/*
 * Check the whole image against the memory map that will hold after
 * ExitBootServices: destinations page-aligned, non-overlapping, inside RAM
 * (memmap_is_ram), below 4 GiB too in KIMAGE_PROTECTED_32 mode (and the
 * entry point); sources outside every destination (or equal to their own);
 * entry inside some segment.  Returns 0 or BT_EINVAL with a message naming
 * the segment(s) and the conflicting range, e.g.
 * "segment 'initrd' [0x1000000-0x1200000) overlaps 'vmlinuz' [...]".
 */
int kimage_validate(const struct kimage *ki, const struct memmap *ram,
		    char *err, size_t errlen);

/* Whether [start, end) overlaps any segment's destination. */
bool kimage_hits_destination(const struct kimage *ki, uint64_t start,
			     uint64_t end);

/*
 * The copy plan the trampoline executes: a packed array of entries, in the
 * format written at the top of arch/x86_64/trampoline_copy.asm:
 *   { u64 src; u64 dst; u64 copy_bytes; u64 zero_bytes; }
 * Each entry copies copy_bytes from src to dst, then zeroes zero_bytes at
 * dst + copy_bytes.  With len = bufsz rounded up to 8 (the trampoline moves
 * quadwords, so copy_bytes and zero_bytes are multiples of 8):
 *   copied segment:   src = buf, dst = mem, copy len, zero memsz - len;
 *   in place (buf == mem): src = dst = mem + len, copy 0, zero memsz - len.
 * The source's bytes from bufsz up to len are copied as they are, so they
 * must exist and be zero (kimage_add callers allocate whole zeroed pages).
 * For a validated image only (kimage_validate); entries in segment order,
 * which does not matter, by THE INVARIANT.
 */
struct kexec_copy {
	uint64_t src, dst, copy_bytes, zero_bytes;
};

/* Fill plan[0..ki->nr) and return the count (plan holds KIMAGE_MAX_SEGMENTS). */
size_t kimage_plan(const struct kimage *ki, struct kexec_copy *plan);

#endif
