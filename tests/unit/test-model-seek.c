/*
 * test-model-seek.c - seeking over a trace equals folding from zero.
 *
 * A generated trace (random but valid task lives) is scrubbed forwards and
 * backwards; after every seek the model must be identical, field by field
 * and list by list, to a fresh fold of the events up to that time. The last
 * test times seeks and lists on a million events and tasks: it prints the
 * numbers and asserts nothing about them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedlab/model.h"

static uint32_t rnd(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

enum { G_NEW, G_QUEUED, G_READY, G_RUNNING, G_WAITING, G_DONE };

/* n_events events for n_tasks tasks whose every transition follows event.h. */
static sl_event *generate(uint32_t n_tasks, size_t n_events, uint32_t seed)
{
    sl_event *ev = calloc(n_events, sizeof *ev);
    uint8_t *st = calloc(n_tasks, 1);
    uint32_t x = seed;
    uint64_t t = 0;

    assert_non_null(ev);
    assert_non_null(st);
    for (size_t e = 0; e < n_events; e++) {
        uint32_t i = rnd(&x) % n_tasks, r = rnd(&x);
        sl_event *v = &ev[e];
        t += r % 4;
        *v = (sl_event){.t_ns = t, .task = i, .vehicle = i, .core = (uint16_t)(r % 3)};
        switch (st[i]) {
        case G_NEW:
            v->kind = r & 1 ? SL_EV_SPAWN : SL_EV_QUEUE;
            st[i] = r & 1 ? G_READY : G_QUEUED;
            break;
        case G_QUEUED:
            v->kind = SL_EV_READY;
            v->reason = SL_READY_WORKER;
            st[i] = G_READY;
            break;
        case G_READY:
            v->kind = r % 5 ? SL_EV_RUN : SL_EV_READY;
            v->reason = r % 5 ? 0 : SL_READY_GIL;
            st[i] = r % 5 ? G_RUNNING : G_READY;
            break;
        case G_RUNNING:
            switch ((r >> 4) % 9) {
            case 0:
            case 1:
                v->kind = SL_EV_BLOCK;
                v->reason = 1 + (r >> 8) % 4;
                st[i] = G_WAITING;
                break;
            case 2:
                v->kind = SL_EV_YIELD;
                st[i] = G_READY;
                break;
            case 3:
                v->kind = SL_EV_OS_SAMPLE;
                v->reason = (r >> 8) % 100;
                v->arg = (r >> 12) % 100;
                break;
            case 4:
                v->kind = SL_EV_STEP;
                v->reason = (r >> 8) % 3;
                v->arg = (r >> 12) % 10;
                break;
            case 5:
                v->kind = SL_EV_GIL_TAKE;
                break;
            case 6:
                v->kind = SL_EV_READY;
                v->reason = SL_READY_GIL;
                st[i] = G_READY;
                break;
            case 7:
                v->kind = SL_EV_RUN;
                break;
            default:
                v->kind = SL_EV_EXIT;
                v->reason = (r >> 8) % 3;
                st[i] = G_DONE;
                break;
            }
            break;
        case G_WAITING:
            v->kind = SL_EV_WAKE;
            st[i] = G_READY;
            break;
        default:
            v->kind = r & 1 ? SL_EV_SWITCH : SL_EV_MARK;
            v->task = r & 1 ? i : SL_NO_TASK;
            v->reason = SL_MARK_RUN_END;
            break;
        }
    }
    free(st);
    return ev;
}

static void fold_to(sl_model *m, const sl_trace *tr, uint64_t t)
{
    sl_model_reset(m);
    for (size_t i = 0; i < tr->count && tr->events[i].t_ns <= t; i++)
        sl_model_apply(m, &tr->events[i]);
    m->t_ns = t;
}

static void assert_lists_same(size_t (*list)(const sl_model *, uint32_t *, size_t),
                              const sl_model *a, const sl_model *b, size_t expect)
{
    size_t cap = a->n_tasks + 1;
    uint32_t *la = malloc(cap * sizeof *la), *lb = malloc(cap * sizeof *lb);
    size_t na = list(a, la, cap), nb = list(b, lb, cap);
    assert_int_equal(na, expect);
    assert_int_equal(na, nb);
    assert_memory_equal(la, lb, na * sizeof *la);
    free(la);
    free(lb);
}

#define SAME(field) assert_int_equal(a->field, b->field)

static void assert_same(const sl_model *a, const sl_model *b)
{
    SAME(t_ns);
    SAME(seq);
    SAME(preempted);
    SAME(max_running);
    SAME(max_on_cpu);
    SAME(coroutine_switches);
    SAME(gil_handoffs);
    SAME(gil_holder);
    SAME(os_runq_us);
    SAME(events);
    SAME(first_ns);
    SAME(last_end_ns);
    SAME(ready_lat_sum_ns);
    SAME(ready_lat_max_ns);
    SAME(ready_lat_count);
    SAME(gil_wait_ns);
    SAME(io_wait_ns);
    SAME(io_union_ns);
    SAME(io_waiting);
    SAME(startup_exited);
    SAME(startup_heavy);
    SAME(startup_heavy_ready_ns);
    SAME(startup_heavy_run_ns);
    assert_memory_equal(a->count, b->count, sizeof a->count);
    assert_memory_equal(a->ready_by_cause, b->ready_by_cause, sizeof a->ready_by_cause);
    assert_memory_equal(a->waiting_by_reason, b->waiting_by_reason, sizeof a->waiting_by_reason);
    assert_memory_equal(a->busy_ns, b->busy_ns, sizeof a->busy_ns);
    assert_memory_equal(a->core_task, b->core_task, sizeof a->core_task);
    uint32_t total = 0;
    for (int s = 0; s < SL_ST__COUNT; s++)
        total += a->count[s];
    assert_int_equal(total, a->n_tasks);
    for (uint32_t i = 0; i < a->n_tasks; i++) {
        SAME(tasks[i].state);
        SAME(tasks[i].reason);
        SAME(tasks[i].step_kind);
        SAME(tasks[i].preempted);
        SAME(tasks[i].core);
        SAME(tasks[i].started);
        SAME(tasks[i].vehicle);
        SAME(tasks[i].step);
        SAME(tasks[i].since_ns);
        SAME(tasks[i].shown_since_ns);
        SAME(tasks[i].ready_seq);
        SAME(tasks[i].run_ns);
        SAME(tasks[i].ready_ns);
        SAME(tasks[i].wait_ns);
        SAME(tasks[i].startup_ns);
        SAME(tasks[i].gil_since_ns);
        SAME(tasks[i].exit_arg);
    }
    assert_lists_same(sl_model_ready, a, b, a->count[SL_ST_READY] + a->preempted);
    assert_lists_same(sl_model_waiting, a, b, a->count[SL_ST_WAITING]);
    assert_lists_same(sl_model_queued, a, b, a->count[SL_ST_QUEUED]);
    assert_lists_same(sl_model_running, a, b, sl_model_on_cpu(a));
}

static sl_trace *make_trace(uint32_t n_tasks, size_t n_events, uint32_t seed)
{
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = 3};
    sl_trace *tr;
    sl_event *ev = generate(n_tasks, n_events, seed);
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(tr, ev, n_events), 0);
    free(ev);
    return tr;
}

/* Scrubs a trace with snapshots every `every` events within `budget` bytes. */
static void scrub(size_t every, size_t budget)
{
    sl_trace *tr = make_trace(300, 20000, 42);
    uint64_t end = sl_trace_end_ns(tr);
    sl_model m, ref;
    uint32_t x = 9;
    assert_int_equal(sl_model_init(&m, 300, 3), 0);
    assert_int_equal(sl_model_init(&ref, 300, 3), 0);
    if (budget != SIZE_MAX)
        assert_int_equal(sl_model_checkpoints(&m, every, budget), 0);

    /* Forward in steps, then at random (often backwards), then exactly on events. */
    for (uint64_t t = 0; t <= end + 10; t += end / 7 + 1) {
        sl_model_seek(&m, tr, t);
        fold_to(&ref, tr, t);
        assert_same(&m, &ref);
    }
    for (int k = 0; k < 40; k++) {
        uint64_t t = rnd(&x) % (end + 5);
        sl_model_seek(&m, tr, t);
        fold_to(&ref, tr, t);
        assert_same(&m, &ref);
    }
    for (int k = 0; k < 10; k++) {
        uint64_t t = tr->events[rnd(&x) % tr->count].t_ns;
        sl_model_seek(&m, tr, t);
        fold_to(&ref, tr, t);
        assert_same(&m, &ref);
    }
    assert_int_equal(m.trace, tr);
    sl_model_free(&m);
    sl_model_free(&ref);
    sl_trace_free(tr);
}

static void test_seek_equals_fold(void **state)
{
    scrub(0, SIZE_MAX);
}

/* Snapshots every 500 events, at most a handful: they thin out as the fold goes on. */
static void test_seek_with_few_snapshots(void **state)
{
    scrub(500, 5 * (300 * (sizeof(sl_task_now) + 8) + sizeof(sl_model) + 16));
}

static void test_seek_without_snapshots(void **state)
{
    scrub(0, 0);
}

/* Going back between two events keeps the fold; the playhead still moves. */
static void test_seek_back_between_events(void **state)
{
    sl_trace *tr = make_trace(10, 200, 5);
    sl_model m, ref;
    assert_int_equal(sl_model_init(&m, 10, 3), 0);
    assert_int_equal(sl_model_init(&ref, 10, 3), 0);
    size_t e = 100;
    while (tr->events[e + 1].t_ns <= tr->events[e].t_ns + 1)
        e++;
    uint64_t t = tr->events[e].t_ns;
    sl_model_seek(&m, tr, t + 1);
    size_t next = m.next;
    sl_model_seek(&m, tr, t);
    assert_int_equal(m.next, next);
    assert_int_equal(m.t_ns, t);
    fold_to(&ref, tr, t);
    assert_same(&m, &ref);
    sl_model_free(&m);
    sl_model_free(&ref);
    sl_trace_free(tr);
}

/* A changed history (new generation) is refolded, even going forward. */
static void test_seek_new_generation(void **state)
{
    sl_trace *tr = make_trace(50, 3000, 77);
    uint64_t end = sl_trace_end_ns(tr);
    sl_model m, before, after;
    assert_int_equal(sl_model_init(&m, 50, 3), 0);
    assert_int_equal(sl_model_init(&before, 50, 3), 0);
    assert_int_equal(sl_model_init(&after, 50, 3), 0);
    sl_model_seek(&m, tr, end / 2);

    /* Rewrite one early io wait as a lock wait, one that changes the totals. */
    fold_to(&before, tr, end);
    size_t e = 0;
    for (;; e++) {
        sl_event *v = &tr->events[e];
        assert_true(v->t_ns < end / 2);
        if (v->kind != SL_EV_BLOCK || v->reason != SL_WAIT_IO)
            continue;
        v->reason = SL_WAIT_LOCK;
        fold_to(&after, tr, end);
        if (after.io_wait_ns != before.io_wait_ns)
            break;
        v->reason = SL_WAIT_IO;
    }
    tr->generation++;
    sl_model_seek(&m, tr, end);
    assert_int_equal(m.generation, tr->generation);
    assert_same(&m, &after);
    sl_model_free(&m);
    sl_model_free(&before);
    sl_model_free(&after);
    sl_trace_free(tr);
}

typedef struct feeder {
    sl_trace *trace;
    const sl_event *ev;
    size_t n;
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    for (size_t i = 0; i < f->n; i += 97) {
        size_t k = f->n - i < 97 ? f->n - i : 97;
        if (sl_trace_append(f->trace, f->ev + i, k) != 0)
            return arg;
    }
    return NULL;
}

/* A live trace: the collector appends while a view seeks to its newest event. */
static void test_seek_live(void **state)
{
    enum { TASKS = 200, EVENTS = 30000 };
    sl_trace_meta meta = {.n_tasks = TASKS, .cores = 3};
    sl_event *ev = generate(TASKS, EVENTS, 3);
    sl_trace *tr;
    sl_model m, ref;
    pthread_t writer;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    assert_int_equal(sl_model_init(&m, TASKS, 3), 0);
    assert_int_equal(sl_model_init(&ref, TASKS, 3), 0);
    feeder f = {.trace = tr, .ev = ev, .n = EVENTS};
    assert_int_equal(pthread_create(&writer, NULL, feed, &f), 0);
    size_t seen = 0;
    while (seen < EVENTS) {
        sl_model_seek(&m, tr, sl_trace_end_ns(tr));
        assert_true(m.events >= seen);
        seen = m.events;
    }
    void *failed;
    assert_int_equal(pthread_join(writer, &failed), 0);
    assert_null(failed);
    fold_to(&ref, tr, ev[EVENTS - 1].t_ns);
    assert_same(&m, &ref);
    sl_model_free(&m);
    sl_model_free(&ref);
    sl_trace_free(tr);
    free(ev);
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static void test_seek_and_lists_cost(void **state)
{
#ifdef SL_SANITIZED
    /* Sanitizers slow everything tenfold: the numbers would say nothing. */
    enum { TASKS = 10000, EVENTS = 100000, BIG = 100000 };
#else
    enum { TASKS = 100000, EVENTS = 1000000, BIG = 1000000 };
#endif
    sl_trace *tr = make_trace(TASKS, EVENTS, 1);
    uint64_t end = sl_trace_end_ns(tr);
    sl_model m;
    struct timespec t0;
    assert_int_equal(sl_model_init(&m, TASKS, 3), 0);

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    sl_model_seek(&m, tr, end);
    double to_end = ms_since(&t0);
    assert_int_equal(m.events, EVENTS);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    sl_model_seek(&m, tr, end / 2);
    double back = ms_since(&t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (int f = 0; f < 300; f++)
        sl_model_seek(&m, tr, end / 2 + (uint64_t)f * (end / 600));
    double live = ms_since(&t0) / 300;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    sl_model_seek(&m, tr, end / 3);
    double back_again = ms_since(&t0);
    assert_int_equal(sl_model_checkpoints(&m, 0, 0), 0);
    sl_model_seek(&m, tr, end);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    sl_model_seek(&m, tr, end / 2);
    double back_plain = ms_since(&t0);
    sl_model_free(&m);
    sl_trace_free(tr);

    /* A million tasks, half ready, half waiting: a frame lists the first 50 of each. */
    assert_int_equal(sl_model_init(&m, BIG, 2), 0);
    for (uint32_t i = 0; i < BIG; i++) {
        sl_event ev = {.t_ns = i, .kind = i & 1 ? SL_EV_SPAWN : SL_EV_BLOCK, .task = i};
        sl_model_apply(&m, &ev);
    }
    uint32_t out[50];
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (int f = 0; f < 30; f++) {
        assert_int_equal(sl_model_ready(&m, out, 50), 50);
        assert_int_equal(sl_model_waiting(&m, out, 50), 50);
        assert_int_equal(sl_model_running(&m, out, 50), 0);
        assert_int_equal(sl_model_queued(&m, out, 50), 0);
    }
    double lists = ms_since(&t0) / 30;
    assert_int_equal(out[0], 0);
    sl_model_free(&m);
    print_message(
        "cpu time: seek 0->end over %d events, %d tasks: %.1f ms; back to 1/2: %.1f ms, then to "
        "1/3: %.1f ms (without snapshots: %.1f ms); forward step: %.3f ms; four lists "
        "of 50 among %d tasks: %.4f ms\n",
        EVENTS, TASKS, to_end, back, back_again, back_plain, live, BIG, lists);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seek_equals_fold),
        cmocka_unit_test(test_seek_with_few_snapshots),
        cmocka_unit_test(test_seek_without_snapshots),
        cmocka_unit_test(test_seek_back_between_events),
        cmocka_unit_test(test_seek_new_generation),
        cmocka_unit_test(test_seek_live),
        cmocka_unit_test(test_seek_and_lists_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
