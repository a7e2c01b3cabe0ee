/*
 * bench.c - the cost of a frame, for `schedlab bench` (tui_frame_us and
 * tui_frame_1m_us).
 *
 * Frames go through the real path (fold, every view, ncurses diff) into
 * /dev/null; the playhead moves between frames so each one has work to do,
 * as during a lesson.
 */
#include <locale.h>
#include <stdio.h>
#include <time.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "schedlab/control.h"
#include "schedlab/ui.h"

#define FRAMES 200
/* Three seconds at 30 fps: a share of a core is what playback costs over
 * time. Over one second, a single frame this VM slows by a few ms (it
 * happens now and then) would add a tenth of the budget to the mean. */
#define PLAYBACK_FRAMES 90

static double now_us(clockid_t clock)
{
    struct timespec a;
    clock_gettime(clock, &a);
    return (double)a.tv_sec * 1e6 + (double)a.tv_nsec / 1e3;
}

/* Draws n_frames frames of a synthetic trace (owned from here on): the
 * playhead moves `stride` ns a frame (0: across the trace in n_frames).
 * With `first_ms`, the first frame is drawn at the end, as the TUI shows a
 * finished run, and `first_ms` gets the wall time from opening the pane to
 * it; `seek_ms` gets the wall time of the jump back to the middle, where
 * playback starts, and its frames are timed in the thread's CPU time (what
 * "a share of a core" means), else in wall time. */
static int frames(sl_trace *tr, unsigned cols, unsigned rows, int n_frames, uint64_t stride,
                  double *first_ms, double *seek_ms, double *us_per_frame)
{
    int rc;
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .replay = true};
    double t_open = now_us(CLOCK_MONOTONIC);
    rc = out && in ? sl_pane_open(&ui.main, tr, true, false) : SL_EIO;
    if (rc < 0) {
        sl_trace_free(tr);
        goto out;
    }
    ui.has_main = true;
    ui.play = SL_PLAY_PAUSED;
    sl_term_opts to = {
        .in = in, .out = out, .type = "xterm-256color", .cols = (int)cols, .rows = (int)rows};
    if ((rc = sl_term_open(&to)) < 0) {
        sl_pane_close(&ui.main);
        goto out;
    }
    ui.ascii = sl_term_ascii();
    uint64_t end = sl_play_end(&ui);
    if (stride == 0)
        stride = end / (uint64_t)n_frames;
    uint64_t from = 0;
    clockid_t clock = CLOCK_MONOTONIC;
    if (first_ms) {
        /* A finished run opens on its end, as the TUI shows it when the run
         * ends or a trace is replayed; playback then starts from the middle. */
        ui.t_ns = end;
        sl_play_fold(&ui);
        sl_ui_draw(&ui);
        *first_ms = (now_us(CLOCK_MONOTONIC) - t_open) / 1e3;
        /* The jump back to the middle is a seek, not playback: timed on
         * its own, and playback is timed from there. */
        from = end / 2;
        double s = now_us(CLOCK_MONOTONIC);
        ui.t_ns = from;
        sl_play_fold(&ui);
        sl_ui_draw(&ui);
        if (seek_ms)
            *seek_ms = (now_us(CLOCK_MONOTONIC) - s) / 1e3;
        clock = CLOCK_THREAD_CPUTIME_ID;
    }
    double a = now_us(clock);
    for (int f = 1; f <= n_frames; f++) {
        ui.t_ns = from + stride * (uint64_t)f;
        sl_play_fold(&ui);
        sl_ui_draw(&ui);
    }
    *us_per_frame = (now_us(clock) - a) / n_frames;
    sl_term_close();
    sl_pane_close(&ui.main);
out:
    if (out)
        fclose(out);
    if (in)
        fclose(in);
    return rc;
}

int sl_ui_bench_frame(unsigned cols, unsigned rows, uint32_t n_tasks, size_t n_events,
                      double *us_per_frame)
{
    sl_trace *tr;
    int rc = sl_synth_trace(&tr, n_tasks, n_events, 4);
    return rc < 0 ? rc : frames(tr, cols, rows, FRAMES, 0, NULL, NULL, us_per_frame);
}

int sl_ui_bench_playback(unsigned cols, unsigned rows, uint32_t n_tasks, size_t events_per_frame,
                         double *first_ms, double *seek_ms, double *us_per_frame)
{
    sl_trace *tr;
    int rc = sl_synth_loop_trace(&tr, n_tasks, 1000);
    return rc < 0 ? rc
                  : frames(tr, cols, rows, PLAYBACK_FRAMES,
                           (uint64_t)events_per_frame * SL_SYNTH_STEP_NS, first_ms, seek_ms,
                           us_per_frame);
}
