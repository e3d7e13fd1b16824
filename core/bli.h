/*
 * systemd's Boot Loader Interface, as baton speaks it: the variables a
 * running system reads to learn what booted it (LoaderInfo, LoaderEntries,
 * LoaderFeatures, the timings, ...) and those with which it chooses the
 * next boot (LoaderEntryOneShot, LoaderEntryDefault, @saved with
 * LoaderEntryLastBooted, LoaderConfigTimeout, LoaderConfigTimeoutOneShot),
 * with systemd-boot's precedence.  The encodings and the choice are pure
 * functions; bli_start, bli_menu and bli_booting do the reading and
 * writing for a session.
 */
#ifndef BATON_CORE_BLI_H
#define BATON_CORE_BLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_entry;
struct session;

#define BLI_ID_MAX 128		/* an id or pattern, with its NUL */

/*
 * LoaderFeatures: the bits of what baton honours (systemd's
 * src/fundamental/efivars.h numbering): 0 LoaderConfigTimeout, 1
 * LoaderConfigTimeoutOneShot, 2 LoaderEntryDefault, 3 LoaderEntryOneShot,
 * 5 XBOOTLDR partitions, 8 BLS sort-key, 9 @saved, 13 menu-disabled and
 * the other timeout words, 16 BLS uki, 17 BLS uki-url.
 */
#define BLI_FEATURES (UINT64_C(1) << 0 | UINT64_C(1) << 1 | UINT64_C(1) << 2 | \
		      UINT64_C(1) << 3 | UINT64_C(1) << 5 | UINT64_C(1) << 8 | \
		      UINT64_C(1) << 9 | UINT64_C(1) << 13 | UINT64_C(1) << 16 | \
		      UINT64_C(1) << 17)

/* What the variables asked of this boot ("" and false: not set). */
struct bli_vars {
	char oneshot[BLI_ID_MAX];	/* LoaderEntryOneShot (now deleted) */
	char efi_default[BLI_ID_MAX];	/* LoaderEntryDefault, or "@saved" */
	char last_booted[BLI_ID_MAX];	/* LoaderEntryLastBooted */
	bool has_timeout, has_oneshot_timeout;
	int timeout;			/* LoaderConfigTimeout, as baton's */
	int oneshot_timeout;		/* LoaderConfigTimeoutOneShot */
};

/*
 * s as UTF-16LE with its NUL into out (cap bytes): the bytes written, or
 * 0 when it does not fit.  s is UTF-8; code points above U+FFFF and
 * invalid bytes become U+FFFD.
 */
size_t bli_str_encode(const char *s, uint8_t *out, size_t cap);

/*
 * A UTF-16LE string variable of len bytes (its NUL may be missing; it
 * ends at the first NUL) as ASCII into out (cap bytes).  BT_EINVAL for an
 * odd length, a character outside printable ASCII, or one too long.
 */
int bli_str_decode(const uint8_t *data, size_t len, char *out, size_t cap);

/*
 * A LoaderConfigTimeout value as a baton timeout: seconds; "menu-force"
 * (and old bootctl's 4294967295) waits for ever (-1); "menu-hidden" and
 * "menu-disabled" boot at once (0).  0, or BT_EINVAL.
 */
int bli_timeout_parse(const char *s, int *timeout);

/*
 * The id baton reports for an entry id: lower case, and each character
 * userspace refuses (anything but a-z, 0-9, '+', '-', '_', '.', '@')
 * replaced by '_'.  out has cap bytes (BLI_ID_MAX holds any id baton
 * keeps; a longer one is cut).
 */
void bli_entry_id(const char *id, char *out, size_t cap);

/* The menu's entries with ids, as LoaderEntries holds them: UTF-16LE
 * reported ids, each with its NUL.  A new allocation; BT_ENOMEM. */
int bli_entries(const struct config *cfg, uint8_t **out, size_t *len);

/* What the saved entry becomes after the chosen entry boots. */
enum bli_save {
	BLI_KEEP,	/* a one-shot boot: LoaderEntryLastBooted untouched */
	BLI_SAVE,	/* @saved is on: it becomes the booted entry */
	BLI_FORGET,	/* @saved is off: it is deleted */
};

enum bli_from { BLI_FIRST, BLI_ONESHOT, BLI_EFI_DEFAULT, BLI_CONFIG };

/* Whether @saved is on (BLI_SAVE) or off (BLI_FORGET): in
 * LoaderEntryDefault, else in the config's default. */
enum bli_save bli_saving(const struct config *cfg, const struct bli_vars *v);

/*
 * The entry to preselect, with systemd-boot's precedence: the one-shot
 * entry; LoaderEntryDefault (@saved: LoaderEntryLastBooted); the config's
 * default (@saved likewise); else the first entry that can boot.  Each is
 * a glob matched without case against the reported ids of the entries
 * that can boot (a BLS entry out of tries only when nothing else
 * matches).  *from says which one chose; save what a boot of it does to
 * the saved entry.
 */
size_t bli_pick(const struct config *cfg, const struct bli_vars *v,
		enum bli_from *from, enum bli_save *save);

/*
 * The menu's timeout: LoaderConfigTimeoutOneShot (which also shows the
 * menu: 0 then waits), else LoaderConfigTimeout, else the config's.
 */
int bli_timeout(int config_timeout, const struct bli_vars *v);

/*
 * At baton's start: read (and delete) the one-shot variables and read the
 * others into s->bli; write LoaderTimeInitUSec, LoaderInfo,
 * LoaderFirmwareInfo, LoaderFirmwareType, LoaderFeatures and, when baton
 * came from a disk, LoaderDevicePartUUID and LoaderImageIdentifier.  A
 * variable that cannot be read or written is said once, on the console.
 */
void bli_start(struct session *s);

/* Before the top menu: LoaderEntries, and the menu's timeout and default
 * as the variables say (cfg->timeout is changed); returns the default. */
size_t bli_menu(struct session *s, struct config *cfg);

/* The top menu is on the screen: LoaderTimeMenuUSec (once). */
void bli_menu_shown(struct session *s);

/*
 * Entry e (index idx of the top menu, or a submenu's when top is false)
 * is about to boot: LoaderEntrySelected (top menu only),
 * LoaderEntryLastBooted as @saved says, LoaderTimeExecUSec.
 */
void bli_booting(struct session *s, const struct config_entry *e, size_t idx,
		 bool top);

#endif
