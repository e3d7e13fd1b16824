/*
 * Private to config/: the lexer, and helpers the config files share.
 *
 * The lexer splits config text into logical lines.
 * A logical line is one or more physical lines joined where a line ends in
 * '\' (with one space; the next line's leading whitespace dropped), with
 * comments ('#' at the start of a word, to the end of that physical line) and
 * surrounding whitespace removed.  Blank lines are skipped.  A UTF-8 byte
 * order mark at the start is skipped.
 */
#ifndef BATON_CONFIG_INTERNAL_H
#define BATON_CONFIG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "config/config.h"
#include "lib/mem.h"

struct config_lexer {
	const char *text;	/* not owned */
	size_t len;
	size_t pos;		/* start of the next physical line */
	unsigned line;		/* number of the next physical line, from 1 */
	char *buf;		/* CONFIG_LINE_MAX + 1 bytes, owned */
};

enum config_lex {
	CONFIG_LEX_END,		/* no more lines */
	CONFIG_LEX_LINE,	/* a logical line in text */
	CONFIG_LEX_TOO_LONG,	/* over CONFIG_LINE_MAX bytes: skipped */
	CONFIG_LEX_BAD_TEXT,	/* invalid UTF-8 or a NUL byte: skipped */
};

struct config_line {
	char *text;		/* NUL-terminated, in the lexer's buffer; valid
				 * until the next call, and the caller may
				 * modify it in place */
	size_t len;
	unsigned line;		/* physical line where the logical one starts */
	unsigned bad_line;	/* CONFIG_LEX_BAD_TEXT: the line with the bad
				 * byte, its value and its 1-based column */
	unsigned char bad_byte;
	size_t bad_col;
};

/* Bytes of user text quoted in a message, with room for "..." and NUL. */
#define CONFIG_QUOTE_MAX STR_QUOTE_MAX

/*
 * Copy s into buf for quoting in a message, cut at a UTF-8 character
 * boundary and ended with "..." when it is too long, so one hostile line
 * cannot flood the screen.  Returns buf.
 */
const char *config_quote(char buf[CONFIG_QUOTE_MAX], const char *s);

/* Start reading text[0..len) (not copied).  BT_ENOMEM, or 0. */
int config_lexer_init(struct config_lexer *lx, const char *text, size_t len);

/* The next logical line or problem (enum config_lex) into *out. */
enum config_lex config_lexer_next(struct config_lexer *lx,
				  struct config_line *out);

/* Free the lexer's buffer; safe to call twice. */
void config_lexer_free(struct config_lexer *lx);

/*
 * config_diag() with a va_list, for the parser.  cap, when not NULL, is the
 * number of diags allocated as far as the caller knows (at least n_diags):
 * the array then grows by doubling instead of one at a time.  It is only
 * valid for one config_parse(), since other code may append with its own
 * idea of the size.
 */
int config_vdiag(struct config *cfg, size_t *cap, const char *fmt, va_list ap);

/*
 * The diagnostic "where:line: message", or "where: message" when line is 0,
 * the message made by fmt and ap (cut at CONFIG_DIAG_MSG_MAX - 1 bytes;
 * messages quote user text through config_quote(), so they fit).  cap as
 * for config_vdiag().  0 or BT_ENOMEM.
 */
#define CONFIG_DIAG_MSG_MAX 512
int config_vdiag_at(struct config *cfg, size_t *cap, const char *where,
		    unsigned line, const char *fmt, va_list ap);

/* yes/no, true/false, on/off, 1/0, in any case, into *out; false if s is
 * none of them (baton.conf and loader.conf read them alike). */
bool config_parse_bool(const char *s, bool *out);

/*
 * One more "options" line: *options becomes "*options value" (value alone
 * when *options is NULL), the old string freed.  The caller checks the
 * length first.  0 or BT_ENOMEM (*options unchanged).
 */
int config_add_options(char **options, const char *value);

#endif
