#include "test_helpers.h"

#include <string.h>

#include "fake_platform.h"
#include "fl_time.h"

static void formats_utc_with_milliseconds(void **state)
{
    (void)state;
    char out[FL_RFC3339_LEN];
    assert_true(fl_time_format(FAKE_EPOCH_MS + 123, out));
    assert_string_equal(out, "2026-12-03T19:00:00.123Z");
    assert_true(fl_time_format(0, out));
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    assert_true(fl_time_format(1709251199000LL, out));
    assert_string_equal(out, "2024-02-29T23:59:59.000Z");
}

static void formats_times_before_the_epoch(void **state)
{
    (void)state;
    char out[FL_RFC3339_LEN];
    assert_true(fl_time_format(-1, out));
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
}

static void refuses_years_beyond_four_digits(void **state)
{
    (void)state;
    char out[FL_RFC3339_LEN];
    assert_false(fl_time_format(253402300800000LL, out)); /* 10000-01-01 */
}

static void parses_zulu_and_offsets_as_the_same_instant(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_true(fl_time_parse("2026-12-03T19:00:00.123Z", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS + 123);
    assert_true(fl_time_parse("2026-12-03T21:30:00+02:30", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS);
    assert_true(fl_time_parse("2026-12-03T14:00:00-05:00", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS);
    assert_true(fl_time_parse("2026-12-03t19:00:00z", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS);
}

static void truncates_fractions_to_milliseconds(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_true(fl_time_parse("2026-12-03T19:00:00.5Z", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS + 500);
    assert_true(fl_time_parse("2026-12-03T19:00:00.123999Z", &ms));
    assert_int_equal(ms, FAKE_EPOCH_MS + 123);
}

static void rejects_malformed_times(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "2026-12-03",
        "2026-12-03T19:00:00",       /* no offset */
        "2026-12-03 19:00:00Z",      /* space separator */
        "2026-13-03T19:00:00Z",      /* month */
        "2026-02-29T19:00:00Z",      /* not a leap year */
        "2026-12-03T24:00:00Z",      /* hour */
        "2026-12-03T19:00:00.Z",     /* empty fraction */
        "2026-12-03T19:00:00Zjunk",  /* trailing text */
        "2026-12-03T19:00:00+0200",  /* offset without colon */
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        assert_false(fl_time_parse(bad[i], &ms));
    }
}

static void round_trips_format_and_parse(void **state)
{
    (void)state;
    char out[FL_RFC3339_LEN];
    int64_t samples[] = {0, 951782400000LL, FAKE_EPOCH_MS + 999, 4102444799999LL};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t back = -1;
        assert_true(fl_time_format(samples[i], out));
        assert_true(fl_time_parse(out, &back));
        assert_int_equal(back, samples[i]);
    }
}

static void treats_times_before_2020_as_an_unset_clock(void **state)
{
    (void)state;
    assert_false(fl_time_is_valid(0));
    assert_false(fl_time_is_valid(FL_CLOCK_VALID_AFTER_MS - 1));
    assert_true(fl_time_is_valid(FL_CLOCK_VALID_AFTER_MS));
    assert_true(fl_time_is_valid(FAKE_EPOCH_MS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_utc_with_milliseconds),
        cmocka_unit_test(formats_times_before_the_epoch),
        cmocka_unit_test(refuses_years_beyond_four_digits),
        cmocka_unit_test(parses_zulu_and_offsets_as_the_same_instant),
        cmocka_unit_test(truncates_fractions_to_milliseconds),
        cmocka_unit_test(rejects_malformed_times),
        cmocka_unit_test(round_trips_format_and_parse),
        cmocka_unit_test(treats_times_before_2020_as_an_unset_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
