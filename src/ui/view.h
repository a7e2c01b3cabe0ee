/*
 * view.h - what the views of src/ui/ share beyond the door: formatting, and
 * the views themselves, each drawing its rectangle from the state.
 */
#ifndef SL_UI_VIEW_H
#define SL_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/view.h"
#include "ui/layout.h"
#include "ui/term.h"

/* ---- a finished run's span index, built beside its first frame (pane-index.c) ---- */
/* Builds the pane's index from its spans: in a thread when it can. */
void sl__pane_index_start(sl_pane *p);
/* Whether the index is there to use (taking it once its thread is done);
 * until then the views sum from every span. */
bool sl__pane_index_ready(const sl_pane *p);
/* Waits for a build under way and takes its index. */
void sl__pane_index_join(sl_pane *p);

/* ---- formatting (fmt.c) ---- */
/* "850us", "12.3ms", "1.23s" (µ unless ascii). */
char *sl__fmt_dur(char *buf, size_t size, uint64_t ns, bool ascii);
/* The rule for text wider than its room: s itself when it fits, else its
 * first whole words and an ellipsis ("..." in ascii), so that nothing on
 * screen ends mid-word; a single word wider than the room is cut, with
 * the ellipsis showing it. */
char *sl__fmt_fit(char *out, size_t size, const char *s, int w, bool ascii);
/* The time window of a timeline `cols` wide: first time and ns per column. */
void sl__timeline_window(const sl_ui *ui, int cols, uint64_t *t0, uint64_t *dt);
/* One character naming a task in the core lanes (0-9, a-z, A-Z, cycling). */
char sl__task_char(uint32_t task);
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
/* The lesson's objects (event loop, GIL, counters, queues) in r. */
void sl__view_objects(const sl_ui *ui, sl_rect r);
/* The rows of the cores band below its lanes, where the objects go. */
sl_rect sl__objects_rect(const sl_ui *ui, sl_rect cores);
void sl__view_counters(const sl_ui *ui, const sl_pane *p, sl_rect r, bool compact);
void sl__view_caption(const sl_ui *ui, sl_rect r);
void sl__view_footer(const sl_ui *ui, sl_rect r);
/* Rows the strategy bar takes on a cols x rows screen (every numbered entry
 * whole), or the line that says what a replay shows. */
int sl__bar_rows(const sl_ui *ui, int cols, int rows);
/* The strategy bar in r, under the header's first row. */
void sl__view_bar(const sl_ui *ui, sl_rect r);
void sl__view_help(const sl_ui *ui, sl_rect r);
void sl__view_details(const sl_ui *ui, sl_rect r);
void sl__view_lessons(const sl_ui *ui, sl_rect r);
/* The lesson's caption paragraph in a box over the panels below the timeline. */
void sl__view_intro(const sl_ui *ui, sl_rect r);
/* Word-wraps text into r (one column of margin each side) from row y;
 * returns the row after the last one written. */
int sl__view_wrap(int y, sl_rect r, int role, const char *text);
/* Writes text at (y, x) in w columns, shortened by the rule of sl__fmt_fit. */
void sl__put_fit(int y, int x, int w, int role, const char *text);
/* Bytes of text that fit a line w columns wide, cut after a word. */
int sl__wrap_cut(const char *text, int w);
/* Lines text takes wrapped at w columns. */
int sl__wrap_lines(const char *text, int w);
void sl__view_compare(const sl_ui *ui, sl_rect r);
void sl__view_predict(const sl_ui *ui, sl_rect r);
/* Predict mode's choices, numbered, in place of the Ready list. */
void sl__view_candidates(const sl_ui *ui, sl_rect r);
void sl__view_small(const sl_ui *ui, sl_rect r);
/* A demo's caption over the caption bar (view-say.c). */
void sl__view_say(const sl_ui *ui, sl_rect r);
/* The comparison's one-line verdict from the panes' statistics. */
void sl__compare_verdict(const sl_ui *ui, char *buf, size_t size);

#endif
