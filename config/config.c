/*
 * The config model's life cycle: setting it up, diagnostics, the checks that
 * need the whole config, choosing the default entry, and freeing it.  The
 * parsing itself is in config/parser.c.
 */
#include <stdarg.h>
#include "config/config.h"
#include "config/internal.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/mem.h"

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout = CONFIG_DEFAULT_TIMEOUT;
	cfg->editor = true;
	cfg->bls = false;
}

int config_vdiag(struct config *cfg, size_t *cap, const char *fmt, va_list ap)
{
	size_t len, n = cfg->n_diags;
	char *msg, **diags;
	va_list ap2;
	int rc = 0;

	va_copy(ap2, ap);
	len = fmt_vbuf(NULL, 0, fmt, ap2);
	va_end(ap2);
	msg = bt_alloc(len + 1);
	if (!msg)
		return BT_ENOMEM;
	fmt_vbuf(msg, len + 1, fmt, ap);
	if (cap) {
		void *arr = cfg->diags;

		rc = array_reserve(&arr, cap, n + 1, sizeof(*cfg->diags));
		cfg->diags = arr;
	} else {
		/* Only n are known to be allocated (other code, such as BLS,
		 * may append too): grow by exactly one. */
		diags = bt_realloc(cfg->diags, (n + 1) * sizeof(*diags));
		if (diags)
			cfg->diags = diags;
		else
			rc = BT_ENOMEM;
	}
	if (rc) {
		bt_free(msg);
		return BT_ENOMEM;
	}
	cfg->diags[cfg->n_diags++] = msg;
	return 0;
}

static int diag_cap(struct config *cfg, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int diag_cap(struct config *cfg, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_vdiag(cfg, cap, fmt, ap);
	va_end(ap);
	return rc;
}

int config_vdiag_at(struct config *cfg, size_t *cap, const char *where,
		    unsigned line, const char *fmt, va_list ap)
{
	char msg[CONFIG_DIAG_MSG_MAX];

	fmt_vbuf(msg, sizeof(msg), fmt, ap);
	if (line)
		return diag_cap(cfg, cap, "%s:%u: %s", where, line, msg);
	return diag_cap(cfg, cap, "%s: %s", where, msg);
}

bool config_parse_bool(const char *s, bool *out)
{
	static const char words[][6] = {
		"no", "yes", "false", "true", "off", "on", "0", "1",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (str_casecmp(s, words[i]) == 0) {
			*out = i % 2;
			return true;
		}
	}
	return false;
}

int config_add_options(char **options, const char *value)
{
	char *joined = *options ? fmt_alloc("%s %s", *options, value) :
				  str_dup(value);

	if (!joined)
		return BT_ENOMEM;
	bt_free(*options);
	*options = joined;
	return 0;
}

int config_diag(struct config *cfg, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_vdiag(cfg, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int config_finish(struct config *cfg)
{
	char q[CONFIG_QUOTE_MAX];
	size_t i;

	/* @saved: the entry LoaderEntryLastBooted names (core/bli.c). */
	if (!cfg->default_pattern || !strcmp(cfg->default_pattern, "@saved"))
		return 0;
	for (i = 0; i < cfg->n_entries; i++)
		if (cfg->entries[i].id &&
		    glob_match(cfg->default_pattern, cfg->entries[i].id))
			return 0;
	config_quote(q, cfg->default_pattern);
	if (cfg->default_where)
		return config_diag(cfg, "%s: default '%s' matches no entry",
				   cfg->default_where, q);
	return config_diag(cfg, "default '%s' matches no entry", q);
}

size_t config_default_index(const struct config *cfg)
{
	size_t i;
	int pass;

	/* An entry that cannot boot is never preselected: booting it at the
	 * end of the timeout would only show an error.  A BLS entry out of
	 * tries is taken only when no other entry will do (pass 1). */
	for (pass = 0; pass < 2; pass++) {
		if (cfg->default_pattern)
			for (i = 0; i < cfg->n_entries; i++)
				if (!cfg->entries[i].error &&
				    (pass || !cfg->entries[i].bls_bad) &&
				    cfg->entries[i].id &&
				    glob_match(cfg->default_pattern,
					       cfg->entries[i].id))
					return i;
		for (i = 0; i < cfg->n_entries; i++)
			if (!cfg->entries[i].error &&
			    (pass || !cfg->entries[i].bls_bad))
				return i;
	}
	return 0;
}

void config_entry_free(struct config_entry *e)
{
	size_t i;

	bt_free(e->id);
	bt_free(e->title);
	bt_free(e->where);
	path_free(&e->image);
	bt_free(e->args);
	bt_free(e->options);
	for (i = 0; i < e->n_initrds; i++)
		path_free(&e->initrds[i]);
	bt_free(e->initrds);
	for (i = 0; i < e->n_modules; i++) {
		path_free(&e->modules[i].path);
		bt_free(e->modules[i].args);
	}
	bt_free(e->modules);
	bt_free(e->error);
	bt_free(e->sort_key);
	bt_free(e->machine_id);
	bt_free(e->version);
	path_free(&e->bls_file);
	bt_free(e->bls_next);
	memset(e, 0, sizeof(*e));
}

void config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_entries; i++)
		config_entry_free(&cfg->entries[i]);
	bt_free(cfg->entries);
	for (i = 0; i < cfg->n_diags; i++)
		bt_free(cfg->diags[i]);
	bt_free(cfg->diags);
	bt_free(cfg->default_pattern);
	bt_free(cfg->default_where);
	config_init(cfg);
}
