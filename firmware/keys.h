/*
 * The key service: keystrokes from the firmware's console input (a serial
 * terminal or a keyboard) as baton's own key codes.
 */
#ifndef BATON_FIRMWARE_KEYS_H
#define BATON_FIRMWARE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/key.h"

struct fw;

/*
 * Wait up to timeout_ms (0: just poll; UINT32_MAX: forever) for a key.
 * Returns 0 and fills *k, or BT_ETIMEOUT.
 */
int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k);

#endif
