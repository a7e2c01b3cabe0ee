/*
 * test-control-futures.c - the futures keys and panel on a virtual terminal:
 * the as-completed list shows finished tasks in EXIT order (read from the
 * trace here, independently of the model), and x on a task the playhead
 * shows running is refused with Future.cancel()'s reason, while x on a
 * queued task becomes a request for the app (which owns the run).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "schedlab/strategy.h"
#include "control/app.h"
#include "control/keys.h"
#include "schedlab/trace.h"
#include "schedlab/ui.h"

typedef struct fixture {
    vscreen vs;
    sl_ui ui;
} fixture;

static void open_at(fixture *f, int cols, int rows)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(vs_open(&f->vs, cols, rows, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 20, 2000, 2), 0);
    f->ui = (sl_ui){.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    f->ui.ascii = sl_term_ascii();
    sl__app_tables(&f->ui);
    assert_int_equal(sl_pane_open(&f->ui.main, tr, true, false), 0);
    f->ui.has_main = true;
}

static void draw_at(fixture *f, uint64_t t)
{
    f->ui.t_ns = t;
    sl_play_fold(&f->ui);
    sl_ui_draw(&f->ui);
    vs_sync(&f->vs);
}

static void close_fixture(fixture *f)
{
    sl_pane_close(&f->ui.main);
    vs_close(&f->vs);
}

/* Finished tasks up to t in EXIT order, straight from the trace. */
static size_t exits_until(const sl_trace *tr, uint64_t t, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < tr->count && tr->events[i].t_ns <= t && n < max; i++)
        if (tr->events[i].kind == SL_EV_EXIT)
            out[n++] = tr->events[i].task;
    return n;
}

/* A playhead where some tasks have finished and some still run. */
static uint64_t half_done(const sl_trace *tr)
{
    uint32_t exits[64];
    size_t total = exits_until(tr, UINT64_MAX, exits, 64);
    size_t seen = 0;
    for (size_t i = 0; i < tr->count; i++)
        if (tr->events[i].kind == SL_EV_EXIT && ++seen == total / 2)
            return tr->events[i].t_ns;
    return 0;
}

static void check_completed(fixture *f, const sl_rect *r)
{
    const sl_trace *tr = f->ui.main.trace;
    uint32_t exits[64];
    size_t n = exits_until(tr, f->ui.t_ns, exits, 64);
    assert_true(n >= 2);
    int title = vs_col(&f->vs, r->y, "As completed");
    assert_true(title >= r->x);
    /* The newest completions that fit, numbered in EXIT order. */
    size_t rows = (size_t)r->h - 1, shown = n < rows ? n : rows;
    for (size_t i = 0; i < shown; i++) {
        size_t k = n - shown + i;
        char text[256], want[64];
        vs_text(&f->vs, r->y + 1 + (int)i, r->x, r->w, text, sizeof text);
        snprintf(want, sizeof want, "%zu. %s", k + 1, sl_trace_task_name(tr, exits[k]));
        if (strstr(text, want) == NULL)
            vs_dump(&f->vs);
        assert_non_null(strstr(text, want));
    }
}

static void test_as_completed_in_exit_order_wide(void **state)
{
    fixture f;
    open_at(&f, 160, 48);
    draw_at(&f, half_done(f.ui.main.trace));
    assert_true(f.ui.lay.completed.w > 0);
    check_completed(&f, &f.ui.lay.completed);
    close_fixture(&f);
}

static void test_as_completed_shares_queued_at_80x24(void **state)
{
    fixture f;
    open_at(&f, 80, 24);
    uint64_t t = half_done(f.ui.main.trace);
    draw_at(&f, t);
    assert_int_equal(sl__keys_handle(&f.ui, 'a') & SL_REDRAW, SL_REDRAW);
    draw_at(&f, t);
    check_completed(&f, &f.ui.lay.queued);
    /* a again: back to the Queued list while tasks are queued. */
    sl__keys_handle(&f.ui, 'a');
    draw_at(&f, t);
    uint32_t q;
    if (sl_model_queued(&f.ui.main.model, &q, 1) > 0)
        assert_true(vs_col(&f.vs, f.ui.lay.queued.y, "Queued") >= 0);
    close_fixture(&f);
}

/* The first task in `state` at the playhead, or -1. */
static int task_in(const sl_ui *ui, int state, bool started)
{
    for (uint32_t i = 0; i < ui->main.model.n_tasks; i++)
        if (ui->main.model.tasks[i].state == state && ui->main.model.tasks[i].started == started)
            return (int)i;
    return -1;
}

static void test_x_on_a_running_task_is_refused(void **state)
{
    fixture f;
    open_at(&f, 80, 24);
    draw_at(&f, half_done(f.ui.main.trace));
    f.ui.sel = task_in(&f.ui, SL_ST_RUNNING, true);
    assert_true(f.ui.sel >= 0);
    sl__keys_handle(&f.ui, 'x');
    assert_int_equal(f.ui.req & SL_REQ_CANCEL, 0);
    sl_ui_draw(&f.ui);
    vs_sync(&f.vs);
    char want[96];
    snprintf(want, sizeof want, "%s is running: a running task cannot be cancelled",
             sl_trace_task_name(f.ui.main.trace, (uint32_t)f.ui.sel));
    if (vs_find(&f.vs, want) < 0)
        vs_dump(&f.vs);
    assert_true(vs_find(&f.vs, want) >= 0);

    f.ui.sel = task_in(&f.ui, SL_ST_DONE, true);
    assert_true(f.ui.sel >= 0);
    sl__keys_handle(&f.ui, 'x');
    assert_non_null(strstr(f.ui.status, "already finished"));
    assert_int_equal(f.ui.req & SL_REQ_CANCEL, 0);
    close_fixture(&f);
}

static void test_x_on_a_queued_task_asks_the_app(void **state)
{
    fixture f;
    open_at(&f, 80, 24);
    const sl_trace *tr = f.ui.main.trace;
    int sel = -1;
    for (size_t i = 0; i < tr->count && sel < 0; i++) {
        draw_at(&f, tr->events[i].t_ns);
        sel = task_in(&f.ui, SL_ST_QUEUED, false);
    }
    assert_true(sel >= 0);
    f.ui.sel = sel;
    sl__keys_handle(&f.ui, 'x');
    assert_int_equal(f.ui.req & SL_REQ_CANCEL, SL_REQ_CANCEL);
    assert_int_equal(f.ui.cancel_task, sel);
    close_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_completed_in_exit_order_wide),
        cmocka_unit_test(test_as_completed_shares_queued_at_80x24),
        cmocka_unit_test(test_x_on_a_running_task_is_refused),
        cmocka_unit_test(test_x_on_a_queued_task_asks_the_app),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
