/*
 * strategy-processes.c - one worker process per task, all started, then joined.
 *
 * The analogue of `for t in tasks: Process(target=f, args=(t,)).start()`
 * followed by join(): every task gets its own address space, so cpu-bound
 * tasks use every core (no shared interpreter lock), at the price of a
 * process creation each. The parent emits SPAWN on the runner's ring and
 * starts `schedlab __worker --role task --index K` (spawn.h); the child
 * claims a ring of its own and emits RUN..EXIT with vehicle = its pid.
 *
 * A child that dies before its EXIT (signal, non-zero exit) gets its EXIT
 * FAILED from the parent, with the signal as arg and a sentence in
 * result->failures; the other tasks carry on. If the OS refuses a process
 * (EAGAIN, RLIMIT_NPROC), the run stops spawning, cancels the rest, joins
 * the started ones and returns SL_ELIMIT.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/blocking.h"
#include "schedlab/proc.h"

/* How long the join loop sleeps before looking at ctx->stop again. */
#define JOIN_POLL_MS 20

static uint32_t processes_rings(const sl_run_ctx *ctx)
{
    /* the runner, the kernel sampler, one per child */
    return 2 + ctx->sc->n_tasks;
}

static size_t processes_blob(const sl_run_ctx *ctx)
{
    return sl_blob_size(ctx->sc, 0);
}

/* Starts one child per task until done, stopped, or refused. */
static int spawn_all(sl_run_ctx *ctx, sl_children *cs)
{
    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++) {
        if (ctx->stop != NULL && atomic_load(ctx->stop))
            return SL_EINTR;
        sl_hook_emit(SL_EV_SPAWN, t, 0, 0);
        /* sl_worker_spawn emits START: start-up, to the worker's RUN */
        char why[200];
        pid_t pid;
        int err = sl_worker_spawn(ctx, "task", t, -1, &pid, why, sizeof(why));
        if (err < 0) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "task %s: %s; the remaining tasks were cancelled", ctx->sc->tasks[t].name,
                     why);
            return err;
        }
        err = sl_children_add(cs, pid, t);
        if (err < 0) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "out of memory tracking worker processes");
            return err;
        }
        if (ctx->sampler != NULL)
            sl_os_sampler_add(ctx->sampler, pid, pid, t);
    }
    return 0;
}

static int processes_run(sl_run_ctx *ctx)
{
    sl_blob *b;
    int err = sl_blob_init(ctx, 0, &b);
    if (err < 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "the shared region is too small for the worker image");
        return err;
    }
    _Atomic uint32_t *states = sl_blob_states(b);
    sl_children cs = {0};
    int ret = spawn_all(ctx, &cs);

    while (cs.live > 0) {
        if (ctx->stop != NULL && atomic_load(ctx->stop)) {
            sl_children_stop(&cs);
            ret = ret < 0 ? ret : SL_EINTR;
        }
        uint32_t w;
        int status;
        if (sl_children_wait(&cs, ctx, JOIN_POLL_MS, &w, &status) <= 0)
            continue;
        uint32_t t = cs.v[w].tag;
        if (atomic_load(&states[t]) != SL_TASK_DONE) {
            sl_exit_for_dead(ctx, t, cs.v[w].pid, status, cs.v[w].termed);
            atomic_store(&states[t], SL_TASK_DONE);
        }
    }
    sl_children_free(&cs);

    /* Not started (refused, stopped): cancelled, after every child is gone. */
    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++)
        if (atomic_load(&states[t]) != SL_TASK_DONE)
            sl_task_finish(ctx, t, SL_EINTR, NULL);
    sl_blob_merge(b, ctx->result);
    return ret;
}

const sl_strategy sl_strategy_processes = {
    .name = "processes",
    .summary = "one OS process per task: every core, no shared memory, costly to start",
    .python = "multiprocessing.Process(target=f, args=(t,)) per task; start all; join all",
    .uses_workers = false,
    .rings_needed = processes_rings,
    .blob_needed = processes_blob,
    .run = processes_run,
    .gil = SL_GIL_SCOPE_PROCESS,
};
