/*
 * File-system drivers: each probes a block device and, when it recognises
 * its file system, creates a volume over it.  The registry (fs/fs.h) tries
 * them in table order on every device, once, the first time a volume is
 * looked for.  A new file system is a new file with one struct fs_driver,
 * listed in fs/drivers.c.
 */
#ifndef BATON_FS_DRIVER_H
#define BATON_FS_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include "fs/blockdev.h"

struct fs_driver {
	const char *name;	/* "fat", "ext4", ... */
	/*
	 * 0 with a new volume in *out (freed through its ops->free);
	 * BT_ENOENT when bd does not hold this file system (err untouched);
	 * another BT_E* code with a message in err when it does but cannot
	 * be read (e.g. "disk 0: ext4 feature 'compression' is not
	 * supported").
	 */
	int (*probe)(struct blockdev *bd, struct volume **out, char *err,
		     size_t errlen);
};

/* The drivers in probe order, ending with NULL. */
extern const struct fs_driver *const fs_drivers[];

/* FAT (or any file system) read by the firmware's own driver. */
extern const struct fs_driver fat_sfs_driver;

/* ext2/3/4 read by baton itself (fs/ext4.c). */
extern const struct fs_driver ext4_driver;

/* ISO 9660 with Rock Ridge and Joliet (fs/iso9660.c). */
extern const struct fs_driver iso9660_driver;

/* The FAT volume serial "ABCD-1234" from a boot sector (len bytes), or NULL
 * when it is not a FAT boot sector with an extended boot signature (or out
 * of memory).  bt_free(). */
char *fat_serial(const uint8_t *sec, size_t len);

#endif
