/*
 * Block devices, as the platform offers them: whole disks and partitions
 * (and, later, a CD image inside a file).  File-system drivers (fs/driver.h)
 * read them; the platform creates them and owns them.
 *
 * A device may also carry the firmware's own file system on it (on UEFI,
 * the Simple File System protocol, which is how FAT is read): that is an
 * fsys, and the fat_sfs driver turns it into a volume.
 */
#ifndef BATON_FS_BLOCKDEV_H
#define BATON_FS_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/volume.h"

struct blockdev;
struct fsys;

struct blockdev_ops {
	/* Read count blocks from block lba into buf (count * block_size
	 * bytes).  BT_EINVAL for a range past the end, BT_EIO on a read
	 * error. */
	int (*read)(struct blockdev *bd, uint64_t lba, size_t count, void *buf);
	/* Free a device the registry made (a partition it read, an image
	 * file); NULL for the platform's devices. */
	void (*free)(struct blockdev *bd);
};

struct blockdev {
	const struct blockdev_ops *ops;
	uint32_t block_size;	/* bytes; 0 when it has no block access */
	uint64_t blocks;
	char *name;		/* for messages: "disk 0", "volume 1" */
	char *partuuid;		/* GPT partition GUID in lower case, or NULL */
	char *parttype;		/* GPT partition type GUID in lower case, or
				 * "mbr:XX" (two hex digits) for an MBR
				 * partition; NULL when unknown */
	bool is_boot;		/* baton was loaded from this device */
	bool is_disk;		/* a whole disk, not a partition of one */
	bool on_boot_disk;	/* the disk baton was loaded from, or one of
				 * its partitions (the CD whose El Torito
				 * image holds baton, its ISO 9660 tree) */
	bool platform_parts;	/* the platform offers the partitions of this
				 * disk as devices of their own (UEFI does);
				 * otherwise fs/ reads its partition table */
	void *handle;		/* the firmware's handle, for locators */
	struct fsys *fsys;	/* the firmware's file system on it, or NULL */
};

/* The firmware's own file system on a device. */
struct fsys_ops {
	int (*open)(struct fsys *fs, const char *path, struct vfile **out);
	int (*list)(struct fsys *fs, const char *dir, volume_list_cb cb,
		    void *ctx);
	/* The volume label as a new allocation (bt_free()), or NULL. */
	char *(*label)(struct fsys *fs);
	/* Rename the file at path to new_name (a name, not a path) in the
	 * same folder.  NULL when the file system cannot be written. */
	int (*rename)(struct fsys *fs, const char *path, const char *new_name);
};

struct fsys {
	const struct fsys_ops *ops;
};

/*
 * Read len bytes at byte offset off of bd, at any alignment (whole blocks go
 * straight into buf; partial ones through a bounce block).  BT_EINVAL when
 * the range passes the end of the device or it has no block access, BT_EIO,
 * BT_ENOMEM.
 */
int blockdev_read_bytes(struct blockdev *bd, uint64_t off, void *buf,
			size_t len);

/* A block device over bytes in memory (a disk image read whole). */
struct ram_blockdev {
	struct blockdev bd;
	const uint8_t *data;	/* borrowed: must outlive the device */
};

/* Set r up over data (len bytes; a partial last block is left out) with
 * block_size blocks, named name (borrowed); a whole disk whose partitions
 * fs/ reads. */
void blockdev_ram(struct ram_blockdev *r, const void *data, uint64_t len,
		  uint32_t block_size, char *name);

#endif
