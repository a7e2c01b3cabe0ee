/*
 * record-session.c - a demo played headless into an asciicast file.
 *
 * The screen is ncurses on a memory file at a fixed size, as an
 * xterm-256color limited to the 16 base colours; no terminal is needed, so
 * CI can make the lessons' casts. The session's clock is virtual: a `wait`
 * or a replayed playhead costs no real time, and a replay recording is the
 * same bytes every time. But a live run cannot be hurried, so while one is
 * going the clock follows real time and the cast shows the run at its real
 * pace (an idle limit shortens the dull stretches afterwards).
 */
#define _GNU_SOURCE
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedlab/error.h"
#include "control/app.h"
#include "control/play.h"
#include "schedlab/control.h"
#include "control/player.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                          .tv_nsec = (long)(ns % 1000000000ull)};
    nanosleep(&ts, NULL);
}

/* A run is producing events: the clock must be real. */
static bool run_going(const sl_app *a)
{
    return (a->run && !a->run_joined) || a->cmp_run;
}

typedef struct session {
    sl_app *a;
    sl_player *player;
    sl_tee *tee;
    uint64_t frame_ns;
    uint64_t run_ns;              /* real time spent while runs were going */
    uint64_t wall_mark, cpu_mark; /* UI cpu accounting (real clocks) */
} session;

/* The UI's own cost, as the live loop reports it: the last frame, and the
 * thread's CPU time over each second of real time. */
static void measure(session *s, uint64_t frame_ns)
{
    sl_ui *ui = &s->a->ui;
    ui->frame_us = (double)frame_ns / 1e3;
    uint64_t now = sl_clock_ns();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    uint64_t cpu = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    if (s->wall_mark == 0) {
        s->wall_mark = now;
        s->cpu_mark = cpu;
    } else if (now - s->wall_mark >= 1000000000ull) {
        ui->ui_cpu_pct = 100.0 * (double)(cpu - s->cpu_mark) / (double)(now - s->wall_mark);
        s->wall_mark = now;
        s->cpu_mark = cpu;
    }
}

/* Plays the script to its end; returns the clock at the end. */
static int play(session *s, uint64_t *end_ns)
{
    sl_app *a = s->a;
    sl_ui *ui = &a->ui;
    uint64_t t = 0, last_frame = 0, last_tick = 0, real_prev = sl_clock_ns();
    bool drawn = false, dirty = true, quit = false;
    size_t seen = (size_t)-1;
    for (;;) {
        if (stop_signal)
            return SL_EINTR;
        dirty |= sl__app_poll(a);
        /* The time since the last turn passed under the old play state:
         * a Space pressed now starts playback from now. */
        dirty |= sl__play_tick(ui, t - last_tick);
        last_tick = t;
        uint64_t next = UINT64_MAX;
        if (!quit && !s->player->done) {
            int pf = sl__player_step(s->player, a, t, &next);
            dirty |= (pf & SL_PLAYER_REDRAW) != 0;
            quit = (pf & SL_PLAYER_QUIT) != 0;
        }
        size_t count = sl_ui_main_events(ui);
        dirty |= count != seen;
        if (dirty && (!drawn || t >= last_frame + s->frame_ns)) {
            seen = count;
            uint64_t f0 = sl_clock_ns();
            sl_play_fold(ui);
            sl_ui_draw(ui);
            /* The overhead line tells the truth about a lesson's recording;
             * a replay's shows nothing measured, to stay the same bytes. */
            if (!ui->replay)
                measure(s, sl_clock_ns() - f0);
            int rc = sl__tee_pump(s->tee, t);
            if (rc < 0)
                return rc;
            sl__app_marks(a, t);
            last_frame = t;
            drawn = true;
            dirty = false;
        }
        bool over = quit || s->player->done;
        if (over && !dirty)
            break;
        bool live = run_going(a);
        bool moving = live || ui->play == SL_PLAY_PLAYING || sl_play_any_live(ui);
        uint64_t want = over ? UINT64_MAX : next;
        if (dirty || moving) {
            uint64_t f = last_frame + s->frame_ns;
            want = f < want ? f : want;
        }
        if (live) {
            /* Real time, in steps of at most a frame so the run's end and
             * the script are noticed promptly. */
            uint64_t d = want > t ? want - t : 0;
            sleep_ns(d < s->frame_ns ? d : s->frame_ns);
            uint64_t r = sl_clock_ns();
            t += r - real_prev;
            s->run_ns += r - real_prev;
            real_prev = r;
        } else {
            real_prev = sl_clock_ns();
            /* Nothing scheduled and nothing moving: the script waits on a
             * run that has just ended; look again a frame later. */
            t = want == UINT64_MAX ? t + s->frame_ns : (want > t ? want : t);
        }
    }
    *end_ns = t;
    return 0;
}

static int open_cast(sl_app *a, const sl_record_opts *r, int cols, int rows, sl_tee **tee)
{
    char title[256];
    sl__app_title(a, title, sizeof title);
    /* A replay's cast is stamped with the run's own start, so recording the
     * same trace twice gives the same file. */
    int64_t stamp = a->ui.replay ? (int64_t)(a->ui.main.trace->meta.started_unix_ns / 1000000000ull)
                                 : (int64_t)time(NULL);
    const char *shell = getenv("SHELL");
    sl_cast_header h = {
        .version = r->cast_version,
        .width = cols,
        .height = rows,
        .timestamp = stamp,
        .title = title,
        .term = "xterm-256color",
        .shell = shell && *shell ? shell : "/bin/sh",
        .fps = r->fps,
        .idle_limit_s = r->idle_limit_s,
    };
    sl_cast *cast;
    int rc = sl_cast_open(&cast, r->out, &h);
    return rc < 0 ? rc : sl__tee_open(tee, cast, -1);
}

int sl_ui_record(const sl_ui_opts *o, const sl_record_opts *r, sl_record_stats *st, char *why,
                 size_t why_size)
{
    uint64_t real0 = sl_clock_ns();
    memset(st, 0, sizeof *st);
    setlocale(LC_ALL, "");
    /* A cast is played elsewhere: UTF-8 glyphs unless ASCII was asked for. */
    if (!o->ascii && !sl_theme_locale_utf8())
        setlocale(LC_CTYPE, "C.UTF-8");
    int cols = r->cols > 0 ? r->cols : 120, rows = r->rows > 0 ? r->rows : 40;
    sl_app a;
    int rc = sl__app_init(&a, o, why, why_size);
    if (rc < 0)
        return rc;
    session s = {.a = &a, .frame_ns = 1000000000ull / (r->fps ? r->fps : 30)};
    FILE *in = fopen("/dev/null", "r");
    rc = in ? open_cast(&a, r, cols, rows, &s.tee) : SL_EIO;
    if (rc < 0) {
        snprintf(why, why_size, "cannot write %s: %s", r->out, sl_strerror(rc));
        if (in)
            fclose(in);
        sl__app_free(&a);
        return rc;
    }
    /* Curses must not follow the size of whatever terminal we run in. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_winch, old_int, old_term;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGWINCH, &ign, &old_winch);
    sl_term_opts to = {.in = in,
                       .out = sl__tee_stream(s.tee),
                       .type = "xterm-256color",
                       .cols = cols,
                       .rows = rows,
                       .mono = o->mono,
                       .theme = o->theme,
                       .ascii = o->ascii,
                       .colors16 = true};
    rc = sl_term_open(&to);
    if (rc < 0) {
        snprintf(why, why_size,
                 "cannot open an xterm-256color screen (is ncurses-term installed?)");
    } else {
        sl_player player;
        sl__player_init(&player, r->demo, false);
        a.player = &player;
        /* The demo's moments are marked in the cast. */
        a.tee = s.tee;
        s.player = &player;
        struct sigaction sa = {.sa_handler = on_stop};
        sigemptyset(&sa.sa_mask);
        stop_signal = 0;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        uint64_t end = 0;
        rc = play(&s, &end);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        /* The last screen stays up for as long as the script's end says. */
        fputs("\033[?25l", sl__tee_stream(s.tee));
        sl__tee_pump(s.tee, end);
        sl_term_close();
        sl__tee_drop(s.tee);
        a.player = NULL;
        a.tee = NULL;
    }
    if (rc == 0 && r->trace_out) {
        /* The run a page shows: the main view's last, once it has ended. */
        if (!a.ui.has_main || run_going(&a)) {
            snprintf(why, why_size,
                     "the demo ended with no finished run in the main view to save "
                     "(end it with `until-done`)");
            rc = SL_ESTATE;
        } else {
            rc = sl_trace_save(a.ui.main.trace, r->trace_out, why, why_size);
        }
    }
    sl_cast *cast = sl__tee_cast(s.tee);
    sl_cast_flush(cast);
    st->cast_s = (double)sl_cast_length(cast) / 1e9;
    st->events = sl_cast_events(cast);
    st->bytes = sl__tee_bytes(s.tee);
    int crc = sl__tee_close(s.tee, 0);
    sigaction(SIGWINCH, &old_winch, NULL);
    fclose(in);
    sl__app_free(&a);
    st->run_s = (double)s.run_ns / 1e9;
    st->real_s = (double)(sl_clock_ns() - real0) / 1e9;
    if (rc == 0 && crc < 0) {
        snprintf(why, why_size, "cannot write %s: %s", r->out, sl_strerror(crc));
        rc = crc;
    }
    return rc;
}
