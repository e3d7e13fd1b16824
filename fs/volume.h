/*
 * A volume is a place files are read from: a file system the firmware can
 * read (FAT), and later ext4/ISO 9660 drivers and network servers.  Each kind
 * is one ops struct; the firmware layer (or a host test double) creates them.
 */
#ifndef BATON_FS_VOLUME_H
#define BATON_FS_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct volume;
struct vfile;

/* Called for each directory entry; return nonzero to stop the listing. */
typedef int (*volume_list_cb)(void *ctx, const char *name, bool is_dir);

struct volume_ops {
	/* Open the file at path (absolute, '/'-separated); *out is closed
	 * with its ops->close.  BT_ENOENT when there is no such file. */
	int (*open)(struct volume *v, const char *path, struct vfile **out);
	/* List the entries of directory dir (not "." and ".."). */
	int (*list)(struct volume *v, const char *dir, volume_list_cb cb,
		    void *ctx);
};

struct vfile_ops {
	/* Read up to len bytes at offset off; *got is what was read (less
	 * only at the end of the file). */
	int (*read_at)(struct vfile *f, uint64_t off, void *buf, size_t len,
		       size_t *got);
	uint64_t (*size)(struct vfile *f);
	void (*close)(struct vfile *f);
};

struct volume {
	const struct volume_ops *ops;
	char *name;		/* for messages, e.g. "disk 0 partition 1" */
	char *label;		/* file-system label, or NULL */
	char *fsuuid;		/* file-system UUID or FAT serial "ABCD-1234", or NULL */
	char *partuuid;		/* GPT partition GUID in lower case, or NULL */
	bool is_boot;		/* the volume baton itself was loaded from */
};

struct vfile {
	const struct vfile_ops *ops;
};

#endif
