/* MQTT topic names and device ids, as fixed by the platform contract. */
#ifndef FL_TOPICS_H
#define FL_TOPICS_H

#include <stdbool.h>
#include <stddef.h>

#define FL_DEVICE_ID_MAX 64
/* "devices/" + id + "/config/reported" + NUL, rounded up. */
#define FL_TOPIC_MAX 96
/* Commands and configs above this size are refused unparsed: the device has little RAM. */
#define FL_MESSAGE_MAX 4096

typedef enum {
    FL_TOPIC_TELEMETRY,
    FL_TOPIC_STATUS,
    FL_TOPIC_COMMANDS,
    FL_TOPIC_COMMANDS_ACK,
    FL_TOPIC_CONFIG,
    FL_TOPIC_CONFIG_REPORTED
} fl_topic_t;

/* ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$: safe as one topic level and one URL path segment. */
bool fl_device_id_valid(const char *device_id);

/* Writes devices/{id}/{suffix}; false if the id is invalid or buf too small. */
bool fl_topic_build(char *buf, size_t len, const char *device_id, fl_topic_t topic);

#endif
