/* systemd's Boot Loader Interface (see core/bli.h and docs/reboot.md). */
#include <string.h>

#include "config/config.h"
#include "core/baton.h"
#include "core/bli.h"
#include "core/session.h"
#include "firmware/firmware.h"
#include "fs/fs.h"
#include "fs/volume.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#define VAR_MAX 512		/* the largest string variable baton reads */

size_t bli_str_encode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0, len = strlen(s);

	while (len) {
		uint32_t cp;
		size_t used = utf8_decode(s, len, &cp);

		if (!used)
			used = 1;
		if (cp > 0xffff)
			cp = 0xfffd;
		if (n + 4 > cap)
			return 0;
		out[n++] = (uint8_t)cp;
		out[n++] = (uint8_t)(cp >> 8);
		s += used;
		len -= used;
	}
	if (n + 2 > cap)
		return 0;
	out[n++] = 0;
	out[n++] = 0;
	return n;
}

int bli_str_decode(const uint8_t *data, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	if (len % 2 || !cap)
		return BT_EINVAL;
	for (i = 0; i < len; i += 2) {
		unsigned c = data[i] | data[i + 1] << 8;

		if (!c)
			break;
		if (c < 0x20 || c > 0x7e || n + 1 >= cap)
			return BT_EINVAL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

int bli_timeout_parse(const char *s, int *timeout)
{
	uint64_t n = 0;
	const char *c;

	if (!strcmp(s, "menu-force")) {
		*timeout = -1;
		return 0;
	}
	if (!strcmp(s, "menu-hidden") || !strcmp(s, "menu-disabled")) {
		*timeout = 0;
		return 0;
	}
	if (!*s)
		return BT_EINVAL;
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9' || (n = n * 10 + (*c - '0')) >
		    UINT32_MAX)
			return BT_EINVAL;
	}
	/* Older bootctl writes menu-force as UINT32_MAX; a count of seconds
	 * beyond an int is as good as for ever. */
	*timeout = n > 0x7fffffff ? -1 : (int)n;
	return 0;
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '_' || c == '.' || c == '@';
}

void bli_entry_id(const char *id, char *out, size_t cap)
{
	size_t i;

	for (i = 0; id[i] && i + 1 < cap; i++) {
		char c = (char)to_lower(id[i]);

		out[i] = id_char(c) ? c : '_';
	}
	out[i] = '\0';
}

int bli_entries(const struct config *cfg, uint8_t **out, size_t *len)
{
	size_t i, n = 0, cap = 0;
	uint8_t *buf;
	char id[BLI_ID_MAX];

	for (i = 0; i < cfg->n_entries; i++)
		if (cfg->entries[i].id)
			cap += 2 * strlen(cfg->entries[i].id) + 2;
	*len = 0;
	if (!(*out = buf = bt_alloc(cap ? cap : 1)))
		return BT_ENOMEM;
	for (i = 0; i < cfg->n_entries; i++) {
		if (!cfg->entries[i].id)
			continue;
		bli_entry_id(cfg->entries[i].id, id, sizeof(id));
		n += bli_str_encode(id, buf + n, cap - n);
	}
	*len = n;
	return 0;
}

/* pattern in lower case: ids are reported so, and userspace compares
 * without case. */
static void lower(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		out[i] = (char)to_lower(s[i]);
	out[i] = '\0';
}

/* The first entry that can boot whose reported id pattern matches (a BLS
 * entry out of tries only when no other does); SIZE_MAX when none. */
static size_t match(const struct config *cfg, const char *pattern)
{
	char pat[BLI_ID_MAX], id[BLI_ID_MAX];
	size_t i;
	int pass;

	if (!pattern || !*pattern)
		return SIZE_MAX;
	lower(pattern, pat, sizeof(pat));
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < cfg->n_entries; i++) {
			const struct config_entry *e = &cfg->entries[i];

			if (e->error || !e->id || (!pass && e->bls_bad))
				continue;
			bli_entry_id(e->id, id, sizeof(id));
			if (glob_match(pat, id))
				return i;
		}
	return SIZE_MAX;
}

static bool is_saved(const char *pattern)
{
	return pattern && !strcmp(pattern, "@saved");
}

enum bli_save bli_saving(const struct config *cfg, const struct bli_vars *v)
{
	/* @saved in LoaderEntryDefault, else in the config when no
	 * LoaderEntryDefault overrides it. */
	return is_saved(v->efi_default) ||
	       (!v->efi_default[0] && is_saved(cfg->default_pattern)) ?
	       BLI_SAVE : BLI_FORGET;
}

size_t bli_pick(const struct config *cfg, const struct bli_vars *v,
		enum bli_from *from, enum bli_save *save)
{
	bool efi_saved = is_saved(v->efi_default);
	bool cfg_saved = is_saved(cfg->default_pattern);
	size_t i;

	*save = bli_saving(cfg, v);
	*from = BLI_ONESHOT;
	if ((i = match(cfg, v->oneshot)) != SIZE_MAX) {
		*save = BLI_KEEP;
		return i;
	}
	*from = BLI_EFI_DEFAULT;
	if ((i = match(cfg, efi_saved ? v->last_booted : v->efi_default)) !=
	    SIZE_MAX)
		return i;
	*from = BLI_CONFIG;
	if ((!cfg_saved || !efi_saved) &&
	    (i = match(cfg, cfg_saved ? v->last_booted :
		       cfg->default_pattern)) != SIZE_MAX)
		return i;
	*from = BLI_FIRST;
	return config_default_index(cfg);
}

int bli_timeout(int config_timeout, const struct bli_vars *v)
{
	if (v->has_oneshot_timeout)
		return v->oneshot_timeout > 0 ? v->oneshot_timeout : -1;
	return v->has_timeout ? v->timeout : config_timeout;
}

/* --- a session's variables ------------------------------------------- */

/* A failed read or write, said once: the boot goes on without it. */
static void var_failed(struct session *s, const char *what, const char *name,
		       const char *why)
{
	char line[300];

	if (s->bli_warned)
		return;
	s->bli_warned = true;
	fmt_buf(line, sizeof(line), "baton: cannot %s EFI variable %s: %s "
		"(the Boot Loader Interface may be incomplete)", what, name,
		why[0] ? why : "the firmware refused");
	session_print(s, line);
}

static void set_raw(struct session *s, const char *name, const void *data,
		    size_t len, bool persistent)
{
	char why[100] = "";

	if (fw_var_set(s->fw, name, data, len, persistent, why, sizeof(why)))
		var_failed(s, len ? "write" : "delete", name, why);
}

static void set_str(struct session *s, const char *name, const char *value,
		    bool persistent)
{
	uint8_t buf[VAR_MAX];
	size_t n = bli_str_encode(value, buf, sizeof(buf));

	if (n)
		set_raw(s, name, buf, n, persistent);
	else
		var_failed(s, "write", name, "the value is too long");
}

static void set_usec(struct session *s, const char *name, uint64_t us)
{
	char text[24];

	fmt_buf(text, sizeof(text), "%llu", (unsigned long long)us);
	set_str(s, name, text, false);
}

/* A string variable into out ("" when absent); a bad one is said and
 * taken as absent.  Whether it exists, good or bad. */
static bool get_str(struct session *s, const char *name, char *out,
		    size_t cap)
{
	uint8_t buf[VAR_MAX];
	char why[100] = "", line[300];
	size_t len;
	int rc = fw_var_get(s->fw, name, buf, sizeof(buf), &len, why,
			    sizeof(why));

	out[0] = '\0';
	if (rc == BT_ENOENT)
		return false;
	if (!rc && !bli_str_decode(buf, len, out, cap))
		return true;
	out[0] = '\0';
	if (rc == BT_EIO) {
		var_failed(s, "read", name, why);
		return false;
	}
	fmt_buf(line, sizeof(line), "baton: EFI variable %s is not an id or "
		"a number as UTF-16 text (%zu bytes); ignored", name, len);
	session_print(s, line);
	return true;
}

/* A timeout variable: whether it exists (*ok: and holds a timeout). */
static bool get_timeout(struct session *s, const char *name, int *timeout,
			bool *ok)
{
	char text[BLI_ID_MAX], line[300];
	bool exists = get_str(s, name, text, sizeof(text));

	*ok = false;
	if (!text[0])
		return exists;
	if (!bli_timeout_parse(text, timeout)) {
		*ok = true;
		return true;
	}
	fmt_buf(line, sizeof(line), "baton: EFI variable %s is '%s', expected "
		"seconds, menu-force, menu-hidden or menu-disabled; ignored",
		name, text);
	session_print(s, line);
	return true;
}

/* The GPT partition GUID of baton's own volume, or NULL. */
static const char *own_partuuid(struct fs *fs)
{
	size_t i;

	for (i = 0; i < fs->n_vols; i++)
		if (fs->vols[i]->is_boot)
			return fs->vols[i]->partuuid;
	return NULL;
}

void bli_start(struct session *s)
{
	struct bli_vars *v = &s->bli;
	struct fs *fs = fw_fs(s->fw);
	char info[128], type[32], image[300];
	uint8_t features[8];
	const char *uuid;
	uint64_t start = fw_time_us(s->fw);
	size_t i;

	memset(v, 0, sizeof(*v));
	/* The one-shot variables are gone once read, whatever they hold. */
	if (get_str(s, "LoaderEntryOneShot", v->oneshot, sizeof(v->oneshot)))
		set_raw(s, "LoaderEntryOneShot", NULL, 0, true);
	if (get_timeout(s, "LoaderConfigTimeoutOneShot", &v->oneshot_timeout,
			&v->has_oneshot_timeout))
		set_raw(s, "LoaderConfigTimeoutOneShot", NULL, 0, true);
	get_str(s, "LoaderEntryDefault", v->efi_default,
		sizeof(v->efi_default));
	get_str(s, "LoaderEntryLastBooted", v->last_booted,
		sizeof(v->last_booted));
	get_timeout(s, "LoaderConfigTimeout", &v->timeout, &v->has_timeout);

	set_usec(s, "LoaderTimeInitUSec", start);
	set_str(s, "LoaderInfo", "baton " BATON_VERSION, false);
	fw_firmware_id(s->fw, info, sizeof(info), type, sizeof(type));
	set_str(s, "LoaderFirmwareInfo", info, false);
	set_str(s, "LoaderFirmwareType", type, false);
	for (i = 0; i < 8; i++)
		features[i] = (uint8_t)(BLI_FEATURES >> (8 * i));
	set_raw(s, "LoaderFeatures", features, sizeof(features), false);
	if (fs->origin.source != PATH_SRC_BOOT)
		return;
	if ((uuid = own_partuuid(fs)))
		set_str(s, "LoaderDevicePartUUID", uuid, false);
	if (fs->origin.file && fs->origin.file[0]) {
		fmt_buf(image, sizeof(image), "%s", fs->origin.file);
		for (i = 0; image[i]; i++)
			if (image[i] == '/')
				image[i] = '\\';
		set_str(s, "LoaderImageIdentifier", image, false);
	}
}

size_t bli_menu(struct session *s, struct config *cfg)
{
	enum bli_from from;
	enum bli_save picked;
	uint8_t *list;
	size_t len, idx;

	if (!bli_entries(cfg, &list, &len)) {
		set_raw(s, "LoaderEntries", list, len, false);
		bt_free(list);
	}
	cfg->timeout = bli_timeout(cfg->timeout, &s->bli);
	/* The session keeps whether @saved is on: the user may boot
	 * another entry than the one picked. */
	idx = bli_pick(cfg, &s->bli, &from, &picked);
	s->bli_save = bli_saving(cfg, &s->bli);
	s->bli_oneshot = from == BLI_ONESHOT ? idx : SIZE_MAX;
	if (s->bli.oneshot[0] && from != BLI_ONESHOT) {
		char line[300];

		fmt_buf(line, sizeof(line), "baton: LoaderEntryOneShot '%s' "
			"matches no entry that can boot; it is used up",
			s->bli.oneshot);
		session_print(s, line);
	}
	return idx;
}

void bli_menu_shown(struct session *s)
{
	if (s->bli_menu_timed)
		return;
	s->bli_menu_timed = true;
	set_usec(s, "LoaderTimeMenuUSec", fw_time_us(s->fw));
}

void bli_booting(struct session *s, const struct config_entry *e, size_t idx,
		 bool top)
{
	char id[BLI_ID_MAX];

	if (top && e->id) {
		bli_entry_id(e->id, id, sizeof(id));
		set_str(s, "LoaderEntrySelected", id, false);
		/* A one-shot boot leaves the saved entry alone; one the
		 * user chose instead is saved as any other. */
		if (idx != s->bli_oneshot && s->bli_save == BLI_SAVE &&
		    strcmp(id, s->bli.last_booted))
			set_str(s, "LoaderEntryLastBooted", id, true);
		else if (idx != s->bli_oneshot && s->bli_save == BLI_FORGET &&
			 s->bli.last_booted[0])
			set_raw(s, "LoaderEntryLastBooted", NULL, 0, true);
	}
	set_usec(s, "LoaderTimeExecUSec", fw_time_us(s->fw));
}
