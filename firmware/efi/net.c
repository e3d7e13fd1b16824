/*
 * The network service on UEFI: TFTP through the PXE Base Code protocol and
 * HTTP through the HTTP service binding, both the firmware's own, on the
 * card baton was netbooted from (or the first card with PXE Base Code).
 *
 * Addresses: after a PXE boot, and after baton's own DHCP through PXE Base
 * Code, the station address lives only in PXE Base Code's mode (the
 * firmware leaves no default address in Ip4Config2), so each HTTP child is
 * configured with that address explicitly; nothing is written to Ip4Config2
 * (it would persist in a variable).
 */
#include "firmware/efi/efi_fw.h"
#include "firmware/efi/efi_http.h"
#include "firmware/net.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"
#include "core/baton.h"
#include "net/tftp.h"

static EFI_GUID pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;
static EFI_GUID http_sb_guid = EFI_HTTP_SB_GUID;
static EFI_GUID http_guid = EFI_HTTP_GUID;

/* The DHCPv4 protocol (UEFI 2.x section 29.2), as much as baton uses. */
static EFI_GUID dhcp4_sb_guid = { 0x9d9a39d8, 0xbd42, 0x4a73,
	{ 0xa4, 0xd5, 0x8e, 0xe9, 0x4b, 0xe1, 0x13, 0x80 } };
static EFI_GUID dhcp4_guid = { 0x8a219718, 0x4ef5, 0x4761,
	{ 0x91, 0xc8, 0xc0, 0xf0, 0x4b, 0xda, 0x9e, 0x56 } };

struct dhcp4_config {
	UINT32 discover_tries, *discover_timeouts;
	UINT32 request_tries, *request_timeouts;
	EFI_IPv4_ADDRESS client;
	void *callback, *callback_ctx;
	UINT32 n_options;
	void **options;
};

struct dhcp4_mode {
	UINT32 state;
	struct dhcp4_config config;
	EFI_IPv4_ADDRESS client;
	EFI_MAC_ADDRESS mac;
	EFI_IPv4_ADDRESS server, router, subnet;
	UINT32 lease;
	void *reply;
};

struct efi_dhcp4;
struct efi_dhcp4 {
	EFI_STATUS (EFIAPI *get_mode)(struct efi_dhcp4 *, struct dhcp4_mode *);
	EFI_STATUS (EFIAPI *configure)(struct efi_dhcp4 *,
				       struct dhcp4_config *);
	EFI_STATUS (EFIAPI *start)(struct efi_dhcp4 *, EFI_EVENT);
};

/*
 * The status numbers in the order of EFI_HTTP_STATUS_CODE (index 0 is
 * "unsupported status"; 308 and 429 were appended to the enum later).
 */
static const uint16_t http_status_numbers[] = {
	0, 100, 101, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303,
	304, 305, 307, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410,
	411, 412, 413, 414, 415, 416, 417, 500, 501, 502, 503, 504, 505, 308,
	429,
};

#define HTTP_HEAD_WAIT_MS 15000		/* for the response's head */

struct fw_http {
	struct fw *fw;
	struct efi_sb *sb;
	EFI_HANDLE child;
	struct efi_http *http;
	EFI_EVENT done;
	struct http_token token;
	struct http_message msg;
};

/* The protocol guid on the card under pxe_handle (its service bindings,
 * its SNP), or NULL. */
static void *nic_protocol(struct fw *fw, EFI_GUID *guid)
{
	EFI_DEVICE_PATH *dp;
	EFI_HANDLE nic;
	void *p;

	if (fw->bs->HandleProtocol(fw->pxe_handle, &dp_guid, (void **)&dp) !=
	    EFI_SUCCESS ||
	    fw->bs->LocateDevicePath(guid, &dp, &nic) != EFI_SUCCESS ||
	    fw->bs->HandleProtocol(nic, guid, &p) != EFI_SUCCESS)
		return NULL;
	return p;
}

/* The PXE Base Code of the card baton came from, else of the first card
 * that has one; NULL when there is none. */
static EFI_PXE_BASE_CODE *find_pxe(struct fw *fw)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (fw->pxe)
		return fw->pxe;
	if (fw->loaded && fw->bs->HandleProtocol(fw->loaded->DeviceHandle,
			&pxe_guid, (void **)&fw->pxe) == EFI_SUCCESS) {
		fw->pxe_handle = fw->loaded->DeviceHandle;
		return fw->pxe;
	}
	fw->pxe = NULL;
	if (fw->bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs) ==
	    EFI_SUCCESS && n > 0 &&
	    fw->bs->HandleProtocol(hs[0], &pxe_guid, (void **)&fw->pxe) ==
	    EFI_SUCCESS)
		fw->pxe_handle = hs[0];
	else
		fw->pxe = NULL;
	if (hs)
		fw->bs->FreePool(hs);
	return fw->pxe;
}

/* A cached packet parsed, or NULL when absent; the first bad one is
 * reported through *why. */
static const struct dhcp_info *cached(const EFI_PXE_BASE_CODE_PACKET *pkt,
				      BOOLEAN received, struct dhcp_info *out,
				      const char *name, struct fw *fw,
				      const char **why)
{
	char err[160];

	if (!received)
		return NULL;
	if (!dhcp_parse(pkt->Raw, sizeof(pkt->Raw), out, err, sizeof(err)))
		return out;
	if (!*why) {
		fmt_buf(fw->net_why, sizeof(fw->net_why), "%s: %s", name, err);
		*why = fw->net_why;
	}
	return NULL;
}

/*
 * Started by UEFI HTTP boot: the firmware's HTTP boot child has no PXE Base
 * Code, and its device path says all there is: the card's MAC, the IPv4
 * address, gateway and mask DHCP gave, and the URI baton was read from.
 */
static bool http_booted(struct fw *fw, struct fw_netboot *out)
{
	const UINT8 *p;
	bool uri = false;

	if (fw->bs->HandleProtocol(fw->loaded->DeviceHandle, &dp_guid,
				   (void **)&p) != EFI_SUCCESS)
		return false;
	for (;;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = n->Length[0] | (UINTN)n->Length[1] << 8;

		if (n->Type == END_DEVICE_PATH_TYPE || len < 4)
			break;
		if (n->Type == MESSAGING_DEVICE_PATH &&
		    n->SubType == MSG_MAC_ADDR_DP && len >= 4 + 33) {
			const MAC_ADDR_DEVICE_PATH *m = (const void *)p;

			out->mac_len = m->IfType == 1 ? 6 : 0;
			memcpy(out->mac, m->MacAddress.Addr, out->mac_len);
		}
		if (n->Type == MESSAGING_DEVICE_PATH &&
		    n->SubType == MSG_IPv4_DP && len >= 27) {
			/* 27 bytes with the gateway and mask (UEFI 2.0 on);
			 * GNU-EFI's struct has a byte of padding more. */
			const IPv4_DEVICE_PATH *ip = (const void *)p;

			memcpy(out->boot.station, ip->LocalIpAddress.Addr, 4);
			memcpy(out->boot.router, ip->GatewayIpAddress.Addr, 4);
			memcpy(out->boot.subnet, ip->SubnetMask.Addr, 4);
		}
		if (n->Type == MESSAGING_DEVICE_PATH &&
		    n->SubType == MSG_URI_DP && len > 4 &&
		    len - 4 < sizeof(out->url)) {
			/* ASCII, not always NUL-terminated. */
			memcpy(out->url, p + 4, len - 4);
			out->url[len - 4] = 0;
			uri = true;
		}
		p += len;
	}
	if (!uri)
		return false;
	memcpy(fw->station, out->boot.station, 4);
	memcpy(fw->subnet, out->boot.subnet, 4);
	fw->pxe_handle = fw->loaded->DeviceHandle;
	fw->net_up = true;
	out->http = true;
	return true;
}

/* What the firmware says of how baton was netbooted (fw_netboot). */
static bool netboot_read(struct fw *fw, struct fw_netboot *out)
{
	EFI_PXE_BASE_CODE *pxe;
	EFI_PXE_BASE_CODE_MODE *m;
	struct dhcp_info *info = bt_zalloc(3 * sizeof(*info));
	const struct dhcp_info *ack;

	memset(out, 0, sizeof(*out));
	if (!info || !fw->loaded) {
		bt_free(info);
		return false;
	}
	if (fw->bs->HandleProtocol(fw->loaded->DeviceHandle, &pxe_guid,
				   (void **)&pxe) != EFI_SUCCESS ||
	    !(m = pxe->Mode) || !m->Started || !m->DhcpAckReceived ||
	    m->UsingIpv6) {
		bt_free(info);
		return http_booted(fw, out);
	}
	fw->pxe = pxe;
	fw->pxe_handle = fw->loaded->DeviceHandle;
	fw->net_up = true;
	ack = cached(&m->DhcpAck, m->DhcpAckReceived, &info[2], "DHCP ACK",
		     fw, &out->why);
	dhcp_boot_info(cached(&m->PxeReply, m->PxeReplyReceived, &info[0],
			      "PXE boot-server reply", fw, &out->why),
		       cached(&m->ProxyOffer, m->ProxyOfferReceived, &info[1],
			      "ProxyDHCP offer", fw, &out->why),
		       ack, &out->boot);
	/* The station address as the driver holds it (also when the ACK
	 * could not be read). */
	memcpy(out->boot.station, m->StationIp.v4.Addr, 4);
	memcpy(out->boot.subnet, m->SubnetMask.v4.Addr, 4);
	memcpy(fw->station, out->boot.station, 4);
	memcpy(fw->subnet, out->boot.subnet, 4);
	/* The ACK's client hardware address: the card's. */
	out->mac_len = m->DhcpAck.Dhcpv4.BootpHwAddrLen;
	if (out->mac_len > 16)
		out->mac_len = 0;
	memcpy(out->mac, m->DhcpAck.Dhcpv4.BootpHwAddr, out->mac_len);
	bt_free(info);
	out->pxe = true;
	return true;
}

/* Read once (it does not change) and kept: "tftp:" paths ask each time. */
bool fw_netboot(struct fw *fw, struct fw_netboot *out)
{
	if (!fw->netboot && (fw->netboot = bt_alloc(sizeof(*out))))
		netboot_read(fw, fw->netboot);
	if (!fw->netboot)
		return netboot_read(fw, out);
	*out = *fw->netboot;
	return out->pxe || out->http;
}

/*
 * An address for a baton not started over the network, by the firmware's
 * DHCPv4 protocol (PXE Base Code's own DHCP takes only offers with a boot
 * file, and Ip4Config2's would be saved in a variable).  The DHCP child
 * stays for the session: it holds the lease.
 */
static int dhcp(struct fw *fw, char *err, size_t errlen)
{
	EFI_HANDLE child = NULL;
	struct efi_sb *sb = nic_protocol(fw, &dhcp4_sb_guid);
	struct efi_dhcp4 *d4 = NULL;
	struct dhcp4_config cfg;
	struct dhcp4_mode mode;
	EFI_STATUS st;

	if (!sb) {
		fmt_buf(err, errlen, "this firmware has no DHCP client on "
			"the network card");
		return BT_EUNSUPP;
	}
	fw_con_write(fw, "baton: asking for an address by DHCP\n");
	memset(&cfg, 0, sizeof(cfg));
	st = sb->create(sb, &child);
	if (st == EFI_SUCCESS)
		st = fw->bs->HandleProtocol(child, &dhcp4_guid, (void **)&d4);
	if (st == EFI_SUCCESS)
		st = d4->configure(d4, &cfg);
	if (st == EFI_SUCCESS)
		st = d4->start(d4, NULL);
	if (st == EFI_SUCCESS)
		st = d4->get_mode(d4, &mode);
	if (st != EFI_SUCCESS) {
		if (child)
			sb->destroy(sb, child);
		fmt_buf(err, errlen, "no DHCP answer on the network card (%s)",
			efi_status_name(st));
		return st == EFI_TIMEOUT ? BT_ETIMEOUT : efi_error(st);
	}
	memcpy(fw->station, mode.client.Addr, 4);
	memcpy(fw->subnet, mode.subnet.Addr, 4);
	return 0;
}

int fw_net_up(struct fw *fw, char *err, size_t errlen)
{
	EFI_PXE_BASE_CODE *pxe;
	EFI_STATUS st;

	if (fw->net_up)
		return 0;
	if (!(pxe = find_pxe(fw))) {
		fmt_buf(err, errlen, "this firmware has no network card with "
			"PXE Base Code to use");
		return BT_EUNSUPP;
	}
	if (!pxe->Mode->Started) {
		st = pxe->Start(pxe, FALSE);
		if (st != EFI_SUCCESS && st != EFI_ALREADY_STARTED) {
			fmt_buf(err, errlen, "the network card would not start "
				"(%s)", efi_status_name(st));
			return efi_error(st);
		}
	}
	if (!pxe->Mode->DhcpAckReceived) {
		int rc = dhcp(fw, err, errlen);
		EFI_IP_ADDRESS ip, mask;

		if (rc)
			return rc;
		/* PXE Base Code's TFTP needs the address too. */
		memset(&ip, 0, sizeof(ip));
		memset(&mask, 0, sizeof(mask));
		memcpy(ip.v4.Addr, fw->station, 4);
		memcpy(mask.v4.Addr, fw->subnet, 4);
		pxe->SetStationIp(pxe, &ip, &mask);
	} else {
		memcpy(fw->station, pxe->Mode->StationIp.v4.Addr, 4);
		memcpy(fw->subnet, pxe->Mode->SubnetMask.v4.Addr, 4);
	}
	fw->net_up = true;
	return 0;
}

void *fw_net_device(struct fw *fw)
{
	return fw->net_up ? fw->pxe_handle : NULL;
}

/* The largest TFTP block the card's frames carry. */
static UINTN tftp_block(struct fw *fw)
{
	EFI_SIMPLE_NETWORK *snp = nic_protocol(fw, &snp_guid);

	return tftp_block_size(snp && snp->Mode ? snp->Mode->MaxPacketSize :
			       1500);
}

/*
 * The PXE callback, installed on the PXE handle for the transfers baton
 * makes (the driver calls it for every packet while MakeCallbacks is
 * set): progress and Esc.
 */
struct pxe_watch {
	EFI_PXE_BASE_CODE_CALLBACK cb;	/* first: the driver's pointer */
	struct fw *fw;
	void (*tick)(void *ctx, uint64_t done);
	void *ctx;
	uint64_t done, keys;
	bool esc;
};

static EFI_PXE_BASE_CODE_CALLBACK_STATUS EFIAPI pxe_watch_cb(
	EFI_PXE_BASE_CODE_CALLBACK *cb, EFI_PXE_BASE_CODE_FUNCTION fn,
	BOOLEAN received, UINT32 len, EFI_PXE_BASE_CODE_PACKET *pkt)
{
	struct pxe_watch *w = (struct pxe_watch *)cb;
	uint64_t now;
	struct key k;

	/* A TFTP DATA packet (opcode 3): its bytes after the 4 of header.
	 * (edk2 does not always say which function is running: the tick,
	 * set only around baton's own reads, decides.) */
	if (!w->tick || !received || !pkt || len < 4 || pkt->Raw[0] != 0 ||
	    pkt->Raw[1] != 3)
		return EFI_PXE_BASE_CODE_CALLBACK_STATUS_CONTINUE;
	w->done += len - 4;
	w->tick(w->ctx, w->done);
	now = fw_time_ms(w->fw);
	if (now - w->keys >= 100) {
		w->keys = now;
		if (!fw_key_wait(w->fw, 0, &k) && k.code == KEY_ESC) {
			w->esc = true;
			return EFI_PXE_BASE_CODE_CALLBACK_STATUS_ABORT;
		}
	}
	return EFI_PXE_BASE_CODE_CALLBACK_STATUS_CONTINUE;
}

static EFI_GUID pxe_cb_guid = EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_GUID;

/* Watch the next transfer through w (tick NULL: stop watching). */
static void pxe_watch(struct fw *fw, struct pxe_watch *w)
{
	BOOLEAN on = w->tick != NULL;

	if (on && !fw->pxe_watching) {
		EFI_HANDLE h = fw->pxe_handle;

		w->cb.Revision = EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL_REVISION;
		w->cb.Callback = pxe_watch_cb;
		if (fw->bs->InstallProtocolInterface(&h, &pxe_cb_guid,
				EFI_NATIVE_INTERFACE, &w->cb) != EFI_SUCCESS)
			return;
		fw->pxe_watching = true;
	}
	if (fw->pxe_watching)
		fw->pxe->SetParameters(fw->pxe, NULL, NULL, NULL, NULL, &on);
}

static int tftp(struct fw *fw, EFI_PXE_BASE_CODE_TFTP_OPCODE op,
		const uint8_t server[4], uint16_t port, const char *file,
		void *buf, uint64_t *len, struct pxe_watch *watch, char *why,
		size_t whylen)
{
	EFI_PXE_BASE_CODE *pxe;
	EFI_IP_ADDRESS ip;
	UINTN block;
	EFI_STATUS st;
	int rc = fw_net_up(fw, why, whylen);

	if (rc)
		return rc;
	if (!(pxe = find_pxe(fw))) {
		fmt_buf(why, whylen, "this firmware has no TFTP client (PXE "
			"Base Code) on the network card");
		return BT_EUNSUPP;
	}
	if (port != 69) {
		fmt_buf(why, whylen, "the firmware's TFTP client uses port "
			"69 only");
		return BT_EUNSUPP;
	}
	memset(&ip, 0, sizeof(ip));
	memcpy(ip.v4.Addr, server, 4);
	block = tftp_block(fw);
	if (watch)
		pxe_watch(fw, watch);
	st = pxe->Mtftp(pxe, op, buf, FALSE, len, &block, &ip,
			(UINT8 *)file, NULL, FALSE);
	if (watch) {
		watch->tick = NULL;
		pxe_watch(fw, watch);
		if (watch->esc) {
			fmt_buf(why, whylen, "cancelled (Esc)");
			return BT_EABORT;
		}
	}
	if (st == EFI_SUCCESS)
		return 0;
	if (st == EFI_BUFFER_TOO_SMALL)
		return BT_ETOOBIG;
	if (st == EFI_NOT_FOUND && op == EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE)
		return BT_EUNSUPP;	/* no tsize in the server's answer */
	if (st == EFI_TFTP_ERROR && pxe->Mode->TftpErrorReceived) {
		EFI_PXE_BASE_CODE_TFTP_ERROR *e = &pxe->Mode->TftpError;

		e->ErrorString[sizeof(e->ErrorString) - 1] = 0;
		fmt_buf(why, whylen, "TFTP error %u: %s", e->ErrorCode,
			(char *)e->ErrorString);
		/* Debian 12's OVMF gives QEMU's "File not found" (code 1)
		 * as code 0 ("see the message"): the words decide then. */
		return e->ErrorCode == 1 || (e->ErrorCode == 0 &&
		       str_casecmp((char *)e->ErrorString, "File not found") ==
		       0) ? BT_ENOENT : BT_EIO;
	}
	if (st == EFI_TFTP_ERROR) {
		/* Some firmware drops the error packet's contents: as
		 * not found, so a config search goes on. */
		fmt_buf(why, whylen, "the server answered with a TFTP error");
		return BT_ENOENT;
	}
	fmt_buf(why, whylen, "%s", st == EFI_TIMEOUT ?
		"no answer from the server" : st == EFI_ICMP_ERROR ?
		"the server is unreachable (ICMP error)" :
		efi_status_name(st));
	return st == EFI_TIMEOUT ? BT_ETIMEOUT : BT_EIO;
}

int fw_tftp_size(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, uint64_t *size, char *why, size_t whylen)
{
	*size = 0;
	return tftp(fw, EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, server, port,
		    file, NULL, size, NULL, why, whylen);
}

int fw_tftp_read(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, void *buf, uint64_t *len,
		 void (*tick)(void *ctx, uint64_t done), void *ctx, char *why,
		 size_t whylen)
{
	/* One watch for the session: the driver keeps its pointer. */
	struct pxe_watch *w = fw->pxe_watch;

	if (!w && !(w = fw->pxe_watch = bt_zalloc(sizeof(*w)))) {
		fmt_buf(why, whylen, "out of memory");
		return BT_ENOMEM;
	}
	w->fw = fw;
	w->tick = tick;
	w->ctx = ctx;
	w->done = 0;
	w->esc = false;
	if (!tick)
		return tftp(fw, EFI_PXE_BASE_CODE_TFTP_READ_FILE, server, port,
			    file, buf, len, NULL, why, whylen);
	return tftp(fw, EFI_PXE_BASE_CODE_TFTP_READ_FILE, server, port, file,
		    buf, len, w, why, whylen);
}

/* Poll c until its token completes, for at most ms (Esc cancels). */
static int http_wait(struct fw_http *c, uint32_t ms, char *why,
		     size_t whylen)
{
	struct fw *fw = c->fw;
	uint64_t start = fw_time_ms(fw), keys = start;
	struct key k;

	for (;;) {
		uint64_t now;

		c->http->poll(c->http);
		if (fw->bs->CheckEvent(c->done) == EFI_SUCCESS)
			return 0;
		now = fw_time_ms(fw);
		if (now - keys >= 100) {
			keys = now;
			if (!fw_key_wait(fw, 0, &k) && k.code == KEY_ESC) {
				c->http->cancel(c->http, &c->token);
				fmt_buf(why, whylen, "cancelled (Esc)");
				return BT_EABORT;
			}
		}
		if (now - start >= ms) {
			c->http->cancel(c->http, &c->token);
			fmt_buf(why, whylen, "no data from the server for %u s",
				ms / 1000);
			return BT_ETIMEOUT;
		}
	}
}

static int http_status_why(EFI_STATUS st, char *why, size_t whylen)
{
	fmt_buf(why, whylen, "%s", st == EFI_CONNECTION_REFUSED ?
		"connection refused" : st == EFI_CONNECTION_RESET ?
		"connection reset" : st == EFI_CONNECTION_FIN ?
		"the server closed the connection" : st == EFI_NO_MAPPING ?
		"no IPv4 address on the network card" : st == EFI_TIMEOUT ?
		"no answer from the server" : st == EFI_ACCESS_DENIED ?
		"the firmware does not allow plain HTTP" : st == EFI_NOT_FOUND ?
		"host not found" : st == EFI_ABORTED ? "the firmware's HTTP "
		"client gave up on the response (a malformed head or chunk)" :
		efi_status_name(st));
	return st == EFI_TIMEOUT ? BT_ETIMEOUT : BT_EIO;
}

void fw_http_close(struct fw_http *c)
{
	if (!c)
		return;
	if (c->child)
		c->sb->destroy(c->sb, c->child);
	if (c->done)
		c->fw->bs->CloseEvent(c->done);
	bt_free(c);
}

/* A new HTTP child on the card, configured with the station address. */
static int http_child(struct fw *fw, struct fw_http *c, char *why,
		      size_t whylen)
{
	struct http_access4 v4 = { FALSE };
	struct http_config cfg = { 1, 0, FALSE, &v4 };
	EFI_STATUS st;

	if (!(c->sb = nic_protocol(fw, &http_sb_guid))) {
		fmt_buf(why, whylen, "this firmware has no HTTP client on "
			"the network card");
		return BT_EUNSUPP;
	}
	st = c->sb->create(c->sb, &c->child);
	if (st == EFI_SUCCESS)
		st = fw->bs->HandleProtocol(c->child, &http_guid,
					    (void **)&c->http);
	memcpy(v4.local.Addr, fw->station, 4);
	memcpy(v4.subnet.Addr, fw->subnet, 4);
	if (st == EFI_SUCCESS)
		st = c->http->configure(c->http, &cfg);
	if (st == EFI_SUCCESS)
		st = fw->bs->CreateEvent(0, 0, NULL, NULL, &c->done);
	if (st != EFI_SUCCESS) {
		fmt_buf(why, whylen, "the firmware's HTTP client would not "
			"start (%s)", efi_status_name(st));
		return efi_error(st);
	}
	return 0;
}

/* Send the GET and wait until it is out. */
static int http_send(struct fw_http *c, const char *host, uint16_t port,
		     const char *target, char *why, size_t whylen)
{
	char hostport[300], *url_text;
	CHAR16 *url;
	struct http_request_data req = { 0, NULL };
	struct http_header hdr[4] = {
		{ (CHAR8 *)"Host", (CHAR8 *)hostport },
		{ (CHAR8 *)"Accept", (CHAR8 *)"*/*" },
		{ (CHAR8 *)"User-Agent", (CHAR8 *)"baton/" BATON_VERSION },
		{ (CHAR8 *)"Connection", (CHAR8 *)"close" },
	};
	EFI_STATUS st;
	size_t i, n;

	fmt_buf(hostport, sizeof(hostport), port == 80 ? "%s" : "%s:%u",
		host, port);
	url_text = fmt_alloc("http://%s%s", hostport, target);
	n = url_text ? strlen(url_text) : 0;
	url = url_text ? bt_alloc((n + 1) * sizeof(CHAR16)) : NULL;
	if (!url) {
		bt_free(url_text);
		fmt_buf(why, whylen, "out of memory");
		return BT_ENOMEM;
	}
	for (i = 0; i <= n; i++)
		url[i] = (unsigned char)url_text[i];
	bt_free(url_text);
	req.url = url;
	c->msg = (struct http_message){ &req, 4, hdr, 0, NULL };
	c->token = (struct http_token){ c->done, EFI_NOT_READY, &c->msg };
	st = c->http->request(c->http, &c->token);
	if (st == EFI_SUCCESS) {
		int rc = http_wait(c, HTTP_HEAD_WAIT_MS, why, whylen);

		bt_free(url);
		if (rc)
			return rc;
		st = c->token.status;
	} else {
		bt_free(url);
	}
	return st == EFI_SUCCESS ? 0 : http_status_why(st, why, whylen);
}

int fw_http_get(struct fw *fw, const char *host, uint16_t port,
		const char *target, struct http_head *head,
		struct fw_http **out, char *why, size_t whylen)
{
	struct fw_http *c = bt_zalloc(sizeof(*c));
	UINT32 status = 0;
	EFI_STATUS st;
	size_t i;
	int rc = c ? fw_net_up(fw, why, whylen) : BT_ENOMEM;

	*out = NULL;
	if (c)
		c->fw = fw;
	if (!rc)
		rc = http_child(fw, c, why, whylen);
	if (!rc)
		rc = http_send(c, host, port, target, why, whylen);
	if (!rc) {
		c->msg = (struct http_message){ &status, 0, NULL, 0, NULL };
		c->token = (struct http_token){ c->done, EFI_NOT_READY,
						&c->msg };
		st = c->http->response(c->http, &c->token);
		rc = st == EFI_SUCCESS ? http_wait(c, HTTP_HEAD_WAIT_MS, why,
						   whylen) :
		     http_status_why(st, why, whylen);
	}
	if (!rc && c->token.status != EFI_SUCCESS &&
	    c->token.status != EFI_HTTP_ERROR)
		rc = http_status_why(c->token.status, why, whylen);
	if (!rc) {
		http_head_init(head, status < sizeof(http_status_numbers) /
			       sizeof(http_status_numbers[0]) ?
			       http_status_numbers[status] : 0);
		for (i = 0; !rc && i < c->msg.n_headers; i++)
			rc = http_head_add(head, (char *)c->msg.headers[i].name,
					   (char *)c->msg.headers[i].value,
					   why, whylen);
		if (c->msg.headers)
			fw->bs->FreePool(c->msg.headers);
	}
	/* edk2's HTTP driver takes a body with neither length nor chunks
	 * as ending with the bytes that came with the head, and a read
	 * after that never completes: say so rather than stall. */
	if (!rc && head->status == 200 && !head->chunked &&
	    head->length == HTTP_NO_LENGTH) {
		fmt_buf(why, whylen, "the server sent neither Content-Length "
			"nor a chunked body, and the firmware's HTTP client "
			"cannot read such a body to its end");
		rc = BT_EUNSUPP;
	}
	if (rc == BT_ENOMEM)
		fmt_buf(why, whylen, "out of memory");
	if (rc) {
		fw_http_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int fw_http_read(struct fw_http *c, void *buf, size_t len, size_t *got,
		 uint32_t stall_ms, char *why, size_t whylen)
{
	EFI_STATUS st;
	int rc;

	*got = 0;
	c->msg = (struct http_message){ NULL, 0, NULL, len, buf };
	c->token = (struct http_token){ c->done, EFI_NOT_READY, &c->msg };
	st = c->http->response(c->http, &c->token);
	if (st == EFI_CONNECTION_FIN)
		return 0;
	if (st != EFI_SUCCESS)
		return http_status_why(st, why, whylen);
	rc = http_wait(c, stall_ms, why, whylen);
	if (rc)
		return rc;
	st = c->token.status;
	if (st == EFI_CONNECTION_FIN)
		return 0;
	if (st != EFI_SUCCESS)
		return http_status_why(st, why, whylen);
	*got = c->msg.body_len;
	return 0;
}
