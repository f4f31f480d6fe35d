#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "fl_command.h"

static fl_command_status_t parse(const char *json, fl_command_t *cmd)
{
    return fl_command_parse(json, strlen(json), cmd);
}

static void parses_a_complete_command(void **state)
{
    (void)state;
    fl_command_t cmd;
    assert_int_equal(parse("{\"command_id\":\"c-1\",\"command\":\"set_interval\","
                           "\"params\":{\"interval_s\":5},\"expires_at\":\"2026-12-03T19:00:00Z\"}",
                           &cmd),
                     FL_CMD_OK);
    assert_string_equal(cmd.id, "c-1");
    assert_string_equal(cmd.name, "set_interval");
    assert_non_null(cmd.params);
    assert_int_equal(cJSON_GetObjectItem(cmd.params, "interval_s")->valueint, 5);
    assert_true(cmd.has_expiry);
    assert_int_equal(cmd.expires_at_ms, FAKE_EPOCH_MS);
    fl_command_free(&cmd);
}

static void treats_params_and_expiry_as_optional(void **state)
{
    (void)state;
    fl_command_t cmd;
    assert_int_equal(parse("{\"command_id\":\"c-2\",\"command\":\"ping\"}", &cmd), FL_CMD_OK);
    assert_null(cmd.params);
    assert_false(cmd.has_expiry);
    fl_command_free(&cmd);
    assert_int_equal(parse("{\"command_id\":\"c-3\",\"command\":\"ping\",\"params\":null,"
                           "\"expires_at\":null}",
                           &cmd),
                     FL_CMD_OK);
    assert_null(cmd.params);
    assert_false(cmd.has_expiry);
    fl_command_free(&cmd);
}

static void accepts_expiry_in_epoch_milliseconds(void **state)
{
    (void)state;
    fl_command_t cmd;
    assert_int_equal(parse("{\"command_id\":\"c\",\"command\":\"ping\",\"expires_at\":1796324400000}",
                           &cmd),
                     FL_CMD_OK);
    assert_true(cmd.has_expiry);
    assert_int_equal(cmd.expires_at_ms, FAKE_EPOCH_MS);
    fl_command_free(&cmd);
}

static void rejects_commands_without_a_usable_id(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"command\":\"ping\"}",
        "{\"command_id\":7,\"command\":\"ping\"}",
        "{\"command_id\":\"\",\"command\":\"ping\"}",
        "{\"command_id\":null,\"command\":\"ping\"}",
        "{\"command_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
        "\"command\":\"ping\"}", /* 65 characters */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_command_t cmd;
        fl_command_status_t status = parse(bad[i], &cmd);
        assert_int_equal(status, FL_CMD_BAD_ID);
        assert_false(fl_command_has_id(status));
        fl_command_free(&cmd);
    }
}

static void keeps_the_id_of_an_invalid_command_so_it_can_be_failed(void **state)
{
    (void)state;
    struct {
        const char *json;
        fl_command_status_t expected;
    } cases[] = {
        {"{\"command_id\":\"c\"}", FL_CMD_BAD_NAME},
        {"{\"command_id\":\"c\",\"command\":42}", FL_CMD_BAD_NAME},
        {"{\"command_id\":\"c\",\"command\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", FL_CMD_BAD_NAME},
        {"{\"command_id\":\"c\",\"command\":\"ping\",\"params\":[1]}", FL_CMD_BAD_PARAMS},
        {"{\"command_id\":\"c\",\"command\":\"ping\",\"params\":\"x\"}", FL_CMD_BAD_PARAMS},
        {"{\"command_id\":\"c\",\"command\":\"ping\",\"expires_at\":\"soon\"}", FL_CMD_BAD_EXPIRY},
        {"{\"command_id\":\"c\",\"command\":\"ping\",\"expires_at\":true}", FL_CMD_BAD_EXPIRY},
        {"{\"command_id\":\"c\",\"command\":\"ping\",\"expires_at\":-5}", FL_CMD_BAD_EXPIRY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fl_command_t cmd;
        fl_command_status_t status = parse(cases[i].json, &cmd);
        assert_int_equal(status, cases[i].expected);
        assert_true(fl_command_has_id(status));
        assert_string_equal(cmd.id, "c");
        assert_string_not_equal(fl_command_status_text(status), "ok");
        fl_command_free(&cmd);
    }
}

static void rejects_non_objects(void **state)
{
    (void)state;
    const char *bad[] = {"", "not json", "[1,2]", "\"ping\"", "{\"command_id\":"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl_command_t cmd;
        assert_int_equal(parse(bad[i], &cmd), FL_CMD_NOT_JSON);
        fl_command_free(&cmd);
    }
}

static void reads_only_the_given_length(void **state)
{
    (void)state;
    /* MQTT payloads are not NUL-terminated. */
    const char buf[] = "{\"command_id\":\"c\",\"command\":\"ping\"}GARBAGE";
    fl_command_t cmd;
    assert_int_equal(fl_command_parse(buf, strlen(buf) - 7, &cmd), FL_CMD_OK);
    fl_command_free(&cmd);
}

static void refuses_oversized_messages_unparsed(void **state)
{
    (void)state;
    size_t len = FL_MESSAGE_MAX + 1;
    char *big = malloc(len + 1);
    assert_non_null(big);
    int head = snprintf(big, len + 1, "{\"command_id\":\"c\",\"command\":\"ping\",\"pad\":\"");
    memset(big + head, 'x', len - (size_t)head - 2);
    memcpy(big + len - 2, "\"}", 3);
    fl_command_t cmd;
    assert_int_equal(fl_command_parse(big, len, &cmd), FL_CMD_TOO_LARGE);
    fl_command_free(&cmd);
    /* The same message one byte shorter is fine. */
    memcpy(big + len - 3, "\"}", 3);
    assert_int_equal(fl_command_parse(big, len - 1, &cmd), FL_CMD_OK);
    fl_command_free(&cmd);
    free(big);
}

static void remembers_handled_ids(void **state)
{
    (void)state;
    fl_seen_t seen;
    fl_seen_init(&seen);
    assert_false(fl_seen_contains(&seen, "c-1"));
    fl_seen_add(&seen, "c-1");
    assert_true(fl_seen_contains(&seen, "c-1"));
    assert_false(fl_seen_contains(&seen, "c-2"));
    assert_false(fl_seen_contains(&seen, ""));
}

static void forgets_the_oldest_id_after_capacity(void **state)
{
    (void)state;
    fl_seen_t seen;
    fl_seen_init(&seen);
    char id[16];
    for (int i = 0; i <= FL_SEEN_CAPACITY; i++) {
        snprintf(id, sizeof id, "c-%d", i);
        fl_seen_add(&seen, id);
    }
    assert_false(fl_seen_contains(&seen, "c-0"));
    assert_true(fl_seen_contains(&seen, "c-1"));
    snprintf(id, sizeof id, "c-%d", FL_SEEN_CAPACITY);
    assert_true(fl_seen_contains(&seen, id));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_complete_command),
        cmocka_unit_test(treats_params_and_expiry_as_optional),
        cmocka_unit_test(accepts_expiry_in_epoch_milliseconds),
        cmocka_unit_test(rejects_commands_without_a_usable_id),
        cmocka_unit_test(keeps_the_id_of_an_invalid_command_so_it_can_be_failed),
        cmocka_unit_test(rejects_non_objects),
        cmocka_unit_test(reads_only_the_given_length),
        cmocka_unit_test(refuses_oversized_messages_unparsed),
        cmocka_unit_test(remembers_handled_ids),
        cmocka_unit_test(forgets_the_oldest_id_after_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
