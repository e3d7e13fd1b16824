/*
 * The netboot config search (net/netconf.h): the names are built as path
 * texts, so the same path_parse() that reads a config's paths decides what
 * a URL, a "tftp:" path or a plain folder means.
 */
#include "net/netconf.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define CONF_NAME "baton.conf"

/* A name that stands on its own: "/x", "tftp:x", "http://h/x". */
static bool is_absolute(const char *s)
{
	const char *c;

	if (s[0] == '/' || str_ncasecmp(s, "tftp:", 5) == 0)
		return true;
	for (c = s; *c; c++)
		if (strncmp(c, "://", 3) == 0)
			return true;
	return false;
}

/* Keep name (a new allocation, NULL when there was no memory). */
static int add(struct netconf_list *l, char *name)
{
	if (!name)
		return BT_ENOMEM;
	l->names[l->n++] = name;
	return 0;
}

/* "<dir>baton.conf-01-xx-xx-...": the hardware type (1, Ethernet) and
 * the address in lower-case hex. */
static char *mac_name(const char *dir, const uint8_t *mac, size_t mac_len)
{
	size_t cap = strlen(dir) + sizeof(CONF_NAME "-01") + 3 * mac_len, n, i;
	char *s = bt_alloc(cap);

	if (!s)
		return NULL;
	n = fmt_buf(s, cap, "%s" CONF_NAME "-01", dir);
	for (i = 0; i < mac_len; i++)
		n += fmt_buf(s + n, cap - n, "-%02x", mac[i]);
	return s;
}

/* The names after option 209, all in the folder dir. */
static int add_in_folder(struct netconf_list *l, const char *dir,
			 const struct dhcp_boot *b, const uint8_t *mac,
			 size_t mac_len)
{
	uint32_t ip = get32be(b->station);
	char hex[9];
	int k, rc = 0;

	if (mac_len)
		rc = add(l, mac_name(dir, mac, mac_len));
	if (ip) {
		fmt_buf(hex, sizeof(hex), "%08X", ip);
		for (k = 8; k > 0 && !rc; k--)
			rc = add(l, fmt_alloc("%s" CONF_NAME "-%.*s", dir, k, hex));
	}
	return rc ? rc : add(l, fmt_alloc("%s" CONF_NAME, dir));
}

int netconf_candidates(const struct dhcp_boot *b, const uint8_t *mac,
		       size_t mac_len, const char *self_dir,
		       struct netconf_list *out)
{
	const char *pre = b->path_prefix, *cf = b->config_file;
	/* Option 210 names the folder: on its own when it is absolute,
	 * else inside baton's; whichever text ends the folder's name
	 * gets the '/' it may lack. */
	const char *base = is_absolute(pre) ? "" : self_dir;
	const char *last = pre[0] ? pre : base;
	size_t ll = strlen(last);
	char *dir = fmt_alloc("%s%s%s", base, pre,
			      ll && last[ll - 1] == '/' ? "" : "/");
	int rc = BT_ENOMEM;

	out->n = 0;
	if (dir) {
		rc = 0;
		if (cf[0])
			rc = add(out, is_absolute(cf) ? str_dup(cf) :
				 fmt_alloc("%s%s", dir, cf));
		if (!rc)
			rc = add_in_folder(out, dir, b, mac, mac_len);
	}
	bt_free(dir);
	if (rc)
		netconf_free(out);
	return rc;
}

void netconf_free(struct netconf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		bt_free(l->names[i]);
	l->n = 0;
}
