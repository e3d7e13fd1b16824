/* The `efi` protocol: chain-loading another EFI program. */
#ifndef BATON_LOADER_CHAIN_H
#define BATON_LOADER_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include "fs/path.h"

struct fw;

/*
 * Read the EFI program at p completely (checking its sha256 pin), check that
 * it is an x86-64 EFI program, and start it with options as its load
 * options.  Returns 0 when it ran and returned: *status is its exit status
 * and msg may hold its exit text.  Otherwise returns a BT_E* code and msg
 * says what was wrong with which file.
 */
int chain_boot(struct fw *fw, const struct path *p, const char *options,
	       uint64_t *status, char *msg, size_t msglen);

#endif
