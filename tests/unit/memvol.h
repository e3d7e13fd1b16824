/* An in-memory volume for unit tests: a fixed list of files and folders. */
#ifndef BATON_TESTS_UNIT_MEMVOL_H
#define BATON_TESTS_UNIT_MEMVOL_H

#include "fs/blockdev.h"

struct memfile {
	const char *path;	/* "/a/b"; a folder when data is NULL */
	const char *data;
	size_t len;		/* 0: strlen(data) */
};

#define MEMVOL_RENAMES 8	/* files a test may rename */

struct memvol {
	struct volume v;
	struct fsys fsys;	/* the same files as a firmware file system */
	const struct memfile *files;
	size_t n;
	unsigned opens;		/* files opened so far */
	int fail_read;		/* nonzero: read_at returns this */
	bool unknown_size;	/* files say VFILE_SIZE_UNKNOWN, as a stream may */
	bool no_seek;		/* files read only front to back */
	size_t max_read;	/* nonzero: at most this much a read */
	unsigned reads;		/* read_at calls so far */
	uint64_t claim_extra;	/* files say they are this much longer */
	/* Renames so far (volume and fsys rename ops): files[index] is now
	 * at path.  The files array itself is the test's and stays as is. */
	struct {
		size_t index;
		char path[256];
	} renamed[MEMVOL_RENAMES];
	size_t n_renamed;
};

/* The path files[i] has now (after renames). */
const char *memvol_path(const struct memvol *mv, size_t i);

/* Set up mv over files[0..n); the other volume fields are the caller's. */
void memvol_init(struct memvol *mv, const struct memfile *files, size_t n);

#endif
