/*
 * Wires Wi-Fi, SNTP and esp-mqtt to fleetline_core. All core calls happen on
 * this task: the MQTT task only copies its events into a queue.
 */
#include <stdlib.h>
#include <string.h>

#include "esp_crt_bundle.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/queue.h"
#include "mqtt_client.h"
#include "nvs_flash.h"

#include "fl_device.h"
#include "fl_platform_esp.h"
#include "fl_topics.h"

#define WIFI_UP_BIT BIT0
/* Past this the device starts anyway: readings buffer until the network comes. */
#define WIFI_WAIT_MS 30000
#define SNTP_WAIT_MS 15000
#define EVENT_QUEUE_LEN 32
/* How long the MQTT task may wait for room in the queue before dropping an event. */
#define EVENT_POST_WAIT_MS 100
#define POLL_MS 1000
#define MQTT_KEEPALIVE_S 30

static const char *TAG = "app";

typedef struct {
    esp_mqtt_event_id_t id;
    int msg_id;
    char *topic;
    char *data;
    size_t data_len;
} app_event_t;

static EventGroupHandle_t s_wifi_events;
static QueueHandle_t s_mqtt_events;
static char s_will_topic[FL_TOPIC_MAX];
static fl_slot_t s_buffer[CONFIG_FLEETLINE_BUFFER_CAPACITY];
static fl_esp_platform_t s_esp;
static fl_platform_t s_platform;
static fl_device_t s_device;

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        xEventGroupSetBits(s_wifi_events, WIFI_UP_BIT);
        return;
    }
    switch (id) {
    case WIFI_EVENT_STA_START:
        esp_wifi_connect();
        break;
    case WIFI_EVENT_STA_DISCONNECTED:
        /* Keep trying for as long as it takes; esp-mqtt reconnects on its own. */
        xEventGroupClearBits(s_wifi_events, WIFI_UP_BIT);
        esp_wifi_connect();
        break;
    default:
        break;
    }
}

static bool start_wifi(void)
{
    s_wifi_events = xEventGroupCreate();
    esp_netif_create_default_wifi_sta();
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&init));
    ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL));
    ESP_ERROR_CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_wifi_event, NULL));
    /* Initialised from the literals so that a 32-character SSID needs no terminator. */
    wifi_config_t config = {
        .sta = {.ssid = CONFIG_FLEETLINE_WIFI_SSID, .password = CONFIG_FLEETLINE_WIFI_PASSWORD},
    };
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &config));
    ESP_ERROR_CHECK(esp_wifi_start());
    EventBits_t bits = xEventGroupWaitBits(s_wifi_events, WIFI_UP_BIT, pdFALSE, pdTRUE,
                                           pdMS_TO_TICKS(WIFI_WAIT_MS));
    return (bits & WIFI_UP_BIT) != 0;
}

/* Readings carry ts only once the clock is set, so wait for it a little when online. */
static void start_sntp(bool wait)
{
    esp_sntp_config_t config = ESP_NETIF_SNTP_DEFAULT_CONFIG("pool.ntp.org");
    ESP_ERROR_CHECK(esp_netif_sntp_init(&config));
    if (!wait || esp_netif_sntp_sync_wait(pdMS_TO_TICKS(SNTP_WAIT_MS)) != ESP_OK) {
        ESP_LOGW(TAG, "clock not set yet: readings go without ts until SNTP answers");
    }
}

/* Runs on the MQTT task: copy what the device task needs and hand it over. */
static void on_mqtt_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    esp_mqtt_event_handle_t event = data;
    app_event_t copy = {.id = (esp_mqtt_event_id_t)id, .msg_id = event->msg_id};
    switch (copy.id) {
    case MQTT_EVENT_CONNECTED:
    case MQTT_EVENT_DISCONNECTED:
    case MQTT_EVENT_PUBLISHED:
        break;
    case MQTT_EVENT_DATA:
        /* A fragmented message is larger than FL_MESSAGE_MAX, which the core refuses anyway. */
        if (event->current_data_offset != 0 || event->data_len != event->total_data_len) {
            ESP_LOGW(TAG, "dropping an oversized message");
            return;
        }
        copy.topic = strndup(event->topic, (size_t)event->topic_len);
        copy.data = malloc((size_t)event->data_len + 1);
        if (copy.topic == NULL || copy.data == NULL) {
            free(copy.topic);
            free(copy.data);
            return;
        }
        memcpy(copy.data, event->data, (size_t)event->data_len);
        copy.data[event->data_len] = '\0';
        copy.data_len = (size_t)event->data_len;
        break;
    default:
        return;
    }
    /* A lost PUBLISHED is recovered by the core's ack timeout. */
    if (xQueueSend(s_mqtt_events, &copy, pdMS_TO_TICKS(EVENT_POST_WAIT_MS)) != pdTRUE) {
        ESP_LOGW(TAG, "event queue full: dropped MQTT event %d", (int)id);
        free(copy.topic);
        free(copy.data);
    }
}

static const char *empty_as_null(const char *value)
{
    return value[0] != '\0' ? value : NULL;
}

static esp_mqtt_client_handle_t create_mqtt_client(void)
{
    ESP_ERROR_CHECK(fl_topic_build(s_will_topic, sizeof s_will_topic, CONFIG_FLEETLINE_DEVICE_ID,
                                   FL_TOPIC_STATUS)
                        ? ESP_OK
                        : ESP_ERR_INVALID_ARG);
    const esp_mqtt_client_config_t config = {
        .broker.address.uri = CONFIG_FLEETLINE_BROKER_URI,
        .broker.verification.crt_bundle_attach = esp_crt_bundle_attach,
        .credentials.client_id = CONFIG_FLEETLINE_DEVICE_ID,
        .credentials.username = empty_as_null(CONFIG_FLEETLINE_MQTT_USERNAME),
        .credentials.authentication.password = empty_as_null(CONFIG_FLEETLINE_MQTT_PASSWORD),
        .session.last_will.topic = s_will_topic,
        .session.last_will.msg = FL_WILL_PAYLOAD,
        .session.last_will.qos = 1,
        .session.last_will.retain = 1,
        /* The broker keeps commands sent while the device was briefly away. */
        .session.disable_clean_session = true,
        .session.keepalive = MQTT_KEEPALIVE_S,
        .buffer.size = FL_MESSAGE_MAX + 512,
    };
    esp_mqtt_client_handle_t client = esp_mqtt_client_init(&config);
    ESP_ERROR_CHECK(client != NULL ? ESP_OK : ESP_FAIL);
    ESP_ERROR_CHECK(esp_mqtt_client_register_event(client, ESP_EVENT_ANY_ID, on_mqtt_event, NULL));
    return client;
}

static void start_device(esp_mqtt_client_handle_t client)
{
    ESP_ERROR_CHECK(fl_esp_platform_init(&s_esp, client, &s_platform));
    const fl_device_config_t config = {
        .device_id = CONFIG_FLEETLINE_DEVICE_ID,
        .api_base_url = CONFIG_FLEETLINE_API_URL,
        .api_key = CONFIG_FLEETLINE_API_KEY,
        .default_interval_ms = CONFIG_FLEETLINE_SAMPLE_INTERVAL_S * 1000u,
        .buffer = s_buffer,
        .buffer_capacity = CONFIG_FLEETLINE_BUFFER_CAPACITY,
        .msg_id_floor = 0,
    };
    ESP_ERROR_CHECK(fl_device_init(&s_device, &config, &s_platform) ? ESP_OK : ESP_ERR_INVALID_ARG);
}

/* What this board can measure without extra sensors. */
static void sample(void)
{
    fl_metric_t metrics[3] = {
        {"uptime_s", (double)(esp_timer_get_time() / 1000000)},
        {"free_heap_bytes", (double)esp_get_free_heap_size()},
    };
    size_t count = 2;
    wifi_ap_record_t ap;
    if (esp_wifi_sta_get_ap_info(&ap) == ESP_OK) {
        metrics[count++] = (fl_metric_t){"rssi_dbm", ap.rssi};
    }
    fl_device_record(&s_device, metrics, count);
}

static void handle(app_event_t *event)
{
    switch (event->id) {
    case MQTT_EVENT_CONNECTED:
        fl_device_on_connected(&s_device);
        break;
    case MQTT_EVENT_DISCONNECTED:
        fl_device_on_disconnected(&s_device);
        break;
    case MQTT_EVENT_PUBLISHED:
        fl_device_on_published(&s_device, event->msg_id);
        break;
    case MQTT_EVENT_DATA:
        fl_device_on_message(&s_device, event->topic, event->data, event->data_len);
        break;
    default:
        break;
    }
    free(event->topic);
    free(event->data);
}

static void run_event_loop(void)
{
    int64_t next_sample = esp_timer_get_time() / 1000;
    for (;;) {
        int64_t now = esp_timer_get_time() / 1000;
        if (now >= next_sample) {
            sample();
            next_sample = now + fl_device_interval_ms(&s_device);
        }
        int64_t wait = next_sample - now < POLL_MS ? next_sample - now : POLL_MS;
        app_event_t event;
        if (xQueueReceive(s_mqtt_events, &event, pdMS_TO_TICKS(wait)) == pdTRUE) {
            handle(&event);
        }
        fl_device_poll(&s_device);
    }
}

void app_main(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    s_mqtt_events = xQueueCreate(EVENT_QUEUE_LEN, sizeof(app_event_t));
    ESP_ERROR_CHECK(s_mqtt_events != NULL ? ESP_OK : ESP_ERR_NO_MEM);

    bool online = start_wifi();
    if (!online) {
        ESP_LOGW(TAG, "Wi-Fi not up after %d s: starting anyway, readings will buffer",
                 WIFI_WAIT_MS / 1000);
    }
    start_sntp(online);
    esp_mqtt_client_handle_t client = create_mqtt_client();
    start_device(client);
    ESP_ERROR_CHECK(esp_mqtt_client_start(client));
    ESP_LOGI(TAG, "device %s started", CONFIG_FLEETLINE_DEVICE_ID);
    run_event_loop();
}
