/*
 * The menu baton shows when it finds no config: the Boot Loader
 * Specification entries (core/bls.c), every EFI program under
 * /EFI/<folder>/ (and /EFI/Microsoft/Boot/) on every volume it can read,
 * with systemd-boot's auto-* ids, an "isos" entry for each
 * /isos or /iso folder with ISO files in it, then the firmware's setup,
 * reboot, power off and exit (loader.conf's auto-entries and auto-firmware
 * can leave out the programs and the firmware's setup).  The entries are
 * written in the config language and parsed like any config, so they
 * behave exactly like configured ones.
 */
#include "config/bls.h"
#include "core/session.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define AUTOMENU_MAX 64		/* programs listed at most */

struct scan {
	struct session *s;
	struct volume *vol;
	const char *dir;	/* the /EFI/<folder> being listed */
	char *text;		/* the config being written */
	size_t len, cap;
	unsigned count;
	unsigned n_isos;	/* "isos" entries written */
	int err;
};

/* Append a formatted piece to the config text. */
static void emit(struct scan *sc, const char *piece)
{
	size_t n = piece ? strlen(piece) : 0;

	if (sc->err)
		return;
	if (!piece || array_reserve((void **)&sc->text, &sc->cap, sc->len + n + 1, 1)) {
		sc->err = BT_ENOMEM;
		return;
	}
	memcpy(sc->text + sc->len, piece, n + 1);
	sc->len += n;
}

/* Whether a name can be written in the config language unchanged. */
static bool plain_name(const char *name)
{
	for (; *name; name++)
		if (is_space((unsigned char)*name) || *name == '#' || *name == '\\')
			return false;
	return true;
}

/* Whether the menu being written already has an entry with this id. */
static bool has_id(const struct scan *sc, const char *id)
{
	size_t n = strlen(id), i;

	/* Every entry line starts a line: "entry ID\n". */
	for (i = 0; i + 6 + n < sc->len; i++)
		if ((!i || sc->text[i - 1] == '\n') &&
		    !strncmp(sc->text + i, "entry ", 6) &&
		    !strncmp(sc->text + i + 6, id, n) &&
		    sc->text[i + 6 + n] == '\n')
			return true;
	return false;
}

/*
 * The id of a program found at path (/EFI/x/y.efi), as systemd-boot names
 * what it finds, so `systemctl reboot --boot-loader-entry=` can ask for
 * it: auto-windows, auto-efi-shell, auto-efi-default (another disk's
 * /EFI/BOOT/BOOTX64.EFI), else auto-efi-FOLDER-NAME; a second one with
 * the same id gets -2, -3, ...
 */
static void program_id(const struct scan *sc, const char *path, char *id,
		       size_t cap)
{
	const char *file = strrchr(path, '/') + 1;
	char base[BLI_ID_MAX - 8];
	unsigned n;

	if (!str_casecmp(path, "/EFI/Microsoft/Boot/bootmgfw.efi"))
		fmt_buf(base, sizeof(base), "auto-windows");
	else if (!str_ncasecmp(file, "shell", 5))
		fmt_buf(base, sizeof(base), "auto-efi-shell");
	else if (!str_casecmp(path, "/EFI/BOOT/BOOTX64.EFI"))
		fmt_buf(base, sizeof(base), "auto-efi-default");
	else {
		char raw[BLI_ID_MAX];

		fmt_buf(raw, sizeof(raw), "auto-efi-%.*s-%.*s",
			(int)(file - 1 - (path + 5)), path + 5,
			(int)(strlen(file) - 4), file);
		bli_entry_id(raw, base, sizeof(base));
	}
	fmt_buf(id, cap, "%s", base);
	for (n = 2; has_id(sc, id); n++)
		fmt_buf(id, cap, "%s-%u", base, n);
}

static int add_program(void *ctx, const char *name, bool is_dir)
{
	struct scan *sc = ctx;
	const char *self = fw_fs(sc->s->fw)->origin.file;
	char *path, *prefix, *entry, id[BLI_ID_MAX];

	if (is_dir || !str_ends_with_case(name, ".efi") || !plain_name(name))
		return 0;
	path = fmt_alloc("%s/%s", sc->dir, name);
	if (!path) {
		sc->err = BT_ENOMEM;
		return 1;
	}
	/* Never offer baton itself. */
	if (sc->vol->is_boot && self && str_casecmp(path, self) == 0) {
		bt_free(path);
		return 0;
	}
	prefix = fs_volume_prefix(sc->vol);
	program_id(sc, path, id, sizeof(id));
	entry = prefix ? fmt_alloc("entry %s\ntitle %s (%s)\nefi %s%s\n",
				   id, path + 5,
				   sc->vol->label ? sc->vol->label : sc->vol->name,
				   prefix, path) : NULL;
	if (prefix) {
		emit(sc, entry);
		sc->count++;
	}
	bt_free(entry);
	bt_free(prefix);
	bt_free(path);
	return sc->err || sc->count >= AUTOMENU_MAX;
}

static int list_folder(void *ctx, const char *name, bool is_dir)
{
	struct scan *sc = ctx;
	char *dir;

	if (!is_dir || !plain_name(name))
		return 0;
	dir = fmt_alloc("/EFI/%s", name);
	if (!dir) {
		sc->err = BT_ENOMEM;
		return 1;
	}
	sc->dir = dir;
	sc->vol->ops->list(sc->vol, dir, add_program, sc);
	bt_free(dir);
	/* Windows keeps its boot manager a level down. */
	if (!sc->err && !str_casecmp(name, "Microsoft")) {
		sc->dir = "/EFI/Microsoft/Boot";
		sc->vol->ops->list(sc->vol, sc->dir, add_program, sc);
	}
	return sc->err || sc->count >= AUTOMENU_MAX;
}

static int is_iso(void *ctx, const char *name, bool is_dir)
{
	bool *found = ctx;

	*found = !is_dir && str_ends_with_case(name, ".iso") && plain_name(name);
	return *found;
}

/* An "isos" entry for each of the volume's /isos and /iso folders that
 * holds an ISO file. */
static void add_isos(struct scan *sc)
{
	static const char dirs[][6] = { "/isos", "/iso" };
	char *prefix = fs_volume_prefix(sc->vol), *entry;
	size_t i;

	for (i = 0; prefix && i < 2 && !sc->err; i++) {
		bool found = false;

		sc->vol->ops->list(sc->vol, dirs[i], is_iso, &found);
		if (!found)
			continue;
		entry = fmt_alloc("entry isos%u\ntitle ISO files in %s%s\n"
				  "isos %s%s\n", sc->n_isos++, prefix, dirs[i],
				  prefix, dirs[i]);
		emit(sc, entry);
		bt_free(entry);
	}
	bt_free(prefix);
}

/* A device a driver recognised but cannot read: say so on the console. */
static void report_probe(void *ctx, const char *msg)
{
	session_print(ctx, msg);
}

int automenu_build(struct session *s, struct config *cfg)
{
	struct fs *fs = fw_fs(s->fw);
	struct scan sc = { .s = s };
	struct bls_prefs prefs;
	struct config_source src;
	struct path origin;
	char err[100];
	size_t i;
	int rc;

	/* Every disk, not only those in the firmware's boot order. */
	fs_probe(fs, true, report_probe, s);
	rc = bls_scan(s, cfg, &prefs);
	if (rc)
		return rc;
	/* Programs found on a disk are not booted unasked; a BLS entry is
	 * what the system installed to boot (loader.conf may say more). */
	if (!cfg->timeout_set)
		emit(&sc, cfg->n_entries ? "timeout 5\n" : "timeout -1\n");
	for (i = 0; prefs.auto_entries && i < fs->n_vols && !sc.err &&
	     sc.count < AUTOMENU_MAX; i++) {
		sc.vol = fs->vols[i];
		/* A volume without /EFI is not an error: it just has nothing. */
		sc.vol->ops->list(sc.vol, "/EFI", list_folder, &sc);
	}
	for (i = 0; i < fs->n_vols && !sc.err; i++) {
		sc.vol = fs->vols[i];
		add_isos(&sc);
	}
	/* systemd-boot's ids for the same entries. */
	if (prefs.auto_firmware)
		emit(&sc, "entry auto-reboot-to-firmware-setup\n"
			  "title Firmware setup\naction firmware-setup\n");
	emit(&sc, "entry auto-reboot\ntitle Reboot\naction reboot\n"
		  "entry auto-poweroff\ntitle Power off\naction poweroff\n"
		  "entry exit\ntitle Exit to the firmware\naction exit\n");
	if (sc.err) {
		bt_free(sc.text);
		return sc.err;
	}
	rc = path_parse("boot:/automenu", NULL, &origin, err, sizeof(err));
	if (!rc) {
		rc = config_parse(cfg, &origin, sc.text, sc.len, session_source(s, &src));
		path_free(&origin);
	}
	bt_free(sc.text);
	return rc;
}
