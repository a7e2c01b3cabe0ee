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

#include "schedlab/ui.h"

/* Recomputes every panel for a cols x rows terminal and `n_cores` cores,
 * with `bar_rows` rows under the header's first for the strategy bar. */
void sl__layout_compute(sl_layout *l, int cols, int rows, uint32_t n_cores, int bar_rows);

#endif
