/*
 * view-compare.c - every compared strategy on one clock: a summary table
 * from each run's statistics, then a compact timeline and counters per run,
 * all folded to the same playhead; the verdict, from the same rule as
 * `run --format verdict`, goes in the caption bar once every chosen
 * strategy has run (before, the bar shows how many have).
 */
#include <stdio.h>
#include <string.h>

#include "ui/view.h"

/* The views' entry for a strategy named in a trace, or NULL. */
static const sl_ui_strategy *find_strategy(const sl_ui *ui, const char *name)
{
    for (int i = 0; i < ui->n_strategies; i++)
        if (ui->strategies[i].name && strcmp(ui->strategies[i].name, name) == 0)
            return &ui->strategies[i];
    return NULL;
}

/* The compared runs as report rows, so compare mode and `run --format
 * verdict` recommend with one rule (export/verdict.c). Returns the count. */
static size_t report_rows(const sl_ui *ui, sl_report_row *rows, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < ui->n_cmp && n < max; i++) {
        const sl_pane *p = &ui->cmp[i];
        if (!p->have_stats)
            continue;
        sl_report_row *row = &rows[n++];
        memset(row, 0, sizeof(*row));
        snprintf(row->strategy, sizeof(row->strategy), "%s", p->trace->meta.strategy);
        row->stats = p->stats;
        const sl_ui_strategy *st = find_strategy(ui, row->strategy);
        row->blocking_calls = st == NULL || !st->event_loop_io;
        row->gil = p->trace->meta.gil;
        row->gil_scope = st != NULL ? st->gil_scope : SL_GIL_SCOPE_NONE;
        row->workers = p->trace->meta.workers;
        if (p->trace->meta.gil == SL_GIL_OFF && row->gil_scope == SL_GIL_SCOPE_RUN)
            snprintf(row->strategy, sizeof(row->strategy), "%.24s:nogil", p->trace->meta.strategy);
    }
    return n;
}

/* The compared runs as a report: the one the recommendation reads. */
static sl_report compared(const sl_ui *ui, sl_report_row *rows)
{
    uint32_t cores = ui->n_cmp ? ui->cmp[0].trace->meta.cores : 1;
    return (sl_report){
        .rows = rows, .n_rows = report_rows(ui, rows, SL_UI_MAX_CMP), .cores = cores};
}

void sl__compare_verdict(const sl_ui *ui, char *buf, size_t size)
{
    /* A verdict on some of the runs would change its mind as the others
     * come in: until every chosen strategy has run, only the progress. */
    if (ui->cmp_running >= 0) {
        snprintf(buf, size,
                 "%u of %u strategies have run; the recommendation comes once all %u have, "
                 "one at a time so each has the machine to itself.",
                 ui->n_cmp, ui->n_cmp_planned, ui->n_cmp_planned);
        return;
    }
    if (ui->n_cmp < ui->n_cmp_planned) {
        snprintf(buf, size, "Only %u of %u strategies ran: no recommendation (c compares again).",
                 ui->n_cmp, ui->n_cmp_planned);
        return;
    }
    sl_report_row rows[SL_UI_MAX_CMP];
    sl_report rep = compared(ui, rows);
    char why[640];
    int best = rep.n_rows ? sl_report_recommend(&rep, why, sizeof(why)) : -1;
    if (best < 0) {
        snprintf(buf, size, "Runs one strategy at a time, so each has the machine to itself.");
        return;
    }
    snprintf(buf, size, "recommended: %s - %s", rows[best].strategy, why);
}

/* The verdict table's measured columns (see `run --format verdict`). */
static void table(const sl_ui *ui, sl_rect r, int *used)
{
    int y = r.y, x = r.x + 1;
    sl__term_putf(y++, x, r.w - 1, SL_ROLE_TITLE, "%-16s %4s %8s %8s %8s %8s %5s %5s %6s %9s %6s",
                  "strategy", "GIL", "wall", "speedup", "blocking", "overlap", "could", "did",
                  "GIL q", "KiB/veh", "lost");
    sl_report_row rows[SL_UI_MAX_CMP];
    sl_report rep = compared(ui, rows);
    for (size_t i = 0; i < rep.n_rows; i++) {
        const sl_report_row *row = &rows[i];
        const sl_stats *s = &row->stats;
        char wall[32], overlap[16], gil[16], speedup[16], mem[24], lost[24];
        sl__fmt_dur(wall, sizeof wall, s->wall_ns, ui->ascii);
        snprintf(overlap, sizeof overlap, s->io_ns ? "%.0f%%" : "-", 100 * s->io_overlap);
        snprintf(gil, sizeof gil, s->gil_wait_ns && s->wall_ns ? "%.1f" : "-",
                 s->wall_ns ? (double)s->gil_wait_ns / (double)s->wall_ns : 0.0);
        double sp = sl_report_speedup(&rep, i);
        snprintf(speedup, sizeof speedup, sp > 0 ? "%.1fx" : "-", sp);
        bool vehicle = row->gil_scope != SL_GIL_SCOPE_NONE || !row->blocking_calls;
        snprintf(mem, sizeof mem, vehicle ? "%llu" : "-", (unsigned long long)s->vehicle_mem_kb);
        uint64_t l = sl_report_lost_updates(row);
        snprintf(lost, sizeof lost, row->n_counters ? "%llu" : "-", (unsigned long long)l);
        sl__term_putf(y++, x, r.w - 1, SL_ROLE_NORMAL,
                      "%-16s %4s %8s %8s %8s %8s %5u %5u %6s %9s %6s", row->strategy,
                      row->gil_scope == SL_GIL_SCOPE_NONE ? "-"
                      : row->gil == 0                     ? "?"
                                                          : sl_gil_word(row->gil),
                      wall,
                      speedup, row->blocking_calls ? "yes" : "no", overlap,
                      sl_report_cores_could(row, rep.cores), s->max_cores, gil, mem, lost);
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
                      sl_strategy_name(ui, ui->cmp_strategy[ui->cmp_running]));
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
