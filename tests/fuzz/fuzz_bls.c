/*
 * Fuzz the Boot Loader Specification parsers.  The first byte picks one:
 * 0 a Type #1 entry, 1 loader.conf, 2 a UKI's .osrel and .cmdline (split at
 * the first NUL), 3 a PE file's section table; the rest is the input.
 * Every entry made is then sorted and the default chosen, so the
 * comparisons see hostile values too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config/bls.h"
#include "loader/pe.h"
#include "lib/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct bls_prefs prefs;
	struct path p = { PATH_SRC_BOOT, NULL, "/loader/entries/x+3-1.conf" };
	struct path u = { PATH_SRC_BOOT, NULL, "/EFI/Linux/u+2.efi" };
	const char *text = (const char *)data + 1, *nul;
	size_t len = size ? size - 1 : 0;
	uint32_t off, sz;

	if (!size)
		return 0;
	config_init(&cfg);
	bls_prefs_init(&prefs);
	switch (data[0] & 3) {
	case 0:
		bls_add_entry(&cfg, &p, text, len);
		bls_add_entry(&cfg, &u, text, len);
		break;
	case 1:
		bls_loader_conf(&cfg, &p, text, len, &prefs);
		break;
	case 2:
		nul = memchr(text, 0, len);
		bls_add_uki(&cfg, &u, text, nul ? (size_t)(nul - text) : len,
			    nul ? nul + 1 : NULL,
			    nul ? len - (size_t)(nul - text) - 1 : 0);
		bls_add_uki(&cfg, &p, text, len, text, len);
		break;
	default:
		if (pe_headers_len(text, len) <= len)
			pe_section(text, len, ".osrel", &off, &sz);
		pe_section(text, len, ".cmdline", &off, &sz);
		break;
	}
	bls_sort(&cfg, 0);
	config_default_index(&cfg);
	config_free(&cfg);
	return 0;
}
