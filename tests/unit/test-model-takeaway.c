/*
 * test-model-takeaway.c - the end-of-run line from statistics, and the
 * shared objects folded from OBJECT events: each rule of the takeaway on
 * numbers that call for it (overlapped waits, waits one after another,
 * cores at once, the GIL, a held event loop, lost updates, failures), and
 * the counters' lost updates counted by sl_stats_compute.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/model.h"

static sl_trace_meta meta(const char *strategy)
{
    sl_trace_meta m = {.n_tasks = 20, .cores = 2};
    snprintf(m.strategy, sizeof m.strategy, "%s", strategy);
    return m;
}

static const char *line(const sl_stats *st, const char *strategy)
{
    static char buf[320];
    sl_trace_meta m = meta(strategy);
    sl_takeaway(st, &m, buf, sizeof buf);
    return buf;
}

static void test_io_bound(void **state)
{
    /* 20 waits of 300 ms and 1 ms of work each, done in 0.5 s. */
    sl_stats st = {.tasks = 20,
                   .completed = 20,
                   .wall_ns = 500000000,
                   .run_ns = 20000000,
                   .io_ns = 6000000000ull,
                   .io_waits = 20};
    assert_string_equal(line(&st, "threads"),
                        "threads overlapped 20 waits: 12.0x faster than one after another "
                        "(6.02s of work and waits in 500ms)");
    st.wall_ns = 6020000000ull;
    assert_string_equal(line(&st, "sequential"),
                        "sequential waited 20 times one after another: 6.02s of work and waits "
                        "took 6.02s");
}

static void test_cpu_bound(void **state)
{
    sl_stats st = {.tasks = 4,
                   .completed = 4,
                   .wall_ns = 1000000000,
                   .run_ns = 1900000000,
                   .mean_cores = 1.9,
                   .max_cores = 2};
    assert_string_equal(
        line(&st, "processes"),
        "processes computed on 2 cores at once: 1.9x faster than one after another");
    st.run_ns = 1000000000;
    st.mean_cores = 1.0;
    st.max_cores = 1;
    assert_string_equal(
        line(&st, "coroutines"),
        "coroutines computed on one core at a time: 1.0x against one after another");
    st.switches_gil = 57;
    st.gil_wait_ns = 2230000000ull;
    assert_string_equal(line(&st, "gil"),
                        "gil computed one thread at a time: 2.23s queued for the GIL, 57 "
                        "hand-offs, 1.0x against one after another");
}

static void test_loop_lost_failed(void **state)
{
    sl_stats st = {.tasks = 11,
                   .completed = 11,
                   .wall_ns = 1300000000,
                   .run_ns = 400000000,
                   .io_ns = 10000000000ull,
                   .io_waits = 200,
                   .switches_coroutine = 220,
                   .ready_ms_max = 316,
                   .ready_ms_mean = 18.2};
    assert_string_equal(line(&st, "coroutines"),
                        "under coroutines a cpu step held the event loop: a ready task waited up "
                        "to 316 ms (mean 18.2 ms)");
    sl_stats race = {.tasks = 8,
                     .completed = 8,
                     .increments = 2400,
                     .racy_increments = 1200,
                     .lost_updates = 831};
    assert_true(strstr(line(&race, "threads"), "threads lost 831 of 1200 increments") != NULL);
    race.lost_updates = 0;
    assert_true(strstr(line(&race, "coroutines"), "lost none of 2400 increments") != NULL);
    sl_stats failed = {.tasks = 6, .failed = 6};
    assert_true(strstr(line(&failed, "sequential"), "all 6 tasks failed") != NULL);
}

static void test_objects_fold_and_stats(void **state)
{
    sl_trace_meta m = meta("threads");
    m.n_tasks = 2;
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &m, NULL), 0);
    uint32_t a = SL_OBJECT_REF(SL_OBJ_COUNTER, 0), b = SL_OBJECT_REF(SL_OBJ_COUNTER, 1);
    uint32_t q = SL_OBJECT_REF(SL_OBJ_QUEUE, 2);
    sl_event ev[] = {
        {.t_ns = 10, .kind = SL_EV_SPAWN, .task = 0},
        {.t_ns = 11, .kind = SL_EV_RUN, .task = 0},
        {.t_ns = 20,
         .kind = SL_EV_OBJECT,
         .task = 0,
         .reason = a,
         .arg = SL_OBJECT_COUNTER_ARG(1, 1)},
        {.t_ns = 30,
         .kind = SL_EV_OBJECT,
         .task = 1,
         .reason = a,
         .arg = SL_OBJECT_COUNTER_ARG(1, 2)},
        {.t_ns = 31,
         .kind = SL_EV_OBJECT,
         .task = 1,
         .reason = b,
         .arg = SL_OBJECT_COUNTER_ARG(4, 4)},
        {.t_ns = 40,
         .kind = SL_EV_OBJECT,
         .task = 0,
         .reason = q,
         .arg = SL_OBJECT_QUEUE_ARG(2, 3, 0, 5)},
        {.t_ns = 50, .kind = SL_EV_EXIT, .task = 0},
    };
    assert_int_equal(sl_trace_append(tr, ev, sizeof ev / sizeof ev[0]), 0);
    sl_model mo;
    assert_int_equal(sl_model_init(&mo, 2, 2), 0);
    sl_model_seek(&mo, tr, 35);
    assert_int_equal(mo.n_objects, 2);
    assert_int_equal(mo.objects[0].ref, a);
    assert_int_equal(mo.objects[0].last_task, 1);
    assert_int_equal(mo.objects[0].changes, 2);
    assert_int_equal(SL_OBJECT_FIELD(mo.objects[0].arg, 1, 32), 2);
    sl_model_seek(&mo, tr, 60);
    assert_int_equal(mo.n_objects, 3);
    assert_int_equal(SL_OBJECT_KIND(mo.objects[2].ref), SL_OBJ_QUEUE);
    assert_int_equal(SL_OBJECT_INDEX(mo.objects[2].ref), 2);
    assert_int_equal(SL_OBJECT_FIELD(mo.objects[2].arg, 0, 16), 2);
    assert_int_equal(SL_OBJECT_FIELD(mo.objects[2].arg, 1, 16), 3);
    assert_int_equal(SL_OBJECT_FIELD(mo.objects[2].arg, 3, 16), 5);
    /* Seeking back forgets what came later. */
    sl_model_seek(&mo, tr, 25);
    assert_int_equal(mo.n_objects, 1);
    sl_model_free(&mo);
    sl_stats st;
    assert_int_equal(sl_stats_compute(tr, &st), 0);
    assert_int_equal(st.increments, 6);
    assert_int_equal(st.lost_updates, 1);
    assert_int_equal(st.racy_increments, 2);
    sl_trace_free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_bound),
        cmocka_unit_test(test_cpu_bound),
        cmocka_unit_test(test_loop_lost_failed),
        cmocka_unit_test(test_objects_fold_and_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
