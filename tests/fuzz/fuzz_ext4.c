/*
 * libFuzzer target: the input is a disk image (a memory block device of
 * 1024-byte blocks) given to the ext4 driver.  Probing it, listing the root,
 * and opening and reading a few fixed paths and every entry of the root
 * must never read out of bounds, crash or hang; a refusal must come with a
 * message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fs/driver.h"
#include "lib/error.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct memdev {
	struct blockdev bd;
	const uint8_t *data;
};

static int mem_read(struct blockdev *bd, uint64_t lba, size_t count,
		    void *buf)
{
	struct memdev *m = (struct memdev *)bd;

	if (lba > bd->blocks || count > bd->blocks - lba)
		return BT_EINVAL;
	memcpy(buf, m->data + lba * bd->block_size, count * bd->block_size);
	return 0;
}

static const struct blockdev_ops mem_ops = { mem_read };

/* Read a file in two pieces, the second at an odd offset. */
static void read_file(struct volume *v, const char *path)
{
	static uint8_t buf[1 << 16];
	struct vfile *f;
	size_t got;

	if (v->ops->open(v, path, &f)) {
		CHECK(!v->why || strlen(v->why) < 200);
		return;
	}
	f->ops->read_at(f, 0, buf, sizeof(buf), &got);
	CHECK(got <= sizeof(buf));
	if (f->size > 3)
		f->ops->read_at(f, f->size - 3, buf, 1000, &got);
	f->ops->close(f);
}

struct names {
	char name[8][260];
	size_t n;
};

static int collect(void *ctx, const char *name, bool is_dir)
{
	struct names *ns = ctx;

	(void)is_dir;
	CHECK(strlen(name) > 0 && strlen(name) < 256);
	if (ns->n < 8) {
		ns->name[ns->n][0] = '/';
		strcpy(ns->name[ns->n] + 1, name);
		ns->n++;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/boot/vmlinuz", "/a", "/link", "/d/e/f", "/lost+found/x",
	};
	struct memdev m = { 0 };
	struct volume *v = NULL;
	struct names ns = { 0 };
	uint8_t *copy = malloc(size ? size : 1);
	char err[200];
	size_t i;
	int rc;

	CHECK(copy);
	memcpy(copy, data, size);
	m.bd.ops = &mem_ops;
	m.bd.block_size = 1024;
	m.bd.blocks = size / 1024;
	m.bd.name = "fuzz";
	m.data = copy;
	err[0] = '\0';
	rc = ext4_driver.probe(&m.bd, &v, err, sizeof(err));
	if (rc) {
		CHECK(rc == BT_ENOENT || err[0]);
		free(copy);
		return 0;
	}
	v->ops->list(v, "/", collect, &ns);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		read_file(v, paths[i]);
	for (i = 0; i < ns.n; i++) {
		struct names sub = { 0 };

		read_file(v, ns.name[i]);
		v->ops->list(v, ns.name[i], collect, &sub);
	}
	v->ops->free(v);
	free(copy);
	return 0;
}
