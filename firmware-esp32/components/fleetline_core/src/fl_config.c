#include "fl_config.h"

#include <string.h>

#include "fl_json.h"

static fl_config_status_t parse_interval(fl_config_msg_t *msg)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(msg->config, "sample_interval_s");
    if (item == NULL) {
        return FL_CFG_OK;
    }
    int64_t seconds;
    if (!fl_json_int(item, FL_INTERVAL_MIN_S, FL_INTERVAL_MAX_S, &seconds)) {
        return FL_CFG_BAD_INTERVAL;
    }
    msg->has_interval = true;
    msg->interval_s = (uint32_t)seconds;
    return FL_CFG_OK;
}

fl_config_status_t fl_config_parse(const char *payload, size_t len, fl_config_msg_t *msg)
{
    memset(msg, 0, sizeof *msg);
    if (len > FL_MESSAGE_MAX) {
        return FL_CFG_TOO_LARGE;
    }
    msg->root = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(msg->root)) {
        return FL_CFG_NOT_JSON;
    }
    if (!fl_json_int(cJSON_GetObjectItemCaseSensitive(msg->root, "version"), 1,
                     FL_JSON_MAX_EXACT_INT, &msg->version)) {
        return FL_CFG_BAD_VERSION;
    }
    msg->config = cJSON_GetObjectItemCaseSensitive(msg->root, "config");
    if (!cJSON_IsObject(msg->config)) {
        return FL_CFG_BAD_CONFIG;
    }
    return parse_interval(msg);
}

void fl_config_free(fl_config_msg_t *msg)
{
    cJSON_Delete(msg->root);
    msg->root = NULL;
    msg->config = NULL;
}

const char *fl_config_status_text(fl_config_status_t status)
{
    switch (status) {
    case FL_CFG_OK:
        return "ok";
    case FL_CFG_TOO_LARGE:
        return "message too large";
    case FL_CFG_NOT_JSON:
        return "not a JSON object";
    case FL_CFG_BAD_VERSION:
        return "field 'version' must be an integer >= 1";
    case FL_CFG_BAD_CONFIG:
        return "field 'config' must be an object";
    case FL_CFG_BAD_INTERVAL:
        return "field 'config.sample_interval_s' must be an integer in [1, 86400]";
    }
    return "unknown error";
}

fl_config_decision_t fl_config_decide(int64_t applied, int64_t incoming)
{
    return incoming > applied ? FL_CFG_APPLY : FL_CFG_IGNORE;
}

char *fl_config_report(const fl_config_msg_t *msg)
{
    cJSON *report = cJSON_CreateObject();
    cJSON *config = cJSON_Duplicate(msg->config, 1);
    char *text = NULL;
    if (report != NULL && config != NULL &&
        cJSON_AddNumberToObject(report, "version", (double)msg->version) != NULL &&
        cJSON_AddItemToObject(report, "config", config)) {
        config = NULL; /* now owned by report */
        text = cJSON_PrintUnformatted(report);
    }
    cJSON_Delete(config);
    cJSON_Delete(report);
    return text;
}
