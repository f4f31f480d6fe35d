/*
 * fl_platform_t on ESP-IDF: esp-mqtt for MQTT, esp_http_client (TLS verified
 * against the ESP x509 certificate bundle) for the HTTP fallback, NVS for storage.
 */
#ifndef FL_PLATFORM_ESP_H
#define FL_PLATFORM_ESP_H

#include "esp_err.h"
#include "esp_timer.h"
#include "mqtt_client.h"
#include "nvs.h"

#include "fl_platform.h"

typedef struct {
    esp_mqtt_client_handle_t mqtt;
    nvs_handle_t nvs;
    esp_timer_handle_t reboot_timer;
} fl_esp_platform_t;

/* Needs nvs_flash_init() done; mqtt is created (not necessarily started) by the caller. */
esp_err_t fl_esp_platform_init(fl_esp_platform_t *ep, esp_mqtt_client_handle_t mqtt,
                               fl_platform_t *out);

#endif
