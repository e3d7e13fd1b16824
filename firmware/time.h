/*
 * The time service: a monotonic millisecond clock for countdowns and
 * measurements.
 */
#ifndef BATON_FIRMWARE_TIME_H
#define BATON_FIRMWARE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw;

/* Milliseconds since an arbitrary point; monotonic. */
uint64_t fw_time_ms(struct fw *fw);

/* Microseconds since the CPU's reset (the time-stamp counter's count), for
 * the Boot Loader Interface's timing variables. */
uint64_t fw_time_us(struct fw *fw);

#endif
