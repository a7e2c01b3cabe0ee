/*
 * model-fold.c - folding events into task states, one event at a time.
 *
 * Every event changes at most the task it names, so a state change is: leave
 * the old state (close its interval into the task's and the model's
 * counters, unlink from its list), then enter the new one (count it, link it
 * at the tail of its list). Nothing allocates and nothing scans: a live view
 * folds the newest events every frame, and a seek refolds a whole trace.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

static const char *const state_names[SL_ST__COUNT] = {
    [SL_ST_NEW] = "new",     [SL_ST_STARTING] = "starting", [SL_ST_QUEUED] = "queued",
    [SL_ST_READY] = "ready", [SL_ST_RUNNING] = "running",   [SL_ST_WAITING] = "waiting",
    [SL_ST_DONE] = "done",   [SL_ST_FAILED] = "failed",     [SL_ST_CANCELLED] = "cancelled",
};

const char *sl_state_name(int state)
{
    if (state < 0 || state >= SL_ST__COUNT)
        return "?";
    return state_names[state];
}

int sl_model_init(sl_model *m, uint32_t n_tasks, uint32_t n_cores)
{
    memset(m, 0, sizeof *m);
    if (n_tasks > 0) {
        m->tasks = calloc(n_tasks, sizeof *m->tasks);
        m->link = malloc(2 * (size_t)n_tasks * sizeof *m->link);
        if (!m->tasks || !m->link) {
            free(m->tasks);
            free(m->link);
            m->tasks = NULL;
            m->link = NULL;
            return SL_ENOMEM;
        }
        sl_huge_pages(m->tasks, n_tasks * sizeof *m->tasks);
        sl_huge_pages(m->link, 2 * (size_t)n_tasks * sizeof *m->link);
    }
    m->n_tasks = n_tasks;
    m->n_cores = n_cores;
    sl_model_reset(m);
    return 0;
}

void sl_model_free(sl_model *m)
{
    if (m->checkpoints_free)
        m->checkpoints_free(m);
    free(m->tasks);
    free(m->link);
    m->tasks = NULL;
    m->link = NULL;
    m->n_tasks = 0;
}

void sl_model_reset(sl_model *m)
{
    sl_model keep = *m;

    memset(m, 0, sizeof *m);
    m->n_tasks = keep.n_tasks;
    m->n_cores = keep.n_cores;
    m->tasks = keep.tasks;
    m->link = keep.link;
    m->checkpoints = keep.checkpoints;
    m->checkpoints_free = keep.checkpoints_free;
    m->trace = keep.trace;
    m->generation = keep.generation;
    m->gil_holder = SL_NO_TASK;
    for (int c = 0; c < SL_MODEL_CORES; c++)
        m->core_task[c] = SL_NO_TASK;
    for (uint32_t i = 0; i < m->n_tasks; i++)
        m->tasks[i] = (sl_task_now){.state = SL_ST_NEW, .gil_since_ns = UINT64_MAX};
    m->count[SL_ST_NEW] = m->n_tasks;
    sl__model_lists_clear(m);
}

static bool is_io(uint8_t reason)
{
    return reason == SL_WAIT_IO || reason == SL_WAIT_SLEEP;
}

/* The work-stealing queue a ready task waits in: SL_READY_AT_* or 0. */
static uint32_t *queue_slot(sl_model *m, uint32_t q)
{
    if (q == SL_READY_AT_GLOBAL)
        return &m->steal.global;
    if (q >= SL_READY_AT_WORKER(0)) {
        uint32_t w = q - SL_READY_AT_WORKER(0);
        return &m->steal.local[w < SL_MODEL_WORKERS ? w : SL_MODEL_WORKERS - 1];
    }
    return NULL;
}

static void see_worker(sl_model *m, uint32_t w)
{
    if (w < SL_MODEL_WORKERS && w + 1 > m->steal.workers)
        m->steal.workers = w + 1;
}

/* Moves a ready task's count from its queue to queue q (0: none). */
static void queue_move(sl_model *m, sl_task_now *k, uint32_t q)
{
    uint32_t *from = queue_slot(m, k->queue), *to = queue_slot(m, q);
    if (from != NULL && *from > 0)
        (*from)--;
    if (to != NULL)
        (*to)++;
    if (q >= SL_READY_AT_WORKER(0))
        see_worker(m, q - SL_READY_AT_WORKER(0));
    k->queue = (uint8_t)(q < 255 ? q : 255);
}

/* Whether some worker is parked while another has two or more tasks
 * queued: the time it lasts is what the parked-with-backlog lint reads. */
static void backlog_check(sl_model *m, uint64_t t)
{
    sl_steal_now *w = &m->steal;
    bool parked = false, backlog = false;
    for (uint32_t k = 0; k < w->workers; k++) {
        parked |= w->parked[k];
        backlog |= !w->parked[k] && w->local[k] >= 2;
    }
    bool now = parked && backlog;
    if (now && w->backlog_since_ns == 0)
        w->backlog_since_ns = t ? t : 1;
    else if (!now && w->backlog_since_ns != 0) {
        w->parked_backlog_ns += sl__since(t, w->backlog_since_ns);
        w->backlog_since_ns = 0;
    }
}

/* STEAL, PARK, UNPARK: the workers' own events. */
static void worker_event(sl_model *m, const sl_event *ev)
{
    sl_steal_now *w = &m->steal;
    uint32_t k = ev->reason < SL_MODEL_WORKERS ? ev->reason : SL_MODEL_WORKERS - 1;
    see_worker(m, k);
    switch (ev->kind) {
    case SL_EV_STEAL:
        w->steals++;
        w->stolen += SL_STEAL_COUNT(ev->arg);
        w->last_steal_ns = ev->t_ns;
        w->last_from = ev->reason;
        w->last_to = SL_STEAL_THIEF(ev->arg);
        w->last_n = SL_STEAL_COUNT(ev->arg);
        see_worker(m, w->last_to);
        break;
    case SL_EV_PARK:
        w->parks++;
        w->parked[k] = true;
        break;
    default:
        w->parked[k] = false;
        break;
    }
}

/* A pool worker's start-up (START with no task): asked for, then up. The
 * run's end closes any still open, so a worker that never came up is not
 * counted as starting for ever. */
static void worker_start(sl_model *m, const sl_event *ev)
{
    uint32_t k = ev->arg < SL_MODEL_WORKERS ? (uint32_t)ev->arg : SL_MODEL_WORKERS - 1;
    if (ev->reason == SL_START_WORKER) {
        m->workers_starting++;
        m->worker_since_ns[k] = ev->t_ns;
    } else if (ev->reason == SL_START_WORKER_UP && m->workers_starting > 0) {
        m->workers_starting--;
        m->workers_up++;
        m->worker_starting_ns += sl__since(ev->t_ns, m->worker_since_ns[k]);
        m->worker_since_ns[k] = 0;
    }
}

static void workers_start_end(sl_model *m, uint64_t t)
{
    for (uint32_t k = 0; k < SL_MODEL_WORKERS && m->workers_starting > 0; k++)
        if (m->worker_since_ns[k] != 0) {
            m->worker_starting_ns += sl__since(t, m->worker_since_ns[k]);
            m->worker_since_ns[k] = 0;
        }
    m->workers_starting = 0;
}

/* Closes task i's current state at t. */
static void leave(sl_model *m, uint32_t i, uint64_t t)
{
    sl_task_now *k = &m->tasks[i];
    uint64_t d = sl__since(t, k->since_ns);
    int list = sl__model_list_of(m, i);

    if (list >= 0)
        sl__model_list_remove(m, list, i);
    switch (k->state) {
    case SL_ST_RUNNING: {
        uint32_t c = sl__core_slot(k->core);
        k->run_ns += d;
        if (k->preempted) {
            m->preempted--;
            k->preempted = false;
        } else {
            /* Time the kernel showed it waiting for a core was not busy time. */
            m->busy_ns[c] += sl__since(t, k->shown_since_ns);
        }
        if (m->core_task[c] == i)
            m->core_task[c] = m->head[SL_LIST_CORE0 + c];
        break;
    }
    case SL_ST_READY:
        k->ready_ns += d;
        m->ready_by_cause[k->reason]--;
        queue_move(m, k, 0);
        break;
    case SL_ST_STARTING:
        k->starting_ns += d;
        m->starting_ns += d;
        break;
    case SL_ST_WAITING:
        k->wait_ns += d;
        m->waiting_by_reason[k->reason]--;
        if (is_io(k->reason)) {
            m->io_wait_ns += d;
            if (--m->io_waiting == 0)
                m->io_union_ns += sl__since(t, m->io_union_since_ns);
        }
        break;
    default:
        break;
    }
    m->count[k->state]--;
}

/* Opens state `state` for task i at t (its core is already set if running). */
static void enter(sl_model *m, uint32_t i, sl_state state, uint8_t reason, uint64_t t)
{
    sl_task_now *k = &m->tasks[i];

    k->state = (uint8_t)state;
    k->reason = reason;
    k->since_ns = k->shown_since_ns = t;
    m->count[state]++;
    switch (state) {
    case SL_ST_READY:
        k->ready_seq = ++m->seq;
        m->ready_by_cause[reason]++;
        break;
    case SL_ST_WAITING:
        m->waiting_by_reason[reason]++;
        if (is_io(reason) && m->io_waiting++ == 0)
            m->io_union_since_ns = t;
        break;
    case SL_ST_RUNNING:
        m->core_task[sl__core_slot(k->core)] = i;
        if (m->count[SL_ST_RUNNING] > m->max_running)
            m->max_running = m->count[SL_ST_RUNNING];
        if (sl__on_cpu(m) > m->max_on_cpu)
            m->max_on_cpu = sl__on_cpu(m);
        break;
    default:
        break;
    }
    int list = sl__model_list_of(m, i);
    if (list >= 0)
        sl__model_list_push(m, list, i);
}

static void to_ready(sl_model *m, uint32_t i, uint32_t cause, uint64_t t)
{
    sl_task_now *k = &m->tasks[i];
    uint8_t c = cause < SL_READY__COUNT ? (uint8_t)cause : SL_READY_CPU;

    /* Already ready: it keeps its place in the queue; only the cause may change. */
    if (k->state == SL_ST_READY) {
        m->ready_by_cause[k->reason]--;
        m->ready_by_cause[c]++;
        k->reason = c;
        return;
    }
    leave(m, i, t);
    enter(m, i, SL_ST_READY, c, t);
}

static void run(sl_model *m, uint32_t i, const sl_event *ev)
{
    sl_task_now *k = &m->tasks[i];
    bool was_ready = k->state == SL_ST_READY;
    uint64_t latency = sl__since(ev->t_ns, k->since_ns);

    leave(m, i, ev->t_ns);
    if (was_ready) {
        m->ready_lat_sum_ns += latency;
        m->ready_lat_count++;
        if (latency > m->ready_lat_max_ns)
            m->ready_lat_max_ns = latency;
    }
    if (!k->started) {
        k->started = true;
        k->startup_ns = k->ready_ns + k->starting_ns;
    }
    k->core = ev->core;
    k->step = (uint32_t)ev->arg;
    enter(m, i, SL_ST_RUNNING, 0, ev->t_ns);
}

static void finish(sl_model *m, uint32_t i, const sl_event *ev)
{
    sl_task_now *k = &m->tasks[i];
    sl_state st = ev->reason == SL_EXIT_OK          ? SL_ST_DONE
                  : ev->reason == SL_EXIT_CANCELLED ? SL_ST_CANCELLED
                                                    : SL_ST_FAILED;

    if (k->state >= SL_ST_DONE)
        return;
    leave(m, i, ev->t_ns);
    enter(m, i, st, 0, ev->t_ns);
    k->exit_arg = ev->arg;
    m->last_end_ns = ev->t_ns;
    if (k->started) {
        m->startup_exited++;
        if (k->startup_ns > k->run_ns) {
            m->startup_heavy++;
            m->startup_heavy_ready_ns += k->startup_ns;
            m->startup_heavy_run_ns += k->run_ns;
        }
    }
}

/* The kernel's view of a running task: waiting for a core, or on one. */
static void sample(sl_model *m, uint32_t i, bool preempted, uint64_t t)
{
    sl_task_now *k = &m->tasks[i];
    uint32_t c = sl__core_slot(k->core);

    if (k->state != SL_ST_RUNNING || k->preempted == preempted)
        return;
    sl__model_list_remove(m, sl__model_list_of(m, i), i);
    k->preempted = preempted;
    if (preempted) {
        m->busy_ns[c] += sl__since(t, k->shown_since_ns);
        k->ready_seq = ++m->seq;
        m->preempted++;
    } else {
        m->preempted--;
    }
    k->shown_since_ns = t;
    sl__model_list_push(m, sl__model_list_of(m, i), i);
    if (preempted) {
        if (m->core_task[c] == i)
            m->core_task[c] = m->head[SL_LIST_CORE0 + c];
    } else {
        m->core_task[c] = i;
        if (sl__on_cpu(m) > m->max_on_cpu)
            m->max_on_cpu = sl__on_cpu(m);
    }
}

static void gil_take(sl_model *m, uint32_t i, uint64_t t)
{
    sl_task_now *k = &m->tasks[i];

    if (k->gil_since_ns != UINT64_MAX) {
        m->gil_wait_ns += sl__since(t, k->gil_since_ns);
        k->gil_since_ns = UINT64_MAX;
    }
    /* The first take hands nothing over; a thread retaking its own GIL neither. */
    if (m->gil_holder != SL_NO_TASK && m->gil_holder != i)
        m->gil_handoffs++;
    m->gil_holder = i;
}

/* A shared object's latest state; objects beyond the table are dropped. */
static void object(sl_model *m, const sl_event *ev)
{
    uint32_t k = 0;
    while (k < m->n_objects && m->objects[k].ref != ev->reason)
        k++;
    if (k == SL_MODEL_OBJECTS)
        return;
    if (k == m->n_objects)
        m->objects[m->n_objects++] = (sl_object_now){.ref = ev->reason};
    m->objects[k].last_task = ev->task;
    m->objects[k].arg = ev->arg;
    m->objects[k].changes++;
}

/* Inlined into the playhead's loop (sl__model_fold_to): a call saving six
 * registers is a fair part of what folding one event costs. */
__attribute__((always_inline)) static inline void apply(sl_model *m, const sl_event *ev)
{
    uint64_t t = ev->t_ns;
    uint32_t i = ev->task;

    if (m->events++ == 0)
        m->first_ns = t;
    if (t > m->t_ns)
        m->t_ns = t;
    switch (ev->kind) {
    case SL_EV_SWITCH:
        m->coroutine_switches++;
        return;
    case SL_EV_MARK:
        if (ev->reason == SL_MARK_RUN_END) {
            m->last_end_ns = t;
            workers_start_end(m, t);
        }
        return;
    case SL_EV_OS_SAMPLE:
        m->os_runq_us += ev->reason;
        break;
    case SL_EV_OBJECT:
        object(m, ev);
        return;
    case SL_EV_STEAL:
    case SL_EV_PARK:
    case SL_EV_UNPARK:
        worker_event(m, ev);
        backlog_check(m, t);
        return;
    case SL_EV_MIGRATE:
        m->steal.migrations++;
        return;
    case SL_EV_START:
        if (i == SL_NO_TASK) {
            worker_start(m, ev);
            return;
        }
        break;
    default:
        break;
    }
    if (i >= m->n_tasks)
        return;
    sl_task_now *k = &m->tasks[i];
    k->vehicle = ev->vehicle;
    switch (ev->kind) {
    case SL_EV_SPAWN:
    case SL_EV_WAKE:
    case SL_EV_YIELD:
        to_ready(m, i, SL_READY_CPU, t);
        break;
    case SL_EV_READY:
        to_ready(m, i, ev->reason, t);
        if (ev->reason == SL_READY_GIL)
            k->gil_since_ns = t;
        if (ev->arg != 0 && ev->arg < 255) {
            queue_move(m, k, (uint32_t)ev->arg);
            backlog_check(m, t);
        }
        break;
    case SL_EV_QUEUE:
        leave(m, i, t);
        enter(m, i, SL_ST_QUEUED, 0, t);
        break;
    case SL_EV_START:
        leave(m, i, t);
        enter(m, i, SL_ST_STARTING, 0, t);
        break;
    case SL_EV_RUN:
        run(m, i, ev);
        k->worker = (uint8_t)(ev->reason < 255 ? ev->reason : 255);
        if (ev->reason != 0)
            backlog_check(m, t);
        break;
    case SL_EV_BLOCK:
        if (is_io((uint8_t)ev->reason))
            m->io_waits++;
        leave(m, i, t);
        enter(m, i, SL_ST_WAITING, ev->reason < SL_WAIT__COUNT ? (uint8_t)ev->reason : SL_WAIT_NONE,
              t);
        break;
    case SL_EV_EXIT:
        finish(m, i, ev);
        break;
    case SL_EV_GIL_TAKE:
        gil_take(m, i, t);
        break;
    case SL_EV_STEP:
        k->step_kind = (uint8_t)ev->reason;
        k->step = (uint32_t)ev->arg;
        break;
    case SL_EV_OS_SAMPLE:
        sample(m, i, ev->reason > ev->arg, t);
        break;
    default:
        break;
    }
}

void sl_model_apply(sl_model *m, const sl_event *ev)
{
    apply(m, ev);
}

void sl__model_fold_to(sl_model *m, const sl_event *events, size_t stop, uint64_t t_ns)
{
    while (m->next < stop && events[m->next].t_ns <= t_ns) {
        if (m->next + SL__PREFETCH_AHEAD < stop)
            sl__model_prefetch(m, events[m->next + SL__PREFETCH_AHEAD].task);
        apply(m, &events[m->next++]);
    }
}
