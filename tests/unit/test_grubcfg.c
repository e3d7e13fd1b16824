/*
 * Unit tests for the GRUB script subset (config/grubcfg.c) and the ISO
 * menus built from it (config/isomenu.c): the loopback.cfg styles the
 * distributions ship, every construct that is reported instead of run,
 * the parameters that let an initramfs find its ISO again, menus from
 * known layouts, an ISO's own loader, a folder of ISO files, and (where
 * xorriso is installed) a real ISO 9660 image read through fs/iso9660.c.
 */
#include "tests/unit/helpers.h"
#include "tests/unit/memvol.h"
#include "config/grubcfg.h"
#include "config/isomenu.h"
#include "firmware/host/host.h"
#include "fs/driver.h"
#include <unistd.h>

static const struct grubcfg_env env_iso = { "/isos/debian.iso", NULL,
					    "1234-ABCD" };

static void print_diags(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_diags; i++)
		print_message("  diag: %s\n", cfg->diags[i]);
}

/* Parse text; the diagnostics stay in *notes for the caller. */
static void parse(const char *text, const struct grubcfg_env *env,
		  struct grubcfg *g, struct config *notes)
{
	memset(g, 0, sizeof(*g));
	config_init(notes);
	assert_int_equal(grubcfg_parse("loopback.cfg", text, strlen(text),
				       env, g, notes), 0);
}

/* Some diagnostic contains want. */
static void expect_diag(const struct config *notes, const char *want)
{
	size_t i;

	for (i = 0; i < notes->n_diags; i++)
		if (strstr(notes->diags[i], want))
			return;
	print_diags(notes);
	fail_msg("no diagnostic containing \"%s\"", want);
}

static void expect_no_diags(const struct config *notes)
{
	if (notes->n_diags) {
		print_diags(notes);
		fail_msg("%zu unexpected diagnostics", notes->n_diags);
	}
}

static void test_debian_live_loopback(void **state)
{
	/* The shape of Debian live's /boot/grub/loopback.cfg. */
	static const char text[] =
		"source /boot/grub/config.cfg\n"
		"menuentry \"Live system (amd64)\" --hotkey=l {\n"
		"\tlinux\t/live/vmlinuz-6.1.0-18-amd64 boot=live components "
		"findiso=${iso_path} quiet splash\n"
		"\tinitrd\t/live/initrd.img-6.1.0-18-amd64\n"
		"}\n"
		"menuentry 'Live system (amd64 fail-safe mode)' {\n"
		"  linux /live/vmlinuz boot=live components memtest noapic \\\n"
		"     noapm nodma\n"
		"  initrd /live/initrd.img\n"
		"}\n";
	struct grubcfg g;
	struct config notes;

	parse(text, &env_iso, &g, &notes);
	assert_int_equal(g.n_entries, 2);
	assert_string_equal(g.entries[0].title, "Live system (amd64)");
	assert_string_equal(g.entries[0].kernel, "/live/vmlinuz-6.1.0-18-amd64");
	assert_string_equal(g.entries[0].args, "boot=live components "
			    "findiso=/isos/debian.iso quiet splash");
	assert_int_equal(g.entries[0].n_initrds, 1);
	assert_string_equal(g.entries[0].initrds[0],
			    "/live/initrd.img-6.1.0-18-amd64");
	assert_int_equal(g.entries[0].line, 2);
	assert_string_equal(g.entries[1].title,
			    "Live system (amd64 fail-safe mode)");
	assert_string_equal(g.entries[1].args, "boot=live components memtest "
			    "noapic noapm nodma");
	assert_int_equal(g.entries[1].line, 6);
	/* "source" is reported with its line, not run. */
	assert_int_equal(notes.n_diags, 1);
	assert_string_equal(notes.diags[0], "loopback.cfg:1: 'source' is not "
			    "understood (baton reads a subset of GRUB script, "
			    "see docs/config.md)");
	grubcfg_free(&g);
	config_free(&notes);
}

static void test_variables_and_quoting(void **state)
{
	static const char text[] =
		"set timeout=5   # a comment\n"
		"set gfxpayload=keep\n"
		"kdir=/casper; opts=\"boot=casper quiet\"\n"
		"menuentry \"Try ${dist:-x} 'Ubuntu'\" --class ubuntu {\n"
		"\tset extra=\"maybe-ubiquity\"\n"
		"\tlinux ($root)$kdir/vmlinuz $opts $extra iso-scan/filename="
		"$iso_path 'a b' \\$literal ---\n"
		"\tinitrdefi (loop)$kdir/initrd.lz $kdir/extra.img\n"
		"}\n"
		"menuentry \"after\" { linux16 /casper/vmlinuz ${extra}x; }\n";
	struct grubcfg g;
	struct config notes;

	parse(text, &env_iso, &g, &notes);
	expect_no_diags(&notes);
	assert_int_equal(g.n_entries, 2);
	/* ${dist:-x} is a variable with that odd name: empty. */
	assert_string_equal(g.entries[0].title, "Try  'Ubuntu'");
	assert_string_equal(g.entries[0].kernel, "/casper/vmlinuz");
	assert_string_equal(g.entries[0].args,
			    "\"boot=casper quiet\" maybe-ubiquity "
			    "iso-scan/filename=/isos/debian.iso \"a b\" "
			    "$literal ---");
	assert_int_equal(g.entries[0].n_initrds, 2);
	assert_string_equal(g.entries[0].initrds[0], "/casper/initrd.lz");
	assert_string_equal(g.entries[0].initrds[1], "/casper/extra.img");
	/* extra was set inside the first entry: gone after it. */
	assert_string_equal(g.entries[1].args, "x");
	grubcfg_free(&g);
	config_free(&notes);
}

/* A variable set in a block that has closed leaves no trace, even when
 * its slot is reused (a double free the fuzzer found). */
static void test_scope_reuse(void **state)
{
	static const char text[] = "submenu a { e=1 }\na=2\n"
				   "menuentry m { linux /k $a$e; }\n";
	struct grubcfg g;
	struct config notes;

	parse(text, &env_iso, &g, &notes);
	expect_no_diags(&notes);
	assert_int_equal(g.n_entries, 1);
	assert_string_equal(g.entries[0].args, "2");
	grubcfg_free(&g);
	config_free(&notes);
}

static void test_submenus_and_search(void **state)
{
	/* Fedora/Arch style: the ISO's host found by search, its UUID by
	 * probe; entries nested in a submenu get its title as a prefix. */
	static const char text[] =
		"search --no-floppy --set=isodev --file \"$iso_path\"\n"
		"probe --set isouuid --fs-uuid ($isodev)\n"
		"search --set=root --label ARCH_202412\n"
		"submenu 'Advanced' {\n"
		"  menuentry 'Arch (copytoram)' {\n"
		"    linux /arch/boot/x86_64/vmlinuz-linux archisobasedir=arch "
		"img_dev=UUID=${isouuid} img_loop=\"${iso_path}\" copytoram\n"
		"    initrd /arch/boot/intel-ucode.img "
		"/arch/boot/x86_64/initramfs-linux.img\n"
		"  }\n"
		"}\n";
	static const struct grubcfg_env no_uuid = { "/isos/arch.iso", NULL,
						    NULL };
	struct grubcfg g;
	struct config notes;

	parse(text, &env_iso, &g, &notes);
	expect_no_diags(&notes);
	assert_int_equal(g.n_entries, 1);
	assert_string_equal(g.entries[0].title, "Advanced > Arch (copytoram)");
	assert_string_equal(g.entries[0].args, "archisobasedir=arch img_dev="
			    "UUID=1234-ABCD img_loop=/isos/debian.iso copytoram");
	assert_int_equal(g.entries[0].n_initrds, 2);
	grubcfg_free(&g);
	config_free(&notes);

	parse(text, &no_uuid, &g, &notes);
	expect_diag(&notes, "loopback.cfg:2: probe: the volume holding the "
		    "ISO has no file-system UUID");
	assert_int_equal(g.n_entries, 1);
	assert_string_equal(g.entries[0].title, "Advanced > Arch (copytoram)");
	assert_string_equal(g.entries[0].args, "archisobasedir=arch img_dev="
			    "UUID= img_loop=/isos/arch.iso copytoram");
	grubcfg_free(&g);
	config_free(&notes);
}

static void test_probe_fills_uuid(void **state)
{
	static const struct grubcfg_env env = { "/isos/arch.iso", NULL,
						"2024-12-01-10-00-00-00" };
	static const char text[] =
		"search --set=isodev --file $iso_path\n"
		"probe -s isouuid -u ($isodev)\n"
		"menuentry A { linux /k img_dev=/dev/disk/by-uuid/$isouuid; }\n";
	struct grubcfg g;
	struct config notes;

	parse(text, &env, &g, &notes);
	expect_no_diags(&notes);
	assert_int_equal(g.n_entries, 1);
	assert_string_equal(g.entries[0].args, "img_dev=/dev/disk/by-uuid/"
			    "2024-12-01-10-00-00-00");
	grubcfg_free(&g);
	config_free(&notes);
}

static void test_not_understood(void **state)
{
	/* Each construct baton does not run is reported at its line; the
	 * entries around it are still read. */
	static const char text[] =
		"if [ \"${grub_platform}\" = \"efi\" ]; then\n"	/* 1 */
		"  menuentry 'inside if' { linux /k; }\n"
		"  if true; then echo; fi\n"
		"fi\n"
		"function f { linux /x; }\n"			/* 5 */
		"menuentry 'one' {\n"
		"  linux (hd0,1)/vmlinuz\n"			/* 7 */
		"  linux vmlinuz\n"				/* 8 */
		"  chainloader /efi/boot/bootx64.efi\n"		/* 9 */
		"}\n"
		"menuentry 'two' {\n"				/* 11 */
		"  for x in a b; do echo $x; done\n"		/* 12 */
		"  linux /two args\n"
		"}\n"
		"linux /outside\n"				/* 15 */
		"menuentry 'three'\n"				/* 16 */
		"menuentry {\n"					/* 17 */
		"}\n"
		"}\n"						/* 19 */
		"menuentry 'four' { linux /four \"open\n"	/* 20 */
		"}\n";
	struct grubcfg g;
	struct config notes;

	parse(text, &env_iso, &g, &notes);
	print_diags(&notes);
	assert_int_equal(g.n_entries, 1);
	assert_string_equal(g.entries[0].title, "two");
	assert_string_equal(g.entries[0].kernel, "/two");
	expect_diag(&notes, ":1: 'if' is not understood");
	expect_diag(&notes, ":5: 'function' is not understood");
	expect_diag(&notes, ":7: '(hd0,1)/vmlinuz' names a GRUB device other "
		    "than the ISO");
	expect_diag(&notes, ":8: 'vmlinuz' is not an absolute path");
	expect_diag(&notes, ":9: 'chainloader' is not understood");
	expect_diag(&notes, ":6: menu entry 'one' is left out: it has no "
		    "'linux' line baton understands");
	expect_diag(&notes, ":12: 'for' is not understood");
	expect_diag(&notes, ":15: 'linux' outside a menuentry");
	expect_diag(&notes, ":16: 'menuentry' needs '{' on its line");
	expect_diag(&notes, ":17: 'menuentry' needs a title");
	expect_diag(&notes, ":19: '}' without an open block");
	expect_diag(&notes, ":20: a quote is not closed");
	expect_diag(&notes, "the file ends inside a block");
	/* "inside if" was skipped with its if-block, never guessed. */
	grubcfg_free(&g);
	config_free(&notes);
}

static void test_limits(void **state)
{
	char *text = malloc(200000), *p = text;
	struct grubcfg g;
	struct config notes;
	int i;

	p += sprintf(p, "menuentry x { initrd /1 /2 /3 /4 /5 /6 /7 /8 /9; }\n");
	for (i = 0; i < GRUBCFG_MAX_ENTRIES + 5; i++)
		p += sprintf(p, "menuentry e%d { linux /k%d; }\n", i, i);
	for (i = 0; i < GRUBCFG_MAX_DEPTH + 1; i++)
		p += sprintf(p, "submenu s%d {\n", i);
	for (i = 0; i < GRUBCFG_MAX_DEPTH + 1; i++)
		p += sprintf(p, "}\n");
	p += sprintf(p, "set");
	for (i = 0; i < GRUBCFG_MAX_WORDS + 1; i++)
		p += sprintf(p, " w");
	p += sprintf(p, "\n");
	for (i = 0; i < GRUBCFG_MAX_VARS + 1; i++)
		p += sprintf(p, "v%d=1\n", i);
	parse(text, &env_iso, &g, &notes);
	assert_int_equal(g.n_entries, GRUBCFG_MAX_ENTRIES);
	assert_string_equal(g.entries[GRUBCFG_MAX_ENTRIES - 1].kernel, "/k63");
	expect_diag(&notes, "more than 64 menu entries: the rest are left out");
	expect_diag(&notes, "blocks nested more than 8 deep");
	expect_diag(&notes, "words; it is skipped");
	expect_diag(&notes, "more than 64 variables");
	expect_diag(&notes, "more than 8 initrds on one line");
	grubcfg_free(&g);
	config_free(&notes);
	free(text);
}

/* -- isomenu -------------------------------------------------------------- */

static void expect_args(const char *kernel, const char *args,
			const struct isomenu_facts *f, const char *want,
			const char *want_unfilled)
{
	const char *unfilled;
	char *out;

	assert_int_equal(isomenu_fix_args(kernel, args, f, &out, &unfilled), 0);
	if (strcmp(out, want))
		fail_msg("%s '%s': got '%s', expected '%s'", kernel, args, out,
			 want);
	if (want_unfilled)
		assert_string_equal(unfilled, want_unfilled);
	else
		assert_null(unfilled);
	bt_free(out);
}

static void test_fix_args(void **state)
{
	static const struct isomenu_facts f = { "/isos/x.iso", "ABCD-1234",
						"X_LIVE" };
	static const struct isomenu_facts nouuid = { "/isos/x.iso", NULL,
						     NULL };

	/* Detected by a word of the command line... */
	expect_args("/casper/vmlinuz", "boot=casper quiet --- splash", &f,
		    "boot=casper quiet iso-scan/filename=/isos/x.iso --- "
		    "splash", NULL);
	expect_args("/live/vmlinuz", "boot=live components", &f,
		    "boot=live components findiso=/isos/x.iso", NULL);
	expect_args("/boot/x86_64/vmlinuz", "archisobasedir=arch", &f,
		    "archisobasedir=arch img_dev=UUID=ABCD-1234 "
		    "img_loop=/isos/x.iso", NULL);
	expect_args("/images/pxeboot/vmlinuz",
		    "root=live:CDLABEL=X rd.live.image", &f,
		    "root=live:CDLABEL=X rd.live.image "
		    "iso-scan/filename=/isos/x.iso", NULL);
	/* ...or by where the kernel is when no word says. */
	expect_args("/live/vmlinuz", "", &f, "findiso=/isos/x.iso", NULL);
	expect_args("/casper/vmlinuz", "quiet", &f,
		    "quiet iso-scan/filename=/isos/x.iso", NULL);
	/* A value already there stays; an empty one is replaced. */
	expect_args("/live/vmlinuz", "boot=live findiso=/other.iso", &f,
		    "boot=live findiso=/other.iso", NULL);
	expect_args("/live/vmlinuz", "boot=live findiso= quiet", &f,
		    "boot=live quiet findiso=/isos/x.iso", NULL);
	/* Unknown distributions are left alone. */
	expect_args("/boot/vmlinuz", "root=/dev/sr0", &f, "root=/dev/sr0",
		    NULL);
	/* No UUID for Arch's img_dev: said, and the rest still filled. */
	expect_args("/arch/boot/x86_64/vmlinuz-linux", "", &nouuid,
		    "img_loop=/isos/x.iso", "img_dev=");
}

static void test_inner(void **state)
{
	struct path boot = { .source = PATH_SRC_BOOT, .file = (char *)"/isos/x.iso" };
	struct path lab = { .source = PATH_SRC_LABEL, .arg = (char *)"USB",
			    .file = (char *)"/x.iso" };
	char *s = isomenu_inner(&boot, "/live/vmlinuz");

	assert_string_equal(s, "iso(boot:/isos/x.iso):/live/vmlinuz");
	bt_free(s);
	s = isomenu_inner(&lab, "/k");
	assert_string_equal(s, "iso(label=USB:/x.iso):/k");
	bt_free(s);
}

/* Build the menu of an ISO made of files[] and check it parses cleanly. */
static char *build(const struct memfile *files, size_t n, const char *label,
		   struct config *notes)
{
	struct memvol iso, host;
	struct path p = { .source = PATH_SRC_BOOT, .file = (char *)"/isos/distro-1.0.iso" };
	struct path origin = { .source = PATH_SRC_BOOT, .file = (char *)"/isos/distro-1.0.iso" };
	struct config cfg;
	char *text;
	size_t len;

	memvol_init(&iso, files, n);
	iso.v.label = (char *)label;
	memvol_init(&host, NULL, 0);
	host.v.fsuuid = "F00D-CAFE";
	config_init(notes);
	assert_int_equal(isomenu_build(&iso.v, &p, &host.v, notes, &text,
				       &len), 0);
	assert_int_equal(len, strlen(text));
	config_init(&cfg);
	assert_int_equal(config_parse(&cfg, &origin, text, len, NULL), 0);
	if (cfg.n_diags) {
		print_message("%s", text);
		print_diags(&cfg);
		fail_msg("the menu text does not parse cleanly");
	}
	config_free(&cfg);
	return text;
}

static void test_build_from_loopback(void **state)
{
	static const struct memfile files[] = {
		{ "/boot", NULL, 0 }, { "/boot/grub", NULL, 0 },
		{ "/boot/grub/loopback.cfg",
		  "menuentry 'Live # one' {\n linux /live/vmlinuz boot=live\n"
		  " initrd /live/initrd.img\n}\n"
		  "menuentry bad { linux /live/vmlinuz boot=live '#x'; }\n", 0 },
		{ "/boot/grub/grub.cfg", "menuentry never { linux /k; }\n", 0 },
		{ "/live", NULL, 0 },
		{ "/EFI", NULL, 0 }, { "/EFI/BOOT", NULL, 0 },
		{ "/EFI/BOOT/BootX64.efi", "MZ", 0 },
	};
	struct config notes;
	char *text = build(files, sizeof(files) / sizeof(files[0]), "DEB",
			   &notes);

	assert_string_equal(text,
		"timeout -1\n"
		"entry iso1\ntitle Live  one\n"
		"linux iso(boot:/isos/distro-1.0.iso):/live/vmlinuz boot=live "
		"findiso=/isos/distro-1.0.iso\n"
		"initrd iso(boot:/isos/distro-1.0.iso):/live/initrd.img\n"
		"entry iso2\ntitle distro-1.0.iso: its own boot loader\n"
		"efi iso(boot:/isos/distro-1.0.iso):/EFI/BOOT/BootX64.efi\n");
	/* A word that would start a comment cannot be written. */
	expect_diag(&notes, "/isos/distro-1.0.iso: entry 'bad': its "
		    "paths or command line cannot be written");
	bt_free(text);
	config_free(&notes);
}

static void test_build_from_layout(void **state)
{
	static const struct memfile arch[] = {
		{ "/arch", NULL, 0 }, { "/arch/boot", NULL, 0 },
		{ "/arch/boot/x86_64", NULL, 0 },
		{ "/arch/boot/x86_64/vmlinuz-linux", "k", 0 },
		{ "/arch/boot/x86_64/initramfs-linux-fallback.img", "i", 0 },
		{ "/arch/boot/x86_64/initramfs-linux.img", "i", 0 },
		/* grub.cfg with nothing baton understands: the layout wins */
		{ "/boot", NULL, 0 }, { "/boot/grub", NULL, 0 },
		{ "/boot/grub/grub.cfg", "configfile /x.cfg\n", 0 },
	};
	static const struct memfile empty[] = { { "/README", "hi", 0 } };
	struct config notes;
	char *text = build(arch, sizeof(arch) / sizeof(arch[0]), "ARCH_2024",
			   &notes);

	assert_string_equal(text,
		"timeout -1\n"
		"entry iso1\ntitle distro-1.0.iso: Arch Linux\n"
		"linux iso(boot:/isos/distro-1.0.iso):"
		"/arch/boot/x86_64/vmlinuz-linux archisobasedir=arch "
		"archisolabel=ARCH_2024 img_dev=UUID=F00D-CAFE "
		"img_loop=/isos/distro-1.0.iso\n"
		"initrd iso(boot:/isos/distro-1.0.iso):"
		"/arch/boot/x86_64/initramfs-linux.img\n");
	expect_diag(&notes, "'configfile' is not understood");
	bt_free(text);
	config_free(&notes);

	/* The same layout on an ISO without a label is said, not guessed. */
	text = build(arch, 6, NULL, &notes);
	expect_diag(&notes, "Arch Linux layout found, but the ISO has no "
		    "volume label");
	expect_diag(&notes, "no boot entries");
	bt_free(text);
	config_free(&notes);

	text = build(empty, 1, "X", &notes);
	assert_string_equal(text, "timeout -1\n");
	assert_int_equal(notes.n_diags, 1);
	assert_string_equal(notes.diags[0], "/isos/distro-1.0.iso: no "
			    "boot entries: no GRUB config entries baton "
			    "understands, no known layout, no "
			    "/EFI/BOOT/BOOTX64.EFI");
	bt_free(text);
	config_free(&notes);
}

static void test_dir(void **state)
{
	static const struct memfile files[] = {
		{ "/isos", NULL, 0 }, { "/isos/b.iso", "b", 0 },
		{ "/isos/A.ISO", "a", 0 }, { "/isos/notes.txt", "n", 0 },
		{ "/isos/sub.iso", NULL, 0 }, { "/isos/with space.iso", "w", 0 },
		{ "/empty", NULL, 0 },
	};
	struct memvol mv;
	struct path dir = { .source = PATH_SRC_BOOT, .file = (char *)"/isos" };
	struct path none = { .source = PATH_SRC_BOOT, .file = (char *)"/nowhere" };
	struct path empty = { .source = PATH_SRC_BOOT, .file = (char *)"/empty" };
	struct config notes;
	char err[200] = "", *text;
	size_t len;

	memvol_init(&mv, files, sizeof(files) / sizeof(files[0]));
	config_init(&notes);
	assert_int_equal(isomenu_dir(&mv.v, &dir, &notes, &text, &len, err,
				     sizeof(err)), 0);
	assert_string_equal(text, "timeout -1\n"
			    "entry iso1\ntitle A.ISO\niso boot:/isos/A.ISO\n"
			    "entry iso2\ntitle b.iso\niso boot:/isos/b.iso\n");
	expect_no_diags(&notes);
	bt_free(text);
	assert_int_equal(isomenu_dir(&mv.v, &empty, &notes, &text, &len, err,
				     sizeof(err)), 0);
	expect_diag(&notes, "/empty: no .iso files");
	bt_free(text);
	assert_int_not_equal(isomenu_dir(&mv.v, &none, &notes, &text, &len,
					 err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nowhere: cannot list the folder"));
	config_free(&notes);
}

static void test_dir_many(void **state)
{
	struct memfile files[ISOMENU_MAX_ISOS + 11] = { { "/isos", NULL, 0 } };
	char names[ISOMENU_MAX_ISOS + 10][24];
	struct memvol mv;
	struct path dir = { .source = PATH_SRC_BOOT, .file = (char *)"/isos" };
	struct config notes;
	char err[200], *text;
	size_t len, i;

	/* Listed in reverse order: the first 64 by name are kept. */
	for (i = 0; i < ISOMENU_MAX_ISOS + 10; i++) {
		snprintf(names[i], sizeof(names[i]), "/isos/i%03zu.iso",
			 ISOMENU_MAX_ISOS + 9 - i);
		files[i + 1] = (struct memfile){ names[i], "x", 0 };
	}
	memvol_init(&mv, files, ISOMENU_MAX_ISOS + 11);
	config_init(&notes);
	assert_int_equal(isomenu_dir(&mv.v, &dir, &notes, &text, &len, err,
				     sizeof(err)), 0);
	assert_non_null(strstr(text, "entry iso1\ntitle i000.iso\n"));
	assert_non_null(strstr(text, "entry iso64\ntitle i063.iso\n"));
	assert_null(strstr(text, "i064.iso"));
	expect_diag(&notes, "more than 64 ISO files; the first 64 by name");
	bt_free(text);
	config_free(&notes);
}

/* A real ISO 9660 image (Rock Ridge) made by xorriso, read by baton's
 * driver, with a grub.cfg in Ubuntu's style. */
static void test_real_iso(void **state)
{
	char dir[] = "/tmp/baton-grubcfg-XXXXXX", cmd[600], iso[300];
	struct host_blockdev hb;
	struct volume *v = NULL;
	struct path p = { .source = PATH_SRC_BOOT, .file = (char *)"/ubuntu.iso" };
	struct config notes;
	char *text;
	size_t len;
	FILE *f;

	if (system("xorriso -version >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/t/boot/grub %s/t/casper && "
		 "echo k > %s/t/casper/vmlinuz && echo i > %s/t/casper/initrd",
		 dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(iso, sizeof(iso), "%s/t/boot/grub/grub.cfg", dir);
	assert_non_null(f = fopen(iso, "w"));
	fputs("set timeout=30\nloadfont unicode\n"
	      "menuentry \"Try or Install Ubuntu\" {\n"
	      "\tset gfxpayload=keep\n"
	      "\tlinux\t/casper/vmlinuz  --- quiet splash\n"
	      "\tinitrd\t/casper/initrd\n}\n"
	      "grub_platform\nif [ \"$grub_platform\" = \"efi\" ]; then\n"
	      "menuentry 'UEFI Firmware Settings' { fwsetup; }\nfi\n", f);
	fclose(f);
	snprintf(iso, sizeof(iso), "%s/u.iso", dir);
	snprintf(cmd, sizeof(cmd), "xorriso -as mkisofs -R -V UBUNTU_24 -o %s "
		 "%s/t >/dev/null 2>&1", iso, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(host_blockdev_open(&hb, iso, 0, 0, 2048), 0);
	assert_int_equal(iso9660_driver.probe(&hb.bd, &v, cmd, sizeof(cmd)),
			 0);
	config_init(&notes);
	assert_int_equal(isomenu_build(v, &p, NULL, &notes, &text, &len), 0);
	assert_string_equal(text,
		"timeout -1\n"
		"entry iso1\ntitle Try or Install Ubuntu\n"
		"linux iso(boot:/ubuntu.iso):/casper/vmlinuz "
		"iso-scan/filename=/ubuntu.iso --- quiet splash\n"
		"initrd iso(boot:/ubuntu.iso):/casper/initrd\n");
	expect_diag(&notes, "iso(boot:/ubuntu.iso):/boot/grub/grub.cfg:8: "
		    "'grub_platform' is not understood");
	expect_diag(&notes, "grub.cfg:9: 'if' is not understood");
	bt_free(text);
	config_free(&notes);
	v->ops->free(v);
	host_blockdev_close(&hb);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_live_loopback),
		cmocka_unit_test(test_variables_and_quoting),
		cmocka_unit_test(test_scope_reuse),
		cmocka_unit_test(test_submenus_and_search),
		cmocka_unit_test(test_probe_fills_uuid),
		cmocka_unit_test(test_not_understood),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fix_args),
		cmocka_unit_test(test_inner),
		cmocka_unit_test(test_build_from_loopback),
		cmocka_unit_test(test_build_from_layout),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_dir_many),
		cmocka_unit_test(test_real_iso),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
