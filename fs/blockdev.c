/* Byte-addressed reads over a block device. */
#include "fs/blockdev.h"
#include "lib/error.h"
#include "lib/mem.h"

/* Read part of one block through a bounce buffer. */
static int read_partial(struct blockdev *bd, uint64_t lba, size_t skip,
			void *buf, size_t len)
{
	uint8_t *block = bt_alloc(bd->block_size);
	int rc;

	if (!block)
		return BT_ENOMEM;
	rc = bd->ops->read(bd, lba, 1, block);
	if (!rc)
		memcpy(buf, block + skip, len);
	bt_free(block);
	return rc;
}

int blockdev_read_bytes(struct blockdev *bd, uint64_t off, void *buf,
			size_t len)
{
	uint64_t bs = bd->block_size, lba, whole;
	uint8_t *out = buf;
	size_t skip;
	int rc;

	if (!bs || off > bs * bd->blocks || len > bs * bd->blocks - off)
		return BT_EINVAL;
	lba = off / bs;
	skip = (size_t)(off % bs);
	if (skip && len) {
		size_t n = bs - skip < len ? (size_t)(bs - skip) : len;

		if ((rc = read_partial(bd, lba, skip, out, n)))
			return rc;
		out += n;
		len -= n;
		lba++;
	}
	whole = len / bs;
	if (whole) {
		if ((rc = bd->ops->read(bd, lba, (size_t)whole, out)))
			return rc;
		out += whole * bs;
		len -= (size_t)(whole * bs);
		lba += whole;
	}
	return len ? read_partial(bd, lba, 0, out, len) : 0;
}

static int ram_read(struct blockdev *bd, uint64_t lba, size_t count, void *buf)
{
	const struct ram_blockdev *r = (const struct ram_blockdev *)bd;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	memcpy(buf, r->data + lba * bd->block_size, count * bd->block_size);
	return 0;
}

static const struct blockdev_ops ram_ops = { .read = ram_read };

void blockdev_ram(struct ram_blockdev *r, const void *data, uint64_t len,
		  uint32_t block_size, char *name)
{
	memset(r, 0, sizeof(*r));
	r->bd.ops = &ram_ops;
	r->bd.block_size = block_size;
	r->bd.blocks = len / block_size;
	r->bd.name = name;
	r->bd.is_disk = true;
	r->data = data;
}
