/*
 * strategy-threadpool.c - N worker threads and one FIFO backlog (Python:
 * concurrent.futures.ThreadPoolExecutor(max_workers=N)).
 *
 * The runner submits every task (SPAWN, then QUEUE with the backlog length)
 * under the queue's mutex, so a QUEUE always precedes the READY(WORKER) of
 * the worker that takes it. Workers block on a condition variable while the
 * backlog is empty; each has its own ring and tells the kernel sampler which
 * task it carries. The lesson: only N tasks ever run at once, however many
 * are submitted. With the run's GIL on the workers are threads of one
 * interpreter and share its GIL (gil-task.c), as ThreadPoolExecutor's do.
 *
 * The same pool, each worker with an interpreter of its own, is the
 * `interpreters` strategy (strategy-interpreters.c): a worker first builds
 * its private copy of everything the tasks read (the scenario, rebuilt
 * from a serialized image, as a subinterpreter imports its modules and
 * unpickles its arguments afresh) and its own HTTP client; that set-up is
 * its creation cost, measured. Its GIL is its own and only its one thread
 * ever takes it, so it never makes anyone wait and is not drawn.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/strategy.h"
#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/blocking.h"
#include "schedlab/proc.h"
#include "schedlab/shared.h"
#include "strategy/threadpool.h"

typedef struct pool {
    sl_run_ctx *ctx;
    pthread_mutex_t mu;
    pthread_cond_t nonempty;
    uint32_t *backlog; /* task indices; [head, tail) are waiting */
    uint32_t head, tail;
    bool closed; /* no more submissions: idle workers exit */
    sl_gil *gil; /* the interpreter's GIL, or NULL when the run has none */
    /* interpreters: the scenario each worker copies, serialized; else NULL */
    void *image;
    size_t image_size;
} pool;

typedef struct worker {
    pool *p;
    sl_ring *ring;
    uint64_t created_ns;
} worker;

/* Python's default: min(32, cores + 4). */
static uint32_t pool_size(const sl_run_ctx *ctx)
{
    if (ctx->workers > 0)
        return ctx->workers;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t n = (uint32_t)(cores > 0 ? cores : 1) + 4;
    return n < 32 ? n : 32;
}

/* Blocks until a task is queued; SL_NO_TASK once closed and drained. */
static uint32_t next_task(pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->head == p->tail && !p->closed)
        pthread_cond_wait(&p->nonempty, &p->mu);
    uint32_t task = p->head < p->tail ? p->backlog[p->head++] : SL_NO_TASK;
    pthread_mutex_unlock(&p->mu);
    return task;
}

/* An interpreter's private state: its own copy of the scenario, in a
 * context of its own (the trace, the result and the shared objects stay
 * the run's). 0, or SL_E* with the reason in why. */
static int own_interpreter(const pool *p, sl_run_ctx *own, sl_scenario **own_sc, char *why,
                           size_t why_size)
{
    int err = sl_worker_image_read(p->image, p->image_size, own_sc);
    if (err < 0) {
        snprintf(why, why_size, "cannot create an interpreter: its copy of the scenario: %s",
                 sl_strerror(err));
        return err;
    }
    *own = *p->ctx;
    own->sc = *own_sc;
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    sl_run_ctx own;
    const sl_run_ctx *ctx = w->p->ctx;
    sl_scenario *own_sc = NULL;
    char why[160] = "";
    int broken = w->p->image != NULL ? own_interpreter(w->p, &own, &own_sc, why, sizeof(why)) : 0;
    /* An interpreter's module globals are its own: plain counters too. */
    if (broken == 0 && w->p->image != NULL && (broken = sl_shared_interpreter_begin()) < 0)
        snprintf(why, sizeof(why), "cannot create an interpreter: its globals: out of memory");
    if (own_sc != NULL)
        ctx = &own;
    pid_t tid = gettid();
    sl_hook_bind(w->ring, (uint32_t)tid, ctx->epoch_ns);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, SL_NO_TASK);
    sl_net_client *client = sl_vehicle_client(ctx->sc, SL_NO_TASK);
    /* A pool thread is created when pthread_create returns; an interpreter
     * only once its private state exists, here. */
    uint64_t cost = sl_clock_ns() - w->created_ns;
    if (w->p->image != NULL)
        __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_VEHICLE_START, cost);

    for (uint32_t task; (task = next_task(w->p)) != SL_NO_TASK;) {
        /* A future cancelled while queued never reaches a worker. */
        if (!sl_task_claim(ctx, task)) {
            sl_task_finish(ctx, task, SL_EINTR, NULL);
            continue;
        }
        if (broken < 0) {
            sl_hook_emit(SL_EV_RUN, task, 0, 0);
            sl_task_finish(ctx, task, broken, why);
            continue;
        }
        sl_hook_emit(SL_EV_READY, task, SL_READY_WORKER, 0);
        if (ctx->sampler != NULL)
            sl_os_sampler_set_task(ctx->sampler, tid, task);
        sl_gil_task_exec(ctx, task, w->p->gil, client);
        if (ctx->sampler != NULL)
            sl_os_sampler_set_task(ctx->sampler, tid, SL_NO_TASK);
    }

    if (client != NULL)
        sl_net_client_free(client);
    sl_shared_interpreter_end(ctx->shared);
    sl_thread_vehicle_end(ctx, tid);
    if (own_sc != NULL)
        sl_worker_image_free(own_sc);
    return NULL;
}

static void close_backlog(pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_cond_broadcast(&p->nonempty);
    pthread_mutex_unlock(&p->mu);
}

/* Starts up to n workers; returns how many started (n unless the OS or the
 * rings ran out, which is then explained in result->error). */
static uint32_t start_workers(pool *p, worker *ws, pthread_t *threads, uint32_t n)
{
    sl_run_ctx *ctx = p->ctx;
    for (uint32_t i = 0; i < n; i++) {
        ws[i] = (worker){.p = p, .ring = sl_rings_claim(ctx->rings)};
        if (ws[i].ring == NULL) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "no trace ring left for pool worker %u", i + 1);
            return i;
        }
        ws[i].created_ns = sl_clock_ns();
        int e = sl_thread_start(&threads[i], worker_main, &ws[i]);
        if (e != 0) {
            char buf[96];
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "cannot create pool worker %u: %s", i + 1, strerror_r(e, buf, sizeof(buf)));
            return i;
        }
        if (p->image == NULL)
            __atomic_fetch_add(&ctx->result->vehicle_create_ns, sl_clock_ns() - ws[i].created_ns,
                               __ATOMIC_RELAXED);
        __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
    }
    return n;
}

static void submit_all(pool *p)
{
    for (uint32_t i = 0; i < p->ctx->sc->n_tasks; i++) {
        pthread_mutex_lock(&p->mu);
        sl_hook_emit(SL_EV_SPAWN, i, 0, 0);
        p->backlog[p->tail++] = i;
        sl_hook_emit(SL_EV_QUEUE, i, 0, p->tail - p->head);
        pthread_cond_signal(&p->nonempty);
        pthread_mutex_unlock(&p->mu);
    }
}

uint32_t sl__threadpool_rings(const sl_run_ctx *ctx)
{
    return pool_size(ctx) + 2;
}

/* interpreters: the scenario once serialized, for each worker to copy. */
static int write_image(pool *p)
{
    p->image_size = sl_worker_image_size(p->ctx->sc);
    p->image = malloc(p->image_size);
    if (p->image == NULL)
        return SL_ENOMEM;
    return sl_worker_image_write(p->ctx->sc, p->image, p->image_size);
}

int sl__threadpool_run(sl_run_ctx *ctx, bool own_interpreters)
{
    uint32_t n_tasks = ctx->sc->n_tasks;
    uint32_t n = pool_size(ctx);
    if (n > n_tasks)
        n = n_tasks;
    pool p = {.ctx = ctx, .backlog = calloc(n_tasks ? n_tasks : 1, sizeof(uint32_t))};
    worker *ws = calloc(n ? n : 1, sizeof(*ws));
    pthread_t *threads = calloc(n ? n : 1, sizeof(*threads));
    int err = own_interpreters ? write_image(&p) : 0;
    if (p.backlog == NULL || ws == NULL || threads == NULL || err < 0) {
        sl_tasks_cancel(ctx, 0, n_tasks);
        err = err < 0 ? err : SL_ENOMEM;
        goto out;
    }
    /* A small pool can deadlock on queues and locks: its workers all
     * carrying waiting tasks while the tasks that would wake them sit in
     * the backlog. The region sees that and fails the waiters. */
    err = sl_shared_create(ctx, n, SL_SHARED_POOL);
    if (err < 0) {
        sl_tasks_cancel(ctx, 0, n_tasks);
        goto out;
    }
    sl_gil gil;
    if (ctx->gil == SL_GIL_ON && !own_interpreters) {
        if (sl_gil_init(&gil, ctx->gil_interval_ns) < 0) {
            sl_shared_free(ctx);
            sl_tasks_cancel(ctx, 0, n_tasks);
            err = SL_ENOMEM;
            goto out;
        }
        p.gil = &gil;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.nonempty, NULL);

    uint32_t started = start_workers(&p, ws, threads, n);
    if (started == n) {
        submit_all(&p);
    } else {
        sl_tasks_cancel(ctx, 0, n_tasks);
        err = SL_ELIMIT;
    }
    close_backlog(&p);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_cond_destroy(&p.nonempty);
    pthread_mutex_destroy(&p.mu);
    if (p.gil != NULL)
        sl_gil_destroy(p.gil);
    sl_shared_free(ctx);
out:
    free(p.image);
    free(p.backlog);
    free(ws);
    free(threads);
    return err;
}

static int run(sl_run_ctx *ctx)
{
    return sl__threadpool_run(ctx, false);
}

const sl_strategy sl_strategy_threadpool = {
    .name = "threadpool",
    .summary = "N worker threads take tasks from one FIFO backlog",
    .python = "concurrent.futures.ThreadPoolExecutor(max_workers=N)",
    .uses_workers = true,
    .rings_needed = sl__threadpool_rings,
    .run = run,
    .gil = SL_GIL_SCOPE_RUN,
};
