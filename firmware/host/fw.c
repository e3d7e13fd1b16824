#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/host/host.h"
#include "lib/error.h"

void host_fw_init(struct fw *fw)
{
	memset(fw, 0, sizeof(*fw));
	fw->load_options = "";
	fw->self_path = "/EFI/BOOT/BOOTX64.EFI";
	fw->cols = 80;
	fw->rows = 25;
}

void host_fw_free(struct fw *fw)
{
	free(fw->out);
	fw->out = NULL;
}

static void record(struct fw *fw, const char *s)
{
	size_t n = strlen(s);

	if (fw->out_len + n + 1 > fw->out_cap) {
		fw->out_cap = (fw->out_len + n + 1) * 2;
		fw->out = realloc(fw->out, fw->out_cap);
	}
	memcpy(fw->out + fw->out_len, s, n + 1);
	fw->out_len += n;
}

void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows)
{
	*cols = fw->cols;
	*rows = fw->rows;
}

void fw_con_clear(struct fw *fw)
{
	record(fw, "\n<clear>\n");
}

/* Each positioned write starts a new line in the log, so tests can find
 * whole rows. */
void fw_con_goto(struct fw *fw, unsigned col, unsigned row)
{
	record(fw, "\n");
}

void fw_con_highlight(struct fw *fw, bool on)
{
}

void fw_con_cursor(struct fw *fw, bool visible)
{
}

void fw_con_write(struct fw *fw, const char *utf8)
{
	record(fw, utf8);
}

static bool idle_marker(const struct fw *fw)
{
	return fw->next_key < fw->n_keys &&
	       fw->keys[fw->next_key].code == KEY_OTHER &&
	       fw->keys[fw->next_key].ch == HOST_IDLE;
}

int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k)
{
	if (idle_marker(fw) && timeout_ms != UINT32_MAX) {
		fw->now_ms += timeout_ms;
		return BT_ETIMEOUT;
	}
	if (idle_marker(fw))
		fw->next_key++;
	if (fw->next_key < fw->n_keys) {
		*k = fw->keys[fw->next_key++];
		return 0;
	}
	if (timeout_ms == UINT32_MAX) {
		/* A real machine would wait for ever: the test is wrong. */
		fprintf(stderr, "host fw: key script ran out while baton waits "
			"for a key; console so far:\n%s\n", fw->out ? fw->out : "");
		abort();
	}
	fw->now_ms += timeout_ms;
	return BT_ETIMEOUT;
}

uint64_t fw_time_ms(struct fw *fw)
{
	return fw->now_ms;
}

const struct fs *fw_fs(struct fw *fw)
{
	return &fw->fs;
}

const char *fw_load_options(struct fw *fw)
{
	return fw->load_options;
}

const char *fw_self_path(struct fw *fw)
{
	return fw->self_path;
}

int fw_image_start(struct fw *fw, struct volume *vol, const char *path,
		   const void *image, size_t size, const char *options,
		   uint64_t *exit_status, char **exit_data,
		   char *err, size_t errlen)
{
	*exit_data = NULL;
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

int fw_reset(struct fw *fw, enum fw_reset_kind kind, char *err, size_t errlen)
{
	fw->resets++;
	fw->last_reset = kind;
	snprintf(err, errlen, "host machine cannot reset");
	return BT_EUNSUPP;
}
