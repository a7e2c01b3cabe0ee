/*
 * view-compare.c - every compared strategy on one clock: a summary table
 * from each run's statistics, then a compact timeline and counters per run,
 * all folded to the same playhead; the verdict goes in the caption bar.
 */
#include <stdio.h>
#include <string.h>

#include "ui/view.h"

/* The baseline for speedups: sequential if it was compared, else the slowest. */
static const sl_stats *baseline(const sl_ui *ui)
{
    const sl_stats *base = NULL;
    for (uint32_t i = 0; i < ui->n_cmp; i++) {
        const sl_pane *p = &ui->cmp[i];
        if (!p->have_stats)
            continue;
        if (strcmp(p->trace->meta.strategy, "sequential") == 0)
            return &p->stats;
        if (!base || p->stats.wall_ns > base->wall_ns)
            base = &p->stats;
    }
    return base;
}

static const char *why_it_wins(const char *name)
{
    if (strncmp(name, "coroutines", 10) == 0 || strncmp(name, "async", 5) == 0)
        return "one event loop overlaps every wait without a thread per task";
    if (strncmp(name, "proc", 4) == 0)
        return "separate processes put the cpu work on every core, no GIL";
    if (strncmp(name, "thread", 6) == 0)
        return "threads overlap the waits and the OS spreads cpu work over the cores";
    if (strcmp(name, "gil") == 0)
        return "the GIL serialises cpu work, but io waits still overlap";
    return "concurrency did not pay here: start-up and switching cost more than they saved";
}

void sl__compare_verdict(const sl_ui *ui, char *buf, size_t size)
{
    const sl_pane *best = NULL;
    for (uint32_t i = 0; i < ui->n_cmp; i++)
        if (ui->cmp[i].have_stats && (!best || ui->cmp[i].stats.wall_ns < best->stats.wall_ns))
            best = &ui->cmp[i];
    const sl_stats *base = baseline(ui);
    if (!best || !base || best->stats.wall_ns == 0) {
        snprintf(buf, size, "Runs one strategy at a time, so each has the machine to itself.");
        return;
    }
    char kind[96] = "";
    if (ui->sc) {
        uint64_t cpu, wait;
        sl_scenario_totals(ui->sc, &cpu, &wait);
        char a[32], b[32];
        const char *k = wait > 2 * cpu ? "io-bound" : cpu > 2 * wait ? "cpu-bound" : "mixed";
        snprintf(kind, sizeof kind, "%s (waits %s, cpu %s): ", k,
                 sl__fmt_dur(a, sizeof a, wait, ui->ascii),
                 sl__fmt_dur(b, sizeof b, cpu, ui->ascii));
    }
    snprintf(buf, size, "%s%s wins, %.1fx the baseline: %s.", kind, best->trace->meta.strategy,
             (double)base->wall_ns / (double)best->stats.wall_ns,
             why_it_wins(best->trace->meta.strategy));
}

static void table(const sl_ui *ui, sl_rect r, int *used)
{
    int y = r.y, x = r.x + 1;
    sl__term_putf(y++, x, r.w - 1, SL_ROLE_TITLE, "%-14s %9s %8s %11s %9s %11s %9s", "strategy",
                  "wall", "speedup", "cores used", "switches", "ready lat", "memory");
    const sl_stats *base = baseline(ui);
    for (uint32_t i = 0; i < ui->n_cmp; i++) {
        const sl_pane *p = &ui->cmp[i];
        if (!p->have_stats)
            continue;
        const sl_stats *s = &p->stats;
        char wall[32], mem[32];
        sl__fmt_dur(wall, sizeof wall, s->wall_ns, ui->ascii);
        snprintf(mem, sizeof mem, "%.1fMB", (double)s->peak_rss_kb / 1024.0);
        unsigned long long sw = s->switches_voluntary + s->switches_involuntary +
                                s->switches_coroutine + s->switches_gil;
        double speedup = base && s->wall_ns ? (double)base->wall_ns / (double)s->wall_ns : 0;
        sl__term_putf(y++, x, r.w - 1, SL_ROLE_NORMAL,
                      "%-14s %9s %7.1fx %5.1f / %-3u %9llu %9.2fms %9s", p->trace->meta.strategy,
                      wall, speedup, s->mean_cores, s->max_cores, sw, s->ready_ms_mean, mem);
    }
    *used = y - r.y;
}

void sl__view_compare(const sl_ui *ui, sl_rect r)
{
    int y = r.y;
    if (ui->cmp_running >= 0) {
        sl__term_putf(y++, r.x + 1, r.w - 2, SL_ROLE_WARN,
                      "Running %d of %u: %s... one at a time, so no run steals cores from another.",
                      ui->cmp_running + 1, ui->n_cmp_planned,
                      sl__strategy_name(ui->cmp_strategy[ui->cmp_running]));
    }
    int used = 0;
    table(ui, (sl_rect){r.x, y, r.w, r.h - (y - r.y)}, &used);
    y += used;
    if (ui->cmp_running >= 0 || ui->n_cmp == 0)
        return;

    /* The runs side by side: name and counters, then lanes; the shared
     * time axis only under the last one. When that does not fit, one
     * merged lane per run, named by its strategy. */
    int left = r.y + r.h - y;
    int per = (left - 1) / (int)ui->n_cmp;
    if (per < 3) {
        for (uint32_t i = 0; i < ui->n_cmp && y < r.y + r.h - 1; i++, y++) {
            bool last = i + 1 == ui->n_cmp || y + 2 >= r.y + r.h;
            sl__view_timeline(ui, &ui->cmp[i], (sl_rect){r.x, y, r.w, last ? 2 : 1},
                              SL_TL_NAMED | (last ? SL_TL_AXIS : 0));
        }
        return;
    }
    for (uint32_t i = 0; i < ui->n_cmp; i++) {
        const sl_pane *p = &ui->cmp[i];
        bool last = i + 1 == ui->n_cmp;
        int h = last ? r.y + r.h - y : per;
        int x = r.x + 1;
        x += sl__term_putf(y, x, 16, SL_ROLE_ACCENT, "%-15s ", p->trace->meta.strategy);
        sl__view_counters(ui, p, (sl_rect){x, y, r.x + r.w - x, 1}, true);
        sl__view_timeline(ui, p, (sl_rect){r.x, y + 1, r.w, h - 1},
                          SL_TL_LANES | (last ? SL_TL_AXIS : 0));
        y += h;
    }
}
