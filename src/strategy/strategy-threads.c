/*
 * strategy-threads.c - a pthread per task (Python: threading.Thread).
 *
 * The runner creates one thread per task, emitting SPAWN as it does; each
 * thread binds its own ring, registers with the kernel sampler and runs its
 * task with blocking calls, so the OS scheduler decides everything: the
 * ready list is the kernel's run queue, seen through OS_SAMPLE events.
 *
 * The launcher (blocking/thread-per-task.c) is shared with the gil strategy,
 * which differs only in what a thread does with its task.
 */
#include "schedlab/strategy.h"
#include "schedlab/net.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"

static int thread_body(const sl_run_ctx *ctx, uint32_t task, sl_net_client *client, void *arg)
{
    return sl_task_exec_blocking(ctx, task, client);
}

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return ctx->sc->n_tasks + 2;
}

static int run(sl_run_ctx *ctx)
{
    int err = sl_shared_create(ctx, ctx->sc->n_tasks, SL_SHARED_PER_TASK);
    if (err < 0) {
        sl_tasks_cancel(ctx, 0, ctx->sc->n_tasks);
        return err;
    }
    err = sl_thread_per_task(ctx, thread_body, NULL);
    sl_shared_free(ctx);
    return err;
}

const sl_strategy sl_strategy_threads = {
    .name = "threads",
    .summary = "one OS thread per task; the kernel schedules them on every core",
    .python = "threading.Thread per task",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
};
