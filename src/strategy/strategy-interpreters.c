/*
 * strategy-interpreters.c - N worker threads, each running its own
 * interpreter (Python 3.14: concurrent.futures.InterpreterPoolExecutor,
 * PEP 734).
 *
 * A thread pool whose workers share no objects with the caller: each
 * worker builds a private copy of everything its tasks read before it
 * takes the first (its creation cost, measured from the request to that
 * moment), and each has a GIL of its own. So cpu steps compute on every
 * core with the GIL on, as processes do, at the cost of a thread plus
 * that copy instead of a process. A plain counter is a module global: each
 * interpreter counts on a copy of its own, as each worker process does;
 * only a counter declared `shared = yes` is one integer for all. What is
 * not modelled: the run's queues and locks stay shared between
 * interpreters (as an interpreters.Queue is), and a task's own arguments
 * travel as a task index, its program being in the worker's copy already.
 */
#include "strategy/threadpool.h"

static int run(sl_run_ctx *ctx)
{
    return sl__threadpool_run(ctx, true);
}

const sl_strategy sl_strategy_interpreters = {
    .name = "interpreters",
    .summary = "N threads, each its own interpreter and GIL, sharing no objects",
    .python = "concurrent.futures.InterpreterPoolExecutor(max_workers=N)",
    .uses_workers = true,
    .rings_needed = sl__threadpool_rings,
    .run = run,
    .gil = SL_GIL_SCOPE_PER_WORKER,
};
