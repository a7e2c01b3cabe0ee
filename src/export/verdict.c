/*
 * verdict.c - the lessons' comparison table, measured, and a recommendation.
 *
 * The teaching notes end with a table: does the approach use blocking calls,
 * does it overlap waits, does it use every core, does the GIL get in the
 * way, how far does it scale. Here every cell comes from the run, and the
 * recommendation is the fastest run that completed, preferring the cheaper
 * vehicle when two finish within 10% of each other and the tasks are many
 * (the scalability rule: few fast waits -> threads, many slow -> coroutines).
 */
#include <stdio.h>
#include <string.h>

#include "export/report.h"

/* From this many tasks, memory per vehicle decides between close runs. */
#define SL_VERDICT_MANY_TASKS 100

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

static bool usable(const sl_report_row *row)
{
    return row->error[0] == '\0' && row->stats.failed == 0 && row->stats.completed > 0 &&
           row->stats.wall_ns > 0;
}

int sl_report_recommend(const sl_report *r, char *why, size_t size)
{
    int best = -1;
    for (size_t i = 0; i < r->n_rows; i++)
        if (usable(&r->rows[i]) &&
            (best < 0 || r->rows[i].stats.wall_ns < r->rows[best].stats.wall_ns))
            best = (int)i;
    if (best < 0) {
        snprintf(why, size, "no run completed all its tasks: nothing to recommend");
        return -1;
    }
    /* Within 10% of the fastest, the lighter vehicle scales further; that
     * only matters with many tasks (a few can afford a thread each). */
    uint64_t fastest = r->rows[best].stats.wall_ns;
    for (size_t i = 0; i < r->n_rows && r->rows[best].stats.tasks >= SL_VERDICT_MANY_TASKS; i++) {
        const sl_report_row *row = &r->rows[i];
        if (usable(row) && (double)row->stats.wall_ns <= 1.1 * (double)fastest &&
            row->stats.vehicle_mem_kb < r->rows[best].stats.vehicle_mem_kb)
            best = (int)i;
    }
    const sl_report_row *b = &r->rows[best];
    double share = cpu_share(r);
    double speedup = sl_report_speedup(r, (size_t)best);
    char gain[64] = "";
    if (speedup > 0)
        snprintf(gain, sizeof(gain), ", %.1fx faster than sequential", speedup);
    if (share >= 0.5)
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

void sl__report_write_verdict(const sl_report *r, FILE *out)
{
    fprintf(out, "%s: %s (%u cores)\n\n", r->scenario, r->title, r->cores);
    fprintf(out, "%-17s %9s %9s %7s %8s %12s %11s %11s %9s\n", "strategy", "blocking", "waits",
            "cores", "speedup", "GIL wait", "memory per", "creation", "done");
    fprintf(out, "%-17s %9s %9s %7s %8s %12s %11s %11s %9s\n", "", "calls", "overlap", "at once",
            "", "ms (% wall)", "vehicle KiB", "per vehicle", "");
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        const sl_stats *s = &row->stats;
        char overlap[16], speedup[16], gil[32], create[24], done[24];
        snprintf(overlap, sizeof(overlap), s->io_ns ? "%.0f%%" : "-", 100 * s->io_overlap);
        double sp = sl_report_speedup(r, i);
        snprintf(speedup, sizeof(speedup), sp > 0 ? "%.2fx" : "-", sp);
        double gil_ms = (double)s->gil_wait_ns / 1e6;
        if (s->gil_wait_ns)
            snprintf(gil, sizeof(gil), "%.0f (%.0f%%)", gil_ms,
                     s->wall_ns ? 100.0 * (double)s->gil_wait_ns / (double)s->wall_ns : 0.0);
        else
            snprintf(gil, sizeof(gil), "none");
        if (row->create_ns == 0)
            snprintf(create, sizeof(create), "-");
        else if (row->create_ns >= 1000000)
            snprintf(create, sizeof(create), "%.1f ms", (double)row->create_ns / 1e6);
        else
            snprintf(create, sizeof(create), "%.1f us", (double)row->create_ns / 1e3);
        snprintf(done, sizeof(done), "%u/%u", s->completed, s->tasks);
        fprintf(out, "%-17s %9s %9s %7u %8s %12s %11llu %11s %9s\n", row->strategy,
                row->blocking_calls ? "yes" : "no", overlap, s->max_cores, speedup, gil,
                (unsigned long long)s->vehicle_mem_kb, create, done);
    }
    char why[320];
    int best = sl_report_recommend(r, why, sizeof(why));
    if (best >= 0)
        fprintf(out, "\nrecommended: %s - %s\n", r->rows[best].strategy, why);
    else
        fprintf(out, "\n%s\n", why);
}
