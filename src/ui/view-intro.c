/*
 * view-intro.c - the lesson explains itself: its caption paragraph in a box
 * that sits over the lists and cores, so the header and the timeline stay
 * in view while the run starts behind it. Any key closes it; i opens it
 * again.
 */
#include "ui/view.h"

void sl__view_intro(const sl_ui *ui, sl_rect body)
{
    if (!ui->sc)
        return;
    const char *cap = ui->sc->caption ? ui->sc->caption : "This lesson has no caption.";
    int w = body.w - 4 < 100 ? body.w - 4 : 100;
    /* Box, margin, paragraph, a blank line and the hint. */
    int h = sl__wrap_lines(cap, w - 4) + 4;
    int max_h = body.h - 3;
    if (h > max_h)
        h = max_h;
    sl_rect r = {.x = body.x + (body.w - w) / 2, .y = body.y + body.h - h, .w = w, .h = h};
    sl__term_box(r, ui->sc->title ? ui->sc->title : ui->sc->name);
    sl_rect text = {.x = r.x + 1, .y = r.y + 1, .w = r.w - 2, .h = r.h - 3};
    sl__view_wrap(text.y, text, SL_ROLE_NORMAL, cap);
    sl__term_put(r.y + r.h - 2, r.x + 2, r.w - 4, SL_ROLE_DIM,
                 "Esc or Enter closes; i shows this again; s picks another lesson");
}
