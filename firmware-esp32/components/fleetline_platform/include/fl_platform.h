/*
 * The services fleetline_core needs from the outside world. The core only ever
 * talks to the radio, the clock and flash through this table, so the same core
 * runs on the ESP32 (esp-mqtt, esp_http_client, NVS) and on Linux (libmosquitto,
 * libcurl), and unit tests substitute fakes.
 */
#ifndef FL_PLATFORM_H
#define FL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    FL_LOG_INFO,
    FL_LOG_WARN
} fl_log_level_t;

typedef struct fl_platform {
    void *ctx;
    /*
     * Hands a message to the MQTT client. Returns the message id that a later
     * fl_device_on_published() will carry once the broker acknowledged it
     * (QoS 1), or a negative value when the message was not accepted.
     */
    int (*publish)(void *ctx, const char *topic, const char *payload, int qos, bool retain);
    /* Returns 0 when the subscription request was handed to the client. */
    int (*subscribe)(void *ctx, const char *topic, int qos);
    /*
     * POSTs a JSON body with the API key in X-API-Key. Returns the HTTP status,
     * or a negative value when no response arrived (network error, timeout).
     */
    int (*http_post)(void *ctx, const char *url, const char *api_key, const char *json_body);
    /* Wall clock in milliseconds since the Unix epoch; may be unset (near 0) before SNTP. */
    int64_t (*now_ms)(void *ctx);
    /* Monotonic milliseconds for timeouts and backoff; never jumps with the wall clock. */
    int64_t (*uptime_ms)(void *ctx);
    /* Persistent integers (last config version, msg_id reservation, interval). */
    bool (*storage_get)(void *ctx, const char *key, int64_t *value);
    bool (*storage_set)(void *ctx, const char *key, int64_t value);
    /* One line, no trailing newline; never given secrets. */
    void (*log)(void *ctx, fl_log_level_t level, const char *message);
    /* Restart the device; called after the command's ack was published, so it may defer. */
    void (*reboot)(void *ctx);
    /* Make the device noticeable to a person standing next to it. */
    void (*identify)(void *ctx);
} fl_platform_t;

#endif
