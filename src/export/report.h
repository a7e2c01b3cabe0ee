/*
 * report.h - the comparison of runs as a table, JSON or CSV.
 */
#ifndef SL_EXPORT_REPORT_H
#define SL_EXPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "schedlab/model.h"

typedef enum sl_report_format {
    SL_REPORT_TABLE = 0,
    SL_REPORT_JSON,
    SL_REPORT_CSV,
    SL_REPORT_VERDICT, /* the classic comparison table and a recommendation */
} sl_report_format;

/* One run's line of the report. */
typedef struct sl_report_row {
    char strategy[32];            /* strategy name */
    uint32_t workers;             /* pool size, 0 if not a pool */
    sl_stats stats;               /* from sl_stats_compute */
    bool blocking_calls;          /* io steps block their vehicle (not an event loop) */
    uint64_t create_ns;           /* mean cost of creating one vehicle */
    char error[256];              /* why the run stopped early, or "" */
    uint32_t n_counters;          /* shared counters of the scenario */
    char counter_names[8][48];    /* their names */
    uint64_t counter_expected[8]; /* increments performed */
    uint64_t counter_actual[8];   /* final values: fewer means lost updates */
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

/* Parses "table", "json" or "csv"; returns -1 if unknown. */
int sl_report_format_parse(const char *s);
/* Updates lost by a run's unsynchronised increments (expected - actual). */
uint64_t sl_report_lost_updates(const sl_report_row *row);
/* Speedup of row i against the sequential row (0 when there is none). */
double sl_report_speedup(const sl_report *r, size_t i);
/* The recommended strategy (index into rows, or -1 with no usable run) and
 * one sentence saying why, from the measured numbers. */
int sl_report_recommend(const sl_report *r, char *why, size_t size);
/* Writes the verdict table (used by sl_report_write for SL_REPORT_VERDICT). */
void sl__report_write_verdict(const sl_report *r, FILE *out);
/* Writes the report in `format`. */
void sl_report_write(const sl_report *r, sl_report_format format, FILE *out);

#endif
