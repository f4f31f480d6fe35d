#include "test_helpers.h"

#include <string.h>

#include "fl_topics.h"

static void accepts_ids_matching_the_contract_pattern(void **state)
{
    (void)state;
    char longest[FL_DEVICE_ID_MAX + 1];
    memset(longest, 'a', FL_DEVICE_ID_MAX);
    longest[FL_DEVICE_ID_MAX] = '\0';
    assert_true(fl_device_id_valid("sim-001"));
    assert_true(fl_device_id_valid("A"));
    assert_true(fl_device_id_valid("esp32_kitchen.node:1-b"));
    assert_true(fl_device_id_valid(longest));
}

static void rejects_ids_unsafe_as_a_topic_level(void **state)
{
    (void)state;
    char too_long[FL_DEVICE_ID_MAX + 2];
    memset(too_long, 'a', FL_DEVICE_ID_MAX + 1);
    too_long[FL_DEVICE_ID_MAX + 1] = '\0';
    const char *bad[] = {"", "-sim", "_sim", "sim/1", "sim 1", "sim+", "sim#", "sim\xc3\xa9", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(fl_device_id_valid(bad[i]));
    }
    assert_false(fl_device_id_valid(NULL));
}

static void builds_every_contract_topic(void **state)
{
    (void)state;
    char topic[FL_TOPIC_MAX];
    struct {
        fl_topic_t kind;
        const char *expected;
    } cases[] = {
        {FL_TOPIC_TELEMETRY, "devices/sim-001/telemetry"},
        {FL_TOPIC_STATUS, "devices/sim-001/status"},
        {FL_TOPIC_COMMANDS, "devices/sim-001/commands"},
        {FL_TOPIC_COMMANDS_ACK, "devices/sim-001/commands/ack"},
        {FL_TOPIC_CONFIG, "devices/sim-001/config"},
        {FL_TOPIC_CONFIG_REPORTED, "devices/sim-001/config/reported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(fl_topic_build(topic, sizeof topic, "sim-001", cases[i].kind));
        assert_string_equal(topic, cases[i].expected);
    }
}

static void refuses_invalid_ids_and_short_buffers(void **state)
{
    (void)state;
    char topic[FL_TOPIC_MAX];
    assert_false(fl_topic_build(topic, sizeof topic, "bad/id", FL_TOPIC_STATUS));
    char small[16];
    assert_false(fl_topic_build(small, sizeof small, "sim-001", FL_TOPIC_TELEMETRY));
}

static void fits_the_longest_id_with_the_longest_suffix(void **state)
{
    (void)state;
    char id[FL_DEVICE_ID_MAX + 1];
    memset(id, 'z', FL_DEVICE_ID_MAX);
    id[FL_DEVICE_ID_MAX] = '\0';
    char topic[FL_TOPIC_MAX];
    assert_true(fl_topic_build(topic, sizeof topic, id, FL_TOPIC_CONFIG_REPORTED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_ids_matching_the_contract_pattern),
        cmocka_unit_test(rejects_ids_unsafe_as_a_topic_level),
        cmocka_unit_test(builds_every_contract_topic),
        cmocka_unit_test(refuses_invalid_ids_and_short_buffers),
        cmocka_unit_test(fits_the_longest_id_with_the_longest_suffix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
