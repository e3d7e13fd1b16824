/*
 * The test rig: one host machine (firmware/host/host.h) set up the way the
 * unit tests need it, shared by every test that runs baton's code on the
 * host double.  It has:
 *
 *   - the machine (fw), with ram_pages pages of RAM when asked for;
 *   - a boot volume (boot, labelled "BATON", is_boot) registered with the
 *     machine's file-source registry, whose files the test adds with
 *     rig_file() and rig_dir(), before or between runs;
 *   - file-backed block devices (disk images) added with rig_disk();
 *   - a jmp_buf that machine_kexec and machine_panic longjmp to
 *     (fw.kexec_jmp points at jb: value 1 is a handover, 2 a reset);
 *   - an err buffer for the functions under test.
 *
 * Ownership: the rig lives where the test puts it (usually its stack) and
 * owns the machine: rig_free() frees the console log, the RAM arena and
 * the registry with every volume in it (those drivers made from the disks
 * too), then closes the disks.  It borrows everything else: the paths and
 * data given to rig_file()/rig_dir(), the host_blockdev structs and image
 * files given to rig_disk(), and any fsys a test hangs on a disk must
 * outlive the rig (until rig_free()); the test removes its image files.
 * A rig is used again only after rig_free() and a new rig_init().
 */
#ifndef BATON_TESTS_UNIT_RIG_H
#define BATON_TESTS_UNIT_RIG_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "firmware/host/host.h"
#include "tests/unit/memvol.h"

#define RIG_MAX_FILES 16
#define RIG_MAX_DISKS 4

struct rig {
	struct fw fw;
	struct memvol boot;		/* over files[0..n_files) */
	struct memfile files[RIG_MAX_FILES];
	size_t n_files;
	struct host_blockdev *disks[RIG_MAX_DISKS];	/* closed by rig_free */
	size_t n_disks;
	jmp_buf jb;			/* fw.kexec_jmp */
	bool reset;			/* the test's to set: machine_panic ran */
	char err[512];
};

/*
 * A fresh 80x25 host machine with ram_pages pages of RAM (0: none) and an
 * empty boot volume.  Everything in r is overwritten.
 */
void rig_init(struct rig *r, uint64_t ram_pages);

/* Add a file to the boot volume: len bytes of data (len 0: strlen(data)).
 * Fails the test when the rig has no room. */
void rig_file(struct rig *r, const char *path, const void *data, size_t len);

/* Add a folder to the boot volume. */
void rig_dir(struct rig *r, const char *path);

/*
 * Open image_file from offset (to its end) as a device of block_size
 * blocks in hb and add it to the machine's registry (probed when a volume
 * is first looked for).  hb is set up afresh; the test sets hb->bd.fsys
 * (the firmware file system on it), partuuid and is_boot afterwards, before
 * baton looks.  Fails the test when the file cannot be opened.
 */
void rig_disk(struct rig *r, struct host_blockdev *hb, const char *image_file,
	      uint64_t offset, uint32_t block_size);

/*
 * Run baton_main on the machine with the key script keys[0..n) (see
 * HOST_IDLE); fails the test unless it returns 0 having used every key.
 * RIG_RUN(r, key, ...) does it with a script written in place.
 */
void rig_run(struct rig *r, const struct key *keys, size_t n);

#define RIG_RUN(r, ...) do { \
	static const struct key keys_[] = { __VA_ARGS__ }; \
	rig_run((r), keys_, sizeof(keys_) / sizeof(keys_[0])); \
} while (0)

/* Fails the test unless the console has shown text. */
void rig_expect_out(struct rig *r, const char *text);

/* A minimal x86-64 EFI application (what pe_check looks at) in buf. */
#define RIG_PE_SIZE 512
void rig_pe_image(char buf[RIG_PE_SIZE]);

/* Free what the rig owns (see above); r is then dead until rig_init(). */
void rig_free(struct rig *r);

/*
 * Make a FAT file system image with mkfs.fat in a new temporary file
 * (its name in path), size_mib MiB long, the file system starting at
 * offset bytes, with the given volume serial (as the boot sector keeps it)
 * and label.  false when it cannot be made (no mkfs.fat): skip the test.
 * The caller unlinks path.
 */
bool rig_fat_image(char *path, size_t pathlen, unsigned size_mib,
		   uint64_t offset, uint32_t serial, const char *label);

#endif
