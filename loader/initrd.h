/*
 * The initrds of a Linux boot, concatenated in order, each starting on a
 * 4-byte boundary as concatenated cpio archives expect, read front to back
 * straight into the caller's buffer, each checked against its pin.
 *
 * All are opened before any is read: both Linux protocols must know the
 * total before the first byte (the `linux` flow places it, the EFI stub asks
 * LoadFile2 for the size first), and a size is learned when a file is opened
 * (a FAT directory entry, later TFTP's tsize or HTTP's Content-Length); a
 * file whose source cannot say is read into memory when opened, once.
 */
#ifndef BATON_LOADER_INITRD_H
#define BATON_LOADER_INITRD_H

#include "fs/fs.h"
#include "loader/protocol.h"

#define INITRD_MAX 16

struct initrd_set {
	struct fs_stream files[INITRD_MAX];
	size_t n;
	uint64_t total;		/* bytes of the concatenation */
};

/* Open b's initrds and add up their sizes.  On failure err names the file
 * (everything opened is closed again). */
int initrd_open(struct fs *fs, const struct boot_spec *b,
		struct initrd_set *set, char *err, size_t errlen);

/* Read them into dst (set->total bytes) and check pins. */
int initrd_read(struct initrd_set *set, uint8_t *dst, char *err,
		size_t errlen);

/* Close what initrd_open opened. */
void initrd_close(struct initrd_set *set);

#endif
