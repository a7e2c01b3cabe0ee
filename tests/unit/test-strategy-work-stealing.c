/*
 * test-strategy-work-stealing.c - coroutines on N worker threads with
 * stealing: every promise of the hook contract, folded from the trace, and
 * the scheduler's own:
 *
 *   - each task is spawned once, runs, and exits exactly once;
 *   - a coroutine is never running on two workers at once, and a worker
 *     runs one coroutine at a time;
 *   - every steal moves tasks that were queued at the victim: each task a
 *     STEAL says moved was waiting in the victim's queue, and reappears in
 *     the thief's;
 *   - a task that resumes on another worker says MIGRATE first;
 *   - under 100,000 short tasks on 2 to 8 workers no task is lost or run
 *     twice. Under a sanitizer (the tsan preset) the same run has 5,000
 *     tasks per worker count: ThreadSanitizer slows every lock and atomic
 *     some fifty times, and 4 x 100,000 would outlast CTest's timeout.
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
#include "schedlab/steal.h"
#include "strategy-harness.h"

extern const sl_strategy sl_strategy_work_stealing;

static void run_with(const char *text, uint32_t workers, uint32_t ring_capacity,
                     uint64_t stop_after_ns, run_out *out)
{
    memset(out, 0, sizeof(*out));
    size_t size = strlen(text) + 128;
    char *full = malloc(size);
    assert_non_null(full);
    snprintf(full, size, "[lesson]\ntitle = work-stealing test\n%s", text);
    out->sc = harness_parse(full);
    free(full);
    atomic_int stop = 0;
    sl_run_ctx ctx = harness_ctx(out->sc, &stop, &out->res);
    ctx.workers = workers;
    harness_run(&sl_strategy_work_stealing, &ctx, 0, ring_capacity, stop_after_ns, out);
}

/* ---- the fold ------------------------------------------------------------ */

enum { ST_NEW, ST_READY, ST_RUNNING, ST_WAITING, ST_DONE };

typedef struct task_track {
    uint8_t state;
    uint8_t spawns, exits, switched, migrated;
    uint32_t queue;  /* SL_READY_AT_* of its latest READY while ready */
    uint32_t worker; /* worker of its latest RUN, or SL_NO_TASK */
    uint32_t runs;
    int64_t step;
    uint32_t wait_reason, exit_status;
} task_track;

typedef struct facts {
    uint64_t steals, stolen, migrations, parks, unparks, runs;
    uint32_t exits[3];
    uint32_t workers_used; /* bit per worker that ran something */
    uint32_t max_waiting;  /* most tasks waiting at once: overlapped waits */
} facts;

/* A steal still owed its tasks: `left` READYs at the thief to come. */
typedef struct pending_steal {
    uint32_t from, to, left;
} pending_steal;

static void check_trace(const run_out *out, uint32_t workers, facts *f)
{
    const sl_scenario *sc = out->sc;
    const sl_trace *tr = out->trace;
    task_track *t = calloc(sc->n_tasks, sizeof(*t));
    assert_non_null(t);
    for (uint32_t i = 0; i < sc->n_tasks; i++) {
        t[i].step = -1;
        t[i].worker = SL_NO_TASK;
    }
    uint32_t on_worker[SL_STEAL_MAX_WORKERS];
    bool parked[SL_STEAL_MAX_WORKERS] = {0};
    for (uint32_t w = 0; w < SL_STEAL_MAX_WORKERS; w++)
        on_worker[w] = SL_NO_TASK;
    pending_steal pend[SL_STEAL_MAX_WORKERS];
    memset(pend, 0, sizeof(pend));
    memset(f, 0, sizeof(*f));
    uint32_t waiting = 0;

    for (size_t k = 0; k < tr->count; k++) {
        const sl_event *e = &tr->events[k];
        if (e->kind == SL_EV_MARK || e->kind == SL_EV_OS_SAMPLE || e->kind == SL_EV_OBJECT)
            continue;
        if (e->kind == SL_EV_STEAL) {
            uint32_t from = e->reason, to = SL_STEAL_THIEF(e->arg), n = SL_STEAL_COUNT(e->arg);
            assert_true(from < workers && to < workers && from != to);
            assert_true(n >= 1 && n <= SL_RUNQ_CAP);
            /* a thief owes one steal's tasks before it steals again */
            if (pend[to].left != 0)
                fail_msg("event %zu: worker %u steals again with %u tasks of its last steal "
                         "unaccounted",
                         k, to, pend[to].left);
            pend[to] = (pending_steal){.from = from, .to = to, .left = n};
            f->steals++;
            f->stolen += n;
            continue;
        }
        if (e->kind == SL_EV_PARK || e->kind == SL_EV_UNPARK) {
            assert_true(e->reason < workers);
            /* PARK and UNPARK alternate per worker */
            assert_int_equal(parked[e->reason], e->kind == SL_EV_UNPARK);
            parked[e->reason] = e->kind == SL_EV_PARK;
            if (e->kind == SL_EV_PARK)
                f->parks++;
            else
                f->unparks++;
            continue;
        }
        if (e->task >= sc->n_tasks)
            fail_msg("event %zu (%s) for task %u of %u", k, sl_event_kind_name(e->kind), e->task,
                     sc->n_tasks);
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
            x->queue = 0;
            break;
        case SL_EV_READY: {
            ok = (from == ST_READY || from == ST_RUNNING) && e->reason == SL_READY_LOOP &&
                 e->arg >= SL_READY_AT_GLOBAL && e->arg < SL_READY_AT_WORKER(workers);
            uint32_t q = (uint32_t)e->arg;
            if (from == ST_READY && x->queue >= SL_READY_AT_WORKER(0)) {
                /* a queued task changes queues only by a steal from its queue */
                uint32_t victim = x->queue - SL_READY_AT_WORKER(0);
                uint32_t thief = q - SL_READY_AT_WORKER(0);
                if (q < SL_READY_AT_WORKER(0) || pend[thief].left == 0 ||
                    pend[thief].from != victim)
                    fail_msg("event %zu: task %u moved from worker %u's queue to queue %u "
                             "without a steal",
                             k, e->task, victim, q);
                pend[thief].left--;
            } else if (from == ST_READY && x->queue == SL_READY_AT_GLOBAL) {
                /* from the global queue only into a worker's */
                ok = ok && q >= SL_READY_AT_WORKER(0);
            }
            x->queue = q;
            x->state = from == ST_RUNNING ? ST_RUNNING : ST_READY;
            break;
        }
        case SL_EV_SWITCH:
            ok = from == ST_READY && !x->switched;
            x->switched = 1;
            break;
        case SL_EV_MIGRATE:
            ok = from == ST_READY && x->switched == 0 && e->reason == x->worker &&
                 e->arg != x->worker && e->arg < workers;
            x->migrated = 1;
            f->migrations++;
            break;
        case SL_EV_RUN: {
            uint32_t w = e->reason - 1;
            /* never two workers on one coroutine, never two coroutines on a worker */
            ok = from == ST_READY && x->switched && e->reason >= 1 && w < workers &&
                 on_worker[w] == SL_NO_TASK && (int64_t)e->arg == (x->step < 0 ? 0 : x->step);
            /* on another worker than last time: a MIGRATE said so first */
            bool moved = x->worker != SL_NO_TASK && x->worker != w;
            ok = ok && moved == (x->migrated != 0);
            x->switched = 0;
            x->migrated = 0;
            x->worker = w < workers ? w : x->worker;
            if (w < workers) {
                on_worker[w] = e->task;
                f->workers_used |= 1u << w;
            }
            x->runs++;
            f->runs++;
            x->state = ST_RUNNING;
            x->queue = 0;
            break;
        }
        case SL_EV_STEP:
            ok = from == ST_RUNNING && (int64_t)e->arg == x->step + 1 &&
                 e->reason == sl_task_steps(sc, e->task)[e->arg].kind;
            x->step = (int64_t)e->arg;
            break;
        case SL_EV_BLOCK:
        case SL_EV_YIELD:
            ok = from == ST_RUNNING && on_worker[x->worker] == e->task;
            on_worker[x->worker] = SL_NO_TASK;
            x->wait_reason = e->reason;
            x->state = e->kind == SL_EV_BLOCK ? ST_WAITING : ST_READY;
            x->queue = 0;
            if (e->kind == SL_EV_BLOCK && ++waiting > f->max_waiting)
                f->max_waiting = waiting;
            break;
        case SL_EV_WAKE:
            ok = from == ST_WAITING && e->reason == x->wait_reason;
            waiting--;
            x->state = ST_READY;
            x->queue = 0;
            break;
        case SL_EV_EXIT:
            ok = e->reason <= SL_EXIT_CANCELLED;
            if (e->reason == SL_EXIT_OK)
                ok = ok && from == ST_RUNNING && x->step + 1 == (int64_t)sc->tasks[e->task].n_steps;
            if (from == ST_RUNNING)
                on_worker[x->worker] = SL_NO_TASK;
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
            fail_msg("task %u: %s (reason %u, arg %llu) not allowed in state %d at event %zu",
                     e->task, sl_event_kind_name(e->kind), e->reason, (unsigned long long)e->arg,
                     from, k);
    }
    for (uint32_t i = 0; i < sc->n_tasks; i++) {
        if (t[i].exits != 1 || t[i].state != ST_DONE)
            fail_msg("task %u: %d exits", i, t[i].exits);
        assert_int_equal(t[i].spawns, 1);
        if (t[i].exit_status != SL_EXIT_CANCELLED)
            assert_true(t[i].runs >= 1);
    }
    for (uint32_t w = 0; w < workers; w++) {
        assert_int_equal(on_worker[w], SL_NO_TASK);
        assert_int_equal(pend[w].left, 0); /* every stolen task reappeared at the thief */
        assert_false(parked[w]);
    }
    free(t);
}

/* ---- the contract on a mixed program ---------------------------------------- */

static void mixed_program_completes(void **state)
{
    for (uint32_t workers = 1; workers <= 4; workers += 3) {
        run_out out;
        run_with("[run]\ngil = off\n"
                 "[group mix]\n"
                 "count = 12\n"
                 "step = cpu 2ms\n"
                 "step = io 5ms 200\n"
                 "step = cpu-sumsq 100000\n"
                 "step = sleep 3ms\n"
                 "step = yield\n"
                 "step = cpu 1ms\n"
                 "step = sleep 1ms\n",
                 workers, 1u << 16, 0, &out);
        assert_int_equal(out.status, 0);
        facts f;
        check_trace(&out, workers, &f);
        assert_int_equal(f.exits[SL_EXIT_OK], 12);
        assert_int_equal(out.res.completed, 12);
        assert_int_equal(out.res.failed, 0);
        /* 12 tasks x 7 steps, resumed after each wait and the yield at least */
        assert_true(f.runs >= 12 * 4);
        harness_free(&out);
    }
}

/* Shared objects between workers: a queue hands items across threads, a
 * lock is held by one task at a time, and both finish. */
static void shared_objects_across_workers(void **state)
{
    run_out out;
    run_with("[run]\ngil = off\n"
             "[queue jobs]\ncapacity = 2\n"
             "[group worker]\ncount = 3\nrepeat = 10\n"
             "step = take jobs\nstep = lock mu\nstep = cpu 100us\nstep = unlock mu\n"
             "[task producer]\nrepeat = 30\nstep = put jobs\nstep = cpu 50us\n",
             3, 1u << 16, 0, &out);
    assert_int_equal(out.status, 0);
    facts f;
    check_trace(&out, 3, &f);
    assert_int_equal(out.res.completed, 4);
    assert_int_equal(out.res.failed, 0);
    harness_free(&out);
}

/* One long task holds a worker while its queue is full of short ones: the
 * other workers steal them, and each steal moves tasks that were queued at
 * the victim (checked task by task in check_trace). */
static void idle_workers_steal_from_a_busy_one(void **state)
{
    run_out out;
    run_with("[run]\ngil = off\n"
             "[task long]\nstep = cpu 150ms\n"
             "[group short]\ncount = 60\nstep = cpu 2ms\nstep = sleep 1ms\nstep = cpu 1ms\n",
             2, 1u << 16, 0, &out);
    assert_int_equal(out.status, 0);
    facts f;
    check_trace(&out, 2, &f);
    assert_int_equal(out.res.completed, 61);
    assert_true(f.steals >= 1);
    assert_true(f.stolen >= f.steals);
    assert_int_equal(f.workers_used, 3u); /* both workers ran tasks */
    harness_free(&out);
}

/* The io poller hands a woken task to the worker it last ran on; a task
 * resumed elsewhere says MIGRATE (checked in check_trace against its RUN). */
static void sleeps_wake_through_the_poller(void **state)
{
    run_out out;
    run_with("[run]\ngil = off\n"
             "[group s]\ncount = 40\nrepeat = 3\nstep = sleep 2ms\nstep = cpu 500us\n",
             3, 1u << 16, 0, &out);
    assert_int_equal(out.status, 0);
    facts f;
    check_trace(&out, 3, &f);
    assert_int_equal(out.res.completed, 40);
    /* the sleeps overlap on the one poller */
    assert_true(f.max_waiting > 3);
    harness_free(&out);
}

/* A stop cancels what has not ended: every task still exits once. */
static void stop_cancels_the_rest(void **state)
{
    run_out out;
    run_with("[run]\ngil = off\n"
             "[group s]\ncount = 50\nstep = sleep 2s\n"
             "[group c]\ncount = 4\nstep = cpu 3s\n",
             2, 1u << 16, 100000000ull, &out);
    facts f;
    check_trace(&out, 2, &f);
    assert_int_equal(out.res.completed, 0);
    assert_int_equal(out.res.cancelled, 54);
    assert_true(out.wall_ns < 2000000000ull);
    harness_free(&out);
}

/* Under the sanitizers 100,000 tasks on the four worker counts take about
 * 25 minutes of CPU (TSan, measured), too long for every CI run: they run
 * 5,000, and the full stress runs in the plain builds. */
#ifdef SL_SANITIZED
#define STRESS_TASKS 5000u
#else
#define STRESS_TASKS 100000u
#endif

/* No task lost or run twice: STRESS_TASKS short tasks, on 2, 3, 5 and 8
 * workers. */
static void stress_no_task_lost_or_run_twice(void **state)
{
    static const uint32_t workers[] = {2, 3, 5, 8};
    char text[160];
    snprintf(text, sizeof text,
             "[run]\ngil = off\n"
             "[group t]\ncount = %u\nstep = cpu 1us\nstep = yield\nstep = cpu 1us\n",
             STRESS_TASKS);
    for (size_t k = 0; k < sizeof(workers) / sizeof(workers[0]); k++) {
        run_out out;
        run_with(text, workers[k], 1u << 19, 0, &out);
        assert_int_equal(out.status, 0);
        facts f;
        check_trace(&out, workers[k], &f);
        assert_int_equal(f.exits[SL_EXIT_OK], STRESS_TASKS);
        assert_int_equal(out.res.completed, STRESS_TASKS);
        assert_int_equal(out.res.failed + out.res.cancelled, 0);
        harness_free(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_program_completes),
        cmocka_unit_test(shared_objects_across_workers),
        cmocka_unit_test(idle_workers_steal_from_a_busy_one),
        cmocka_unit_test(sleeps_wake_through_the_poller),
        cmocka_unit_test(stop_cancels_the_rest),
        cmocka_unit_test(stress_no_task_lost_or_run_twice),
    };
    return cmocka_run_group_tests(tests, harness_server_setup, harness_server_teardown);
}
