/*
 * The initrds of a Linux entry, concatenated in order, each starting on a
 * 4-byte boundary as concatenated cpio archives expect, read straight into
 * the caller's buffer (one large read a file), each checked against its pin.
 */
#ifndef BATON_LOADER_INITRD_H
#define BATON_LOADER_INITRD_H

#include <stddef.h>
#include <stdint.h>
#include "config/config.h"
#include "fs/fs.h"

#define INITRD_MAX 16

struct initrd_set {
	struct vfile *files[INITRD_MAX];
	size_t n;
	uint64_t total;		/* bytes of the concatenation */
};

/* Open e's initrds and add up their sizes.  On failure err names the file
 * (everything opened is closed again). */
int initrd_open(const struct fs *fs, const struct config_entry *e,
		struct initrd_set *set, char *err, size_t errlen);

/* Read them into dst (set->total bytes) and check pins. */
int initrd_read(const struct config_entry *e, struct initrd_set *set,
		uint8_t *dst, char *err, size_t errlen);

/* Close what initrd_open opened. */
void initrd_close(struct initrd_set *set);

#endif
