/*
 * test-control-play.c - the playhead as a viewer sees it, at 80x24 and 160x48:
 * a pause holds the picture still while a live run goes on (and says so),
 * a run that ends by itself reads ENDED, and a lecture pace plays a run
 * back over the time it sets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "schedlab/strategy.h"
#include "control/keys.h"
#include "control/play.h"
#include "schedlab/trace.h"
#include "ui/view.h"

/* A copy of the first `n` events of `full`, still open (a live run). */
static sl_trace *prefix(const sl_trace *full, size_t n)
{
    const char *names[64];
    for (uint32_t i = 0; i < full->meta.n_tasks && i < 64; i++)
        names[i] = sl_trace_task_name(full, i);
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &full->meta, names), 0);
    assert_int_equal(sl_trace_append(t, full->events, n), 0);
    return t;
}

static void frame(sl_ui *ui, vscreen *vs, uint64_t wall_ns)
{
    sl__play_tick(ui, wall_ns);
    sl_play_fold(ui);
    sl_ui_draw(ui);
    vs_sync(vs);
}

/* The header and the timeline panel (rows, axis), as text. */
static void picture(const vscreen *vs, const sl_ui *ui, char *buf, size_t size)
{
    size_t n = 0;
    char row[4096];
    int last = ui->lay.timeline.y + ui->lay.timeline.h;
    for (int y = 0; y < last && n + 1 < size; y++)
        n += (size_t)snprintf(buf + n, size - n, "%s\n", vs_row(vs, y, row, sizeof row));
}

static void pause_holds_still(int cols, int rows)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, cols, rows, false, false), 0);
    sl_trace *full;
    assert_int_equal(sl_synth_trace(&full, 20, 3000, 2), 0);
    sl_trace *live = prefix(full, 400);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_LIVE};
    assert_int_equal(sl_pane_open(&ui.main, live, true, true), 0);
    ui.has_main = true;
    frame(&ui, &vs, 1000000);
    assert_true(vs_col(&vs, 0, "LIVE") > 0);

    sl__keys_handle(&ui, ' ');
    frame(&ui, &vs, 1000000);
    static char before[65536], after[65536];
    picture(&vs, &ui, before, sizeof before);
    assert_true(vs_col(&vs, 0, "PAUSED · run goes on") > 0);
    /* The run goes on: its trace grows fivefold, frames keep coming. */
    for (size_t n = 400; n < 2000; n += 400) {
        assert_int_equal(sl_trace_append(live, full->events + n, 400), 0);
        frame(&ui, &vs, 200000000);
        picture(&vs, &ui, after, sizeof after);
        if (strcmp(before, after) != 0) {
            vs_dump(&vs);
            fail_msg("the paused picture moved after %zu more events", n);
        }
    }
    /* Space plays on from where it was; End is live again. */
    sl__keys_handle(&ui, SL_KEY_END);
    frame(&ui, &vs, 1000000);
    assert_int_equal(ui.t_ns, sl_pane_end(&ui.main));
    assert_true(vs_col(&vs, 0, "LIVE") > 0);

    /* The run ends; played to its end it reads ENDED, never PAUSED. */
    ui.main.live = false;
    sl__play_seek(&ui, 0);
    ui.play = SL_PLAY_PLAYING;
    frame(&ui, &vs, 10000000000ull);
    assert_int_equal(ui.play, SL_PLAY_ENDED);
    assert_true(vs_col(&vs, 0, "ENDED") > 0);
    assert_int_equal(vs_find(&vs, "PAUSED"), -1);

    sl_pane_close(&ui.main);
    sl_trace_free(full);
    vs_close(&vs);
}

static void test_pause_holds_still_80x24(void **state)
{
    pause_holds_still(80, 24);
}

static void test_pause_holds_still_160x48(void **state)
{
    pause_holds_still(160, 48);
}

/* A lecture pace plays a finished run over the pace, whatever its length;
 * the speed steps, Home and replay still work, and L steps the pace. */
static void pace_plays_over_the_pace(int cols, int rows)
{
    vscreen vs;
    assert_int_equal(vs_open(&vs, cols, rows, false, false), 0);
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 20, 3000, 2), 0);
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .play = SL_PLAY_PLAYING};
    ui.pace_ns = 10000000000ull;
    /* A paced run plays from its start: before its trace appears, it has
     * not ended. */
    sl__play_tick(&ui, 1000000000ull);
    assert_int_equal(ui.play, SL_PLAY_PLAYING);
    assert_int_equal(ui.t_ns, 0);
    assert_int_equal(sl_pane_open(&ui.main, tr, true, false), 0);
    ui.has_main = true;
    uint64_t end = sl_pane_end(&ui.main);
    for (int s = 1; s <= 9; s++) {
        frame(&ui, &vs, 1000000000ull);
        assert_int_equal(ui.play, SL_PLAY_PLAYING);
        /* A tenth of the run per second, the run's own time on screen. */
        uint64_t want = end / 10 * (uint64_t)s;
        assert_true(ui.t_ns + 1000 >= want && ui.t_ns <= want + 1000);
    }
    assert_true(vs_col(&vs, 0, "pace 10s") > 0);
    char now[32], line[64];
    snprintf(line, sizeof line, "t=%s", sl__fmt_dur(now, sizeof now, ui.t_ns, false));
    assert_true(vs_col(&vs, 0, line) > 0);
    frame(&ui, &vs, 1000000000ull);
    assert_int_equal(ui.play, SL_PLAY_ENDED);
    assert_int_equal(ui.t_ns, end);

    /* Home, then Space: the replay keeps the pace. */
    sl__keys_handle(&ui, SL_KEY_HOME);
    assert_int_equal(ui.t_ns, 0);
    sl__keys_handle(&ui, ' ');
    frame(&ui, &vs, 5000000000ull);
    assert_true(ui.t_ns + 1000 >= end / 2 && ui.t_ns <= end / 2 + 1000);
    /* A speed step leaves the pace, from the speed it had. */
    double paced = ui.speed;
    sl__keys_handle(&ui, '+');
    assert_int_equal(ui.pace_ns, 0);
    assert_true(ui.speed > paced);
    frame(&ui, &vs, 1000000);
    assert_int_equal(vs_col(&vs, 0, "pace"), -1);
    /* L steps the pace: 10 s, 15 s, ..., 60 s, then off. */
    const uint64_t steps[] = {10, 15, 20, 30, 60, 0, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sl__keys_handle(&ui, 'L');
        assert_int_equal(ui.pace_ns, steps[i] * 1000000000ull);
    }
    sl_pane_close(&ui.main);
    vs_close(&vs);
}

static void test_pace_80x24(void **state)
{
    pace_plays_over_the_pace(80, 24);
}

static void test_pace_160x48(void **state)
{
    pace_plays_over_the_pace(160, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_holds_still_80x24),
        cmocka_unit_test(test_pause_holds_still_160x48),
        cmocka_unit_test(test_pace_80x24),
        cmocka_unit_test(test_pace_160x48),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
