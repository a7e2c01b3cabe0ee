/*
 * view-cores.c - one line per core: a busy meter over the visible window
 * and a lane naming the task that ran there longest in each column, like
 * `perf sched map` (sl_spans_core_columns()): a core idle most of a column
 * shows idle, underlined when something ran there briefly. A task that
 * starts running on another core than last time is drawn in the accent
 * role: migrations stand out.
 *
 * The meters count the run's own tasks, from the trace (not the whole
 * machine), over the time shown, while the lists and lints speak of the
 * playhead's instant: the title says so, or "93% busy" beside "c0 idle"
 * reads as a contradiction. The lane's cell under the playhead is the now.
 */
#include <stdlib.h>
#include <string.h>

#include "ui/view.h"

#define MAX_COLS 1024
#define METER_W 10

static void draw_lane(const sl_ui *ui, int y, int x, const sl_core_cell *lane, int n, int upto)
{
    const char *empty = ui->ascii ? "." : "·";
    for (int i = 0; i < n && i <= upto;) {
        int mark = lane[i].brief_run ? SL_ROLE_MARK : 0;
        if (lane[i].task == SL_NO_TASK) {
            int start = i;
            char run[MAX_COLS * 2 + 1];
            size_t len = 0;
            while (i < n && i <= upto && lane[i].task == SL_NO_TASK &&
                   (lane[i].brief_run ? SL_ROLE_MARK : 0) == mark) {
                memcpy(run + len, empty, strlen(empty));
                len += strlen(empty);
                i++;
            }
            run[len] = '\0';
            sl__term_put(y, x + start, i - start, SL_ROLE_DIM | mark, run);
            continue;
        }
        char ch[2] = {sl__task_char(lane[i].task), 0};
        int role = lane[i].migrated               ? SL_ROLE_ACCENT
                   : ui->sel == (int)lane[i].task ? SL_ROLE_SELECTED
                                                  : SL_ROLE_ST_RUNNING;
        sl__term_put(y, x + i, 1, role | mark, ch);
        i++;
    }
}

void sl__view_cores(const sl_ui *ui, sl_rect r)
{
    sl__term_title(r.y, r.x, r.w,
                   ui->zoom > 0 ? "Cores: the run's tasks, busy % in view"
                                : "Cores: the run's tasks, busy % so far");
    const sl_pane *p = &ui->main;
    if (!p->have_spans || r.h < 2)
        return;
    int lane_x = r.x + 5 + METER_W + 6;
    int lane_w = r.x + r.w - lane_x;
    if (lane_w > MAX_COLS)
        lane_w = MAX_COLS;
    if (lane_w < 4)
        return;
    uint32_t n_cores = p->model.n_cores;
    int rows = r.h - 1;
    uint32_t shown = n_cores <= (uint32_t)rows ? n_cores : (uint32_t)rows - 1;
    uint64_t t0, dt;
    sl__timeline_window(ui, lane_w, &t0, &dt);
    sl_core_cell *lanes = malloc(((size_t)shown * (size_t)lane_w + 1) * sizeof *lanes);
    uint64_t *busy = calloc(shown ? shown : 1, sizeof *busy);
    if (!lanes || !busy ||
        sl_spans_core_columns(&p->spans, shown, t0, dt, ui->t_ns, lane_w, lanes, busy) < 0) {
        free(lanes);
        free(busy);
        return;
    }
    const char *full = ui->ascii ? "#" : "█", *empty = ui->ascii ? "." : "·";
    uint64_t span = ui->t_ns > t0 ? ui->t_ns - t0 : 0;
    for (uint32_t c = 0; c < shown; c++) {
        int y = r.y + 1 + (int)c;
        int pct = span ? (int)(busy[c] * 100 / span) : 0;
        pct = pct > 100 ? 100 : pct;
        sl__term_putf(y, r.x, 5, SL_ROLE_DIM, "c%-3u", c);
        int fill = (pct * METER_W + 50) / 100;
        for (int i = 0; i < METER_W; i++)
            sl__term_put(y, r.x + 5 + i, 1, i < fill ? SL_ROLE_ST_RUNNING : SL_ROLE_DIM,
                         i < fill ? full : empty);
        sl__term_putf(y, r.x + 5 + METER_W, 6, SL_ROLE_NORMAL, "%4d%%", pct);
        draw_lane(ui, y, lane_x, lanes + (size_t)c * (size_t)lane_w, lane_w, (int)(span / dt));
    }
    if (shown < n_cores)
        sl__term_putf(r.y + 1 + (int)shown, r.x + 1, r.w - 1, SL_ROLE_DIM, "+%u more cores",
                      n_cores - shown);
    free(lanes);
    free(busy);
}
