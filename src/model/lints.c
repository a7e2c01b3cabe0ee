/*
 * lints.c - teaching remarks about what goes wrong at the playhead.
 *
 * Each lint names a classic scheduling mistake the moment the picture shows
 * it, in one sentence with the numbers a student can check on screen: a cpu
 * step that starves an event loop, threads queueing for the GIL, a pool too
 * small for io-bound work, processes that cost more to start than to run,
 * more runnable vehicles than cores, a work-stealing worker asleep beside
 * a backlog or too few workers for the cores. The strategy name (meta.strategy)
 * decides which mistakes are possible; every test is on the model's
 * counters or the head of a list, never a scan of all tasks. Busy cores
 * are the core meters' (sl_model_cores_busy: the run's tasks, so far).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/scenario.h"

static bool is_coroutines(const char *s)
{
    return strstr(s, "corout") != NULL || strncmp(s, "async", 5) == 0;
}

static bool is_processes(const char *s)
{
    return strstr(s, "proc") != NULL;
}

static bool is_gil(const char *s)
{
    return strstr(s, "gil") != NULL;
}

/* Writes the lint's sentence; a sentence longer than the field is cut. */
__attribute__((format(printf, 2, 3))) static void say(sl_lint *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
}

static const char *plural(uint32_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The oldest task in the ready queue (not a preempted one), or SL__NIL. */
static uint32_t oldest_ready(const sl_model *m)
{
    uint32_t i = m->head[SL_LIST_READY];

    while (i != SL__NIL && m->tasks[i].state != SL_ST_READY)
        i = m->link[2 * (size_t)i + 1];
    return i;
}

static bool loop_blocked(const sl_model *m, sl_lint *l)
{
    uint32_t running[SL_MODEL_CORES];
    size_t n = sl_model_running(m, running, SL_MODEL_CORES);
    uint32_t ready = m->count[SL_ST_READY];
    uint32_t oldest = oldest_ready(m);

    if (ready == 0 || oldest == SL__NIL)
        return false;
    for (size_t r = 0; r < n; r++) {
        uint8_t kind = m->tasks[running[r]].step_kind;
        if (kind != SL_STEP_CPU && kind != SL_STEP_CPU_SUMSQ)
            continue;
        /* A cpu step offloaded to an executor thread or a child process
         * runs off the loop: only a coroutine vehicle blocks it. */
        if (!(m->tasks[running[r]].vehicle & SL_VEHICLE_COROUTINE))
            continue;
        char name[32], ms[32];
        sl__fmt_ms(sl__since(m->t_ns, m->tasks[oldest].since_ns), ms, sizeof ms);
        say(l, "a cpu step in %s blocks the event loop: %u %s ready, waited up to %s",
            sl__model_task_name(m, running[r], name, sizeof name), ready,
            plural(ready, "task", "tasks"), ms);
        return true;
    }
    return false;
}

static bool gil_contention(const sl_model *m, uint32_t cores, sl_lint *l)
{
    uint32_t waiters = m->ready_by_cause[SL_READY_GIL];

    if (waiters == 0 || cores < 2 || sl_model_on_cpu(m) != 1)
        return false;
    say(l, "%u %s for the GIL while one thread runs", waiters,
        plural(waiters, "thread waits", "threads wait"));
    return true;
}

/* The cores the run's tasks kept busy so far, as the core meters count
 * them (cores-busy.c): the lints that speak of busy cores use this, so that
 * no lint says "0 of 2 cores are busy" beside a meter at 93% because the
 * playhead fell between two tasks. Writes "1.0" into buf. */
static double busy_so_far(const sl_model *m, char *buf, size_t size)
{
    double busy = sl_model_cores_busy(m);
    snprintf(buf, size, "%.1f", busy);
    return busy;
}

/* At least half a core of the machine was left unused by the run so far. */
static bool cores_unused(double busy, uint32_t cores)
{
    return busy + 0.5 <= (double)cores;
}

static bool pool_too_small(const sl_model *m, const sl_trace_meta *meta, uint32_t cores, sl_lint *l)
{
    uint32_t queued = m->count[SL_ST_QUEUED];
    char busy[32], workers[48] = "";

    if (queued == 0 || !cores_unused(busy_so_far(m, busy, sizeof busy), cores))
        return false;
    if (strcmp(meta->strategy, "sequential") == 0) {
        /* No pool: one runner, by design; the lesson is the idle cores. */
        say(l, "%u %s for the one runner: its tasks kept %s of %u cores busy so far", queued,
            plural(queued, "task waits", "tasks wait"), busy, cores);
        return true;
    }
    if (meta->workers > 0)
        snprintf(workers, sizeof workers, " for %u %s", meta->workers,
                 plural(meta->workers, "worker", "workers"));
    /* The conclusion first: at 80 columns the end of a lint may be cut. */
    say(l, "pool too small: %u %s queued%s, %s of %u cores busy so far", queued,
        plural(queued, "task", "tasks"), workers, busy, cores);
    return true;
}

static bool startup_cost(const sl_model *m, sl_lint *l)
{
    uint32_t heavy = m->startup_heavy;

    if (heavy == 0)
        return false;
    char wait[32], run[32];
    sl__fmt_ms(m->startup_heavy_ready_ns / heavy, wait, sizeof wait);
    sl__fmt_ms(m->startup_heavy_run_ns / heavy, run, sizeof run);
    say(l,
        "starting a process costs more than its work: %u of %u finished %s waited %s to "
        "start but ran %s",
        heavy, m->startup_exited, plural(m->startup_exited, "task", "tasks"), wait, run);
    return true;
}

static bool oversubscribed(const sl_model *m, uint32_t cores, sl_lint *l)
{
    uint32_t runnable = m->count[SL_ST_RUNNING];

    if (runnable <= cores)
        return false;
    say(l, "%u tasks are runnable on %u %s: the kernel time-slices them, %u %s for a core",
        runnable, cores, plural(cores, "core", "cores"), m->preempted,
        plural(m->preempted, "waits", "wait"));
    return true;
}

/* How long a parked worker may sit beside a backlog before it is remarked:
 * a wake-up takes some microseconds, a steal is then immediate. */
#define PARKED_BACKLOG_NS 2000000ull

static bool parked_backlog(const sl_model *m, sl_lint *l)
{
    const sl_steal_now *s = &m->steal;
    if (s->backlog_since_ns == 0 || sl__since(m->t_ns, s->backlog_since_ns) < PARKED_BACKLOG_NS)
        return false;
    uint32_t parked = SL_NO_TASK, busy = SL_NO_TASK;
    for (uint32_t k = 0; k < s->workers; k++) {
        if (s->parked[k] && parked == SL_NO_TASK)
            parked = k;
        if (!s->parked[k] && s->local[k] >= 2 &&
            (busy == SL_NO_TASK || s->local[k] > s->local[busy]))
            busy = k;
    }
    if (parked == SL_NO_TASK || busy == SL_NO_TASK)
        return false;
    char ms[32];
    sl__fmt_ms(sl__since(m->t_ns, s->backlog_since_ns), ms, sizeof ms);
    say(l,
        "worker %u has been parked for %s while worker %u has %u tasks queued: nobody woke it to "
        "steal",
        parked, ms, busy, s->local[busy]);
    return true;
}

static bool few_workers(const sl_model *m, const sl_trace_meta *meta, uint32_t cores, sl_lint *l)
{
    uint32_t ready = m->count[SL_ST_READY];
    char busy[32];
    if (meta->workers == 0 || meta->workers >= cores || ready == 0 ||
        !cores_unused(busy_so_far(m, busy, sizeof busy), cores))
        return false;
    say(l, "%u %s on %u cores: %u %s ready, %s cores busy so far; use --workers %u", meta->workers,
        plural(meta->workers, "worker", "workers"), cores, ready,
        plural(ready, "task is", "tasks are"), busy, cores);
    return true;
}

static bool is_stealing(const char *s)
{
    return strcmp(s, "work-stealing") == 0;
}

size_t sl_lints(const sl_model *m, const sl_trace_meta *meta, sl_lint *out, size_t max)
{
    uint32_t cores = meta->cores ? meta->cores : m->n_cores;
    const char *s = meta->strategy;
    size_t n = 0;

    for (int kind = 0; kind < SL_LINT__COUNT && n < max; kind++) {
        sl_lint *l = &out[n];
        bool fired = false;
        switch (kind) {
        case SL_LINT_LOOP_BLOCKED:
            fired = is_coroutines(s) && loop_blocked(m, l);
            break;
        case SL_LINT_GIL_CONTENTION:
            fired = is_gil(s) && gil_contention(m, cores, l);
            break;
        case SL_LINT_POOL_TOO_SMALL:
            fired = cores > 0 && pool_too_small(m, meta, cores, l);
            break;
        case SL_LINT_STARTUP_COST:
            fired = is_processes(s) && startup_cost(m, l);
            break;
        case SL_LINT_OVERSUBSCRIBED:
            fired = cores > 0 && oversubscribed(m, cores, l);
            break;
        case SL_LINT_PARKED_BACKLOG:
            fired = is_stealing(s) && parked_backlog(m, l);
            break;
        case SL_LINT_FEW_WORKERS:
            fired = is_stealing(s) && cores > 0 && few_workers(m, meta, cores, l);
            break;
        }
        if (fired)
            out[n++].kind = (uint8_t)kind;
    }
    return n;
}
