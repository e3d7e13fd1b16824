/*
 * The variables of systemd's Boot Loader Interface (vendor GUID
 * 4a67b082-0a4c-41cf-b6c7-440b29bb8c4f): what baton tells the system it
 * boots (LoaderInfo, LoaderEntries, ...) and what a running system asks of
 * the next boot (LoaderEntryOneShot, LoaderEntryDefault, ...).  Names are
 * ASCII; values are bytes as stored (core/bli.c does the encodings).
 */
#ifndef BATON_FIRMWARE_VARS_H
#define BATON_FIRMWARE_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw;

/*
 * Read variable name into buf (cap bytes); *len is its size.  BT_ENOENT
 * when it does not exist, BT_ETOOBIG when it is larger than cap, BT_EIO
 * (why says what the firmware said) otherwise.
 */
int fw_var_get(struct fw *fw, const char *name, void *buf, size_t cap,
	       size_t *len, char *why, size_t whylen);

/*
 * Set variable name to len bytes of data: persistent (non-volatile) or for
 * this boot only.  len 0 deletes it (deleting one that does not exist is
 * not an error).  0, or BT_EIO with why.
 */
int fw_var_set(struct fw *fw, const char *name, const void *data, size_t len,
	       bool persistent, char *why, size_t whylen);

/* The firmware as LoaderFirmwareInfo ("EDK II 1.00": vendor and
 * revision) and LoaderFirmwareType ("UEFI 2.70") say it. */
void fw_firmware_id(struct fw *fw, char *info, size_t infolen, char *type,
		    size_t typelen);

#endif
