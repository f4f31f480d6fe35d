#include "fl_json.h"

bool fl_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item)) {
        return false;
    }
    double v = item->valuedouble;
    /* Range first: converting an out-of-range double to int64_t is undefined. */
    if (!(v >= (double)min && v <= (double)max)) {
        return false;
    }
    int64_t i = (int64_t)v;
    if ((double)i != v) {
        return false;
    }
    *out = i;
    return true;
}
