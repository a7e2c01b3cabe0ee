/*
 * test-control-overlays.c - the help overlay generated from the key table, task
 * details, the lesson picker, predict mode's bar, and compare mode's table,
 * verdict and side-by-side timelines, rendered into a virtual terminal at
 * 80x24 and 160x48.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "schedlab/strategy.h"
#include "ui-vterm.h"
#include "ui-paused.h"
#include "control/app.h"
#include "ui/view.h"
#include "control/keys.h"
#include "control/play.h"
#include "schedlab/trace.h"

static vscreen vs;
static sl_ui ui;

static int open_size(int cols, int rows)
{
    if (vs_open(&vs, cols, rows, false, false) < 0)
        return -1;
    sl_trace *tr;
    if (sl_synth_trace(&tr, 12, 1500, 2) < 0)
        return -1;
    if (ui_open_paused(&ui, tr) < 0)
        return -1;
    sl__app_tables(&ui);
    ui.t_ns = sl_pane_end(&ui.main) / 2;
    return 0;
}

static int setup_80(void **state)
{
    return open_size(80, 24);
}

static int setup_160(void **state)
{
    return open_size(160, 48);
}

static int teardown(void **state)
{
    for (uint32_t i = 0; i < ui.n_cmp; i++)
        sl_pane_close(&ui.cmp[i]);
    sl_pane_close(&ui.main);
    vs_close(&vs);
    return 0;
}

static void draw(void)
{
    sl_play_fold(&ui);
    sl_ui_draw(&ui);
    vs_sync(&vs);
}

static void test_help_lists_every_binding(void **state)
{
    sl__keys_handle(&ui, '?');
    draw();
    int top = vs_find(&vs, "Help: keys");
    assert_true(top >= 0);
    /* At 160x48: each binding in table order, then the legend and the
     * numbered strategies. */
    int last = top;
    for (size_t i = 0; i < sl__n_bindings; i++) {
        int y = vs_find(&vs, sl__bindings[i].help);
        assert_true(y > last);
        assert_true(vs_col(&vs, y, sl__bindings[i].label) >= 0);
        last = y;
    }
    int legend = vs_find(&vs, "Legend");
    assert_true(legend > last);
    /* One column for every description: keys' and states' alike, the
     * longest state name (cancelled) included. */
    int help_x = vs_col(&vs, vs_find(&vs, sl__bindings[0].help), sl__bindings[0].help);
    static const char *meanings[] = {"executing on a core", "crashed", "cancelled before"};
    for (size_t i = 0; i < 3; i++) {
        int y = vs_find(&vs, meanings[i]);
        assert_true(y > legend);
        assert_int_equal(vs_col(&vs, y, meanings[i]), help_x);
    }
    /* Scrolled to its end, the help shows every strategy. */
    sl__keys_handle(&ui, SL_KEY_PGDN);
    draw();
    int strat = vs_find(&vs, "Strategies");
    assert_true(strat > top);
    int summary_x = -1;
    for (int i = 0; sl_strategies[i]; i++) {
        int y = vs_find(&vs, sl_strategies[i]->summary);
        assert_true(y > strat);
        int sx = vs_col(&vs, y, sl_strategies[i]->summary);
        assert_true(summary_x < 0 || sx == summary_x); /* aligned */
        summary_x = sx;
        /* The key that runs it, first on its line: 1-9, then 0 as on the
         * keyboard (not 10), then Tab. */
        char want[8], cell[8];
        snprintf(want, sizeof want, "%-4s",
                 i < 9    ? (char[2]){(char)('1' + i), 0}
                 : i == 9 ? "0"
                          : "Tab");
        vs_text(&vs, y, ui.lay.overlay.x + 2, 4, cell, sizeof cell);
        assert_string_equal(cell, want);
    }
    sl__keys_handle(&ui, SL_KEY_ESC);
    draw();
    assert_int_equal(vs_find(&vs, "Help: keys"), -1);
}

/* The help answers for the user's keyboard: config.ini's [keys] remaps come
 * first, each with the key it acts as and what that key does. */
static void test_help_shows_remaps(void **state)
{
    static const int remap[][2] = {{'j', SL_KEY_DOWN}, {'Z', '?'}, {'W', SL_KEY_F1 + 5}};
    ui.remap = remap;
    ui.n_remaps = 3;
    sl__keys_handle(&ui, '?');
    draw();
    int top = vs_find(&vs, "Help: keys");
    int title = vs_find(&vs, "Your keys (config.ini [keys])");
    assert_true(top >= 0 && title == top + 1);
    const sl_binding *down = NULL, *help = NULL;
    for (size_t i = 0; i < sl__n_bindings; i++)
        for (const int *k = sl__bindings[i].keys; *k; k++) {
            down = *k == SL_KEY_DOWN ? &sl__bindings[i] : down;
            help = *k == '?' ? &sl__bindings[i] : help;
        }
    assert_non_null(down);
    assert_non_null(help);
    char want[256];
    snprintf(want, sizeof want, "acts as Down: %s", down->help);
    int y = vs_find(&vs, want);
    assert_int_equal(y, title + 1);
    assert_int_equal(vs_col(&vs, y, "j "), ui.lay.overlay.x + 2);
    snprintf(want, sizeof want, "acts as ?: %s", help->help);
    assert_int_equal(vs_find(&vs, want), title + 2);
    /* A key no binding holds is still named. */
    assert_int_equal(vs_find(&vs, "acts as key "), title + 3);
    /* The default keys follow, after a gap. */
    assert_int_equal(vs_find(&vs, sl__bindings[0].help), title + 5);
    ui.remap = NULL;
    ui.n_remaps = 0;
}

static void test_help_scrolls_at_80x24(void **state)
{
    sl__keys_handle(&ui, '?');
    draw();
    assert_true(vs_find(&vs, sl__bindings[0].help) >= 0);
    assert_int_equal(vs_find(&vs, "Strategies"), -1);
    for (int i = 0; i < 30; i++)
        sl__keys_handle(&ui, SL_KEY_DOWN);
    draw();
    assert_int_equal(vs_find(&vs, sl__bindings[0].help), -1);
    /* Scrolling stops with the last strategy on the box's last line. */
    int n = 0;
    while (sl_strategies[n])
        n++;
    assert_true(vs_col(&vs, ui.lay.overlay.y + ui.lay.overlay.h - 2, sl_strategies[n - 1]->name) >
                0);
}

static void test_details(void **state)
{
    sl__keys_handle(&ui, SL_KEY_DOWN);
    sl__keys_handle(&ui, SL_KEY_DOWN);
    sl__keys_handle(&ui, SL_KEY_DOWN);
    sl__keys_handle(&ui, SL_KEY_ENTER);
    draw();
    assert_true(vs_find(&vs, "Task task-02 (#2)") >= 0);
    assert_true(vs_find(&vs, "ready latency:") >= 0);
    assert_true(vs_find(&vs, "waits:") >= 0);
    int spans = vs_find(&vs, "spans (start");
    assert_true(spans >= 0);
    /* A pool task: spawned (ready), then queued in the backlog, then picked. */
    assert_true(vs_col(&vs, spans + 1, "ready") > 0);
    assert_true(vs_col(&vs, spans + 2, "queued") > 0);
    assert_true(vs_col(&vs, spans + 3, "ready") > 0);
}

static void test_lessons_picker(void **state)
{
    char *names[] = {"cpu-sumsq", "io-download", "mixed"};
    char *titles[] = {"Summing squares", "Downloading 20 pages", "A mixed workload"};
    char *about[] = {"Twenty tasks compute.", "Twenty tasks each download one web page.",
                     "Eight tasks download pages."};
    ui.lessons = names;
    ui.lesson_titles = titles;
    ui.lesson_about = about;
    ui.n_lessons = 3;
    sl__keys_handle(&ui, 's');
    assert_int_equal(ui.overlay, SL_OV_LESSONS);
    sl__keys_handle(&ui, SL_KEY_DOWN);
    draw();
    int y = vs_find(&vs, "Pick a lesson");
    assert_true(y >= 0);
    /* Room for two rows each: the title beside the name, a line under it. */
    assert_int_equal(vs_find(&vs, "cpu-sumsq"), y + 1);
    assert_true(vs_col(&vs, y + 1, "Summing squares") > vs_col(&vs, y + 1, "cpu-sumsq"));
    assert_int_equal(vs_find(&vs, "Twenty tasks compute."), y + 2);
    assert_int_equal(vs_find(&vs, "> io-download"), y + 3);
    assert_true(vs_col(&vs, y + 3, "Downloading 20 pages") > 0);
    assert_int_equal(vs_find(&vs, "Twenty tasks each download one web page."), y + 4);
    sl__keys_handle(&ui, SL_KEY_ENTER);
    assert_true(ui.req & SL_REQ_LESSON);
    assert_int_equal(ui.overlay_sel, 1);
    ui.lessons = ui.lesson_titles = ui.lesson_about = NULL;
    ui.n_lessons = 0;
}

static void test_predict_bar(void **state)
{
    ui.t_ns = 0;
    sl__keys_handle(&ui, 'p');
    assert_true(ui.predict.asking);
    draw();
    int y = vs_find(&vs, "PREDICT");
    assert_int_equal(y, ui.lay.caption.y);
    assert_true(vs_col(&vs, y, "0/0") > 0);
    assert_true(vs_col(&vs, y, "next? Press 1-") > 0);
    /* The choices stand where the Ready list was. */
    assert_true(vs_find(&vs, "Guess 1-") == ui.lay.ready.y);
    uint32_t right = 0;
    while (ui.predict.cand[right] != ui.predict.answer)
        right++;
    char digits[8];
    snprintf(digits, sizeof digits, "%u", right + 1);
    for (const char *d = digits; *d; d++)
        sl__keys_handle(&ui, *d);
    if (ui.predict.asking)
        sl__keys_handle(&ui, SL_KEY_ENTER);
    draw();
    assert_true(vs_col(&vs, y, "1/1") > 0);
    assert_true(vs_col(&vs, y, "Right!") > 0);
}

static void add_cmp_pane(const char *strategy, uint32_t cores)
{
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 12, 1500, cores), 0);
    snprintf(tr->meta.strategy, sizeof tr->meta.strategy, "%s", strategy);
    sl_pane *p = &ui.cmp[ui.n_cmp++];
    assert_int_equal(sl_pane_open(p, tr, true, false), 0);
    assert_int_equal(sl_stats_compute(tr, &p->stats), 0);
    p->have_stats = true;
}

static void check_compare(void)
{
    ui.compare = true;
    ui.n_cmp_planned = 2;
    add_cmp_pane("sequential", 1);
    /* One of two has run: progress, no recommendation yet. */
    ui.cmp_running = 1;
    ui.play = SL_PLAY_PAUSED;
    draw();
    assert_int_equal(vs_find(&vs, "recommended"), -1);
    assert_int_equal(vs_find(&vs, "1 of 2 strategies have run"), ui.lay.caption.y);
    assert_true(vs_col(&vs, 0, "RUNNING") > 0);
    assert_int_equal(vs_find(&vs, "PAUSED"), -1);
    ui.cmp_running = -1;
    add_cmp_pane("threads", 4);
    ui.t_ns = 0;
    ui.play = SL_PLAY_PLAYING;
    sl__play_tick(&ui, 5000000);
    draw();
    assert_true(vs_col(&vs, 0, "compare: 2 strategies") > 0);
    int head = vs_find(&vs, "strategy");
    assert_true(head > 0);
    assert_true(vs_col(&vs, head, "speedup") > 0);
    assert_true(vs_col(&vs, head, "blocking") > 0);
    assert_true(vs_col(&vs, head, "overlap") > 0);
    assert_int_equal(vs_col(&vs, head + 1, "sequential "), 1);
    assert_int_equal(vs_col(&vs, head + 2, "threads "), 1);
    /* The verdict comes from the statistics by the same rule as `run
     * --format verdict`: io-bound work with few fast waits, and the runs
     * tie (or threads win), so the rule's threads. */
    assert_true(ui.cmp[1].stats.wall_ns <= 1.1 * ui.cmp[0].stats.wall_ns);
    const char *winner = "recommended: threads";
    char verdict[640];
    sl__compare_verdict(&ui, verdict, sizeof verdict);
    assert_int_equal(vs_find(&vs, winner), ui.lay.caption.y);
    assert_non_null(strstr(verdict, winner));
    /* Side by side on one clock: both lanes start with task-00, under
     * headers that count the kernel's switches too. */
    assert_true(vs_find(&vs, "task-00") > head + 2);
    int seq = vs_find(&vs, "sequential      switches OS ");
    assert_true(seq > head + 2);
    assert_true(vs_find(&vs, "threads         switches OS ") > seq);
}

static void test_compare_80x24(void **state)
{
    check_compare();
}

static void test_compare_160x48(void **state)
{
    check_compare();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_lists_every_binding, setup_160, teardown),
        cmocka_unit_test_setup_teardown(test_help_scrolls_at_80x24, setup_80, teardown),
        cmocka_unit_test_setup_teardown(test_help_shows_remaps, setup_160, teardown),
        cmocka_unit_test_setup_teardown(test_details, setup_80, teardown),
        cmocka_unit_test_setup_teardown(test_lessons_picker, setup_80, teardown),
        cmocka_unit_test_setup_teardown(test_predict_bar, setup_80, teardown),
        cmocka_unit_test_setup_teardown(test_compare_80x24, setup_80, teardown),
        cmocka_unit_test_setup_teardown(test_compare_160x48, setup_160, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
