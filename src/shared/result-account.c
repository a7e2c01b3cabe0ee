/*
 * result-account.c - how blocking vehicles fill the run's result: task
 * outcomes, failure sentences and per-thread CPU time and switches.
 *
 * Many vehicles finish at once, so every update is an atomic add or a
 * compare-and-swap, never a lock: the same code stays correct when the
 * result lives in memory shared with worker processes.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "schedlab/error.h"
#include "schedlab/shared.h"

void sl_result_failure(sl_run_result *res, const char *fmt, ...)
{
    const uint32_t max = sizeof(res->failures) / sizeof(res->failures[0]);
    /* Reserve a slot first, so two failing vehicles never share one. */
    uint32_t slot = __atomic_load_n(&res->n_failures, __ATOMIC_RELAXED);
    do {
        if (slot >= max)
            return;
    } while (!__atomic_compare_exchange_n(&res->n_failures, &slot, slot + 1, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->failures[slot], sizeof(res->failures[slot]), fmt, ap);
    va_end(ap);
}

int sl_task_finish(const sl_run_ctx *ctx, uint32_t task, int err, const char *why)
{
    sl_run_result *res = ctx->result;
    /* Before the EXIT: its locks are free and its waits settled by then. */
    sl_shared_task_end(ctx->shared, task);
    if (err == 0) {
        sl_hook_emit(SL_EV_EXIT, task, SL_EXIT_OK, 0);
        __atomic_fetch_add(&res->completed, 1, __ATOMIC_RELAXED);
        return SL_EXIT_OK;
    }
    if (err == SL_EINTR) {
        sl_hook_emit(SL_EV_EXIT, task, SL_EXIT_CANCELLED, 0);
        __atomic_fetch_add(&res->cancelled, 1, __ATOMIC_RELAXED);
        return SL_EXIT_CANCELLED;
    }
    sl_hook_emit(SL_EV_EXIT, task, SL_EXIT_FAILED, (uint64_t)(int64_t)err);
    __atomic_fetch_add(&res->failed, 1, __ATOMIC_RELAXED);
    sl_result_failure(res, "task %s: %s", ctx->sc->tasks[task].name,
                      why != NULL && why[0] ? why : sl_strerror(err));
    return SL_EXIT_FAILED;
}

void sl_tasks_cancel(const sl_run_ctx *ctx, uint32_t from, uint32_t to)
{
    for (uint32_t t = from; t < to; t++)
        sl_task_finish(ctx, t, SL_EINTR, NULL);
}

bool sl_needs_net(const sl_scenario *sc, uint32_t task)
{
    uint32_t first = task == SL_NO_TASK ? 0 : task;
    uint32_t last = task == SL_NO_TASK ? sc->n_tasks : task + 1;
    for (uint32_t t = first; t < last; t++) {
        const sl_step *steps = sl_task_steps(sc, t);
        for (uint32_t i = 0; i < sc->tasks[t].n_steps; i++)
            if (steps[i].kind == SL_STEP_IO || steps[i].kind == SL_STEP_GET)
                return true;
    }
    return false;
}

void sl_usage_now(sl_usage *u)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    u->cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    u->voluntary = (uint64_t)ru.ru_nvcsw;
    u->involuntary = (uint64_t)ru.ru_nivcsw;
}

void sl_usage_account(sl_run_result *res, const sl_usage *since)
{
    sl_usage now;
    sl_usage_now(&now);
    if (since != NULL) {
        now.cpu_ns -= since->cpu_ns;
        now.voluntary -= since->voluntary;
        now.involuntary -= since->involuntary;
    }
    __atomic_fetch_add(&res->cpu_ns, now.cpu_ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&res->voluntary, now.voluntary, __ATOMIC_RELAXED);
    __atomic_fetch_add(&res->involuntary, now.involuntary, __ATOMIC_RELAXED);
}

void sl_thread_vehicle_end(const sl_run_ctx *ctx, pid_t tid)
{
    sl_usage_account(ctx->result, NULL);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, tid);
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_VEHICLE_EXIT, 0);
    sl_hook_unbind();
}
