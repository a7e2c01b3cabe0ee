/*
 * strategy-threads.c - a pthread per task (Python: threading.Thread).
 *
 * The runner creates one thread per task, emitting SPAWN as it does; each
 * thread binds its own ring, registers with the kernel sampler and runs its
 * task with blocking calls, so the OS scheduler decides everything: the
 * ready list is the kernel's run queue, seen through OS_SAMPLE events.
 *
 * With the run's GIL on (the default: the lessons are Python's) the
 * threads share one lock, as CPython's threads do, and take turns on cpu
 * steps (blocking/gil-task.c); with it off they compute at once, as
 * free-threaded CPython's or C's do. The launcher (sl_threads_run in
 * blocking/thread-per-task.c) is shared with the `gil` strategy, which is
 * this one with the GIL forced on.
 */
#include "schedlab/strategy.h"
#include "schedlab/blocking.h"

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return ctx->sc->n_tasks + 2;
}

static int run(sl_run_ctx *ctx)
{
    return sl_threads_run(ctx, false);
}

const sl_strategy sl_strategy_threads = {
    .name = "threads",
    .summary = "one OS thread per task; the kernel schedules them on every core",
    .python = "threading.Thread per task",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
    .gil = SL_GIL_SCOPE_RUN,
};
