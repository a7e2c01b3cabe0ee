/*
 * recommend.c - which strategy the lessons' rule recommends for a set of
 * measured runs, and why, in one sentence. The verdict table (`run
 * --format verdict`) and compare mode both read it here.
 *
 * The rule, from the notes: cpu-bound work under CPython's GIL wants
 * processes (or a pool of them); without a GIL (free-threaded CPython, C)
 * threads; io-bound work with few fast waits wants threads, with many or
 * slow waits coroutines. What is cpu-bound is measured on the baseline run:
 * the share of its task time spent computing, where time blocked on io,
 * sleep, queues, locks or children is waiting. The recommendation is the
 * rule's vehicle when its best run is within 10% of the fastest (a tie the
 * noise could flip); only a clear measured win goes against the rule, and
 * the sentence then says by how much.
 *
 * The baseline of speedups is the sequential run, unless it did not
 * complete (a pipeline's consumer waits for ever when nothing else runs):
 * then the fastest completed run on a single thread (coroutines), or none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/model.h"

/* Runs within this factor of the fastest are a tie. */
#define TIE 1.1

static bool is_sequential(const sl_report_row *row)
{
    return row->gil_scope == SL_GIL_SCOPE_NONE && row->blocking_calls;
}

/* A run counts if it ran to its end and failed no more tasks than the
 * best-behaved run: a task that fails everywhere (a `get` while offline)
 * does not stop the comparison, a run that lost more tasks is out. */
static uint32_t fewest_failures(const sl_report *r)
{
    uint32_t fewest = UINT32_MAX;
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].error[0] == '\0' && r->rows[i].stats.failed < fewest)
            fewest = r->rows[i].stats.failed;
    return fewest;
}

static bool usable(const sl_report_row *row, uint32_t fewest)
{
    return row->error[0] == '\0' && row->stats.failed == fewest && row->stats.cancelled == 0 &&
           row->stats.completed > 0 && row->stats.wall_ns > 0;
}

/* Completed every task: what a baseline must have done. */
static bool completed(const sl_report_row *row)
{
    return row->error[0] == '\0' && row->stats.failed == 0 && row->stats.cancelled == 0 &&
           row->stats.completed > 0 && row->stats.wall_ns > 0;
}

int sl_report_baseline(const sl_report *r)
{
    int best = -1;
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        if (row->gil_scope != SL_GIL_SCOPE_NONE || !completed(row))
            continue;
        if (is_sequential(row))
            return (int)i;
        if (best < 0 || row->stats.wall_ns < r->rows[best].stats.wall_ns)
            best = (int)i;
    }
    return best;
}

double sl_report_speedup(const sl_report *r, size_t i)
{
    int base = sl_report_baseline(r);
    uint64_t wall = r->rows[i].stats.wall_ns;
    if (base < 0 || wall == 0 || !completed(&r->rows[i]))
        return 0.0;
    return (double)r->rows[base].stats.wall_ns / (double)wall;
}

uint64_t sl_report_counter_lost(const sl_report_row *row, uint32_t c)
{
    uint64_t held = row->counter_actual[c] + row->counter_copies[c].sum;
    return row->counter_expected[c] > held ? row->counter_expected[c] - held : 0;
}

uint64_t sl_report_lost_updates(const sl_report_row *row)
{
    uint64_t lost = 0;
    for (uint32_t c = 0; c < row->n_counters; c++)
        lost += sl_report_counter_lost(row, c);
    return lost;
}

uint32_t sl_report_cores_could(const sl_report_row *row, uint32_t cores)
{
    uint32_t vehicles = row->workers ? row->workers : row->stats.tasks;
    uint32_t n = vehicles < cores ? vehicles : cores;
    switch (row->gil_scope) {
    case SL_GIL_SCOPE_RUN:
        return row->gil == SL_GIL_OFF ? (n ? n : 1) : 1;
    case SL_GIL_SCOPE_ALWAYS:
    case SL_GIL_SCOPE_NONE:
        return 1;
    default:
        return n ? n : 1;
    }
}

/* From this many tasks, or this mean wait per task, an event loop pays off. */
#define SL_VERDICT_MANY_TASKS 100
#define SL_VERDICT_SLOW_WAIT_NS (50 * 1000 * 1000ull)

/* Share of the baseline's task time spent computing, 0..1 (the first
 * completed run stands in when there is no baseline). */
static double cpu_share(const sl_report *r)
{
    int base = sl_report_baseline(r);
    for (size_t i = 0; base < 0 && i < r->n_rows; i++)
        if (completed(&r->rows[i]))
            base = (int)i;
    if (base < 0)
        return 0.0;
    const sl_stats *s = &r->rows[base].stats;
    return s->run_ns + s->wait_ns ? (double)s->run_ns / (double)(s->run_ns + s->wait_ns) : 0.0;
}

/* How long one wait lasts, on average: a task that makes ten 10 ms
 * requests in a row has fast waits, though it waits 100 ms in all. Per task
 * when the trace counted no io wait (queues and locks only). */
static uint64_t mean_wait_ns(const sl_stats *s)
{
    if (s->io_waits > 0)
        return s->io_ns / s->io_waits;
    return s->tasks ? s->wait_ns / s->tasks : 0;
}

/* Many tasks, or waits long enough that an idle thread per wait is waste:
 * the lessons' "io-bound, slow waits -> asyncio". */
static bool loop_pays_off(const sl_stats *s)
{
    return s->tasks >= SL_VERDICT_MANY_TASKS || mean_wait_ns(s) >= SL_VERDICT_SLOW_WAIT_NS;
}

/* What the rule asks for. */
typedef enum want { WANT_PROCESSES, WANT_THREADS_NOGIL, WANT_THREADS, WANT_LOOP } want;

static bool hybrid(const sl_report_row *row)
{
    return strchr(row->strategy, '+') != NULL;
}

/* True if `row` is the rule's vehicle. */
static bool fits(const sl_report_row *row, want w)
{
    switch (w) {
    case WANT_PROCESSES:
        return row->gil_scope == SL_GIL_SCOPE_PROCESS;
    case WANT_THREADS_NOGIL:
        return row->gil_scope == SL_GIL_SCOPE_RUN && row->gil == SL_GIL_OFF && row->blocking_calls;
    case WANT_THREADS:
        return (row->gil_scope == SL_GIL_SCOPE_RUN || row->gil_scope == SL_GIL_SCOPE_ALWAYS) &&
               row->blocking_calls;
    default:
        return !row->blocking_calls;
    }
}

/* Order among tied runs of the rule's vehicle, smaller first: no lost
 * updates, a plain strategy before a hybrid (named a+b) or the `gil` alias
 * (threads with the GIL forced on), then less memory per vehicle, then
 * speed. */
static double tie_rank(const sl_report_row *row)
{
    return (double)(sl_report_lost_updates(row) > 0) * 1e16 +
           (double)(hybrid(row) || row->gil_scope == SL_GIL_SCOPE_ALWAYS) * 1e14 +
           (double)row->stats.vehicle_mem_kb * 1e3 + (double)row->stats.wall_ns / 1e9;
}

/* The rule's vehicle in words, for the sentence. */
static const char *want_words(want w)
{
    switch (w) {
    case WANT_PROCESSES:
        return "processes";
    case WANT_THREADS_NOGIL:
        return "threads without a GIL";
    case WANT_THREADS:
        return "threads";
    default:
        return "coroutines";
    }
}

/* Appends to why[] (at `*n` of `size`). */
__attribute__((format(printf, 4, 5))) static void add(char *why, size_t size, size_t *n,
                                                      const char *fmt, ...)
{
    if (*n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(why + *n, size - *n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += (size_t)k < size - *n ? (size_t)k : size - *n - 1;
}

/* The reason the rule asks for its vehicle, with the measured numbers. */
static void rule_reason(const sl_report *r, want w, double share, const sl_report_row *b, char *why,
                        size_t size, size_t *n)
{
    uint32_t could = sl_report_cores_could(b, r->cores);
    const sl_stats *s = &b->stats;
    switch (w) {
    case WANT_PROCESSES:
        add(why, size, n,
            "cpu-bound (%.0f%% of the task time computes) under CPython's GIL, which lets one "
            "thread of an interpreter compute at a time: %s has a GIL per process, could use %u "
            "cores and used %u at once",
            100 * share, b->strategy, could, s->max_cores);
        break;
    case WANT_THREADS_NOGIL:
        add(why, size, n,
            "cpu-bound (%.0f%% of the task time computes) with no GIL (free-threaded CPython or "
            "C): %s compute on %u cores at once without a process each",
            100 * share, b->strategy, s->max_cores);
        break;
    case WANT_THREADS:
        add(why, size, n,
            "io-bound (%.0f%% of the task time waits) with few fast waits (%u tasks, waits of "
            "%.0f ms): %s overlaps them with plain blocking calls, a thread each costing little",
            100 * (1 - share), s->tasks, (double)mean_wait_ns(s) / 1e6, b->strategy);
        break;
    default:
        add(why, size, n,
            "io-bound (%.0f%% of the task time waits) with %s (%u tasks, waits of %.0f ms): %s "
            "overlaps every wait on one thread at %llu KiB per task",
            100 * (1 - share), s->tasks >= SL_VERDICT_MANY_TASKS ? "many waits" : "slow waits",
            s->tasks, (double)mean_wait_ns(s) / 1e6, b->strategy,
            (unsigned long long)s->vehicle_mem_kb);
        break;
    }
}

/* The runtime the comparison is about: the baseline's, else the first. */
static uint32_t report_gil(const sl_report *r)
{
    int base = sl_report_baseline(r);
    return r->n_rows == 0 ? SL_GIL_ON : r->rows[base >= 0 ? base : 0].gil;
}

/* Whether some usable run kept every update of the shared counters: then
 * the runs that lost some are out of the comparison, as a wrong answer
 * fast is no answer (race-counter's lesson). */
static bool some_run_lost_nothing(const sl_report *r, uint32_t fewest)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (usable(&r->rows[i], fewest) && sl_report_lost_updates(&r->rows[i]) == 0)
            return true;
    return false;
}

/* A run the recommendation may name. */
static bool candidate(const sl_report_row *row, uint32_t fewest, bool exact_only)
{
    return usable(row, fewest) && (!exact_only || sl_report_lost_updates(row) == 0);
}

/* The runs left out for lost updates, in one clause: how many, and the
 * worst. */
static void left_out(const sl_report *r, uint32_t fewest, char *why, size_t size, size_t *n)
{
    uint32_t count = 0;
    int worst = -1;
    for (size_t i = 0; i < r->n_rows; i++) {
        uint64_t lost = sl_report_lost_updates(&r->rows[i]);
        if (!usable(&r->rows[i], fewest) || lost == 0)
            continue;
        count++;
        if (worst < 0 || lost > sl_report_lost_updates(&r->rows[worst]))
            worst = (int)i;
    }
    if (count > 0)
        add(why, size, n,
            " Left out: %u run%s that lost updates of a shared counter (the most: %s, %llu): "
            "a wrong count is no result, however fast; guard the increments with a lock.",
            count, count == 1 ? "" : "s", r->rows[worst].strategy,
            (unsigned long long)sl_report_lost_updates(&r->rows[worst]));
}

int sl_report_recommend(const sl_report *r, char *why, size_t size)
{
    int fastest = -1;
    uint32_t fewest = fewest_failures(r);
    bool exact_only = some_run_lost_nothing(r, fewest);
    for (size_t i = 0; i < r->n_rows; i++)
        if (candidate(&r->rows[i], fewest, exact_only) &&
            (fastest < 0 || r->rows[i].stats.wall_ns < r->rows[fastest].stats.wall_ns))
            fastest = (int)i;
    if (fastest < 0) {
        snprintf(why, size, "no run completed its tasks: nothing to recommend");
        return -1;
    }
    double share = cpu_share(r);
    bool cpu_bound = share >= 0.5;
    want w = cpu_bound ? (report_gil(r) == SL_GIL_OFF ? WANT_THREADS_NOGIL : WANT_PROCESSES)
             : loop_pays_off(&r->rows[fastest].stats) ? WANT_LOOP
                                                      : WANT_THREADS;
    /* The rule's best run: the fastest of its vehicle, ties settled. */
    int rule = -1;
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        if (!candidate(row, fewest, exact_only) || !fits(row, w))
            continue;
        if (rule < 0 || row->stats.wall_ns < r->rows[rule].stats.wall_ns)
            rule = (int)i;
    }
    for (size_t i = 0; rule >= 0 && i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        if (candidate(row, fewest, exact_only) && fits(row, w) &&
            (double)row->stats.wall_ns <= TIE * (double)r->rows[rule].stats.wall_ns &&
            tie_rank(row) < tie_rank(&r->rows[rule]))
            rule = (int)i;
    }
    uint64_t best_wall = r->rows[fastest].stats.wall_ns;
    bool rule_holds = rule >= 0 && (double)r->rows[rule].stats.wall_ns <= TIE * (double)best_wall;
    int best = rule_holds ? rule : fastest;
    const sl_report_row *b = &r->rows[best];
    size_t n = 0;
    why[0] = '\0';
    int base = sl_report_baseline(r);
    double speedup = sl_report_speedup(r, (size_t)best);
    if (is_sequential(b)) {
        add(why, size, &n,
            "no strategy ran clearly faster than plain sequential code here: for this work, "
            "concurrency only added switching and waiting");
    } else if (rule_holds) {
        rule_reason(r, w, share, b, why, size, &n);
        if (speedup > 0 && best != base) /* never "1.0x faster than" itself */
            add(why, size, &n, ", %.1fx faster than %s", speedup, r->rows[base].strategy);
        if (best != fastest)
            add(why, size, &n, " (%s was %.0f%% faster, within the noise: the rule decides)",
                r->rows[fastest].strategy,
                100.0 * ((double)b->stats.wall_ns / (double)best_wall - 1.0));
    } else {
        add(why, size, &n, "%s measured clearly fastest", b->strategy);
        if (speedup > 0 && best != base)
            add(why, size, &n, " (%.1fx faster than %s)", speedup, r->rows[base].strategy);
        if (rule >= 0)
            add(why, size, &n, ", %.0f%% ahead of %s, the rule's pick (%s) for %s work",
                100.0 * ((double)r->rows[rule].stats.wall_ns / (double)best_wall - 1.0),
                r->rows[rule].strategy, want_words(w), cpu_bound ? "cpu-bound" : "io-bound");
        else
            add(why, size, &n, "; the rule's vehicle for %s work (%s) was not measured",
                cpu_bound ? "cpu-bound" : "io-bound", want_words(w));
    }
    add(why, size, &n, ".");
    if (base < 0)
        add(why, size, &n,
            " No run on one thread completed, so there is no baseline for speedups.");
    else if (!is_sequential(&r->rows[base]))
        add(why, size, &n,
            " Sequential did not complete (by design: its tasks wait on each other), so "
            "speedups are against %s, the fastest run on one thread.",
            r->rows[base].strategy);
    uint64_t lost = sl_report_lost_updates(b);
    if (lost > 0)
        add(why, size, &n,
            " But %s lost %llu updates of a shared counter: guard the increments with a lock.",
            b->strategy, (unsigned long long)lost);
    else if (exact_only)
        left_out(r, fewest, why, size, &n);
    return best;
}
