/*
 * view-counters.c - how much switching happened and what it cost: kernel
 * switches, coroutine switches, GIL hand-offs, ready latency, events and
 * drops, and the UI's own CPU use (it must not disturb what it measures).
 */
#include <stdio.h>
#include <string.h>

#include "ui/view.h"

void sl__view_counters(const sl_ui *ui, const sl_pane *p, sl_rect r, bool compact)
{
    const sl_model *m = &p->model;
    const sl_trace *tr = p->trace;
    if (!tr)
        return;
    char mean[32], max[32], fr[32];
    uint64_t lat_mean = m->ready_lat_count ? m->ready_lat_sum_ns / m->ready_lat_count : 0;
    sl__fmt_dur(mean, sizeof mean, lat_mean, ui->ascii);
    sl__fmt_dur(max, sizeof max, m->ready_lat_max_ns, ui->ascii);
    if (compact) {
        /* The kernel's counts are the whole run's, known once it ended. */
        char os[64] = "";
        if (p->finished && !p->live)
            snprintf(os, sizeof os, "OS %llu (invol %llu) ",
                     (unsigned long long)(tr->os.voluntary + tr->os.involuntary),
                     (unsigned long long)tr->os.involuntary);
        sl__term_putf(r.y, r.x, r.w, SL_ROLE_DIM,
                      "switches %scoro %llu gil %llu%sready lat %s (max %s)%sevents %llu", os,
                      (unsigned long long)m->coroutine_switches,
                      (unsigned long long)m->gil_handoffs, ui->ascii ? ", " : " · ", mean, max,
                      ui->ascii ? ", " : " · ", (unsigned long long)m->events);
        return;
    }
    sl__term_title(r.y, r.x, r.w, "Counters");
    int y = r.y + 1, x = r.x + 1, w = r.w - 1;
    /* The kernel's counts arrive when the run ends; a live run's trace is
     * read only once its thread has been joined (p->live is then false). */
    if (p->finished && !p->live) {
        /* Counted for the whole run: a playhead before its end must not
         * read them as the switches so far. */
        bool before_end = ui->t_ns < sl_pane_end(p);
        char line[96];
        snprintf(line, sizeof line, "OS switches%s  vol %llu  invol %llu",
                 before_end ? " (whole run)" : "", (unsigned long long)tr->os.voluntary,
                 (unsigned long long)tr->os.involuntary);
        if (before_end && (int)strlen(line) > w)
            snprintf(line, sizeof line, "OS, whole run: vol %llu invol %llu",
                     (unsigned long long)tr->os.voluntary, (unsigned long long)tr->os.involuntary);
        sl__term_put(y++, x, w, SL_ROLE_NORMAL, line);
    } else
        sl__term_put(y++, x, w, SL_ROLE_NORMAL, "OS switches: when the run ends");
    if (y < r.y + r.h)
        sl__term_putf(y++, x, w, SL_ROLE_NORMAL, "coroutine %llu  GIL hand-offs %llu",
                      (unsigned long long)m->coroutine_switches,
                      (unsigned long long)m->gil_handoffs);
    if (y < r.y + r.h)
        sl__term_putf(y++, x, w, SL_ROLE_NORMAL, "ready latency %s, max %s", mean, max);
    if (y < r.y + r.h)
        sl__term_putf(y++, x, w, p->dropped ? SL_ROLE_WARN : SL_ROLE_NORMAL,
                      "events %llu  dropped %llu", (unsigned long long)m->events,
                      (unsigned long long)p->dropped);
    if (y < r.y + r.h)
        sl__term_putf(y++, x, w, SL_ROLE_DIM, "overhead: UI %.1f%% cpu, %s/frame", ui->ui_cpu_pct,
                      sl__fmt_dur(fr, sizeof fr, (uint64_t)(ui->frame_us * 1e3), ui->ascii));
}
