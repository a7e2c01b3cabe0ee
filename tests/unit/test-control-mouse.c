/*
 * test-control-mouse.c - what clicks and the wheel do on a drawn screen, at
 * 80x24 and 160x48: a click on a task's timeline row or list entry selects
 * that task, a second click opens its details and any click closes them, a
 * click on a strategy's name runs it (not in predict mode), the wheel zooms;
 * and every special key the terminal decodes has a binding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "control/app.h"
#include "control/keys.h"
#include "control/play.h"
#include "schedlab/trace.h"
#include "ui/view.h"

/* Every special key the table decodes is bound, so none is read and dropped. */
static void test_special_keys_are_bound(void **state)
{
    const int want[] = {SL_KEY_HOME,   SL_KEY_END, SL_KEY_PGUP,  SL_KEY_PGDN,
                        SL_KEY_DELETE, SL_KEY_F1,  SL_KEY_F1 + 9};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool bound = false;
        for (size_t i = 0; i < sl__n_bindings && !bound; i++)
            for (const int *k = sl__bindings[i].keys; *k; k++)
                bound = bound || *k == want[w];
        if (!bound)
            fail_msg("key %#x has no binding", (unsigned)want[w]);
    }
}

typedef struct fixture {
    vscreen vs;
    sl_ui ui;
} fixture;

static void draw(fixture *f)
{
    sl_play_fold(&f->ui);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
}

static void open_screen(fixture *f, int cols, int rows)
{
    sl_term_close(); /* a failed test before may have left it open */
    memset(f, 0, sizeof *f);
    assert_int_equal(vs_open(&f->vs, cols, rows, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 12, 1200, 2), 0);
    f->ui = (sl_ui){.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    f->ui.ascii = sl_term_ascii();
    sl__app_tables(&f->ui);
    assert_int_equal(sl_pane_open(&f->ui.main, tr, true, false), 0);
    f->ui.has_main = true;
    /* A moment with a task running, so the Running list has an entry. */
    for (size_t i = tr->count / 2; i < tr->count && !f->ui.t_ns; i++) {
        sl_pane_seek(&f->ui.main, tr->events[i].t_ns);
        if (f->ui.main.model.count[SL_ST_RUNNING] > 0)
            f->ui.t_ns = tr->events[i].t_ns;
    }
    assert_true(f->ui.t_ns > 0);
    draw(f);
}

static void close_screen(fixture *f)
{
    sl_pane_close(&f->ui.main);
    vs_close(&f->vs);
}

static int click(fixture *f, int x, int y)
{
    int eff = sl__mouse_handle(&f->ui, (sl_mouse){.kind = SL_MOUSE_CLICK, .x = x, .y = y});
    draw(f);
    return eff;
}

/* A click on the row drawn with a task's name selects that task. */
static void click_rows(fixture *f)
{
    int clicked = 0, last = -1;
    for (uint32_t t = 0; t < 12; t++) {
        const char *name = sl_trace_task_name(f->ui.main.trace, t);
        int y = vs_find(&f->vs, name);
        if (y < 0 || vs_col(&f->vs, y, name) != 0) /* timeline rows only */
            continue;
        click(f, 3, y);
        assert_int_equal(f->ui.sel, (int)t);
        clicked++;
        last = (int)t;
    }
    assert_true(clicked >= 3);
    /* The second click on the selection opens its details. */
    int y = vs_find(&f->vs, sl_trace_task_name(f->ui.main.trace, (uint32_t)last));
    click(f, 2, y);
    assert_int_equal(f->ui.overlay, SL_OV_DETAILS);
    char title[32];
    snprintf(title, sizeof title, "Task %s", sl_trace_task_name(f->ui.main.trace, (uint32_t)last));
    assert_true(vs_find(&f->vs, title) >= 0);
    /* Any click closes it, and acts on nothing under it. */
    click(f, 2, y);
    assert_int_equal(f->ui.overlay, SL_OV_NONE);
    assert_int_equal(f->ui.sel, last);
    /* A click on blank space changes nothing. */
    assert_int_equal(click(f, f->vs.cols - 1, f->vs.rows - 1), 0);
    assert_int_equal(f->ui.sel, last);
}

static void test_mouse_80x24(void **state)
{
    fixture f;
    open_screen(&f, 80, 24);
    click_rows(&f);
    /* A list entry: the first Running entry at the playhead. */
    uint32_t ids[4];
    assert_true(sl_model_running(&f.ui.main.model, ids, 4) > 0);
    int y = vs_find(&f.vs, "Running");
    char name[16];
    snprintf(name, sizeof name, "%s ", sl_trace_task_name(f.ui.main.trace, ids[0]));
    int row = -1;
    for (int yy = y + 1; yy < f.vs.rows && row < 0; yy++)
        if (vs_col(&f.vs, yy, name) >= 0 && vs_col(&f.vs, yy, name) < f.ui.lay.running.w)
            row = yy;
    assert_true(row > y);
    click(&f, vs_col(&f.vs, row, name), row);
    assert_int_equal(f.ui.sel, (int)ids[0]);
    /* The wheel zooms in and out. */
    sl__mouse_handle(&f.ui, (sl_mouse){.kind = SL_MOUSE_WHEEL_UP, .x = 30, .y = 5});
    assert_int_equal(f.ui.zoom, 1);
    sl__mouse_handle(&f.ui, (sl_mouse){.kind = SL_MOUSE_WHEEL_DOWN, .x = 30, .y = 5});
    assert_int_equal(f.ui.zoom, 0);
    close_screen(&f);
}

static void test_mouse_160x48(void **state)
{
    fixture f;
    open_screen(&f, 160, 48);
    click_rows(&f);
    /* A strategy's name in the header's second line runs it. */
    const char *want = sl_strategy_name(&f.ui, 2);
    int x = vs_col(&f.vs, 1, want);
    assert_true(x > 0);
    f.ui.req = 0;
    click(&f, x + 1, 1);
    assert_int_equal(f.ui.strategy, 2);
    assert_true(f.ui.req & SL_REQ_RUN);
    /* Not in predict mode: there the strategy stays. */
    f.ui.req = 0;
    f.ui.predict.on = true;
    x = vs_col(&f.vs, 1, sl_strategy_name(&f.ui, 3));
    click(&f, x + 1, 1);
    assert_int_equal(f.ui.strategy, 2);
    assert_int_equal(f.ui.req, 0);
    close_screen(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_keys_are_bound),
        cmocka_unit_test(test_mouse_80x24),
        cmocka_unit_test(test_mouse_160x48),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
