/*
 * Fuzz the GRUB script subset and the ISO command-line rules.  The first
 * byte picks the environment (ISO path and host UUID set or not); the rest
 * is a loopback.cfg.  Every entry found then has its command line completed
 * by isomenu_fix_args(), as an ISO menu does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config/grubcfg.h"
#include "config/isomenu.h"
#include "lib/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grubcfg_env env = { NULL, NULL, NULL };
	struct isomenu_facts f = { "/isos/x.iso", NULL, "LABEL" };
	struct grubcfg g;
	struct config notes;
	const char *unfilled;
	char *out;
	size_t i;

	if (!size)
		return 0;
	if (data[0] & 1)
		env.iso_path = "/isos/x.iso";
	if (data[0] & 2)
		env.host_fsuuid = f.host_fsuuid = "1234-ABCD";
	if (data[0] & 4)
		env.root = "hd0,gpt2";
	memset(&g, 0, sizeof(g));
	config_init(&notes);
	grubcfg_parse("fuzz.cfg", (const char *)data + 1, size - 1, &env, &g,
		      &notes);
	for (i = 0; i < g.n_entries; i++) {
		if (!isomenu_fix_args(g.entries[i].kernel, g.entries[i].args,
				      &f, &out, &unfilled))
			bt_free(out);
	}
	grubcfg_free(&g);
	config_free(&notes);
	return 0;
}
