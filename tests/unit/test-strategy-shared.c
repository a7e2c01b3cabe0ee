/*
 * test-strategy-shared.c - queues, counters and locks under every strategy.
 *
 * Two levels. The region itself (shared-objects.h) is driven from threads
 * of this test, so the order in which waiters are served can be pinned
 * down exactly: each waiter is started only once the previous one waits.
 * Then whole runs, wired as the engine does (rings with a blob, the runner's
 * ring bound to this thread, a collector), check the hooks (a wait is
 * BLOCK .. WAKE, RUN; no BLOCK without a wait; the GIL is dropped while
 * blocked), the race report (lost updates under parallel threads and
 * processes, none under a lock) and the stalls that fail tasks instead of
 * hanging the run: sequential take on an empty queue, a full thread pool,
 * two locks taken in opposite orders.
 *
 * Process runs need the worker binary (SCHEDLAB_WORKER_EXE, set by CMake);
 * without it they fail, naming it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/proc.h"
#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/work.h"
#include "strategy-harness.h"
#include "shared/shared-internal.h"

extern const sl_strategy sl_strategy_sequential;
extern const sl_strategy sl_strategy_threads;
extern const sl_strategy sl_strategy_threadpool;
extern const sl_strategy sl_strategy_interpreters;
extern const sl_strategy sl_strategy_gil;
extern const sl_strategy sl_strategy_processes;
extern const sl_strategy sl_strategy_procpool;
extern const sl_strategy sl_strategy_coroutines;
extern const sl_strategy sl_strategy_async_procs;

#define LESSON "[lesson]\ntitle = test\n"

static int group_setup(void **state)
{
    sl_work_calibrate();
    return 0;
}

/* ---- the region, driven directly ---------------------------------------- */

typedef struct direct {
    sl_scenario *sc;
    sl_shared *sh;
    void *mem;
    atomic_int stop;
    sl_run_result res;
    sl_run_ctx ctx;
    pthread_mutex_t log_mu;
    uint32_t log[16]; /* tasks, in the order they got through */
    uint32_t n_log;
} direct;

static void direct_open(direct *d, const char *text, uint32_t slots)
{
    memset(d, 0, sizeof(*d));
    d->sc = harness_parse(text);
    size_t size = sl_shared_size(d->sc);
    assert_true(size > 0);
    d->mem = aligned_alloc(64, (size + 63) & ~(size_t)63);
    assert_int_equal(sl_shared_init(d->mem, size, d->sc, slots, SL_SHARED_PER_TASK, &d->sh), 0);
    assert_int_equal(sl_shared_check(d->mem, size), 0);
    d->ctx = (sl_run_ctx){.sc = d->sc, .stop = &d->stop, .result = &d->res, .shared = d->sh};
    pthread_mutex_init(&d->log_mu, NULL);
    for (uint32_t t = 0; t < d->sc->n_tasks; t++)
        sl_shared_task_start(d->sh, t);
}

static void direct_close(direct *d)
{
    sl_shared_destroy(d->sh);
    free(d->mem);
    pthread_mutex_destroy(&d->log_mu);
    sl_scenario_free(d->sc);
}

static uint32_t blocked_now(direct *d)
{
    sl__sh_enter(d->sh);
    uint32_t n = d->sh->blocked;
    sl__sh_leave(d->sh);
    return n;
}

static void wait_blocked(direct *d, uint32_t n)
{
    for (int i = 0; i < 5000 && blocked_now(d) != n; i++)
        harness_sleep_ns(1000000);
    assert_int_equal(blocked_now(d), n);
}

static void no_block(void *arg, uint32_t task, sl_wait_reason reason) {}

static bool keep_polling(void *arg)
{
    return true;
}

static const sl_shared_hooks quiet = {.block = no_block, .wake = no_block, .poll = keep_polling};

/* Runs one step of a task. */
static int direct_step(direct *d, uint32_t task, uint32_t index)
{
    char why[160] = "";
    return sl_shared_step(d->sh, &d->ctx, task, &sl_task_steps(d->sc, task)[index], &quiet, why,
                          sizeof(why));
}

typedef struct vehicle {
    direct *d;
    uint32_t task;
    pthread_t thread;
    int err;
} vehicle;

/* A vehicle running every step of its task; it logs its task once the
 * first step (the take or lock that waits) went through. */
static void *vehicle_main(void *p)
{
    vehicle *v = p;
    for (uint32_t i = 0; i < v->d->sc->tasks[v->task].n_steps && v->err == 0; i++) {
        v->err = direct_step(v->d, v->task, i);
        if (i == 0 && v->err == 0) {
            pthread_mutex_lock(&v->d->log_mu);
            v->d->log[v->d->n_log++] = v->task;
            pthread_mutex_unlock(&v->d->log_mu);
        }
    }
    return NULL;
}

static uint32_t log_len(direct *d)
{
    pthread_mutex_lock(&d->log_mu);
    uint32_t n = d->n_log;
    pthread_mutex_unlock(&d->log_mu);
    return n;
}

static void wait_log(direct *d, uint32_t n)
{
    for (int i = 0; i < 5000 && log_len(d) < n; i++)
        harness_sleep_ns(1000000);
    assert_int_equal(log_len(d), n);
}

/* Takers that arrived first get the items first, one put at a time. */
static void test_take_serves_waiters_in_fifo_order(void **state)
{
    direct d;
    direct_open(&d,
                LESSON "[queue q]\ncapacity = 1\n[group cons]\ncount = 3\nstep = take q\n"
                       "[task prod]\nstep = put q\n",
                4);
    vehicle v[3];
    /* started in the order 2, 0, 1, each once the one before it waits */
    const uint32_t order[3] = {2, 0, 1};
    for (uint32_t i = 0; i < 3; i++) {
        v[i] = (vehicle){.d = &d, .task = order[i]};
        assert_int_equal(pthread_create(&v[i].thread, NULL, vehicle_main, &v[i]), 0);
        wait_blocked(&d, i + 1);
    }
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(direct_step(&d, 3, 0), 0);
        wait_log(&d, i + 1);
        assert_int_equal(d.log[i], order[i]);
    }
    for (uint32_t i = 0; i < 3; i++) {
        pthread_join(v[i].thread, NULL);
        assert_int_equal(v[i].err, 0);
    }
    assert_int_equal(d.sh->queues[0].count, 0);
    direct_close(&d);
}

/* A full queue makes the producer wait; each take lets exactly one more in. */
static void test_put_waits_while_full(void **state)
{
    direct d;
    direct_open(&d,
                LESSON "[queue q]\ncapacity = 2\n[task prod]\nstep = put q 4\n"
                       "[task cons]\nstep = take q\n",
                2);
    vehicle p = {.d = &d, .task = 0};
    assert_int_equal(pthread_create(&p.thread, NULL, vehicle_main, &p), 0);
    wait_blocked(&d, 1);
    assert_int_equal(d.sh->queues[0].count, 2);
    assert_int_equal(direct_step(&d, 1, 0), 0);
    /* the taken slot goes to the producer, which waits again for the 4th */
    bool refilled = false;
    for (int i = 0; i < 5000 && !refilled; i++) {
        sl__sh_enter(d.sh);
        refilled = d.sh->queues[0].head == 1 && d.sh->queues[0].count == 2 && d.sh->blocked == 1;
        sl__sh_leave(d.sh);
        if (!refilled)
            harness_sleep_ns(1000000);
    }
    assert_true(refilled);
    d.stop = 1;
    pthread_join(p.thread, NULL);
    assert_int_equal(p.err, SL_EINTR);
    assert_int_equal(blocked_now(&d), 0);
    direct_close(&d);
}

/* Lock waiters get the lock in the order they asked for it. */
static void test_lock_wakes_in_arrival_order(void **state)
{
    direct d;
    direct_open(&d,
                LESSON "[group w]\ncount = 3\nstep = lock m\nstep = unlock m\n"
                       "[task owner]\nstep = lock m\nstep = unlock m\n",
                4);
    assert_int_equal(direct_step(&d, 3, 0), 0); /* owner holds m */
    vehicle v[3];
    const uint32_t order[3] = {1, 2, 0};
    for (uint32_t i = 0; i < 3; i++) {
        v[i] = (vehicle){.d = &d, .task = order[i]};
        assert_int_equal(pthread_create(&v[i].thread, NULL, vehicle_main, &v[i]), 0);
        wait_blocked(&d, i + 1);
    }
    assert_int_equal(direct_step(&d, 3, 1), 0); /* owner unlocks */
    for (uint32_t i = 0; i < 3; i++)
        pthread_join(v[i].thread, NULL);
    /* a waiter logs before it unlocks, so the log is the order of locking */
    assert_int_equal(d.n_log, 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(d.log[i], order[i]);
    direct_close(&d);
}

/* A task that ends holding a lock (it failed) gives it up. */
static void test_task_end_releases_its_locks(void **state)
{
    direct d;
    direct_open(&d, LESSON "[group w]\ncount = 2\nstep = lock m\nstep = unlock m\n", 2);
    assert_int_equal(direct_step(&d, 0, 0), 0);
    vehicle v = {.d = &d, .task = 1};
    assert_int_equal(pthread_create(&v.thread, NULL, vehicle_main, &v), 0);
    wait_blocked(&d, 1);
    sl_shared_task_end(d.sh, 0);
    pthread_join(v.thread, NULL);
    assert_int_equal(v.err, 0);
    assert_int_equal(d.sh->locks[0].holder, SL__SH_NONE);
    direct_close(&d);
}

/* ---- whole runs --------------------------------------------------------- */

/* Runs `st` on the scenario as the engine would; stop_ms > 0 asks it to
 * stop from another thread after that long. */
static void run_with(const sl_strategy *st, const char *text, uint32_t workers, unsigned stop_ms,
                     run_out *out)
{
    memset(out, 0, sizeof(*out));
    out->sc = harness_parse(text);
    atomic_int stop = 0;
    sl_run_ctx ctx = harness_ctx(out->sc, &stop, &out->res);
    if (workers)
        ctx.workers = workers;
    ctx.chunksize = 1;
    ctx.worker_exe = getenv("SCHEDLAB_WORKER_EXE");
    bool has_blob = st->blob_needed != NULL && st->blob_needed(&ctx) > 0;
    harness_run(st, &ctx, 0, 1u << 14, stop_ms * 1000000ull, out);
    /* thread strategies free theirs; a process strategy's is in the blob */
    if (!has_blob)
        assert_null(ctx.shared);
}

/* What the trace says about waits on queues and locks. */
typedef struct wait_facts {
    uint32_t blocks[SL_WAIT__COUNT]; /* BLOCK events by reason */
    uint32_t exits;
    bool gil_held_while_blocked; /* a task emitted BLOCK while holding the GIL */
} wait_facts;

/* Checks every BLOCK of a task is followed by its WAKE (same reason) and
 * then RUN or EXIT before anything else it does, and one EXIT per task. */
static void check_waits(const run_out *out, wait_facts *f)
{
    uint32_t n = out->sc->n_tasks;
    uint32_t *waiting = calloc(n, sizeof(uint32_t)); /* reason + 1 while blocked */
    bool *woken = calloc(n, sizeof(bool));
    bool *exited = calloc(n, sizeof(bool));
    memset(f, 0, sizeof(*f));
    uint32_t gil = SL_NO_TASK;
    for (size_t k = 0; k < out->trace->count; k++) {
        const sl_event *e = &out->trace->events[k];
        if (e->kind == SL_EV_MARK || e->kind == SL_EV_OS_SAMPLE || e->task >= n)
            continue;
        uint32_t t = e->task;
        if (exited[t])
            fail_msg("task %u: %s after EXIT", t, sl_event_kind_name(e->kind));
        switch (e->kind) {
        case SL_EV_BLOCK:
            assert_int_equal(waiting[t], 0);
            waiting[t] = e->reason + 1;
            f->blocks[e->reason]++;
            f->gil_held_while_blocked |= gil == t;
            break;
        case SL_EV_WAKE:
            assert_int_equal(waiting[t], e->reason + 1);
            waiting[t] = 0;
            woken[t] = true;
            break;
        case SL_EV_RUN:
            assert_int_equal(waiting[t], 0);
            woken[t] = false;
            break;
        case SL_EV_GIL_TAKE:
            gil = t;
            break;
        case SL_EV_GIL_DROP:
            gil = SL_NO_TASK;
            break;
        case SL_EV_EXIT:
            assert_int_equal(waiting[t], 0);
            exited[t] = true;
            f->exits++;
            break;
        default:
            /* after a WAKE, only a queue for the GIL or the loop may come
             * before RUN (the gil strategy says which step it queues for) */
            if (woken[t] && e->kind != SL_EV_READY && e->kind != SL_EV_STEP &&
                e->kind != SL_EV_SWITCH)
                fail_msg("task %u: %s between WAKE and RUN", t, sl_event_kind_name(e->kind));
            break;
        }
    }
    assert_int_equal(f->exits, n);
    free(waiting);
    free(woken);
    free(exited);
}

static const char *const pipeline =
    LESSON "[queue q]\ncapacity = 2\n"
           "[task prod]\nstep = put q 12\n"
           "[group cons]\ncount = 3\nstep = sleep 5ms\nstep = take q 4\n"
           "step = lock m\nstep = cpu 1ms\nstep = unlock m\n";

static void check_pipeline(const sl_strategy *st, uint32_t workers)
{
    run_out out;
    wait_facts f;
    run_with(st, pipeline, workers, 0, &out);
    assert_int_equal(out.status, 0);
    assert_int_equal(out.res.completed, 4);
    assert_int_equal(out.res.failed, 0);
    check_waits(&out, &f);
    /* capacity 2 and 12 items: the producer had to wait */
    assert_true(f.blocks[SL_WAIT_QUEUE] >= 1);
    assert_false(f.gil_held_while_blocked);
    harness_free(&out);
}

static void test_pipeline_threads(void **state)
{
    check_pipeline(&sl_strategy_threads, 0);
}

static void test_pipeline_threadpool(void **state)
{
    check_pipeline(&sl_strategy_threadpool, 4);
}

static void test_pipeline_gil(void **state)
{
    check_pipeline(&sl_strategy_gil, 0);
}

static void test_pipeline_coroutines(void **state)
{
    check_pipeline(&sl_strategy_coroutines, 0);
}

static void test_pipeline_processes(void **state)
{
    harness_worker_exe();
    check_pipeline(&sl_strategy_processes, 0);
    check_pipeline(&sl_strategy_procpool, 4);
    /* two event loops in two processes: a waiter polls the region */
    check_pipeline(&sl_strategy_async_procs, 2);
}

/* Room and items already there: no task ever waits, so no BLOCK at all. */
static void test_no_block_without_a_wait(void **state)
{
    run_out out;
    wait_facts f;
    run_with(&sl_strategy_threads,
             LESSON "[queue q]\ncapacity = 8\n[task prod]\nstep = put q 4\n"
                    "[task cons]\nstep = sleep 30ms\nstep = take q 4\n"
                    "[task solo]\nstep = lock m\nstep = unlock m\n",
             0, 0, &out);
    assert_int_equal(out.res.completed, 3);
    check_waits(&out, &f);
    assert_int_equal(f.blocks[SL_WAIT_QUEUE], 0);
    assert_int_equal(f.blocks[SL_WAIT_LOCK], 0);
    harness_free(&out);
}

/* Threads without a GIL (C, free-threaded CPython) race on every core. */
static const char *const race = LESSON
    "[run]\ngil = off\n[counter hits]\nwindow = 20us\n[group w]\ncount = 8\nstep = inc hits 200\n";

/* Under processes, a plain counter's copies: see
 * test_processes_plain_counter_is_copied. */
static const char *const race_after_nap =
    LESSON "[counter hits]\nwindow = 20us\n[group w]\ncount = 8\nstep = sleep 300ms\n"
           "step = inc hits 200\n";

static const char *const race_locked =
    LESSON "[counter hits]\nwindow = 20us\n[group w]\ncount = 8\nrepeat = 100\n"
           "step = lock m\nstep = inc hits 2\nstep = unlock m\n";

static void check_counter(const run_out *out, uint64_t expected)
{
    assert_int_equal(out->res.n_counters, 1);
    assert_string_equal(out->res.counter_names[0], "hits");
    assert_int_equal(out->res.counter_expected[0], expected);
    assert_true(out->res.counter_actual[0] <= expected);
}

static void test_threads_lose_updates(void **state)
{
    run_out out;
    run_with(&sl_strategy_threads, race, 0, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    /* 8 threads on every core, each read held 20 us: stores overlap */
    assert_true(out.res.counter_actual[0] < 1600);
    print_message("threads: hits %llu of 1600\n", (unsigned long long)out.res.counter_actual[0]);
    harness_free(&out);
}

static void test_lock_loses_nothing(void **state)
{
    run_out out;
    run_with(&sl_strategy_threads, race_locked, 0, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_int_equal(out.res.counter_actual[0], 1600);
    harness_free(&out);
}

/* A coroutine never gives the loop up inside an inc: nothing is lost. */
static void test_coroutines_lose_nothing(void **state)
{
    run_out out;
    run_with(&sl_strategy_coroutines, race, 0, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_int_equal(out.res.counter_actual[0], 1600);
    harness_free(&out);
}

static void test_gil_counter_reported(void **state)
{
    run_out out;
    run_with(&sl_strategy_gil,
             LESSON "[run]\ngil_interval = 100us\n"
                    "[counter hits]\n"
                    "window = 20us\n[group w]\ncount = 4\nstep = inc hits 100\n",
             0, 0, &out);
    assert_int_equal(out.res.completed, 4);
    check_counter(&out, 400);
    print_message("gil: hits %llu of 400\n", (unsigned long long)out.res.counter_actual[0]);
    harness_free(&out);
}

/* The same race for worker processes, on a counter declared shared (a
 * multiprocessing.Value used without its lock). Each task first naps 300
 * ms: a pool's workers come up one after another, and under a sanitizer on
 * a cold machine the first one up could otherwise take all eight tasks
 * before the second exists, so nothing would overlap. The naps end as far
 * apart as the workers came up, so each task's increments last 40 ms (200
 * of a 200 us window): with 20 us windows they lasted 4 ms, less than the
 * workers' start-up stagger under ThreadSanitizer, and a CI run saw three
 * runs in a row lose nothing. Lost updates are still a matter of chance, so
 * three runs may try to show one. */
static const char *const race_shared_after_nap =
    LESSON "[counter hits]\nwindow = 200us\nshared = yes\n[group w]\ncount = 8\n"
           "step = sleep 300ms\nstep = inc hits 200\n";

static const char *const race_shared_locked =
    LESSON "[counter hits]\nwindow = 20us\nshared = yes\n[group w]\ncount = 8\nrepeat = 100\n"
           "step = lock m\nstep = inc hits 2\nstep = unlock m\n";

static void test_processes_shared_counter_loses_updates(void **state)
{
    harness_worker_exe();
    run_out out;
    uint64_t hits = 1600;
    for (int attempt = 0; attempt < 3 && hits == 1600; attempt++) {
        run_with(&sl_strategy_procpool, race_shared_after_nap, 4, 0, &out);
        assert_int_equal(out.res.completed, 8);
        check_counter(&out, 1600);
        assert_true(out.res.counter_shared[0]);
        /* one integer for every process: no copies */
        assert_int_equal(out.res.counter_copies[0].n, 0);
        hits = out.res.counter_actual[0];
        print_message("procpool: shared hits %llu of 1600\n", (unsigned long long)hits);
        harness_free(&out);
    }
    assert_true(hits < 1600);
    run_with(&sl_strategy_processes, race_shared_locked, 0, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_int_equal(out.res.counter_actual[0], 1600);
    harness_free(&out);
}

/* A plain counter is a Python global: each worker process counts on its own
 * copy, none loses anything (one task at a time per process), and the
 * parent's value stays 0. */
static void test_processes_plain_counter_is_copied(void **state)
{
    if (harness_worker_exe() == NULL)
        return;
    run_out out;
    run_with(&sl_strategy_processes, race_after_nap, 0, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_false(out.res.counter_shared[0]);
    assert_int_equal(out.res.counter_actual[0], 0);
    const sl_counter_copies *k = &out.res.counter_copies[0];
    /* one process per task: eight copies of 200 */
    assert_int_equal(k->n, 8);
    assert_int_equal(k->done, 1600);
    assert_int_equal(k->sum, 1600);
    assert_int_equal(k->min, 200);
    assert_int_equal(k->max, 200);
    harness_free(&out);

    /* a pool's worker keeps its copy from one task to the next */
    run_with(&sl_strategy_procpool, race_after_nap, 4, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_int_equal(out.res.counter_actual[0], 0);
    k = &out.res.counter_copies[0];
    assert_true(k->n >= 1 && k->n <= 4);
    assert_int_equal(k->sum, 1600);
    assert_int_equal(k->min % 200, 0);
    assert_int_equal(k->max % 200, 0);
    harness_free(&out);

    /* threads share the parent's memory: the same counter is shared there */
    run_with(&sl_strategy_threads, race, 0, 0, &out);
    assert_int_equal(out.res.counter_copies[0].n, 0);
    assert_true(out.res.counter_actual[0] > 0);
    harness_free(&out);
}

/* A subinterpreter has module globals of its own, as a worker process has:
 * under `interpreters` each worker counts on its own copy of a plain
 * counter, loses nothing (one task at a time per interpreter), and the
 * parent's value stays 0; a `shared = yes` counter is one for all. */
static void test_interpreters_plain_counter_is_copied(void **state)
{
    (void)state;
    run_out out;
    run_with(&sl_strategy_interpreters, race_after_nap, 4, 0, &out);
    assert_int_equal(out.res.completed, 8);
    check_counter(&out, 1600);
    assert_int_equal(out.res.counter_actual[0], 0);
    const sl_counter_copies *k = &out.res.counter_copies[0];
    assert_true(k->n >= 1 && k->n <= 4);
    assert_int_equal(k->done, 1600);
    assert_int_equal(k->sum, 1600);
    assert_int_equal(k->min % 200, 0);
    assert_int_equal(k->max % 200, 0);
    harness_free(&out);

    /* the same pool without interpreters shares the counter, and races */
    run_with(&sl_strategy_threadpool, race_after_nap, 4, 0, &out);
    assert_int_equal(out.res.counter_copies[0].n, 0);
    assert_true(out.res.counter_actual[0] > 0);
    harness_free(&out);
}

/* Sequential: a take on an empty queue fails its task, without a BLOCK. */
static void test_sequential_take_would_wait_forever(void **state)
{
    run_out out;
    wait_facts f;
    run_with(&sl_strategy_sequential,
             LESSON "[queue q]\ncapacity = 1\n[task cons]\nstep = take q\n"
                    "[task prod]\nstep = put q\n",
             0, 0, &out);
    assert_int_equal(out.res.failed, 1);
    assert_int_equal(out.res.completed, 1);
    assert_string_equal(out.res.failures[0], "task cons: take from empty queue 'q' would wait "
                                             "forever: no other task can run under sequential");
    check_waits(&out, &f);
    assert_int_equal(f.blocks[SL_WAIT_QUEUE], 0);
    harness_free(&out);
}

/* Coroutines waiting for a producer that never comes: failed, not hung. */
static void test_coroutines_stall_fails_the_waiters(void **state)
{
    run_out out;
    wait_facts f;
    run_with(&sl_strategy_coroutines,
             LESSON "[queue q]\ncapacity = 1\n[group cons]\ncount = 2\nstep = take q\n"
                    "[task late]\nstep = sleep 20ms\nstep = lock m\nstep = unlock m\n",
             0, 0, &out);
    assert_int_equal(out.status, 0);
    assert_int_equal(out.res.completed, 1);
    assert_int_equal(out.res.failed, 2);
    for (uint32_t i = 0; i < 2; i++)
        assert_non_null(strstr(out.res.failures[i], ": take from empty queue 'q' would wait "
                                                    "forever: every unfinished task waits on a "
                                                    "queue or lock"));
    check_waits(&out, &f);
    assert_int_equal(f.blocks[SL_WAIT_QUEUE], 2);
    harness_free(&out);
}

/* A pool of 2 whose workers both wait for a producer still in the backlog. */
static void test_threadpool_stall_fails_the_waiters(void **state)
{
    run_out out;
    wait_facts f;
    run_with(&sl_strategy_threadpool,
             LESSON "[queue q]\ncapacity = 4\n[group cons]\ncount = 2\nstep = take q\n"
                    "[task prod]\nstep = put q 2\n",
             2, 0, &out);
    assert_int_equal(out.status, 0);
    assert_int_equal(out.res.failed, 2);
    assert_int_equal(out.res.completed, 1); /* the producer ran once a worker was free */
    for (uint32_t i = 0; i < 2; i++)
        assert_non_null(strstr(out.res.failures[i],
                               ": take from empty queue 'q' would wait forever: all 2 workers "
                               "carry tasks that wait on a queue or lock, so the queued tasks "
                               "cannot start"));
    check_waits(&out, &f);
    harness_free(&out);
}

/* Two locks taken in opposite orders: the classic deadlock, reported. It
 * needs both tasks to hold their first lock before either asks for its
 * second: on a loaded machine (or under a sanitizer) one thread can start
 * more than the sleep later than the other, take both locks and finish, a
 * run without a deadlock; such a run completes both tasks and is tried
 * again. */
static void test_threads_lock_order_deadlock(void **state)
{
    run_out out;
    for (int attempt = 0;; attempt++) {
        run_with(&sl_strategy_threads,
                 LESSON "[task ab]\nstep = lock a\nstep = sleep 100ms\nstep = lock b\n"
                        "step = unlock b\nstep = unlock a\n"
                        "[task ba]\nstep = lock b\nstep = sleep 100ms\nstep = lock a\n"
                        "step = unlock a\nstep = unlock b\n",
                 0, 0, &out);
        if (out.res.failed != 0 || attempt == 4)
            break;
        assert_int_equal(out.res.completed, 2);
        harness_free(&out);
    }
    assert_int_equal(out.res.failed, 2);
    const char *a = "task ab: lock 'b' (held by task ba) would wait forever: every unfinished "
                    "task waits on a queue or lock";
    const char *b = "task ba: lock 'a' (held by task ab) would wait forever: every unfinished "
                    "task waits on a queue or lock";
    bool first_is_a = strcmp(out.res.failures[0], a) == 0;
    assert_string_equal(out.res.failures[first_is_a ? 0 : 1], a);
    assert_string_equal(out.res.failures[first_is_a ? 1 : 0], b);
    harness_free(&out);
}

/* A wait that could end (the producer sleeps) is cut short by a stop. */
static void test_stop_cancels_a_waiter(void **state)
{
    run_out out;
    run_with(&sl_strategy_threads,
             LESSON "[queue q]\ncapacity = 1\n[task cons]\nstep = take q\n"
                    "[task prod]\nstep = sleep 10s\nstep = put q\n",
             0, 100, &out);
    assert_int_equal(out.res.cancelled, 2);
    assert_int_equal(out.res.failed, 0);
    harness_free(&out);
}

int main(void)
{
    /* before any thread, as the app does: the default start method's server */
    if (sl_forkserver_start() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_serves_waiters_in_fifo_order),
        cmocka_unit_test(test_put_waits_while_full),
        cmocka_unit_test(test_lock_wakes_in_arrival_order),
        cmocka_unit_test(test_task_end_releases_its_locks),
        cmocka_unit_test(test_pipeline_threads),
        cmocka_unit_test(test_pipeline_threadpool),
        cmocka_unit_test(test_pipeline_gil),
        cmocka_unit_test(test_pipeline_coroutines),
        cmocka_unit_test(test_pipeline_processes),
        cmocka_unit_test(test_no_block_without_a_wait),
        cmocka_unit_test(test_threads_lose_updates),
        cmocka_unit_test(test_lock_loses_nothing),
        cmocka_unit_test(test_coroutines_lose_nothing),
        cmocka_unit_test(test_gil_counter_reported),
        cmocka_unit_test(test_processes_shared_counter_loses_updates),
        cmocka_unit_test(test_processes_plain_counter_is_copied),
        cmocka_unit_test(test_interpreters_plain_counter_is_copied),
        cmocka_unit_test(test_sequential_take_would_wait_forever),
        cmocka_unit_test(test_coroutines_stall_fails_the_waiters),
        cmocka_unit_test(test_threadpool_stall_fails_the_waiters),
        cmocka_unit_test(test_threads_lock_order_deadlock),
        cmocka_unit_test(test_stop_cancels_a_waiter),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
