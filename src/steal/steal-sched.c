/*
 * steal-sched.c - the work-stealing run: N worker threads resuming
 * coroutines, one poller thread, and the calling thread that spawns every
 * task into the global queue, waits, and cancels what a stop leaves.
 *
 * A worker's loop is Go's schedule()/findrunnable(): every 61st task comes
 * from the global queue first (so spawns are never starved by a busy local
 * queue), else its run-next slot and its queue, the global queue (a batch),
 * half of a victim's queue, and at last it parks. Resuming a coroutine
 * that last ran on another worker emits MIGRATE.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "steal/steal-internal.h"

/* Go's schedtick fairness: how often the global queue goes first. */
#define GLOBAL_EVERY 61

uint32_t sl_steal_workers(const sl_run_ctx *ctx)
{
    uint32_t n = ctx->workers;
    if (n == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (uint32_t)cores : 1;
    }
    return n < SL_STEAL_MAX_WORKERS ? n : SL_STEAL_MAX_WORKERS;
}

/* EXIT once, count the outcome, give the stack back; by is the worker
 * ending it (NULL: the run thread, after a stop). */
static void task_exit(ws_sched *s, ws_task *t, ws_worker *by, int err)
{
    sl_run_result *res = s->ctx->result;
    t->finished = true;
    /* before the EXIT: the waiters its end lets go on are woken first */
    sl__ws_shared_end(s, t, by);
    if (err == 0) {
        ws_emit(SL_EV_EXIT, t->task, SL_EXIT_OK, 0);
        __atomic_fetch_add(&res->completed, 1, __ATOMIC_RELAXED);
    } else if (err == SL_EINTR) {
        ws_emit(SL_EV_EXIT, t->task, SL_EXIT_CANCELLED, 0);
        __atomic_fetch_add(&res->cancelled, 1, __ATOMIC_RELAXED);
    } else {
        ws_emit(SL_EV_EXIT, t->task, SL_EXIT_FAILED, (uint64_t)(int64_t)err);
        __atomic_fetch_add(&res->failed, 1, __ATOMIC_RELAXED);
        sl_result_failure(res, "task %s: %s", s->ctx->sc->tasks[t->task].name,
                          t->why[0] ? t->why : sl_strerror(err));
    }
    if (t->co != NULL) {
        sl_coro_destroy(t->co);
        t->co = NULL;
        sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, SL_VEHICLE_COROUTINE | t->task, SL_MARK_VEHICLE_EXIT,
                       0);
    }
    if (atomic_fetch_sub(&s->live, 1) == 1) {
        atomic_store(&s->done, true);
        sl__ws_wake_all(s);
    }
}

/* The coroutine of a task about to run for the first time. Created here,
 * not at spawn, so a run of many short tasks keeps few stacks. */
static bool create(ws_sched *s, ws_task *t, ws_worker *w)
{
    sl_run_ctx *ctx = s->ctx;
    uint64_t t0 = sl_clock_ns();
    int err = sl_coro_create(&t->co, sl__ws_body, t, 0);
    uint64_t cost = sl_clock_ns() - t0;
    if (err < 0) {
        t->co = NULL;
        snprintf(t->why, sizeof(t->why),
                 "cannot create its coroutine: %s (each needs about 5 KiB of memory and 68 KiB "
                 "of address space)",
                 sl_strerror(err));
        task_exit(s, t, w, err);
        return false;
    }
    __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
    __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
    sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, SL_VEHICLE_COROUTINE | t->task, SL_MARK_VEHICLE_START,
                   cost);
    return true;
}

static void resume(ws_sched *s, ws_worker *w, ws_task *t)
{
    if (t->co == NULL) {
        /* cancelled before its first step: it exits without running */
        if (!sl_task_claim(s->ctx, t->task)) {
            task_exit(s, t, w, SL_EINTR);
            return;
        }
        if (!create(s, t, w))
            return;
    }
    if (atomic_exchange(&t->resumed, true)) {
        /* a task in two queues at once: never resume one coroutine twice */
        atomic_fetch_add(&s->double_resumes, 1);
        sl_result_failure(s->ctx->result, "task %s: picked by worker %u while running elsewhere",
                          s->ctx->sc->tasks[t->task].name, w->id);
        return;
    }
    if (t->worker != SL_NO_TASK && t->worker != w->id)
        ws_emit(SL_EV_MIGRATE, t->task, t->worker, w->id);
    t->worker = w->id;
    sl_hook_emit_v(SL_EV_SWITCH, t->task, SL_VEHICLE_COROUTINE | t->task, 0, w->last);
    ws_emit(SL_EV_RUN, t->task, SL_RUN_ON_WORKER(w->id), t->step);
    w->last = t->task;
    t->after = WS_AFTER_NONE;
    sl_coro_resume(t->co);
    bool dead = sl_coro_status_of(t->co) == SL_CORO_DEAD;
    ws_after after = t->after;
    atomic_store(&t->resumed, false);
    if (dead) {
        task_exit(s, t, w, t->err);
        return;
    }
    switch (after) {
    case WS_AFTER_YIELD:
        sl__ws_ready(s, t, w, false, false);
        break;
    case WS_AFTER_POLL:
        sl__ws_poller_submit(s, t);
        break;
    case WS_AFTER_SHARED: {
        unsigned running = WS_SH_RUNNING;
        if (!atomic_compare_exchange_strong(&t->parking, &running, WS_SH_PARKED)) {
            /* woken before it was off its stack: it runs next here */
            atomic_store(&t->parking, WS_SH_RUNNING);
            sl__ws_ready(s, t, w, true, false);
        }
        break;
    }
    case WS_AFTER_NONE:
        break;
    }
}

static uint32_t find_work(ws_sched *s, ws_worker *w)
{
    while (!sl__ws_over(s)) {
        uint32_t task = SL_NO_TASK;
        if (++w->tick % GLOBAL_EVERY == 0)
            task = sl__ws_global_take(s, w, 1);
        if (task == SL_NO_TASK)
            task = sl_runq_pop(&w->q);
        if (task == SL_NO_TASK)
            task = sl__ws_global_take(s, w, SL_RUNQ_CAP);
        if (task == SL_NO_TASK)
            task = sl__ws_steal(s, w);
        if (task != SL_NO_TASK)
            return task;
        sl__ws_park(s, w);
    }
    return SL_NO_TASK;
}

static void *worker_main(void *arg)
{
    ws_worker *w = arg;
    ws_sched *s = w->s;
    const sl_run_ctx *ctx = s->ctx;
    pid_t tid = gettid();
    sl_hook_bind(w->ring, (uint32_t)tid, ctx->epoch_ns);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, SL_NO_TASK);
    for (;;) {
        uint32_t task = find_work(s, w);
        if (task == SL_NO_TASK)
            break;
        resume(s, w, &s->tasks[task]);
    }
    sl_usage_account(ctx->result, NULL);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, tid);
    sl_hook_unbind();
    return NULL;
}

static int workers_init(ws_sched *s)
{
    sl_run_ctx *ctx = s->ctx;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (uint32_t k = 0; k < s->n_workers; k++) {
        ws_worker *w = &s->workers[k];
        w->s = s;
        w->id = k;
        w->last = SL_NO_TASK;
        w->seed = 0x9e3779b97f4a7c15ull * (k + 1);
        sl_runq_init(&w->q);
        pthread_cond_init(&w->wake, &attr);
        w->ring = sl_rings_claim(ctx->rings);
        if (w->ring == NULL) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "no trace ring left for worker %u of %u", k + 1, s->n_workers);
            pthread_condattr_destroy(&attr);
            return SL_ELIMIT;
        }
    }
    pthread_condattr_destroy(&attr);
    return 0;
}

static int workers_start(ws_sched *s)
{
    for (uint32_t k = 0; k < s->n_workers; k++) {
        ws_worker *w = &s->workers[k];
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            snprintf(s->ctx->result->error, sizeof(s->ctx->result->error),
                     "cannot start worker thread %u of %u", k + 1, s->n_workers);
            return SL_ELIMIT;
        }
        w->started = true;
    }
    return 0;
}

/* After a stop (or a failed start): every task not exited is cancelled
 * where it stands, from the run thread. */
static void cancel_rest(ws_sched *s)
{
    for (uint32_t i = 0; i < s->ctx->sc->n_tasks; i++)
        if (!s->tasks[i].finished)
            task_exit(s, &s->tasks[i], NULL, SL_EINTR);
}

static ws_sched *sched_new(sl_run_ctx *ctx)
{
    uint32_t n = ctx->sc->n_tasks;
    ws_sched *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    s->n_workers = sl_steal_workers(ctx);
    s->workers = calloc(s->n_workers, sizeof(*s->workers));
    s->tasks = calloc(n ? n : 1, sizeof(*s->tasks));
    if (s->workers == NULL || s->tasks == NULL || sl__ws_global_init(&s->global, n) < 0) {
        free(s->workers);
        free(s->tasks);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->idle_lock, NULL);
    atomic_store(&s->live, n);
    atomic_store(&s->done, n == 0);
    for (uint32_t i = 0; i < n; i++)
        s->tasks[i] = (ws_task){.s = s, .task = i, .worker = SL_NO_TASK};
    return s;
}

static void sched_free(ws_sched *s)
{
    for (uint32_t k = 0; k < s->n_workers; k++) {
        sl_runq_destroy(&s->workers[k].q);
        pthread_cond_destroy(&s->workers[k].wake);
    }
    pthread_mutex_destroy(&s->idle_lock);
    sl__ws_global_free(&s->global);
    free(s->workers);
    free(s->tasks);
    free(s);
}

int sl_steal_run(sl_run_ctx *ctx)
{
    uint32_t n = ctx->sc->n_tasks;
    ws_sched *s = sched_new(ctx);
    if (s == NULL) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "cannot set up the work-stealing scheduler: out of memory");
        __atomic_fetch_add(&ctx->result->cancelled, n, __ATOMIC_RELAXED);
        return SL_ENOMEM;
    }
    bool own_shared = false;
    int err = 0;
    if (ctx->shared == NULL) {
        err = sl_shared_create(ctx, n, SL_SHARED_PER_TASK);
        own_shared = err == 0 && ctx->shared != NULL;
        if (err < 0)
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "cannot set up the queues, counters and locks: %s", sl_strerror(err));
    }
    if (err == 0)
        err = workers_init(s);
    /* every task spawned into the global queue before a worker starts */
    for (uint32_t i = 0; err == 0 && i < n; i++) {
        ws_emit(SL_EV_SPAWN, i, SL_READY_LOOP, 0);
        sl__ws_global_push(s, i);
    }
    if (err == 0)
        err = sl__ws_poller_start(s);
    if (err == 0)
        err = workers_start(s);
    for (uint32_t k = 0; k < s->n_workers; k++)
        if (s->workers[k].started)
            pthread_join(s->workers[k].thread, NULL);
    sl__ws_poller_stop(s);
    cancel_rest(s);
    if (own_shared)
        sl_shared_free(ctx);
    if (err == 0 && atomic_load(&s->double_resumes) > 0)
        err = SL_ESTATE;
    sched_free(s);
    /* a big run would otherwise keep thousands of touched stacks mapped */
    sl_coro_pool_trim();
    return err;
}
