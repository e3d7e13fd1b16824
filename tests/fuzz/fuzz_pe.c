/*
 * libFuzzer target: pe_check must never read out of bounds, and its
 * verdict must match pe.h's contract.  pe_check returns only a verdict (no
 * parsed image: the firmware's LoadImage parses sections, relocations and
 * the entry point), so what is checked is that an accepted input really
 * is what the verdict says: the MZ header and e_lfanew inside the input,
 * the PE signature, the COFF header and the optional header up to
 * Subsystem inside the input, machine x86-64, PE32+ magic, an EFI
 * subsystem; and that a rejected one gets BT_EFORMAT and a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/bytes.h"
#include "lib/error.h"
#include "loader/pe.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_accepted(const uint8_t *p, size_t size)
{
	uint64_t pe;

	CHECK(size >= 64 && p[0] == 'M' && p[1] == 'Z');
	pe = get32(p + 0x3c);
	/* Signature (4), COFF header (20), optional header to Subsystem's
	 * end (70), all inside the input. */
	CHECK(pe <= size && size - pe >= 4 + 20 + 70);
	CHECK(memcmp(p + pe, "PE\0\0", 4) == 0);
	CHECK(get16(p + pe + 4) == 0x8664);
	CHECK(get16(p + pe + 24) == 0x020b);
	CHECK(get16(p + pe + 24 + 68) >= 10 && get16(p + pe + 24 + 68) <= 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the input's end. */
	uint8_t *copy = malloc(size ? size : 1);
	char why[200];
	int rc;

	CHECK(copy);
	memcpy(copy, data, size);
	why[0] = '\0';
	rc = pe_check(copy, size, why, sizeof(why));
	if (rc == 0) {
		check_accepted(copy, size);
	} else {
		CHECK(rc == BT_EFORMAT);
		CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
	}
	/* The check only reads. */
	CHECK(memcmp(copy, data, size) == 0);
	free(copy);
	return 0;
}
