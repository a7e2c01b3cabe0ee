/*
 * app.c - the TUI's loop: keys, runs, the playhead, frames.
 *
 * One thread does everything here; runs execute on their own threads and
 * only their traces are shared (read under the trace lock). A frame is drawn
 * only when something changed (a key, the playhead, new events), at most
 * 30 times a second, and animation frames are spaced so that drawing takes
 * under 1% of a core while a lesson plays. Whatever ends the loop (q, SIGINT, SIGTERM, SIGHUP)
 * restores the terminal; fatal signals restore it from the handler before dying.
 * A demo (lecturer mode) is stepped once per turn on the real clock, and a
 * recording tees each frame's bytes to the cast right after the flush.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "control/app.h"
#include "control/play.h"
#include "control/keys.h"
#include "schedlab/control.h"
#include "control/player.h"
#include "control/lesson-info.h"

#define FRAME_NS (1000000000ull / 30)
#define IDLE_WAIT_MS 250

static volatile sig_atomic_t stop_signal;
static struct termios saved_tios;
static bool have_tios;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* Async-signal-safe: put the terminal back, then die of the same signal. */
static void on_fatal(int sig)
{
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) {
        /* Nothing more can be done from a dying process. */
    }
    if (have_tios)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
}

static void restore_signals(void)
{
    const int all[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        signal(all[i], SIG_DFL);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* First strategy: asked for, else the lesson's first, else threads. */
static int first_strategy(const sl_ui_opts *o)
{
    int i = o->strategy ? sl__strategy_index(o->strategy, strlen(o->strategy)) : -1;
    return i >= 0 ? i : sl__lesson_first_strategy(o->scenario);
}

/* Frame: fold to the playhead, draw, and account the cost. */
static void frame(sl_ui *ui)
{
    uint64_t t0 = sl_clock_ns();
    sl_play_fold(ui);
    sl_ui_draw(ui);
    ui->frame_us = (double)(sl_clock_ns() - t0) / 1e3;
}

/* Time between animation frames: at most 30 a second, and fewer when a
 * frame is expensive, so that drawing stays within CPU_BUDGET of a core;
 * but at least one a second. Without that floor a million-task run, whose
 * frames cost a quarter of a second, showed one frame every 30 s, and the
 * one 4 s frame that folds the whole finished trace stopped the playhead
 * for minutes: a view that does not move looks hung. */
#define CPU_BUDGET 0.008
#define SLOWEST_GAP_NS 1000000000ull
static uint64_t pace(double frame_ns)
{
    uint64_t by_cost = (uint64_t)(frame_ns / CPU_BUDGET);
    if (by_cost > SLOWEST_GAP_NS)
        return SLOWEST_GAP_NS;
    return by_cost > FRAME_NS ? by_cost : FRAME_NS;
}

/* Milliseconds from now to `due` (0 if past), at most `cap`. */
static int ms_until(uint64_t now, uint64_t due, int cap)
{
    if (due <= now)
        return 0;
    uint64_t ms = (due - now + 999999) / 1000000;
    return ms < (uint64_t)cap ? (int)ms : cap;
}

static int loop(sl_app *a)
{
    sl_ui *ui = &a->ui;
    uint64_t last_frame = 0, last_tick = sl_clock_ns(), start = last_tick;
    uint64_t cpu_mark = thread_cpu_ns(), wall_mark = last_tick;
    size_t seen_events = (size_t)-1;
    double cost_ns = 0;
    /* A key's effect is drawn within a frame; animation waits for its pace. */
    bool key_dirty = true;
    while (!stop_signal) {
        uint64_t now = sl_clock_ns();
        uint64_t script_due = UINT64_MAX;
        if (a->player && !a->player->done) {
            uint64_t next;
            int pf = sl__player_step(a->player, a, now - start, &next);
            if (pf & SL_PLAYER_QUIT)
                return 0;
            key_dirty |= (pf & SL_PLAYER_REDRAW) != 0;
            if (next != UINT64_MAX)
                script_due = start + next;
        }
        bool moving = ui->play == SL_PLAY_PLAYING || sl_play_any_live(ui) || ui->cmp_running >= 0;
        uint64_t gap = key_dirty ? FRAME_NS : pace(cost_ns);
        int wait_ms = IDLE_WAIT_MS;
        if (key_dirty || moving)
            wait_ms = ms_until(now, last_frame + gap, wait_ms);
        wait_ms = ms_until(now, script_due, wait_ms);
        int key = sl__app_remap(a, sl_term_key(wait_ms));
        if (key != SL_KEY_NONE && a->player && sl__player_key(a->player, &a->ui, key)) {
            key_dirty = true;
        } else if (key != SL_KEY_NONE) {
            int eff = sl__app_key(a, key);
            if (eff & SL_QUIT)
                return 0;
            key_dirty |= (eff & SL_REDRAW) != 0;
        }
        if (a->tee && sl__tee_stop_asked(a->tee)) {
            sl_term_suspend();
            sl__tee_stop_here(a->tee);
            sl_term_resume();
            key_dirty = true;
        }
        int cols, rows;
        if (a->tee && sl__tee_resized(a->tee, sl_clock_ns() - start, &cols, &rows)) {
            sl_term_resize(cols, rows);
            sl_term_invalidate();
            key_dirty = true;
        }
        key_dirty |= sl__app_poll(a);
        now = sl_clock_ns();
        if (now - last_frame < (key_dirty ? FRAME_NS : pace(cost_ns)))
            continue;
        bool dirty = sl__play_tick(ui, now - last_tick) || key_dirty;
        last_tick = now;
        size_t count = sl_ui_main_events(ui);
        dirty |= count != seen_events;
        if (!dirty) {
            /* Nothing new: look again one frame period later, not at once. */
            last_frame = now;
            continue;
        }
        seen_events = count;
        /* The UI's CPU use over each second; a play shorter than that is
         * measured when it stops, or a short replay would read 0%. */
        bool stopped =
            !(ui->play == SL_PLAY_PLAYING || sl_play_any_live(ui) || ui->cmp_running >= 0);
        if (now - wall_mark >= 1000000000ull ||
            (stopped && moving && now - wall_mark >= 100000000ull)) {
            uint64_t cpu = thread_cpu_ns();
            ui->ui_cpu_pct = 100.0 * (double)(cpu - cpu_mark) / (double)(now - wall_mark);
            cpu_mark = cpu;
            wall_mark = now;
        }
        frame(ui);
        if (a->tee) {
            sl__tee_pump(a->tee, now - start);
            sl__app_marks(a, now - start);
        }
        cost_ns = cost_ns == 0 ? ui->frame_us * 1e3 : 0.8 * cost_ns + 0.2 * ui->frame_us * 1e3;
        last_frame = now;
        key_dirty = false;
    }
    return SL_EINTR;
}

void sl__app_free(sl_app *a)
{
    sl__app_stop_all(a);
    if (a->ui.has_main)
        sl_pane_close(&a->ui.main);
    sl__lessons_free(&a->ui);
    sl_scenario_free(a->sc);
    if (a->engine)
        sl_engine_close(a->engine);
}

void sl__app_tables(sl_ui *ui)
{
    for (ui->n_strategies = 0;
         sl_strategies[ui->n_strategies] && ui->n_strategies < SL_UI_MAX_STRATEGIES;
         ui->n_strategies++) {
        const sl_strategy *st = sl_strategies[ui->n_strategies];
        ui->strategies[ui->n_strategies] =
            (sl_ui_strategy){st->name, st->summary, st->event_loop_io, st->gil};
    }
    ui->bindings = sl__bindings;
    ui->n_bindings = sl__n_bindings;
}

int sl__app_init(sl_app *a, const sl_ui_opts *o, char *why, size_t why_size)
{
    *a = (sl_app){0};
    sl_ui *ui = &a->ui;
    ui->speed = 1.0;
    ui->sel = -1;
    ui->cmp_running = -1;
    ui->predict.guess = -1;
    ui->ascii = o->ascii || !sl_theme_locale_utf8();
    sl__app_tables(ui);
    ui->strategy = first_strategy(o);
    ui->workers = o->workers;
    a->sc = o->scenario;
    ui->sc = a->sc;
    sl_ui_bar_order(ui, a->sc ? a->sc->strategies : NULL);
    a->pace_set = o->pace_set;
    a->pace_ns = o->pace_ns;
    a->remap = o->remap;
    a->n_remaps = o->n_remaps;
    ui->remap = o->remap;
    ui->n_remaps = o->n_remaps;
    int rc = 0;
    if (o->trace) {
        ui->replay = true;
        rc = sl_pane_open(&ui->main, o->trace, true, false);
        if (rc < 0) {
            sl_trace_free(o->trace);
            snprintf(why, why_size, "cannot open the trace: %s", sl_strerror(rc));
            sl__app_free(a);
            return rc;
        }
        ui->has_main = true;
        ui->play = SL_PLAY_PLAYING;
    } else if (a->sc) {
        rc = sl_engine_open(&a->engine);
        if (rc < 0) {
            snprintf(why, why_size, "cannot start the engine: %s", sl_strerror(rc));
            sl__app_free(a);
            return rc;
        }
        int n = sl_scenario_list(&ui->lessons);
        ui->n_lessons = n > 0 ? n : 0;
        if ((rc = sl__lessons_describe(ui)) < 0) {
            snprintf(why, why_size, "cannot list the lessons: %s", sl_strerror(rc));
            sl__app_free(a);
            return rc;
        }
    }
    return 0;
}

/* The cast's title: what is shown, and how. */
void sl__app_title(const sl_app *a, char *buf, size_t size)
{
    const sl_ui *ui = &a->ui;
    if (ui->replay)
        snprintf(buf, size, "%s - %s (replay)", ui->main.trace->meta.title,
                 ui->main.trace->meta.strategy);
    else
        snprintf(buf, size, "%s - %s", a->sc ? a->sc->title : "schedlab",
                 sl_strategy_name(ui, ui->strategy));
}

/* Opens the cast of a live session at the real terminal's size. */
static int open_tee(sl_app *a, const char *path, int version, char *why, size_t why_size)
{
    struct winsize ws = {.ws_col = 80, .ws_row = 24};
    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
    char title[256];
    sl__app_title(a, title, sizeof title);
    sl_cast_header h = {
        .version = version,
        .width = ws.ws_col ? ws.ws_col : 80,
        .height = ws.ws_row ? ws.ws_row : 24,
        .timestamp = (int64_t)time(NULL),
        .title = title,
        .term = getenv("TERM"),
        .shell = getenv("SHELL"),
    };
    sl_cast *cast;
    int rc = sl_cast_open(&cast, path, &h);
    if (rc == 0)
        rc = sl__tee_open(&a->tee, cast, STDOUT_FILENO);
    if (rc < 0)
        snprintf(why, why_size, "cannot write the recording %s: %s", path, sl_strerror(rc));
    return rc;
}

int sl_ui_live(const sl_ui_opts *o, const sl_demo *demo, const char *cast_path, int cast_version,
               char *why, size_t why_size)
{
    setlocale(LC_ALL, "");
    sl_app a;
    int rc = sl__app_init(&a, o, why, why_size);
    if (rc < 0)
        return rc;
    have_tios = tcgetattr(STDIN_FILENO, &saved_tios) == 0;
    if (cast_path && (rc = open_tee(&a, cast_path, cast_version, why, why_size)) < 0) {
        sl__app_free(&a);
        return rc;
    }
    sl_term_opts to = {
        .mono = o->mono, .theme = o->theme, .ascii = o->ascii, .mouse = !o->no_mouse};
    if (a.tee) {
        /* Curses writes into the tee, which passes every byte on. */
        to.out = sl__tee_stream(a.tee);
        to.colors16 = true;
        sl__tee_tty_size(a.tee, &to.cols, &to.rows);
    }
    if (!getenv("TERM") || (rc = sl_term_open(&to)) < 0) {
        snprintf(why, why_size, "cannot open the terminal (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "unset");
        sl__tee_close(a.tee, 0);
        sl__app_free(&a);
        return rc < 0 ? rc : SL_ENOTSUP;
    }
    sl_player player;
    if (demo) {
        sl__player_init(&player, demo, true);
        a.player = &player;
    }
    stop_signal = 0;
    install_signals();
    /* A class watches each run over the lesson's pace; a demo sets its own. */
    if (!demo)
        a.ui.pace_ns = sl__app_pace(&a, a.sc);
    if (a.sc && !demo) {
        /* The lesson introduces itself while its first run starts. */
        a.ui.overlay = SL_OV_INTRO;
        sl__app_run(&a);
    }
    uint64_t t0 = sl_clock_ns();
    rc = loop(&a);
    sl_term_close();
    int trc = sl__tee_close(a.tee, sl_clock_ns() - t0);
    restore_signals();
    sl__app_free(&a);
    if (rc == 0 && trc < 0) {
        snprintf(why, why_size, "the recording %s is incomplete: %s", cast_path, sl_strerror(trc));
        return trc;
    }
    return rc;
}
