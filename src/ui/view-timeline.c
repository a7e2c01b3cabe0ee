/*
 * view-timeline.c - each task's state over time, one glyph per column.
 *
 * A column covers dt of time and shows the state that held longest in it
 * (sl_spans_columns()), so a ticker that slept 99% of the time reads as
 * waiting at every zoom; a run too short to take its column underlines the
 * column's glyph instead. Nothing is drawn right of the playhead: the
 * timeline shows history, the lists show the present.
 *
 * With a million tasks in a few dozen lanes, walking every task for every
 * column on every frame costs seconds. So each lane's history is computed
 * span by span (O(spans + columns)) and kept per pane until the spans or
 * the window change; a frame then only clips it at the playhead and redoes
 * the one column the playhead cuts, every lane at once, summed as the
 * playhead moves (sl_lane_sweep: each frame adds the spans the pane's index
 * holds since the last one, with each lane's count of tasks that ended
 * before that column, kept beside its history).
 */
#include <stdlib.h>
#include <string.h>

#include "ui/hit.h"
#include "ui/view.h"

#define MAX_COLS 1024
#define MAX_ROWS 512 /* lanes cut through the index at once (taller: from every span) */
#define NOTHING 0xFF

/* The rows of one draw, as of one build of the spans and one window. */
typedef struct sl_lane_cache {
    size_t spans_count;
    uint32_t spans_gen;
    uint64_t t0, dt;
    uint32_t first, k, n;
    int rows, cols;
    uint8_t *cells;      /* rows x cols, history without the playhead */
    uint32_t *ended;     /* rows x cols x 3: sl_spans_ended_before() of each lane */
    sl_lane_sweep sweep; /* the column under the playhead, summed as it moves */
    int sweep_col;       /* which column it sums, or -1 */
} sl_lane_cache;

static void lane_cache_free(struct sl_lane_cache *c)
{
    if (c) {
        free(c->cells);
        free(c->ended);
        sl_lane_sweep_free(&c->sweep);
    }
    free(c);
}

/* The cached rows for this draw, rebuilt when any of its inputs changed;
 * NULL when out of memory. */
static const uint8_t *lane_rows(const sl_pane *pc, uint32_t first, uint32_t k, uint32_t n, int rows,
                                uint64_t t0, uint64_t dt, int cols)
{
    sl_pane *p = (sl_pane *)pc; /* the cache is the pane's, not the frame's */
    sl_lane_cache *c = p->lanes;
    if (c && c->spans_count == p->spans_count && c->spans_gen == p->spans_gen && c->t0 == t0 &&
        c->dt == dt && c->first == first && c->k == k && c->n == n && c->rows == rows &&
        c->cols == cols)
        return c->cells;
    if (!c) {
        if (!(c = p->lanes = calloc(1, sizeof *c)))
            return NULL;
        p->lanes_free = lane_cache_free;
    }
    free(c->cells);
    free(c->ended);
    sl_lane_sweep sweep = c->sweep; /* its memory serves the new rows too */
    *c = (sl_lane_cache){.sweep = sweep, .sweep_col = -1};
    c->cells = malloc((size_t)rows * (size_t)cols);
    c->ended = malloc((size_t)rows * (size_t)cols * 3 * sizeof *c->ended);
    if (!c->cells || !c->ended)
        return NULL;
    for (int row = 0; row < rows; row++) {
        uint32_t a = first + (uint32_t)row * k;
        if (a >= n)
            break;
        uint32_t b = a + k < n ? a + k : n;
        if (sl_spans_columns(&p->spans, a, b, t0, dt, UINT64_MAX, cols,
                             c->cells + (size_t)row * (size_t)cols) < 0 ||
            (b == a + 1 && sl_spans_worker_moves(&p->spans, a, t0, dt, UINT64_MAX, cols,
                                                 c->cells + (size_t)row * (size_t)cols) < 0) ||
            sl_spans_ended_before(&p->spans, a, b, t0, dt, cols,
                                  c->ended + (size_t)row * (size_t)cols * 3) < 0)
            return NULL;
    }
    c->spans_count = p->spans_count;
    c->spans_gen = p->spans_gen;
    c->t0 = t0, c->dt = dt, c->first = first, c->k = k, c->n = n, c->rows = rows, c->cols = cols;
    return c->cells;
}

/* The column `cut` of every lane, cut at `limit`, from the lane cache's
 * sweep (the cache is current: lane_rows() just answered). False when
 * there is no index or no memory: the caller sums from every span instead. */
static bool cut_by_index(const sl_pane *pc, uint32_t first, uint32_t k, uint32_t n, int rows,
                         uint8_t *out, uint64_t t0, uint64_t dt, int cut, int cols, uint64_t limit)
{
    sl_pane *p = (sl_pane *)pc;
    sl_lane_cache *c = p->lanes;
    uint32_t ended[MAX_ROWS * 3];
    int lanes = 0;
    if (!sl__pane_index_ready(p) || p->spans.n_tasks != n || rows > MAX_ROWS)
        return false;
    while (lanes < rows && first + (uint32_t)lanes * k < n)
        lanes++;
    if (c->sweep_col != cut) {
        for (int r = 0; r < lanes; r++)
            memcpy(ended + (size_t)r * 3, c->ended + ((size_t)r * (size_t)cols + (size_t)cut) * 3,
                   3 * sizeof *ended);
        c->sweep_col = -1;
        if (sl_lane_sweep_start(&c->sweep, first, k, lanes, t0 + (uint64_t)cut * dt, dt, ended) < 0)
            return false;
        c->sweep_col = cut;
    }
    return sl_lane_sweep_to(&c->sweep, &p->index, &p->spans, limit, out) == 0;
}

/* The mark of a column where a coroutine resumed on another worker. */
#define MIGRATE_UTF8 "»"
#define MIGRATE_ASCII ">"
/* Its legend entry. */
static const char moved_word[] = "moved worker";

/* Draws a row of columns (sl_spans_columns()), one put per run of equal
 * cells; a brief run underlines its column's glyph, a move to another
 * work-stealing worker replaces it with ». */
static void draw_cells(const sl_ui *ui, int y, int x, const uint8_t *cells, int n, bool marks)
{
    char run[MAX_COLS * 4 + 1];
    uint8_t prev = SL_ST_NEW;
    int c = 0;
    while (c < n && cells[c] != NOTHING) {
        uint8_t cell = cells[c], st = SL_COL_STATE(cell);
        int role = SL_ROLE_STATE(st) | ((cell & SL_COL_BRIEF_RUN) ? SL_ROLE_MARK : 0);
        bool ended = st == SL_ST_DONE || st == SL_ST_FAILED || st == SL_ST_CANCELLED;
        if (cell & SL_COL_MIGRATED) {
            /* Resumed on another work-stealing worker here. */
            sl__term_put(y, x + c, 1, SL_ROLE_ACCENT, ui->ascii ? MIGRATE_ASCII : MIGRATE_UTF8);
            prev = st;
            c++;
            continue;
        }
        if (marks && ended && prev != st) {
            sl__term_put(y, x + c, 1, role, sl__theme_end_mark(st, ui->ascii));
            prev = st;
            c++;
            continue;
        }
        const char *g = sl__theme_glyph(st, ui->ascii);
        size_t glen = strlen(g), len = 0;
        int start = c;
        while (c < n && cells[c] == cell) {
            memcpy(run + len, g, glen);
            len += glen;
            c++;
        }
        run[len] = '\0';
        if (g[0] != ' ' || (role & SL_ROLE_MARK))
            sl__term_put(y, x + start, c - start, role, run);
        prev = st;
    }
}

/* Legend entries' width: a mark and " name " each. */
static int legend_width(const uint8_t *states, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        w += 3 + (int)strlen(sl_state_name(states[i]));
    return w;
}

static void draw_legend(const sl_ui *ui, const sl_pane *p, int y, int left, int right)
{
    static const uint8_t all[] = {SL_ST_RUNNING,  SL_ST_READY, SL_ST_WAITING, SL_ST_QUEUED,
                                  SL_ST_STARTING, SL_ST_DONE,  SL_ST_FAILED,  SL_ST_CANCELLED};
    /* An underlined column: the task ran there, but less than the state shown. */
    static const char brief[] = "brief run";
    /* Every state where they fit; on a narrow screen queued and starting
     * only when this run has them (a pool's backlog, processes starting
     * up), as the others always fit. */
    uint8_t shown[sizeof all];
    size_t n = sizeof all;
    memcpy(shown, all, sizeof all);
    /* A run that moved a coroutine between workers needs room for its mark. */
    int moved_w = p->model.steal.migrations > 0 ? 3 + (int)strlen(moved_word) : 0;
    if (legend_width(all, sizeof all) + (moved_w ? 3 + (int)strlen(brief) + moved_w : 0) >
        right - left) {
        n = 0;
        for (size_t i = 0; i < sizeof all; i++)
            if ((all[i] != SL_ST_QUEUED && all[i] != SL_ST_STARTING) ||
                (p->states_seen & (1u << all[i])))
                shown[n++] = all[i];
    }
    int w = legend_width(shown, n);
    /* The brief-run mark where it fits too (the help's legend explains it
     * on any screen). */
    bool with_brief = right - left >= w + 3 + (int)strlen(brief);
    if (with_brief)
        w += 3 + (int)strlen(brief);
    /* The worker-move mark when the run has moved a coroutine, where it fits. */
    bool with_moved =
        p->model.steal.migrations > 0 && right - left >= w + 3 + (int)strlen(moved_word);
    if (with_moved)
        w += 3 + (int)strlen(moved_word);
    int x = right - w;
    for (size_t i = 0; i < n; i++) {
        sl__term_put(y, x, 1, SL_ROLE_STATE(shown[i]), sl__theme_end_mark(shown[i], ui->ascii));
        x += 1;
        x += sl__term_putf(y, x, -1, SL_ROLE_NORMAL, " %s ", sl_state_name(shown[i]));
    }
    if (with_brief) {
        x += sl__term_put(y, x, 1, SL_ROLE_ST_RUNNING, "_");
        x += sl__term_putf(y, x, -1, SL_ROLE_NORMAL, " %s ", brief);
    }
    if (with_moved) {
        x += sl__term_put(y, x, 1, SL_ROLE_ACCENT, ui->ascii ? MIGRATE_ASCII : MIGRATE_UTF8);
        sl__term_putf(y, x, -1, SL_ROLE_NORMAL, " %s ", moved_word);
    }
}

/* The time axis, with the playhead's marker under its column and the run's
 * real elapsed time beside it (to its left near the right edge). A label the
 * marker and its time would land on is left out whole rather than drawn as
 * "|1.▲4s". */
static void draw_axis(const sl_ui *ui, int y, int x, int w, uint64_t t0, uint64_t dt)
{
    char buf[32], now[32];
    int step = w >= 100 ? 16 : 12;
    int px = -1, ms = -1, me = -1; /* the marker's column, and its text's [ms, me] */
    sl__fmt_dur(now, sizeof now, ui->t_ns, ui->ascii);
    int nw = sl__term_width(now);
    if (ui->t_ns >= t0 && (ui->t_ns - t0) / dt < (uint64_t)w) {
        px = (int)((ui->t_ns - t0) / dt);
        bool left = px + 1 + nw > w && px >= nw;
        ms = left ? px - nw : px;
        me = left ? px : px + nw;
    }
    for (int c = 0; c + 4 < w; c += step) {
        sl__fmt_dur(buf, sizeof buf, t0 + (uint64_t)c * dt, ui->ascii);
        int len = sl__term_width(buf);
        if (len > step - 1)
            continue; /* never a cut label */
        if (px >= 0 && c <= me && c + len >= ms) {
            if (c < ms || c > me)
                sl__term_put(y, x + c, 1, SL_ROLE_DIM, "|");
            continue;
        }
        sl__term_put(y, x + c, 1, SL_ROLE_DIM, "|");
        sl__term_put(y, x + c + 1, len, SL_ROLE_DIM, buf);
    }
    if (px < 0)
        return;
    sl__term_put(y, x + px, 1, SL_ROLE_ACCENT, ui->ascii ? "^" : "▲");
    if (ms < px)
        sl__term_put(y, x + ms, nw, SL_ROLE_ACCENT, now);
    else
        sl__term_put(y, x + px + 1, w - px - 1, SL_ROLE_ACCENT, now);
}

/* Below the rows of a scrolled timeline: how many tasks it hides above
 * and below, and the keys that bring them into view. */
static void draw_more(const sl_ui *ui, int y, sl_rect r, uint32_t above, uint32_t below)
{
    char buf[96];
    const char *up = ui->ascii ? "^" : "↑", *down = ui->ascii ? "v" : "↓";
    if (above && below)
        snprintf(buf, sizeof buf, "%s %u more above, %s %u more below (PgUp/PgDn)", up, above, down,
                 below);
    else
        snprintf(buf, sizeof buf, "%s %u more %s (%s)", above ? up : down, above ? above : below,
                 above ? "above" : "below", above ? "PgUp" : "PgDn");
    sl__term_put(y, r.x, r.w, SL_ROLE_DIM, buf);
}

void sl__view_timeline(const sl_ui *ui, const sl_pane *p, sl_rect r, unsigned flags)
{
    if (r.h < 1 || r.w < 20 || !p->trace)
        return;
    int y = r.y, rows = r.h;
    if (flags & SL_TL_TITLE) {
        sl__term_title(y, r.x, r.w, "Timeline");
        if (r.w >= 70)
            draw_legend(ui, p, y, r.x + (int)sizeof "── Timeline ─", r.x + r.w - 1);
        y++;
        rows--;
    }
    int label_w = r.w >= 100 ? 16 : 12;
    int cells_w = r.w - label_w - 1;
    if (cells_w > MAX_COLS)
        cells_w = MAX_COLS;
    uint64_t t0, dt;
    sl__timeline_window(ui, cells_w, &t0, &dt);
    if (flags & SL_TL_AXIS) {
        rows--;
        draw_axis(ui, y + rows, r.x + label_w + 1, cells_w, t0, dt);
    }
    uint32_t n = p->model.n_tasks;
    if (rows <= 0 || n == 0 || !p->have_spans || p->spans.n_tasks < n)
        return;

    /* One row per task, scrolled to keep the selection in view, while that
     * needs at most four screens; beyond, lanes of k tasks each. */
    uint32_t k = 1;
    bool lanes = (flags & SL_TL_LANES) ? n > (uint32_t)rows : n > 4u * (uint32_t)rows;
    if (flags & SL_TL_NAMED) {
        lanes = true;
        rows = 1;
    }
    if (lanes)
        k = (n + (uint32_t)rows - 1) / (uint32_t)rows;
    uint32_t first = 0;
    int more_y = -1;
    if (!lanes && n > (uint32_t)rows && rows >= 3) {
        /* The last row says what does not fit. */
        rows--;
        more_y = y + rows;
    }
    if (!lanes && n > (uint32_t)rows) {
        /* Keep the selection in the middle; without one, start at the first
         * unfinished task so the action stays in view as a run goes on. */
        int f = ui->sel - rows / 2;
        if (ui->sel < 0) {
            f = 0;
            while (f < (int)n && p->model.tasks[f].state >= SL_ST_DONE)
                f++;
            if (f == (int)n)
                f = 0;
        }
        if (f > (int)n - rows)
            f = (int)n - rows;
        first = f > 0 ? (uint32_t)f : 0;
    }
    const uint8_t *hist = lane_rows(p, first, k, n, rows, t0, dt, cells_w);
    if (!hist)
        return;
    /* Columns past the playhead show nothing; the one it cuts is redone. */
    int shown = 0, cut = -1;
    while (shown < cells_w && t0 + (uint64_t)shown * dt <= ui->t_ns)
        shown++;
    if (shown > 0 && t0 + (uint64_t)shown * dt > ui->t_ns + 1)
        cut = shown - 1;
    uint8_t cells[MAX_COLS], cut_cells[MAX_ROWS];
    bool cut_done = cut >= 0 && cut_by_index(p, first, k, n, rows, cut_cells, t0, dt, cut, cells_w,
                                             ui->t_ns + 1);
    for (int row = 0; row < rows; row++) {
        uint32_t a = first + (uint32_t)row * k;
        if (a >= n)
            break;
        uint32_t b = a + k < n ? a + k : n;
        memcpy(cells, hist + (size_t)row * (size_t)cells_w, (size_t)shown);
        memset(cells + shown, NOTHING, (size_t)(cells_w - shown));
        if (cut_done)
            cells[cut] = cut_cells[row];
        else if (cut >= 0 && sl_spans_columns(&p->spans, a, b, t0 + (uint64_t)cut * dt, dt,
                                              ui->t_ns + 1, 1, &cells[cut]) < 0)
            cells[cut] = NOTHING;
        const char *name = sl_trace_task_name(p->trace, a);
        bool selected = !lanes && ui->sel == (int)a && p == &ui->main;
        int role = selected ? SL_ROLE_SELECTED : SL_ROLE_NORMAL;
        if (flags & SL_TL_NAMED)
            sl__term_putf(y + row, r.x, label_w, SL_ROLE_ACCENT, "%-*s", label_w,
                          p->trace->meta.strategy);
        else if (b - a > 1)
            sl__term_putf(y + row, r.x, label_w, role, "%.*s +%u", label_w - 5, name, b - a - 1);
        else
            sl__term_putf(y + row, r.x, label_w, role, "%-*s", label_w, name);
        draw_cells(ui, y + row, r.x + label_w + 1, cells, cells_w, b - a == 1);
        if (b - a == 1 && p == &ui->main)
            sl__hit_add((sl_rect){r.x, y + row, r.w, 1}, SL_HIT_TASK, (int)a);
    }
    if (more_y >= 0)
        draw_more(ui, more_y, r, first, n - first - (uint32_t)rows);
}
