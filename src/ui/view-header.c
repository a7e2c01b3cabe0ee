/*
 * view-header.c - what is shown: lesson, strategy and its parameters, the
 * playhead, LIVE / PLAYING / PAUSED / ENDED / REPLAY and the playback speed; below
 * it the strategy bar (view-bar.c), or what a replay shows.
 */
#include <stdio.h>
#include <string.h>

#include "ui/hit.h"
#include "ui/view.h"

static const char *badge(const sl_ui *ui, int *role)
{
    /* Nothing run yet: nothing is live, paused or replayed. */
    if (!ui->has_main && !ui->compare)
        return NULL;
    if (ui->compare && ui->cmp_running >= 0) {
        *role = SL_ROLE_LIVE;
        return "RUNNING";
    }
    *role = SL_ROLE_PAUSED;
    /* Paused on a run that goes on: said in words, the picture holds still. */
    if (ui->play == SL_PLAY_PAUSED && sl_play_any_live(ui))
        return ui->ascii ? "PAUSED - run goes on" : "PAUSED · run goes on";
    if (ui->play == SL_PLAY_PAUSED)
        return "PAUSED";
    if (ui->play == SL_PLAY_ENDED)
        return "ENDED";
    if (ui->play == SL_PLAY_LIVE && sl_play_any_live(ui)) {
        *role = SL_ROLE_LIVE;
        return "LIVE";
    }
    /* Playing back, at a speed or a lecture pace: a saved trace is a replay. */
    *role = SL_ROLE_ACCENT;
    return ui->replay ? "REPLAY" : "PLAYING";
}

static void strategy_text(const sl_ui *ui, char *buf, size_t size)
{
    if (ui->compare) {
        snprintf(buf, size, "compare: %u strategies on one clock", ui->n_cmp_planned);
        return;
    }
    if (!ui->has_main) {
        if (ui->run_pending)
            snprintf(buf, size, "%s (starting)", sl_strategy_name(ui, ui->strategy));
        else
            snprintf(buf, size, "%s%sready: press Enter to run", sl_strategy_name(ui, ui->strategy),
                     ui->ascii ? " - " : " — ");
        return;
    }
    const sl_trace_meta *m = &ui->main.trace->meta;
    const char *sep = ui->ascii ? ", " : " · ";
    char gil[32] = "";
    int n = snprintf(buf, size, "%s", m->strategy);
    if (m->workers && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "%s%u workers", sep, m->workers);
    /* The runtime that ran: "CPython, GIL" or "no GIL: free-threaded CPython or C". */
    if (m->gil && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "%s%s", sep, sl_gil_runtime(m->gil));
    if (m->gil_interval_ns && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%sswitch %s", sep,
                 sl__fmt_dur(gil, sizeof gil, m->gil_interval_ns, ui->ascii));
}

void sl__view_header(const sl_ui *ui, sl_rect r)
{
    sl__term_fill((sl_rect){r.x, r.y, r.w, 1}, SL_ROLE_HEADER);
    const char *title = ui->sc         ? ui->sc->title
                        : ui->has_main ? ui->main.trace->meta.title
                                       : "schedlab";
    char strat[128], now[32], end[32], right[128];
    strategy_text(ui, strat, sizeof strat);
    int role = SL_ROLE_HEADER;
    const char *b = badge(ui, &role);
    sl__fmt_dur(now, sizeof now, ui->t_ns, ui->ascii);
    sl__fmt_dur(end, sizeof end, sl_play_shown_end(ui), ui->ascii);
    /* The playhead in the run's own time, beside the speed it plays at:
     * under a lecture pace a second on screen is not a second of the run. */
    char pace[32] = "";
    if (ui->pace_ns)
        snprintf(pace, sizeof pace, " pace %llus",
                 (unsigned long long)(ui->pace_ns / 1000000000ull));
    int rn = snprintf(right, sizeof right, "t=%s / %s  %.2gx%s ", now, end, ui->speed, pace);
    int bw = b != NULL ? (int)strlen(b) + 2 : 0;
    int right_x = r.x + r.w - rn;
    int badge_x = right_x - bw - 1;
    int x = r.x;
    x += sl__term_put(r.y, x, -1, SL_ROLE_HEADER, ui->ascii ? " schedlab | " : " schedlab │ ");
    int room = badge_x - x - 1;
    int sw = sl__term_width(strat);
    int tw = room - sw - 3;
    if (tw >= 8) {
        char fit[256];
        x += sl__term_put(r.y, x, tw, SL_ROLE_HEADER,
                          sl__fmt_fit(fit, sizeof fit, title, tw, ui->ascii));
        x += sl__term_put(r.y, x, -1, SL_ROLE_HEADER, ui->ascii ? " - " : " · ");
    }
    char strat_fit[128];
    sl__term_put(r.y, x, badge_x - x - 1, SL_ROLE_HEADER,
                 sl__fmt_fit(strat_fit, sizeof strat_fit, strat, badge_x - x - 1, ui->ascii));
    if (b != NULL)
        sl__term_putf(r.y, badge_x, bw, role, " %s ", b);
    sl__term_put(r.y, right_x, rn, SL_ROLE_HEADER, right);

    if (r.h < 2)
        return;
    x = r.x + 1;
    if (ui->replay) {
        sl__term_putf(r.y + 1, x, r.w - 2, SL_ROLE_DIM, "replay of a saved trace: %s, %u tasks",
                      ui->main.trace->meta.scenario, ui->main.trace->meta.n_tasks);
        return;
    }
    sl__view_bar(ui, (sl_rect){r.x, r.y + 1, r.w, r.h - 1});
}
