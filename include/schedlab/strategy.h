/*
 * strategy.h - how tasks are mapped onto vehicles and scheduled.
 *
 * A strategy executes every task of a scenario on real vehicles (threads,
 * processes, coroutines) and calls the hooks (trace.h) at every transition,
 * following the contract in trace.h. It knows nothing of the UI. The engine
 * (engine.h) prepares an sl_run_ctx, starts the collector and the kernel
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
#include <stddef.h>
#include <stdint.h>

#include "schedlab/scenario.h"
#include "schedlab/shared.h"
#include "schedlab/trace.h"

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
    /* What the run's GIL does to it (sl_gil_scope). */
    uint8_t gil;
} sl_strategy;

/* All strategies, NULL-terminated, in menu order. */
extern const sl_strategy *const sl_strategies[];
/* By name, or NULL. */
const sl_strategy *sl_strategy_find(const char *name);
/* By a lessons' list entry: NAME, or NAME:gil / NAME:nogil to run it with
 * the GIL on or off whatever the run's default (*gil gets SL_GIL_ON,
 * SL_GIL_OFF or SL_GIL_DEFAULT). `len` bytes of `spec` are read. NULL if
 * the name is unknown or the suffix is neither. */
const sl_strategy *sl_strategy_parse(const char *spec, size_t len, uint32_t *gil);
/* "threads" or, when `gil` is set and the strategy follows the run's GIL,
 * "threads:nogil" / "threads:gil": how a run is labelled in reports. */
void sl_strategy_label(const sl_strategy *st, uint32_t gil, char *buf, size_t size);

#endif
