/*
 * engine.h - the door of src/engine/: one scenario under one strategy, watched live.
 *
 * sl_engine holds what outlives runs (the latency server, the calibration).
 * sl_run executes one run on its own thread, with a collector filling the
 * trace as events arrive, so a view can fold the trace while it grows.
 * Runs are sequential by design: never two at once (they would steal cores
 * from each other and every number would be wrong).
 */
#ifndef SCHEDLAB_RUN_H
#define SCHEDLAB_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "schedlab/model.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"
#include "schedlab/trace.h"

typedef struct sl_engine sl_engine;

/* Calibrates the cpu work, starts the latency server. */
int sl_engine_open(sl_engine **out);
double sl_engine_calibration(const sl_engine *e);
uint16_t sl_engine_port(const sl_engine *e);
void sl_engine_close(sl_engine *e);

typedef struct sl_run_opts {
    const sl_scenario *sc;
    const sl_strategy *strategy;
    uint32_t workers;         /* 0: the scenario's default */
    uint64_t gil_interval_ns; /* 0: the scenario's default */
    uint32_t gil;             /* sl_gil_mode; SL_GIL_DEFAULT: the scenario's */
    uint32_t offload;         /* sl_offload; SL_OFFLOAD_DEFAULT: the scenario's */
    sl_start_method start;    /* SL_START_DEFAULT: the scenario's */
} sl_run_opts;

typedef struct sl_run sl_run;

/* Starts the run on a new thread; the trace fills live. */
int sl_run_start(sl_run **out, sl_engine *e, const sl_run_opts *opts);
sl_trace *sl_run_trace(sl_run *r);
bool sl_run_done(sl_run *r);
/* Asks the run to stop early (tasks not started are cancelled). */
void sl_run_cancel(sl_run *r);
/* Cancels one task if it has not started yet (a pool's backlog, a thread or
 * coroutine before its first step), like Python's Future.cancel(): 0 when it
 * will end with EXIT(CANCELLED) and nothing else, SL_ESTATE when it already
 * runs or ended (or the run has not started or is over), SL_EINVAL for no
 * such task. */
int sl_run_cancel_task(sl_run *r, uint32_t task);
/* Waits for the end; returns the run's status and copies its result. */
int sl_run_wait(sl_run *r, sl_run_result *out);
/* Frees the run; the trace is freed too unless taken with sl_run_take_trace. */
void sl_run_free(sl_run *r);
sl_trace *sl_run_take_trace(sl_run *r);

/* Convenience: start, wait, return the finished trace and result. */
/* The runtime a run with `opts` models: the `gil` strategy always has the
 * GIL on; otherwise --gil, else the scenario's [run] gil. */
uint32_t sl_run_gil(const sl_run_opts *opts);

int sl_run_once(sl_engine *e, const sl_run_opts *opts, sl_trace **trace, sl_run_result *res);

#endif
