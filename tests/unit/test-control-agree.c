/*
 * test-control-agree.c - the TUI, the SVG and the tick table tell the same
 * story of one trace.
 *
 * A hand-made trace is drawn on a virtual terminal at 80x24 and 160x48; the
 * timeline's column width becomes the tick of the tick table; the SVG's
 * task rectangles are summed over the same columns in pixels. For every
 * task and column the state that held longest must be the same in all
 * three, including the column where a 1 ms run sits inside a long io wait
 * (waiting everywhere, and the TUI marks the brief run). The test links
 * sl_control, the one module that reaches both the views and the exporters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-vterm.h"
#include "schedlab/export.h"
#include "ui/view.h"

#define MS 1000000ull
#define N_TASKS 3
#define END_NS (400 * MS)
/* The SVG's plot, as svg.c lays it out: from x = 150, 1026 px wide. */
#define SVG_LEFT 150.0
#define SVG_PLOT 1026.0

static const char *const names[N_TASKS] = {"fetch", "ticker", "crunch"};

#define EV(t_, k_, task_, reason_, core_)                                                          \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .core = (core_)    \
    }

/* fetch computes, waits 200 ms for io with a 1 ms run inside the wait,
 * computes again; ticker waits for a core, computes, sleeps, computes;
 * crunch is queued for a pool, then computes 30 ms, is ready 20 ms, and
 * computes to the end. */
static sl_trace *story(void)
{
    sl_trace_meta meta = {.n_tasks = N_TASKS, .cores = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "threads");
    snprintf(meta.scenario, sizeof meta.scenario, "agree");
    snprintf(meta.title, sizeof meta.title, "Three tasks");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, names), 0);
    const sl_event e[] = {
        EV(0, SPAWN, 0, 0, 0),
        EV(0, SPAWN, 1, 0, 0),
        EV(0, SPAWN, 2, 0, 0),
        EV(0, QUEUE, 2, 0, 0),
        EV(0, STEP, 0, SL_STEP_CPU, 0),
        EV(0, RUN, 0, 0, 0),
        EV(50 * MS, STEP, 1, SL_STEP_CPU, 1),
        EV(50 * MS, RUN, 1, 0, 1),
        EV(100 * MS, STEP, 0, SL_STEP_IO, 0),
        EV(100 * MS, BLOCK, 0, SL_WAIT_IO, 0),
        EV(120 * MS, READY, 2, SL_READY_WORKER, 0),
        EV(120 * MS, STEP, 2, SL_STEP_CPU, 0),
        EV(120 * MS, RUN, 2, 0, 0),
        EV(150 * MS, BLOCK, 1, SL_WAIT_SLEEP, 1),
        EV(150 * MS, READY, 2, SL_READY_CPU, 0),
        EV(170 * MS, RUN, 2, 0, 0),
        /* The brief run inside fetch's wait. */
        EV(200 * MS, WAKE, 0, SL_WAIT_IO, 1),
        EV(200 * MS, RUN, 0, 0, 1),
        EV(201 * MS, BLOCK, 0, SL_WAIT_IO, 1),
        EV(250 * MS, WAKE, 1, SL_WAIT_SLEEP, 1),
        EV(260 * MS, RUN, 1, 0, 1),
        EV(300 * MS, WAKE, 0, SL_WAIT_IO, 0),
        EV(300 * MS, READY, 0, SL_READY_CPU, 0),
        EV(330 * MS, RUN, 0, 0, 0),
        EV(350 * MS, EXIT, 0, SL_EXIT_OK, 0),
        EV(380 * MS, EXIT, 2, SL_EXIT_OK, 0),
        EV(END_NS, EXIT, 1, SL_EXIT_OK, 1),
    };
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

/* A state, or NEW_OR_DONE where the picture cannot tell the two apart (the
 * TUI draws both blank after the done mark). */
#define NEW_OR_DONE 100

static int from_glyph(char g)
{
    switch (g) {
    case '#':
        return SL_ST_RUNNING;
    case '=':
        return SL_ST_READY;
    case '-':
        return SL_ST_WAITING;
    case '.':
        return SL_ST_QUEUED;
    case '^':
        return SL_ST_STARTING;
    case '+':
        return SL_ST_DONE;
    case 'X':
        return SL_ST_FAILED;
    case 'x':
        return SL_ST_CANCELLED;
    case ' ':
        return NEW_OR_DONE;
    default:
        fail_msg("unknown glyph '%c'", g);
        return -1;
    }
}

static int from_label(const char *l)
{
    if (strncmp(l, "RUN", 3) == 0)
        return SL_ST_RUNNING;
    if (strncmp(l, "READY", 5) == 0)
        return SL_ST_READY;
    if (strncmp(l, "WAIT", 4) == 0)
        return SL_ST_WAITING;
    if (strcmp(l, "QUEUED") == 0)
        return SL_ST_QUEUED;
    if (strcmp(l, "START") == 0)
        return SL_ST_STARTING;
    if (strcmp(l, "DONE") == 0)
        return SL_ST_DONE;
    if (strcmp(l, "FAIL") == 0)
        return SL_ST_FAILED;
    if (strcmp(l, "CANCEL") == 0)
        return SL_ST_CANCELLED;
    if (l[0] == '\0')
        return SL_ST_NEW;
    fail_msg("unknown label '%s'", l);
    return -1;
}

static int from_svg(const char *id)
{
    static const char *const ids[SL_ST__COUNT] = {
        [SL_ST_RUNNING] = "running", [SL_ST_READY] = "ready",        [SL_ST_WAITING] = "waiting",
        [SL_ST_QUEUED] = "queued",   [SL_ST_STARTING] = "starting",  [SL_ST_DONE] = "done",
        [SL_ST_FAILED] = "failed",   [SL_ST_CANCELLED] = "cancelled"};
    for (int s = 0; s < SL_ST__COUNT; s++)
        if (ids[s] && strcmp(ids[s], id) == 0)
            return s;
    fail_msg("unknown SVG state '%s'", id);
    return -1;
}

/* Two readings agree: equal, or the TUI's blank for new or done. */
static bool same(int tui, int other)
{
    if (tui == NEW_OR_DONE)
        return other == SL_ST_NEW || other == SL_ST_DONE;
    if (tui == SL_ST_DONE)
        return other == SL_ST_DONE;
    return tui == other;
}

/* Runs an exporter into memory. */
static char *export_text(sl_trace *tr, bool svg, uint64_t tick)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    if (svg)
        assert_int_equal(sl_export_svg(tr, f), 0);
    else
        assert_int_equal(
            sl_export_ticks(tr, &(sl_ticks_opts){.tick_ns = tick, .last_task = UINT32_MAX}, f), 0);
    fclose(f);
    return buf;
}

/* The tick table's rows: the lines under its header, to the blank one. */
static const char *tick_header(const char *text)
{
    const char *p = strstr(text, " ms  ");
    assert_non_null(p);
    while (p > text && p[-1] != '\n')
        p--;
    return p;
}

static int tick_rows(const char *text)
{
    const char *p = strchr(tick_header(text), '\n') + 1;
    int rows = 0;
    for (; *p != '\n' && *p != '\0'; p = strchr(p, '\n') + 1)
        rows++;
    return rows;
}

/* The labels of row `k`: split at the columns the header gives. */
static void tick_row(const char *text, int k, int *out)
{
    const char *h = tick_header(text);
    const char *row = h;
    for (int i = 0; i <= k; i++)
        row = strchr(row, '\n') + 1;
    int start[N_TASKS + 1];
    for (int t = 0; t < N_TASKS; t++) {
        const char *at = strstr(h, names[t]);
        start[t] = (int)(at - h);
    }
    start[N_TASKS] = (int)(strstr(h, "CPU") - h);
    for (int t = 0; t < N_TASKS; t++) {
        char cell[64];
        int w = start[t + 1] - start[t];
        snprintf(cell, sizeof cell, "%.*s", w, row + start[t]);
        for (int n = (int)strlen(cell); n > 0 && cell[n - 1] == ' '; n--)
            cell[n - 1] = '\0';
        out[t] = from_label(cell);
    }
}

/* The SVG's dominant state of task t over [a, b) ns, from its rectangles;
 * `tie` is set when the first two are too close for pixel rounding. */
static int svg_state(const char *svg, int t, uint64_t a, uint64_t b, bool *tie)
{
    const char *g = strstr(svg, "<g id=\"tasks\">");
    assert_non_null(g);
    const char *end = strstr(g, "</g>");
    double xa = SVG_LEFT + SVG_PLOT * (double)a / (double)END_NS;
    double xb = SVG_LEFT + SVG_PLOT * (double)b / (double)END_NS;
    double px[SL_ST__COUNT] = {0};
    double lane_y = -1;
    int lane = -1;
    for (const char *r = strstr(g, "<rect "); r && r < end; r = strstr(r + 1, "<rect ")) {
        double x, y, w, h;
        char id[32];
        assert_int_equal(sscanf(r,
                                "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\" "
                                "fill=\"url(#st-%31[a-z])",
                                &x, &y, &w, &h, id),
                         5);
        if (y != lane_y) {
            lane_y = y;
            lane++;
        }
        if (lane != t)
            continue;
        double lo = x > xa ? x : xa, hi = x + w < xb ? x + w : xb;
        if (hi > lo)
            px[from_svg(id)] += hi - lo;
    }
    double covered = 0;
    for (int s = 0; s < SL_ST__COUNT; s++)
        covered += px[s];
    px[SL_ST_NEW] = (xb - xa) - covered;
    int best = SL_ST_NEW, second = -1;
    for (int s = 0; s < SL_ST__COUNT; s++) {
        if (px[s] > px[best]) {
            second = best;
            best = s;
        } else if (s != best && (second < 0 || px[s] > px[second])) {
            second = s;
        }
    }
    *tie = second >= 0 && px[best] - px[second] < 0.05;
    return best;
}

static void agree(int cols, int rows)
{
    vscreen vs;
    sl_term_close(); /* a failed test before may have left it open */
    assert_int_equal(vs_open(&vs, cols, rows, true, false), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    ui.ascii = true;
    sl_trace *tr = story();
    assert_int_equal(sl_pane_open(&ui.main, tr, true, false), 0);
    ui.has_main = true;
    ui.t_ns = END_NS;
    sl_pane_seek(&ui.main, END_NS);
    sl_ui_draw(&ui);
    vs_sync(&vs);

    /* The timeline's geometry, as view-timeline.c computes it. */
    sl_rect r = ui.lay.timeline;
    int label_w = r.w >= 100 ? 16 : 12;
    int cells_w = r.w - label_w - 1;
    uint64_t t0, dt;
    sl__timeline_window(&ui, cells_w, &t0, &dt);
    assert_int_equal(t0, 0);
    int n_cols = (int)((END_NS + dt - 1) / dt);
    assert_true(n_cols <= cells_w);

    char *ticks = export_text(tr, false, dt);
    char *svg = export_text(tr, true, 0);
    int n_rows = tick_rows(ticks);
    assert_true(n_rows >= n_cols);

    int brief_col = (int)(200 * MS / dt), compared = 0;
    for (int t = 0; t < N_TASKS; t++) {
        int y = vs_find(&vs, names[t]);
        assert_true(y > r.y);
        char row[1024];
        vs_text(&vs, y, r.x + label_w + 1, n_cols, row, sizeof row);
        assert_int_equal((int)strlen(row), n_cols);
        for (int c = 0; c < n_cols; c++) {
            int tui = from_glyph(row[c]);
            int tick[N_TASKS];
            tick_row(ticks, c, tick);
            uint64_t a = (uint64_t)c * dt, b = a + dt < END_NS ? a + dt : END_NS;
            bool tie;
            int pic = svg_state(svg, t, a, b, &tie);
            if (!same(tui, tick[t]))
                fail_msg("%dx%d %s column %d: TUI '%c', tick table %d", cols, rows, names[t], c,
                         row[c], tick[t]);
            if (!tie && !same(tui, pic))
                fail_msg("%dx%d %s column %d: TUI '%c', SVG %d", cols, rows, names[t], c, row[c],
                         pic);
            compared++;
        }
    }
    assert_int_equal(compared, N_TASKS * n_cols);
    /* The 1 ms run inside fetch's wait: waiting in all three, and marked. */
    int fetch = vs_find(&vs, "fetch");
    char row[1024];
    vs_text(&vs, fetch, r.x + label_w + 1 + brief_col, 1, row, sizeof row);
    assert_string_equal(row, "-");
    assert_true(vs_underlined(&vs, fetch, r.x + label_w + 1 + brief_col));
    int tick[N_TASKS];
    tick_row(ticks, brief_col, tick);
    assert_int_equal(tick[0], SL_ST_WAITING);
    bool tie;
    uint64_t a = (uint64_t)brief_col * dt;
    assert_int_equal(svg_state(svg, 0, a, a + dt, &tie), SL_ST_WAITING);
    assert_false(tie);

    free(ticks);
    free(svg);
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

static void test_agree_80x24(void **state)
{
    agree(80, 24);
}

static void test_agree_160x48(void **state)
{
    agree(160, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agree_80x24),
        cmocka_unit_test(test_agree_160x48),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
