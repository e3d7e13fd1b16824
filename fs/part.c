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

/* Read n sectors at lba into buf; BT_EINVAL past the end. */
static int read_sectors(struct scan *s, uint64_t lba, uint64_t n, void *buf)
{
	if (lba >= s->sectors || n > s->sectors - lba)
		return BT_EINVAL;
	return blockdev_read_bytes(s->bd, lba * s->ss, buf, (size_t)(n * s->ss));
}

/* A GUID as text: the first three fields are little-endian on disk. */
static void guid_text(const uint8_t *g, char out[37])
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	static const char hex[] = "0123456789abcdef";
	unsigned i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[g[order[i]] >> 4];
		out[o++] = hex[g[order[i]] & 15];
	}
	out[o] = '\0';
}

/* Hand one partition to the callback, unless it is the whole disk again
 * (starts at 0) or does not fit on the device. */
static int emit(struct scan *s, struct part_entry *e)
{
	if (e->start == 0 || e->count == 0)
		return 0;
	if (e->start >= s->sectors || e->count > s->sectors - e->start) {
		say(s, "partition %u (sectors %llu-%llu) is past the end of the "
		    "device (%llu sectors); skipped", e->number,
		    (unsigned long long)e->start,
		    (unsigned long long)(e->start + e->count - 1),
		    (unsigned long long)s->sectors);
		return 0;
	}
	e->sector = s->ss;
	return s->cb(s->ctx, e);
}

/*
 * Load and check the GPT header at lba and its entry array: *arr (bt_free)
 * holds *n entries of *es bytes.  NULL, or why the table cannot be used
 * (*rc then BT_ENOMEM or BT_EFORMAT).
 */
static const char *gpt_load(struct scan *s, uint64_t lba, uint8_t **arr,
			    uint32_t *n, uint32_t *es, int *rc)
{
	uint8_t *h = bt_alloc(s->ss);
	const char *why = NULL;
	uint32_t hs, crc;
	uint64_t at, secs;

	*arr = NULL;
	*rc = BT_ENOMEM;
	if (!h)
		return "out of memory";
	*rc = BT_EFORMAT;
	if (read_sectors(s, lba, 1, h))
		why = "the header cannot be read";
	else if (memcmp(h, "EFI PART", 8))
		why = "no 'EFI PART' signature";
	else if ((hs = get32(h + 12)) < 92 || hs > s->ss)
		why = "bad header size";
	if (why)
		goto out;
	crc = get32(h + 16);
	put32(h + 16, 0);
	*n = get32(h + 80);
	*es = get32(h + 84);
	at = get64(h + 72);
	secs = ((uint64_t)*n * *es + s->ss - 1) / s->ss;
	if (crc32_update(0, h, hs) != crc)
		why = "header CRC mismatch";
	else if (get64(h + 24) != lba)
		why = "the header is not where it says it is";
	else if (*es < 128 || *es % 8 || *es > GPT_MAX_ENTRY_SIZE ||
		 *n > GPT_MAX_ENTRIES)
		why = "bad entry size or count";
	else if (at < 2 || at >= s->sectors || secs > s->sectors - at)
		why = "the entry array is outside the disk";
	else if (!(*arr = bt_alloc(secs * s->ss + 1))) {
		why = "out of memory";
		*rc = BT_ENOMEM;
	} else if (read_sectors(s, at, secs, *arr))
		why = "the entry array cannot be read";
	else if (crc32_update(0, *arr, (size_t)*n * *es) != get32(h + 88))
		why = "entry array CRC mismatch";
out:
	if (why) {
		bt_free(*arr);
		*arr = NULL;
	}
	bt_free(h);
	return why;
}

/* The GPT, primary or backup.  A disk with neither is reported only when
 * its MBR said it has a GPT (protective). */
static int gpt_scan(struct scan *s, bool protective)
{
	static const uint8_t zero[16];
	const char *why, *why2;
	uint8_t *arr;
	uint32_t n, es, i;
	int rc = 0;

	why = gpt_load(s, 1, &arr, &n, &es, &rc);
	if (why && rc != BT_ENOMEM) {
		why2 = gpt_load(s, s->sectors - 1, &arr, &n, &es, &rc);
		if (!why2)
			say(s, "GPT: the primary table is bad (%s); using the "
			    "backup at sector %llu", why,
			    (unsigned long long)(s->sectors - 1));
		else if (protective)
			say(s, "GPT: no usable table (primary: %s; backup: %s)",
			    why, why2);
		why = why2;
	}
	if (why)
		return rc == BT_ENOMEM ? rc : 0;
	rc = 0;
	for (i = 0; i < n && !rc; i++) {
		const uint8_t *e = arr + (size_t)i * es;
		struct part_entry pe = { .number = i + 1 };
		uint64_t first = get64(e + 32), last = get64(e + 40);

		if (!memcmp(e, zero, 16))
			continue;
		if (last < first) {
			say(s, "GPT: entry %u ends before it starts; skipped",
			    i + 1);
			continue;
		}
		pe.start = first;
		pe.count = last - first + 1;
		guid_text(e, pe.parttype);
		guid_text(e + 16, pe.partuuid);
		rc = emit(s, &pe);
	}
	bt_free(arr);
	return rc;
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* An MBR entry (16 bytes) as a partition numbered number, at base. */
static struct part_entry mbr_entry(const uint8_t *m, unsigned number,
				   uint64_t base)
{
	struct part_entry e = { .number = number };

	e.start = base + get32(m + 8);
	e.count = get32(m + 12);
	fmt_buf(e.parttype, sizeof(e.parttype), "mbr:%02x", m[4]);
	return e;
}

/*
 * The logical partitions of the extended partition ext: a chain of boot
 * records, each holding one partition (relative to itself) and the link to
 * the next (relative to ext's start).  At most EBR_MAX links, none twice.
 */
static int ebr_chain(struct scan *s, const struct part_entry *ext, uint8_t *buf)
{
	uint64_t seen[EBR_MAX], at = ext->start;
	unsigned links, i, number = 5;
	int rc;

	for (links = 0; links < EBR_MAX; links++) {
		const uint8_t *e = buf + 446;
		struct part_entry pe;

		for (i = 0; i < links; i++)
			if (seen[i] == at) {
				say(s, "MBR: the extended partition's chain "
				    "loops back to sector %llu",
				    (unsigned long long)at);
				return 0;
			}
		seen[links] = at;
		if (at < ext->start || at - ext->start >= ext->count ||
		    read_sectors(s, at, 1, buf) ||
		    buf[510] != 0x55 || buf[511] != 0xaa) {
			say(s, "MBR: no extended boot record at sector %llu",
			    (unsigned long long)at);
			return 0;
		}
		if (e[4] && !is_extended(e[4])) {
			pe = mbr_entry(e, number++, at);
			if ((rc = emit(s, &pe)))
				return rc;
		}
		if (!is_extended(e[16 + 4]) || !get32(e + 16 + 8))
			return 0;
		at = ext->start + get32(e + 16 + 8);
	}
	say(s, "MBR: more than %u logical partitions; the rest are ignored",
	    EBR_MAX);
	return 0;
}

/* The four primary entries (and the extended chains among them). */
static int mbr_scan(struct scan *s, uint8_t *buf)
{
	uint8_t m[64];
	unsigned i;
	int rc = 0;

	memcpy(m, buf + 446, sizeof(m));
	for (i = 0; i < 4 && !rc; i++) {
		struct part_entry pe = mbr_entry(m + 16 * i, i + 1, 0);

		if (!m[16 * i + 4])
			continue;
		if (is_extended(m[16 * i + 4]))
			rc = pe.count ? ebr_chain(s, &pe, buf) : 0;
		else
			rc = emit(s, &pe);
	}
	return rc;
}

int part_scan(struct blockdev *bd, part_cb cb, part_report report, void *ctx)
{
	struct scan s = { bd, bd->block_size == 2048 ? 512 : bd->block_size,
			  0, cb, report, ctx };
	bool mbr = true, protective = false;
	uint8_t *buf;
	unsigned i;
	int rc;

	if (s.ss < 512 || s.ss % 512 || bd->block_size % s.ss)
		return 0;
	s.sectors = bd->blocks * (bd->block_size / s.ss);
	if (s.sectors < 3)
		return 0;
	buf = bt_alloc(s.ss);
	if (!buf)
		return BT_ENOMEM;
	rc = read_sectors(&s, 0, 1, buf);
	if (rc) {
		say(&s, "the partition table cannot be read (%s)",
		    bt_strerror(rc));
		bt_free(buf);
		return rc == BT_ENOMEM ? rc : 0;
	}
	/* A FAT boot sector ends in 55 AA too, but holds code where the
	 * entries would be: each entry's status is 0x00 or 0x80. */
	if (buf[510] != 0x55 || buf[511] != 0xaa)
		mbr = false;
	for (i = 0; i < 4 && mbr; i++) {
		mbr = !(buf[446 + 16 * i] & 0x7f);
		protective |= buf[446 + 16 * i + 4] == 0xee;
	}
	rc = mbr && !protective ? mbr_scan(&s, buf) : gpt_scan(&s, protective);
	bt_free(buf);
	return rc;
}

/* A partition as a device: reads go to the parent, offset. */
struct part_dev {
	struct blockdev bd;
	struct blockdev *parent;
	uint64_t start;		/* bytes into the parent */
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
	bt_free(bd->name);
	bt_free(bd->partuuid);
	bt_free(bd->parttype);
	bt_free(bd);
}

static const struct blockdev_ops part_ops = {
	.read = part_read,
	.free = part_free,
};

int part_device(struct blockdev *parent, const struct part_entry *e,
		struct blockdev **out)
{
	struct part_dev *p = bt_zalloc(sizeof(*p));

	if (!p)
		return BT_ENOMEM;
	p->parent = parent;
	p->start = e->start * e->sector;
	p->bd.ops = &part_ops;
	p->bd.block_size = e->sector;
	p->bd.blocks = e->count;
	p->bd.name = fmt_alloc("%s partition %u", parent->name, e->number);
	p->bd.parttype = str_dup(e->parttype);
	if (e->partuuid[0])
		p->bd.partuuid = str_dup(e->partuuid);
	if (!p->bd.name || !p->bd.parttype ||
	    (e->partuuid[0] && !p->bd.partuuid)) {
		part_free(&p->bd);
		return BT_ENOMEM;
	}
	*out = &p->bd;
	return 0;
}
