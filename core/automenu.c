/*
 * The menu baton shows when it finds no config: the Boot Loader
 * Specification entries (core/bls.c), every EFI program under
 * /EFI/<folder>/ on every volume it can read, an "isos" entry for each
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

static int add_program(void *ctx, const char *name, bool is_dir)
{
	struct scan *sc = ctx;
	const char *self = fw_fs(sc->s->fw)->origin.file;
	char *path, *prefix, *entry;

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
	entry = prefix ? fmt_alloc("entry found%u\ntitle %s (%s)\nefi %s%s\n",
				   sc->count, path + 5,
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
	if (prefs.auto_firmware)
		emit(&sc, "entry firmware-setup\ntitle Firmware setup\n"
			  "action firmware-setup\n");
	emit(&sc, "entry reboot\ntitle Reboot\naction reboot\n"
		  "entry poweroff\ntitle Power off\naction poweroff\n"
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
