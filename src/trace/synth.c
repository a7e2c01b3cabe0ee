/*
 * synth.c - a deterministic little scheduler that writes a trace.
 *
 * It obeys event.h's contract (each task spawns once, runs only on a free
 * core, exits once, last), so the model folds it like a real run; it needs
 * no engine, which keeps the screen tests and the benchmark independent of
 * timing.
 */
#include "schedlab/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"

/* Where the little scheduler has each task (its own, so traces are made
 * without the model that reads them). */
enum { SY_QUEUED = 1, SY_READY, SY_RUNNING, SY_WAITING, SY_DONE, SY_FAILED };

#define STEP_NS SL_SYNTH_STEP_NS

typedef struct synth {
    sl_trace *t;
    uint64_t now;
    sl_event buf[256];
    size_t n;
    int rc;
} synth;

static void emit(synth *s, int kind, uint32_t task, uint32_t reason, uint64_t arg, uint16_t core)
{
    s->buf[s->n++] = (sl_event){.t_ns = s->now,
                                .kind = (uint16_t)kind,
                                .task = task,
                                .vehicle = task,
                                .reason = reason,
                                .arg = arg,
                                .core = core};
    s->now += STEP_NS;
    if (s->n == sizeof s->buf / sizeof s->buf[0]) {
        if (s->rc == 0)
            s->rc = sl_trace_append(s->t, s->buf, s->n);
        s->n = 0;
    }
}

int sl_synth_trace(sl_trace **out, uint32_t n_tasks, size_t n_events, uint32_t cores)
{
    if (n_tasks == 0 || cores == 0 || cores > 64)
        return SL_EINVAL;
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = cores, .workers = 4};
    snprintf(meta.scenario, sizeof meta.scenario, "synthetic");
    snprintf(meta.title, sizeof meta.title, "Synthetic lesson");
    snprintf(meta.strategy, sizeof meta.strategy, "threadpool");
    char **names = calloc(n_tasks, sizeof *names);
    if (!names)
        return SL_ENOMEM;
    for (uint32_t i = 0; i < n_tasks; i++) {
        names[i] = malloc(16);
        if (names[i])
            snprintf(names[i], 16, "task-%02u", i);
    }
    synth s = {0};
    int rc = sl_trace_new(&s.t, &meta, (const char *const *)names);
    for (uint32_t i = 0; i < n_tasks; i++)
        free(names[i]);
    free(names);
    if (rc < 0)
        return rc;

    /* Each task does `rounds` rounds of run then wait/yield. */
    size_t per_round = 3;
    uint32_t rounds = (uint32_t)(n_events / ((size_t)n_tasks * per_round));
    rounds = rounds < 1 ? 1 : rounds;
    uint8_t *st = calloc(n_tasks, 1);
    uint32_t *left = calloc(n_tasks, sizeof *left);
    int *on = calloc(n_tasks, sizeof *on);
    int core_task[64];
    if (!st || !left || !on) {
        free(st), free(left), free(on);
        sl_trace_free(s.t);
        return SL_ENOMEM;
    }
    for (uint32_t c = 0; c < cores; c++)
        core_task[c] = -1;
    emit(&s, SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_BEGIN, n_tasks, 0);
    for (uint32_t i = 0; i < n_tasks; i++) {
        emit(&s, SL_EV_SPAWN, i, 0, 0, 0);
        emit(&s, SL_EV_QUEUE, i, 0, i, 0);
        st[i] = SY_QUEUED;
        left[i] = rounds + i % 3;
    }
    uint32_t alive = n_tasks, turn = 0;
    while (alive > 0) {
        uint32_t i = turn++ % n_tasks;
        switch (st[i]) {
        case SY_QUEUED:
            if (i < 2 * cores || turn > n_tasks * 2) {
                emit(&s, SL_EV_READY, i, SL_READY_WORKER, 0, 0);
                st[i] = SY_READY;
            }
            break;
        case SY_READY:
            for (uint32_t c = 0; c < cores; c++) {
                if (core_task[c] >= 0)
                    continue;
                uint16_t core = (uint16_t)((c + i) % cores);
                if (core_task[core] >= 0)
                    core = (uint16_t)c;
                core_task[core] = (int)i;
                on[i] = core;
                emit(&s, SL_EV_RUN, i, 0, 0, core);
                st[i] = SY_RUNNING;
                break;
            }
            break;
        case SY_RUNNING:
            core_task[on[i]] = -1;
            if (--left[i] == 0) {
                bool fail = i == n_tasks - 1;
                emit(&s, SL_EV_EXIT, i, fail ? SL_EXIT_FAILED : SL_EXIT_OK,
                     fail ? (uint64_t)(int64_t)SL_EIO : 0, (uint16_t)on[i]);
                st[i] = fail ? SY_FAILED : SY_DONE;
                alive--;
            } else if (left[i] % 4 == 1) {
                emit(&s, SL_EV_YIELD, i, 0, 0, (uint16_t)on[i]);
                st[i] = SY_READY;
            } else {
                emit(&s, SL_EV_BLOCK, i, left[i] % 2 ? SL_WAIT_SLEEP : SL_WAIT_IO, 0,
                     (uint16_t)on[i]);
                st[i] = SY_WAITING;
            }
            break;
        case SY_WAITING:
            /* Every other round, staggered so that waits differ in length. */
            if ((turn / n_tasks + i) % 2 == 0) {
                emit(&s, SL_EV_WAKE, i, SL_WAIT_IO, 0, 0);
                st[i] = SY_READY;
            }
            break;
        default:
            break;
        }
    }
    emit(&s, SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0);
    if (s.n && s.rc == 0)
        s.rc = sl_trace_append(s.t, s.buf, s.n);
    free(st), free(left), free(on);
    if (s.rc < 0) {
        sl_trace_free(s.t);
        return s.rc;
    }
    s.t->finished = true;
    *out = s.t;
    return 0;
}

/* A million coroutines on one event loop, in O(events): tasks start while
 * fewer than `in_flight` wait for io (a connection limit), then the longest
 * waiter wakes; each task runs three times between two waits and exits.
 * Every RUN follows a SWITCH from the task that ran before, on core 0. */
int sl_synth_loop_trace(sl_trace **out, uint32_t n_tasks, uint32_t in_flight)
{
    if (n_tasks == 0 || in_flight == 0)
        return SL_EINVAL;
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = 1, .workers = 0};
    snprintf(meta.scenario, sizeof meta.scenario, "synthetic");
    snprintf(meta.title, sizeof meta.title, "Synthetic event loop");
    snprintf(meta.strategy, sizeof meta.strategy, "coroutines");
    synth s = {0};
    int rc = sl_trace_new(&s.t, &meta, NULL);
    if (rc < 0)
        return rc;
    uint8_t *waits = calloc(n_tasks, 1);
    uint32_t *fifo = malloc((size_t)in_flight * sizeof *fifo);
    if (!waits || !fifo || sl_trace_reserve(s.t, (size_t)n_tasks * 12 + 2) < 0) {
        free(waits), free(fifo);
        sl_trace_free(s.t);
        return SL_ENOMEM;
    }
    uint32_t head = 0, n_waiting = 0, next = 0, done = 0, prev = SL_NO_TASK;
    emit(&s, SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_BEGIN, n_tasks, 0);
    while (done < n_tasks) {
        uint32_t i;
        if (next < n_tasks && n_waiting < in_flight) {
            i = next++;
            emit(&s, SL_EV_SPAWN, i, 0, 0, 0);
        } else {
            i = fifo[head];
            head = (head + 1) % in_flight;
            n_waiting--;
            emit(&s, SL_EV_WAKE, i, SL_WAIT_IO, 0, 0);
        }
        emit(&s, SL_EV_SWITCH, i, 0, prev, 0);
        emit(&s, SL_EV_RUN, i, 0, 0, 0);
        prev = i;
        if (waits[i] == 2) {
            emit(&s, SL_EV_EXIT, i, SL_EXIT_OK, 0, 0);
            done++;
            continue;
        }
        emit(&s, SL_EV_BLOCK, i, SL_WAIT_IO, 0, 0);
        waits[i]++;
        fifo[(head + n_waiting++) % in_flight] = i;
    }
    emit(&s, SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0);
    if (s.n && s.rc == 0)
        s.rc = sl_trace_append(s.t, s.buf, s.n);
    free(waits), free(fifo);
    if (s.rc < 0) {
        sl_trace_free(s.t);
        return s.rc;
    }
    s.t->finished = true;
    *out = s.t;
    return 0;
}
