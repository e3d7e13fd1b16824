/* Checking that a file is an EFI program this machine can run, before the
 * firmware is asked to load it, so the user gets a precise message. */
#ifndef BATON_LOADER_PE_H
#define BATON_LOADER_PE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Check that data[0..len) is a PE32+ x86-64 EFI application or driver.
 * Returns 0, or BT_EFORMAT with a message in why, e.g.
 * "not an EFI program (no MZ signature at offset 0)".
 */
int pe_check(const void *data, size_t len, char *why, size_t whylen);

/*
 * How many bytes from the start of a PE file hold its headers up to the end
 * of the section table, read from the first len bytes (at least the MZ
 * header and the COFF header); 0 when data is not a PE file.  A caller
 * that reads a file in pieces reads this much, then asks pe_section().
 */
size_t pe_headers_len(const void *data, size_t len);

/*
 * Find the section called name (at most 8 bytes, e.g. ".osrel") in the
 * headers data[0..len) (pe_headers_len() bytes at least): *off is its
 * file offset and *size its length in the file (the virtual size when it
 * is smaller than the raw size, so the file alignment's padding is left
 * out).  BT_ENOENT when there is none, BT_EFORMAT when the headers are not
 * a PE file or are cut short.  Nothing is read past data[len).
 */
int pe_section(const void *data, size_t len, const char *name, uint32_t *off,
	       uint32_t *size);

#endif
