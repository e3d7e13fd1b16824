/* The host network service: servers whose files the test lists. */
#include "firmware/host/host.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

struct fw_http {
	const struct host_net_file *file;
	size_t sent;
};

bool fw_netboot(struct fw *fw, struct fw_netboot *out)
{
	*out = fw->netboot;
	return fw->netboot.pxe || fw->netboot.http;
}

int fw_net_up(struct fw *fw, char *err, size_t errlen)
{
	fw->net_was_up = true;
	if (fw->net_up_error)
		fmt_buf(err, errlen, "no DHCP answer on the network card");
	return fw->net_up_error;
}

void *fw_net_device(struct fw *fw)
{
	return fw->net_was_up ? &fw->netboot : NULL;
}

static const struct host_net_file *find(struct fw *fw, const char *url)
{
	const struct host_net_file *f;

	for (f = fw->net_files; f && f->url; f++)
		if (!strcmp(f->url, url))
			return f;
	return NULL;
}

static const struct host_net_file *tftp_find(struct fw *fw,
					     const uint8_t ip[4],
					     const char *file)
{
	char url[300];

	fmt_buf(url, sizeof(url), "tftp://%u.%u.%u.%u/%s", ip[0], ip[1], ip[2],
		ip[3], file);
	return find(fw, url);
}

int fw_tftp_size(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, uint64_t *size, char *why, size_t whylen)
{
	const struct host_net_file *f = tftp_find(fw, server, file);
	int rc = fw_net_up(fw, why, whylen);

	if (rc)
		return rc;
	if (!f) {
		fmt_buf(why, whylen, "TFTP error 1: File not found");
		return BT_ENOENT;
	}
	*size = f->len;
	return f->no_tsize ? BT_EUNSUPP : 0;
}

int fw_tftp_read(struct fw *fw, const uint8_t server[4], uint16_t port,
		 const char *file, void *buf, uint64_t *len,
		 void (*tick)(void *ctx, uint64_t done), void *ctx, char *why,
		 size_t whylen)
{
	const struct host_net_file *f = tftp_find(fw, server, file);

	fw->net_requests++;
	if (!f) {
		fmt_buf(why, whylen, "TFTP error 1: File not found");
		return BT_ENOENT;
	}
	if (*len < f->len || !buf) {
		*len = f->len;
		return BT_ETOOBIG;
	}
	memcpy(buf, f->body, f->len);
	*len = f->len;
	if (tick)
		tick(ctx, f->len);
	return 0;
}

int fw_http_get(struct fw *fw, const char *host, uint16_t port,
		const char *target, struct http_head *head,
		struct fw_http **out, char *why, size_t whylen)
{
	char url[300];
	const struct host_net_file *f;
	const char *h;
	int rc = fw_net_up(fw, why, whylen);

	*out = NULL;
	if (rc)
		return rc;
	fw->net_requests++;
	if (port == 80)
		fmt_buf(url, sizeof(url), "http://%s%s", host, target);
	else
		fmt_buf(url, sizeof(url), "http://%s:%u%s", host, port, target);
	f = find(fw, url);
	if (!f) {
		fmt_buf(why, whylen, "connection refused");
		return BT_EIO;
	}
	http_head_init(head, f->status);
	for (h = f->headers; h && *h;) {
		const char *nl = strchr(h, '\n'), *colon = strchr(h, ':');
		char *name, *value;

		if (!nl)
			nl = h + strlen(h);
		name = str_ndup(h, (size_t)(colon - h));
		value = str_ndup(colon + 1, (size_t)(nl - colon - 1));
		rc = name && value ? http_head_add(head, name, value, why,
						   whylen) : BT_ENOMEM;
		bt_free(name);
		bt_free(value);
		if (rc)
			return rc;
		h = *nl ? nl + 1 : nl;
	}
	*out = bt_zalloc(sizeof(**out));
	if (!*out)
		return BT_ENOMEM;
	(*out)->file = f;
	return 0;
}

int fw_http_read(struct fw_http *c, void *buf, size_t len, size_t *got,
		 uint32_t stall_ms, char *why, size_t whylen)
{
	const struct host_net_file *f = c->file;
	size_t end = f->close_at ? f->close_at : f->len;

	*got = 0;
	if (c->sent >= end && f->stall) {
		fmt_buf(why, whylen, "no data from the server for %u s",
			stall_ms / 1000);
		return BT_ETIMEOUT;
	}
	if (c->sent >= end)
		return 0;
	if (len > end - c->sent)
		len = end - c->sent;
	if (f->piece && len > f->piece)
		len = f->piece;
	memcpy(buf, f->body + c->sent, len);
	c->sent += len;
	*got = len;
	return 0;
}

void fw_http_close(struct fw_http *c)
{
	bt_free(c);
}
