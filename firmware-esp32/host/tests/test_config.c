#include "test_helpers.h"

#include <stdlib.h>
#include <string.h>

#include "fl_config.h"

static fl_config_status_t parse(const char *json, fl_config_msg_t *msg)
{
    return fl_config_parse(json, strlen(json), msg);
}

static void parses_version_config_and_interval(void **state)
{
    (void)state;
    fl_config_msg_t msg;
    assert_int_equal(parse("{\"version\":3,\"config\":{\"sample_interval_s\":30,\"led\":true}}", &msg),
                     FL_CFG_OK);
    assert_int_equal(msg.version, 3);
    assert_true(msg.has_interval);
    assert_int_equal(msg.interval_s, 30);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(msg.config, "led")));
    fl_config_free(&msg);
}

static void treats_the_interval_as_optional(void **state)
{
    (void)state;
    fl_config_msg_t msg;
    assert_int_equal(parse("{\"version\":1,\"config\":{}}", &msg), FL_CFG_OK);
    assert_false(msg.has_interval);
    fl_config_free(&msg);
}

static void rejects_bad_versions(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"config\":{}}",
        "{\"version\":\"3\",\"config\":{}}",
        "{\"version\":0,\"config\":{}}",
        "{\"version\":-1,\"config\":{}}",
        "{\"version\":1.5,\"config\":{}}",
        "{\"version\":1e300,\"config\":{}}",
        "{\"version\":null,\"config\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_config_msg_t msg;
        assert_int_equal(parse(bad[i], &msg), FL_CFG_BAD_VERSION);
        fl_config_free(&msg);
    }
}

static void rejects_a_missing_or_non_object_config(void **state)
{
    (void)state;
    const char *bad[] = {"{\"version\":1}", "{\"version\":1,\"config\":[]}",
                         "{\"version\":1,\"config\":\"x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_config_msg_t msg;
        assert_int_equal(parse(bad[i], &msg), FL_CFG_BAD_CONFIG);
        fl_config_free(&msg);
    }
}

static void rejects_intervals_of_the_wrong_type_or_range(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"version\":1,\"config\":{\"sample_interval_s\":\"10\"}}",
        "{\"version\":1,\"config\":{\"sample_interval_s\":0}}",
        "{\"version\":1,\"config\":{\"sample_interval_s\":86401}}",
        "{\"version\":1,\"config\":{\"sample_interval_s\":2.5}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_config_msg_t msg;
        assert_int_equal(parse(bad[i], &msg), FL_CFG_BAD_INTERVAL);
        fl_config_free(&msg);
    }
}

static void rejects_non_json_and_oversized_messages(void **state)
{
    (void)state;
    fl_config_msg_t msg;
    assert_int_equal(parse("{version:1}", &msg), FL_CFG_NOT_JSON);
    fl_config_free(&msg);
    char *big = calloc(1, FL_MESSAGE_MAX + 2);
    assert_non_null(big);
    memset(big, ' ', FL_MESSAGE_MAX + 1);
    const char *json = "{\"version\":1,\"config\":{}}";
    memcpy(big, json, strlen(json));
    assert_int_equal(fl_config_parse(big, FL_MESSAGE_MAX + 1, &msg), FL_CFG_TOO_LARGE);
    fl_config_free(&msg);
    assert_int_equal(fl_config_parse(big, FL_MESSAGE_MAX, &msg), FL_CFG_OK);
    fl_config_free(&msg);
    free(big);
}

static void applies_only_newer_versions(void **state)
{
    (void)state;
    assert_int_equal(fl_config_decide(0, 1), FL_CFG_APPLY);
    assert_int_equal(fl_config_decide(2, 5), FL_CFG_APPLY);
    assert_int_equal(fl_config_decide(3, 3), FL_CFG_IGNORE);
    assert_int_equal(fl_config_decide(3, 2), FL_CFG_IGNORE);
}

static void reports_the_version_and_the_whole_config(void **state)
{
    (void)state;
    fl_config_msg_t msg;
    assert_int_equal(parse("{\"version\":7,\"config\":{\"sample_interval_s\":5,\"mode\":\"eco\"},"
                           "\"extra\":1}",
                           &msg),
                     FL_CFG_OK);
    char *report = fl_config_report(&msg);
    assert_non_null(report);
    assert_string_equal(report,
                        "{\"version\":7,\"config\":{\"sample_interval_s\":5,\"mode\":\"eco\"}}");
    cJSON_free(report);
    fl_config_free(&msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_version_config_and_interval),
        cmocka_unit_test(treats_the_interval_as_optional),
        cmocka_unit_test(rejects_bad_versions),
        cmocka_unit_test(rejects_a_missing_or_non_object_config),
        cmocka_unit_test(rejects_intervals_of_the_wrong_type_or_range),
        cmocka_unit_test(rejects_non_json_and_oversized_messages),
        cmocka_unit_test(applies_only_newer_versions),
        cmocka_unit_test(reports_the_version_and_the_whole_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
