/*
 * strategy.h - how tasks are mapped onto vehicles and scheduled.
 *
 * A strategy executes every task of a scenario on real vehicles (threads,
 * processes, coroutines) and calls the hooks (trace.h) at every transition,
 * following the contract in event.h. It knows nothing of the UI. The engine
 * (run.h) prepares an sl_run_ctx, starts the collector and the kernel
 * sampler, calls strategy->run(ctx), and stops them.
 *
 * Hook contract common to all strategies (per task):
 *   SPAWN (or SPAWN + QUEUE for pools) when submitted;
 *   READY(cause) when runnable again and waiting for a core/GIL/loop/worker;
 *   RUN when it starts executing on a vehicle; STEP before each step;
 *   BLOCK(reason) .. WAKE around io/sleep; YIELD for `yield`;
 *   BLOCK(queue) .. WAKE, RUN when put/take must wait for room or an item;
 *   BLOCK(lock) .. WAKE, RUN when a lock is held by another task (a step
 *   that needs no wait emits no BLOCK);
 *   EXIT(status) exactly once, last.
 */
#ifndef SCHEDLAB_STRATEGY_H
#define SCHEDLAB_STRATEGY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedlab/scenario.h"
#include "schedlab/trace.h"

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
     * correct counter would read) and the value it ended with; lost updates
     * are expected - actual. Filled when the run ends. */
    uint32_t n_counters;
    char counter_names[SL_RESULT_COUNTERS][48];
    uint64_t counter_expected[SL_RESULT_COUNTERS];
    uint64_t counter_actual[SL_RESULT_COUNTERS];
} sl_run_result;

/* Every worker process starts with this variable in its environment (its
 * value: the parent's pid). A run inside such a process is refused: the
 * binary its workers were started from is then not schedlab (a test binary
 * run by hand without SCHEDLAB_WORKER_EXE, say), and would otherwise start
 * copies of itself without end. */
#define SL_WORKER_MARK_ENV "SCHEDLAB_WORKER_OF"

typedef struct sl_run_ctx {
    const sl_scenario *sc;     /* the tasks (read-only) */
    sl_rings *rings;           /* shared-memory rings; ring 0 is the runner's */
    uint64_t epoch_ns;         /* time zero of the run */
    uint32_t workers;          /* pool size / worker processes / libuv pool */
    uint32_t chunksize;        /* procpool: tasks per grab */
    uint64_t gil_interval_ns;  /* gil: forced switch interval */
    uint16_t net_port;         /* latency server port */
    const char *worker_exe;    /* binary to spawn in worker mode */
    sl_os_sampler *sampler;    /* register OS vehicles here (may be NULL) */
    atomic_int *stop;          /* set by another thread to stop early */
    sl_run_result *result;     /* out */
    struct sl__shared *shared; /* the run's queues, counters and locks, set by the
                                * strategy (NULL: the scenario declares none) */
    /* Per task, who got there first: the vehicle starting it or
     * sl_run_cancel_task (SL_CLAIM_*). It lives in the rings' blob, so
     * worker processes share it; NULL: no task can be cancelled alone. */
    atomic_uchar *claims;
} sl_run_ctx;

/* States of ctx->claims[task]: only PENDING ever changes, by one CAS. */
enum { SL_CLAIM_PENDING = 0, SL_CLAIM_STARTED = 1, SL_CLAIM_CANCELLED = 2 };

typedef struct sl_strategy {
    const char *name;    /* "threads" */
    const char *summary; /* one line for `schedlab list` */
    const char *python;  /* the Python analogue from the lessons */
    bool uses_workers;   /* pool size matters */
    /* Rings the strategy's producers need: one per concurrent thread,
     * process or scheduler. The engine adds the runner's and the sampler's. */
    uint32_t (*rings_needed)(const sl_run_ctx *ctx);
    /* Shared bytes needed in the rings' blob (process strategies). */
    size_t (*blob_needed)(const sl_run_ctx *ctx);
    /* Runs every task to completion (or until *ctx->stop). 0 or SL_E*. */
    int (*run)(sl_run_ctx *ctx);
    /* io steps are awaited on an event loop instead of a blocking call. */
    bool event_loop_io;
} sl_strategy;

/* All strategies, NULL-terminated, in menu order. */
extern const sl_strategy *const sl_strategies[];
/* By name, or NULL. */
const sl_strategy *sl_strategy_find(const char *name);

struct sl_net_client;
/* Runs a whole task on a blocking vehicle: RUN, every step, EXIT. Updates
 * ctx->result atomically. Returns the task's sl_exit_status. */
int sl_task_exec_blocking(const sl_run_ctx *ctx, uint32_t task, struct sl_net_client *client);

/* Entry of a worker process (`schedlab __worker …`): returns its exit code. */
int sl_worker_main(int argc, char **argv);

#endif
