/*
 * The UEFI HTTP protocol and the service binding that makes its children
 * (UEFI 2.5 section 29.6), as much as baton and bench/netfloor.c use:
 * GNU-EFI 3.0.15 has no header for them.
 */
#ifndef BATON_EFI_HTTP_H
#define BATON_EFI_HTTP_H

#include <efi.h>

#define EFI_HTTP_SB_GUID { 0xbdc8e6af, 0xd9bc, 0x4379, \
	{ 0xa7, 0x2a, 0xe0, 0xc4, 0xe7, 0x5d, 0xae, 0x1c } }
#define EFI_HTTP_GUID { 0x7a59b29b, 0x910b, 0x4171, \
	{ 0x82, 0x42, 0xa8, 0x5a, 0x0d, 0xf2, 0x5b, 0x5b } }

#define EFI_HTTP_ERROR		EFIERR(35)
#define EFI_CONNECTION_FIN	EFIERR(104)
#define EFI_CONNECTION_RESET	EFIERR(105)
#define EFI_CONNECTION_REFUSED	EFIERR(106)

struct http_access4 {
	BOOLEAN use_default;
	EFI_IPv4_ADDRESS local, subnet;
	UINT16 port;
};

struct http_config {
	UINT32 version;		/* 1: HTTP/1.1 */
	UINT32 timeout_ms;
	BOOLEAN ipv6;
	struct http_access4 *v4;
};

struct http_header {
	CHAR8 *name, *value;
};

struct http_request_data {
	UINT32 method;		/* 0: GET */
	CHAR16 *url;
};

struct http_message {
	void *data;		/* request or response (a status) data */
	UINTN n_headers;
	struct http_header *headers;
	UINTN body_len;
	void *body;
};

struct http_token {
	EFI_EVENT event;
	EFI_STATUS status;
	struct http_message *msg;
};

struct efi_http;
struct efi_http {
	EFI_STATUS (EFIAPI *get_mode)(struct efi_http *, void *);
	EFI_STATUS (EFIAPI *configure)(struct efi_http *, struct http_config *);
	EFI_STATUS (EFIAPI *request)(struct efi_http *, struct http_token *);
	EFI_STATUS (EFIAPI *cancel)(struct efi_http *, struct http_token *);
	EFI_STATUS (EFIAPI *response)(struct efi_http *, struct http_token *);
	EFI_STATUS (EFIAPI *poll)(struct efi_http *);
};

/* A service binding: creates and destroys a protocol's children. */
struct efi_sb {
	EFI_STATUS (EFIAPI *create)(struct efi_sb *, EFI_HANDLE *);
	EFI_STATUS (EFIAPI *destroy)(struct efi_sb *, EFI_HANDLE);
};

#endif
