#include "fl_device.h"

#include <stdio.h>
#include <string.h>

#include "fl_config.h"
#include "fl_json.h"
#include "fl_log.h"
#include "fl_time.h"

/* NVS keys are limited to 15 characters. */
#define KEY_MSG_ID "fl_msg_id"
#define KEY_CONFIG_VERSION "fl_cfg_ver"
#define KEY_INTERVAL "fl_interval_ms"
/* Reserving ids in blocks keeps flash writes to one per block instead of one per reading. */
#define MSG_ID_BLOCK 100

typedef struct {
    const char *name;
    /* Fills result (an empty object) and says whether the command succeeded. */
    bool (*run)(fl_device_t *dev, const fl_command_t *cmd, cJSON *result);
    /* Runs once the final ack is out; NULL for most commands. */
    void (*after_ack)(fl_device_t *dev);
} command_handler_t;

static int64_t load(const fl_device_t *dev, const char *key, int64_t min, int64_t max,
                    int64_t fallback)
{
    int64_t value;
    if (dev->pf->storage_get(dev->pf->ctx, key, &value) && value >= min && value <= max) {
        return value;
    }
    return fallback;
}

static void store(fl_device_t *dev, const char *key, int64_t value)
{
    if (!dev->pf->storage_set(dev->pf->ctx, key, value)) {
        fl_logf(dev->pf, FL_LOG_WARN, "could not persist %s", key);
    }
}

static bool build_topics(fl_device_t *dev, const char *id)
{
    return fl_topic_build(dev->status_topic, FL_TOPIC_MAX, id, FL_TOPIC_STATUS) &&
           fl_topic_build(dev->commands_topic, FL_TOPIC_MAX, id, FL_TOPIC_COMMANDS) &&
           fl_topic_build(dev->ack_topic, FL_TOPIC_MAX, id, FL_TOPIC_COMMANDS_ACK) &&
           fl_topic_build(dev->config_topic, FL_TOPIC_MAX, id, FL_TOPIC_CONFIG) &&
           fl_topic_build(dev->reported_topic, FL_TOPIC_MAX, id, FL_TOPIC_CONFIG_REPORTED);
}

bool fl_device_init(fl_device_t *dev, const fl_device_config_t *cfg, const fl_platform_t *pf)
{
    memset(dev, 0, sizeof *dev);
    dev->pf = pf;
    fl_transport_config_t tc = {
        .device_id = cfg->device_id,
        .api_base_url = cfg->api_base_url,
        .api_key = cfg->api_key,
        .slots = cfg->buffer,
        .capacity = cfg->buffer_capacity,
    };
    if (!build_topics(dev, cfg->device_id) || !fl_transport_init(&dev->transport, &tc, pf)) {
        return false;
    }
    fl_seen_init(&dev->seen);
    dev->interval_ms = (uint32_t)load(dev, KEY_INTERVAL, 1, (int64_t)FL_INTERVAL_MAX_S * 1000,
                                      cfg->default_interval_ms);
    dev->config_version = load(dev, KEY_CONFIG_VERSION, 1, FL_JSON_MAX_EXACT_INT, 0);
    dev->next_msg_id = load(dev, KEY_MSG_ID, 1, FL_JSON_MAX_EXACT_INT, 1);
    if (dev->next_msg_id < cfg->msg_id_floor) {
        dev->next_msg_id = cfg->msg_id_floor;
    }
    dev->msg_id_limit = dev->next_msg_id;
    return true;
}

static int64_t next_msg_id(fl_device_t *dev)
{
    if (dev->next_msg_id >= dev->msg_id_limit) {
        dev->msg_id_limit = dev->next_msg_id + MSG_ID_BLOCK;
        store(dev, KEY_MSG_ID, dev->msg_id_limit);
    }
    return dev->next_msg_id++;
}

static void set_interval(fl_device_t *dev, uint32_t seconds)
{
    dev->interval_ms = seconds * 1000u;
    store(dev, KEY_INTERVAL, dev->interval_ms);
}

static int publish_status(fl_device_t *dev, const char *state)
{
    char payload[FL_STATUS_JSON_MAX];
    char ts[FL_RFC3339_LEN];
    int64_t now = dev->pf->now_ms(dev->pf->ctx);
    if (fl_time_is_valid(now) && fl_time_format(now, ts)) {
        snprintf(payload, sizeof payload, "{\"state\":\"%s\",\"ts\":\"%s\"}", state, ts);
    } else {
        snprintf(payload, sizeof payload, "{\"state\":\"%s\"}", state);
    }
    return dev->pf->publish(dev->pf->ctx, dev->status_topic, payload, 1, true);
}

void fl_device_on_connected(fl_device_t *dev)
{
    publish_status(dev, "online");
    dev->pf->subscribe(dev->pf->ctx, dev->commands_topic, 1);
    dev->pf->subscribe(dev->pf->ctx, dev->config_topic, 1);
    fl_transport_mqtt_connected(&dev->transport);
}

void fl_device_on_disconnected(fl_device_t *dev)
{
    fl_transport_mqtt_disconnected(&dev->transport);
}

void fl_device_on_published(fl_device_t *dev, int mid)
{
    fl_transport_published(&dev->transport, mid);
}

/* result may be NULL or an empty object, in which case it is left out. */
static void publish_ack(fl_device_t *dev, const char *command_id, const char *status,
                        cJSON *result)
{
    cJSON *ack = cJSON_CreateObject();
    char *text = NULL;
    bool with_result = result != NULL && result->child != NULL;
    if (ack != NULL && cJSON_AddStringToObject(ack, "command_id", command_id) != NULL &&
        cJSON_AddStringToObject(ack, "status", status) != NULL &&
        (!with_result || cJSON_AddItemReferenceToObject(ack, "result", result))) {
        text = cJSON_PrintUnformatted(ack);
    }
    if (text == NULL || dev->pf->publish(dev->pf->ctx, dev->ack_topic, text, 1, false) < 0) {
        fl_logf(dev->pf, FL_LOG_WARN, "could not publish '%s' ack for command %s", status,
                command_id);
    }
    cJSON_free(text);
    cJSON_Delete(ack);
}

static void fail_command(fl_device_t *dev, const fl_command_t *cmd, const char *reason)
{
    cJSON *result = cJSON_CreateObject();
    cJSON_AddStringToObject(result, "error", reason);
    publish_ack(dev, cmd->id, "failed", result);
    cJSON_Delete(result);
    fl_logf(dev->pf, FL_LOG_WARN, "command %s (%s) failed: %s", cmd->id, cmd->name, reason);
}

static bool run_ping(fl_device_t *dev, const fl_command_t *cmd, cJSON *result)
{
    (void)dev;
    (void)cmd;
    return cJSON_AddTrueToObject(result, "pong") != NULL;
}

static bool run_set_interval(fl_device_t *dev, const fl_command_t *cmd, cJSON *result)
{
    int64_t seconds;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(cmd->params, "interval_s");
    if (!fl_json_int(item, FL_INTERVAL_MIN_S, FL_INTERVAL_MAX_S, &seconds)) {
        cJSON_AddStringToObject(result, "error",
                                "params.interval_s must be an integer in [1, 86400]");
        return false;
    }
    set_interval(dev, (uint32_t)seconds);
    return cJSON_AddNumberToObject(result, "interval_s", (double)seconds) != NULL;
}

static bool run_identify(fl_device_t *dev, const fl_command_t *cmd, cJSON *result)
{
    (void)cmd;
    (void)result;
    dev->pf->identify(dev->pf->ctx);
    return true;
}

static bool run_reboot(fl_device_t *dev, const fl_command_t *cmd, cJSON *result)
{
    (void)dev;
    (void)cmd;
    (void)result;
    return true;
}

/* After the ack, because a rebooting device cannot acknowledge anything. */
static void reboot_after_ack(fl_device_t *dev)
{
    dev->pf->reboot(dev->pf->ctx);
}

static const command_handler_t COMMANDS[] = {
    {"ping", run_ping, NULL},
    {"set_interval", run_set_interval, NULL},
    {"identify", run_identify, NULL},
    {"reboot", run_reboot, reboot_after_ack},
};

static const command_handler_t *find_handler(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(COMMANDS[i].name, name) == 0) {
            return &COMMANDS[i];
        }
    }
    return NULL;
}

static void execute(fl_device_t *dev, const fl_command_t *cmd)
{
    const command_handler_t *handler = find_handler(cmd->name);
    if (handler == NULL) {
        char reason[64];
        snprintf(reason, sizeof reason, "unknown command '%s'", cmd->name);
        fail_command(dev, cmd, reason);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    if (result == NULL) {
        fail_command(dev, cmd, "out of memory");
        return;
    }
    bool ok = handler->run(dev, cmd, result);
    publish_ack(dev, cmd->id, ok ? "succeeded" : "failed", result);
    fl_logf(dev->pf, ok ? FL_LOG_INFO : FL_LOG_WARN, "command %s (%s) %s", cmd->id, cmd->name,
            ok ? "succeeded" : "failed");
    cJSON_Delete(result);
    if (ok && handler->after_ack != NULL) {
        handler->after_ack(dev);
    }
}

static bool expired(const fl_device_t *dev, const fl_command_t *cmd)
{
    int64_t now = dev->pf->now_ms(dev->pf->ctx);
    /* Without a set clock the device cannot tell, so it runs the command. */
    return cmd->has_expiry && fl_time_is_valid(now) && now > cmd->expires_at_ms;
}

static void handle_command(fl_device_t *dev, const char *payload, size_t len)
{
    fl_command_t cmd;
    fl_command_status_t status = fl_command_parse(payload, len, &cmd);
    if (!fl_command_has_id(status)) {
        fl_logf(dev->pf, FL_LOG_WARN, "ignoring command: %s", fl_command_status_text(status));
    } else if (fl_seen_contains(&dev->seen, cmd.id)) {
        fl_logf(dev->pf, FL_LOG_INFO, "ignoring command %s: already handled", cmd.id);
    } else {
        fl_seen_add(&dev->seen, cmd.id);
        publish_ack(dev, cmd.id, "received", NULL);
        if (status != FL_CMD_OK) {
            fail_command(dev, &cmd, fl_command_status_text(status));
        } else if (expired(dev, &cmd)) {
            fail_command(dev, &cmd, "command expired");
        } else {
            execute(dev, &cmd);
        }
    }
    fl_command_free(&cmd);
}

static void apply_config(fl_device_t *dev, const fl_config_msg_t *msg)
{
    if (msg->has_interval) {
        set_interval(dev, msg->interval_s);
    }
    dev->config_version = msg->version;
    store(dev, KEY_CONFIG_VERSION, msg->version);
    char *report = fl_config_report(msg);
    if (report == NULL ||
        dev->pf->publish(dev->pf->ctx, dev->reported_topic, report, 1, false) < 0) {
        fl_logf(dev->pf, FL_LOG_WARN, "could not report config version %lld",
                (long long)msg->version);
    }
    cJSON_free(report);
    fl_logf(dev->pf, FL_LOG_INFO, "applied config version %lld", (long long)msg->version);
}

static void handle_config(fl_device_t *dev, const char *payload, size_t len)
{
    fl_config_msg_t msg;
    fl_config_status_t status = fl_config_parse(payload, len, &msg);
    if (status != FL_CFG_OK) {
        fl_logf(dev->pf, FL_LOG_WARN, "ignoring config: %s", fl_config_status_text(status));
    } else if (fl_config_decide(dev->config_version, msg.version) == FL_CFG_IGNORE) {
        fl_logf(dev->pf, FL_LOG_INFO, "ignoring config version %lld: version %lld already applied",
                (long long)msg.version, (long long)dev->config_version);
    } else {
        apply_config(dev, &msg);
    }
    fl_config_free(&msg);
}

void fl_device_on_message(fl_device_t *dev, const char *topic, const char *payload, size_t len)
{
    if (strcmp(topic, dev->commands_topic) == 0) {
        handle_command(dev, payload, len);
    } else if (strcmp(topic, dev->config_topic) == 0) {
        handle_config(dev, payload, len);
    }
}

static bool metric_name_valid(const char *name)
{
    return name != NULL && name[0] != '\0' && strlen(name) <= FL_METRIC_NAME_MAX &&
           strcmp(name, "ts") != 0 && strcmp(name, "msg_id") != 0;
}

bool fl_device_record(fl_device_t *dev, const fl_metric_t *metrics, size_t count)
{
    if (count == 0 || count > FL_MAX_METRICS) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (!metric_name_valid(metrics[i].name)) {
            return false;
        }
    }
    fl_reading_t reading;
    memset(&reading, 0, sizeof reading);
    reading.msg_id = next_msg_id(dev);
    reading.ts_ms = dev->pf->now_ms(dev->pf->ctx);
    reading.count = count;
    memcpy(reading.metrics, metrics, count * sizeof *metrics);
    fl_transport_submit(&dev->transport, &reading);
    return true;
}

void fl_device_poll(fl_device_t *dev)
{
    fl_transport_poll(&dev->transport);
}

int fl_device_publish_offline(fl_device_t *dev)
{
    return publish_status(dev, "offline");
}

uint32_t fl_device_interval_ms(const fl_device_t *dev)
{
    return dev->interval_ms;
}

const fl_transport_t *fl_device_transport(const fl_device_t *dev)
{
    return &dev->transport;
}
