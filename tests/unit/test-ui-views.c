/*
 * test-ui-views.c - the main screen rendered from a synthetic trace into a
 * virtual terminal at 80x24 and 160x48: header, timeline rows and legend,
 * the four lists in the model's order, cores, counters, caption, footer,
 * and the too-small screen and its recovery.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "schedlab/trace.h"
#include "ui/view.h"

typedef struct fixture {
    vscreen vs;
    sl_ui ui;
} fixture;

/* A playhead where every list has something: running, ready, waiting, queued. */
static uint64_t busy_moment(sl_ui *ui)
{
    sl_trace *tr = ui->main.trace;
    for (size_t i = 0; i < tr->count; i++) {
        sl_pane_seek(&ui->main, tr->events[i].t_ns);
        const uint32_t *c = ui->main.model.count;
        if (c[SL_ST_RUNNING] && c[SL_ST_READY] >= 2 && c[SL_ST_WAITING] && c[SL_ST_QUEUED])
            return tr->events[i].t_ns;
    }
    return 0;
}

/* The views draw whatever strategies and keys the controller hands them:
 * a few of each, as the real tables would. */
static const sl_ui_strategy strategies[] = {
    {"sequential", "one task after another", false, SL_GIL_SCOPE_NONE},
    {"threads", "a thread per task", false, SL_GIL_SCOPE_RUN},
    {"coroutines", "coroutines on one event loop", true, SL_GIL_SCOPE_NONE},
};
static const sl_binding bindings[] = {
    {{'?', 0}, "?", NULL, "help and legend", "help", 1, NULL},
    {{'q', 0}, "q", NULL, "quit", "quit", 2, NULL},
    {{' ', 0}, "space", NULL, "pause or play", "pause", 3, NULL},
};

static void open_at(fixture *f, int cols, int rows)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(vs_open(&f->vs, cols, rows, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 20, 2000, 2), 0);
    f->ui = (sl_ui){.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    f->ui.ascii = sl_term_ascii();
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++)
        f->ui.strategies[f->ui.n_strategies++] = strategies[i];
    f->ui.bindings = bindings;
    f->ui.n_bindings = sizeof bindings / sizeof bindings[0];
    assert_int_equal(sl_pane_open(&f->ui.main, tr, true, false), 0);
    f->ui.has_main = true;
    f->ui.t_ns = busy_moment(&f->ui);
    assert_true(f->ui.t_ns > 0);
    sl_play_fold(&f->ui);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
}

static void close_fixture(fixture *f)
{
    sl_pane_close(&f->ui.main);
    vs_close(&f->vs);
}

/* The task names listed under a panel title, top to bottom. */
static size_t names_under(const vscreen *v, const sl_rect *r, char names[][16], size_t max)
{
    size_t n = 0;
    char text[256];
    for (int y = r->y + 1; y < r->y + r->h && n < max; y++) {
        vs_text(v, y, r->x, r->w, text, sizeof text);
        char *p = strstr(text, "task-");
        if (!p)
            continue;
        snprintf(names[n++], 16, "%.7s", p);
    }
    return n;
}

static void check_list(fixture *f, const sl_rect *r,
                       size_t (*list)(const sl_model *, uint32_t *, size_t))
{
    uint32_t ids[64];
    size_t want = list(&f->ui.main.model, ids, 64);
    char names[64][16];
    size_t got = names_under(&f->vs, r, names, 64);
    assert_true(got > 0);
    /* Every row shown is the model's list in order (the tail may be "+N more"). */
    assert_true(got <= want);
    for (size_t i = 0; i < got; i++)
        assert_string_equal(names[i], sl_trace_task_name(f->ui.main.trace, ids[i]));
}

static void check_main_screen(fixture *f)
{
    const vscreen *v = &f->vs;
    const sl_layout *l = &f->ui.lay;
    assert_false(l->too_small);
    assert_int_equal(vs_find(v, "Synthetic"), 0);
    assert_true(vs_col(v, 0, "threadpool") > 0);
    assert_true(vs_col(v, 0, "PAUSED") > 0);
    int tl = vs_find(v, "Timeline");
    assert_int_equal(tl, l->timeline.y);
    const char *legend[] = {"█ running", "▒ ready", "░ waiting", "· queued", "✓ done", "✗ failed"};
    for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++)
        assert_int_equal(vs_find(v, legend[i]), tl);
    assert_int_equal(vs_find(v, "task-00"), tl + 1);
    assert_true(vs_col(v, l->timeline.y + l->timeline.h - 1, "ms") > 0);
    assert_int_equal(vs_find(v, "Running "), l->running.y);
    assert_int_equal(vs_find(v, "Ready "), l->ready.y);
    check_list(f, &l->running, sl_model_running);
    check_list(f, &l->ready, sl_model_ready);
    check_list(f, &l->waiting, sl_model_waiting);
    check_list(f, &l->queued, sl_model_queued);
    assert_int_equal(vs_find(v, "Cores"), l->cores.y);
    assert_int_equal(vs_col(v, l->cores.y + 1, "c0"), 0);
    assert_int_equal(vs_col(v, l->cores.y + 2, "c1"), 0);
    assert_true(vs_col(v, l->cores.y + 1, "%") > 0);
    assert_true(vs_find(v, "GIL hand-offs") > l->counters.y);
    assert_true(vs_find(v, "events ") > l->counters.y);
    char cap[512];
    sl_model_caption(&f->ui.main.model, f->ui.main.trace, cap, sizeof cap);
    char head[40];
    snprintf(head, sizeof head, "%.30s", cap);
    assert_int_equal(vs_find(v, head), l->caption.y);
    assert_int_equal(vs_find(v, "? help"), f->vs.rows - 1);
    assert_true(vs_col(v, f->vs.rows - 1, "q quit") > 0);
}

static fixture fx;

static int setup_80x24(void **state)
{
    open_at(&fx, 80, 24);
    *state = &fx;
    return 0;
}

static int setup_160x48(void **state)
{
    open_at(&fx, 160, 48);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    close_fixture(&fx);
    return 0;
}

static void test_main_80x24(void **state)
{
    fixture *f = *state;
    assert_false(f->ui.lay.wide);
    check_main_screen(f);
}

static void test_main_160x48(void **state)
{
    fixture *f = *state;
    assert_true(f->ui.lay.wide);
    check_main_screen(f);
    /* The extra rows go to the timeline: all 20 tasks have a row. */
    int tl = f->ui.lay.timeline.y;
    assert_int_equal(vs_find(&f->vs, "task-19"), tl + 20);
    /* The second header line numbers the strategies. */
    assert_int_equal(vs_find(&f->vs, "strategies: 1"), 1);
}

static void test_too_small_and_back(void **state)
{
    fixture *f = *state;
    vs_resize(&f->vs, 60, 20);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    assert_true(vs_find(&f->vs, "terminal too small: need 80×24, have 60×20") >= 0);
    assert_int_equal(vs_find(&f->vs, "Timeline"), -1);
    vs_resize(&f->vs, 80, 24);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    assert_int_equal(vs_find(&f->vs, "terminal too small"), -1);
    check_main_screen(f);
}

static void test_scroll_keeps_selection(void **state)
{
    fixture *f = *state;
    f->ui.sel = 17;
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    int y = vs_find(&f->vs, "task-17");
    assert_true(y > f->ui.lay.timeline.y && y < f->ui.lay.timeline.y + f->ui.lay.timeline.h - 1);
    const sl_rect *tl = &f->ui.lay.timeline;
    for (int row = tl->y; row < tl->y + tl->h; row++)
        assert_int_equal(vs_col(&f->vs, row, "task-00"), -1);
}

static void test_follows_unfinished_tasks(void **state)
{
    fixture *f = *state;
    /* A moment when the first tasks are done and later ones are not. */
    sl_trace *tr = f->ui.main.trace;
    uint32_t first = 0;
    for (size_t i = 0; i < tr->count && first == 0; i++) {
        sl_pane_seek(&f->ui.main, tr->events[i].t_ns);
        const sl_model *m = &f->ui.main.model;
        uint32_t k = 0;
        while (k < m->n_tasks && m->tasks[k].state >= SL_ST_DONE)
            k++;
        if (k > 0 && k + 10 < m->n_tasks) {
            first = k;
            f->ui.t_ns = tr->events[i].t_ns;
        }
    }
    assert_true(first > 0);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    char name[16];
    snprintf(name, sizeof name, "task-%02u", first);
    assert_int_equal(vs_col(&f->vs, f->ui.lay.timeline.y + 1, name), 0);
}

static void test_lanes_when_crowded(void **state)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, 80, 24, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 200, 4000, 2), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    assert_int_equal(sl_pane_open(&ui.main, tr, true, false), 0);
    ui.has_main = true;
    ui.t_ns = sl_pane_end(&ui.main);
    sl_play_fold(&ui);
    sl_ui_draw(&ui);
    vs_sync(&vs);
    /* 200 tasks on 6 rows: lanes of 34 tasks, labelled with the count. */
    int y = vs_find(&vs, "task-00 +33");
    assert_int_equal(y, ui.lay.timeline.y + 1);
    assert_true(vs_find(&vs, "task-34 +33") == y + 1);
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

/* Opens `tr` in ui's main pane, the playhead at its middle, and draws it. */
static void draw_middle(vscreen *vs, sl_ui *ui, sl_trace *tr)
{
    assert_int_equal(sl_pane_open(&ui->main, tr, true, false), 0);
    ui->has_main = true;
    ui->t_ns = sl_pane_end(&ui->main) / 2;
    sl_play_fold(ui);
    sl_ui_draw(ui);
    vs_sync(vs);
}

/* A list longer than the rows the view copies out of the model (256):
 * the title and the "+N more" count the whole list, as the caption does.
 * They used to say 256 and 256 minus the rows shown. */
static void test_long_lists_counted_whole(void **state)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, 80, 24, false, false), 0);
    sl_trace *tr;
    /* an event loop with 1,000 requests in flight */
    assert_int_equal(sl_synth_loop_trace(&tr, 3000, 1000), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    draw_middle(&vs, &ui, tr);
    uint32_t waiting = ui.main.model.count[SL_ST_WAITING];
    assert_true(waiting > 300);
    const sl_rect *r = &ui.lay.waiting;
    char want[48], text[256];
    snprintf(want, sizeof want, "Waiting %u", waiting);
    assert_true(vs_col(&vs, r->y, want) >= 0);
    int last = r->y + r->h - 1;
    vs_text(&vs, last, r->x, r->w, text, sizeof text);
    /* the rows above the last one list tasks; the last one the rest */
    snprintf(want, sizeof want, "+%u more", waiting - (uint32_t)(r->h - 2));
    assert_non_null(strstr(text, want));
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

/* What the column [ca, ca + dt) of tasks [a, b) shows, clipped at the
 * playhead t: the state held longest by time summed over the tasks (time
 * before a task's first span is "new"; an ended task stays ended), ties to
 * the more telling state; *brief when the tasks ran there but running lost.
 * The definition the lanes must match, however they are computed. */
static int lane_state(const sl_spans *s, uint32_t a, uint32_t b, uint64_t ca, uint64_t dt,
                      uint64_t t, bool *brief)
{
    static const int rank[SL_ST__COUNT] = {
        [SL_ST_NEW] = 0,   [SL_ST_DONE] = 1,      [SL_ST_QUEUED] = 2, [SL_ST_WAITING] = 3,
        [SL_ST_READY] = 4, [SL_ST_CANCELLED] = 5, [SL_ST_FAILED] = 6, [SL_ST_RUNNING] = 7,
    };
    *brief = false;
    if (ca > t)
        return -1;
    uint64_t cb = ca + dt < t + 1 ? ca + dt : t + 1;
    uint64_t ns[SL_ST__COUNT] = {0};
    ns[SL_ST_NEW] = (uint64_t)(b - a) * (cb - ca);
    for (uint32_t k = a; k < b; k++)
        for (size_t q = s->first[k]; q < s->first[k + 1]; q++) {
            const sl_span *v = &s->v[q];
            bool ended =
                v->state == SL_ST_DONE || v->state == SL_ST_FAILED || v->state == SL_ST_CANCELLED;
            uint64_t e = q + 1 == s->first[k + 1] && ended ? UINT64_MAX : v->end_ns;
            uint64_t lo = v->start_ns > ca ? v->start_ns : ca, hi = e < cb ? e : cb;
            if (hi > lo && v->state != SL_ST_NEW) {
                ns[v->state] += hi - lo;
                ns[SL_ST_NEW] -= hi - lo;
            }
        }
    int best = SL_ST_NEW;
    for (int st = 0; st < SL_ST__COUNT; st++)
        if (ns[st] > ns[best] || (ns[st] == ns[best] && rank[st] > rank[best]))
            best = st;
    *brief = best != SL_ST_RUNNING && ns[SL_ST_RUNNING] > 0;
    return best;
}

/* Every cell of every lane, at several playheads and zooms, on one pane (so
 * whatever it keeps between frames must follow the playhead and the window). */
static void test_lanes_match_spans(void **state)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, 80, 24, true, true), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 200, 4000, 2), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    ui.ascii = true;
    assert_int_equal(sl_pane_open(&ui.main, tr, true, false), 0);
    ui.has_main = true;
    uint64_t end = sl_pane_end(&ui.main);
    const uint64_t at[] = {end, end / 3, end / 3 + 1, end / 2 + 777, end - 1, end / 7, end};
    int marked = 0; /* columns with a brief run: the test must meet some */
    for (int zoom = 0; zoom < 3; zoom++)
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            ui.zoom = zoom;
            ui.t_ns = at[i];
            sl_play_fold(&ui);
            sl_ui_draw(&ui);
            vs_sync(&vs);
            const sl_rect *r = &ui.lay.timeline;
            int cols = r->w - 13, x = r->x + 13;
            uint64_t t0, dt;
            sl__timeline_window(&ui, cols, &t0, &dt);
            for (int row = 0; row < 6; row++) {
                uint32_t a = (uint32_t)row * 34, b = a + 34 < 200 ? a + 34 : 200;
                char text[256];
                vs_text(&vs, r->y + 1 + row, x, cols, text, sizeof text);
                for (int c = 0; c < cols; c++) {
                    bool brief;
                    int st = lane_state(&ui.main.spans, a, b, t0 + (uint64_t)c * dt, dt, ui.t_ns,
                                        &brief);
                    char want = st < 0 ? ' ' : sl__theme_glyph(st, true)[0];
                    if (text[c] != want)
                        fail_msg("zoom %d t %llu row %d col %d: '%c', want '%c'", zoom,
                                 (unsigned long long)ui.t_ns, row, c, text[c], want);
                    marked += brief;
                    if (vs_underlined(&vs, r->y + 1 + row, x + c) != brief)
                        fail_msg("zoom %d t %llu row %d col %d: underlined %d, want %d", zoom,
                                 (unsigned long long)ui.t_ns, row, c,
                                 vs_underlined(&vs, r->y + 1 + row, x + c), brief);
                }
            }
        }
    assert_true(marked > 0);
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

/* A run that stopped early says why, under the transient status, until the
 * next run: the cancelled tasks are explained, not just counted. */
static void test_stopped_reason_stays(void **state)
{
    fixture *f = *state;
    const char *why = "The run stopped early: cannot create coroutine 7 of 9";
    snprintf(f->ui.stopped, sizeof f->ui.stopped, "%s", why);
    snprintf(f->ui.status, sizeof f->ui.status, "Nothing to cancel.");
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    int cap = f->ui.lay.caption.y;
    assert_int_equal(vs_find(&f->vs, "Nothing to cancel."), cap);
    assert_int_equal(vs_find(&f->vs, why), cap + 1);
    /* The status goes with the next key; the reason moves up and stays. */
    f->ui.status[0] = '\0';
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    assert_int_equal(vs_find(&f->vs, "Nothing to cancel."), -1);
    assert_int_equal(vs_find(&f->vs, why), cap);
    f->ui.stopped[0] = '\0';
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
    assert_int_equal(vs_find(&f->vs, why), -1);
}

static void test_ascii_mono(void **state)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, 80, 24, true, true), 0);
    assert_true(sl_term_ascii());
    assert_int_equal(sl__term_palette(), SL_PALETTE_MONO);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 20, 2000, 2), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED, .ascii = true};
    draw_middle(&vs, &ui, tr);
    int tl = vs_find(&vs, "Timeline");
    assert_true(tl >= 0);
    assert_true(vs_col(&vs, tl, "# running") > 0);
    assert_true(vs_col(&vs, tl, "= ready") > 0);
    assert_true(vs_col(&vs, tl, "- waiting") > 0);
    assert_true(vs_col(&vs, tl, ". queued") > 0);
    assert_int_equal(vs_find(&vs, "█"), -1);
    assert_int_equal(vs_find(&vs, "▒"), -1);
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_main_80x24, setup_80x24, teardown),
        cmocka_unit_test_setup_teardown(test_main_160x48, setup_160x48, teardown),
        cmocka_unit_test_setup_teardown(test_too_small_and_back, setup_80x24, teardown),
        cmocka_unit_test_setup_teardown(test_scroll_keeps_selection, setup_80x24, teardown),
        cmocka_unit_test_setup_teardown(test_follows_unfinished_tasks, setup_80x24, teardown),
        cmocka_unit_test(test_lanes_when_crowded),
        cmocka_unit_test(test_long_lists_counted_whole),
        cmocka_unit_test(test_lanes_match_spans),
        cmocka_unit_test_setup_teardown(test_stopped_reason_stays, setup_80x24, teardown),
        cmocka_unit_test(test_ascii_mono),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
