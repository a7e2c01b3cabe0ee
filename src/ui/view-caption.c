/*
 * view-caption.c - one plain sentence about what happens at the playhead,
 * then the teaching lints that hold now. A transient status (a key that
 * could not act) takes the first line until the next key; why the run
 * stopped early, if it did, stays below it until the next run.
 */
#include <string.h>

#include "ui/term.h"
#include "ui/view.h"

int sl__wrap_cut(const char *text, int w)
{
    int len = (int)strlen(text), cut = len;
    if (sl__term_width(text) > w) {
        /* Last space that keeps the line within w bytes (captions are
         * mostly ASCII: a multi-byte character only shortens a line). */
        cut = w < len ? w : len;
        while (cut > 0 && text[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = w;
    }
    return cut;
}

int sl__wrap_lines(const char *text, int w)
{
    int n = 0;
    while (*text && w > 0) {
        text += sl__wrap_cut(text, w);
        while (*text == ' ')
            text++;
        n++;
    }
    return n;
}

int sl__view_wrap(int y, sl_rect r, int role, const char *text)
{
    int w = r.w - 2;
    while (*text && y < r.y + r.h && w > 0) {
        int cut = sl__wrap_cut(text, w);
        /* The last row and more text than it holds: whole words and a mark
         * that says the rest is missing, never half a word. */
        if (y == r.y + r.h - 1 && text[cut + (int)strspn(text + cut, " ")] != '\0') {
            sl__put_fit(y++, r.x + 1, w, role, text);
            break;
        }
        sl__term_putf(y++, r.x + 1, w, role, "%.*s", cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return y;
}

/* At the end of a finished run: what it measured, in one line. */
static int takeaway(const sl_ui *ui, int y, sl_rect r)
{
    const sl_pane *p = &ui->main;
    if (!p->have_stats || p->live || ui->t_ns < sl_pane_end(p) || y >= r.y + r.h)
        return y;
    char line[320];
    sl_takeaway(&p->stats, &p->trace->meta, line, sizeof line);
    return sl__view_wrap(y, (sl_rect){r.x, y, r.w, r.y + r.h - y}, SL_ROLE_GOOD, line);
}

void sl__put_fit(int y, int x, int w, int role, const char *text)
{
    char fit[1024];
    sl__term_put(y, x, w, role, sl__fmt_fit(fit, sizeof fit, text, w, sl_term_ascii()));
}

void sl__view_caption(const sl_ui *ui, sl_rect r)
{
    int y = r.y;
    if (ui->status[0] && y < r.y + r.h)
        sl__put_fit(y++, r.x + 1, r.w - 2, SL_ROLE_WARN, ui->status);
    if (ui->stopped[0] && !ui->compare && y < r.y + r.h)
        sl__put_fit(y++, r.x + 1, r.w - 2, SL_ROLE_WARN, ui->stopped);
    if (ui->compare) {
        char verdict[320];
        sl__compare_verdict(ui, verdict, sizeof verdict);
        sl__view_wrap(y, r, SL_ROLE_GOOD, verdict);
        return;
    }
    if (!ui->has_main)
        return;
    char cap[512];
    sl_model_caption(&ui->main.model, ui->main.trace, cap, sizeof cap);
    sl_lint lints[4];
    size_t n = sl_lints(&ui->main.model, &ui->main.trace->meta, lints, 4);
    /* The caption wraps over the rows the lints leave it, at least one. */
    int left = r.y + r.h - y, cap_h = left - (int)n;
    if (cap_h < 1)
        cap_h = 1;
    if (y < r.y + r.h)
        y = sl__view_wrap(y, (sl_rect){r.x, y, r.w, cap_h < left ? cap_h : left}, SL_ROLE_NORMAL,
                          cap);
    y = takeaway(ui, y, r);
    for (size_t i = 0; i < n && y < r.y + r.h; i++, y++) {
        int x = r.x + 1;
        x += sl__term_put(y, x, -1, SL_ROLE_WARN, ui->ascii ? "! " : "⚠ ");
        sl__put_fit(y, x, r.x + r.w - x - 1, SL_ROLE_WARN, lints[i].text);
    }
}
