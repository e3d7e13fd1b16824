/*
 * libFuzzer target: gzip_inflate() and inflate_raw() on arbitrary bytes must
 * never read past the input or write past the output, and must report what
 * they wrote consistently.  The input is copied into an exact heap block so
 * that AddressSanitizer sees a read one byte past its end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/error.h"
#include "lib/inflate.h"

#define OUT_CAP (1 << 20)

static void check(int err, size_t n, size_t cap, const char *why)
{
	if (n > cap || (err && err != BT_EFORMAT && err != BT_ETOOBIG) ||
	    (err && !why[0]) || strlen(why) >= 200)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OUT_CAP];
	uint8_t *in = malloc(size ? size : 1), *small;
	char why[200];
	size_t n, used, cap;
	int err;

	if (!in)
		return 0;
	memcpy(in, data, size);
	err = gzip_inflate(in, size, out, OUT_CAP, &n, why, sizeof(why));
	check(err, n, OUT_CAP, why);
	if (!err && !gzip_is(in, size))
		abort();
	err = inflate_raw(in, size, out, OUT_CAP, &n, &used, why, sizeof(why));
	check(err, n, OUT_CAP, why);
	if (!err && used > size)
		abort();
	/* A small exact buffer, its size taken from the input, exercises
	 * BT_ETOOBIG and would show a write past its end. */
	cap = size ? data[0] : 0;
	small = malloc(cap ? cap : 1);
	if (small) {
		err = inflate_raw(in, size, small, cap, &n, &used, why, sizeof(why));
		check(err, n, cap, why);
		err = gzip_inflate(in, size, small, cap, &n, why, sizeof(why));
		check(err, n, cap, why);
		free(small);
	}
	free(in);
	return 0;
}
