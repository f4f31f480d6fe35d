#include "fl_ring.h"

void fl_ring_init(fl_ring_t *ring, fl_slot_t *slots, size_t capacity)
{
    ring->slots = slots;
    ring->capacity = capacity;
    ring->head = 0;
    ring->count = 0;
}

bool fl_ring_push(fl_ring_t *ring, const fl_reading_t *reading, fl_slot_t *evicted)
{
    bool full = ring->count == ring->capacity;
    if (full) {
        *evicted = ring->slots[ring->head];
        fl_ring_pop_front(ring);
    }
    fl_slot_t *slot = &ring->slots[(ring->head + ring->count) % ring->capacity];
    slot->reading = *reading;
    slot->state = FL_SLOT_PENDING;
    slot->mid = -1;
    slot->sent_at_ms = 0;
    ring->count++;
    return full;
}

fl_slot_t *fl_ring_at(fl_ring_t *ring, size_t i)
{
    if (i >= ring->count) {
        return NULL;
    }
    return &ring->slots[(ring->head + i) % ring->capacity];
}

void fl_ring_pop_front(fl_ring_t *ring)
{
    if (ring->count == 0) {
        return;
    }
    ring->head = (ring->head + 1) % ring->capacity;
    ring->count--;
}

size_t fl_ring_count(const fl_ring_t *ring)
{
    return ring->count;
}
