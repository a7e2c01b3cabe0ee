/*
 * control.h - the door of src/control/: the controller of the live TUI,
 * for the commands.
 *
 * The controller owns what the views must not see: the engine, the run in
 * progress, the lesson, the keys, demo scripts and recordings. sl_ui_live
 * opens the terminal, plays a lesson (runs start on the engine's thread,
 * one at a time) or a saved trace, and returns when the user quits or a
 * signal asks to stop; the terminal is restored in every case.
 */
#ifndef SCHEDLAB_CONTROL_H
#define SCHEDLAB_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/scenario.h"
#include "schedlab/trace.h"

typedef struct sl_ui_opts {
    sl_scenario *scenario; /* lesson to run (taken: freed by the UI), or NULL */
    sl_trace *trace;       /* saved trace to replay (taken), or NULL */
    const char *strategy;  /* first strategy to run, NULL: the lesson's first */
    uint32_t workers;      /* 0: the lesson's default */
    bool mono;             /* no colours (also under NO_COLOR) */
    bool ascii;            /* ASCII glyphs (also under a non-UTF-8 locale) */
    bool no_mouse;         /* leave the mouse to the terminal (selecting text) */
    int theme;             /* sl_theme */
    bool pace_set;         /* pace_ns overrides the lesson's lecture pace */
    uint64_t pace_ns;      /* ... 0: off (real speed) */
    const int (*remap)[2]; /* typed key -> the key it acts as (config [keys]) */
    size_t n_remaps;
} sl_ui_opts;

/* Draws full frames off-screen (into /dev/null through ncurses) at
 * cols x rows from a synthetic trace of n_tasks tasks and n_events events,
 * moving the playhead across it, and reports the mean cost of one frame in
 * microseconds (model seek + every view + the terminal diff). */
int sl_ui_bench_frame(unsigned cols, unsigned rows, uint32_t n_tasks, size_t n_events,
                      double *us_per_frame);
/* A finished event-loop run of n_tasks coroutines (sl_synth_loop_trace) as
 * the TUI meets it: `first_ms` is the time from opening it to its first
 * frame (at its end), `seek_ms` that of a jump back to its middle, then the
 * mean cost of a playback frame from there whose playhead moves
 * `events_per_frame` events (a real run's pace at 1x, 30 fps). */
int sl_ui_bench_playback(unsigned cols, unsigned rows, uint32_t n_tasks, size_t events_per_frame,
                         double *first_ms, double *seek_ms, double *us_per_frame);

/*
 * Scripted demos: a small line language that drives the TUI, and
 * the player that carries it out (live for a lecturer, or in a recording).
 *
 *   # a comment                 lesson NAME     strategy NAME
 *   wait 2s | 1.5s | 500ms      key KEY...      say TEXT | say
 *   pause                       run             until-done
 *
 * Keys are single characters (q c p 1 + ...) or names: Space Enter Tab
 * BTab Esc Left Right Up Down Home End PgUp PgDn Backspace Ctrl-L.
 * A `#` after a command (not after say, whose text is taken as written)
 * starts a comment. Errors read "FILE:LINE: message".
 */
#define SL_DEMO_MAX_KEYS 16
#define SL_DEMO_MAX_SAY 200         /* characters of one caption */
#define SL_DEMO_MAX_FILE (1u << 20) /* bytes of one demo file */

typedef enum sl_demo_op {
    SL_DEMO_LESSON,     /* load lesson `text` (the first one opens the session) */
    SL_DEMO_STRATEGY,   /* choose strategy `text` for the next run */
    SL_DEMO_WAIT,       /* let `ns` pass */
    SL_DEMO_KEY,        /* press keys[] one after another */
    SL_DEMO_SAY,        /* caption `text` (NULL clears it) */
    SL_DEMO_PAUSE,      /* live: wait for a key; recording: hold a moment */
    SL_DEMO_RUN,        /* start (or restart) the run; replay: play from 0 */
    SL_DEMO_UNTIL_DONE, /* wait until no run is going and playback stopped */
} sl_demo_op;

typedef struct sl_demo_cmd {
    sl_demo_op op;
    int line;                   /* 1-based line in the file */
    uint64_t ns;                /* wait */
    int keys[SL_DEMO_MAX_KEYS]; /* key: term.h key codes */
    int n_keys;
    char *text; /* lesson, strategy, say (owned) */
} sl_demo_cmd;

typedef struct sl_demo {
    char *name; /* what errors call the file */
    sl_demo_cmd *cmds;
    size_t n;
} sl_demo;

/* Parses `text`; errors are "NAME:LINE: message" in `why`. */
int sl_demo_parse(const char *name, const char *text, sl_demo **out, char *why, size_t why_size);
/* Reads (by sl_file_read: a regular file of at most SL_DEMO_MAX_FILE bytes)
 * and parses a file; errors name `path`, a NUL byte by its offset. */
int sl_demo_load(const char *path, sl_demo **out, char *why, size_t why_size);
void sl_demo_free(sl_demo *d);
/* The first lesson / strategy the script names, or NULL. */
const char *sl_demo_first(const sl_demo *d, sl_demo_op op);
/* A demo file from a path, or a shipped demo's name ("io-download" ->
 * assets/demos/io-download.demo next to the lessons). A path that exists
 * resolves to itself whatever it is (sl_demo_load says what is wrong);
 * nothing is opened, so a FIFO cannot block here. */
int sl_demo_resolve(const char *name_or_path, char *buf, size_t size);
/* The key code of a name ("Space", "q"), or SL_KEY_NONE. */
int sl_demo_key(const char *name);

/*
 * Sessions beyond the plain TUI: a demo played live in front of
 * a class, the live terminal recorded to an asciicast file, and a demo
 * recorded headless (no terminal needed: CI makes the lessons' casts).
 */
typedef struct sl_record_opts {
    const char *out;       /* the cast file */
    const sl_demo *demo;   /* the script */
    int cols, rows;        /* the screen; 0: 120 x 40 */
    unsigned fps;          /* at most this many frames a second; 0: 30 */
    double idle_limit_s;   /* > 0: no pause in the cast longer than this */
    int cast_version;      /* asciicast 2 (also 0) or 3 (with markers) */
    const char *trace_out; /* or NULL: where to save the main view's last run (for a page) */
} sl_record_opts;

typedef struct sl_record_stats {
    double cast_s;  /* the cast's length (after the idle limit) */
    double real_s;  /* how long recording took */
    double run_s;   /* of which runs were going (real time) */
    size_t events;  /* events in the cast */
    uint64_t bytes; /* terminal output recorded */
} sl_record_stats;

/* Plays the demo headless into a cast (in v3 with a marker at each `say`
 * and each predict question). The clock is virtual (waits cost
 * nothing) except while a run is going, which takes its real time; a saved
 * trace's recording is therefore the same, byte for byte, every time.
 * With trace_out, the main view's last run is saved there at the end
 * (SL_ESTATE when the script ended with no finished run to save).
 * Returns 0, SL_EINTR on SIGINT/SIGTERM, or a negative SL_E* with `why`. */
int sl_ui_record(const sl_ui_opts *o, const sl_record_opts *r, sl_record_stats *st, char *why,
                 size_t why_size);

/* The interactive TUI (sl_ui_main) with, optionally, a demo played live
 * (`pause` waits for a key) and the terminal's bytes teed into `cast_path`
 * (asciicast `cast_version`, 2 or 3) with resize events and, in v3,
 * markers at the demo's captions and the predict questions. */
int sl_ui_live(const sl_ui_opts *o, const sl_demo *demo, const char *cast_path, int cast_version,
               char *why, size_t why_size);

#endif
