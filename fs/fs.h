/*
 * The file-source registry: every block device the platform offers, the
 * volumes drivers made of them, the resolvers that turn a path's source
 * into a volume, and baton's own origin.  Loaders read files only through
 * here (fs_stream_*, fs_load, fs_read_all), so every source behaves the same:
 * one reading order (front to back), one sha256 pin check, one set of
 * messages.
 *
 * Ownership: the platform owns the block devices it adds; the registry owns
 * the volumes (made by drivers on demand, or added ready-made), the devices
 * it makes itself (partitions whose table it read, image files opened as
 * disks) and frees them in fs_free().
 */
#ifndef BATON_FS_FS_H
#define BATON_FS_FS_H

#include "fs/blockdev.h"
#include "fs/driver.h"
#include "fs/path.h"
#include "fs/volume.h"
#include "lib/sha256.h"

struct fs;
struct fw;

/*
 * A resolver serves one or more source schemes (path.h's enum path_source:
 * boot, label=, uuid=, partuuid= today; tftp and http when a network
 * transport registers its resolver).  resolve finds (or creates and caches)
 * the volume p names; on failure it returns a BT_E* code with err saying
 * what was not found, without the file's name.
 */
struct fs_resolver {
	unsigned schemes;	/* 1 << PATH_SRC_* for each scheme served */
	int (*resolve)(struct fs *fs, const struct path *p,
		       struct volume **out, char *err, size_t errlen);
};

/* The resolver for volumes on block devices (fs/resolve.c). */
extern const struct fs_resolver fs_volume_resolver;

/* The resolver for tftp: and http: servers (fs/net.c), on the platform's
 * network service. */
extern const struct fs_resolver fs_net_resolver;

/* The resolver for iso(PATH): volumes inside image files (fs/loop.c). */
extern const struct fs_resolver fs_image_resolver;

/* Image files opened inside one another at most this deep. */
#define FS_IMAGE_DEPTH_MAX 4

struct fs {
	struct blockdev **devs;		/* the platform's and owned */
	size_t n_devs, n_probed;	/* devs[0..n_probed) were probed */
	struct volume **vols;		/* the registry's */
	size_t n_vols;
	const struct fs_driver *const *drivers;
	const struct fs_resolver *const *resolvers;	/* NULL-terminated */
	/*
	 * Ask the platform to look harder for devices (connect every
	 * controller) and fs_add_device() what it finds; 0 when devices were
	 * added, nonzero when there is nothing more to find.  NULL when the
	 * platform cannot.
	 */
	int (*widen)(void *ctx);
	struct fw *fw;		/* the platform, for the network sources */
	void *widen_ctx;
	bool widened;
	/* Where baton's own binary is: a path whose source is baton's
	 * volume (or, later, server) and whose file is the binary; file
	 * "" when unknown.  Config discovery looks next to it. */
	struct path origin;
	/* Devices the registry made (also in devs), freed in fs_free in
	 * reverse order, before the volumes: an image file's device closes
	 * its file while the volume it is on still exists. */
	struct blockdev **owned;
	size_t n_owned;
	/* The partition types the registry hung on the platform's devices,
	 * a list (struct fs_type_note in fs/fs.c). */
	struct fs_type_note *types;
};

/* An empty registry with the default drivers and resolvers. */
void fs_init(struct fs *fs);

/* Free the registry's own devices and the volumes, the arrays and the
 * origin; the platform's devices stay the platform's (untouched: they may
 * be gone already). */
void fs_free(struct fs *fs);

/* Add a block device (probed when a volume is first looked for).  The
 * registry keeps the pointer.  BT_ENOMEM. */
int fs_add_device(struct fs *fs, struct blockdev *bd);

/* Add a device the registry made: probed like the others, freed through
 * bd->ops->free in fs_free().  BT_ENOMEM (then the caller still owns it). */
int fs_add_owned_device(struct fs *fs, struct blockdev *bd);

/* Add a ready-made volume (the registry frees it through ops->free, if
 * set).  BT_ENOMEM (then the caller still owns it). */
int fs_add_volume(struct fs *fs, struct volume *v);

/*
 * Probe every device not probed yet with every driver and add the volumes
 * made; widen first when asked.  A device no driver recognises is left
 * alone; one a driver recognises but cannot read is reported through
 * report (may be NULL) and skipped.  A whole disk's partition table is
 * read too (fs/part.h), after the drivers (a hybrid ISO has a file system
 * on the whole disk and partitions): when the platform does not offer the
 * partitions itself they become devices of the registry's, probed in
 * turn; when it does, its partition devices learn their GPT type from the
 * table.  A bad table is reported and the disk stays usable.
 */
void fs_probe(struct fs *fs, bool widen, void (*report)(void *ctx,
	      const char *msg), void *ctx);

/*
 * How a path names volume v: "boot:", else its most specific identifier
 * ("partuuid=G:", "uuid=U:", "label=L:").  A new allocation (bt_free());
 * NULL when it has none (or out of memory).
 */
char *fs_volume_prefix(const struct volume *v);

/*
 * The block device over the image file at p (any path: "/isos/x.iso",
 * "label=D:/x.iso#sha256=..."), made, probed (drivers and partition table)
 * and cached on first use; registry-owned.  The file must be on a source
 * that can seek; a pin is checked (the whole file is read) when the image
 * is first opened.  Block size 2048 when the size is a multiple of it, else
 * 512.  An iso(...) path nesting images deeper than FS_IMAGE_DEPTH_MAX
 * gives BT_ELOOP (before anything is opened).  err names
 * the image ("iso(tftp:/x.iso): the image file is on a source that cannot
 * seek").
 */
int fs_image_device(struct fs *fs, const struct path *p, struct blockdev **out,
		    char *err, size_t errlen);

/* The scheme of p's source: "boot", "label", ..., "tftp", "http". */
const char *fs_scheme(const struct path *p);

/*
 * The volume a path names, through the resolver for its scheme.  On failure
 * err says what was not found ("no volume with label 'X'", "tftp: paths
 * need a network source, which this build of baton does not have").
 */
int fs_find_volume(struct fs *fs, const struct path *p, struct volume **out,
		   char *err, size_t errlen);

/*
 * fs_find_volume, and the path as written for messages: *name is a new
 * allocation (bt_free()) on success.  On failure err is complete, naming
 * the file ("label=X:/a: no volume with label 'X'").
 */
int fs_find_named(struct fs *fs, const struct path *p, char **name,
		  struct volume **v, char *err, size_t errlen);

/* Where the file at p lives, for chain-loading (the volume's locate op);
 * err names the file on failure.  On a volume the firmware cannot reach
 * (baton's own drivers) out->device is NULL: the program is started from
 * memory with no device of its own. */
int fs_locate(struct fs *fs, const struct path *p, struct fs_locator *out,
	      char *err, size_t errlen);

/*
 * A file being read front to back.  Everything read through it is hashed
 * when the path has a pin, and fs_stream_finish() checks the pin once.
 */
struct fs_stream {
	struct vfile *f;
	const struct path *p;	/* borrowed: must outlive the stream */
	char *name;		/* the path as written, for messages */
	uint64_t pos;		/* bytes read so far */
	struct sha256 sha;
};

/* Open the file at p; err names the file on failure ("/x: file not found"). */
int fs_stream_open(struct fs *fs, const struct path *p, struct fs_stream *s,
		   char *err, size_t errlen);

/* The file's size, or VFILE_SIZE_UNKNOWN. */
uint64_t fs_stream_size(const struct fs_stream *s);

/*
 * Read up to len bytes next; *got is how many (0: the end of the file).
 * Fewer than len means the file ended.  err names the file on failure.
 */
int fs_stream_read(struct fs_stream *s, void *buf, size_t len, size_t *got,
		   char *err, size_t errlen);

/* Read exactly len bytes next; BT_EIO ("/x: ends at N bytes, expected at
 * least M") when the file ends first. */
int fs_stream_read_exact(struct fs_stream *s, void *buf, size_t len,
			 char *err, size_t errlen);

/*
 * The caller has read all it wants: with a pin, read (and hash) the rest
 * of the file and check the pin ("/x: SHA-256 mismatch (expected ...,
 * got ...)"); without one, nothing.
 */
int fs_stream_finish(struct fs_stream *s, char *err, size_t errlen);

/*
 * Make the size known: a file whose source cannot say is read into memory
 * now (once; the stream then reads from there).  For loaders that must place
 * a file before reading it.  Call before reading anything.
 */
int fs_stream_need_size(struct fs_stream *s, char *err, size_t errlen);

/* Close the file; safe on a stream that failed to open or was closed. */
void fs_stream_close(struct fs_stream *s);

/*
 * Load the whole file at p into dst[0..cap), front to back, with the pin
 * checked; *len is its length.  BT_ETOOBIG ("/x: larger than the N bytes
 * ...") when it does not fit.
 */
int fs_load(struct fs *fs, const struct path *p, void *dst, uint64_t cap,
	    uint64_t *len, char *err, size_t errlen);

/*
 * Read the whole file at p into a new allocation (*buf, bt_free(); one extra
 * NUL byte is added after *len bytes so text can be used directly), growing
 * it when the size is not known.  Checks the pin.
 */
int fs_read_all(struct fs *fs, const struct path *p, void **buf, size_t *len,
		char *err, size_t errlen);

/* Compare a digest with p's pin; on mismatch err says both, naming the
 * file.  0 when p has no pin. */
int fs_check_pin(const struct path *p, const uint8_t digest[SHA256_LEN],
		 char *err, size_t errlen);

#endif
