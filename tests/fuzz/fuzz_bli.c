/*
 * Fuzz what baton reads from the Boot Loader Interface's variables, which
 * the booted system (any program with root) writes: the input is cut in
 * three at its first two 0xff bytes, each part taken as a UTF-16 variable
 * (bli_str_decode), then as a timeout (bli_timeout_parse), and the three
 * as LoaderEntryOneShot, LoaderEntryDefault and LoaderEntryLastBooted for
 * bli_pick over a fixed menu, whose answer must be one of its entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "core/bli.h"
#include "lib/error.h"

static const char menu[] =
	"default @saved\n"
	"entry Alpha\n  efi /a.efi\n"
	"entry beta.conf\n  efi /b.efi\n"
	"entry broken\n  title no kernel\n"
	"entry auto-reboot\n  action reboot\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bli_vars v;
	char *field[3] = { v.oneshot, v.efi_default, v.last_booted };
	struct config cfg;
	enum bli_from from;
	enum bli_save save;
	size_t i, start = 0, part = 0, pick;
	int t;

	memset(&v, 0, sizeof(v));
	for (i = 0; i <= size && part < 3; i++) {
		if (i < size && (data[i] != 0xff || part == 2))
			continue;
		if (bli_str_decode(data + start, i - start, field[part],
				   BLI_ID_MAX))
			field[part][0] = '\0';
		else if (!bli_timeout_parse(field[part], &t) && t < -1)
			abort();
		if (strlen(field[part]) >= BLI_ID_MAX)
			abort();
		start = i + 1;
		part++;
	}
	v.has_timeout = !bli_timeout_parse(v.last_booted, &v.timeout);
	v.has_oneshot_timeout = !bli_timeout_parse(v.oneshot,
						   &v.oneshot_timeout);
	config_init(&cfg);
	if (config_parse(&cfg, NULL, menu, sizeof(menu) - 1, NULL) ||
	    config_finish(&cfg))
		abort();
	pick = bli_pick(&cfg, &v, &from, &save);
	if (pick >= cfg.n_entries || (from != BLI_FIRST &&
	    cfg.entries[pick].error))
		abort();
	bli_timeout(5, &v);
	config_free(&cfg);
	return 0;
}
