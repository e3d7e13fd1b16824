/*
 * The GRUB script subset (config/grubcfg.h).  The text is read one command
 * at a time: words (quotes, escapes and $-expansion already applied) up to
 * a newline, ';', '{' or '}'.  Variables are expanded as the file is read,
 * top to bottom.  Blocks baton does not run (if/for/while/until, functions)
 * are reported once at their first line and skipped to their end, counting
 * the keywords and braces nested in them.
 */
#include "config/grubcfg.h"
#include "config/internal.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/* The value "search --set=V --file $iso_path" gives V: the ISO's host. */
#define HOST_DEV "iso-host"

struct gvar {
	char *name;
	char *value;
};

/* An open menuentry or submenu block. */
struct gblock {
	bool entry;
	size_t n_vars;		/* variables before it: its own are dropped
				 * when it closes */
	char *prefix;		/* submenu: the title prefix inside it */
};

struct gp {
	const char *s, *name;
	size_t len, pos;
	unsigned line;		/* the line of s[pos] */
	const struct grubcfg_env *env;
	struct grubcfg *out;
	struct config *notes;
	struct gvar vars[GRUBCFG_MAX_VARS];
	size_t n_vars;
	struct gblock blk[GRUBCFG_MAX_DEPTH];
	unsigned depth;
	struct grub_entry cur;	/* the open entry, when blk says so */
	bool skipping, full_said;
	unsigned skip_kw, skip_br;	/* if/fi and {/} nesting being skipped */
	/* The command being read: words at offsets word[] in buf. */
	char *buf;
	size_t blen, wstart;
	size_t word[GRUBCFG_MAX_WORDS];
	unsigned n_words;
	bool overflow, open_quote;
	int err;		/* BT_ENOMEM, sticky */
};

#define W(g, i) ((g)->buf + (g)->word[i])

static int say(struct gp *g, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add the diagnostic "name:line: message". */
static int say(struct gp *g, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!g->err)
		g->err = config_vdiag_at(g->notes, NULL, g->name, line, fmt, ap);
	va_end(ap);
	return g->err;
}

static int not_understood(struct gp *g, unsigned line, const char *what)
{
	char q[CONFIG_QUOTE_MAX];

	return say(g, line, "'%s' is not understood (baton reads a subset of "
		   "GRUB script, see docs/config.md)", config_quote(q, what));
}

/* -- variables ------------------------------------------------------------ */

static const char *get_var(const struct gp *g, const char *name)
{
	size_t i = g->n_vars;

	while (i--)
		if (strcmp(g->vars[i].name, name) == 0)
			return g->vars[i].value;
	return "";
}

/* Set name[0..nlen) to value in the innermost block's scope. */
static int set_var(struct gp *g, unsigned line, const char *name, size_t nlen,
		   const char *value)
{
	size_t base = g->depth ? g->blk[g->depth - 1].n_vars : 0, i;
	struct gvar *v = NULL;
	char *val = str_dup(value);

	if (!val)
		return g->err = BT_ENOMEM;
	for (i = g->n_vars; !v && i-- > base;)
		if (strlen(g->vars[i].name) == nlen &&
		    memcmp(g->vars[i].name, name, nlen) == 0)
			v = &g->vars[i];
	if (!v) {
		if (g->n_vars == GRUBCFG_MAX_VARS) {
			bt_free(val);
			return say(g, line, "more than %d variables",
				   GRUBCFG_MAX_VARS);
		}
		v = &g->vars[g->n_vars];
		v->value = NULL;	/* a slot drop_vars() freed */
		if (!(v->name = str_ndup(name, nlen))) {
			bt_free(val);
			return g->err = BT_ENOMEM;
		}
		g->n_vars++;
	}
	bt_free(v->value);
	v->value = val;
	return 0;
}

static void drop_vars(struct gp *g, size_t keep)
{
	while (g->n_vars > keep) {
		g->n_vars--;
		bt_free(g->vars[g->n_vars].name);
		bt_free(g->vars[g->n_vars].value);
	}
}

static bool name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Length of the variable name s starts with, when "name=" follows; else 0. */
static size_t assignment(const char *s)
{
	size_t n = 0;

	while (name_char(s[n]))
		n++;
	return n && s[n] == '=' && !(s[0] >= '0' && s[0] <= '9') ? n : 0;
}

/* -- reading commands ----------------------------------------------------- */

static int peek(const struct gp *g)
{
	return g->pos < g->len ? (unsigned char)g->s[g->pos] : -1;
}

static int next(struct gp *g)
{
	int c = peek(g);

	if (c >= 0) {
		g->pos++;
		g->line += c == '\n';
	}
	return c;
}

static void put(struct gp *g, char c)
{
	if (g->blen < CONFIG_LINE_MAX)
		g->buf[g->blen++] = c;
	else
		g->overflow = true;
}

/* After '$': the value of $name, ${name} or $? (positional and special
 * parameters are empty); a '$' before anything else is itself. */
static void expand(struct gp *g)
{
	char name[64];
	size_t n = 0;
	bool braced = peek(g) == '{';
	int c;

	if (braced)
		next(g);
	while ((c = peek(g)) >= 0 && (braced ? c != '}' && c != '\n' :
				      name_char(c))) {
		if (n < sizeof(name) - 1)
			name[n++] = (char)c;
		next(g);
	}
	if (braced && c == '}')
		next(g);
	else if (!braced && !n && c > 0 && strchr("?#@*", c))
		next(g);	/* a special parameter: empty */
	else if (!braced && !n) {
		put(g, '$');
		return;
	}
	name[n] = '\0';
	for (const char *v = get_var(g, name); *v; v++)
		put(g, *v);
}

/* After '"': to the closing quote; \ escapes $ " \ and a newline. */
static void dquote(struct gp *g)
{
	int c;

	while ((c = next(g)) >= 0 && c != '"') {
		if (c == '\\' && peek(g) > 0 && strchr("$\"\\\n", peek(g))) {
			c = next(g);
			if (c != '\n')
				put(g, (char)c);
		} else if (c == '$') {
			expand(g);
		} else {
			put(g, (char)c);
		}
	}
	g->open_quote |= c < 0;
}

/* End the word being built; an unquoted one that expanded to nothing
 * is no word at all, as in the shell. */
static void end_word(struct gp *g, bool quoted)
{
	if (g->blen == g->wstart && !quoted)
		return;
	put(g, '\0');
	if (g->n_words == GRUBCFG_MAX_WORDS)
		g->overflow = true;
	if (!g->overflow)
		g->word[g->n_words++] = g->wstart;
}

/*
 * Read the next command into g's words; *line is where it starts.  Returns
 * what ended it: '\n', ';', '{', '}', or -1 at the end of the text.
 */
static int read_cmd(struct gp *g, unsigned *line)
{
	bool in_word = false, quoted = false;
	int c;

	g->blen = g->n_words = 0;
	g->overflow = g->open_quote = false;
	*line = 0;
	for (;;) {
		unsigned at = g->line;

		c = next(g);
		if (c == '\\' && peek(g) == '\r' && g->pos + 1 < g->len &&
		    g->s[g->pos + 1] == '\n')
			next(g);
		if (c == '\\' && peek(g) == '\n') {
			next(g);	/* a line continues */
			continue;
		}
		if (!*line && c >= 0 && !is_space(c))
			*line = at;
		if (c < 0 || is_space(c) || c == ';' || c == '{' || c == '}') {
			if (in_word)
				end_word(g, quoted);
			in_word = false;
			if (c >= 0 && c != '\n' && is_space(c))
				continue;
			if (!*line)
				*line = at;
			return c;
		}
		if (c == '#' && !in_word) {
			while (peek(g) >= 0 && peek(g) != '\n')
				next(g);
			continue;
		}
		if (!in_word) {
			g->wstart = g->blen;
			in_word = true;
			quoted = false;
		}
		if (c == '\'') {
			quoted = true;
			while ((c = next(g)) >= 0 && c != '\'')
				put(g, (char)c);
			g->open_quote |= c < 0;
		} else if (c == '"') {
			quoted = true;
			dquote(g);
		} else if (c == '\\') {
			if ((c = next(g)) >= 0)
				put(g, (char)c);
		} else if (c == '$') {
			expand(g);
		} else {
			put(g, (char)c);
		}
	}
}

/* -- entries and blocks --------------------------------------------------- */

static void entry_free(struct grub_entry *e)
{
	size_t i;

	bt_free(e->title);
	bt_free(e->kernel);
	bt_free(e->args);
	for (i = 0; i < e->n_initrds; i++)
		bt_free(e->initrds[i]);
	memset(e, 0, sizeof(*e));
}

static bool in_entry(const struct gp *g)
{
	return g->depth && g->blk[g->depth - 1].entry;
}

static void start_skip(struct gp *g, unsigned kw, unsigned br)
{
	g->skipping = true;
	g->skip_kw = kw;
	g->skip_br = br;
}

/* A path on a linux or initrd line: "(loop)/x" or "($root)/x" is /x. */
static char *iso_file(struct gp *g, unsigned line, const char *w)
{
	char q[CONFIG_QUOTE_MAX], *p;
	const char *f = w, *root = get_var(g, "root"), *end;
	size_t n;

	if (w[0] == '(') {
		end = strchr(w, ')');
		n = end ? (size_t)(end - w - 1) : 0;
		if (!end || !((n == strlen(root) && !memcmp(w + 1, root, n)) ||
			      (n == 4 && !memcmp(w + 1, "loop", 4))))
			return say(g, line, "'%s' names a GRUB device other "
				   "than the ISO", config_quote(q, w)), NULL;
		f = end + 1;
	}
	if (f[0] != '/')
		return say(g, line, "'%s' is not an absolute path",
			   config_quote(q, w)), NULL;
	if (!(p = str_dup(f)))
		g->err = BT_ENOMEM;
	return p;
}

/* Words from..n_words joined by spaces; a word with a space is quoted, as
 * the kernel parses it back. */
static char *join(struct gp *g, unsigned from)
{
	size_t n = 1, k = 0, i;
	char *s;

	for (i = from; i < g->n_words; i++)
		n += strlen(W(g, i)) + 3;
	if (!(s = bt_alloc(n))) {
		g->err = BT_ENOMEM;
		return NULL;
	}
	for (i = from; i < g->n_words; i++) {
		const char *w = W(g, i);
		bool q = strchr(w, ' ') != NULL;
		size_t wl = strlen(w);

		if (k)
			s[k++] = ' ';
		if (q)
			s[k++] = '"';
		memcpy(s + k, w, wl);
		k += wl;
		if (q)
			s[k++] = '"';
	}
	s[k] = '\0';
	return s;
}

/* linux PATH ARGS, initrd PATH...: in an entry; a later line replaces. */
static int boot_line(struct gp *g, unsigned line, bool kernel)
{
	struct grub_entry *e = &g->cur;
	unsigned i;

	if (!in_entry(g))
		return say(g, line, "'%s' outside a menuentry", W(g, 0));
	if (g->n_words < 2)
		return say(g, line, "'%s' needs a path", W(g, 0));
	if (kernel) {
		char *k = iso_file(g, line, W(g, 1)), *a = k ? join(g, 2) : NULL;

		if (!a) {
			bt_free(k);
			return g->err;
		}
		bt_free(e->kernel);
		bt_free(e->args);
		e->kernel = k;
		e->args = a;
		return 0;
	}
	for (i = 0; i < e->n_initrds; i++)
		bt_free(e->initrds[i]);
	e->n_initrds = 0;
	if (g->n_words - 1 > GRUBCFG_MAX_INITRDS)
		return say(g, line, "more than %d initrds on one line",
			   GRUBCFG_MAX_INITRDS);
	for (i = 1; i < g->n_words; i++) {
		char *p = iso_file(g, line, W(g, i));

		if (!p)
			return g->err;
		e->initrds[e->n_initrds++] = p;
	}
	return 0;
}

static int close_block(struct gp *g, unsigned line)
{
	struct gblock *b;
	char q[CONFIG_QUOTE_MAX];

	if (!g->depth)
		return say(g, line, "'}' without an open block");
	b = &g->blk[--g->depth];
	drop_vars(g, b->n_vars);
	bt_free(b->prefix);
	b->prefix = NULL;
	if (!b->entry)
		return 0;
	if (!g->cur.kernel) {
		say(g, g->cur.line, "menu entry '%s' is left out: it has no "
		    "'linux' line baton understands",
		    config_quote(q, g->cur.title));
		entry_free(&g->cur);
	} else {
		size_t cap = g->out->n_entries;

		if (array_reserve((void **)&g->out->entries, &cap,
				  g->out->n_entries + 1, sizeof(g->cur)))
			g->err = BT_ENOMEM;
		else
			g->out->entries[g->out->n_entries++] = g->cur;
	}
	if (g->err)
		entry_free(&g->cur);
	memset(&g->cur, 0, sizeof(g->cur));
	return g->err;
}

/* menuentry TITLE [--option value...] { or submenu TITLE ... { */
static int open_block(struct gp *g, unsigned line, int term, bool entry)
{
	/* The options that take a value (a strlist, see lib/mem.h). */
	static const char with_value[] = "--class\0" "--id\0" "--users\0"
					 "--hotkey\0";
	const char *title = NULL, *outer;
	struct gblock *b;
	unsigned i;

	for (i = 1; i < g->n_words && !title; i++) {
		const char *a = W(g, i);

		if (a[0] != '-' || a[1] != '-') {
			title = a;
			continue;
		}
		if (strlist_has(with_value, a))
			i++;
	}
	if (term != '{')
		return say(g, line, "'%s' needs '{' on its line", W(g, 0));
	start_skip(g, 0, 1);
	if (!title)
		return say(g, line, "'%s' needs a title", W(g, 0));
	if (in_entry(g))
		return not_understood(g, line, W(g, 0));
	if (g->depth == GRUBCFG_MAX_DEPTH)
		return say(g, line, "blocks nested more than %d deep",
			   GRUBCFG_MAX_DEPTH);
	if (entry && g->out->n_entries == GRUBCFG_MAX_ENTRIES) {
		if (g->full_said)
			return 0;
		g->full_said = true;
		return say(g, line, "more than %d menu entries: the rest are "
			   "left out", GRUBCFG_MAX_ENTRIES);
	}
	g->skipping = false;
	outer = g->depth ? g->blk[g->depth - 1].prefix : NULL;
	b = &g->blk[g->depth++];
	b->entry = entry;
	b->n_vars = g->n_vars;
	b->prefix = fmt_alloc(entry ? "%s%s" : "%s%s > ", outer ? outer : "",
			      title);
	if (!b->prefix)
		return g->err = BT_ENOMEM;
	if (entry) {
		g->cur.title = b->prefix;
		b->prefix = NULL;
		g->cur.line = line;
	}
	return 0;
}

/* The word after "--set" / "-s", or after "--set=": the variable set. */
static const char *set_target(struct gp *g, const char **last, bool *uuid)
{
	const char *v = NULL;
	unsigned i;

	*last = "";
	for (i = 1; i < g->n_words; i++) {
		const char *a = W(g, i);

		if (str_starts_with(a, "--set="))
			v = a + 6;
		else if ((!strcmp(a, "--set") || !strcmp(a, "-s")) &&
			 i + 1 < g->n_words && W(g, i + 1)[0] != '-')
			v = W(g, ++i);
		else if (!strcmp(a, "--fs-uuid") || !strcmp(a, "-u"))
			*uuid = true;
		else if (a[0] != '-')
			*last = a;
	}
	return v;
}

/*
 * search --set=V --file "$iso_path": V names the ISO's host; setting root
 * is a no-op (paths are in the ISO anyway).  probe --set V --fs-uuid on
 * that host: V is its file-system UUID.  Anything else is reported.
 */
static int search_probe(struct gp *g, unsigned line, bool probe)
{
	const char *last, *v, *iso = g->env->iso_path, *uuid_val;
	bool uuid = false;
	size_t n;

	v = set_target(g, &last, &uuid);
	if (!probe && (!v || !strcmp(v, "root")))
		return 0;
	if (!probe && iso && *iso && !strcmp(last, iso))
		return set_var(g, line, v, strlen(v), HOST_DEV);
	n = strlen(last);
	if (n > 1 && last[0] == '(' && last[n - 1] == ')') {
		last++;
		n -= 2;
	}
	if (probe && v && uuid && n == 8 && !memcmp(last, HOST_DEV, 8)) {
		uuid_val = g->env->host_fsuuid;
		if (!uuid_val)
			say(g, line, "probe: the volume holding the ISO has no "
			    "file-system UUID");
		return set_var(g, line, v, strlen(v), uuid_val ? uuid_val : "");
	}
	return not_understood(g, line, W(g, 0));
}

/* Commands that change nothing baton shows or boots (strlists, see
 * lib/mem.h), the commands of the two boot lines, and the keywords that
 * open a block baton skips (ended by fi or done). */
static const char noops[] =
	"insmod\0" "export\0" "terminal_output\0" "terminal_input\0"
	"loadfont\0" "gfxmode\0" "echo\0" "font\0" "background_image\0";
static const char kernel_cmds[] = "linux\0" "linuxefi\0" "linux16\0";
static const char initrd_cmds[] = "initrd\0" "initrdefi\0" "initrd16\0";
static const char loop_words[] = "if\0" "for\0" "while\0" "until\0";

/* A command that is not a block: run it. */
static int simple(struct gp *g, unsigned line)
{
	const char *c = W(g, 0);
	size_t n = assignment(c);

	if (n)
		return set_var(g, line, c, n, c + n + 1);
	if (!strcmp(c, "set")) {
		if (g->n_words < 2)
			return 0;
		c = W(g, 1);
		n = assignment(c);
		return set_var(g, line, c, n ? n : strlen(c),
			       n ? c + n + 1 : "");
	}
	if (strlist_has(noops, c))
		return 0;
	if (strlist_has(kernel_cmds, c))
		return boot_line(g, line, true);
	if (strlist_has(initrd_cmds, c))
		return boot_line(g, line, false);
	if (!strcmp(c, "search") || !strcmp(c, "probe"))
		return search_probe(g, line, c[0] == 'p');
	if (strlist_has(loop_words, c))
		start_skip(g, 1, 0);
	return not_understood(g, line, c);
}

/* While skipping: count what opens and closes until the skip ends. */
static int skip_cmd(struct gp *g, int term, unsigned line)
{
	const char *c = g->n_words ? W(g, 0) : "";

	if (strlist_has(loop_words, c))
		g->skip_kw++;
	else if ((!strcmp(c, "fi") || !strcmp(c, "done")) && g->skip_kw)
		g->skip_kw--;
	if (term == '{')
		g->skip_br++;
	if (term == '}' && !g->skip_br) {
		/* an unfinished if-block inside the block this closes */
		g->skipping = false;
		return close_block(g, line);
	}
	if (term == '}')
		g->skip_br--;
	g->skipping = g->skip_kw || g->skip_br;
	return 0;
}

static int command(struct gp *g, int term, unsigned line)
{
	const char *c;

	if (g->skipping)
		return skip_cmd(g, term, line);
	if (g->overflow || g->open_quote) {
		if (term == '{')
			start_skip(g, 0, 1);
		return say(g, line, g->open_quote ? "a quote is not closed" :
			   "command over %d bytes or %d words; it is skipped",
			   CONFIG_LINE_MAX, GRUBCFG_MAX_WORDS);
	}
	if (!g->n_words) {
		if (term == '}')
			return close_block(g, line);
		start_skip(g, 0, 1);
		return not_understood(g, line, "{");
	}
	c = W(g, 0);
	if (!strcmp(c, "menuentry") || !strcmp(c, "submenu"))
		return open_block(g, line, term, c[0] == 'm');
	if (term == '{') {
		start_skip(g, 0, 1);
		return not_understood(g, line, c);
	}
	if (simple(g, line) || term != '}' || g->skipping)
		return g->err;
	return close_block(g, line);
}

int grubcfg_parse(const char *name, const char *text, size_t len,
		  const struct grubcfg_env *env, struct grubcfg *out,
		  struct config *notes)
{
	struct gp g;
	unsigned line;
	int term;

	memset(&g, 0, sizeof(g));
	g.s = text;
	g.len = len;
	g.line = 1;
	g.name = name;
	g.env = env;
	g.out = out;
	g.notes = notes;
	g.buf = bt_alloc(CONFIG_LINE_MAX + 1);
	if (!g.buf)
		return BT_ENOMEM;
	set_var(&g, 0, "root", 4, env->root ? env->root : "loop");
	if (env->iso_path)
		set_var(&g, 0, "iso_path", 8, env->iso_path);
	while (!g.err) {
		term = read_cmd(&g, &line);
		if (g.n_words || term == '{' || term == '}' || g.overflow ||
		    g.open_quote)
			command(&g, term, line);
		if (term < 0)
			break;
	}
	if (!g.err && (g.depth || g.skipping))
		say(&g, g.line, "the file ends inside a block (a '}', 'fi' or "
		    "'done' is missing)");
	while (g.depth) {
		entry_free(&g.cur);	/* unfinished: not kept */
		bt_free(g.blk[--g.depth].prefix);
	}
	drop_vars(&g, 0);
	bt_free(g.buf);
	return g.err;
}

void grubcfg_free(struct grubcfg *out)
{
	size_t i;

	for (i = 0; i < out->n_entries; i++)
		entry_free(&out->entries[i]);
	bt_free(out->entries);
	memset(out, 0, sizeof(*out));
}
