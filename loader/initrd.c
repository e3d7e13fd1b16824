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
		set->files[set->n]->ops->close(set->files[set->n]);
	}
}

int initrd_open(const struct fs *fs, const struct config_entry *e,
		struct initrd_set *set, char *err, size_t errlen)
{
	size_t i;
	int rc;

	memset(set, 0, sizeof(*set));
	if (e->n_initrds > INITRD_MAX) {
		fmt_buf(err, errlen, "%s: more than %d initrd lines", e->where,
			INITRD_MAX);
		return BT_ETOOBIG;
	}
	for (i = 0; i < e->n_initrds; i++) {
		rc = fs_open(fs, &e->initrds[i], &set->files[i], err, errlen);
		if (rc) {
			initrd_close(set);
			return rc;
		}
		set->n++;
		set->total = align4(set->total) + set->files[i]->ops->size(set->files[i]);
	}
	return 0;
}

int initrd_read(const struct config_entry *e, struct initrd_set *set,
		uint8_t *dst, char *err, size_t errlen)
{
	uint64_t off = 0;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < set->n; i++) {
		uint64_t size = set->files[i]->ops->size(set->files[i]);
		uint8_t digest[SHA256_LEN];

		memset(dst + off, 0, align4(off) - off);
		off = align4(off);
		rc = fs_read_exact(set->files[i], 0, dst + off, size);
		if (rc) {
			char *name = path_format(&e->initrds[i]);

			fmt_buf(err, errlen, "%s: %s", name ? name : "initrd",
				bt_strerror(rc));
			bt_free(name);
		} else if (e->initrds[i].pinned) {
			sha256_digest(dst + off, size, digest);
			rc = fs_check_pin(&e->initrds[i], digest, err, errlen);
		}
		off += size;
	}
	return rc;
}
