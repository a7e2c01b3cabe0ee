/*
 * ring-layout.h - a ring's control block, for the trace module's hot paths.
 *
 * ring.c owns the region; the hook inlines the push below so that a hook is
 * one function call, not two. A ring's block reaches its slots and the run's
 * counter clock by offsets relative to itself, because every process maps
 * the region at a different address.
 */
#ifndef SL_TRACE_RING_LAYOUT_H
#define SL_TRACE_RING_LAYOUT_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedlab/trace.h"
#include "trace/counter-clock.h"

struct sl_ring {
    /* written once at creation, read by both sides */
    alignas(64) uint64_t mask;
    int64_t slots_rel; /* slots address minus this block's address */
    int64_t clock_rel; /* the region's sl__cclock minus this block's address */
    /* producer's line */
    alignas(64) atomic_ullong head; /* next slot to write (monotonic count) */
    uint64_t cached_tail;           /* producer's last view of tail */
    atomic_ullong dropped;
    /* consumer's line */
    alignas(64) atomic_ullong tail; /* next slot to read (monotonic count) */
    uint64_t cached_head;           /* consumer's last view of head */
};

_Static_assert(sizeof(struct sl_ring) == 192, "a ring control block is three cache lines");

static inline sl_event *sl__ring_slots(sl_ring *ring)
{
    return (sl_event *)((char *)ring + ring->slots_rel);
}

static inline sl__cclock *sl__ring_clock(sl_ring *ring)
{
    return (sl__cclock *)((char *)ring + ring->clock_rel);
}

/* The region's clock (for the collector, its one writer). */
sl__cclock *sl__rings_clock(sl_rings *r);

/* See sl_ring_push. */
static inline bool sl__ring_push(sl_ring *ring, const sl_event *ev)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    if (__builtin_expect(head - ring->cached_tail > ring->mask, 0)) {
        /* Looks full from the cached tail: only now pay for the shared line. */
        ring->cached_tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
        if (head - ring->cached_tail > ring->mask) {
            uint64_t d = atomic_load_explicit(&ring->dropped, memory_order_relaxed);
            atomic_store_explicit(&ring->dropped, d + 1, memory_order_relaxed);
            return false;
        }
    }
    sl__ring_slots(ring)[head & ring->mask] = *ev;
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}

#endif
