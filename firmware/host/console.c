/* The host double's console, keys and clock: what is written is recorded,
 * keys come from the test's script, time moves only when a wait times out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/host/host.h"
#include "lib/error.h"
#include "lib/mem.h"

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

uint64_t fw_time_us(struct fw *fw)
{
	return fw->now_ms * 1000;
}
