/*
 * test-model-lints.c - teaching lints and captions on crafted situations.
 *
 * Each lint must fire on the situation it names, with the exact sentence, and
 * stay silent when one ingredient is missing (another strategy, enough cores,
 * nothing waiting). Captions are checked word for word.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "schedlab/model.h"
#include "schedlab/scenario.h"

#define MS 1000000ull

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    (sl_event)                                                                                     \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static void apply(sl_model *m, sl_event ev)
{
    sl_model_apply(m, &ev);
}

static sl_trace_meta meta_of(const char *strategy, uint32_t cores, uint32_t workers)
{
    sl_trace_meta meta = {.cores = cores, .workers = workers};
    snprintf(meta.strategy, sizeof meta.strategy, "%s", strategy);
    return meta;
}

/* Lints of `m` under `meta`: how many, and the first one's kind and text. */
static size_t lints(const sl_model *m, sl_trace_meta meta, sl_lint *out)
{
    memset(out, 0, sizeof *out * SL_LINT__COUNT);
    return sl_lints(m, &meta, out, SL_LINT__COUNT);
}

/* Eight coroutines; page-03 runs a cpu step while seven wait in the loop's queue. */
static void test_loop_blocked(void **state)
{
    const char *names[8];
    char buf[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(buf[i], sizeof buf[i], "page-%02d", i);
        names[i] = buf[i];
    }
    sl_trace_meta meta = meta_of("coroutines", 2, 0);
    meta.n_tasks = 8;
    sl_trace *trace;
    assert_int_equal(sl_trace_new(&trace, &meta, names), 0);
    sl_event ev[11];
    for (uint32_t i = 0; i < 8; i++)
        ev[i] = EV(0, SPAWN, i, 0, 0, 0);
    ev[8] = EV(0, RUN, 3, 0, 0, 0);
    ev[8].vehicle = SL_VEHICLE_COROUTINE | 3;
    ev[9] = EV(0, STEP, 3, SL_STEP_CPU, 0, 0);
    ev[9].vehicle = SL_VEHICLE_COROUTINE | 3;
    ev[10] = EV(200 * MS, STEP, 3, SL_STEP_IO, 1, 0);
    assert_int_equal(sl_trace_append(trace, ev, 11), 0);

    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 8, 2), 0);
    sl_model_seek(&m, trace, 120 * MS);
    assert_int_equal(lints(&m, meta, out), 1);
    assert_int_equal(out[0].kind, SL_LINT_LOOP_BLOCKED);
    assert_string_equal(out[0].text,
                        "a cpu step in page-03 blocks the event loop: 7 tasks ready, waited up to "
                        "120ms");
    /* async strategies run a loop too. */
    assert_int_equal(lints(&m, meta_of("async+threads", 2, 0), out), 1);
    /* Threads are not blocked by one another's cpu steps. */
    assert_int_equal(lints(&m, meta_of("threads", 2, 0), out), 0);
    /* An io step does not block the loop. */
    sl_model_seek(&m, trace, 200 * MS);
    assert_int_equal(lints(&m, meta, out), 0);
    sl_model_free(&m);
    sl_trace_free(trace);
}

/* async+threads: the cpu step runs on an executor thread, off the loop. */
static void test_offloaded_cpu_does_not_block_the_loop(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    sl_event run = EV(0, RUN, 0, 0, 0, 0);
    run.vehicle = 4242; /* an executor thread's tid */
    apply(&m, run);
    apply(&m, EV(0, STEP, 0, SL_STEP_CPU, 0, 0));
    apply(&m, EV(5, SPAWN, 1, 0, 0, 0));
    assert_int_equal(lints(&m, meta_of("async+threads", 2, 0), out), 0);
    sl_model_free(&m);
}

static void test_loop_not_blocked_without_ready(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    sl_event run = EV(0, RUN, 0, 0, 0, 0);
    run.vehicle = SL_VEHICLE_COROUTINE;
    apply(&m, run);
    sl_event step = EV(0, STEP, 0, SL_STEP_CPU_SUMSQ, 0, 0);
    step.vehicle = SL_VEHICLE_COROUTINE;
    apply(&m, step);
    assert_int_equal(lints(&m, meta_of("coroutines", 2, 0), out), 0);
    apply(&m, EV(5, SPAWN, 1, 0, 0, 0));
    assert_int_equal(lints(&m, meta_of("coroutines", 2, 0), out), 1);
    assert_string_equal(out[0].text, "a cpu step in task-0 blocks the event loop: 1 task ready, "
                                     "waited up to 0s");
    sl_model_free(&m);

    /* A task the kernel preempted heads the ready list, but the loop's queue starts after it. */
    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    step = EV(0, STEP, 0, SL_STEP_CPU, 0, 0);
    step.vehicle = SL_VEHICLE_COROUTINE;
    apply(&m, step);
    apply(&m, EV(0, RUN, 1, 0, 0, 1));
    apply(&m, EV(1 * MS, OS_SAMPLE, 1, 900, 10, 1));
    apply(&m, EV(2 * MS, SPAWN, 2, 0, 0, 0));
    m.t_ns = 10 * MS;
    assert_int_equal(lints(&m, meta_of("coroutines", 2, 0), out), 1);
    assert_string_equal(out[0].text, "a cpu step in task-0 blocks the event loop: 1 task ready, "
                                     "waited up to 8.0ms");
    sl_model_free(&m);
}

static void test_gil_contention(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 5, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(0, GIL_TAKE, 0, 0, 0, 0));
    for (uint32_t i = 1; i < 5; i++)
        apply(&m, EV(1, READY, i, SL_READY_GIL, 0, 1));
    assert_int_equal(lints(&m, meta_of("gil", 2, 0), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_GIL_CONTENTION);
    assert_string_equal(out[0].text, "4 threads wait for the GIL while one thread runs");
    /* On one core there is nothing to gain. */
    assert_int_equal(lints(&m, meta_of("gil", 1, 0), out), 0);
    assert_int_equal(lints(&m, meta_of("threads", 2, 0), out), 0);
    /* Waiting for a core, not the GIL. */
    sl_model_reset(&m);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(1, READY, 1, SL_READY_CPU, 0, 1));
    assert_int_equal(lints(&m, meta_of("gil", 2, 0), out), 0);
    sl_model_free(&m);
}

/* Busy cores are counted as the core meters count them: the run's tasks
 * so far, so that a playhead between two tasks does not read as idle. */
static void test_pool_too_small(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 5, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(0, RUN, 1, 0, 0, 1));
    for (uint32_t i = 2; i < 5; i++)
        apply(&m, EV(0, QUEUE, i, 0, i - 1, 0));
    apply(&m, EV(10 * MS, STEP, 1, SL_STEP_CPU, 0, 1));
    /* Both workers compute: the backlog is the cores' limit, not the pool's. */
    assert_true(sl_model_cores_busy(&m) == 2.0);
    assert_int_equal(lints(&m, meta_of("threadpool", 2, 2), out), 0);
    apply(&m, EV(10 * MS, BLOCK, 0, SL_WAIT_IO, 0, 0));
    apply(&m, EV(10 * MS, BLOCK, 1, SL_WAIT_IO, 0, 1));
    /* Both wait for io from 10 ms to 40 ms: 20 ms busy of 40. */
    apply(&m, EV(40 * MS, WAKE, 1, SL_WAIT_IO, 0, 1));
    assert_int_equal(sl_model_core_busy_ns(&m, 0), 10 * MS);
    assert_int_equal(lints(&m, meta_of("threadpool", 2, 2), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_POOL_TOO_SMALL);
    assert_string_equal(out[0].text,
                        "pool too small: 3 tasks queued for 2 workers, 0.5 of 2 cores busy so far");
    apply(&m, EV(40 * MS, RUN, 1, 0, 0, 1));
    apply(&m, EV(50 * MS, STEP, 1, SL_STEP_CPU, 0, 1));
    /* The stretch running now counts up to the playhead. */
    assert_int_equal(sl_model_core_busy_ns(&m, 1), 20 * MS);
    assert_int_equal(lints(&m, meta_of("procpool", 2, 0), out), 1);
    assert_string_equal(out[0].text, "pool too small: 3 tasks queued, 0.6 of 2 cores busy so far");
    /* Sequential has no pool to blame: its queue is the one runner's. */
    assert_int_equal(lints(&m, meta_of("sequential", 2, 0), out), 1);
    assert_string_equal(
        out[0].text, "3 tasks wait for the one runner: its tasks kept 0.6 of 2 cores busy so far");
    /* Between two tasks no core runs one, but the cores were not idle so far:
     * the lint's number does not drop to 0 with the instant. */
    apply(&m, EV(50 * MS, EXIT, 1, SL_EXIT_OK, 0, 1));
    assert_int_equal(sl_model_on_cpu(&m), 0);
    assert_int_equal(lints(&m, meta_of("sequential", 2, 0), out), 1);
    assert_string_equal(
        out[0].text, "3 tasks wait for the one runner: its tasks kept 0.6 of 2 cores busy so far");
    sl_model_free(&m);
}

static void test_startup_cost(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    apply(&m, EV(0, SPAWN, 0, 0, 0, 0));
    apply(&m, EV(0, SPAWN, 1, 0, 0, 0));
    apply(&m, EV(1 * MS, RUN, 1, 0, 0, 1));
    apply(&m, EV(10 * MS, RUN, 0, 0, 0, 0));
    /* Running, not finished: too early to judge. */
    assert_int_equal(lints(&m, meta_of("processes", 2, 0), out), 0);
    apply(&m, EV(12 * MS, EXIT, 0, SL_EXIT_OK, 0, 0));
    apply(&m, EV(20 * MS, EXIT, 1, SL_EXIT_OK, 0, 1));
    assert_int_equal(lints(&m, meta_of("processes", 2, 0), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_STARTUP_COST);
    assert_string_equal(out[0].text, "starting a process costs more than its work: 1 of 2 "
                                     "finished tasks waited 10.0ms to start but ran 2.0ms");
    assert_int_equal(lints(&m, meta_of("threads", 2, 0), out), 0);
    sl_model_free(&m);
}

static void test_oversubscribed(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(0, RUN, 1, 0, 0, 1));
    assert_int_equal(lints(&m, meta_of("threads", 2, 0), out), 0);
    apply(&m, EV(0, RUN, 2, 0, 0, 1));
    apply(&m, EV(5, OS_SAMPLE, 2, 900, 100, 1));
    assert_int_equal(lints(&m, meta_of("threads", 2, 0), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_OVERSUBSCRIBED);
    assert_string_equal(out[0].text, "3 tasks are runnable on 2 cores: the kernel time-slices "
                                     "them, 1 waits for a core");
    assert_int_equal(lints(&m, meta_of("threads", 4, 0), out), 0);
    /* The model's cores stand in when the trace does not say. */
    assert_int_equal(lints(&m, meta_of("threads", 0, 0), out), 1);
    /* max bounds the output. */
    assert_int_equal(sl_lints(&m, &(sl_trace_meta){.cores = 2}, out, 0), 0);
    sl_model_free(&m);
}

/* Work stealing: worker 1 parks while worker 0 runs one task and has three
 * queued; after the grace of a wake-up the lint names both. */
static void test_parked_beside_a_backlog(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 4, 2), 0);
    apply(&m, EV(0, RUN, 0, SL_RUN_ON_WORKER(0), 0, 0));
    for (uint32_t i = 1; i < 4; i++)
        apply(&m, EV(0, READY, i, SL_READY_LOOP, SL_READY_AT_WORKER(0), 0));
    apply(&m, EV(1 * MS, PARK, SL_NO_TASK, 1, 0, 1));
    assert_int_equal(m.steal.local[0], 3);
    assert_true(m.steal.parked[1]);
    /* not yet: a wake-up takes a moment */
    apply(&m, EV(2 * MS, STEP, 0, SL_STEP_CPU, 0, 0));
    assert_int_equal(lints(&m, meta_of("work-stealing", 2, 2), out), 0);
    apply(&m, EV(5 * MS, STEP, 0, SL_STEP_CPU, 0, 0));
    assert_int_equal(lints(&m, meta_of("work-stealing", 2, 2), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_PARKED_BACKLOG);
    assert_string_equal(out[0].text,
                        "worker 1 has been parked for 4.0ms while worker 0 has 3 tasks "
                        "queued: nobody woke it to steal");
    /* another strategy never says it */
    assert_int_equal(lints(&m, meta_of("coroutines", 2, 0), out), 0);
    /* the steal ends it: worker 1 woke and took two */
    apply(&m, EV(6 * MS, UNPARK, SL_NO_TASK, 1, 0, 1));
    apply(&m, EV(6 * MS, STEAL, SL_NO_TASK, 0, SL_STEAL_ARG(1, 2), 1));
    apply(&m, EV(6 * MS, READY, 1, SL_READY_LOOP, SL_READY_AT_WORKER(1), 1));
    apply(&m, EV(6 * MS, READY, 2, SL_READY_LOOP, SL_READY_AT_WORKER(1), 1));
    assert_int_equal(m.steal.steals, 1);
    assert_int_equal(m.steal.stolen, 2);
    assert_int_equal(m.steal.local[0], 1);
    assert_int_equal(m.steal.local[1], 2);
    assert_int_equal(lints(&m, meta_of("work-stealing", 2, 2), out), 0);
    sl_model_free(&m);
}

/* One worker on two cores with tasks ready: too few workers. */
static void test_too_few_workers(void **state)
{
    sl_model m;
    sl_lint out[SL_LINT__COUNT];
    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    apply(&m, EV(0, RUN, 0, SL_RUN_ON_WORKER(0), 0, 0));
    apply(&m, EV(0, READY, 1, SL_READY_LOOP, SL_READY_AT_GLOBAL, 0));
    apply(&m, EV(0, READY, 2, SL_READY_LOOP, SL_READY_AT_GLOBAL, 0));
    apply(&m, EV(10 * MS, STEP, 0, SL_STEP_CPU, 0, 0));
    assert_int_equal(lints(&m, meta_of("work-stealing", 2, 1), out), 1);
    assert_int_equal(out[0].kind, SL_LINT_FEW_WORKERS);
    assert_string_equal(out[0].text, "1 worker on 2 cores: 2 tasks are ready, 1.0 cores busy so "
                                     "far; use --workers 2");
    assert_int_equal(lints(&m, meta_of("work-stealing", 2, 2), out), 0);
    sl_model_free(&m);
}

static void test_caption_now(void **state)
{
    sl_model m;
    char buf[200];
    assert_int_equal(sl_model_init(&m, 20, 2), 0);
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "Nothing has happened yet: 20 tasks wait to start.");
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(0, RUN, 1, 0, 0, 0));
    apply(&m, EV(0, RUN, 2, 0, 0, 1));
    for (uint32_t i = 3; i < 8; i++)
        apply(&m, EV(0, SPAWN, i, 0, 0, 0));
    for (uint32_t i = 8; i < 20; i++) {
        apply(&m, EV(0, RUN, i, 0, 0, 1));
        apply(&m, EV((60 + i) * MS, BLOCK, i, SL_WAIT_IO, 0, 1));
    }
    m.t_ns = 498 * MS;
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(
        buf, "3 tasks run on 2 cores, 5 wait in the ready list, 12 wait for io (longest 430ms).");
    /* A short buffer gets a cut, terminated sentence. */
    sl_model_caption(&m, NULL, buf, 10);
    assert_string_equal(buf, "3 tasks r");
    sl_model_free(&m);
}

static void test_caption_singular(void **state)
{
    sl_model m;
    char buf[200];
    assert_int_equal(sl_model_init(&m, 6, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 1));
    apply(&m, EV(0, SPAWN, 1, 0, 0, 0));
    apply(&m, EV(0, QUEUE, 2, 0, 1, 0));
    apply(&m, EV(0, RUN, 3, 0, 0, 0));
    apply(&m, EV(1 * MS, BLOCK, 3, SL_WAIT_LOCK, 0, 0));
    apply(&m, EV(0, RUN, 4, 0, 0, 0));
    apply(&m, EV(2 * MS, BLOCK, 4, SL_WAIT_SLEEP, 0, 0));
    apply(&m, EV(3 * MS, EXIT, 5, SL_EXIT_FAILED, 0, 0));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "1 task runs on 1 core, 1 waits in the ready list, 1 is queued for a "
                             "worker, 1 waits for sleep, 1 for a lock (longest 2.0ms), 1 "
                             "finished.");
    apply(&m, EV(4 * MS, BLOCK, 0, SL_WAIT_IO, 0, 1));
    apply(&m, EV(4 * MS, BLOCK, 1, SL_WAIT_IO, 0, 1));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "No task runs, 1 is queued for a worker, 2 wait for io, 1 for sleep, "
                             "1 for a lock (longest 3.0ms), 1 finished.");
    sl_model_free(&m);
}

static void test_caption_end(void **state)
{
    sl_model m;
    char buf[200];
    assert_int_equal(sl_model_init(&m, 20, 2), 0);
    for (uint32_t i = 0; i < 20; i++)
        apply(&m, EV(0, SPAWN, i, 0, 0, 0));
    for (uint32_t i = 0; i < 20; i++)
        apply(&m, EV(1230 * MS - (19 - i) * MS, EXIT, i, SL_EXIT_OK, 0, 0));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "All 20 tasks done in 1.23s.");
    sl_model_free(&m);

    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    apply(&m, EV(100 * MS, SPAWN, 0, 0, 0, 0));
    apply(&m, EV(200 * MS, EXIT, 0, SL_EXIT_OK, 0, 0));
    apply(&m, EV(300 * MS, EXIT, 1, SL_EXIT_FAILED, 0, 0));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "No task runs, 2 finished.");
    apply(&m, EV(600 * MS, EXIT, 2, SL_EXIT_CANCELLED, 0, 0));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    /* From the run's start (the header's clock), not from the first spawn. */
    assert_string_equal(buf, "All 3 tasks finished in 600ms: 1 done, 1 failed, 1 cancelled.");
    sl_model_free(&m);

    assert_int_equal(sl_model_init(&m, 1, 2), 0);
    apply(&m, EV(0, RUN, 0, 0, 0, 0));
    apply(&m, EV(40 * MS, EXIT, 0, SL_EXIT_OK, 0, 0));
    sl_model_caption(&m, NULL, buf, sizeof buf);
    assert_string_equal(buf, "The task is done in 40.0ms.");
    sl_model_free(&m);
}

/* Sequential has no worker: its backlog waits its turn; a pool's waits for a worker. */
static void test_caption_queued_without_workers(void **state)
{
    char buf[200];
    for (uint32_t workers = 0; workers <= 2; workers += 2) {
        sl_trace_meta meta = meta_of(workers ? "threadpool" : "sequential", 2, workers);
        meta.n_tasks = 3;
        sl_trace *trace;
        sl_model m;
        assert_int_equal(sl_trace_new(&trace, &meta, NULL), 0);
        assert_int_equal(sl_model_init(&m, 3, 2), 0);
        for (uint32_t i = 0; i < 3; i++)
            apply(&m, EV(0, QUEUE, i, 0, i + 1, 0));
        apply(&m, EV(1 * MS, RUN, 0, 0, 0, 0));
        sl_model_caption(&m, trace, buf, sizeof buf);
        assert_string_equal(buf, workers ? "1 task runs on 1 core, 2 are queued for a worker."
                                         : "1 task runs on 1 core, 2 wait their turn (not "
                                           "started).");
        sl_model_free(&m);
        sl_trace_free(trace);
    }
}

static void test_caption_empty_trace(void **state)
{
    sl_trace_meta meta = meta_of("threads", 2, 0);
    meta.n_tasks = 2;
    sl_trace *trace;
    sl_model m;
    char buf[100];
    assert_int_equal(sl_trace_new(&trace, &meta, NULL), 0);
    assert_int_equal(sl_model_init(&m, 2, 2), 0);
    sl_model_seek(&m, trace, 0);
    sl_model_caption(&m, trace, buf, sizeof buf);
    assert_string_equal(buf, "Nothing has happened yet: 2 tasks wait to start.");
    trace->finished = true;
    sl_model_caption(&m, trace, buf, sizeof buf);
    assert_string_equal(buf, "The run recorded no events.");
    sl_model_free(&m);
    sl_trace_free(trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loop_blocked),
        cmocka_unit_test(test_offloaded_cpu_does_not_block_the_loop),
        cmocka_unit_test(test_loop_not_blocked_without_ready),
        cmocka_unit_test(test_gil_contention),
        cmocka_unit_test(test_pool_too_small),
        cmocka_unit_test(test_startup_cost),
        cmocka_unit_test(test_oversubscribed),
        cmocka_unit_test(test_parked_beside_a_backlog),
        cmocka_unit_test(test_too_few_workers),
        cmocka_unit_test(test_caption_now),
        cmocka_unit_test(test_caption_singular),
        cmocka_unit_test(test_caption_end),
        cmocka_unit_test(test_caption_queued_without_workers),
        cmocka_unit_test(test_caption_empty_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
