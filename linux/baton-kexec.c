/*
 * baton-kexec: boot any entry of baton's menu from a running Linux, without
 * the firmware.  The config is found and read as baton finds it on the ESP,
 * the kernel is placed and its boot_params (or Multiboot information) built
 * by baton's own protocol code, and the image goes to kexec_load(2) with
 * baton's entry code as the purgatory (linux/kexec.c).  docs/kexec.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "config/config.h"
#include "core/baton.h"
#include "core/bli.h"
#include "linux/fw.h"
#include "linux/kexec.h"
#include "loader/protocol.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define KEXEC_FILE_NO_INITRAMFS 0x4

struct opts {
	const char *config, *esp, *sys, *append, *entry;
	bool list, dry_run, exec, force;
};

static void usage(FILE *f)
{
	fputs("usage: baton-kexec list [--config FILE] [--esp DIR]\n"
	      "       baton-kexec ENTRY [--append ARGS] [--dry-run | --exec "
	      "[--force]]\n"
	      "                   [--config FILE] [--esp DIR]\n"
	      "ENTRY is an id as 'list' shows it, or @default.\n"
	      "  --config FILE  baton.conf to read (on the ESP; default: where "
	      "baton looks)\n"
	      "  --esp DIR      the mounted ESP, baton's volume (default: /efi, "
	      "/boot/efi or /boot)\n"
	      "  --append ARGS  added to the entry's command line\n"
	      "  --dry-run      print the segments and entry state; load nothing\n"
	      "  --exec         reboot into the entry once it is loaded "
	      "(systemctl kexec)\n"
	      "  --force        with --exec: reboot(2) at once, without an "
	      "orderly shutdown\n", f);
}

static int die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "baton-kexec: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The mounted ESP: the first of the usual places with an EFI folder. */
static const char *find_esp(void)
{
	static const char *const places[] = { "/efi", "/boot/efi", "/boot" };
	char sub[64];
	size_t i;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/EFI", places[i]);
		if (is_dir(sub))
			return places[i];
	}
	return NULL;
}

/* FILE as a path on the ESP ("/EFI/BOOT/baton.conf"), or NULL when it is
 * not inside it. */
static char *config_on_esp(const char *file, const char *esp)
{
	char *f = realpath(file, NULL), *e = realpath(esp, NULL), *out = NULL;
	size_t n;

	if (f && e) {
		n = strlen(e);
		if (!strcmp(e, "/"))
			out = fmt_alloc("%s", f);
		else if (!strncmp(f, e, n) && f[n] == '/')
			out = fmt_alloc("%s", f + n);
	}
	free(f);
	free(e);
	return out;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "esp", required_argument, NULL, 'e' },
		{ "sys", required_argument, NULL, 's' },
		{ "append", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "exec", no_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->sys = "/sys";
	while ((c = getopt_long(argc, argv, "c:e:a:nxfh", longs, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'e': o->esp = optarg; break;
		case 's': o->sys = optarg; break;
		case 'a': o->append = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'x': o->exec = true; break;
		case 'f': o->force = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	o->entry = argv[optind];
	o->list = !strcmp(o->entry, "list");
	if (o->dry_run && o->exec)
		return die("--dry-run and --exec do not go together", "", ""), 2;
	if (o->force && !o->exec)
		return die("--force goes with --exec", "", ""), 2;
	return 0;
}

static const char *title_of(const struct config_entry *e)
{
	return e->title ? e->title : e->id;
}

/*
 * @default as baton's menu would preselect it: the one-shot entry,
 * LoaderEntryDefault (or @saved), the config's default, with
 * systemd-boot's precedence (bli_pick).  The variables are read, not
 * deleted: a boot through baton-kexec --exec uses them up (used_choice).
 */
struct choice {
	struct bli_vars v;
	size_t idx;
	enum bli_from from;
};

static void get_id_var(struct fw *fw, const char *name, char *out, size_t cap)
{
	uint8_t buf[2 * BLI_ID_MAX + 2];
	char why[100];
	size_t len;

	if (fw_var_get(fw, name, buf, sizeof(buf), &len, why, sizeof(why)) ||
	    bli_str_decode(buf, len, out, cap))
		out[0] = '\0';
}

static void pick_default(struct fw *fw, const struct config *cfg,
			 struct choice *c)
{
	enum bli_save picked;	/* used_choice asks bli_saving: the entry
				 * booted may not be the one picked */

	memset(c, 0, sizeof(*c));
	get_id_var(fw, "LoaderEntryOneShot", c->v.oneshot, sizeof(c->v.oneshot));
	get_id_var(fw, "LoaderEntryDefault", c->v.efi_default,
		   sizeof(c->v.efi_default));
	get_id_var(fw, "LoaderEntryLastBooted", c->v.last_booted,
		   sizeof(c->v.last_booted));
	c->idx = cfg->n_entries ? bli_pick(cfg, &c->v, &c->from, &picked)
				: SIZE_MAX;
}

static const char *chosen_by(const struct choice *c)
{
	switch (c->from) {
	case BLI_ONESHOT: return "LoaderEntryOneShot";
	case BLI_EFI_DEFAULT: return "LoaderEntryDefault";
	case BLI_CONFIG: return "the config's default";
	default: return "the first entry that can boot";
	}
}

/* Entry idx is about to be entered through kexec: as baton does when it
 * boots an entry, a one-shot that chose it is used up (one that did not
 * stays for baton's next start), and LoaderEntryLastBooted follows @saved
 * (a one-shot boot leaves it alone). */
static void used_choice(struct fw *fw, const struct config *cfg,
			const struct choice *c, size_t idx)
{
	uint8_t data[2 * BLI_ID_MAX + 2];
	char id[BLI_ID_MAX], why[100];
	bool oneshot = idx == c->idx && c->from == BLI_ONESHOT;
	enum bli_save save = bli_saving(cfg, &c->v);

	if (oneshot &&
	    fw_var_set(fw, "LoaderEntryOneShot", NULL, 0, true, why, sizeof(why)))
		fprintf(stderr, "baton-kexec: cannot delete LoaderEntryOneShot: "
			"%s\n", why);
	if (oneshot || !cfg->entries[idx].id)
		return;
	bli_entry_id(cfg->entries[idx].id, id, sizeof(id));
	if (save == BLI_SAVE && strcmp(id, c->v.last_booted) &&
	    fw_var_set(fw, "LoaderEntryLastBooted", data,
		       bli_str_encode(id, data, sizeof(data)), true, why,
		       sizeof(why)))
		fprintf(stderr, "baton-kexec: cannot write LoaderEntryLastBooted: "
			"%s\n", why);
	else if (save == BLI_FORGET && c->v.last_booted[0] &&
		 fw_var_set(fw, "LoaderEntryLastBooted", NULL, 0, true, why,
			    sizeof(why)))
		fprintf(stderr, "baton-kexec: cannot delete LoaderEntryLastBooted: "
			"%s\n", why);
}

static void list(const struct config *cfg, const struct choice *c)
{
	size_t i, def = c->idx;
	char id[BLI_ID_MAX];

	for (i = 0; i < cfg->n_entries; i++) {
		const struct config_entry *e = &cfg->entries[i];

		bli_entry_id(e->id, id, sizeof(id));
		printf("%c %-24s %-11s %s%s%s\n", i == def ? '*' : ' ', id,
		       config_kind_key(e->kind), title_of(e),
		       e->error ? "  [cannot boot: " : "",
		       e->error ? e->error : "");
		if (e->error)
			fputs("]\n", stdout);
	}
	if (c->from == BLI_ONESHOT || c->from == BLI_EFI_DEFAULT)
		printf("(* chosen by %s)\n", chosen_by(c));
	if (c->v.oneshot[0] && c->from != BLI_ONESHOT)
		fprintf(stderr, "baton-kexec: LoaderEntryOneShot '%s' matches no "
			"entry that can boot\n", c->v.oneshot);
}

/* The entry ENTRY names: its id (without case), its title, or @default. */
static struct config_entry *find_entry(struct config *cfg, const char *name,
				       const struct choice *c)
{
	char id[BLI_ID_MAX];
	size_t i;

	if (!strcmp(name, "@default"))
		return c->idx < cfg->n_entries ? &cfg->entries[c->idx] : NULL;
	for (i = 0; i < cfg->n_entries; i++) {
		bli_entry_id(cfg->entries[i].id, id, sizeof(id));
		if (!strcasecmp(id, name))
			return &cfg->entries[i];
	}
	for (i = 0; i < cfg->n_entries; i++)
		if (cfg->entries[i].title && !strcmp(cfg->entries[i].title, name))
			return &cfg->entries[i];
	return NULL;
}

/* The whole file at p in a memfd, for kexec_file_load; -1 with err. */
static int file_fd(struct fw *fw, const struct path *p, const char *what,
		   char *err, size_t errlen)
{
	void *data;
	size_t len;
	int fd, rc = fs_read_all(fw_fs(fw), p, &data, &len, err, errlen);

	if (rc)
		return -1;
	fd = memfd_create(what, MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fmt_buf(err, errlen, "memfd for %s: %s", what, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	bt_free(data);
	return fd;
}

/*
 * Under lockdown only kexec_file_load(2) is allowed: the running kernel
 * builds boot_params itself and checks the kernel's signature.  The initrds
 * go to it as one file, concatenated (as the kernel reads several anyway).
 */
static int file_load(struct fw *fw, const struct config_entry *e,
		     const char *cmdline, char *err, size_t errlen)
{
	int kfd = file_fd(fw, &e->image, "kernel", err, errlen), ifd = -1;
	unsigned long flags = 0;
	size_t i;
	int rc = 0;

	if (kfd < 0)
		return BT_EIO;
	if (!e->n_initrds)
		flags |= KEXEC_FILE_NO_INITRAMFS;
	else if ((ifd = memfd_create("initrd", MFD_CLOEXEC)) < 0)
		rc = BT_EIO;
	for (i = 0; !rc && i < e->n_initrds; i++) {
		void *data;
		size_t len;

		rc = fs_read_all(fw_fs(fw), &e->initrds[i], &data, &len, err,
				 errlen);
		if (!rc && write(ifd, data, len) != (ssize_t)len)
			rc = BT_EIO;
		if (!rc)
			bt_free(data);
	}
	if (!rc && syscall(SYS_kexec_file_load, kfd, ifd,
			   (unsigned long)strlen(cmdline) + 1, cmdline, flags)) {
		fmt_buf(err, errlen, "kexec_file_load: %s%s", strerror(errno),
			errno == EKEYREJECTED || errno == ENOKEY || errno == EBADMSG ?
			" (the kernel's signature is not trusted)" : "");
		rc = BT_EDENIED;
	}
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return rc;
}

/*
 * Reboot: "systemctl VERB" (an orderly shutdown) when systemd runs and not
 * force, else reboot(2) with cmd at once, after sync().  Returns only on
 * failure.
 */
static int reboot_now(const char *verb, int cmd, bool force)
{
	fflush(stdout);
	if (!force && is_dir("/run/systemd/system")) {
		execlp("systemctl", "systemctl", verb, (char *)NULL);
		return die("cannot run systemctl: %s", strerror(errno), "");
	}
	sync();
	reboot(cmd);
	return die("reboot: %s", strerror(errno), "");
}

/* An EFI program cannot run after Linux: baton boots it after a reboot. */
static int oneshot(struct fw *fw, const struct config_entry *e, bool exec,
		   bool force)
{
	uint8_t data[2 * BLI_ID_MAX + 2];
	char id[BLI_ID_MAX], why[300];
	size_t len;

	bli_entry_id(e->id, id, sizeof(id));
	len = bli_str_encode(id, data, sizeof(data));
	if (fw_var_set(fw, "LoaderEntryOneShot", data, len, true, why,
		       sizeof(why)))
		return die("cannot set LoaderEntryOneShot: %s", why, "");
	printf("'%s' is an EFI program, which cannot run after Linux: "
	       "LoaderEntryOneShot is now '%s', so baton boots it after the "
	       "next reboot\n", title_of(e), id);
	return exec ? reboot_now("reboot", RB_AUTOBOOT, force) : 0;
}

static int run(struct fw *fw, struct config *cfg, const struct opts *o,
	       const struct choice *c)
{
	struct config_entry *e = find_entry(cfg, o->entry, c);
	const char *a, *opt, *app = o->append ? o->append : "";
	char err[600], *cmdline;
	uint64_t status;
	int rc;

	if (!e)
		return die("no entry '%s' (baton-kexec list shows them)",
			   o->entry, "");
	if (e->error)
		return die("cannot boot '%s': %s", title_of(e), e->error);
	if (!strcmp(o->entry, "@default"))
		printf("@default is '%s', chosen by %s\n", title_of(e),
		       chosen_by(c));
	switch (e->kind) {
	case ENTRY_LINUX:
	case ENTRY_MULTIBOOT:
	case ENTRY_MULTIBOOT2:
		break;
	case ENTRY_EFI:
	case ENTRY_LINUX_EFI:
		if (o->dry_run) {
			printf("'%s' is an EFI program: baton-kexec would set "
			       "LoaderEntryOneShot and reboot\n", title_of(e));
			return 0;
		}
		return oneshot(fw, e, o->exec, o->force);
	default:
		return die("'%s' is a %s entry: baton-kexec boots linux, "
			   "multiboot and multiboot2 entries, and efi ones "
			   "through a reboot", title_of(e),
			   config_kind_key(e->kind));
	}
	if (o->dry_run && fw->fb.base)
		printf("framebuffer: %ux%u at 0x%llx, %u pixels a line\n",
		       fw->fb.width, fw->fb.height,
		       (unsigned long long)fw->fb.base, fw->fb.pixels_per_line);
	else if (o->dry_run)
		printf("framebuffer: none (the running kernel was given no EFI "
		       "framebuffer)\n");
	if (e->kind == ENTRY_LINUX && fw->efi.systab && o->dry_run)
		printf("EFI runtime: system table 0x%llx, %u regions mapped as "
		       "the running kernel mapped them\n",
		       (unsigned long long)fw->efi.systab,
		       fw->efi.map_size / fw->efi.desc_size);
	else if (e->kind == ENTRY_LINUX && !fw->efi.systab)
		fprintf(stderr, "baton-kexec: %s: the next kernel runs without "
			"EFI runtime services\n", fw->efi_why);
	if (e->kind == ENTRY_MULTIBOOT2 && fw->rsdp && !fw->rsdp_read)
		fprintf(stderr, "baton-kexec: the ACPI RSDP at 0x%llx cannot be "
			"read through /dev/mem: the Multiboot 2 information has "
			"no ACPI tags\n", (unsigned long long)fw->rsdp);
	a = e->args ? e->args : "";
	opt = e->options ? e->options : "";
	cmdline = fmt_alloc("%s%s%s%s%s", a, *a && *opt ? " " : "", opt,
			    (*a || *opt) && *app ? " " : "", app);
	if (!cmdline)
		return die("out of memory", "", "");
	err[0] = '\0';
	rc = baton_boot(fw, e, cmdline, &status, err, sizeof(err));
	if (rc == BT_EDENIED && e->kind == ENTRY_LINUX) {
		fprintf(stderr, "baton-kexec: %s\nbaton-kexec: trying "
			"kexec_file_load (the running kernel builds "
			"boot_params)\n", err);
		rc = file_load(fw, e, cmdline, err, sizeof(err));
	}
	bt_free(cmdline);
	if (rc) {
		if (!err[0])
			fmt_buf(err, sizeof(err), "%s", bt_strerror(rc));
		return die("cannot load '%s': %s", title_of(e), err);
	}
	if (o->dry_run)
		return 0;
	if (o->exec)
		used_choice(fw, cfg, c, (size_t)(e - cfg->entries));
	printf("loaded '%s'%s\n", title_of(e), o->exec ? "; rebooting into it" :
	       "; systemctl kexec (or baton-kexec --exec) boots it");
	return o->exec ? reboot_now("kexec", LINUX_REBOOT_CMD_KEXEC, o->force) : 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct choice choice;
	struct opts o;
	struct fw fw;
	char err[400], *on_esp = NULL, *opts = NULL;
	size_t i;
	int rc = parse_opts(argc, argv, &o);

	if (rc)
		return rc;
	if (!o.esp && !(o.esp = find_esp()))
		return die("no ESP found at /efi, /boot/efi or /boot: mount it, "
			   "or give --esp DIR", "", "");
	if (!is_dir(o.esp))
		return die("--esp %s: not a directory", o.esp, "");
	if (o.config) {
		if (access(o.config, R_OK))
			return die("%s: %s", o.config, strerror(errno));
		if (!(on_esp = config_on_esp(o.config, o.esp)))
			return die("%s is not on the ESP %s, the volume its paths "
				   "name: give --esp", o.config, o.esp);
	}
	if (lx_fw_init(&fw, o.sys, o.esp, err, sizeof(err)))
		return die("%s", err, "");
	fw.dry_run = o.dry_run;
	fw.quiet = o.list;
	if (on_esp && !(opts = fmt_alloc("config=%s", on_esp)))
		return die("out of memory", "", "");
	fw.load_options = opts ? opts : "";
	config_init(&cfg);
	rc = baton_load_menu(&fw, &cfg);
	for (i = 0; i < cfg.n_diags; i++)
		fprintf(stderr, "baton-kexec: %s\n", cfg.diags[i]);
	if (rc == BT_ENOENT)
		rc = die("no baton.conf on the ESP %s (give --config FILE)",
			 o.esp, "");
	else if (rc)
		rc = die("%s", bt_strerror(rc), "");
	else {
		pick_default(&fw, &cfg, &choice);
		if (o.list)
			list(&cfg, &choice);
		else
			rc = run(&fw, &cfg, &o, &choice);
	}
	config_free(&cfg);
	bt_free(opts);
	bt_free(on_esp);
	lx_fw_free(&fw);
	return rc;
}
