/*
 * bench.c - the cost of a frame, for `schedlab bench` (tui_frame_us).
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

int sl_ui_bench_frame(unsigned cols, unsigned rows, uint32_t n_tasks, size_t n_events,
                      double *us_per_frame)
{
    sl_trace *tr;
    int rc = sl_synth_trace(&tr, n_tasks, n_events, 4);
    if (rc < 0)
        return rc;
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    sl_ui ui = {.speed = 1.0, .sel = -1, .cmp_running = -1, .replay = true};
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
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int f = 1; f <= FRAMES; f++) {
        ui.t_ns = end / FRAMES * (uint64_t)f;
        sl_play_fold(&ui);
        sl_ui_draw(&ui);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    *us_per_frame =
        ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) / FRAMES;
    sl_term_close();
    sl_pane_close(&ui.main);
out:
    if (out)
        fclose(out);
    if (in)
        fclose(in);
    return rc;
}
