/*
 * ticks.c - the run as an OSTEP-style table, one line per tick.
 *
 * Operating-systems worksheets ask "which process runs at time 30?": this
 * answers from a measured run. Row k is the model at t = k × tick (a seek,
 * the same fold the views use): every task's shown state with its step kind
 * or wait reason, how many tasks run on a core, how many wait on io. The
 * totals count ticks, as a student counting rows would.
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

/* t in ms, with as many decimals as the tick needs, right-aligned in `width`. */
static void print_time(FILE *out, int width, uint64_t t, uint64_t tick)
{
    unsigned long long ms = t / 1000000, frac = t % 1000000;
    if (tick % 1000000 == 0)
        fprintf(out, "%*llu", width, ms);
    else if (tick % 1000 == 0)
        fprintf(out, "%*llu.%03llu", width > 4 ? width - 4 : 0, ms, frac / 1000);
    else
        fprintf(out, "%*llu.%06llu", width > 7 ? width - 7 : 0, ms, frac);
}

typedef struct table {
    sl_trace *trace;
    sl_model *m;
    uint64_t tick, rows;
    uint32_t base;        /* first selected task: index 0 of the arrays */
    uint32_t from, n;     /* this table: tasks from .. from + n - 1 */
    uint32_t cores;       /* the machine's: caps the busy count */
    uint32_t workers;     /* work-stealing workers (0: no queue columns) */
    size_t *width;        /* per selected task: its column width */
    uint64_t (*ticks)[3]; /* per selected task: ticks running, ready, waiting */
} table;

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
            label(tb->m, tb->base + j, buf);
            if (strlen(buf) > tb->width[j])
                tb->width[j] = strlen(buf);
        }
    }
}

/* Tasks from `from` that fit in one table. */
static uint32_t fit(const table *tb, uint32_t from, uint32_t last)
{
    size_t line = 9 + 10 + (tb->workers ? 5 * (tb->workers + 1) : 0); /* time, CPU, IOs, queues */
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
    fprintf(out, "%9s", what);
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

    fprintf(out, "%9s", "ms");
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
        print_time(out, 9, t, tb->tick);
        for (uint32_t j = 0; j < tb->n; j++) {
            uint32_t i = tb->from + j, s = i - tb->base;
            label(tb->m, i, buf);
            fputs("  ", out);
            cell(out, buf, strlen(buf), tb->width[s]);
            sl_state st = sl_model_shown_state(tb->m, i);
            if (st == SL_ST_RUNNING)
                tb->ticks[s][0]++;
            else if (st == SL_ST_READY)
                tb->ticks[s][1]++;
            else if (st == SL_ST_WAITING)
                tb->ticks[s][2]++;
        }
        uint32_t on_cpu = sl_model_on_cpu(tb->m);
        uint32_t io = tb->m->waiting_by_reason[SL_WAIT_IO];
        fprintf(out, "  %3u  %3u", on_cpu, io);
        if (tb->workers > 0)
            fprintf(out, "  %3u", tb->m->steal.global);
        for (uint32_t w = 0; w < tb->workers; w++)
            fprintf(out, "  %3u", tb->m->steal.local[w]);
        fputc('\n', out);
        if (cpu_sum) {
            *cpu_sum += on_cpu < tb->cores ? on_cpu : tb->cores;
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
          "CPU tasks on a core, IOs tasks waiting on io\n",
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

    sl_model m;
    int rc = sl_model_init(&m, n_tasks, trace->meta.cores);
    if (rc < 0)
        return rc;
    uint32_t n_sel = last - first + 1;
    table tb = {.trace = trace,
                .m = &m,
                .tick = tick,
                .rows = sl_trace_end_ns(trace) / tick + 1,
                .base = first,
                .cores = cores};
    tb.width = malloc(n_sel * sizeof *tb.width);
    tb.ticks = calloc(n_sel, sizeof *tb.ticks);
    if (!tb.width || !tb.ticks) {
        rc = SL_ENOMEM;
        goto done;
    }
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
    percent(out, cpu_sum, tb.rows * cores);
    fprintf(out, " of %u cores, io busy ", cores);
    percent(out, io_ticks, tb.rows);
    fprintf(out, " of %llu ticks\n", (unsigned long long)tb.rows);
    rc = ferror(out) ? SL_EIO : 0;
done:
    free(tb.width);
    free(tb.ticks);
    sl_model_free(&m);
    return rc;
}
