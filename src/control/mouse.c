/*
 * mouse.c - what a click or a wheel turn does, as in btop: click a
 * strategy to run it, click a task (its timeline row or a list entry) to
 * select it and click it again for its details, turn the wheel to zoom the
 * time axis. Clicks are resolved against the areas the last frame drew
 * (hit.c), so what is under the pointer is what the click acts on.
 */
#include <stdio.h>

#include "control/keys.h"

static int click(sl_ui *ui, int x, int y)
{
    if (ui->overlay != SL_OV_NONE)
        return sl__keys_handle(ui, SL_KEY_ESC); /* a click closes the overlay */
    sl_hit h = sl_hit_at(x, y);
    switch (h.kind) {
    case SL_HIT_STRATEGY:
        if (ui->predict.on) {
            snprintf(ui->status, sizeof ui->status,
                     "Predict mode keeps the strategy: press p to leave it first.");
            return SL_REDRAW;
        }
        return sl__keys_choose_strategy(ui, h.index);
    case SL_HIT_TASK:
        if (ui->sel == h.index && !ui->compare)
            return sl__keys_handle(ui, SL_KEY_ENTER); /* the second click: details */
        ui->sel = h.index;
        return SL_REDRAW;
    default:
        return 0;
    }
}

int sl__mouse_handle(sl_ui *ui, sl_mouse m)
{
    switch (m.kind) {
    case SL_MOUSE_CLICK:
        return click(ui, m.x, m.y);
    case SL_MOUSE_WHEEL_UP:
        return sl__keys_handle(ui, ui->overlay != SL_OV_NONE ? SL_KEY_UP : 'z');
    case SL_MOUSE_WHEEL_DOWN:
        return sl__keys_handle(ui, ui->overlay != SL_OV_NONE ? SL_KEY_DOWN : 'Z');
    default:
        return 0;
    }
}
