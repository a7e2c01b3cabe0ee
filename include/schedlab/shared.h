/*
 * Shared.h - the door of src/shared/: what every vehicle of a run shares.
 *
 * The run context a strategy is given and the result it fills, the
 * accounting every vehicle does as its tasks end, a task's life as vehicles
 * in several processes see it, and the scenario's queues, counters and
 * locks in one region that threads and worker processes map alike.
 */
#ifndef SCHEDLAB_SHARED_H
#define SCHEDLAB_SHARED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <stddef.h>

#include "schedlab/scenario.h"
#include "schedlab/trace.h"

/*
 * What a strategy's vehicles are given and fill: the run's
 * context, its result, and the per-task claims a cancel races with.
 */
/* Counters a run result reports (a scenario declares at most this many). */
#define SL_RESULT_COUNTERS 8

/* Filled by the strategy while running. */
typedef struct sl_run_result {
    uint32_t completed, failed, cancelled; /* tasks by outcome */
    uint64_t cpu_ns;                       /* CPU time of the vehicles (user+system) */
    uint64_t voluntary, involuntary;       /* OS context switches of the vehicles */
    uint64_t peak_rss_kb;                  /* largest RSS seen (children included) */
    uint32_t n_vehicles;                   /* vehicles created */
    uint64_t vehicle_create_ns;            /* total time spent creating vehicles */
    char error[256];                       /* why the run stopped early, or "" */
    char failures[8][160];                 /* first failures, one sentence each */
    uint32_t n_failures;
    /* The race report: per [counter], the increments performed (what a
     * correct counter would read, copies included) and the value it ended
     * with in the parent; lost updates are expected - actual - the copies'
     * sum. Filled when the run ends. */
    uint32_t n_counters;
    char counter_names[SL_RESULT_COUNTERS][48];
    uint64_t counter_expected[SL_RESULT_COUNTERS];
    uint64_t counter_actual[SL_RESULT_COUNTERS];
    bool counter_shared[SL_RESULT_COUNTERS];              /* declared `shared = yes` */
    sl_counter_copies counter_copies[SL_RESULT_COUNTERS]; /* per-process copies (plain) */
} sl_run_result;

typedef struct sl_run_ctx {
    const sl_scenario *sc;    /* the tasks (read-only) */
    sl_rings *rings;          /* shared-memory rings; ring 0 is the runner's */
    uint64_t epoch_ns;        /* time zero of the run */
    uint32_t workers;         /* pool size / worker processes / libuv pool */
    uint32_t chunksize;       /* procpool: tasks per grab */
    uint64_t gil_interval_ns; /* gil: forced switch interval */
    uint32_t gil;             /* SL_GIL_ON or SL_GIL_OFF: the interpreter's runtime, which
                               * every thread-based strategy (and every worker process,
                               * one GIL each) follows */
    uint32_t offload;         /* async+threads: which steps go to the executor (sl_offload) */
    uint16_t net_port;        /* latency server port */
    const char *worker_exe;   /* binary to spawn in worker mode */
    sl_os_sampler *sampler;   /* register OS vehicles here (may be NULL) */
    atomic_int *stop;         /* set by another thread to stop early */
    sl_run_result *result;    /* out */
    struct sl_shared *shared; /* the run's queues, counters and locks, set by the
                               * strategy (NULL: the scenario declares none) */
    /* Per task, who got there first: the vehicle starting it or
     * sl_run_cancel_task (SL_CLAIM_*). It lives in the rings' blob, so
     * worker processes share it; NULL: no task can be cancelled alone. */
    atomic_uchar *claims;
    sl_start_method start; /* how worker processes start (SL_START_DEFAULT: forkserver) */
} sl_run_ctx;

/* States of ctx->claims[task]: only PENDING ever changes, by one CAS. */
enum { SL_CLAIM_PENDING = 0, SL_CLAIM_STARTED = 1, SL_CLAIM_CANCELLED = 2 };

/* True once the run was asked to stop (ctx->stop is set from other threads). */
static inline bool sl_stopped(const sl_run_ctx *ctx)
{
    return ctx->stop != NULL && atomic_load_explicit(ctx->stop, memory_order_relaxed) != 0;
}

/* Claims `task` for its vehicle right before it starts (idempotent): true
 * if it may start, false if sl_run_cancel_task got there first, and the
 * caller then ends it with sl_task_finish(ctx, task, SL_EINTR, …) and no
 * other event. */
static inline bool sl_task_claim(const sl_run_ctx *ctx, uint32_t task)
{
    if (ctx->claims == NULL)
        return true;
    unsigned char expect = SL_CLAIM_PENDING;
    return atomic_compare_exchange_strong(&ctx->claims[task], &expect, SL_CLAIM_STARTED) ||
           expect == SL_CLAIM_STARTED;
}

/* Slice of a cpu step between two checks of ctx->stop. */
#define SL_STOP_SLICE_NS 1000000ull

/* Ends a task: emits EXIT (OK, FAILED with arg = err, or CANCELLED when err
 * is SL_EINTR), counts it in ctx->result and, when failed, records
 * "task NAME: why". Returns the sl_exit_status. */
int sl_task_finish(const sl_run_ctx *ctx, uint32_t task, int err, const char *why);

/* Cancels tasks [from, to) that never started: EXIT(CANCELLED) each. */
void sl_tasks_cancel(const sl_run_ctx *ctx, uint32_t from, uint32_t to);

/* Adds one sentence to result->failures (kept: the first 8). Lock-free, so
 * it also works on a result shared between processes. */
void sl_result_failure(sl_run_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True if some step of the task (or of any task, for task = SL_NO_TASK)
 * needs an HTTP client. */
bool sl_needs_net(const sl_scenario *sc, uint32_t task);

/* The calling thread's CPU time and context switches so far. */
typedef struct sl_usage {
    uint64_t cpu_ns, voluntary, involuntary;
} sl_usage;
void sl_usage_now(sl_usage *u);
/* Adds (now - since) of the calling thread to ctx->result atomically;
 * since = NULL counts the thread's whole life. */
void sl_usage_account(sl_run_result *res, const sl_usage *since);
/* A thread vehicle's end: its whole life's usage into ctx->result, off the
 * sampler, MARK VEHICLE_EXIT, and its ring let go. */
void sl_thread_vehicle_end(const sl_run_ctx *ctx, pid_t tid);

/*
 * A task's life where vehicles in several processes see it.
 */
/* Life of a task as seen through the blob. The parent emits EXIT for a task
 * whose worker died while it was RUNNING. A worker SIGKILLed exactly between
 * publishing its own EXIT and storing DONE (two adjacent stores) would get a
 * second EXIT; storing DONE first would instead risk none, which is worse
 * for the views (a task running forever). */
enum sl_task_state {
    SL_TASK_NEW = 0, /* not handed to a vehicle yet */
    SL_TASK_RUNNING, /* a vehicle emitted (or is about to emit) its RUN */
    SL_TASK_DONE,    /* its EXIT has been emitted */
    SL_TASK_ORPHAN,  /* its worker died before starting it: up for grabs again */
};

/*
 * The queues, counters and locks a run's tasks share,
 * laid out in one flat region that threads and worker processes map alike.
 *
 * One implementation serves every blocking vehicle: the region holds a
 * process-shared, robust mutex, a process-shared condition variable per
 * wait list and plain offsets instead of pointers, so it works the same in
 * a malloc'd block (threads) and in the run's memfd blob (processes), and
 * a worker killed while holding the mutex cannot hang the others.
 *
 *   queue     bounded FIFO of items (an item is the producing task's index);
 *             put waits while it is full, take while it is empty
 *   counter   a uint64 incremented WITHOUT synchronisation: read, spend the
 *             counter's window busy, write back read + 1, so parallel
 *             vehicles lose updates for real
 *   lock      held by a task; lock waits while another task holds it
 *
 * Waiters are served in FIFO order (a newcomer never overtakes a waiter),
 * and the region counts the tasks running and waiting, so a run where every
 * task that could make progress waits on a queue or lock is a stall: the
 * waiting tasks fail with a sentence instead of hanging the run.
 */
typedef struct sl_shared sl_shared;

/* How the run's vehicles take tasks: decides what a stall means and how the
 * failure sentence explains it. */
typedef enum sl_shared_mode {
    SL_SHARED_SEQUENTIAL = 0, /* one task at a time: any wait is forever */
    SL_SHARED_POOL,           /* `slots` vehicles take tasks from a backlog */
    SL_SHARED_PER_TASK,       /* every task has (or will have) its own vehicle */
} sl_shared_mode;

/* What a vehicle does around a wait and during an inc's window. */
typedef struct sl_shared_hooks {
    /* The task must wait: emit BLOCK(reason) (the GIL is released here).
     * Called with the region's mutex held: take no lock but the GIL's. */
    void (*block)(void *arg, uint32_t task, sl_wait_reason reason);
    /* The wait is over (served, stalled or stopped): emit WAKE and RUN (the
     * GIL strategy queues for the GIL first). Called without the mutex. */
    void (*wake)(void *arg, uint32_t task, sl_wait_reason reason);
    /* Polled while an inc spends its window and between increments (the GIL
     * strategy lets a waiter have the GIL here); false stops the step. */
    bool (*poll)(void *arg);
    /* Optional, for vehicles that cannot sleep on a condition variable
     * (coroutines): gives the vehicle up until `ready` names this task;
     * called and returns with the mutex held. NULL: a timed condition wait. */
    void (*sleep)(void *arg, sl_shared *sh, uint32_t task);
    /* Optional: waiting task `task` may go on now (its turn came, or a stall
     * doomed it). Called with the mutex held, possibly for a task of another
     * vehicle of the same scheduler, or for one not asleep yet. */
    void (*ready)(void *arg, uint32_t task, sl_wait_reason reason);
    void *arg;
} sl_shared_hooks;

/* Bytes of the region for `sc`; 0 when it declares no queue, counter or lock. */
size_t sl_shared_size(const sl_scenario *sc);

/* Lays the region out in mem[size] (64-byte aligned) for sc's objects and
 * tasks, `slots` vehicles taking tasks in `mode`. 0 or SL_EINVAL (too small)
 * or SL_ENOMEM (a mutex or condition variable could not be set up). */
int sl_shared_init(void *mem, size_t size, const sl_scenario *sc, uint32_t slots,
                   sl_shared_mode mode, sl_shared **out);
/* Changes how many vehicles take tasks, and how (before any task starts). */
void sl_shared_set_slots(sl_shared *sh, uint32_t slots, sl_shared_mode mode);
/* Marks a region whose coroutine waiters may be in several processes'
 * loops (async+procs): they poll instead of waiting to be told. */
void sl_shared_set_polled(sl_shared *sh);
/* Checks a region found by a worker process: 0 or SL_ECORRUPT. */
int sl_shared_check(const void *mem, size_t size);
/* Destroys the mutex and condition variables (every vehicle is gone). */
void sl_shared_destroy(sl_shared *sh);

/* For the strategies whose vehicles are threads: a malloc'd region set as
 * ctx->shared (left NULL when the scenario needs none). 0 or SL_ENOMEM. */
int sl_shared_create(sl_run_ctx *ctx, uint32_t slots, sl_shared_mode mode);
/* Reports the counters into ctx->result, destroys and frees the region of
 * sl_shared_create. */
void sl_shared_free(sl_run_ctx *ctx);

/* Copies every counter's name, increments performed and final value into
 * res (the race report). */
void sl_shared_report(sl_shared *sh, sl_run_result *res);

/* A task starts running on a vehicle (after its first RUN). */
void sl_shared_task_start(sl_shared *sh, uint32_t task);
/* A task ends, however (done, failed, cancelled, its worker died): releases
 * the locks it still holds, leaves any wait list, and fails the waiters if
 * nothing else can now make progress. */
void sl_shared_task_end(sl_shared *sh, uint32_t task);
/* Same, telling `h->ready` about the waiters the end lets go on. */
void sl_shared_task_end_with(sl_shared *sh, uint32_t task, const sl_shared_hooks *h);

/* Executes a put, take, inc, lock or unlock step of `task`. The caller has
 * emitted STEP. Returns 0; SL_EINTR when ctx->stop cut it short; SL_ESTATE
 * with a sentence in why when the wait could never end (a stall) or the
 * step is impossible. */
int sl_shared_step(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, const sl_step *step,
                   const sl_shared_hooks *h, char *why, size_t why_size);

/* The region's mutex, for a `sleep` hook: it is called with the mutex held
 * and lets it go while its vehicle sleeps. */
void sl_shared_enter(sl_shared *sh);
void sl_shared_leave(sl_shared *sh);
/* With the mutex held: true if waiting `task` may go on now; *reason is
 * what it waits for. */
bool sl_shared_may_go(sl_shared *sh, uint32_t task, sl_wait_reason *reason);
/* True for a region whose waiters poll (sl_shared_set_polled). */
bool sl_shared_polled(const sl_shared *sh);

/* Makes this process count on copies of its own of the plain counters (not
 * `shared = yes`), as a Python worker process does with a global: called
 * once by a worker process as it joins the run, never by the parent. */
void sl_shared_own_copies(void);
/* Adds this process's copies (those it incremented) to the region's report
 * of copies: called by a worker process once its tasks are done. */
void sl_shared_publish_copies(sl_shared *sh);
/* Makes the calling thread count on copies of its own of the plain
 * counters, as a subinterpreter has globals of its own (the `interpreters`
 * strategy's workers); 0 or SL_ENOMEM. */
int sl_shared_interpreter_begin(void);
/* Adds the calling thread's copies to the region's report of copies and
 * frees them: when an interpreter worker's tasks are done. */
void sl_shared_interpreter_end(sl_shared *sh);

/* Counter i's value and increments performed so far (tests, reports). */
uint64_t sl_shared_counter(sl_shared *sh, uint32_t i, uint64_t *done);

#endif
