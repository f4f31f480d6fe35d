#include "fake_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static int fake_publish(void *ctx, const char *topic, const char *payload, int qos, bool retain)
{
    fake_platform_t *f = ctx;
    if (f->publish_fails || f->publish_count == FAKE_MAX_CALLS) {
        return -1;
    }
    fake_publish_t *p = &f->publishes[f->publish_count++];
    copy(p->topic, sizeof p->topic, topic);
    copy(p->payload, sizeof p->payload, payload);
    p->qos = qos;
    p->retain = retain;
    p->mid = f->next_mid++;
    return p->mid;
}

static int fake_subscribe(void *ctx, const char *topic, int qos)
{
    fake_platform_t *f = ctx;
    (void)qos;
    copy(f->subscriptions[f->subscribe_count++ % 8], 96, topic);
    return 0;
}

static int fake_http_post(void *ctx, const char *url, const char *api_key, const char *body)
{
    fake_platform_t *f = ctx;
    if (f->post_count < FAKE_MAX_CALLS) {
        fake_post_t *p = &f->posts[f->post_count++];
        copy(p->url, sizeof p->url, url);
        copy(p->api_key, sizeof p->api_key, api_key);
        copy(p->body, sizeof p->body, body);
    }
    return f->http_status;
}

static int64_t fake_now(void *ctx)
{
    return ((fake_platform_t *)ctx)->now_ms;
}

static int64_t fake_uptime(void *ctx)
{
    return ((fake_platform_t *)ctx)->uptime_ms;
}

static int find_key(const fake_platform_t *f, const char *key)
{
    for (int i = 0; i < FAKE_STORAGE_SLOTS; i++) {
        if (strcmp(f->keys[i], key) == 0) {
            return i;
        }
    }
    return -1;
}

static bool fake_storage_get(void *ctx, const char *key, int64_t *value)
{
    return fake_stored(ctx, key, value);
}

static bool fake_storage_set(void *ctx, const char *key, int64_t value)
{
    fake_platform_t *f = ctx;
    int i = find_key(f, key);
    if (i < 0) {
        i = find_key(f, "");
    }
    if (i < 0) {
        return false;
    }
    copy(f->keys[i], sizeof f->keys[i], key);
    f->values[i] = value;
    return true;
}

static void fake_log(void *ctx, fl_log_level_t level, const char *message)
{
    fake_platform_t *f = ctx;
    (void)level;
    if (f->log_count < FAKE_MAX_LOGS) {
        copy(f->logs[f->log_count++], sizeof f->logs[0], message);
    }
}

static void fake_reboot(void *ctx)
{
    fake_platform_t *f = ctx;
    f->reboots++;
    f->publishes_at_reboot = f->publish_count;
}

static void fake_identify(void *ctx)
{
    ((fake_platform_t *)ctx)->identifies++;
}

fake_platform_t *fake_new(void)
{
    fake_platform_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        abort();
    }
    f->pf = (fl_platform_t){
        .ctx = f,
        .publish = fake_publish,
        .subscribe = fake_subscribe,
        .http_post = fake_http_post,
        .now_ms = fake_now,
        .uptime_ms = fake_uptime,
        .storage_get = fake_storage_get,
        .storage_set = fake_storage_set,
        .log = fake_log,
        .reboot = fake_reboot,
        .identify = fake_identify,
    };
    f->next_mid = 1;
    f->http_status = 201;
    f->now_ms = FAKE_EPOCH_MS;
    f->uptime_ms = 1000;
    return f;
}

void fake_free(fake_platform_t *fake)
{
    free(fake);
}

void fake_advance(fake_platform_t *fake, int64_t ms)
{
    fake->now_ms += ms;
    fake->uptime_ms += ms;
}

size_t fake_count_on(const fake_platform_t *fake, const char *topic)
{
    size_t n = 0;
    for (size_t i = 0; i < fake->publish_count; i++) {
        n += strcmp(fake->publishes[i].topic, topic) == 0;
    }
    return n;
}

const fake_publish_t *fake_nth_on(const fake_platform_t *fake, const char *topic, size_t n)
{
    for (size_t i = 0; i < fake->publish_count; i++) {
        if (strcmp(fake->publishes[i].topic, topic) == 0 && n-- == 0) {
            return &fake->publishes[i];
        }
    }
    return NULL;
}

bool fake_logged(const fake_platform_t *fake, const char *needle)
{
    for (size_t i = 0; i < fake->log_count; i++) {
        if (strstr(fake->logs[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

bool fake_stored(const fake_platform_t *fake, const char *key, int64_t *value)
{
    int i = find_key(fake, key);
    if (i < 0) {
        return false;
    }
    *value = fake->values[i];
    return true;
}

int64_t json_msg_id(const char *json)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "msg_id");
    int64_t value = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : -1;
    cJSON_Delete(root);
    return value;
}
