/*
 * ui.h - the door of src/ui/: the terminal views and the state they read.
 *
 * A pane is one run as the views see it: its trace (meta, task names), the
 * model folded to the playhead, and the spans for drawing history. The main
 * screen shows one pane; compare mode shows one per strategy on one clock.
 * Views only read this state and draw through the terminal (src/ui/term.c);
 * the controller (src/control/) changes it, opens the terminal and asks
 * for frames.
 */
#ifndef SCHEDLAB_UI_H
#define SCHEDLAB_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "schedlab/model.h"
#include "schedlab/scenario.h"
#include "schedlab/trace.h"

/* ---- the terminal (term.c) ---- */

/* A rectangle of cells. */
typedef struct sl_rect {
    int x, y, w, h;
} sl_rect;

/* Keys beyond the character range (characters are returned as themselves). */
enum {
    SL_KEY_NONE = -1,
    SL_KEY_UP = 0x110000,
    SL_KEY_DOWN,
    SL_KEY_LEFT,
    SL_KEY_RIGHT,
    SL_KEY_HOME,
    SL_KEY_END,
    SL_KEY_PGUP,
    SL_KEY_PGDN,
    SL_KEY_ENTER,
    SL_KEY_ESC,
    SL_KEY_TAB,
    SL_KEY_BTAB,
    SL_KEY_BACKSPACE,
    SL_KEY_DELETE,
    SL_KEY_F1, /* F1 .. F12 follow in order: SL_KEY_F1 + n - 1 */
    SL_KEY_F12 = SL_KEY_F1 + 11,
    SL_KEY_MOUSE, /* sl_term_mouse() says where and which button */
    SL_KEY_RESIZE,
};

/* What a mouse report did. */
typedef enum sl_mouse_kind {
    SL_MOUSE_CLICK = 1, /* the left button went down */
    SL_MOUSE_WHEEL_UP,
    SL_MOUSE_WHEEL_DOWN,
} sl_mouse_kind;

typedef struct sl_mouse {
    sl_mouse_kind kind;
    int x, y; /* the cell, 0-based */
} sl_mouse;

/* The looks a user can choose (config file `theme`, --theme). */
typedef enum sl_theme {
    SL_THEME_DEFAULT = 0, /* 16 colours, or 256 where the terminal has them */
    SL_THEME_PROJECTOR,   /* bright bold colours, nothing dim: for a washed-out projector */
    SL_THEME_MONO,        /* attributes only (as --mono, NO_COLOR) */
    SL_THEME__COUNT
} sl_theme;
#define SL_THEME_NAMES "default, projector or mono"
/* The theme called `name`, or -1. */
int sl_theme_parse(const char *name);
/* The name of theme `t` ("default" for an unknown one). */
const char *sl_theme_name(int t);

typedef struct sl_term_opts {
    FILE *in, *out;   /* NULL: the process's terminal */
    const char *type; /* terminal type, NULL: $TERM */
    bool mono;        /* attributes only */
    int theme;        /* sl_theme (mono also by `mono`) */
    bool ascii;       /* ASCII glyphs (also forced by a non-UTF-8 locale) */
    int cols, rows;   /* > 0: force this size (off-screen rendering) */
    bool colors16;    /* at most the 16 base colours (recordings play anywhere) */
    bool mouse;       /* report clicks and the wheel as SL_KEY_MOUSE */
} sl_term_opts;

/* Opens the terminal (one at a time): raw keys, no echo, hidden cursor,
 * colours per the theme. The locale must already be set. */
int sl_term_open(const sl_term_opts *o);
/* Restores the terminal and frees the screen. Safe to call twice. */
void sl_term_close(void);
/* Leaves curses mode for a moment (before a fatal exit or a suspend). */
void sl_term_suspend(void);
/* Back from sl_term_suspend: redraws everything on the next flush. */
void sl_term_resume(void);

bool sl_term_ascii(void);
void sl_term_size(int *cols, int *rows);
/* Forces a size (tests, off-screen rendering). */
void sl_term_resize(int cols, int rows);

/* Repaints the whole screen on the next flush (after Ctrl-L or a resume). */
void sl_term_invalidate(void);
/* Next key within `timeout_ms` (< 0: wait forever), or SL_KEY_NONE. */
int sl_term_key(int timeout_ms);
/* A key by the name demo scripts and config.ini's [keys] give it ("Space",
 * "Down", "q"), or SL_KEY_NONE; and the name of a key (buf: for a key the
 * table does not name). */
int sl_key_by_name(const char *name);
const char *sl_key_name(int key, char *buf, size_t size);
/* The mouse report behind the last SL_KEY_MOUSE. */
sl_mouse sl_term_mouse(void);
/* True when the current locale's charset is UTF-8. */
bool sl_theme_locale_utf8(void);

/* ---- what was drawn where, for the mouse (hit.c) ---- */

/* Views register the cells that stand for a strategy or a task as they
 * draw them, so a click is resolved against the frame the user sees. */
typedef enum sl_hit_kind {
    SL_HIT_NONE = 0,
    SL_HIT_STRATEGY, /* index: a strategy (sl_strategies) */
    SL_HIT_TASK,     /* index: a task of the main run */
} sl_hit_kind;

typedef struct sl_hit {
    sl_hit_kind kind;
    int index;
} sl_hit;

/* The area under cell (x, y) in the last frame, or kind SL_HIT_NONE. */
sl_hit sl_hit_at(int x, int y);

/* ---- where each panel goes (layout.c) ---- */

#define SL_UI_MIN_COLS 80
#define SL_UI_MIN_ROWS 24

typedef struct sl_layout {
    int cols, rows;
    bool too_small; /* below 80x24: draw only the too-small screen */
    bool wide;      /* the lists stand in a column right of the timeline */
    sl_rect header, timeline, running, ready, waiting, queued, cores, counters, caption, footer;
    sl_rect completed; /* as completed: its own on wide screens, else w = 0 (shares queued) */
    sl_rect body;      /* everything between header and caption (compare mode) */
    sl_rect overlay;   /* centred box for help, details and the lesson picker */
} sl_layout;

/* ---- the state the views read ---- */

#define SL_UI_MAX_CMP 12
#define SL_UI_MAX_STRATEGIES 16
#define SL_UI_MAX_SAY 1024 /* bytes of a demo's caption, its terminating NUL included */

/* One run as drawn. */
typedef struct sl_pane {
    sl_trace *trace;   /* the run's events, meta and names */
    bool owned;        /* the pane frees the trace */
    bool live;         /* the trace is still filling */
    sl_model model;    /* folded to the playhead */
    sl_span_fold fold; /* every published event applied once: spans, stats */
    sl_spans spans;    /* every task's history, read out of the fold */
    bool have_spans;
    uint32_t states_seen;   /* bit st: some span shows sl_state st (the legend's states) */
    size_t spans_count;     /* events in the trace when the spans were read out */
    uint32_t spans_gen;     /* the trace's generation then */
    uint64_t spans_done_ns; /* monotonic time the last read-out ended */
    uint64_t spans_cost_ns; /* how long growing the fold and reading out took */
    bool finished;          /* the trace's view: the run has ended */
    uint64_t dropped;       /* the trace's view: events lost to full rings */
    sl_stats stats;         /* computed once the run ends (takeaway, compare mode) */
    bool have_stats;
    sl_span_index index; /* the spans by time: a column from the spans overlapping it */
    bool have_index;     /* built from the spans read out last */
    struct sl_index_build *index_build; /* a finished run's index, being built (pane-index.c) */
    struct sl_lane_cache *lanes;        /* the timeline's rows as of the spans (view-timeline.c) */
    void (*lanes_free)(struct sl_lane_cache *); /* how the pane lets go of them */
    struct sl_core_cache *cores; /* the cores' lanes as of the spans (view-cores.c) */
    void (*cores_free)(struct sl_core_cache *); /* how the pane lets go of them */
} sl_pane;

typedef enum sl_play {
    SL_PLAY_LIVE = 0, /* the playhead follows the newest event */
    SL_PLAY_PAUSED,   /* the playhead stays put */
    SL_PLAY_PLAYING,  /* the playhead advances at `speed` x real time */
    SL_PLAY_ENDED,    /* the playhead reached the end of a finished run by itself */
} sl_play;

typedef enum sl_overlay {
    SL_OV_NONE = 0,
    SL_OV_HELP,
    SL_OV_DETAILS,
    SL_OV_LESSONS,
    SL_OV_INTRO, /* the lesson's caption paragraph (on opening it, and key i) */
} sl_overlay;

/* Requests from key handlers to the app loop (which owns runs). */
enum {
    SL_REQ_RUN = 1 << 0,     /* (re)run the chosen strategy */
    SL_REQ_COMPARE = 1 << 1, /* run every compared strategy, then play them */
    SL_REQ_LESSON = 1 << 2,  /* load lessons[overlay_sel] and run it */
    SL_REQ_STOP = 1 << 3,    /* leave compare mode */
    SL_REQ_CANCEL = 1 << 4,  /* cancel task `cancel_task` of the main run */
};

/* A strategy as the views name it; the controller fills the list from the
 * strategy table, so views never reach below the model. */
typedef struct sl_ui_strategy {
    const char *name;    /* "threads" */
    const char *summary; /* one line for the help */
    bool event_loop_io;  /* io awaited on an event loop, not a blocking call */
    uint8_t gil_scope;   /* what the run's GIL means to it (sl_gil_scope) */
} sl_ui_strategy;

struct sl_ui;
/* Effects a key handler returns, or-ed together. */
enum {
    SL_REDRAW = 1 << 0,   /* the frame must be drawn again */
    SL_RELAYOUT = 1 << 1, /* panels must be recomputed first */
    SL_QUIT = 1 << 2,     /* leave the TUI */
};

typedef int (*sl_key_fn)(struct sl_ui *ui, int key);

/* One key binding: the controller's table (control/keys.c) is read by the
 * dispatcher, the help overlay and the footer, so what the help says is
 * what the keys do. */
typedef struct sl_binding {
    int keys[12];            /* key codes (term.h), 0-terminated */
    const char *label;       /* how help and footer write the keys */
    const char *label_ascii; /* the same without arrows, or NULL */
    const char *help;        /* one line for the help overlay */
    const char *footer;      /* a word for the footer, NULL: help only */
    int rank;                /* footer order: 1 first; a narrow footer drops the last */
    sl_key_fn fn;
} sl_binding;

/* Candidates a predict question lists at most, and questions in a round. */
#define SL_PREDICT_MAX_CAND 64
#define SL_PREDICT_ROUND 10

/* What a predict question asks. */
typedef enum sl_question {
    SL_Q_FIFO = 0, /* which ready task a FIFO queue (loop, pool, start order) serves next */
    SL_Q_WAKE,     /* which waiting task wakes next */
    SL_Q_GIL,      /* which thread the GIL goes to next */
    SL_Q_CORE,     /* which runnable thread the OS puts on a core next */
    SL_Q_WORKER,   /* which idle pool worker takes the next queued task */
    SL_Q__COUNT
} sl_question;

/* The question of kind `kind` as the predict bar asks it. */
const char *sl_ui_question(int kind);

typedef struct sl_predict {
    bool on;                            /* predict mode */
    bool asking;                        /* stopped before the answer, waiting for a guess */
    bool revealed;                      /* the answer is shown */
    bool over;                          /* the round ended: the summary is shown */
    uint8_t kind;                       /* sl_question of the current question */
    uint32_t answer;                    /* the task that actually went next (SL_Q_WORKER: the
                                         * worker, numbered from 0 in order of first task) */
    uint32_t task;                      /* the task the decision moved */
    uint64_t at_ns;                     /* time of that event */
    uint32_t cand[SL_PREDICT_MAX_CAND]; /* the choices when asked, in list order */
    uint32_t n_cand;
    uint64_t idle_ns[SL_PREDICT_MAX_CAND]; /* SL_Q_WORKER: since when each choice was idle */
    uint32_t last[SL_PREDICT_MAX_CAND];    /* SL_Q_WORKER: its last task, or SL_NO_TASK */
    int guess;                             /* index into cand, or -1 */
    int cursor;                            /* highlighted choice (arrows move it) */
    int typed;                             /* number typed so far (several digits), 0 none */
    uint32_t right, asked;                 /* the score */
    uint32_t right_by[SL_Q__COUNT];        /* per kind of question */
    uint32_t asked_by[SL_Q__COUNT];
    uint32_t since_fifo; /* questions since the last FIFO one */
    uint32_t streak;     /* questions of `kind` in a row */
    uint32_t posed;      /* questions posed so far (a recording marks each) */
    char note[240];      /* what the last reveal said, or the summary */
} sl_predict;

typedef struct sl_ui {
    sl_layout lay;
    bool ascii; /* ASCII glyphs */

    sl_pane main; /* the current run or the replayed trace */
    bool has_main;
    sl_pane cmp[SL_UI_MAX_CMP]; /* compare mode: one pane per strategy */
    uint32_t n_cmp;
    bool compare;                    /* compare mode is shown */
    int cmp_running;                 /* index of the compare run in progress, -1 none */
    int cmp_strategy[SL_UI_MAX_CMP]; /* strategy index of each compare pane */
    uint32_t
        cmp_gil[SL_UI_MAX_CMP]; /* its runtime if the lesson set one (NAME:nogil), sl_gil_mode */
    uint32_t n_cmp_planned;

    uint64_t t_ns; /* the playhead */
    sl_play play;
    uint64_t held_end; /* the end drawn by the last frame not paused (0: none): a pause keeps it */
    double speed;      /* playback speed, 0.01 .. 10 (lecture pace: as low as it needs) */
    uint64_t pace_ns;  /* lecture pace: a run plays back over this long (0: off, speed rules) */
    bool replay;       /* a saved trace: no runs */
    int zoom;          /* 0: fit the run; n: 2^n times closer */
    int sel;           /* selected task, or -1 */

    sl_overlay overlay;
    int overlay_sel;    /* cursor in the lesson picker */
    int overlay_scroll; /* first line shown in details / help */
    sl_predict predict;

    const sl_scenario *sc; /* the lesson (NULL in replay) */
    int strategy;          /* index into strategies of the chosen strategy */
    uint32_t strategy_gil; /* its runtime if a demo said NAME:nogil or NAME:gil, sl_gil_mode */
    int n_strategies;
    sl_ui_strategy strategies[SL_UI_MAX_STRATEGIES]; /* in menu order */
    int bar[SL_UI_MAX_STRATEGIES]; /* the strategy bar: strategy indices, the lesson's first */
    int n_bar;                     /* entries of bar (not n_strategies: menu order) */
    const sl_binding *bindings;    /* the key table, or NULL */
    size_t n_bindings;
    const int (*remap)[2]; /* the user's keys (config.ini [keys]): typed -> acts as */
    size_t n_remaps;
    uint32_t workers;     /* workers for the next run (0: lesson default) */
    char **lessons;       /* lesson names for the picker */
    char **lesson_titles; /* their titles */
    char **lesson_about;  /* one line about each: its caption's first sentence */
    int n_lessons;
    unsigned req;        /* SL_REQ_* for the app loop */
    int cancel_task;     /* SL_REQ_CANCEL: the task to cancel */
    bool show_completed; /* narrow screens: the as-completed list instead of Queued */
    bool run_pending;    /* a run was started (its trace may not be there yet) */

    char status[160];        /* a transient sentence for the caption bar */
    char say[SL_UI_MAX_SAY]; /* a demo's caption over the caption bar, or "" */
    bool say_paused;         /* the demo waits for a key (live) */
    char stopped[200];       /* why the main run stopped early; kept until the next run */
    double ui_cpu_pct;       /* the UI thread's own CPU use, % of one core */
    double frame_us;         /* cost of the last frame */
} sl_ui;

/* ---- panes (pane.c) ---- */
int sl_pane_open(sl_pane *p, sl_trace *trace, bool owned, bool live);
void sl_pane_close(sl_pane *p);
/* Events in the main pane's trace now (read under its lock); 0 without one.
 * A frame is due when this grows. */
size_t sl_ui_main_events(sl_ui *ui);
/* Folds to t and rebuilds the spans if the trace grew. */
void sl_pane_seek(sl_pane *p, uint64_t t_ns);
/* Time of the newest event. */
uint64_t sl_pane_end(const sl_pane *p);

/* ---- the playhead's reach (pane.c) ---- */
/* The end of what is shown: the newest event over all panes. */
uint64_t sl_play_end(const sl_ui *ui);
/* The end the views draw: sl_play_end(), except while paused, when the
 * axis, its scale and the header keep the end they had (held_end), so that
 * nothing moves though a live run goes on underneath. */
uint64_t sl_play_shown_end(const sl_ui *ui);
/* True while a run is still producing events. */
bool sl_play_any_live(const sl_ui *ui);
/* Folds every pane to the playhead. */
void sl_play_fold(sl_ui *ui);

/* ---- names (fmt.c) ---- */
/* Name of strategy i ("?" if out of range). */
const char *sl_strategy_name(const sl_ui *ui, int i);

/* ---- the strategy bar (view-bar.c): the order of the 1-9, 0 and Tab keys ---- */
/* Puts the strategies of a lesson's list ("a, b:nogil, c"; NULL: none) first
 * in the bar, the rest after them in menu order. Without it the bar is the
 * menu order. */
void sl_ui_bar_order(sl_ui *ui, const char *list);
/* The strategy in bar slot `slot` (keys 1-9 are slots 0-8, 0 is slot 9), or -1. */
int sl_ui_bar_strategy(const sl_ui *ui, int slot);
/* The bar slot of strategy index `strategy`, or -1. */
int sl_ui_bar_slot(const sl_ui *ui, int strategy);

/* Draws a whole frame (every view for the current mode) and flushes. */
void sl_ui_draw(sl_ui *ui);

#endif
