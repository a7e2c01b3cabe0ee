/*
 * strategy-sequential.c - every task in order on the runner's own thread
 * (Python: a plain for loop). The baseline every other strategy is compared
 * with: nothing overlaps, so its time is the sum of all the work.
 *
 * All tasks are SPAWNed at the start and QUEUEd for the one runner: they
 * wait for their turn, not for a core (ready would mean runnable, and
 * listing 19 tasks as ready beside two idle cores told the opposite of a
 * for loop). The runner thread is the one vehicle, registered with the
 * kernel sampler while it carries tasks.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "schedlab/strategy.h"
#include "schedlab/net.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return 2;
}

static int run(sl_run_ctx *ctx)
{
    uint32_t n = ctx->sc->n_tasks;
    for (uint32_t i = 0; i < n; i++) {
        sl_hook_emit(SL_EV_SPAWN, i, 0, 0);
        sl_hook_emit(SL_EV_QUEUE, i, 0, i + 1); /* arg: the queue's depth */
    }
    /* One vehicle: a task that must wait on a queue or lock would wait
     * forever, and the region fails it instead. */
    int err = sl_shared_create(ctx, 1, SL_SHARED_SEQUENTIAL);
    if (err < 0) {
        sl_tasks_cancel(ctx, 0, n);
        return err;
    }

    pid_t tid = gettid();
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, SL_NO_TASK);
    sl_net_client *client = sl_vehicle_client(ctx->sc, SL_NO_TASK);
    __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);

    sl_usage start;
    sl_usage_now(&start);
    for (uint32_t i = 0; i < n; i++) {
        if (ctx->sampler != NULL)
            sl_os_sampler_set_task(ctx->sampler, tid, i);
        /* Its turn: taken off the queue by the runner, as a pool worker
         * takes a task. */
        sl_hook_emit(SL_EV_READY, i, SL_READY_WORKER, 0);
        sl_task_exec_blocking(ctx, i, client);
    }
    sl_usage_account(ctx->result, &start);

    if (client != NULL)
        sl_net_client_free(client);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, tid);
    sl_shared_free(ctx);
    return 0;
}

const sl_strategy sl_strategy_sequential = {
    .name = "sequential",
    .summary = "every task in order on one thread: the baseline",
    .python = "a plain for loop",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
};
