/*
 * test-control-pool-start.c - a pool's worker processes being created, on a
 * virtual terminal: the tasks stay in the Queued list (nothing is drawn
 * `starting`, for no task's process is being made), and the list's title
 * says how many workers are starting until they are up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "control/app.h"
#include "schedlab/trace.h"
#include "schedlab/ui.h"

#define EV(t_, k_, task_, reason_, arg_)                                                           \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_)      \
    }

static void test_workers_starting_in_queued_title(void **state)
{
    /* procpool's order: every task queued, then two workers asked for. */
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0),
        EV(0, QUEUE, 0, 0, 1),
        EV(0, SPAWN, 1, 0, 0),
        EV(0, QUEUE, 1, 0, 2),
        EV(0, SPAWN, 2, 0, 0),
        EV(0, QUEUE, 2, 0, 3),
        EV(1000, START, SL_NO_TASK, SL_START_WORKER, 0),
        EV(2000, START, SL_NO_TASK, SL_START_WORKER, 1),
        EV(50000000, START, SL_NO_TASK, SL_START_WORKER_UP, 0),
        EV(60000000, START, SL_NO_TASK, SL_START_WORKER_UP, 1),
        EV(60001000, READY, 0, SL_READY_WORKER, 0),
        EV(60002000, RUN, 0, 0, 0),
        EV(90000000, EXIT, 0, SL_EXIT_OK, 0),
    };
    static const char *names[] = {"fetch-a", "fetch-b", "fetch-c"};
    sl_trace_meta meta = {.n_tasks = 3, .cores = 2, .workers = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "procpool");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, names), 0);
    assert_int_equal(sl_trace_append(tr, ev, sizeof ev / sizeof ev[0]), 0);

    vscreen vs;
    assert_int_equal(vs_open(&vs, 160, 48, false, false), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PAUSED};
    ui.ascii = sl_term_ascii();
    sl__app_tables(&ui);
    assert_int_equal(sl_pane_open(&ui.main, tr, true, false), 0);
    ui.has_main = true;
    static const struct {
        uint64_t t;
        const char *title;
    } at[] = {
        {10000000, "Queued 3, 2 workers starting"},
        {55000000, "Queued 3, 1 worker starting"},
        {70000000, "Queued 2"},
    };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        ui.t_ns = at[i].t;
        sl_play_fold(&ui);
        sl_ui_draw(&ui);
        vs_sync(&vs);
        char text[256];
        vs_text(&vs, ui.lay.queued.y, ui.lay.queued.x, ui.lay.queued.w, text, sizeof text);
        if (strstr(text, at[i].title) == NULL)
            vs_dump(&vs);
        assert_non_null(strstr(text, at[i].title));
        assert_null(strstr(text, "Starting"));
        assert_int_equal(ui.main.model.count[SL_ST_STARTING], 0);
    }
    /* Once up, no worker is starting: the title has no count of them. */
    char text[256];
    vs_text(&vs, ui.lay.queued.y, ui.lay.queued.x, ui.lay.queued.w, text, sizeof text);
    assert_null(strstr(text, "worker"));
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_starting_in_queued_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
