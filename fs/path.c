/*
 * baton's path syntax: parsing "label=X:/a/b#sha256=..." into a struct path,
 * and formatting it back for messages.  See fs/path.h for the grammar.
 *
 * Parsing runs in three steps on the text: split off the sha256 pin, take the
 * source in front (or inherit the origin's), then build the absolute,
 * normalised file name.  Every step reports a problem in plain words into
 * err, since these messages end up on the user's screen next to a config line.
 */
#include "fs/path.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define PIN_MARK "#sha256="

/* The value of a hex digit in either case, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)to_lower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Position of the first case-insensitive match of needle in s[0..len), or len. */
static size_t find_ci(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; i + nl <= len; i++)
		if (str_ncasecmp(s + i, needle, nl) == 0)
			return i;
	return len;
}

/*
 * Split a "#sha256=<64 hex>" suffix off text: *len shrinks to the part before
 * it and p gets the digest.  The pin must be the whole rest of the text, so a
 * typo cannot silently turn into "no pin".
 */
static int split_pin(const char *text, size_t from, size_t *len,
		     struct path *p, char *err, size_t errlen)
{
	size_t at = from + find_ci(text + from, *len - from, PIN_MARK), i, hexlen;
	const char *hex;
	char q[STR_QUOTE_MAX];

	if (at == *len)
		return 0;
	hex = text + at + sizeof(PIN_MARK) - 1;
	hexlen = *len - (size_t)(hex - text);
	for (i = 0; i < hexlen && hex_value(hex[i]) >= 0; i++)
		;
	if (hexlen != 2 * SHA256_LEN || i != hexlen) {
		fmt_buf(err, errlen, "sha256 pin needs 64 hex digits, got '%s'",
			str_quote(q, hex, hexlen));
		return BT_EINVAL;
	}
	for (i = 0; i < SHA256_LEN; i++)
		p->sha256[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 |
					 hex_value(hex[2 * i + 1]));
	p->pinned = true;
	*len = at;
	return 0;
}

/* Whether s[0..len) starts with prefix, ignoring ASCII case. */
static bool has_prefix_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && str_ncasecmp(s, prefix, n) == 0;
}

/* '/' and '\' both separate components (a Windows habit). */
static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

/* Length of s[0..len) up to the first '/' or '\'. */
static size_t span_to_sep(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && !is_sep(s[i]))
		i++;
	return i;
}

/* uuid=: a file-system UUID or FAT serial, written in hex with dashes. */
static bool valid_fsuuid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '-' && hex_value(s[i]) < 0)
			return false;
	return n > 0;
}

/* partuuid=: a GPT GUID, exactly 8-4-4-4-12 hex digits. */
static bool valid_guid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return false;
	for (i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : hex_value(s[i]) < 0)
			return false;
	}
	return true;
}

/* The ways a volume can be named, with the example shown when it is wrong. */
struct volume_kind {
	const char *prefix;
	enum path_source source;
	const char *what;
	const char *example;
};

static const struct volume_kind volume_kinds[] = {
	{ "label=", PATH_SRC_LABEL, "volume label", "label=NAME:/file" },
	{ "uuid=", PATH_SRC_UUID, "file-system uuid",
	  "uuid=1234-ABCD:/file (hex digits and dashes)" },
	{ "partuuid=", PATH_SRC_PARTUUID, "partition GUID",
	  "partuuid=0fc63daf-8483-4772-8e79-3d69d8477de4:/file "
	  "(8-4-4-4-12 hex digits)" },
};

/*
 * "label=NAME:", "uuid=X:" or "partuuid=G:" at the start of text: store the
 * volume's name in p->arg and the offset of the file in *off.
 */
static int parse_volume(const char *text, size_t len,
			const struct volume_kind *k, struct path *p,
			size_t *off, char *err, size_t errlen)
{
	size_t start = strlen(k->prefix), end = start, i;
	const char *name = text + start;
	char q[STR_QUOTE_MAX];
	bool ok;

	while (end < len && text[end] != ':')
		end++;
	if (end == len || end == start) {
		fmt_buf(err, errlen, "%s in '%s'; expected %s",
			end == len ? "no ':' after the volume" : "empty volume name",
			str_quote(q, text, len), k->example);
		return BT_EINVAL;
	}
	ok = k->source == PATH_SRC_UUID ? valid_fsuuid(name, end - start) :
	     k->source == PATH_SRC_PARTUUID ? valid_guid(name, end - start) :
	     true;
	if (!ok) {
		fmt_buf(err, errlen, "bad %s '%s'; expected %s", k->what,
			str_quote(q, name, end - start), k->example);
		return BT_EINVAL;
	}
	p->source = k->source;
	p->arg = str_ndup(name, end - start);
	if (!p->arg)
		return BT_ENOMEM;
	if (k->source == PATH_SRC_PARTUUID)
		for (i = 0; p->arg[i]; i++)
			p->arg[i] = (char)to_lower((unsigned char)p->arg[i]);
	*off = end + 1;
	return 0;
}

/* Images written inside one another (as FS_IMAGE_DEPTH_MAX); one whose
 * source is inherited from a deep origin is caught when it is opened. */
#define ISO_DEPTH_MAX 4

/*
 * Where the "iso(" at the start of text closes: the ')' that balances it.
 * len when there is none.
 */
static size_t iso_close(const char *text, size_t len)
{
	size_t i, depth = 1;

	for (i = 4; i < len; i++)
		if (text[i] == '(')
			depth++;
		else if (text[i] == ')' && --depth == 0)
			return i;
	return len;
}

static int parse(const char *text, size_t len, const struct path *origin,
		 unsigned depth, struct path *out, char *err, size_t errlen);

/* Whether the parentheses in s balance, so that iso_close() finds the end
 * of "iso(s)" right after s. */
static bool parens_balance(const char *s)
{
	size_t depth = 0;

	for (; *s; s++)
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth-- == 0)
			return false;
	return depth == 0;
}

/*
 * "iso(PATH):" at the start of text, its ')' at close: PATH is parsed like
 * any path, against origin, and kept formatted with its pin in p->arg.
 */
static int parse_iso(const char *text, size_t len, size_t close,
		     const struct path *origin, unsigned depth, struct path *p,
		     size_t *off, char *err, size_t errlen)
{
	struct path inner;
	char q[STR_QUOTE_MAX];
	const char *why = NULL;
	int rc;

	if (close == len)
		why = "no ')' closing 'iso('";
	else if (close == 4)
		why = "empty image path";
	else if (close + 1 == len || text[close + 1] != ':')
		why = "no ':' after 'iso(...)'";
	else if (depth >= ISO_DEPTH_MAX)
		why = "image files nested more than 4 deep";
	if (why) {
		fmt_buf(err, errlen, "%s in '%s'; expected iso(/isos/x.iso):/file",
			why, str_quote(q, text, len));
		return BT_EINVAL;
	}
	rc = parse(text + 4, close - 4, origin, depth + 1, &inner, err, errlen);
	if (rc)
		return rc;
	p->source = PATH_SRC_ISO;
	p->arg = path_format_pinned(&inner);
	path_free(&inner);
	if (!p->arg)
		return BT_ENOMEM;
	/* Folding ".." can remove a parenthesis ("iso((/../)):"), and then
	 * path_format() would write text that does not parse back. */
	if (!parens_balance(p->arg)) {
		char q2[STR_QUOTE_MAX];

		fmt_buf(err, errlen, "image path '%s' has unbalanced "
			"parentheses in '%s'", str_quote(q, p->arg,
			strlen(p->arg)), str_quote(q2, text, len));
		return BT_EINVAL;
	}
	*off = close + 2;
	return 0;
}

/* A TCP port: 1 to 65535, decimal digits only. */
static bool valid_port(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* "host", "host:port", "[v6addr]" or "[v6addr]:port"; the host not empty. */
static bool valid_host(const char *h, size_t n)
{
	size_t i;

	if (n && h[0] == '[') {
		for (i = 1; i < n && h[i] != ']'; i++)
			;
		if (i >= n || i == 1)
			return false;
		i++;
		return i == n || (h[i] == ':' && valid_port(h + i + 1, n - i - 1));
	}
	for (i = n; i > 0 && h[i - 1] != ':'; i--)
		;
	if (i == 0)
		return n > 0;
	return i > 1 && valid_port(h + i, n - i);
}

/*
 * "tftp:/file", "tftp://host/file" or "http://host[:port]/file" at the start
 * of text: store the host (or NULL: the boot server) and the file's offset.
 */
static int parse_net(const char *text, size_t len, enum path_source src,
		     struct path *p, size_t *off, char *err, size_t errlen)
{
	bool http = src == PATH_SRC_HTTP;
	const char *host = text + 7;
	size_t hlen;
	char q[STR_QUOTE_MAX];

	p->source = src;
	if (!has_prefix_ci(text, len, http ? "http://" : "tftp://")) {
		if (http)
			goto bad;
		*off = 5;	/* "tftp:": the server baton was booted from */
		return 0;
	}
	hlen = span_to_sep(host, len - 7);
	if (!valid_host(host, hlen))
		goto bad;
	p->arg = str_ndup(host, hlen);
	if (!p->arg)
		return BT_ENOMEM;
	*off = 7 + hlen;
	return 0;
bad:
	fmt_buf(err, errlen, "bad server in '%s'; expected %s",
		str_quote(q, text, len), http ? "http://host[:port]/file" :
		"tftp://host[:port]/file, or tftp:/file for the boot server");
	return BT_EINVAL;
}

/*
 * Find the source named in front of the file, if any: *named says whether
 * one was, *off where the file starts.  Something that looks like a source
 * ("word:" before any slash) but is not one is an error rather than a file
 * name, so "lable=X:/a" is caught instead of looked up as a file.
 */
static int parse_source(const char *text, size_t len, size_t close,
			const struct path *origin, unsigned depth,
			struct path *p, size_t *off, bool *named,
			char *err, size_t errlen)
{
	size_t i;
	char q[STR_QUOTE_MAX], q2[STR_QUOTE_MAX];

	*named = true;
	if (has_prefix_ci(text, len, "iso("))
		return parse_iso(text, len, close, origin, depth, p, off,
				 err, errlen);
	if (has_prefix_ci(text, len, "boot:")) {
		p->source = PATH_SRC_BOOT;
		*off = 5;
		return 0;
	}
	if (has_prefix_ci(text, len, "tftp:"))
		return parse_net(text, len, PATH_SRC_TFTP, p, off, err, errlen);
	if (has_prefix_ci(text, len, "http:"))
		return parse_net(text, len, PATH_SRC_HTTP, p, off, err, errlen);
	for (i = 0; i < sizeof(volume_kinds) / sizeof(volume_kinds[0]); i++)
		if (has_prefix_ci(text, len, volume_kinds[i].prefix))
			return parse_volume(text, len, &volume_kinds[i], p, off,
					    err, errlen);
	*named = false;
	*off = 0;
	for (i = 0; i < len && !is_sep(text[i]) && text[i] != ':'; i++)
		;
	if (i == len || text[i] != ':')
		return 0;
	fmt_buf(err, errlen, "unknown source '%s:' in '%s'; expected boot:, "
		"label=NAME:, uuid=ID:, partuuid=GUID:, tftp: or http://",
		str_quote(q, text, i), str_quote(q2, text, len));
	return BT_EINVAL;
}

/*
 * Fold in[0..n) into out as "/a/b": separators ('/' or '\') collapse, "."
 * vanishes and ".." removes the component before it.  out has room for
 * n + 2 bytes.  False when ".." would climb above the root.
 */
static bool normalise(const char *in, size_t n, char *out)
{
	size_t o = 0, i = 0, s, clen;

	while (i < n) {
		while (i < n && is_sep(in[i]))
			i++;
		s = i;
		i += span_to_sep(in + i, n - i);
		clen = i - s;
		if (clen == 0 || (clen == 1 && in[s] == '.'))
			continue;
		if (clen == 2 && in[s] == '.' && in[s + 1] == '.') {
			if (o == 0)
				return false;
			while (out[--o] != '/')
				;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, in + s, clen);
		o += clen;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return true;
}

/*
 * Set p->file from the file part text[off..len): joined to the folder of
 * base's file when it is relative and base is given, else taken from root.
 */
static int build_file(const char *text, size_t len, size_t off,
		      const struct path *base, struct path *p,
		      char *err, size_t errlen)
{
	const char *rest = text + off;
	size_t rlen = len - off, blen = 0, n;
	char *joined, q[STR_QUOTE_MAX];
	bool ok;

	if (base && base->file && !(rlen && is_sep(rest[0])))
		for (n = 0; base->file[n]; n++)
			if (base->file[n] == '/')
				blen = n;	/* up to, not with, the last '/' */
	joined = bt_alloc(blen + 1 + rlen + 1);
	p->file = bt_alloc(blen + 1 + rlen + 2);
	if (!joined || !p->file) {
		bt_free(joined);
		return BT_ENOMEM;
	}
	memcpy(joined, blen ? base->file : "", blen);
	joined[blen] = '/';
	memcpy(joined + blen + 1, rest, rlen);
	ok = normalise(joined, blen + 1 + rlen, p->file);
	bt_free(joined);
	if (!ok) {
		fmt_buf(err, errlen, "'..' goes above the root in '%s'",
			str_quote(q, text, len));
		return BT_EINVAL;
	}
	return 0;
}

/* A path without a source is on the same source as the file it came from. */
static int inherit_source(const struct path *origin, struct path *p)
{
	if (!origin)
		return 0;	/* p is zeroed: PATH_SRC_BOOT, no arg */
	p->source = origin->source;
	if (origin->arg) {
		p->arg = str_dup(origin->arg);
		if (!p->arg)
			return BT_ENOMEM;
	}
	return 0;
}

/*
 * No control characters: no file system baton reads allows them, and a
 * name with a newline or an escape in it would garble every message.
 */
static int check_printable(const char *text, size_t len, char *err,
			   size_t errlen)
{
	size_t i;
	char q[STR_QUOTE_MAX];

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f) {
			fmt_buf(err, errlen, "control character 0x%02X in path "
				"'%s'", c, str_quote(q, text, i));
			return BT_EINVAL;
		}
	}
	return 0;
}

/* path_parse over text[0..len), depth images deep already. */
static int parse(const char *text, size_t len, const struct path *origin,
		 unsigned depth, struct path *out, char *err, size_t errlen)
{
	struct path p;
	size_t off = 0, close = 0;
	bool named = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	fmt_buf(err, errlen, "%s", "");
	rc = check_printable(text, len, err, errlen);
	/* An image's own pin is inside its parentheses: the file's comes
	 * after them. */
	if (has_prefix_ci(text, len, "iso("))
		close = iso_close(text, len);
	if (!rc)
		rc = split_pin(text, close, &len, &p, err, errlen);
	if (!rc && !len) {
		fmt_buf(err, errlen, "empty path; expected a file such as "
			"/EFI/BOOT/BOOTX64.EFI or label=NAME:/vmlinuz");
		rc = BT_EINVAL;
	}
	if (!rc)
		rc = parse_source(text, len, close, origin, depth, &p, &off,
				  &named, err, errlen);
	if (!rc && !named)
		rc = inherit_source(origin, &p);
	if (!rc)
		rc = build_file(text, len, off, named ? NULL : origin, &p,
				err, errlen);
	if (rc) {
		if (rc == BT_ENOMEM)
			fmt_buf(err, errlen, "out of memory");
		path_free(&p);
		return rc;
	}
	*out = p;
	return 0;
}

int path_parse(const char *text, const struct path *origin, struct path *out,
	       char *err, size_t errlen)
{
	return parse(text, text ? strlen(text) : 0, origin, 0, out, err,
		     errlen);
}

int path_copy(struct path *dst, const struct path *src)
{
	*dst = *src;
	dst->arg = NULL;
	dst->file = src->file ? str_dup(src->file) : NULL;
	if (src->arg)
		dst->arg = str_dup(src->arg);
	if ((src->file && !dst->file) || (src->arg && !dst->arg)) {
		path_free(dst);
		return BT_ENOMEM;
	}
	return 0;
}

void path_free(struct path *p)
{
	if (!p)
		return;
	bt_free(p->arg);
	bt_free(p->file);
	memset(p, 0, sizeof(*p));
}

char *path_format(const struct path *p)
{
	const char *file = p->file ? p->file : "/";
	const char *arg = p->arg ? p->arg : "";

	switch (p->source) {
	case PATH_SRC_BOOT:
		return str_dup(file);
	case PATH_SRC_LABEL:
		return fmt_alloc("label=%s:%s", arg, file);
	case PATH_SRC_UUID:
		return fmt_alloc("uuid=%s:%s", arg, file);
	case PATH_SRC_PARTUUID:
		return fmt_alloc("partuuid=%s:%s", arg, file);
	case PATH_SRC_TFTP:
		return p->arg ? fmt_alloc("tftp://%s%s", arg, file) :
				fmt_alloc("tftp:%s", file);
	case PATH_SRC_HTTP:
		return fmt_alloc("http://%s%s", arg, file);
	case PATH_SRC_ISO:
		return fmt_alloc("iso(%s):%s", arg, file);
	}
	return str_dup(file);
}

char *path_format_pinned(const struct path *p)
{
	char hex[2 * SHA256_LEN + 1], *f = path_format(p), *g;

	if (!f || !p->pinned)
		return f;
	sha256_hex(p->sha256, hex);
	g = fmt_alloc("%s" PIN_MARK "%s", f, hex);
	bt_free(f);
	return g;
}

/* Volume names and hosts are matched without regard to case (as fs.h does);
 * an image's path exactly, since the file systems inside may care. */
static bool same_arg(const char *a, const char *b, bool exact)
{
	if (!a || !b)
		return a == b;
	return (exact ? strcmp(a, b) : str_casecmp(a, b)) == 0;
}

bool path_same(const struct path *a, const struct path *b)
{
	if (!a || !b)
		return a == b;
	if (a->source != b->source || !same_arg(a->arg, b->arg, a->source == PATH_SRC_ISO))
		return false;
	if (!a->file || !b->file)
		return a->file == b->file;
	return strcmp(a->file, b->file) == 0;
}
