#include "fl_reading.h"

#include <math.h>
#include <string.h>

#include "cJSON.h"
#include "fl_time.h"

static cJSON *reading_to_json(const fl_reading_t *reading)
{
    cJSON *obj = cJSON_CreateObject();
    if (obj == NULL) {
        return NULL;
    }
    char ts[FL_RFC3339_LEN];
    bool ok = true;
    if (fl_time_is_valid(reading->ts_ms) && fl_time_format(reading->ts_ms, ts)) {
        ok = cJSON_AddStringToObject(obj, "ts", ts) != NULL;
    }
    ok = ok && cJSON_AddNumberToObject(obj, "msg_id", (double)reading->msg_id) != NULL;
    for (size_t i = 0; ok && i < reading->count; i++) {
        const fl_metric_t *m = &reading->metrics[i];
        if (isfinite(m->value)) {
            ok = cJSON_AddNumberToObject(obj, m->name, m->value) != NULL;
        }
    }
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

int fl_reading_encode(const fl_reading_t *reading, char *buf, size_t len)
{
    cJSON *obj = reading_to_json(reading);
    if (obj == NULL) {
        return -1;
    }
    /* cJSON asks for 5 spare bytes because its size estimate is not exact. */
    bool ok = len > 5 && cJSON_PrintPreallocated(obj, buf, (int)len - 5, 0);
    cJSON_Delete(obj);
    return ok ? (int)strlen(buf) : -1;
}
