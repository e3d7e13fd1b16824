/*
 * netfloor.efi — the floor of the network benchmark (bench/netbench.py):
 * one transfer of one file by the firmware's own network protocols, with
 * nothing around it, to set a loader's network reads against.
 *
 * PXE-booted, it takes the boot server and its boot file's name from the
 * PXE Base Code's cached DHCP packets.  If the boot file's name contains
 * "http" it GETs http://SERVER/floor.bin through the firmware's HTTP
 * service binding (one child, one request, the body read straight into one
 * buffer), else it reads floor.bin from SERVER by TFTP through PXE Base
 * Code (the size from tsize, then one READ_FILE with the block size baton
 * asks for, net/tftp.h).  It prints
 *
 *   NETFLOOR-START
 *   NETFLOOR-DONE <bytes> bytes
 *
 * around the transfer (size query, allocation and all), or
 * NETFLOOR-ERROR <what> <EFI status>, and then powers the machine off.
 */
#include <efi.h>

#include "firmware/efi/efi_http.h"
#include "net/tftp.h"

#define FILE_NAME "floor.bin"

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID pxe_guid = EFI_PXE_BASE_CODE_PROTOCOL_GUID;
static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID snp_guid = EFI_SIMPLE_NETWORK_PROTOCOL_GUID;
static EFI_GUID http_sb_guid = EFI_HTTP_SB_GUID;
static EFI_GUID http_guid = EFI_HTTP_GUID;

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;

/* Prints ASCII text s, then the decimal n unless n is negative, then "\r\n". */
static void say(const char *s, INT64 n)
{
	CHAR16 line[160];
	char digits[24];
	UINTN i = 0, d = 0;

	while (*s && i < 120)
		line[i++] = (unsigned char)*s++;
	if (n >= 0) {
		do
			digits[d++] = '0' + n % 10;
		while ((n /= 10) && d < sizeof(digits));
		while (d)
			line[i++] = digits[--d];
	}
	line[i++] = L'\r';
	line[i++] = L'\n';
	line[i] = 0;
	st->ConOut->OutputString(st->ConOut, line);
}

static void fail(const char *what, EFI_STATUS status)
{
	say(what, (INT64)(status & ~EFI_ERROR_MASK));
}

/* The protocol guid on the network card under the PXE handle. */
static void *nic_protocol(EFI_HANDLE pxe_handle, EFI_GUID *guid)
{
	EFI_DEVICE_PATH *dp;
	EFI_HANDLE nic;
	void *p;

	if (bs->HandleProtocol(pxe_handle, &dp_guid, (void **)&dp) !=
	    EFI_SUCCESS ||
	    bs->LocateDevicePath(guid, &dp, &nic) != EFI_SUCCESS ||
	    bs->HandleProtocol(nic, guid, &p) != EFI_SUCCESS)
		return NULL;
	return p;
}

static void *alloc(UINT64 bytes)
{
	EFI_PHYSICAL_ADDRESS at = 0;

	if (bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
			      (bytes + 4095) / 4096, &at) != EFI_SUCCESS)
		return NULL;
	return (void *)(UINTN)at;
}

static EFI_STATUS by_tftp(EFI_PXE_BASE_CODE *pxe, EFI_HANDLE pxe_handle,
			  EFI_IP_ADDRESS *server, UINT64 *got)
{
	EFI_SIMPLE_NETWORK *snp = nic_protocol(pxe_handle, &snp_guid);
	UINTN block = tftp_block_size(snp && snp->Mode ?
				      snp->Mode->MaxPacketSize : 1500);
	UINT64 size = 0;
	void *buf;
	EFI_STATUS s;

	s = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, FALSE,
		       &size, &block, server, (UINT8 *)FILE_NAME, NULL, FALSE);
	if (s != EFI_SUCCESS) {
		fail("NETFLOOR-ERROR tftp size ", s);
		return s;
	}
	if (!(buf = alloc(size)))
		return EFI_OUT_OF_RESOURCES;
	s = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, buf, FALSE,
		       &size, &block, server, (UINT8 *)FILE_NAME, NULL, FALSE);
	if (s != EFI_SUCCESS)
		fail("NETFLOOR-ERROR tftp read ", s);
	*got = size;
	return s;
}

/* Starts a request or response on token and polls http until it is done:
 * its status. */
static EFI_STATUS call(struct efi_http *http,
		       EFI_STATUS (EFIAPI *op)(struct efi_http *,
					       struct http_token *),
		       struct http_token *token)
{
	EFI_STATUS s;

	token->status = EFI_NOT_READY;
	s = op(http, token);
	if (s != EFI_SUCCESS)
		return s;
	while (bs->CheckEvent(token->event) != EFI_SUCCESS)
		http->poll(http);
	return token->status;
}

static UINT64 parse_length(struct http_message *msg)
{
	UINT64 n = 0;
	UINTN i;

	for (i = 0; i < msg->n_headers; i++) {
		const CHAR8 *k = msg->headers[i].name, *v;
		const char *want = "content-length";
		UINTN j = 0;

		while (want[j] && (k[j] | 0x20) == want[j])
			j++;
		if (want[j] || k[j])
			continue;
		for (v = msg->headers[i].value; *v >= '0' && *v <= '9'; v++)
			n = n * 10 + (*v - '0');
		return n;
	}
	return 0;
}

static EFI_STATUS by_http(EFI_PXE_BASE_CODE *pxe, EFI_HANDLE pxe_handle,
			  EFI_IP_ADDRESS *server, UINT64 *got)
{
	struct efi_sb *sb = nic_protocol(pxe_handle, &http_sb_guid);
	struct http_access4 v4 = { FALSE };
	struct http_config cfg = { 1, 0, FALSE, &v4 };
	char host[16];
	UINT8 *ip = server->v4.Addr;
	CHAR16 url[64];
	struct http_header hdr = { (CHAR8 *)"Host", (CHAR8 *)host };
	struct http_request_data req = { 0, url };
	UINT32 status = 0;
	struct http_message msg = { &req, 1, &hdr, 0, NULL };
	struct http_token token = { NULL, EFI_NOT_READY, &msg };
	struct efi_http *http;
	EFI_HANDLE child = NULL;
	UINT64 size;
	UINT8 *buf;
	UINTN i, n = 0;
	EFI_STATUS s;

	if (!sb) {
		fail("NETFLOOR-ERROR no HTTP service binding ", EFI_UNSUPPORTED);
		return EFI_UNSUPPORTED;
	}
	for (i = 0; i < 4; i++) {
		UINT8 b = ip[i];

		if (b >= 100)
			host[n++] = '0' + b / 100;
		if (b >= 10)
			host[n++] = '0' + b / 10 % 10;
		host[n++] = '0' + b % 10;
		host[n++] = i < 3 ? '.' : 0;
	}
	for (i = 0; "http://"[i]; i++)
		url[i] = "http://"[i];
	for (n = 0; host[n]; n++)
		url[i++] = host[n];
	for (n = 0; ("/" FILE_NAME)[n]; n++)
		url[i++] = ("/" FILE_NAME)[n];
	url[i] = 0;
	v4.local = pxe->Mode->StationIp.v4;
	v4.subnet = pxe->Mode->SubnetMask.v4;
	s = sb->create(sb, &child);
	if (s == EFI_SUCCESS)
		s = bs->HandleProtocol(child, &http_guid, (void **)&http);
	if (s == EFI_SUCCESS)
		s = http->configure(http, &cfg);
	if (s == EFI_SUCCESS)
		s = bs->CreateEvent(0, 0, NULL, NULL, &token.event);
	if (s == EFI_SUCCESS)
		s = call(http, http->request, &token);
	if (s != EFI_SUCCESS) {
		fail("NETFLOOR-ERROR http request ", s);
		return s;
	}
	msg = (struct http_message){ &status, 0, NULL, 0, NULL };
	s = call(http, http->response, &token);
	if (s != EFI_SUCCESS || !(size = parse_length(&msg))) {
		fail("NETFLOOR-ERROR http response (no length?) ", s);
		return s != EFI_SUCCESS ? s : EFI_PROTOCOL_ERROR;
	}
	if (!(buf = alloc(size)))
		return EFI_OUT_OF_RESOURCES;
	for (*got = 0; *got < size;) {
		msg = (struct http_message){ NULL, 0, NULL, size - *got,
					     buf + *got };
		s = call(http, http->response, &token);
		if (s != EFI_SUCCESS) {
			fail("NETFLOOR-ERROR http body ", s);
			return s;
		}
		*got += msg.body_len;
	}
	return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *li;
	EFI_PXE_BASE_CODE *pxe;
	EFI_PXE_BASE_CODE_DHCPV4_PACKET *pkt;
	EFI_IP_ADDRESS server;
	UINT64 got = 0;
	EFI_STATUS s;
	BOOLEAN http = FALSE;
	UINTN i;

	st = systab;
	bs = st->BootServices;
	s = bs->HandleProtocol(image, &loaded_image_guid, (void **)&li);
	if (s == EFI_SUCCESS)
		s = bs->HandleProtocol(li->DeviceHandle, &pxe_guid,
				       (void **)&pxe);
	if (s != EFI_SUCCESS || !pxe->Mode->DhcpAckReceived) {
		fail("NETFLOOR-ERROR not PXE-booted ", s);
		goto off;
	}
	pkt = pxe->Mode->ProxyOfferReceived ?
	      &pxe->Mode->ProxyOffer.Dhcpv4 : &pxe->Mode->DhcpAck.Dhcpv4;
	server = (EFI_IP_ADDRESS){ 0 };
	for (i = 0; i < 4; i++)
		server.v4.Addr[i] = pkt->BootpSiAddr[i];
	for (i = 0; i + 4 <= sizeof(pkt->BootpBootFile) &&
	     pkt->BootpBootFile[i]; i++)
		if (pkt->BootpBootFile[i] == 'h' &&
		    pkt->BootpBootFile[i + 1] == 't' &&
		    pkt->BootpBootFile[i + 2] == 't' &&
		    pkt->BootpBootFile[i + 3] == 'p')
			http = TRUE;
	say("NETFLOOR-START", -1);
	s = http ? by_http(pxe, li->DeviceHandle, &server, &got) :
	    by_tftp(pxe, li->DeviceHandle, &server, &got);
	if (s == EFI_SUCCESS)
		say("NETFLOOR-DONE bytes ", (INT64)got);
	else if (s == EFI_OUT_OF_RESOURCES)
		fail("NETFLOOR-ERROR out of memory ", s);
off:
	st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0,
					 NULL);
	return s;
}
