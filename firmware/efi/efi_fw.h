/*
 * Private to firmware/efi/: the UEFI implementation's context and helpers.
 * This folder is the only place that includes GNU-EFI's headers.
 */
#ifndef BATON_FIRMWARE_EFI_FW_H
#define BATON_FIRMWARE_EFI_FW_H

#include <efi.h>
#include "firmware/firmware.h"

struct fw {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	EFI_RUNTIME_SERVICES *rs;
	EFI_LOADED_IMAGE *loaded;
	char *load_options;		/* UTF-8, "" when none */
	struct fs fs;
	uint64_t tsc_per_ms;		/* for fw_time_ms */
	EFI_EVENT timer;		/* for fw_key_wait */
	struct initrd_offer *initrd;	/* fw_initrd_offer's, or NULL */
	bool connected_all;		/* every controller connected */
	struct vdisk *vdisks;		/* images offered as disks (vdisk.c) */
	/* The network (net.c): the PXE Base Code used, on pxe_handle (the
	 * card's IPv4 child), once found; net_up once it has an address. */
	EFI_PXE_BASE_CODE *pxe;
	EFI_HANDLE pxe_handle;
	bool net_up;
	uint8_t station[4], subnet[4];	/* the card's address, once up */
	struct pxe_watch *pxe_watch;	/* TFTP progress (net.c), and */
	bool pxe_watching;		/* its callback is installed */
	char net_why[200];		/* fw_netboot's message */
	struct fw_netboot *netboot;	/* what it found, once read */
};

/* The firmware status as a baton error code (the one place this happens). */
int efi_error(EFI_STATUS status);

/* Words for a firmware status, e.g. "EFI_NOT_FOUND"; never NULL. */
const char *efi_status_name(EFI_STATUS status);

/* The single global: bt_alloc() has no context argument, so the allocator
 * reaches boot services through this.  Set once in efi_main. */
extern EFI_BOOT_SERVICES *efi_bs;

/* Set up fw->fs with every block device and firmware file system, and
 * baton's origin: its own volume and self_path, the path of its binary
 * there ("" when unknown; fw->fs takes it over, also on failure). */
int efi_blockdevs_init(struct fw *fw, char *self_path);

/* Connect every controller and add the devices that appear. */
void efi_rescan(struct fw *fw);

/* Load and start the EFI drivers in the "drivers" folder next to baton's
 * binary, then rescan; each driver's outcome is shown on the console. */
void efi_load_drivers(struct fw *fw);

/* Device path of the file `path` on device, for LoadImage: a file path
 * node, or a URI node for an "http://" URL, or none for "" (the device
 * itself); a pool allocation (FreePool) or NULL. */
EFI_DEVICE_PATH *efi_file_devpath(struct fw *fw, EFI_HANDLE device,
				  const char *path);

/* Length in bytes of a device path, including its end node. */
UINTN efi_devpath_size(const EFI_DEVICE_PATH *dp);

/* Console set-up: mode, cursor, timer event. */
void efi_console_init(struct fw *fw);

#endif
