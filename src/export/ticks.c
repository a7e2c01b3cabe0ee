/*
 * ticks.c - the run as an OSTEP-style table, one line per tick.
 *
 * Operating-systems worksheets ask "which process runs at time 30?": this
 * answers from a measured run. Row k is the tick [k × tick, (k+1) × tick)
 * and shows, per task, the state that held longest in it: the rule of the
 * TUI's timeline columns (sl_spans_columns), so the table and the screen at
 * the same column width agree, and a 1 ms run inside a 50 ms wait reads as
 * waiting in both. The label's detail (step kind, wait reason, ready cause)
 * is the model's (a seek, the same fold the views use) at the start of that
 * state's longest stretch in the tick. CPU is the cores busy with the run's
 * tasks and IOs the io waits in flight, each averaged over the tick and
 * rounded: the core meters' definition. The totals count ticks, as a student
 * counting rows would.
 *
 * Each task column is as wide as its name (up to 16 bytes) or the longest
 * label it shows, found in a first pass over the ticks, so the table stays
 * narrow and the same trace always gives the same bytes. Tasks that do not
 * fit in SL_TICKS_LINE columns (or past SL_TICKS_MAX_TASKS) wrap into the
 * next table.
 *
 * A work-stealing run adds a column per queue: GQ the global queue, Q0,
 * Q1, ... each worker's local queue, the tasks waiting in it at the tick.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/scenario.h"
#include "schedlab/error.h"

#define NAME_MAX_BYTES 16
#define LABEL_SIZE 32

static void label(const sl_model *m, uint32_t i, char *buf)
{
    const sl_task_now *k = &m->tasks[i];

    switch (sl_model_shown_state(m, i)) {
    case SL_ST_QUEUED:
        snprintf(buf, LABEL_SIZE, "QUEUED");
        break;
    case SL_ST_STARTING:
        snprintf(buf, LABEL_SIZE, "START");
        break;
    case SL_ST_READY:
        /* A preempted running task waits for a core, whatever it waited for before. */
        if (k->state == SL_ST_RUNNING || k->reason == SL_READY_CPU)
            snprintf(buf, LABEL_SIZE, "READY");
        else
            snprintf(buf, LABEL_SIZE, "READY:%s", sl_ready_cause_name(k->reason));
        break;
    case SL_ST_RUNNING:
        snprintf(buf, LABEL_SIZE, "RUN:%s", sl_step_kind_name(k->step_kind));
        break;
    case SL_ST_WAITING:
        snprintf(buf, LABEL_SIZE, "WAIT:%s", sl_wait_reason_name(k->reason));
        break;
    case SL_ST_DONE:
        snprintf(buf, LABEL_SIZE, "DONE");
        break;
    case SL_ST_FAILED:
        snprintf(buf, LABEL_SIZE, "FAIL");
        break;
    case SL_ST_CANCELLED:
        snprintf(buf, LABEL_SIZE, "CANCEL");
        break;
    default:
        buf[0] = '\0'; /* not spawned yet */
    }
}

/* Display columns of a UTF-8 string (continuation bytes take none). */
static size_t columns(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes && s[i]; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* Bytes of a task name shown in a header: at most NAME_MAX_BYTES, never
 * cutting a UTF-8 sequence. */
static size_t name_bytes(const char *s)
{
    size_t n = strlen(s);
    if (n <= NAME_MAX_BYTES)
        return n;
    n = NAME_MAX_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static void cell(FILE *out, const char *s, size_t bytes, size_t width)
{
    fwrite(s, 1, bytes, out);
    for (size_t c = columns(s, bytes); c < width; c++)
        fputc(' ', out);
}

/* t in ms, with as many decimals as the tick needs, into buf. */
static int format_time(char *buf, size_t size, uint64_t t, uint64_t tick)
{
    unsigned long long ms = t / 1000000, frac = t % 1000000;
    if (tick % 1000000 == 0)
        return snprintf(buf, size, "%llu", ms);
    if (tick % 1000 == 0)
        return snprintf(buf, size, "%llu.%03llu", ms, frac / 1000);
    return snprintf(buf, size, "%llu.%06llu", ms, frac);
}

/* The same, right-aligned in `width`. */
static void print_time(FILE *out, int width, uint64_t t, uint64_t tick)
{
    char buf[48];
    format_time(buf, sizeof buf, t, tick);
    fprintf(out, "%*s", width, buf);
}

typedef struct table {
    sl_trace *trace;
    sl_model *m;
    sl_model *at; /* a second fold, for a label inside a tick */
    const sl_spans *spans;
    uint64_t end;     /* the trace's end: the last tick stops there */
    uint8_t *cells;   /* per selected task, per row: the dominant state (columns.c) */
    uint64_t *run_ns; /* per row: running time of all tasks in it */
    uint64_t *io_ns;  /* per row: io waiting time of all tasks in it */
    uint64_t tick, rows;
    int time_w;           /* the time column: 9, or the longest time's width */
    uint32_t base;        /* first selected task: index 0 of the arrays */
    uint32_t from, n;     /* this table: tasks from .. from + n - 1 */
    uint32_t cores;       /* the machine's: caps the busy count */
    uint32_t workers;     /* work-stealing workers (0: no queue columns) */
    size_t *width;        /* per selected task: its column width */
    uint64_t (*ticks)[3]; /* per selected task: ticks running, ready, waiting */
} table;

/* The state of selected task j in row k, and its label into buf; the model
 * tb->m must be at the row's start. */
static sl_state row_label(table *tb, uint64_t k, uint32_t j, char *buf)
{
    uint32_t i = tb->base + j;
    uint64_t t = k * tb->tick, e = t + tb->tick < tb->end ? t + tb->tick : tb->end;
    sl_state now = sl_model_shown_state(tb->m, i);
    if (e <= t) {
        /* The tick at the end itself: the state the run ended in. */
        label(tb->m, i, buf);
        return now;
    }
    sl_state dom = (sl_state)SL_COL_STATE(tb->cells[(size_t)j * tb->rows + k]);
    if (dom == now) {
        label(tb->m, i, buf);
        return now;
    }
    /* Its longest stretch of the dominant state in the tick gives the detail. */
    uint64_t best = 0, at = t;
    for (size_t q = tb->spans->first[i]; q < tb->spans->first[i + 1]; q++) {
        const sl_span *sp = &tb->spans->v[q];
        if (sp->start_ns >= e)
            break;
        uint64_t lo = sp->start_ns > t ? sp->start_ns : t, hi = sp->end_ns < e ? sp->end_ns : e;
        if (sp->state == dom && hi > lo && hi - lo > best) {
            best = hi - lo;
            at = lo;
        }
    }
    if (best == 0) {
        buf[0] = '\0'; /* not spawned yet for most of the tick */
        return dom;
    }
    sl_model_seek(tb->at, tb->trace, at);
    label(tb->at, i, buf);
    return dom;
}

static void measure(table *tb, uint32_t n_sel)
{
    char buf[LABEL_SIZE];
    for (uint32_t j = 0; j < n_sel; j++) {
        const char *name = sl_trace_task_name(tb->trace, tb->base + j);
        tb->width[j] = columns(name, name_bytes(name));
    }
    for (uint64_t k = 0; k < tb->rows; k++) {
        sl_model_seek(tb->m, tb->trace, k * tb->tick);
        for (uint32_t j = 0; j < n_sel; j++) {
            row_label(tb, k, j, buf);
            if (strlen(buf) > tb->width[j])
                tb->width[j] = strlen(buf);
        }
    }
}

/* Adds [s, e) to per-row sums, whole rows through a difference array. */
static void add_time(const table *tb, uint64_t *part, int64_t *whole, uint64_t s, uint64_t e)
{
    if (e > tb->end)
        e = tb->end;
    if (e <= s)
        return;
    uint64_t lo = s / tb->tick, hi = (e - 1) / tb->tick;
    if (lo == hi) {
        part[lo] += e - s;
        return;
    }
    part[lo] += (lo + 1) * tb->tick - s;
    part[hi] += e - hi * tb->tick;
    if (hi > lo + 1) {
        whole[lo + 1]++;
        whole[hi]--;
    }
}

/* Every row's running and io-waiting time, over all tasks, and every
 * selected task's dominant state per row. */
static int sum_rows(table *tb, uint32_t n_sel)
{
    int64_t *whole = calloc(2 * (tb->rows + 1), sizeof *whole);
    if (!whole)
        return SL_ENOMEM;
    for (size_t q = 0; q < tb->spans->n; q++) {
        const sl_span *sp = &tb->spans->v[q];
        if (sp->state == SL_ST_RUNNING)
            add_time(tb, tb->run_ns, whole, sp->start_ns, sp->end_ns);
        else if (sp->state == SL_ST_WAITING && sp->reason == SL_WAIT_IO)
            add_time(tb, tb->io_ns, whole + tb->rows + 1, sp->start_ns, sp->end_ns);
    }
    int64_t run = 0, io = 0;
    for (uint64_t k = 0; k < tb->rows; k++) {
        uint64_t t = k * tb->tick, e = t + tb->tick < tb->end ? t + tb->tick : tb->end;
        uint64_t len = e > t ? e - t : 0;
        run += whole[k];
        io += whole[tb->rows + 1 + k];
        tb->run_ns[k] += (uint64_t)run * len;
        tb->io_ns[k] += (uint64_t)io * len;
    }
    free(whole);
    for (uint32_t j = 0; j < n_sel; j++) {
        int rc = sl_spans_columns(tb->spans, tb->base + j, tb->base + j + 1, 0, tb->tick, tb->end,
                                  (int)tb->rows, tb->cells + (size_t)j * tb->rows);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ns over len, rounded half up: an average count over a tick. */
static uint32_t mean_of(uint64_t ns, uint64_t len)
{
    return len ? (uint32_t)((2 * ns + len) / (2 * len)) : 0;
}

/* Tasks from `from` that fit in one table. */
static uint32_t fit(const table *tb, uint32_t from, uint32_t last)
{
    size_t line = (size_t)tb->time_w + 10 +
                  (tb->workers ? 5 * (tb->workers + 1) : 0); /* time, CPU, IOs, queues */
    uint32_t n = 0;
    while (from + n <= last && n < SL_TICKS_MAX_TASKS) {
        line += 2 + tb->width[from + n - tb->base];
        if (n > 0 && line > SL_TICKS_LINE)
            break;
        n++;
    }
    return n;
}

static void totals_row(FILE *out, const table *tb, const char *what, int col)
{
    fprintf(out, "%*s", tb->time_w, what);
    for (uint32_t j = 0; j < tb->n; j++) {
        uint32_t s = tb->from + j - tb->base;
        /* Left-aligned under the labels, no trailing blanks. */
        fprintf(out, "  %-*llu", j + 1 < tb->n ? (int)tb->width[s] : 0,
                (unsigned long long)tb->ticks[s][col]);
    }
    fputc('\n', out);
}

/* Prints one table; sums busy cores and ticks with io in flight when asked
 * (every table walks the same ticks: the first one counts them). */
static void print_table(FILE *out, table *tb, uint64_t *cpu_sum, uint64_t *io_ticks)
{
    char buf[LABEL_SIZE];

    fprintf(out, "%*s", tb->time_w, "ms");
    for (uint32_t j = 0; j < tb->n; j++) {
        const char *name = sl_trace_task_name(tb->trace, tb->from + j);
        fputs("  ", out);
        cell(out, name, name_bytes(name), tb->width[tb->from + j - tb->base]);
    }
    fputs("  CPU  IOs", out);
    if (tb->workers > 0)
        fputs("   GQ", out);
    for (uint32_t w = 0; w < tb->workers; w++)
        fprintf(out, "  Q%-2u", w);
    fputc('\n', out);
    for (uint64_t k = 0; k < tb->rows; k++) {
        uint64_t t = k * tb->tick;
        sl_model_seek(tb->m, tb->trace, t);
        print_time(out, tb->time_w, t, tb->tick);
        for (uint32_t j = 0; j < tb->n; j++) {
            uint32_t i = tb->from + j, s = i - tb->base;
            sl_state st = row_label(tb, k, s, buf);
            fputs("  ", out);
            cell(out, buf, strlen(buf), tb->width[s]);
            if (st == SL_ST_RUNNING)
                tb->ticks[s][0]++;
            else if (st == SL_ST_READY)
                tb->ticks[s][1]++;
            else if (st == SL_ST_WAITING)
                tb->ticks[s][2]++;
        }
        uint64_t e = t + tb->tick < tb->end ? t + tb->tick : tb->end, len = e > t ? e - t : 0;
        uint64_t run = tb->run_ns[k] < tb->cores * len ? tb->run_ns[k] : tb->cores * len;
        uint32_t on_cpu = mean_of(run, len), io = mean_of(tb->io_ns[k], len);
        fprintf(out, "  %3u  %3u", on_cpu, io);
        if (tb->workers > 0)
            fprintf(out, "  %3u", tb->m->steal.global);
        for (uint32_t w = 0; w < tb->workers; w++)
            fprintf(out, "  %3u", tb->m->steal.local[w]);
        fputc('\n', out);
        if (cpu_sum) {
            *cpu_sum += run;
            *io_ticks += io > 0;
        }
    }
    fputs("\nticks\n", out);
    totals_row(out, tb, "running", 0);
    totals_row(out, tb, "ready", 1);
    totals_row(out, tb, "waiting", 2);
}

static void percent(FILE *out, uint64_t num, uint64_t den)
{
    /* Tenths of a percent, rounded half up, from integers only. */
    uint64_t tenths = den ? (num * 2000 + den) / (2 * den) : 0;
    fprintf(out, "%llu.%llu%%", (unsigned long long)(tenths / 10),
            (unsigned long long)(tenths % 10));
}

static void preamble(FILE *out, const sl_trace *trace, uint64_t tick, uint32_t first, uint32_t last,
                     uint32_t workers)
{
    fprintf(out, "%s: %s\n", trace->meta.scenario, trace->meta.title);
    fprintf(out, "strategy %s%s%s, %u cores, tick ", trace->meta.strategy,
            trace->meta.gil ? ", runtime " : "", sl_gil_runtime(trace->meta.gil),
            trace->meta.cores);
    print_time(out, 0, tick, tick);
    fprintf(out, " ms, tasks %u-%u of %u\n", first, last, trace->meta.n_tasks);
    fputs("RUN:step on a core, READY waiting for one (READY:gil the GIL, :loop the event\n"
          "loop, :worker a pool worker), WAIT:reason blocked, START its process starting\n"
          "up (creation to first step), blank not spawned yet;\n"
          "each the state that held longest in the tick;\n"
          "CPU cores busy with the tasks, IOs io waits in flight (tick averages)\n",
          out);
    if (workers > 0)
        fputs("GQ tasks in the global queue, Qn in worker n's local queue\n", out);
}

int sl_export_ticks(sl_trace *trace, const sl_ticks_opts *opts, FILE *out)
{
    uint32_t n_tasks = trace->meta.n_tasks;
    uint64_t tick = opts && opts->tick_ns ? opts->tick_ns : 10000000;
    uint32_t first = opts ? opts->first_task : 0;
    uint32_t last = opts ? opts->last_task : UINT32_MAX;
    uint32_t cores = trace->meta.cores ? trace->meta.cores : 1;

    if (last >= n_tasks)
        last = n_tasks ? n_tasks - 1 : 0;
    if (n_tasks == 0 || first > last)
        return SL_EINVAL;
    if (sl_trace_end_ns(trace) / tick >= SL_TICKS_MAX_ROWS)
        return SL_ELIMIT;

    sl_model m, at;
    sl_spans spans;
    int rc = sl_spans_build(trace, &spans);
    if (rc < 0)
        return rc;
    rc = sl_model_init(&m, n_tasks, trace->meta.cores);
    if (rc < 0) {
        sl_spans_free(&spans);
        return rc;
    }
    rc = sl_model_init(&at, n_tasks, trace->meta.cores);
    if (rc < 0) {
        sl_model_free(&m);
        sl_spans_free(&spans);
        return rc;
    }
    uint32_t n_sel = last - first + 1;
    table tb = {.trace = trace,
                .m = &m,
                .at = &at,
                .spans = &spans,
                .end = sl_trace_end_ns(trace),
                .tick = tick,
                .rows = sl_trace_end_ns(trace) / tick + 1,
                .base = first,
                .cores = cores};
    char last_time[48];
    tb.time_w = format_time(last_time, sizeof last_time, (tb.rows - 1) * tick, tick);
    if (tb.time_w < 9)
        tb.time_w = 9;
    tb.width = malloc(n_sel * sizeof *tb.width);
    tb.ticks = calloc(n_sel, sizeof *tb.ticks);
    tb.cells = malloc((size_t)n_sel * tb.rows);
    tb.run_ns = calloc(tb.rows, sizeof *tb.run_ns);
    tb.io_ns = calloc(tb.rows, sizeof *tb.io_ns);
    if (!tb.width || !tb.ticks || !tb.cells || !tb.run_ns || !tb.io_ns) {
        rc = SL_ENOMEM;
        goto done;
    }
    rc = sum_rows(&tb, n_sel);
    if (rc < 0)
        goto done;
    sl_model_seek(&m, trace, sl_trace_end_ns(trace));
    tb.workers = m.steal.workers;
    measure(&tb, n_sel);
    preamble(out, trace, tick, first, last, tb.workers);

    uint64_t cpu_sum = 0, io_ticks = 0;
    for (uint32_t from = first; from - first < n_sel; from += tb.n) {
        tb.from = from;
        tb.n = fit(&tb, from, last);
        fputc('\n', out);
        if (from > first || tb.n < n_sel)
            fprintf(out, "tasks %u-%u\n", from, from + tb.n - 1);
        print_table(out, &tb, from == first ? &cpu_sum : NULL, &io_ticks);
    }
    fputs("\nCPU busy ", out);
    percent(out, cpu_sum, tb.end * cores);
    fprintf(out, " of %u cores, io busy ", cores);
    percent(out, io_ticks, tb.rows);
    fprintf(out, " of %llu ticks\n", (unsigned long long)tb.rows);
    rc = ferror(out) ? SL_EIO : 0;
done:
    free(tb.width);
    free(tb.ticks);
    free(tb.cells);
    free(tb.run_ns);
    free(tb.io_ns);
    sl_model_free(&at);
    sl_model_free(&m);
    sl_spans_free(&spans);
    return rc;
}
