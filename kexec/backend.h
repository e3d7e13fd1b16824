/*
 * Where a kexec image is loaded and how it is entered: one ops struct per
 * platform.  The UEFI backend (kexec/backend_uefi.c) allocates through the
 * firmware, prepares the trampoline and identity maps, exits boot services,
 * quiesces the interrupt controllers and jumps; host tests run the same
 * backend over the host double of the firmware and the machine, or a
 * recording backend of their own.  The Linux userspace backend of baton-kexec
 * (linux/kexec.c) hands the segments to kexec_load(2), with the
 * trampoline's entry half as their purgatory.
 */
#ifndef BATON_KEXEC_BACKEND_H
#define BATON_KEXEC_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct kload;
struct kload_opts;

struct kexec_backend {
	const char *name;
	/*
	 * npages pages at or below max (the last usable byte's address)
	 * that overlap no destination added so far; BT_ENOMEM.
	 */
	int (*alloc)(struct kload *kl, uint64_t npages, uint64_t max,
		     uint64_t *addr);
	/* Exactly [addr, addr + npages pages); BT_ENOENT when not free. */
	int (*alloc_at)(struct kload *kl, uint64_t addr, uint64_t npages);
	/* Give back pages from alloc or alloc_at. */
	void (*free)(struct kload *kl, uint64_t addr, uint64_t npages);
	/*
	 * Everything that can still fail cleanly, for a validated image:
	 * control pages, page tables, the plan.  0, or a BT_E* code with a
	 * message in err and nothing kept.
	 */
	int (*prepare)(struct kload *kl, char *err, size_t errlen);
	/* Undo prepare (the boot was abandoned after it). */
	void (*cleanup)(struct kload *kl);
	/*
	 * Leave the platform and enter the image.  Returns only when it
	 * failed before the point of no return (message in err; the caller
	 * then calls cleanup); failures after it never return.
	 */
	int (*exec)(struct kload *kl, const struct kload_opts *o, char *err,
		    size_t errlen);
};

/* The UEFI backend: the firmware's pages and ExitBootServices. */
extern const struct kexec_backend kexec_uefi_backend;

/* The platform's backend, which kload_init() picks: the UEFI one in
 * baton.efi and the host tests, kexec_load(2)'s in baton-kexec
 * (linux/kexec.c). */
extern const struct kexec_backend *const kexec_default_backend;

#endif
