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

/* Index of the first event later than t in an open view. */
size_t sl__play_first_after(const sl_trace_view *v, uint64_t t)
{
    size_t lo = 0, hi = v->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->events[mid].t_ns <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First event after t (dir > 0) or last before t (dir < 0) in one trace. */
static bool neighbour(sl_trace *tr, uint64_t t, int dir, uint64_t *out)
{
    sl_trace_view v;
    sl_trace_read(tr, &v);
    size_t lo = sl__play_first_after(&v, t);
    bool found = false;
    if (dir > 0 && lo < v.count) {
        *out = v.events[lo].t_ns;
        found = true;
    } else if (dir < 0) {
        size_t i = lo;
        while (i > 0 && v.events[i - 1].t_ns >= t)
            i--;
        if (i > 0) {
            *out = v.events[i - 1].t_ns;
            found = true;
        }
    }
    sl_trace_read_end(&v);
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
