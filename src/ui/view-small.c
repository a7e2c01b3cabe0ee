/*
 * view-small.c - the screen below 80x24: say so plainly, with both sizes,
 * until the terminal is enlarged (the next resize redraws everything).
 */
#include <stdio.h>
#include <string.h>

#include "ui/layout.h"
#include "ui/view.h"

void sl__view_small(const sl_ui *ui, sl_rect r)
{
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: need %d%s%d, have %d%s%d", SL_UI_MIN_COLS,
             ui->ascii ? "x" : "×", SL_UI_MIN_ROWS, r.w, ui->ascii ? "x" : "×", r.h);
    const char *hint = "enlarge the window, or press q to quit";
    int y = r.h / 2 - 1;
    int w = sl__term_width(msg);
    sl__term_put(y, w < r.w ? (r.w - w) / 2 : 0, r.w, SL_ROLE_WARN, msg);
    w = (int)strlen(hint);
    sl__term_put(y + 1, w < r.w ? (r.w - w) / 2 : 0, r.w, SL_ROLE_DIM, hint);
}
