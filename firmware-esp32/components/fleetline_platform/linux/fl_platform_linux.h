/*
 * fl_platform_t on Linux: libmosquitto for MQTT, libcurl for the HTTP fallback,
 * RAM for storage. One instance per simulated device; not shared between threads.
 */
#ifndef FL_PLATFORM_LINUX_H
#define FL_PLATFORM_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <mosquitto.h>

#include "fl_platform.h"

#define FL_LINUX_STORAGE_SLOTS 8
#define FL_LINUX_KEY_MAX 16

typedef struct {
    /* MQTT client id and log prefix. */
    const char *device_id;
    /* NULL when the broker allows anonymous clients. */
    const char *mqtt_username;
    const char *mqtt_password;
    const char *will_topic;
    const char *will_payload;
    /* Passed to the mosquitto callbacks, which the application installs. */
    void *mqtt_userdata;
} fl_linux_config_t;

typedef struct {
    char key[FL_LINUX_KEY_MAX];
    int64_t value;
} fl_linux_entry_t;

typedef struct {
    struct mosquitto *mosq;
    CURL *curl;
    const char *device_id;
    /* Set by the application from the CONNACK and disconnect callbacks. */
    bool connected;
    bool reboot_requested;
    fl_linux_entry_t storage[FL_LINUX_STORAGE_SLOTS];
} fl_linux_platform_t;

/* Creates the MQTT client (persistent session, Last Will) and the HTTP handle. */
bool fl_linux_platform_init(fl_linux_platform_t *lp, const fl_linux_config_t *cfg,
                            fl_platform_t *out);

void fl_linux_platform_cleanup(fl_linux_platform_t *lp);

/* True once after a "reboot" command; the simulator then reconnects. */
bool fl_linux_take_reboot_request(fl_linux_platform_t *lp);

/* Logs in the same format as the core, for the simulator's own state changes. */
void fl_linux_log(fl_linux_platform_t *lp, fl_log_level_t level, const char *message);

#endif
