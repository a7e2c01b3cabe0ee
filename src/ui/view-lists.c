/*
 * view-lists.c - the lists at the playhead: running (per core), ready
 * (queue order), waiting (reason, time waited so far), queued for a pool
 * with the tasks whose process is starting above them (start-up so far)
 * and, while a pool's worker processes are being created, how many,
 * and the finished tasks in completion order (as_completed). Predict mode
 * numbers the ready list for the guess keys.
 *
 * A work-stealing run draws its ready list as queues side by side: the
 * global queue, then one column per worker (z: parked), each in queue
 * order. A steal lights the victim's and the thief's columns for
 * STEAL_FLASH_NS and the title names it; the title counts the steals.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ui/hit.h"
#include "ui/view.h"

#define MAX_ROWS 256

static const char *ready_cause(int c)
{
    switch (c) {
    case SL_READY_CPU:
        return "cpu";
    case SL_READY_GIL:
        return "gil";
    case SL_READY_LOOP:
        return "loop";
    case SL_READY_WORKER:
        return "worker";
    default:
        return "";
    }
}

/* The role of a task's entry; also makes the entry's row clickable. */
static int row_role(const sl_ui *ui, uint32_t task, int role, sl_rect r, int y)
{
    sl__hit_add((sl_rect){r.x, y, r.w, 1}, SL_HIT_TASK, (int)task);
    return ui->sel == (int)task ? SL_ROLE_SELECTED : role;
}

/* An entry from x to the panel's right edge, shortened by the rule
 * (fmt.c): a list entry never ends mid-word. */
__attribute__((format(printf, 6, 7))) static void entry(const sl_ui *ui, sl_rect r, int y, int x,
                                                        int role, const char *fmt, ...)
{
    char buf[256], fit[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int w = r.x + r.w - x;
    sl__term_put(y, x, w, role, sl__fmt_fit(fit, sizeof fit, buf, w, ui->ascii));
}

/* Title with the count; returns the rows left for items. */
static int list_title(sl_rect r, const char *name, uint32_t count)
{
    char t[48];
    snprintf(t, sizeof t, "%s %u", name, count);
    sl__term_title(r.y, r.x, r.w, t);
    return r.h - 1;
}

static uint64_t since(const sl_ui *ui, const sl_task_now *t)
{
    return ui->t_ns > t->since_ns ? ui->t_ns - t->since_ns : 0;
}

/* "+N more" on the last row when the list does not fit: `total` is the
 * list's length, of which the first n (at most MAX_ROWS) were copied out. */
static int fit(int rows, size_t n, size_t total, int y, sl_rect r)
{
    if ((size_t)rows >= total)
        return (int)n;
    sl__term_putf(y + rows - 1, r.x + 1, r.w - 1, SL_ROLE_DIM, "+%zu more",
                  total - (size_t)rows + 1);
    return rows - 1 < (int)n ? rows - 1 : (int)n;
}

/* The ready list's length, not that of what was copied out of it (at most
 * MAX_ROWS): a preempted running task waits in it. */
static size_t ready_total(const sl_model *m)
{
    return (size_t)m->count[SL_ST_READY] + m->preempted;
}

void sl__view_running(const sl_ui *ui, sl_rect r)
{
    const sl_model *m = &ui->main.model;
    uint32_t ids[MAX_ROWS];
    size_t n = sl_model_running(m, ids, MAX_ROWS), total = sl_model_on_cpu(m);
    int rows = list_title(r, "Running", (uint32_t)total);
    char d[32];
    int shown = fit(rows, n, total, r.y + 1, r);
    int y = r.y + 1;
    for (int i = 0; i < shown; i++, y++) {
        const sl_task_now *t = &m->tasks[ids[i]];
        int x = r.x + 1;
        x += sl__term_putf(y, x, 5, SL_ROLE_DIM, "c%-3u ", t->core);
        entry(ui, r, y, x, row_role(ui, ids[i], SL_ROLE_ST_RUNNING, r, y), "%s %s%s",
              sl_trace_task_name(ui->main.trace, ids[i]),
              sl__fmt_dur(d, sizeof d, since(ui, t), ui->ascii), t->preempted ? " preempted" : "");
    }
    /* Cores with no task of the run below, while rows remain. Not "idle":
     * the machine may run other programs there, and the core meters count
     * only the run's tasks. */
    for (uint32_t c = 0; c < m->n_cores && y < r.y + r.h; c++) {
        bool busy = false;
        for (size_t i = 0; i < n; i++)
            busy = busy || m->tasks[ids[i]].core == c;
        if (!busy)
            sl__term_putf(y++, r.x + 1, r.w - 1, SL_ROLE_DIM, "c%-3u %s", c,
                          r.w >= 26 ? "no task of this run" : "no task");
    }
}

/* How long a steal stays lit, in playhead time. */
#define STEAL_FLASH_NS 250000000ull
/* The narrowest queue column worth drawing. */
#define QUEUE_MIN_W 6

/* The ready list as one column per queue; false if they do not fit. */
static bool ready_queues(const sl_ui *ui, sl_rect r, const uint32_t *ids, size_t n)
{
    const sl_model *m = &ui->main.model;
    const sl_steal_now *s = &m->steal;
    int cols = (int)s->workers + 1;
    int w = (r.w - 1) / cols;
    if (s->workers == 0 || w < QUEUE_MIN_W || r.h < 3)
        return false;
    bool lit = s->last_steal_ns != 0 && ui->t_ns >= s->last_steal_ns &&
               ui->t_ns - s->last_steal_ns < STEAL_FLASH_NS;
    char t[96];
    if (lit)
        snprintf(t, sizeof t, "Ready %zu  steal w%u%sw%u %u  steals %llu", ready_total(m),
                 s->last_from, ui->ascii ? "->" : "\xe2\x86\x92", s->last_to, s->last_n,
                 (unsigned long long)s->steals);
    else
        snprintf(t, sizeof t, "Ready %zu  steals %llu", ready_total(m),
                 (unsigned long long)s->steals);
    sl__term_title(r.y, r.x, r.w, t);
    for (int c = 0; c < cols; c++) {
        int x = r.x + 1 + c * w, y = r.y + 1;
        uint32_t q = c == 0 ? SL_READY_AT_GLOBAL : SL_READY_AT_WORKER(c - 1);
        uint32_t len = c == 0 ? s->global : s->local[c - 1];
        bool hot =
            lit && c > 0 && ((uint32_t)(c - 1) == s->last_from || (uint32_t)(c - 1) == s->last_to);
        bool parked = c > 0 && s->parked[c - 1];
        int role = hot ? SL_ROLE_ACCENT : SL_ROLE_DIM;
        if (c == 0)
            sl__term_putf(y, x, w - 1, role, "G %u", len);
        else
            sl__term_putf(y, x, w - 1, role, "w%d %u%s", c - 1, len, parked ? " z" : "");
        y++;
        int rows = r.y + r.h - y, shown = 0;
        uint32_t in_q = 0;
        for (size_t i = 0; i < n; i++)
            in_q += m->tasks[ids[i]].queue == q;
        for (size_t i = 0; i < n && shown < rows; i++) {
            if (m->tasks[ids[i]].queue != q)
                continue;
            if (shown == rows - 1 && in_q > (uint32_t)rows) {
                sl__term_putf(y + shown, x, w - 1, SL_ROLE_DIM, "+%u", in_q - (uint32_t)shown);
                break;
            }
            int yy = y + shown++;
            char fit[64];
            const char *name = sl_trace_task_name(ui->main.trace, ids[i]);
            sl__term_put(yy, x, w - 1,
                         row_role(ui, ids[i], SL_ROLE_ST_READY, (sl_rect){x, yy, w - 1, 1}, yy),
                         sl__fmt_fit(fit, sizeof fit, name, w - 1, ui->ascii));
        }
    }
    return true;
}

void sl__view_ready(const sl_ui *ui, sl_rect r)
{
    const sl_model *m = &ui->main.model;
    uint32_t ids[MAX_ROWS];
    size_t n = sl_model_ready(m, ids, MAX_ROWS);
    const sl_predict *pr = &ui->predict;
    if (!pr->on && ready_queues(ui, r, ids, n))
        return;
    int rows = list_title(r, "Ready", (uint32_t)ready_total(m));
    char d[32];
    int shown = fit(rows, n, ready_total(m), r.y + 1, r);
    for (int i = 0; i < shown; i++) {
        const sl_task_now *t = &m->tasks[ids[i]];
        int role = SL_ROLE_ST_READY;
        if (pr->on && pr->revealed && ids[i] == pr->task)
            role = SL_ROLE_GOOD;
        int y = r.y + 1 + i, x = r.x + 1;
        x += sl__term_putf(y, x, 3, SL_ROLE_KEY, "%-2d ", i + 1);
        entry(ui, r, y, x, row_role(ui, ids[i], role, r, y), "%s %s %s",
              sl_trace_task_name(ui->main.trace, ids[i]),
              sl__fmt_dur(d, sizeof d, since(ui, t), ui->ascii),
              t->state == SL_ST_RUNNING ? "cpu" : ready_cause(t->reason));
    }
}

void sl__view_waiting(const sl_ui *ui, sl_rect r)
{
    const sl_model *m = &ui->main.model;
    uint32_t ids[MAX_ROWS];
    size_t n = sl_model_waiting(m, ids, MAX_ROWS);
    int rows = list_title(r, "Waiting", m->count[SL_ST_WAITING]);
    char d[32];
    int shown = fit(rows, n, m->count[SL_ST_WAITING], r.y + 1, r);
    for (int i = 0; i < shown; i++) {
        const sl_task_now *t = &m->tasks[ids[i]];
        entry(ui, r, r.y + 1 + i, r.x + 1, row_role(ui, ids[i], SL_ROLE_ST_WAITING, r, r.y + 1 + i),
              "%s %s %s", sl_trace_task_name(ui->main.trace, ids[i]),
              sl_wait_reason_name(t->reason), sl__fmt_dur(d, sizeof d, since(ui, t), ui->ascii));
    }
}

/* Tasks not running their first step yet: those whose process is starting
 * (processes never queue), then a pool's backlog. The title counts each. */
void sl__view_queued(const sl_ui *ui, sl_rect r)
{
    const sl_model *m = &ui->main.model;
    uint32_t ids[MAX_ROWS];
    size_t starting = sl_model_starting(m, ids, MAX_ROWS);
    size_t n = starting + sl_model_queued(m, ids + starting, MAX_ROWS - starting);
    char title[48];
    if (starting > 0 && n > starting)
        snprintf(title, sizeof title, "Starting %u, queued %u", m->count[SL_ST_STARTING],
                 m->count[SL_ST_QUEUED]);
    else if (starting > 0)
        snprintf(title, sizeof title, "Starting %u", m->count[SL_ST_STARTING]);
    else if (m->workers_starting > 0)
        /* A pool's workers are being created: the tasks wait queued, for
         * no task is starting, but the wait is the workers' start-up. */
        snprintf(title, sizeof title, "Queued %u, %u worker%s starting", m->count[SL_ST_QUEUED],
                 m->workers_starting, m->workers_starting == 1 ? "" : "s");
    else
        snprintf(title, sizeof title, "Queued %u", m->count[SL_ST_QUEUED]);
    sl__term_title(r.y, r.x, r.w, title);
    int rows = r.h - 1;
    char d[32];
    int shown = fit(rows, n, (size_t)m->count[SL_ST_STARTING] + m->count[SL_ST_QUEUED], r.y + 1, r);
    for (int i = 0; i < shown; i++) {
        const sl_task_now *t = &m->tasks[ids[i]];
        bool st = (size_t)i < starting;
        int y = r.y + 1 + i;
        entry(ui, r, y, r.x + 1,
              row_role(ui, ids[i], st ? SL_ROLE_ST_STARTING : SL_ROLE_ST_QUEUED, r, y), "%s %s%s",
              sl_trace_task_name(ui->main.trace, ids[i]),
              sl__fmt_dur(d, sizeof d, since(ui, t), ui->ascii), st ? " start-up" : "");
    }
}

static const char *outcome(int state)
{
    switch (state) {
    case SL_ST_FAILED:
        return "failed";
    case SL_ST_CANCELLED:
        return "cancelled";
    default:
        return "done";
    }
}

static int outcome_role(int state)
{
    switch (state) {
    case SL_ST_FAILED:
        return SL_ROLE_ST_FAILED;
    case SL_ST_CANCELLED:
        return SL_ROLE_ST_CANCELLED;
    default:
        return SL_ROLE_NORMAL;
    }
}

void sl__view_completed(const sl_ui *ui, sl_rect r, bool for_empty_queue)
{
    const sl_model *m = &ui->main.model;
    uint32_t finished = sl_model_finished(m);
    int rows;
    if (for_empty_queue) {
        char t[48];
        snprintf(t, sizeof t, "Queued 0, done %u", finished);
        sl__term_title(r.y, r.x, r.w, t);
        rows = r.h - 1;
    } else {
        rows = list_title(r, "As completed", finished);
    }
    if (rows <= 0)
        return;
    /* The newest completions that fit, numbered from the first. */
    uint32_t ids[MAX_ROWS];
    size_t n = sl_model_completed(m, ids, rows < MAX_ROWS ? (size_t)rows : MAX_ROWS);
    uint32_t first = finished - (uint32_t)n + 1;
    char d[32];
    for (size_t i = 0; i < n; i++) {
        const sl_task_now *t = &m->tasks[ids[i]];
        int y = r.y + 1 + (int)i, x = r.x + 1;
        x += sl__term_putf(y, x, r.x + r.w - x, SL_ROLE_DIM, "%u. ", first + (uint32_t)i);
        entry(ui, r, y, x, row_role(ui, ids[i], outcome_role(t->state), r, y), "%s %s %s",
              sl_trace_task_name(ui->main.trace, ids[i]), outcome(t->state),
              sl__fmt_dur(d, sizeof d, t->since_ns, ui->ascii));
    }
}
