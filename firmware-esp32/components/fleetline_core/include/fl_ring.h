/*
 * Bounded FIFO of readings that are not yet delivered. Storage comes from the
 * caller (a static array on the ESP32) so the core never allocates it.
 */
#ifndef FL_RING_H
#define FL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_reading.h"

typedef enum {
    FL_SLOT_PENDING,  /* waiting for a path */
    FL_SLOT_INFLIGHT, /* published over MQTT, PUBACK not seen yet */
    FL_SLOT_DONE      /* delivered or given up; removed once it reaches the front */
} fl_slot_state_t;

typedef struct {
    fl_reading_t reading;
    fl_slot_state_t state;
    int mid;
    int64_t sent_at_ms;
} fl_slot_t;

typedef struct {
    fl_slot_t *slots;
    size_t capacity;
    size_t head;
    size_t count;
} fl_ring_t;

void fl_ring_init(fl_ring_t *ring, fl_slot_t *slots, size_t capacity);

/*
 * Appends a pending slot. When full, the oldest slot is evicted first and
 * copied to *evicted; returns true in that case.
 */
bool fl_ring_push(fl_ring_t *ring, const fl_reading_t *reading, fl_slot_t *evicted);

/* The i-th oldest slot, or NULL past the end. */
fl_slot_t *fl_ring_at(fl_ring_t *ring, size_t i);

void fl_ring_pop_front(fl_ring_t *ring);

size_t fl_ring_count(const fl_ring_t *ring);

#endif
