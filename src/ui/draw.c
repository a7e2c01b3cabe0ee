/*
 * draw.c - one frame: the views for the current mode, the open overlay on
 * top, one flush. The layout is recomputed here whenever the size changed,
 * so every path to a new size (resize, suspend, tests) goes through it.
 */
#include "ui/hit.h"
#include "ui/view.h"

void sl_ui_draw(sl_ui *ui)
{
    int cols, rows;
    sl_term_size(&cols, &rows);
    uint32_t cores = ui->has_main ? ui->main.model.n_cores : 1;
    int bar_rows = sl__bar_rows(ui, cols, rows);
    if (cols != ui->lay.cols || rows != ui->lay.rows || bar_rows != ui->lay.header.h - 1)
        sl__layout_compute(&ui->lay, cols, rows, cores, bar_rows);
    const sl_layout *l = &ui->lay;
    sl__term_begin();
    sl__hit_reset();
    if (l->too_small) {
        sl__view_small(ui, (sl_rect){0, 0, cols, rows});
        sl__term_flush();
        return;
    }
    sl__view_header(ui, l->header);
    if (ui->compare) {
        sl__view_compare(ui, l->body);
    } else if (ui->has_main) {
        sl__view_timeline(ui, &ui->main, l->timeline, SL_TL_TITLE | SL_TL_AXIS);
        sl__view_running(ui, l->running);
        if (ui->predict.on && ui->predict.asking)
            sl__view_candidates(ui, l->ready);
        else
            sl__view_ready(ui, l->ready);
        sl__view_waiting(ui, l->waiting);
        /* Narrow screens share one column: Queued (or Starting) while a
         * backlog waits or processes start, then what has completed (or as
         * the a key says). */
        uint32_t queued;
        bool none_queued = sl_model_queued(&ui->main.model, &queued, 1) == 0 &&
                           sl_model_starting(&ui->main.model, &queued, 1) == 0;
        if (l->completed.w > 0) {
            sl__view_queued(ui, l->queued);
            sl__view_completed(ui, l->completed, false);
        } else if (ui->show_completed || none_queued) {
            sl__view_completed(ui, l->queued, !ui->show_completed);
        } else {
            sl__view_queued(ui, l->queued);
        }
        sl__view_cores(ui, l->cores);
        sl__view_objects(ui, sl__objects_rect(ui, l->cores));
        sl__view_counters(ui, &ui->main, l->counters, false);
    }
    if (ui->predict.on && !ui->compare)
        sl__view_predict(ui, l->caption);
    else
        sl__view_caption(ui, l->caption);
    sl__view_footer(ui, l->footer);
    if (ui->overlay != SL_OV_NONE)
        sl__hit_add(l->overlay, SL_HIT_NONE, 0); /* nothing under it answers */
    switch (ui->overlay) {
    case SL_OV_HELP:
        sl__view_help(ui, l->overlay);
        break;
    case SL_OV_DETAILS:
        sl__view_details(ui, l->overlay);
        break;
    case SL_OV_LESSONS:
        sl__view_lessons(ui, l->overlay);
        break;
    case SL_OV_INTRO:
        sl__view_intro(ui, l->body);
        break;
    default:
        break;
    }
    if (ui->say[0] || ui->say_paused)
        sl__view_say(ui, l->caption);
    sl__term_flush();
}
