/* The host double's image service: programs "started" are recorded, and
 * what an EFI stub would ask of the LoadFile2 initrd is kept for the test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/host/host.h"
#include "lib/error.h"
#include "lib/mem.h"

int fw_image_start(struct fw *fw, const struct fs_locator *loc,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen)
{
	const char *path = loc->file;

	*exit_data = NULL;
	fw->started_device = loc->device;
	if (fw->start_error) {
		snprintf(err, errlen, "%s: host refuses to start it", path);
		return fw->start_error;
	}
	fw->starts++;
	snprintf(fw->started_path, sizeof(fw->started_path), "%s", path);
	snprintf(fw->started_options, sizeof(fw->started_options), "%s",
		 options ? options : "");
	fw->started_size = size;
	*exit_status = fw->start_status;
	return 0;
}

int fw_initrd_offer(struct fw *fw, size_t len, fw_initrd_fill fill, void *ctx,
		    char *err, size_t errlen)
{
	host_trace(fw, "initrd-offer");
	fw->initrd_fill = fill;
	fw->initrd_ctx = ctx;
	fw->initrd_len = len;
	return 0;
}

void fw_initrd_withdraw(struct fw *fw)
{
	host_trace(fw, "initrd-withdraw");
}

uint64_t fw_image_handle(struct fw *fw)
{
	return 0x1A6E;		/* a recognisable fake */
}
