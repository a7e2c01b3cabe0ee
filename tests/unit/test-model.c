/*
 * test-model.c - the fold on synthetic events: states, lists, counters.
 *
 * Each test feeds a hand-written event list through sl_model_apply and checks
 * the exact state of every task, the order of every list and the counters at
 * chosen instants, the way a view would read them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "schedlab/model.h"
#include "schedlab/scenario.h"

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_), .vehicle = 100 + (task_)                                                  \
    }

/* Folds events[0..n) whose time is <= t, like a seek from zero. */
static void fold_to(sl_model *m, const sl_event *ev, size_t n, uint64_t t)
{
    sl_model_reset(m);
    for (size_t i = 0; i < n && ev[i].t_ns <= t; i++)
        sl_model_apply(m, &ev[i]);
    m->t_ns = t;
}

static void assert_list(size_t (*list)(const sl_model *, uint32_t *, size_t), const sl_model *m,
                        const uint32_t *want, size_t n_want)
{
    uint32_t got[16];
    size_t n = list(m, got, 16);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

#define LIST(fn, m, ...)                                                                           \
    do {                                                                                           \
        const uint32_t want_[] = {__VA_ARGS__};                                                    \
        assert_list(fn, m, want_, sizeof want_ / sizeof want_[0]);                                 \
    } while (0)
#define EMPTY(fn, m) assert_list(fn, m, NULL, 0)

static void assert_task(const sl_model *m, uint32_t i, sl_state st, int reason, uint64_t since)
{
    assert_int_equal(m->tasks[i].state, st);
    assert_int_equal(m->tasks[i].reason, reason);
    assert_int_equal(m->tasks[i].since_ns, since);
}

/* Five tasks on two cores: spawn, run, io, sleep, exit, wake, queue. */
static const sl_event life[] = {
    EV(0, SPAWN, 0, 0, 0, 0),
    EV(0, SPAWN, 1, 0, 0, 0),
    EV(0, SPAWN, 2, 0, 0, 0),
    EV(0, SPAWN, 3, 0, 0, 0),
    EV(10, RUN, 0, 0, 0, 0),
    EV(10, RUN, 1, 0, 0, 1),
    EV(12, STEP, 0, SL_STEP_IO, 1, 0),
    EV(20, BLOCK, 0, SL_WAIT_IO, 0, 0),
    EV(25, RUN, 2, 0, 0, 0),
    EV(30, BLOCK, 1, SL_WAIT_SLEEP, 0, 1),
    EV(40, EXIT, 2, SL_EXIT_OK, 0, 0),
    EV(45, WAKE, 0, SL_WAIT_IO, 0, 0),
    EV(50, RUN, 3, 0, 2, 1),
    EV(52, RUN, 0, 0, 2, 0),
    EV(60, QUEUE, 4, 0, 1, 0),
    EV(65, SWITCH, 0, 0, 3, 0),
    EV(70, EXIT, 3, SL_EXIT_FAILED, 9, 1),
    EV(75, EXIT, 4, SL_EXIT_CANCELLED, 0, 0),
};
#define N_LIFE (sizeof life / sizeof life[0])

static void test_state_names(void **state)
{
    assert_string_equal(sl_state_name(SL_ST_NEW), "new");
    assert_string_equal(sl_state_name(SL_ST_QUEUED), "queued");
    assert_string_equal(sl_state_name(SL_ST_STARTING), "starting");
    assert_string_equal(sl_state_name(SL_ST_RUNNING), "running");
    assert_string_equal(sl_state_name(SL_ST_CANCELLED), "cancelled");
    assert_string_equal(sl_state_name(99), "?");
}

static void test_states_at_times(void **state)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, 5, 2), 0);

    fold_to(&m, life, N_LIFE, 5);
    for (uint32_t i = 0; i < 4; i++)
        assert_task(&m, i, SL_ST_READY, SL_READY_CPU, 0);
    assert_task(&m, 4, SL_ST_NEW, 0, 0);
    assert_int_equal(m.count[SL_ST_READY], 4);
    assert_int_equal(m.count[SL_ST_NEW], 1);

    fold_to(&m, life, N_LIFE, 22);
    assert_task(&m, 0, SL_ST_WAITING, SL_WAIT_IO, 20);
    assert_int_equal(m.tasks[0].step_kind, SL_STEP_IO);
    assert_int_equal(m.tasks[0].step, 1);
    assert_int_equal(m.tasks[0].run_ns, 10);
    assert_int_equal(m.tasks[0].ready_ns, 10);
    assert_task(&m, 1, SL_ST_RUNNING, 0, 10);
    assert_int_equal(m.tasks[1].core, 1);
    assert_int_equal(m.tasks[1].vehicle, 101);
    assert_task(&m, 2, SL_ST_READY, SL_READY_CPU, 0);
    assert_task(&m, 3, SL_ST_READY, SL_READY_CPU, 0);
    assert_task(&m, 4, SL_ST_NEW, 0, 0);
    assert_int_equal(m.count[SL_ST_RUNNING], 1);
    assert_int_equal(m.count[SL_ST_WAITING], 1);
    assert_int_equal(m.waiting_by_reason[SL_WAIT_IO], 1);

    fold_to(&m, life, N_LIFE, 47);
    assert_task(&m, 0, SL_ST_READY, SL_READY_CPU, 45);
    assert_int_equal(m.tasks[0].wait_ns, 25);
    assert_task(&m, 1, SL_ST_WAITING, SL_WAIT_SLEEP, 30);
    assert_task(&m, 2, SL_ST_DONE, 0, 40);
    assert_int_equal(m.tasks[2].run_ns, 15);
    assert_int_equal(m.tasks[2].ready_ns, 25);
    assert_task(&m, 3, SL_ST_READY, SL_READY_CPU, 0);
    assert_int_equal(m.count[SL_ST_DONE], 1);
    assert_int_equal(m.count[SL_ST_RUNNING], 0);

    fold_to(&m, life, N_LIFE, 80);
    assert_task(&m, 0, SL_ST_RUNNING, 0, 52);
    assert_int_equal(m.tasks[0].step, 2);
    assert_task(&m, 3, SL_ST_FAILED, 0, 70);
    assert_int_equal(m.tasks[3].exit_arg, 9);
    assert_task(&m, 4, SL_ST_CANCELLED, 0, 75);
    assert_int_equal(m.count[SL_ST_NEW], 0);
    assert_int_equal(m.count[SL_ST_QUEUED], 0);
    assert_int_equal(m.coroutine_switches, 1);
    assert_int_equal(m.events, N_LIFE);
    assert_int_equal(m.max_running, 2);
    assert_int_equal(m.max_on_cpu, 2);
    assert_int_equal(sl_model_task_run_ns(&m, 0), 10 + 28);
    sl_model_free(&m);
}

static void test_lists_in_order(void **state)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, 5, 2), 0);

    fold_to(&m, life, N_LIFE, 5);
    LIST(sl_model_ready, &m, 0, 1, 2, 3);
    EMPTY(sl_model_running, &m);

    fold_to(&m, life, N_LIFE, 22);
    LIST(sl_model_ready, &m, 2, 3);
    LIST(sl_model_running, &m, 1);
    LIST(sl_model_waiting, &m, 0);

    fold_to(&m, life, N_LIFE, 35);
    LIST(sl_model_waiting, &m, 0, 1);
    LIST(sl_model_running, &m, 2);
    LIST(sl_model_ready, &m, 3);

    /* 0 woke after 3 was spawned: it queues behind. */
    fold_to(&m, life, N_LIFE, 47);
    LIST(sl_model_ready, &m, 3, 0);
    LIST(sl_model_waiting, &m, 1);
    EMPTY(sl_model_running, &m);

    /* 3 started first, on core 1; 0 later, on core 0: listed by core. */
    fold_to(&m, life, N_LIFE, 62);
    LIST(sl_model_running, &m, 0, 3);
    LIST(sl_model_queued, &m, 4);
    EMPTY(sl_model_ready, &m);
    assert_int_equal(m.core_task[0], 0);
    assert_int_equal(m.core_task[1], 3);
    assert_int_equal(m.core_task[2], SL_NO_TASK);

    /* max bounds every list. */
    uint32_t one[1];
    fold_to(&m, life, N_LIFE, 5);
    assert_int_equal(sl_model_ready(&m, one, 1), 1);
    assert_int_equal(one[0], 0);
    sl_model_free(&m);
}

static void test_waiting_longest_first(void **state)
{
    static const sl_event ev[] = {
        EV(0, RUN, 0, 0, 0, 0),
        EV(0, RUN, 1, 0, 0, 1),
        EV(0, RUN, 2, 0, 0, 2),
        EV(5, BLOCK, 2, SL_WAIT_IO, 0, 2),
        EV(6, BLOCK, 0, SL_WAIT_LOCK, 0, 0),
        EV(7, BLOCK, 1, SL_WAIT_IO, 0, 1),
        EV(8, WAKE, 2, SL_WAIT_IO, 0, 2),
        EV(9, BLOCK, 2, SL_WAIT_SLEEP, 0, 2),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 3, 4), 0);
    fold_to(&m, ev, sizeof ev / sizeof ev[0], 7);
    LIST(sl_model_waiting, &m, 2, 0, 1);
    fold_to(&m, ev, sizeof ev / sizeof ev[0], 9);
    LIST(sl_model_waiting, &m, 0, 1, 2);
    assert_int_equal(m.waiting_by_reason[SL_WAIT_IO], 1);
    assert_int_equal(m.waiting_by_reason[SL_WAIT_SLEEP], 1);
    assert_int_equal(m.waiting_by_reason[SL_WAIT_LOCK], 1);
    sl_model_free(&m);
}

static void test_ready_latency_and_busy(void **state)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, 5, 2), 0);
    fold_to(&m, life, N_LIFE, 80);
    /* 10 (0), 10 (1), 25 (2), 50 (3), 52 - 45 = 7 (0 again). */
    assert_int_equal(m.ready_lat_count, 5);
    assert_int_equal(m.ready_lat_sum_ns, 102);
    assert_int_equal(m.ready_lat_max_ns, 50);
    /* Core 0: 0 in [10,20), 2 in [25,40); 0 since 52 is still open. */
    assert_int_equal(m.busy_ns[0], 10 + 15);
    /* Core 1: 1 in [10,30), 3 in [50,70). */
    assert_int_equal(m.busy_ns[1], 20 + 20);
    assert_int_equal(m.core_task[1], SL_NO_TASK);
    assert_int_equal(m.core_task[0], 0);
    sl_model_free(&m);
}

/* A READY while already ready keeps the queue place; a queued task is ready
 * once picked, and its latency counts from there. */
static void test_ready_again_keeps_place(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, QUEUE, 0, 0, 1, 0),
        EV(1, SPAWN, 1, 0, 0, 0),
        EV(2, SPAWN, 2, 0, 0, 0),
        EV(3, READY, 1, SL_READY_LOOP, 0, 0),
        EV(4, READY, 0, SL_READY_WORKER, 0, 0),
        EV(9, RUN, 0, 0, 0, 0),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 3, 1), 0);
    fold_to(&m, ev, 6, 5);
    LIST(sl_model_ready, &m, 1, 2, 0);
    assert_task(&m, 1, SL_ST_READY, SL_READY_LOOP, 1);
    assert_int_equal(m.ready_by_cause[SL_READY_LOOP], 1);
    assert_int_equal(m.ready_by_cause[SL_READY_CPU], 1);
    assert_int_equal(m.ready_by_cause[SL_READY_WORKER], 1);
    assert_true(m.tasks[1].ready_seq < m.tasks[2].ready_seq);
    fold_to(&m, ev, 7, 9);
    assert_int_equal(m.ready_lat_count, 1);
    assert_int_equal(m.ready_lat_sum_ns, 5);
    assert_int_equal(m.tasks[0].startup_ns, 5);
    sl_model_free(&m);
}

static void test_preemption_by_samples(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, SPAWN, 1, 0, 0, 0),
        EV(0, SPAWN, 2, 0, 0, 0),
        EV(1, RUN, 0, 0, 0, 0),
        EV(1, RUN, 1, 0, 0, 0),
        EV(2, OS_SAMPLE, 1, 500, 100, 0), /* 1 waits for a core more than it runs */
        EV(3, OS_SAMPLE, 0, 10, 900, 0),  /* 0 runs: nothing changes */
        EV(4, OS_SAMPLE, 1, 100, 800, 0), /* 1 back on the core */
        EV(6, OS_SAMPLE, 0, 700, 300, 0), /* now 0 is preempted */
        EV(7, RUN, 0, 0, 0, 1),           /* runs again, on core 1: not preempted */
        EV(8, OS_SAMPLE, 1, 900, 100, 0),
        EV(9, BLOCK, 1, SL_WAIT_IO, 0, 0),
        EV(10, OS_SAMPLE, 2, 900, 0, 0), /* ignored: 2 is not running */
    };
    const size_t n = sizeof ev / sizeof ev[0];
    sl_model m;
    assert_int_equal(sl_model_init(&m, 3, 1), 0);

    fold_to(&m, ev, n, 2);
    assert_true(m.tasks[1].preempted);
    assert_int_equal(m.tasks[1].state, SL_ST_RUNNING);
    assert_int_equal(sl_model_shown_state(&m, 1), SL_ST_READY);
    assert_int_equal(sl_model_shown_state(&m, 0), SL_ST_RUNNING);
    LIST(sl_model_ready, &m, 2, 1);
    LIST(sl_model_running, &m, 0);
    assert_int_equal(m.preempted, 1);
    assert_int_equal(sl_model_on_cpu(&m), 1);
    assert_int_equal(m.max_running, 2);

    fold_to(&m, ev, n, 3);
    assert_false(m.tasks[0].preempted);
    LIST(sl_model_ready, &m, 2, 1);

    fold_to(&m, ev, n, 5);
    assert_false(m.tasks[1].preempted);
    LIST(sl_model_running, &m, 0, 1);
    LIST(sl_model_ready, &m, 2);
    assert_int_equal(m.core_task[0], 1);
    assert_int_equal(m.max_on_cpu, 2);

    fold_to(&m, ev, n, 6);
    LIST(sl_model_ready, &m, 2, 0);
    assert_int_equal(m.core_task[0], 1);

    fold_to(&m, ev, n, 7);
    assert_false(m.tasks[0].preempted);
    LIST(sl_model_running, &m, 1, 0);
    assert_int_equal(m.preempted, 0);

    fold_to(&m, ev, n, 9);
    assert_false(m.tasks[1].preempted);
    assert_int_equal(m.tasks[1].state, SL_ST_WAITING);
    assert_int_equal(m.preempted, 0);
    LIST(sl_model_ready, &m, 2);

    fold_to(&m, ev, n, 10);
    assert_false(m.tasks[2].preempted);
    assert_int_equal(m.os_runq_us, 500 + 10 + 100 + 700 + 900 + 900);
    /* Core 0 was busy with 1 in [1,2) and [4,8), with 0 in [1,6). */
    assert_int_equal(m.busy_ns[0], 1 + 4 + 5);
    sl_model_free(&m);
}

static void test_gil_wait_and_handoffs(void **state)
{
    static const sl_event ev[] = {
        EV(0, RUN, 0, 0, 0, 0),
        EV(0, GIL_TAKE, 0, 0, 0, 0),
        EV(0, SPAWN, 1, 0, 0, 1),
        EV(10, READY, 1, SL_READY_GIL, 0, 1),
        EV(50, GIL_DROP, 0, SL_GIL_DROP_INTERVAL, 50, 0),
        EV(50, READY, 0, SL_READY_GIL, 0, 0),
        EV(55, GIL_TAKE, 1, 0, 45, 1),
        EV(55, RUN, 1, 0, 0, 1),
        EV(60, GIL_DROP, 1, SL_GIL_DROP_BLOCK, 5, 1),
        EV(60, BLOCK, 1, SL_WAIT_IO, 0, 1),
        EV(62, GIL_TAKE, 0, 0, 12, 0),
        EV(62, RUN, 0, 0, 0, 0),
        EV(70, GIL_DROP, 0, SL_GIL_DROP_DONE, 8, 0),
        EV(70, GIL_TAKE, 0, 0, 0, 0),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    fold_to(&m, ev, sizeof ev / sizeof ev[0], 52);
    assert_int_equal(m.ready_by_cause[SL_READY_GIL], 2);
    assert_int_equal(m.gil_handoffs, 0);
    fold_to(&m, ev, sizeof ev / sizeof ev[0], 80);
    /* 1 waited 10..55, 0 waited 50..62. */
    assert_int_equal(m.gil_wait_ns, 45 + 12);
    /* 0 -> 1 -> 0; 0 retaking its own GIL is no hand-off. */
    assert_int_equal(m.gil_handoffs, 2);
    assert_int_equal(m.gil_holder, 0);
    assert_int_equal(m.ready_by_cause[SL_READY_GIL], 0);
    sl_model_free(&m);
}

static void test_out_of_range_and_empty(void **state)
{
    static const sl_event ev[] = {
        EV(1, SPAWN, 7, 0, 0, 0),
        EV(2, RUN, 0, 0, 0, 200), /* a core beyond the slots shares the last one */
        EV(3, BLOCK, 0, 99, 0, 0),
        EV(4, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 1, 1), 0);
    fold_to(&m, ev, 2, 2);
    assert_int_equal(m.core_task[SL_MODEL_CORES - 1], 0);
    LIST(sl_model_running, &m, 0);
    fold_to(&m, ev, 4, 4);
    assert_task(&m, 0, SL_ST_WAITING, SL_WAIT_NONE, 3);
    assert_int_equal(m.events, 4);
    assert_int_equal(m.last_end_ns, 4);
    assert_int_equal(m.busy_ns[SL_MODEL_CORES - 1], 1);
    assert_int_equal(sl_model_shown_state(&m, 9), SL_ST_NEW);
    sl_model_free(&m);

    assert_int_equal(sl_model_init(&m, 0, 1), 0);
    sl_model_apply(&m, &ev[0]);
    EMPTY(sl_model_ready, &m);
    sl_model_free(&m);
}

/* EXIT happens once: a second one (a crash report after the exit) changes nothing. */
static void test_exit_once(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(2, RUN, 0, 0, 0, 0),
        EV(5, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(9, EXIT, 0, SL_EXIT_FAILED, 11, 0),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 1, 1), 0);
    fold_to(&m, ev, 4, 10);
    assert_task(&m, 0, SL_ST_DONE, 0, 5);
    assert_int_equal(m.tasks[0].exit_arg, 0);
    assert_int_equal(m.count[SL_ST_DONE], 1);
    assert_int_equal(m.count[SL_ST_FAILED], 0);
    assert_int_equal(m.last_end_ns, 5);
    assert_int_equal(m.startup_exited, 1);
    assert_int_equal(m.startup_heavy, 0);
    assert_int_equal(m.tasks[0].run_ns, 3);
    assert_int_equal(m.tasks[0].ready_ns, 2);
    assert_int_equal(m.tasks[0].startup_ns, 2);
    sl_model_free(&m);
}

/* A process strategy's tasks: SPAWN, then START until the process's first
 * RUN. Start-up is its own state and list, counts into startup_ns (not into
 * ready latency), and a task whose start-up outlasts its work is counted as
 * start-up heavy. */
static void test_start_up_phase(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0), EV(0, START, 0, 0, 0, 0),
        EV(1, SPAWN, 1, 0, 0, 0), EV(1, START, 1, 0, 0, 0),
        EV(30, RUN, 0, 0, 0, 0),  EV(40, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(41, RUN, 1, 0, 0, 1),  EV(141, EXIT, 1, SL_EXIT_OK, 0, 1),
    };
    sl_model m;
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    fold_to(&m, ev, 8, 20);
    assert_task(&m, 0, SL_ST_STARTING, 0, 0);
    assert_task(&m, 1, SL_ST_STARTING, 0, 1);
    assert_int_equal(m.count[SL_ST_STARTING], 2);
    assert_int_equal(m.count[SL_ST_READY], 0);
    LIST(sl_model_starting, &m, 0, 1);
    EMPTY(sl_model_ready, &m);
    EMPTY(sl_model_queued, &m);
    fold_to(&m, ev, 8, 35);
    assert_task(&m, 0, SL_ST_RUNNING, 0, 30);
    LIST(sl_model_starting, &m, 1);
    assert_int_equal(m.tasks[0].starting_ns, 30);
    assert_int_equal(m.tasks[0].startup_ns, 30);
    assert_int_equal(m.ready_lat_count, 0); /* start-up is no wait for a core */
    fold_to(&m, ev, 8, 200);
    EMPTY(sl_model_starting, &m);
    assert_int_equal(m.count[SL_ST_STARTING], 0);
    assert_int_equal(m.starting_ns, 30 + 40);
    assert_int_equal(m.tasks[1].startup_ns, 40);
    /* task 0 started 30 for 10 of work; task 1 40 for 100 */
    assert_int_equal(m.startup_exited, 2);
    assert_int_equal(m.startup_heavy, 1);
    assert_int_equal(m.startup_heavy_ready_ns, 30);
    assert_int_equal(m.startup_heavy_run_ns, 10);
    sl_model_free(&m);
}

/* A pool's workers (procpool, async+procs) are created for no task: START
 * with NO_TASK. The tasks stay queued, nothing is `starting`, the model
 * counts the workers starting, and their start-up adds to the run's
 * start-up time in the statistics (the JSON report's starting_ms). The
 * run's end closes a start-up that never finished. */
static void test_pool_workers_start_up(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, QUEUE, 0, 0, 1, 0),
        EV(0, SPAWN, 1, 0, 0, 0),
        EV(0, QUEUE, 1, 0, 2, 0),
        EV(1, START, SL_NO_TASK, SL_START_WORKER, 0, 0),
        EV(2, START, SL_NO_TASK, SL_START_WORKER, 1, 0),
        EV(51, START, SL_NO_TASK, SL_START_WORKER_UP, 0, 0),
        EV(52, READY, 0, SL_READY_WORKER, 0, 0),
        EV(53, RUN, 0, 0, 0, 0),
        EV(63, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(64, READY, 1, SL_READY_WORKER, 0, 0),
        EV(65, RUN, 1, 0, 0, 0),
        EV(75, EXIT, 1, SL_EXIT_OK, 0, 0),
        EV(80, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    };
    size_t n = sizeof ev / sizeof ev[0];
    sl_model m;
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    fold_to(&m, ev, n, 10);
    assert_int_equal(m.workers_starting, 2);
    assert_int_equal(m.count[SL_ST_STARTING], 0);
    assert_int_equal(m.count[SL_ST_QUEUED], 2);
    EMPTY(sl_model_starting, &m);
    LIST(sl_model_queued, &m, 0, 1);
    fold_to(&m, ev, n, 60);
    assert_int_equal(m.workers_starting, 1);
    assert_int_equal(m.workers_up, 1);
    assert_int_equal(m.worker_starting_ns, 50);
    /* Worker 1 never came up: the run's end closes its start-up. */
    fold_to(&m, ev, n, 100);
    assert_int_equal(m.workers_starting, 0);
    assert_int_equal(m.workers_up, 1);
    assert_int_equal(m.worker_starting_ns, 50 + 78);
    assert_int_equal(m.starting_ns, 0); /* no task was starting */
    sl_model_free(&m);

    /* The statistics count it as the run's start-up. */
    sl_trace_meta meta = {.n_tasks = 2, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, ev, n), 0);
    sl_stats st;
    assert_int_equal(sl_stats_compute(t, &st), 0);
    assert_int_equal(st.starting_ns, 50 + 78);
    assert_int_equal(st.completed, 2);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_states_at_times),
        cmocka_unit_test(test_lists_in_order),
        cmocka_unit_test(test_waiting_longest_first),
        cmocka_unit_test(test_ready_latency_and_busy),
        cmocka_unit_test(test_ready_again_keeps_place),
        cmocka_unit_test(test_preemption_by_samples),
        cmocka_unit_test(test_gil_wait_and_handoffs),
        cmocka_unit_test(test_out_of_range_and_empty),
        cmocka_unit_test(test_exit_once),
        cmocka_unit_test(test_start_up_phase),
        cmocka_unit_test(test_pool_workers_start_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
