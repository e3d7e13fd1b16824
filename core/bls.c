/*
 * Finding Boot Loader Specification entries on the disks, and counting a
 * boot of one (config/bls.h parses what is found here).  Entries are read
 * from baton's own volume (the ESP it came from) and every XBOOTLDR
 * partition: the .conf files in /loader/entries and the .efi files in
 * /EFI/Linux; loader.conf only
 * from baton's own volume.  The boot-counter rename is the one write baton
 * makes to a disk (docs/design.md).
 */
#include "config/bls.h"
#include "core/session.h"
#include "firmware/firmware.h"
#include "loader/pe.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define XBOOTLDR_TYPE "bc13c2ff-59e6-4262-a352-b275fd6f7172"
#define ENTRY_FILE_MAX (64u << 10)	/* bytes of one .conf or loader.conf */
#define PE_HEAD_MAX (64u << 10)		/* bytes of a UKI's headers */
#define OSREL_MAX (16u << 10)
#define CMDLINE_MAX CONFIG_LINE_MAX

/* The names found in one folder. */
struct names {
	char **name;
	size_t n;
	bool more;		/* over BLS_MAX_ENTRIES: the rest left out */
	const char *suffix;	/* ".conf" or ".efi" */
	int err;
};

static int add_name(void *ctx, const char *name, bool is_dir)
{
	struct names *ns = ctx;
	char **a;

	/* Dot files are editors' and tools' leftovers; "auto-" names are
	 * kept for the ids of a loader's automatic entries. */
	if (is_dir || name[0] == '.' || str_starts_with(name, "auto-") ||
	    !str_ends_with_case(name, ns->suffix) ||
	    strlen(name) == strlen(ns->suffix))
		return 0;
	if (ns->n >= BLS_MAX_ENTRIES) {
		ns->more = true;
		return 1;
	}
	a = bt_realloc(ns->name, (ns->n + 1) * sizeof(*a));
	if (a)
		ns->name = a;
	if (!a || !(a[ns->n] = str_dup(name))) {
		ns->err = BT_ENOMEM;
		return 1;
	}
	ns->n++;
	return 0;
}

static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		bt_free(ns->name[i]);
	bt_free(ns->name);
}

/* The path of file on v as the config language names it (boot: for
 * baton's own); BT_ENOENT when v has no name a path can use. */
static int volume_path(const struct volume *v, const char *file,
		       struct path *out)
{
	const char *arg = NULL;

	memset(out, 0, sizeof(*out));
	if (v->is_boot)
		out->source = PATH_SRC_BOOT;
	else if ((arg = v->partuuid))
		out->source = PATH_SRC_PARTUUID;
	else if ((arg = v->fsuuid))
		out->source = PATH_SRC_UUID;
	else if ((arg = v->label))
		out->source = PATH_SRC_LABEL;
	else
		return BT_ENOENT;
	out->arg = arg ? str_dup(arg) : NULL;
	out->file = str_dup(file);
	if ((arg && !out->arg) || !out->file) {
		path_free(out);
		return BT_ENOMEM;
	}
	return 0;
}

/* Read len bytes at off of f (fewer only at its end); *got how many. */
static int read_at(struct vfile *f, uint64_t off, void *buf, size_t len,
		   size_t *got)
{
	size_t n;
	int rc = 0;

	for (*got = 0; *got < len; *got += n) {
		rc = f->ops->read_at(f, off + *got, (char *)buf + *got,
				     len - *got, &n);
		if (rc || !n)
			break;
	}
	return rc;
}

/* A whole small file in a new NUL-terminated allocation. */
static int read_small(struct volume *v, const char *file, size_t max,
		      char **data, size_t *len)
{
	struct vfile *f;
	int rc = v->ops->open(v, file, &f);

	*data = NULL;
	if (rc)
		return rc;
	if (f->size == VFILE_SIZE_UNKNOWN || f->size > max)
		rc = BT_ETOOBIG;
	else if (!(*data = bt_alloc((size_t)f->size + 1)))
		rc = BT_ENOMEM;
	else
		rc = read_at(f, 0, *data, (size_t)f->size, len);
	f->ops->close(f);
	if (rc) {
		bt_free(*data);
		*data = NULL;
	} else {
		(*data)[*len] = '\0';
	}
	return rc;
}

/* Report a file that could not be read; BT_ENOMEM passes through. */
static int report_read(struct config *cfg, const struct path *p, int rc)
{
	char *name;

	if (rc == BT_ENOMEM)
		return rc;
	name = path_format(p);
	rc = name ? config_diag(cfg, "%s: cannot be read: %s", name,
				rc == BT_ETOOBIG ? "too large" :
				bt_strerror(rc)) : BT_ENOMEM;
	bt_free(name);
	return rc;
}

/* One section of a UKI (at most max bytes); *data NULL when absent. */
static int read_section(struct vfile *f, const uint8_t *head, size_t hlen,
			const char *name, size_t max, char **data, size_t *len)
{
	uint32_t off, size;
	int rc = pe_section(head, hlen, name, &off, &size);

	*data = NULL;
	*len = 0;
	if (rc == BT_ENOENT)
		return 0;
	if (rc)
		return rc;
	if (size > max || off > f->size || size > f->size - off)
		return BT_EFORMAT;
	if (!(*data = bt_alloc((size_t)size + 1)))
		return BT_ENOMEM;
	rc = read_at(f, off, *data, size, len);
	(*data)[*len] = '\0';
	return rc;
}

/*
 * Read a UKI's headers, .osrel and .cmdline (not the rest: a UKI is
 * megabytes) and add its entry.  A file that is not a UKI with .linux and
 * .osrel is left out without a word, as other EFI programs may live there.
 */
static int add_uki(struct config *cfg, struct volume *v, const struct path *p)
{
	uint8_t *head = NULL;
	char *osrel = NULL, *cmdline = NULL;
	size_t hlen = 0, olen, clen;
	uint32_t off, size;
	struct vfile *f;
	int rc = v->ops->open(v, p->file, &f);

	if (rc)
		return report_read(cfg, p, rc);
	if (!f->seekable || f->size == VFILE_SIZE_UNKNOWN) {
		f->ops->close(f);
		return 0;
	}
	head = bt_alloc(PE_HEAD_MAX);
	if (!head)
		rc = BT_ENOMEM;
	if (!rc)
		rc = read_at(f, 0, head, 4096, &hlen);
	if (!rc && hlen == 4096 && pe_headers_len(head, hlen) > hlen &&
	    pe_headers_len(head, hlen) <= PE_HEAD_MAX)
		rc = read_at(f, 0, head, pe_headers_len(head, hlen), &hlen);
	if (!rc && pe_section(head, hlen, ".linux", &off, &size) == 0)
		rc = read_section(f, head, hlen, ".osrel", OSREL_MAX, &osrel,
				  &olen);
	if (!rc && osrel)
		rc = read_section(f, head, hlen, ".cmdline", CMDLINE_MAX,
				  &cmdline, &clen);
	f->ops->close(f);
	if (!rc && osrel)
		rc = bls_add_uki(cfg, p, osrel, olen, cmdline, clen);
	else if (rc && rc != BT_ENOMEM)
		rc = report_read(cfg, p, rc);
	bt_free(head);
	bt_free(osrel);
	bt_free(cmdline);
	return rc;
}

/* Every .conf in /loader/entries or .efi in /EFI/Linux of v. */
static int scan_folder(struct config *cfg, struct volume *v, const char *dir,
		       const char *suffix)
{
	struct names ns = { .suffix = suffix };
	size_t i;
	int rc;

	/* A volume without the folder just has no entries. */
	v->ops->list(v, dir, add_name, &ns);
	rc = ns.err;
	if (!rc && ns.more)
		rc = config_diag(cfg, "%s: more than %d files in %s; the rest "
				 "are left out", v->name, BLS_MAX_ENTRIES, dir);
	for (i = 0; i < ns.n && !rc; i++) {
		char *file = fmt_alloc("%s/%s", dir, ns.name[i]), *data;
		struct path p;
		size_t len;

		if (!file) {
			rc = BT_ENOMEM;
			break;
		}
		rc = volume_path(v, file, &p);
		bt_free(file);
		if (rc == BT_ENOENT) {
			rc = 0;
			break;	/* the volume cannot be named in a path */
		}
		if (!rc && *suffix == '.' && suffix[1] == 'c') {
			rc = read_small(v, p.file, ENTRY_FILE_MAX, &data, &len);
			rc = rc ? report_read(cfg, &p, rc) :
			     bls_add_entry(cfg, &p, data, len);
			bt_free(data);
		} else if (!rc) {
			rc = add_uki(cfg, v, &p);
		}
		path_free(&p);
	}
	names_free(&ns);
	return rc;
}

/* loader.conf on baton's own volume, if there is one. */
static int read_loader_conf(struct config *cfg, struct volume *v,
			    struct bls_prefs *prefs)
{
	struct path p;
	char *data;
	size_t len;
	int rc = volume_path(v, "/loader/loader.conf", &p);

	if (rc)
		return rc == BT_ENOMEM ? rc : 0;
	rc = read_small(v, p.file, ENTRY_FILE_MAX, &data, &len);
	if (rc == BT_ENOENT)
		rc = 0;
	else if (rc)
		rc = report_read(cfg, &p, rc);
	else
		rc = bls_loader_conf(cfg, &p, data, len, prefs);
	bt_free(data);
	path_free(&p);
	return rc;
}

static bool is_xbootldr(const struct volume *v)
{
	return v->parttype && (!str_casecmp(v->parttype, XBOOTLDR_TYPE) ||
			       !str_casecmp(v->parttype, "mbr:ea"));
}

int bls_scan(struct session *s, struct config *cfg, struct bls_prefs *prefs)
{
	struct fs *fs = fw_fs(s->fw);
	size_t first = cfg->n_entries, i;
	int rc = 0;

	bls_prefs_init(prefs);
	fs_probe(fs, false, NULL, NULL);
	for (i = 0; i < fs->n_vols && !rc; i++) {
		struct volume *v = fs->vols[i];

		if (!v->is_boot && !is_xbootldr(v))
			continue;
		if (v->is_boot)
			rc = read_loader_conf(cfg, v, prefs);
		if (!rc)
			rc = scan_folder(cfg, v, "/loader/entries", ".conf");
		if (!rc)
			rc = scan_folder(cfg, v, "/EFI/Linux", ".efi");
	}
	return rc ? rc : bls_sort(cfg, first);
}

/* The path of a file renamed to new_name in its folder; NULL on OOM. */
static char *renamed(const char *file, const char *new_name)
{
	const char *c, *slash = file;

	for (c = file; *c; c++)
		if (*c == '/')
			slash = c;
	return fmt_alloc("%.*s/%s", (int)(slash - file), file, new_name);
}

void bls_count_boot(struct session *s, struct config_entry *e)
{
	struct volume *v = NULL;
	char err[200], line[600], *name, *file;
	int rc;

	if (!e->bls_next)
		return;
	rc = fs_find_volume(fw_fs(s->fw), &e->bls_file, &v, err, sizeof(err));
	if (!rc && !v->ops->rename)
		rc = BT_EUNSUPP;
	if (!rc)
		rc = v->ops->rename(v, e->bls_file.file, e->bls_next);
	if (rc) {
		name = path_format(&e->bls_file);
		if (rc == BT_EUNSUPP && v)
			fmt_buf(line, sizeof(line), "cannot count this boot: %s "
				"is read-only to baton", v->name);
		else
			fmt_buf(line, sizeof(line), "cannot count this boot: "
				"renaming %s to %s failed: %s",
				name ? name : e->bls_file.file, e->bls_next,
				v ? bt_strerror(rc) : err);
		session_print(s, line);
		bt_free(name);
	} else if (path_same(&e->image, &e->bls_file)) {
		/* A UKI boots under its new name.  Out of memory, it keeps
		 * the old one and fails to load, which says why. */
		file = renamed(e->image.file, e->bls_next);
		if (file) {
			bt_free(e->image.file);
			e->image.file = file;
		}
	}
	/* Counted once a session, whatever happened. */
	bt_free(e->bls_next);
	e->bls_next = NULL;
}
