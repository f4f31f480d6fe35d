#include "test_helpers.h"

#include "fl_ring.h"

static fl_reading_t reading(int64_t msg_id)
{
    fl_reading_t r = {.msg_id = msg_id, .ts_ms = 0, .count = 0};
    return r;
}

static void keeps_readings_oldest_first(void **state)
{
    (void)state;
    fl_slot_t slots[4];
    fl_ring_t ring;
    fl_slot_t evicted;
    fl_ring_init(&ring, slots, 4);
    for (int64_t id = 1; id <= 3; id++) {
        assert_false(fl_ring_push(&ring, &(fl_reading_t){.msg_id = id}, &evicted));
    }
    assert_int_equal(fl_ring_count(&ring), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(fl_ring_at(&ring, i)->reading.msg_id, (int64_t)i + 1);
        assert_int_equal(fl_ring_at(&ring, i)->state, FL_SLOT_PENDING);
    }
    assert_null(fl_ring_at(&ring, 3));
}

static void evicts_the_oldest_when_full(void **state)
{
    (void)state;
    fl_slot_t slots[3];
    fl_ring_t ring;
    fl_slot_t evicted;
    fl_ring_init(&ring, slots, 3);
    for (int64_t id = 1; id <= 3; id++) {
        fl_reading_t r = reading(id);
        fl_ring_push(&ring, &r, &evicted);
    }
    fl_reading_t fourth = reading(4);
    assert_true(fl_ring_push(&ring, &fourth, &evicted));
    assert_int_equal(evicted.reading.msg_id, 1);
    assert_int_equal(fl_ring_count(&ring), 3);
    assert_int_equal(fl_ring_at(&ring, 0)->reading.msg_id, 2);
    assert_int_equal(fl_ring_at(&ring, 2)->reading.msg_id, 4);
}

static void wraps_around_after_pops(void **state)
{
    (void)state;
    fl_slot_t slots[2];
    fl_ring_t ring;
    fl_slot_t evicted;
    fl_ring_init(&ring, slots, 2);
    for (int64_t id = 1; id <= 5; id++) {
        fl_reading_t r = reading(id);
        assert_false(fl_ring_push(&ring, &r, &evicted));
        assert_int_equal(fl_ring_at(&ring, 0)->reading.msg_id, id);
        fl_ring_pop_front(&ring);
        assert_int_equal(fl_ring_count(&ring), 0);
    }
}

static void pop_on_empty_is_harmless(void **state)
{
    (void)state;
    fl_slot_t slots[2];
    fl_ring_t ring;
    fl_ring_init(&ring, slots, 2);
    fl_ring_pop_front(&ring);
    assert_int_equal(fl_ring_count(&ring), 0);
    assert_null(fl_ring_at(&ring, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_readings_oldest_first),
        cmocka_unit_test(evicts_the_oldest_when_full),
        cmocka_unit_test(wraps_around_after_pops),
        cmocka_unit_test(pop_on_empty_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
