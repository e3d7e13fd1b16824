/*
 * The console service: a grid of cols x rows character cells that text is
 * written to (UTF-8), with a highlight and a cursor; the menu draws on it.
 */
#ifndef BATON_FIRMWARE_CONSOLE_H
#define BATON_FIRMWARE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw;

void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows);
void fw_con_clear(struct fw *fw);
void fw_con_goto(struct fw *fw, unsigned col, unsigned row);
void fw_con_highlight(struct fw *fw, bool on);
void fw_con_cursor(struct fw *fw, bool visible);
/* Write UTF-8 text at the cursor; "\n" starts a new line. */
void fw_con_write(struct fw *fw, const char *utf8);

#endif
