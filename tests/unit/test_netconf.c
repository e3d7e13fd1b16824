/*
 * Tests for net/netconf.c: the order of the config names a netbooted baton
 * tries, with and without options 209 and 210, a MAC and an address; that
 * every name reads as a path; and out-of-memory.
 */
#include "tests/unit/helpers.h"
#include "net/netconf.h"
#include "fs/path.h"
#include "firmware/host/host.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0xAB, 0xcd };

/* The eight names from 10.0.2.15 in folder D. */
#define IP_NAMES(D) \
	D "baton.conf-0A00020F", D "baton.conf-0A00020", \
	D "baton.conf-0A0002", D "baton.conf-0A000", D "baton.conf-0A00", \
	D "baton.conf-0A0", D "baton.conf-0A", D "baton.conf-0"
#define MAC_NAME(D) D "baton.conf-01-52-54-00-12-ab-cd"

struct search_case {
	const char *cfg;	/* option 209 */
	const char *prefix;	/* option 210 */
	bool station, mac;	/* 10.0.2.15, the MAC above */
	const char *self_dir;
	const char *names[NETCONF_MAX + 1];	/* NULL-terminated */
};

static const struct search_case cases[] = {
	/* No options: baton's folder. */
	{ "", "", true, true, "/",
	  { MAC_NAME("/"), IP_NAMES("/"), "/baton.conf" } },
	{ "", "", true, true, "/pxe/",
	  { MAC_NAME("/pxe/"), IP_NAMES("/pxe/"), "/pxe/baton.conf" } },
	/* 209 relative: to baton's folder, or to 210. */
	{ "lab/x.conf", "", true, true, "/pxe/",
	  { "/pxe/lab/x.conf", MAC_NAME("/pxe/"), IP_NAMES("/pxe/"),
	    "/pxe/baton.conf" } },
	{ "lab/x.conf", "/boot/", true, true, "/pxe/",
	  { "/boot/lab/x.conf", MAC_NAME("/boot/"), IP_NAMES("/boot/"),
	    "/boot/baton.conf" } },
	/* 209 absolute: the prefix does not apply to it. */
	{ "/abs.conf", "/boot/", false, false, "/pxe/",
	  { "/abs.conf", "/boot/baton.conf" } },
	{ "http://10.0.0.1/x.conf", "/boot/", false, false, "/pxe/",
	  { "http://10.0.0.1/x.conf", "/boot/baton.conf" } },
	{ "tftp:/x.conf", "", false, false, "/pxe/",
	  { "tftp:/x.conf", "/pxe/baton.conf" } },
	{ "TFTP://srv/x.conf", "", false, false, "/pxe/",
	  { "TFTP://srv/x.conf", "/pxe/baton.conf" } },
	/* 210 a URL, with and without its '/'. */
	{ "", "http://10.0.0.1/baton/", true, true, "/pxe/",
	  { MAC_NAME("http://10.0.0.1/baton/"),
	    IP_NAMES("http://10.0.0.1/baton/"),
	    "http://10.0.0.1/baton/baton.conf" } },
	{ "menu.conf", "http://10.0.0.1/baton", false, false, "/pxe/",
	  { "http://10.0.0.1/baton/menu.conf",
	    "http://10.0.0.1/baton/baton.conf" } },
	/* 210 a folder without its '/'; relative, inside baton's. */
	{ "", "/boot", false, true, "/",
	  { MAC_NAME("/boot/"), "/boot/baton.conf" } },
	{ "", "tftp:/boot", false, false, "/",
	  { "tftp:/boot/baton.conf" } },
	{ "", "sub", false, false, "/pxe/", { "/pxe/sub/baton.conf" } },
	{ "c", "sub/", false, false, "/pxe/",
	  { "/pxe/sub/c", "/pxe/sub/baton.conf" } },
	/* No MAC, no address. */
	{ "", "", true, false, "/",
	  { IP_NAMES("/"), "/baton.conf" } },
	{ "", "", false, false, "/", { "/baton.conf" } },
	/* A folder given without its '/'. */
	{ "", "", false, false, "/pxe", { "/pxe/baton.conf" } },
};

static void fill(struct dhcp_boot *b, const struct search_case *c)
{
	static const uint8_t ip[4] = { 10, 0, 2, 15 };

	memset(b, 0, sizeof(*b));
	if (c->station)
		memcpy(b->station, ip, 4);
	strcpy(b->config_file, c->cfg);
	strcpy(b->path_prefix, c->prefix);
}

static void assert_names(const struct netconf_list *l, const char *const *want)
{
	size_t i;

	for (i = 0; i < l->n && want[i]; i++)
		assert_string_equal(l->names[i], want[i]);
	if (l->n != i || want[i])
		fail_msg("%zu names, expected more or fewer (next: '%s')",
			 l->n, want[i] ? want[i] : l->names[i]);
}

static void test_search_order(void **state)
{
	struct netconf_list l;
	struct dhcp_boot b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct search_case *c = &cases[i];

		fill(&b, c);
		assert_int_equal(netconf_candidates(&b, mac, c->mac ? 6 : 0,
						    c->self_dir, &l), 0);
		assert_names(&l, c->names);
		netconf_free(&l);
		assert_int_equal(l.n, 0);
	}
}

/* The most there can be, and an address whose hex has letters and zeros. */
static void test_most_names(void **state)
{
	static const uint8_t ip[4] = { 192, 168, 0, 10 };
	static const char *const want[] = {
		"/c.conf", MAC_NAME("/"), "/baton.conf-C0A8000A",
		"/baton.conf-C0A8000", "/baton.conf-C0A800",
		"/baton.conf-C0A80", "/baton.conf-C0A8", "/baton.conf-C0A",
		"/baton.conf-C0", "/baton.conf-C", "/baton.conf", NULL,
	};
	struct netconf_list l;
	struct dhcp_boot b;

	memset(&b, 0, sizeof(b));
	memcpy(b.station, ip, 4);
	strcpy(b.config_file, "c.conf");
	assert_int_equal(netconf_candidates(&b, mac, 6, "/", &l), 0);
	assert_true(l.n <= NETCONF_MAX);
	assert_names(&l, want);
	netconf_free(&l);
}

/* A longer hardware address gets all its bytes. */
static void test_long_mac(void **state)
{
	static const uint8_t ib[20] = { 0x80, 0, 0x02, 0x08, [19] = 0xff };
	struct netconf_list l;
	struct dhcp_boot b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(netconf_candidates(&b, ib, sizeof(ib), "/", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.names[0], "/baton.conf-01-80-00-02-08-00-00-00-"
			    "00-00-00-00-00-00-00-00-00-00-00-00-ff");
	netconf_free(&l);
}

/* Every name reads as a path, against baton's own path on the server. */
static void test_names_are_paths(void **state)
{
	struct netconf_list l;
	struct dhcp_boot b;
	struct path self, p;
	char err[128];
	size_t i, j;

	assert_int_equal(path_parse("tftp:/pxe/baton.efi", NULL, &self, err,
				    sizeof(err)), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fill(&b, &cases[i]);
		assert_int_equal(netconf_candidates(&b, mac, 6,
						    cases[i].self_dir, &l), 0);
		for (j = 0; j < l.n; j++) {
			if (path_parse(l.names[j], &self, &p, err, sizeof(err)))
				fail_msg("'%s': %s", l.names[j], err);
			path_free(&p);
		}
		netconf_free(&l);
	}
	path_free(&self);
}

/* Every allocation failure is BT_ENOMEM with an empty list, nothing
 * leaked; past the last allocation the full list comes out. */
static void test_oom(void **state)
{
	const struct search_case *c = &cases[3];	/* 209, 210, MAC, IP */
	struct netconf_list l;
	struct dhcp_boot b;
	long n, live = host_alloc_live();
	int rc;

	fill(&b, c);
	for (n = 0; n < 20; n++) {
		host_alloc_fail_after(n);
		rc = netconf_candidates(&b, mac, 6, c->self_dir, &l);
		host_alloc_fail_after(-1);
		if (rc == 0) {
			assert_true(n >= 12);	/* folder and 11 names */
			assert_names(&l, c->names);
			netconf_free(&l);
			break;
		}
		assert_int_equal(rc, BT_ENOMEM);
		assert_int_equal(l.n, 0);
		assert_int_equal(host_alloc_live(), live);
	}
	assert_int_equal(n, 12);
	assert_int_equal(host_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_most_names),
		cmocka_unit_test(test_long_mac),
		cmocka_unit_test(test_names_are_paths),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
