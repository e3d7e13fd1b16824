#include "firmware/efi/efi_fw.h"
#include "lib/error.h"

int efi_error(EFI_STATUS s)
{
	switch (s) {
	case EFI_SUCCESS:
		return 0;
	case EFI_OUT_OF_RESOURCES:
		return BT_ENOMEM;
	case EFI_NOT_FOUND:
		return BT_ENOENT;
	case EFI_INVALID_PARAMETER:
	case EFI_LOAD_ERROR:
		return BT_EINVAL;
	case EFI_UNSUPPORTED:
	case EFI_INCOMPATIBLE_VERSION:
		return BT_EUNSUPP;
	case EFI_TIMEOUT:
		return BT_ETIMEOUT;
	case EFI_ABORTED:
		return BT_EABORT;
	case EFI_ACCESS_DENIED:
	case EFI_SECURITY_VIOLATION:
	case EFI_WRITE_PROTECTED:
		return BT_EDENIED;
	case EFI_BAD_BUFFER_SIZE:
	case EFI_BUFFER_TOO_SMALL:
		return BT_ETOOBIG;
	default:
		return BT_EIO;
	}
}

const char *efi_status_name(EFI_STATUS s)
{
	switch (s) {
	case EFI_SUCCESS: return "EFI_SUCCESS";
	case EFI_LOAD_ERROR: return "EFI_LOAD_ERROR";
	case EFI_INVALID_PARAMETER: return "EFI_INVALID_PARAMETER";
	case EFI_UNSUPPORTED: return "EFI_UNSUPPORTED";
	case EFI_BAD_BUFFER_SIZE: return "EFI_BAD_BUFFER_SIZE";
	case EFI_BUFFER_TOO_SMALL: return "EFI_BUFFER_TOO_SMALL";
	case EFI_NOT_READY: return "EFI_NOT_READY";
	case EFI_DEVICE_ERROR: return "EFI_DEVICE_ERROR";
	case EFI_WRITE_PROTECTED: return "EFI_WRITE_PROTECTED";
	case EFI_OUT_OF_RESOURCES: return "EFI_OUT_OF_RESOURCES";
	case EFI_VOLUME_CORRUPTED: return "EFI_VOLUME_CORRUPTED";
	case EFI_NOT_FOUND: return "EFI_NOT_FOUND";
	case EFI_ACCESS_DENIED: return "EFI_ACCESS_DENIED";
	case EFI_TIMEOUT: return "EFI_TIMEOUT";
	case EFI_ABORTED: return "EFI_ABORTED";
	case EFI_INCOMPATIBLE_VERSION: return "EFI_INCOMPATIBLE_VERSION";
	case EFI_SECURITY_VIOLATION: return "EFI_SECURITY_VIOLATION";
	case EFI_NOT_STARTED: return "EFI_NOT_STARTED";
	case EFI_ALREADY_STARTED: return "EFI_ALREADY_STARTED";
	case EFI_NO_RESPONSE: return "EFI_NO_RESPONSE";
	case EFI_NO_MAPPING: return "EFI_NO_MAPPING";
	case EFI_ICMP_ERROR: return "EFI_ICMP_ERROR";
	case EFI_TFTP_ERROR: return "EFI_TFTP_ERROR";
	default: return "an error";
	}
}
