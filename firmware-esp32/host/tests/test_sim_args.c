/* The simulator's command line, including where secrets may come from. */
#include "test_helpers.h"

#include <string.h>

#include "sim_args.h"

static sim_args_status_t parse(sim_args_t *args, char *error, const char *env_key,
                               const char *const *argv_tail)
{
    char *argv[32] = {"fleetline-sim"};
    int argc = 1;
    for (; argv_tail[argc - 1] != NULL; argc++) {
        argv[argc] = (char *)argv_tail[argc - 1];
    }
    return sim_args_parse(argc, argv, env_key, NULL, args, error, 160);
}

static void uses_defaults_without_options(void **state)
{
    (void)state;
    sim_args_t args;
    char error[160];
    const char *argv[] = {NULL};
    assert_int_equal(parse(&args, error, NULL, argv), SIM_ARGS_OK);
    assert_int_equal(args.devices, 1);
    assert_int_equal(args.interval_ms, 1000);
    assert_string_equal(args.broker_host, "127.0.0.1");
    assert_int_equal(args.broker_port, 1883);
    assert_null(args.api);
    assert_string_equal(args.prefix, "sim-");
    assert_int_equal(args.buffer, 512);
    assert_int_equal(args.count, 0);
    assert_int_equal(args.duration_ms, 0);
}

static void parses_the_documented_command_line(void **state)
{
    (void)state;
    sim_args_t args;
    char error[160];
    const char *argv[] = {"--devices", "50", "--interval", "500ms", "--broker",
                          "mqtt://broker.local:1884", "--api", "http://127.0.0.1:8080",
                          "--api-key", "swk_abc", "--prefix", "t1-", "--mqtt-username", "u",
                          "--mqtt-password", "p", "--duration=2m", "--count", "10",
                          "--buffer", "64", "--drain-timeout", "5s", NULL};
    assert_int_equal(parse(&args, error, NULL, argv), SIM_ARGS_OK);
    assert_int_equal(args.devices, 50);
    assert_int_equal(args.interval_ms, 500);
    assert_string_equal(args.broker_host, "broker.local");
    assert_int_equal(args.broker_port, 1884);
    assert_string_equal(args.api, "http://127.0.0.1:8080");
    assert_string_equal(args.api_key, "swk_abc");
    assert_string_equal(args.prefix, "t1-");
    assert_string_equal(args.mqtt_username, "u");
    assert_string_equal(args.mqtt_password, "p");
    assert_int_equal(args.duration_ms, 120000);
    assert_int_equal(args.count, 10);
    assert_int_equal(args.buffer, 64);
    assert_int_equal(args.drain_ms, 5000);
}

static void takes_the_api_key_from_the_environment(void **state)
{
    (void)state;
    sim_args_t args;
    char error[160];
    const char *argv[] = {"--api", "http://127.0.0.1:8080", NULL};
    assert_int_equal(parse(&args, error, "swk_env", argv), SIM_ARGS_OK);
    assert_string_equal(args.api_key, "swk_env");
    assert_int_equal(parse(&args, error, NULL, argv), SIM_ARGS_ERROR);
    assert_non_null(strstr(error, "--api-key"));
}

static void rejects_bad_values_without_echoing_them(void **state)
{
    (void)state;
    const char *const cases[][3] = {
        {"--devices", "0", NULL},
        {"--devices", "ten", NULL},
        {"--interval", "5ms", NULL},
        {"--interval", "1d", NULL},
        {"--broker", "tcp://x:1883", NULL},
        {"--broker", "mqtt://x:99999", NULL},
        {"--api", "ftp://x", NULL},
        {"--count", "-1", NULL},
        {"--buffer", "0", NULL},
        {"--nope", "1", NULL},
        {"swk_secret", NULL, NULL},
        {"--mqtt-password", "swk_secret", NULL},
        {"--count", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_args_t args;
        char error[160] = "";
        assert_int_equal(parse(&args, error, NULL, cases[i]), SIM_ARGS_ERROR);
        assert_true(strlen(error) > 0);
        assert_null(strstr(error, "swk_secret"));
    }
}

static void answers_help(void **state)
{
    (void)state;
    sim_args_t args;
    char error[160];
    const char *argv[] = {"--devices", "2", "--help", NULL};
    assert_int_equal(parse(&args, error, NULL, argv), SIM_ARGS_HELP);
}

static void parses_durations_with_units(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_true(sim_parse_duration("250ms", &ms));
    assert_int_equal(ms, 250);
    assert_true(sim_parse_duration("3", &ms));
    assert_int_equal(ms, 3000);
    assert_true(sim_parse_duration("1h", &ms));
    assert_int_equal(ms, 3600000);
    assert_false(sim_parse_duration("", &ms));
    assert_false(sim_parse_duration("1.5s", &ms));
    assert_false(sim_parse_duration("s", &ms));
    assert_false(sim_parse_duration("99999999999999999999h", &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uses_defaults_without_options),
        cmocka_unit_test(parses_the_documented_command_line),
        cmocka_unit_test(takes_the_api_key_from_the_environment),
        cmocka_unit_test(rejects_bad_values_without_echoing_them),
        cmocka_unit_test(answers_help),
        cmocka_unit_test(parses_durations_with_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
