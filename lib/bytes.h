/*
 * Little-endian fields in byte buffers (file headers, boot information),
 * read and written a byte at a time: no alignment or aliasing assumptions.
 * Also the big-endian 32-bit fields of the ext4 journal.
 */
#ifndef BATON_LIB_BYTES_H
#define BATON_LIB_BYTES_H

#include <stdint.h>

/* Each compiles to one load or store; at -Oz gcc would rather call them,
 * which costs three times the bytes at every use. */
#define BYTES_INLINE inline __attribute__((always_inline))

static BYTES_INLINE uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static BYTES_INLINE uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static BYTES_INLINE uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static BYTES_INLINE uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static BYTES_INLINE void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static BYTES_INLINE void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static BYTES_INLINE void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

#endif
