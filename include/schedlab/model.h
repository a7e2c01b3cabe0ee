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
 *   START -> starting (its process is being created, until its RUN)
 *   EXIT -> done / failed / cancelled by ev.reason
 * A running task whose latest OS_SAMPLE shows more run-queue wait than
 * on-cpu time is preempted by the kernel: it is listed as ready(cpu).
 *
 * An sl_model owns its task table, list links and seek snapshots: pass it by
 * pointer, never copy it by value.
 */
#ifndef SCHEDLAB_MODEL_H
#define SCHEDLAB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/scenario.h"
#include "schedlab/trace.h"

typedef enum sl_state {
    SL_ST_NEW = 0,
    SL_ST_STARTING, /* its vehicle, a process, is being created: start-up */
    SL_ST_QUEUED,
    SL_ST_READY,
    SL_ST_RUNNING,
    SL_ST_WAITING,
    SL_ST_DONE,
    SL_ST_FAILED,
    SL_ST_CANCELLED,
    SL_ST__COUNT
} sl_state;

/* "new", "starting", "queued", "ready", "running", "waiting", "done", "failed",
 * "cancelled". */
const char *sl_state_name(int state);
/* A duration as every panel, list, caption and lint writes it, so that one
 * instant reads the same everywhere: "0s", "850ns", "850µs" ("us" when
 * ascii), "12.3ms", "640ms", "1.23s". Returns buf. */
char *sl_fmt_duration(char *buf, size_t size, uint64_t ns, bool ascii);

/* Cores the model keeps apart (higher core numbers share the last slot). */
#define SL_MODEL_CORES 64
/* Lists kept in order by the fold: ready, waiting, queued, starting, one
 * per core, and the finished tasks (done, failed, cancelled) in EXIT order. */
#define SL_LIST_READY 0
#define SL_LIST_WAITING 1
#define SL_LIST_QUEUED 2
#define SL_LIST_STARTING 3
#define SL_LIST_CORE0 4
#define SL_LIST_DONE (SL_LIST_CORE0 + SL_MODEL_CORES)
#define SL_LIST_COUNT (SL_LIST_DONE + 1)

/* One task at the playhead. */
/* 96 bytes: a million tasks' table is written in full when a finished run
 * opens, and fresh memory is what that costs (the small fields share the
 * first 8 bytes). */
typedef struct sl_task_now {
    uint8_t state;           /* sl_state */
    uint8_t reason;          /* waiting: sl_wait_reason; ready: sl_ready_cause */
    uint8_t step_kind;       /* sl_step_kind of the current step (from STEP) */
    bool preempted : 1;      /* running by the hooks, but waiting for a core per the kernel */
    bool started : 1;        /* has run at least once */
    uint8_t queue;           /* ready in a work-stealing queue: SL_READY_AT_* (0: none said) */
    uint8_t worker;          /* work-stealing worker of the last RUN + 1 (0: none said) */
    uint16_t core;           /* core of the last RUN */
    uint32_t vehicle;        /* vehicle of the last event */
    uint32_t step;           /* index of the current step within the task */
    uint64_t since_ns;       /* when the current state began */
    uint64_t shown_since_ns; /* when the shown state began (preemption samples count) */
    uint64_t ready_seq;      /* order of entering ready (smaller = earlier in queue) */
    uint64_t run_ns;       /* running time of finished intervals (add t_ns - since_ns if running) */
    uint64_t ready_ns;     /* ready time of finished intervals */
    uint64_t wait_ns;      /* waiting time of finished intervals */
    uint64_t starting_ns;  /* starting time of finished intervals */
    uint64_t startup_ns;   /* starting and ready time before the first RUN */
    uint64_t gil_since_ns; /* READY(gil) not yet followed by GIL_TAKE: its time, else UINT64_MAX */
    uint64_t exit_arg;     /* EXIT arg (error code or signal) */
} sl_task_now;

/* Work-stealing queues the model counts apart: the global queue and this
 * many workers' local queues (higher workers share the last entry). */
#define SL_MODEL_WORKERS 32

/* The work-stealing scheduler at the playhead (all zero for other
 * strategies). */
typedef struct sl_steal_now {
    uint32_t workers;                    /* highest worker seen + 1 */
    uint32_t global;                     /* tasks in the global queue */
    uint32_t local[SL_MODEL_WORKERS];    /* tasks in each worker's queue */
    bool parked[SL_MODEL_WORKERS];       /* the worker is parked */
    uint64_t steals, stolen;             /* STEAL events, and the tasks they moved */
    uint64_t parks, migrations;          /* PARK and MIGRATE events */
    uint64_t last_steal_ns;              /* time of the latest STEAL (0: none) */
    uint32_t last_from, last_to, last_n; /* its victim, thief and tasks */
    uint64_t parked_backlog_ns;          /* time a worker was parked while another had 2+ queued */
    uint64_t backlog_since_ns;           /* start of the current such stretch, or 0 */
} sl_steal_now;

/* Shared objects the model follows (a scenario has at most 8 counters and
 * 16 queues). */
#define SL_MODEL_OBJECTS 24

/* A shared object at the playhead, from its latest OBJECT event. */
typedef struct sl_object_now {
    uint32_t ref;       /* SL_OBJECT_REF(kind, index) */
    uint32_t last_task; /* the task that changed it last */
    uint64_t arg;       /* its values (event.h: SL_OBJECT_*_ARG) */
    uint64_t changes;   /* OBJECT events so far */
} sl_object_now;

typedef struct sl_model {
    uint32_t n_tasks;
    uint32_t n_cores;
    sl_task_now *tasks;                         /* n_tasks entries */
    uint64_t t_ns;                              /* the playhead: events with t <= t_ns are folded */
    size_t next;                                /* index of the next trace event to fold */
    uint32_t generation;                        /* trace generation this fold is based on */
    const sl_trace *trace;                      /* trace of the last seek (task names), or NULL */
    uint64_t seq;                               /* counter for ready_seq */
    uint32_t count[SL_ST__COUNT];               /* tasks per state */
    uint32_t ready_by_cause[SL_READY__COUNT];   /* ready tasks per cause (preempted excluded) */
    uint32_t waiting_by_reason[SL_WAIT__COUNT]; /* waiting tasks per reason */
    uint32_t preempted;          /* running tasks the kernel shows waiting for a core */
    uint32_t max_running;        /* most tasks running at once so far */
    uint32_t max_on_cpu;         /* most tasks running and not preempted at once so far */
    uint64_t coroutine_switches; /* SWITCH events */
    sl_steal_now steal;          /* work-stealing queues, steals, parks, migrations */
    uint64_t gil_handoffs;       /* GIL_TAKE by another task than the previous holder */
    uint32_t gil_holder;         /* task of the last GIL_TAKE, or SL_NO_TASK */
    uint64_t os_runq_us;         /* kernel run-queue wait summed over OS_SAMPLEs */
    uint64_t events;             /* events folded */
    uint64_t first_ns;           /* time of the first folded event */
    uint64_t last_end_ns;        /* time of the last EXIT or RUN_END mark (0: none) */
    uint64_t ready_lat_sum_ns;   /* sum of ready->run latencies */
    uint64_t ready_lat_max_ns;   /* largest ready->run latency */
    uint64_t ready_lat_count;    /* number of ready->run transitions */
    uint64_t gil_wait_ns;        /* ready time spent waiting for the GIL */
    uint64_t io_wait_ns;         /* io + sleep waiting time of finished waits */
    uint64_t io_union_ns;        /* time with >= 1 task in io/sleep, finished stretches */
    uint64_t io_union_since_ns;  /* start of the current such stretch */
    uint32_t io_waiting;         /* tasks waiting for io or sleep now */
    uint64_t io_waits;           /* waits for io or sleep begun (BLOCK events) */
    uint64_t starting_ns;        /* time tasks spent starting, finished intervals */
    uint32_t workers_starting;   /* pool worker processes asked for and not yet up */
    uint32_t workers_up;         /* pool worker processes up so far */
    uint64_t worker_starting_ns; /* their start-up, finished intervals */
    uint64_t worker_since_ns[SL_MODEL_WORKERS]; /* per worker (the last shared): asked at */
    uint32_t startup_exited;                    /* exited tasks that had run */
    uint32_t startup_heavy;          /* of those, start-up (starting and ready before the first
                                      * RUN) longer than running */
    uint64_t startup_heavy_ready_ns; /* their start-up waits, summed */
    uint64_t startup_heavy_run_ns;   /* their running times, summed */
    uint32_t n_objects;              /* shared objects seen, in first-change order */
    sl_object_now objects[SL_MODEL_OBJECTS]; /* their state */
    uint64_t busy_ns[SL_MODEL_CORES];   /* per core: time a task ran there (preempted time not) */
    uint32_t core_task[SL_MODEL_CORES]; /* per core: the task running there now, or SL_NO_TASK */
    /* Private to the fold: snapshots for seeking back, intrusive lists in order. */
    struct sl_checkpoints *checkpoints;
    void (*checkpoints_free)(struct sl_model *m); /* set by whoever made them */
    uint32_t *link;                               /* 2 * n_tasks: prev, next */
    uint32_t head[SL_LIST_COUNT];
    uint32_t tail[SL_LIST_COUNT];
} sl_model;

int sl_model_init(sl_model *m, uint32_t n_tasks, uint32_t n_cores);
void sl_model_free(sl_model *m);
/* Back to t = 0, every task new. */
void sl_model_reset(sl_model *m);
/* Folds one event (its time must be >= the playhead); O(1), no allocation. */
void sl_model_apply(sl_model *m, const sl_event *ev);
/* Moves the playhead to t_ns over `trace` (takes its read lock): folds forward;
 * going back, refolds from the latest snapshot before t_ns (the model keeps
 * some every few tens of thousands of events, within a memory budget), or from
 * zero when the trace or its generation changed. */
void sl_model_seek(sl_model *m, sl_trace *trace, uint64_t t_ns);
/* Sets how the model snapshots itself for seeking back: every `every` events
 * (0: two per task, at least 65536), within `budget_bytes` in all (0: never).
 * Seeks do this with the defaults (64 MiB) unless it was called before. */
int sl_model_checkpoints(sl_model *m, size_t every, size_t budget_bytes);
/* Moves m's playhead to t_ns by copying `src` (the same fold over the first
 * `next` events of `trace` at `generation`), when that is the state a seek
 * would reach (the trace holds exactly those events, none later than t_ns)
 * and folding the events in between would cost more than the copy.
 * Returns whether it did; if not, seek as usual. */
bool sl_model_adopt(sl_model *m, const sl_model *src, sl_trace *trace, uint32_t generation,
                    size_t next, uint64_t t_ns);
/* Makes `m` (never initialised, or freed) the fold `src` over the first
 * `next` events of `trace` at `generation`, its playhead on the last of them,
 * by moving src's task tables rather than copying them: src keeps its
 * counts but no tables (sl_model_init it again before folding into it).
 * For a fold that is done growing, whose model has no other use. */
void sl_model_take(sl_model *m, sl_model *src, sl_trace *trace, uint32_t generation, size_t next);

/* Lists at the playhead; each fills `out` with task ids and returns the count
 * (at most `max`). Ready: queue order (earliest first), preempted included.
 * Waiting: longest-waiting first. Running: by core, preempted excluded.
 * Queued: submission order. Each costs O(max), whatever the number of tasks. */
size_t sl_model_running(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_ready(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_waiting(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_queued(const sl_model *m, uint32_t *out, size_t max);
size_t sl_model_starting(const sl_model *m, uint32_t *out, size_t max);
/* Finished tasks (done, failed, cancelled) in completion (EXIT) order, like
 * Python's as_completed(): the most recent `max` of them, oldest first. The
 * first one written is completion number sl_model_finished(m) - count + 1. */
size_t sl_model_completed(const sl_model *m, uint32_t *out, size_t max);
/* Tasks finished so far, whatever their outcome. */
uint32_t sl_model_finished(const sl_model *m);
/* The state a view should draw for a task (a preempted running task is ready). */
sl_state sl_model_shown_state(const sl_model *m, uint32_t task);
/* Running time of a task up to the playhead, the current interval included. */
uint64_t sl_model_task_run_ns(const sl_model *m, uint32_t task);
/* Running tasks on a core now (not preempted). */
uint32_t sl_model_on_cpu(const sl_model *m);
/* Busy cores mean one thing on every panel and lint (cores-busy.c): a task
 * of the run running there by the trace, from the run's start to the
 * playhead; not the whole machine. Core `core`'s busy time so far: */
uint64_t sl_model_core_busy_ns(const sl_model *m, uint32_t core);
/* The cores busy on average so far: the sum of their busy time over the
 * playhead's time (0.97: about one core's worth). */
double sl_model_cores_busy(const sl_model *m);

/* ---- spans: a task's history as intervals ------------------------------ */

typedef struct sl_span {
    uint64_t start_ns;
    uint64_t end_ns; /* end of the trace for a state still open */
    uint32_t task;
    uint8_t state;  /* sl_state */
    uint8_t reason; /* wait reason / ready cause; running: the work-stealing worker + 1, or 0 */
    uint16_t core;  /* running: the core */
} sl_span;

typedef struct sl_spans {
    sl_span *v; /* spans, grouped by task, each task's in time order */
    size_t n;
    size_t *first; /* n_tasks + 1 offsets: task i's spans are v[first[i] .. first[i+1]) */
    uint32_t n_tasks;
} sl_spans;

/* Builds every task's spans from the trace (one fold, through a view). */
int sl_spans_build(sl_trace *trace, sl_spans *out);
void sl_spans_free(sl_spans *s);

/* The fold that spans grow with: it applies each published event once, in
 * order, and keeps the spans it has closed; a view reads them out in
 * O(spans) without refolding. A late insertion (a new generation) starts it
 * over. Its model is the trace's state after the last applied event, which
 * the statistics and the exporters read too. */
typedef struct sl_span_fold {
    sl_model model;              /* every applied event folded */
    struct sl_span_pending *pen; /* per task: the span still open, the one held back */
    size_t *n_closed;            /* per task: spans closed */
    sl_span *closed;             /* closed spans, in the order they closed, or by task */
    size_t *slot;                /* a finished trace folded at once (span-regions.c): where task i's
                                    region starts in closed; else NULL */
    uint8_t *held; /* with slot: per task, which held-back spans follow its closed ones */
    struct sl_prefault *prefault; /* with slot: a thread making the regions resident ahead */
    size_t n, cap;
    size_t next;         /* events applied */
    uint32_t generation; /* of the trace those events came from */
    uint64_t end_ns;     /* time of the last applied event */
    bool taken;          /* the closed spans were moved out: the next grow starts over */
} sl_span_fold;

/* Called after each applied event, with the model as it stands after it. */
typedef void (*sl_span_fold_cb)(const sl_model *m, const sl_trace_view *v, size_t e, void *arg);

int sl_span_fold_init(sl_span_fold *f, uint32_t n_tasks, uint32_t n_cores);
void sl_span_fold_free(sl_span_fold *f);
/* Applies the view's events after the last applied one (all of them again
 * when its generation changed); `cb` may be NULL. 0 or SL_ENOMEM. */
int sl_span_fold_grow(sl_span_fold *f, const sl_trace_view *v, sl_span_fold_cb cb, void *arg);
/* Initialises `f` and folds every event `trace` holds now (one view). */
int sl_span_fold_trace(sl_span_fold *f, sl_trace *trace);
/* Every task's spans so far into `out` (its arrays reused; sl_spans_free
 * releases them): the open ones end at the last applied event. SL_ESTATE
 * once the spans were taken. */
int sl_span_fold_spans(const sl_span_fold *f, sl_spans *out);
/* The same, moving the fold's closed spans into `out` in place instead of
 * copying them (at a million tasks, 200 MB less fresh memory): for a fold
 * that is done growing, such as a finished trace's. The fold keeps its
 * model (statistics, adopt) but starts over from the first event if grown
 * again. */
int sl_span_fold_take_spans(sl_span_fold *f, sl_spans *out);

/* ---- columns: what one column of a timeline shows (columns.c) ---------- */

/* Set in a column's state when the tasks ran in it, but not longest. */
#define SL_COL_BRIEF_RUN 0x80
/* Set in a one-task lane's column where its coroutine resumed on another
 * work-stealing worker than the one it last ran on (a MIGRATE). */
#define SL_COL_MIGRATED 0x40
/* The sl_state of a column, without its marks. */
#define SL_COL_STATE(cell) ((uint8_t)((cell) & ~(SL_COL_BRIEF_RUN | SL_COL_MIGRATED)))
/* Each of `n` columns dt wide from t0, cut at `limit` (exclusive; UINT64_MAX:
 * none), for the lane of tasks [a, b): the sl_state held longest in it by
 * time summed over the lane, ORed with SL_COL_BRIEF_RUN when running time
 * there lost to another state. Columns at or past the limit read "new". */
int sl_spans_columns(const sl_spans *s, uint32_t a, uint32_t b, uint64_t t0, uint64_t dt,
                     uint64_t limit, int n, uint8_t *out);
/* ORs SL_COL_MIGRATED into `cells` (n columns as above) where `task` began
 * running on another work-stealing worker than it last ran on. */
int sl_spans_worker_moves(const sl_spans *s, uint32_t task, uint64_t t0, uint64_t dt,
                          uint64_t limit, int n, uint8_t *cells);

/* One column of a core's lane. */
typedef struct sl_core_cell {
    uint32_t task;  /* the task that ran there longest, or SL_NO_TASK: idle most of the column */
    bool migrated;  /* that task came from another core within the column */
    bool brief_run; /* something ran there that the column does not show */
} sl_core_cell;

/* Lanes of cores [0, n_cores): n_cores rows of `n` columns, as for
 * sl_spans_columns(); `busy` (n_cores entries, or NULL) gets each core's
 * running time in [t0, limit) within the columns. */
int sl_spans_core_columns(const sl_spans *s, uint32_t n_cores, uint64_t t0, uint64_t dt,
                          uint64_t limit, int n, sl_core_cell *out, uint64_t *busy);

/* The same with no limit, and each cell's running time: `busy_cols` gets
 * n_cores rows of `n` (what a view keeps while the window stays put). */
int sl_spans_core_history(const sl_spans *s, uint32_t n_cores, uint64_t t0, uint64_t dt, int n,
                          sl_core_cell *out, uint64_t *busy_cols);

/* ---- the spans indexed by time (span-index.c) --------------------------- */

/* The spans by the time they start, in buckets, so that one column's state
 * is found from the spans that overlap it alone, not from all of them: what
 * a frame redraws under a moving playhead. A task's last span in a final
 * state (done, failed, cancelled) lasts for ever: the caller counts those
 * that began before a column (sl_spans_ended_before()); the index finds the
 * ones that begin inside it. */
typedef struct sl_span_index {
    uint64_t t0, w;   /* bucket b holds the spans starting in [t0 + b w, t0 + (b + 1) w) */
    size_t n_buckets; /* 0: nothing indexed */
    uint32_t *at;     /* n_buckets + 1 offsets into idx */
    uint64_t *reach;  /* per bucket: the latest end of a span starting in it or before (the
                       * spans that last for ever left out) */
    uint32_t *idx;    /* span numbers by bucket, with the flags below in the top bits */
    size_t n;         /* entries of idx */
    size_t at_cap, reach_cap, idx_cap; /* their allocated lengths, kept across builds */
} sl_span_index;

/* Builds the index of `s` (every span but those in the state "new") into
 * `ix`, zeroed or built before (its memory is reused). 0, SL_ENOMEM, or
 * SL_ELIMIT past 2^30 spans. */
int sl_span_index_build(const sl_spans *s, sl_span_index *ix);
void sl_span_index_free(sl_span_index *ix);
/* For lanes of tasks [a, b) and the `n` columns dt wide from t0: out[c * 3 +
 * e] counts the tasks whose last span, in state SL_ST_DONE + e, began before
 * column c. */
int sl_spans_ended_before(const sl_spans *s, uint32_t a, uint32_t b, uint64_t t0, uint64_t dt,
                          int n, uint32_t *out);
/* The column under a moving playhead, summed as the playhead moves
 * (span-sweep.c): each step adds the time since the step before, from the
 * spans the index holds there, so a frame of playback costs the spans that
 * changed since the last frame. A step back starts the column over. */

/* Lanes of k tasks from task `first`, the last stopping at the spans'
 * n_tasks: what sl_spans_columns() shows for each in one column. */
typedef struct sl_lane_sweep {
    uint64_t cs, dt, at; /* the column [cs, cs + dt), summed over [cs, at) */
    uint32_t first, k;
    int rows;
    uint64_t *ns;     /* rows x SL_ST__COUNT: time per state so far */
    uint32_t *ended;  /* rows x 3: tasks whose last, final span began before `at` */
    uint32_t *ended0; /* rows x 3: the same before cs */
    int cap;          /* rows the arrays hold */
} sl_lane_sweep;

/* Starts column [cs, cs + dt) of `rows` lanes, given `ended` (rows x 3: each
 * lane's sl_spans_ended_before() for that column). 0 or SL_ENOMEM. */
int sl_lane_sweep_start(sl_lane_sweep *w, uint32_t first, uint32_t k, int rows, uint64_t cs,
                        uint64_t dt, const uint32_t *ended);
/* Sums the column up to `limit` (at most its end) and writes each lane's
 * cell, as sl_spans_columns() gives it for the column cut at `limit`. */
int sl_lane_sweep_to(sl_lane_sweep *w, const sl_span_index *ix, const sl_spans *s, uint64_t limit,
                     uint8_t *out);
void sl_lane_sweep_free(sl_lane_sweep *w);

/* Cores [0, n_cores) (at most SL_MODEL_CORES): what
 * sl_spans_core_columns() shows for each in one column. */
typedef struct sl_core_sweep {
    uint64_t cs, dt, at; /* the column [cs, cs + dt), summed over [cs, at) */
    uint32_t n_cores;
    uint64_t busy[SL_MODEL_CORES];    /* running time so far */
    uint32_t best[SL_MODEL_CORES];    /* the task that ran longest so far, or SL_NO_TASK */
    uint64_t best_ns[SL_MODEL_CORES]; /* its time */
    bool best_moved[SL_MODEL_CORES];  /* it came from another core within the column */
    struct sl_span_slot *by_task;     /* each task's time so far on the first core it ran on
                                       * in the column, by task number */
    uint32_t by_task_n;               /* tasks by_task holds */
    struct sl_span_slot *slots;       /* the other (core, task)s' time so far, open addressing */
    size_t slots_cap, used;
    uint32_t stamp; /* marks the slots of this column */
} sl_core_sweep;

/* Starts column [cs, cs + dt) of cores [0, n_cores). 0 or SL_EINVAL. */
int sl_core_sweep_start(sl_core_sweep *w, uint32_t n_cores, uint64_t cs, uint64_t dt);
/* Sums the column up to `limit` (at most its end) and writes each core's
 * cell and running time (busy, or NULL), as sl_spans_core_columns() gives
 * them for the column cut at `limit`. 0 or SL_ENOMEM. */
int sl_core_sweep_to(sl_core_sweep *w, const sl_span_index *ix, const sl_spans *s, uint64_t limit,
                     sl_core_cell *out, uint64_t *busy);
void sl_core_sweep_free(sl_core_sweep *w);

/* ---- statistics: one run's numbers for the comparison table ------------ */

typedef struct sl_stats {
    uint32_t tasks, completed, failed, cancelled;
    uint32_t not_started; /* the rest: no EXIT (never started, or still on), so the four add up */
    uint64_t wall_ns;     /* first event to last EXIT/RUN_END (last event if none) */
    uint64_t cpu_ns;      /* trace->os.cpu_ns (kernel) */
    uint64_t run_ns;      /* sum of running time by the hooks */
    uint32_t max_cores;   /* most tasks running at once, capped by the cores */
    double mean_cores;    /* run_ns / wall_ns, capped by the cores */
    double ready_ms_mean; /* mean ready->run latency */
    double ready_ms_max;
    uint64_t switches_voluntary, switches_involuntary; /* kernel */
    uint64_t switches_coroutine, switches_gil;         /* hooks */
    uint64_t steals, stolen, parks, migrations;        /* work-stealing events */
    uint64_t gil_wait_ns;                              /* ready time spent waiting for the GIL */
    uint64_t io_ns;                                    /* sum of io/sleep waiting time */
    uint64_t wait_ns;     /* sum of every wait: io, sleep, queues, locks, children */
    uint64_t starting_ns; /* sum of start-up: creation request to a process's first step */
    double io_overlap;    /* 1 - (wall time with >=1 task waiting / io_ns): 0 = serial */
    uint64_t io_waits;    /* waits for io or sleep */
    uint64_t increments, lost_updates; /* shared counters: increments done, and lost */
    uint64_t racy_increments;          /* increments done on the counters that lost some */
    uint64_t peak_rss_kb, vehicle_mem_kb;
    uint64_t events, dropped;
} sl_stats;

/* Computes the statistics of a finished (or live) trace. */
int sl_stats_compute(sl_trace *trace, sl_stats *out);
/* The same from a span fold that has applied every event of `trace` (the
 * pane's, so that the table costs no second fold); SL_EINVAL when it has not. */
int sl_stats_of_fold(const sl_span_fold *f, sl_trace *trace, sl_stats *out);

/* ---- captions and teaching lints --------------------------------------- */

typedef enum sl_lint_kind {
    SL_LINT_LOOP_BLOCKED = 0, /* a cpu step blocks the event loop while tasks are ready */
    SL_LINT_GIL_CONTENTION,   /* threads wait for the GIL while one core works */
    SL_LINT_POOL_TOO_SMALL,   /* backlog while cores idle */
    SL_LINT_STARTUP_COST,     /* process start-up exceeds the work */
    SL_LINT_OVERSUBSCRIBED,   /* more runnable vehicles than cores */
    SL_LINT_PARKED_BACKLOG,   /* work-stealing: a worker parked while another has a backlog */
    SL_LINT_FEW_WORKERS,      /* work-stealing: fewer workers than cores, tasks ready */
    SL_LINT__COUNT
} sl_lint_kind;

typedef struct sl_lint {
    uint8_t kind;   /* sl_lint_kind */
    char text[160]; /* one plain-language sentence with the numbers */
} sl_lint;

/* Lints that hold at the playhead; returns how many were written. */
size_t sl_lints(const sl_model *m, const sl_trace_meta *meta, sl_lint *out, size_t max);
/* The end of a run in one line: what its measurements teach (overlapped
 * waits, cores at once, the GIL, a blocked loop, lost updates), derived
 * from the statistics of a finished trace and its meta alone. */
void sl_takeaway(const sl_stats *st, const sl_trace_meta *meta, char *buf, size_t size);
/* One plain-language sentence about what happens at the playhead. */
void sl_model_caption(const sl_model *m, sl_trace *trace, char *buf, size_t size);

/* The comparison of several runs of one lesson (src/model/recommend.c). */

/* One run's line of the report. */
typedef struct sl_report_row {
    char strategy[32];                   /* strategy name */
    uint32_t workers;                    /* pool size, 0 if not a pool */
    uint32_t gil;                        /* the runtime that ran (sl_gil_mode; 0 unknown) */
    uint8_t gil_scope;                   /* what that GIL meant to its vehicles (sl_gil_scope) */
    sl_stats stats;                      /* from sl_stats_compute */
    bool blocking_calls;                 /* io steps block their vehicle (not an event loop) */
    uint64_t create_ns;                  /* mean cost of creating one vehicle */
    char error[256];                     /* why the run stopped early, or "" */
    uint32_t n_counters;                 /* shared counters of the scenario */
    char counter_names[8][48];           /* their names */
    uint64_t counter_expected[8];        /* increments performed */
    uint64_t counter_actual[8];          /* final values in the parent */
    bool counter_shared[8];              /* declared `shared = yes` */
    sl_counter_copies counter_copies[8]; /* a plain counter's copies in worker processes */
} sl_report_row;

typedef struct sl_report {
    const char *scenario;      /* lesson name */
    const char *title;         /* lesson title */
    uint32_t cores;            /* online CPUs */
    double iters_per_us;       /* cpu calibration */
    const char *switch_source; /* where kernel switch counts come from */
    sl_report_row *rows;
    size_t n_rows;
} sl_report;

/* Counter c's lost updates: increments that neither the parent's value nor
 * a worker process's copy holds. */
uint64_t sl_report_counter_lost(const sl_report_row *row, uint32_t c);
/* Updates lost by a run's unsynchronised increments, every counter's. */
uint64_t sl_report_lost_updates(const sl_report_row *row);
/* The baseline of speedups: the sequential row if it completed, else the
 * fastest completed run on one thread (coroutines), else -1. */
int sl_report_baseline(const sl_report *r);
/* Speedup of row i against the baseline (0 when there is none, or row i
 * did not complete). */
double sl_report_speedup(const sl_report *r, size_t i);
/* Cores a run could use at once for cpu steps, from the runtime model:
 * threads of one interpreter with the GIL on can use one; processes and
 * interpreters one each, up to `cores`. */
uint32_t sl_report_cores_could(const sl_report_row *row, uint32_t cores);
/* The recommended strategy (index into rows, or -1 with no usable run) and
 * one sentence saying why, from the measured numbers. */
int sl_report_recommend(const sl_report *r, char *why, size_t size);

#endif
