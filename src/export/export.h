/*
 * export.h - a saved trace as pictures and tables for slides and worksheets.
 *
 * Every exporter reads the trace and the model built from it (spans, seeks,
 * a fold) and writes one file; none changes the trace. They return 0, or a
 * negative SL_E*: SL_ENOMEM, or SL_EIO when the stream reports an error.
 */
#ifndef SL_EXPORT_EXPORT_H
#define SL_EXPORT_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "schedlab/model.h"

/* Chrome trace event JSON for the Perfetto UI: a process for the strategy,
 * a thread per task, a slice per span, counters, switches and wake flows. */
int sl_export_perfetto(sl_trace *trace, FILE *out);

/* A static SVG timeline: a lane per task (per group of tasks past 200), a
 * lane per core, a legend and a time axis in ms. */
int sl_export_svg(sl_trace *trace, FILE *out);

/* Options of the tick table. */
typedef struct sl_ticks_opts {
    uint64_t tick_ns;    /* sampling period (0: 10 ms) */
    uint32_t first_task; /* first task shown */
    uint32_t last_task;  /* last task shown, inclusive (clamped to the trace) */
} sl_ticks_opts;

/* The tick table wraps into another table past this many columns or tasks. */
#define SL_TICKS_LINE 100
#define SL_TICKS_MAX_TASKS 16

/* Rows past which the tick table refuses (SL_ELIMIT): the tick is too small. */
#define SL_TICKS_MAX_ROWS 1000000

/* An OSTEP-style table: a row per tick with every task's state, the running
 * count and the io in flight, then per-task totals and busy percentages.
 * SL_EINVAL when no task is selected. */
int sl_export_ticks(sl_trace *trace, const sl_ticks_opts *opts, FILE *out);

/* One CSV row per span: task,name,state,reason,core,start_ms,end_ms,duration_ms. */
int sl_export_spans_csv(sl_trace *trace, FILE *out);

/* ---- module-internal text helpers (export-text.c) ----------------------- */

/* A JSON string literal: quotes, escapes, invalid UTF-8 as U+FFFD. */
void sl__json_string(FILE *out, const char *s);
/* XML character data or attribute text with &<>"' escaped, invalid UTF-8
 * and control characters replaced. */
void sl__xml_text(FILE *out, const char *s);
/* A CSV field, quoted when it holds a comma, quote or line break. */
void sl__csv_field(FILE *out, const char *s);
/* ns as decimal ms or µs without rounding: "12.345678" (ms), "12345.678" (µs). */
void sl__print_ms(FILE *out, uint64_t ns);
void sl__print_us(FILE *out, uint64_t ns);
/* "cpu", "gil", "loop", "worker". */
const char *sl__ready_cause_name(int cause);
/* What a span's reason means: the ready cause or the wait reason, else "". */
const char *sl__span_reason(const sl_span *s);

#endif
