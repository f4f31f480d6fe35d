/* One telemetry reading and its JSON form, shared by MQTT and the HTTP fallback. */
#ifndef FL_READING_H
#define FL_READING_H

#include <stddef.h>
#include <stdint.h>

#define FL_MAX_METRICS 4
/* Upper bound of an encoded reading; the buffer keeps readings, not their JSON. */
#define FL_READING_JSON_MAX 512

typedef struct {
    /* Not copied: must outlive the reading (use string literals). */
    const char *name;
    double value;
} fl_metric_t;

typedef struct {
    int64_t msg_id;
    /* Wall clock when sampled; left out of the JSON if the clock was not set yet. */
    int64_t ts_ms;
    size_t count;
    fl_metric_t metrics[FL_MAX_METRICS];
} fl_reading_t;

/*
 * Writes {"ts":"...","msg_id":n,<metric>:<value>,...}. Non-finite values are
 * left out because JSON cannot carry them. Returns the length, or -1 if the
 * buffer is too small or memory ran out.
 */
int fl_reading_encode(const fl_reading_t *reading, char *buf, size_t len);

#endif
