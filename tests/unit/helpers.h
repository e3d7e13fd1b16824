/* Common includes for the cmocka unit tests. */
#ifndef BATON_TESTS_UNIT_HELPERS_H
#define BATON_TESTS_UNIT_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/mem.h"
#include "lib/error.h"

#endif
