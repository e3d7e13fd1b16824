/* File-backed block devices for host tests: a disk image made at test time
 * (mkfs.fat, mkfs.ext4, xorriso), read the way firmware Block I/O reads. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "firmware/host/host.h"
#include "lib/error.h"

static int host_block_read(struct blockdev *bd, uint64_t lba, size_t count,
			   void *buf)
{
	struct host_blockdev *h = (struct host_blockdev *)bd;
	size_t len = count * bd->block_size;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	h->reads++;
	if (h->fail_read)
		return h->fail_read;
	if (pread(h->fd, buf, len, (off_t)(h->offset + lba * bd->block_size)) !=
	    (ssize_t)len)
		return BT_EIO;
	return 0;
}

static const struct blockdev_ops host_block_ops = { .read = host_block_read };

int host_blockdev_open(struct host_blockdev *h, const char *file,
		       uint64_t offset, uint64_t size, uint32_t block_size)
{
	struct stat st;

	memset(h, 0, sizeof(*h));
	h->fd = open(file, O_RDONLY);
	if (h->fd < 0 || fstat(h->fd, &st))
		return BT_ENOENT;
	if (!size)
		size = (uint64_t)st.st_size - offset;
	h->offset = offset;
	h->bd.ops = &host_block_ops;
	h->bd.block_size = block_size;
	h->bd.blocks = size / block_size;
	snprintf(h->name, sizeof(h->name), "disk %s", file);
	h->bd.name = h->name;
	h->bd.handle = h;
	return 0;
}

void host_blockdev_close(struct host_blockdev *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}
