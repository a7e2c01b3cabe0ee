/*
 * view-predict.c - predict mode's bar: the question, the score, and after a
 * guess what really ran next and why.
 */
#include "ui/view.h"

void sl__view_predict(const sl_ui *ui, sl_rect r)
{
    const sl_predict *pr = &ui->predict;
    int x = r.x + 1;
    x += sl__term_put(r.y, x, -1, SL_ROLE_LIVE, " PREDICT ");
    x++;
    x += sl__term_putf(r.y, x, -1, SL_ROLE_ACCENT, "score %u/%u  ", pr->right, pr->asked);
    if (pr->asking)
        sl__term_putf(r.y, x, r.x + r.w - x - 1, SL_ROLE_NORMAL,
                      "Which ready task runs next? Press 1-%u (a dispatch is due).", pr->n_cand);
    else if (pr->revealed)
        sl__term_put(r.y, x, r.x + r.w - x - 1, SL_ROLE_NORMAL,
                     "Space: next question   p: leave predict mode");
    else
        sl__term_put(r.y, x, r.x + r.w - x - 1, SL_ROLE_NORMAL,
                     "Space: stop before the next dispatch");
    if (r.h < 2)
        return;
    if (pr->revealed)
        sl__term_put(r.y + 1, r.x + 1, r.w - 2,
                     pr->guess >= 0 && pr->cand[pr->guess] == pr->answer ? SL_ROLE_GOOD
                                                                         : SL_ROLE_WARN,
                     pr->note);
    else if (ui->status[0])
        sl__term_put(r.y + 1, r.x + 1, r.w - 2, SL_ROLE_WARN, ui->status);
}
