/*
 * The network service: the firmware's own TFTP client (PXE Base Code) and
 * HTTP client (the HTTP service binding), and what the firmware knows of
 * how baton itself was netbooted.  fs/net.c builds the tftp: and http:
 * file sources on these; everything portable about the protocols (DHCP
 * options, redirects, chunked bodies, the config search) is in net/.
 *
 * The card is never opened exclusively: a program baton chain-loads finds
 * the firmware's networking as baton found it.
 */
#ifndef BATON_FIRMWARE_NET_H
#define BATON_FIRMWARE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/dhcp.h"
#include "net/http.h"

struct fw;

/* How baton was started over the network. */
struct fw_netboot {
	bool pxe;		/* by PXE: boot holds the cached packets' */
	bool http;		/* by UEFI HTTP boot: url is baton's own, and
				 * boot has the address only */
	char url[2 * DHCP_STR_MAX];
	struct dhcp_boot boot;
	uint8_t mac[32];	/* the card's hardware address */
	size_t mac_len;
	const char *why;	/* a cached packet that could not be read
				 * ("DHCP ACK: option 67 runs past ..."), or
				 * NULL */
};

/* Fill *out; false when baton was not started over the network. */
bool fw_netboot(struct fw *fw, struct fw_netboot *out);

/*
 * Bring networking up if it is not: baton started from a disk asks for an
 * address by DHCP on the first card the firmware networks on.  0, or an
 * error with err saying why ("no DHCP answer on the network card",
 * "this firmware has no network card it can use").
 */
int fw_net_up(struct fw *fw, char *err, size_t errlen);

/*
 * The firmware's handle for the card's network stack, as a program
 * chain-loaded from the network is given it (its PXE Base Code, and the
 * card below), or NULL when networking is not up.
 */
void *fw_net_device(struct fw *fw);

/*
 * TFTP from server:port.  fw_tftp_size asks for the size (the tsize
 * option): BT_EUNSUPP when the server does not say.  fw_tftp_read reads the
 * whole file into buf[0..*len) and sets *len to its size; BT_ETOOBIG when
 * it does not fit; while it reads, tick (when not NULL) is told the bytes
 * so far, and Esc stops it (BT_EABORT).  Both: BT_ENOENT when the server
 * says the file is not
 * there, others with why saying what happened ("TFTP error 2: access
 * violation", "no answer from the server").
 */
int fw_tftp_size(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, uint64_t *size, char *why, size_t whylen);
int fw_tftp_read(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, void *buf, uint64_t *len,
		 void (*tick)(void *ctx, uint64_t done), void *ctx, char *why,
		 size_t whylen);

/* One HTTP request and its response. */
struct fw_http;

/*
 * GET target ("/a/b?c") from host ("10.0.0.1", "boot.example") at port,
 * with a Host header, and wait for the response's head: *head gets the
 * status and the headers (http_head_add).  0 whatever the status; an
 * error with why when there is no response ("connection refused", "no
 * answer in 10 s").  *out is closed with fw_http_close.
 */
int fw_http_get(struct fw *fw, const char *host, uint16_t port,
		const char *target, struct http_head *head,
		struct fw_http **out, char *why, size_t whylen);

/*
 * The next raw bytes of the body, at most len; *got 0 when the server has
 * closed the connection.  BT_ETIMEOUT when nothing came for stall_ms,
 * BT_EABORT when the user pressed Esc, others with why.
 */
int fw_http_read(struct fw_http *c, void *buf, size_t len, size_t *got,
		 uint32_t stall_ms, char *why, size_t whylen);

void fw_http_close(struct fw_http *c);

#endif
