/*
 * test-strategy-coroutines.c - the coroutine strategy runs real tasks on one
 * libuv loop and leaves a trace that keeps asyncio's promises.
 *
 * The scaffolding (run_with, over strategy-harness.h) runs the strategy the
 * way the engine does: latency server, rings, the test thread bound to ring
 * 0 as the runner, a collector; check_trace then folds the finished trace
 * per task, failing on any transition event.h forbids. On top of that, the
 * coroutine checks: one loop thread means at most one coroutine RUNning at
 * any instant, every RUN is announced by a SWITCH to that task, waits
 * overlap, a cpu step holds the whole loop, a failed GET fails its task
 * only, a stop cancels the rest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/work.h"
#include "strategy-harness.h"

extern const sl_strategy sl_strategy_coroutines;

#define CORO_VEHICLE 0x40000000u

/* Runs the strategy on the scenario text as the engine would; with
 * stop_after_ns > 0 another thread asks the run to stop after that long. */
static void run_with(const char *text, uint64_t stop_after_ns, run_out *out)
{
    memset(out, 0, sizeof(*out));
    char full[2048];
    snprintf(full, sizeof(full), "[lesson]\ntitle = coroutines test\n%s", text);
    out->sc = harness_parse(full);
    atomic_int stop = 0;
    sl_run_ctx ctx = harness_ctx(out->sc, &stop, &out->res);
    harness_run(&sl_strategy_coroutines, &ctx, 0, 1u << 16, stop_after_ns, out);
}

/* ---- the task state machine, with the loop's one-at-a-time rule ---------- */

enum { ST_NEW, ST_READY, ST_RUNNING, ST_WAITING, ST_DONE };

typedef struct task_track {
    int state;
    int spawns, exits, runs;
    int64_t step; /* last STEP index, -1 before the first */
    uint32_t wait_reason;
    uint32_t exit_status;
} task_track;

typedef struct trace_facts {
    uint32_t runs, switches;
    uint32_t max_waiting; /* most tasks waiting at once: overlapped waits */
    uint32_t exits[3];    /* by sl_exit_status */
    uint32_t vehicle_starts, vehicle_exits;
} trace_facts;

static void check_trace(const run_out *out, trace_facts *f)
{
    const sl_scenario *sc = out->sc;
    const sl_trace *tr = out->trace;
    task_track *t = calloc(sc->n_tasks, sizeof(*t));
    assert_non_null(t);
    for (uint32_t i = 0; i < sc->n_tasks; i++)
        t[i].step = -1;
    memset(f, 0, sizeof(*f));
    uint32_t running = SL_NO_TASK, switched_to = SL_NO_TASK, waiting = 0;

    for (size_t k = 0; k < tr->count; k++) {
        const sl_event *e = &tr->events[k];
        if (k > 0)
            assert_true(e->t_ns >= tr->events[k - 1].t_ns);
        if (e->kind == SL_EV_MARK) {
            f->vehicle_starts += e->reason == SL_MARK_VEHICLE_START;
            f->vehicle_exits += e->reason == SL_MARK_VEHICLE_EXIT;
            continue;
        }
        if (e->task >= sc->n_tasks)
            fail_msg("event %zu (%s) for task %u of %u", k, sl_event_kind_name(e->kind), e->task,
                     sc->n_tasks);
        if (e->vehicle != (CORO_VEHICLE | e->task))
            fail_msg("event %zu: task %u on vehicle %#x", k, e->task, e->vehicle);
        task_track *x = &t[e->task];
        int from = x->state;
        if (from == ST_DONE)
            fail_msg("task %u: %s after its EXIT", e->task, sl_event_kind_name(e->kind));
        bool ok = false;
        switch (e->kind) {
        case SL_EV_SPAWN:
            ok = from == ST_NEW;
            x->spawns++;
            x->state = ST_READY;
            break;
        case SL_EV_READY:
            ok = (from == ST_READY || from == ST_RUNNING) && e->reason == SL_READY_LOOP;
            x->state = from == ST_RUNNING ? ST_RUNNING : ST_READY;
            break;
        case SL_EV_SWITCH:
            /* The scheduler only switches to a ready task, from nobody running. */
            ok = from == ST_READY && running == SL_NO_TASK;
            switched_to = e->task;
            f->switches++;
            break;
        case SL_EV_RUN:
            ok = from == ST_READY && running == SL_NO_TASK && switched_to == e->task &&
                 (int64_t)e->arg == (x->step < 0 ? 0 : x->step);
            switched_to = SL_NO_TASK;
            running = e->task;
            x->runs++;
            f->runs++;
            x->state = ST_RUNNING;
            break;
        case SL_EV_STEP:
            ok = from == ST_RUNNING && (int64_t)e->arg == x->step + 1 &&
                 e->reason == sl_task_steps(sc, e->task)[e->arg].kind;
            x->step = (int64_t)e->arg;
            break;
        case SL_EV_BLOCK:
            ok = from == ST_RUNNING && running == e->task;
            running = SL_NO_TASK;
            x->wait_reason = e->reason;
            x->state = ST_WAITING;
            waiting++;
            f->max_waiting = waiting > f->max_waiting ? waiting : f->max_waiting;
            break;
        case SL_EV_WAKE:
            ok = from == ST_WAITING && e->reason == x->wait_reason;
            waiting--;
            x->state = ST_READY;
            break;
        case SL_EV_YIELD:
            ok = from == ST_RUNNING && running == e->task;
            running = SL_NO_TASK;
            x->state = ST_READY;
            break;
        case SL_EV_EXIT:
            ok = e->reason <= SL_EXIT_CANCELLED;
            if (e->reason == SL_EXIT_OK)
                ok = ok && from == ST_RUNNING && x->step + 1 == (int64_t)sc->tasks[e->task].n_steps;
            if (e->reason == SL_EXIT_FAILED)
                ok = ok && from == ST_RUNNING;
            if (from == ST_RUNNING)
                running = SL_NO_TASK;
            if (from == ST_WAITING)
                waiting--;
            x->exits++;
            x->exit_status = e->reason;
            f->exits[e->reason <= SL_EXIT_CANCELLED ? e->reason : 0]++;
            x->state = ST_DONE;
            break;
        default:
            fail_msg("unexpected event kind %u", e->kind);
        }
        if (!ok)
            fail_msg("task %u: %s (reason %u, arg %llu) not allowed in state %d at event %zu "
                     "(running %u)",
                     e->task, sl_event_kind_name(e->kind), e->reason, (unsigned long long)e->arg,
                     from, k, running);
    }
    for (uint32_t i = 0; i < sc->n_tasks; i++) {
        if (t[i].exits != 1 || t[i].state != ST_DONE)
            fail_msg("task %u: %d exits", i, t[i].exits);
        assert_int_equal(t[i].spawns, 1);
        if (t[i].exit_status != SL_EXIT_CANCELLED)
            assert_true(t[i].runs >= 1);
    }
    assert_int_equal(running, SL_NO_TASK);
    assert_int_equal(f->runs, f->switches);
    free(t);
}

/* ---- a mixed program ---------------------------------------------------- */

static void mixed_program_completes(void **state)
{
    run_out out;
    run_with("[group mix]\n"
             "count = 6\n"
             "step = cpu 2ms\n"
             "step = io 5ms 200\n"
             "step = cpu-sumsq 100000\n"
             "step = sleep 3ms\n"
             "step = yield\n"
             "step = cpu 1ms\n"
             "step = sleep 1ms\n",
             0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    uint32_t n = out.sc->n_tasks;
    assert_int_equal(f.exits[SL_EXIT_OK], n);
    assert_int_equal(out.res.completed, n);
    assert_int_equal(out.res.failed + out.res.cancelled, 0);
    assert_int_equal(out.res.n_vehicles, n);
    assert_int_equal(f.vehicle_starts, n);
    assert_int_equal(f.vehicle_exits, n);
    /* Start, after io, after sleep, after yield, after sleep: 5 RUNs each. */
    assert_int_equal(f.runs, 5 * n);
    assert_true(f.max_waiting > 1);
    assert_true(out.res.cpu_ns > 0);
    assert_true(out.res.vehicle_create_ns > 0);
    assert_int_equal(out.res.error[0], '\0');
    harness_free(&out);
}

/* ---- yield goes to the back of the ready queue ---------------------------- */

static void yields_take_turns(void **state)
{
    run_out out;
    run_with("[group y]\ncount = 3\nstep = yield\nstep = yield\nstep = yield\n", 0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    /* FIFO: RUN order is 0 1 2 0 1 2 ... */
    uint32_t expect = 0, runs = 0;
    for (size_t k = 0; k < out.trace->count; k++) {
        const sl_event *e = &out.trace->events[k];
        if (e->kind != SL_EV_RUN)
            continue;
        assert_int_equal(e->task, expect);
        expect = (expect + 1) % 3;
        runs++;
    }
    assert_int_equal(runs, 3 * 4);
    harness_free(&out);
}

/* ---- io waits overlap; a cpu step holds the loop ------------------------- */

static void io_waits_overlap(void **state)
{
    run_out out;
    run_with("[group page]\ncount = 10\nstep = io 200ms 1000\n", 0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    assert_int_equal(out.res.completed, 10);
    assert_int_equal(f.max_waiting, 10);
    print_message("10 x io 200 ms: %.0f ms\n", out.wall_ns / 1e6);
    /* One after another would take 2 s. */
    assert_true(out.wall_ns < 1600000000ull);
    harness_free(&out);
}

static void cpu_step_blocks_the_loop(void **state)
{
    run_out out;
    run_with("[task hog]\nstep = yield\nstep = cpu 100ms\n"
             "[group chatty]\ncount = 3\n"
             "step = yield\nstep = sleep 1ms\nstep = yield\nstep = sleep 1ms\nstep = yield\n",
             0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    assert_int_equal(out.res.completed, 4);
    uint64_t cpu_start = 0, cpu_end = 0;
    size_t k = 0;
    for (; k < out.trace->count; k++) {
        const sl_event *e = &out.trace->events[k];
        if (e->kind == SL_EV_STEP && e->task == 0 && e->reason == SL_STEP_CPU) {
            cpu_start = e->t_ns;
            break;
        }
    }
    assert_true(k < out.trace->count);
    for (k++; k < out.trace->count; k++) {
        const sl_event *e = &out.trace->events[k];
        if (e->task == 0) {
            cpu_end = e->t_ns;
            assert_int_equal(e->kind, SL_EV_EXIT);
            break;
        }
        /* Nothing else runs, and no wait ends into a RUN, during the step. */
        if (e->kind == SL_EV_RUN || e->kind == SL_EV_SWITCH)
            fail_msg("task %u ran during the cpu step", e->task);
    }
    assert_true(cpu_end > cpu_start);
    print_message("cpu step held the loop for %.0f ms\n", (cpu_end - cpu_start) / 1e6);
    /* Loose: the calibration may have run on a busier machine. */
    assert_true(cpu_end - cpu_start >= 10000000ull);
    /* The sleepers did get their turns before and after. */
    uint32_t others = 0;
    for (k = 0; k < out.trace->count; k++)
        others += out.trace->events[k].kind == SL_EV_RUN && out.trace->events[k].task != 0;
    assert_true(others >= 3 * 5);
    harness_free(&out);
}

static void thousands_of_sleepers(void **state)
{
    run_out out;
    run_with("[group napper]\ncount = 1000\nstep = sleep 100ms\nstep = yield\n", 0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    assert_int_equal(out.res.completed, 1000);
    assert_int_equal(f.max_waiting, 1000);
    print_message("1000 x sleep 100 ms: %.0f ms\n", out.wall_ns / 1e6);
    /* One after another: 100 s. */
    assert_true(out.wall_ns < 10000000000ull);
    harness_free(&out);
}

/* ---- failures and stops --------------------------------------------------- */

static void failed_get_fails_only_its_task(void **state)
{
    run_out out;
    run_with("[group fine]\ncount = 2\nstep = io 1ms\nstep = sleep 1ms\n"
             "[task broken]\nstep = get http://127.0.0.1:1/refused\nstep = yield\n",
             0, &out);
    assert_int_equal(out.status, 0);
    trace_facts f;
    check_trace(&out, &f);
    assert_int_equal(out.res.completed, 2);
    assert_int_equal(out.res.failed, 1);
    assert_int_equal(f.exits[SL_EXIT_FAILED], 1);
    assert_int_equal(out.res.n_failures, 1);
    print_message("failure: %s\n", out.res.failures[0]);
    assert_non_null(strstr(out.res.failures[0], "task broken: GET http://127.0.0.1:1/refused"));
    harness_free(&out);
}

static void stop_cancels_pending(void **state)
{
    run_out out;
    run_with("[group napper]\ncount = 4\nstep = sleep 10s\n"
             "[group worker]\ncount = 2\nstep = io 10s\n"
             "[group spinner]\ncount = 2\nstep = cpu 5ms\nstep = yield\nstep = cpu 10s\n",
             150000000ull, &out);
    trace_facts f;
    check_trace(&out, &f);
    print_message("stopped after %.0f ms\n", out.wall_ns / 1e6);
    assert_true(out.wall_ns < 5000000000ull);
    uint32_t n = out.sc->n_tasks;
    assert_int_equal(f.exits[SL_EXIT_CANCELLED], n);
    assert_int_equal(out.res.cancelled, n);
    assert_int_equal(out.res.completed + out.res.failed, 0);
    harness_free(&out);
}

static int setup(void **state)
{
    sl_work_calibrate();
    return harness_server_setup(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_program_completes), cmocka_unit_test(yields_take_turns),
        cmocka_unit_test(io_waits_overlap),        cmocka_unit_test(cpu_step_blocks_the_loop),
        cmocka_unit_test(thousands_of_sleepers),   cmocka_unit_test(failed_get_fails_only_its_task),
        cmocka_unit_test(stop_cancels_pending),
    };
    return cmocka_run_group_tests(tests, setup, harness_server_teardown);
}
