/*
 * Blocking.h - the door of src/blocking/: vehicles that block.
 *
 * A step or a whole task executed on a thread or process that blocks in
 * io and sleep, the thread-per-task launcher, and the global interpreter
 * lock that threads of one interpreter take around their cpu steps.
 */
#ifndef SCHEDLAB_BLOCKING_H
#define SCHEDLAB_BLOCKING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/shared.h"
#include "schedlab/trace.h"

/*
 * Pieces shared by the strategies whose vehicles block: the
 * step executor's variants, result bookkeeping that several threads (or
 * processes, through a shared result) do at once, and the thread-per-task
 * launcher that `threads` and `gil` both use.
 */
struct sl_net_client;

/* Executes one step of `task` with hooks (BLOCK/WAKE around io and sleep,
 * YIELD for yield); after the WAKE of an io/get/sleep step it emits RUN only
 * if `run_after_wait` (the GIL strategy queues for the GIL
 * instead when its next step is cpu). Returns SL_EINTR if ctx->stop cut the
 * step short. */
int sl_step_exec(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const sl_step *step,
                 struct sl_net_client *client, bool run_after_wait, char *why, size_t why_size);

/* The wait of an io, get or sleep step alone (STEP already emitted):
 * BLOCK(reason) .. the blocking call .. WAKE, and RUN if `run_after_wait`.
 * What an executor thread does with an offloaded wait. */
int sl_step_wait(const sl_run_ctx *ctx, uint32_t task, uint32_t index, const sl_step *step,
                 struct sl_net_client *client, bool run_after_wait, char *why, size_t why_size);

/* A vehicle's HTTP client for `task` (SL_NO_TASK: any task of the scenario),
 * or NULL when no step needs one or it cannot be created (an io step then
 * fails with a sentence saying so). */
struct sl_net_client *sl_vehicle_client(const sl_scenario *sc, uint32_t task);

/* Body run by each vehicle of sl_thread_per_task: executes `task` on the
 * calling (already bound) thread and returns its sl_exit_status. */
typedef int (*sl_task_body)(const sl_run_ctx *ctx, uint32_t task, struct sl_net_client *client,
                            void *arg);

/* One pthread per task, each with its own ring, registered with the
 * sampler, its usage summed into the result. SPAWN is emitted by the caller
 * (the runner) as each thread is created. Creation failure stops creating:
 * the rest are cancelled, the created ones joined, SL_ELIMIT returned with
 * the reason in result->error. */
int sl_thread_per_task(sl_run_ctx *ctx, sl_task_body body, void *arg);

/* The threads strategy: a thread per task, sharing one GIL when the run's
 * is on or `force_gil` (the gil strategy). 0 or SL_E*. */
int sl_threads_run(sl_run_ctx *ctx, bool force_gil);

/* Starts a small-stack thread (the threads strategy's stack size), 0 or errno. */
int sl_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* Runs a whole task on a blocking vehicle: RUN, every step, EXIT. Updates
 * ctx->result atomically. Returns the task's sl_exit_status. */
int sl_task_exec_blocking(const sl_run_ctx *ctx, uint32_t task, struct sl_net_client *client);

/*
 * A global interpreter lock modelled on CPython 3's "new GIL"
 * (Python/ceval_gil.h since 3.2), with hooks at every hand-off.
 *
 * A thread that wants the lock waits on a condition variable for at most
 * the switch interval; if the same holder still has it after a whole
 * interval, the waiter sets the drop request (CPython's eval breaker). The
 * holder polls the request between slices of its work, lets go, and waits
 * until another thread has taken the lock (FORCE_SWITCHING), so the one
 * that asked really gets it instead of the holder grabbing it straight back.
 */
typedef struct sl_gil {
    pthread_mutex_t mu;
    pthread_cond_t released; /* signalled when the lock is let go */
    pthread_cond_t taken;    /* broadcast when a thread takes it */
    bool locked;             /* someone holds it */
    uint32_t holder;         /* task holding it, or SL_NO_TASK */
    uint32_t last_holder;    /* task that held it last, or SL_NO_TASK */
    uint32_t waiters;        /* threads waiting in sl_gil_take */
    uint64_t switch_number;  /* takes so far */
    uint64_t handoffs;       /* takes by a task other than the last holder */
    uint64_t taken_at_ns;    /* when the holder took it */
    uint64_t interval_ns;    /* switch interval */
    int drop_request;        /* eval breaker: the holder must let go (atomic) */
} sl_gil;

/* Initialises an unlocked GIL with a switch interval (0: CPython's 5 ms). */
int sl_gil_init(sl_gil *g, uint64_t interval_ns);
void sl_gil_destroy(sl_gil *g);

/* Emits READY(GIL), waits for the lock (setting the drop request after each
 * interval the same holder kept it), takes it and emits GIL_TAKE(wait ns). */
void sl_gil_take(sl_gil *g, uint32_t task);

/* Lets go: emits GIL_DROP(cause, held ns); cause is BLOCK or DONE. */
void sl_gil_drop(sl_gil *g, uint32_t task, sl_gil_drop_cause cause);

/* The holder's answer to a drop request: GIL_DROP(interval), READY(GIL),
 * waits until another thread has taken the lock (FORCE_SWITCHING), then
 * queues to take it back like sl_gil_take. */
void sl_gil_yield(sl_gil *g, uint32_t task);

/* True if a waiter asked the holder to let go. */
bool sl_gil_drop_requested(sl_gil *g);

/* Hand-offs so far (takes by another task than the last holder). */
uint64_t sl_gil_handoffs(sl_gil *g);

/* Runs `task` whole on the calling (bound) thread, one of an interpreter's
 * threads whose GIL is `gil` (gil-task.c says when it is held); with gil =
 * NULL (no GIL), exactly sl_task_exec_blocking. Returns the sl_exit_status. */
int sl_gil_task_exec(const sl_run_ctx *ctx, uint32_t task, sl_gil *gil,
                     struct sl_net_client *client);

/* Runs cpu step `index` of `task` (STEP already emitted) holding `gil`:
 * takes it, RUN, computes in slices that answer drop requests, drops it
 * (DONE). 0, or SL_EINTR when a stop cut it short. */
int sl_gil_cpu_exec(const sl_run_ctx *ctx, sl_gil *gil, uint32_t task, uint32_t index,
                    const sl_step *step);

#endif
