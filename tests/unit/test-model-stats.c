/*
 * test-model-stats.c - a run's numbers from a synthetic two-core trace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "schedlab/error.h"
#include "schedlab/model.h"

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static sl_trace *make_trace(const sl_event *ev, size_t n, uint32_t n_tasks, uint32_t cores)
{
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = cores};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, ev, n), 0);
    return t;
}

/* Three threads on two cores; 0 and 1 wait for io in [100,200) and [150,250). */
static const sl_event two_cores[] = {
    EV(0, SPAWN, 0, 0, 0, 0),
    EV(0, SPAWN, 1, 0, 0, 0),
    EV(0, SPAWN, 2, 0, 0, 0),
    EV(0, RUN, 0, 0, 0, 0),
    EV(0, RUN, 1, 0, 0, 1),
    EV(0, GIL_TAKE, 0, 0, 0, 0),
    EV(0, GIL_TAKE, 1, 0, 0, 1),
    EV(5, GIL_TAKE, 1, 0, 0, 1),
    EV(100, BLOCK, 0, SL_WAIT_IO, 0, 0),
    EV(100, RUN, 2, 0, 0, 0),
    EV(120, SWITCH, 2, 0, 1, 0),
    EV(130, SWITCH, 1, 0, 2, 0),
    EV(150, BLOCK, 1, SL_WAIT_IO, 0, 1),
    EV(200, EXIT, 2, SL_EXIT_OK, 0, 0),
    EV(200, WAKE, 0, SL_WAIT_IO, 0, 0),
    EV(210, RUN, 0, 0, 0, 0),
    EV(250, WAKE, 1, SL_WAIT_IO, 0, 1),
    EV(250, RUN, 1, 0, 0, 1),
    EV(300, EXIT, 0, SL_EXIT_OK, 0, 0),
    EV(320, EXIT, 1, SL_EXIT_FAILED, 0, 1),
    EV(330, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    EV(400, OS_SAMPLE, SL_NO_TASK, 0, 0, 0),
};

static void test_stats_two_cores(void **state)
{
    sl_trace *t = make_trace(two_cores, sizeof two_cores / sizeof two_cores[0], 3, 2);
    t->dropped = 3;
    t->os.voluntary = 11;
    t->os.involuntary = 4;
    t->os.cpu_ns = 480;
    t->os.peak_rss_kb = 9000;
    t->os.vehicle_mem_kb = 64;
    sl_stats s;
    assert_int_equal(sl_stats_compute(t, &s), 0);

    assert_int_equal(s.tasks, 3);
    assert_int_equal(s.completed, 2);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.cancelled, 0);
    assert_int_equal(s.not_started, 0);
    assert_int_equal(s.wall_ns, 330);
    /* 0: [0,100) + [210,300); 1: [0,150) + [250,320); 2: [100,200). */
    assert_int_equal(s.run_ns, 190 + 220 + 100);
    assert_int_equal(s.max_cores, 2);
    assert_float_equal(s.mean_cores, 510.0 / 330.0, 1e-12);
    /* Latencies 0, 0, 100 (2), 10 (0 again), 0 (1 again). */
    assert_float_equal(s.ready_ms_mean, 110.0 / 5 / 1e6, 1e-15);
    assert_float_equal(s.ready_ms_max, 100.0 / 1e6, 1e-15);
    assert_int_equal(s.io_ns, 200);
    /* Someone waits for io in [100,250): 150 of the 200 ns waited. */
    assert_float_equal(s.io_overlap, 0.25, 1e-12);
    assert_int_equal(s.switches_coroutine, 2);
    assert_int_equal(s.switches_gil, 1);
    assert_int_equal(s.switches_voluntary, 11);
    assert_int_equal(s.switches_involuntary, 4);
    assert_int_equal(s.cpu_ns, 480);
    assert_int_equal(s.peak_rss_kb, 9000);
    assert_int_equal(s.vehicle_mem_kb, 64);
    assert_int_equal(s.events, sizeof two_cores / sizeof two_cores[0]);
    assert_int_equal(s.dropped, 3);
    sl_trace_free(t);
}

/* A live trace: still-open states count up to its last event; the cores cap the numbers. */
static void test_stats_live_and_capped(void **state)
{
    static const sl_event ev[] = {
        EV(0, RUN, 0, 0, 0, 0),
        EV(0, RUN, 1, 0, 0, 0),
        EV(0, RUN, 2, 0, 0, 0),
        EV(10, BLOCK, 2, SL_WAIT_SLEEP, 0, 0),
        EV(20, BLOCK, 1, SL_WAIT_LOCK, 0, 0),
        EV(40, STEP, 0, 0, 1, 0),
    };
    sl_trace *t = make_trace(ev, sizeof ev / sizeof ev[0], 3, 1);
    sl_stats s;
    assert_int_equal(sl_stats_compute(t, &s), 0);
    assert_int_equal(s.wall_ns, 40);
    assert_int_equal(s.run_ns, 40 + 20 + 10);
    assert_int_equal(s.max_cores, 1);
    assert_float_equal(s.mean_cores, 1.0, 0);
    /* The lock wait is not io; the sleep is, still open. */
    assert_int_equal(s.io_ns, 30);
    assert_float_equal(s.io_overlap, 0.0, 1e-12);
    assert_int_equal(s.completed, 0);
    /* No task exited yet: the counts still add up to the tasks. */
    assert_int_equal(s.not_started, 3);
    sl_trace_free(t);
}

static void test_stats_empty(void **state)
{
    sl_trace *t = make_trace(NULL, 0, 2, 2);
    sl_stats s;
    assert_int_equal(sl_stats_compute(t, &s), 0);
    assert_int_equal(s.wall_ns, 0);
    assert_int_equal(s.tasks, 2);
    assert_int_equal(s.not_started, 2);
    assert_float_equal(s.mean_cores, 0.0, 0);
    assert_float_equal(s.io_overlap, 0.0, 0);
    assert_int_equal(sl_stats_compute(NULL, &s), SL_EINVAL);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_two_cores),
        cmocka_unit_test(test_stats_live_and_capped),
        cmocka_unit_test(test_stats_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
