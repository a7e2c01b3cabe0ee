/*
 * view-help.c - the help overlay: the user's own keys (config.ini [keys])
 * first, then the binding table, the legend of states and the numbered
 * strategies. A remapped key is listed with what it acts as, so the help
 * answers for the keyboard the user has, not only the defaults.
 */
#include <stdio.h>

#include "ui/view.h"

static const char *const meaning[SL_ST__COUNT] = {
    [SL_ST_RUNNING] = "executing on a core",
    [SL_ST_READY] = "runnable, waiting for a core, the GIL or the loop",
    [SL_ST_WAITING] = "blocked on io, sleep, a lock or a child",
    [SL_ST_QUEUED] = "waiting for its turn: a pool worker, or the one runner",
    [SL_ST_STARTING] = "its process is being created, until its first step",
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

/* The key that runs the strategy in bar slot i: 1-9, 0 for the tenth (as on
 * the keyboard's row), Tab beyond. */
static void strategy_key(int i, char *buf, size_t size)
{
    if (i < 9)
        snprintf(buf, size, "%d", i + 1);
    else
        snprintf(buf, size, "%s", i == 9 ? "0" : "Tab");
}

/* Widths of the help's key column and strategy-name column: the widest
 * entry plus a gap, so every description starts in one column. */
static int key_column(const sl_ui *ui)
{
    int w = 3;
    for (size_t i = 0; i < ui->n_bindings; i++) {
        int lw = sl__term_width(sl__binding_label(&ui->bindings[i], ui->ascii));
        w = lw > w ? lw : w;
    }
    for (int st = 0; st < SL_ST__COUNT; st++) {
        int sw = 2 + sl__term_width(sl_state_name(st)); /* the legend's mark, a space, the name */
        w = sw > w ? sw : w;
    }
    return w + 2;
}

/* Text in the rest of a help line, shortened by the rule (fmt.c). */
static void put_fit(int y, int x, int w, int role, const char *s, bool ascii)
{
    char buf[256];
    sl__term_put(y, x, w, role, sl__fmt_fit(buf, sizeof buf, s, w, ascii));
}

static int name_column(const sl_ui *ui)
{
    int w = 8;
    for (int i = 0; i < ui->n_strategies; i++) {
        int nw = sl__term_width(sl_strategy_name(ui, i));
        w = nw > w ? nw : w;
    }
    return w + 2;
}

/* The binding a key belongs to, or NULL. */
static const sl_binding *binding_of(const sl_ui *ui, int key)
{
    for (size_t i = 0; i < ui->n_bindings; i++)
        for (const int *k = ui->bindings[i].keys; *k; k++)
            if (*k == key)
                return &ui->bindings[i];
    return NULL;
}

/* "j    acts as Down: select the next task". */
static void remap_line(const sl_ui *ui, size_t i, int y, int x, int w, int kw)
{
    char typed[16], target[16], line[256];
    const sl_binding *b = binding_of(ui, ui->remap[i][1]);
    const char *to = sl_key_name(ui->remap[i][1], target, sizeof target);
    sl__term_put(y, x, kw, SL_ROLE_KEY, sl_key_name(ui->remap[i][0], typed, sizeof typed));
    if (b != NULL)
        snprintf(line, sizeof line, "acts as %s: %s", to, b->help);
    else
        snprintf(line, sizeof line, "acts as %s", to);
    put_fit(y, x + kw, w - kw, SL_ROLE_NORMAL, line, ui->ascii);
}

void sl__view_help(const sl_ui *ui, sl_rect r)
{
    sl__term_box(r, "Help: keys (Esc closes, arrows scroll)");
    int x = r.x + 2, w = r.w - 4;
    int n_strategies = ui->n_strategies;
    static const uint8_t states[] = {SL_ST_RUNNING,  SL_ST_READY, SL_ST_WAITING, SL_ST_QUEUED,
                                     SL_ST_STARTING, SL_ST_DONE,  SL_ST_FAILED,  SL_ST_CANCELLED};
    /* Remapped keys, bindings, a gap, the legend title, the states, the
     * brief-run and the worker-move marks, a gap, the strategies title and
     * the strategies: scrolling stops at the last. */
    int remap_lines = ui->n_remaps ? (int)ui->n_remaps + 2 : 0; /* title, remaps, a gap */
    int lines =
        remap_lines + (int)ui->n_bindings + 1 + 1 + (int)sizeof states + 2 + 1 + 1 + n_strategies;
    int max_skip = lines - (r.h - 2) > 0 ? lines - (r.h - 2) : 0;
    int skip = ui->overlay_scroll < max_skip ? ui->overlay_scroll : max_skip;
    scroller sc = {.y = r.y + 1, .bottom = r.y + r.h - 1, .skip = skip};
    int kw = key_column(ui), nw = name_column(ui);
    int yy;
    if (ui->n_remaps) {
        if ((yy = next_row(&sc)) >= 0)
            sl__term_put(yy, x, w, SL_ROLE_TITLE, "Your keys (config.ini [keys])");
        for (size_t i = 0; i < ui->n_remaps; i++)
            if ((yy = next_row(&sc)) >= 0)
                remap_line(ui, i, yy, x, w, kw);
        next_row(&sc);
    }
    for (size_t i = 0; i < ui->n_bindings; i++) {
        yy = next_row(&sc);
        if (yy < 0)
            continue;
        const sl_binding *b = &ui->bindings[i];
        sl__term_put(yy, x, kw, SL_ROLE_KEY, sl__binding_label(b, ui->ascii));
        put_fit(yy, x + kw, w - kw, SL_ROLE_NORMAL, b->help, ui->ascii);
    }
    next_row(&sc);
    if ((yy = next_row(&sc)) >= 0)
        sl__term_put(yy, x, w, SL_ROLE_TITLE, "Legend");
    for (size_t i = 0; i < sizeof states; i++) {
        if ((yy = next_row(&sc)) < 0)
            continue;
        sl__term_put(yy, x, 1, SL_ROLE_STATE(states[i]), sl__theme_end_mark(states[i], ui->ascii));
        sl__term_putf(yy, x + 2, kw - 2, SL_ROLE_NORMAL, "%s", sl_state_name(states[i]));
        put_fit(yy, x + kw, w - kw, SL_ROLE_NORMAL, meaning[states[i]], ui->ascii);
    }
    if ((yy = next_row(&sc)) >= 0) {
        sl__term_put(yy, x, 1, SL_ROLE_ST_RUNNING, "_");
        sl__term_put(yy, x + 2, w - 2, SL_ROLE_NORMAL,
                     "underlined: a column that ran, but less long than the state it shows");
    }
    if ((yy = next_row(&sc)) >= 0) {
        sl__term_put(yy, x, 1, SL_ROLE_ACCENT, ui->ascii ? ">" : "»");
        put_fit(yy, x + 2, w - 2, SL_ROLE_NORMAL,
                "moved worker: a coroutine resumed on another work-stealing worker there",
                ui->ascii);
    }
    next_row(&sc);
    if ((yy = next_row(&sc)) >= 0)
        sl__term_put(yy, x, w, SL_ROLE_TITLE, "Strategies");
    for (int slot = 0; slot < ui->n_strategies; slot++) {
        if ((yy = next_row(&sc)) < 0)
            continue;
        int i = sl_ui_bar_strategy(ui, slot);
        char key[16];
        strategy_key(slot, key, sizeof key);
        int role = i == ui->strategy ? SL_ROLE_ACCENT : SL_ROLE_NORMAL;
        /* Keys here are at most "Tab": a narrow column leaves the
         * summaries room. */
        sl__term_put(yy, x, 5, SL_ROLE_KEY, key);
        sl__term_put(yy, x + 5, nw, role, ui->strategies[i].name);
        put_fit(yy, x + 5 + nw, w - 5 - nw, role, ui->strategies[i].summary, ui->ascii);
    }
}
