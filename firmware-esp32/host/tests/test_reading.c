#include "test_helpers.h"

#include <math.h>
#include <string.h>

#include "cJSON.h"
#include "fake_platform.h"
#include "fl_reading.h"

static fl_reading_t sample(void)
{
    fl_reading_t r = {
        .msg_id = 42,
        .ts_ms = FAKE_EPOCH_MS + 123,
        .count = 2,
        .metrics = {{"temperature", 21.5}, {"humidity", 40.25}},
    };
    return r;
}

static void encodes_ts_msg_id_and_metrics(void **state)
{
    (void)state;
    fl_reading_t r = sample();
    char json[FL_READING_JSON_MAX];
    int len = fl_reading_encode(&r, json, sizeof json);
    assert_int_equal(len, (int)strlen(json));
    assert_string_equal(json, "{\"ts\":\"2026-12-03T19:00:00.123Z\",\"msg_id\":42,"
                              "\"temperature\":21.5,\"humidity\":40.25}");
}

static void keeps_large_msg_ids_exact(void **state)
{
    (void)state;
    fl_reading_t r = sample();
    r.msg_id = FAKE_EPOCH_MS + 7; /* the simulator starts ids near the wall clock */
    char json[FL_READING_JSON_MAX];
    assert_true(fl_reading_encode(&r, json, sizeof json) > 0);
    assert_int_equal(json_msg_id(json), FAKE_EPOCH_MS + 7);
    assert_non_null(strstr(json, "\"msg_id\":1796324400007,"));
}

static void leaves_out_ts_while_the_clock_is_unset(void **state)
{
    (void)state;
    fl_reading_t r = sample();
    r.ts_ms = 5000;
    char json[FL_READING_JSON_MAX];
    assert_true(fl_reading_encode(&r, json, sizeof json) > 0);
    assert_null(strstr(json, "\"ts\""));
    assert_int_equal(json_msg_id(json), 42);
}

static void leaves_out_values_json_cannot_carry(void **state)
{
    (void)state;
    fl_reading_t r = sample();
    r.metrics[0].value = NAN;
    r.metrics[1].value = INFINITY;
    char json[FL_READING_JSON_MAX];
    assert_true(fl_reading_encode(&r, json, sizeof json) > 0);
    assert_null(strstr(json, "temperature"));
    assert_null(strstr(json, "humidity"));
    assert_null(strstr(json, "null"));
}

static void fails_when_the_buffer_is_too_small(void **state)
{
    (void)state;
    fl_reading_t r = sample();
    char json[32];
    assert_int_equal(fl_reading_encode(&r, json, sizeof json), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_ts_msg_id_and_metrics),
        cmocka_unit_test(keeps_large_msg_ids_exact),
        cmocka_unit_test(leaves_out_ts_while_the_clock_is_unset),
        cmocka_unit_test(leaves_out_values_json_cannot_carry),
        cmocka_unit_test(fails_when_the_buffer_is_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
