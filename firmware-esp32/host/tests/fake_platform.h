/* A scripted fl_platform_t that records everything the core asks of it. */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_platform.h"

#define FAKE_MAX_CALLS 256
#define FAKE_MAX_LOGS 64
#define FAKE_STORAGE_SLOTS 8

/* 2026-12-03T19:00:00.000Z */
#define FAKE_EPOCH_MS 1796324400000LL

typedef struct {
    char topic[96];
    char payload[1024];
    int qos;
    bool retain;
    int mid;
} fake_publish_t;

typedef struct {
    char url[256];
    char api_key[128];
    char body[512];
} fake_post_t;

typedef struct {
    fl_platform_t pf;
    fake_publish_t publishes[FAKE_MAX_CALLS];
    size_t publish_count;
    bool publish_fails;
    int next_mid;
    char subscriptions[8][96];
    size_t subscribe_count;
    fake_post_t posts[FAKE_MAX_CALLS];
    size_t post_count;
    /* Returned by every http_post; negative means a network error. */
    int http_status;
    int64_t now_ms;
    int64_t uptime_ms;
    char keys[FAKE_STORAGE_SLOTS][32];
    int64_t values[FAKE_STORAGE_SLOTS];
    char logs[FAKE_MAX_LOGS][192];
    size_t log_count;
    int reboots;
    /* Publishes seen when reboot() was called: proves the ack went out first. */
    size_t publishes_at_reboot;
    int identifies;
} fake_platform_t;

fake_platform_t *fake_new(void);
void fake_free(fake_platform_t *fake);

/* Moves both clocks forward. */
void fake_advance(fake_platform_t *fake, int64_t ms);

size_t fake_count_on(const fake_platform_t *fake, const char *topic);
/* The n-th (0-based) publish on topic, or NULL. */
const fake_publish_t *fake_nth_on(const fake_platform_t *fake, const char *topic, size_t n);
bool fake_logged(const fake_platform_t *fake, const char *needle);
bool fake_stored(const fake_platform_t *fake, const char *key, int64_t *value);

/* msg_id of a reading's JSON, or -1. */
int64_t json_msg_id(const char *json);

#endif
