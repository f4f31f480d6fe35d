/*
 * The device behaviour the platform contract asks for, independent of the
 * radio: birth/Last Will status, commands with acks, config versions and
 * readings with persistent msg_ids. The application feeds it MQTT events and
 * calls fl_device_record() on every sample; it calls back through fl_platform_t.
 * Not thread-safe: call it from one task or thread.
 */
#ifndef FL_DEVICE_H
#define FL_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_command.h"
#include "fl_platform.h"
#include "fl_reading.h"
#include "fl_topics.h"
#include "fl_transport.h"

/* The broker publishes this retained on devices/{id}/status if the device vanishes. */
#define FL_WILL_PAYLOAD "{\"state\":\"offline\"}"
#define FL_METRIC_NAME_MAX 32
/* Status payloads and acks are small; this bounds their buffers. */
#define FL_STATUS_JSON_MAX 64

typedef struct {
    /* Borrowed strings: must outlive the device. */
    const char *device_id;
    const char *api_base_url;
    const char *api_key;
    /* Used until a command or config sets another interval. */
    uint32_t default_interval_ms;
    fl_slot_t *buffer;
    size_t buffer_capacity;
    /*
     * msg_ids start no lower than this. 0 on hardware, where storage persists;
     * a simulator without persistent storage passes the wall clock in ms.
     */
    int64_t msg_id_floor;
} fl_device_config_t;

typedef struct {
    const fl_platform_t *pf;
    fl_transport_t transport;
    fl_seen_t seen;
    char status_topic[FL_TOPIC_MAX];
    char commands_topic[FL_TOPIC_MAX];
    char ack_topic[FL_TOPIC_MAX];
    char config_topic[FL_TOPIC_MAX];
    char reported_topic[FL_TOPIC_MAX];
    uint32_t interval_ms;
    int64_t config_version;
    int64_t next_msg_id;
    /* msg_ids below this are reserved in storage, so a restart never reuses one. */
    int64_t msg_id_limit;
} fl_device_t;

/* False if the id is invalid, the buffer is missing or the API URL does not fit. */
bool fl_device_init(fl_device_t *dev, const fl_device_config_t *cfg, const fl_platform_t *pf);

/* Publishes the retained "online" status, subscribes, and flushes over MQTT. */
void fl_device_on_connected(fl_device_t *dev);
void fl_device_on_disconnected(fl_device_t *dev);
void fl_device_on_published(fl_device_t *dev, int mid);
void fl_device_on_message(fl_device_t *dev, const char *topic, const char *payload, size_t len);

/*
 * Stamps the metrics with ts and the next msg_id and queues them for delivery.
 * False (nothing queued) for no metrics, more than FL_MAX_METRICS, or a name that
 * is empty, too long, or "ts"/"msg_id".
 */
bool fl_device_record(fl_device_t *dev, const fl_metric_t *metrics, size_t count);

/* Retries and flushes; call at least once a second. */
void fl_device_poll(fl_device_t *dev);

/* Clean shutdown: publishes the retained "offline" status; returns its message id or < 0. */
int fl_device_publish_offline(fl_device_t *dev);

uint32_t fl_device_interval_ms(const fl_device_t *dev);

const fl_transport_t *fl_device_transport(const fl_device_t *dev);

#endif
