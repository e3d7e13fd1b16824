/*
 * sha256.h - SHA-256 (FIPS 180-4) for hashing the initrd in place.
 */
#ifndef PROBE_SHA256_H
#define PROBE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t total;         /* bytes fed so far */
	uint8_t block[64];
	unsigned used;          /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Finish and write the 32-byte digest; s must be re-initialised to reuse. */
void sha256_final(struct sha256 *s, uint8_t out[32]);

#endif
