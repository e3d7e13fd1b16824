/* Starting another EFI program (chain-loading) and resetting the machine. */
#include "firmware/efi/efi_fw.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

static EFI_GUID loaded_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID global_guid = EFI_GLOBAL_VARIABLE;

/* Why LoadImage refused, in words a user can act on. */
static const char *load_failure(EFI_STATUS s)
{
	switch (s) {
	case EFI_UNSUPPORTED:
		return "not an EFI program for this machine (x86-64)";
	case EFI_LOAD_ERROR:
	case EFI_INVALID_PARAMETER:
		return "not a valid EFI program (the firmware cannot load it)";
	case EFI_SECURITY_VIOLATION:
	case EFI_ACCESS_DENIED:
		return "refused by the firmware's Secure Boot policy";
	case EFI_OUT_OF_RESOURCES:
		return "not enough memory to load it";
	case EFI_NOT_FOUND:
		/* EDK2 says this when an image without relocations cannot
		 * have the fixed address it was linked for. */
		return "the firmware cannot place it (no relocations, and the "
		       "address it was linked for is not free)";
	default:
		return efi_status_name(s);
	}
}

int fw_image_start(struct fw *fw, const struct fs_locator *loc,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen)
{
	const char *path = loc->file;
	/* No device: a file on a volume of baton's own drivers, loaded
	 * from memory without a device path. */
	EFI_DEVICE_PATH *dp = loc->device ?
		efi_file_devpath(fw, loc->device, path) : NULL;
	EFI_LOADED_IMAGE *li;
	EFI_HANDLE child = NULL;
	CHAR16 *opts = NULL, *xdata = NULL;
	UINTN xsize = 0;
	EFI_STATUS s;

	*exit_data = NULL;
	s = fw->bs->LoadImage(FALSE, fw->image, dp, (void *)image, size, &child);
	if (dp)
		fw->bs->FreePool(dp);
	if (s != EFI_SUCCESS) {
		/* After a security violation the image is loaded but must
		 * not run: unload it. */
		if (child)
			fw->bs->UnloadImage(child);
		fmt_buf(err, errlen, "%s: %s", path, load_failure(s));
		return efi_error(s);
	}
	if (options && *options) {
		opts = (CHAR16 *)utf8_to_ucs2(options);
		if (!opts) {
			fw->bs->UnloadImage(child);
			fmt_buf(err, errlen, "out of memory");
			return BT_ENOMEM;
		}
		if (fw->bs->HandleProtocol(child, &loaded_guid, (void **)&li) == EFI_SUCCESS) {
			UINTN units = 0;

			while (opts[units])
				units++;
			li->LoadOptions = opts;
			li->LoadOptionsSize = (UINT32)((units + 1) * sizeof(CHAR16));
		}
	}
	s = fw->bs->StartImage(child, &xsize, &xdata);
	*exit_status = s;
	if (xdata) {
		*exit_data = ucs2_to_utf8(xdata, xsize / sizeof(CHAR16));
		fw->bs->FreePool(xdata);
	}
	bt_free(opts);
	/* The console is ours again: the program may have changed it. */
	efi_console_init(fw);
	return 0;
}

/* Ask the firmware to show its setup UI at the next boot. */
static int request_setup(struct fw *fw, char *err, size_t errlen)
{
	UINT64 supported = 0, ind = 0;
	UINTN size = sizeof(supported);
	EFI_STATUS s;

	s = fw->rs->GetVariable(L"OsIndicationsSupported", &global_guid, NULL,
				&size, &supported);
	if (s != EFI_SUCCESS || !(supported & EFI_OS_INDICATIONS_BOOT_TO_FW_UI)) {
		fmt_buf(err, errlen, "this firmware cannot be asked to open its "
			"setup (OsIndicationsSupported lacks BOOT_TO_FW_UI)");
		return BT_EUNSUPP;
	}
	size = sizeof(ind);
	if (fw->rs->GetVariable(L"OsIndications", &global_guid, NULL, &size,
				&ind) != EFI_SUCCESS)
		ind = 0;
	ind |= EFI_OS_INDICATIONS_BOOT_TO_FW_UI;
	s = fw->rs->SetVariable(L"OsIndications", &global_guid,
				EFI_VARIABLE_NON_VOLATILE |
				EFI_VARIABLE_BOOTSERVICE_ACCESS |
				EFI_VARIABLE_RUNTIME_ACCESS, sizeof(ind), &ind);
	if (s != EFI_SUCCESS) {
		fmt_buf(err, errlen, "could not set OsIndications: %s",
			efi_status_name(s));
		return efi_error(s);
	}
	return 0;
}

int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen)
{
	if (kind == FW_RESET_FIRMWARE_SETUP) {
		int rc = request_setup(fw, err, errlen);

		if (rc)
			return rc;
	}
	fw->rs->ResetSystem(kind == FW_RESET_POWEROFF ? EfiResetShutdown
						      : EfiResetCold,
			    EFI_SUCCESS, 0, NULL);
	fmt_buf(err, errlen, "the firmware did not reset the machine");
	return BT_EIO;
}
