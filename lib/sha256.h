/* SHA-256 (FIPS 180-4), incremental. */
#ifndef BATON_LIB_SHA256_H
#define BATON_LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t total;		/* bytes hashed so far */
	uint8_t block[64];
	size_t fill;		/* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* One-shot digest of a buffer. */
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Lower-case hex of a digest into hex[65]. */
void sha256_hex(const uint8_t digest[SHA256_LEN], char hex[2 * SHA256_LEN + 1]);

#endif
