/*
 * view-say.c - a demo's caption: what the lecturer's script says, word-wrapped
 * over the caption bar, and a hint while a live demo waits for a key.
 */
#include <stdio.h>
#include <string.h>

#include "ui/view.h"

/* Word-wraps the caption into r; returns the rows used. */
static int wrap(const char *text, sl_rect r, bool ascii)
{
    const char *mark = ascii ? "> " : "» ";
    int w = r.w - 4, y = r.y;
    char line[SL_UI_MAX_SAY + 8];
    size_t len = 0;
    while (*text && y < r.y + r.h) {
        size_t wl = strcspn(text, " ");
        char word[SL_UI_MAX_SAY + 1];
        snprintf(word, sizeof word, "%.*s", (int)wl, text);
        if (len && sl__term_width(line) + 1 + sl__term_width(word) > w) {
            sl__term_put(y, r.x + 1, -1, SL_ROLE_TITLE, y == r.y ? mark : "  ");
            sl__term_put(y++, r.x + 3, w, SL_ROLE_TITLE, line);
            len = 0;
        }
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", len ? " " : "", word);
        text += wl;
        text += strspn(text, " ");
    }
    if (len && y < r.y + r.h) {
        sl__term_put(y, r.x + 1, -1, SL_ROLE_TITLE, y == r.y ? mark : "  ");
        sl__term_put(y++, r.x + 3, w, SL_ROLE_TITLE, line);
    }
    return y - r.y;
}

void sl__view_say(const sl_ui *ui, sl_rect r)
{
    if (ui->lay.too_small || ui->lay.cols <= 0)
        return;
    sl__term_fill(r, SL_ROLE_NORMAL);
    wrap(ui->say, r, ui->ascii);
    if (ui->say_paused) {
        const char *hint = "(paused: any key continues)";
        int w = sl__term_width(hint);
        sl__term_put(r.y + r.h - 1, r.x + r.w - w - 1, w, SL_ROLE_DIM, hint);
    }
}
