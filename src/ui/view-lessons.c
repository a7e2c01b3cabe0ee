/*
 * view-lessons.c - the lesson picker: each lesson's name and title, and a
 * line about it (its caption's first sentence). When every lesson gets two
 * rows the line stands under each title; on a short screen it is shown for
 * the lesson under the cursor only, below the list.
 */
#include <string.h>

#include "ui/view.h"

#define NAME_W 20

/* Writes text into w columns; a text too long is cut after a whole word
 * and ends in an ellipsis, never mid-word. */
static void put_words(int y, int x, int w, int role, const char *text, bool ascii)
{
    if (sl__term_width(text) <= w) {
        sl__term_put(y, x, w, role, text);
        return;
    }
    const char *dots = ascii ? "..." : "…";
    int cut = sl__wrap_cut(text, w - sl__term_width(dots) - 1);
    while (cut > 0 && (text[cut - 1] == ',' || text[cut - 1] == ' ' || text[cut - 1] == ':'))
        cut--;
    x += sl__term_putf(y, x, w, role, "%.*s", cut, text);
    sl__term_put(y, x, -1, role, dots);
}

void sl__view_lessons(const sl_ui *ui, sl_rect r)
{
    sl__term_box(r, "Pick a lesson (Enter runs it, Esc closes)");
    int rows = r.h - 2, w = r.w - 4;
    if (ui->n_lessons == 0) {
        sl__term_put(r.y + 1, r.x + 2, w, SL_ROLE_WARN, "no lessons found");
        return;
    }
    bool two = rows >= 2 * ui->n_lessons;
    /* One row each: the list, a rule, and the current lesson's line. */
    int about_h = two ? 0 : 4;
    int per = two ? 2 : 1;
    int fit = (rows - about_h) / per;
    int first = ui->overlay_sel >= fit ? ui->overlay_sel - fit + 1 : 0;
    for (int i = 0; i < fit && first + i < ui->n_lessons; i++) {
        int k = first + i, y = r.y + 1 + i * per;
        int role = k == ui->overlay_sel ? SL_ROLE_SELECTED : SL_ROLE_NORMAL;
        sl__term_putf(y, r.x + 2, NAME_W + 2, role, "%s %-*s", k == ui->overlay_sel ? ">" : " ",
                      NAME_W, ui->lessons[k]);
        if (ui->lesson_titles)
            put_words(y, r.x + 2 + NAME_W + 3, w - NAME_W - 3, role, ui->lesson_titles[k],
                      ui->ascii);
        if (two && ui->lesson_about)
            put_words(y + 1, r.x + 4, w - 2, SL_ROLE_DIM, ui->lesson_about[k], ui->ascii);
    }
    if (!two && ui->lesson_about) {
        sl_rect about = {
            .x = r.x + 1, .y = r.y + r.h - 1 - (about_h - 1), .w = r.w - 2, .h = about_h - 1};
        sl__view_wrap(about.y, about, SL_ROLE_DIM, ui->lesson_about[ui->overlay_sel]);
    }
}
