/*
 * blocking.h - pieces shared by the strategies whose vehicles block: the
 * step executor's variants, result bookkeeping that several threads (or
 * processes, through a shared result) do at once, and the thread-per-task
 * launcher that `threads` and `gil` both use.
 */
#ifndef SL_STRATEGY_BLOCKING_H
#define SL_STRATEGY_BLOCKING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/strategy.h"

/* True once the run was asked to stop (ctx->stop is set from other threads). */
static inline bool sl__stopped(const sl_run_ctx *ctx)
{
    return ctx->stop != NULL && atomic_load_explicit(ctx->stop, memory_order_relaxed) != 0;
}

/* Claims `task` for its vehicle right before it starts (idempotent): true
 * if it may start, false if sl_run_cancel_task got there first, and the
 * caller then ends it with sl__task_finish(ctx, task, SL_EINTR, …) and no
 * other event. */
static inline bool sl__task_claim(const sl_run_ctx *ctx, uint32_t task)
{
    if (ctx->claims == NULL)
        return true;
    unsigned char expect = SL_CLAIM_PENDING;
    return atomic_compare_exchange_strong(&ctx->claims[task], &expect, SL_CLAIM_STARTED) ||
           expect == SL_CLAIM_STARTED;
}

/* Slice of a cpu step between two checks of ctx->stop. */
#define SL__STOP_SLICE_NS 1000000ull

/* sl_step_exec_blocking, except that after the WAKE of an io/get/sleep step
 * it emits RUN only if `run_after_wait` (the GIL strategy queues for the GIL
 * instead when its next step is cpu). Returns SL_EINTR if ctx->stop cut the
 * step short. */
int sl__step_exec(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const sl_step *step,
                  struct sl_net_client *client, bool run_after_wait, char *why, size_t why_size);

/* Ends a task: emits EXIT (OK, FAILED with arg = err, or CANCELLED when err
 * is SL_EINTR), counts it in ctx->result and, when failed, records
 * "task NAME: why". Returns the sl_exit_status. */
int sl__task_finish(const sl_run_ctx *ctx, uint32_t task, int err, const char *why);

/* Cancels tasks [from, to) that never started: EXIT(CANCELLED) each. */
void sl__tasks_cancel(const sl_run_ctx *ctx, uint32_t from, uint32_t to);

/* Adds one sentence to result->failures (kept: the first 8). Lock-free, so
 * it also works on a result shared between processes. */
void sl__result_failure(sl_run_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True if some step of the task (or of any task, for task = SL_NO_TASK)
 * needs an HTTP client. */
bool sl__needs_net(const sl_scenario *sc, uint32_t task);

/* A vehicle's HTTP client for `task` (SL_NO_TASK: any task of the scenario),
 * or NULL when no step needs one or it cannot be created (an io step then
 * fails with a sentence saying so). */
struct sl_net_client *sl__vehicle_client(const sl_scenario *sc, uint32_t task);

/* The calling thread's CPU time and context switches so far. */
typedef struct sl__usage {
    uint64_t cpu_ns, voluntary, involuntary;
} sl__usage;
void sl__usage_now(sl__usage *u);
/* Adds (now - since) of the calling thread to ctx->result atomically;
 * since = NULL counts the thread's whole life. */
void sl__usage_account(sl_run_result *res, const sl__usage *since);

/* Body run by each vehicle of sl__thread_per_task: executes `task` on the
 * calling (already bound) thread and returns its sl_exit_status. */
typedef int (*sl__task_body)(const sl_run_ctx *ctx, uint32_t task, void *arg);

/* One pthread per task, each with its own ring, registered with the
 * sampler, its usage summed into the result. SPAWN is emitted by the caller
 * (the runner) as each thread is created. Creation failure stops creating:
 * the rest are cancelled, the created ones joined, SL_ELIMIT returned with
 * the reason in result->error. */
int sl__thread_per_task(sl_run_ctx *ctx, sl__task_body body, void *arg);

/* Starts a small-stack thread (the threads strategy's stack size), 0 or errno. */
int sl__thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
