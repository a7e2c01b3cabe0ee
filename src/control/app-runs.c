/*
 * app-runs.c - starting, watching and chaining runs for the TUI.
 *
 * A run's trace appears a moment after sl_run_start (the run thread creates
 * it), so the main pane opens on the first poll that sees it. The previous
 * run is kept until the next starts: its trace is what the views show.
 */
#include <stdio.h>
#include <string.h>

#include "schedlab/error.h"
#include "control/app.h"
#include "control/keys.h"
#include "control/play.h"
#include "control/lesson-info.h"

static void end_main_run(sl_app *a)
{
    if (a->ui.has_main) {
        sl_pane_close(&a->ui.main);
        a->ui.has_main = false;
    }
    if (a->run) {
        /* sl_run_free cancels and joins a run still going. */
        sl_run_free(a->run);
        a->run = NULL;
    }
}

static int start(sl_app *a, int strategy, uint32_t gil, sl_run **out)
{
    sl_run_opts o = {
        .sc = a->sc,
        .strategy = sl_strategies[strategy],
        .workers = a->ui.workers,
        .gil = gil,
    };
    int rc = sl_run_start(out, a->engine, &o);
    if (out == &a->run) {
        a->run_joined = false;
        a->ui.stopped[0] = '\0';
        a->ui.run_pending = rc == 0;
    }
    if (rc < 0)
        snprintf(a->ui.status, sizeof a->ui.status, "Could not start %s: %s",
                 sl_strategies[strategy]->name, sl_strerror(rc));
    return rc;
}

int sl__app_run(sl_app *a)
{
    if (!a->engine || !a->sc)
        return SL_ESTATE;
    sl__app_compare_stop(a);
    end_main_run(a);
    sl_ui *ui = &a->ui;
    ui->t_ns = 0;
    ui->held_end = 0;
    ui->play = ui->pace_ns ? SL_PLAY_PLAYING : SL_PLAY_LIVE;
    ui->predict.on = ui->predict.asking = false;
    return start(a, ui->strategy, ui->strategy_gil, &a->run);
}

void sl__app_cancel_task(sl_app *a, int task)
{
    sl_ui *ui = &a->ui;
    if (!ui->has_main || task < 0 || (uint32_t)task >= ui->main.model.n_tasks)
        return;
    const char *name = sl_trace_task_name(ui->main.trace, (uint32_t)task);
    int rc = a->run && !a->run_joined ? sl_run_cancel_task(a->run, (uint32_t)task) : SL_ESTATE;
    if (rc == 0)
        snprintf(ui->status, sizeof ui->status, "%s cancelled (it was still queued).", name);
    else if (a->run == NULL || a->run_joined || sl_run_done(a->run))
        snprintf(ui->status, sizeof ui->status,
                 "The run is over: %s can no longer be cancelled (r runs it again).", name);
    else
        snprintf(ui->status, sizeof ui->status,
                 "%s has just started: a running task cannot be cancelled, as with "
                 "Future.cancel().",
                 name);
}

/* The strategies a lesson compares: its own list, else every strategy. */
static void plan_compare(sl_app *a)
{
    sl_ui *ui = &a->ui;
    ui->n_cmp_planned = 0;
    const char *list = a->sc->strategies;
    /* NAME:gil and NAME:nogil run NAME with the GIL on or off: cpu-sumsq
     * and io-vs-cpu show both runtimes side by side. */
    while (list && *list && ui->n_cmp_planned < SL_UI_MAX_CMP) {
        size_t n = strcspn(list, ", ");
        uint32_t gil;
        const sl_strategy *st = n ? sl_strategy_parse(list, n, &gil) : NULL;
        for (int i = 0; st != NULL && i < ui->n_strategies; i++)
            if (strcmp(sl_strategy_name(ui, i), st->name) == 0) {
                ui->cmp_gil[ui->n_cmp_planned] = gil;
                ui->cmp_strategy[ui->n_cmp_planned++] = i;
            }
        list += n;
        list += strspn(list, ", ");
    }
    if (ui->n_cmp_planned >= 2)
        return;
    ui->n_cmp_planned = 0;
    for (int i = 0; i < ui->n_strategies && ui->n_cmp_planned < SL_UI_MAX_CMP; i++) {
        ui->cmp_gil[ui->n_cmp_planned] = SL_GIL_DEFAULT;
        ui->cmp_strategy[ui->n_cmp_planned++] = i;
    }
}

int sl__app_compare(sl_app *a)
{
    if (!a->engine || !a->sc)
        return SL_ESTATE;
    sl__app_compare_stop(a);
    sl_ui *ui = &a->ui;
    /* The main run stops first: runs never overlap. Its trace stays. */
    if (a->run && !a->run_joined) {
        sl_run_cancel(a->run);
        sl_run_wait(a->run, NULL);
        a->run_joined = true;
        ui->main.live = false;
    }
    plan_compare(a);
    ui->compare = true;
    ui->n_cmp = 0;
    ui->cmp_running = 0;
    ui->t_ns = 0;
    ui->held_end = 0;
    ui->play = SL_PLAY_PAUSED;
    return start(a, ui->cmp_strategy[0], ui->cmp_gil[0], &a->cmp_run);
}

void sl__app_compare_stop(sl_app *a)
{
    sl_ui *ui = &a->ui;
    if (a->cmp_run) {
        sl_run_cancel(a->cmp_run);
        sl_run_wait(a->cmp_run, NULL);
        sl_run_free(a->cmp_run);
        a->cmp_run = NULL;
    }
    for (uint32_t i = 0; i < ui->n_cmp; i++)
        sl_pane_close(&ui->cmp[i]);
    if (ui->compare) {
        ui->compare = false;
        ui->held_end = 0;
        ui->t_ns = sl_play_end(ui);
        ui->play = sl_play_any_live(ui) ? SL_PLAY_PAUSED : SL_PLAY_ENDED;
    }
    ui->n_cmp = 0;
    ui->cmp_running = -1;
}

static int load(sl_app *a, const char *name)
{
    sl_ui *ui = &a->ui;
    char path[4096];
    sl_scenario *sc;
    sl_diag diag;
    if (sl_scenario_resolve(name, path, sizeof path) < 0 ||
        sl_scenario_load(path, &sc, &diag) < 0) {
        snprintf(ui->status, sizeof ui->status, "Cannot load lesson %s.", name);
        return SL_EPARSE;
    }
    sl__app_compare_stop(a);
    end_main_run(a);
    sl_scenario_free(a->sc);
    a->sc = sc;
    ui->sc = sc;
    if (ui->pace_ns)
        ui->pace_ns = sl__app_pace(a, sc);
    ui->sel = -1;
    ui->workers = 0;
    ui->strategy = sl__lesson_first_strategy(sc);
    sl_ui_bar_order(ui, sc->strategies);
    return 0;
}

int sl__app_lesson(sl_app *a)
{
    sl_ui *ui = &a->ui;
    if (ui->overlay_sel < 0 || ui->overlay_sel >= ui->n_lessons)
        return SL_EINVAL;
    int rc = load(a, ui->lessons[ui->overlay_sel]);
    if (rc < 0)
        return rc;
    ui->overlay = SL_OV_INTRO;
    return sl__app_run(a);
}

int sl__app_load(sl_app *a, const char *name)
{
    if (a->sc && a->sc->name && strcmp(a->sc->name, name) == 0)
        return 0;
    return load(a, name);
}

/* The compare run in progress ended: keep its trace, start the next. */
static void compare_step(sl_app *a)
{
    sl_ui *ui = &a->ui;
    sl_run_result res;
    sl_run_wait(a->cmp_run, &res);
    sl_trace *tr = sl_run_take_trace(a->cmp_run);
    sl_run_free(a->cmp_run);
    a->cmp_run = NULL;
    if (tr && ui->n_cmp < SL_UI_MAX_CMP &&
        sl_pane_open(&ui->cmp[ui->n_cmp], tr, true, false) == 0) {
        sl_pane *p = &ui->cmp[ui->n_cmp++];
        p->have_stats = sl_stats_compute(tr, &p->stats) == 0;
    } else if (tr) {
        sl_trace_free(tr);
    }
    ui->cmp_running++;
    if ((uint32_t)ui->cmp_running < ui->n_cmp_planned &&
        start(a, ui->cmp_strategy[ui->cmp_running], ui->cmp_gil[ui->cmp_running], &a->cmp_run) == 0)
        return;
    /* All done: play them from t = 0 on one clock. */
    ui->cmp_running = -1;
    ui->t_ns = 0;
    ui->play = SL_PLAY_PLAYING;
}

bool sl__app_poll(sl_app *a)
{
    sl_ui *ui = &a->ui;
    bool changed = false;
    if (a->run && !ui->has_main) {
        sl_trace *tr = sl_run_trace(a->run);
        /* A run joined before its pane opened (compare started at once)
         * is not live any more. */
        if (tr && sl_pane_open(&ui->main, tr, false, !a->run_joined) == 0) {
            ui->has_main = true;
            if (ui->sel >= (int)tr->meta.n_tasks)
                ui->sel = -1;
            changed = true;
        }
    }
    if (a->run && !ui->has_main && !a->run_joined && sl_run_done(a->run) && !sl_run_trace(a->run)) {
        sl_run_result res;
        int rc = sl_run_wait(a->run, &res);
        a->run_joined = true;
        ui->play = SL_PLAY_ENDED;
        snprintf(ui->status, sizeof ui->status, "The run could not start: %.120s",
                 res.error[0] ? res.error : sl_strerror(rc));
        changed = true;
    }
    if (a->run && ui->has_main && ui->main.live && sl_run_done(a->run)) {
        sl_run_result res;
        int rc = sl_run_wait(a->run, &res);
        a->run_joined = true;
        ui->main.live = false;
        /* Why it stopped outlives the transient status: it explains the
         * cancelled tasks for as long as the run is on screen. */
        if (rc < 0 || res.error[0])
            snprintf(ui->stopped, sizeof ui->stopped, "The run stopped early: %.170s",
                     res.error[0] ? res.error : sl_strerror(rc));
        else if (res.failed)
            snprintf(ui->status, sizeof ui->status, "%u task(s) failed: %.120s", res.failed,
                     res.n_failures ? res.failures[0] : "see the timeline");
        if (ui->play == SL_PLAY_LIVE) {
            ui->play = SL_PLAY_ENDED;
            ui->t_ns = sl_pane_end(&ui->main);
        }
        changed = true;
    }
    if (a->cmp_run && sl_run_done(a->cmp_run)) {
        compare_step(a);
        changed = true;
    }
    return changed;
}

void sl__app_stop_all(sl_app *a)
{
    sl__app_compare_stop(a);
    end_main_run(a);
}

/* Carries out what a key asked of the runs (SL_REQ_*). */
static void apply_requests(sl_app *a)
{
    unsigned req = a->ui.req;
    a->ui.req = 0;
    if (req & SL_REQ_LESSON)
        sl__app_lesson(a);
    else if (req & SL_REQ_COMPARE)
        sl__app_compare(a);
    else if (req & SL_REQ_RUN)
        sl__app_run(a);
    else if (req & SL_REQ_STOP)
        sl__app_compare_stop(a);
    else if (req & SL_REQ_CANCEL)
        sl__app_cancel_task(a, a->ui.cancel_task);
}

int sl__app_key(sl_app *a, int key)
{
    /* A mouse report is resolved against the frame (mouse.c), which then
     * acts through the key handlers. */
    int eff = key == SL_KEY_MOUSE ? sl__mouse_handle(&a->ui, sl_term_mouse())
                                  : sl__keys_handle(&a->ui, key);
    if (eff & SL_QUIT)
        return eff;
    if (eff & SL_RELAYOUT)
        a->ui.lay.cols = -1;
    apply_requests(a);
    return eff;
}
