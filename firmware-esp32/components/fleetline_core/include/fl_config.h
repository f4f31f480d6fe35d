/* Desired configuration from devices/{id}/config: {"version":n,"config":{...}}. */
#ifndef FL_CONFIG_H
#define FL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "fl_topics.h"

#define FL_INTERVAL_MIN_S 1
#define FL_INTERVAL_MAX_S 86400

typedef enum {
    FL_CFG_OK,
    FL_CFG_TOO_LARGE,
    FL_CFG_NOT_JSON,
    FL_CFG_BAD_VERSION,
    FL_CFG_BAD_CONFIG,
    FL_CFG_BAD_INTERVAL
} fl_config_status_t;

typedef enum {
    FL_CFG_APPLY,
    /* Same or older version than the one applied: retained redelivery or a reordering. */
    FL_CFG_IGNORE
} fl_config_decision_t;

typedef struct {
    int64_t version;
    /* The whole "config" object, echoed back on config/reported; points into root. */
    const cJSON *config;
    bool has_interval;
    uint32_t interval_s;
    cJSON *root;
} fl_config_msg_t;

/*
 * Parses and validates a config message: version an integer >= 1, config an
 * object, sample_interval_s (if present) an integer in [1, 86400]. Unknown keys
 * are kept for the report. Release with fl_config_free() whatever the result.
 */
fl_config_status_t fl_config_parse(const char *payload, size_t len, fl_config_msg_t *msg);

void fl_config_free(fl_config_msg_t *msg);

const char *fl_config_status_text(fl_config_status_t status);

/* Versions apply in increasing order only; applied is 0 before the first one. */
fl_config_decision_t fl_config_decide(int64_t applied, int64_t incoming);

/* Writes {"version":n,"config":{...}}; returns a malloc'd string (free with cJSON_free) or NULL. */
char *fl_config_report(const fl_config_msg_t *msg);

#endif
