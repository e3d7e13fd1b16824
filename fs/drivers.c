/* The file-system drivers, in the order the registry probes them. */
#include "fs/driver.h"

const struct fs_driver *const fs_drivers[] = {
	&fat_sfs_driver,
	&ext4_driver,
	&iso9660_driver,
	NULL,
};
