/*
 * play.c - the playhead: live, paused or playing at a speed, stepping by
 * event, and predict mode's stops before each dispatch.
 *
 * Every pane is folded to the same playhead, so in compare mode the runs
 * play side by side on one clock from t = 0. A pause holds the picture: the
 * end the views scale to stays where it was while a live run goes on, and
 * a run that finishes by itself reads ENDED, not PAUSED.
 */
#include <stdio.h>

#include "control/play.h"

/* Index of the first event later than t (the caller holds the lock). */
static size_t first_after(const sl_trace *tr, uint64_t t)
{
    size_t lo = 0, hi = tr->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->events[mid].t_ns <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First event after t (dir > 0) or last before t (dir < 0) in one trace. */
static bool neighbour(sl_trace *tr, uint64_t t, int dir, uint64_t *out)
{
    pthread_rwlock_rdlock(&tr->lock);
    size_t lo = first_after(tr, t);
    bool found = false;
    if (dir > 0 && lo < tr->count) {
        *out = tr->events[lo].t_ns;
        found = true;
    } else if (dir < 0) {
        size_t i = lo;
        while (i > 0 && tr->events[i - 1].t_ns >= t)
            i--;
        if (i > 0) {
            *out = tr->events[i - 1].t_ns;
            found = true;
        }
    }
    pthread_rwlock_unlock(&tr->lock);
    return found;
}

void sl__play_seek(sl_ui *ui, uint64_t t_ns)
{
    uint64_t end = sl_play_end(ui);
    ui->t_ns = t_ns > end ? end : t_ns;
    ui->play = ui->t_ns == end && !sl_play_any_live(ui) ? SL_PLAY_ENDED : SL_PLAY_PAUSED;
}

void sl__play_step(sl_ui *ui, int dir)
{
    bool any = false;
    uint64_t best = 0;
    sl_pane *panes = ui->compare ? ui->cmp : &ui->main;
    uint32_t n = ui->compare ? ui->n_cmp : (ui->has_main ? 1 : 0);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t;
        if (!panes[i].trace || !neighbour(panes[i].trace, ui->t_ns, dir, &t))
            continue;
        if (!any || (dir > 0 ? t < best : t > best))
            best = t;
        any = true;
    }
    if (any)
        sl__play_seek(ui, best);
    else if (dir < 0)
        sl__play_seek(ui, 0);
    else
        ui->play = SL_PLAY_PAUSED;
}

void sl__play_jump(sl_ui *ui, int dir)
{
    uint64_t step = sl_play_end(ui) / 20;
    if (step == 0)
        step = 1;
    if (dir > 0)
        sl__play_seek(ui, ui->t_ns + step);
    else
        sl__play_seek(ui, ui->t_ns > step ? ui->t_ns - step : 0);
}

uint64_t sl__play_lesson_pace(const sl_scenario *sc)
{
    return sc && sc->pace_ns ? sc->pace_ns : SL_PACE_DEFAULT_NS;
}

/* Lecture pace: only the playback slows, never the run, so the speed
 * follows the run's known length; a live run's grows as it goes. */
static void pace(sl_ui *ui, uint64_t end)
{
    if (!ui->pace_ns || ui->play != SL_PLAY_PLAYING)
        return;
    double s = (double)end / (double)ui->pace_ns;
    ui->speed = s < 1e-3 ? 1e-3 : s > 1.0 ? 1.0 : s;
    if (ui->speed >= 1.0 && sl_play_any_live(ui))
        ui->play = SL_PLAY_LIVE;
}

bool sl__play_tick(sl_ui *ui, uint64_t wall_ns)
{
    uint64_t end = sl_play_end(ui);
    uint64_t before = ui->t_ns;
    pace(ui, end);
    if (ui->play == SL_PLAY_LIVE) {
        ui->t_ns = end;
    } else if (ui->play == SL_PLAY_PLAYING) {
        uint64_t t = ui->t_ns + (uint64_t)((double)wall_ns * ui->speed);
        if (t >= end) {
            t = end;
            /* Caught up: follow the run if it is still going at full speed,
             * otherwise stop at the end: of a run, not of one whose trace
             * has not appeared yet (a paced run starts playing at once). */
            if (sl_play_any_live(ui) && ui->speed >= 1.0)
                ui->play = SL_PLAY_LIVE;
            else if (!sl_play_any_live(ui) && (ui->has_main || ui->compare))
                ui->play = SL_PLAY_ENDED;
        }
        ui->t_ns = t;
    }
    /* What this frame draws is what a pause will keep. */
    if (ui->play != SL_PLAY_PAUSED)
        ui->held_end = end;
    return ui->t_ns != before;
}

bool sl__predict_next(sl_ui *ui)
{
    sl_predict *pr = &ui->predict;
    pr->asking = pr->revealed = false;
    pr->guess = -1;
    if (!ui->has_main || ui->compare)
        return false;
    sl_pane *p = &ui->main;
    sl_trace *tr = p->trace;
    uint64_t from = ui->t_ns;
    for (;;) {
        /* The next RUN after the playhead, read under the lock, then judged
         * by folding the model just before it. */
        bool found = false;
        sl_event ev;
        pthread_rwlock_rdlock(&tr->lock);
        for (size_t i = first_after(tr, from); i < tr->count; i++) {
            if (tr->events[i].kind == SL_EV_RUN) {
                ev = tr->events[i];
                found = true;
                break;
            }
        }
        pthread_rwlock_unlock(&tr->lock);
        if (!found)
            return false;
        from = ev.t_ns;
        uint64_t before = ev.t_ns ? ev.t_ns - 1 : 0;
        sl_pane_seek(p, before);
        uint32_t ready[9];
        size_t n = sl_model_ready(&p->model, ready, 9);
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed = listed || ready[i] == ev.task;
        /* A lone ready task is no question. */
        if (n < 2 || !listed)
            continue;
        for (size_t i = 0; i < n; i++)
            pr->cand[i] = ready[i];
        pr->n_cand = (uint32_t)n;
        pr->answer = ev.task;
        pr->at_ns = ev.t_ns;
        pr->asking = true;
        ui->t_ns = before;
        ui->play = SL_PLAY_PAUSED;
        return true;
    }
}

void sl__predict_guess(sl_ui *ui, int i)
{
    sl_predict *pr = &ui->predict;
    if (!pr->asking || i < 0 || (uint32_t)i >= pr->n_cand)
        return;
    const char *name = sl_trace_task_name(ui->main.trace, pr->answer);
    pr->guess = i;
    pr->asked++;
    bool right = pr->cand[i] == pr->answer;
    if (right)
        pr->right++;
    const char *why = pr->cand[0] == pr->answer
                          ? "the head of the ready queue ran first (FIFO)"
                          : "not the head of the queue: the scheduler chose another";
    snprintf(pr->note, sizeof pr->note, "%s %s ran next: %s", right ? "Right!" : "No:", name, why);
    pr->asking = false;
    pr->revealed = true;
    ui->t_ns = pr->at_ns;
    ui->play = SL_PLAY_PAUSED;
}
