/*
 * predict.c - predict mode: guess what the scheduler does next.
 *
 * A question stops the playhead just before an event whose outcome had
 * several candidates: which waiting task wakes next, which thread takes
 * the GIL, which runnable thread the OS puts on a core, which idle pool
 * worker takes the next queued task, and now and then which task a FIFO
 * queue serves (its head, always: asked every fourth question at most, or
 * "always press 1" would win). The reveal says in one sentence why that
 * task (or worker) went, from the model just before the event.
 *
 * Pool workers are the vehicles (thread ids, process ids) whose READY
 * (worker) events take tasks off the backlog, numbered in the order they
 * first took one; a worker is idle when the last task it took has ended.
 */
#include <stdio.h>
#include <string.h>

#include "control/play.h"
#include "control/predict.h"
#include "schedlab/scenario.h"

/* FIFO questions wait for this many others in between. */
#define FIFO_EVERY 3
/* A kind asked this many times in a row gives way to another, if any. */
#define STREAK 2

static const char *const kind_words[SL_Q__COUNT] = {
    [SL_Q_FIFO] = "queue order", [SL_Q_WAKE] = "wake-ups",       [SL_Q_GIL] = "GIL",
    [SL_Q_CORE] = "cores",       [SL_Q_WORKER] = "pool workers",
};

static bool on_os_vehicle(const sl_task_now *t)
{
    return !(t->vehicle & SL_VEHICLE_COROUTINE);
}

/* Fills pr->cand for question `kind` from the model before the event;
 * returns how many. */
static uint32_t candidates(const sl_model *m, int kind, uint32_t *out)
{
    uint32_t all[SL_PREDICT_MAX_CAND];
    if (kind == SL_Q_WAKE)
        return (uint32_t)sl_model_waiting(m, out, SL_PREDICT_MAX_CAND);
    size_t n = sl_model_ready(m, all, SL_PREDICT_MAX_CAND);
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const sl_task_now *t = &m->tasks[all[i]];
        bool keep = kind == SL_Q_FIFO ||
                    (kind == SL_Q_GIL && t->state == SL_ST_READY && t->reason == SL_READY_GIL);
        if (kind == SL_Q_CORE)
            keep = t->reason == SL_READY_CPU && on_os_vehicle(t);
        if (keep)
            out[k++] = all[i];
    }
    return k;
}

/* The pool's workers idle just before `ev` (a READY(worker) event) into
 * pr's choices, with since when and their last task; pr->answer gets the
 * one that took it. Returns how many. One pass over the trace: the workers
 * are known by the tasks they take, before and after the question. */
static uint32_t idle_workers(sl_trace *tr, const sl_model *m, const sl_event *q, sl_predict *pr)
{
    uint32_t vehicle[SL_PREDICT_MAX_CAND], last[SL_PREDICT_MAX_CAND], n = 0;
    sl_trace_view v;
    sl_trace_read(tr, &v);
    for (size_t i = 0; i < v.count; i++) {
        const sl_event *e = &v.events[i];
        if (e->kind != SL_EV_READY || e->reason != SL_READY_WORKER || e->task >= m->n_tasks)
            continue;
        uint32_t w = 0;
        while (w < n && vehicle[w] != e->vehicle)
            w++;
        if (w == n) {
            if (n == SL_PREDICT_MAX_CAND)
                continue;
            vehicle[n] = e->vehicle;
            last[n++] = SL_NO_TASK;
        }
        if (e->t_ns < q->t_ns)
            last[w] = e->task;
    }
    sl_trace_read_end(&v);
    uint32_t k = 0;
    pr->answer = SL_NO_TASK;
    for (uint32_t w = 0; w < n; w++) {
        const sl_task_now *t = last[w] != SL_NO_TASK ? &m->tasks[last[w]] : NULL;
        if (t != NULL && t->state < SL_ST_DONE)
            continue; /* still carrying its task */
        if (vehicle[w] == q->vehicle)
            pr->answer = w;
        pr->cand[k] = w;
        pr->last[k] = last[w];
        pr->idle_ns[k++] = t != NULL ? t->since_ns : 0;
    }
    return k;
}

/* What question an event poses (the model is folded to just before it),
 * or -1 for none. */
static int question_of(const sl_model *m, const sl_trace_meta *meta, const sl_event *ev)
{
    if (ev->task >= m->n_tasks)
        return -1;
    const sl_task_now *t = &m->tasks[ev->task];
    switch (ev->kind) {
    case SL_EV_WAKE:
        return t->state == SL_ST_WAITING ? SL_Q_WAKE : -1;
    case SL_EV_READY:
        /* A worker takes a task off the pool's backlog. */
        return ev->reason == SL_READY_WORKER && t->state == SL_ST_QUEUED ? SL_Q_WORKER : -1;
    case SL_EV_GIL_TAKE:
        return SL_Q_GIL;
    case SL_EV_RUN:
        /* A thread that just took the GIL: that was the question. */
        if (t->state != SL_ST_READY || t->reason == SL_READY_GIL)
            return -1;
        if (t->reason == SL_READY_CPU && on_os_vehicle(t) &&
            strcmp(meta->strategy, "sequential") != 0)
            return SL_Q_CORE;
        return SL_Q_FIFO;
    default:
        return -1;
    }
}

void sl__predict_start(sl_ui *ui)
{
    /* A new round: the count of questions posed goes on (recordings mark each). */
    uint32_t posed = ui->predict.posed;
    ui->predict = (sl_predict){.on = true, .guess = -1, .since_fifo = FIFO_EVERY, .posed = posed};
    if (!sl__predict_next(ui))
        snprintf(ui->status, sizeof ui->status,
                 "No scheduling decision with a choice after the playhead: press Home, then p.");
}

static void summary(sl_predict *pr)
{
    pr->asking = pr->revealed = false;
    pr->over = true;
    int n = snprintf(pr->note, sizeof pr->note, "Round over: %u of %u right", pr->right, pr->asked);
    const char *sep = " (";
    for (int k = 0; k < SL_Q__COUNT && n > 0 && (size_t)n < sizeof pr->note; k++) {
        if (pr->asked_by[k] == 0)
            continue;
        n += snprintf(pr->note + n, sizeof pr->note - (size_t)n, "%s%s %u/%u", sep, kind_words[k],
                      pr->right_by[k], pr->asked_by[k]);
        sep = ", ";
    }
    if (n > 0 && (size_t)n < sizeof pr->note)
        snprintf(pr->note + n, sizeof pr->note - (size_t)n, "%s. Space: a new round, p: leave.",
                 pr->asked ? ")" : "");
}

/* Looks for the next question after the playhead; `vary`: skip the kind
 * asked STREAK times in a row. */
static bool find(sl_ui *ui, bool vary)
{
    sl_predict *pr = &ui->predict;
    sl_pane *p = &ui->main;
    sl_trace *tr = p->trace;
    uint64_t from = ui->t_ns;
    uint32_t last = pr->asked ? pr->task : SL_NO_TASK;
    for (;;) {
        /* The next event that can pose a question, read under the lock,
         * then judged by folding the model just before it. */
        bool found = false;
        sl_event ev;
        sl_trace_view v;
        sl_trace_read(tr, &v);
        for (size_t i = sl__play_first_after(&v, from); i < v.count && !found; i++) {
            uint16_t k = v.events[i].kind;
            if (k == SL_EV_WAKE || k == SL_EV_GIL_TAKE || k == SL_EV_RUN ||
                (k == SL_EV_READY && v.events[i].reason == SL_READY_WORKER)) {
                ev = v.events[i];
                found = true;
            }
        }
        sl_trace_read_end(&v);
        if (!found)
            return false;
        from = ev.t_ns;
        uint64_t before = ev.t_ns ? ev.t_ns - 1 : 0;
        sl_pane_seek(p, before);
        int kind = question_of(&p->model, &tr->meta, &ev);
        /* The task just revealed running next is no new question (a worker
         * that took it is a question about the worker, not the task). */
        if (kind < 0 || (kind != SL_Q_WAKE && kind != SL_Q_WORKER && ev.task == last))
            continue;
        if (kind == SL_Q_FIFO && pr->since_fifo < FIFO_EVERY)
            continue;
        if (vary && kind == pr->kind && pr->streak >= STREAK)
            continue;
        uint32_t n;
        bool listed = false;
        if (kind == SL_Q_WORKER) {
            n = idle_workers(tr, &p->model, &ev, pr);
            listed = pr->answer != SL_NO_TASK;
        } else {
            n = candidates(&p->model, kind, pr->cand);
            for (uint32_t i = 0; i < n; i++)
                listed = listed || pr->cand[i] == ev.task;
            pr->answer = ev.task;
        }
        /* A lone candidate is no question. */
        if (n < 2 || !listed)
            continue;
        pr->n_cand = n;
        pr->streak = pr->asked > 0 && kind == pr->kind ? pr->streak + 1 : 1;
        pr->kind = (uint8_t)kind;
        pr->task = ev.task;
        pr->at_ns = ev.t_ns;
        pr->asking = true;
        pr->over = false;
        pr->posed++;
        ui->t_ns = before;
        ui->play = SL_PLAY_PAUSED;
        return true;
    }
}

bool sl__predict_next(sl_ui *ui)
{
    sl_predict *pr = &ui->predict;
    pr->asking = pr->revealed = false;
    pr->guess = -1;
    pr->typed = pr->cursor = 0;
    if (!ui->has_main || ui->compare)
        return false;
    if (pr->asked >= SL_PREDICT_ROUND) {
        summary(pr);
        return true;
    }
    uint64_t t = ui->t_ns;
    if (find(ui, true))
        return true;
    ui->t_ns = t;
    if (find(ui, false))
        return true;
    sl_pane_seek(&ui->main, t);
    if (pr->asked > 0)
        summary(pr);
    return pr->asked > 0;
}

/* Whether task `a` had waited longer than every other candidate. */
static bool waited_longest(const sl_model *m, const sl_predict *pr, uint64_t a_since)
{
    for (uint32_t i = 0; i < pr->n_cand; i++) {
        const sl_task_now *t = &m->tasks[pr->cand[i]];
        uint64_t since = pr->kind == SL_Q_GIL ? t->gil_since_ns : t->since_ns;
        if (pr->cand[i] != pr->answer && since < a_since)
            return false;
    }
    return true;
}

/* Why that worker took the task: the one idle longest, one of several idle
 * as long, or not the longest. */
static void explain_worker(const sl_predict *pr, const char *name, char *buf, size_t size)
{
    uint64_t since = UINT64_MAX, oldest = UINT64_MAX;
    uint32_t as_old = 0;
    for (uint32_t i = 0; i < pr->n_cand; i++) {
        if (pr->cand[i] == pr->answer)
            since = pr->idle_ns[i];
        if (pr->idle_ns[i] < oldest)
            oldest = pr->idle_ns[i];
    }
    for (uint32_t i = 0; i < pr->n_cand; i++)
        as_old += pr->idle_ns[i] == oldest;
    if (since == oldest && as_old == 1)
        snprintf(buf, size,
                 "worker %u had been idle longest and took %s: idle workers sleep on the "
                 "queue, and the first to wake takes its head.",
                 pr->answer + 1, name);
    else if (since == oldest)
        snprintf(buf, size,
                 "worker %u took %s: %u workers had been idle as long, and the kernel wakes one "
                 "sleeping on the queue in no fixed order.",
                 pr->answer + 1, name, as_old);
    else
        snprintf(buf, size,
                 "worker %u took %s though others were idle longer: the kernel wakes a sleeping "
                 "worker in no fixed order.",
                 pr->answer + 1, name);
}

/* One sentence: why the answer went next, from the model before it. */
static void explain(const sl_ui *ui, char *buf, size_t size)
{
    const sl_predict *pr = &ui->predict;
    const sl_model *m = &ui->main.model;
    const sl_task_now *t = &m->tasks[pr->task];
    const char *name = sl_trace_task_name(ui->main.trace, pr->task);
    char d[32];
    if (pr->kind == SL_Q_WORKER) {
        explain_worker(pr, name, buf, size);
        return;
    }
    uint64_t since =
        pr->kind == SL_Q_GIL && t->gil_since_ns != UINT64_MAX ? t->gil_since_ns : t->since_ns;
    snprintf(d, sizeof d, "%.1f ms", (double)(pr->at_ns > since ? pr->at_ns - since : 0) / 1e6);
    bool longest = waited_longest(m, pr, since);
    switch (pr->kind) {
    case SL_Q_WAKE:
        if (t->reason == SL_WAIT_LOCK || t->reason == SL_WAIT_QUEUE)
            snprintf(buf, size,
                     "%s was first in line: its %s let it go on, and waiters are served in "
                     "arrival order.",
                     name, t->reason == SL_WAIT_LOCK ? "lock was released" : "queue changed");
        else if (longest)
            snprintf(buf, size, "%s had waited longest (%s) and its %s ended first.", name, d,
                     sl_wait_reason_name(t->reason));
        else
            snprintf(buf, size,
                     "%s's %s ended first after %s: a wait ends when its reply or timer comes, "
                     "not in the order the waits began.",
                     name, sl_wait_reason_name(t->reason), d);
        break;
    case SL_Q_GIL:
        if (longest)
            snprintf(buf, size,
                     "%s had waited longest for the GIL (%s): the holder dropped it and %s "
                     "took it.",
                     name, d, name);
        else
            snprintf(buf, size,
                     "%s took the GIL after %s though others waited longer: the OS wakes GIL "
                     "waiters in no fixed order.",
                     name, d);
        break;
    case SL_Q_CORE:
        if (longest)
            snprintf(buf, size, "%s had waited longest for a core (%s); the kernel ran it.", name,
                     d);
        else
            snprintf(buf, size,
                     "the kernel ran %s before threads that waited longer: it favours the "
                     "thread with the least cpu so far.",
                     name);
        break;
    default:
        if (pr->cand[0] == pr->answer)
            snprintf(buf, size,
                     "%s was at the head of the queue: it is served in arrival order (FIFO).",
                     name);
        else
            snprintf(buf, size, "%s ran before the head of the queue: this scheduler is no FIFO.",
                     name);
        break;
    }
}

void sl__predict_guess(sl_ui *ui, int i)
{
    sl_predict *pr = &ui->predict;
    if (!pr->asking || i < 0 || (uint32_t)i >= pr->n_cand)
        return;
    pr->guess = i;
    pr->asked++;
    pr->asked_by[pr->kind]++;
    bool right = pr->cand[i] == pr->answer;
    if (right) {
        pr->right++;
        pr->right_by[pr->kind]++;
    }
    pr->since_fifo = pr->kind == SL_Q_FIFO ? 0 : pr->since_fifo + 1;
    char why[200];
    explain(ui, why, sizeof why);
    snprintf(pr->note, sizeof pr->note, "%s %s Space: next.", right ? "Right!" : "No:", why);
    pr->asking = false;
    pr->revealed = true;
    pr->typed = 0;
    ui->t_ns = pr->at_ns;
    ui->play = SL_PLAY_PAUSED;
}

/* A digit while asking: one digit picks when no second could follow. */
static void typed_digit(sl_ui *ui, int d)
{
    sl_predict *pr = &ui->predict;
    int n = pr->typed * 10 + d;
    if (n == 0 || n > (int)pr->n_cand) {
        pr->typed = 0;
        snprintf(ui->status, sizeof ui->status, "Choose 1 to %u.", pr->n_cand);
        return;
    }
    pr->typed = n;
    pr->cursor = n - 1;
    if (n * 10 > (int)pr->n_cand)
        sl__predict_guess(ui, n - 1);
}

/* Keys that would start a run: a strategy, a replay, compare mode's runs
 * (c) or a lesson from the picker (s). */
static bool starts_a_run(int key)
{
    return (key >= '0' && key <= '9') || key == SL_KEY_TAB || key == SL_KEY_BTAB || key == 'g' ||
           key == 'w' || key == 'W' || key == 'r' || key == 'c' || key == 's' ||
           key == SL_KEY_ENTER;
}

bool sl__predict_key(sl_ui *ui, int key)
{
    sl_predict *pr = &ui->predict;
    if (!pr->on)
        return false;
    ui->status[0] = '\0';
    if (pr->asking) {
        if (key >= '0' && key <= '9') {
            typed_digit(ui, key - '0');
            return true;
        }
        if (key == SL_KEY_UP || key == SL_KEY_DOWN) {
            int c = pr->cursor + (key == SL_KEY_DOWN ? 1 : -1);
            pr->cursor = c < 0 ? 0 : c >= (int)pr->n_cand ? (int)pr->n_cand - 1 : c;
            pr->typed = 0;
            return true;
        }
        if (key == SL_KEY_ENTER || (key == ' ' && pr->typed)) {
            sl__predict_guess(ui, pr->typed ? pr->typed - 1 : pr->cursor);
            return true;
        }
    }
    if (key == ' ' || (key == SL_KEY_ENTER && !pr->asking)) {
        if (pr->over)
            sl__predict_start(ui);
        else if (!pr->asking)
            sl__predict_next(ui);
        return true;
    }
    if (starts_a_run(key)) {
        snprintf(ui->status, sizeof ui->status,
                 "Predict mode: no run starts here. Press p to leave it first.");
        return true;
    }
    return false;
}
