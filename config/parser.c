/*
 * The config language's directives (DESIGN.md, "Config language"): each
 * logical line from the lexer is "key value"; the key picks a handler from
 * one table, which says where the key may appear.
 *
 * Bad input never stops the parse.  Every problem becomes a diagnostic
 * "file:line: message" and, inside an entry, that entry's error, so the
 * entry stays in the menu but cannot boot.  Only out-of-memory is returned.
 */
#include <stdarg.h>
#include "config/config.h"
#include "config/internal.h"
#include "loader/protocol.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* One file being read: the one config_parse() was given, or an include. */
struct cfg_file {
	const struct path *origin;	/* NULL when the caller gave none */
	char *name;			/* how messages name the file */
	const struct cfg_file *parent;	/* the file that included this one */
	unsigned depth;			/* 0 for the top file */
};

/* Where a directive was written. */
struct loc {
	const struct cfg_file *file;
	unsigned line;
};

/* The state of one config_parse(), shared by the files it includes. */
struct parser {
	struct config *cfg;
	const struct config_source *src;
	bool in_entry;		/* lines belong to cfg->entries[cur] */
	size_t cur;
	/*
	 * "file:line" of the open entry's first initrd, options and module
	 * lines.  They may come before the entry's boot line, so whether its
	 * kind takes them is only known when the entry ends.
	 */
	char *initrd_where;
	char *options_where;
	char *module_where;
	char *handoff_where;
	/*
	 * Allocated sizes of cfg->diags, cfg->entries and the open entry's
	 * initrds and modules, so they grow by doubling.  Known only during
	 * this parse: at its start only n_diags and n_entries are assumed.
	 */
	size_t diags_cap;
	size_t entries_cap;
	size_t initrds_cap;
	size_t modules_cap;
};

enum key_scope {
	SCOPE_GLOBAL,		/* only before the first entry */
	SCOPE_ENTRY,		/* only inside an entry */
	SCOPE_ANY,
};

/* The function that handles a key: key_timeout() and so on, called by
 * run_key().  Each handler gets a value that is not empty, and returns 0
 * or BT_ENOMEM. */
enum key_fn {
	FN_TIMEOUT, FN_DEFAULT, FN_FLAG, FN_INCLUDE, FN_ENTRY, FN_TITLE,
	FN_BOOT, FN_INITRD, FN_OPTIONS, FN_MODULE, FN_HANDOFF,
};

/* Names, usage texts and handlers are kept in the entries themselves, not
 * as pointers: a pointer in baton.efi's data costs a relocation, more than
 * the bytes it saves. */
struct key_info {
	char name[11];
	char usage[36];		/* what follows the name; shown when the value
				 * is missing */
	uint8_t scope;		/* enum key_scope */
	uint8_t fn;		/* enum key_fn */
	uint8_t kind;		/* enum entry_kind: for boot keys, the kind of
				 * entry they make */
};

static int parse_file(struct parser *p, const struct cfg_file *f,
		      const char *text, size_t len);

/* Names of the entry kinds, as the keys that make them are written, in
 * enum entry_kind's order (a strlist, see lib/mem.h). */
static const char kind_names[] =
	"(none)\0"		/* ENTRY_NONE */
	"efi\0"			/* ENTRY_EFI */
	"menu\0"		/* ENTRY_MENU */
	"action\0"		/* ENTRY_ACTION */
	"linux\0"		/* ENTRY_LINUX */
	"linux-efi\0"		/* ENTRY_LINUX_EFI */
	"multiboot\0"		/* ENTRY_MULTIBOOT */
	"multiboot2\0"		/* ENTRY_MULTIBOOT2 */
	"iso\0"			/* ENTRY_ISO */
	"isos\0";		/* ENTRY_ISOS */

const char *config_kind_key(enum entry_kind k)
{
	const char *name = strlist_at(kind_names, (size_t)k);

	return name ? name : "(none)";
}

/* "an" before a vowel, else "a": "an 'efi' line", "a 'linux' line". */
static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/* The open entry; only while p->in_entry.  Not kept across a key_entry(),
 * which may move the array. */
static struct config_entry *cur_entry(struct parser *p)
{
	return &p->cfg->entries[p->cur];
}

/*
 * Split s at its first whitespace: s keeps the first word, and the rest is
 * returned without its leading whitespace ("" when there is none).
 */
static char *split_word(char *s)
{
	while (*s && !is_space(*s))
		s++;
	if (*s)
		*s++ = '\0';
	while (is_space(*s))
		s++;
	return s;
}

/*
 * arr (n elements of size sz, *cap allocated) with room for a zeroed element
 * at index n.  NULL when out of memory, arr untouched.
 */
static void *reserve(void *arr, size_t n, size_t *cap, size_t sz)
{
	void *a = arr;

	if (array_reserve(&a, cap, n + 1, sz))
		return NULL;
	memset((char *)a + n * sz, 0, sz);
	return a;
}

/* Make the open entry's error diag, unless it has one: the first counts. */
static int mark_entry(struct parser *p, const char *diag)
{
	struct config_entry *e;

	if (!p->in_entry || cur_entry(p)->error)
		return 0;
	e = cur_entry(p);
	e->error = str_dup(diag);
	return e->error ? 0 : BT_ENOMEM;
}

/*
 * Record a problem: the diagnostic "where: message" ("file:line" when line
 * is not 0, else where is already "file:line"), also as the open entry's
 * error.  Messages quote user text through config_quote(), so they fit.
 */
static int vreport(struct parser *p, const char *where, unsigned line,
		   const char *fmt, va_list ap)
{
	int rc = config_vdiag_at(p->cfg, &p->diags_cap, where, line, fmt, ap);

	if (rc)
		return rc;
	return mark_entry(p, p->cfg->diags[p->cfg->n_diags - 1]);
}

/* A problem with the directive at at; 0 or BT_ENOMEM. */
static int report(struct parser *p, const struct loc *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report(struct parser *p, const struct loc *at, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(p, at->file->name, at->line, fmt, ap);
	va_end(ap);
	return rc;
}

/* A problem found later about a line whose "file:line" was kept. */
static int report_where(struct parser *p, const char *where,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report_where(struct parser *p, const char *where,
			const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(p, where, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* Remember "file:line" of at in *where unless it holds one already. */
static int keep_where(char **where, const struct loc *at)
{
	if (*where)
		return 0;
	*where = fmt_alloc("%s:%u", at->file->name, at->line);
	return *where ? 0 : BT_ENOMEM;
}

/*
 * Parse a path written in at's file.  *ok says whether out was set; a bad
 * path is reported with path_parse()'s message.  0 or BT_ENOMEM.
 */
static int parse_path(struct parser *p, const struct loc *at, const char *text,
		      struct path *out, bool *ok)
{
	char err[256];
	int rc = path_parse(text, at->file->origin, out, err, sizeof(err));

	*ok = rc == 0;
	if (rc == BT_ENOMEM || rc == 0)
		return rc;
	return report(p, at, "%s", err);
}

/* A key that takes one word got more: say what was left over. */
static int report_extra(struct parser *p, const struct loc *at,
			const struct key_info *k, const char *what,
			const char *rest)
{
	char q[CONFIG_QUOTE_MAX];

	return report(p, at, "'%s' takes one %s, but '%s' follows it", k->name,
		      what, config_quote(q, rest));
}

/* -- global keys ---------------------------------------------------------- */

/* A decimal integer of at most 9 digits, optionally negative: no overflow. */
static bool parse_int(const char *s, int *out)
{
	bool neg = *s == '-';
	int v = 0, digits = 0;

	if (neg)
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (*s || !digits)
		return false;
	*out = neg ? -v : v;
	return true;
}

/* timeout SECONDS: -1 waits forever, 0 boots the default at once. */
static int key_timeout(struct parser *p, const struct loc *at, char *value,
		       const struct key_info *k)
{
	char q[CONFIG_QUOTE_MAX];
	int t;

	if (!parse_int(value, &t) || t < -1)
		return report(p, at, "timeout: expected a number of seconds, "
			      "0 or -1, got '%s'", config_quote(q, value));
	p->cfg->timeout = t;
	p->cfg->timeout_set = true;
	return 0;
}

/* default ID-OR-GLOB: checked against the entries by config_finish(). */
static int key_default(struct parser *p, const struct loc *at, char *value,
		       const struct key_info *k)
{
	char *rest = split_word(value), *pattern, *where;

	if (*rest)
		return report_extra(p, at, k, "entry id or glob", rest);
	pattern = str_dup(value);
	where = fmt_alloc("%s:%u", at->file->name, at->line);
	if (!pattern || !where) {
		bt_free(pattern);
		bt_free(where);
		return BT_ENOMEM;
	}
	/* A later "default" replaces an earlier one, as in an override file. */
	bt_free(p->cfg->default_pattern);
	bt_free(p->cfg->default_where);
	p->cfg->default_pattern = pattern;
	p->cfg->default_where = where;
	return 0;
}

/* "editor" and "bls": k->name says which. */
static int key_flag(struct parser *p, const struct loc *at, char *value,
		    const struct key_info *k)
{
	char q[CONFIG_QUOTE_MAX];
	bool v;

	if (!config_parse_bool(value, &v))
		return report(p, at, "%s: expected yes or no (or true/false, "
			      "on/off, 1/0), got '%s'", k->name,
			      config_quote(q, value));
	if (strcmp(k->name, "editor") == 0) {
		p->cfg->editor = v;
		p->cfg->editor_set = true;
	} else
		p->cfg->bls = v;
	return 0;
}

/* -- include -------------------------------------------------------------- */

/* Bytes of a file's name shown in messages. */
#define NAME_MAX_SHOWN 160

/*
 * How messages name the file at p (NULL: "config"): path_format(), but a
 * name too long to read is cut to its end, which tells files apart best,
 * so a hostile include path cannot make every message kilobytes long.
 * A new allocation; NULL when out of memory.
 */
static char *file_name(const struct path *p)
{
	char *name = p ? path_format(p) : str_dup("config"), *cut;
	size_t len = name ? strlen(name) : 0, skip;

	if (len <= NAME_MAX_SHOWN)
		return name;
	skip = len - (NAME_MAX_SHOWN - 3);
	while (((unsigned char)name[skip] & 0xC0) == 0x80)
		skip++;		/* not inside a multi-byte character */
	cut = fmt_alloc("...%s", name + skip);
	bt_free(name);
	return cut;
}

/*
 * Whether target may be included from the file at at: not one of the files
 * being read (a loop) and not too deep.  Reports why not; *ok the verdict.
 */
static int check_include(struct parser *p, const struct loc *at,
			 const struct path *target, bool *ok)
{
	const struct cfg_file *f;
	char *name = file_name(target);
	int rc = 0;

	if (!name)
		return BT_ENOMEM;
	*ok = false;
	for (f = at->file; f; f = f->parent)
		if (f->origin && path_same(f->origin, target))
			break;
	if (f)
		rc = report(p, at, "include loop: %s includes %s which is "
			    "already being read", at->file->name, name);
	else if (at->file->depth >= CONFIG_INCLUDE_DEPTH)
		rc = report(p, at, "includes nested too deep: %s includes %s "
			    "at depth %u (at most %d)", at->file->name, name,
			    at->file->depth + 1, CONFIG_INCLUDE_DEPTH);
	else if (!p->src || !p->src->read)
		rc = report(p, at, "%s: cannot read includes here", name);
	else
		*ok = true;
	bt_free(name);
	return rc;
}

/* Read target through the config source and parse it as if inserted here. */
static int read_include(struct parser *p, const struct loc *at,
			const struct path *target)
{
	struct cfg_file child = { target, NULL, at->file, at->file->depth + 1 };
	char err[400] = "", *data = NULL;
	size_t len = 0;
	int rc;

	rc = p->src->read(p->src->ctx, target, &data, &len, err, sizeof(err));
	err[sizeof(err) - 1] = '\0';	/* whatever the source left there */
	if (rc) {
		bt_free(data);	/* in case the source left something */
		if (rc == BT_ENOMEM)
			return rc;
		if (err[0])
			return report(p, at, "%s", err);
		child.name = file_name(target);
		if (!child.name)
			return BT_ENOMEM;
		rc = report(p, at, "%s: %s", child.name, bt_strerror(rc));
		bt_free(child.name);
		return rc;
	}
	child.name = file_name(target);
	rc = child.name ? parse_file(p, &child, data, len) : BT_ENOMEM;
	bt_free(child.name);
	bt_free(data);
	return rc;
}

/* include PATH: anywhere; relative to the including file. */
static int key_include(struct parser *p, const struct loc *at, char *value,
		       const struct key_info *k)
{
	char *rest = split_word(value);
	struct path target;
	bool ok;
	int rc;

	if (*rest)
		return report_extra(p, at, k, "path", rest);
	rc = parse_path(p, at, value, &target, &ok);
	if (rc || !ok)
		return rc;
	rc = check_include(p, at, &target, &ok);
	if (!rc && ok)
		rc = read_include(p, at, &target);
	path_free(&target);
	return rc;
}

/* -- entries -------------------------------------------------------------- */

/* Whether entries of kind k take the lines a protocol flag stands for:
 * the protocol table (loader/protocol.h) says which protocol takes what. */
static bool kind_takes(enum entry_kind k, unsigned flag)
{
	const struct protocol *proto = protocol_find(config_kind_key(k));

	return proto && (proto->flags & flag);
}

/* Entry kinds that take "initrd" and "options" lines. */
static bool takes_linux_keys(enum entry_kind k)
{
	return kind_takes(k, PROTO_INITRDS);
}

/* Entry kinds baton hands over to itself, kexec-style ("handoff" lines). */
static bool takes_handoff(enum entry_kind k)
{
	return kind_takes(k, PROTO_KEXEC);
}

/* Entry kinds that take "module" lines. */
static bool takes_modules(enum entry_kind k)
{
	return kind_takes(k, PROTO_MODULES);
}

/* Forget the open entry's kept line positions. */
static void forget_wheres(struct parser *p)
{
	bt_free(p->initrd_where);
	bt_free(p->options_where);
	bt_free(p->module_where);
	bt_free(p->handoff_where);
	p->initrd_where = p->options_where = p->module_where = NULL;
	p->handoff_where = NULL;
}

/* Checks on the open entry that need all its lines, then close it. */
static int end_entry(struct parser *p)
{
	struct config_entry *e;
	const char *kind;
	char q[CONFIG_QUOTE_MAX];
	int rc = 0;

	if (!p->in_entry)
		return 0;
	e = cur_entry(p);
	kind = config_kind_key(e->kind);
	config_quote(q, e->id);
	if (e->kind == ENTRY_NONE)
		rc = report_where(p, e->where, "entry '%s' has no efi, linux, "
				  "linux-efi, multiboot, multiboot2, menu or "
				  "action line", q);
	if (!rc && e->kind && p->initrd_where && !takes_linux_keys(e->kind))
		rc = report_where(p, p->initrd_where, "'initrd' only goes with "
				  "'linux' or 'linux-efi', but entry '%s' "
				  "uses '%s'", q, kind);
	if (!rc && e->kind && p->options_where && !takes_linux_keys(e->kind))
		rc = report_where(p, p->options_where, "'options' only goes "
				  "with 'linux' or 'linux-efi', but entry '%s' "
				  "uses '%s'", q, kind);
	if (!rc && e->kind && p->handoff_where && !takes_handoff(e->kind))
		rc = report_where(p, p->handoff_where, "'handoff' only goes with "
				  "'linux', 'multiboot' or 'multiboot2', but "
				  "entry '%s' uses '%s'", q, kind);
	if (!rc && e->kind && p->module_where && !takes_modules(e->kind))
		rc = report_where(p, p->module_where, "'module' needs a "
				  "'multiboot' or 'multiboot2' line in its "
				  "entry, but entry '%s' uses '%s'", q, kind);
	forget_wheres(p);
	p->in_entry = false;
	return rc;
}

/*
 * entry ID: close the open entry and open a new one.  A missing or
 * duplicate id still opens it (with an error), so that the lines after it
 * are not blamed on the entry before.
 */
static int key_entry(struct parser *p, const struct loc *at, char *value,
		     const struct key_info *k)
{
	char *rest = split_word(value), q[CONFIG_QUOTE_MAX], q2[CONFIG_QUOTE_MAX];
	struct config *cfg = p->cfg;
	struct config_entry *e;
	size_t i;
	int rc = end_entry(p);

	if (rc)
		return rc;
	e = reserve(cfg->entries, cfg->n_entries, &p->entries_cap, sizeof(*e));
	if (!e)
		return BT_ENOMEM;
	cfg->entries = e;
	p->cur = cfg->n_entries++;
	p->in_entry = true;
	p->initrds_cap = p->modules_cap = 0;
	e = cur_entry(p);
	e->id = str_dup(value);
	e->where = fmt_alloc("%s:%u", at->file->name, at->line);
	e->args = str_dup("");
	if (!e->id || !e->where || !e->args)
		return BT_ENOMEM;
	if (!*value)
		return report(p, at, "'entry' needs a value: an id such as "
			      "'debian' (entry ID)");
	if (*rest)
		return report(p, at, "'entry' takes one word as the id, but '%s'"
			      " follows '%s'; put a name on a 'title' line",
			      config_quote(q, rest), config_quote(q2, value));
	for (i = 0; i < p->cur; i++)
		if (cfg->entries[i].id && strcmp(cfg->entries[i].id, value) == 0)
			return report(p, at, "duplicate entry id '%s' (first "
				      "at %s)", config_quote(q, value),
				      cfg->entries[i].where);
	return 0;
}

/* title TEXT: a later title replaces an earlier one. */
static int key_title(struct parser *p, const struct loc *at, char *value,
		     const struct key_info *k)
{
	char *title = str_dup(value);

	if (!title)
		return BT_ENOMEM;
	bt_free(cur_entry(p)->title);
	cur_entry(p)->title = title;
	return 0;
}

/* action NAME: what an ENTRY_ACTION entry does. */
static int set_action(struct parser *p, const struct loc *at, const char *value)
{
	static const struct {
		char name[15];
		uint8_t action;		/* enum entry_action */
	} actions[] = {
		{ "reboot", ACTION_REBOOT },
		{ "poweroff", ACTION_POWEROFF },
		{ "firmware-setup", ACTION_FIRMWARE_SETUP },
		{ "exit", ACTION_EXIT },
	};
	char q[CONFIG_QUOTE_MAX];
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (str_casecmp(value, actions[i].name) == 0) {
			cur_entry(p)->action = actions[i].action;
			return 0;
		}
	}
	return report(p, at, "unknown action '%s'; expected reboot, poweroff, "
		      "firmware-setup or exit", config_quote(q, value));
}

/* efi, menu, iso, isos, action, linux, linux-efi, multiboot, multiboot2:
 * one each. */
static int key_boot(struct parser *p, const struct loc *at, char *value,
		    const struct key_info *k)
{
	struct config_entry *e = cur_entry(p);
	const char *had = config_kind_key(e->kind);
	char *rest, *args, q[CONFIG_QUOTE_MAX];
	bool ok;

	if (e->kind != ENTRY_NONE)
		return report(p, at, "entry '%s' already has %s '%s' line",
			      config_quote(q, e->id), article(had), had);
	/* Set even if the value is bad, so the entry is not also reported
	 * for having no boot line. */
	e->kind = k->kind;
	if (k->kind == ENTRY_ACTION)
		return set_action(p, at, value);
	rest = split_word(value);
	if ((k->kind == ENTRY_MENU || k->kind == ENTRY_ISO ||
	     k->kind == ENTRY_ISOS) && *rest)
		return report_extra(p, at, k, "path", rest);
	args = str_dup(rest);
	if (!args)
		return BT_ENOMEM;
	bt_free(e->args);
	e->args = args;
	return parse_path(p, at, value, &e->image, &ok);
}

/* initrd PATH: repeatable; the files are concatenated in order. */
static int key_initrd(struct parser *p, const struct loc *at, char *value,
		      const struct key_info *k)
{
	struct config_entry *e = cur_entry(p);
	char *rest = split_word(value);
	struct path path, *a;
	bool ok;
	int rc;

	if (*rest)
		return report(p, at, "'initrd' takes one path; put each initrd "
			      "on its own 'initrd' line");
	rc = keep_where(&p->initrd_where, at);
	if (!rc)
		rc = parse_path(p, at, value, &path, &ok);
	if (rc || !ok)
		return rc;
	a = reserve(e->initrds, e->n_initrds, &p->initrds_cap, sizeof(*a));
	if (!a) {
		path_free(&path);
		return BT_ENOMEM;
	}
	e->initrds = a;
	a[e->n_initrds++] = path;
	return 0;
}

/*
 * Several "options" lines add up, as in BLS entries, to at most one line's
 * worth: a kernel command line is limited anyway, and a bound keeps
 * repeated includes from growing it without end.
 */
static int key_options(struct parser *p, const struct loc *at, char *value,
		       const struct key_info *k)
{
	struct config_entry *e = cur_entry(p);
	char q[CONFIG_QUOTE_MAX];
	int rc = keep_where(&p->options_where, at);

	if (rc)
		return rc;
	if (e->options && strlen(e->options) + 1 + strlen(value) >
			  CONFIG_LINE_MAX)
		return report(p, at, "the 'options' lines of entry '%s' add up "
			      "to over %d bytes", config_quote(q, e->id),
			      CONFIG_LINE_MAX);
	return config_add_options(&e->options, value);
}

/* module PATH [ARGS]: repeatable, for multiboot and multiboot2. */
static int key_module(struct parser *p, const struct loc *at, char *value,
		      const struct key_info *k)
{
	struct config_entry *e = cur_entry(p);
	char *rest = split_word(value), *args;
	struct config_module *m;
	struct path path;
	bool ok;
	int rc = keep_where(&p->module_where, at);

	if (!rc)
		rc = parse_path(p, at, value, &path, &ok);
	if (rc || !ok)
		return rc;
	args = str_dup(rest);
	m = args ? reserve(e->modules, e->n_modules, &p->modules_cap,
			   sizeof(*m)) : NULL;
	if (!m) {
		bt_free(args);
		path_free(&path);
		return BT_ENOMEM;
	}
	e->modules = m;
	m[e->n_modules].path = path;
	m[e->n_modules++].args = args;
	return 0;
}

/*
 * handoff WORD...: how baton leaves the machine for a kexec-style entry.
 * "no-quiesce" skips putting the interrupt controllers back into virtual
 * wire mode (the kexec-on-panic path); "disturb-irqs" first puts them in a
 * wrong state, which tests use to prove that the quiescing repairs it.
 */
static int key_handoff(struct parser *p, const struct loc *at, char *value,
		       const struct key_info *k)
{
	struct config_entry *e = cur_entry(p);
	char q[CONFIG_QUOTE_MAX];
	int rc = keep_where(&p->handoff_where, at);

	while (!rc && *value) {
		char *rest = split_word(value);

		if (str_casecmp(value, "quiesce") == 0)
			e->no_quiesce = false;
		else if (str_casecmp(value, "no-quiesce") == 0)
			e->no_quiesce = true;
		else if (str_casecmp(value, "disturb-irqs") == 0)
			e->disturb_irqs = true;
		else
			return report(p, at, "unknown handoff option '%s'; "
				      "expected quiesce, no-quiesce or "
				      "disturb-irqs", config_quote(q, value));
		value = rest;
	}
	return rc;
}

/* -- lines ---------------------------------------------------------------- */

static const struct key_info keys[] = {
	{ "timeout", "SECONDS", SCOPE_GLOBAL, FN_TIMEOUT, ENTRY_NONE },
	{ "default", "ID", SCOPE_GLOBAL, FN_DEFAULT, ENTRY_NONE },
	{ "editor", "yes|no", SCOPE_GLOBAL, FN_FLAG, ENTRY_NONE },
	{ "bls", "yes|no", SCOPE_GLOBAL, FN_FLAG, ENTRY_NONE },
	{ "include", "PATH", SCOPE_ANY, FN_INCLUDE, ENTRY_NONE },
	{ "entry", "ID", SCOPE_ANY, FN_ENTRY, ENTRY_NONE },
	{ "title", "TEXT", SCOPE_ENTRY, FN_TITLE, ENTRY_NONE },
	{ "efi", "PATH [LOAD OPTIONS]", SCOPE_ENTRY, FN_BOOT, ENTRY_EFI },
	{ "menu", "PATH", SCOPE_ENTRY, FN_BOOT, ENTRY_MENU },
	{ "iso", "PATH", SCOPE_ENTRY, FN_BOOT, ENTRY_ISO },
	{ "isos", "FOLDER", SCOPE_ENTRY, FN_BOOT, ENTRY_ISOS },
	{ "action", "reboot|poweroff|firmware-setup|exit",
	  SCOPE_ENTRY, FN_BOOT, ENTRY_ACTION },
	{ "linux", "PATH [OPTIONS]", SCOPE_ENTRY, FN_BOOT, ENTRY_LINUX },
	{ "linux-efi", "PATH [OPTIONS]",
	  SCOPE_ENTRY, FN_BOOT, ENTRY_LINUX_EFI },
	{ "multiboot", "PATH [ARGS]",
	  SCOPE_ENTRY, FN_BOOT, ENTRY_MULTIBOOT },
	{ "multiboot2", "PATH [ARGS]",
	  SCOPE_ENTRY, FN_BOOT, ENTRY_MULTIBOOT2 },
	{ "initrd", "PATH", SCOPE_ENTRY, FN_INITRD, ENTRY_NONE },
	{ "options", "TEXT", SCOPE_ENTRY, FN_OPTIONS, ENTRY_NONE },
	{ "module", "PATH [ARGS]", SCOPE_ENTRY, FN_MODULE, ENTRY_NONE },
	{ "handoff", "quiesce|no-quiesce|disturb-irqs",
	  SCOPE_ENTRY, FN_HANDOFF, ENTRY_NONE },
};

static int run_key(struct parser *p, const struct loc *at, char *value,
		   const struct key_info *k)
{
	switch (k->fn) {
	case FN_TIMEOUT:
		return key_timeout(p, at, value, k);
	case FN_DEFAULT:
		return key_default(p, at, value, k);
	case FN_FLAG:
		return key_flag(p, at, value, k);
	case FN_INCLUDE:
		return key_include(p, at, value, k);
	case FN_ENTRY:
		return key_entry(p, at, value, k);
	case FN_TITLE:
		return key_title(p, at, value, k);
	case FN_BOOT:
		return key_boot(p, at, value, k);
	case FN_INITRD:
		return key_initrd(p, at, value, k);
	case FN_OPTIONS:
		return key_options(p, at, value, k);
	case FN_MODULE:
		return key_module(p, at, value, k);
	default:
		return key_handoff(p, at, value, k);
	}
}

/* Keys are case-insensitive. */
static const struct key_info *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (str_casecmp(name, keys[i].name) == 0)
			return &keys[i];
	return NULL;
}

/* One logical line "key value": check where the key may be, then run it. */
static int directive(struct parser *p, const struct loc *at, char *line)
{
	char *value = split_word(line), q[CONFIG_QUOTE_MAX];
	const struct key_info *k = find_key(line);

	if (!k)
		return report(p, at, "unknown key '%s'", config_quote(q, line));
	/* "entry" opens an entry even without an id (see key_entry()). */
	if (k->fn == FN_ENTRY)
		return key_entry(p, at, value, k);
	if (!*value)
		return report(p, at, "'%s' needs a value (%s %s)", k->name,
			      k->name, k->usage);
	if (k->scope == SCOPE_ENTRY && !p->in_entry)
		return report(p, at, "'%s' must follow an 'entry' line",
			      k->name);
	if (k->scope == SCOPE_GLOBAL && p->in_entry)
		return report(p, at, "'%s' is global: put it before the first "
			      "'entry'", k->name);
	return run_key(p, at, value, k);
}

/* Parse one file's text; an include calls this again for its own text. */
static int parse_file(struct parser *p, const struct cfg_file *f,
		      const char *text, size_t len)
{
	struct config_lexer lx;
	struct config_line line;
	enum config_lex r;
	int rc = config_lexer_init(&lx, text, len);

	while (!rc && (r = config_lexer_next(&lx, &line)) != CONFIG_LEX_END) {
		struct loc at = { f, line.line };

		if (r == CONFIG_LEX_LINE) {
			rc = directive(p, &at, line.text);
		} else if (r == CONFIG_LEX_TOO_LONG) {
			rc = report(p, &at, "line too long (over %d bytes); it "
				    "is skipped", CONFIG_LINE_MAX);
		} else if (line.bad_byte) {
			at.line = line.bad_line;
			rc = report(p, &at, "invalid UTF-8 (byte 0x%02X at "
				    "column %zu); the line is skipped",
				    line.bad_byte, line.bad_col);
		} else {
			at.line = line.bad_line;
			rc = report(p, &at, "NUL byte at column %zu: a config "
				    "is text; the line is skipped",
				    line.bad_col);
		}
	}
	config_lexer_free(&lx);
	return rc;
}

int config_parse(struct config *cfg, const struct path *origin,
		 const char *text, size_t len, const struct config_source *src)
{
	struct parser p;
	struct cfg_file top = { origin, NULL, NULL, 0 };
	int rc;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.src = src;
	p.diags_cap = cfg->n_diags;
	p.entries_cap = cfg->n_entries;
	top.name = file_name(origin);
	if (!top.name)
		return BT_ENOMEM;
	rc = parse_file(&p, &top, text, len);
	/* An entry ends with its file: the next config_parse() starts
	 * outside any entry, so its globals are allowed. */
	if (!rc)
		rc = end_entry(&p);
	forget_wheres(&p);
	bt_free(top.name);
	return rc;
}
