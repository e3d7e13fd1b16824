#include "lib/error.h"

static const char words[][25] = {
	[0] = "success",
	[1] = "out of memory",
	[2] = "not found",
	[3] = "read error",
	[4] = "invalid input",
	[5] = "too large",
	[6] = "not supported",
	[7] = "timed out",
	[8] = "aborted",
	[9] = "SHA-256 mismatch",
	[10] = "loop or nesting too deep",
	[11] = "access denied",
	[12] = "not a directory",
	[13] = "wrong file format",
};

const char *bt_strerror(int err)
{
	unsigned idx = err <= 0 ? (unsigned)-err : 0xffffu;

	if (idx < sizeof(words) / sizeof(words[0]) && words[idx][0])
		return words[idx];
	return "unknown error";
}
