/* Drawing struct screen frames on the firmware console, rewriting only
 * the rows that changed since the previous frame (a serial line at
 * 115200 baud redraws a full 80x25 screen in about 0.2 s). */
#ifndef BATON_CORE_CONSOLE_H
#define BATON_CORE_CONSOLE_H

#include <stdbool.h>
#include "menu/screen.h"

struct fw;

struct console {
	struct fw *fw;
	struct screen shown;	/* what is on the console now */
	bool valid;		/* false: the next draw repaints everything */
};

/* Set up c for fw's console size.  Returns 0 or BT_ENOMEM. */
int console_init(struct console *c, struct fw *fw);
void console_free(struct console *c);
/* Draw next, writing the rows that differ from what is shown. */
int console_draw(struct console *c, const struct screen *next);
/* Forget what is shown (something else wrote to the console). */
void console_invalidate(struct console *c);

#endif
