/*
 * test-model-spans-grow.c - spans grown with the trace equal spans built
 * from scratch.
 *
 * A property over 1,200 random traces from a seeded generator (every event
 * kind, ties at one instant, tasks outside the trace, OS samples that
 * preempt): the span fold grows by random slices and is read out at random
 * points, and each read-out must equal, span for span, both sl_spans_build
 * over the same prefix and an independent reference written here from the
 * definition: a task's spans are the runs of the key (shown state, reason
 * or, running, the worker, core) it has at the end of each instant, the last one ending at the last
 * event. Some traces then have their history rewritten (a new generation),
 * which the fold must notice and fold again from the start. Each trace is
 * also folded whole as a finished one, into per-task regions: copied and
 * taken out, also after growing on, it reads out the same spans.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/model.h"
#include "seeded-rng.h"

#define N_TRACES 1200

/* A random trace: mostly the kinds that move a task, times that often tie. */
static size_t gen_events(sl_event *ev, size_t max, uint32_t n_tasks, uint32_t cores)
{
    static const uint16_t movers[] = {SL_EV_SPAWN, SL_EV_QUEUE,    SL_EV_READY, SL_EV_RUN,
                                      SL_EV_BLOCK, SL_EV_WAKE,     SL_EV_YIELD, SL_EV_EXIT,
                                      SL_EV_STEP,  SL_EV_OS_SAMPLE};
    size_t n = below((uint32_t)max + 1);
    uint64_t t = below(5);
    for (size_t i = 0; i < n; i++) {
        t += below(4) == 0 ? 0 : below(20);
        sl_event *e = &ev[i];
        memset(e, 0, sizeof *e);
        e->t_ns = t;
        e->kind = below(5) == 0 ? (uint16_t)below(SL_EV__COUNT)
                                : movers[below(sizeof movers / sizeof movers[0])];
        e->task = below(16) == 0 ? (below(2) ? SL_NO_TASK : n_tasks + below(3)) : below(n_tasks);
        e->core = (uint16_t)below(cores + 1);
        if (e->kind == SL_EV_OS_SAMPLE) {
            e->reason = below(1000); /* run-queue wait vs time on a core */
            e->arg = below(1000);
        } else {
            e->reason = below(6);
            e->arg = below(n_tasks + 2);
        }
    }
    return n;
}

static sl_span key_of(const sl_model *m, uint32_t i)
{
    const sl_task_now *k = &m->tasks[i];
    sl_span s = {.task = i, .state = (uint8_t)sl_model_shown_state(m, i)};
    if (s.state == SL_ST_READY)
        s.reason = k->state == SL_ST_RUNNING ? SL_READY_CPU : k->reason;
    else if (s.state == SL_ST_WAITING)
        s.reason = k->reason;
    else if (s.state == SL_ST_RUNNING) {
        s.core = k->core;
        s.reason = k->worker; /* the work-stealing worker: a MIGRATE splits */
    }
    return s;
}

static bool same_key(const sl_span *a, const sl_span *b)
{
    return a->state == b->state && a->reason == b->reason && a->core == b->core;
}

/* The reference: per task, the runs of its end-of-instant key. */
static void reference(const sl_event *ev, size_t n, uint32_t n_tasks, uint32_t cores, sl_spans *out)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, n_tasks, cores), 0);
    sl_span *open = calloc(n_tasks + 1, sizeof *open);
    bool *has = calloc(n_tasks + 1, sizeof *has);
    bool *touched = calloc(n_tasks + 1, sizeof *touched);
    sl_span *runs = malloc((2 * n + n_tasks + 1) * sizeof *runs);
    assert_non_null(open);
    assert_non_null(has);
    assert_non_null(touched);
    assert_non_null(runs);
    size_t n_runs = 0;
    uint64_t end = n ? ev[n - 1].t_ns : 0;
    for (uint32_t i = 0; i < n_tasks; i++)
        open[i] = key_of(&m, i);
    for (size_t e = 0; e < n; e++) {
        sl_model_apply(&m, &ev[e]);
        if (ev[e].task < n_tasks)
            touched[ev[e].task] = true;
        if (e + 1 < n && ev[e + 1].t_ns == ev[e].t_ns)
            continue; /* the instant is not over */
        for (uint32_t i = 0; i < n_tasks; i++) {
            if (!touched[i])
                continue;
            touched[i] = false;
            sl_span k = key_of(&m, i);
            if (same_key(&k, &open[i]))
                continue;
            if (has[i]) {
                open[i].end_ns = ev[e].t_ns;
                runs[n_runs++] = open[i];
            }
            k.start_ns = ev[e].t_ns;
            open[i] = k;
            has[i] = true;
        }
    }
    for (uint32_t i = 0; i < n_tasks; i++)
        if (has[i]) {
            open[i].end_ns = end;
            runs[n_runs++] = open[i];
        }
    /* Group by task, each task's runs in time order. */
    out->n_tasks = n_tasks;
    out->n = n_runs;
    out->first = calloc(n_tasks + 1, sizeof *out->first);
    out->v = malloc((n_runs + 1) * sizeof *out->v);
    assert_non_null(out->first);
    assert_non_null(out->v);
    size_t at = 0;
    for (uint32_t i = 0; i < n_tasks; i++) {
        out->first[i] = at;
        for (size_t r = 0; r < n_runs; r++)
            if (runs[r].task == i)
                out->v[at++] = runs[r];
    }
    out->first[n_tasks] = at;
    free(open);
    free(has);
    free(touched);
    free(runs);
    sl_model_free(&m);
}

static void assert_spans_equal(const sl_spans *a, const sl_spans *b, unsigned trace_no,
                               const char *what)
{
    if (a->n != b->n || a->n_tasks != b->n_tasks)
        fail_msg("trace %u, %s: %zu spans of %u tasks, want %zu of %u", trace_no, what, a->n,
                 a->n_tasks, b->n, b->n_tasks);
    for (uint32_t i = 0; i <= a->n_tasks; i++)
        if (a->first[i] != b->first[i])
            fail_msg("trace %u, %s: task %u starts at span %zu, want %zu", trace_no, what, i,
                     a->first[i], b->first[i]);
    for (size_t k = 0; k < a->n; k++) {
        const sl_span *x = &a->v[k], *y = &b->v[k];
        if (x->task != y->task || x->start_ns != y->start_ns || x->end_ns != y->end_ns ||
            x->state != y->state || x->reason != y->reason || x->core != y->core)
            fail_msg("trace %u, %s: span %zu is task %u [%llu,%llu) state %u/%u/%u, want task "
                     "%u [%llu,%llu) state %u/%u/%u",
                     trace_no, what, k, x->task, (unsigned long long)x->start_ns,
                     (unsigned long long)x->end_ns, x->state, x->reason, x->core, y->task,
                     (unsigned long long)y->start_ns, (unsigned long long)y->end_ns, y->state,
                     y->reason, y->core);
    }
}

/* Both references over the first n events: the door's builder and ours. */
static void check_prefix(const sl_spans *got, const sl_event *ev, size_t n, uint32_t n_tasks,
                         uint32_t cores, unsigned trace_no)
{
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = cores};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, ev, n), 0);
    sl_spans built, ref;
    assert_int_equal(sl_spans_build(t, &built), 0);
    reference(ev, n, n_tasks, cores, &ref);
    assert_spans_equal(got, &built, trace_no, "against sl_spans_build");
    assert_spans_equal(got, &ref, trace_no, "against the definition");
    sl_spans_free(&built);
    sl_spans_free(&ref);
    sl_trace_free(t);
}

static void test_grown_equals_built(void **state)
{
    (void)state;
    enum { MAX_EVENTS = 400 };
    sl_event *ev = malloc(MAX_EVENTS * sizeof *ev);
    sl_event *rewritten = malloc((MAX_EVENTS + 1) * sizeof *rewritten);
    assert_non_null(ev);
    assert_non_null(rewritten);
    size_t read_outs = 0, restarts = 0, events = 0;
    for (unsigned k = 0; k < N_TRACES; k++) {
        rng_state = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)k << 17) ^ k;
        uint32_t n_tasks = 1 + below(12), cores = 1 + below(4);
        size_t n = gen_events(ev, MAX_EVENTS, n_tasks, cores);
        events += n;
        sl_span_fold f;
        assert_int_equal(sl_span_fold_init(&f, n_tasks, cores), 0);
        sl_spans got = {0};
        sl_trace_view v = {.events = ev, .generation = 0};
        size_t at = 0;
        while (at < n) {
            at += 1 + below((uint32_t)(n - at) < 40 ? (uint32_t)(n - at) : 40);
            if (at > n)
                at = n;
            v.count = at;
            assert_int_equal(sl_span_fold_grow(&f, &v, NULL, NULL), 0);
            assert_int_equal(f.next, at);
            if (below(4) == 0 || at == n) {
                assert_int_equal(sl_span_fold_spans(&f, &got), 0);
                check_prefix(&got, ev, at, n_tasks, cores, k);
                read_outs++;
            }
        }
        if (n == 0) {
            assert_int_equal(sl_span_fold_spans(&f, &got), 0);
            check_prefix(&got, ev, 0, n_tasks, cores, k);
        }
        /* A late event rewrites history: a new generation, folded afresh. */
        if (n > 2 && below(3) == 0) {
            size_t pos = 1 + below((uint32_t)n - 1);
            memcpy(rewritten, ev, pos * sizeof *ev);
            rewritten[pos] = ev[pos - 1];
            rewritten[pos].kind = SL_EV_BLOCK;
            rewritten[pos].reason = below(6);
            memcpy(rewritten + pos + 1, ev + pos, (n - pos) * sizeof *ev);
            sl_trace_view w = {.events = rewritten, .count = n + 1, .generation = 1};
            assert_int_equal(sl_span_fold_grow(&f, &w, NULL, NULL), 0);
            assert_int_equal(sl_span_fold_spans(&f, &got), 0);
            check_prefix(&got, rewritten, n + 1, n_tasks, cores, k);
            restarts++;
        }
        sl_spans_free(&got);
        sl_span_fold_free(&f);
    }
    print_message("%u traces, %zu events, %zu read-outs, %zu rewritten histories\n", N_TRACES,
                  events, read_outs, restarts);
    assert_true(read_outs >= N_TRACES);
    assert_true(restarts > N_TRACES / 10);
    free(ev);
    free(rewritten);
}

/* Spans taken out of a fold equal spans copied out of the same fold; once
 * taken, the fold refuses a copy, and grown again it starts over and reads
 * out the same spans. A finished trace's fold (per-task regions) reads out
 * the same spans, also when it grows after all. */
static void test_taken_equals_copied(void **state)
{
    (void)state;
    enum { MAX_EVENTS = 400 };
    sl_event *ev = malloc(MAX_EVENTS * sizeof *ev);
    assert_non_null(ev);
    size_t spans = 0, in_regions = 0, regrown = 0;
    for (unsigned k = 0; k < N_TRACES; k++) {
        rng_state = UINT64_C(0x2545f4914f6cdd1d) ^ ((uint64_t)k << 21) ^ k;
        uint32_t n_tasks = 1 + below(12), cores = 1 + below(4);
        size_t n = gen_events(ev, MAX_EVENTS, n_tasks, cores);
        sl_span_fold f;
        assert_int_equal(sl_span_fold_init(&f, n_tasks, cores), 0);
        sl_trace_view v = {.events = ev, .count = n, .generation = 0};
        assert_int_equal(sl_span_fold_grow(&f, &v, NULL, NULL), 0);
        sl_spans copied = {0}, taken = {0};
        assert_int_equal(sl_span_fold_spans(&f, &copied), 0);
        /* A read-out before leaves its arrays to be reused or freed. */
        if (below(2))
            assert_int_equal(sl_span_fold_spans(&f, &taken), 0);
        assert_int_equal(sl_span_fold_take_spans(&f, &taken), 0);
        assert_spans_equal(&taken, &copied, k, "taken against copied");
        spans += taken.n;
        assert_true(f.taken);
        assert_int_equal(f.model.events, n);
        assert_int_equal(sl_span_fold_spans(&f, &taken), SL_ESTATE);
        assert_int_equal(sl_span_fold_take_spans(&f, &taken), SL_ESTATE);
        assert_int_equal(sl_span_fold_grow(&f, &v, NULL, NULL), 0);
        assert_false(f.taken);
        assert_int_equal(sl_span_fold_take_spans(&f, &taken), 0);
        assert_spans_equal(&taken, &copied, k, "taken again after a restart");
        sl_span_fold_free(&f);

        /* A finished trace is folded into per-task regions: copied out and
         * taken out, its spans equal the appending fold's. */
        sl_trace_view done = v;
        done.finished = true;
        assert_int_equal(sl_span_fold_init(&f, n_tasks, cores), 0);
        assert_int_equal(sl_span_fold_grow(&f, &done, NULL, NULL), 0);
        assert_true(n == 0 || f.slot != NULL);
        in_regions += f.slot != NULL;
        assert_int_equal(sl_span_fold_spans(&f, &taken), 0);
        assert_spans_equal(&taken, &copied, k, "copied from regions");
        assert_int_equal(sl_span_fold_take_spans(&f, &taken), 0);
        assert_spans_equal(&taken, &copied, k, "taken from regions");
        assert_null(f.slot);
        sl_span_fold_free(&f);

        /* One that grows after all (a view said finished too early) slides
         * its regions together and goes on appending. */
        if (n > 1) {
            sl_trace_view part = done;
            part.count = 1 + below((uint32_t)n - 1);
            assert_int_equal(sl_span_fold_init(&f, n_tasks, cores), 0);
            assert_int_equal(sl_span_fold_grow(&f, &part, NULL, NULL), 0);
            assert_non_null(f.slot);
            assert_int_equal(sl_span_fold_grow(&f, &v, NULL, NULL), 0);
            assert_null(f.slot);
            assert_int_equal(sl_span_fold_take_spans(&f, &taken), 0);
            assert_spans_equal(&taken, &copied, k, "regions grown after all");
            sl_span_fold_free(&f);
            regrown++;
        }
        sl_spans_free(&copied);
        sl_spans_free(&taken);
    }
    print_message("%u traces, %zu spans taken, %zu folded into regions, %zu of them grown after\n",
                  N_TRACES, spans, in_regions, regrown);
    assert_true(in_regions > N_TRACES / 2);
    assert_true(regrown > N_TRACES / 2);
    assert_true(spans > N_TRACES);
    free(ev);
}

typedef struct seen {
    size_t calls, next;
    bool in_order;
} seen;

static void count_event(const sl_model *m, const sl_trace_view *v, size_t e, void *arg)
{
    seen *s = arg;
    s->in_order &= e == s->next && e < v->count && m->events == e + 1;
    s->next = e + 1;
    s->calls++;
}

/* The fold's callback sees every event once, in order, with the model after
 * it, however the trace grows; a view that has not grown applies nothing. */
static void test_callback_once_in_order(void **state)
{
    (void)state;
    sl_trace *t;
    assert_int_equal(sl_synth_trace(&t, 50, 20000, 4), 0);
    sl_span_fold f;
    assert_int_equal(sl_span_fold_init(&f, t->meta.n_tasks, t->meta.cores), 0);
    seen s = {.in_order = true};
    sl_trace_view v;
    sl_trace_read(t, &v);
    sl_trace_view part = v;
    for (size_t at = 0; at < v.count;) {
        at += 777;
        part.count = at < v.count ? at : v.count;
        assert_int_equal(sl_span_fold_grow(&f, &part, count_event, &s), 0);
        assert_int_equal(sl_span_fold_grow(&f, &part, count_event, &s), 0);
        at = part.count;
    }
    sl_trace_read_end(&v);
    assert_true(s.in_order);
    assert_int_equal(s.calls, t->count);
    assert_int_equal(f.next, t->count);
    assert_int_equal(f.model.events, t->count);
    sl_span_fold_free(&f);
    sl_trace_free(t);
}

/* At the end of a trace the playhead takes the fold's model (a copy, not a
 * second fold): the same state a seek reaches, lists and counters alike;
 * a playhead already close to the end folds the rest itself. */
static void test_adopt_equals_seek(void **state)
{
    (void)state;
    sl_trace *t;
    assert_int_equal(sl_synth_trace(&t, 300, 60000, 4), 0);
    sl_span_fold f;
    assert_int_equal(sl_span_fold_init(&f, t->meta.n_tasks, t->meta.cores), 0);
    sl_trace_view v;
    sl_trace_read(t, &v);
    assert_int_equal(sl_span_fold_grow(&f, &v, NULL, NULL), 0);
    sl_trace_read_end(&v);
    uint64_t end = sl_trace_end_ns(t);
    sl_model a, b;
    assert_int_equal(sl_model_init(&a, t->meta.n_tasks, t->meta.cores), 0);
    assert_int_equal(sl_model_init(&b, t->meta.n_tasks, t->meta.cores), 0);
    /* Before the end: a seek would stop short of the fold, so no copy. */
    assert_false(sl_model_adopt(&a, &f.model, t, f.generation, f.next, end - 1));
    assert_true(sl_model_adopt(&a, &f.model, t, f.generation, f.next, end + 5));
    sl_model_seek(&b, t, end + 5);
    assert_int_equal(a.next, b.next);
    assert_int_equal(a.t_ns, b.t_ns);
    assert_int_equal(a.events, b.events);
    assert_memory_equal(a.count, b.count, sizeof a.count);
    assert_memory_equal(a.busy_ns, b.busy_ns, sizeof a.busy_ns);
    assert_memory_equal(a.tasks, b.tasks, a.n_tasks * sizeof *a.tasks);
    assert_memory_equal(a.link, b.link, 2 * (size_t)a.n_tasks * sizeof *a.link);
    uint32_t la[64], lb[64];
    size_t na = sl_model_running(&a, la, 64), nb = sl_model_running(&b, lb, 64);
    assert_int_equal(na, nb);
    assert_memory_equal(la, lb, na * sizeof *la);
    /* Seeking back from the copy lands where a fresh seek does. */
    sl_model_seek(&a, t, end / 3);
    sl_model_seek(&b, t, end / 3);
    assert_int_equal(a.next, b.next);
    assert_memory_equal(a.tasks, b.tasks, a.n_tasks * sizeof *a.tasks);
    /* Close to the end already: folding the rest is cheaper than a copy. */
    sl_model_seek(&a, t, end - 1);
    assert_false(sl_model_adopt(&a, &f.model, t, f.generation, f.next, end));
    sl_model_free(&a);
    sl_model_free(&b);
    sl_span_fold_free(&f);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grown_equals_built),
        cmocka_unit_test(test_taken_equals_copied),
        cmocka_unit_test(test_callback_once_in_order),
        cmocka_unit_test(test_adopt_equals_seek),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
