/* A key press, as the firmware layer reports it and the menu consumes it. */
#ifndef BATON_LIB_KEY_H
#define BATON_LIB_KEY_H

#include <stdint.h>

enum key_code {
	KEY_CHAR = 0,		/* a printable character in .ch */
	KEY_UP,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_PGUP,
	KEY_PGDN,
	KEY_ENTER,
	KEY_ESC,
	KEY_BACKSPACE,
	KEY_DELETE,
	KEY_TAB,
	KEY_OTHER,		/* a key baton has no use for (F-keys, ...) */
};

struct key {
	enum key_code code;
	uint32_t ch;		/* Unicode code point when code == KEY_CHAR */
};

#endif
