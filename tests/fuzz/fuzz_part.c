/*
 * libFuzzer target: the input is a disk image of 512-byte blocks.  The
 * registry reads its partition table (GPT, MBR, extended chains) and makes
 * devices of the partitions; nothing may read outside the image, hang or
 * leak, and every partition made must lie inside the disk.  Each one is
 * then read at its first and last block through the partition device.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fs/fs.h"
#include "lib/error.h"
#include "lib/mem.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct memdisk {
	struct blockdev bd;
	const uint8_t *data;
};

static int mem_read(struct blockdev *bd, uint64_t lba, size_t count, void *buf)
{
	struct memdisk *m = (struct memdisk *)bd;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	memcpy(buf, m->data + lba * 512, count * 512);
	return 0;
}

static const struct blockdev_ops mem_ops = { .read = mem_read };
static const struct fs_driver *const no_drivers[] = { NULL };

static void ignore(void *ctx, const char *msg)
{
	CHECK(msg[0] && strlen(msg) < 200);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1), block[512];
	struct memdisk disk = { .bd = { .ops = &mem_ops, .block_size = 512,
					.blocks = size / 512, .name = "disk 0",
					.is_disk = true } };
	struct fs fs;
	size_t i;

	CHECK(copy);
	memcpy(copy, data, size);
	disk.data = copy;
	fs_init(&fs);
	fs.drivers = no_drivers;
	CHECK(fs_add_device(&fs, &disk.bd) == 0);
	fs_probe(&fs, false, ignore, NULL);
	CHECK(fs.n_devs == 1 + fs.n_owned);
	for (i = 0; i < fs.n_owned; i++) {
		struct blockdev *p = fs.owned[i];

		CHECK(p->block_size == 512 && p->blocks > 0);
		CHECK(p->blocks <= disk.bd.blocks && !p->is_disk);
		CHECK(p->parttype && p->name);
		CHECK(p->ops->read(p, 0, 1, block) == 0);
		CHECK(p->ops->read(p, p->blocks - 1, 1, block) == 0);
		CHECK(p->ops->read(p, p->blocks, 1, block) == BT_EINVAL);
	}
	fs_free(&fs);
	CHECK(memcmp(copy, data, size) == 0);
	free(copy);
	return 0;
}
