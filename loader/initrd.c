#include "loader/initrd.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/mem.h"

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~3ULL;
}

void initrd_close(struct initrd_set *set)
{
	while (set->n) {
		set->n--;
		fs_stream_close(&set->files[set->n]);
	}
}

int initrd_open(struct fs *fs, const struct boot_spec *b,
		struct initrd_set *set, char *err, size_t errlen)
{
	size_t i;
	int rc;

	memset(set, 0, sizeof(*set));
	if (b->n_initrds > INITRD_MAX) {
		fmt_buf(err, errlen, "%s: more than %d initrd lines", b->where,
			INITRD_MAX);
		return BT_ETOOBIG;
	}
	for (i = 0; i < b->n_initrds; i++) {
		struct fs_stream *s = &set->files[i];

		rc = fs_stream_open(fs, &b->initrds[i], s, err, errlen);
		if (!rc) {
			set->n++;
			rc = fs_stream_need_size(s, err, errlen);
		}
		if (rc) {
			initrd_close(set);
			return rc;
		}
		set->total = align4(set->total) + fs_stream_size(s);
	}
	return 0;
}

int initrd_read(struct initrd_set *set, uint8_t *dst, char *err,
		size_t errlen)
{
	uint64_t off = 0;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < set->n; i++) {
		struct fs_stream *s = &set->files[i];
		uint64_t size = fs_stream_size(s);

		memset(dst + off, 0, align4(off) - off);
		off = align4(off);
		rc = fs_stream_read_exact(s, dst + off, (size_t)size, err, errlen);
		if (!rc)
			rc = fs_stream_finish(s, err, errlen);
		off += size;
	}
	return rc;
}
