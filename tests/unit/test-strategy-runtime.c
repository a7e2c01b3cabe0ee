/*
 * test-strategy-runtime.c - the GIL as a property of the runtime: with the
 * run's GIL on, the threads of one interpreter (threads, threadpool,
 * async+threads' executor, gil) never compute two cpu steps at once; with
 * it off they do; an interpreter per worker (interpreters) or a process per
 * worker (procpool) has a GIL of its own, so they do with it on too.
 *
 * Checked from the trace alone: a task computes from a RUN on a thread or
 * process (not its coroutine on a loop) while its current step is cpu,
 * until it lets go (READY, BLOCK, GIL_DROP, YIELD, WAKE, EXIT) or the next
 * STEP. The most tasks computing at once is the answer. With the GIL off
 * the OS may time-slice threads on a busy machine, but their RUNs still
 * overlap in the trace: what a GIL forbids is the overlap itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "strategy-harness.h"

extern const sl_strategy sl_strategy_threads;
extern const sl_strategy sl_strategy_threadpool;
extern const sl_strategy sl_strategy_async_threads;
extern const sl_strategy sl_strategy_gil;
extern const sl_strategy sl_strategy_interpreters;
extern const sl_strategy sl_strategy_procpool;

#define LESSON "[lesson]\ntitle = runtime\n"
/* Four tasks of cpu steps long enough to cross a 1 ms switch interval
 * several times, with a wait between them so the GIL changes hands. */
#define CPU_TASKS                                                                                  \
    "[group c]\ncount = 4\nstep = cpu 12ms\nstep = sleep 2ms\nstep = cpu-sumsq 300000\n"

static const char *const gil_on = LESSON "[run]\nworkers = 4\ngil_interval = 1ms\n" CPU_TASKS;
static const char *const gil_off =
    LESSON "[run]\nworkers = 4\ngil_interval = 1ms\ngil = off\n" CPU_TASKS;

static bool is_cpu(int kind)
{
    return kind == SL_STEP_CPU || kind == SL_STEP_CPU_SUMSQ;
}

/* The most tasks computing a cpu step at the same moment, from the trace. */
static uint32_t max_computing(const run_out *out)
{
    uint32_t n = out->sc->n_tasks, now = 0, most = 0;
    bool *running = calloc(n, sizeof(bool));
    int *kind = calloc(n, sizeof(int));
    assert_non_null(running);
    assert_non_null(kind);
    for (uint32_t i = 0; i < n; i++)
        kind[i] = -1;
    for (size_t k = 0; k < out->trace->count; k++) {
        const sl_event *e = &out->trace->events[k];
        if (e->task >= n)
            continue;
        bool before = running[e->task] && is_cpu(kind[e->task]);
        switch (e->kind) {
        case SL_EV_RUN:
            running[e->task] = (e->vehicle & SL_VEHICLE_COROUTINE) == 0;
            break;
        case SL_EV_STEP:
            kind[e->task] = (int)e->reason;
            break;
        case SL_EV_READY:
        case SL_EV_BLOCK:
        case SL_EV_GIL_DROP:
        case SL_EV_YIELD:
        case SL_EV_WAKE:
        case SL_EV_EXIT:
            running[e->task] = false;
            break;
        default:
            break;
        }
        bool after = running[e->task] && is_cpu(kind[e->task]);
        now += (uint32_t)after - (uint32_t)before;
        most = now > most ? now : most;
    }
    free(running);
    free(kind);
    return most;
}

/* Runs `st` on `text`; every task must complete. Returns the GIL takes. */
static uint32_t run_checked(const sl_strategy *st, const char *text, run_out *out)
{
    memset(out, 0, sizeof(*out));
    out->sc = harness_parse(text);
    atomic_int stop = 0;
    sl_run_ctx ctx = harness_ctx(out->sc, &stop, &out->res);
    ctx.worker_exe = getenv("SCHEDLAB_WORKER_EXE");
    harness_run(st, &ctx, 0, 1u << 14, 0, out);
    assert_int_equal(out->status, 0);
    assert_int_equal(out->res.completed, out->sc->n_tasks);
    uint32_t takes = 0;
    for (size_t k = 0; k < out->trace->count; k++)
        takes += out->trace->events[k].kind == SL_EV_GIL_TAKE;
    return takes;
}

/* GIL on: cpu steps take turns; off: at least two compute at once. */
static void one_interpreter(const sl_strategy *st)
{
    run_out out;
    uint32_t takes = run_checked(st, gil_on, &out);
    uint32_t most = max_computing(&out);
    print_message("%-14s GIL on:  %u GIL takes, at most %u computing\n", st->name, takes, most);
    assert_true(takes >= 8); /* two cpu steps a task, each under the GIL */
    assert_int_equal(most, 1);
    harness_free(&out);

    takes = run_checked(st, gil_off, &out);
    most = max_computing(&out);
    print_message("%-14s GIL off: %u GIL takes, at most %u computing\n", st->name, takes, most);
    assert_int_equal(takes, 0);
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
        assert_true(most >= 2);
    harness_free(&out);
}

static void threads_follow_the_gil(void **state)
{
    one_interpreter(&sl_strategy_threads);
}

static void threadpool_follows_the_gil(void **state)
{
    one_interpreter(&sl_strategy_threadpool);
}

static void async_threads_executor_follows_the_gil(void **state)
{
    one_interpreter(&sl_strategy_async_threads);
}

/* The gil strategy is threads with the GIL on whatever the scenario says. */
static void gil_strategy_always_has_it(void **state)
{
    run_out out;
    uint32_t takes = run_checked(&sl_strategy_gil, gil_off, &out);
    assert_true(takes >= 8);
    assert_int_equal(max_computing(&out), 1);
    harness_free(&out);
}

/* A GIL per interpreter, or per process: with the GIL on, workers still
 * compute at once, and nothing ever waits for another worker's lock. */
static void own_gil_per_worker(const sl_strategy *st)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        skip();
    run_out out;
    run_checked(st, gil_on, &out);
    uint32_t most = max_computing(&out);
    print_message("%-14s GIL on: at most %u computing\n", st->name, most);
    assert_true(most >= 2);
    for (size_t k = 0; k < out.trace->count; k++)
        assert_false(out.trace->events[k].kind == SL_EV_READY &&
                     out.trace->events[k].reason == SL_READY_GIL);
    harness_free(&out);
}

static void interpreters_have_a_gil_each(void **state)
{
    own_gil_per_worker(&sl_strategy_interpreters);
}

static void procpool_has_a_gil_per_process(void **state)
{
    if (harness_worker_exe() == NULL)
        skip();
    own_gil_per_worker(&sl_strategy_procpool);
    harness_assert_no_children();
}

/* interpreters: each worker's creation includes building its private copy
 * of the scenario, so it costs more than a bare pool thread, per worker. */
static void interpreters_creation_is_measured(void **state)
{
    run_out pool, interp;
    run_checked(&sl_strategy_threadpool, gil_off, &pool);
    run_checked(&sl_strategy_interpreters, gil_off, &interp);
    assert_int_equal(pool.res.n_vehicles, 4);
    assert_int_equal(interp.res.n_vehicles, 4);
    assert_true(interp.res.vehicle_create_ns > 0);
    print_message("creation per worker: thread %.1f us, interpreter %.1f us\n",
                  pool.res.vehicle_create_ns / 4e3, interp.res.vehicle_create_ns / 4e3);
    harness_free(&pool);
    harness_free(&interp);
}

int main(void)
{
    /* before any thread, as the app does: the default start method's server */
    if (sl_forkserver_start() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_follow_the_gil),
        cmocka_unit_test(threadpool_follows_the_gil),
        cmocka_unit_test(async_threads_executor_follows_the_gil),
        cmocka_unit_test(gil_strategy_always_has_it),
        cmocka_unit_test(interpreters_have_a_gil_each),
        cmocka_unit_test(procpool_has_a_gil_per_process),
        cmocka_unit_test(interpreters_creation_is_measured),
    };
    return cmocka_run_group_tests(tests, harness_server_setup, harness_server_teardown);
}
