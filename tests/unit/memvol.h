/* An in-memory volume for unit tests: a fixed list of files and folders. */
#ifndef BATON_TESTS_UNIT_MEMVOL_H
#define BATON_TESTS_UNIT_MEMVOL_H

#include "fs/blockdev.h"

struct memfile {
	const char *path;	/* "/a/b"; a folder when data is NULL */
	const char *data;
	size_t len;		/* 0: strlen(data) */
};

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
};

/* Set up mv over files[0..n); the other volume fields are the caller's. */
void memvol_init(struct memvol *mv, const struct memfile *files, size_t n);

#endif
