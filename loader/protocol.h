/*
 * Boot protocols: one ops struct each, in one table (loader/protocols.c).
 * The config language turns an entry into a protocol-neutral boot spec;
 * the protocol loads and boots it.  A new protocol is a new file with one
 * struct protocol, listed in the table; nothing else changes.
 */
#ifndef BATON_LOADER_PROTOCOL_H
#define BATON_LOADER_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs/path.h"

struct fw;

/* A module: its file and its string ("" when none). */
struct boot_module {
	const struct path *path;
	const char *args;
};

/* What to boot, whatever the config said it in.  Everything is borrowed. */
struct boot_spec {
	const struct path *image;	/* the kernel or program */
	const char *cmdline;		/* command line or load options ("") */
	const char *where;		/* "file:line" of the entry, for messages */
	const struct path *initrds;	/* Linux initrds, in order */
	size_t n_initrds;
	const struct boot_module *modules;	/* Multiboot modules, in order */
	size_t n_modules;
	bool quiesce;		/* kexec: put the interrupt controllers back
				 * into virtual-wire mode (false: leave them,
				 * kexec-on-panic style) */
	bool disturb;		/* kexec, tests: disturb them first */
};

enum protocol_flags {
	PROTO_EDITABLE = 1 << 0,	/* the command line may be edited */
	PROTO_MAY_RETURN = 1 << 1,	/* what it starts may come back */
	PROTO_KEXEC = 1 << 2,		/* hands over kexec-style (no return) */
	PROTO_INITRDS = 1 << 3,		/* takes initrd and options lines */
	PROTO_MODULES = 1 << 4,		/* takes module lines */
};

struct protocol {
	const char *key;		/* the config key: "linux", "efi", ... */
	unsigned flags;			/* enum protocol_flags */
	/*
	 * Whether head[0..len) (a file's first bytes) looks like an image
	 * this protocol boots; NULL where no probe makes sense.
	 */
	bool (*probe)(const void *head, size_t len);
	/*
	 * Load and boot b.  A PROTO_KEXEC protocol returns only on failure
	 * (before ExitBootServices; nothing stays allocated).  A
	 * PROTO_MAY_RETURN one returns 0 when what it started came back
	 * (its exit status in *status, any exit text in msg).  On failure:
	 * a BT_E* code and msg naming the file and what was expected.
	 */
	int (*boot)(struct fw *fw, const struct boot_spec *b, uint64_t *status,
		    char *msg, size_t msglen);
};

/* The protocols, ending with NULL. */
extern const struct protocol *const protocols[];

/* The protocol with this key, or NULL. */
const struct protocol *protocol_find(const char *key);

extern const struct protocol linux_protocol;
extern const struct protocol linux_efi_protocol;
extern const struct protocol multiboot1_protocol;
extern const struct protocol multiboot2_protocol;
extern const struct protocol efi_protocol;

#endif
