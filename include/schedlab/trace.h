/*
 * trace.h - from hooks to a time-ordered trace.
 *
 *   producer (thread, process or coroutine scheduler)
 *     sl_hook_emit() ─▶ its own sl_ring (single producer, lock-free, in
 *                        shared memory: survives the producer's crash)
 *   collector thread ─▶ drains every ring ─▶ sl_trace (append-only, sorted)
 *
 * The hot path (sl_hook_emit) takes no lock and makes no syscall: one CPU
 * counter read converted to CLOCK_MONOTONIC ns, one getcpu via rseq, one
 * store, one release increment. A full
 * ring counts the event as dropped; the count is reported, never hidden.
 */
#ifndef SCHEDLAB_TRACE_H
#define SCHEDLAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one record every scheduler hook emits.
 *
 * An event is 32 bytes so that a ring slot is half a cache line and a hook is
 * one clock read plus one store. Its meaning depends on `kind`; the table
 * below is the contract between the hooks (producers) and the model (the
 * only consumer that interprets events).
 *
 *   kind        task   reason               arg                    state after
 *   SPAWN       task   -                    -                      ready (sequential/threads/…)
 *   QUEUE       task   -                    backlog length         queued (pool backlog)
 *   READY       task   sl_ready_cause       -                      ready
 *   RUN         task   -                    step index             running on `core`
 *   BLOCK       task   sl_wait_reason       expected wait ns or 0  waiting(reason)
 *   WAKE        task   sl_wait_reason       -                      ready
 *   YIELD       task   -                    -                      ready
 *   SWITCH      to     -                    from task (or NO_TASK) (scheduler switch, counted)
 *   EXIT        task   sl_exit_status       error code / signal    done / failed / cancelled
 *   GIL_TAKE    task   -                    wait ns                (GIL hand-off counted)
 *   GIL_DROP    task   sl_gil_drop_cause    held ns                -
 *   STEP        task   sl_step_kind         step index             (label for views)
 *   OS_SAMPLE   task   runqueue-wait µs     on-cpu µs              (kernel view of a vehicle)
 *   MARK        -      sl_mark              value                  (run begin/end, notes)
 *   OBJECT      task   SL_OBJECT_REF        SL_OBJECT_* values     (a shared object changed)
 *   START       task   SL_START_TASK        -                      starting: its process is
 *                                                                  being created (to its RUN)
 *   START       -      SL_START_WORKER(_UP) worker                 a pool worker process is
 *                                                                  asked for / is up (task:
 *                                                                  NO_TASK; its tasks stay
 *                                                                  queued meanwhile)
 *   STEAL       -      victim worker        SL_STEAL_ARG(thief, n) (n tasks moved between queues)
 *   PARK        -      worker               -                      (a worker sleeps: no work)
 *   UNPARK      -      worker               -                      (a parked worker woke)
 *   MIGRATE     task   worker it last ran on worker it resumes on  (a coroutine changed thread)
 *
 * Work-stealing workers are numbered 0..N-1. Their READY events say in arg
 * which queue the task waits in (SL_READY_AT_*; 0 for every other
 * strategy), and their RUN events carry the worker in reason
 * (SL_RUN_ON_WORKER(w); 0 elsewhere).
 */
#define SL_NO_TASK UINT32_MAX
/* START's reason. A pool's workers (procpool, async+procs) are created
 * before any task runs, as Pool(N) starts N processes: their start-up
 * belongs to no task, whose tasks wait queued, so it is told apart. */
typedef enum sl_start_reason {
    SL_START_TASK = 0,  /* the task's own process is being created */
    SL_START_WORKER,    /* the parent asks for pool worker `arg` (task NO_TASK) */
    SL_START_WORKER_UP, /* worker `arg` runs, before its first task (task NO_TASK) */
} sl_start_reason;
/* Set in the vehicle id of a coroutine (the rest is its task or index):
 * views and lints tell a coroutine on the loop from an OS thread or process. */
#define SL_VEHICLE_COROUTINE 0x40000000u

typedef enum sl_event_kind {
    SL_EV_NONE = 0,
    SL_EV_SPAWN,
    SL_EV_QUEUE,
    SL_EV_READY,
    SL_EV_RUN,
    SL_EV_BLOCK,
    SL_EV_WAKE,
    SL_EV_YIELD,
    SL_EV_SWITCH,
    SL_EV_EXIT,
    SL_EV_GIL_TAKE,
    SL_EV_GIL_DROP,
    SL_EV_STEP,
    SL_EV_OS_SAMPLE,
    SL_EV_MARK,
    SL_EV_OBJECT,
    SL_EV_START, /* appended: kinds are stored in trace files by number */
    SL_EV_STEAL,
    SL_EV_PARK,
    SL_EV_UNPARK,
    SL_EV_MIGRATE,
    SL_EV__COUNT
} sl_event_kind;

/* Why a task waits (BLOCK/WAKE reason). */
typedef enum sl_wait_reason {
    SL_WAIT_NONE = 0,
    SL_WAIT_IO,
    SL_WAIT_SLEEP,
    SL_WAIT_LOCK,
    SL_WAIT_QUEUE,
    SL_WAIT_CHILD, /* awaiting a child process or an executor */
    SL_WAIT__COUNT
} sl_wait_reason;

/* What a ready task waits for (READY reason). */
typedef enum sl_ready_cause {
    SL_READY_CPU = 0, /* a core (OS run queue) */
    SL_READY_GIL,     /* the global interpreter lock */
    SL_READY_LOOP,    /* its turn on the event loop */
    SL_READY_WORKER,  /* picked from a pool backlog, about to start */
    SL_READY__COUNT
} sl_ready_cause;

typedef enum sl_exit_status {
    SL_EXIT_OK = 0,
    SL_EXIT_FAILED, /* arg: negative SL_E* code, or the signal number if killed */
    SL_EXIT_CANCELLED,
} sl_exit_status;

typedef enum sl_gil_drop_cause {
    SL_GIL_DROP_BLOCK = 0, /* released around io or sleep */
    SL_GIL_DROP_INTERVAL,  /* forced: another thread asked after the switch interval */
    SL_GIL_DROP_DONE,      /* the cpu step finished */
} sl_gil_drop_cause;

typedef enum sl_mark {
    SL_MARK_RUN_BEGIN = 0, /* arg: number of tasks */
    SL_MARK_RUN_END,       /* arg: 0, or a negative SL_E* if the run stopped early */
    SL_MARK_VEHICLE_START, /* vehicle field names it; arg: creation cost ns */
    SL_MARK_VEHICLE_EXIT,  /* arg: exit status or signal */
} sl_mark;

/* Shared objects an OBJECT event reports, after the task changed them. */
typedef enum sl_object_kind {
    SL_OBJ_COUNTER = 1, /* arg: value (low 32 bits), increments done (high 32) */
    SL_OBJ_QUEUE,       /* arg: fill, capacity, putters waiting, takers waiting (16 bits each) */
} sl_object_kind;

/* OBJECT reason: the object's kind and its index among the scenario's
 * objects of that kind. */
#define SL_OBJECT_REF(kind, index) ((uint32_t)(kind) << 16 | ((uint32_t)(index)&0xffffu))
#define SL_OBJECT_KIND(reason) ((uint32_t)(reason) >> 16)
#define SL_OBJECT_INDEX(reason) ((uint32_t)(reason)&0xffffu)
/* The arg's fields, saturated to their width. */
#define SL_OBJECT_SAT(v, bits)                                                                     \
    ((uint64_t)(v) < (1ull << (bits)) ? (uint64_t)(v) : (1ull << (bits)) - 1)
#define SL_OBJECT_COUNTER_ARG(value, done)                                                         \
    (SL_OBJECT_SAT(value, 32) | SL_OBJECT_SAT(done, 32) << 32)
#define SL_OBJECT_QUEUE_ARG(fill, cap, putters, takers)                                            \
    (SL_OBJECT_SAT(fill, 16) | SL_OBJECT_SAT(cap, 16) << 16 | SL_OBJECT_SAT(putters, 16) << 32 |   \
     SL_OBJECT_SAT(takers, 16) << 48)
/* Field `i` (0-based) of `width` bits of an OBJECT arg. */
#define SL_OBJECT_FIELD(arg, i, width) (((arg) >> ((i) * (width))) & ((1ull << (width)) - 1))

/* READY arg of a work-stealing task: the global queue, or worker w's local
 * queue; 0 = the strategy names no queue. */
#define SL_READY_AT_GLOBAL 1u
#define SL_READY_AT_WORKER(w) (2u + (uint32_t)(w))
/* RUN reason of a work-stealing task: the worker running it (0: none said). */
#define SL_RUN_ON_WORKER(w) (1u + (uint32_t)(w))
/* STEAL arg: the thief worker (high 32 bits) and the tasks moved (low 32). */
#define SL_STEAL_ARG(thief, n) ((uint64_t)(thief) << 32 | (uint32_t)(n))
#define SL_STEAL_THIEF(arg) ((uint32_t)((arg) >> 32))
#define SL_STEAL_COUNT(arg) ((uint32_t)(arg))

typedef struct sl_event {
    uint64_t t_ns;    /* CLOCK_MONOTONIC ns since the run's epoch */
    uint64_t arg;     /* kind-specific argument (table above) */
    uint32_t task;    /* task index, or SL_NO_TASK */
    uint32_t vehicle; /* thread/process/coroutine/worker id that emitted it */
    uint16_t kind;    /* sl_event_kind */
    uint16_t core;    /* CPU the producer ran on when it emitted */
    uint32_t reason;  /* kind-specific reason (table above) */
} sl_event;

_Static_assert(sizeof(sl_event) == 32, "an event must stay 32 bytes");

/* Short lowercase name of an event kind ("run", "block", …). */
const char *sl_event_kind_name(int kind);
/* Short name of a wait reason ("io", "sleep", …). */
const char *sl_wait_reason_name(int reason);

/* ---- clock ------------------------------------------------------------- */

/* CLOCK_MONOTONIC in ns (vDSO: no syscall). */
uint64_t sl_clock_ns(void);
/* The CPU's raw counter (rdtsc on x86-64, cntvct_el0 on aarch64; 0
 * elsewhere): what a hook's timestamp is converted from. */
static inline uint64_t sl_counter_read(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

/* ---- rings in shared memory --------------------------------------------- */

typedef struct sl_ring sl_ring;   /* one producer's ring */
typedef struct sl_rings sl_rings; /* a shared-memory region holding many rings */

/* Creates a memfd-backed region of `n_rings` rings of `capacity` events each
 * (rounded up to a power of two). `epoch_ns` is the run's time zero.
 * The region also holds `blob_size` bytes for the run to share with worker
 * processes (see sl_rings_blob). */
int sl_rings_create(sl_rings **out, uint32_t n_rings, uint32_t capacity, uint64_t epoch_ns,
                    size_t blob_size);
/* The memfd, to hand to a worker process. It is created without
 * close-on-exec, so it survives exec under its own number (or dup2 it). */
int sl_rings_fd(const sl_rings *r);
/* Maps an existing region from its fd (in a worker process). */
int sl_rings_attach(sl_rings **out, int fd);
/* Unmaps (and in the creator, closes the fd). */
void sl_rings_destroy(sl_rings *r);

uint32_t sl_rings_count(const sl_rings *r);
/* Events per ring (the capacity asked, rounded up to a power of two). */
uint32_t sl_rings_capacity(const sl_rings *r);
/* Rings handed out by sl_rings_claim so far (all processes). */
uint32_t sl_rings_claimed(const sl_rings *r);
uint64_t sl_rings_epoch(const sl_rings *r);
/* Shared bytes for the run's own use (task programs, queues, counters). */
void *sl_rings_blob(sl_rings *r, size_t *size);
/* Ring number i (0 <= i < count). */
sl_ring *sl_rings_at(sl_rings *r, uint32_t i);
/* Claims the next unused ring atomically (any process); NULL when all are used. */
sl_ring *sl_rings_claim(sl_rings *r);

/* Appends one event; never blocks. Returns false (and counts a drop) if full. */
bool sl_ring_push(sl_ring *ring, const sl_event *ev);
/* Copies up to `max` events out (consumer side); returns how many. */
size_t sl_ring_pop(sl_ring *ring, sl_event *out, size_t max);
/* Events waiting to be popped (consumer side). */
size_t sl_ring_pending(sl_ring *ring);
/* Events dropped so far because the ring was full. */
uint64_t sl_ring_dropped(const sl_ring *ring);
/* Events pushed so far (a monotonic count; drops not included). */
uint64_t sl_ring_written(const sl_ring *ring);
/* Whether an event of `kind` for `task` was pushed at position `from` or
 * later and is still in the ring's memory (the last capacity events): how a
 * parent tells, once the ring's producer has died, whether it published an
 * event. Only meaningful while nothing else pushes to the ring. */
bool sl_ring_holds(const sl_ring *ring, uint64_t from, sl_event_kind kind, uint32_t task);

/* ---- hooks ------------------------------------------------------------- */

/* Binds the calling thread to a ring: its later hooks write there, stamped
 * with `vehicle`. Each ring must have exactly one bound producer at a time. */
void sl_hook_bind(sl_ring *ring, uint32_t vehicle, uint64_t epoch_ns);
/* Unbinds the calling thread (its hooks become no-ops). */
void sl_hook_unbind(void);
/* Emits one event from the calling thread's ring, timestamped now. */
void sl_hook_emit(sl_event_kind kind, uint32_t task, uint32_t reason, uint64_t arg);
/* Same with an explicit vehicle (a coroutine scheduler emitting for a coroutine). */
void sl_hook_emit_v(sl_event_kind kind, uint32_t task, uint32_t vehicle, uint32_t reason,
                    uint64_t arg);
/* The CPU the caller runs on (rseq/vDSO, no syscall). */
uint16_t sl_hook_core(void);

/* ---- the trace --------------------------------------------------------- */

/* What a trace is of; saved in the trace file header. */
typedef struct sl_trace_meta {
    char scenario[64];        /* lesson name: "io-download" */
    char title[128];          /* lesson title */
    char strategy[32];        /* strategy name: "threads" */
    uint32_t n_tasks;         /* tasks in the run */
    uint32_t workers;         /* pool size (0 when not a pool) */
    uint32_t cores;           /* online CPUs of the machine */
    uint32_t gil;             /* the runtime (sl_gil_mode): SL_GIL_ON "CPython, GIL", SL_GIL_OFF
                               * free-threaded or C, 0 unknown (older files) */
    uint64_t gil_interval_ns; /* GIL switch interval (0 when no GIL) */
    double cpu_iters_per_us;  /* cpu-step calibration of the machine */
    uint64_t started_unix_ns; /* wall-clock start, for the record */
    char machine[64];         /* hostname / CPU model, for the record */
} sl_trace_meta;

/* The copies a plain counter had in worker processes: like a Python global,
 * it is not shared, so each process counts on a copy of its own and the
 * parent's stays as it was. */
typedef struct sl_counter_copies {
    uint32_t n;             /* worker processes that incremented their copy */
    uint64_t done;          /* increments made on the copies */
    uint64_t sum, min, max; /* the copies' final values */
} sl_counter_copies;

/* Per-run measurements that are not events (filled by the runner). */
typedef struct sl_trace_os {
    char switch_source[32];    /* "schedstat" or "perf_event" or "rusage" */
    uint64_t voluntary;        /* OS voluntary context switches of the vehicles */
    uint64_t involuntary;      /* OS involuntary context switches of the vehicles */
    uint64_t cpu_ns;           /* CPU time of the vehicles (user+system) */
    uint64_t peak_rss_kb;      /* peak resident memory of the run (all processes) */
    uint64_t vehicle_mem_kb;   /* memory per vehicle estimate */
    uint32_t n_vehicles;       /* vehicles created */
    uint32_t n_core_busy;      /* entries in core_busy_ns */
    uint64_t core_busy_ns[64]; /* per-core busy time during the run (/proc/stat) */
    char clock_source[16];     /* hooks' clock: "perf-page", "calibrated", "clock_gettime" */
    uint64_t clock_drift_ns;   /* worst |CLOCK_MONOTONIC - hooks' clock| the collector saw */
} sl_trace_os;

/* The lock between the collector and the readers: private to src/trace/. */
typedef struct sl_trace_guard sl_trace_guard;

/* While a run is live, read events, count, generation, finished and dropped
 * only through a view (sl_trace_read); a finished or loaded trace no longer
 * changes. */
typedef struct sl_trace {
    sl_trace_meta meta;
    char **task_names; /* n_tasks names (owned) */
    sl_event *events;  /* time-ordered */
    size_t count;      /* events published */
    size_t cap;
    uint64_t dropped;      /* events lost to full rings */
    uint64_t late;         /* events that arrived after a later one was published */
    uint32_t generation;   /* bumped when published history changes (late insert) */
    bool finished;         /* the run has ended: no more events */
    sl_trace_os os;        /* kernel-side measurements */
    sl_trace_guard *guard; /* writer: collector; readers: views */
} sl_trace;

/* What a reader sees of a trace at one instant. */
typedef struct sl_trace_view {
    const sl_event *events; /* count events, time-ordered; NULL from sl_trace_peek */
    size_t count;
    uint32_t generation; /* a change means published history was rewritten */
    bool finished;       /* no event will follow */
    uint64_t dropped;    /* events lost to full rings so far */
    uint64_t late;       /* events inserted behind later ones so far */
    const sl_trace *trace_;
} sl_trace_view;

/* Opens a view of the events: until sl_trace_read_end, the collector waits
 * to publish, so fold and close; do not open a second view of the same trace
 * in one thread. */
void sl_trace_read(const sl_trace *t, sl_trace_view *v);
void sl_trace_read_end(sl_trace_view *v);
/* The same numbers without the events (nothing stays held). */
void sl_trace_peek(const sl_trace *t, sl_trace_view *v);

/* Creates an empty trace for `meta`, copying `task_names` (may be NULL). */
int sl_trace_new(sl_trace **out, const sl_trace_meta *meta, const char *const *task_names);
void sl_trace_free(sl_trace *t);
/* Hints that [p, p + bytes), not written yet, be backed by huge pages
 * (huge-pages.c): for the arrays that grow with the number of events, tasks
 * or spans (the trace's, the model's). Below 8 MiB it does nothing. */
void sl_huge_pages(void *p, size_t bytes);
/* A thread making [p, p + bytes) resident from its start while the caller
 * writes it (prefault.c): for a big array about to be filled roughly in
 * order. NULL when not worth it or not possible; stop before freeing the
 * array (joins the thread; NULL is fine). */
typedef struct sl_prefault sl_prefault;
sl_prefault *sl_prefault_start(void *p, size_t bytes);
void sl_prefault_stop(sl_prefault *pf);
/* Makes room for `n` more events and writes over it, so that its pages are
 * resident before a run (or a benchmark) of known size: the first touch of a
 * fresh page costs microseconds on a virtual machine. 0 or SL_ENOMEM. */
int sl_trace_reserve(sl_trace *t, size_t n);
/* Appends events that are known to be in order (tests, loaders). */
int sl_trace_append(sl_trace *t, const sl_event *ev, size_t n);
/* Name of task i ("task-3" if none was given). */
const char *sl_trace_task_name(const sl_trace *t, uint32_t i);
/* Duration: last event time (0 if empty). */
uint64_t sl_trace_end_ns(const sl_trace *t);

/* ---- collector --------------------------------------------------------- */

typedef struct sl_collector sl_collector;

/* Starts a thread that drains `rings` into `trace` every `period_us` (0: 1 ms),
 * keeping the trace sorted: events younger than the horizon (20 ms before the
 * newest time seen) wait in a staging buffer. trace->dropped follows the
 * rings' drop counts at every drain. */
int sl_collector_start(sl_collector **out, sl_rings *rings, sl_trace *trace, uint32_t period_us);
/* Drains once more, publishes everything, marks the trace finished, joins. */
int sl_collector_stop(sl_collector *c);
/* Drains synchronously until the rings are empty (at most 8 passes, so a
 * producer that never stops cannot hold the caller) and publishes everything
 * drained, horizon or not (used by tests and bench). Returns events drained. */
size_t sl_collector_drain(sl_collector *c);

/* ---- kernel sampler ---------------------------------------------------- */

typedef struct sl_os_sampler sl_os_sampler;

/* Starts a thread sampling /proc/<pid>/task/<tid>/schedstat of registered
 * vehicles every `period_us`, emitting OS_SAMPLE events into `ring`, and
 * /proc/stat per-core busy time. */
int sl_os_sampler_start(sl_os_sampler **out, sl_ring *ring, uint64_t epoch_ns, uint32_t period_us);
/* Registers an OS vehicle (pid, tid) currently carrying `task` (SL_NO_TASK for a worker). */
void sl_os_sampler_add(sl_os_sampler *s, int pid, int tid, uint32_t task);
/* Updates which task a registered vehicle carries now. */
void sl_os_sampler_set_task(sl_os_sampler *s, int tid, uint32_t task);
/* Stops sampling a vehicle (it exited). */
void sl_os_sampler_remove(sl_os_sampler *s, int tid);
/* Vehicles registered now. */
uint32_t sl_os_sampler_count(sl_os_sampler *s);
/* The sampling period in use: the one asked, stretched so that one sweep over
 * all vehicles takes at most 1/20 of it. */
uint32_t sl_os_sampler_period_us(sl_os_sampler *s);
/* Stops, joins, and writes per-core busy time into `os`. */
void sl_os_sampler_stop(sl_os_sampler *s, sl_trace_os *os);

/* ---- trace files ------------------------------------------------------- */

#define SL_TRACE_MAX_FILE (1ull << 30) /* bytes of one trace file: 33 M events */

/* Writes a versioned binary trace file (header, meta, names, os, events, crc)
 * by sl_ofile's rule; on error `why` (if non-NULL) names PATH and the cause. */
int sl_trace_save(const sl_trace *t, const char *path, char *why, size_t why_size);
/* Loads one (a regular file of at most SL_TRACE_MAX_FILE bytes, by
 * sl_file_read), of any version this schedlab reads; a truncated or corrupt
 * file gives SL_ECORRUPT, a newer version SL_EVERSION, each with a sentence
 * in `why` (if non-NULL) that the caller prefixes with PATH. */
int sl_trace_load(const char *path, sl_trace **out, char *why, size_t why_size);
/* The same from bytes in memory (any bytes: a trace or a sentence in `why`). */
int sl_trace_parse_bytes(const void *bytes, size_t size, sl_trace **out, char *why,
                         size_t why_size);

/*
 * A synthetic trace with every state, for the frame benchmark and
 * the screen tests: the same input on every machine.
 */
/* Builds a finished trace of n_tasks tasks on `cores` cores with about
 * n_events events: tasks spawn, queue for a pool, get dispatched round-robin
 * when a core is free, run, wait on io or sleep, yield, and exit (the last
 * task fails). Events are 100 us apart. */
#define SL_SYNTH_STEP_NS 100000 /* the synthetic traces' time between events */
int sl_synth_trace(sl_trace **out, uint32_t n_tasks, size_t n_events, uint32_t cores);
/* A finished trace of an event loop carrying n_tasks coroutines, at most
 * `in_flight` of them waiting for io at once (the million-task shape, built
 * in O(events): 12 per task). */
int sl_synth_loop_trace(sl_trace **out, uint32_t n_tasks, uint32_t in_flight);

#endif
