/*
 * test-control-keys.c - the binding table and what each key does to the UI
 * state: every binding documented and reachable, pause/resume, stepping by
 * event, speed and zoom bounds, strategy choice, GIL toggle, selection,
 * overlays and Esc, predict guesses, quit; plus the frame benchmark.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "schedlab/strategy.h"
#include "control/app.h"
#include "ui/view.h"
#include "control/keys.h"
#include "control/play.h"
#include "schedlab/trace.h"
#include "schedlab/control.h"
#include "ui-paused.h"

static sl_ui ui;

static int setup(void **state)
{
    sl_trace *tr;
    if (sl_synth_trace(&tr, 8, 600, 2) < 0)
        return -1;
    if (ui_open_paused(&ui, tr) < 0)
        return -1;
    sl__app_tables(&ui);
    sl_play_fold(&ui);
    return 0;
}

static int teardown(void **state)
{
    sl_pane_close(&ui.main);
    return 0;
}

static int strategy_index(const char *name)
{
    for (int i = 0; sl_strategies[i]; i++)
        if (strcmp(sl_strategies[i]->name, name) == 0)
            return i;
    return -1;
}

static void test_table_is_documented(void **state)
{
    int seen[SL_KEY_RESIZE + 1] = {0};
    int ranks[32] = {0};
    for (size_t i = 0; i < sl__n_bindings; i++) {
        const sl_binding *b = &sl__bindings[i];
        assert_non_null(b->fn);
        assert_true(b->label && *b->label);
        assert_true(b->help && strlen(b->help) > 3);
        assert_true(b->keys[0] != 0);
        for (const int *k = b->keys; *k; k++) {
            assert_int_equal(seen[*k], 0); /* no key bound twice */
            seen[*k] = 1;
        }
        if (b->footer) {
            assert_true(b->rank > 0 && b->rank < 32);
            assert_int_equal(ranks[b->rank], 0);
            ranks[b->rank] = 1;
        }
    }
    /* The keys the issue asks for. */
    const int needed[] = {
        '1', SL_KEY_TAB, SL_KEY_ENTER, 'r',        ' ',       SL_KEY_LEFT, SL_KEY_RIGHT,
        '[', ']',        SL_KEY_HOME,  SL_KEY_END, '+',       '-',         'z',
        'Z', SL_KEY_UP,  SL_KEY_DOWN,  'w',        'W',       'g',         's',
        'c', 'p',        '?',          'q',        SL_KEY_ESC};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        assert_int_equal(seen[needed[i]], 1);
}

static void test_pause_resume_and_step(void **state)
{
    uint64_t end = sl_play_end(&ui);
    assert_true(end > 0);
    ui.t_ns = 0;
    assert_true(sl__keys_handle(&ui, ' ') & SL_REDRAW);
    assert_int_equal(ui.play, SL_PLAY_PLAYING);
    assert_true(sl__play_tick(&ui, 1000000));
    assert_int_equal(ui.t_ns, 1000000);
    sl__keys_handle(&ui, ' ');
    assert_int_equal(ui.play, SL_PLAY_PAUSED);
    assert_false(sl__play_tick(&ui, 1000000));

    /* Right moves to the next event's time, Left back to the previous. */
    ui.t_ns = 0;
    sl__keys_handle(&ui, SL_KEY_RIGHT);
    uint64_t first = ui.t_ns;
    assert_true(first > 0);
    sl__keys_handle(&ui, SL_KEY_RIGHT);
    assert_true(ui.t_ns > first);
    sl__keys_handle(&ui, SL_KEY_LEFT);
    assert_int_equal(ui.t_ns, first);
    sl__keys_handle(&ui, SL_KEY_END);
    assert_int_equal(ui.t_ns, end);
    sl__keys_handle(&ui, ']');
    assert_int_equal(ui.t_ns, end);
    sl__keys_handle(&ui, '[');
    assert_true(ui.t_ns < end);
    sl__keys_handle(&ui, SL_KEY_HOME);
    assert_int_equal(ui.t_ns, 0);
    /* Space at the end of a finished run replays from the start. */
    ui.t_ns = end;
    sl__keys_handle(&ui, ' ');
    assert_int_equal(ui.t_ns, 0);
    assert_int_equal(ui.play, SL_PLAY_PLAYING);
    /* Playing stops at the end. */
    sl__play_tick(&ui, end * 2);
    assert_int_equal(ui.t_ns, end);
    assert_int_equal(ui.play, SL_PLAY_ENDED);
}

static void test_speed_and_zoom_bounds(void **state)
{
    for (int i = 0; i < 20; i++)
        sl__keys_handle(&ui, '+');
    assert_true(ui.speed == 10.0);
    for (int i = 0; i < 20; i++)
        sl__keys_handle(&ui, '-');
    assert_true(ui.speed == 0.01);
    sl__keys_handle(&ui, '+');
    assert_true(ui.speed == 0.02);
    ui.t_ns = 0;
    ui.play = SL_PLAY_PLAYING;
    sl__play_tick(&ui, 100000000);
    assert_int_equal(ui.t_ns, 2000000); /* 100 ms of wall time at 0.02x */

    uint64_t t0, dt_fit, dt_zoom;
    sl__timeline_window(&ui, 100, &t0, &dt_fit);
    sl__keys_handle(&ui, 'z');
    assert_int_equal(ui.zoom, 1);
    sl__timeline_window(&ui, 100, &t0, &dt_zoom);
    assert_true(dt_zoom < dt_fit);
    sl__keys_handle(&ui, 'Z');
    sl__keys_handle(&ui, 'Z');
    assert_int_equal(ui.zoom, 0);
}

static void test_strategy_keys(void **state)
{
    sl__keys_handle(&ui, '2');
    assert_int_equal(ui.strategy, 1);
    assert_true(ui.req & SL_REQ_RUN);
    ui.req = 0;
    sl__keys_handle(&ui, SL_KEY_TAB);
    assert_int_equal(ui.strategy, 2);
    sl__keys_handle(&ui, SL_KEY_BTAB);
    assert_int_equal(ui.strategy, 1);
    /* 0 is the tenth strategy, after 9, as on the keyboard's digit row. */
    if (ui.n_strategies >= 10) {
        sl__keys_handle(&ui, '0');
        assert_int_equal(ui.strategy, 9);
        sl__keys_handle(&ui, '2');
    }
    int threads = strategy_index("threads"), gil = strategy_index("gil");
    if (threads >= 0 && gil >= 0) {
        ui.strategy = threads;
        sl__keys_handle(&ui, 'g');
        assert_int_equal(ui.strategy, gil);
        sl__keys_handle(&ui, 'g');
        assert_int_equal(ui.strategy, threads);
    }
    ui.req = 0;
    sl__keys_handle(&ui, 'W');
    assert_true(ui.workers >= 2);
    uint32_t w = ui.workers;
    sl__keys_handle(&ui, 'w');
    assert_int_equal(ui.workers, w - 1);
    assert_true(ui.req & SL_REQ_RUN);
    ui.req = 0;
    sl__keys_handle(&ui, 'c');
    assert_true(ui.req & SL_REQ_COMPARE);
    /* A replay has no runs: the keys say so instead. */
    ui.req = 0;
    ui.replay = true;
    sl__keys_handle(&ui, '3');
    assert_int_equal(ui.req, 0);
    assert_true(strstr(ui.status, "saved trace") != NULL);
}

/* A lesson's strategies come first in the bar, and the keys follow the bar. */
static void test_strategy_keys_follow_the_lesson(void **state)
{
    sl_ui_bar_order(&ui, "coroutines, async+threads, threads:nogil, threads");
    sl__keys_handle(&ui, '1');
    assert_int_equal(ui.strategy, strategy_index("coroutines"));
    sl__keys_handle(&ui, '3');
    assert_int_equal(ui.strategy, strategy_index("threads"));
    sl__keys_handle(&ui, SL_KEY_BTAB);
    assert_int_equal(ui.strategy, strategy_index("async+threads"));
    sl__keys_handle(&ui, SL_KEY_TAB);
    sl__keys_handle(&ui, SL_KEY_TAB);
    /* After the lesson's three, the rest in menu order: sequential first. */
    assert_int_equal(ui.strategy, strategy_index("sequential"));
    /* Every strategy has one slot. */
    for (int i = 0; i < ui.n_strategies; i++)
        assert_int_equal(sl_ui_bar_strategy(&ui, sl_ui_bar_slot(&ui, i)), i);
}

static void test_select_overlays_escape_quit(void **state)
{
    sl__keys_handle(&ui, SL_KEY_DOWN);
    assert_int_equal(ui.sel, 0);
    sl__keys_handle(&ui, SL_KEY_UP);
    assert_int_equal(ui.sel, 0);
    sl__keys_handle(&ui, SL_KEY_DOWN);
    assert_int_equal(ui.sel, 1);
    sl__keys_handle(&ui, SL_KEY_ENTER);
    assert_int_equal(ui.overlay, SL_OV_DETAILS);
    sl__keys_handle(&ui, SL_KEY_DOWN); /* in details, arrows pick the task */
    assert_int_equal(ui.sel, 2);
    sl__keys_handle(&ui, SL_KEY_ESC);
    assert_int_equal(ui.overlay, SL_OV_NONE);
    sl__keys_handle(&ui, SL_KEY_ESC);
    assert_int_equal(ui.sel, -1);
    sl__keys_handle(&ui, '?');
    assert_int_equal(ui.overlay, SL_OV_HELP);
    sl__keys_handle(&ui, SL_KEY_ESC);
    assert_int_equal(ui.overlay, SL_OV_NONE);
    assert_true(sl__keys_handle(&ui, SL_KEY_RESIZE) & SL_RELAYOUT);
    assert_true(sl__keys_handle(&ui, 'q') & SL_QUIT);
    sl__keys_handle(&ui, '?');
    assert_true(sl__keys_handle(&ui, 'q') & SL_QUIT);
}

static void test_predict_flow(void **state)
{
    ui.t_ns = 0;
    sl__keys_handle(&ui, 'p');
    assert_true(ui.predict.on);
    assert_true(ui.predict.asking);
    assert_true(ui.predict.n_cand >= 2);
    /* The answer is one of the candidates and has not run yet. */
    bool listed = false;
    for (uint32_t i = 0; i < ui.predict.n_cand; i++)
        listed = listed || ui.predict.cand[i] == ui.predict.answer;
    assert_true(listed);
    sl_play_fold(&ui);
    /* A pool question: the task waits in the backlog, a worker takes it. */
    bool pool = ui.predict.kind == SL_Q_WORKER;
    uint32_t task = ui.predict.task;
    assert_true(pool || task == ui.predict.answer);
    assert_int_equal(ui.main.model.tasks[task].state, pool ? SL_ST_QUEUED : SL_ST_READY);
    uint32_t answer = ui.predict.answer;
    int right = -1;
    for (uint32_t i = 0; i < ui.predict.n_cand; i++)
        if (ui.predict.cand[i] == answer)
            right = (int)i;
    sl__keys_handle(&ui, '1' + right);
    assert_true(ui.predict.revealed);
    assert_int_equal(ui.predict.right, 1);
    assert_int_equal(ui.predict.asked, 1);
    sl_play_fold(&ui);
    assert_int_equal(ui.main.model.tasks[task].state, pool ? SL_ST_READY : SL_ST_RUNNING);
    /* Next question, answered wrong. */
    sl__keys_handle(&ui, ' ');
    assert_true(ui.predict.asking);
    int wrong = ui.predict.cand[0] == ui.predict.answer ? 1 : 0;
    sl__keys_handle(&ui, '1' + wrong);
    assert_int_equal(ui.predict.right, 1);
    assert_int_equal(ui.predict.asked, 2);
    assert_true(strstr(ui.predict.note, "No:") != NULL);
    sl__keys_handle(&ui, 'p');
    assert_false(ui.predict.on);
}

static void test_bench_frame(void **state)
{
    double us = 0;
    assert_int_equal(sl_ui_bench_frame(120, 40, 20, 10000, &us), 0);
    assert_true(us > 0);
    assert_true(us < 1e6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_documented),
        cmocka_unit_test_setup_teardown(test_pause_resume_and_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_speed_and_zoom_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strategy_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strategy_keys_follow_the_lesson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_select_overlays_escape_quit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_predict_flow, setup, teardown),
        cmocka_unit_test(test_bench_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
