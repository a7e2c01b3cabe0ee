/*
 * verdict.c - the lessons' comparison table, measured, with the
 * recommendation (computed by the model: recommend.c) under it.
 *
 * The teaching notes end with a table: does the approach use blocking calls,
 * does it overlap waits, does it use every core, does the GIL get in the
 * way, how far does it scale. Here every cell comes from the run.
 */
#include <stdio.h>
#include <string.h>

#include "export/export-internal.h"

void sl__report_write_verdict(const sl_report *r, FILE *out)
{
    fprintf(out, "%s: %s (%u cores)\nruntime: %s\n\n", r->scenario, r->title, r->cores,
            sl__report_runtime(r));
    fprintf(out, "%-17s %3s %8s %7s %11s %8s %9s %11s %11s %7s %9s\n", "strategy", "GIL",
            "blocking", "waits", "cores could", "speedup", "GIL queue", "memory per", "creation",
            "lost", "done");
    fprintf(out, "%-17s %3s %8s %7s %11s %8s %9s %11s %11s %7s %9s\n", "", "", "calls", "overlap",
            "/ did use", "", "(threads)", "vehicle KiB", "per vehicle", "updates", "");
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        const sl_stats *s = &row->stats;
        char overlap[16], speedup[16], gil[32], create[24], done[24], cores[24], mem[24], lost[24];
        /* Sequential has no vehicle of its own: nothing to create or weigh. */
        bool vehicle = row->gil_scope != SL_GIL_SCOPE_NONE || !row->blocking_calls;
        snprintf(overlap, sizeof(overlap), s->io_ns ? "%.0f%%" : "-", 100 * s->io_overlap);
        double sp = sl_report_speedup(r, i);
        snprintf(speedup, sizeof(speedup), sp > 0 ? "%.2fx" : "-", sp);
        /* Summed over threads: divided by the wall time, it is how many
         * threads were queued for the GIL on average. */
        if (s->gil_wait_ns && s->wall_ns)
            snprintf(gil, sizeof(gil), "%.1f", (double)s->gil_wait_ns / (double)s->wall_ns);
        else
            snprintf(gil, sizeof(gil), "none");
        if (row->create_ns == 0 || !vehicle)
            snprintf(create, sizeof(create), "-");
        else if (row->create_ns >= 1000000)
            snprintf(create, sizeof(create), "%.1f ms", (double)row->create_ns / 1e6);
        else
            snprintf(create, sizeof(create), "%.1f us", (double)row->create_ns / 1e3);
        snprintf(done, sizeof(done), "%u/%u", s->completed, s->tasks);
        snprintf(cores, sizeof(cores), "%u / %u", sl_report_cores_could(row, r->cores),
                 s->max_cores);
        snprintf(mem, sizeof(mem), vehicle ? "%llu" : "-", (unsigned long long)s->vehicle_mem_kb);
        snprintf(lost, sizeof(lost), row->n_counters ? "%llu" : "-",
                 (unsigned long long)sl_report_lost_updates(row));
        fprintf(out, "%-17s %3s %8s %7s %11s %8s %9s %11s %11s %7s %9s\n", row->strategy,
                sl__report_gil(row), row->blocking_calls ? "yes" : "no", overlap, cores, speedup,
                gil, mem, create, lost, done);
    }
    char why[640];
    int best = sl_report_recommend(r, why, sizeof(why));
    if (best >= 0)
        fprintf(out, "\nrecommended: %s - %s\n", r->rows[best].strategy, why);
    else
        fprintf(out, "\n%s\n", why);
}
