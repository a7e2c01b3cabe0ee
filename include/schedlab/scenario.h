/*
 * scenario.h - a lesson's tasks and run parameters, loaded from an INI file.
 *
 * Loading expands everything a run needs: every task gets its own concrete
 * step program, with duration ranges already drawn from the seed, so two
 * runs of one scenario (under any strategy, in any process) do exactly the
 * same work. Errors carry file, line and a sentence saying what is wrong.
 *
 * The file (comments start a line with ; or #, or follow a space with ;):
 *   [lesson]  title (required), caption (repeat the key to continue the
 *             paragraph: lines are at most 198 bytes), strategies = a, b, c
 *   [run]     seed (1), workers (4, 1..4096), chunksize (1), gil_interval
 *             (5ms, 1us..10s), gil (on|off, on), offload (cpu|io|all, all),
 *             time_scale (1, >0..1000), pace (how long the
 *             TUI takes to play a run back: 1s..600s; unset: the TUI's own),
 *             start (forkserver or spawn: how worker processes start)
 *   [group NAME]  count (1..10000000; tasks NAME-00..NAME-19), repeat, step...
 *   [task NAME]   repeat, step...   (one task called NAME)
 *   [queue NAME]  capacity (required, 1..1000000): a bounded FIFO of items
 *   [counter NAME] window (0, at most 1s): the gap between the read and the
 *                 write of each `inc`, spent busy; shared (no): yes puts it in
 *                 memory every process shares (multiprocessing.Value), no
 *                 makes it a plain global, which each worker process copies
 * Steps: cpu <d>, cpu-sumsq <n>[ + i], io <d> [<bytes>=1k], get <http(s) url>,
 * sleep <d>, yield, put <queue> [n=1], take <queue> [n=1], inc <counter>
 * [n=1], lock <name>, unlock <name>. Durations take ns/us/µs/ms/s and
 * decimals (1.5s); bytes take k or M (KiB, MiB); any value may be a range
 * a..b, drawn per task from the seed. `+ i` adds the task's index in its
 * group. time_scale multiplies durations (windows included) and cpu-sumsq n,
 * not bytes nor the counts of put, take and inc. Locks are declared by use;
 * a program must unlock every lock it takes, and may not take one it holds.
 * Names are letters, digits, - _ . (at most 40) and no name may be another's
 * NAME-<digits>; queues and counters share one namespace, locks may not
 * reuse their names.
 */
#ifndef SCHEDLAB_SCENARIO_H
#define SCHEDLAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The runtime: which Python runtime a run models: the vocabulary shared by
 * the scenario ([run] gil, offload), the engine, the trace's meta and
 * every report, so they all name a runtime the same way.
 *
 * The GIL is a property of the interpreter, not of a strategy: with it on,
 * the threads of one interpreter (threads, a thread pool, an executor, the
 * threads inside one worker process) take turns on its cpu steps as under
 * CPython; with it off they compute at once, as free-threaded CPython
 * (3.13t, 3.14t) or plain C threads do. Each process, and each
 * subinterpreter, has a GIL of its own.
 */

/* [run] gil / --gil. DEFAULT means "the scenario's", and a scenario
 * without the key runs with the GIL on: the lessons are Python's. */
/* SL_GIL_NEVER is no setting of a scenario: it is the runtime of a strategy
 * that models Go or tokio (work-stealing), which has no GIL to turn on. */
typedef enum sl_gil_mode {
    SL_GIL_DEFAULT = 0,
    SL_GIL_ON = 1,
    SL_GIL_OFF = 2,
    SL_GIL_NEVER = 3,
} sl_gil_mode;

/* [run] offload / --offload: which steps async+threads hands to its
 * executor (loop.run_in_executor). DEFAULT means "the scenario's", and a
 * scenario without the key offloads all: the notes' example runs the
 * blocking download in the executor, and a cpu step would hold the loop. */
typedef enum sl_offload {
    SL_OFFLOAD_DEFAULT = 0,
    SL_OFFLOAD_CPU = 1, /* cpu steps only; io and sleep are awaited on the loop */
    SL_OFFLOAD_IO = 2,  /* blocking io and sleep only; cpu steps hold the loop */
    SL_OFFLOAD_ALL = 3, /* both */
} sl_offload;

/* What the run's GIL means to a strategy's vehicles. */
typedef enum sl_strategy_gil {
    SL_GIL_SCOPE_NONE = 0,   /* one thread runs every step: a GIL changes nothing */
    SL_GIL_SCOPE_RUN,        /* threads of one interpreter: the run's gil decides */
    SL_GIL_SCOPE_PROCESS,    /* processes: one GIL each, over the threads inside it */
    SL_GIL_SCOPE_ALWAYS,     /* `gil`: threads with the GIL on, whatever the run says */
    SL_GIL_SCOPE_PER_WORKER, /* interpreters: each worker thread has a GIL of its own */
    SL_GIL_SCOPE_NEVER, /* work-stealing: Go's or tokio's runtime, no GIL whatever the run says */
} sl_gil_scope;

/* The runtime's name in headers, reports and exports ("" when unknown: a
 * trace saved before the runtime was recorded). */
static inline const char *sl_gil_runtime(uint32_t gil)
{
    return gil == SL_GIL_ON      ? "CPython, GIL"
           : gil == SL_GIL_OFF   ? "no GIL: free-threaded CPython or C"
           : gil == SL_GIL_NEVER ? "no GIL: Go or tokio"
                                 : "";
}

/* The short word: "on", "off" or "" (unknown). */
static inline const char *sl_gil_word(uint32_t gil)
{
    return gil == SL_GIL_ON ? "on" : gil == SL_GIL_OFF ? "off" : gil == SL_GIL_NEVER ? "none" : "";
}

/* "on" / "off" into *out; -1 for anything else. */
static inline int sl_gil_parse(const char *s, uint32_t *out)
{
    if (strcmp(s, "on") == 0)
        *out = SL_GIL_ON;
    else if (strcmp(s, "off") == 0)
        *out = SL_GIL_OFF;
    else
        return -1;
    return 0;
}

static inline const char *sl_offload_word(uint32_t o)
{
    return o == SL_OFFLOAD_CPU   ? "cpu"
           : o == SL_OFFLOAD_IO  ? "io"
           : o == SL_OFFLOAD_ALL ? "all"
                                 : "";
}

/* "cpu" / "io" / "all" into *out; -1 for anything else. */
static inline int sl_offload_parse(const char *s, uint32_t *out)
{
    for (uint32_t o = SL_OFFLOAD_CPU; o <= SL_OFFLOAD_ALL; o++)
        if (strcmp(s, sl_offload_word(o)) == 0) {
            *out = o;
            return 0;
        }
    return -1;
}

/* Limits every loaded scenario respects (a larger file is an error, not a
 * slow start). */
#define SL_SCENARIO_MAX_TASKS 10000000u /* tasks per group and in all */
#define SL_SCENARIO_MAX_STEPS 16777216u /* expanded steps in all (32 bytes each) */
#define SL_SCENARIO_MAX_FILE 1048576u   /* bytes of one scenario file */
#define SL_SCENARIO_MAX_QUEUES 16u      /* [queue] sections */
#define SL_SCENARIO_MAX_COUNTERS 8u     /* [counter] sections */
#define SL_SCENARIO_MAX_LOCKS 16u       /* distinct lock names */
#define SL_SCENARIO_MAX_ITEMS 1000000u  /* a queue's capacity; n of put, take, inc */

typedef enum sl_step_kind {
    SL_STEP_CPU = 0,   /* burn calibrated arithmetic for `ns` */
    SL_STEP_CPU_SUMSQ, /* sum(i*i for i in range(n)) */
    SL_STEP_IO,        /* GET from the loopback latency server: delay `ns`, body `n` bytes */
    SL_STEP_GET,       /* GET a real URL (`url`) */
    SL_STEP_SLEEP,     /* sleep `ns` */
    SL_STEP_YIELD,     /* give up the vehicle once */
    SL_STEP_PUT,       /* put `n` items into queue `obj`, waiting while it is full */
    SL_STEP_TAKE,      /* take `n` items from queue `obj`, waiting while it is empty */
    SL_STEP_INC,       /* `n` unsynchronised increments of counter `obj` */
    SL_STEP_LOCK,      /* acquire lock `obj`, waiting while another task holds it */
    SL_STEP_UNLOCK,    /* release lock `obj` */
    SL_STEP__COUNT
} sl_step_kind;

typedef struct sl_step {
    uint8_t kind;    /* sl_step_kind */
    uint16_t obj;    /* put/take: queue, inc: counter, lock/unlock: lock (index) */
    uint32_t line;   /* line of the scenario file that declared it */
    uint64_t ns;     /* duration: cpu time, io delay or sleep, time scale applied */
    uint64_t n;      /* cpu-sumsq n (time scale applied), io body bytes, or the
                      * items / increments of put, take and inc */
    const char *url; /* get: the URL (owned by the scenario) */
} sl_step;

typedef struct sl_task {
    const char *name;    /* unique display name, e.g. "page-07" */
    uint32_t group;      /* index into sl_scenario.groups */
    uint32_t first_step; /* index into sl_scenario.steps */
    uint32_t n_steps;    /* number of steps of this task */
} sl_task;

typedef struct sl_group {
    const char *name; /* NAME of its [group NAME] or [task NAME] section */
    uint32_t line;    /* line of the section header */
    uint32_t count;   /* tasks in this group */
} sl_group;

/* A shared object the tasks use: a [queue], a [counter] or a lock. */
typedef struct sl_object {
    const char *name;   /* NAME of its section, or of the lock */
    uint32_t line;      /* its section header, or a lock's first use */
    uint32_t capacity;  /* queue: items it holds at most */
    uint64_t window_ns; /* counter: busy gap between read and write of inc (time scale applied) */
    bool shared;        /* counter: declared `shared = yes`: one copy for every process */
} sl_object;

/* How worker processes start, as multiprocessing's start methods. Python's
 * plain `fork` is not offered: forking a multi-threaded process is unsafe. */
typedef enum sl_start_method {
    SL_START_DEFAULT = 0, /* the scenario's, or else forkserver */
    SL_START_FORKSERVER,  /* forked from a server forked before any thread existed */
    SL_START_SPAWN,       /* posix_spawn of schedlab: a fresh process image */
} sl_start_method;

/* "forkserver", "spawn" (DEFAULT reads as forkserver). */
const char *sl_start_method_name(sl_start_method m);
/* By name; SL_START_DEFAULT if unknown. */
sl_start_method sl_start_method_parse(const char *name);

typedef struct sl_scenario {
    const char *path;         /* file it was loaded from ("<string>" for tests) */
    const char *name;         /* file stem: "io-download" */
    const char *title;        /* [lesson] title */
    const char *caption;      /* [lesson] caption: one paragraph, or NULL */
    const char *strategies;   /* [lesson] strategies, as "a, b, c"; or NULL */
    uint64_t seed;            /* [run] seed */
    uint32_t workers;         /* [run] workers: pool size default */
    uint32_t chunksize;       /* [run] chunksize: procpool tasks per grab */
    uint64_t gil_interval_ns; /* [run] gil_interval: forced switch interval */
    uint32_t gil;             /* [run] gil: SL_GIL_ON (default) or SL_GIL_OFF */
    uint32_t offload;         /* [run] offload: an sl_offload, SL_OFFLOAD_ALL by default */
    sl_start_method start;    /* [run] start: forkserver (the default) or spawn */
    double time_scale;        /* [run] time_scale: multiplies every duration and n */
    uint64_t pace_ns;         /* [run] pace: a run's playback time in the TUI (0: unset) */
    sl_group *groups;         /* task groups, in file order */
    uint32_t n_groups;
    sl_task *tasks; /* all tasks, group by group */
    uint32_t n_tasks;
    sl_step *steps; /* all steps, task by task */
    size_t n_steps;
    sl_object *queues; /* [queue] sections, in file order (step obj indexes them) */
    uint32_t n_queues;
    sl_object *counters; /* [counter] sections, in file order */
    uint32_t n_counters;
    sl_object *locks; /* locks, in order of first use */
    uint32_t n_locks;
} sl_scenario;

/* Where a load failed: file, 1-based line (0 = the file as a whole), message. */
typedef struct sl_diag {
    char file[256];
    uint32_t line;
    char message[256];
} sl_diag;

/* Loads and validates PATH. On error returns a negative SL_E* code and fills
 * *diag (if non-NULL); *out is then NULL. Never crashes on any input bytes. */
int sl_scenario_load(const char *path, sl_scenario **out, sl_diag *diag);

/* Same from a string in memory; `name` stands in for the file name. */
int sl_scenario_parse(const char *name, const char *text, sl_scenario **out, sl_diag *diag);

/* Same from `len` bytes that may hold anything, NUL bytes included (which are
 * reported as errors): what sl_scenario_load and the fuzzer feed. */
int sl_scenario_parse_bytes(const char *name, const void *data, size_t len, sl_scenario **out,
                            sl_diag *diag);

/* Writes "file:line: message" (or "file: message" when line is 0) into buf,
 * always NUL-terminated. */
void sl_diag_format(const sl_diag *d, char *buf, size_t size);

/* Resolves a lesson name ("io-download") or a path to a readable file path,
 * looking in ./assets/scenarios, the source tree's and the installed assets;
 * a path that exists but is not a readable file resolves to itself, so that
 * sl_scenario_load says what is wrong with it. Writes into buf; returns 0 or
 * SL_ENOENT when nothing of that name exists. */
int sl_scenario_resolve(const char *name_or_path, char *buf, size_t size);

/* Lists the shipped lessons' names (sorted); returns count, fills names[] with
 * malloc'd strings the caller frees, as well as the array (NULL-terminated).
 * SL_ENOENT when no lesson directory exists. */
int sl_scenario_list(char ***names);

/* Rebuilds the task list with `n` tasks (the `--tasks` override): every group
 * is scaled in proportion, at least one task each (a [task] scaled past one
 * becomes NAME-0, NAME-1...); steps redrawn from the seed, so a task keeps its
 * draws. SL_EINVAL when n < n_groups or n > SL_SCENARIO_MAX_TASKS. */
int sl_scenario_set_task_count(sl_scenario *sc, uint32_t n);

/* Total expected cpu ns and io/sleep ns across all tasks (for summaries).
 * cpu-sumsq counts an estimated 0.3 ns per iteration; get counts nothing. */
void sl_scenario_totals(const sl_scenario *sc, uint64_t *cpu_ns, uint64_t *wait_ns);

/* Prints what `schedlab check` shows: title, caption, run parameters, each
 * group with its count and step program as written, and the totals. Only for
 * scenarios from sl_scenario_load/parse. */
void sl_scenario_summary(const sl_scenario *sc, FILE *out);

/* Steps of a task. */
static inline const sl_step *sl_task_steps(const sl_scenario *sc, uint32_t task)
{
    return &sc->steps[sc->tasks[task].first_step];
}

/* "cpu", "cpu-sumsq", "io", "get", "sleep", "yield", "put", "take", "inc",
 * "lock", "unlock". */
const char *sl_step_kind_name(int kind);

void sl_scenario_free(sl_scenario *sc);

#endif
