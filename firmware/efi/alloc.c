/*
 * bt_alloc() and friends on the firmware's pool.  Each block carries its
 * size in a 16-byte header (which keeps the 16-byte alignment the pool
 * gives), so bt_realloc() knows how much to copy.
 */
#include "firmware/efi/efi_fw.h"
#include "lib/mem.h"

EFI_BOOT_SERVICES *efi_bs;

#define HDR 16

void *bt_alloc(size_t n)
{
	void *p;

	if (n > (size_t)-1 - HDR)
		return NULL;
	if (efi_bs->AllocatePool(EfiLoaderData, n + HDR, &p) != EFI_SUCCESS)
		return NULL;
	*(size_t *)p = n;
	return (char *)p + HDR;
}

void *bt_zalloc(size_t n)
{
	void *p = bt_alloc(n);

	if (p)
		memset(p, 0, n);
	return p;
}

void *bt_realloc(void *old, size_t n)
{
	size_t have;
	void *p;

	if (!old)
		return bt_alloc(n);
	p = bt_alloc(n);
	if (!p)
		return NULL;
	have = *(size_t *)((char *)old - HDR);
	memcpy(p, old, have < n ? have : n);
	bt_free(old);
	return p;
}

void bt_free(void *p)
{
	if (p)
		efi_bs->FreePool((char *)p - HDR);
}
