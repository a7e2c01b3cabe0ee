/*
 * ui.h - the live terminal view: entry points for the commands.
 *
 * sl_ui_main opens the terminal, plays a lesson (runs start on the engine's
 * thread, one at a time) or a saved trace, and returns when the user quits
 * or a signal asks to stop; the terminal is restored in every case.
 */
#ifndef SL_UI_UI_H
#define SL_UI_UI_H

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
} sl_ui_opts;


/* Draws full frames off-screen (into /dev/null through ncurses) at
 * cols x rows from a synthetic trace of n_tasks tasks and n_events events,
 * moving the playhead across it, and reports the mean cost of one frame in
 * microseconds (model seek + every view + the terminal diff). */
int sl_ui_bench_frame(unsigned cols, unsigned rows, uint32_t n_tasks, size_t n_events,
                      double *us_per_frame);

#endif
