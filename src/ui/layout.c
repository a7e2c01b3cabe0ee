/*
 * layout.c - every panel's rectangle, recomputed from the terminal size.
 *
 * Fixed parts first (header, caption, footer), then the cores band sized to
 * the cores and the counters, then whatever is left goes to the timeline and
 * the lists: under the timeline as four columns on a narrow screen, in a
 * column to its right on a wide one, so extra rows and columns always go to
 * the history and the lists rather than to blank space. The as-completed
 * list has its own place in the wide column; on a narrow screen it shares
 * Queued's (draw.c picks which).
 */
#include "ui/layout.h"

static sl_rect rect(int x, int y, int w, int h)
{
    return (sl_rect){.x = x, .y = y, .w = w < 0 ? 0 : w, .h = h < 0 ? 0 : h};
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void sl__layout_compute(sl_layout *l, int cols, int rows, uint32_t n_cores, int bar_rows)
{
    *l = (sl_layout){.cols = cols, .rows = rows};
    l->too_small = cols < SL_UI_MIN_COLS || rows < SL_UI_MIN_ROWS;
    if (l->too_small)
        return;
    int header_h = 1 + clampi(bar_rows, 0, 3);
    int caption_h = rows >= 40 ? 3 : 2;
    l->header = rect(0, 0, cols, header_h);
    l->footer = rect(0, rows - 1, cols, 1);
    l->caption = rect(0, rows - 1 - caption_h, cols, caption_h);
    l->body = rect(0, header_h, cols, rows - header_h - caption_h - 1);
    /* Wide enough on a big screen for the help's longest line whole. */
    l->overlay = rect(2, 1, cols - 4 < 110 ? cols - 4 : 110, rows - 2);
    l->overlay.x = (cols - l->overlay.w) / 2;

    /* Cores band: a title plus a line per core, never less than the
     * counters need (title + 5 lines), never more than a third of the body. */
    int band_h = clampi(1 + (int)(n_cores ? n_cores : 1), 6, l->body.h / 3 > 6 ? l->body.h / 3 : 6);
    int counters_w = cols >= 140 ? 46 : 36;
    int band_y = l->body.y + l->body.h - band_h;
    l->cores = rect(0, band_y, cols - counters_w - 1, band_h);
    l->counters = rect(cols - counters_w, band_y, counters_w, band_h);

    int upper_h = l->body.h - band_h;
    l->wide = cols >= 140 && rows >= 36;
    if (l->wide) {
        int lists_w = cols >= 200 ? 64 : 50;
        l->timeline = rect(0, l->body.y, cols - lists_w - 1, upper_h);
        int x = cols - lists_w, y = l->body.y;
        int run_h = clampi(2 + (int)n_cores, 4, upper_h / 4);
        int rest = upper_h - run_h;
        int ready_h = rest * 3 / 10, wait_h = rest * 3 / 10, queued_h = rest * 2 / 10;
        l->running = rect(x, y, lists_w, run_h);
        l->ready = rect(x, y + run_h, lists_w, ready_h);
        l->waiting = rect(x, y + run_h + ready_h, lists_w, wait_h);
        l->queued = rect(x, y + run_h + ready_h + wait_h, lists_w, queued_h);
        int done_y = y + run_h + ready_h + wait_h + queued_h;
        l->completed = rect(x, done_y, lists_w, upper_h - (done_y - y));
    } else {
        int lists_h = clampi(upper_h * 3 / 10, 6, 12);
        l->timeline = rect(0, l->body.y, cols, upper_h - lists_h);
        int y = l->body.y + upper_h - lists_h;
        int w = cols / 4;
        l->running = rect(0, y, w - 1, lists_h);
        l->ready = rect(w, y, w - 1, lists_h);
        l->waiting = rect(2 * w, y, w - 1, lists_h);
        l->queued = rect(3 * w, y, cols - 3 * w, lists_h);
    }
}
