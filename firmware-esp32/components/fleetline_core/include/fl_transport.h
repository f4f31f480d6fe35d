/*
 * Delivery policy for readings: MQTT first; while MQTT is down (or a publish
 * failed) POST to the HTTP API; while both are down keep readings in a bounded
 * buffer and flush it oldest first when a path returns. Every reading enters
 * the buffer first, so one queue decides the order and nothing is delivered
 * twice by this side (the server deduplicates retries by msg_id anyway).
 */
#ifndef FL_TRANSPORT_H
#define FL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_platform.h"
#include "fl_reading.h"
#include "fl_ring.h"
#include "fl_topics.h"

#define FL_URL_MAX 256
/* Publishes awaiting PUBACK; bounds what one reconnect has to resend. */
#define FL_MQTT_WINDOW 16
/* A PUBACK that never comes (lost event, expired outbox) must not strand a reading. */
#define FL_ACK_TIMEOUT_MS 30000
/* After a refused publish while connected, MQTT is retried after this pause. */
#define FL_MQTT_RETRY_MS 5000
#define FL_HTTP_BACKOFF_MIN_MS 1000
#define FL_HTTP_BACKOFF_MAX_MS 15000
/* POSTs per poll, so a long HTTP flush does not starve the MQTT client loop. */
#define FL_HTTP_BATCH 32

typedef enum {
    FL_MODE_STARTING,
    FL_MODE_MQTT,
    FL_MODE_HTTP,
    FL_MODE_BUFFERING
} fl_mode_t;

typedef struct {
    uint64_t recorded;
    uint64_t delivered_mqtt;
    uint64_t delivered_http;
    uint64_t dropped_full;   /* evicted because the buffer was full */
    uint64_t rejected;       /* refused by the API with a permanent 4xx */
} fl_transport_stats_t;

typedef struct {
    const char *device_id;
    /* Base URL such as "http://127.0.0.1:8080"; NULL or "" disables the HTTP fallback. */
    const char *api_base_url;
    /* Borrowed; sent only as a header, never logged. */
    const char *api_key;
    fl_slot_t *slots;
    size_t capacity;
} fl_transport_config_t;

typedef struct {
    const fl_platform_t *pf;
    char topic[FL_TOPIC_MAX];
    char url[FL_URL_MAX];
    bool http_enabled;
    const char *api_key;
    fl_ring_t ring;
    size_t inflight;
    bool mqtt_connected;
    int64_t mqtt_retry_at;
    /* Optimistic until a POST fails; then retried with backoff. */
    bool http_ok;
    int64_t http_retry_at;
    unsigned http_failures;
    fl_mode_t mode;
    bool overflowing;
    /* Between the start of an outage and the moment the backlog is empty. */
    bool recovering;
    uint64_t recovered;
    fl_transport_stats_t stats;
} fl_transport_t;

bool fl_transport_init(fl_transport_t *t, const fl_transport_config_t *cfg, const fl_platform_t *pf);

/* Queues a reading and tries to deliver whatever is due. */
void fl_transport_submit(fl_transport_t *t, const fl_reading_t *reading);

void fl_transport_mqtt_connected(fl_transport_t *t);

/* Unacknowledged publishes become pending again and take the next available path. */
void fl_transport_mqtt_disconnected(fl_transport_t *t);

/* PUBACK for message id mid; ids that are not readings are ignored. */
void fl_transport_published(fl_transport_t *t, int mid);

/* Retries and flushes; call at least once a second. */
void fl_transport_poll(fl_transport_t *t);

/* Readings recorded but not yet delivered, dropped or rejected. */
uint64_t fl_transport_undelivered(const fl_transport_t *t);

fl_mode_t fl_transport_mode(const fl_transport_t *t);

const fl_transport_stats_t *fl_transport_stats(const fl_transport_t *t);

#endif
