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
