/*
 * baton's one error convention: functions return int, 0 for success and a
 * negative BT_E* code for failure.  A firmware status is turned into one of
 * these codes exactly once, at the firmware boundary (firmware/efi/), and
 * bt_strerror() is the one table that turns a code into words.
 */
#ifndef BATON_LIB_ERROR_H
#define BATON_LIB_ERROR_H

enum {
	BT_OK = 0,
	BT_ENOMEM = -1,		/* out of memory */
	BT_ENOENT = -2,		/* no such file, volume or entry */
	BT_EIO = -3,		/* device or read error */
	BT_EINVAL = -4,		/* malformed input */
	BT_ETOOBIG = -5,	/* input larger than a limit */
	BT_EUNSUPP = -6,	/* valid, but not something baton can do */
	BT_ETIMEOUT = -7,	/* nothing happened before the deadline */
	BT_EABORT = -8,		/* the user or the program gave up */
	BT_EHASH = -9,		/* contents differ from the pinned hash */
	BT_ELOOP = -10,		/* include loop or nesting too deep */
	BT_EDENIED = -11,	/* refused by the firmware (security, policy) */
	BT_ENOTDIR = -12,	/* a path component is not a directory */
	BT_EFORMAT = -13,	/* file is not of the expected format */
};

/* Words for an error code; never NULL, also for unknown codes. */
const char *bt_strerror(int err);

#endif
