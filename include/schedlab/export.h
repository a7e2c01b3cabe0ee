/*
 * export.h - the door of src/export/: a saved trace as pictures and tables for slides and
 * worksheets.
 *
 * Every exporter reads the trace and the model built from it (spans, seeks,
 * a fold) and writes one file; none changes the trace. They return 0, or a
 * negative SL_E*: SL_ENOMEM, or SL_EIO when the stream reports an error.
 */
#ifndef SCHEDLAB_EXPORT_H
#define SCHEDLAB_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
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

/* One lesson as a self-contained web page (html.c): the cast played by
 * asciinema-player (embedded: the page works from a file, offline), pausing
 * at its markers; the SVG timeline under it; the caption, the takeaway and
 * the measured table beside it. */
typedef struct sl_html_page {
    const char *title;    /* the lesson's title */
    const char *caption;  /* its caption paragraph, or NULL */
    const char *takeaway; /* one sentence on what the run measured, or NULL */
    const char *table;    /* the measured table as text, or NULL */
    const char *cast;     /* an asciicast (v3: the player pauses at its markers) */
    size_t cast_len;
    const char *svg; /* an SVG picture (sl_export_svg), or NULL */
    size_t svg_len;
} sl_html_page;

/* Writes the page; SL_ENOTSUP when the binary was built without the player
 * (web/node_modules missing at build time), SL_EIO on a write error. */
int sl_export_html(const sl_html_page *p, FILE *out);
/* Whether the player was embedded at build time. */
bool sl_export_html_player(void);

/* ---- module-internal text helpers (export-text.c) ----------------------- */

/* A JSON string literal: quotes, escapes, invalid UTF-8 as U+FFFD. */
void sl_json_string(FILE *out, const char *s);
/* XML character data or attribute text with &<>"' escaped, invalid UTF-8
 * and control characters replaced. */
void sl_xml_text(FILE *out, const char *s);
/* A CSV field, quoted when it holds a comma, quote or line break. */
void sl_csv_field(FILE *out, const char *s);
/* ns as decimal ms or µs without rounding: "12.345678" (ms), "12345.678" (µs). */
void sl_print_ms(FILE *out, uint64_t ns);
void sl_print_us(FILE *out, uint64_t ns);
/* "cpu", "gil", "loop", "worker". */
const char *sl_ready_cause_name(int cause);
/* What a span's reason means: the ready cause or the wait reason, else "". */
const char *sl_span_reason(const sl_span *s);

/*
 * The comparison of runs as a table, JSON or CSV.
 */
typedef enum sl_report_format {
    SL_REPORT_TABLE = 0,
    SL_REPORT_JSON,
    SL_REPORT_CSV,
    SL_REPORT_VERDICT, /* the classic comparison table and a recommendation */
} sl_report_format;

/* Parses "table", "json" or "csv"; returns -1 if unknown. */
int sl_report_format_parse(const char *s);
/* Writes the report in `format`. */
void sl_report_write(const sl_report *r, sl_report_format format, FILE *out);

/*
 * An asciicast writer, v2 or v3: a JSON header line, then one
 * `[time, "o", data]` line per chunk of terminal output,
 * `[time, "r", "COLSxROWS"]` per resize and, in v3, `[time, "m", label]`
 * per marker (a moment a player can pause at or jump to). v2 times count
 * from the start; v3 times are intervals since the previous event, and its
 * header names the terminal as `term: {cols, rows, type}` (asciinema 3.0).
 *
 * The writer owns the shape of the timeline: times never go backwards,
 * output closer together than one frame (1/fps) is merged into one event,
 * and gaps longer than the idle limit are shortened to it, as
 * `asciinema rec --idle-time-limit` does. Output is cut only at whole UTF-8
 * characters, so every event is valid JSON text on its own.
 */
typedef struct sl_cast_header {
    int version;         /* 2 (also 0) or 3 */
    int width, height;   /* terminal size in cells */
    int64_t timestamp;   /* unix seconds of the recording (fixed for replays) */
    const char *title;   /* shown by players, or NULL */
    const char *term;    /* env.TERM */
    const char *shell;   /* env.SHELL */
    unsigned fps;        /* at most this many events a second (0: 30) */
    double idle_limit_s; /* > 0: no gap in the output longer than this */
} sl_cast_header;

typedef struct sl_cast sl_cast;

/* Creates `path` (by sl_ofile's rule) and writes the header line; the
 * error says why: SL_EACCES, SL_ENOTREG for a directory... SL_EINVAL for
 * a size below one cell or a version other than 2 or 3. */
int sl_cast_open(sl_cast **out, const char *path, const sl_cast_header *h);
/* Terminal output at `t_ns` (time since the recording started). */
int sl_cast_output(sl_cast *c, uint64_t t_ns, const char *data, size_t n);
/* The terminal became cols x rows at `t_ns`. */
int sl_cast_resize(sl_cast *c, uint64_t t_ns, int cols, int rows);
/* A marker labelled `label` (NULL: unlabelled) at `t_ns`; v3 only: a v2
 * cast stays as asciinema 2.x reads it, and the call writes nothing. */
int sl_cast_marker(sl_cast *c, uint64_t t_ns, const char *label);
/* Writes what is pending and closes the file (renamed into place only when
 * complete); returns the first write error (SL_ENOSPC, SL_EACCES...).
 * NULL is allowed. */
int sl_cast_close(sl_cast *c);
/* Writes the pending event now (before reading the counts). */
int sl_cast_flush(sl_cast *c);
/* Time of the newest event, after the idle limit (the cast's length). */
uint64_t sl_cast_length(const sl_cast *c);
/* Events written so far (after merging). */
size_t sl_cast_events(const sl_cast *c);

#endif
