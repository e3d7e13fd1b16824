/* The Boot Loader Interface's variables through the runtime services. */
#include "firmware/efi/efi_fw.h"
#include "firmware/vars.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

static EFI_GUID loader_guid = { 0x4a67b082, 0x0a4c, 0x41cf,
	{ 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };

#define VAR_NAME_MAX 64

/* name as UCS-2 in out (VAR_NAME_MAX units); names are baton's own ASCII. */
static void var_name(const char *name, CHAR16 *out)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < VAR_NAME_MAX; i++)
		out[i] = (unsigned char)name[i];
	out[i] = 0;
}

int fw_var_get(struct fw *fw, const char *name, void *buf, size_t cap,
	       size_t *len, char *why, size_t whylen)
{
	CHAR16 n[VAR_NAME_MAX];
	UINTN size = cap;
	EFI_STATUS st;

	var_name(name, n);
	st = fw->rs->GetVariable(n, &loader_guid, NULL, &size, buf);
	*len = size;
	if (st == EFI_SUCCESS)
		return 0;
	if (st == EFI_NOT_FOUND)
		return BT_ENOENT;
	if (st == EFI_BUFFER_TOO_SMALL)
		return BT_ETOOBIG;
	fmt_buf(why, whylen, "%s", efi_status_name(st));
	return BT_EIO;
}

int fw_var_set(struct fw *fw, const char *name, const void *data, size_t len,
	       bool persistent, char *why, size_t whylen)
{
	CHAR16 n[VAR_NAME_MAX];
	UINT32 attr = EFI_VARIABLE_BOOTSERVICE_ACCESS |
		      EFI_VARIABLE_RUNTIME_ACCESS |
		      (persistent ? EFI_VARIABLE_NON_VOLATILE : 0);
	EFI_STATUS st;

	var_name(name, n);
	st = fw->rs->SetVariable(n, &loader_guid, attr, len, (void *)data);
	if (st == EFI_SUCCESS || (!len && st == EFI_NOT_FOUND))
		return 0;
	/* A variable of the other kind (volatile for persistent) must go
	 * before it can be written anew. */
	if (len && fw->rs->SetVariable(n, &loader_guid, 0, 0, NULL) ==
	    EFI_SUCCESS &&
	    (st = fw->rs->SetVariable(n, &loader_guid, attr, len,
				      (void *)data)) == EFI_SUCCESS)
		return 0;
	fmt_buf(why, whylen, "%s", efi_status_name(st));
	return BT_EIO;
}

void fw_firmware_id(struct fw *fw, char *info, size_t infolen, char *type,
		    size_t typelen)
{
	char *vendor = fw->st->FirmwareVendor ?
		       ucs2_to_utf8(fw->st->FirmwareVendor, 64) : NULL;
	UINT32 rev = fw->st->FirmwareRevision, uefi = fw->st->Hdr.Revision;

	fmt_buf(info, infolen, "%s %u.%02u", vendor ? vendor : "unknown",
		rev >> 16, rev & 0xffff);
	fmt_buf(type, typelen, "UEFI %u.%02u", uefi >> 16, uefi & 0xffff);
	bt_free(vendor);
}
