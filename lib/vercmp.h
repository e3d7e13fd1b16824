/*
 * Version comparison as the UAPI Version Format Specification defines it
 * (uapi-group/specifications, version_format_specification.md), used to
 * sort Boot Loader Specification entries.
 */
#ifndef BATON_LIB_VERCMP_H
#define BATON_LIB_VERCMP_H

/*
 * Compare two version strings: negative when a is older than b, 0 when
 * they are equal, positive when a is newer.  NULL counts as "".
 *
 * Where the specification's step list and its own examples disagree
 * ('~' against the end of a string), this follows the test vector
 * "122.1 < 123~rc1-1 < 123 < ...", which is also what systemd-analyze
 * compare-versions prints: a '~' sorts lower than anything, even the end
 * of the other string.
 */
int vercmp(const char *a, const char *b);

#endif
