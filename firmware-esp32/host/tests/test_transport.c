/* The delivery policy: MQTT, HTTP fallback, offline buffer and recovery. */
#include "test_helpers.h"

#include <stdio.h>
#include <string.h>

#include "fake_platform.h"
#include "fl_transport.h"

#define TELEMETRY "devices/dev-1/telemetry"
#define DATA_URL "http://api.test/api/v1/devices/dev-1/data"
#define API_KEY "swk_0123456789abcdef0123456789abcdef0123456789abcdef"
#define CAPACITY 8

typedef struct {
    fake_platform_t *fake;
    fl_slot_t slots[64];
    fl_transport_t t;
    int64_t next_id;
} fixture_t;

static void init_with(fixture_t *fx, const char *api_url, size_t capacity)
{
    fl_transport_config_t cfg = {
        .device_id = "dev-1",
        .api_base_url = api_url,
        .api_key = API_KEY,
        .slots = fx->slots,
        .capacity = capacity,
    };
    assert_true(fl_transport_init(&fx->t, &cfg, &fx->fake->pf));
}

static int setup(void **state)
{
    static fixture_t fx;
    memset(&fx, 0, sizeof fx);
    fx.fake = fake_new();
    fx.next_id = 1;
    init_with(&fx, "http://api.test", CAPACITY);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    fake_free(fx->fake);
    return 0;
}

static void submit(fixture_t *fx)
{
    fl_reading_t r = {.msg_id = fx->next_id++, .ts_ms = fx->fake->now_ms, .count = 1};
    r.metrics[0] = (fl_metric_t){"temperature", 21.5};
    fl_transport_submit(&fx->t, &r);
}

static int64_t posted_id(const fixture_t *fx, size_t n)
{
    return json_msg_id(fx->fake->posts[n].body);
}

static int64_t published_id(const fixture_t *fx, size_t n)
{
    return json_msg_id(fake_nth_on(fx->fake, TELEMETRY, n)->payload);
}

static void ack_all(fixture_t *fx)
{
    for (size_t i = 0; i < fx->fake->publish_count; i++) {
        fl_transport_published(&fx->t, fx->fake->publishes[i].mid);
    }
}

static void both_down(fixture_t *fx)
{
    fx->fake->http_status = 503;
}

static void publishes_over_mqtt_when_connected(void **state)
{
    fixture_t *fx = *state;
    fl_transport_mqtt_connected(&fx->t);
    submit(fx);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 1);
    const fake_publish_t *p = fake_nth_on(fx->fake, TELEMETRY, 0);
    assert_int_equal(p->qos, 1);
    assert_false(p->retain);
    assert_int_equal(json_msg_id(p->payload), 1);
    assert_int_equal(fx->fake->post_count, 0);
    assert_int_equal(fl_transport_mode(&fx->t), FL_MODE_MQTT);
    assert_true(fake_logged(fx->fake, "sending readings over MQTT"));
}

static void counts_a_reading_delivered_only_on_puback(void **state)
{
    fixture_t *fx = *state;
    fl_transport_mqtt_connected(&fx->t);
    submit(fx);
    assert_int_equal(fl_transport_undelivered(&fx->t), 1);
    fl_transport_published(&fx->t, 9999); /* a status or ack, not a reading */
    assert_int_equal(fl_transport_undelivered(&fx->t), 1);
    ack_all(fx);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
    assert_int_equal(fl_transport_stats(&fx->t)->delivered_mqtt, 1);
}

static void posts_over_http_while_mqtt_is_down(void **state)
{
    fixture_t *fx = *state;
    submit(fx);
    assert_int_equal(fx->fake->publish_count, 0);
    assert_int_equal(fx->fake->post_count, 1);
    assert_string_equal(fx->fake->posts[0].url, DATA_URL);
    assert_string_equal(fx->fake->posts[0].api_key, API_KEY);
    assert_int_equal(posted_id(fx, 0), 1);
    assert_int_equal(fl_transport_stats(&fx->t)->delivered_http, 1);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
    assert_int_equal(fl_transport_mode(&fx->t), FL_MODE_HTTP);
    assert_true(fake_logged(fx->fake, "falling back to HTTP"));
}

static void never_logs_the_api_key(void **state)
{
    fixture_t *fx = *state;
    submit(fx);
    both_down(fx);
    fake_advance(fx->fake, 60000);
    submit(fx);
    fx->fake->http_status = 401;
    fake_advance(fx->fake, 60000);
    fl_transport_poll(&fx->t);
    assert_true(fx->fake->log_count > 0);
    for (size_t i = 0; i < fx->fake->log_count; i++) {
        assert_null(strstr(fx->fake->logs[i], "swk_"));
    }
}

static void strips_trailing_slashes_from_the_api_url(void **state)
{
    fixture_t *fx = *state;
    init_with(fx, "http://api.test//", CAPACITY);
    submit(fx);
    assert_string_equal(fx->fake->posts[0].url, DATA_URL);
}

static void counts_200_duplicate_as_delivered(void **state)
{
    fixture_t *fx = *state;
    fx->fake->http_status = 200;
    submit(fx);
    assert_int_equal(fl_transport_stats(&fx->t)->delivered_http, 1);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
}

static void resends_unacked_publishes_over_http_on_disconnect(void **state)
{
    fixture_t *fx = *state;
    fl_transport_mqtt_connected(&fx->t);
    submit(fx);
    submit(fx);
    fl_transport_published(&fx->t, fake_nth_on(fx->fake, TELEMETRY, 0)->mid);
    int late_mid = fake_nth_on(fx->fake, TELEMETRY, 1)->mid;
    fl_transport_mqtt_disconnected(&fx->t);
    assert_int_equal(fx->fake->post_count, 1);
    assert_int_equal(posted_id(fx, 0), 2);
    /* A PUBACK arriving after the fallback took over must not count twice. */
    fl_transport_published(&fx->t, late_mid);
    const fl_transport_stats_t *s = fl_transport_stats(&fx->t);
    assert_int_equal(s->delivered_mqtt, 1);
    assert_int_equal(s->delivered_http, 1);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
}

static void falls_back_when_a_publish_is_refused_then_retries_mqtt(void **state)
{
    fixture_t *fx = *state;
    fl_transport_mqtt_connected(&fx->t);
    fx->fake->publish_fails = true;
    submit(fx);
    assert_int_equal(fx->fake->post_count, 1);
    assert_int_equal(posted_id(fx, 0), 1);
    fx->fake->publish_fails = false;
    submit(fx);
    assert_int_equal(fx->fake->post_count, 2); /* still within the MQTT retry pause */
    fake_advance(fx->fake, FL_MQTT_RETRY_MS);
    submit(fx);
    assert_int_equal(fx->fake->post_count, 2);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 1);
    assert_int_equal(published_id(fx, 0), 3);
}

static void buffers_while_mqtt_and_http_are_down(void **state)
{
    fixture_t *fx = *state;
    both_down(fx);
    for (int i = 0; i < 3; i++) {
        submit(fx);
    }
    /* One failed attempt, then the backoff keeps the others in the buffer. */
    assert_int_equal(fx->fake->post_count, 1);
    assert_int_equal(fl_transport_undelivered(&fx->t), 3);
    assert_int_equal(fl_transport_mode(&fx->t), FL_MODE_BUFFERING);
    assert_true(fake_logged(fx->fake, "MQTT and HTTP unavailable: buffering"));
}

static void flushes_the_buffer_over_mqtt_exactly_once_in_order(void **state)
{
    fixture_t *fx = *state;
    both_down(fx);
    for (int i = 0; i < 5; i++) {
        submit(fx);
    }
    fl_transport_mqtt_connected(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(published_id(fx, i), (int64_t)i + 1);
    }
    ack_all(fx);
    fl_transport_poll(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 5);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
    assert_int_equal(fl_transport_stats(&fx->t)->delivered_mqtt, 5);
    assert_true(fake_logged(fx->fake, "flushed 5 buffered readings"));
}

static void flushes_the_buffer_over_http_after_the_backoff(void **state)
{
    fixture_t *fx = *state;
    both_down(fx);
    for (int i = 0; i < 4; i++) {
        submit(fx);
    }
    size_t failed_posts = fx->fake->post_count;
    fx->fake->http_status = 201;
    fl_transport_poll(&fx->t);
    assert_int_equal(fx->fake->post_count, failed_posts); /* still backing off */
    fake_advance(fx->fake, FL_HTTP_BACKOFF_MIN_MS);
    fl_transport_poll(&fx->t);
    assert_int_equal(fx->fake->post_count, failed_posts + 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(posted_id(fx, failed_posts + i), (int64_t)i + 1);
    }
    fl_transport_poll(&fx->t);
    assert_int_equal(fx->fake->post_count, failed_posts + 4);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
    assert_true(fake_logged(fx->fake, "flushed 4 buffered readings"));
}

static void doubles_the_http_backoff_up_to_a_cap(void **state)
{
    fixture_t *fx = *state;
    both_down(fx);
    submit(fx);
    int64_t expected[] = {1000, 2000, 4000, 8000, 15000, 15000};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        size_t before = fx->fake->post_count;
        fake_advance(fx->fake, expected[i] - 1);
        fl_transport_poll(&fx->t);
        assert_int_equal(fx->fake->post_count, before);
        fake_advance(fx->fake, 1);
        fl_transport_poll(&fx->t);
        assert_int_equal(fx->fake->post_count, before + 1);
    }
}

static void drops_the_oldest_when_the_buffer_is_full_and_counts_it(void **state)
{
    fixture_t *fx = *state;
    both_down(fx);
    for (int i = 0; i < CAPACITY + 3; i++) {
        submit(fx);
    }
    const fl_transport_stats_t *s = fl_transport_stats(&fx->t);
    assert_int_equal(s->dropped_full, 3);
    assert_int_equal(fl_transport_undelivered(&fx->t), CAPACITY);
    assert_true(fake_logged(fx->fake, "buffer full"));
    fl_transport_mqtt_connected(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), CAPACITY);
    for (size_t i = 0; i < CAPACITY; i++) {
        assert_int_equal(published_id(fx, i), (int64_t)i + 4);
    }
}

static void counts_a_dropped_inflight_reading_once(void **state)
{
    fixture_t *fx = *state;
    init_with(fx, NULL, 2);
    fl_transport_mqtt_connected(&fx->t);
    submit(fx);
    submit(fx);
    int first_mid = fake_nth_on(fx->fake, TELEMETRY, 0)->mid;
    submit(fx); /* evicts the unacknowledged first reading */
    fl_transport_published(&fx->t, first_mid);
    const fl_transport_stats_t *s = fl_transport_stats(&fx->t);
    assert_int_equal(s->dropped_full, 1);
    assert_int_equal(s->delivered_mqtt, 0);
    ack_all(fx);
    assert_int_equal(s->delivered_mqtt, 2);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
}

static void drops_readings_the_api_refuses_and_goes_on(void **state)
{
    fixture_t *fx = *state;
    fx->fake->http_status = 400;
    submit(fx);
    fx->fake->http_status = 404;
    submit(fx);
    fx->fake->http_status = 201;
    submit(fx);
    assert_int_equal(fx->fake->post_count, 3);
    const fl_transport_stats_t *s = fl_transport_stats(&fx->t);
    assert_int_equal(s->rejected, 2);
    assert_int_equal(s->delivered_http, 1);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
    assert_true(fake_logged(fx->fake, "API refused reading msg_id 1 with HTTP 400"));
}

static void keeps_readings_on_transient_http_errors(void **state)
{
    fixture_t *fx = *state;
    int transient[] = {408, 429, 500, 503, -1};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
        fx->fake->http_status = transient[i];
        fake_advance(fx->fake, 60000);
        submit(fx);
    }
    assert_int_equal(fl_transport_stats(&fx->t)->rejected, 0);
    assert_int_equal(fl_transport_undelivered(&fx->t), 5);
    fx->fake->http_status = 201;
    fake_advance(fx->fake, 60000);
    fl_transport_poll(&fx->t);
    assert_int_equal(fl_transport_stats(&fx->t)->delivered_http, 5);
}

static void republishes_when_a_puback_never_arrives(void **state)
{
    fixture_t *fx = *state;
    fl_transport_mqtt_connected(&fx->t);
    submit(fx);
    fake_advance(fx->fake, FL_ACK_TIMEOUT_MS - 1);
    fl_transport_poll(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 1);
    fake_advance(fx->fake, 1);
    fl_transport_poll(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 2);
    assert_int_equal(published_id(fx, 1), 1);
    fl_transport_published(&fx->t, fake_nth_on(fx->fake, TELEMETRY, 1)->mid);
    assert_int_equal(fl_transport_undelivered(&fx->t), 0);
}

static void limits_publishes_awaiting_puback(void **state)
{
    fixture_t *fx = *state;
    init_with(fx, NULL, 64);
    for (int i = 0; i < FL_MQTT_WINDOW + 4; i++) {
        submit(fx);
    }
    fl_transport_mqtt_connected(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), FL_MQTT_WINDOW);
    fl_transport_published(&fx->t, fake_nth_on(fx->fake, TELEMETRY, 0)->mid);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), FL_MQTT_WINDOW + 1);
}

static void limits_posts_per_poll(void **state)
{
    fixture_t *fx = *state;
    init_with(fx, "http://api.test", 64);
    both_down(fx);
    for (int i = 0; i < FL_HTTP_BATCH + 5; i++) {
        submit(fx);
    }
    size_t before = fx->fake->post_count;
    fx->fake->http_status = 201;
    fake_advance(fx->fake, 60000);
    fl_transport_poll(&fx->t);
    assert_int_equal(fx->fake->post_count, before + FL_HTTP_BATCH);
    fl_transport_poll(&fx->t);
    assert_int_equal(fx->fake->post_count, before + FL_HTTP_BATCH + 5);
}

static void buffers_at_once_without_an_api_url(void **state)
{
    fixture_t *fx = *state;
    init_with(fx, "", CAPACITY);
    submit(fx);
    assert_int_equal(fx->fake->post_count, 0);
    assert_int_equal(fl_transport_mode(&fx->t), FL_MODE_BUFFERING);
    assert_true(fake_logged(fx->fake, "no HTTP fallback"));
    fl_transport_mqtt_connected(&fx->t);
    assert_int_equal(fake_count_on(fx->fake, TELEMETRY), 1);
}

static void stays_quiet_before_the_first_reading(void **state)
{
    fixture_t *fx = *state;
    fl_transport_poll(&fx->t);
    assert_int_equal(fl_transport_mode(&fx->t), FL_MODE_STARTING);
    assert_int_equal(fx->fake->log_count, 0);
}

static void refuses_a_config_without_buffer_or_with_a_bad_id(void **state)
{
    fixture_t *fx = *state;
    fl_transport_t t;
    fl_transport_config_t cfg = {.device_id = "dev-1", .slots = fx->slots, .capacity = 0};
    assert_false(fl_transport_init(&t, &cfg, &fx->fake->pf));
    cfg.capacity = 4;
    cfg.device_id = "bad/id";
    assert_false(fl_transport_init(&t, &cfg, &fx->fake->pf));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(publishes_over_mqtt_when_connected),
        T(counts_a_reading_delivered_only_on_puback),
        T(posts_over_http_while_mqtt_is_down),
        T(never_logs_the_api_key),
        T(strips_trailing_slashes_from_the_api_url),
        T(counts_200_duplicate_as_delivered),
        T(resends_unacked_publishes_over_http_on_disconnect),
        T(falls_back_when_a_publish_is_refused_then_retries_mqtt),
        T(buffers_while_mqtt_and_http_are_down),
        T(flushes_the_buffer_over_mqtt_exactly_once_in_order),
        T(flushes_the_buffer_over_http_after_the_backoff),
        T(doubles_the_http_backoff_up_to_a_cap),
        T(drops_the_oldest_when_the_buffer_is_full_and_counts_it),
        T(counts_a_dropped_inflight_reading_once),
        T(drops_readings_the_api_refuses_and_goes_on),
        T(keeps_readings_on_transient_http_errors),
        T(republishes_when_a_puback_never_arrives),
        T(limits_publishes_awaiting_puback),
        T(limits_posts_per_poll),
        T(buffers_at_once_without_an_api_url),
        T(stays_quiet_before_the_first_reading),
        T(refuses_a_config_without_buffer_or_with_a_bad_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
