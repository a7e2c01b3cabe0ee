/*
 * recommend.c - which strategy the lessons' rule recommends for a set of
 * measured runs, and why, in one sentence.
 *
 * The recommendation is the fastest run that completed; runs within 10% of
 * it are a tie, settled by the lessons' rule (few fast waits -> threads, many
 * or slow waits -> an event loop, cpu-bound -> whatever uses the cores). The
 * verdict table (`run --format verdict`) and compare mode both read it here.
 */
#include <stdio.h>
#include <string.h>

#include "schedlab/model.h"

double sl_report_speedup(const sl_report *r, size_t i)
{
    for (size_t j = 0; j < r->n_rows; j++) {
        if (strcmp(r->rows[j].strategy, "sequential") != 0)
            continue;
        uint64_t base = r->rows[j].stats.wall_ns, wall = r->rows[i].stats.wall_ns;
        return wall ? (double)base / (double)wall : 0.0;
    }
    return 0.0;
}

uint64_t sl_report_lost_updates(const sl_report_row *row)
{
    uint64_t lost = 0;
    for (uint32_t c = 0; c < row->n_counters; c++)
        if (row->counter_expected[c] > row->counter_actual[c])
            lost += row->counter_expected[c] - row->counter_actual[c];
    return lost;
}

/* From this many tasks, or this mean wait per task, an event loop pays off. */
#define SL_VERDICT_MANY_TASKS 100
#define SL_VERDICT_SLOW_WAIT_NS (50 * 1000 * 1000ull)

/* Share of the sequential-equivalent work that is computation, 0..1. */
static double cpu_share(const sl_report *r)
{
    uint64_t run = 0, wait = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        if (strcmp(r->rows[i].strategy, "sequential") == 0 || i == 0) {
            run = r->rows[i].stats.run_ns;
            wait = r->rows[i].stats.io_ns;
            if (i > 0)
                break;
        }
    }
    return run + wait ? (double)run / (double)(run + wait) : 0.0;
}

/* Many tasks, or waits long enough that an idle thread per wait is waste:
 * the lessons' "io-bound, slow waits -> asyncio". */
static bool loop_pays_off(const sl_stats *s)
{
    uint64_t mean_wait = s->tasks ? s->io_ns / s->tasks : 0;
    return s->tasks >= SL_VERDICT_MANY_TASKS || mean_wait >= SL_VERDICT_SLOW_WAIT_NS;
}

/* Order among tied runs, smaller first: the vehicle the rule asks for (an
 * event loop when it pays off, plain blocking calls when not; cpu-bound
 * work has no preference), then a plain strategy before a hybrid (named
 * a+b), no GIL before a GIL, then less memory per vehicle, then speed. */
static double tie_rank(const sl_report_row *row, bool cpu_bound, bool loop_pays)
{
    bool wrong_vehicle = !cpu_bound && (loop_pays ? row->blocking_calls : !row->blocking_calls);
    bool hybrid = strchr(row->strategy, '+') != NULL;
    bool gil = row->stats.switches_gil > 0;
    return (double)wrong_vehicle * 1e15 + (double)hybrid * 1e14 + (double)gil * 1e13 +
           (double)row->stats.vehicle_mem_kb * 1e3 + (double)row->stats.wall_ns / 1e9;
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

int sl_report_recommend(const sl_report *r, char *why, size_t size)
{
    int best = -1;
    uint32_t fewest = fewest_failures(r);
    for (size_t i = 0; i < r->n_rows; i++)
        if (usable(&r->rows[i], fewest) &&
            (best < 0 || r->rows[i].stats.wall_ns < r->rows[best].stats.wall_ns))
            best = (int)i;
    if (best < 0) {
        snprintf(why, size, "no run completed its tasks: nothing to recommend");
        return -1;
    }
    /* Runs within 10% of the fastest are a tie the noise could flip; the
     * lessons' rule decides between them instead (tie_rank). */
    uint64_t fastest = r->rows[best].stats.wall_ns;
    bool cpu_bound = cpu_share(r) >= 0.5;
    bool loop_pays = loop_pays_off(&r->rows[best].stats);
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        if (usable(row, fewest) && (double)row->stats.wall_ns <= 1.1 * (double)fastest &&
            tie_rank(row, cpu_bound, loop_pays) < tie_rank(&r->rows[best], cpu_bound, loop_pays))
            best = (int)i;
    }
    const sl_report_row *b = &r->rows[best];
    double share = cpu_share(r);
    double speedup = sl_report_speedup(r, (size_t)best);
    char gain[64] = "";
    if (speedup > 0)
        snprintf(gain, sizeof(gain), ", %.1fx faster than sequential", speedup);
    if (strcmp(b->strategy, "sequential") == 0)
        snprintf(why, size,
                 "no strategy ran faster than plain sequential code here: for this work, "
                 "concurrency only added switching and waiting.");
    else if (share >= 0.5)
        snprintf(why, size,
                 "cpu-bound (%.0f%% of the work computes): only vehicles that run on several "
                 "cores at once help, and %s used %u at once%s.",
                 100 * share, b->strategy, b->stats.max_cores, gain);
    else if (!b->blocking_calls)
        snprintf(why, size,
                 "io-bound (%.0f%% of the time waits): %s overlaps every wait on one thread at "
                 "%llu KiB per task%s.",
                 100 * (1 - share), b->strategy, (unsigned long long)b->stats.vehicle_mem_kb, gain);
    else
        snprintf(why, size,
                 "io-bound (%.0f%% of the time waits): %s overlaps the waits with plain blocking "
                 "calls; with %u tasks a vehicle each costs little%s.",
                 100 * (1 - share), b->strategy, b->stats.tasks, gain);
    return best;
}

