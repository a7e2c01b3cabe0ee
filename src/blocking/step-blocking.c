/*
 * step-blocking.c - one task step on a vehicle that blocks: a thread, a
 * pool worker, a process. Shared by every strategy except coroutines, so a
 * step means the same work and the same hooks whatever carries it.
 *
 *   cpu, cpu-sumsq   sl_work_run in slices, checking ctx->stop between them
 *   io, get          BLOCK(io) .. libcurl easy GET .. WAKE, RUN
 *   sleep            BLOCK(sleep) .. clock_nanosleep .. WAKE, RUN
 *   yield            YIELD, sched_yield(), RUN
 *   put, take        the run's shared queues (shared-objects.h): only when
 *   lock, unlock     the task must wait, BLOCK(queue / lock) .. WAKE, RUN
 *   inc              the shared counter, unsynchronised (lost updates)
 *
 * A failed GET fails its task, not the run: the sentence goes to
 * result->failures and the other tasks go on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"

/* Longest uninterrupted nap of a sleep step, so a stop is seen promptly. */
#define SLEEP_CHUNK_NS 100000000ull

static bool keep_going(void *arg)
{
    return !sl_stopped(arg);
}

static void resume(uint32_t task, uint32_t index, sl_wait_reason reason, bool run_after_wait)
{
    sl_hook_emit(SL_EV_WAKE, task, reason, 0);
    if (run_after_wait)
        sl_hook_emit(SL_EV_RUN, task, 0, index);
}

static int exec_get(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const char *url,
                    uint64_t expected_ns, struct sl_net_client *client, bool run_after_wait,
                    char *why, size_t why_size)
{
    if (client == NULL) {
        snprintf(why, why_size, "no HTTP client on this vehicle for %s", url);
        return SL_EINVAL;
    }
    char net_why[128] = "";
    uint64_t bytes = 0;
    sl_hook_emit(SL_EV_BLOCK, task, SL_WAIT_IO, expected_ns);
    int err = sl_net_client_get(client, url, &bytes, net_why, sizeof(net_why));
    resume(task, index, SL_WAIT_IO, run_after_wait);
    if (err < 0)
        snprintf(why, why_size, "GET %s: %s", url, net_why[0] ? net_why : sl_strerror(err));
    return err;
}

static int exec_sleep(const sl_run_ctx *ctx, uint32_t task, uint32_t index, uint64_t ns,
                      bool run_after_wait)
{
    sl_hook_emit(SL_EV_BLOCK, task, SL_WAIT_SLEEP, ns);
    uint64_t deadline = sl_clock_ns() + ns;
    for (uint64_t now = sl_clock_ns(); now < deadline && !sl_stopped(ctx); now = sl_clock_ns()) {
        uint64_t until = deadline - now > SLEEP_CHUNK_NS ? now + SLEEP_CHUNK_NS : deadline;
        struct timespec ts = {.tv_sec = (time_t)(until / 1000000000ull),
                              .tv_nsec = (long)(until % 1000000000ull)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
    }
    resume(task, index, SL_WAIT_SLEEP, run_after_wait);
    return sl_stopped(ctx) ? SL_EINTR : 0;
}

/* What a plain blocking vehicle does around a wait on a shared object. */
typedef struct shared_wait {
    const sl_run_ctx *ctx;
    uint32_t index;
    bool run_after_wait;
} shared_wait;

static void shared_block(void *arg, uint32_t task, sl_wait_reason reason)
{
    sl_hook_emit(SL_EV_BLOCK, task, reason, 0);
}

static void shared_wake(void *arg, uint32_t task, sl_wait_reason reason)
{
    shared_wait *w = arg;
    resume(task, w->index, reason, w->run_after_wait);
}

static bool shared_poll(void *arg)
{
    shared_wait *w = arg;
    return !sl_stopped(w->ctx);
}

int sl_step_wait(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const sl_step *step,
                 struct sl_net_client *client, bool run_after_wait, char *why, size_t why_size)
{
    switch (step->kind) {
    case SL_STEP_IO: {
        char url[128];
        sl_net_io_url_for(url, sizeof(url), ctx->net_port, task, step->ns, step->n);
        return exec_get(ctx, task, index, url, step->ns, client, run_after_wait, why, why_size);
    }
    case SL_STEP_GET:
        return exec_get(ctx, task, index, step->url, 0, client, run_after_wait, why, why_size);
    case SL_STEP_SLEEP:
        return exec_sleep(ctx, task, index, step->ns, run_after_wait);
    default:
        snprintf(why, why_size, "step kind %u (scenario line %u) is not a wait", step->kind,
                 step->line);
        return SL_EINVAL;
    }
}

int sl_step_exec(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const sl_step *step,
                 struct sl_net_client *client, bool run_after_wait, char *why, size_t why_size)
{
    if (sl_stopped(ctx))
        return SL_EINTR;
    sl_hook_emit(SL_EV_STEP, task, step->kind, index);
    switch (step->kind) {
    case SL_STEP_CPU:
    case SL_STEP_CPU_SUMSQ: {
        uint64_t amount = step->kind == SL_STEP_CPU ? step->ns : step->n;
        uint64_t sum;
        bool done =
            sl_work_run(step->kind, amount, SL_STOP_SLICE_NS, keep_going, (void *)ctx, &sum);
        return done ? 0 : SL_EINTR;
    }
    case SL_STEP_IO:
    case SL_STEP_GET:
    case SL_STEP_SLEEP:
        return sl_step_wait(ctx, task, index, step, client, run_after_wait, why, why_size);
    case SL_STEP_YIELD:
        sl_hook_emit(SL_EV_YIELD, task, 0, 0);
        sched_yield();
        sl_hook_emit(SL_EV_RUN, task, 0, index);
        return 0;
    case SL_STEP_PUT:
    case SL_STEP_TAKE:
    case SL_STEP_INC:
    case SL_STEP_LOCK:
    case SL_STEP_UNLOCK: {
        shared_wait w = {.ctx = ctx, .index = index, .run_after_wait = run_after_wait};
        sl_shared_hooks h = {
            .block = shared_block, .wake = shared_wake, .poll = shared_poll, .arg = &w};
        return sl_shared_step(ctx->shared, ctx, task, step, &h, why, why_size);
    }
    default:
        snprintf(why, why_size, "unknown step kind %u (scenario line %u)", step->kind, step->line);
        return SL_EINVAL;
    }
}

int sl_task_exec_blocking(const sl_run_ctx *ctx, uint32_t task, struct sl_net_client *client)
{
    char why[160] = "";
    if (sl_stopped(ctx) || !sl_task_claim(ctx, task))
        return sl_task_finish(ctx, task, SL_EINTR, why);
    sl_hook_emit(SL_EV_RUN, task, 0, 0);
    sl_shared_task_start(ctx->shared, task);
    const sl_step *steps = sl_task_steps(ctx->sc, task);
    int err = 0;
    for (uint32_t i = 0; i < ctx->sc->tasks[task].n_steps && err == 0; i++)
        err = sl_step_exec(ctx, task, i, &steps[i], client, true, why, sizeof(why));
    return sl_task_finish(ctx, task, err, why);
}

struct sl_net_client *sl_vehicle_client(const sl_scenario *sc, uint32_t task)
{
    sl_net_client *client = NULL;
    if (sl_needs_net(sc, task) && sl_net_client_new(&client) < 0)
        return NULL;
    return client;
}
