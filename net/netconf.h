/*
 * Where a netbooted baton looks for its config, in order (pxelinux's and
 * GRUB's search, with baton's names):
 *
 *   1. DHCP option 209 (the config file), relative to option 210 (the path
 *      prefix) when that is given, else to baton's own folder;
 *   2. then in the folder of option 210 if given, else baton's own folder on
 *      the server:
 *        baton.conf-01-<MAC, lower-case hex, '-' between bytes>
 *        baton.conf-<IPv4 address as 8 upper-case hex digits>, then that
 *          name shortened one digit at a time down to one digit
 *        baton.conf
 *
 * Option 210 may be a folder on the boot server ("/pxe/") or a URL
 * ("http://10.0.0.1/baton/"), given with or without its last '/'; one that
 * is relative ("sub/") is inside baton's folder.  Option 209 may be
 * absolute ("/x.conf", "tftp:/x.conf", "http://host/x.conf"), which ignores
 * the prefix.  Without a MAC (mac_len 0) or an address (0.0.0.0) those
 * names are left out.
 */
#ifndef BATON_NET_NETCONF_H
#define BATON_NET_NETCONF_H

#include <stddef.h>
#include <stdint.h>
#include "net/dhcp.h"

#define NETCONF_MAX 12		/* 209, MAC, 8 IP names, baton.conf */

struct netconf_list {
	size_t n;
	char *names[NETCONF_MAX];	/* paths as a config would write them */
};

/*
 * Fill out with the names to try, each a path text for path_parse() with
 * baton's own path on the server as the origin (so "/x" and "x" mean the
 * boot server, a URL means that server).  self_dir is baton's folder on the
 * server ("/", "/pxe/"), mac its hardware address.  BT_ENOMEM (out empty).
 */
int netconf_candidates(const struct dhcp_boot *b, const uint8_t *mac,
		       size_t mac_len, const char *self_dir,
		       struct netconf_list *out);

void netconf_free(struct netconf_list *l);

#endif
