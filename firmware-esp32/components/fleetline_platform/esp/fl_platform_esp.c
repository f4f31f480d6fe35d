#include "fl_platform_esp.h"

#include <string.h>
#include <sys/time.h>

#include "esp_crt_bundle.h"
#include "esp_http_client.h"
#include "esp_log.h"
#include "esp_system.h"

#define HTTP_TIMEOUT_MS 5000
/* Long enough for the reboot command's "succeeded" ack to leave. */
#define REBOOT_DELAY_US (1000 * 1000)

static const char *TAG = "fleetline";

static int ep_publish(void *ctx, const char *topic, const char *payload, int qos, bool retain)
{
    fl_esp_platform_t *ep = ctx;
    /* With CONFIG_MQTT_SKIP_PUBLISH_IF_DISCONNECTED this fails while offline instead of queueing. */
    return esp_mqtt_client_publish(ep->mqtt, topic, payload, 0, qos, retain ? 1 : 0);
}

static int ep_subscribe(void *ctx, const char *topic, int qos)
{
    fl_esp_platform_t *ep = ctx;
    return esp_mqtt_client_subscribe(ep->mqtt, topic, qos) >= 0 ? 0 : -1;
}

static int ep_http_post(void *ctx, const char *url, const char *api_key, const char *json_body)
{
    (void)ctx;
    esp_http_client_config_t config = {
        .url = url,
        .method = HTTP_METHOD_POST,
        .timeout_ms = HTTP_TIMEOUT_MS,
        .crt_bundle_attach = esp_crt_bundle_attach,
    };
    esp_http_client_handle_t client = esp_http_client_init(&config);
    if (client == NULL) {
        return -1;
    }
    esp_http_client_set_header(client, "Content-Type", "application/json");
    esp_http_client_set_header(client, "X-API-Key", api_key);
    esp_http_client_set_post_field(client, json_body, (int)strlen(json_body));
    int status = -1;
    if (esp_http_client_perform(client) == ESP_OK) {
        status = esp_http_client_get_status_code(client);
    }
    esp_http_client_cleanup(client);
    return status;
}

static int64_t ep_now_ms(void *ctx)
{
    (void)ctx;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int64_t ep_uptime_ms(void *ctx)
{
    (void)ctx;
    return esp_timer_get_time() / 1000;
}

static bool ep_storage_get(void *ctx, const char *key, int64_t *value)
{
    fl_esp_platform_t *ep = ctx;
    return nvs_get_i64(ep->nvs, key, value) == ESP_OK;
}

static bool ep_storage_set(void *ctx, const char *key, int64_t value)
{
    fl_esp_platform_t *ep = ctx;
    return nvs_set_i64(ep->nvs, key, value) == ESP_OK && nvs_commit(ep->nvs) == ESP_OK;
}

static void ep_log(void *ctx, fl_log_level_t level, const char *message)
{
    (void)ctx;
    if (level == FL_LOG_WARN) {
        ESP_LOGW(TAG, "%s", message);
    } else {
        ESP_LOGI(TAG, "%s", message);
    }
}

static void restart_now(void *arg)
{
    (void)arg;
    esp_restart();
}

static void ep_reboot(void *ctx)
{
    fl_esp_platform_t *ep = ctx;
    ESP_LOGW(TAG, "rebooting in %d ms", REBOOT_DELAY_US / 1000);
    esp_timer_start_once(ep->reboot_timer, REBOOT_DELAY_US);
}

static void ep_identify(void *ctx)
{
    (void)ctx;
    ESP_LOGW(TAG, "identify: this is the device you are looking for");
}

esp_err_t fl_esp_platform_init(fl_esp_platform_t *ep, esp_mqtt_client_handle_t mqtt,
                               fl_platform_t *out)
{
    memset(ep, 0, sizeof *ep);
    ep->mqtt = mqtt;
    esp_err_t err = nvs_open("fleetline", NVS_READWRITE, &ep->nvs);
    if (err != ESP_OK) {
        return err;
    }
    const esp_timer_create_args_t timer = {.callback = restart_now, .name = "fl_reboot"};
    err = esp_timer_create(&timer, &ep->reboot_timer);
    if (err != ESP_OK) {
        return err;
    }
    *out = (fl_platform_t){
        .ctx = ep,
        .publish = ep_publish,
        .subscribe = ep_subscribe,
        .http_post = ep_http_post,
        .now_ms = ep_now_ms,
        .uptime_ms = ep_uptime_ms,
        .storage_get = ep_storage_get,
        .storage_set = ep_storage_set,
        .log = ep_log,
        .reboot = ep_reboot,
        .identify = ep_identify,
    };
    return ESP_OK;
}
