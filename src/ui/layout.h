/*
 * layout.h - where each panel goes, from the terminal size alone.
 *
 * One function recomputes every rectangle from the size, so a resize is one
 * call; below 80x24 the layout says so and only the too-small screen draws.
 */
#ifndef SL_UI_LAYOUT_H
#define SL_UI_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/term.h"

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

/* Recomputes every panel for a cols x rows terminal and `n_cores` cores. */
void sl__layout_compute(sl_layout *l, int cols, int rows, uint32_t n_cores);

#endif
