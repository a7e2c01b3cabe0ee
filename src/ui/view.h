/*
 * view.h - what every view reads: the UI state, and the views themselves.
 *
 * A pane is one run as the views see it: its trace (meta, task names), the
 * model folded to the playhead, and the spans for drawing history. The main
 * screen shows one pane; compare mode shows one per strategy on one clock.
 * Views only read this state and draw through term.h; keys and the app loop
 * change it.
 */
#ifndef SL_UI_VIEW_H
#define SL_UI_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "schedlab/model.h"
#include "schedlab/scenario.h"
#include "schedlab/trace.h"
#include "ui/layout.h"
#include "ui/term.h"

#define SL_UI_MAX_CMP 12
#define SL_UI_MAX_STRATEGIES 16

/* One run as drawn. */
typedef struct sl_pane {
    sl_trace *trace; /* the run's events, meta and names */
    bool owned;      /* the pane frees the trace */
    bool live;       /* the trace is still filling */
    sl_model model;  /* folded to the playhead */
    sl_spans spans;  /* every task's history */
    bool have_spans;
    size_t spans_count;     /* trace->count when the spans were built */
    uint32_t spans_gen;     /* trace->generation then */
    uint64_t spans_done_ns; /* monotonic time the last build ended */
    uint64_t spans_cost_ns; /* how long it took */
    bool finished;          /* trace->finished, read under the trace lock */
    uint64_t dropped;       /* trace->dropped, read under the trace lock */
    sl_stats stats;         /* compare mode: computed once the run ends */
    bool have_stats;
    struct sl_lane_cache *lanes; /* the timeline's rows as of the spans (view-timeline.c) */
    void (*lanes_free)(struct sl_lane_cache *); /* how the pane lets go of them */
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

typedef struct sl_predict {
    bool on;          /* predict mode */
    bool asking;      /* stopped before a dispatch, waiting for a guess */
    bool revealed;    /* the answer is shown */
    uint32_t answer;  /* the task that actually ran */
    uint64_t at_ns;   /* time of that dispatch */
    uint32_t cand[9]; /* the ready list when asked, in queue order */
    uint32_t n_cand;
    int guess;             /* index into cand, or -1 */
    uint32_t right, asked; /* the score */
    char note[160];        /* what the last reveal said */
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
    int n_strategies;
    sl_ui_strategy strategies[SL_UI_MAX_STRATEGIES]; /* in menu order */
    const sl_binding *bindings;                      /* the key table, or NULL */
    size_t n_bindings;
    uint32_t workers; /* workers for the next run (0: lesson default) */
    char **lessons;   /* lesson names for the picker */
    int n_lessons;
    unsigned req;        /* SL_REQ_* for the app loop */
    int cancel_task;     /* SL_REQ_CANCEL: the task to cancel */
    bool show_completed; /* narrow screens: the as-completed list instead of Queued */
    bool run_pending;    /* a run was started (its trace may not be there yet) */

    char status[160];  /* a transient sentence for the caption bar */
    char stopped[200]; /* why the main run stopped early; kept until the next run */
    double ui_cpu_pct; /* the UI thread's own CPU use, % of one core */
    double frame_us;   /* cost of the last frame */
} sl_ui;

/* ---- panes (pane.c) ---- */
int sl__pane_open(sl_pane *p, sl_trace *trace, bool owned, bool live);
void sl__pane_close(sl_pane *p);
/* Events in the main pane's trace now (read under its lock); 0 without one.
 * A frame is due when this grows. */
size_t sl__ui_main_events(sl_ui *ui);
/* Folds to t and rebuilds the spans if the trace grew. */
void sl__pane_seek(sl_pane *p, uint64_t t_ns);
/* Time of the newest event. */
uint64_t sl__pane_end(const sl_pane *p);

/* ---- the playhead's reach (pane.c) ---- */
/* The end of what is shown: the newest event over all panes. */
uint64_t sl__play_end(const sl_ui *ui);
/* The end the views draw: sl__play_end(), except while paused, when the
 * axis, its scale and the header keep the end they had (held_end), so that
 * nothing moves though a live run goes on underneath. */
uint64_t sl__play_shown_end(const sl_ui *ui);
/* True while a run is still producing events. */
bool sl__play_any_live(const sl_ui *ui);
/* Folds every pane to the playhead. */
void sl__play_fold(sl_ui *ui);

/* ---- formatting (fmt.c) ---- */
/* "850us", "12.3ms", "1.23s" (µ unless ascii). */
char *sl__fmt_dur(char *buf, size_t size, uint64_t ns, bool ascii);
/* The time window of a timeline `cols` wide: first time and ns per column. */
void sl__timeline_window(const sl_ui *ui, int cols, uint64_t *t0, uint64_t *dt);
/* One character naming a task in the core lanes (0-9, a-z, A-Z, cycling). */
char sl__task_char(uint32_t task);
/* Name of strategy i ("?" if out of range). */
const char *sl__strategy_name(const sl_ui *ui, int i);
/* The label of a binding for this terminal. */
const char *sl__binding_label(const sl_binding *b, bool ascii);

/* ---- views: each draws its rectangle from the state ---- */
void sl__view_header(const sl_ui *ui, sl_rect r);
/* Timeline drawing flags. */
enum {
    SL_TL_TITLE = 1 << 0, /* a title row with the legend */
    SL_TL_AXIS = 1 << 1,  /* a time axis row at the bottom */
    SL_TL_LANES = 1 << 2, /* always fit: group tasks into lanes rather than scroll */
    SL_TL_NAMED = 1 << 3, /* one lane of all tasks, labelled with the strategy */
};
/* Timeline of one pane: a row per task (scrolled to the selection) or,
 * when tasks far outnumber rows, lanes of several tasks with counts. */
void sl__view_timeline(const sl_ui *ui, const sl_pane *p, sl_rect r, unsigned flags);
void sl__view_running(const sl_ui *ui, sl_rect r);
void sl__view_ready(const sl_ui *ui, sl_rect r);
void sl__view_waiting(const sl_ui *ui, sl_rect r);
void sl__view_queued(const sl_ui *ui, sl_rect r);
/* Finished tasks in completion order (as_completed): number, outcome, time.
 * `for_empty_queue`: drawn in place of an empty Queued list, which its
 * title then still names. */
void sl__view_completed(const sl_ui *ui, sl_rect r, bool for_empty_queue);
void sl__view_cores(const sl_ui *ui, sl_rect r);
void sl__view_counters(const sl_ui *ui, const sl_pane *p, sl_rect r, bool compact);
void sl__view_caption(const sl_ui *ui, sl_rect r);
void sl__view_footer(const sl_ui *ui, sl_rect r);
void sl__view_help(const sl_ui *ui, sl_rect r);
void sl__view_details(const sl_ui *ui, sl_rect r);
void sl__view_lessons(const sl_ui *ui, sl_rect r);
void sl__view_compare(const sl_ui *ui, sl_rect r);
void sl__view_predict(const sl_ui *ui, sl_rect r);
void sl__view_small(const sl_ui *ui, sl_rect r);
/* The comparison's one-line verdict from the panes' statistics. */
void sl__compare_verdict(const sl_ui *ui, char *buf, size_t size);

/* Draws a whole frame (every view for the current mode) and flushes. */
void sl__ui_draw(sl_ui *ui);

#endif
