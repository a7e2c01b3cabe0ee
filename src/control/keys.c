/*
 * keys.c - what each key does, as a table of const bindings.
 *
 * Handlers change the UI state and return effect flags; anything that
 * touches a run (start, compare, load a lesson) is a request the app loop
 * carries out, so this file knows nothing of the engine.
 */
#include "control/keys.h"
#include "control/play.h"
#include "control/predict.h"

#include <stdio.h>
#include <string.h>

#include "schedlab/strategy.h"

static const double speeds[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
#define N_SPEEDS (sizeof speeds / sizeof speeds[0])

static int no_runs(sl_ui *ui)
{
    if (!ui->replay)
        return 0;
    snprintf(ui->status, sizeof ui->status,
             "This is a saved trace: start runs with `schedlab tui LESSON`.");
    return SL_REDRAW;
}

static void leave_modes(sl_ui *ui)
{
    if (ui->compare)
        ui->req |= SL_REQ_STOP;
    ui->predict.on = ui->predict.asking = ui->predict.revealed = false;
}

int sl__keys_choose_strategy(sl_ui *ui, int idx)
{
    if (no_runs(ui))
        return SL_REDRAW;
    if (idx < 0 || idx >= ui->n_strategies)
        return 0;
    leave_modes(ui);
    ui->strategy = idx;
    ui->strategy_gil = SL_GIL_DEFAULT;
    ui->req |= SL_REQ_RUN;
    return SL_REDRAW;
}

/* 1-9 pick the strategy bar's first nine slots, 0 the tenth (as on a
 * keyboard row): the lesson's strategies come first. */
static int k_digit(sl_ui *ui, int key)
{
    return sl__keys_choose_strategy(ui, sl_ui_bar_strategy(ui, key == '0' ? 9 : key - '1'));
}

/* The next strategy along the bar (Shift-Tab: the previous). */
static int k_tab(sl_ui *ui, int key)
{
    if (ui->n_strategies == 0)
        return 0;
    int d = key == SL_KEY_BTAB ? ui->n_strategies - 1 : 1;
    int slot = sl_ui_bar_slot(ui, ui->strategy);
    return sl__keys_choose_strategy(ui, sl_ui_bar_strategy(ui, (slot + d) % ui->n_strategies));
}

static int k_run(sl_ui *ui, int key)
{
    if (key == SL_KEY_ENTER && ui->sel >= 0 && !ui->compare) {
        ui->overlay = SL_OV_DETAILS;
        ui->overlay_scroll = 0;
        return SL_REDRAW;
    }
    if (ui->replay) {
        ui->t_ns = 0;
        ui->play = SL_PLAY_PLAYING;
        return SL_REDRAW;
    }
    if (ui->compare) {
        ui->req |= SL_REQ_COMPARE;
        return SL_REDRAW;
    }
    ui->req |= SL_REQ_RUN;
    return SL_REDRAW;
}

static int k_pause(sl_ui *ui, int key)
{
    switch (ui->play) {
    case SL_PLAY_LIVE:
    case SL_PLAY_PLAYING:
        ui->play = SL_PLAY_PAUSED;
        break;
    case SL_PLAY_PAUSED:
    case SL_PLAY_ENDED:
        if (!sl_play_any_live(ui) && ui->t_ns >= sl_play_end(ui))
            ui->t_ns = 0;
        ui->play = SL_PLAY_PLAYING;
        break;
    }
    return SL_REDRAW;
}

static int k_step(sl_ui *ui, int key)
{
    ui->predict.asking = false;
    sl__play_step(ui, key == SL_KEY_RIGHT ? 1 : -1);
    return SL_REDRAW;
}

static int k_jump(sl_ui *ui, int key)
{
    ui->predict.asking = false;
    sl__play_jump(ui, key == ']' ? 1 : -1);
    return SL_REDRAW;
}

static int k_ends(sl_ui *ui, int key)
{
    ui->predict.asking = false;
    if (key == SL_KEY_HOME) {
        sl__play_seek(ui, 0);
    } else if (sl_play_any_live(ui)) {
        ui->play = SL_PLAY_LIVE;
    } else {
        sl__play_seek(ui, sl_play_end(ui));
    }
    return SL_REDRAW;
}

static int k_speed(sl_ui *ui, int key)
{
    /* A speed step leaves the lecture pace, from the speed it had reached. */
    ui->pace_ns = 0;
    size_t i = 0;
    while (i + 1 < N_SPEEDS && speeds[i] < ui->speed - 1e-9)
        i++;
    if ((key == '+' || key == '=') && i + 1 < N_SPEEDS)
        i++;
    else if (key == '-' && i > 0)
        i--;
    ui->speed = speeds[i];
    /* Slowing a live run means watching it behind real time. */
    if (ui->play == SL_PLAY_LIVE && ui->speed < 1.0)
        ui->play = SL_PLAY_PLAYING;
    return SL_REDRAW;
}

/* L: the lecture pace steps through these, then off. */
static const uint64_t paces_s[] = {10, 15, 20, 30, 60};

static int k_pace(sl_ui *ui, int key)
{
    size_t i = 0;
    while (i < sizeof paces_s / sizeof paces_s[0] && paces_s[i] * 1000000000ull <= ui->pace_ns)
        i++;
    bool off = ui->pace_ns && i == sizeof paces_s / sizeof paces_s[0];
    ui->pace_ns = off ? 0 : paces_s[i] * 1000000000ull;
    if (off) {
        ui->speed = 1.0;
        snprintf(ui->status, sizeof ui->status,
                 "Lecture pace off: runs play at real speed (+/- to change it).");
        return SL_REDRAW;
    }
    /* A live run is watched from behind at the pace; the run is not slowed. */
    if (ui->play == SL_PLAY_LIVE)
        ui->play = SL_PLAY_PLAYING;
    snprintf(ui->status, sizeof ui->status,
             "Lecture pace %llus: each run plays back over %llu s; the run itself is not slowed.",
             (unsigned long long)paces_s[i], (unsigned long long)paces_s[i]);
    return SL_REDRAW;
}

static int k_zoom(sl_ui *ui, int key)
{
    if (key == 'z' && ui->zoom < 16)
        ui->zoom++;
    else if (key == 'Z' && ui->zoom > 0)
        ui->zoom--;
    return SL_REDRAW;
}

static uint32_t n_tasks(const sl_ui *ui)
{
    return ui->has_main ? ui->main.model.n_tasks : 0;
}

static int k_select(sl_ui *ui, int key)
{
    int n = (int)n_tasks(ui);
    if (n == 0)
        return 0;
    if (ui->sel < 0)
        ui->sel = key == SL_KEY_UP ? n - 1 : 0;
    else if (key == SL_KEY_UP)
        ui->sel = ui->sel > 0 ? ui->sel - 1 : 0;
    else
        ui->sel = ui->sel + 1 < n ? ui->sel + 1 : n - 1;
    return SL_REDRAW;
}

/* Future.cancel() on the selected task: refused here when the playhead
 * shows it started or finished; otherwise the app asks the engine, which has
 * the last word (the task may start in between). */
/* A page of the timeline's rows up or down: the timeline scrolls with the
 * selection, so this is how rows that do not fit come into view. */
static int k_page(sl_ui *ui, int key)
{
    int n = (int)n_tasks(ui);
    if (n == 0)
        return 0;
    int page = ui->lay.timeline.h > 4 ? ui->lay.timeline.h - 3 : 1;
    int sel = ui->sel < 0 ? 0 : ui->sel + (key == SL_KEY_PGDN ? page : -page);
    ui->sel = sel < 0 ? 0 : sel >= n ? n - 1 : sel;
    return SL_REDRAW;
}

static int k_cancel(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    if (ui->compare) {
        snprintf(ui->status, sizeof ui->status,
                 "x cancels a task of a single run: leave compare mode first (c).");
        return SL_REDRAW;
    }
    if (ui->sel < 0 || (uint32_t)ui->sel >= n_tasks(ui)) {
        snprintf(ui->status, sizeof ui->status, "Select a task first (%s), then x cancels it.",
                 ui->ascii ? "Up/Down" : "↑/↓");
        return SL_REDRAW;
    }
    const sl_task_now *t = &ui->main.model.tasks[ui->sel];
    const char *name = sl_trace_task_name(ui->main.trace, (uint32_t)ui->sel);
    if (t->state == SL_ST_CANCELLED)
        snprintf(ui->status, sizeof ui->status, "%s is already cancelled.", name);
    else if (t->state == SL_ST_DONE || t->state == SL_ST_FAILED)
        snprintf(ui->status, sizeof ui->status, "%s already finished: nothing to cancel.", name);
    else if (t->started)
        snprintf(ui->status, sizeof ui->status,
                 "%s is running: a running task cannot be cancelled, as with Future.cancel().",
                 name);
    else {
        ui->cancel_task = ui->sel;
        ui->req |= SL_REQ_CANCEL;
    }
    return SL_REDRAW;
}

static int k_completed(sl_ui *ui, int key)
{
    ui->show_completed = !ui->show_completed;
    return SL_REDRAW;
}

static int k_workers(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    uint32_t cur = ui->workers;
    if (cur == 0)
        cur = ui->sc && ui->sc->workers ? ui->sc->workers : 4;
    if (key == 'w' && cur > 1)
        cur--;
    else if (key == 'W' && cur < 64)
        cur++;
    ui->workers = cur;
    const sl_strategy *s = sl_strategies[ui->strategy];
    if (!s->uses_workers)
        snprintf(ui->status, sizeof ui->status,
                 "%u workers: %s has no pool, the count matters for pool strategies.", cur,
                 s->name);
    leave_modes(ui);
    ui->req |= SL_REQ_RUN;
    return SL_REDRAW;
}

static int k_gil(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    const char *want = strcmp(sl_strategy_name(ui, ui->strategy), "gil") == 0 ? "threads" : "gil";
    for (int i = 0; i < ui->n_strategies; i++)
        if (strcmp(sl_strategy_name(ui, i), want) == 0)
            return sl__keys_choose_strategy(ui, i);
    return 0;
}

static int k_lessons(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    ui->overlay = SL_OV_LESSONS;
    ui->overlay_sel = 0;
    for (int i = 0; i < ui->n_lessons; i++)
        if (ui->sc && strcmp(ui->lessons[i], ui->sc->name) == 0)
            ui->overlay_sel = i;
    return SL_REDRAW;
}

static int k_compare(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    ui->predict.on = ui->predict.asking = false;
    ui->req |= ui->compare ? SL_REQ_STOP : SL_REQ_COMPARE;
    return SL_REDRAW;
}

static int k_predict(sl_ui *ui, int key)
{
    sl_predict *pr = &ui->predict;
    if (pr->on || ui->compare) {
        pr->on = pr->asking = pr->revealed = false;
        return SL_REDRAW;
    }
    sl__predict_start(ui);
    return SL_REDRAW;
}

static int k_intro(sl_ui *ui, int key)
{
    if (no_runs(ui))
        return SL_REDRAW;
    ui->overlay = ui->overlay == SL_OV_INTRO ? SL_OV_NONE : SL_OV_INTRO;
    return SL_REDRAW;
}

static int k_help(sl_ui *ui, int key)
{
    ui->overlay = ui->overlay == SL_OV_HELP ? SL_OV_NONE : SL_OV_HELP;
    ui->overlay_scroll = 0;
    return SL_REDRAW;
}

static int k_escape(sl_ui *ui, int key)
{
    if (ui->sel >= 0)
        ui->sel = -1;
    else if (ui->predict.on)
        ui->predict.on = ui->predict.asking = false;
    else if (ui->compare)
        ui->req |= SL_REQ_STOP;
    return SL_REDRAW;
}

static int k_quit(sl_ui *ui, int key)
{
    return SL_QUIT;
}

static int k_refresh(sl_ui *ui, int key)
{
    sl_term_invalidate();
    return SL_REDRAW | SL_RELAYOUT;
}

const sl_binding sl__bindings[] = {
    {.keys = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'},
     .label = "1-9,0",
     .help = "run strategy N (numbered in the help and the header)",
     .footer = "strategy",
     .rank = 4,
     .fn = k_digit},
    {.keys = {SL_KEY_TAB, SL_KEY_BTAB},
     .label = "Tab",
     .help = "run the next strategy (Shift-Tab: the previous)",
     .fn = k_tab},
    {.keys = {SL_KEY_ENTER, 'r'},
     .label = "Enter/r",
     .help = "run again (replay: from the start); Enter on a selected task: details",
     .footer = "run",
     .rank = 9,
     .fn = k_run},
    {.keys = {' '},
     .label = "Space",
     .help = "pause / resume (predict mode: next question)",
     .footer = "pause",
     .rank = 3,
     .fn = k_pause},
    {.keys = {SL_KEY_LEFT, SL_KEY_RIGHT},
     .label = "←/→",
     .label_ascii = "Left/Right",
     .help = "step one event back / forward",
     .footer = "step",
     .rank = 7,
     .fn = k_step},
    {.keys = {'[', ']'},
     .label = "[/]",
     .help = "jump back / forward 1/20 of the run",
     .fn = k_jump},
    {.keys = {SL_KEY_HOME, SL_KEY_END},
     .label = "Home/End",
     .help = "go to the start / to the newest event (live)",
     .fn = k_ends},
    {.keys = {'+', '=', '-'},
     .label = "+/-",
     .help = "playback faster / slower (0.01x to 10x)",
     .footer = "speed",
     .rank = 8,
     .fn = k_speed},
    {.keys = {'L'},
     .label = "L",
     .help = "lecture pace: play each run back over 10, 15, 20, 30, 60 s, then real speed",
     .fn = k_pace},
    {.keys = {'z', 'Z'}, .label = "z/Z", .help = "zoom the time axis in / out", .fn = k_zoom},
    {.keys = {SL_KEY_UP, SL_KEY_DOWN},
     .label = "↑/↓",
     .label_ascii = "Up/Down",
     .help = "select a task (Enter: its spans, waits, ready latency)",
     .footer = "task",
     .rank = 11,
     .fn = k_select},
    {.keys = {SL_KEY_PGUP, SL_KEY_PGDN},
     .label = "PgUp/PgDn",
     .help = "select a task a page up / down (the timeline scrolls with it)",
     .fn = k_page},
    {.keys = {'x', SL_KEY_DELETE},
     .label = "x/Del",
     .help = "cancel the selected task if it has not started (Future.cancel())",
     .fn = k_cancel},
    {.keys = {'a'},
     .label = "a",
     .help = "as completed: finished tasks in completion order (narrow screens: "
             "instead of Queued)",
     .fn = k_completed},
    {.keys = {'w', 'W'},
     .label = "w/W",
     .help = "fewer / more workers, and run again",
     .fn = k_workers},
    {.keys = {'g'},
     .label = "g",
     .help = "GIL on/off: switch between the threads and gil strategies",
     .fn = k_gil},
    {.keys = {'s'},
     .label = "s",
     .help = "pick a lesson",
     .footer = "lesson",
     .rank = 10,
     .fn = k_lessons},
    {.keys = {'c'},
     .label = "c",
     .help = "compare: run each strategy in turn, then play them side by side",
     .footer = "compare",
     .rank = 5,
     .fn = k_compare},
    {.keys = {'p'},
     .label = "p",
     .help = "predict: guess which task the scheduler picks next (number, or arrows + Enter)",
     .footer = "predict",
     .rank = 6,
     .fn = k_predict},
    {.keys = {'i'},
     .label = "i",
     .help = "the lesson's caption: what it shows and what to watch",
     .fn = k_intro},
    {.keys = {'?', SL_KEY_F1},
     .label = "?",
     .help = "this help (also F1)",
     .footer = "help",
     .rank = 1,
     .fn = k_help},
    {.keys = {SL_KEY_ESC},
     .label = "Esc",
     .help = "close an overlay, clear the selection, leave predict / compare",
     .fn = k_escape},
    {.keys = {12}, .label = "Ctrl-L", .help = "redraw the screen", .fn = k_refresh},
    {.keys = {'q', SL_KEY_F1 + 9},
     .label = "q",
     .help = "quit (also F10)",
     .footer = "quit",
     .rank = 2,
     .fn = k_quit},
};

const size_t sl__n_bindings = sizeof sl__bindings / sizeof sl__bindings[0];

static int overlay_key(sl_ui *ui, int key)
{
    switch (ui->overlay) {
    case SL_OV_HELP:
        if (key == SL_KEY_DOWN || key == SL_KEY_PGDN)
            ui->overlay_scroll += key == SL_KEY_DOWN ? 1 : 10;
        else if (key == SL_KEY_UP || key == SL_KEY_PGUP)
            ui->overlay_scroll -= key == SL_KEY_UP ? 1 : 10;
        else
            ui->overlay = SL_OV_NONE;
        break;
    case SL_OV_DETAILS:
        if (key == SL_KEY_UP || key == SL_KEY_DOWN) {
            k_select(ui, key);
            ui->overlay_scroll = 0;
        } else if (key == SL_KEY_PGDN || key == SL_KEY_PGUP) {
            ui->overlay_scroll += key == SL_KEY_PGDN ? 10 : -10;
        } else {
            ui->overlay = SL_OV_NONE;
        }
        break;
    case SL_OV_LESSONS:
        if (key == SL_KEY_UP && ui->overlay_sel > 0)
            ui->overlay_sel--;
        else if (key == SL_KEY_DOWN && ui->overlay_sel + 1 < ui->n_lessons)
            ui->overlay_sel++;
        else if (key == SL_KEY_ENTER && ui->n_lessons > 0) {
            leave_modes(ui);
            ui->req |= SL_REQ_LESSON;
            ui->overlay = SL_OV_NONE;
        } else if (key == SL_KEY_ESC || key == 's')
            ui->overlay = SL_OV_NONE;
        break;
    default:
        break;
    }
    if (ui->overlay_scroll < 0)
        ui->overlay_scroll = 0;
    return SL_REDRAW;
}

/* The lesson's caption closes on any key. Esc, Enter, Space and i only
 * close it (true); any other key also does what it does. */
static bool intro_key(sl_ui *ui, int key)
{
    ui->overlay = SL_OV_NONE;
    return key == SL_KEY_ESC || key == SL_KEY_ENTER || key == ' ' || key == 'i';
}

int sl__keys_handle(sl_ui *ui, int key)
{
    if (key == SL_KEY_RESIZE)
        return SL_REDRAW | SL_RELAYOUT;
    if (key == 'q' || key == SL_KEY_F1 + 9)
        return SL_QUIT;
    if (ui->overlay == SL_OV_INTRO && intro_key(ui, key))
        return SL_REDRAW;
    if (ui->overlay != SL_OV_NONE)
        return overlay_key(ui, key);
    if (sl__predict_key(ui, key))
        return SL_REDRAW;
    ui->status[0] = '\0';
    for (size_t i = 0; i < sl__n_bindings; i++)
        for (const int *k = sl__bindings[i].keys; *k; k++)
            if (*k == key)
                return sl__bindings[i].fn(ui, key) | SL_REDRAW;
    return 0;
}
