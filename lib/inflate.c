/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decompression into one buffer.
 *
 * Input is read a byte at a time into a 64-bit bit buffer, first bit lowest,
 * as RFC 1951 section 3.1.1 packs it.  Huffman codes are decoded with one
 * table lookup for codes of up to FAST_BITS bits and, for the rare longer
 * ones, by walking the canonical code one bit at a time from its counts of
 * codes per length (RFC 1951 section 3.2.2).  Back-references copy from the
 * output buffer itself, which holds everything decoded so far.
 */
#include "lib/inflate.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define MAX_BITS 15		/* longest Huffman code DEFLATE allows */
#define FAST_BITS 10		/* codes this short decode in one lookup */
#define FAST_MASK ((1u << FAST_BITS) - 1)
#define NUM_LITLEN 288		/* literal/length symbols; 286, 287 never occur */
#define NUM_DIST 32		/* distance symbols; 30, 31 never occur */
#define NUM_CLEN 19		/* code length code symbols */
#define END_OF_BLOCK 256

#define GZIP_FHCRC 0x02
#define GZIP_FEXTRA 0x04
#define GZIP_FNAME 0x08
#define GZIP_FCOMMENT 0x10
#define GZIP_FRESERVED 0xe0
#define GZIP_HEADER_LEN 10
#define GZIP_TRAILER_LEN 8

/*
 * A canonical Huffman code.  fast[] is indexed by the next FAST_BITS input
 * bits and holds symbol << 4 | length for the code those bits start with, or
 * 0 where they start no code of up to FAST_BITS bits.  count[l] is the number
 * of codes of length l, and symbol[] lists the symbols by (code length,
 * symbol value), which is the order of their codes.
 */
struct huff {
	uint16_t fast[1 << FAST_BITS];
	uint16_t count[MAX_BITS + 1];
	uint16_t symbol[NUM_LITLEN];
	unsigned max_len;	/* the longest code's length; 0: no codes */
};

/*
 * Decoder state.  Invariant: bits holds the nbits input bits that follow the
 * ones consumed, the next one in bit 0, and no set bits above them; they are
 * the low bits of the nbits / 8 rounded up bytes just before in[pos].
 */
struct inflate {
	const uint8_t *in;
	size_t len;
	size_t pos;
	uint64_t bits;
	unsigned nbits;
	uint8_t *out;
	size_t cap;
	size_t n;		/* bytes written to out */
	char *why;
	size_t whylen;
	bool fixed_ready;	/* lit and dist hold the fixed codes */
	struct huff lit, dist;
};

static const uint16_t len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
	16385, 24577,
};
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};
/* The order in which a dynamic block gives the code length code's lengths. */
static const uint8_t clen_order[NUM_CLEN] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
	/* The CRC register's change for each value of its low four bits:
	 * entry i is i shifted right four times, each time xored with the
	 * (reflected) polynomial when a 1 falls out.  Four bits at a time
	 * keeps the table at 64 bytes; gzip'd kernels are a few MB. */
	static const uint32_t table[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *b = p;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		crc = (crc >> 4) ^ table[crc & 15];
		crc = (crc >> 4) ^ table[crc & 15];
	}
	return ~crc;
}

bool gzip_is(const void *data, size_t len)
{
	const uint8_t *p = data;

	return len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

uint32_t gzip_isize(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len < GZIP_HEADER_LEN + GZIP_TRAILER_LEN)
		return 0;
	return get32(p + len - 4);
}

/* Put a message in the caller's why and return err. */
static int fail(struct inflate *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct inflate *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (s->why && s->whylen) {
		va_start(ap, fmt);
		fmt_vbuf(s->why, s->whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* The offset in in of the byte holding the next unconsumed bit. */
static size_t in_at(const struct inflate *s)
{
	return s->pos - (s->nbits + 7) / 8;
}

static int truncated(struct inflate *s)
{
	return fail(s, BT_EFORMAT, "deflate: truncated (the input ends at "
		    "byte %zu in the middle of the compressed data)", s->len);
}

static int too_big(struct inflate *s)
{
	return fail(s, BT_ETOOBIG, "deflate: output does not fit in the "
		    "%zu-byte buffer (at input byte %zu)", s->cap, in_at(s));
}

/* Load input bytes until bits holds at least 57 bits or the input ends. */
static void refill(struct inflate *s)
{
	while (s->nbits <= 56 && s->pos < s->len) {
		s->bits |= (uint64_t)s->in[s->pos++] << s->nbits;
		s->nbits += 8;
	}
}

static void drop(struct inflate *s, unsigned n)
{
	s->bits >>= n;
	s->nbits -= n;
}

/* Take the next n (0..16) bits as a number, the first bit lowest. */
static int take(struct inflate *s, unsigned n, unsigned *v)
{
	if (s->nbits < n) {
		refill(s);
		if (s->nbits < n)
			return truncated(s);
	}
	*v = (unsigned)s->bits & ((1u << n) - 1);
	drop(s, n);
	return 0;
}

/*
 * Skip to the next byte boundary and give the whole bytes left in bits back
 * to the input, so in[pos] is the next input byte.
 */
static void align_to_byte(struct inflate *s)
{
	drop(s, s->nbits % 8);
	s->pos -= s->nbits / 8;
	s->bits = 0;
	s->nbits = 0;
}

/*
 * The slow path of decode(): walk the code one bit at a time.  The codes of
 * length l are the count[l] numbers from first on, where first follows the
 * last code of length l - 1 shifted left one place.  Bits that match no code
 * of up to max_len bits match none at all (the code is incomplete).
 */
static int decode_slow(struct inflate *s, const struct huff *h, unsigned *sym)
{
	unsigned l, code = 0, first = 0, index = 0;

	for (l = 1; l <= h->max_len; l++) {
		if (l > s->nbits)
			return truncated(s);
		code |= (unsigned)(s->bits >> (l - 1)) & 1;
		if (code - first < h->count[l]) {
			*sym = h->symbol[index + code - first];
			drop(s, l);
			return 0;
		}
		index += h->count[l];
		first = (first + h->count[l]) << 1;
		code <<= 1;
	}
	return fail(s, BT_EFORMAT, "deflate: invalid Huffman code at input "
		    "byte %zu", in_at(s));
}

/* Decode one symbol of code h. */
static int decode(struct inflate *s, const struct huff *h, unsigned *sym)
{
	unsigned e;

	if (s->nbits < MAX_BITS)
		refill(s);
	e = h->fast[s->bits & FAST_MASK];
	if (e && (e & 15) <= s->nbits) {
		drop(s, e & 15);
		*sym = e >> 4;
		return 0;
	}
	return decode_slow(s, h, sym);
}

static unsigned reverse_bits(unsigned code, unsigned n)
{
	unsigned r = 0;

	while (n--) {
		r = r << 1 | (code & 1);
		code >>= 1;
	}
	return r;
}

/*
 * Fill h->fast from the code lengths.  Codes are sent first bit first, most
 * significant bit of the code first, so a code's table index is its bits
 * reversed, repeated for every value of the bits that follow it.
 */
static void huff_fill_fast(struct huff *h, const uint8_t *lens, unsigned n)
{
	unsigned next[MAX_BITS + 1], l, sym, i;

	next[1] = 0;
	for (l = 2; l <= MAX_BITS; l++)
		next[l] = (next[l - 1] + h->count[l - 1]) << 1;
	memset(h->fast, 0, sizeof(h->fast));
	for (sym = 0; sym < n; sym++) {
		l = lens[sym];
		if (l == 0 || l > FAST_BITS)
			continue;
		for (i = reverse_bits(next[l]++, l); i <= FAST_MASK; i += 1u << l)
			h->fast[i] = (uint16_t)(sym << 4 | l);
	}
}

/*
 * Build h from the code lengths lens[0..n) (0: the symbol is unused), n <=
 * NUM_LITLEN.  The code must be complete, except that with sparse_ok it may
 * also be empty or a single one-bit code: what encoders send for a block
 * with no or one distance (RFC 1951 section 3.2.7), and zlib accepts.
 */
static int huff_build(struct inflate *s, struct huff *h, const uint8_t *lens,
		      unsigned n, bool sparse_ok, const char *what)
{
	uint16_t offs[MAX_BITS + 1];
	unsigned l, sym, used = 0;
	long left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (sym = 0; sym < n; sym++)
		h->count[lens[sym]]++;
	h->count[0] = 0;
	h->max_len = 0;
	for (l = 1; l <= MAX_BITS; l++) {
		left = 2 * left - h->count[l];
		used += h->count[l];
		if (h->count[l])
			h->max_len = l;
		if (left < 0)
			return fail(s, BT_EFORMAT, "deflate: over-subscribed %s "
				    "code at input byte %zu", what, in_at(s));
	}
	if (left > 0 && !(sparse_ok && (used == 0 || (used == 1 && h->count[1] == 1))))
		return fail(s, BT_EFORMAT, "deflate: incomplete %s code at "
			    "input byte %zu", what, in_at(s));
	offs[1] = 0;
	for (l = 1; l < MAX_BITS; l++)
		offs[l + 1] = offs[l] + h->count[l];
	for (sym = 0; sym < n; sym++)
		if (lens[sym])
			h->symbol[offs[lens[sym]]++] = (uint16_t)sym;
	huff_fill_fast(h, lens, n);
	return 0;
}

/* The fixed codes of RFC 1951 section 3.2.6. */
static int build_fixed(struct inflate *s)
{
	uint8_t lens[NUM_LITLEN];
	unsigned i;
	int err;

	if (s->fixed_ready)
		return 0;
	for (i = 0; i < NUM_LITLEN; i++)
		lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	err = huff_build(s, &s->lit, lens, NUM_LITLEN, false, "fixed literal/length");
	if (err)
		return err;
	for (i = 0; i < NUM_DIST; i++)
		lens[i] = 5;
	err = huff_build(s, &s->dist, lens, NUM_DIST, false, "fixed distance");
	s->fixed_ready = !err;
	return err;
}

/*
 * Read the literal/length and distance code lengths of a dynamic block into
 * lens[0..total), coded with the code length code in s->dist.  Symbols 16-18
 * repeat the previous length or zero (RFC 1951 section 3.2.7); a repeat may
 * run from the literal/length lengths into the distance ones.
 */
static int read_code_lengths(struct inflate *s, uint8_t *lens, unsigned total)
{
	unsigned i = 0, sym, rep, prev;
	int err;

	while (i < total) {
		err = decode(s, &s->dist, &sym);
		if (err)
			return err;
		if (sym < 16) {
			lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return fail(s, BT_EFORMAT, "deflate: code length "
					    "repeat with no previous length at "
					    "input byte %zu", in_at(s));
			prev = lens[i - 1];
			err = take(s, 2, &rep);
			rep += 3;
		} else {
			prev = 0;
			err = sym == 17 ? take(s, 3, &rep) : take(s, 7, &rep);
			rep += sym == 17 ? 3 : 11;
		}
		if (err)
			return err;
		if (rep > total - i)
			return fail(s, BT_EFORMAT, "deflate: code length repeat "
				    "runs past the %u lengths at input byte %zu",
				    total, in_at(s));
		while (rep--)
			lens[i++] = (uint8_t)prev;
	}
	return 0;
}

/* Read a dynamic block's header and build its codes in s->lit, s->dist. */
static int build_dynamic(struct inflate *s)
{
	uint8_t lens[NUM_LITLEN + NUM_DIST];
	unsigned nlit, ndist, nclen, i, v;
	int err;

	s->fixed_ready = false;
	if ((err = take(s, 5, &nlit)) || (err = take(s, 5, &ndist)) ||
	    (err = take(s, 4, &nclen)))
		return err;
	nlit += 257;
	ndist += 1;
	nclen += 4;
	if (nlit > 286 || ndist > 30)
		return fail(s, BT_EFORMAT, "deflate: dynamic block with %u "
			    "literal/length and %u distance codes (at most 286 "
			    "and 30) at input byte %zu", nlit, ndist, in_at(s));
	memset(lens, 0, NUM_CLEN);
	for (i = 0; i < nclen; i++) {
		if ((err = take(s, 3, &v)))
			return err;
		lens[clen_order[i]] = (uint8_t)v;
	}
	/* s->dist holds the code length code until the distance code. */
	if ((err = huff_build(s, &s->dist, lens, NUM_CLEN, false, "code length")) ||
	    (err = read_code_lengths(s, lens, nlit + ndist)))
		return err;
	if (lens[END_OF_BLOCK] == 0)
		return fail(s, BT_EFORMAT, "deflate: dynamic block without an "
			    "end-of-block code at input byte %zu", in_at(s));
	if ((err = huff_build(s, &s->lit, lens, nlit, true, "literal/length")))
		return err;
	return huff_build(s, &s->dist, lens + nlit, ndist, true, "distance");
}

/* Copy len bytes from dist bytes back; the two may overlap (dist < len). */
static void copy_match(uint8_t *to, size_t dist, unsigned len)
{
	const uint8_t *from = to - dist;

	while (len--)
		*to++ = *from++;
}

/* Decode a length symbol's match: its length, then its distance. */
static int inflate_match(struct inflate *s, unsigned sym)
{
	unsigned len, dist, v;
	int err;

	sym -= END_OF_BLOCK + 1;
	if (sym >= 29)
		return fail(s, BT_EFORMAT, "deflate: invalid length code %u at "
			    "input byte %zu", sym + END_OF_BLOCK + 1, in_at(s));
	if ((err = take(s, len_extra[sym], &v)))
		return err;
	len = len_base[sym] + v;
	if ((err = decode(s, &s->dist, &sym)))
		return err;
	if (sym >= 30)
		return fail(s, BT_EFORMAT, "deflate: invalid distance code %u at "
			    "input byte %zu", sym, in_at(s));
	if ((err = take(s, dist_extra[sym], &v)))
		return err;
	dist = dist_base[sym] + v;
	if (dist > s->n)
		return fail(s, BT_EFORMAT, "deflate: invalid distance %u at input "
			    "byte %zu (only %zu bytes decoded)", dist, in_at(s), s->n);
	if (len > s->cap - s->n)
		return too_big(s);
	copy_match(s->out + s->n, dist, len);
	s->n += len;
	return 0;
}

/* Decode a Huffman-coded block's data with s->lit and s->dist. */
static int inflate_codes(struct inflate *s)
{
	unsigned sym;
	int err;

	for (;;) {
		if ((err = decode(s, &s->lit, &sym)))
			return err;
		if (sym < END_OF_BLOCK) {
			if (s->n == s->cap)
				return too_big(s);
			s->out[s->n++] = (uint8_t)sym;
		} else if (sym == END_OF_BLOCK) {
			return 0;
		} else if ((err = inflate_match(s, sym))) {
			return err;
		}
	}
}

/* A stored block: LEN, its complement NLEN, then LEN bytes (section 3.2.4). */
static int inflate_stored(struct inflate *s)
{
	unsigned size, check;

	align_to_byte(s);
	if (s->len - s->pos < 4)
		return truncated(s);
	size = get16(s->in + s->pos);
	check = get16(s->in + s->pos + 2);
	if (size != (~check & 0xffff))
		return fail(s, BT_EFORMAT, "deflate: stored block length 0x%04x "
			    "does not match its complement 0x%04x at input byte "
			    "%zu", size, check, s->pos);
	s->pos += 4;
	if (size > s->len - s->pos)
		return truncated(s);
	if (size > s->cap - s->n)
		return too_big(s);
	if (size)
		memcpy(s->out + s->n, s->in + s->pos, size);
	s->n += size;
	s->pos += size;
	return 0;
}

/*
 * Decode blocks from in[pos] up to and including the final one, leaving pos
 * at the byte after the stream's last bit.
 */
static int inflate_blocks(struct inflate *s)
{
	unsigned final, type;
	int err;

	do {
		if ((err = take(s, 1, &final)) || (err = take(s, 2, &type)))
			return err;
		if (type == 0)
			err = inflate_stored(s);
		else if (type == 1)
			err = build_fixed(s);
		else if (type == 2)
			err = build_dynamic(s);
		else
			err = fail(s, BT_EFORMAT, "deflate: invalid block type 3 "
				   "at input byte %zu", in_at(s));
		if (!err && type != 0)
			err = inflate_codes(s);
		if (err)
			return err;
	} while (!final);
	align_to_byte(s);
	return 0;
}

static void inflate_init(struct inflate *s, const void *in, size_t len,
			 void *out, size_t cap, char *why, size_t whylen)
{
	s->in = in;
	s->len = len;
	s->pos = 0;
	s->bits = 0;
	s->nbits = 0;
	s->out = out;
	s->cap = cap;
	s->n = 0;
	s->why = why;
	s->whylen = whylen;
	s->fixed_ready = false;
	if (why && whylen)
		why[0] = '\0';
}

int inflate_raw(const void *in, size_t len, void *out, size_t cap,
		size_t *out_len, size_t *in_used, char *why, size_t whylen)
{
	struct inflate s;
	int err;

	inflate_init(&s, in, len, out, cap, why, whylen);
	err = inflate_blocks(&s);
	*out_len = s.n;
	if (!err && in_used)
		*in_used = s.pos;
	return err;
}

static int gzip_truncated(struct inflate *s, const char *what)
{
	return fail(s, BT_EFORMAT, "gzip: truncated (the input ends at byte %zu, "
		    "in the %s)", s->len, what);
}

/* Advance *at past the NUL ending the header string there. */
static int gzip_skip_string(struct inflate *s, size_t *at, const char *what)
{
	while (*at < s->len && s->in[*at])
		(*at)++;
	if (*at == s->len)
		return gzip_truncated(s, what);
	(*at)++;
	return 0;
}

/* Check the gzip header and its optional fields; leave pos after it. */
static int gzip_header(struct inflate *s)
{
	const uint8_t *p = s->in;
	size_t at = GZIP_HEADER_LEN;
	unsigned flags, want, got;
	int err;

	if (s->len < 2 || p[0] != 0x1f || p[1] != 0x8b)
		return fail(s, BT_EFORMAT, "gzip: not a gzip file (no 1f 8b "
			    "magic at offset 0)");
	if (s->len < GZIP_HEADER_LEN)
		return gzip_truncated(s, "header");
	if (p[2] != 8)
		return fail(s, BT_EFORMAT, "gzip: unsupported method %u (only "
			    "8, deflate, exists)", p[2]);
	flags = p[3];
	if (flags & GZIP_FRESERVED)
		return fail(s, BT_EFORMAT, "gzip: reserved header flags set "
			    "(0x%02x)", flags);
	if (flags & GZIP_FEXTRA) {
		if (s->len - at < 2 || s->len - at - 2 < get16(p + at))
			return gzip_truncated(s, "header's extra field");
		at += 2 + get16(p + at);
	}
	if ((flags & GZIP_FNAME) && (err = gzip_skip_string(s, &at, "file name")))
		return err;
	if ((flags & GZIP_FCOMMENT) && (err = gzip_skip_string(s, &at, "comment")))
		return err;
	if (flags & GZIP_FHCRC) {
		if (s->len - at < 2)
			return gzip_truncated(s, "header CRC");
		want = get16(p + at);
		got = crc32_update(0, p, at) & 0xffff;
		if (want != got)
			return fail(s, BT_EFORMAT, "gzip: bad header CRC "
				    "(expected 0x%04x, got 0x%04x)", want, got);
		at += 2;
	}
	s->pos = at;
	return 0;
}

/* Check the output against the trailer's CRC-32 and ISIZE at in[pos]. */
static int gzip_trailer(struct inflate *s)
{
	uint32_t want, got;

	if (s->len - s->pos < GZIP_TRAILER_LEN)
		return gzip_truncated(s, "trailer");
	want = get32(s->in + s->pos);
	got = crc32_update(0, s->out, s->n);
	if (want != got)
		return fail(s, BT_EFORMAT, "gzip: bad CRC-32 (expected 0x%08x, "
			    "got 0x%08x)", want, got);
	want = get32(s->in + s->pos + 4);
	if (want != (uint32_t)s->n)
		return fail(s, BT_EFORMAT, "gzip: bad size (the trailer says %u "
			    "bytes modulo 2^32, got %zu)", want, s->n);
	return 0;
}

int gzip_inflate(const void *in, size_t len, void *out, size_t cap,
		 size_t *out_len, char *why, size_t whylen)
{
	struct inflate s;
	int err;

	inflate_init(&s, in, len, out, cap, why, whylen);
	err = gzip_header(&s);
	if (!err)
		err = inflate_blocks(&s);
	if (!err)
		err = gzip_trailer(&s);
	*out_len = s.n;
	return err;
}
