#include "kexec/kload.h"
#include "kexec/backend.h"
#include "kexec/kalloc.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

int kload_init(struct kload *kl, struct fw *fw, enum kimage_mode mode,
	       char *err, size_t errlen)
{
	int rc;

	memset(kl, 0, sizeof(*kl));
	kl->fw = fw;
	kl->be = kexec_default_backend;
	kimage_init(&kl->ki, mode);
	fw_platform(fw, &kl->plat);
	rc = fw_memmap(fw, &kl->map);
	if (rc)
		fmt_buf(err, errlen, "cannot read the firmware's memory map: %s",
			bt_strerror(rc));
	return rc;
}

static int remember(struct kload *kl, uint64_t addr, uint64_t npages)
{
	if (kl->n_allocs == KLOAD_MAX_ALLOCS) {
		kl->be->free(kl, addr, npages);
		return BT_ENOMEM;
	}
	kl->allocs[kl->n_allocs].addr = addr;
	kl->allocs[kl->n_allocs].pages = npages;
	kl->n_allocs++;
	return 0;
}

int kload_alloc(struct kload *kl, uint64_t npages, uint64_t max, uint64_t *addr)
{
	int rc = kl->be->alloc(kl, npages, max, addr);

	return rc ? rc : remember(kl, *addr, npages);
}

int kload_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages)
{
	int rc = kl->be->alloc_at(kl, addr, npages);

	return rc ? rc : remember(kl, addr, npages);
}

int kload_add_in_place(struct kload *kl, uint64_t addr, uint64_t bytes,
		       const char *name, char *err, size_t errlen)
{
	/* The trampoline moves quadwords: the bytes up to the next multiple
	 * of 8 are part of the segment and must be zero (the allocation is
	 * whole pages, so they exist). */
	memset((uint8_t *)(uintptr_t)(addr + bytes), 0, ((bytes + 7) & ~7ULL) - bytes);
	return kimage_add(&kl->ki, addr, bytes, addr, bytes ? bytes : 1, name,
			  err, errlen);
}

int kload_fw_alloc(struct kload *kl, uint64_t npages, uint64_t max,
		   uint64_t *addr)
{
	return kalloc_pages(kl->fw, &kl->ki, npages, max, addr);
}

int kload_fw_alloc_at(struct kload *kl, uint64_t addr, uint64_t npages)
{
	return fw_alloc_pages_at(kl->fw, addr, npages);
}

void kload_fw_free(struct kload *kl, uint64_t addr, uint64_t npages)
{
	fw_free_pages(kl->fw, addr, npages);
}

void kload_release(struct kload *kl)
{
	while (kl->n_allocs) {
		kl->n_allocs--;
		kl->be->free(kl, kl->allocs[kl->n_allocs].addr,
			     kl->allocs[kl->n_allocs].pages);
	}
	bt_free(kl->map.r);
	kl->map.r = NULL;
	kl->map.n = 0;
}

/* Allocate the buffer the final memory map is read into. */
static int alloc_final_map(struct kload *kl, char *err, size_t errlen)
{
	uint64_t addr, pages;
	int rc;

	kl->final_cap = fw_memmap_bytes(kl->fw) + 2 * PAGE_SIZE;
	pages = (kl->final_cap + PAGE_SIZE - 1) / PAGE_SIZE;
	rc = kload_alloc(kl, pages, UINT64_MAX, &addr);
	if (rc) {
		fmt_buf(err, errlen, "no memory for the final memory map");
		return rc;
	}
	rc = kload_add_in_place(kl, addr, pages * PAGE_SIZE, "memory map",
				err, errlen);
	/* Only a buffer that is kept: on failure kload_boot gives the pages
	 * back at once. */
	if (!rc)
		kl->final_map = (void *)(uintptr_t)addr;
	return rc;
}

int kload_boot(struct kload *kl, const struct kload_opts *o, char *err,
	       size_t errlen)
{
	int rc;

	if (!kl->final_map && (rc = alloc_final_map(kl, err, errlen)))
		goto fail;
	rc = kimage_validate(&kl->ki, &kl->map, err, errlen);
	if (rc)
		goto fail;
	rc = kl->be->prepare(kl, err, errlen);
	if (rc)
		goto fail;
	rc = kl->be->exec(kl, o, err, errlen);	/* returns only on failure */
	kl->be->cleanup(kl);
fail:
	kload_release(kl);
	return rc;
}
