/*
 * libFuzzer target: the ISO 9660 driver over an arbitrary image.  The
 * input is a device of 2048-byte blocks (padded with zeros to 40 KB, so
 * short inputs still reach the descriptors); the driver probes it, lists
 * the root, opens and reads every root entry and a few fixed paths.  It
 * must not read outside the device or its buffers, loop for ever, or
 * leak, and every failure of a recognised volume must leave a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs/driver.h"
#include "lib/error.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MIN_SIZE (40 * 1024)
#define READ_MAX (256 * 1024)	/* bytes read per file */

struct memdev {
	struct blockdev bd;
	const uint8_t *data;
};

static int mem_read(struct blockdev *bd, uint64_t lba, size_t count,
		    void *buf)
{
	struct memdev *m = (struct memdev *)bd;

	CHECK(lba <= bd->blocks && count <= bd->blocks - lba);
	memcpy(buf, m->data + lba * bd->block_size, count * bd->block_size);
	return 0;
}

static const struct blockdev_ops mem_ops = { mem_read };

struct names {
	char name[16][256];
	int n;
};

static int collect(void *ctx, const char *name, bool is_dir)
{
	struct names *nm = ctx;

	CHECK(strlen(name) < 256);
	if (nm->n < 16)
		strcpy(nm->name[nm->n++], name);
	return 0;
}

static void read_file(struct volume *v, const char *path, uint8_t *buf)
{
	struct vfile *f;
	uint64_t off = 0;
	int rc = v->ops->open(v, path, &f);

	if (rc) {
		CHECK(rc < 0);
		return;
	}
	while (off < READ_MAX) {
		size_t got = 0;

		if (f->ops->read_at(f, off, buf, 65536, &got) || !got)
			break;
		CHECK(got <= 65536 && off + got <= f->size);
		off += got;
	}
	/* Far out, and at the end. */
	if (f->size > 10) {
		size_t got;

		if (!f->ops->read_at(f, f->size - 10, buf, 65536, &got))
			CHECK(got == 10);
	}
	f->ops->close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char paths[][40] = {
		"/a", "/boot/grub/grub.cfg", "/x/../y/./z", "/..", "/a/b/c/d",
		"/EFI/BOOT/BOOTX64.EFI",
	};
	size_t padded = size < MIN_SIZE ? MIN_SIZE : size;
	uint8_t *img, *buf;
	struct memdev m;
	struct volume *v = NULL;
	struct names nm, sub;
	char err[300], path[300];
	int rc, i;

	padded = (padded + 2047) / 2048 * 2048;
	img = calloc(1, padded);
	buf = malloc(65536);
	CHECK(img && buf);
	memcpy(img, data, size);
	memset(&m, 0, sizeof(m));
	m.bd.ops = &mem_ops;
	m.bd.block_size = 2048;
	m.bd.blocks = padded / 2048;
	m.bd.name = "fuzz";
	m.data = img;
	err[0] = '\0';
	rc = iso9660_driver.probe(&m.bd, &v, err, sizeof(err));
	if (rc) {
		CHECK(rc == BT_ENOENT || err[0]);
		goto out;
	}
	nm.n = 0;
	rc = v->ops->list(v, "/", collect, &nm);
	/* Broken data is always explained. */
	CHECK(rc != BT_EINVAL || v->why);
	for (i = 0; i < nm.n; i++) {
		snprintf(path, sizeof(path), "/%s", nm.name[i]);
		read_file(v, path, buf);
		sub.n = 0;
		rc = v->ops->list(v, path, collect, &sub);
		CHECK(rc != BT_EINVAL || v->why);
	}
	for (i = 0; i < (int)(sizeof(paths) / sizeof(paths[0])); i++)
		read_file(v, paths[i], buf);
	v->ops->free(v);
out:
	free(img);
	free(buf);
	return 0;
}
