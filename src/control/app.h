/*
 * app.h - the TUI's loop and its runs (app.c, app-runs.c).
 *
 * The app owns what views must not see: the engine, the run in progress,
 * the lesson. Runs never overlap; compare mode chains them one after
 * another and then plays their traces side by side.
 */
#ifndef SL_UI_APP_H
#define SL_UI_APP_H

#include "schedlab/engine.h"
#include "schedlab/control.h"
#include "control/player.h"
#include "control/record-tee.h"
#include "schedlab/ui.h"

typedef struct sl_app {
    sl_ui ui;
    sl_engine *engine;                      /* NULL in replay */
    sl_scenario *sc;                        /* the lesson (owned) */
    sl_run *run;                            /* the main view's run, kept until the next one */
    bool run_joined;                        /* sl_run_wait was called on `run` */
    sl_run *cmp_run;                        /* the compare run in progress */
    sl_player *player;                      /* a demo being played, or NULL */
    sl_tee *tee;                            /* the terminal's bytes go to a cast too, or NULL */
    uint32_t marked;                        /* predict questions marked in the cast so far */
    char mark_say[4 * SL_DEMO_MAX_SAY + 1]; /* a caption to mark after its frame */
    bool mark_pending;
    bool pace_set;         /* the user chose a lecture pace (config), over the lessons' */
    uint64_t pace_ns;      /* ... this one (0: off) */
    const int (*remap)[2]; /* typed key -> the key it acts as */
    size_t n_remaps;
} sl_app;

/* Hands the views the strategy table and the key bindings. */
void sl__app_tables(sl_ui *ui);
/* Sets the app up for o before the terminal opens: the engine and the
 * lesson list for a lesson, the pane for a trace. Fills `why` on failure
 * (the app is then freed). The locale must be set. */
int sl__app_init(sl_app *a, const sl_ui_opts *o, char *why, size_t why_size);
/* Frees what sl__app_init set up and every run. */
void sl__app_free(sl_app *a);
/* A key as if typed: handled, then what it asked for (runs) carried out.
 * Returns SL_REDRAW | SL_RELAYOUT | SL_QUIT flags. */
int sl__app_key(sl_app *a, int key);
/* A recording's title: "lesson title - strategy" (replays say so). */
void sl__app_title(const sl_app *a, char *buf, size_t size);
/* Makes lesson `name` the current one without running it (nothing when it
 * already is). */
int sl__app_load(sl_app *a, const char *name);

/* Notes a demo's caption for the cast (cast-marks.c); an empty caption (a
 * `say` that clears) marks nothing. */
void sl__app_mark_say(sl_app *a, const char *text);
/* Called right after a frame went to the cast, at `t_ns`: marks the
 * caption noted since, then each predict question posed since the last
 * call (labelled as the predict bar asks it), so that a player pausing at
 * a marker shows the screen that carries it. */
void sl__app_marks(sl_app *a, uint64_t t_ns);

/* The lecture pace for lesson `sc`: the user's, else the lesson's (prefs.c). */
uint64_t sl__app_pace(const sl_app *a, const sl_scenario *sc);
/* A typed key as the user's remaps say it acts. */
int sl__app_remap(const sl_app *a, int key);

/* Starts ui->strategy on the lesson, ending the previous run first. */
int sl__app_run(sl_app *a);
/* Cancels one task of the main run (key x) and says how it went in the
 * status line: cancelled while queued, or refused because it started. */
void sl__app_cancel_task(sl_app *a, int task);
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
