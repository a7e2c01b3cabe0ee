/*
 * view-help.c - the help overlay, generated from the binding table, then
 * the legend of states and the numbered strategies.
 */
#include <stdio.h>

#include "ui/view.h"

static const char *const meaning[SL_ST__COUNT] = {
    [SL_ST_RUNNING] = "executing on a core",
    [SL_ST_READY] = "runnable, waiting for a core, the GIL or the loop",
    [SL_ST_WAITING] = "blocked on io, sleep, a lock or a child",
    [SL_ST_QUEUED] = "submitted, waiting for a pool worker",
    [SL_ST_DONE] = "finished",
    [SL_ST_FAILED] = "crashed or returned an error",
    [SL_ST_CANCELLED] = "cancelled before it started (x, or a stopped run)",
};

/* Lines of a scrolled overlay: the screen row of the next line, or -1
 * while it is scrolled off. */
typedef struct scroller {
    int line, y, bottom, skip;
} scroller;

static int next_row(scroller *c)
{
    int y = c->line >= c->skip && c->y < c->bottom ? c->y++ : -1;
    c->line++;
    return y;
}

void sl__view_help(const sl_ui *ui, sl_rect r)
{
    sl__term_box(r, "Help: keys (Esc closes, arrows scroll)");
    int x = r.x + 2, w = r.w - 4;
    int n_strategies = ui->n_strategies;
    static const uint8_t states[] = {SL_ST_RUNNING, SL_ST_READY,  SL_ST_WAITING,  SL_ST_QUEUED,
                                     SL_ST_DONE,    SL_ST_FAILED, SL_ST_CANCELLED};
    /* Bindings, a gap, the legend title and the states, a gap, the
     * strategies title and the strategies: scrolling stops at the last. */
    int lines = (int)ui->n_bindings + 1 + 1 + (int)sizeof states + 1 + 1 + n_strategies;
    int max_skip = lines - (r.h - 2) > 0 ? lines - (r.h - 2) : 0;
    int skip = ui->overlay_scroll < max_skip ? ui->overlay_scroll : max_skip;
    scroller sc = {.y = r.y + 1, .bottom = r.y + r.h - 1, .skip = skip};
    for (size_t i = 0; i < ui->n_bindings; i++) {
        int yy = next_row(&sc);
        if (yy < 0)
            continue;
        const sl_binding *b = &ui->bindings[i];
        sl__term_put(yy, x, 12, SL_ROLE_KEY, sl__binding_label(b, ui->ascii));
        sl__term_put(yy, x + 12, w - 12, SL_ROLE_NORMAL, b->help);
    }
    next_row(&sc);
    int yy = next_row(&sc);
    if (yy >= 0)
        sl__term_put(yy, x, w, SL_ROLE_TITLE, "Legend");
    for (size_t i = 0; i < sizeof states; i++) {
        if ((yy = next_row(&sc)) < 0)
            continue;
        sl__term_put(yy, x, 1, SL_ROLE_STATE(states[i]), sl__theme_end_mark(states[i], ui->ascii));
        sl__term_putf(yy, x + 2, w - 2, SL_ROLE_NORMAL, "%-8s %s", sl_state_name(states[i]),
                      meaning[states[i]]);
    }
    next_row(&sc);
    if ((yy = next_row(&sc)) >= 0)
        sl__term_put(yy, x, w, SL_ROLE_TITLE, "Strategies");
    for (int i = 0; i < ui->n_strategies; i++) {
        if ((yy = next_row(&sc)) < 0)
            continue;
        sl__term_putf(yy, x, 3, SL_ROLE_KEY, "%d", i + 1);
        sl__term_putf(yy, x + 3, w - 3, i == ui->strategy ? SL_ROLE_ACCENT : SL_ROLE_NORMAL,
                      "%-14s %s", ui->strategies[i].name, ui->strategies[i].summary);
    }
}
