/*
 * strategy-procpool.c - N worker processes draining one shared task queue.
 *
 * The analogue of `multiprocessing.Pool(N).map(f, tasks, chunksize)`. The
 * parent SPAWNs and QUEUEs every task, then starts N = ctx->workers
 * processes (`schedlab __worker --role pool --index W`). The queue is a
 * counter in the shared blob: a worker takes `chunksize` tasks at once with
 * atomic_fetch_add and, for each, emits READY(worker) then RUN..EXIT.
 * chunksize 0 means Pool.map's default (about four chunks per worker).
 *
 * Crashes: every worker publishes the task it runs and its current chunk in
 * its slot. When one dies, the parent emits EXIT FAILED (arg = signal) for
 * the task it was running, puts the unstarted rest of its chunk back as
 * orphans, and starts a replacement on the dead worker's ring (unlike
 * Python's Pool, whose map() then waits forever for the lost chunk). The
 * replacements are bounded, so a worker that always crashes cannot loop.
 *
 * Stop: workers are told to take nothing new, then SIGTERM'd and, after a
 * grace period, SIGKILL'd; tasks that never started are cancelled.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"
#include "schedlab/proc.h"

/* How long the parent sleeps before looking at stop and the slots again:
 * also the granularity of the sampler's task attribution. */
#define POOL_POLL_MS 10

static uint32_t pool_size(const sl_run_ctx *ctx)
{
    uint32_t n = ctx->workers > 0 ? ctx->workers : 1;
    return n;
}

static uint32_t procpool_rings(const sl_run_ctx *ctx)
{
    /* the runner, the kernel sampler, one per worker (a replacement reuses
     * the ring of the worker it replaces) */
    return 2 + pool_size(ctx);
}

static size_t procpool_blob(const sl_run_ctx *ctx)
{
    return sl_blob_size(ctx->sc, pool_size(ctx));
}

typedef struct pool {
    sl_run_ctx *ctx;
    sl_blob *b;
    sl_worker_slot *slots;
    _Atomic uint32_t *states;
    sl_children cs;
    uint32_t *shown; /* per slot: the task the sampler was last told */
    uint32_t spawns; /* workers started, replacements included */
    uint32_t max_spawns;
    bool stopping;
} pool;

/* Starts the worker of slot w (ring < 0: it claims one). */
static int start_worker(pool *p, uint32_t w, int ring)
{
    char why[200];
    pid_t pid;
    int err = sl_worker_spawn(p->ctx, "pool", w, ring, &pid, why, sizeof(why));
    if (err < 0) {
        snprintf(p->ctx->result->error, sizeof(p->ctx->result->error),
                 "worker %u: %s; tasks not started were cancelled", w, why);
        return err;
    }
    p->spawns++;
    err = sl_children_add(&p->cs, pid, w);
    if (err < 0)
        return err;
    p->shown[w] = SL_NO_TASK;
    if (p->ctx->sampler != NULL)
        sl_os_sampler_add(p->ctx->sampler, pid, pid, SL_NO_TASK);
    return 0;
}

static bool work_left(pool *p)
{
    uint32_t n = p->ctx->sc->n_tasks;
    if (atomic_load(&p->b->next) < n)
        return true;
    for (uint32_t t = 0; t < n; t++)
        if (atomic_load(&p->states[t]) == SL_TASK_ORPHAN)
            return true;
    return false;
}

/* Puts a task a dead worker had taken but not started back in the queue. */
static void orphan(pool *p, uint32_t t)
{
    uint32_t expect = SL_TASK_NEW;
    if (atomic_compare_exchange_strong(&p->states[t], &expect, SL_TASK_ORPHAN))
        atomic_fetch_add(&p->b->orphans, 1);
}

/* A worker is gone: settle its task and chunk, replace it if work is left. */
static int worker_ended(pool *p, uint32_t which, int status)
{
    sl_child *c = &p->cs.v[which];
    uint32_t w = c->tag;
    sl_worker_slot *s = &p->slots[w];
    uint32_t n = p->ctx->sc->n_tasks;
    uint32_t t = atomic_load(&s->task);
    /* The task's outcome is decided once, by one witness: its ring. A worker
     * killed after publishing the EXIT but before marking the task done
     * still shows RUNNING in the blob; the EXIT in the ring is what counts. */
    int32_t ring = atomic_load(&s->ring);
    if (t < n && atomic_load(&p->states[t]) == SL_TASK_RUNNING) {
        bool exited = ring >= 0 && sl_ring_holds(sl_rings_at(p->ctx->rings, (uint32_t)ring),
                                                 atomic_load(&s->task_from), SL_EV_EXIT, t);
        if (!exited)
            sl_exit_for_dead(p->ctx, t, c->pid, status, c->termed);
        atomic_store(&p->states[t], SL_TASK_DONE);
    }
    uint32_t end = atomic_load(&s->end);
    for (uint32_t i = atomic_load(&s->first); i < end && i < n; i++)
        orphan(p, i);
    if (t < n)
        orphan(p, t);
    atomic_store(&s->task, SL_NO_TASK);
    atomic_store(&s->first, 0);
    atomic_store(&s->end, 0);

    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (clean || p->stopping || atomic_load(&p->b->stop) || !work_left(p))
        return 0;
    if (p->spawns >= p->max_spawns) {
        snprintf(p->ctx->result->error, sizeof(p->ctx->result->error),
                 "worker processes kept dying (%u started); tasks not started were cancelled",
                 p->spawns);
        atomic_store(&p->b->stop, 1);
        return SL_ECRASH;
    }
    return start_worker(p, w, atomic_load(&s->ring));
}

static int pool_worker_ended(void *arg, uint32_t which, int status)
{
    return worker_ended(arg, which, status);
}

static int supervise(pool *p)
{
    sl_supervisor sv = {.cs = &p->cs,
                        .ctx = p->ctx,
                        .blob = p->b,
                        .slots = p->slots,
                        .shown = p->shown,
                        .poll_ms = POOL_POLL_MS,
                        .stopping = &p->stopping,
                        .ended = pool_worker_ended,
                        .arg = p};
    return sl_children_supervise(&sv);
}

/* Pool.map's own choice when no chunksize is given: about four chunks per
 * worker, rounded up. */
static uint32_t python_chunksize(uint32_t n_tasks, uint32_t n_workers)
{
    uint32_t chunk = n_tasks / (4 * n_workers);
    return n_tasks % (4 * n_workers) ? chunk + 1 : chunk;
}

static int procpool_run(sl_run_ctx *ctx)
{
    uint32_t n_slots = pool_size(ctx);
    if (ctx->chunksize == 0)
        ctx->chunksize = python_chunksize(ctx->sc->n_tasks, n_slots);
    pool p = {.ctx = ctx};
    int err = sl_blob_init(ctx, n_slots, &p.b);
    if (err < 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "the shared region is too small for the worker image");
        return err;
    }
    p.shown = calloc(n_slots, sizeof(*p.shown));
    if (p.shown == NULL)
        return SL_ENOMEM;
    p.slots = sl_blob_slots(p.b);
    p.states = sl_blob_states(p.b);
    /* one replacement per task that can crash, plus one per slot for
     * workers killed between tasks */
    p.max_spawns = 2 * n_slots + ctx->sc->n_tasks;

    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++) {
        sl_hook_emit(SL_EV_SPAWN, t, 0, 0);
        sl_hook_emit(SL_EV_QUEUE, t, 0, t + 1);
    }
    /* like Pool(N), but never more workers than tasks */
    uint32_t n_start = n_slots < ctx->sc->n_tasks ? n_slots : ctx->sc->n_tasks;
    /* a pool whose workers all carry waiting tasks is stalled */
    sl_shared_set_slots(ctx->shared, n_start, SL_SHARED_POOL);
    int ret = 0;
    for (uint32_t w = 0; w < n_start && ret == 0; w++)
        ret = start_worker(&p, w, -1);
    if (ret < 0)
        atomic_store(&p.b->stop, 1);
    int sup = supervise(&p);
    if (ret == 0)
        ret = sup;
    sl_children_free(&p.cs);
    free(p.shown);

    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++)
        if (atomic_load(&p.states[t]) != SL_TASK_DONE)
            sl_task_finish(ctx, t, SL_EINTR, NULL);
    sl_blob_merge(p.b, ctx->result);
    return ret;
}

const sl_strategy sl_strategy_procpool = {
    .name = "procpool",
    .summary = "N worker processes taking chunks of tasks from a shared queue",
    .python = "multiprocessing.Pool(N).map(f, tasks, chunksize)",
    .uses_workers = true,
    .rings_needed = procpool_rings,
    .blob_needed = procpool_blob,
    .run = procpool_run,
    .gil = SL_GIL_SCOPE_PROCESS,
};
