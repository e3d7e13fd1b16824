/*
 * baton's path syntax (DESIGN.md, "Paths"):
 *
 *   /a/b                   on the volume (or server) the config came from
 *   a/b                    relative to the config file's own folder
 *   boot:/a/b              baton's own volume
 *   label=NAME:/a/b        the volume whose file-system label is NAME
 *   uuid=FSUUID:/a/b       the volume whose file-system UUID/serial is FSUUID
 *   partuuid=GUID:/a/b     the volume on the GPT partition with that GUID
 *   tftp:/a/b              the boot server, over TFTP
 *   tftp://host/a/b        a named TFTP server
 *   http://host[:port]/a/b an HTTP server
 *   iso(PATH):/a/b         inside the ISO (or other disk image) file at PATH,
 *                          itself any path (relative to the file written in)
 *
 * and any of them may end in "#sha256=<64 hex digits>" to pin the contents.
 * A parsed path is absolute: relative paths and paths without a source are
 * resolved against the path of the file they were written in.
 */
#ifndef BATON_FS_PATH_H
#define BATON_FS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/sha256.h"

enum path_source {
	PATH_SRC_BOOT,		/* baton's own volume */
	PATH_SRC_LABEL,		/* arg: the label */
	PATH_SRC_UUID,		/* arg: the file-system UUID or FAT serial */
	PATH_SRC_PARTUUID,	/* arg: the GPT partition GUID, lower case */
	PATH_SRC_TFTP,		/* arg: host, or NULL for the boot server */
	PATH_SRC_HTTP,		/* arg: host[:port] */
	PATH_SRC_ISO,		/* arg: the image file's absolute path as
				 * path_format() writes it, pin included */
};

struct path {
	enum path_source source;
	char *arg;		/* see enum path_source; NULL where none */
	char *file;		/* absolute, '/'-separated, normalised; "/" at least */
	bool pinned;		/* sha256 holds the expected digest */
	uint8_t sha256[SHA256_LEN];
};

/*
 * Parse text into out.  origin is the path of the file the text was written
 * in (a config), or NULL for baton's own volume at its root; a path without
 * a source takes origin's source, and a relative one is joined to origin's
 * folder.  "." and ".." are folded; ".." above the root is an error.
 * iso(PATH): parses PATH like any path (against origin); its parentheses
 * must balance, and images nest at most 4 deep.
 * On success out owns new allocations (path_free()).  On failure returns
 * BT_EINVAL or BT_ENOMEM, out is left empty and err holds a message such as
 * "sha256 pin needs 64 hex digits".
 */
int path_parse(const char *text, const struct path *origin, struct path *out,
	       char *err, size_t errlen);

/* Deep copy; dst owns new allocations.  BT_ENOMEM on failure (dst empty). */
int path_copy(struct path *dst, const struct path *src);

/* Free what p owns and empty it; safe on an empty or freed path. */
void path_free(struct path *p);

/*
 * The path as a user would write it, for messages: "/a/b" for baton's own
 * volume, "label=X:/a/b", "http://h/a/b", without the sha256 pin.
 * A new allocation (bt_free()); NULL when out of memory.
 */
char *path_format(const struct path *p);

/* path_format with "#sha256=<hex>" after it when p is pinned: the text
 * that parses back to p, pin included.  bt_free(); NULL when out of memory. */
char *path_format_pinned(const struct path *p);

/* True when two paths name the same file on the same source. */
bool path_same(const struct path *a, const struct path *b);

#endif
