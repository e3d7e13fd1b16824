/* Finding the config, and the top of the boot session. */
#include "config/bls.h"
#include "core/baton.h"
#include "core/session.h"
#include "firmware/firmware.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "net/netconf.h"

static int source_read(void *ctx, const struct path *p, char **data,
		       size_t *len, char *err, size_t errlen)
{
	struct session *s = ctx;

	return fs_read_all(fw_fs(s->fw), p, (void **)data, len, err, errlen);
}

const struct config_source *session_source(struct session *s,
					  struct config_source *out)
{
	out->ctx = s;
	out->read = source_read;
	return out;
}

void session_print(struct session *s, const char *line)
{
	fw_con_write(s->fw, line);
	fw_con_write(s->fw, "\n");
	console_invalidate(&s->con);
}

/*
 * The value of "config=PATH" among the load options' words, as a new
 * string, or NULL (also when out of memory, which then shows as no
 * override; the default places are still tried).
 */
static char *config_option(const char *opts)
{
	const char *p = opts;

	while (*p) {
		const char *end;

		while (is_space((unsigned char)*p))
			p++;
		for (end = p; *end && !is_space((unsigned char)*end); end++)
			;
		if (str_starts_with(p, "config=") && end - p > 7)
			return str_ndup(p + 7, (size_t)(end - p - 7));
		p = end;
	}
	return NULL;
}

/* Try to read and parse the config at text (against origin, NULL: the
 * root of baton's volume); BT_ENOENT when it is absent. */
static int try_config(struct session *s, struct config *cfg, const char *text,
		      const struct path *origin, char *err, size_t errlen)
{
	struct config_source src;
	struct path p;
	char *data;
	size_t len;
	int rc = path_parse(text, origin, &p, err, errlen);

	if (rc)
		return rc;
	rc = fs_read_all(fw_fs(s->fw), &p, (void **)&data, &len, err, errlen);
	if (!rc) {
		char *name = path_format(&p);
		char line[300];

		fmt_buf(line, sizeof(line), "baton %s: config %s", BATON_VERSION,
			name ? name : text);
		session_print(s, line);
		bt_free(name);
		rc = config_parse(cfg, &p, data, len, session_source(s, &src));
		bt_free(data);
	}
	path_free(&p);
	return rc;
}

/*
 * The config on another volume of the disk baton came from: the ISO 9660
 * tree of the CD (or hybrid stick) whose El Torito image holds baton, or a
 * partition beside baton's ESP.  The first volume in device order with
 * places[0] or places[1] wins.
 */
static int boot_disk_config(struct session *s, struct config *cfg,
			    const char *const *places)
{
	struct fs *fs = fw_fs(s->fw);
	char err[300], text[300];
	size_t i, j;
	int rc;

	fs_probe(fs, false, NULL, NULL);
	for (i = 0; i < fs->n_vols; i++) {
		struct volume *v = fs->vols[i];
		char *prefix;

		if (v->is_boot || !v->on_boot_disk ||
		    !(prefix = fs_volume_prefix(v)))
			continue;
		for (j = 0, rc = BT_ENOENT; j < 2 && rc == BT_ENOENT; j++) {
			fmt_buf(text, sizeof(text), "%s%s", prefix, places[j]);
			rc = try_config(s, cfg, text, NULL, err, sizeof(err));
		}
		bt_free(prefix);
		if (rc != BT_ENOENT)
			return rc;
	}
	return BT_ENOENT;
}

/*
 * The config of a netbooted baton, on the boot server in the order of
 * net/netconf.h.  Only "not there" goes on to the next name: any other
 * failure (no answer, a refusal, a bad config) is reported and ends the
 * search, so an unreachable server costs one timeout, not twelve.
 */
static int net_config(struct session *s, struct config *cfg,
		      const struct fw_netboot *nb)
{
	const struct path *origin = &fw_fs(s->fw)->origin;
	struct netconf_list l;
	char err[300], dir[300];
	const char *slash = strrchr(origin->file, '/');
	size_t i;
	int rc = BT_ENOENT;

	fmt_buf(dir, sizeof(dir), "%.*s", (int)(slash - origin->file + 1),
		origin->file);
	if (netconf_candidates(&nb->boot, nb->mac, nb->mac_len, dir, &l))
		return BT_ENOMEM;
	for (i = 0; i < l.n && rc == BT_ENOENT; i++)
		rc = try_config(s, cfg, l.names[i], origin, err, sizeof(err));
	if (rc && rc != BT_ENOENT && rc != BT_ENOMEM)
		config_diag(cfg, "%s", err);
	if (rc && rc != BT_ENOMEM) {
		fmt_buf(err, sizeof(err), "baton: no config on the boot server "
			"(%u names tried, the last %s)", (unsigned)l.n,
			l.n ? l.names[l.n - 1] : "");
		session_print(s, err);
		rc = BT_ENOENT;
	}
	netconf_free(&l);
	return rc;
}

/*
 * Load the config: config= from the load options, else baton.conf next to
 * baton's binary, /boot/baton.conf, /baton.conf, then /boot/baton.conf and
 * /baton.conf on the other volumes of baton's disk.  Returns 0 when one was
 * parsed, BT_ENOENT when there is none, or BT_ENOMEM.
 */
static int load_config(struct session *s, struct config *cfg,
		       const struct fw_netboot *nb)
{
	char err[300], next_to_self[300];
	const struct path *origin = &fw_fs(s->fw)->origin;
	const char *self = origin->file ? origin->file : "", *last = NULL, *c;
	char *forced = config_option(fw_load_options(s->fw));
	const char *places[3] = { next_to_self, "/boot/baton.conf", "/baton.conf" };
	size_t i;
	int rc;

	if (forced) {
		rc = try_config(s, cfg, forced, NULL, err, sizeof(err));
		bt_free(forced);
		if (rc == BT_ENOMEM)
			return rc;
		if (!rc)
			return 0;
		/* An explicit config that cannot be read is reported, then
		 * the usual places are tried so the machine still boots. */
		config_diag(cfg, "config= load option: %s", err);
	}
	if (nb->pxe || nb->http)
		return net_config(s, cfg, nb);
	for (c = self; *c; c++)
		if (*c == '/')
			last = c;
	fmt_buf(next_to_self, sizeof(next_to_self), "%.*sbaton.conf",
		last ? (int)(last - self + 1) : 1, last ? self : "/");
	for (i = 0; i < 3; i++) {
		if (i && !strcmp(places[i], next_to_self))
			continue;
		rc = try_config(s, cfg, places[i], NULL, err, sizeof(err));
		if (rc != BT_ENOENT)
			return rc;
	}
	return boot_disk_config(s, cfg, places + 1);
}

/*
 * Started by PXE: baton's origin is its boot file on the boot server, so
 * "/x" in the config found there means that server; by HTTP boot, its URL.
 * BT_ENOMEM or 0.
 */
static int net_origin(struct session *s, struct fw_netboot *nb)
{
	struct fs *fs = fw_fs(s->fw);
	struct path self;
	char text[DHCP_STR_MAX + 8], err[300];

	if (!fw_netboot(s->fw, nb))
		return 0;
	if (nb->why)
		session_print(s, nb->why);
	fmt_buf(text, sizeof(text), "tftp:/%s", nb->boot.boot_file);
	if (path_parse(nb->http ? nb->url : text, NULL, &self, err,
		       sizeof(err))) {
		char line[400];

		/* Said, then the config is looked for at the root of the
		 * boot server (PXE) or on the disks (HTTP boot). */
		fmt_buf(line, sizeof(line), "baton: its own %s '%s' is not a "
			"path baton reads: %s", nb->http ? "URL" : "boot file",
			nb->http ? nb->url : nb->boot.boot_file, err);
		session_print(s, line);
		if (nb->http) {
			nb->http = false;
			return 0;
		}
		if (path_parse("tftp:/baton.efi", NULL, &self, err, sizeof(err)))
			return BT_ENOMEM;
	}
	path_free(&fs->origin);
	fs->origin = self;
	return 0;
}

/* Show each diagnostic on its own line before the menu takes the screen. */
static void print_diags(struct session *s, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_diags; i++)
		session_print(s, cfg->diags[i]);
}

int baton_load_menu(struct fw *fw, struct config *cfg)
{
	struct session s = { .fw = fw };
	struct bls_prefs prefs;
	int rc;

	if (console_init(&s.con, fw))
		return BT_ENOMEM;
	rc = load_config(&s, cfg, &(struct fw_netboot){ 0 });
	if (!rc && cfg->bls)
		rc = bls_scan(&s, cfg, &prefs);
	if (!rc)
		rc = config_finish(cfg);
	console_free(&s.con);
	return rc;
}

int baton_main(struct fw *fw)
{
	struct session s = { .fw = fw };
	struct bls_prefs prefs;
	struct config cfg;
	struct fw_netboot nb;
	int rc;

	if (console_init(&s.con, fw)) {
		fw_con_write(fw, "baton: out of memory\n");
		return BT_ENOMEM;
	}
	config_init(&cfg);
	rc = net_origin(&s, &nb);
	bli_start(&s);
	if (!rc)
		rc = load_config(&s, &cfg, &nb);
	if (rc == BT_ENOENT) {
		session_print(&s, "baton " BATON_VERSION ": no baton.conf found; "
			      "showing what is on the disks");
		rc = automenu_build(&s, &cfg);
	} else if (!rc && cfg.bls) {
		/* After the config's own entries; loader.conf's automatic
		 * entries are the automatic menu's, so prefs go unused. */
		rc = bls_scan(&s, &cfg, &prefs);
	}
	if (!rc)
		rc = config_finish(&cfg);
	if (!rc) {
		print_diags(&s, &cfg);
		rc = run_menu(&s, &cfg, "baton " BATON_VERSION, false);
	}
	config_free(&cfg);
	console_free(&s.con);
	/* On a line of its own: the menu leaves the cursor at the end of its
	 * last row. */
	if (rc == BT_ENOMEM)
		fw_con_write(fw, "\nbaton: out of memory\n");
	return rc < 0 ? rc : 0;
}
