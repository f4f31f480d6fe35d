#define _POSIX_C_SOURCE 200809L

#include "fl_platform_linux.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HTTP_CONNECT_TIMEOUT_MS 2000L
#define HTTP_TIMEOUT_MS 5000L
#define API_KEY_HEADER_MAX 192

static int64_t clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lp_publish(void *ctx, const char *topic, const char *payload, int qos, bool retain)
{
    fl_linux_platform_t *lp = ctx;
    int mid = -1;
    /* libmosquitto would queue QoS 1 while offline; the core must see the failure instead. */
    if (!lp->connected || mosquitto_publish(lp->mosq, &mid, topic, (int)strlen(payload), payload,
                                            qos, retain) != MOSQ_ERR_SUCCESS) {
        return -1;
    }
    return mid;
}

static int lp_subscribe(void *ctx, const char *topic, int qos)
{
    fl_linux_platform_t *lp = ctx;
    return mosquitto_subscribe(lp->mosq, NULL, topic, qos) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static size_t discard_body(char *data, size_t size, size_t count, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * count;
}

static int lp_http_post(void *ctx, const char *url, const char *api_key, const char *json_body)
{
    fl_linux_platform_t *lp = ctx;
    char key_header[API_KEY_HEADER_MAX];
    int n = snprintf(key_header, sizeof key_header, "X-API-Key: %s", api_key);
    if (n < 0 || (size_t)n >= sizeof key_header) {
        return -1;
    }
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *with_key = headers ? curl_slist_append(headers, key_header) : NULL;
    memset(key_header, 0, sizeof key_header);
    if (with_key == NULL) {
        curl_slist_free_all(headers);
        return -1;
    }
    curl_easy_setopt(lp->curl, CURLOPT_URL, url);
    curl_easy_setopt(lp->curl, CURLOPT_HTTPHEADER, with_key);
    curl_easy_setopt(lp->curl, CURLOPT_POSTFIELDS, json_body);
    long status = -1;
    if (curl_easy_perform(lp->curl) == CURLE_OK) {
        curl_easy_getinfo(lp->curl, CURLINFO_RESPONSE_CODE, &status);
    }
    /* The handle must not keep pointing at the freed list or the caller's body. */
    curl_easy_setopt(lp->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(lp->curl, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(with_key);
    return (int)status;
}

static int64_t lp_now_ms(void *ctx)
{
    (void)ctx;
    return clock_ms(CLOCK_REALTIME);
}

static int64_t lp_uptime_ms(void *ctx)
{
    (void)ctx;
    return clock_ms(CLOCK_MONOTONIC);
}

static fl_linux_entry_t *find_entry(fl_linux_platform_t *lp, const char *key)
{
    for (size_t i = 0; i < FL_LINUX_STORAGE_SLOTS; i++) {
        if (strcmp(lp->storage[i].key, key) == 0) {
            return &lp->storage[i];
        }
    }
    return NULL;
}

static bool lp_storage_get(void *ctx, const char *key, int64_t *value)
{
    fl_linux_entry_t *entry = find_entry(ctx, key);
    if (entry == NULL) {
        return false;
    }
    *value = entry->value;
    return true;
}

static bool lp_storage_set(void *ctx, const char *key, int64_t value)
{
    fl_linux_platform_t *lp = ctx;
    fl_linux_entry_t *entry = find_entry(lp, key);
    if (entry == NULL) {
        entry = find_entry(lp, "");
    }
    if (entry == NULL || strlen(key) >= FL_LINUX_KEY_MAX) {
        return false;
    }
    strcpy(entry->key, key);
    entry->value = value;
    return true;
}

void fl_linux_log(fl_linux_platform_t *lp, fl_log_level_t level, const char *message)
{
    char ts[32];
    struct timespec now;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
    fprintf(stderr, "%s.%03ldZ %s %s: %s\n", ts, now.tv_nsec / 1000000L,
            level == FL_LOG_WARN ? "WARN" : "INFO", lp->device_id, message);
}

static void lp_log(void *ctx, fl_log_level_t level, const char *message)
{
    fl_linux_log(ctx, level, message);
}

static void lp_reboot(void *ctx)
{
    fl_linux_platform_t *lp = ctx;
    fl_linux_log(lp, FL_LOG_INFO, "reboot requested: simulated by reconnecting");
    lp->reboot_requested = true;
}

static void lp_identify(void *ctx)
{
    fl_linux_log(ctx, FL_LOG_INFO, "identify: *blink*");
}

static bool setup_mqtt(fl_linux_platform_t *lp, const fl_linux_config_t *cfg)
{
    /* A persistent session lets the broker hold commands sent during a short outage. */
    lp->mosq = mosquitto_new(cfg->device_id, false, cfg->mqtt_userdata);
    if (lp->mosq == NULL) {
        return false;
    }
    if (cfg->mqtt_username != NULL &&
        mosquitto_username_pw_set(lp->mosq, cfg->mqtt_username, cfg->mqtt_password) !=
            MOSQ_ERR_SUCCESS) {
        return false;
    }
    return mosquitto_will_set(lp->mosq, cfg->will_topic, (int)strlen(cfg->will_payload),
                              cfg->will_payload, 1, true) == MOSQ_ERR_SUCCESS;
}

static bool setup_http(fl_linux_platform_t *lp)
{
    lp->curl = curl_easy_init();
    if (lp->curl == NULL) {
        return false;
    }
    /* Signals would interrupt other devices' threads. */
    curl_easy_setopt(lp->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(lp->curl, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(lp->curl, CURLOPT_TIMEOUT_MS, HTTP_TIMEOUT_MS);
    curl_easy_setopt(lp->curl, CURLOPT_WRITEFUNCTION, discard_body);
    return true;
}

bool fl_linux_platform_init(fl_linux_platform_t *lp, const fl_linux_config_t *cfg,
                            fl_platform_t *out)
{
    memset(lp, 0, sizeof *lp);
    lp->device_id = cfg->device_id;
    if (!setup_mqtt(lp, cfg) || !setup_http(lp)) {
        fl_linux_platform_cleanup(lp);
        return false;
    }
    *out = (fl_platform_t){
        .ctx = lp,
        .publish = lp_publish,
        .subscribe = lp_subscribe,
        .http_post = lp_http_post,
        .now_ms = lp_now_ms,
        .uptime_ms = lp_uptime_ms,
        .storage_get = lp_storage_get,
        .storage_set = lp_storage_set,
        .log = lp_log,
        .reboot = lp_reboot,
        .identify = lp_identify,
    };
    return true;
}

void fl_linux_platform_cleanup(fl_linux_platform_t *lp)
{
    if (lp->mosq != NULL) {
        mosquitto_destroy(lp->mosq);
        lp->mosq = NULL;
    }
    if (lp->curl != NULL) {
        curl_easy_cleanup(lp->curl);
        lp->curl = NULL;
    }
}

bool fl_linux_take_reboot_request(fl_linux_platform_t *lp)
{
    bool requested = lp->reboot_requested;
    lp->reboot_requested = false;
    return requested;
}
