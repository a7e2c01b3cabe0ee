/*
 * test-strategy-gil.c - the GIL itself: uncontended use, the forced switch
 * after one interval (drop request, FORCE_SWITCHING) and the hooks it emits.
 *
 * Two threads stand in for two Python threads; each writes its own ring,
 * which the test reads back directly. Times are checked only loosely: the
 * waiter must not get the lock before the holder was asked, nor much later.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "schedlab/trace.h"
#include "schedlab/blocking.h"

#define INTERVAL_NS 2000000ull

typedef struct rig {
    sl_rings *rings;
    sl_gil gil;
    uint64_t epoch;
} rig;

static void rig_open(rig *r)
{
    r->epoch = sl_clock_ns();
    assert_int_equal(sl_rings_create(&r->rings, 3, 4096, r->epoch, 0), 0);
    assert_int_equal(sl_gil_init(&r->gil, INTERVAL_NS), 0);
}

static void rig_close(rig *r)
{
    sl_gil_destroy(&r->gil);
    sl_rings_destroy(r->rings);
}

/* The events one ring holds, in order. */
static size_t drain(rig *r, uint32_t ring, sl_event *ev, size_t max)
{
    return sl_ring_pop(sl_rings_at(r->rings, ring), ev, max);
}

static void uncontended_take_and_drop(void **state)
{
    rig r;
    rig_open(&r);
    sl_hook_bind(sl_rings_at(r.rings, 0), 1, r.epoch);
    for (int i = 0; i < 3; i++) {
        sl_gil_take(&r.gil, 7);
        assert_false(sl_gil_drop_requested(&r.gil));
        sl_gil_drop(&r.gil, 7, SL_GIL_DROP_DONE);
    }
    sl_hook_unbind();
    assert_int_equal(sl_gil_handoffs(&r.gil), 0);

    /* Each turn: READY(GIL), GIL_TAKE, GIL_DROP(done), READY(cpu): after a
     * drop the thread runs no Python code until it blocks or exits. */
    sl_event ev[16];
    assert_int_equal(drain(&r, 0, ev, 16), 12);
    for (int i = 0; i < 12; i += 4) {
        assert_int_equal(ev[i].kind, SL_EV_READY);
        assert_int_equal(ev[i].reason, SL_READY_GIL);
        assert_int_equal(ev[i + 1].kind, SL_EV_GIL_TAKE);
        assert_true(ev[i + 1].arg < INTERVAL_NS);
        assert_int_equal(ev[i + 2].kind, SL_EV_GIL_DROP);
        assert_int_equal(ev[i + 2].reason, SL_GIL_DROP_DONE);
        assert_int_equal(ev[i + 2].task, 7);
        assert_int_equal(ev[i + 3].kind, SL_EV_READY);
        assert_int_equal(ev[i + 3].reason, SL_READY_CPU);
    }
    rig_close(&r);
}

typedef struct holder_arg {
    rig *r;
    atomic_bool holding;
    uint64_t asked_after_ns; /* from taking the GIL to seeing the request */
    uint64_t switches_after; /* switch_number once it had the GIL back */
} holder_arg;

/* Task 0: takes the GIL and "computes" until a waiter asks for it, then
 * yields it and takes it back. */
static void *holder(void *p)
{
    holder_arg *a = p;
    sl_hook_bind(sl_rings_at(a->r->rings, 1), 100, a->r->epoch);
    sl_gil_take(&a->r->gil, 0);
    uint64_t t0 = sl_clock_ns();
    atomic_store(&a->holding, true);
    while (!sl_gil_drop_requested(&a->r->gil))
        if (sl_clock_ns() - t0 > 5000000000ull)
            break;
    a->asked_after_ns = sl_clock_ns() - t0;
    sl_gil_yield(&a->r->gil, 0);
    pthread_mutex_lock(&a->r->gil.mu);
    a->switches_after = a->r->gil.switch_number;
    pthread_mutex_unlock(&a->r->gil.mu);
    sl_gil_drop(&a->r->gil, 0, SL_GIL_DROP_DONE);
    sl_hook_unbind();
    return NULL;
}

static void forced_switch_after_one_interval(void **state)
{
    rig r;
    rig_open(&r);
    holder_arg a = {.r = &r};
    atomic_init(&a.holding, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, holder, &a), 0);
    while (!atomic_load(&a.holding))
        ;
    sl_hook_bind(sl_rings_at(r.rings, 2), 200, r.epoch);
    sl_gil_take(&r.gil, 1);
    sl_gil_drop(&r.gil, 1, SL_GIL_DROP_DONE);
    sl_hook_unbind();
    pthread_join(t, NULL);

    print_message("holder asked after %.2f ms (interval %.2f ms)\n", a.asked_after_ns / 1e6,
                  INTERVAL_NS / 1e6);
    assert_true(a.asked_after_ns >= INTERVAL_NS / 2);
    assert_true(a.asked_after_ns < 1000000000ull);
    /* Taken by task 0, by task 1, back by task 0: two hand-offs. */
    assert_int_equal(a.switches_after, 3);
    assert_int_equal(sl_gil_handoffs(&r.gil), 2);

    sl_event h[8], w[8];
    assert_int_equal(drain(&r, 1, h, 8), 7);
    assert_int_equal(drain(&r, 2, w, 8), 4);
    const int kinds[] = {SL_EV_READY,    SL_EV_GIL_TAKE, SL_EV_GIL_DROP, SL_EV_READY,
                         SL_EV_GIL_TAKE, SL_EV_GIL_DROP, SL_EV_READY};
    for (int i = 0; i < 7; i++)
        assert_int_equal(h[i].kind, kinds[i]);
    assert_int_equal(h[2].reason, SL_GIL_DROP_INTERVAL);
    assert_int_equal(h[3].reason, SL_READY_GIL);
    assert_true(h[2].arg >= INTERVAL_NS / 2);
    assert_int_equal(w[0].kind, SL_EV_READY);
    assert_int_equal(w[1].kind, SL_EV_GIL_TAKE);
    assert_int_equal(w[1].task, 1);
    assert_true(w[1].arg >= INTERVAL_NS / 2);
    /* FORCE_SWITCHING: task 1 had it between task 0's drop and its retake. */
    assert_true(w[0].t_ns < h[2].t_ns);
    assert_true(h[2].t_ns <= w[1].t_ns);
    assert_true(w[2].t_ns <= h[4].t_ns);
    rig_close(&r);
}

#define TURNS 6

typedef struct turn_arg {
    rig *r;
    uint32_t task;
    atomic_int *yields; /* forced switches of both threads so far */
    int mine;           /* forced switches of this thread */
} turn_arg;

/* A cpu-bound thread that honours the drop request every 50 µs, until the
 * two threads were made to switch TURNS times (or 10 s passed: a failure). */
static void *cpu_bound(void *p)
{
    turn_arg *a = p;
    sl_gil_take(&a->r->gil, a->task);
    uint64_t start = sl_clock_ns();
    while (atomic_load(a->yields) < TURNS && sl_clock_ns() - start < 10000000000ull) {
        uint64_t t0 = sl_clock_ns();
        while (sl_clock_ns() - t0 < 50000)
            ;
        if (sl_gil_drop_requested(&a->r->gil)) {
            atomic_fetch_add(a->yields, 1);
            a->mine++;
            sl_gil_yield(&a->r->gil, a->task);
        }
    }
    sl_gil_drop(&a->r->gil, a->task, SL_GIL_DROP_DONE);
    return NULL;
}

static void cpu_bound_threads_take_turns(void **state)
{
    rig r;
    rig_open(&r);
    atomic_int yields = 0;
    turn_arg a[2] = {{.r = &r, .task = 0, .yields = &yields},
                     {.r = &r, .task = 1, .yields = &yields}};
    pthread_t t[2];
    uint64_t t0 = sl_clock_ns();
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, cpu_bound, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    uint64_t handoffs = sl_gil_handoffs(&r.gil);
    print_message("%d forced switches (%d + %d) in %.1f ms, %llu hand-offs\n", atomic_load(&yields),
                  a[0].mine, a[1].mine, (sl_clock_ns() - t0) / 1e6, (unsigned long long)handoffs);
    assert_true(atomic_load(&yields) >= TURNS);
    /* Both were made to let go, and every forced switch handed the GIL over. */
    assert_true(a[0].mine >= 1 && a[1].mine >= 1);
    assert_true(handoffs >= TURNS);
    assert_false(r.gil.locked);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uncontended_take_and_drop),
        cmocka_unit_test(forced_switch_after_one_interval),
        cmocka_unit_test(cpu_bound_threads_take_turns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
