/* The shared test rig (tests/unit/rig.h). */
#include "tests/unit/helpers.h"
#include "tests/unit/rig.h"
#include "core/baton.h"
#include <unistd.h>

void rig_init(struct rig *r, uint64_t ram_pages)
{
	memset(r, 0, sizeof(*r));
	host_fw_init(&r->fw);
	if (ram_pages)
		host_fw_ram(&r->fw, ram_pages);
	memvol_init(&r->boot, r->files, 0);
	r->boot.v.is_boot = true;
	r->boot.v.label = "BATON";
	assert_int_equal(fs_add_volume(&r->fw.fs, &r->boot.v), 0);
	r->fw.kexec_jmp = &r->jb;
}

void rig_file(struct rig *r, const char *path, const void *data, size_t len)
{
	assert_non_null(data);	/* a NULL data is a folder: rig_dir */
	assert_true(r->n_files < RIG_MAX_FILES);
	r->files[r->n_files++] = (struct memfile){ path, data, len };
	r->boot.n = r->n_files;
}

void rig_dir(struct rig *r, const char *path)
{
	assert_true(r->n_files < RIG_MAX_FILES);
	r->files[r->n_files++] = (struct memfile){ path, NULL, 0 };
	r->boot.n = r->n_files;
}

void rig_disk(struct rig *r, struct host_blockdev *hb, const char *image_file,
	      uint64_t offset, uint32_t block_size)
{
	assert_true(r->n_disks < RIG_MAX_DISKS);
	if (host_blockdev_open(hb, image_file, offset, 0, block_size))
		fail_msg("%s: cannot open the disk image", image_file);
	r->disks[r->n_disks++] = hb;
	assert_int_equal(fs_add_device(&r->fw.fs, &hb->bd), 0);
}

/* The registry first: the volumes drivers made read through the disks. */
void rig_free(struct rig *r)
{
	size_t i;

	host_fw_free(&r->fw);
	for (i = 0; i < r->n_disks; i++)
		host_blockdev_close(r->disks[i]);
	r->n_disks = 0;
}

bool rig_fat_image(char *path, size_t pathlen, unsigned size_mib,
		   uint64_t offset, uint32_t serial, const char *label)
{
	char cmd[600];
	int fd;

	assert_true(offset % 1024 == 0 && offset < (uint64_t)size_mib << 20);
	snprintf(path, pathlen, "/tmp/baton-rig-fat-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(cmd, sizeof(cmd), "truncate -s %uM %s && mkfs.fat --offset=%llu "
		 "-i %08X -n %s %s %llu >/dev/null 2>&1", size_mib, path,
		 (unsigned long long)(offset / 512), (unsigned)serial, label, path,
		 (unsigned long long)((((uint64_t)size_mib << 20) - offset) / 1024));
	if (system(cmd) == 0)
		return true;
	unlink(path);
	return false;
}

void rig_run(struct rig *r, const struct key *keys, size_t n)
{
	r->fw.keys = keys;
	r->fw.n_keys = n;
	assert_int_equal(baton_main(&r->fw), 0);
	assert_int_equal(r->fw.next_key, n);	/* every key was used */
}

void rig_expect_out(struct rig *r, const char *text)
{
	if (!r->fw.out || !strstr(r->fw.out, text))
		fail_msg("console lacks \"%s\"; it shows:\n%s", text,
			 r->fw.out ? r->fw.out : "(nothing)");
}

void rig_pe_image(char buf[RIG_PE_SIZE])
{
	memset(buf, 0, RIG_PE_SIZE);
	buf[0] = 'M';
	buf[1] = 'Z';
	buf[0x3c] = (char)0x80;
	memcpy(buf + 0x80, "PE\0\0", 4);
	buf[0x84] = 0x64;		/* machine: x86-64 */
	buf[0x85] = (char)0x86;
	buf[0x80 + 24] = 0x0b;		/* PE32+ */
	buf[0x80 + 25] = 0x02;
	buf[0x80 + 24 + 68] = 10;	/* subsystem: EFI application */
}
