/*
 * view-cores.c - one line per core: a busy meter over the visible window
 * and a lane naming the task that ran there longest in each column, like
 * `perf sched map` (sl_spans_core_columns()): a core idle most of a column
 * shows idle, underlined when something ran there briefly. A task that
 * starts running on another core than last time is drawn in the accent
 * role: migrations stand out.
 *
 * The meters count what the lints count (sl_model_core_busy_ns): the time
 * one of the run's tasks ran on the core by the trace, from the run's start
 * to the playhead, not the whole machine's load. The title says so, at any
 * zoom: the lane shows the view, the meter the run so far. The lists speak
 * of the playhead's instant, and say "no task" rather than "idle" (the
 * machine may be busy with other programs), so "93% busy" beside "c0 no
 * task" reads as what it is. The lane's cell under the playhead is the now.
 *
 * Like the timeline's, the lanes' history (each column's cell and running
 * time) is kept per pane until the spans or the window change; a frame
 * redoes only the column the playhead cuts, summed as the playhead moves
 * (sl_core_sweep).
 */
#include <stdlib.h>
#include <string.h>

#include "ui/view.h"

#define MAX_COLS 1024
#define METER_W 10

/* The lanes of one draw, as of one build of the spans and one window. */
typedef struct sl_core_cache {
    size_t spans_count;
    uint32_t spans_gen;
    uint64_t t0, dt;
    uint32_t cores;
    int cols;
    sl_core_cell *cells; /* cores x cols, uncut */
    uint64_t *busy;      /* cores x cols: running time in each */
    sl_core_sweep sweep; /* the column under the playhead, summed as it moves */
    int sweep_col;       /* which column it sums, or -1 */
} sl_core_cache;

static void core_cache_free(struct sl_core_cache *c)
{
    if (c) {
        free(c->cells);
        free(c->busy);
        sl_core_sweep_free(&c->sweep);
    }
    free(c);
}

/* The cached lanes for this draw, rebuilt when any input changed; NULL
 * when out of memory. */
static const sl_core_cache *core_rows(const sl_pane *pc, uint32_t cores, uint64_t t0, uint64_t dt,
                                      int cols)
{
    sl_pane *p = (sl_pane *)pc; /* the cache is the pane's, not the frame's */
    sl_core_cache *c = p->cores;
    if (c && c->cells && c->spans_count == p->spans_count && c->spans_gen == p->spans_gen &&
        c->t0 == t0 && c->dt == dt && c->cores == cores && c->cols == cols)
        return c;
    if (!c) {
        if (!(c = p->cores = calloc(1, sizeof *c)))
            return NULL;
        p->cores_free = core_cache_free;
    }
    free(c->cells);
    free(c->busy);
    sl_core_sweep sweep = c->sweep; /* its slots serve the new columns too */
    *c = (sl_core_cache){.sweep = sweep, .sweep_col = -1};
    size_t cells = (size_t)cores * (size_t)cols;
    c->cells = malloc((cells ? cells : 1) * sizeof *c->cells);
    c->busy = malloc((cells ? cells : 1) * sizeof *c->busy);
    if (!c->cells || !c->busy ||
        sl_spans_core_history(&p->spans, cores, t0, dt, cols, c->cells, c->busy) < 0) {
        free(c->cells);
        c->cells = NULL;
        return NULL;
    }
    c->spans_count = p->spans_count;
    c->spans_gen = p->spans_gen;
    c->t0 = t0, c->dt = dt, c->cores = cores, c->cols = cols;
    return c;
}

/* Every core's lane and meter at the playhead: the kept columns before it,
 * and the one it cuts (at ui->t_ns). False when the index or memory is
 * missing: the caller sums from every span instead. */
static bool lanes_at(const sl_ui *ui, const sl_pane *pc, uint32_t cores, uint64_t t0, uint64_t dt,
                     int cols, sl_core_cell *out, uint64_t *busy)
{
    sl_pane *p = (sl_pane *)pc;
    sl_core_cache *c =
        sl__pane_index_ready(p) ? (sl_core_cache *)core_rows(p, cores, t0, dt, cols) : NULL;
    if (!c || cores > SL_MODEL_CORES)
        return false;
    uint64_t span = ui->t_ns > t0 ? ui->t_ns - t0 : 0;
    int cut = span / dt < (uint64_t)cols ? (int)(span / dt) : cols;
    sl_core_cell cell[SL_MODEL_CORES];
    uint64_t cut_busy[SL_MODEL_CORES];
    if (cut < cols) {
        if (c->sweep_col != cut) {
            c->sweep_col = -1;
            if (sl_core_sweep_start(&c->sweep, cores, t0 + (uint64_t)cut * dt, dt) < 0)
                return false;
            c->sweep_col = cut;
        }
        if (sl_core_sweep_to(&c->sweep, &p->index, &p->spans, ui->t_ns, cell, cut_busy) < 0)
            return false;
    }
    for (uint32_t core = 0; core < cores; core++) {
        const sl_core_cell *h = c->cells + (size_t)core * (size_t)cols;
        const uint64_t *b = c->busy + (size_t)core * (size_t)cols;
        sl_core_cell *o = out + (size_t)core * (size_t)cols;
        busy[core] = 0;
        for (int i = 0; i < cut; i++) {
            o[i] = h[i];
            busy[core] += b[i];
        }
        if (cut < cols) {
            o[cut] = cell[core];
            busy[core] += cut_busy[core];
        }
    }
    return true;
}

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
    const char *wide = "Cores: % of the time so far running the run's tasks";
    sl__term_title(r.y, r.x, r.w,
                   (int)strlen(wide) + 4 <= r.w ? wide : "Cores: % so far running the run's tasks");
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
        (!lanes_at(ui, p, shown, t0, dt, lane_w, lanes, busy) &&
         sl_spans_core_columns(&p->spans, shown, t0, dt, ui->t_ns, lane_w, lanes, busy) < 0)) {
        free(busy);
        free(lanes);
        return;
    }
    const char *full = ui->ascii ? "#" : "█", *empty = ui->ascii ? "." : "·";
    uint64_t span = ui->t_ns > t0 ? ui->t_ns - t0 : 0;
    for (uint32_t c = 0; c < shown; c++) {
        int y = r.y + 1 + (int)c;
        /* The run so far, as the lints count it; not the lane's window. */
        uint64_t so_far = sl_model_core_busy_ns(&p->model, c);
        int pct = p->model.t_ns ? (int)(so_far * 100 / p->model.t_ns) : 0;
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
