/* printf-style logging through the platform; internal to fleetline_core. */
#ifndef FL_LOG_H
#define FL_LOG_H

#include "fl_platform.h"

#if defined(__GNUC__)
#define FL_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define FL_PRINTF(fmt_index, first_arg)
#endif

void fl_logf(const fl_platform_t *pf, fl_log_level_t level, const char *fmt, ...) FL_PRINTF(3, 4);

#endif
