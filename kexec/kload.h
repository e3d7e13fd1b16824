/*
 * The common kexec path every handoff protocol ends in (DESIGN.md, boot path
 * steps 6-10): the protocol fills a struct kload (segments, entry, and a
 * callback for data that depends on the final memory map), then kload_boot()
 * validates it and has the backend (kexec/backend.h) prepare the handoff
 * and execute it: on UEFI, exit boot services, quiesce the interrupt
 * controllers and jump.
 */
#ifndef BATON_KEXEC_KLOAD_H
#define BATON_KEXEC_KLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "firmware/firmware.h"
#include "kexec/backend.h"
#include "kexec/kimage.h"
#include "arch/x86_64/kexec.h"

#define KLOAD_MAX_ALLOCS 32

struct kload {
	struct fw *fw;
	const struct kexec_backend *be;	/* kexec_uefi_backend unless a test
					 * sets another after kload_init */
	struct kexec_control kc;	/* the backend's prepared handoff */
	struct kimage ki;
	struct memmap map;		/* the memory map when loading began */
	struct fw_platform plat;
	struct {
		uint64_t addr, pages;
	} allocs[KLOAD_MAX_ALLOCS];	/* pages to give back on failure */
	size_t n_allocs;
	void *final_map;		/* buffer for the final memory map */
	size_t final_cap;
	fw_final_map_cb final_cb;	/* the protocol's post-exit writer */
	void *final_ctx;
};

struct kload_opts {
	bool quiesce;		/* machine_shutdown (false: kexec-on-panic style) */
	bool disturb;		/* tests: disturb the interrupt controllers first */
};

/* Start loading: mode of entry, memory map and platform facts.  Returns 0,
 * or a BT_E* code with a message in err. */
int kload_init(struct kload *kl, struct fw *fw, enum kimage_mode mode,
	       char *err, size_t errlen);

/*
 * Allocate npages at or below max outside every destination added so far
 * (kalloc_pages), remembered for kload_release().  Add destinations first.
 */
int kload_alloc(struct kload *kl, uint64_t npages, uint64_t max, uint64_t *addr);

/* Allocate exactly at addr (remembered); BT_ENOENT when not free. */
int kload_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages);

/*
 * Add memory baton filled in place (command line, boot_params, initrds) as a
 * segment whose source is its destination, so validation covers it.
 */
int kload_add_in_place(struct kload *kl, uint64_t addr, uint64_t bytes,
		       const char *name, char *err, size_t errlen);

/*
 * Backend ops for pages from the platform's page service (fw_alloc_pages*),
 * the allocator kept outside destinations: what the UEFI and the Linux
 * backends both hand out.
 */
int kload_fw_alloc(struct kload *kl, uint64_t npages, uint64_t max,
		   uint64_t *addr);
int kload_fw_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages);
void kload_fw_free(struct kload *kl, uint64_t addr, uint64_t npages);

/* Give back everything allocated; the boot was abandoned. */
void kload_release(struct kload *kl);

/*
 * Validate, prepare, exit boot services and hand over.  Returns only when
 * something failed before the first ExitBootServices call (message in err;
 * everything given back).  A failed ExitBootServices is retried with a
 * fresh memory map a bounded number of times; when it keeps failing, and
 * for any failure after it, the message goes to COM1 and the machine
 * resets (machine_panic): the firmware may already be half shut down.
 */
int kload_boot(struct kload *kl, const struct kload_opts *o, char *err,
	       size_t errlen);

#endif
