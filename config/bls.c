/*
 * Boot Loader Specification entries and loader.conf (config/bls.h).
 *
 * The files are read line by line: a line is "KEY VALUE" with any run of
 * spaces or tabs between, '#' starts a comment only at the start of a
 * line (a kernel command line may hold '#'), and there is no joining of
 * lines, so values are used exactly as written.
 */
#include <stdarg.h>
#include "config/bls.h"
#include "config/internal.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/mem.h"
#include "lib/utf8.h"
#include "lib/vercmp.h"

#define XBOOT_ARCH "x64"	/* EFI's name for this machine's architecture */
#define OSREL_VALUE_MAX 256	/* bytes kept of one os-release value */

void bls_prefs_init(struct bls_prefs *p)
{
	p->auto_entries = true;
	p->auto_firmware = true;
}

/* -- names and counters ---------------------------------------------------- */

/* Where ".conf" or ".efi" starts at the end of name, or 0 when neither. */
static size_t suffix_at(const char *name)
{
	size_t n = strlen(name);

	if (n > 5 && str_ends_with_case(name, ".conf"))
		return n - 5;
	if (n > 4 && str_ends_with_case(name, ".efi"))
		return n - 4;
	return 0;
}

/* 1-9 decimal digits at s into *v; their number, or 0. */
static unsigned digits(const char *s, unsigned *v)
{
	unsigned n = 0;

	for (*v = 0; s[n] >= '0' && s[n] <= '9' && n < 10; n++)
		*v = *v * 10 + (unsigned)(s[n] - '0');
	return n < 10 ? n : 0;
}

bool bls_counter_parse(const char *name, struct bls_counter *c)
{
	size_t end = suffix_at(name), i, plus = 0;
	const char *p;
	bool found = false;

	for (i = 0; i < end; i++)
		if (name[i] == '+') {
			plus = i;
			found = true;
		}
	if (!found)
		return false;
	p = name + plus + 1;
	c->plus = plus;
	c->left_digits = digits(p, &c->left);
	if (!c->left_digits)
		return false;
	p += c->left_digits;
	c->done = 0;
	c->done_digits = 0;
	if (*p == '-') {
		c->done_digits = digits(p + 1, &c->done);
		if (!c->done_digits)
			return false;
		p += 1 + c->done_digits;
	}
	return p == name + end;
}

int bls_next_name(const char *name, char **next)
{
	struct bls_counter c;
	unsigned width, max = 1, left, done, i;

	*next = NULL;
	if (!bls_counter_parse(name, &c))
		return 0;
	/* The specification says only "decremented" and "incremented";
	 * keeping the widths keeps the name's length, so a rename on FAT
	 * never needs a new directory slot once "-DONE" is there. */
	width = c.done_digits ? c.done_digits : 1;
	for (i = 0; i < width; i++)
		max *= 10;
	left = c.left ? c.left - 1 : 0;
	done = c.done + 1 < max ? c.done + 1 : max - 1;
	if (c.done_digits && left == c.left && done == c.done)
		return 0;
	*next = fmt_alloc("%.*s+%0*u-%0*u%s", (int)c.plus, name,
			  (int)c.left_digits, left, (int)width, done,
			  name + suffix_at(name));
	return *next ? 0 : BT_ENOMEM;
}

char *bls_entry_id(const char *name)
{
	struct bls_counter c;
	size_t n = strlen(name), cut = n, i;
	char *id;

	if (bls_counter_parse(name, &c))
		cut = c.plus;
	id = fmt_alloc("%.*s%s", (int)cut, name, name + (cut < n ? suffix_at(name) : n));
	for (i = 0; id && id[i]; i++)
		id[i] = (char)to_lower(id[i]);
	return id;
}

/* -- lines ----------------------------------------------------------------- */

/* One file being read line by line. */
struct reader {
	struct config *cfg;
	char *fname;		/* the file as messages name it */
	const char *text;
	size_t len, pos;
	unsigned line;
	char buf[CONFIG_LINE_MAX + 1];
};

/* A diagnostic "FILE:LINE: message" (line 0: "FILE: message"). */
static int diag(struct reader *r, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int diag(struct reader *r, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_vdiag_at(r->cfg, NULL, r->fname, line, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The next line with something on it, split into *key and *value (both in
 * r->buf, value "" when there is none); with split false, all of it in
 * *key.  Lines that are too long or not
 * text are reported and skipped.  false at the end (or on *rc).
 */
static bool next_line(struct reader *r, bool split, char **key, char **value,
		      int *rc)
{
	while (!*rc && r->pos < r->len) {
		size_t start = r->pos, end = start, n, i, bad;
		char *s;

		while (end < r->len && r->text[end] != '\n')
			end++;
		r->pos = end + 1;
		r->line++;
		while (start < end && is_space((unsigned char)r->text[start]))
			start++;
		while (end > start && is_space((unsigned char)r->text[end - 1]))
			end--;
		n = end - start;
		if (!n || r->text[start] == '#')
			continue;
		if (n > CONFIG_LINE_MAX) {
			*rc = diag(r, r->line, "line too long (over %d bytes); "
				   "it is skipped", CONFIG_LINE_MAX);
			continue;
		}
		for (i = 0; i < n && r->text[start + i]; i++)
			;
		bad = i < n ? i : utf8_check(r->text + start, n);
		if (bad < n) {
			*rc = diag(r, r->line, "not UTF-8 text (byte 0x%02X at "
				   "column %zu); the line is skipped",
				   (unsigned char)r->text[start + bad], bad + 1);
			continue;
		}
		memcpy(r->buf, r->text + start, n);
		r->buf[n] = '\0';
		for (s = r->buf; split && *s && !is_space((unsigned char)*s); s++)
			;
		s += split ? 0 : n;
		if (*s)
			*s++ = '\0';
		while (is_space((unsigned char)*s))
			s++;
		*key = r->buf;
		*value = s;
		return true;
	}
	return false;
}

/* Replace *dst with a copy of value. */
static int set_str(char **dst, const char *value)
{
	char *s = str_dup(value);

	if (!s)
		return BT_ENOMEM;
	bt_free(*dst);
	*dst = s;
	return 0;
}

/* The last path component of p->file. */
static const char *base_name(const struct path *p)
{
	const char *b = p->file, *c;

	for (c = p->file; *c; c++)
		if (*c == '/')
			b = c + 1;
	return b;
}

/* Start reading text read from file. */
static struct reader *reader_new(struct config *cfg, const struct path *file,
				 const char *text, size_t len)
{
	struct reader *r = bt_zalloc(sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = cfg;
	r->fname = path_format(file);
	r->text = text;
	r->len = len;
	if (!r->fname) {
		bt_free(r);
		return NULL;
	}
	return r;
}

static void reader_free(struct reader *r)
{
	if (r)
		bt_free(r->fname);
	bt_free(r);
}

/* -- entries --------------------------------------------------------------- */

/* A new zeroed entry at the end of cfg's; NULL when out of memory. */
static struct config_entry *new_entry(struct config *cfg)
{
	struct config_entry *e = bt_realloc(cfg->entries,
					    (cfg->n_entries + 1) * sizeof(*e));

	if (!e)
		return NULL;
	cfg->entries = e;
	e += cfg->n_entries++;
	memset(e, 0, sizeof(*e));
	e->tries_left = e->tries_done = -1;
	return e;
}

/* Make e's error (the first one counts) and the diagnostic. */
static int broken(struct reader *r, struct config_entry *e, unsigned line,
		  const char *what)
{
	int rc = diag(r, line, "%s", what);

	if (!rc && !e->error)
		rc = set_str(&e->error, r->cfg->diags[r->cfg->n_diags - 1]);
	return rc;
}

/* id, where, the counter and, for kinds that count, the rename to come. */
static int entry_names(struct reader *r, struct config_entry *e,
		       const struct path *file, bool counts)
{
	const char *name = base_name(file);
	struct bls_counter c;
	int rc;

	e->id = bls_entry_id(name);
	e->where = str_dup(r->fname);
	if (!e->args)
		e->args = str_dup("");
	if (!e->id || !e->where || !e->args)
		return BT_ENOMEM;
	if (!bls_counter_parse(name, &c))
		return 0;
	e->tries_left = (int)c.left;
	e->tries_done = (int)c.done;
	e->bls_bad = c.left == 0;
	if (!counts)
		return 0;
	rc = bls_next_name(name, &e->bls_next);
	if (!rc && e->bls_next)
		rc = path_copy(&e->bls_file, file);
	return rc;
}

enum bls_key {
	K_TITLE, K_VERSION, K_MACHINE_ID, K_SORT_KEY, K_LINUX, K_EFI, K_UKI,
	K_UKI_URL, K_INITRD, K_OPTIONS, K_DEVICETREE, K_DT_OVERLAY, K_ARCH,
	K_EXTRA, K_PROFILE, K_COUNT
};

/* The keys in enum bls_key's order (a strlist, see lib/mem.h). */
static const char entry_keys[] =
	"title\0" "version\0" "machine-id\0" "sort-key\0" "linux\0" "efi\0"
	"uki\0" "uki-url\0" "initrd\0" "options\0" "devicetree\0"
	"devicetree-overlay\0" "architecture\0" "extra\0" "profile\0";

/* What one entry file says, while it is read. */
struct entry_state {
	struct config_entry *e;
	const struct path *file;
	enum bls_key boot;	/* K_LINUX, K_EFI, K_UKI, K_UKI_URL; or K_COUNT */
	unsigned boot_line;
	unsigned initrd_line;
	size_t initrds_cap;
	bool hidden;
};

/* A path written in the entry: on its own volume, from that volume's root
 * whether or not it starts with '/'. */
static int entry_path(struct reader *r, struct entry_state *st, unsigned line,
		      const char *value, struct path *out, bool *ok)
{
	/* Paths are on the entry's volume; a URL (uki-url) is itself. */
	bool url = str_starts_with(value, "http://");
	char err[256], *text = fmt_alloc("%s%s", *value == '/' || url ? "" :
					 "/", value);
	int rc;

	if (!text)
		return BT_ENOMEM;
	rc = path_parse(text, st->file, out, err, sizeof(err));
	bt_free(text);
	*ok = rc == 0;
	if (rc == BT_ENOMEM || !rc)
		return rc;
	return broken(r, st->e, line, err);
}

/* linux, efi, uki, uki-url: one of them, once. */
static int boot_key(struct reader *r, struct entry_state *st, unsigned line,
		    enum bls_key k, const char *value)
{
	char msg[160];
	bool ok;

	if (st->boot != K_COUNT) {
		const char *name = strlist_at(entry_keys, k);

		if (st->boot == k)
			fmt_buf(msg, sizeof(msg), "a second '%s' line (the "
				"first is on line %u)", name, st->boot_line);
		else
			fmt_buf(msg, sizeof(msg), "'%s' cannot be mixed with "
				"'%s' (line %u) in one entry", name,
				strlist_at(entry_keys, st->boot), st->boot_line);
		return broken(r, st->e, line, msg);
	}
	st->boot = k;
	st->boot_line = line;
	/* A UKI on an HTTP server: booted as efi is, not counted. */
	if (k == K_UKI_URL && !str_starts_with(value, "http://"))
		return broken(r, st->e, line, "'uki-url' needs an http:// URL");
	st->e->kind = k == K_LINUX ? ENTRY_LINUX : ENTRY_EFI;
	return entry_path(r, st, line, value, &st->e->image, &ok);
}

/* initrd PATH...: each in order (several on one line are allowed too). */
static int add_initrds(struct reader *r, struct entry_state *st, unsigned line,
		       char *value)
{
	struct config_entry *e = st->e;
	int rc = 0;

	if (!st->initrd_line)
		st->initrd_line = line;
	while (!rc && *value) {
		char *end = value;
		void *arr = e->initrds;
		bool ok;

		while (*end && !is_space((unsigned char)*end))
			end++;
		if (*end)
			*end++ = '\0';
		if (array_reserve(&arr, &st->initrds_cap, e->n_initrds + 1,
				  sizeof(*e->initrds)))
			return BT_ENOMEM;
		e->initrds = arr;
		rc = entry_path(r, st, line, value, &e->initrds[e->n_initrds], &ok);
		if (ok)
			e->n_initrds++;
		while (is_space((unsigned char)*end))
			end++;
		value = end;
	}
	return rc;
}

/* options TEXT: repeatable, joined with single spaces. */
static int add_options(struct reader *r, struct config_entry *e, unsigned line,
		       const char *value)
{
	if (e->options && strlen(e->options) + 1 + strlen(value) > CONFIG_LINE_MAX)
		return diag(r, line, "the 'options' lines add up to over %d "
			    "bytes; this one is left out", CONFIG_LINE_MAX);
	return config_add_options(&e->options, value);
}

static int entry_line(struct reader *r, struct entry_state *st, char *key,
		      char *value)
{
	struct config_entry *e = st->e;
	enum bls_key k = (enum bls_key)strlist_find(entry_keys, key);
	char q[CONFIG_QUOTE_MAX];
	unsigned line = r->line;

	if (k == K_COUNT)
		return diag(r, line, "unknown key '%s'", config_quote(q, key));
	if (!*value)
		return diag(r, line, "'%s' needs a value", key);
	switch (k) {
	case K_TITLE:
		return set_str(&e->title, value);
	case K_VERSION:
		return set_str(&e->version, value);
	case K_MACHINE_ID:
		return set_str(&e->machine_id, value);
	case K_SORT_KEY:
		return set_str(&e->sort_key, value);
	case K_LINUX:
	case K_EFI:
	case K_UKI:
	case K_UKI_URL:
		return boot_key(r, st, line, k, value);
	case K_INITRD:
		return add_initrds(r, st, line, value);
	case K_OPTIONS:
		return add_options(r, e, line, value);
	case K_DEVICETREE:
	case K_DT_OVERLAY:
		return diag(r, line, "'%s' is not used on x86; ignored", key);
	case K_ARCH:
		/* Another architecture's entry is not this machine's at all:
		 * hidden, without a word. */
		if (str_casecmp(value, XBOOT_ARCH))
			st->hidden = true;
		return 0;
	default:	/* extra, profile */
		return diag(r, line, "'%s' is not supported by baton; ignored",
			    key);
	}
}

/* Checks that need the whole file. */
static int entry_end(struct reader *r, struct entry_state *st)
{
	struct config_entry *e = st->e;
	size_t i;
	int rc = 0;

	if (st->boot == K_COUNT)
		return broken(r, e, 0, "no 'linux', 'efi' or 'uki' line");
	if (e->kind == ENTRY_LINUX || !e->n_initrds)
		return 0;
	rc = diag(r, st->initrd_line, "'initrd' goes with 'linux' only; "
		  "ignored for '%s'", strlist_at(entry_keys, st->boot));
	for (i = 0; i < e->n_initrds; i++)
		path_free(&e->initrds[i]);
	e->n_initrds = 0;
	return rc;
}

int bls_add_entry(struct config *cfg, const struct path *file,
		  const char *text, size_t len)
{
	struct reader *r = reader_new(cfg, file, text, len);
	struct entry_state st = { .file = file, .boot = K_COUNT };
	char *key, *value;
	int rc = 0;

	if (!r || !(st.e = new_entry(cfg))) {
		reader_free(r);
		return BT_ENOMEM;
	}
	while (next_line(r, true, &key, &value, &rc))
		rc = entry_line(r, &st, key, value);
	if (!rc)
		rc = entry_end(r, &st);
	if (!rc && st.e->kind == ENTRY_EFI && st.e->options) {
		/* An EFI program's load options: the "options" lines. */
		bt_free(st.e->args);
		st.e->args = st.e->options;
		st.e->options = NULL;
	}
	/* Boots are counted for kernels and UKIs, not other programs. */
	if (!rc)
		rc = entry_names(r, st.e, file, st.boot == K_LINUX ||
				 st.boot == K_UKI);
	if (!rc && st.hidden) {
		config_entry_free(st.e);
		cfg->n_entries--;
	}
	reader_free(r);
	return rc;
}

/* -- UKIs ------------------------------------------------------------------ */

/* The os-release keys a UKI's title, version and sort key come from. */
enum osrel_key {
	O_PRETTY_NAME, O_IMAGE_ID, O_NAME, O_ID, O_IMAGE_VERSION, O_VERSION,
	O_VERSION_ID, O_BUILD_ID, O_COUNT
};

/* In enum osrel_key's order (a strlist). */
static const char osrel_keys[] =
	"PRETTY_NAME\0" "IMAGE_ID\0" "NAME\0" "ID\0" "IMAGE_VERSION\0"
	"VERSION\0" "VERSION_ID\0" "BUILD_ID\0";

/*
 * An os-release value as the shell would read it: one pair of quotes
 * ('...' literal, "..." with \ escapes) or bare with \ escapes, into
 * out[0..OSREL_VALUE_MAX) (cut there).
 */
static void osrel_value(const char *s, char *out)
{
	char quote = 0;
	size_t n = 0;

	if (*s == '"' || *s == '\'')
		quote = *s++;
	for (; *s && *s != quote && n + 1 < OSREL_VALUE_MAX; s++) {
		if (*s == '\\' && quote != '\'' && s[1])
			s++;
		out[n++] = *s;
	}
	out[n] = '\0';
}

/* The first of keys[0..n) (indexes into v) that has a value, or NULL. */
static const char *first_of(char v[O_COUNT][OSREL_VALUE_MAX], int a, int b,
			    int c, int d)
{
	int k[4] = { a, b, c, d }, i;

	for (i = 0; i < 4; i++)
		if (k[i] >= 0 && v[k[i]][0])
			return v[k[i]];
	return NULL;
}

/* a copy of s, or NULL when s is; *rc BT_ENOMEM when the copy fails. */
static char *dup_opt(const char *s, int *rc)
{
	char *d = s ? str_dup(s) : NULL;

	if (s && !d)
		*rc = BT_ENOMEM;
	return d;
}

int bls_add_uki(struct config *cfg, const struct path *file,
		const char *osrel, size_t osrel_len,
		const char *cmdline, size_t cmdline_len)
{
	struct reader *r = reader_new(cfg, file, osrel, osrel_len);
	char (*v)[OSREL_VALUE_MAX] = bt_zalloc(O_COUNT * sizeof(*v));
	struct config_entry *e = NULL;
	char *key, *value;
	size_t i, n;
	int rc = 0;

	if (!r || !v || !(e = new_entry(cfg))) {
		reader_free(r);
		bt_free(v);
		return BT_ENOMEM;
	}
	/* os-release lines are KEY=VALUE: split at '=', not at a space. */
	while (next_line(r, false, &key, &value, &rc)) {
		char *eq = strchr(key, '=');

		if (!eq)
			continue;
		*eq = '\0';
		i = strlist_find(osrel_keys, key);
		if (i < O_COUNT)
			osrel_value(eq + 1, v[i]);
	}
	e->kind = ENTRY_EFI;
	e->title = dup_opt(first_of(v, O_PRETTY_NAME, O_IMAGE_ID, O_NAME, O_ID), &rc);
	e->version = dup_opt(first_of(v, O_IMAGE_VERSION, O_VERSION,
				      O_VERSION_ID, O_BUILD_ID), &rc);
	e->sort_key = dup_opt(first_of(v, O_IMAGE_ID, O_ID, -1, -1), &rc);
	/* The command line as load options: one line, without the NULs and
	 * newline ukify leaves at its end. */
	n = cmdline ? cmdline_len : 0;
	while (n && (!cmdline[n - 1] || is_space((unsigned char)cmdline[n - 1])))
		n--;
	if (n > CONFIG_LINE_MAX)
		n = CONFIG_LINE_MAX;
	e->args = str_ndup(n ? cmdline : "", n);
	for (i = 0; e->args && i < n; i++)
		if (!e->args[i] || e->args[i] == '\n' || e->args[i] == '\r' ||
		    e->args[i] == '\t')
			e->args[i] = ' ';
	if (!e->args || path_copy(&e->image, file))
		rc = BT_ENOMEM;
	if (!rc)
		rc = entry_names(r, e, file, true);
	reader_free(r);
	bt_free(v);
	return rc;
}

/* -- loader.conf ----------------------------------------------------------- */

enum loader_key {
	L_DEFAULT, L_TIMEOUT, L_EDITOR, L_AUTO_ENTRIES, L_AUTO_FIRMWARE,
	L_IGNORED, L_COUNT = L_IGNORED + 10
};

/* systemd-boot keys baton has no use for; accepted without a word. */
static const char loader_keys[] =
	"default\0" "timeout\0" "editor\0" "auto-entries\0" "auto-firmware\0"
	"console-mode\0" "beep\0" "auto-poweroff\0" "auto-reboot\0"
	"reboot-for-bitlocker\0" "reboot-on-error\0" "secure-boot-enroll\0"
	"secure-boot-enroll-action\0" "random-seed-mode\0" "preferred-boot\0";

static int loader_default(struct reader *r, const char *value)
{
	struct config *cfg = r->cfg;
	size_t i;

	if (cfg->default_pattern)
		return 0;
	/* The ids are lower case, and so is the glob matched against them. */
	cfg->default_pattern = str_dup(value);
	cfg->default_where = fmt_alloc("%s:%u", r->fname, r->line);
	if (!cfg->default_pattern || !cfg->default_where)
		return BT_ENOMEM;
	for (i = 0; cfg->default_pattern[i]; i++)
		cfg->default_pattern[i] = (char)to_lower(cfg->default_pattern[i]);
	return 0;
}

static int loader_timeout(struct reader *r, const char *value)
{
	struct config *cfg = r->cfg;
	char q[CONFIG_QUOTE_MAX];
	unsigned t;
	size_t n;

	if (cfg->timeout_set)
		return 0;
	if (!strcmp(value, "menu-force")) {
		cfg->timeout = -1;
	} else if (!strcmp(value, "menu-hidden") ||
		   !strcmp(value, "menu-disabled")) {
		cfg->timeout = 0;
		cfg->timeout_set = true;
		return diag(r, r->line, "timeout %s: baton has no hidden menu; "
			    "it boots the default at once (hold a key for the "
			    "menu is not offered)", value);
	} else if ((n = digits(value, &t)) && !value[n] && t < 1000000) {
		cfg->timeout = (int)t;
	} else {
		return diag(r, r->line, "timeout: expected seconds, "
			    "menu-force, menu-hidden or menu-disabled, got '%s'",
			    config_quote(q, value));
	}
	cfg->timeout_set = true;
	return 0;
}

static int loader_line(struct reader *r, struct bls_prefs *prefs, char *key,
		       char *value)
{
	enum loader_key k = (enum loader_key)strlist_find(loader_keys, key);
	char q[CONFIG_QUOTE_MAX];
	bool b = false;

	if (k == L_COUNT)
		return diag(r, r->line, "unknown key '%s'", config_quote(q, key));
	if (k >= L_IGNORED)
		return 0;
	if (!*value)
		return diag(r, r->line, "'%s' needs a value", key);
	if (k == L_DEFAULT)
		return loader_default(r, value);
	if (k == L_TIMEOUT)
		return loader_timeout(r, value);
	if (!config_parse_bool(value, &b))
		return diag(r, r->line, "%s: expected yes or no, got '%s'",
			    key, config_quote(q, value));
	if (k == L_EDITOR && !r->cfg->editor_set) {
		r->cfg->editor = b;
		r->cfg->editor_set = true;
	} else if (k == L_AUTO_ENTRIES) {
		prefs->auto_entries = b;
	} else if (k == L_AUTO_FIRMWARE) {
		prefs->auto_firmware = b;
	}
	return 0;
}

int bls_loader_conf(struct config *cfg, const struct path *file,
		    const char *text, size_t len, struct bls_prefs *prefs)
{
	struct reader *r = reader_new(cfg, file, text, len);
	char *key, *value;
	int rc = 0;

	if (!r)
		return BT_ENOMEM;
	while (next_line(r, true, &key, &value, &rc))
		rc = loader_line(r, prefs, key, value);
	reader_free(r);
	return rc;
}

/* -- sorting --------------------------------------------------------------- */

/* strcmp where NULL or "" sorts first. */
static int cmp_str(const char *a, const char *b)
{
	bool ha = a && *a, hb = b && *b;

	if (!ha || !hb)
		return (int)ha - (int)hb;
	return strcmp(a, b);
}

/* The id without ".conf"/".efi" into buf (cut to fit). */
static const char *sort_name(const struct config_entry *e, char *buf, size_t n)
{
	size_t end = suffix_at(e->id);

	fmt_buf(buf, n, "%.*s", (int)(end ? end : strlen(e->id)), e->id);
	return buf;
}

/* The specification's order: negative when a goes first. */
static int entry_cmp(const struct config_entry *a, const struct config_entry *b)
{
	char na[256], nb[256];
	bool ka = a->sort_key && *a->sort_key, kb = b->sort_key && *b->sort_key;
	int r;

	if (a->bls_bad != b->bls_bad)
		return a->bls_bad ? 1 : -1;
	if (ka && kb) {
		if ((r = cmp_str(a->sort_key, b->sort_key)) ||
		    (r = cmp_str(a->machine_id, b->machine_id)) ||
		    (r = -vercmp(a->version, b->version)))
			return r;
	} else if (ka != kb) {
		return ka ? -1 : 1;
	}
	r = -vercmp(sort_name(a, na, sizeof(na)), sort_name(b, nb, sizeof(nb)));
	if (r)
		return r;
	/* Same name but for the counter: more tries left, then fewer done. */
	if (a->tries_left != b->tries_left)
		return a->tries_left > b->tries_left ? -1 : 1;
	return a->tries_done < b->tries_done ? -1 : a->tries_done > b->tries_done;
}

static const char *shown_title(const struct config_entry *e)
{
	return e->title ? e->title : e->id;
}

/* Whether another entry in [first, n) shows the same title as entry i. */
static bool title_repeats(const struct config *cfg, size_t first, size_t i)
{
	size_t j;

	for (j = first; j < cfg->n_entries; j++)
		if (j != i && !strcmp(shown_title(&cfg->entries[j]),
				      shown_title(&cfg->entries[i])))
			return true;
	return false;
}

int bls_sort(struct config *cfg, size_t first)
{
	struct config_entry tmp, *e = cfg->entries;
	size_t i, j, n = cfg->n_entries;
	char **titles;
	int rc = 0;

	/* Insertion sort: stable, and n is at most a few hundred. */
	for (i = first + 1; i < n; i++) {
		tmp = e[i];
		for (j = i; j > first && entry_cmp(&tmp, &e[j - 1]) < 0; j--)
			e[j] = e[j - 1];
		e[j] = tmp;
	}
	/* New titles are found first and set after, so every entry is
	 * compared with the titles as they were. */
	titles = n > first ? bt_zalloc((n - first) * sizeof(*titles)) : NULL;
	if (n > first && !titles)
		return BT_ENOMEM;
	for (i = first; i < n && !rc; i++) {
		if (!title_repeats(cfg, first, i))
			continue;
		titles[i - first] = fmt_alloc("%s (%s)", shown_title(&e[i]),
					      e[i].version ? e[i].version : e[i].id);
		if (!titles[i - first])
			rc = BT_ENOMEM;
	}
	for (i = first; i < n; i++) {
		if (!titles[i - first])
			continue;
		bt_free(e[i].title);
		e[i].title = titles[i - first];
	}
	bt_free(titles);
	return rc;
}
