/*
 * Menus for ISO files (config/isomenu.h).  The text written here is baton's
 * config language, one entry per boot choice, so the submenu is parsed,
 * checked and shown exactly like a config a user wrote.
 */
#include <stdarg.h>
#include "config/isomenu.h"
#include "config/grubcfg.h"
#include "config/internal.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/*
 * Which parameter lets an initramfs find the ISO file it was booted from:
 * a kernel line with `detect` (a word starting with it) or, when no rule
 * matches its words, a kernel in `dir`, gets `param` filled as `fill` says.
 * docs/config.md has the same table.
 */
enum fill {
	FILL_ISO,		/* the ISO's path on its volume */
	FILL_DEV,		/* UUID= and that volume's file-system UUID */
};

static const struct rule {
	char detect[16];
	char dir[9];
	char param[19];
	unsigned char fill;
} rules[] = {
	{ "boot=casper", "/casper/", "iso-scan/filename=", FILL_ISO },
	{ "boot=live", "/live/", "findiso=", FILL_ISO },
	{ "archisobasedir=", "/arch/", "img_dev=", FILL_DEV },
	{ "archisobasedir=", "/arch/", "img_loop=", FILL_ISO },
	{ "root=live:", "", "iso-scan/filename=", FILL_ISO },
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

/*
 * Known layouts, for an ISO without a GRUB config baton understands: the
 * kernel and initrd are the shortest names in dir starting with kernel and
 * initrd; args are the distribution's own, %L the ISO's label (the rules
 * above add the rest).  The first layout found is used.
 */
static const struct layout {
	char name[12];
	char dir[18];
	char kernel[14];
	char initrd[16];
	char args[36];
} layouts[] = {
	{ "Debian live", "/live", "vmlinuz", "initrd", "boot=live components" },
	{ "Ubuntu", "/casper", "vmlinuz", "initrd", "boot=casper" },
	{ "Arch Linux", "/arch/boot/x86_64", "vmlinuz-linux", "initramfs-linux",
	  "archisobasedir=arch archisolabel=%L" },
	{ "Fedora live", "/images/pxeboot", "vmlinuz", "initrd",
	  "root=live:CDLABEL=%L rd.live.image" },
	{ "Fedora live", "/isolinux", "vmlinuz", "initrd",
	  "root=live:CDLABEL=%L rd.live.image" },
};

/* The GRUB configs looked at, in order; the first with entries is used. */
static const char cfgs[][24] = { "/boot/grub/loopback.cfg",
				 "/boot/grub/grub.cfg" };

/* -- command lines -------------------------------------------------------- */

/* The first word of s starting with w (exact: being w), or NULL. */
static char *find_word(const char *s, const char *w, bool exact)
{
	size_t n = strlen(w);
	const char *p;

	for (p = s; *p; p++)
		if ((p == s || is_space(p[-1])) && strncmp(p, w, n) == 0 &&
		    (!exact || !p[n] || is_space(p[n])))
			return (char *)p;
	return NULL;
}

/* s with rule r's parameter filled in, unless it has a value already. */
static char *apply(char *s, const struct rule *r,
		   const struct isomenu_facts *f, const char **unfilled)
{
	char *w = find_word(s, r->param, false), *d, *t;
	size_t pl = strlen(r->param);
	const char *pre = r->fill == FILL_DEV ? "UUID=" : "";
	const char *val = r->fill == FILL_DEV ? f->host_fsuuid : f->iso_file;

	if (w && w[pl] && !is_space(w[pl]))
		return s;
	if (!val) {
		*unfilled = r->param;
		return s;
	}
	if (w) {		/* an empty one, from an unset ${iso_path} */
		if (w > s)
			w--, pl++;
		memmove(w, w + pl, strlen(w + pl) + 1);
	}
	/* Before "---": what follows it is for the installed system. */
	d = find_word(s, "---", true);
	if (d)
		t = fmt_alloc("%.*s%s%s%s %s", (int)(d - s), s, r->param, pre,
			      val, d);
	else
		t = fmt_alloc("%s%s%s%s%s", s, *s ? " " : "", r->param, pre,
			      val);
	bt_free(s);
	return t;
}

int isomenu_fix_args(const char *kernel, const char *args,
		     const struct isomenu_facts *f, char **out,
		     const char **unfilled)
{
	bool by_args = false;
	char *s = str_dup(args);
	size_t i;

	*unfilled = NULL;
	for (i = 0; i < N_RULES; i++)
		by_args |= find_word(args, rules[i].detect, false) != NULL;
	for (i = 0; s && i < N_RULES; i++) {
		const struct rule *r = &rules[i];

		if (by_args ? find_word(args, r->detect, false) != NULL :
			      r->dir[0] && str_starts_with(kernel, r->dir))
			s = apply(s, r, f, unfilled);
	}
	*out = s;
	return s ? 0 : BT_ENOMEM;
}

/* -- the text being written ----------------------------------------------- */

struct tbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void add(struct tbuf *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct tbuf *t, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vbuf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->err || array_reserve((void **)&t->s, &t->cap, t->len + n + 1, 1)) {
		t->err = BT_ENOMEM;
		return;
	}
	va_start(ap, fmt);
	fmt_vbuf(t->s + t->len, n + 1, fmt, ap);
	va_end(ap);
	t->len += n;
}

/* A name or path that the config language keeps as one word, as it is. */
static bool plain(const char *s)
{
	if (utf8_check(s, strlen(s)) != strlen(s))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '#' || *s == '\\' ||
		    *s == 0x7F)
			return false;
	return true;
}

/* A command line the config language keeps as it is: one valid line, no
 * word that would start a comment, no continuation at its end. */
static bool line_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (utf8_check(s, n) != n || (n && s[n - 1] == '\\'))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' ||
		    (s[i] == '#' && (!i || s[i - 1] == ' ')))
			return false;
	return true;
}

/* A title as a title line: controls become spaces, invalid bytes '?',
 * a '#' that would start a comment and a final '\' are dropped. */
static char *clean_title(const char *s)
{
	size_t n = strlen(s), i = 0, k = 0, ok = utf8_check(s, n);
	char *t = bt_alloc(n + 1);

	if (!t)
		return NULL;
	for (; i < n; i++) {
		char c = s[i];

		if (i >= ok) {
			c = '?';
			ok = i + 1 + utf8_check(s + i + 1, n - i - 1);
		} else if ((unsigned char)c < ' ') {
			c = ' ';
		}
		if (c == '#' && (!k || t[k - 1] == ' '))
			continue;
		t[k++] = c;
	}
	while (k && t[k - 1] == '\\')
		k--;
	t[k] = '\0';
	return t;
}

static char *host_text(const struct path *p)
{
	return p->source == PATH_SRC_BOOT ? fmt_alloc("boot:%s", p->file) :
					    path_format(p);
}

char *isomenu_inner(const struct path *iso_path, const char *file)
{
	char *h = host_text(iso_path), *s = h ? fmt_alloc("iso(%s):%s", h,
							   file) : NULL;

	bt_free(h);
	return s;
}

/* -- one ISO -------------------------------------------------------------- */

struct build {
	struct tbuf t;
	const struct path *iso_path;
	struct config *notes;
	const struct isomenu_facts *f;
	char *name;		/* the ISO as path_format() writes it */
	const char *base;	/* its file name */
	char *host;		/* "iso(HOST):" as written in entries */
	unsigned n;		/* entries written */
};

static void note(struct build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!b->t.err)
		b->t.err = config_vdiag_at(b->notes, NULL, b->name, 0, fmt, ap);
	va_end(ap);
}

/* One linux entry, its command line completed by the rules. */
static void emit_linux(struct build *b, const char *title, const char *kernel,
		       const char *args, char *const *initrds, size_t n_initrds)
{
	const char *unfilled;
	char *full = NULL, *t = clean_title(title);
	bool ok = plain(kernel);
	size_t i;

	for (i = 0; i < n_initrds; i++)
		ok &= plain(initrds[i]);
	if (!t || isomenu_fix_args(kernel, args, b->f, &full, &unfilled)) {
		b->t.err = BT_ENOMEM;
	} else if (!ok || !line_ok(full)) {
		note(b, "entry '%s': its paths or command line cannot be "
		     "written in baton's config language; it is left out", t);
	} else {
		if (unfilled)
			note(b, "entry '%s': '%s' is missing (the volume "
			     "holding the ISO has no file-system UUID)", t,
			     unfilled);
		add(&b->t, "entry iso%u\ntitle %s\nlinux %s%s%s%s\n", ++b->n,
		    t, b->host, kernel, *full ? " " : "", full);
		for (i = 0; i < n_initrds; i++)
			add(&b->t, "initrd %s%s\n", b->host, initrds[i]);
	}
	bt_free(full);
	bt_free(t);
}

/* Read the small text file at path on v; 0, BT_ENOENT, BT_ETOOBIG... */
static int read_text(struct volume *v, const char *path, char **data,
		     size_t *len)
{
	struct vfile *f;
	size_t cap = 0, n = 0, got;
	char *buf = NULL;
	int rc = v->ops->open(v, path, &f);

	if (rc)
		return rc;
	for (;;) {
		if (array_reserve((void **)&buf, &cap, n + 4097, 1)) {
			rc = BT_ENOMEM;
			break;
		}
		rc = f->ops->read_at(f, n, buf + n, 4096, &got);
		if (rc || !got)
			break;
		n += got;
		if (n > ISOMENU_MAX_FILE) {
			rc = BT_ETOOBIG;
			break;
		}
	}
	f->ops->close(f);
	if (rc) {
		bt_free(buf);
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* The entries of the GRUB config at path in the ISO, if it has one. */
static void from_cfg(struct build *b, struct volume *iso, const char *path)
{
	struct grubcfg_env env = { b->f->iso_file, NULL, b->f->host_fsuuid };
	struct grubcfg g = { 0 };
	char *data = NULL, *name;
	size_t len, i;
	int rc = read_text(iso, path, &data, &len);

	if (rc == BT_ENOENT)
		return;
	if (rc) {
		if (rc == BT_ENOMEM)
			b->t.err = rc;
		else
			note(b, "%s: %s", path, bt_strerror(rc));
		return;
	}
	name = isomenu_inner(b->iso_path, path);
	rc = name ? grubcfg_parse(name, data, len, &env, &g, b->notes) :
		    BT_ENOMEM;
	for (i = 0; !rc && i < g.n_entries; i++)
		emit_linux(b, g.entries[i].title, g.entries[i].kernel,
			   g.entries[i].args, g.entries[i].initrds,
			   g.entries[i].n_initrds);
	if (rc)
		b->t.err = rc;
	grubcfg_free(&g);
	bt_free(name);
	bt_free(data);
}

/* The shortest names starting with two prefixes, in one folder. */
struct pick {
	const char *prefix[2];
	char *best[2];
	int err;
};

static int pick_cb(void *ctx, const char *name, bool is_dir)
{
	struct pick *p = ctx;
	size_t n = strlen(name), i;

	for (i = 0; i < 2 && !is_dir && plain(name); i++) {
		char *have = p->best[i], *c;

		if (str_ncasecmp(name, p->prefix[i], strlen(p->prefix[i])) ||
		    (have && (strlen(have) < n ||
			      (strlen(have) == n && strcmp(have, name) <= 0))))
			continue;
		if (!(c = str_dup(name))) {
			p->err = BT_ENOMEM;
			return 1;
		}
		bt_free(have);
		p->best[i] = c;
	}
	return 0;
}

/* "%L" in args replaced by the ISO's label; NULL (*no_label) without one. */
static char *layout_args(const char *args, const char *label, bool *no_label)
{
	const char *at = strchr(args, '%');

	*no_label = false;
	if (!at)
		return str_dup(args);
	if (!label || !*label || !plain(label)) {
		*no_label = true;
		return NULL;
	}
	return fmt_alloc("%.*s%s%s", (int)(at - args), args, label, at + 2);
}

static void from_layout(struct build *b, struct volume *iso)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]) && !b->n &&
		    !b->t.err; i++) {
		const struct layout *l = &layouts[i];
		struct pick p = { { l->kernel, l->initrd }, { NULL, NULL }, 0 };
		char *k = NULL, *rd = NULL, *args = NULL, *title = NULL;
		bool no_label;

		iso->ops->list(iso, l->dir, pick_cb, &p);
		b->t.err = p.err;
		if (p.best[0] && p.best[1] && !p.err) {
			args = layout_args(l->args, b->f->iso_label, &no_label);
			k = fmt_alloc("%s/%s", l->dir, p.best[0]);
			rd = fmt_alloc("%s/%s", l->dir, p.best[1]);
			title = fmt_alloc("%s: %s", b->base, l->name);
			if (no_label)
				note(b, "%s layout found, but the ISO has no "
				     "volume label for its command line",
				     l->name);
			else if (!args || !k || !rd || !title)
				b->t.err = BT_ENOMEM;
			else
				emit_linux(b, title, k, args, &rd, 1);
		}
		bt_free(p.best[0]);
		bt_free(p.best[1]);
		bt_free(args);
		bt_free(k);
		bt_free(rd);
		bt_free(title);
	}
}

/* Find /EFI/BOOT/BOOTX64.EFI in whatever case the ISO spells it. */
static int efi_cb(void *ctx, const char *name, bool is_dir)
{
	char **found = ctx;

	if (is_dir || str_casecmp(name, "bootx64.efi") || !plain(name))
		return 0;
	*found = str_dup(name);
	return 1;
}

static void own_loader(struct build *b, struct volume *iso)
{
	char *found = NULL, *t = clean_title(b->base);

	iso->ops->list(iso, "/EFI/BOOT", efi_cb, &found);
	if (found && t)
		add(&b->t, "entry iso%u\ntitle %s: its own boot loader\n"
		    "efi %s/EFI/BOOT/%s\n", ++b->n, t, b->host, found);
	else if (found || !t)
		b->t.err = BT_ENOMEM;
	bt_free(found);
	bt_free(t);
}

int isomenu_build(struct volume *iso, const struct path *iso_path,
		  const struct volume *host, struct config *notes,
		  char **text, size_t *len)
{
	struct isomenu_facts f = { iso_path->file,
				   host ? host->fsuuid : NULL, iso->label };
	struct build b = { .iso_path = iso_path, .notes = notes, .f = &f };
	size_t i;

	b.base = iso_path->file;
	for (i = 0; iso_path->file[i]; i++)
		if (iso_path->file[i] == '/')
			b.base = iso_path->file + i + 1;
	b.name = path_format(iso_path);
	b.host = isomenu_inner(iso_path, "");
	if (!b.name || !b.host)
		b.t.err = BT_ENOMEM;
	add(&b.t, "timeout -1\n");
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]) && !b.n && !b.t.err; i++)
		from_cfg(&b, iso, cfgs[i]);
	if (!b.n && !b.t.err)
		from_layout(&b, iso);
	if (!b.t.err)
		own_loader(&b, iso);
	if (!b.n)
		note(&b, "no boot entries: no GRUB config entries baton "
		     "understands, no known layout, no /EFI/BOOT/BOOTX64.EFI");
	bt_free(b.name);
	bt_free(b.host);
	if (b.t.err) {
		bt_free(b.t.s);
		return b.t.err;
	}
	*text = b.t.s;
	*len = b.t.len;
	return 0;
}

/* -- a folder of ISOs ----------------------------------------------------- */

/* The ISOMENU_MAX_ISOS first names by byte order, kept sorted. */
struct dirscan {
	char *names[ISOMENU_MAX_ISOS];
	size_t n, more;
	int err;
};

static int dir_cb(void *ctx, const char *name, bool is_dir)
{
	struct dirscan *d = ctx;
	size_t pos;
	char *c;

	if (is_dir || !str_ends_with_case(name, ".iso") || !plain(name))
		return 0;
	if (d->n == ISOMENU_MAX_ISOS) {
		d->more++;
		if (strcmp(name, d->names[d->n - 1]) >= 0)
			return 0;
		bt_free(d->names[--d->n]);
	}
	if (!(c = str_dup(name))) {
		d->err = BT_ENOMEM;
		return 1;
	}
	for (pos = d->n; pos && strcmp(d->names[pos - 1], c) > 0; pos--)
		d->names[pos] = d->names[pos - 1];
	d->names[pos] = c;
	d->n++;
	return 0;
}

int isomenu_dir(struct volume *host, const struct path *dir,
		struct config *notes, char **text, size_t *len,
		char *err, size_t errlen)
{
	struct dirscan d = { .n = 0 };
	struct tbuf t = { 0 };
	char *h = host_text(dir), *name = path_format(dir);
	const char *sep = dir->file[strlen(dir->file) - 1] == '/' ? "" : "/";
	size_t i;
	int rc = h && name ? host->ops->list(host, dir->file, dir_cb, &d) :
			     BT_ENOMEM;

	if (!rc && d.err)
		rc = d.err;
	if (rc && rc != BT_ENOMEM)
		fmt_buf(err, errlen, "%s: cannot list the folder (%s)", name,
			bt_strerror(rc));
	add(&t, "timeout -1\n");
	for (i = 0; !rc && i < d.n; i++)
		add(&t, "entry iso%zu\ntitle %s\niso %s%s%s\n", i + 1,
		    d.names[i], h, sep, d.names[i]);
	if (!rc && !t.err && d.more)
		t.err = config_diag(notes, "%s: more than %d ISO files; the "
				    "first %d by name are listed", name,
				    ISOMENU_MAX_ISOS, ISOMENU_MAX_ISOS);
	if (!rc && !t.err && !d.n)
		t.err = config_diag(notes, "%s: no .iso files", name);
	for (i = 0; i < d.n; i++)
		bt_free(d.names[i]);
	bt_free(h);
	bt_free(name);
	if (!rc)
		rc = t.err;
	if (rc) {
		bt_free(t.s);
		return rc;
	}
	*text = t.s;
	*len = t.len;
	return 0;
}
