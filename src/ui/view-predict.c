/*
 * view-predict.c - predict mode: the bar (the question, the score, after a
 * guess what really went next and why, at the end the round's summary) and
 * the numbered choices, drawn where the Ready list stands: tasks, or for
 * a pool question the idle workers, each with how long it has been idle
 * and the task it ran last.
 */
#include <stdio.h>

#include "ui/view.h"

static const char *const questions[SL_Q__COUNT] = {
    [SL_Q_FIFO] = "Which ready task runs next?",
    [SL_Q_WAKE] = "Which waiting task wakes next?",
    [SL_Q_GIL] = "Which thread takes the GIL next?",
    [SL_Q_CORE] = "Which thread does the OS run next?",
    [SL_Q_WORKER] = "Which pool worker takes a task next?",
};

const char *sl_ui_question(int kind)
{
    return kind >= 0 && kind < SL_Q__COUNT ? questions[kind] : "";
}

void sl__view_predict(const sl_ui *ui, sl_rect r)
{
    const sl_predict *pr = &ui->predict;
    int x = r.x + 1, end = r.x + r.w - 1;
    x += sl__term_put(r.y, x, -1, SL_ROLE_LIVE, " PREDICT ");
    x++;
    x += sl__term_putf(r.y, x, -1, SL_ROLE_ACCENT, "%u/%u  ", pr->right, pr->asked);
    if (pr->asking && pr->typed)
        sl__term_putf(r.y, x, end - x, SL_ROLE_NORMAL, "%s Your answer: %d (Enter)",
                      questions[pr->kind], pr->typed);
    else if (pr->asking)
        sl__term_putf(r.y, x, end - x, SL_ROLE_NORMAL, "%s Press 1-%u.", questions[pr->kind],
                      pr->n_cand);
    else if (pr->over)
        sl__term_put(r.y, x, end - x, SL_ROLE_NORMAL, "p: leave predict mode");
    else if (!pr->revealed)
        sl__term_put(r.y, x, end - x, SL_ROLE_NORMAL, "Space: stop before the next decision");
    sl_rect below = {r.x, r.y + 1, r.w, r.h - 1};
    if (pr->revealed && !ui->status[0]) {
        /* The reveal starts beside the score and wraps below it. */
        int role =
            pr->guess >= 0 && pr->cand[pr->guess] == pr->answer ? SL_ROLE_GOOD : SL_ROLE_WARN;
        int cut = sl__wrap_cut(pr->note, end - x);
        sl__term_putf(r.y, x, end - x, role, "%.*s", cut, pr->note);
        const char *rest = pr->note + cut;
        while (*rest == ' ')
            rest++;
        if (r.h >= 2)
            sl__view_wrap(below.y, below, role, rest);
        return;
    }
    if (r.h < 2)
        return;
    if (ui->status[0])
        sl__view_wrap(below.y, below, SL_ROLE_WARN, ui->status);
    else if (pr->over)
        sl__view_wrap(below.y, below, SL_ROLE_ACCENT, pr->note);
}

void sl__view_candidates(const sl_ui *ui, sl_rect r)
{
    const sl_predict *pr = &ui->predict;
    const sl_model *m = &ui->main.model;
    char t[64];
    snprintf(t, sizeof t, "Guess 1-%u %s", pr->n_cand, ui->ascii ? "Up/Down" : "↑↓");
    sl__term_title(r.y, r.x, r.w, t);
    sl__term_putf(r.y, r.x + 1, r.w - 2, SL_ROLE_ACCENT, " %s ", t);
    int rows = r.h - 1;
    if (rows <= 0)
        return;
    /* A window of the choices that keeps the cursor in view. */
    int first = pr->cursor >= rows ? pr->cursor - rows + 1 : 0;
    char d[32];
    for (int i = 0; i < rows && first + i < (int)pr->n_cand; i++) {
        int k = first + i, y = r.y + 1 + i, x = r.x + 1;
        int role = k == pr->cursor ? SL_ROLE_SELECTED : SL_ROLE_ACCENT;
        if (pr->kind == SL_Q_WORKER) {
            x += sl__term_putf(y, x, 4, SL_ROLE_KEY, "%-3d ", k + 1);
            uint64_t idle = pr->idle_ns[k] < ui->t_ns ? ui->t_ns - pr->idle_ns[k] : 0;
            char fit[160], line[160];
            if (pr->last[k] == SL_NO_TASK)
                snprintf(line, sizeof line, "worker %u: no task yet", pr->cand[k] + 1);
            else
                snprintf(line, sizeof line, "worker %u idle %s, last %s", pr->cand[k] + 1,
                         sl__fmt_dur(d, sizeof d, idle, ui->ascii),
                         sl_trace_task_name(ui->main.trace, pr->last[k]));
            sl__term_put(y, x, r.x + r.w - x, role,
                         sl__fmt_fit(fit, sizeof fit, line, r.x + r.w - x, ui->ascii));
            continue;
        }
        uint32_t task = pr->cand[k];
        const sl_task_now *tn = &m->tasks[task];
        x += sl__term_putf(y, x, 4, SL_ROLE_KEY, "%-3d ", k + 1);
        uint64_t since = tn->since_ns < ui->t_ns ? ui->t_ns - tn->since_ns : 0;
        sl__term_putf(y, x, r.x + r.w - x, role, "%s %s %s",
                      sl_trace_task_name(ui->main.trace, task),
                      tn->state == SL_ST_WAITING ? sl_wait_reason_name(tn->reason) : "ready",
                      sl__fmt_dur(d, sizeof d, since, ui->ascii));
    }
    int more = (int)pr->n_cand - first - rows;
    if (more > 0)
        sl__term_putf(r.y + r.h - 1, r.x + 1, r.w - 2, SL_ROLE_DIM, "+%d more (arrows)%*s", more,
                      r.w, "");
}
