/*
 * strategy-async-procs.c - N worker processes, each running its own event
 * loop over its share of the tasks (Python: asyncio.run inside each process
 * of a multiprocessing pool). cpu steps of different workers compute at
 * once on different cores; within one worker, as under `coroutines`, a cpu
 * step holds that worker's loop while io and sleeps overlap.
 *
 * The parent SPAWNs and QUEUEs every task, then starts N = min(workers,
 * tasks) processes (`schedlab __worker --role loop --index W`), spawned like
 * procpool's, sharing the expanded scenario through the rings' blob. Worker
 * W owns tasks W, W+N, W+2N… (round robin: a lesson's groups are contiguous,
 * so contiguous shares would hand one worker all the heavy tasks). In the
 * worker, each task gets the coroutine hooks (READY(loop), SWITCH, RUN,
 * BLOCK/WAKE…, EXIT) on the worker's own ring; coroutine vehicles are
 * 0x40000000|task, unique across processes because every task lives in one
 * process, and SWITCH events carry the worker's pid, so the trace tells
 * which process ran which task. The worker publishes the task on its loop
 * in its blob slot; the parent passes it to the kernel sampler.
 *
 * Crashes: a worker marks each task done in the blob after its EXIT. When a
 * worker dies, the parent emits EXIT FAILED (arg = signal) for each of its
 * tasks not done; the other workers go on. Stop: SIGTERM (each loop cancels
 * its pending tasks and exits), SIGKILL after a grace period, and tasks a
 * killed worker left are cancelled by the parent.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/blocking.h"
#include "schedlab/proc.h"

/* How long the parent sleeps before looking at stop and the slots again. */
#define POLL_MS 10

static uint32_t n_workers(const sl_run_ctx *ctx)
{
    uint32_t n = ctx->workers > 0 ? ctx->workers : 1;
    uint32_t tasks = ctx->sc->n_tasks > 0 ? ctx->sc->n_tasks : 1;
    return n < tasks ? n : tasks;
}

static uint32_t async_procs_rings(const sl_run_ctx *ctx)
{
    return n_workers(ctx); /* one per worker process */
}

static size_t async_procs_blob(const sl_run_ctx *ctx)
{
    return sl_blob_size(ctx->sc, n_workers(ctx));
}

typedef struct procs {
    sl_run_ctx *ctx;
    sl_blob *b;
    sl_worker_slot *slots;
    _Atomic uint32_t *states;
    uint32_t n; /* workers (slots) */
    sl_children cs;
    uint32_t *shown; /* per slot: the task the sampler was last told */
    bool stopping;
} procs;

/* Settles the tasks of worker w that its process left without an EXIT. */
static void settle_share(procs *p, uint32_t w, pid_t pid, int status, bool stopped)
{
    for (uint32_t t = w; t < p->ctx->sc->n_tasks; t += p->n) {
        if (atomic_load(&p->states[t]) == SL_TASK_DONE)
            continue;
        if (pid > 0)
            sl_exit_for_dead(p->ctx, t, pid, status, stopped);
        else
            sl_task_finish(p->ctx, t, SL_EINTR, NULL);
        atomic_store(&p->states[t], SL_TASK_DONE);
    }
}

static int start_worker(procs *p, uint32_t w)
{
    char why[200];
    pid_t pid;
    int err = sl_worker_spawn(p->ctx, "loop", w, -1, &pid, why, sizeof(why));
    if (err == 0 && (err = sl_children_add(&p->cs, pid, w)) < 0)
        snprintf(why, sizeof(why), "%s", sl_strerror(err));
    if (err < 0) {
        snprintf(p->ctx->result->error, sizeof(p->ctx->result->error),
                 "loop worker %u: %s; its tasks were cancelled", w, why);
        settle_share(p, w, 0, 0, true);
        return err;
    }
    p->shown[w] = SL_NO_TASK;
    if (p->ctx->sampler != NULL)
        sl_os_sampler_add(p->ctx->sampler, pid, pid, SL_NO_TASK);
    return 0;
}

/* A loop worker ended: its share is settled (see settle_share). */
static int loop_worker_ended(void *arg, uint32_t which, int status)
{
    procs *p = arg;
    sl_child *c = &p->cs.v[which];
    settle_share(p, c->tag, c->pid, status, c->termed);
    return 0;
}

static int supervise(procs *p)
{
    sl_supervisor sv = {.cs = &p->cs,
                        .ctx = p->ctx,
                        .blob = p->b,
                        .slots = p->slots,
                        .shown = p->shown,
                        .poll_ms = POLL_MS,
                        .stopping = &p->stopping,
                        .ended = loop_worker_ended,
                        .arg = p};
    return sl_children_supervise(&sv);
}

static int async_procs_run(sl_run_ctx *ctx)
{
    uint32_t n_tasks = ctx->sc->n_tasks;
    if (n_tasks == 0)
        return 0;
    procs p = {.ctx = ctx, .n = n_workers(ctx)};
    int err = sl_blob_init(ctx, p.n, &p.b);
    if (err < 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "the shared region is too small for the worker image");
        __atomic_fetch_add(&ctx->result->cancelled, n_tasks, __ATOMIC_RELAXED);
        return err;
    }
    p.shown = calloc(p.n, sizeof(*p.shown));
    if (p.shown == NULL) {
        __atomic_fetch_add(&ctx->result->cancelled, n_tasks, __ATOMIC_RELAXED);
        return SL_ENOMEM;
    }
    p.slots = sl_blob_slots(p.b);
    p.states = sl_blob_states(p.b);
    for (uint32_t t = 0; t < n_tasks; t++) {
        sl_hook_emit(SL_EV_SPAWN, t, 0, 0);
        sl_hook_emit(SL_EV_QUEUE, t, 0, t / p.n + 1);
    }
    int ret = 0;
    for (uint32_t w = 0; w < p.n; w++) {
        int e = start_worker(&p, w);
        if (e < 0 && ret == 0)
            ret = e;
    }
    /* A crash is reported per task (failed, with a sentence): the run
     * itself goes on with the other workers. */
    int sup = supervise(&p);
    if (ret == 0)
        ret = sup;
    sl_children_free(&p.cs);
    free(p.shown);
    sl_blob_merge(p.b, ctx->result);
    /* The coroutines the workers created are vehicles of this run too. */
    __atomic_fetch_add(&ctx->result->n_vehicles,
                       __atomic_load_n(&p.b->result.n_vehicles, __ATOMIC_ACQUIRE),
                       __ATOMIC_RELAXED);
    __atomic_fetch_add(&ctx->result->vehicle_create_ns,
                       __atomic_load_n(&p.b->result.vehicle_create_ns, __ATOMIC_ACQUIRE),
                       __ATOMIC_RELAXED);
    return ret;
}

const sl_strategy sl_strategy_async_procs = {
    .name = "async+procs",
    .summary = "N worker processes, each running its share of the tasks on its own event loop",
    .python = "asyncio loop inside each multiprocessing worker",
    .uses_workers = true,
    .rings_needed = async_procs_rings,
    .blob_needed = async_procs_blob,
    .run = async_procs_run,
    .event_loop_io = true,
    .gil = SL_GIL_SCOPE_PROCESS,
};
