/* Checking that a file is an EFI program this machine can run, before the
 * firmware is asked to load it, so the user gets a precise message. */
#ifndef BATON_LOADER_PE_H
#define BATON_LOADER_PE_H

#include <stddef.h>

/*
 * Check that data[0..len) is a PE32+ x86-64 EFI application or driver.
 * Returns 0, or BT_EFORMAT with a message in why, e.g.
 * "not an EFI program (no MZ signature at offset 0)".
 */
int pe_check(const void *data, size_t len, char *why, size_t whylen);

#endif
