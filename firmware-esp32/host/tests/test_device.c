/* Device behaviour over MQTT: status, commands with acks, config versions, msg_ids. */
#include "test_helpers.h"

#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "fake_platform.h"
#include "fl_device.h"

#define STATUS "devices/dev-1/status"
#define COMMANDS "devices/dev-1/commands"
#define ACK "devices/dev-1/commands/ack"
#define CONFIG "devices/dev-1/config"
#define REPORTED "devices/dev-1/config/reported"
#define TELEMETRY "devices/dev-1/telemetry"

typedef struct {
    fake_platform_t *fake;
    fl_slot_t slots[16];
    fl_device_t dev;
} fixture_t;

static void boot(fixture_t *fx, int64_t msg_id_floor)
{
    fl_device_config_t cfg = {
        .device_id = "dev-1",
        .api_base_url = "http://api.test",
        .api_key = "swk_test",
        .default_interval_ms = 10000,
        .buffer = fx->slots,
        .buffer_capacity = 16,
        .msg_id_floor = msg_id_floor,
    };
    assert_true(fl_device_init(&fx->dev, &cfg, &fx->fake->pf));
}

static int setup(void **state)
{
    static fixture_t fx;
    memset(&fx, 0, sizeof fx);
    fx.fake = fake_new();
    boot(&fx, 0);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    fake_free(fx->fake);
    return 0;
}

static void deliver(fixture_t *fx, const char *topic, const char *payload)
{
    fl_device_on_message(&fx->dev, topic, payload, strlen(payload));
}

/* The ack payload parsed, for field-by-field assertions; caller deletes it. */
static cJSON *ack(const fixture_t *fx, size_t n)
{
    const fake_publish_t *p = fake_nth_on(fx->fake, ACK, n);
    assert_non_null(p);
    assert_int_equal(p->qos, 1);
    cJSON *root = cJSON_Parse(p->payload);
    assert_non_null(root);
    return root;
}

static const char *field(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void assert_ack(const fixture_t *fx, size_t n, const char *id, const char *status)
{
    cJSON *a = ack(fx, n);
    assert_string_equal(field(a, "command_id"), id);
    assert_string_equal(field(a, "status"), status);
    cJSON_Delete(a);
}

static void announces_itself_online_and_subscribes_on_connect(void **state)
{
    fixture_t *fx = *state;
    fl_device_on_connected(&fx->dev);
    const fake_publish_t *p = fake_nth_on(fx->fake, STATUS, 0);
    assert_non_null(p);
    assert_string_equal(p->payload, "{\"state\":\"online\",\"ts\":\"2026-12-03T19:00:00.000Z\"}");
    assert_int_equal(p->qos, 1);
    assert_true(p->retain);
    assert_int_equal(fx->fake->subscribe_count, 2);
    assert_string_equal(fx->fake->subscriptions[0], COMMANDS);
    assert_string_equal(fx->fake->subscriptions[1], CONFIG);
}

static void publishes_a_retained_offline_status_on_clean_shutdown(void **state)
{
    fixture_t *fx = *state;
    assert_true(fl_device_publish_offline(&fx->dev) >= 0);
    const fake_publish_t *p = fake_nth_on(fx->fake, STATUS, 0);
    assert_string_equal(p->payload, "{\"state\":\"offline\",\"ts\":\"2026-12-03T19:00:00.000Z\"}");
    assert_true(p->retain);
    cJSON *will = cJSON_Parse(FL_WILL_PAYLOAD);
    assert_string_equal(field(will, "state"), "offline");
    cJSON_Delete(will);
}

static void leaves_ts_out_of_the_status_while_the_clock_is_unset(void **state)
{
    fixture_t *fx = *state;
    fx->fake->now_ms = 12345;
    fl_device_on_connected(&fx->dev);
    assert_string_equal(fake_nth_on(fx->fake, STATUS, 0)->payload, "{\"state\":\"online\"}");
}

static void acks_received_then_succeeded_for_ping(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command_id\":\"c-1\",\"command\":\"ping\",\"params\":{}}");
    assert_int_equal(fake_count_on(fx->fake, ACK), 2);
    assert_ack(fx, 0, "c-1", "received");
    cJSON *done = ack(fx, 1);
    assert_string_equal(field(done, "status"), "succeeded");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(done, "result"), "pong")));
    cJSON_Delete(done);
    assert_null(strstr(fake_nth_on(fx->fake, ACK, 0)->payload, "result"));
}

static void ignores_a_command_id_it_already_handled(void **state)
{
    fixture_t *fx = *state;
    const char *cmd = "{\"command_id\":\"c-1\",\"command\":\"identify\"}";
    deliver(fx, COMMANDS, cmd);
    deliver(fx, COMMANDS, cmd);
    assert_int_equal(fake_count_on(fx->fake, ACK), 2);
    assert_int_equal(fx->fake->identifies, 1);
    assert_true(fake_logged(fx->fake, "ignoring command c-1: already handled"));
}

static void set_interval_changes_and_persists_the_interval(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS,
            "{\"command_id\":\"c-2\",\"command\":\"set_interval\",\"params\":{\"interval_s\":5}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 5000);
    cJSON *done = ack(fx, 1);
    assert_string_equal(field(done, "status"), "succeeded");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(done, "result"), "interval_s")->valueint,
                     5);
    cJSON_Delete(done);
    boot(fx, 0);
    assert_int_equal(fl_device_interval_ms(&fx->dev), 5000);
}

static void set_interval_fails_on_bad_params(void **state)
{
    fixture_t *fx = *state;
    const char *bad[] = {
        "{\"command_id\":\"a\",\"command\":\"set_interval\"}",
        "{\"command_id\":\"b\",\"command\":\"set_interval\",\"params\":{\"interval_s\":\"5\"}}",
        "{\"command_id\":\"c\",\"command\":\"set_interval\",\"params\":{\"interval_s\":0}}",
        "{\"command_id\":\"d\",\"command\":\"set_interval\",\"params\":{\"interval_s\":90000}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        deliver(fx, COMMANDS, bad[i]);
        cJSON *done = ack(fx, 2 * i + 1);
        assert_string_equal(field(done, "status"), "failed");
        assert_non_null(strstr(field(cJSON_GetObjectItem(done, "result"), "error"), "interval_s"));
        cJSON_Delete(done);
    }
    assert_int_equal(fl_device_interval_ms(&fx->dev), 10000);
}

static void fails_unknown_commands_with_a_reason(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command_id\":\"c-3\",\"command\":\"self_destruct\"}");
    assert_ack(fx, 0, "c-3", "received");
    cJSON *done = ack(fx, 1);
    assert_string_equal(field(done, "status"), "failed");
    assert_string_equal(field(cJSON_GetObjectItem(done, "result"), "error"),
                        "unknown command 'self_destruct'");
    cJSON_Delete(done);
}

static void reboots_only_after_the_ack_is_out(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command_id\":\"c-4\",\"command\":\"reboot\"}");
    assert_int_equal(fx->fake->reboots, 1);
    assert_int_equal(fx->fake->publishes_at_reboot, 2);
    assert_ack(fx, 1, "c-4", "succeeded");
}

static void fails_expired_commands_without_running_them(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command_id\":\"c-5\",\"command\":\"reboot\","
                          "\"expires_at\":\"2026-12-03T18:59:59Z\"}");
    assert_int_equal(fx->fake->reboots, 0);
    cJSON *done = ack(fx, 1);
    assert_string_equal(field(done, "status"), "failed");
    assert_string_equal(field(cJSON_GetObjectItem(done, "result"), "error"), "command expired");
    cJSON_Delete(done);
    deliver(fx, COMMANDS, "{\"command_id\":\"c-6\",\"command\":\"identify\","
                          "\"expires_at\":\"2026-12-03T19:00:01Z\"}");
    assert_int_equal(fx->fake->identifies, 1);
}

static void fails_a_malformed_command_that_has_an_id(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command_id\":\"c-7\",\"command\":\"ping\",\"params\":[]}");
    assert_ack(fx, 0, "c-7", "received");
    assert_ack(fx, 1, "c-7", "failed");
}

static void drops_commands_it_cannot_acknowledge(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, COMMANDS, "{\"command\":\"reboot\"}");
    deliver(fx, COMMANDS, "garbage");
    assert_int_equal(fake_count_on(fx->fake, ACK), 0);
    assert_int_equal(fx->fake->reboots, 0);
    assert_true(fake_logged(fx->fake, "ignoring command: not a JSON object"));
}

static void ignores_messages_on_other_topics(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, "devices/dev-2/commands", "{\"command_id\":\"x\",\"command\":\"reboot\"}");
    assert_int_equal(fx->fake->publish_count, 0);
    assert_int_equal(fx->fake->reboots, 0);
}

static void applies_a_config_and_reports_it(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, CONFIG, "{\"version\":2,\"config\":{\"sample_interval_s\":30,\"mode\":\"eco\"}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 30000);
    const fake_publish_t *p = fake_nth_on(fx->fake, REPORTED, 0);
    assert_non_null(p);
    assert_int_equal(p->qos, 1);
    assert_string_equal(p->payload,
                        "{\"version\":2,\"config\":{\"sample_interval_s\":30,\"mode\":\"eco\"}}");
}

static void ignores_duplicate_and_older_config_versions(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, CONFIG, "{\"version\":3,\"config\":{\"sample_interval_s\":30}}");
    deliver(fx, CONFIG, "{\"version\":3,\"config\":{\"sample_interval_s\":60}}");
    deliver(fx, CONFIG, "{\"version\":2,\"config\":{\"sample_interval_s\":90}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 30000);
    assert_int_equal(fake_count_on(fx->fake, REPORTED), 1);
    deliver(fx, CONFIG, "{\"version\":5,\"config\":{\"sample_interval_s\":45}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 45000);
    assert_int_equal(fake_count_on(fx->fake, REPORTED), 2);
}

static void remembers_the_applied_version_across_restarts(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, CONFIG, "{\"version\":4,\"config\":{\"sample_interval_s\":20}}");
    boot(fx, 0);
    assert_int_equal(fl_device_interval_ms(&fx->dev), 20000);
    deliver(fx, CONFIG, "{\"version\":4,\"config\":{\"sample_interval_s\":20}}");
    assert_int_equal(fake_count_on(fx->fake, REPORTED), 1);
}

static void keeps_the_config_when_a_new_one_is_invalid(void **state)
{
    fixture_t *fx = *state;
    deliver(fx, CONFIG, "{\"version\":1,\"config\":{\"sample_interval_s\":20}}");
    deliver(fx, CONFIG, "{\"version\":2,\"config\":{\"sample_interval_s\":-4}}");
    deliver(fx, CONFIG, "{\"version\":\"3\",\"config\":{}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 20000);
    assert_int_equal(fake_count_on(fx->fake, REPORTED), 1);
    assert_true(fake_logged(fx->fake, "ignoring config: field 'config.sample_interval_s'"));
    /* The refused version 2 was not recorded, so a corrected version 2 still applies. */
    deliver(fx, CONFIG, "{\"version\":2,\"config\":{\"sample_interval_s\":40}}");
    assert_int_equal(fl_device_interval_ms(&fx->dev), 40000);
}

static void records_readings_with_increasing_msg_ids_and_ts(void **state)
{
    fixture_t *fx = *state;
    fl_device_on_connected(&fx->dev);
    fl_metric_t m[] = {{"temperature", 21.5}};
    for (int i = 0; i < 3; i++) {
        assert_true(fl_device_record(&fx->dev, m, 1));
    }
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(json_msg_id(fake_nth_on(fx->fake, TELEMETRY, i)->payload), (int64_t)i + 1);
    }
    assert_non_null(strstr(fake_nth_on(fx->fake, TELEMETRY, 0)->payload,
                           "\"ts\":\"2026-12-03T19:00:00.000Z\""));
}

static void never_reuses_a_msg_id_after_a_restart(void **state)
{
    fixture_t *fx = *state;
    fl_device_on_connected(&fx->dev);
    fl_metric_t m[] = {{"temperature", 21.5}};
    for (int i = 0; i < 250; i++) {
        fl_device_record(&fx->dev, m, 1);
        fl_device_on_published(&fx->dev, fx->fake->publishes[fx->fake->publish_count - 1].mid);
    }
    int64_t last = json_msg_id(fake_nth_on(fx->fake, TELEMETRY, 249)->payload);
    boot(fx, 0);
    fl_device_on_connected(&fx->dev);
    fl_device_record(&fx->dev, m, 1);
    int64_t after = json_msg_id(fake_nth_on(fx->fake, TELEMETRY, 250)->payload);
    assert_true(after > last);
}

static void starts_msg_ids_at_the_floor(void **state)
{
    fixture_t *fx = *state;
    boot(fx, FAKE_EPOCH_MS);
    fl_device_on_connected(&fx->dev);
    fl_metric_t m[] = {{"temperature", 21.5}};
    fl_device_record(&fx->dev, m, 1);
    assert_int_equal(json_msg_id(fake_nth_on(fx->fake, TELEMETRY, 0)->payload), FAKE_EPOCH_MS);
}

static void refuses_readings_with_bad_metrics(void **state)
{
    fixture_t *fx = *state;
    fl_metric_t reserved[] = {{"msg_id", 1}};
    fl_metric_t empty[] = {{"", 1}};
    fl_metric_t unnamed[] = {{NULL, 1}};
    fl_metric_t many[FL_MAX_METRICS + 1];
    for (size_t i = 0; i < FL_MAX_METRICS + 1; i++) {
        many[i] = (fl_metric_t){"m", 1};
    }
    assert_false(fl_device_record(&fx->dev, reserved, 1));
    assert_false(fl_device_record(&fx->dev, empty, 1));
    assert_false(fl_device_record(&fx->dev, unnamed, 1));
    assert_false(fl_device_record(&fx->dev, many, FL_MAX_METRICS + 1));
    assert_false(fl_device_record(&fx->dev, many, 0));
    assert_int_equal(fl_transport_stats(fl_device_transport(&fx->dev))->recorded, 0);
}

static void refuses_an_invalid_device_id(void **state)
{
    fixture_t *fx = *state;
    fl_device_t dev;
    fl_device_config_t cfg = {.device_id = "no/slash", .buffer = fx->slots, .buffer_capacity = 4};
    assert_false(fl_device_init(&dev, &cfg, &fx->fake->pf));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(announces_itself_online_and_subscribes_on_connect),
        T(publishes_a_retained_offline_status_on_clean_shutdown),
        T(leaves_ts_out_of_the_status_while_the_clock_is_unset),
        T(acks_received_then_succeeded_for_ping),
        T(ignores_a_command_id_it_already_handled),
        T(set_interval_changes_and_persists_the_interval),
        T(set_interval_fails_on_bad_params),
        T(fails_unknown_commands_with_a_reason),
        T(reboots_only_after_the_ack_is_out),
        T(fails_expired_commands_without_running_them),
        T(fails_a_malformed_command_that_has_an_id),
        T(drops_commands_it_cannot_acknowledge),
        T(ignores_messages_on_other_topics),
        T(applies_a_config_and_reports_it),
        T(ignores_duplicate_and_older_config_versions),
        T(remembers_the_applied_version_across_restarts),
        T(keeps_the_config_when_a_new_one_is_invalid),
        T(records_readings_with_increasing_msg_ids_and_ts),
        T(never_reuses_a_msg_id_after_a_restart),
        T(starts_msg_ids_at_the_floor),
        T(refuses_readings_with_bad_metrics),
        T(refuses_an_invalid_device_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
