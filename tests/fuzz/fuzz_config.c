/*
 * libFuzzer target for the config language and the path syntax.
 *
 * The input is parsed as a config at /boot/baton.conf whose includes are
 * served a second copy of the same input (or fail, for names ending in
 * "missing" and after a read budget), and is also parsed as a path, with
 * and without an origin.  Beyond "no crash, no leak, no UB" it checks the
 * model's invariants: an entry that can boot has a boot line and its files,
 * a parsed path is absolute and normalised and survives formatting.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "fs/path.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

/*
 * Reads allowed per config.  Without a budget, k includes per file nested 8
 * deep would read k^8 files: valid behaviour, but useless fuzzing time.
 * CONFIG_INCLUDE_DEPTH reads are enough to reach the depth limit.
 */
#define MAX_READS CONFIG_INCLUDE_DEPTH

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

struct fuzz_source {
	const char *text;
	size_t len;
	int reads;
};

static int fuzz_read(void *ctx, const struct path *p, char **data,
		     size_t *len, char *err, size_t errlen)
{
	struct fuzz_source *s = ctx;

	if (++s->reads > MAX_READS || str_ends_with_case(p->file, "missing")) {
		fmt_buf(err, errlen, "%s: file not found", p->file);
		return BT_ENOENT;
	}
	*data = bt_alloc(s->len + 1);
	if (!*data)
		return BT_ENOMEM;
	memcpy(*data, s->text, s->len);
	(*data)[s->len] = '\0';
	*len = s->len;
	return 0;
}

/* A parsed path's file is "/" or "/a/b": no empty, "." or ".." parts. */
static void check_file(const char *f)
{
	CHECK(f && f[0] == '/');
	CHECK(strcmp(f, "/") == 0 || f[strlen(f) - 1] != '/');
	CHECK(!strstr(f, "//") && !strstr(f, "/./") && !strstr(f, "/../"));
	CHECK(!strchr(f, '\\'));
	CHECK(!(strlen(f) >= 2 && strcmp(f + strlen(f) - 2, "/.") == 0));
	CHECK(!(strlen(f) >= 3 && strcmp(f + strlen(f) - 3, "/..") == 0));
}

/* Parse text as a path; check what comes out and that it round-trips. */
static void fuzz_path(const char *text, const struct path *origin)
{
	struct path p, q, c;
	char err[256], *f;
	int rc = path_parse(text, origin, &p, err, sizeof(err));

	if (rc) {
		CHECK(rc == BT_EINVAL || rc == BT_ENOMEM);
		CHECK(err[0] && !p.file && !p.arg);
		return;
	}
	check_file(p.file);
	f = path_format(&p);
	CHECK(f);
	CHECK(path_parse(f, NULL, &q, err, sizeof(err)) == 0);
	CHECK(path_same(&p, &q));
	CHECK(path_copy(&c, &p) == 0 && path_same(&c, &p));
	bt_free(f);
	path_free(&p);
	path_free(&q);
	path_free(&c);
}

static void check_entry(const struct config_entry *e)
{
	size_t i;

	CHECK(e->id && e->where && e->args);
	if (e->error)
		return;
	CHECK(e->kind != ENTRY_NONE);
	if (e->kind == ENTRY_ACTION)
		CHECK(e->action != ACTION_NONE);
	else
		check_file(e->image.file);
	for (i = 0; i < e->n_initrds; i++)
		check_file(e->initrds[i].file);
	for (i = 0; i < e->n_modules; i++)
		CHECK(e->modules[i].args);
	CHECK(!e->n_initrds || e->kind == ENTRY_LINUX ||
	      e->kind == ENTRY_LINUX_EFI);
	CHECK(!e->n_modules || e->kind == ENTRY_MULTIBOOT ||
	      e->kind == ENTRY_MULTIBOOT2);
}

/* Parse text as a config at origin; includes read through src or fail. */
static void fuzz_config(const char *text, size_t len,
			const struct path *origin, bool with_src)
{
	struct fuzz_source s = { text, len, 0 };
	struct config_source src = { &s, fuzz_read };
	struct config cfg;
	size_t i;
	int rc;

	config_init(&cfg);
	rc = config_parse(&cfg, origin, text, len, with_src ? &src : NULL);
	CHECK(rc == 0);
	CHECK(config_finish(&cfg) == 0);
	CHECK(cfg.timeout >= -1);
	i = config_default_index(&cfg);
	CHECK(i == 0 || i < cfg.n_entries);
	for (i = 0; i < cfg.n_entries; i++)
		check_entry(&cfg.entries[i]);
	for (i = 0; i < cfg.n_diags; i++)
		CHECK(cfg.diags[i] && cfg.diags[i][0]);
	config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct path origin;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	CHECK(path_parse("label=ESP:/boot/baton.conf", NULL, &origin, NULL,
			 0) == 0);
	fuzz_config(text, size, &origin, true);
	fuzz_config(text, size, NULL, false);
	fuzz_path(text, NULL);
	fuzz_path(text, &origin);
	path_free(&origin);
	free(text);
	return 0;
}
