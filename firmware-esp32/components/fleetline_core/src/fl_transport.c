#include "fl_transport.h"

#include <stdio.h>
#include <string.h>

#include "fl_log.h"

typedef enum {
    HTTP_DELIVERED,
    HTTP_REJECTED,
    HTTP_TRANSIENT
} http_outcome_t;

bool fl_transport_init(fl_transport_t *t, const fl_transport_config_t *cfg, const fl_platform_t *pf)
{
    memset(t, 0, sizeof *t);
    if (cfg->slots == NULL || cfg->capacity == 0 ||
        !fl_topic_build(t->topic, sizeof t->topic, cfg->device_id, FL_TOPIC_TELEMETRY)) {
        return false;
    }
    t->http_enabled = cfg->api_base_url != NULL && cfg->api_base_url[0] != '\0';
    if (t->http_enabled) {
        size_t base_len = strlen(cfg->api_base_url);
        while (base_len > 0 && cfg->api_base_url[base_len - 1] == '/') {
            base_len--;
        }
        int n = snprintf(t->url, sizeof t->url, "%.*s/api/v1/devices/%s/data", (int)base_len,
                         cfg->api_base_url, cfg->device_id);
        if (n < 0 || (size_t)n >= sizeof t->url) {
            return false;
        }
    }
    t->api_key = cfg->api_key != NULL ? cfg->api_key : "";
    t->pf = pf;
    fl_ring_init(&t->ring, cfg->slots, cfg->capacity);
    t->http_ok = true;
    t->mode = FL_MODE_STARTING;
    return true;
}

static int64_t uptime(const fl_transport_t *t)
{
    return t->pf->uptime_ms(t->pf->ctx);
}

static bool mqtt_usable(const fl_transport_t *t, int64_t now)
{
    return t->mqtt_connected && now >= t->mqtt_retry_at;
}

static bool http_usable(const fl_transport_t *t, int64_t now)
{
    return t->http_enabled && now >= t->http_retry_at;
}

static void mark_delivered(fl_transport_t *t, fl_slot_t *slot, uint64_t *counter)
{
    slot->state = FL_SLOT_DONE;
    (*counter)++;
    if (t->recovering) {
        t->recovered++;
    }
}

static void drop_done_front(fl_transport_t *t)
{
    fl_slot_t *front;
    while ((front = fl_ring_at(&t->ring, 0)) != NULL && front->state == FL_SLOT_DONE) {
        fl_ring_pop_front(&t->ring);
    }
}

/* The oldest pending slot at or after index *i. */
static fl_slot_t *next_pending(fl_transport_t *t, size_t *i)
{
    fl_slot_t *slot;
    for (; (slot = fl_ring_at(&t->ring, *i)) != NULL; (*i)++) {
        if (slot->state == FL_SLOT_PENDING) {
            return slot;
        }
    }
    return NULL;
}

static void requeue_inflight(fl_transport_t *t, int64_t now, int64_t timeout_ms)
{
    fl_slot_t *slot;
    for (size_t i = 0; (slot = fl_ring_at(&t->ring, i)) != NULL; i++) {
        if (slot->state == FL_SLOT_INFLIGHT && now - slot->sent_at_ms >= timeout_ms) {
            slot->state = FL_SLOT_PENDING;
            t->inflight--;
        }
    }
}

static void send_mqtt(fl_transport_t *t, int64_t now)
{
    char json[FL_READING_JSON_MAX];
    size_t i = 0;
    while (t->inflight < FL_MQTT_WINDOW) {
        fl_slot_t *slot = next_pending(t, &i);
        /* Encoding fails only when memory is short; try again on the next poll. */
        if (slot == NULL || fl_reading_encode(&slot->reading, json, sizeof json) < 0) {
            return;
        }
        int mid = t->pf->publish(t->pf->ctx, t->topic, json, 1, false);
        if (mid < 0) {
            t->mqtt_retry_at = now + FL_MQTT_RETRY_MS;
            return;
        }
        slot->state = FL_SLOT_INFLIGHT;
        slot->mid = mid;
        slot->sent_at_ms = now;
        t->inflight++;
    }
}

static http_outcome_t classify(int status)
{
    if (status >= 200 && status <= 299) {
        return HTTP_DELIVERED;
    }
    /* 408 and 429 say "not now", not "never": keep the reading. */
    if (status >= 400 && status <= 499 && status != 408 && status != 429) {
        return HTTP_REJECTED;
    }
    return HTTP_TRANSIENT;
}

static int64_t http_backoff_ms(unsigned failures)
{
    unsigned shift = failures > 5 ? 5 : failures - 1;
    int64_t delay = (int64_t)FL_HTTP_BACKOFF_MIN_MS << shift;
    return delay < FL_HTTP_BACKOFF_MAX_MS ? delay : FL_HTTP_BACKOFF_MAX_MS;
}

static void send_http(fl_transport_t *t, int64_t now)
{
    char json[FL_READING_JSON_MAX];
    size_t i = 0;
    for (int n = 0; n < FL_HTTP_BATCH; n++) {
        fl_slot_t *slot = next_pending(t, &i);
        if (slot == NULL || fl_reading_encode(&slot->reading, json, sizeof json) < 0) {
            return;
        }
        int status = t->pf->http_post(t->pf->ctx, t->url, t->api_key, json);
        switch (classify(status)) {
        case HTTP_DELIVERED:
            mark_delivered(t, slot, &t->stats.delivered_http);
            break;
        case HTTP_REJECTED:
            /* Retrying a reading the API refuses would block every reading behind it. */
            slot->state = FL_SLOT_DONE;
            t->stats.rejected++;
            fl_logf(t->pf, FL_LOG_WARN, "API refused reading msg_id %lld with HTTP %d: dropped",
                    (long long)slot->reading.msg_id, status);
            break;
        case HTTP_TRANSIENT:
            t->http_ok = false;
            t->http_failures++;
            t->http_retry_at = now + http_backoff_ms(t->http_failures);
            return;
        }
        t->http_ok = true;
        t->http_failures = 0;
    }
}

static fl_mode_t current_mode(const fl_transport_t *t, int64_t now)
{
    if (mqtt_usable(t, now)) {
        return FL_MODE_MQTT;
    }
    if (t->http_enabled && t->http_ok) {
        return FL_MODE_HTTP;
    }
    return FL_MODE_BUFFERING;
}

static void announce(const fl_transport_t *t, fl_mode_t mode)
{
    switch (mode) {
    case FL_MODE_MQTT:
        fl_logf(t->pf, FL_LOG_INFO, "MQTT connected: sending readings over MQTT");
        break;
    case FL_MODE_HTTP:
        fl_logf(t->pf, FL_LOG_WARN, "MQTT unavailable: falling back to HTTP");
        break;
    case FL_MODE_BUFFERING:
        fl_logf(t->pf, FL_LOG_WARN, "%s: buffering readings (%zu buffered)",
                t->http_enabled ? "MQTT and HTTP unavailable" : "MQTT unavailable, no HTTP fallback",
                fl_ring_count(&t->ring));
        break;
    case FL_MODE_STARTING:
        break;
    }
}

static void update_mode(fl_transport_t *t, int64_t now)
{
    fl_mode_t mode = current_mode(t, now);
    /* Before the first connect there is nothing to report until a reading needs a path. */
    bool undecided = t->mode == FL_MODE_STARTING && mode != FL_MODE_MQTT && t->stats.recorded == 0;
    if (mode != t->mode && !undecided) {
        announce(t, mode);
        if (mode == FL_MODE_BUFFERING && !t->recovering) {
            t->recovering = true;
            t->recovered = 0;
        }
        t->mode = mode;
    }
    if (t->recovering && mode != FL_MODE_BUFFERING && fl_transport_undelivered(t) == 0) {
        if (t->recovered > 0) {
            fl_logf(t->pf, FL_LOG_INFO, "flushed %llu buffered readings",
                    (unsigned long long)t->recovered);
        }
        t->recovering = false;
    }
    if (fl_ring_count(&t->ring) < t->ring.capacity) {
        t->overflowing = false;
    }
}

static void pump(fl_transport_t *t)
{
    int64_t now = uptime(t);
    requeue_inflight(t, now, FL_ACK_TIMEOUT_MS);
    if (mqtt_usable(t, now)) {
        send_mqtt(t, now);
    }
    if (!mqtt_usable(t, now) && http_usable(t, now)) {
        send_http(t, now);
    }
    drop_done_front(t);
    update_mode(t, now);
}

static void note_eviction(fl_transport_t *t, const fl_slot_t *evicted)
{
    if (evicted->state == FL_SLOT_DONE) {
        return;
    }
    if (evicted->state == FL_SLOT_INFLIGHT) {
        t->inflight--;
    }
    t->stats.dropped_full++;
    if (!t->overflowing) {
        t->overflowing = true;
        fl_logf(t->pf, FL_LOG_WARN, "buffer full (%zu readings): dropping the oldest",
                t->ring.capacity);
    }
}

void fl_transport_submit(fl_transport_t *t, const fl_reading_t *reading)
{
    fl_slot_t evicted;
    drop_done_front(t);
    t->stats.recorded++;
    if (fl_ring_push(&t->ring, reading, &evicted)) {
        note_eviction(t, &evicted);
    }
    pump(t);
}

void fl_transport_mqtt_connected(fl_transport_t *t)
{
    t->mqtt_connected = true;
    t->mqtt_retry_at = 0;
    pump(t);
}

void fl_transport_mqtt_disconnected(fl_transport_t *t)
{
    t->mqtt_connected = false;
    /* Timeout 0: every unacknowledged publish may be lost, resend it elsewhere. */
    requeue_inflight(t, uptime(t), 0);
    pump(t);
}

void fl_transport_published(fl_transport_t *t, int mid)
{
    fl_slot_t *slot;
    for (size_t i = 0; (slot = fl_ring_at(&t->ring, i)) != NULL; i++) {
        if (slot->state == FL_SLOT_INFLIGHT && slot->mid == mid) {
            mark_delivered(t, slot, &t->stats.delivered_mqtt);
            t->inflight--;
            pump(t);
            return;
        }
    }
}

void fl_transport_poll(fl_transport_t *t)
{
    pump(t);
}

uint64_t fl_transport_undelivered(const fl_transport_t *t)
{
    const fl_transport_stats_t *s = &t->stats;
    return s->recorded - s->delivered_mqtt - s->delivered_http - s->dropped_full - s->rejected;
}

fl_mode_t fl_transport_mode(const fl_transport_t *t)
{
    return t->mode;
}

const fl_transport_stats_t *fl_transport_stats(const fl_transport_t *t)
{
    return &t->stats;
}
