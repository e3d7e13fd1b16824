/*
 * The host implementation of firmware/firmware.h, for unit tests: a console
 * that records what was drawn, keys fed from a script, a clock that advances
 * only when a key wait times out, and volumes backed by host directories.
 */
#ifndef BATON_FIRMWARE_HOST_HOST_H
#define BATON_FIRMWARE_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include "firmware/firmware.h"

/* Make the allocation n calls from now fail (0: the next one); -1: never. */
void host_alloc_fail_after(long n);

#endif
