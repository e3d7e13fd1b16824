/*
 * The storage service: the block devices and firmware file systems the
 * platform found, as the fs/ registry holds them, and baton's origin.
 */
#ifndef BATON_FIRMWARE_STORAGE_H
#define BATON_FIRMWARE_STORAGE_H

#include "fs/fs.h"

struct fw;

/* The file-source registry: the block devices found at start-up, the
 * volumes made of them, and baton's origin. */
struct fs *fw_fs(struct fw *fw);

/*
 * Offer bd, a disk image baton reads (an ISO file), to the firmware as a
 * read-only disk of its own, so that its partitions and El Torito EFI
 * image are found by the firmware and a program started from there finds
 * its CD the way it would on real media.  Done once per device; the disk
 * stays for the session.  *out is the registry's volume over the firmware
 * file system found on it (the El Torito EFI image or a FAT partition).
 * BT_ENOENT when the firmware found none, BT_EUNSUPP where the platform
 * cannot offer disks; err names bd and says why.
 */
int fw_disk_attach(struct fw *fw, struct blockdev *bd, struct volume **out,
		   char *err, size_t errlen);

#endif
