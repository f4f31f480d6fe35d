/* RFC 3339 UTC timestamps, without relying on the C library's time zone state. */
#ifndef FL_TIME_H
#define FL_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-12-03T19:00:00.123Z" plus the terminating NUL. */
#define FL_RFC3339_LEN 25

/* A clock reading before 2020-01-01 means SNTP has not set the clock yet. */
#define FL_CLOCK_VALID_AFTER_MS 1577836800000LL

bool fl_time_is_valid(int64_t epoch_ms);

/* Formats epoch_ms as UTC with milliseconds and "Z"; false for years outside 0000-9999. */
bool fl_time_format(int64_t epoch_ms, char out[FL_RFC3339_LEN]);

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" into epoch milliseconds.
 * Fractions beyond milliseconds are truncated.
 */
bool fl_time_parse(const char *text, int64_t *epoch_ms);

#endif
