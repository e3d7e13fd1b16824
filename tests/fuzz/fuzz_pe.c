/* libFuzzer target: the PE header check must never read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include "loader/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[200];

	pe_check(data, size, why, sizeof(why));
	return 0;
}
