/* An in-memory volume for unit tests: a fixed list of files and folders. */
#ifndef BATON_TESTS_UNIT_MEMVOL_H
#define BATON_TESTS_UNIT_MEMVOL_H

#include "fs/volume.h"

struct memfile {
	const char *path;	/* "/a/b"; a folder when data is NULL */
	const char *data;
	size_t len;		/* 0: strlen(data) */
};

struct memvol {
	struct volume v;
	const struct memfile *files;
	size_t n;
	unsigned opens;		/* files opened so far */
	int fail_read;		/* nonzero: read_at returns this */
};

/* Set up mv over files[0..n); the other volume fields are the caller's. */
void memvol_init(struct memvol *mv, const struct memfile *files, size_t n);

#endif
