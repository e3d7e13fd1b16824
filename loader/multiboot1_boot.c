/*
 * The `multiboot` protocol: Multiboot 1 on the shared Multiboot load
 * (loader/multiboot_load.h).  The image is an ELF file or a flat image the
 * a.out kludge places; the information structure is written after
 * ExitBootServices from the final memory map.
 */
#include "loader/multiboot_load.h"
#include "loader/multiboot1.h"
#include "lib/fmt.h"

struct mb1_load {
	struct mb_load ml;	/* first: mb_boot() allocates the whole */
	struct mb1_header h;
	struct mb1_module mods[MB_MAX_MODULES];
	struct mb1_fb fb;
	struct mb1_info_args a;
};

static struct mb1_load *mb1_of(struct mb_load *ml)
{
	return (struct mb1_load *)ml;
}

static int mb1_parse(struct mb_load *ml, char *err, size_t errlen)
{
	struct mb1_load *m = mb1_of(ml);
	char why[200];
	int rc = mb1_find(ml->file, ml->len, &m->h, why, sizeof(why));

	if (rc) {
		fmt_buf(err, errlen, "%s: %s", ml->name, why);
		return rc;
	}
	return mb_parts(ml, m->h.flags & MB1_F_AOUT_KLUDGE ? &m->h : NULL, err, errlen);
}

static size_t mb1_info_args(struct mb_load *ml, size_t max_entries)
{
	struct mb1_load *m = mb1_of(ml);
	struct mb1_info_args *a = &m->a;
	const struct fw_framebuffer *fb = &ml->kl.plat.fb;
	size_t i;

	for (i = 0; i < ml->n_mods; i++)
		m->mods[i] = (struct mb1_module){ ml->mods[i].start, ml->mods[i].end,
						  ml->mods[i].string };
	*a = (struct mb1_info_args){ MB_INFO_INIT(ml, m->mods), };
	a->shdr_addr = (uint32_t)ml->shdr_addr;
	if (fb->base && (m->h.flags & MB1_F_VIDEO)) {
		m->fb = (struct mb1_fb)MB_FB_INIT(fb);
		a->fb = &m->fb;
	}
	return mb1_info_size(a, max_entries);
}

static int mb1_build(struct mb_load *ml, const void *map, size_t size,
		     size_t desc_size, uint32_t desc_version)
{
	return mb1_build_info(ml->info, (uint32_t)ml->info_phys, ml->info_cap,
			      &mb1_of(ml)->a, map, size, desc_size);
}

static int multiboot1_boot(struct fw *fw, const struct boot_spec *b,
			   uint64_t *status, char *err, size_t errlen)
{
	static const struct mb_ops ops = {
		.size = sizeof(struct mb1_load),
		.boot_magic = MB1_BOOT_MAGIC,
		.parse = mb1_parse,
		.info_args = mb1_info_args,
		.build_info = mb1_build,
	};

	return mb_boot(fw, b, &ops, err, errlen);
}

const struct protocol multiboot1_protocol = {
	.key = "multiboot",
	.flags = PROTO_EDITABLE | PROTO_KEXEC | PROTO_MODULES,
	.boot = multiboot1_boot,
};
