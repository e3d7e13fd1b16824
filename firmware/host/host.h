/*
 * The host implementation of firmware/firmware.h, for unit tests: a console
 * that records what was written, keys fed from a script, a clock that moves
 * only when a key wait times out, volumes the test provides, and records of
 * the programs started and resets asked for.
 */
#ifndef BATON_FIRMWARE_HOST_HOST_H
#define BATON_FIRMWARE_HOST_HOST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include "firmware/firmware.h"
#include "firmware/net.h"
#include "kexec/kimage.h"

struct fw {
	struct fs fs;			/* the test's volumes (fs_add_volume) */
	const char *load_options;
	unsigned cols, rows;

	const struct key *keys;		/* the key script (see HOST_IDLE) */
	size_t n_keys, next_key;
	uint64_t now_ms;

	char *out;			/* everything written to the console */
	size_t out_len, out_cap;

	unsigned starts;		/* programs started */
	void *started_device;		/* the last one's locator device, */
	char started_path[256];		/* path and options */
	char started_options[256];
	size_t started_size;
	uint64_t start_status;		/* what started programs return */
	int start_error;		/* nonzero: fw_image_start fails so */

	fw_initrd_fill initrd_fill;	/* what fw_initrd_offer was given */
	void *initrd_ctx;
	size_t initrd_len;

	/* The network: how baton was netbooted (netboot.pxe false: not),
	 * and the files its servers have. */
	struct fw_netboot netboot;
	const struct host_net_file *net_files;	/* ends with url NULL */
	int net_up_error;		/* nonzero: fw_net_up fails so */
	bool net_was_up;		/* fw_net_up was asked */
	unsigned net_requests;		/* TFTP reads and HTTP GETs */

	/* The Boot Loader Interface's variables (fw_var_*). */
	struct host_var {
		char name[40];
		uint8_t data[512];
		size_t len;
		bool persistent;
	} vars[24];
	size_t n_vars;
	int var_error;			/* nonzero: fw_var_* fail so */
	unsigned var_writes;		/* fw_var_set calls that worked */

	int resets;			/* resets asked for */
	enum fw_reset_kind last_reset;

	/* Memory: host_fw_ram() gives an arena whose host addresses are its
	 * "physical" addresses, one conventional region. */
	uint8_t *ram;
	uint64_t ram_pages;
	uint8_t *page_used;		/* one byte a page */
	bool map_shows_used;		/* fw_memmap: used pages as boot
					 * services data, as real firmware
					 * shows its own allocations */
	int ebs_fails;			/* ExitBootServices fails (BT_EINVAL,
					 * a stale key) this many times in a
					 * row before it works; -1: always */
	int ebs_map_fails_at;		/* the n-th map read for it fails
					 * (BT_ETOOBIG), counted from 1; 0:
					 * none fails */
	unsigned ebs_maps, ebs_tries;	/* calls so far */
	char panic_msg[256];		/* what machine_panic was given */

	/* What the handoff did, recorded by firmware/host/machine.c. */
	char trace[256];		/* "prepare ebs shutdown kexec ..." */
	struct kimage handed;		/* the image machine_kexec ran */
	jmp_buf *kexec_jmp;		/* longjmp target for machine_kexec
					 * (value 1) and machine_panic, which
					 * stands for a reset (value 2) */
};

/*
 * In a key script, { KEY_OTHER, HOST_IDLE } means "no key while baton waits
 * with a deadline": every such wait times out, until baton waits without
 * one; then the marker is used up and the next key is given.
 */
#define HOST_IDLE 0x1D1E

/*
 * A file on a host server, by URL ("tftp://10.0.2.2/x", "http://h:8/x");
 * a TFTP file is found with any status, an HTTP one answers with its
 * status and headers ("Name: value" lines).  The body comes in pieces of
 * at most piece bytes (0: all at once), and after close_at bytes the
 * server closes (0: never) or, with stall, stops sending.
 */
struct host_net_file {
	const char *url;
	int status;
	const char *headers;
	const char *body;
	size_t len;
	size_t piece, close_at;
	bool stall;
	bool no_tsize;			/* TFTP: the server gives no size */
};

/* baton's own path on its volume in the host machine (fs.origin). */
#define HOST_SELF_PATH "/EFI/BOOT/BOOTX64.EFI"

/* A block device over part of a file (a disk image). */
struct host_blockdev {
	struct blockdev bd;
	int fd;
	uint64_t offset;	/* where the device starts in the file */
	char name[300];
	unsigned reads;		/* read calls so far */
	int fail_read;		/* nonzero: reads fail so */
};

/*
 * Open file as a block device of block_size blocks from offset, size bytes
 * long (0: to the end of the file).  The caller sets partuuid, is_boot and
 * fsys as the test needs, and closes it with host_blockdev_close().
 * BT_ENOENT when the file cannot be opened.
 */
int host_blockdev_open(struct host_blockdev *h, const char *file,
		       uint64_t offset, uint64_t size, uint32_t block_size);
void host_blockdev_close(struct host_blockdev *h);

/* An empty 80x25 host machine; set fs, keys and the rest afterwards. */
void host_fw_init(struct fw *fw);
/* Free what the host machine allocated (console log, RAM arena). */
void host_fw_free(struct fw *fw);

/* Give the machine pages of RAM (2 MiB aligned). */
void host_fw_ram(struct fw *fw, uint64_t pages);

/* Append a word to fw->trace. */
void host_trace(struct fw *fw, const char *what);

/* Make the allocation n calls from now fail (0: the next one); -1: never. */
void host_alloc_fail_after(long n);
/* How many blocks bt_alloc, bt_zalloc and bt_realloc gave out that have not
 * been given back to bt_free (compare before and after a run). */
long host_alloc_live(void);

#endif
