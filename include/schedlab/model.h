/*
 * model.h - the pure fold of a trace into what the views and reports show.
 *
 * fold(events up to t) -> every task's state, the running / ready / waiting /
 * queued lists, per-core occupancy, switch counters. Nothing here knows about
 * ncurses, libuv or how events were produced: a unit test feeds synthetic
 * events and asserts the exact state at any t. Replay, scrubbing, compare
 * mode and every exporter reuse it.
 *
 * Event -> state (see event.h for the fields):
 *   SPAWN, READY, WAKE, YIELD -> ready      QUEUE -> queued
 *   RUN -> running on ev.core               BLOCK -> waiting(ev.reason)
 *   EXIT -> done / failed / cancelled by ev.reason
 * A running task whose latest OS_SAMPLE shows more run-queue wait than
 * on-cpu time is preempted by the kernel: it is listed as ready(cpu).
 */
#ifndef SCHEDLAB_MODEL_H
#define SCHEDLAB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/event.h"
#include "schedlab/trace.h"

typedef enum sl_state {
    SL_ST_NEW = 0,
    SL_ST_QUEUED,
    SL_ST_READY,
    SL_ST_RUNNING,
    SL_ST_WAITING,
    SL_ST_DONE,
    SL_ST_FAILED,
    SL_ST_CANCELLED,
    SL_ST__COUNT
} sl_state;

/* "new", "queued", "ready", "running", "waiting", "done", "failed", "cancelled". */
const char *sl_state_name(int state);

/* One task at the playhead. */
typedef struct sl_task_now {
    uint8_t state;        /* sl_state */
    uint8_t reason;       /* waiting: sl_wait_reason; ready: sl_ready_cause */
    uint8_t step_kind;    /* sl_step_kind of the current step (from STEP) */
    bool preempted;       /* running by the hooks, but waiting for a core per the kernel */
    uint16_t core;        /* core of the last RUN */
    uint32_t vehicle;     /* vehicle of the last event */
    uint32_t step;        /* index of the current step within the task */
    uint64_t since_ns;    /* when the current state began */
    uint64_t ready_seq;   /* order of entering ready (smaller = earlier in queue) */
    uint64_t run_ns;      /* total running time so far */
    uint64_t ready_ns;    /* total ready time so far */
    uint64_t wait_ns;     /* total waiting time so far */
    uint64_t exit_arg;    /* EXIT arg (error code or signal) */
} sl_task_now;

typedef struct sl_model {
    uint32_t n_tasks;
    uint32_t n_cores;
    sl_task_now *tasks;       /* n_tasks entries */
    uint64_t t_ns;            /* the playhead: events with t <= t_ns are folded */
    size_t next;              /* index of the next trace event to fold */
    uint32_t generation;      /* trace generation this fold is based on */
    uint64_t seq;             /* counter for ready_seq */
    uint32_t count[SL_ST__COUNT]; /* tasks per state */
    uint32_t max_running;     /* most tasks running at once so far */
    uint64_t coroutine_switches; /* SWITCH events */
    uint64_t gil_handoffs;    /* GIL_TAKE events */
    uint64_t os_runq_us;      /* kernel run-queue wait summed over OS_SAMPLEs */
    uint64_t events;          /* events folded */
    uint64_t ready_lat_sum_ns; /* sum of ready->run latencies */
    uint64_t ready_lat_max_ns; /* largest ready->run latency */
    uint64_t ready_lat_count;  /* number of ready->run transitions */
    uint64_t gil_wait_ns;     /* ready time spent waiting for the GIL */
    uint64_t busy_ns[64];     /* per core: time a task was running there */
    uint32_t core_task[64];   /* per core: the task running there now, or SL_NO_TASK */
} sl_model;

int sl_model_init(sl_model *m, uint32_t n_tasks, uint32_t n_cores);
void sl_model_free(sl_model *m);
/* Back to t = 0, every task new. */
void sl_model_reset(sl_model *m);
/* Folds one event (its time must be >= the playhead). */
void sl_model_apply(sl_model *m, const sl_event *ev);
/* Moves the playhead to t_ns over `trace` (takes its read lock): folds forward,
 * or refolds from zero when going back or when the trace's generation changed. */
void sl_model_seek(sl_model *m, sl_trace *trace, uint64_t t_ns);

/* Lists at the playhead; each fills `out` with task ids and returns the count
 * (at most `max`). Ready: queue order (earliest first), preempted included.
 * Waiting: longest-waiting first. Running: by core. Queued: submission order. */
size_t sl_model_running(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_ready(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_waiting(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_queued(const sl_model *m, uint32_t *out, size_t max);
/* The state a view should draw for a task (a preempted running task is ready). */
sl_state sl_model_shown_state(const sl_model *m, uint32_t task);

/* ---- spans: a task's history as intervals ------------------------------ */

typedef struct sl_span {
    uint64_t start_ns;
    uint64_t end_ns;   /* end of the trace for a state still open */
    uint32_t task;
    uint8_t state;     /* sl_state */
    uint8_t reason;    /* wait reason / ready cause */
    uint16_t core;     /* running: the core */
} sl_span;

typedef struct sl_spans {
    sl_span *v;        /* spans, grouped by task, each task's in time order */
    size_t n;
    size_t *first;     /* n_tasks + 1 offsets: task i's spans are v[first[i] .. first[i+1]) */
    uint32_t n_tasks;
} sl_spans;

/* Builds every task's spans from the trace (takes its read lock). */
int sl_spans_build(sl_trace *trace, sl_spans *out);
void sl_spans_free(sl_spans *s);

/* ---- statistics: one run's numbers for the comparison table ------------ */

typedef struct sl_stats {
    uint32_t tasks, completed, failed, cancelled;
    uint64_t wall_ns;          /* first SPAWN/RUN_BEGIN to last EXIT/RUN_END */
    uint64_t cpu_ns;           /* trace->os.cpu_ns (kernel) */
    uint64_t run_ns;           /* sum of running time by the hooks */
    uint32_t max_cores;        /* most tasks running at once, capped by the cores */
    double mean_cores;         /* run_ns / wall_ns, capped by the cores */
    double ready_ms_mean;      /* mean ready->run latency */
    double ready_ms_max;
    uint64_t switches_voluntary, switches_involuntary; /* kernel */
    uint64_t switches_coroutine, switches_gil;         /* hooks */
    uint64_t gil_wait_ns;      /* ready time spent waiting for the GIL */
    uint64_t io_ns;            /* sum of io/sleep waiting time */
    double io_overlap;         /* 1 - (wall time with >=1 task waiting / io_ns): 0 = serial */
    uint64_t peak_rss_kb, vehicle_mem_kb;
    uint64_t events, dropped;
} sl_stats;

/* Computes the statistics of a finished (or live) trace. */
int sl_stats_compute(sl_trace *trace, sl_stats *out);

/* ---- captions and teaching lints --------------------------------------- */

typedef enum sl_lint_kind {
    SL_LINT_LOOP_BLOCKED = 0, /* a cpu step blocks the event loop while tasks are ready */
    SL_LINT_GIL_CONTENTION,   /* threads wait for the GIL while one core works */
    SL_LINT_POOL_TOO_SMALL,   /* backlog while cores idle */
    SL_LINT_STARTUP_COST,     /* process start-up exceeds the work */
    SL_LINT_OVERSUBSCRIBED,   /* more runnable vehicles than cores */
    SL_LINT__COUNT
} sl_lint_kind;

typedef struct sl_lint {
    uint8_t kind;     /* sl_lint_kind */
    char text[160];   /* one plain-language sentence with the numbers */
} sl_lint;

/* Lints that hold at the playhead; returns how many were written. */
size_t sl_lints(const sl_model *m, const sl_trace_meta *meta, sl_lint *out, size_t max);
/* One plain-language sentence about what happens at the playhead. */
void sl_model_caption(const sl_model *m, sl_trace *trace, char *buf, size_t size);

#endif
