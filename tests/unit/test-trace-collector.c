/*
 * test-trace-collector.c - the collector merges rings into one sorted trace:
 * every event exactly once, drops counted exactly, late events inserted in
 * place with a generation bump, out-of-order rings repaired.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"

enum { PRODUCERS = 4 };

typedef struct producer {
    sl_ring *ring;
    uint64_t epoch;
    uint32_t id;
    uint64_t n;
    bool use_hooks;   /* sl_hook_emit (no drop report) or sl_ring_push */
    uint64_t refused; /* pushes refused because the ring was full */
    atomic_bool *go;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    while (!atomic_load(p->go))
        ;
    if (p->use_hooks) {
        sl_hook_bind(p->ring, p->id, p->epoch);
        for (uint64_t i = 0; i < p->n; i++)
            sl_hook_emit(SL_EV_STEP, p->id, 0, i);
        sl_hook_unbind();
        return NULL;
    }
    for (uint64_t i = 0; i < p->n; i++) {
        uint64_t now = sl_clock_ns();
        sl_event e = {.t_ns = now - p->epoch, .arg = i, .vehicle = p->id, .kind = SL_EV_STEP};
        p->refused += !sl_ring_push(p->ring, &e);
    }
    return NULL;
}

static sl_trace *new_trace(void)
{
    sl_trace_meta meta = {.n_tasks = PRODUCERS};
    snprintf(meta.strategy, sizeof(meta.strategy), "threads");
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    return t;
}

static void assert_sorted(const sl_trace *t)
{
    for (size_t i = 1; i < t->count; i++)
        assert_true(t->events[i - 1].t_ns <= t->events[i].t_ns);
}

/* Runs PRODUCERS threads into their own rings with the collector live. */
static void run_producers(uint32_t capacity, uint64_t per_producer, bool use_hooks, sl_trace **out,
                          producer *ps)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, PRODUCERS, capacity, sl_clock_ns(), 0), 0);
    sl_trace *t = new_trace();
    sl_collector *c;
    assert_int_equal(sl_collector_start(&c, r, t, 1000), 0);
    atomic_bool go = false;
    pthread_t th[PRODUCERS];
    for (uint32_t i = 0; i < PRODUCERS; i++) {
        ps[i] = (producer){.ring = sl_rings_claim(r),
                           .epoch = sl_rings_epoch(r),
                           .id = i,
                           .n = per_producer,
                           .use_hooks = use_hooks,
                           .go = &go};
        assert_int_equal(pthread_create(&th[i], NULL, produce, &ps[i]), 0);
    }
    atomic_store(&go, true);
    for (uint32_t i = 0; i < PRODUCERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(sl_collector_stop(c), 0);
    assert_true(t->finished);
    sl_rings_destroy(r);
    *out = t;
}

static void test_every_event_once(void **state)
{
    enum { N = 200000 };
    producer ps[PRODUCERS];
    sl_trace *t;
    run_producers(1u << 20, N, true, &t, ps);
    assert_int_equal(t->dropped, 0);
    assert_int_equal(t->count, (size_t)N * PRODUCERS);
    assert_sorted(t);
    uint8_t *seen = calloc((size_t)N * PRODUCERS, 1);
    uint64_t next[PRODUCERS] = {0};
    for (size_t i = 0; i < t->count; i++) {
        const sl_event *e = &t->events[i];
        assert_true(e->vehicle < PRODUCERS && e->arg < N);
        assert_int_equal(seen[e->vehicle * (size_t)N + e->arg], 0);
        seen[e->vehicle * (size_t)N + e->arg] = 1;
        /* One producer's events keep their order in the merge. */
        assert_int_equal(e->arg, next[e->vehicle]++);
    }
    free(seen);
    sl_trace_free(t);
}

static void test_tiny_rings_count_drops_exactly(void **state)
{
    enum { N = 100000 };
    producer ps[PRODUCERS];
    sl_trace *t;
    run_producers(64, N, false, &t, ps);
    uint64_t refused = 0;
    for (int i = 0; i < PRODUCERS; i++)
        refused += ps[i].refused;
    assert_int_equal(t->dropped, refused);
    assert_int_equal(t->count + t->dropped, (uint64_t)N * PRODUCERS);
    assert_sorted(t);
    int64_t last[PRODUCERS] = {-1, -1, -1, -1};
    for (size_t i = 0; i < t->count; i++) {
        const sl_event *e = &t->events[i];
        assert_true((int64_t)e->arg > last[e->vehicle]); /* a subsequence, in order */
        last[e->vehicle] = (int64_t)e->arg;
    }
    sl_trace_free(t);
}

static void push_at(sl_ring *ring, uint64_t t_ns, uint64_t arg)
{
    sl_event e = {.t_ns = t_ns, .arg = arg, .kind = SL_EV_MARK};
    assert_true(sl_ring_push(ring, &e));
}

static void test_late_event_inserted(void **state)
{
    sl_rings *r;
    /* Epoch 0: the clock is far past these times, so the horizon never holds them. */
    assert_int_equal(sl_rings_create(&r, 2, 64, 0, 0), 0);
    sl_trace *t = new_trace();
    sl_collector *c;
    assert_int_equal(sl_collector_start(&c, r, t, 1000), 0);
    for (uint64_t i = 1; i <= 10; i++)
        push_at(sl_rings_at(r, 0), i * 100, i);
    sl_collector_drain(c);
    {
        sl_trace_view held;
        sl_trace_read(t, &held);
        assert_int_equal(held.count, 10);
        assert_int_equal(held.generation, 0);
        assert_int_equal(held.late, 0);
        sl_trace_read_end(&held);
    }

    push_at(sl_rings_at(r, 1), 450, 99);  /* between 400 and 500 */
    push_at(sl_rings_at(r, 1), 1000, 98); /* equal to the last one: not late */
    push_at(sl_rings_at(r, 0), 1100, 11);
    assert_int_equal(sl_collector_drain(c), 3);
    {
        sl_trace_view held;
        sl_trace_read(t, &held);
        assert_int_equal(held.count, 13);
        assert_int_equal(held.late, 1);
        assert_int_equal(held.generation, 1);
        assert_int_equal(held.events[4].arg, 99);
        assert_int_equal(held.events[4].t_ns, 450);
        assert_int_equal(held.events[10].arg, 10); /* published first at t=1000 ... */
        assert_int_equal(held.events[11].arg, 98); /* ... so it stays before the newcomer */
        assert_int_equal(held.events[12].arg, 11);
        sl_trace_read_end(&held);
    }
    assert_sorted(t);

    assert_int_equal(sl_collector_stop(c), 0);
    assert_int_equal(t->count, 13);
    sl_trace_free(t);
    sl_rings_destroy(r);
}

static void test_unsorted_ring_and_ties(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 3, 64, 0, 0), 0);
    sl_trace *t = new_trace();
    sl_collector *c;
    assert_int_equal(sl_collector_start(&c, r, t, 1000), 0);
    /* Ring 0 stamped out of order by its producer; rings 1 and 2 tie at 20,
     * ring 2 reaching it inside a stretch that starts at 15. */
    uint64_t times[] = {50, 10, 40, 10, 30};
    for (int i = 0; i < 5; i++)
        push_at(sl_rings_at(r, 0), times[i], (uint64_t)i);
    push_at(sl_rings_at(r, 2), 15, 150);
    push_at(sl_rings_at(r, 2), 20, 200);
    push_at(sl_rings_at(r, 1), 20, 100);
    assert_int_equal(sl_collector_stop(c), 0);
    assert_int_equal(t->count, 8);
    assert_sorted(t);
    uint64_t want[] = {1, 3, 150, 100, 200, 4, 2, 0}; /* stable within a ring, ring order on ties */
    for (int i = 0; i < 8; i++)
        assert_int_equal(t->events[i].arg, want[i]);
    sl_trace_free(t);
    sl_rings_destroy(r);
}

static void test_horizon_holds_recent_events(void **state)
{
    sl_rings *r;
    uint64_t epoch = sl_clock_ns();
    assert_int_equal(sl_rings_create(&r, 1, 64, epoch, 0), 0);
    sl_trace *t = new_trace();
    sl_collector *c;
    assert_int_equal(sl_collector_start(&c, r, t, 200), 0);
    /* Far in the future: younger than the horizon until the stop publishes all. */
    push_at(sl_rings_at(r, 0), UINT64_C(1) << 50, 1);
    for (int i = 0; i < 5; i++) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
        {
            sl_trace_view held;
            sl_trace_read(t, &held);
            assert_int_equal(held.count, 0);
            sl_trace_read_end(&held);
        }
    }
    assert_int_equal(sl_collector_stop(c), 0);
    assert_int_equal(t->count, 1);
    sl_trace_free(t);
    sl_rings_destroy(r);
}

static void push_interleaved(sl_rings *r, uint32_t rings, uint64_t per, uint64_t t0)
{
    /* Ring i holds times t0+i, t0+i+rings, ...: threads sharing a clock, the
     * merge's worst case (no stretch is ever longer than one event). */
    for (uint64_t k = 0; k < per; k++)
        for (uint32_t i = 0; i < rings; i++)
            push_at(sl_rings_at(r, i), t0 + k * rings + i, k);
}

static void test_drain_throughput(void **state)
{
    enum { RINGS = 4, PER = 1 << 18 };
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, RINGS, PER, 0, 0), 0);
    sl_trace *t = new_trace();
    /* A 10 s period: the thread never drains before this test does. */
    sl_collector *c;
    assert_int_equal(sl_collector_start(&c, r, t, 10000000), 0);
    /* The first round pays the page faults of the staging buffers. */
    push_interleaved(r, RINGS, PER, 0);
    uint64_t t0 = sl_clock_ns();
    assert_int_equal(sl_collector_drain(c), (size_t)RINGS * PER);
    uint64_t cold = sl_clock_ns() - t0;
    push_interleaved(r, RINGS, PER, RINGS * PER);
    t0 = sl_clock_ns();
    assert_int_equal(sl_collector_drain(c), (size_t)RINGS * PER);
    uint64_t warm = sl_clock_ns() - t0;
    print_message("collector: %.1f M events/s drained, merged and published "
                  "(%.1f M/s on first touch)\n",
                  (double)RINGS * PER * 1e3 / (double)warm,
                  (double)RINGS * PER * 1e3 / (double)cold);
    assert_int_equal(t->count, (size_t)2 * RINGS * PER);
    for (size_t i = 0; i < t->count; i++)
        assert_int_equal(t->events[i].t_ns, i);
    assert_int_equal(t->late, 0);
    assert_int_equal(sl_collector_stop(c), 0);
    sl_trace_free(t);
    sl_rings_destroy(r);
}

/* Backlogs bigger than one round's chunk, in 1, 3 (merge tree) and 12 (heap)
 * rings, with many equal times across rings: the merge is exactly the order
 * (time, ring, position in ring), with ten producer threads pushing at once
 * into ten further rings that the live collector drains meanwhile. */
static void test_chunked_merge_exact_order(void **state)
{
    const uint32_t counts[] = {1, 3, 12};
    enum { PER_RING = 50000, LIVE = 10 };
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        uint32_t n = counts[c];
        sl_rings *r;
        assert_int_equal(sl_rings_create(&r, n + LIVE, 1u << 17, sl_clock_ns(), 0), 0);
        srand(7 + (unsigned)c);
        for (uint32_t k = 0; k < n; k++) {
            sl_ring *ring = sl_rings_claim(r);
            uint64_t t = 1;
            for (uint32_t i = 0; i < PER_RING; i++) {
                t += (uint64_t)(rand() % 3); /* steps of 0 make ties within and across rings */
                sl_event e = {.t_ns = t, .arg = i, .vehicle = k, .kind = SL_EV_STEP};
                assert_true(sl_ring_push(ring, &e));
            }
        }
        sl_trace *t = new_trace();
        sl_collector *col;
        assert_int_equal(sl_collector_start(&col, r, t, 1000), 0);
        atomic_bool go = false;
        producer ps[LIVE];
        pthread_t th[LIVE];
        for (uint32_t i = 0; i < LIVE; i++) {
            ps[i] = (producer){.ring = sl_rings_claim(r),
                               .epoch = sl_rings_epoch(r) + (1ull << 40),
                               .id = n + i,
                               .n = 20000,
                               .use_hooks = true,
                               .go = &go};
            assert_int_equal(pthread_create(&th[i], NULL, produce, &ps[i]), 0);
        }
        atomic_store(&go, true);
        for (uint32_t i = 0; i < LIVE; i++)
            pthread_join(th[i], NULL);
        assert_int_equal(sl_collector_stop(col), 0);
        assert_int_equal(t->dropped, 0);
        assert_int_equal(t->count, (size_t)n * PER_RING + LIVE * 20000u);
        /* The live producers' epoch is far in the future: their events are
         * stamped 0 and sort first, each ring's in its order (across rings,
         * a tie with an event published earlier keeps arrival order). */
        size_t at = 0;
        uint32_t next[LIVE] = {0};
        for (; at < (size_t)LIVE * 20000u; at++) {
            const sl_event *e = &t->events[at];
            assert_int_equal(e->t_ns, 0);
            assert_true(e->vehicle >= n && e->vehicle < n + LIVE);
            assert_int_equal(e->arg, next[e->vehicle - n]++);
        }
        for (size_t i = at + 1; i < t->count; i++) {
            const sl_event *a = &t->events[i - 1], *b = &t->events[i];
            assert_true(a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->vehicle < b->vehicle) ||
                        (a->t_ns == b->t_ns && a->vehicle == b->vehicle && a->arg < b->arg));
        }
        sl_trace_free(t);
        sl_rings_destroy(r);
    }
}

static void test_trace_append_and_names(void **state)
{
    const char *names[] = {"download", NULL, "parse"};
    sl_trace_meta meta = {.n_tasks = 3};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    assert_string_equal(sl_trace_task_name(t, 0), "download");
    assert_string_equal(sl_trace_task_name(t, 1), "task-1");
    assert_string_equal(sl_trace_task_name(t, 2), "parse");
    assert_string_equal(sl_trace_task_name(t, 7), "task-7");
    assert_int_equal(sl_trace_end_ns(t), 0);
    sl_event ev[3] = {{.t_ns = 5}, {.t_ns = 5}, {.t_ns = 9}};
    assert_int_equal(sl_trace_append(t, ev, 3), 0);
    assert_int_equal(sl_trace_end_ns(t), 9);
    sl_event back = {.t_ns = 8};
    assert_int_equal(sl_trace_append(t, &back, 1), SL_EINVAL);
    assert_int_equal(t->count, 3);
    sl_event many[10000];
    for (int i = 0; i < 10000; i++)
        many[i] = (sl_event){.t_ns = 10 + (uint64_t)i};
    assert_int_equal(sl_trace_append(t, many, 10000), 0);
    assert_int_equal(t->count, 10003);
    assert_int_equal(sl_trace_end_ns(t), 10009);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_once),
        cmocka_unit_test(test_tiny_rings_count_drops_exactly),
        cmocka_unit_test(test_late_event_inserted),
        cmocka_unit_test(test_unsorted_ring_and_ties),
        cmocka_unit_test(test_horizon_holds_recent_events),
        cmocka_unit_test(test_drain_throughput),
        cmocka_unit_test(test_chunked_merge_exact_order),
        cmocka_unit_test(test_trace_append_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
