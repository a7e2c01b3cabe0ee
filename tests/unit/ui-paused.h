/*
 * ui-paused.h - the view state screen tests start from: the app's first
 * state (speed 1x, nothing selected, no compare run, paused) with the main
 * pane over a trace, and a way to draw it at a moment of the run.
 *
 * Header-only, static; include after cmocka.h and schedlab/ui.h.
 */
#ifndef SL_TEST_UI_PAUSED_H
#define SL_TEST_UI_PAUSED_H

#include <string.h>

#include "ui-vterm.h"

/* Resets *ui to the app's first state and opens its main pane over tr
 * (owned by the pane from then on): 0, or the pane's error. */
static inline int ui_open_paused(sl_ui *ui, sl_trace *tr)
{
    memset(ui, 0, sizeof *ui);
    ui->speed = 1.0;
    ui->sel = -1;
    ui->cmp_running = -1;
    ui->play = SL_PLAY_PAUSED;
    int rc = sl_pane_open(&ui->main, tr, true, false);
    ui->has_main = rc == 0;
    return rc;
}

/* Moves the playhead to t_ns and draws the screen into vs. */
static inline void ui_draw_at(sl_ui *ui, vscreen *vs, uint64_t t_ns)
{
    ui->t_ns = t_ns;
    sl_pane_seek(&ui->main, t_ns);
    sl_ui_draw(ui);
    vs_sync(vs);
}

#endif
