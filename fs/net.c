/*
 * The tftp: and http: file sources: one volume per server, on the
 * platform's network service (firmware/net.h).
 *
 * TFTP files have the size the server gives (tsize) and are read by the
 * firmware in one transfer, straight into the caller's buffer when the
 * caller asks for the whole file at once (an initrd, a kernel placed
 * whole), else into memory once and served from there.  HTTP files are
 * read as they arrive, never seek, follow redirects (HTTP_REDIRECTS_MAX),
 * decode chunked bodies, and read to the close when there is no length.
 * Transfers over a second show a progress line; a stalled server
 * (NET_STALL_MS without data) and a file not done within NET_DEADLINE_MS
 * are errors, and Esc cancels.
 */
#include "fs/fs.h"
#include "firmware/console.h"
#include "firmware/net.h"
#include "firmware/time.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

#define NET_STALL_MS	15000		/* no byte for this long: stalled */
#define NET_DEADLINE_MS	(30 * 60 * 1000)	/* per file */
#define NET_PROGRESS_MS	1000		/* first progress line after this */

struct net_volume {
	struct volume v;
	struct fw *fw;
	bool http;
	char *host;		/* as written: "10.0.2.2", "boot.lan" */
	uint16_t port;
	uint8_t ip[4];		/* TFTP: the server's address */
	char *url;		/* the last file located (net_locate) */
	char why[300];
};

/* Progress of one transfer, shown on one line. */
struct net_progress {
	struct fw *fw;
	const char *name;	/* the path as written */
	uint64_t start, last;	/* ms */
	bool shown;
};

struct net_file {
	struct vfile f;
	struct net_volume *vol;
	char *name;		/* the file's URL, for progress */
	char *path;		/* its path on the server */
	/* TFTP */
	char *data;		/* the whole file, once read into memory */
	bool read_whole;	/* the whole file went to a caller's buffer */
	/* HTTP */
	struct fw_http *conn;
	bool chunked, eof;
	struct http_dechunk dc;
	uint64_t pos;
	struct net_progress prog;
	char why[300];
};

static void progress(struct net_progress *p, uint64_t done, uint64_t size,
		     bool end)
{
	uint64_t now = fw_time_ms(p->fw), ms = now - p->start;
	char line[300], total[40] = "";

	if (!end && (ms < NET_PROGRESS_MS || now - p->last < 500))
		return;
	if (end && !p->shown)
		return;
	p->last = now;
	p->shown = true;
	if (size != VFILE_SIZE_UNKNOWN)
		fmt_buf(total, sizeof(total), " of %llu.%u MiB",
			(unsigned long long)(size >> 20),
			(unsigned)((size & 0xFFFFF) * 10 >> 20));
	fmt_buf(line, sizeof(line), "\r%s: %llu.%u MiB%s, %llu KiB/s%s",
		p->name, (unsigned long long)(done >> 20),
		(unsigned)((done & 0xFFFFF) * 10 >> 20), total,
		(unsigned long long)(ms ? done * 1000 / 1024 / ms : 0),
		end ? "\n" : "  ");
	fw_con_write(p->fw, line);
}

static struct net_file *new_file(struct net_volume *nv, const char *path)
{
	struct net_file *f = bt_zalloc(sizeof(*f));

	if (f && (!(f->name = fmt_alloc("%s%s", nv->v.name, path)) ||
		  !(f->path = str_dup(path)))) {
		bt_free(f->name);
		bt_free(f);
		return NULL;
	}
	if (f) {
		f->vol = nv;
		f->prog.fw = nv->fw;
		f->prog.name = f->name;
		f->prog.start = fw_time_ms(nv->fw);
	}
	return f;
}

static void net_close(struct vfile *vf)
{
	struct net_file *f = (struct net_file *)vf;

	fw_http_close(f->conn);
	bt_free(f->data);
	bt_free(f->name);
	bt_free(f->path);
	bt_free(f);
}

static void tftp_tick(void *ctx, uint64_t done)
{
	struct net_file *f = ctx;

	progress(&f->prog, done, f->f.size, false);
}

/* TFTP: the whole file into memory (two transfers when the size was not
 * known: the firmware says it only after reading it all). */
static int tftp_fetch(struct net_file *f, const char *file)
{
	struct net_volume *nv = f->vol;
	uint64_t len = f->f.size == VFILE_SIZE_UNKNOWN ? 0 : f->f.size;
	int rc;

	for (;;) {
		if (len && len < (size_t)-1 && !(f->data = bt_alloc(len)))
			return BT_ENOMEM;
		rc = fw_tftp_read(nv->fw, nv->ip, nv->port, file, f->data,
				  &len, tftp_tick, f, f->why, sizeof(f->why));
		if (rc != BT_ETOOBIG || f->data)
			break;
	}
	if (!rc)
		f->f.size = len;
	progress(&f->prog, len, f->f.size, true);
	return rc;
}

static int tftp_read_at(struct vfile *vf, uint64_t off, void *buf,
			size_t len, size_t *got)
{
	struct net_file *f = (struct net_file *)vf;
	/* The server's root is TFTP's "/": names are sent without it. */
	const char *file = f->path + 1;
	int rc;

	*got = 0;
	f->f.why = f->why;
	if (!f->data && !f->read_whole && off == 0 &&
	    f->f.size != VFILE_SIZE_UNKNOWN && len >= f->f.size) {
		uint64_t n = f->f.size;

		rc = fw_tftp_read(f->vol->fw, f->vol->ip, f->vol->port, file,
				  buf, &n, tftp_tick, f, f->why, sizeof(f->why));
		if (rc == BT_ETOOBIG)
			fmt_buf(f->why, sizeof(f->why), "the file grew while "
				"it was read");
		if (!rc) {
			f->read_whole = true;
			*got = (size_t)n;
		}
		progress(&f->prog, n, f->f.size, true);
		return rc;
	}
	if (f->read_whole && off >= f->f.size)
		return 0;
	if (!f->data && (rc = tftp_fetch(f, file)))
		return rc;
	if (off < f->f.size) {
		*got = f->f.size - off < len ? (size_t)(f->f.size - off) : len;
		memcpy(buf, f->data + off, *got);
	}
	return 0;
}

static int http_read_at(struct vfile *vf, uint64_t off, void *buf,
			size_t len, size_t *got)
{
	struct net_file *f = (struct net_file *)vf;
	size_t n = 0;
	int rc = 0;

	*got = 0;
	f->f.why = f->why;
	if (off != f->pos)
		return BT_EUNSUPP;
	if (f->f.size != VFILE_SIZE_UNKNOWN && len > f->f.size - f->pos)
		len = (size_t)(f->f.size - f->pos);
	while (!rc && !f->eof && len && !n) {
		if (fw_time_ms(f->vol->fw) - f->prog.start > NET_DEADLINE_MS) {
			fmt_buf(f->why, sizeof(f->why), "not done after %u "
				"minutes", NET_DEADLINE_MS / 60000);
			return BT_ETIMEOUT;
		}
		rc = fw_http_read(f->conn, buf, len, &n, NET_STALL_MS, f->why,
				  sizeof(f->why));
		if (!rc && n == 0) {
			f->eof = true;
			if (f->f.size != VFILE_SIZE_UNKNOWN || f->chunked) {
				fmt_buf(f->why, sizeof(f->why), "the server "
					"closed the connection at byte %llu%s",
					(unsigned long long)f->pos, f->chunked ?
					", inside a chunked body" : "");
				rc = BT_EIO;
			}
		} else if (!rc && f->chunked) {
			rc = http_dechunk(&f->dc, buf, n, &n, f->why,
					  sizeof(f->why));
			f->eof = f->dc.done;
		}
	}
	f->pos += n;
	*got = n;
	if (f->f.size != VFILE_SIZE_UNKNOWN && f->pos == f->f.size)
		f->eof = true;
	if (!rc)
		progress(&f->prog, f->pos, f->f.size, f->eof);
	return rc;
}

static const struct vfile_ops tftp_file_ops = { tftp_read_at, net_close };
static const struct vfile_ops http_file_ops = { http_read_at, net_close };

static int tftp_open(struct net_volume *nv, const char *path,
		     struct vfile **out)
{
	struct net_file *f = new_file(nv, path);
	uint64_t size;
	int rc;

	if (!f)
		return BT_ENOMEM;
	rc = fw_tftp_size(nv->fw, nv->ip, nv->port, path + 1, &size, nv->why,
			  sizeof(nv->why));
	f->f.ops = &tftp_file_ops;
	f->f.size = rc == BT_EUNSUPP ? VFILE_SIZE_UNKNOWN : size;
	f->f.seekable = true;
	if (rc && rc != BT_EUNSUPP) {
		net_close(&f->f);
		return rc;
	}
	*out = &f->f;
	return 0;
}

/* Split "host[:port]"; false when the port is not a number 1..65535. */
static bool split_host(const char *arg, uint16_t dflt, char **host,
		       uint16_t *port)
{
	const char *c = strrchr(arg, ':');
	unsigned long v = 0;

	*port = dflt;
	if (c) {
		const char *d;

		for (d = c + 1; *d >= '0' && *d <= '9' && v <= 65535; d++)
			v = v * 10 + (unsigned)(*d - '0');
		if (*d || d == c + 1 || !v || v > 65535)
			return false;
		*port = (uint16_t)v;
	}
	*host = str_ndup(arg, c ? (size_t)(c - arg) : strlen(arg));
	return true;
}

/* Where the response in head sends the request for cur next: 0 and *next
 * (an http:// path), or an error in nv->why. */
static int http_redirect(struct net_volume *nv, const struct path *cur,
			 const struct http_head *head, unsigned hops,
			 struct path *next)
{
	if (hops > HTTP_REDIRECTS_MAX) {
		fmt_buf(nv->why, sizeof(nv->why), "more than %d redirects "
			"(the last to %s)", HTTP_REDIRECTS_MAX, head->location);
		return BT_ELOOP;
	}
	/* Only to http:// (http_location refuses the rest). */
	return http_location(cur, head->location, next, nv->why,
			     sizeof(nv->why));
}

static int http_open(struct net_volume *nv, const char *path,
		     struct vfile **out)
{
	struct net_file *f = new_file(nv, path);
	struct path cur = { 0 };
	struct http_head head;
	char *host = NULL;
	uint16_t port = nv->port;
	unsigned hops = 0;
	int rc = f && (host = str_dup(nv->host)) ? 0 : BT_ENOMEM;

	http_head_init(&head, 0);
	while (!rc) {
		rc = fw_http_get(nv->fw, host, port, cur.file ? cur.file : path,
				 &head, &f->conn, nv->why, sizeof(nv->why));
		if (rc || head.status == 200)
			break;
		if (!http_is_redirect(head.status) || !head.location) {
			size_t n = hops ? fmt_buf(nv->why, sizeof(nv->why),
						  "redirected to %s: ",
						  f->name) : 0;

			fmt_buf(nv->why + n, sizeof(nv->why) - n, "HTTP %d %s",
				head.status, http_reason(head.status));
			rc = head.status == 404 || head.status == 410 ?
			     BT_ENOENT : BT_EIO;
			break;
		}
		fw_http_close(f->conn);
		f->conn = NULL;
		{
			/* cur is owned once the first redirect set it. */
			struct path first = { .source = PATH_SRC_HTTP,
					      .arg = nv->v.name + 7,
					      .file = (char *)path };
			struct path next;

			rc = http_redirect(nv, cur.file ? &cur : &first, &head,
					   ++hops, &next);
			if (rc)
				break;
			path_free(&cur);
			cur = next;
		}
		bt_free(host);
		bt_free(f->name);
		f->prog.name = f->name = path_format(&cur);
		if (!f->name || !split_host(cur.arg, 80, &host, &port) || !host)
			rc = BT_ENOMEM;
		http_head_free(&head);
		http_head_init(&head, 0);
	}
	path_free(&cur);
	if (!rc) {
		f->f.ops = &http_file_ops;
		f->f.size = head.chunked ? VFILE_SIZE_UNKNOWN : head.length;
		f->chunked = head.chunked;
		http_dechunk_init(&f->dc);
		*out = &f->f;
	}
	if (rc == BT_ENOMEM)
		fmt_buf(nv->why, sizeof(nv->why), "out of memory");
	http_head_free(&head);
	bt_free(host);
	if (rc && f)
		net_close(&f->f);
	return rc;
}

static int net_open(struct volume *v, const char *path, struct vfile **out)
{
	struct net_volume *nv = (struct net_volume *)v;

	int rc = nv->http ? http_open(nv, path, out) :
		 tftp_open(nv, path, out);

	v->why = rc ? nv->why : NULL;
	return rc;
}

static int net_list(struct volume *v, const char *dir, volume_list_cb cb,
		    void *ctx)
{
	return BT_EUNSUPP;	/* neither protocol lists a folder */
}

/*
 * Where a program read from here is said to come from: the card's
 * network device, and for HTTP the file's URL (a URI device path node, as
 * the firmware's HTTP boot gives), for TFTP nothing more (as PXE boot
 * gives: the program finds the PXE Base Code on its device).
 */
static int net_locate(struct volume *v, const char *path,
		      struct fs_locator *out)
{
	struct net_volume *nv = (struct net_volume *)v;

	bt_free(nv->url);
	nv->url = nv->http ? fmt_alloc("%s%s", v->name, path) : str_dup("");
	out->device = fw_net_device(nv->fw);
	out->file = nv->url;
	return out->device && nv->url ? 0 : BT_EUNSUPP;
}

static void net_free(struct volume *v)
{
	struct net_volume *nv = (struct net_volume *)v;

	bt_free(nv->host);
	bt_free(nv->url);
	bt_free(v->name);
	bt_free(nv);
}

static const struct volume_ops net_volume_ops = {
	.open = net_open,
	.list = net_list,
	.locate = net_locate,
	.free = net_free,
};

/*
 * The server p names: "tftp:" (the boot server), "tftp://ADDR[:69]",
 * "http://HOST[:PORT]".  The volume's name is the URL of its root without
 * the slash ("tftp://10.0.2.2", "http://boot.lan:8080").
 */
static int net_resolve(struct fs *fs, const struct path *p,
		       struct volume **out, char *err, size_t errlen)
{
	bool http = p->source == PATH_SRC_HTTP;
	struct fw_netboot nb;
	struct net_volume *nv;
	char ipbuf[16];
	const char *arg = p->arg;
	size_t i;

	if (!fs->fw) {
		fmt_buf(err, errlen, "%s: paths need a network, which this "
			"platform does not have", fs_scheme(p));
		return BT_EUNSUPP;
	}
	if (!arg && (!fw_netboot(fs->fw, &nb) || !nb.pxe)) {
		fmt_buf(err, errlen, "baton was not started by PXE, so there "
			"is no boot server; write tftp://SERVER/FILE");
		return BT_ENOENT;
	}
	if (!arg) {
		fmt_buf(ipbuf, sizeof(ipbuf), "%u.%u.%u.%u", nb.boot.server[0],
			nb.boot.server[1], nb.boot.server[2], nb.boot.server[3]);
		arg = ipbuf;
	}
	for (i = 0; i < fs->n_vols; i++) {
		struct volume *v = fs->vols[i];

		if (v->ops == &net_volume_ops &&
		    ((struct net_volume *)v)->http == http &&
		    !str_casecmp(v->name + (http ? 7 : 7), arg)) {
			*out = v;
			return 0;
		}
	}
	nv = bt_zalloc(sizeof(*nv));
	if (!nv || !(nv->v.name = fmt_alloc("%s://%s", http ? "http" : "tftp",
					    arg))) {
		bt_free(nv);
		fmt_buf(err, errlen, "out of memory");
		return BT_ENOMEM;
	}
	nv->v.ops = &net_volume_ops;
	nv->v.fstype = http ? "http" : "tftp";
	nv->fw = fs->fw;
	nv->http = http;
	if (!split_host(arg, http ? 80 : 69, &nv->host, &nv->port) ||
	    !nv->host) {
		net_free(&nv->v);
		fmt_buf(err, errlen, "out of memory");
		return BT_ENOMEM;
	}
	if (!http && !ipv4_parse(nv->host, strlen(nv->host), nv->ip)) {
		fmt_buf(err, errlen, "TFTP servers are given by IPv4 address "
			"(the firmware's TFTP client does not look up names)");
		net_free(&nv->v);
		return BT_EUNSUPP;
	}
	if (fs_add_volume(fs, &nv->v)) {
		net_free(&nv->v);
		fmt_buf(err, errlen, "out of memory");
		return BT_ENOMEM;
	}
	*out = &nv->v;
	return 0;
}

const struct fs_resolver fs_net_resolver = {
	.schemes = 1u << PATH_SRC_TFTP | 1u << PATH_SRC_HTTP,
	.resolve = net_resolve,
};
