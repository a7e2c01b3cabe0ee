/*
 * threadpool.h - the thread pool behind `threadpool` and `interpreters`
 * (private to src/strategy/).
 */
#ifndef SL_STRATEGY_THREADPOOL_H
#define SL_STRATEGY_THREADPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "schedlab/strategy.h"

/* Rings the pool needs: one per worker, and two. */
uint32_t sl__threadpool_rings(const sl_run_ctx *ctx);

/* Runs every task on a pool of ctx->workers threads (Python's default size
 * when 0). own_interpreters: each worker is an interpreter of its own
 * (PEP 734), with a private copy of the scenario and a GIL nobody else
 * takes; otherwise the workers share the run's GIL when it is on. */
int sl__threadpool_run(sl_run_ctx *ctx, bool own_interpreters);

#endif
