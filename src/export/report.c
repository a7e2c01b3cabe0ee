/*
 * report.c - the classic comparison table, from measured runs.
 *
 * Speedup is always against the sequential run of the same report: a ratio
 * within one invocation, never against numbers from another run, because
 * these machines are noisy.
 */
#include <math.h>
#include <string.h>

#include "export/export-internal.h"

int sl_report_format_parse(const char *s)
{
    if (strcmp(s, "table") == 0)
        return SL_REPORT_TABLE;
    if (strcmp(s, "json") == 0)
        return SL_REPORT_JSON;
    if (strcmp(s, "csv") == 0)
        return SL_REPORT_CSV;
    if (strcmp(s, "verdict") == 0)
        return SL_REPORT_VERDICT;
    return -1;
}

/* One counter's line of the race report. A plain counter that worker
 * processes (or interpreters) incremented was never shared: the parent's
 * value stayed, and each copy holds only its own increments. */
static void counter_line(FILE *out, const sl_report_row *row, uint32_t c)
{
    unsigned long long want = row->counter_expected[c], got = row->counter_actual[c];
    unsigned long long lost = sl_report_counter_lost(row, c);
    const sl_counter_copies *k = &row->counter_copies[c];
    if (k->n == 0) {
        fprintf(out, "  %-16s counter %s%s: %llu of %llu (%llu lost updates)\n", row->strategy,
                row->counter_names[c], row->counter_shared[c] ? " (shared)" : "", got, want, lost);
        return;
    }
    char each[48];
    if (k->min == k->max)
        snprintf(each, sizeof(each), "%llu each", (unsigned long long)k->min);
    else
        snprintf(each, sizeof(each), "%llu to %llu", (unsigned long long)k->min,
                 (unsigned long long)k->max);
    fprintf(out,
            "  %-16s counter %s: %llu in the parent after %llu increments (%llu lost updates); "
            "not shared: each %s had its own copy (%u copies, %s)\n",
            row->strategy, row->counter_names[c], got, want, lost,
            strcmp(row->strategy, "interpreters") == 0 ? "interpreter" : "process", k->n, each);
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static void write_table(const sl_report *r, FILE *out)
{
    fprintf(out, "%s: %s\n", r->scenario, r->title);
    fprintf(out, "runtime: %s\n", sl__report_runtime(r));
    fprintf(out, "%u cores, cpu calibration %.0f iterations/us, kernel switches from %s\n\n",
            r->cores, r->iters_per_us, r->switch_source);
    fprintf(out, "%-16s %3s %4s %9s %9s %7s %9s %13s %21s %8s %9s %8s %5s %20s\n", "strategy",
            "GIL", "wrk", "wall ms", "cpu ms", "speedup", "cores", "ready ms", "switches", "peak",
            "mem/veh", "events", "drop", "tasks");
    fprintf(out, "%-16s %3s %4s %9s %9s %7s %9s %13s %21s %8s %9s %8s %5s %20s\n", "", "", "", "",
            "", "", "max/mean", "mean/max", "vol/invol/coro/gil", "RSS MiB", "KiB", "", "",
            "done/fail/cncl/unrun");
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        const sl_stats *s = &row->stats;
        char workers[16], speedup[16], cores[24], ready[32], sw[48], done[48];
        snprintf(workers, sizeof(workers), row->workers ? "%u" : "-", row->workers);
        double sp = sl_report_speedup(r, i);
        snprintf(speedup, sizeof(speedup), sp > 0 ? "%.2fx" : "-", sp);
        snprintf(cores, sizeof(cores), "%u/%.2f", s->max_cores, s->mean_cores);
        snprintf(ready, sizeof(ready), "%.1f/%.0f", s->ready_ms_mean, s->ready_ms_max);
        snprintf(sw, sizeof(sw), "%llu/%llu/%llu/%llu", (unsigned long long)s->switches_voluntary,
                 (unsigned long long)s->switches_involuntary,
                 (unsigned long long)s->switches_coroutine, (unsigned long long)s->switches_gil);
        snprintf(done, sizeof(done), "%u/%u/%u/%u", s->completed, s->failed, s->cancelled,
                 s->not_started);
        fprintf(out, "%-16s %3s %4s %9.1f %9.1f %7s %9s %13s %21s %8.1f %9llu %8llu %5llu %20s\n",
                row->strategy, sl__report_gil(row), workers, ms(s->wall_ns), ms(s->cpu_ns), speedup,
                cores, ready, sw, (double)s->peak_rss_kb / 1024.0,
                (unsigned long long)s->vehicle_mem_kb, (unsigned long long)s->events,
                (unsigned long long)s->dropped, done);
    }
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].error[0] != '\0')
            fprintf(out, "\n%s stopped early: %s\n", r->rows[i].strategy, r->rows[i].error);
    if (r->n_rows > 0 && r->rows[0].n_counters > 0)
        fprintf(out, "\ncounters (final value of expected increments):\n");
    for (size_t i = 0; i < r->n_rows; i++)
        for (uint32_t c = 0; c < r->rows[i].n_counters; c++)
            counter_line(out, &r->rows[i], c);
}

/* Writes a JSON string literal with the escapes JSON requires. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* JSON has no NaN or infinity: print null for them. */
static void json_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.3f", v);
    else
        fputs("null", out);
}

static void write_json(const sl_report *r, FILE *out)
{
    fputs("{\"scenario\":", out);
    json_string(out, r->scenario);
    fputs(",\"title\":", out);
    json_string(out, r->title);
    fprintf(out, ",\"machine\":{\"cores\":%u,\"cpu_iters_per_us\":", r->cores);
    json_number(out, r->iters_per_us);
    fputs(",\"switch_source\":", out);
    json_string(out, r->switch_source);
    fputs("},\"runtime\":", out);
    json_string(out, sl__report_runtime(r));
    fputs(",\"runs\":[", out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        const sl_stats *s = &row->stats;
        fputs(i ? ",{\"strategy\":" : "{\"strategy\":", out);
        json_string(out, row->strategy);
        fputs(",\"gil\":", out);
        json_string(out, sl__report_gil(row));
        fprintf(out,
                ",\"workers\":%u,\"tasks\":%u,\"completed\":%u,\"failed\":%u,\"cancelled\":%u,"
                "\"not_started\":%u",
                row->workers, s->tasks, s->completed, s->failed, s->cancelled, s->not_started);
        fputs(",\"wall_ms\":", out);
        json_number(out, ms(s->wall_ns));
        fputs(",\"cpu_ms\":", out);
        json_number(out, ms(s->cpu_ns));
        double sp = sl_report_speedup(r, i);
        fputs(",\"speedup\":", out);
        if (sp > 0)
            json_number(out, sp);
        else
            fputs("null", out);
        fprintf(out, ",\"cores_could\":%u,\"max_cores\":%u,\"mean_cores\":",
                sl_report_cores_could(row, r->cores), s->max_cores);
        json_number(out, s->mean_cores);
        fputs(",\"ready_ms_mean\":", out);
        json_number(out, s->ready_ms_mean);
        fputs(",\"ready_ms_max\":", out);
        json_number(out, s->ready_ms_max);
        fprintf(out,
                ",\"switches\":{\"voluntary\":%llu,\"involuntary\":%llu,\"coroutine\":%llu,"
                "\"gil\":%llu,\"steals\":%llu,\"stolen\":%llu,\"parks\":%llu,"
                "\"migrations\":%llu}",
                (unsigned long long)s->switches_voluntary,
                (unsigned long long)s->switches_involuntary,
                (unsigned long long)s->switches_coroutine, (unsigned long long)s->switches_gil,
                (unsigned long long)s->steals, (unsigned long long)s->stolen,
                (unsigned long long)s->parks, (unsigned long long)s->migrations);
        fputs(",\"gil_wait_ms\":", out);
        json_number(out, ms(s->gil_wait_ns));
        fputs(",\"wait_ms\":", out);
        json_number(out, ms(s->wait_ns));
        fputs(",\"starting_ms\":", out);
        json_number(out, ms(s->starting_ns));
        fputs(",\"io_overlap\":", out);
        json_number(out, s->io_overlap);
        fprintf(out,
                ",\"peak_rss_kb\":%llu,\"vehicle_mem_kb\":%llu,\"events\":%llu,"
                "\"dropped_events\":%llu,\"lost_updates\":%llu,\"counters\":[",
                (unsigned long long)s->peak_rss_kb, (unsigned long long)s->vehicle_mem_kb,
                (unsigned long long)s->events, (unsigned long long)s->dropped,
                (unsigned long long)sl_report_lost_updates(row));
        for (uint32_t c = 0; c < row->n_counters; c++) {
            fputs(c ? ",{\"name\":" : "{\"name\":", out);
            json_string(out, row->counter_names[c]);
            const sl_counter_copies *k = &row->counter_copies[c];
            fprintf(out,
                    ",\"shared\":%s,\"expected\":%llu,\"actual\":%llu,\"lost\":%llu,"
                    "\"copies\":%u,\"copies_sum\":%llu}",
                    row->counter_shared[c] ? "true" : "false",
                    (unsigned long long)row->counter_expected[c],
                    (unsigned long long)row->counter_actual[c],
                    (unsigned long long)sl_report_counter_lost(row, c), k->n,
                    (unsigned long long)k->sum);
        }
        fputs("],\"error\":", out);
        if (row->error[0] != '\0')
            json_string(out, row->error);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs("]}\n", out);
}

static void write_csv(const sl_report *r, FILE *out)
{
    fputs("scenario,strategy,workers,tasks,completed,failed,cancelled,not_started,wall_ms,cpu_ms,"
          "speedup,"
          "max_cores,mean_cores,ready_ms_mean,ready_ms_max,voluntary,involuntary,coroutine,gil,"
          "peak_rss_kb,vehicle_mem_kb,events,dropped_events,lost_updates,runtime_gil,"
          "cores_could\n",
          out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const sl_report_row *row = &r->rows[i];
        const sl_stats *s = &row->stats;
        fprintf(out,
                "%s,%s,%u,%u,%u,%u,%u,%u,%.3f,%.3f,%.3f,%u,%.3f,%.3f,%.3f,%llu,%llu,%llu,%llu,"
                "%llu,%llu,%llu,%llu,%llu,%s,%u\n",
                r->scenario, row->strategy, row->workers, s->tasks, s->completed, s->failed,
                s->cancelled, s->not_started, ms(s->wall_ns), ms(s->cpu_ns),
                sl_report_speedup(r, i), s->max_cores, s->mean_cores, s->ready_ms_mean,
                s->ready_ms_max, (unsigned long long)s->switches_voluntary,
                (unsigned long long)s->switches_involuntary,
                (unsigned long long)s->switches_coroutine, (unsigned long long)s->switches_gil,
                (unsigned long long)s->peak_rss_kb, (unsigned long long)s->vehicle_mem_kb,
                (unsigned long long)s->events, (unsigned long long)s->dropped,
                (unsigned long long)sl_report_lost_updates(row), sl__report_gil(row),
                sl_report_cores_could(row, r->cores));
    }
}

void sl_report_write(const sl_report *r, sl_report_format format, FILE *out)
{
    switch (format) {
    case SL_REPORT_JSON:
        write_json(r, out);
        break;
    case SL_REPORT_CSV:
        write_csv(r, out);
        break;
    case SL_REPORT_VERDICT:
        sl__report_write_verdict(r, out);
        break;
    default:
        write_table(r, out);
        break;
    }
}
