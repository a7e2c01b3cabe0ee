/*
 * strategy-gil.c - a thread per task, but cpu steps must hold one global
 * interpreter lock (Python: CPython threads under the GIL, with
 * sys.setswitchinterval).
 *
 * It is `threads` with the run's GIL forced on (gil-task.c says what a
 * thread does with it), kept as a name so that scripts and lessons written
 * before the GIL became a run parameter keep working.
 */
#include "schedlab/strategy.h"
#include "schedlab/blocking.h"

static int run(sl_run_ctx *ctx)
{
    return sl_threads_run(ctx, true);
}

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return ctx->sc->n_tasks + 2;
}

const sl_strategy sl_strategy_gil = {
    .name = "gil",
    .summary = "threads with the GIL on, whatever the run says (as --gil on)",
    .python = "CPython threads under the GIL (sys.setswitchinterval)",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
    .gil = SL_GIL_SCOPE_ALWAYS,
};
