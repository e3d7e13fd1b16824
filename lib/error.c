#include "lib/error.h"
#include "lib/mem.h"

/* The words for 0, -1, -2, ... in order (a strlist, see lib/mem.h). */
static const char words[] =
	"success\0"			/* 0 */
	"out of memory\0"		/* BT_ENOMEM */
	"not found\0"			/* BT_ENOENT */
	"read error\0"			/* BT_EIO */
	"invalid input\0"		/* BT_EINVAL */
	"too large\0"			/* BT_ETOOBIG */
	"not supported\0"		/* BT_EUNSUPP */
	"timed out\0"			/* BT_ETIMEOUT */
	"aborted\0"			/* BT_EABORT */
	"SHA-256 mismatch\0"		/* BT_EHASH */
	"loop or nesting too deep\0"	/* BT_ELOOP */
	"access denied\0"		/* BT_EDENIED */
	"not a directory\0"		/* BT_ENOTDIR */
	"wrong file format\0";		/* BT_EFORMAT */

const char *bt_strerror(int err)
{
	const char *w = err <= 0 ? strlist_at(words, (unsigned)-err) : NULL;

	return w ? w : "unknown error";
}
