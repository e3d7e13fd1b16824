/*
 * Fuzz path_parse() (the input, NUL-terminated, against a fixed http origin,
 * a fixed tftp origin and none) and http_location() (the input as a
 * Location).  Every path that parses is formatted, copied and compared;
 * path_format_pinned() must give text that parses back to the same path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/http.h"
#include "fs/path.h"
#include "lib/mem.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A path that parsed: formatting, copying, comparing and parsing back. */
static void check(const struct path *p, const struct path *other)
{
	struct path copy, again;
	char err[128], *f = path_format(p), *pinned = path_format_pinned(p);

	if (!f || !pinned || !p->file || p->file[0] != '/')
		abort();
	if (path_copy(&copy, p) || !path_same(p, &copy) ||
	    copy.pinned != p->pinned)
		abort();
	if (path_parse(pinned, NULL, &again, err, sizeof(err)) ||
	    !path_same(p, &again) || again.pinned != p->pinned ||
	    memcmp(again.sha256, p->sha256, sizeof(p->sha256)))
		abort();
	path_same(p, other);
	path_same(other, p);
	path_free(&again);
	path_free(&copy);
	bt_free(f);
	bt_free(pinned);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const origins[] = {
		"http://srv:8080/boot/menus/lab.conf#sha256=" HEX64,
		"tftp://10.0.2.2/pxe/baton.conf",
	};
	struct path origin[2], p[3], loc;
	char *text = malloc(size + 1), err[256];
	int rc[3];
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < 2; i++)
		if (path_parse(origins[i], NULL, &origin[i], NULL, 0))
			abort();
	for (i = 0; i < 3; i++) {
		rc[i] = path_parse(text, i < 2 ? &origin[i] : NULL, &p[i], err,
				   sizeof(err));
		if (rc[i] && (p[i].file || p[i].arg || !err[0]))
			abort();
	}
	for (i = 0; i < 3; i++)
		if (!rc[i])
			check(&p[i], &p[(i + 1) % 3]);
	if (http_location(&origin[0], text, &loc, err, sizeof(err)) == 0) {
		if (loc.source != PATH_SRC_HTTP || !loc.pinned)
			abort();
		path_free(&loc);
	} else if (loc.file || loc.arg || !err[0]) {
		abort();
	}
	for (i = 0; i < 3; i++)
		path_free(&p[i]);
	path_free(&origin[0]);
	path_free(&origin[1]);
	free(text);
	return 0;
}
