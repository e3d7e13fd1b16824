/*
 * Fuzz the DHCP packet parser with the input as one packet; a packet that
 * parses then goes through everything baton does with it: combined as
 * each of the three cached packets, turned into the config names (the
 * MAC from the packet's chaddr field), and each name read as a path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fs/path.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "net/dhcp.h"
#include "net/netconf.h"

/* A text must end inside its array. */
static void check_text(const char *s, size_t size)
{
	if (!memchr(s, 0, size))
		abort();
}

static void try_names(const struct dhcp_boot *b, const uint8_t *mac,
		      size_t mac_len, const char *self_dir,
		      const struct path *self)
{
	struct netconf_list l;
	struct path p;
	size_t i;

	if (netconf_candidates(b, mac, mac_len, self_dir, &l))
		abort();	/* the only failure is out of memory */
	if (l.n > NETCONF_MAX || l.n == 0)
		abort();
	for (i = 0; i < l.n; i++)
		if (path_parse(l.names[i], self, &p, NULL, 0) == 0)
			path_free(&p);
	netconf_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct path self = { PATH_SRC_TFTP, NULL, "/pxe/baton.efi" };
	struct dhcp_info d;
	struct dhcp_boot b;
	char err[128];
	size_t hlen;

	if (dhcp_parse(data, size, &d, err, sizeof(err))) {
		check_text(err, sizeof(err));
		return 0;
	}
	check_text(d.server_name, DHCP_STR_MAX);
	check_text(d.boot_file, DHCP_STR_MAX);
	check_text(d.config_file, DHCP_STR_MAX);
	check_text(d.path_prefix, DHCP_STR_MAX);
	hlen = data[2] < 16 ? data[2] : 16;	/* chaddr is 16 bytes */
	dhcp_boot_info(&d, NULL, NULL, &b);
	try_names(&b, data + 28, hlen, "/pxe/", &self);
	dhcp_boot_info(NULL, &d, &d, &b);
	try_names(&b, data + 28, 0, "/", &self);
	dhcp_boot_info(NULL, NULL, &d, &b);
	try_names(&b, data + 28, hlen, "", &self);
	return 0;
}
