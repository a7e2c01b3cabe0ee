/*
 * app.h - the TUI's loop and its runs (app.c, app-runs.c).
 *
 * The app owns what views must not see: the engine, the run in progress,
 * the lesson. Runs never overlap; compare mode chains them one after
 * another and then plays their traces side by side.
 */
#ifndef SL_UI_APP_H
#define SL_UI_APP_H

#include "schedlab/run.h"
#include "ui/view.h"

typedef struct sl_app {
    sl_ui ui;
    sl_engine *engine; /* NULL in replay */
    sl_scenario *sc;   /* the lesson (owned) */
    sl_run *run;       /* the main view's run, kept until the next one */
    bool run_joined;   /* sl_run_wait was called on `run` */
    sl_run *cmp_run;   /* the compare run in progress */
} sl_app;

/* Starts ui->strategy on the lesson, ending the previous run first. */
int sl__app_run(sl_app *a);
/* Starts compare mode: every strategy of the lesson, one after another. */
int sl__app_compare(sl_app *a);
/* Leaves compare mode, cancelling a compare run in progress. */
void sl__app_compare_stop(sl_app *a);
/* Loads lessons[overlay_sel] and runs it. */
int sl__app_lesson(sl_app *a);
/* Polls the runs: opens a pane when its trace appears, notices the end,
 * chains compare runs. Returns true if something visible changed. */
bool sl__app_poll(sl_app *a);
/* Ends and frees every run and pane. */
void sl__app_stop_all(sl_app *a);

#endif
