/* baton-kexec's kexec backend (linux/kexec.c) and its small helpers. */
#ifndef BATON_LINUX_KEXEC_H
#define BATON_LINUX_KEXEC_H

#include <stddef.h>
#include "kexec/backend.h"

/* kexec_load(2) with baton's entry code as the purgatory; exec returns 0
 * once the kernel holds the image (or, dry run, after printing it). */
extern const struct kexec_backend kexec_linux_backend;

/* The text of a /proc file, trailing newline cut; BT_ENOENT. */
int lx_proc_read(const char *path, char *buf, size_t cap);

#endif
