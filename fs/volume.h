/*
 * Files and volumes: the shapes every file source has.
 *
 * A volume is a place files are read from: a file system on a block device
 * (read by one of baton's drivers, or by the firmware's own driver: FAT
 * through Simple File System), and later a network server.  A vfile is one
 * open file.  Each kind is one ops struct; drivers (fs/driver.h) and, later,
 * network transports create them, and the registry (fs/fs.h) owns them.
 */
#ifndef BATON_FS_VOLUME_H
#define BATON_FS_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct volume;
struct vfile;

/* vfile.size when the source cannot say before the file is read (a TFTP
 * server without tsize, a chunked HTTP body). */
#define VFILE_SIZE_UNKNOWN UINT64_MAX

struct vfile_ops {
	/*
	 * Read up to len bytes at offset off; *got is what was read (0 only
	 * at the end of the file, fewer than len is allowed anywhere).  A
	 * file that cannot seek (vfile.seekable false) takes only
	 * off == the bytes read so far, and returns BT_EUNSUPP otherwise.
	 */
	int (*read_at)(struct vfile *f, uint64_t off, void *buf, size_t len,
		       size_t *got);
	/* Close f and free it. */
	void (*close)(struct vfile *f);
};

struct vfile {
	const struct vfile_ops *ops;
	uint64_t size;		/* bytes, or VFILE_SIZE_UNKNOWN */
	bool seekable;		/* read_at takes any offset */
	/* The file's words for its last read failure ("the server closed
	 * the connection at byte 9"), or NULL or "": then the code's words. */
	const char *why;
};

/* Called for each directory entry; return nonzero to stop the listing. */
typedef int (*volume_list_cb)(void *ctx, const char *name, bool is_dir);

/*
 * Where a file lives as the firmware names it, for chain-loading: the
 * firmware handle of the device that holds it and the file's path there.
 * Borrowed from the volume: valid while the volume is.
 */
struct fs_locator {
	void *device;
	const char *file;	/* "/EFI/x.efi" */
};

struct volume_ops {
	/* Open the file at path (absolute, '/'-separated); *out is closed
	 * with its ops->close.  BT_ENOENT when there is no such file. */
	int (*open)(struct volume *v, const char *path, struct vfile **out);
	/* List the entries of directory dir (not "." and ".."). */
	int (*list)(struct volume *v, const char *dir, volume_list_cb cb,
		    void *ctx);
	/* Fill *out for the file at path; BT_EUNSUPP when the firmware cannot
	 * reach files on this volume by itself.  NULL: never. */
	int (*locate)(struct volume *v, const char *path,
		      struct fs_locator *out);
	/*
	 * Rename the file at path to new_name (a name in the same folder).
	 * NULL for read-only volumes: baton writes to a disk only for BLS boot
	 * counting (docs/design.md).
	 */
	int (*rename)(struct volume *v, const char *path, const char *new_name);
	/* Free the volume (the registry calls it); NULL when the volume is
	 * not the registry's to free. */
	void (*free)(struct volume *v);
};

struct volume {
	const struct volume_ops *ops;
	char *name;		/* for messages, e.g. "volume 1" */
	char *label;		/* file-system label, or NULL */
	char *fsuuid;		/* file-system UUID or FAT serial "ABCD-1234", or NULL */
	char *partuuid;		/* GPT partition GUID in lower case, or NULL */
	char *parttype;		/* as struct blockdev's parttype, or NULL */
	const char *fstype;	/* "fat", "ext4", "iso9660", ...: static */
	bool is_boot;		/* the volume baton itself was loaded from */
	bool on_boot_disk;	/* on the disk baton was loaded from (set by
				 * the registry from the device) */
	/* The driver's words for its last failure, naming the volume and the
	 * file ("volume 2: ext4: block 9 of /x is past the end of the device
	 * (80 blocks)"), or NULL; the volume's, valid until its next call. */
	const char *why;
};

#endif
