#include "fl_topics.h"

#include <stdio.h>
#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool fl_device_id_valid(const char *device_id)
{
    if (device_id == NULL || !is_alnum(device_id[0])) {
        return false;
    }
    size_t len = strlen(device_id);
    if (len > FL_DEVICE_ID_MAX) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        char c = device_id[i];
        if (!is_alnum(c) && c != '_' && c != '.' && c != ':' && c != '-') {
            return false;
        }
    }
    return true;
}

static const char *suffix_of(fl_topic_t topic)
{
    switch (topic) {
    case FL_TOPIC_TELEMETRY:
        return "telemetry";
    case FL_TOPIC_STATUS:
        return "status";
    case FL_TOPIC_COMMANDS:
        return "commands";
    case FL_TOPIC_COMMANDS_ACK:
        return "commands/ack";
    case FL_TOPIC_CONFIG:
        return "config";
    case FL_TOPIC_CONFIG_REPORTED:
        return "config/reported";
    }
    return NULL;
}

bool fl_topic_build(char *buf, size_t len, const char *device_id, fl_topic_t topic)
{
    const char *suffix = suffix_of(topic);
    if (suffix == NULL || !fl_device_id_valid(device_id)) {
        return false;
    }
    int n = snprintf(buf, len, "devices/%s/%s", device_id, suffix);
    return n > 0 && (size_t)n < len;
}
