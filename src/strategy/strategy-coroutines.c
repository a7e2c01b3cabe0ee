/*
 * strategy-coroutines.c - every task a stackful coroutine on one libuv loop
 * (Python: asyncio.gather). One thread, one loop, one coroutine running at
 * a time; a task gives up the thread only where it awaits:
 *
 *   io, get      the event-loop HTTP client (libcurl multi on this loop):
 *                BLOCK(io), yield to the scheduler; the transfer's done
 *                callback WAKEs it and queues it again
 *   sleep        a uv timer: BLOCK(sleep) .. WAKE
 *   yield        YIELD, back to the end of the ready queue
 *   cpu          runs inline and holds the whole loop, as in asyncio: no
 *                other coroutine runs until the step ends
 *
 * The loop itself lives in coro-sched.c, shared with the hybrid strategies
 * that differ only in where cpu steps run.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "schedlab/strategy.h"
#include "schedlab/error.h"
#include "schedlab/loop.h"

static int run(sl_run_ctx *ctx)
{
    int err = sl_sched_bind_ring(ctx);
    if (err < 0)
        return err;
    static const sl_sched_opts all_inline = {0};
    return sl_sched_run(ctx, &all_inline);
}

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return 1;
}

const sl_strategy sl_strategy_coroutines = {
    .name = "coroutines",
    .summary = "stackful coroutines on one libuv event loop: io waits overlap, cpu blocks all",
    .python = "asyncio.gather(*tasks)",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
    .event_loop_io = true,
};
