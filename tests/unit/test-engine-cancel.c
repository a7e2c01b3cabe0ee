/*
 * test-engine-cancel.c - cancelling one task of a live run (Future.cancel).
 *
 * A task not started yet can be cancelled: it then ends with EXIT
 * (CANCELLED) and never RUNs; a task already running cannot, and
 * sl_run_cancel_task says so with SL_ESTATE. The race between a vehicle
 * starting a task and the UI cancelling it must have one winner: the last
 * test cancels every task of a run of short tasks while they start, and
 * checks each task's events against the answer it got.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "schedlab/proc.h"
#include "schedlab/error.h"
#include "schedlab/engine.h"
#include "engine-fixture.h"

static const char *five_sleeps = "[lesson]\ntitle = futures\ncaption = five futures\n"
                                 "[run]\nseed = 1\nworkers = 1\n"
                                 "[group page]\ncount = 5\nstep = sleep 200ms\n";

/* Coroutines start every task at once unless one keeps the loop: task 0's
 * cpu step holds it while the others wait for their first turn. */
static const char *five_cpus = "[lesson]\ntitle = futures\ncaption = five coroutines\n"
                               "[run]\nseed = 1\nworkers = 1\n"
                               "[group page]\ncount = 5\nstep = cpu 150ms\n";

static const char *many_short = "[lesson]\ntitle = race\ncaption = many short futures\n"
                                "[run]\nseed = 1\nworkers = 2\n"
                                "[group t]\ncount = 60\nstep = sleep 1ms\n";

static void nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* True once the live trace holds an event of `kind` for `task`. */
static bool trace_has(sl_run *r, uint32_t task, int kind)
{
    sl_trace *t = sl_run_trace(r);
    if (t == NULL)
        return false;
    bool found = false;
    {
        sl_trace_view held;
        sl_trace_read(t, &held);
        for (size_t i = 0; i < held.count && !found; i++)
            found = held.events[i].task == task && held.events[i].kind == kind;
        sl_trace_read_end(&held);
    }
    return found;
}

/* Events of `task` in a finished trace, by kind; *exit_status the EXIT's. */
static void count_events(const sl_trace *t, uint32_t task, size_t counts[SL_EV__COUNT],
                         uint32_t *exit_status)
{
    memset(counts, 0, sizeof(size_t) * SL_EV__COUNT);
    *exit_status = UINT32_MAX;
    for (size_t i = 0; i < t->count; i++) {
        const sl_event *e = &t->events[i];
        if (e->task != task || e->kind >= SL_EV__COUNT || e->kind == SL_EV_SWITCH)
            continue;
        counts[e->kind]++;
        if (e->kind == SL_EV_EXIT)
            *exit_status = e->reason;
    }
}

static sl_scenario *parse(const char *text)
{
    sl_scenario *sc;
    sl_diag diag;
    assert_int_equal(sl_scenario_parse("futures.ini", text, &sc, &diag), 0);
    return sc;
}

/* Task 0 runs, task 4 waits: cancelling 4 works, cancelling 0 does not. */
static void cancel_queued_not_running(const char *strategy, const char *text)
{
    sl_scenario *sc = parse(text);
    sl_run_opts opts = {.sc = sc, .strategy = sl_strategy_find(strategy), .workers = 1};
    assert_non_null(opts.strategy);
    sl_run *r;
    assert_int_equal(sl_run_start(&r, engine, &opts), 0);
    for (int i = 0; i < 5000 && !trace_has(r, 0, SL_EV_RUN); i++)
        nap_ms(1);
    assert_true(trace_has(r, 0, SL_EV_RUN));

    assert_int_equal(sl_run_cancel_task(r, 4), 0);
    assert_int_equal(sl_run_cancel_task(r, 4), SL_ESTATE); /* already cancelled */
    assert_int_equal(sl_run_cancel_task(r, 0), SL_ESTATE); /* running */
    assert_int_equal(sl_run_cancel_task(r, 5), SL_EINVAL);

    sl_run_result res;
    assert_int_equal(sl_run_wait(r, &res), 0);
    assert_int_equal(sl_run_cancel_task(r, 1), SL_ESTATE); /* the run is over */
    assert_int_equal(res.completed, 4);
    assert_int_equal(res.cancelled, 1);
    assert_int_equal(res.failed, 0);

    sl_trace *t = sl_run_take_trace(r);
    size_t counts[SL_EV__COUNT];
    uint32_t status;
    count_events(t, 4, counts, &status);
    assert_int_equal(counts[SL_EV_SPAWN], 1);
    assert_int_equal(counts[SL_EV_EXIT], 1);
    assert_int_equal(status, SL_EXIT_CANCELLED);
    assert_int_equal(counts[SL_EV_RUN], 0);
    assert_int_equal(counts[SL_EV_STEP], 0);
    assert_int_equal(counts[SL_EV_BLOCK], 0);
    count_events(t, 0, counts, &status);
    assert_int_equal(status, SL_EXIT_OK);
    assert_true(counts[SL_EV_RUN] >= 1);
    sl_trace_free(t);
    sl_run_free(r);
    sl_scenario_free(sc);
}

static void test_threadpool_cancels_a_queued_task(void **state)
{
    cancel_queued_not_running("threadpool", five_sleeps);
}

static void test_procpool_cancels_a_queued_task(void **state)
{
    cancel_queued_not_running("procpool", five_sleeps);
}

static void test_sequential_cancels_a_task_not_reached(void **state)
{
    cancel_queued_not_running("sequential", five_sleeps);
}

static void test_coroutines_cancel_a_task_before_its_first_step(void **state)
{
    cancel_queued_not_running("coroutines", five_cpus);
}

/* Every task gets exactly one answer, and its events agree with it. */
static void cancel_all_while_starting(const char *strategy)
{
    sl_scenario *sc = parse(many_short);
    uint32_t n = sc->n_tasks;
    sl_run_opts opts = {.sc = sc, .strategy = sl_strategy_find(strategy)};
    assert_non_null(opts.strategy);
    sl_run *r;
    assert_int_equal(sl_run_start(&r, engine, &opts), 0);
    for (int i = 0; i < 5000 && !trace_has(r, 0, SL_EV_SPAWN); i++)
        nap_ms(1);
    int answer[60];
    uint32_t refused = 0;
    for (uint32_t t = 0; t < n; t++) {
        answer[t] = sl_run_cancel_task(r, t);
        assert_true(answer[t] == 0 || answer[t] == SL_ESTATE);
        refused += answer[t] != 0;
        if (t % 8 == 7)
            nap_ms(1);
    }
    sl_run_result res;
    assert_int_equal(sl_run_wait(r, &res), 0);
    assert_int_equal(res.cancelled, n - refused);
    assert_int_equal(res.completed, refused);
    sl_trace *t = sl_run_take_trace(r);
    for (uint32_t k = 0; k < n; k++) {
        size_t counts[SL_EV__COUNT];
        uint32_t status;
        count_events(t, k, counts, &status);
        assert_int_equal(counts[SL_EV_EXIT], 1);
        if (answer[k] == 0) {
            assert_int_equal(status, SL_EXIT_CANCELLED);
            assert_int_equal(counts[SL_EV_RUN], 0);
        } else {
            assert_int_equal(status, SL_EXIT_OK);
            assert_true(counts[SL_EV_RUN] >= 1);
        }
    }
    sl_trace_free(t);
    sl_run_free(r);
    sl_scenario_free(sc);
}

static void test_threadpool_race_has_one_winner(void **state)
{
    cancel_all_while_starting("threadpool");
}

static void test_procpool_race_has_one_winner(void **state)
{
    cancel_all_while_starting("procpool");
}

static void test_threads_race_has_one_winner(void **state)
{
    cancel_all_while_starting("threads");
}

int main(void)
{
    /* before any thread, as the app does: the default start method's server */
    if (sl_forkserver_start() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threadpool_cancels_a_queued_task),
        cmocka_unit_test(test_procpool_cancels_a_queued_task),
        cmocka_unit_test(test_sequential_cancels_a_task_not_reached),
        cmocka_unit_test(test_coroutines_cancel_a_task_before_its_first_step),
        cmocka_unit_test(test_threadpool_race_has_one_winner),
        cmocka_unit_test(test_procpool_race_has_one_winner),
        cmocka_unit_test(test_threads_race_has_one_winner),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
