/*
 * test-ui-legible.c - legible at 80x24 and 160x48, from a synthetic trace:
 * the shortening rule keeps whole words; a long title is never cut
 * mid-word; a timeline with more tasks than rows says how many it hides
 * and the selection scrolls them into view; the playhead's marker never
 * lands inside an axis label, wherever the playhead is; the legend names
 * every state; list entries end on a whole word.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "schedlab/trace.h"
#include "ui/view.h"

static void test_fit_rule(void **state)
{
    char b[64];
    assert_string_equal(sl__fmt_fit(b, sizeof b, "Downloading 20 pages", 30, false),
                        "Downloading 20 pages");
    assert_string_equal(sl__fmt_fit(b, sizeof b, "Downloading 20 pages", 14, false),
                        "Downloading\u2026");
    assert_string_equal(sl__fmt_fit(b, sizeof b, "Downloading 20 pages", 15, false),
                        "Downloading 20\u2026");
    assert_string_equal(sl__fmt_fit(b, sizeof b, "page-01 46.7ms cpu", 16, true), "page-01...");
    /* A cut after "a," drops the separator too. */
    assert_string_equal(sl__fmt_fit(b, sizeof b, "threads, 4 workers", 10, false), "threads\u2026");
    /* One word wider than the room is cut, and says so. */
    assert_string_equal(sl__fmt_fit(b, sizeof b, "Supercalifragilistic", 8, false),
                        "Superca\u2026");
    assert_string_equal(sl__fmt_fit(b, sizeof b, "anything", 0, false), "");
}

typedef struct fixture {
    vscreen vs;
    sl_ui ui;
} fixture;

static const sl_ui_strategy strategies[] = {
    {"sequential", "one task after another", false, SL_GIL_SCOPE_NONE},
    {"threads", "a thread per task", false, SL_GIL_SCOPE_RUN},
};

static void draw(fixture *f)
{
    sl_play_fold(&f->ui);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
}

static void open_at(fixture *f, int cols, int rows, uint32_t tasks, const char *title)
{
    sl_term_close();
    memset(f, 0, sizeof *f);
    assert_int_equal(vs_open(&f->vs, cols, rows, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, tasks, tasks * 100, 2), 0);
    snprintf(tr->meta.title, sizeof tr->meta.title, "%s", title);
    f->ui = (sl_ui){.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    f->ui.ascii = sl_term_ascii();
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++)
        f->ui.strategies[f->ui.n_strategies++] = strategies[i];
    assert_int_equal(sl_pane_open(&f->ui.main, tr, true, false), 0);
    f->ui.has_main = true;
    f->ui.t_ns = sl_pane_end(&f->ui.main) / 3;
    draw(f);
}

static void close_fixture(fixture *f)
{
    sl_pane_close(&f->ui.main);
    vs_close(&f->vs);
}

/* The title on the header is the title or its first whole words. */
static void check_title(fixture *f, const char *title)
{
    char row[1024];
    vs_row(&f->vs, 0, row, sizeof row);
    const char *p = strstr(row, "\u2502 ");
    assert_non_null(p);
    p += strlen("\u2502 ");
    size_t n = strcspn(p, "\u2026\u00b7");
    while (n > 0 && p[n - 1] == ' ')
        n--;
    assert_true(n > 0);
    assert_memory_equal(p, title, n);
    /* Ends where a word of the title ends. */
    assert_true(title[n] == '\0' || title[n] == ' ');
}

static void test_title_whole_words(void **state)
{
    const char *title = "Downloading twenty pages over one slow shared link";
    fixture f;
    open_at(&f, 80, 24, 20, title);
    check_title(&f, title);
    close_fixture(&f);
    open_at(&f, 160, 48, 20, title);
    check_title(&f, title);
    assert_true(vs_find(&f.vs, title) == 0); /* room for all of it */
    close_fixture(&f);
}

/* "N more below" while rows are hidden; PgDn-style selection scrolls. */
static void test_hidden_rows_counted(void **state)
{
    fixture f;
    open_at(&f, 80, 24, 20, "Rows");
    int y = vs_find(&f.vs, "more below");
    if (y < 0)
        vs_dump(&f.vs);
    assert_true(y > 0);
    /* Shown rows plus the count below make every task. */
    int shown = 0;
    char name[32];
    for (uint32_t t = 0; t < 20; t++) {
        snprintf(name, sizeof name, "%s ", sl_trace_task_name(f.ui.main.trace, t));
        int ty = vs_find(&f.vs, name);
        shown += ty > 0 && ty < y && vs_col(&f.vs, ty, name) == 0;
    }
    char row[512];
    vs_row(&f.vs, y, row, sizeof row);
    unsigned below = 0, above = 0;
    const char *p = strstr(row, "more below");
    assert_non_null(p);
    while (p > row && p[-1] == ' ')
        p--;
    while (p > row && p[-1] >= '0' && p[-1] <= '9')
        p--;
    below = (unsigned)atoi(p);
    if ((p = strstr(row, "more above"))) {
        while (p > row && p[-1] == ' ')
            p--;
        while (p > row && p[-1] >= '0' && p[-1] <= '9')
            p--;
        above = (unsigned)atoi(p);
    }
    assert_int_equal(shown + (int)below + (int)above, 20);
    /* The last task selected: it is on screen, and the marker counts above. */
    f.ui.sel = 19;
    draw(&f);
    assert_true(vs_find(&f.vs, sl_trace_task_name(f.ui.main.trace, 19)) > 0);
    assert_true(vs_find(&f.vs, "more above") > 0);
    close_fixture(&f);
}

/* Every label on the axis is whole: "|", a duration, nothing inside it. */
static void check_axis(fixture *f)
{
    char row[1024];
    int y = -1;
    for (int i = 0; i < f->vs.rows && y < 0; i++)
        if (strstr(vs_row(&f->vs, i, row, sizeof row), "|0s"))
            y = i;
    if (y < 0) /* the first label may be what the marker took */
        for (int i = 0; i < f->vs.rows && y < 0; i++)
            if (strstr(vs_row(&f->vs, i, row, sizeof row), "\u25b2") && strstr(row, "ms"))
                y = i;
    assert_true(y > 0);
    vs_row(&f->vs, y, row, sizeof row);
    for (const char *p = strchr(row, '|'); p; p = strchr(p + 1, '|')) {
        const char *q = p + 1;
        while (*q == '.' || (*q >= '0' && *q <= '9'))
            q++;
        if (q == p + 1)
            continue; /* a tick whose label the marker took */
        bool unit = strncmp(q, "ms", 2) == 0 || strncmp(q, "s", 1) == 0 ||
                    strncmp(q, "\u00b5s", 3) == 0 || strncmp(q, "ns", 2) == 0;
        if (!unit)
            fail_msg("axis label cut at row %d: %s", y, row);
    }
}

/* The marker carries the playhead's real elapsed time, as the header writes it. */
static void check_marker_time(fixture *f)
{
    char now[32], row[1024], after[64], before[64];
    sl_fmt_duration(now, sizeof now, f->ui.t_ns, false);
    snprintf(after, sizeof after, "\u25b2%s", now);
    snprintf(before, sizeof before, "%s\u25b2", now);
    for (int y = 0; y < f->vs.rows; y++)
        if (strstr(vs_row(&f->vs, y, row, sizeof row), "\u25b2") &&
            (strstr(row, after) || strstr(row, before)))
            return;
    vs_dump(&f->vs);
    fail_msg("no %s beside the playhead's marker", now);
}

static void test_marker_never_in_a_label(void **state)
{
    const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    for (size_t z = 0; z < 3; z++) {
        fixture f;
        open_at(&f, sizes[z][0], sizes[z][1], 20, "Axis");
        uint64_t end = sl_pane_end(&f.ui.main);
        for (int i = 0; i <= 60; i++) {
            f.ui.t_ns = end * (uint64_t)i / 60;
            draw(&f);
            check_axis(&f);
            check_marker_time(&f);
        }
        close_fixture(&f);
    }
}

/* Every state on a wide screen; at 80 columns every state but queued and
 * starting, which it names only when the run has them. */
static void test_legend_names_every_state(void **state)
{
    fixture f;
    open_at(&f, 120, 24, 20, "Legend");
    int y = vs_find(&f.vs, "Timeline");
    for (int st = 0; st < SL_ST__COUNT; st++) {
        if (st == SL_ST_NEW)
            continue;
        if (vs_col(&f.vs, y, sl_state_name(st)) < 0)
            fail_msg("the legend lacks %s at 120 columns", sl_state_name(st));
    }
    close_fixture(&f);
    open_at(&f, 80, 24, 20, "Legend");
    y = vs_find(&f.vs, "Timeline");
    uint32_t seen = f.ui.main.states_seen;
    for (int st = 0; st < SL_ST__COUNT; st++) {
        if (st == SL_ST_NEW)
            continue;
        bool optional = st == SL_ST_QUEUED || st == SL_ST_STARTING;
        bool named = vs_col(&f.vs, y, sl_state_name(st)) >= 0;
        if (named != (!optional || (seen & (1u << st)) != 0))
            fail_msg("at 80 columns the legend %s %s", named ? "names" : "lacks",
                     sl_state_name(st));
    }
    close_fixture(&f);
}

/* Row text `s` (n bytes) stands in `cand` as whole words. */
static bool whole_words_of(const char *cand, const char *s, size_t n)
{
    for (const char *p = strstr(cand, s); n > 0 && p; p = strstr(p + 1, s))
        if ((p == cand || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

/* Every row of the caption bar is whole words of the status, the caption or
 * a lint, the last one of a shortened text ending in the mark. */
static void check_caption_rows(fixture *f)
{
    char cap[512], row[1024];
    sl_model_caption(&f->ui.main.model, f->ui.main.trace, cap, sizeof cap);
    sl_lint lints[4];
    size_t n = sl_lints(&f->ui.main.model, &f->ui.main.trace->meta, lints, 4);
    char take[320] = "";
    if (f->ui.main.have_stats)
        sl_takeaway(&f->ui.main.stats, &f->ui.main.trace->meta, take, sizeof take);
    sl_rect r = f->ui.lay.caption;
    for (int y = r.y; y < r.y + r.h; y++) {
        char *p = vs_row(&f->vs, y, row, sizeof row);
        while (*p == ' ')
            p++;
        if (strncmp(p, "\u26a0 ", strlen("\u26a0 ")) == 0)
            p += strlen("\u26a0 ");
        size_t len = strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            p[--len] = '\0';
        if (len >= strlen("\u2026") && strcmp(p + len - strlen("\u2026"), "\u2026") == 0)
            p[len -= strlen("\u2026")] = '\0';
        if (len == 0)
            continue;
        bool ok = whole_words_of(f->ui.status, p, len) || whole_words_of(cap, p, len) ||
                  whole_words_of(take, p, len);
        for (size_t i = 0; i < n && !ok; i++)
            ok = whole_words_of(lints[i].text, p, len);
        if (!ok) {
            vs_dump(&f->vs);
            fail_msg("caption row %d cut mid-word: \"%s\"", y, p);
        }
    }
}

/* The caption bar never cuts a word, at 80x24 and 120x40, whatever it says. */
static void test_caption_whole_words(void **state)
{
    const int sizes[][2] = {{80, 24}, {120, 40}};
    for (size_t s = 0; s < 2; s++) {
        fixture f;
        open_at(&f, sizes[s][0], sizes[s][1], 20, "Caption");
        uint64_t end = sl_pane_end(&f.ui.main);
        for (int i = 0; i <= 20; i++) {
            f.ui.t_ns = end * (uint64_t)i / 20;
            snprintf(f.ui.status, sizeof f.ui.status, "%s",
                     i % 2 ? ""
                           : "That key cannot act here because the sentence that says why "
                             "is longer than the eighty columns of a small terminal.");
            draw(&f);
            check_caption_rows(&f);
        }
        close_fixture(&f);
    }
}

/* The strategy bar names the strategy of every number key, whole, the
 * lesson's first, at 80x24, 120x40 and 160x48. */
static void test_bar_shows_every_key(void **state)
{
    static const char *const names[] = {
        "sequential", "threads", "threadpool",    "interpreters", "processes",       "procpool",
        "coroutines", "gil",     "async+threads", "async+procs",  "async+subprocess",
        "work-stealing"};
    const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    for (size_t z = 0; z < 3; z++) {
        fixture f;
        open_at(&f, sizes[z][0], sizes[z][1], 20, "Bar");
        f.ui.n_strategies = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            f.ui.strategies[f.ui.n_strategies++] = (sl_ui_strategy){names[i], "", false, 0};
        sl_ui_bar_order(&f.ui, "coroutines, async+threads, threads");
        draw(&f);
        for (int slot = 0; slot < 10; slot++) {
            char entry[64];
            const char *name = names[sl_ui_bar_strategy(&f.ui, slot)];
            snprintf(entry, sizeof entry, " %d %s ", (slot + 1) % 10, name);
            int y = vs_find(&f.vs, entry);
            if (y < 1 || y >= f.ui.lay.header.y + f.ui.lay.header.h) {
                vs_dump(&f.vs);
                fail_msg("%dx%d: the bar lacks \"%s\"", sizes[z][0], sizes[z][1], entry);
            }
        }
        assert_string_equal(names[sl_ui_bar_strategy(&f.ui, 0)], "coroutines");
        assert_string_equal(names[sl_ui_bar_strategy(&f.ui, 2)], "threads");
        assert_string_equal(names[sl_ui_bar_strategy(&f.ui, 3)], "sequential");
        /* The strategy running has no number key: the bar still names it. */
        f.ui.strategy = 11;
        draw(&f);
        int y = vs_find(&f.vs, " work-stealing");
        if (y < 1 || y >= f.ui.lay.header.y + f.ui.lay.header.h) {
            vs_dump(&f.vs);
            fail_msg("%dx%d: the bar lacks the running work-stealing", sizes[z][0], sizes[z][1]);
        }
        close_fixture(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_rule),
        cmocka_unit_test(test_title_whole_words),
        cmocka_unit_test(test_hidden_rows_counted),
        cmocka_unit_test(test_marker_never_in_a_label),
        cmocka_unit_test(test_legend_names_every_state),
        cmocka_unit_test(test_caption_whole_words),
        cmocka_unit_test(test_bar_shows_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
