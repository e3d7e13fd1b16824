/*
 * Serving an initrd to a Linux EFI-stub kernel the way the stub asks for it
 * (since Linux 5.8): a handle whose device path is the single vendor media
 * node LINUX_EFI_INITRD_MEDIA_GUID, carrying EFI_LOAD_FILE2_PROTOCOL.
 */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define LOAD_FILE2_GUID \
	{ 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } }
#define LINUX_INITRD_MEDIA_GUID \
	{ 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } }

static EFI_GUID load_file2_guid = LOAD_FILE2_GUID;
static EFI_GUID devpath_guid = DEVICE_PATH_PROTOCOL;

struct initrd_devpath {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

/* What is installed: the protocol first, so LoadFile can find its data. */
struct initrd_offer {
	EFI_LOAD_FILE_PROTOCOL lf2;	/* same layout as LOAD_FILE2 */
	struct initrd_devpath dp;
	fw_initrd_fill fill;
	void *ctx;
	size_t len;
	EFI_HANDLE handle;
};

static EFI_STATUS EFIAPI initrd_load(EFI_LOAD_FILE_PROTOCOL *self,
				     EFI_DEVICE_PATH *path, BOOLEAN boot_policy,
				     UINTN *size, VOID *buf)
{
	struct initrd_offer *o = (struct initrd_offer *)self;

	if (!size || boot_policy)
		return boot_policy ? EFI_UNSUPPORTED : EFI_INVALID_PARAMETER;
	if (!buf || *size < o->len) {
		*size = o->len;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (o->fill(o->ctx, buf, o->len))
		return EFI_DEVICE_ERROR;
	*size = o->len;
	return EFI_SUCCESS;
}

int fw_initrd_offer(struct fw *fw, size_t len, fw_initrd_fill fill, void *ctx,
		    char *err, size_t errlen)
{
	static const EFI_GUID media = LINUX_INITRD_MEDIA_GUID;
	struct initrd_offer *o = bt_zalloc(sizeof(*o));
	EFI_STATUS s;

	if (!o)
		return BT_ENOMEM;
	o->lf2.LoadFile = initrd_load;
	o->dp.vendor.Header.Type = MEDIA_DEVICE_PATH;
	o->dp.vendor.Header.SubType = MEDIA_VENDOR_DP;
	o->dp.vendor.Header.Length[0] = sizeof(o->dp.vendor);
	memcpy(&o->dp.vendor.Guid, &media, sizeof(media));
	o->dp.end.Type = END_DEVICE_PATH_TYPE;
	o->dp.end.SubType = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	o->dp.end.Length[0] = 4;
	o->fill = fill;
	o->ctx = ctx;
	o->len = len;
	/* Two single installs: the variadic multiple-install call is avoided
	 * because its MS-ABI varargs are not portable across compilers. */
	s = fw->bs->InstallProtocolInterface(&o->handle, &devpath_guid,
					     EFI_NATIVE_INTERFACE, &o->dp);
	if (s == EFI_SUCCESS) {
		s = fw->bs->InstallProtocolInterface(&o->handle, &load_file2_guid,
						     EFI_NATIVE_INTERFACE, &o->lf2);
		if (s != EFI_SUCCESS)
			fw->bs->UninstallProtocolInterface(o->handle, &devpath_guid, &o->dp);
	}
	if (s != EFI_SUCCESS) {
		bt_free(o);
		fmt_buf(err, errlen, "cannot offer the initrd to the kernel: %s "
			"(is another loader already serving one?)", efi_status_name(s));
		return efi_error(s);
	}
	fw->initrd = o;
	return 0;
}

void fw_initrd_withdraw(struct fw *fw)
{
	struct initrd_offer *o = fw->initrd;

	if (!o)
		return;
	fw->bs->UninstallProtocolInterface(o->handle, &load_file2_guid, &o->lf2);
	fw->bs->UninstallProtocolInterface(o->handle, &devpath_guid, &o->dp);
	bt_free(o);
	fw->initrd = NULL;
}
