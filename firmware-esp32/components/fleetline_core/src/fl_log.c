#include "fl_log.h"

#include <stdarg.h>
#include <stdio.h>

void fl_logf(const fl_platform_t *pf, fl_log_level_t level, const char *fmt, ...)
{
    char line[192];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    pf->log(pf->ctx, level, line);
}
