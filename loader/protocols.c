/* The boot protocols baton knows, by config key. */
#include "loader/protocol.h"
#include "lib/mem.h"

const struct protocol *const protocols[] = {
	&linux_protocol,
	&linux_efi_protocol,
	&multiboot1_protocol,
	&multiboot2_protocol,
	&efi_protocol,
	NULL,
};

const struct protocol *protocol_find(const char *key)
{
	const struct protocol *const *p;

	for (p = protocols; key && *p; p++)
		if (!strcmp((*p)->key, key))
			return *p;
	return NULL;
}
