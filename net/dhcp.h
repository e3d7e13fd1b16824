/*
 * DHCPv4/BOOTP packets as the firmware caches them after a PXE boot (the
 * DHCP ACK, a ProxyDHCP offer, a boot-server reply), and what baton learns
 * from them: its address, the boot server, the boot file and the PXELINUX
 * options 209 (config file) and 210 (path prefix) of RFC 5071.
 *
 * Options are read over the whole packet, not just the 312 bytes BOOTP
 * reserves, until the end option; option 52 (overload) makes the file and
 * sname fields hold options too, read after the options field as RFC 2132
 * says.  Option values split over several instances of one code (RFC 3396)
 * are joined.
 */
#ifndef BATON_NET_DHCP_H
#define BATON_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_STR_MAX 256	/* room for an option's text and its NUL */

struct dhcp_info {
	uint8_t yiaddr[4];	/* "your" address: baton's */
	uint8_t siaddr[4];	/* next server (0.0.0.0: none) */
	bool has_subnet, has_router, has_dns, has_server_id;
	uint8_t subnet[4];	/* option 1 */
	uint8_t router[4];	/* option 3, the first router */
	uint8_t dns[4];		/* option 6, the first server */
	uint8_t server_id[4];	/* option 54 */
	/* Text, "" when absent: option 66 or the sname field (when not
	 * overloaded), option 67 or the file field (likewise), 209, 210. */
	char server_name[DHCP_STR_MAX];
	char boot_file[DHCP_STR_MAX];
	char config_file[DHCP_STR_MAX];
	char path_prefix[DHCP_STR_MAX];
};

/*
 * Parse pkt[0..len) (a BOOTP header of 236 bytes, the magic cookie, the
 * options).  Returns 0, or BT_EFORMAT with err saying what is wrong
 * ("DHCP packet: option 67 runs past the end of the packet"): shorter than
 * the header, no magic cookie, an option that runs past its area, a text
 * option too long for DHCP_STR_MAX or holding a NUL before its end (one
 * NUL ending it is dropped), an address option of the wrong size (1 and
 * 54 one address, 3 and 6 a list of them), option 52 other than one byte
 * of 1, 2 or 3.  Of an address option given twice the first is kept; only
 * option 52 in the options field counts.  After a failure out is not
 * meaningful.
 */
int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_info *out,
	       char *err, size_t errlen);

/* What baton uses of up to three cached packets. */
struct dhcp_boot {
	uint8_t station[4];	/* baton's address (the ACK's yiaddr) */
	uint8_t subnet[4], router[4], dns[4];	/* 0.0.0.0 when not given */
	uint8_t server[4];	/* the boot (TFTP) server */
	char boot_file[DHCP_STR_MAX];	/* "" when none */
	char config_file[DHCP_STR_MAX];	/* option 209, "" when none */
	char path_prefix[DHCP_STR_MAX];	/* option 210, "" when none */
};

/*
 * Combine the packets as the firmware's PXE driver does: each of the boot
 * server, boot file, 209 and 210 comes from the boot-server reply if it
 * has it, else the ProxyDHCP offer, else the ACK; the address, subnet,
 * router and DNS server come from the ACK.  The boot server is siaddr when
 * not 0.0.0.0, else option 66 when it is an IPv4 address, else option 54.
 * Any of the three may be NULL.
 */
void dhcp_boot_info(const struct dhcp_info *reply,
		    const struct dhcp_info *proxy,
		    const struct dhcp_info *ack, struct dhcp_boot *out);

/* Parse a dotted-quad IPv4 address ("10.0.2.2"): true and out filled
 * when s[0..len) is exactly one, each part 0..255 without leading zeros. */
bool ipv4_parse(const char *s, size_t len, uint8_t out[4]);

#endif
