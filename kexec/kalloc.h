/*
 * Allocating memory for a handoff that no copy will overwrite: source
 * buffers, in-place data (command line, boot_params, initrds) and the
 * trampoline's control pages all come from here.
 */
#ifndef BATON_KEXEC_KALLOC_H
#define BATON_KEXEC_KALLOC_H

#include <stdint.h>
#include "kexec/kimage.h"

struct fw;

/*
 * Allocate npages pages at or below max that overlap no destination of ki.
 * The firmware may hand out free pages that lie inside a destination (such
 * memory is free now and overwritten later); those are held, so that the
 * next try gets other pages, and given back once a good block is found
 * (Linux's kimage_alloc_normal_control_pages does the same).  Returns 0 or
 * BT_ENOMEM.
 */
int kalloc_pages(struct fw *fw, const struct kimage *ki, uint64_t npages,
		 uint64_t max, uint64_t *addr);

#endif
