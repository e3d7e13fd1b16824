#ifndef BATON_LIB_GLOB_H
#define BATON_LIB_GLOB_H

#include <stdbool.h>

/*
 * Shell-style match of the whole string: '*' any run, '?' one character,
 * '[abc]', '[a-z]' and '[!x]' sets, '\' escapes.  Case-sensitive.  Runs in
 * O(len(pattern) * len(str)) time, so hostile patterns cannot blow up.
 */
bool glob_match(const char *pattern, const char *str);

#endif
