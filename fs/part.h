/*
 * Partition tables, read by baton itself through a whole disk's block
 * device: GPT (the primary header at sector 1, else the backup at the last
 * sector, both with their CRC32s checked) and MBR (four primary entries and
 * the logical partitions of an extended one; a protective 0xEE entry means
 * GPT).  The registry (fs/fs.c) turns what is found into devices, or, where
 * the platform offers the partitions itself, into their GPT types.
 *
 * Sectors are the device's blocks, except on 2048-byte devices (CDs and CD
 * images), whose hybrid tables (xorriso) count 512-byte sectors.
 * Partitions that start at sector 0 are skipped: on a hybrid ISO they are
 * the whole disk again.
 */
#ifndef BATON_FS_PART_H
#define BATON_FS_PART_H

#include <stdint.h>
#include "fs/blockdev.h"

struct part_entry {
	unsigned number;	/* 1-4 primary or GPT slot + 1; 5.. logical */
	uint32_t sector;	/* the table's sector size, bytes */
	uint64_t start;		/* first sector */
	uint64_t count;		/* sectors; start + count <= the device's */
	char partuuid[37];	/* GPT partition GUID, lower case; "" for MBR */
	char parttype[37];	/* GPT type GUID, lower case, or "mbr:0c" */
};

/* Called with each usable partition, in table order; nonzero stops the
 * scan and is returned. */
typedef int (*part_cb)(void *cb_ctx, const struct part_entry *e);

/* Problems worth telling the user ("disk 0: GPT: ..."): a bad primary GPT
 * (the backup was used), entries past the end, an extended chain that
 * loops.  The scan goes on after each. */
typedef void (*part_report)(void *ctx, const char *msg);

/*
 * Read bd's partition table and call cb(cb_ctx, ...) for each partition;
 * problems go to report(ctx, ...) (report may be NULL).  0 also when the
 * disk has no table (or one of a kind baton does not read); BT_ENOMEM; or
 * what cb returned.  GPT entries that end before they start are skipped as
 * unused.
 */
int part_scan(struct blockdev *bd, part_cb cb, void *cb_ctx,
	      part_report report, void *ctx);

/*
 * A new block device over partition e of parent: named "<parent's name>
 * partition N", with e's GUIDs, not a disk, not the boot device, no
 * firmware handle.  One allocation, freed through its ops->free; parent
 * must outlive it.
 * BT_ENOMEM.
 */
int part_device(struct blockdev *parent, const struct part_entry *e,
		struct blockdev **out);

#endif
