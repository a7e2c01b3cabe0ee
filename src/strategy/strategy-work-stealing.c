/*
 * strategy-work-stealing.c - coroutines on one worker thread per core,
 * each with its own ready queue, idle workers stealing half of a busy
 * one's (Go's scheduler, tokio's multi-threaded runtime). There is no
 * Python analogue: asyncio runs one loop per thread and CPython's GIL
 * would hold the workers to one core anyway, so this runtime has no GIL.
 *
 * The scheduler lives in src/steal/ (steal.h says how it decides).
 */
#include "schedlab/strategy.h"
#include "schedlab/steal.h"

static int run(sl_run_ctx *ctx)
{
    return sl_steal_run(ctx);
}

/* one per worker and one for the poller */
static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return sl_steal_workers(ctx) + 1;
}

const sl_strategy sl_strategy_work_stealing = {
    .name = "work-stealing",
    .summary = "coroutines on N threads, idle ones steal half a busy one's queue (Go, tokio)",
    .python = "none: Go's goroutines, tokio's multi-threaded runtime",
    .uses_workers = true,
    .rings_needed = rings_needed,
    .run = run,
    .event_loop_io = true,
    .gil = SL_GIL_SCOPE_NEVER,
};
