/*
 * view-details.c - one task in depth: its state now, time spent running,
 * ready and waiting, its ready latencies, and every span in time order.
 */
#include <stdio.h>

#include "ui/view.h"

static const char *span_reason(const sl_span *s)
{
    if (s->state == SL_ST_WAITING)
        return sl_wait_reason_name(s->reason);
    return "";
}

void sl__view_details(const sl_ui *ui, sl_rect r)
{
    const sl_pane *p = &ui->main;
    if (ui->sel < 0 || (uint32_t)ui->sel >= p->model.n_tasks || !p->have_spans)
        return;
    uint32_t task = (uint32_t)ui->sel;
    char title[96];
    snprintf(title, sizeof title, "Task %s (#%u) - Esc closes, arrows pick a task",
             sl_trace_task_name(p->trace, task), task);
    sl__term_box(r, title);
    int x = r.x + 2, w = r.w - 4, y = r.y + 1, bottom = r.y + r.h - 1;
    const sl_task_now *t = &p->model.tasks[task];
    char a[32], b[32], c[32], d[32];
    sl_state shown = sl_model_shown_state(&p->model, task);
    sl__term_putf(
        y++, x, w, SL_ROLE_STATE(shown), "now: %s%s%s for %s", sl_state_name(shown),
        shown == SL_ST_WAITING ? " on " : "",
        shown == SL_ST_WAITING ? sl_wait_reason_name(t->reason) : "",
        sl__fmt_dur(a, sizeof a, ui->t_ns > t->since_ns ? ui->t_ns - t->since_ns : 0, ui->ascii));
    sl__term_putf(y++, x, w, SL_ROLE_NORMAL, "running %s   ready %s   waiting %s",
                  sl__fmt_dur(a, sizeof a, t->run_ns, ui->ascii),
                  sl__fmt_dur(b, sizeof b, t->ready_ns, ui->ascii),
                  sl__fmt_dur(c, sizeof c, t->wait_ns, ui->ascii));

    /* Ready latency: every ready span that ended in a dispatch. */
    const sl_spans *s = &p->spans;
    uint64_t lat_sum = 0, lat_max = 0, waits = 0;
    unsigned lat_n = 0, n_waits = 0;
    for (size_t i = s->first[task]; i < s->first[task + 1]; i++) {
        const sl_span *sp = &s->v[i];
        if (sp->start_ns > ui->t_ns)
            break;
        uint64_t len = sp->end_ns - sp->start_ns;
        if (sp->state == SL_ST_READY && i + 1 < s->first[task + 1] &&
            s->v[i + 1].state == SL_ST_RUNNING && s->v[i + 1].start_ns <= ui->t_ns) {
            lat_sum += len;
            lat_max = len > lat_max ? len : lat_max;
            lat_n++;
        }
        if (sp->state == SL_ST_WAITING) {
            waits += len;
            n_waits++;
        }
    }
    sl__term_putf(y++, x, w, SL_ROLE_NORMAL, "ready latency: %u dispatches, mean %s, max %s", lat_n,
                  sl__fmt_dur(a, sizeof a, lat_n ? lat_sum / lat_n : 0, ui->ascii),
                  sl__fmt_dur(b, sizeof b, lat_max, ui->ascii));
    sl__term_putf(y++, x, w, SL_ROLE_NORMAL, "waits: %u, %s in all", n_waits,
                  sl__fmt_dur(a, sizeof a, waits, ui->ascii));
    y++;
    sl__term_put(y++, x, w, SL_ROLE_TITLE, "spans (start, length, state, core/reason)");
    int skip = ui->overlay_scroll;
    for (size_t i = s->first[task]; i < s->first[task + 1] && y < bottom; i++) {
        const sl_span *sp = &s->v[i];
        if (sp->start_ns > ui->t_ns)
            break;
        if (skip-- > 0)
            continue;
        uint64_t end = sp->end_ns < ui->t_ns ? sp->end_ns : ui->t_ns;
        char where[24] = "";
        if (sp->state == SL_ST_RUNNING)
            snprintf(where, sizeof where, "core %u", sp->core);
        sl__term_putf(y, x, w, SL_ROLE_NORMAL, "%10s %10s  ",
                      sl__fmt_dur(a, sizeof a, sp->start_ns, ui->ascii),
                      sl__fmt_dur(d, sizeof d, end - sp->start_ns, ui->ascii));
        sl__term_putf(y++, x + 23, w - 23, SL_ROLE_STATE(sp->state), "%-8s %s%s",
                      sl_state_name(sp->state), where, span_reason(sp));
    }
}
