/*
 * Finding and reading files named by a struct path, over the volumes the
 * platform found.  This is where sources are resolved and sha256 pins are
 * checked, so every loader gets the same behaviour and the same messages.
 */
#ifndef BATON_FS_FS_H
#define BATON_FS_FS_H

#include "fs/path.h"
#include "fs/volume.h"

struct fs {
	struct volume **vols;	/* owned by the platform */
	size_t n_vols;
	/*
	 * Look harder for volumes (connect every device) and add any found;
	 * 0 when volumes were added, nonzero when there is nothing more to
	 * find.  NULL when the platform cannot.  Volumes already in vols stay
	 * valid.
	 */
	int (*widen)(void *ctx);
	void *widen_ctx;
};

/* Ask the platform once for every volume it can find (fs.widen). */
void fs_widen(const struct fs *fs);

/*
 * The volume a path names: baton's own for PATH_SRC_BOOT, else the first
 * whose label / fsuuid / partuuid matches (case-insensitively); when none
 * does, the platform is asked to look harder (fs.widen) once.  Returns
 * BT_ENOENT, with a message in err ("no volume with label 'X'"), when none
 * matches, and BT_EUNSUPP for network sources this build cannot reach.
 */
int fs_find_volume(const struct fs *fs, const struct path *p,
		   struct volume **out, char *err, size_t errlen);

/*
 * Read the whole file at p into a new allocation (*buf, bt_free(); one extra
 * NUL byte is added after *len bytes so text can be used directly).  Checks
 * the sha256 pin if the path has one.  On failure returns a BT_E* code and
 * err holds a complete message naming the file, e.g.
 * "/EFI/x.efi: file not found" or
 * "/EFI/x.efi: SHA-256 mismatch (expected 12ab..., got 34cd...)".
 */
int fs_read_all(const struct fs *fs, const struct path *p, void **buf,
		size_t *len, char *err, size_t errlen);

/*
 * Open the file at p for reading in parts (loaders that read straight into
 * their final place).  The pin is NOT checked here: such callers hash what
 * they read and call fs_check_pin().  On failure err names the file.
 */
int fs_open(const struct fs *fs, const struct path *p, struct vfile **out,
	    char *err, size_t errlen);

/* Read exactly len bytes at off (BT_EIO if the file ends first). */
int fs_read_exact(struct vfile *f, uint64_t off, void *buf, size_t len);

/* Compare a digest with p's pin; on mismatch err says both, naming the
 * file.  0 when p has no pin. */
int fs_check_pin(const struct path *p, const uint8_t digest[SHA256_LEN],
		 char *err, size_t errlen);

#endif
