/*
 * svg.c - a run as one static timeline picture, for slides and handouts.
 *
 *   title — strategy                      legend: ■ running ▨ ready …
 *   task-0  ██████▨▨▨░░░░░██████
 *   task-1  ▨▨▨▨▨▨██████░░░░░░██
 *   core 0  [task-0][task-1 ]…
 *   ├────┼────┼────┼ ms
 *
 * A lane per task shows its spans (the model's, as in the terminal), a lane
 * per core which task ran there. Colours come from the Okabe-Ito palette,
 * which stays distinct for colour-blind viewers and on a washed-out
 * projector; every state also has its own fill pattern (and a label when
 * the rectangle is wide enough), so a greyscale print still tells running
 * from ready from waiting.
 *
 * Up to 200 tasks get a lane each, thinner as they grow. Past that, a lane
 * stands for a group of tasks: per column of pixels it stacks how many of
 * them run, are ready, wait, are queued or start, which is what a picture of
 * thousands of tasks can honestly show.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/error.h"

#define WIDTH 1200
#define LEFT 150 /* lane labels */
#define RIGHT 24
#define PLOT (WIDTH - LEFT - RIGHT)
#define TOP 96 /* title, subtitle, legend */
#define MAX_LANES 200
#define AGG_LANES 100
#define COL_PX 2 /* aggregated lanes: width of a column */
#define CORE_LANE 16

typedef struct style {
    const char *id, *label, *fill, *ink; /* pattern id, legend text, colour, text colour */
} style;

/* Indexed by sl_state; "new" is never drawn. */
static const style styles[SL_ST__COUNT] = {
    [SL_ST_RUNNING] = {"running", "running", "#0072B2", "#ffffff"},
    [SL_ST_READY] = {"ready", "ready", "#E69F00", "#000000"},
    [SL_ST_WAITING] = {"waiting", "waiting", "#56B4E9", "#000000"},
    [SL_ST_QUEUED] = {"queued", "queued", "#F0E442", "#000000"},
    [SL_ST_STARTING] = {"starting", "starting", "#CC79A7", "#000000"},
    [SL_ST_DONE] = {"done", "done", "#E6E6E6", "#000000"},
    [SL_ST_FAILED] = {"failed", "failed", "#D55E00", "#000000"},
    [SL_ST_CANCELLED] = {"cancelled", "cancelled", "#999999", "#000000"},
};

/* Pattern marks over each state's colour: the greyscale cue. */
static const char *const marks[SL_ST__COUNT] = {
    [SL_ST_READY] = "<path d=\"M0,8 L8,0\" stroke=\"#000\" stroke-opacity=\"0.45\" "
                    "stroke-width=\"1.5\"/>",
    [SL_ST_WAITING] = "<circle cx=\"4\" cy=\"4\" r=\"1.3\" fill=\"#000\" fill-opacity=\"0.5\"/>",
    [SL_ST_QUEUED] = "<path d=\"M0,4 L8,4\" stroke=\"#000\" stroke-opacity=\"0.45\"/>",
    [SL_ST_STARTING] = "<path d=\"M4,0 L4,8\" stroke=\"#000\" stroke-opacity=\"0.45\"/>",
    [SL_ST_FAILED] = "<path d=\"M0,0 L8,8 M0,8 L8,0\" stroke=\"#000\" stroke-opacity=\"0.6\"/>",
    [SL_ST_CANCELLED] = "<path d=\"M0,0 L8,8 M0,8 L8,0\" stroke=\"#000\" "
                        "stroke-opacity=\"0.6\"/>",
};

typedef struct pic {
    FILE *out;
    sl_trace *trace;
    const sl_spans *spans;
    uint64_t end; /* ns at the right edge */
    uint32_t n_tasks, group, lanes, n_cores;
    double lane_h, gap;
} pic;

static double x_of(const pic *p, uint64_t t)
{
    return LEFT + (double)PLOT * (double)t / (double)p->end;
}

static void defs(FILE *out)
{
    fputs("<defs>\n", out);
    for (int s = 0; s < SL_ST__COUNT; s++) {
        if (!styles[s].id)
            continue;
        fprintf(out,
                "<pattern id=\"st-%s\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
                "<rect width=\"8\" height=\"8\" fill=\"%s\"/>%s</pattern>\n",
                styles[s].id, styles[s].fill, marks[s] ? marks[s] : "");
    }
    fputs("</defs>\n", out);
}

static void text(FILE *out, double x, double y, double size, const char *anchor, const char *ink,
                 const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">",
            x, y, size, anchor, ink);
    sl_xml_text(out, s);
    fputs("</text>\n", out);
}

static void state_rect(FILE *out, double x, double y, double w, double h, int state)
{
    fprintf(out,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"url(#st-%s)\"/>\n",
            x, y, w, h, styles[state].id);
}

static void header(const pic *p)
{
    const sl_trace_meta *m = &p->trace->meta;
    char line[256];

    snprintf(line, sizeof line, "%s \xe2\x80\x94 %s", m->title[0] ? m->title : m->scenario,
             m->strategy);
    text(p->out, 16, 30, 20, "start", "#000000", line);
    snprintf(line, sizeof line, "%s \xc2\xb7 %u tasks \xc2\xb7 %u cores \xc2\xb7 %.1f ms",
             m->scenario, m->n_tasks, m->cores, (double)sl_trace_end_ns(p->trace) / 1e6);
    if (p->group > 1)
        snprintf(line + strlen(line), sizeof line - strlen(line),
                 " \xc2\xb7 %u tasks per lane, stacked counts", p->group);
    text(p->out, 16, 50, 13, "start", "#333333", line);

    static const int order[] = {SL_ST_RUNNING,  SL_ST_READY, SL_ST_WAITING, SL_ST_QUEUED,
                                SL_ST_STARTING, SL_ST_DONE,  SL_ST_FAILED,  SL_ST_CANCELLED};
    double x = 16;
    fputs("<g id=\"legend\">\n", p->out);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const style *s = &styles[order[k]];
        state_rect(p->out, x, 64, 18, 12, order[k]);
        fprintf(p->out,
                "<rect x=\"%.1f\" y=\"64\" width=\"18\" height=\"12\" fill=\"none\" "
                "stroke=\"#000\" stroke-width=\"0.5\"/>\n",
                x);
        text(p->out, x + 22, 74.5, 12, "start", "#000000", s->label);
        x += 30 + 7.0 * (double)strlen(s->label);
    }
    fputs("</g>\n", p->out);
}

static const char *short_label(const sl_span *s)
{
    if (s->state == SL_ST_WAITING)
        return sl_wait_reason_name(s->reason);
    if (s->state == SL_ST_READY && s->reason != SL_READY_CPU)
        return sl_ready_cause_name(s->reason);
    return styles[s->state].label;
}

/* A task name cut to what the label margin holds, at a character boundary. */
static const char *lane_label(const char *name, char *buf, size_t size)
{
    const size_t max = 22;
    size_t n = strlen(name);
    if (n <= max)
        return name;
    n = max - 1;
    while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
        n--;
    snprintf(buf, size, "%.*s\xe2\x80\xa6", (int)n, name);
    return buf;
}

/* A lane per task: its spans, labelled where they are wide enough. */
static void task_lanes(const pic *p, double y0)
{
    double font = p->lane_h >= 14 ? 11 : p->lane_h - 2;
    char cut[32];
    fputs("<g id=\"tasks\">\n", p->out);
    for (uint32_t i = 0; i < p->n_tasks; i++) {
        double y = y0 + i * (p->lane_h + p->gap);
        if (p->lane_h >= 10 || i % 10 == 0)
            text(p->out, LEFT - 6, y + p->lane_h - (p->lane_h >= 10 ? 3 : 0),
                 p->lane_h >= 10 ? font : 8, "end", "#000000",
                 lane_label(sl_trace_task_name(p->trace, i), cut, sizeof cut));
        for (size_t k = p->spans->first[i]; k < p->spans->first[i + 1]; k++) {
            const sl_span *s = &p->spans->v[k];
            if (!styles[s->state].id)
                continue;
            double x = x_of(p, s->start_ns), w = x_of(p, s->end_ns) - x;
            state_rect(p->out, x, y, w, p->lane_h, s->state);
            const char *l = short_label(s);
            if (p->lane_h >= 14 && w >= 6.5 * (double)strlen(l) + 6)
                text(p->out, x + w / 2, y + p->lane_h - 4, font, "middle", styles[s->state].ink, l);
        }
    }
    fputs("</g>\n", p->out);
}

/* States a group lane stacks (state_slot). */
#define SLOTS 5

static int state_slot(int state)
{
    switch (state) {
    case SL_ST_RUNNING:
        return 0;
    case SL_ST_READY:
        return 1;
    case SL_ST_WAITING:
        return 2;
    case SL_ST_QUEUED:
        return 3;
    case SL_ST_STARTING:
        return 4;
    default:
        return -1;
    }
}

/* Lanes for groups of tasks: per column, stacked counts by state. */
static int group_lanes(const pic *p, double y0)
{
    static const int slot_state[SLOTS] = {SL_ST_RUNNING, SL_ST_READY, SL_ST_WAITING, SL_ST_QUEUED,
                                          SL_ST_STARTING};
    uint32_t cols = PLOT / COL_PX;
    uint16_t(*n)[SLOTS] = calloc((size_t)p->lanes * cols, sizeof *n);
    char name[64];

    if (!n)
        return SL_ENOMEM;
    for (size_t k = 0; k < p->spans->n; k++) {
        const sl_span *s = &p->spans->v[k];
        int slot = state_slot(s->state);
        if (slot < 0)
            continue;
        /* Column c counts the state holding at its centre time. */
        double a = (x_of(p, s->start_ns) - LEFT) / COL_PX - 0.5;
        double b = (x_of(p, s->end_ns) - LEFT) / COL_PX - 0.5;
        uint32_t c0 = a <= 0 ? 0 : (uint32_t)ceil(a);
        for (uint32_t c = c0; c < cols && (double)c < b; c++)
            n[(size_t)(s->task / p->group) * cols + c][slot]++;
    }
    fputs("<g id=\"groups\">\n", p->out);
    for (uint32_t g = 0; g < p->lanes; g++) {
        double y = y0 + g * (p->lane_h + p->gap);
        uint32_t a = g * p->group,
                 b = a + p->group - 1 < p->n_tasks ? a + p->group - 1 : p->n_tasks - 1;
        if (g % 10 == 0) {
            snprintf(name, sizeof name, "tasks %u-%u", a, b);
            text(p->out, LEFT - 6, y + p->lane_h, 8, "end", "#000000", name);
        }
        uint16_t(*row)[SLOTS] = &n[(size_t)g * cols];
        for (uint32_t c = 0; c < cols;) {
            uint32_t e = c + 1;
            while (e < cols && memcmp(row[e], row[c], sizeof row[c]) == 0)
                e++;
            double base = y + p->lane_h;
            for (int s = 0; s < SLOTS; s++) {
                if (!row[c][s])
                    continue;
                double h = p->lane_h * row[c][s] / (double)(b - a + 1);
                base -= h;
                state_rect(p->out, LEFT + c * COL_PX, base, (e - c) * COL_PX, h, slot_state[s]);
            }
            c = e;
        }
    }
    fputs("</g>\n", p->out);
    free(n);
    return 0;
}

/* A lane per core: which task ran there, its name where it fits. */
static void core_lanes(const pic *p, double y0)
{
    char name[32];
    fputs("<g id=\"cores\">\n", p->out);
    for (uint32_t c = 0; c < p->n_cores; c++) {
        snprintf(name, sizeof name, "core %u", c);
        text(p->out, LEFT - 6, y0 + c * (CORE_LANE + 2) + CORE_LANE - 4, 11, "end", "#000000",
             name);
        fprintf(p->out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>\n",
                LEFT, y0 + c * (CORE_LANE + 2), PLOT, CORE_LANE);
    }
    for (size_t k = 0; k < p->spans->n; k++) {
        const sl_span *s = &p->spans->v[k];
        if (s->state != SL_ST_RUNNING || s->core >= p->n_cores)
            continue;
        double x = x_of(p, s->start_ns), w = x_of(p, s->end_ns) - x;
        double y = y0 + s->core * (CORE_LANE + 2);
        /* Neighbouring tasks alternate shades so a hand-over is visible. */
        fprintf(p->out,
                "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
                "stroke=\"#ffffff\" stroke-width=\"0.5\"/>\n",
                x, y, w, CORE_LANE, s->task % 2 ? "#56B4E9" : "#0072B2");
        const char *l = sl_trace_task_name(p->trace, s->task);
        if (w >= 6.5 * (double)strlen(l) + 6)
            text(p->out, x + w / 2, y + CORE_LANE - 4, 11, "middle",
                 s->task % 2 ? "#000000" : "#ffffff", l);
    }
    fputs("</g>\n", p->out);
}

/* A pool's worker processes (procpool, async+procs): one lane each, the
 * start-up drawn as `starting` from the request to the worker being up.
 * Their tasks' lanes show them queued meanwhile: no task is starting. */
#define WORKER_LANES SL_MODEL_WORKERS

typedef struct pool_starts {
    uint32_t n;                     /* workers seen: highest + 1 */
    uint64_t asked[WORKER_LANES];   /* request time of the latest start-up */
    uint64_t from[WORKER_LANES][4]; /* drawn start-ups (a replaced worker */
    uint64_t to[WORKER_LANES][4];   /* starts again): at most four each */
    uint32_t drawn[WORKER_LANES];
} pool_starts;

static void find_pool_starts(const sl_trace *t, pool_starts *ps)
{
    memset(ps, 0, sizeof *ps);
    sl_trace_view v;
    sl_trace_read(t, &v);
    for (size_t i = 0; i < v.count; i++) {
        const sl_event *e = &v.events[i];
        if (e->kind != SL_EV_START || e->task != SL_NO_TASK || e->arg >= WORKER_LANES)
            continue;
        uint32_t w = (uint32_t)e->arg;
        ps->n = w + 1 > ps->n ? w + 1 : ps->n;
        if (e->reason == SL_START_WORKER)
            ps->asked[w] = e->t_ns;
        else if (e->reason == SL_START_WORKER_UP && ps->drawn[w] < 4) {
            ps->from[w][ps->drawn[w]] = ps->asked[w];
            ps->to[w][ps->drawn[w]++] = e->t_ns;
        }
    }
    sl_trace_read_end(&v);
}

static void worker_lanes(const pic *p, const pool_starts *ps, double y0)
{
    char name[48];
    if (ps->n == 0)
        return;
    fputs("<g id=\"workers\">\n", p->out);
    for (uint32_t w = 0; w < ps->n; w++) {
        double y = y0 + w * (CORE_LANE + 2);
        snprintf(name, sizeof name, "worker %u", w);
        text(p->out, LEFT - 6, y + CORE_LANE - 4, 11, "end", "#000000", name);
        fprintf(p->out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>\n",
                LEFT, y, PLOT, CORE_LANE);
        for (uint32_t k = 0; k < ps->drawn[w]; k++) {
            double x = x_of(p, ps->from[w][k]), wd = x_of(p, ps->to[w][k]) - x;
            state_rect(p->out, x, y, wd > 0.5 ? wd : 0.5, CORE_LANE, SL_ST_STARTING);
            snprintf(name, sizeof name, "start-up %.1f ms",
                     (double)(ps->to[w][k] - ps->from[w][k]) / 1e6);
            if (wd >= 6.5 * (double)strlen(name) + 6)
                text(p->out, x + wd / 2, y + CORE_LANE - 4, 11, "middle", "#000000", name);
        }
    }
    fputs("</g>\n", p->out);
}

/* A step of 1, 2 or 5 × 10^k ms giving about ten ticks. */
static double tick_step(double span_ms)
{
    double raw = span_ms / 10, p10 = pow(10, floor(log10(raw)));
    return raw <= p10 ? p10 : raw <= 2 * p10 ? 2 * p10 : raw <= 5 * p10 ? 5 * p10 : 10 * p10;
}

static void axis(const pic *p, double top, double bottom)
{
    double span_ms = (double)p->end / 1e6, step = tick_step(span_ms);
    char label[32];

    fputs("<g id=\"axis\">\n", p->out);
    fprintf(p->out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\"/>\n", LEFT,
            bottom, LEFT + PLOT, bottom);
    for (int k = 0; k * step <= span_ms * (1 + 1e-9); k++) {
        double x = LEFT + PLOT * (k * step) / span_ms;
        fprintf(p->out,
                "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#000\" "
                "stroke-opacity=\"0.15\"/>\n",
                x, top, x, bottom + 5);
        snprintf(label, sizeof label, "%g", k * step);
        text(p->out, x, bottom + 18, 11, "middle", "#000000", label);
    }
    text(p->out, LEFT + PLOT, bottom + 34, 11, "end", "#000000", "time (ms)");
    fputs("</g>\n", p->out);
}

static uint32_t cores_shown(const pic *p)
{
    uint32_t used = 0;
    for (size_t k = 0; k < p->spans->n; k++)
        if (p->spans->v[k].state == SL_ST_RUNNING && p->spans->v[k].core + 1u > used)
            used = p->spans->v[k].core + 1u;
    /* Idle cores teach too (one busy core under a GIL), unless there are many. */
    uint32_t n =
        p->trace->meta.cores <= 16 && p->trace->meta.cores > used ? p->trace->meta.cores : used;
    return n < SL_MODEL_CORES ? n : SL_MODEL_CORES;
}

int sl_export_svg(sl_trace *trace, FILE *out)
{
    sl_spans s;
    int rc = sl_spans_build(trace, &s);
    if (rc < 0)
        return rc;

    pic p = {.out = out, .trace = trace, .spans = &s, .n_tasks = s.n_tasks, .group = 1};
    p.end = sl_trace_end_ns(trace) ? sl_trace_end_ns(trace) : 1;
    p.lanes = p.n_tasks;
    if (p.n_tasks > MAX_LANES) {
        p.group = (p.n_tasks + AGG_LANES - 1) / AGG_LANES;
        p.lanes = (p.n_tasks + p.group - 1) / p.group;
    }
    p.lane_h = p.lanes <= 40 ? 18 : p.lanes <= 100 ? 10 : 6;
    p.gap = p.lane_h >= 10 ? 2 : 1;
    p.n_cores = cores_shown(&p);

    pool_starts *ps = calloc(1, sizeof *ps);
    if (ps == NULL) {
        sl_spans_free(&s);
        return SL_ENOMEM;
    }
    find_pool_starts(trace, ps);
    double lanes_h = p.lanes * (p.lane_h + p.gap);
    double workers_y = TOP + lanes_h + 16;
    double cores_y = workers_y + (ps->n ? ps->n * (CORE_LANE + 2) + 12 : 0);
    double bottom = cores_y + p.n_cores * (CORE_LANE + 2) + 4;
    int height = (int)ceil(bottom + 44);

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
            WIDTH, height, WIDTH, height);
    fputs("<title>", out);
    sl_xml_text(out, trace->meta.title[0] ? trace->meta.title : trace->meta.scenario);
    fputs(" (", out);
    sl_xml_text(out, trace->meta.strategy);
    if (trace->meta.gil != 0) {
        fputs(", ", out);
        sl_xml_text(out, sl_gil_runtime(trace->meta.gil));
    }
    fputs(")</title>\n", out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, height);
    defs(out);
    header(&p);
    if (p.group > 1)
        rc = group_lanes(&p, TOP);
    else
        task_lanes(&p, TOP);
    if (rc == 0) {
        worker_lanes(&p, ps, workers_y);
        core_lanes(&p, cores_y);
        axis(&p, TOP - 4, bottom);
    }
    fputs("</svg>\n", out);
    free(ps);
    sl_spans_free(&s);
    if (rc < 0)
        return rc;
    return ferror(out) ? SL_EIO : 0;
}
