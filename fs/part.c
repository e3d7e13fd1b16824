/*
 * GPT and MBR partition tables (fs/part.h), and the devices over their
 * partitions.  Everything on the disk is checked before it is used: header
 * and entry-array CRCs, sizes and counts against fixed bounds, every range
 * against the device, and the extended chain against loops.
 */
#include "fs/part.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/inflate.h"
#include "lib/mem.h"

#define GPT_MAX_ENTRIES 1024
#define GPT_MAX_ENTRY_SIZE 1024
#define EBR_MAX 64		/* logical partitions followed in a chain */

struct scan {
	struct blockdev *bd;
	uint32_t ss;		/* the table's sector size */
	uint64_t sectors;	/* the device's size in those */
	part_cb cb;
	void *cb_ctx;
	part_report report;
	void *ctx;
};

static void say(struct scan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct scan *s, const char *fmt, ...)
{
	char msg[200];
	size_t n;
	va_list ap;

	if (!s->report)
		return;
	n = fmt_buf(msg, sizeof(msg), "%s: ", s->bd->name);
	va_start(ap, fmt);
	fmt_vbuf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	s->report(s->ctx, msg);
}

/* Whether len bytes from sector lba are on the device. */
static bool fits(const struct scan *s, uint64_t lba, uint64_t len)
{
	return lba < s->sectors && (!len || (len - 1) / s->ss < s->sectors - lba);
}

/* Read len bytes at sector lba into buf; BT_EINVAL past the end. */
static int read_at(struct scan *s, uint64_t lba, size_t len, void *buf)
{
	if (!fits(s, lba, len))
		return BT_EINVAL;
	return blockdev_read_bytes(s->bd, lba * s->ss, buf, len);
}

static char *put_hex(char *o, uint8_t b)
{
	const char *hex = "0123456789abcdef";	/* one copy, shared */

	*o++ = hex[b >> 4];
	*o++ = hex[b & 15];
	return o;
}

/* A GUID as text: the first three fields are little-endian on disk. */
static void guid_text(const uint8_t *g, char *out)
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*out++ = '-';
		out = put_hex(out, g[order[i]]);
	}
	*out = '\0';
}

/*
 * Hand partition number (sectors start.. start+count) to the callback,
 * unless it is the whole disk again (starts at 0) or does not fit on the
 * device.  Its types come from the GPT entry gpt, or else the MBR type.
 */
static int emit(struct scan *s, unsigned number, uint64_t start,
		uint64_t count, const uint8_t *gpt, uint8_t type)
{
	struct part_entry e;

	if (start == 0 || count == 0)
		return 0;
	if (start >= s->sectors || count > s->sectors - start) {
		say(s, "partition %u (sectors %llu+%llu) is past the end "
		    "(%llu sectors); skipped", number,
		    (unsigned long long)start, (unsigned long long)count,
		    (unsigned long long)s->sectors);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.number = number;
	e.sector = s->ss;
	e.start = start;
	e.count = count;
	if (gpt) {
		guid_text(gpt, e.parttype);
		guid_text(gpt + 16, e.partuuid);
	} else {
		memcpy(e.parttype, "mbr:", 4);
		put_hex(e.parttype + 4, type);
	}
	return s->cb(s->cb_ctx, &e);
}

/*
 * Load and check the GPT header at lba (into h) and its entry array: *arr
 * (bt_free) holds the entries h describes.  NULL, or why the table cannot
 * be used (*rc then BT_ENOMEM or BT_EFORMAT).
 */
static const char *gpt_load(struct scan *s, uint64_t lba, uint8_t h[512],
			    uint8_t **arr, int *rc)
{
	uint32_t hs, crc, n, es;
	uint64_t at, len;

	*arr = NULL;
	*rc = BT_EFORMAT;
	if (read_at(s, lba, 512, h) || memcmp(h, "EFI PART", 8))
		return "no header";
	hs = get32(h + 12);
	crc = get32(h + 16);
	n = get32(h + 80);
	es = get32(h + 84);
	at = get64(h + 72);
	len = (uint64_t)n * es;
	put32(h + 16, 0);
	if (hs < 92 || hs > 512 || crc32_update(0, h, hs) != crc)
		return "header CRC mismatch";
	if (get64(h + 24) != lba || es < 128 || es % 8 ||
	    es > GPT_MAX_ENTRY_SIZE || n > GPT_MAX_ENTRIES || at < 2 ||
	    !fits(s, at, len))
		return "bad header fields";
	*arr = bt_alloc((size_t)len + 1);
	if (!*arr) {
		*rc = BT_ENOMEM;
		return "out of memory";
	}
	if (read_at(s, at, (size_t)len, *arr) ||
	    crc32_update(0, *arr, (size_t)len) != get32(h + 88)) {
		bt_free(*arr);
		*arr = NULL;
		return "entry array CRC mismatch";
	}
	*rc = 0;
	return NULL;
}

/* The GPT, primary or backup.  A disk with neither is reported only when
 * its MBR said it has a GPT (protective). */
static int gpt_scan(struct scan *s, bool protective, uint8_t h[512])
{
	static const uint8_t zero[16];
	const char *why, *why2;
	uint8_t *arr;
	uint32_t n, es, i;
	int rc;

	why = gpt_load(s, 1, h, &arr, &rc);
	if (why && rc != BT_ENOMEM) {
		why2 = gpt_load(s, s->sectors - 1, h, &arr, &rc);
		if (!why2)
			say(s, "GPT: the primary table is bad (%s); using the "
			    "backup", why);
		else if (protective)
			say(s, "GPT: primary: %s; backup: %s", why, why2);
		why = why2;
	}
	if (why)
		return rc == BT_ENOMEM ? rc : 0;
	n = get32(h + 80);
	es = get32(h + 84);
	for (i = 0; i < n && !rc; i++) {
		const uint8_t *e = arr + (size_t)i * es;
		uint64_t first = get64(e + 32), last = get64(e + 40);

		if (memcmp(e, zero, 16) && last >= first)
			rc = emit(s, i + 1, first, last - first + 1, e, 0);
	}
	bt_free(arr);
	return rc;
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* The MBR entry at m as partition number, at sector base + its start. */
static int mbr_emit(struct scan *s, const uint8_t *m, unsigned number,
		    uint64_t base)
{
	return emit(s, number, base + get32(m + 8), get32(m + 12), NULL, m[4]);
}

/*
 * The logical partitions of the extended partition ext: a chain of boot
 * records, each holding one partition (relative to itself) and the link to
 * the next (relative to ext's start).  At most EBR_MAX links, none twice.
 */
static int ebr_chain(struct scan *s, uint64_t start, uint64_t count,
		     uint8_t buf[512])
{
	uint64_t seen[EBR_MAX], at = start;
	unsigned links, i, number = 5;
	int rc;

	for (links = 0; links < EBR_MAX; links++) {
		const uint8_t *e = buf + 446;

		for (i = 0; i < links; i++)
			if (seen[i] == at) {
				say(s, "MBR: the chain of logical partitions "
				    "loops");
				return 0;
			}
		seen[links] = at;
		if (at - start >= count || read_at(s, at, 512, buf) ||
		    buf[510] != 0x55 || buf[511] != 0xaa) {
			say(s, "MBR: no extended boot record at sector %llu",
			    (unsigned long long)at);
			return 0;
		}
		if (e[4] && !is_extended(e[4]) &&
		    (rc = mbr_emit(s, e, number++, at)))
			return rc;
		if (!is_extended(e[16 + 4]) || !get32(e + 16 + 8))
			return 0;
		at = start + get32(e + 16 + 8);
	}
	say(s, "MBR: more than %u logical partitions", EBR_MAX);
	return 0;
}

/* The four primary entries (and the extended chains among them). */
static int mbr_scan(struct scan *s, uint8_t buf[512])
{
	uint8_t m[64];
	unsigned i;
	int rc = 0;

	memcpy(m, buf + 446, sizeof(m));
	for (i = 0; i < 4 && !rc; i++) {
		const uint8_t *e = m + 16 * i;

		if (is_extended(e[4]))
			rc = ebr_chain(s, get32(e + 8), get32(e + 12), buf);
		else if (e[4])
			rc = mbr_emit(s, e, i + 1, 0);
	}
	return rc;
}

int part_scan(struct blockdev *bd, part_cb cb, void *cb_ctx,
	      part_report report, void *ctx)
{
	struct scan s = { bd, bd->block_size == 2048 ? 512 : bd->block_size,
			  0, cb, cb_ctx, report, ctx };
	bool mbr, protective = false;
	uint8_t buf[512];
	unsigned i;

	if (s.ss < 512 || s.ss % 512)	/* ss divides the block size */
		return 0;
	s.sectors = bd->blocks * (bd->block_size / s.ss);
	if (read_at(&s, 0, 512, buf))
		return 0;	/* too small for a table, or unreadable */
	/* A FAT boot sector ends in 55 AA too, but holds code where the
	 * entries would be: each entry's status is 0x00 or 0x80. */
	mbr = buf[510] == 0x55 && buf[511] == 0xaa;
	for (i = 0; i < 4 && mbr; i++) {
		mbr = !(buf[446 + 16 * i] & 0x7f);
		protective |= buf[446 + 16 * i + 4] == 0xee;
	}
	return mbr && !protective ? mbr_scan(&s, buf) :
	       gpt_scan(&s, protective, buf);
}

/* A partition as a device: reads go to the parent, offset.  One
 * allocation holds it all, the name last. */
struct part_dev {
	struct blockdev bd;
	struct blockdev *parent;
	uint64_t start;		/* bytes into the parent */
	char partuuid[37], parttype[37];
	char name[];
};

static int part_read(struct blockdev *bd, uint64_t lba, size_t count,
		     void *buf)
{
	struct part_dev *p = (struct part_dev *)bd;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	return blockdev_read_bytes(p->parent, p->start + lba * bd->block_size,
				   buf, count * bd->block_size);
}

static void part_free(struct blockdev *bd)
{
	bt_free(bd);
}

static const struct blockdev_ops part_ops = {
	.read = part_read,
	.free = part_free,
};

int part_device(struct blockdev *parent, const struct part_entry *e,
		struct blockdev **out)
{
	size_t n = strlen(parent->name) + sizeof(" partition 4294967295");
	struct part_dev *p = bt_zalloc(sizeof(*p) + n);

	if (!p)
		return BT_ENOMEM;
	p->parent = parent;
	p->start = e->start * e->sector;
	p->bd.ops = &part_ops;
	p->bd.block_size = e->sector;
	p->bd.blocks = e->count;
	fmt_buf(p->name, n, "%s partition %u", parent->name, e->number);
	p->bd.name = p->name;
	memcpy(p->parttype, e->parttype, sizeof(p->parttype));
	memcpy(p->partuuid, e->partuuid, sizeof(p->partuuid));
	p->bd.parttype = p->parttype;
	if (e->partuuid[0])
		p->bd.partuuid = p->partuuid;
	*out = &p->bd;
	return 0;
}
