/*
 * view-bar.c - the strategy bar under the header: which number key runs
 * which strategy, the lesson's own strategies first.
 *
 * The bar's order is the keys' order: 1-9 pick its first nine slots, 0 the
 * tenth, Tab walks it. A lesson lists the strategies it compares; those come
 * first so that a class sees, and presses, the ones the lesson is about.
 * Every numbered entry is drawn whole, on as many rows as the width needs
 * (the layout asks sl__bar_rows), so no key the help lists is hidden; the
 * strategies past the tenth follow "Tab:" when they fit those rows, and the
 * one running is always named.
 */
#include <string.h>

#include "ui/hit.h"
#include "ui/view.h"

/* Slots that have a number key: 1-9 and 0. */
#define NUMBERED 10

int sl_ui_bar_strategy(const sl_ui *ui, int slot)
{
    if (slot < 0 || slot >= ui->n_strategies)
        return -1;
    return ui->n_bar == ui->n_strategies ? ui->bar[slot] : slot;
}

int sl_ui_bar_slot(const sl_ui *ui, int strategy)
{
    for (int s = 0; s < ui->n_strategies; s++)
        if (sl_ui_bar_strategy(ui, s) == strategy)
            return s;
    return -1;
}

static void bar_add(sl_ui *ui, int strategy)
{
    for (int s = 0; s < ui->n_bar; s++)
        if (ui->bar[s] == strategy)
            return;
    ui->bar[ui->n_bar++] = strategy;
}

void sl_ui_bar_order(sl_ui *ui, const char *list)
{
    ui->n_bar = 0;
    /* "threads, threads:nogil, gil": a strategy once, whatever its runtime. */
    while (list != NULL && *list) {
        list += strspn(list, ", ");
        size_t len = strcspn(list, ", "), name = strcspn(list, ":, ");
        for (int i = 0; i < ui->n_strategies && name > 0; i++)
            if (strlen(sl_strategy_name(ui, i)) == name &&
                strncmp(sl_strategy_name(ui, i), list, name) == 0)
                bar_add(ui, i);
        list += len;
    }
    for (int i = 0; i < ui->n_strategies; i++)
        bar_add(ui, i);
}

/* The key of bar slot s: "1".."9", "0". */
static char slot_key(int s)
{
    return (char)('0' + (s + 1) % 10);
}

/* Lays the bar out in r from its second column, drawing it when `draw`;
 * returns the rows it takes. The numbered entries come first; the
 * strategies past the tenth have no number key (Tab reaches them) and
 * follow after "Tab:", all of them when they fit the rows the numbered
 * ones take, else only the one running, so that the strategy on screen is
 * always named in the bar. */
static int flow(const sl_ui *ui, sl_rect r, bool draw, bool extras)
{
    int n = ui->n_strategies < NUMBERED ? ui->n_strategies : NUMBERED;
    const char *label = "strategies: ", *tab = "Tab:";
    int x0 = r.x + 1, end = r.x + r.w - 1;
    /* The label only when the whole bar fits one row beside it. */
    int one_row = sl__term_width(label);
    for (int s = 0; s < ui->n_strategies; s++)
        if (s < n || extras)
            one_row += 2 + sl__term_width(sl_strategy_name(ui, sl_ui_bar_strategy(ui, s))) + 2;
    if (extras && ui->n_strategies > n)
        one_row += sl__term_width(tab) + 1;
    int x = x0, row = 0;
    if (x0 + one_row - 2 <= end) {
        if (draw)
            sl__term_put(r.y, x, -1, SL_ROLE_DIM, label);
        x += sl__term_width(label);
    }
    bool tab_drawn = false;
    for (int s = 0; s < ui->n_strategies; s++) {
        int i = sl_ui_bar_strategy(ui, s);
        if (s >= n && !extras && i != ui->strategy)
            continue;
        const char *name = sl_strategy_name(ui, i);
        int lead = s < n ? 2 : tab_drawn ? 0 : sl__term_width(tab) + 1;
        int w = lead + sl__term_width(name);
        if (x > x0 && x + w > end) {
            row++;
            x = x0;
        }
        if (draw && row < r.h) {
            int role = i == ui->strategy ? SL_ROLE_ACCENT : SL_ROLE_NORMAL;
            if (s < n) {
                char key[2] = {slot_key(s), '\0'};
                sl__term_put(r.y + row, x, 1, SL_ROLE_KEY, key);
            } else if (!tab_drawn) {
                sl__term_put(r.y + row, x, -1, SL_ROLE_KEY, tab);
            }
            sl__term_put(r.y + row, x + lead, end - x - lead, role, name);
            sl__hit_add((sl_rect){x, r.y + row, w, 1}, SL_HIT_STRATEGY, i);
        }
        if (s >= n)
            tab_drawn = true;
        x += w + 2;
    }
    return row + 1;
}

/* Whether every strategy past the tenth fits in the rows the numbered
 * ones (and the one running) take anyway. */
static bool extras_fit(const sl_ui *ui, int cols)
{
    sl_rect r = {0, 0, cols, 1};
    return flow(ui, r, false, true) <= flow(ui, r, false, false);
}

int sl__bar_rows(const sl_ui *ui, int cols, int rows)
{
    /* A replay runs nothing: a tall screen says what it replays instead. */
    if (ui->replay)
        return rows >= 32;
    if (ui->n_strategies == 0)
        return 0;
    return flow(ui, (sl_rect){0, 0, cols, 1}, false, extras_fit(ui, cols));
}

void sl__view_bar(const sl_ui *ui, sl_rect r)
{
    if (r.h > 0)
        flow(ui, r, true, extras_fit(ui, r.w));
}
