/*
 * view-objects.c - the lesson's own objects, under the core lanes: the
 * event loop (blocked for how long, with how many ready), the GIL (holder,
 * waiters, hand-offs), shared counters (expected, actual, lost updates) and
 * queues (fill, capacity, blocked putters and takers), each as the trace
 * says it was at the playhead.
 */
#include <stdarg.h>
#include <stdio.h>

#include "schedlab/scenario.h"
#include "ui/view.h"

/* Room for a line each; the lines that do not fit are counted. */
typedef struct lines {
    int y, bottom, x, w, skipped;
} lines;

/* One object's line, shortened by whole words (sl__put_fit) when the
 * column is narrow: at 80 columns a cut mid-word reads as another word. */
__attribute__((format(printf, 4, 5))) static void put_line(const lines *l, int y, int role,
                                                           const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sl__put_fit(y, l->x, l->w, role, text);
}

static int next_line(lines *l)
{
    if (l->y >= l->bottom) {
        l->skipped++;
        return -1;
    }
    return l->y++;
}

static const char *task_name(const sl_pane *p, uint32_t task)
{
    return task < p->model.n_tasks ? sl_trace_task_name(p->trace, task) : "?";
}

static const char *object_name(const sl_ui *ui, uint32_t ref, char *buf, size_t size)
{
    uint32_t kind = SL_OBJECT_KIND(ref), i = SL_OBJECT_INDEX(ref);
    const sl_scenario *sc = ui->replay ? NULL : ui->sc;
    if (sc && kind == SL_OBJ_COUNTER && i < sc->n_counters)
        return sc->counters[i].name;
    if (sc && kind == SL_OBJ_QUEUE && i < sc->n_queues)
        return sc->queues[i].name;
    snprintf(buf, size, "#%u", i + 1);
    return buf;
}

/* The running coroutine that holds the loop in a cpu step, or SL_NO_TASK. */
static uint32_t loop_holder(const sl_model *m)
{
    uint32_t run[SL_MODEL_CORES];
    size_t n = sl_model_running(m, run, SL_MODEL_CORES);
    for (size_t i = 0; i < n; i++) {
        const sl_task_now *t = &m->tasks[run[i]];
        if ((t->vehicle & SL_VEHICLE_COROUTINE) &&
            (t->step_kind == SL_STEP_CPU || t->step_kind == SL_STEP_CPU_SUMSQ))
            return run[i];
    }
    return SL_NO_TASK;
}

/* Work stealing has no one loop to block: its workers, and what moved
 * between them. */
static void draw_workers(const sl_pane *p, lines *l)
{
    const sl_steal_now *s = &p->model.steal;
    int y = next_line(l);
    if (y < 0)
        return;
    uint32_t parked = 0;
    for (uint32_t k = 0; k < s->workers; k++)
        parked += s->parked[k];
    put_line(l, y, SL_ROLE_NORMAL,
             "workers: %u, %u parked; steals %llu (%llu tasks), migrations %llu, parks %llu",
             s->workers, parked, (unsigned long long)s->steals, (unsigned long long)s->stolen,
             (unsigned long long)s->migrations, (unsigned long long)s->parks);
}

static void draw_loop(const sl_ui *ui, const sl_pane *p, lines *l)
{
    const sl_model *m = &p->model;
    if (m->steal.workers > 0) {
        draw_workers(p, l);
        return;
    }
    uint32_t ready = m->ready_by_cause[SL_READY_LOOP];
    uint32_t holder = loop_holder(m);
    if (holder == SL_NO_TASK && m->coroutine_switches == 0)
        return;
    int y = next_line(l);
    if (y < 0)
        return;
    char d[32];
    if (holder != SL_NO_TASK && ready > 0) {
        uint64_t since = m->tasks[holder].since_ns;
        sl__fmt_dur(d, sizeof d, m->t_ns > since ? m->t_ns - since : 0, ui->ascii);
        put_line(l, y, SL_ROLE_WARN, "event loop: blocked %s by %s, %u ready", d,
                 task_name(p, holder), ready);
    } else {
        /* The longest any task has waited in the ready list so far: with
         * "0 ready" beside it, "longest wait" alone read as a wait now. */
        sl__fmt_dur(d, sizeof d, m->ready_lat_max_ns, ui->ascii);
        put_line(l, y, SL_ROLE_NORMAL, "event loop: %u ready; longest so far %s", ready, d);
    }
}

static void draw_gil(const sl_ui *ui, const sl_pane *p, lines *l)
{
    const sl_model *m = &p->model;
    if (p->trace->meta.gil_interval_ns == 0 && m->gil_holder == SL_NO_TASK)
        return;
    int y = next_line(l);
    if (y < 0)
        return;
    uint32_t waiters = m->ready_by_cause[SL_READY_GIL];
    bool held = m->gil_holder != SL_NO_TASK && m->tasks[m->gil_holder].state == SL_ST_RUNNING;
    put_line(l, y, waiters ? SL_ROLE_WARN : SL_ROLE_NORMAL, "GIL %s%s, %u wait, %llu hand-offs",
             held ? "held by " : "free", held ? task_name(p, m->gil_holder) : "", waiters,
             (unsigned long long)m->gil_handoffs);
}

static void draw_object(const sl_ui *ui, const sl_object_now *o, lines *l)
{
    int y = next_line(l);
    if (y < 0)
        return;
    char buf[16];
    const char *name = object_name(ui, o->ref, buf, sizeof buf);
    if (SL_OBJECT_KIND(o->ref) == SL_OBJ_COUNTER) {
        uint64_t value = SL_OBJECT_FIELD(o->arg, 0, 32), done = SL_OBJECT_FIELD(o->arg, 1, 32);
        uint64_t lost = done > value ? done - value : 0;
        put_line(l, y, lost ? SL_ROLE_WARN : SL_ROLE_NORMAL, "counter %s %llu of %llu, %llu lost",
                 name, (unsigned long long)value, (unsigned long long)done,
                 (unsigned long long)lost);
        return;
    }
    unsigned fill = (unsigned)SL_OBJECT_FIELD(o->arg, 0, 16);
    unsigned cap = (unsigned)SL_OBJECT_FIELD(o->arg, 1, 16);
    unsigned putters = (unsigned)SL_OBJECT_FIELD(o->arg, 2, 16);
    unsigned takers = (unsigned)SL_OBJECT_FIELD(o->arg, 3, 16);
    const char *state = fill == cap ? " full" : fill == 0 ? " empty" : "";
    put_line(l, y, putters || takers ? SL_ROLE_WARN : SL_ROLE_NORMAL,
             "queue %s %u/%u%s, %u put %u take wait", name, fill, cap, state, putters, takers);
}

void sl__view_objects(const sl_ui *ui, sl_rect r)
{
    const sl_pane *p = &ui->main;
    if (!ui->has_main || r.h <= 0)
        return;
    lines l = {.y = r.y, .bottom = r.y + r.h, .x = r.x + 1, .w = r.w - 1};
    draw_loop(ui, p, &l);
    draw_gil(ui, p, &l);
    for (uint32_t i = 0; i < p->model.n_objects; i++)
        draw_object(ui, &p->model.objects[i], &l);
    if (l.skipped > 0 && r.h > 0)
        sl__term_putf(r.y + r.h - 1, l.x, l.w, SL_ROLE_DIM, "+%d more objects%*s", l.skipped + 1,
                      l.w, "");
}

sl_rect sl__objects_rect(const sl_ui *ui, sl_rect cores)
{
    uint32_t n = ui->has_main ? ui->main.model.n_cores : 1;
    int used = 1 + (int)(n < (uint32_t)cores.h ? n : (uint32_t)cores.h);
    return (sl_rect){.x = cores.x, .y = cores.y + used, .w = cores.w, .h = cores.h - used};
}
