#include "fl_time.h"

#include <stdio.h>
#include <string.h>

#define MS_PER_DAY 86400000LL

/* Howard Hinnant's days_from_civil: proleptic Gregorian, valid for any year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool fl_time_is_valid(int64_t epoch_ms)
{
    return epoch_ms >= FL_CLOCK_VALID_AFTER_MS;
}

bool fl_time_format(int64_t epoch_ms, char out[FL_RFC3339_LEN])
{
    int64_t days = epoch_ms / MS_PER_DAY;
    int64_t rem = epoch_ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days -= 1;
    }
    int64_t year;
    int month;
    int day;
    civil_from_days(days, &year, &month, &day);
    if (year < 0 || year > 9999) {
        return false;
    }
    int ms = (int)(rem % 1000);
    int secs = (int)(rem / 1000);
    snprintf(out, FL_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)year, month, day,
             secs / 3600, secs / 60 % 60, secs % 60, ms);
    return true;
}

/* Reads exactly `width` decimal digits. */
static bool read_digits(const char **p, int width, int *value)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    *p += width;
    *value = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c) {
        return false;
    }
    (*p)++;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Parses the millisecond part of an optional fraction; extra digits are truncated. */
static bool read_fraction(const char **p, int *ms)
{
    *ms = 0;
    if (**p != '.') {
        return true;
    }
    (*p)++;
    int digits = 0;
    while (**p >= '0' && **p <= '9') {
        if (digits < 3) {
            *ms = *ms * 10 + (**p - '0');
        }
        digits++;
        (*p)++;
    }
    for (int i = digits; i < 3; i++) {
        *ms *= 10;
    }
    return digits > 0;
}

static bool read_offset(const char **p, int *offset_min)
{
    char sign = **p;
    if (sign == 'Z' || sign == 'z') {
        (*p)++;
        *offset_min = 0;
        return true;
    }
    if (sign != '+' && sign != '-') {
        return false;
    }
    (*p)++;
    int hh;
    int mm;
    if (!read_digits(p, 2, &hh) || !expect(p, ':') || !read_digits(p, 2, &mm) || hh > 23 ||
        mm > 59) {
        return false;
    }
    *offset_min = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
    return true;
}

bool fl_time_parse(const char *text, int64_t *epoch_ms)
{
    const char *p = text;
    int year, month, day, hour, minute, second, ms, offset_min;
    if (!read_digits(&p, 4, &year) || !expect(&p, '-') || !read_digits(&p, 2, &month) ||
        !expect(&p, '-') || !read_digits(&p, 2, &day)) {
        return false;
    }
    if (*p != 'T' && *p != 't') {
        return false;
    }
    p++;
    if (!read_digits(&p, 2, &hour) || !expect(&p, ':') || !read_digits(&p, 2, &minute) ||
        !expect(&p, ':') || !read_digits(&p, 2, &second) || !read_fraction(&p, &ms) ||
        !read_offset(&p, &offset_min) || *p != '\0') {
        return false;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60) {
        return false;
    }
    int64_t days = days_from_civil(year, month, day);
    int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - (int64_t)offset_min * 60;
    *epoch_ms = secs * 1000 + ms;
    return true;
}
