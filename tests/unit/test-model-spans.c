/*
 * test-model-spans.c - spans of a small trace, every one checked exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "schedlab/model.h"

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static sl_trace *make_trace(const sl_event *ev, size_t n, uint32_t n_tasks)
{
    sl_trace_meta meta = {.n_tasks = n_tasks, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, ev, n), 0);
    return t;
}

static void assert_span(const sl_span *s, uint32_t task, uint64_t start, uint64_t end, sl_state st,
                        int reason, int core)
{
    assert_int_equal(s->task, task);
    assert_int_equal(s->start_ns, start);
    assert_int_equal(s->end_ns, end);
    assert_int_equal(s->state, st);
    assert_int_equal(s->reason, reason);
    assert_int_equal(s->core, core);
}

static void test_spans_exact(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(5, QUEUE, 1, 0, 1, 0),
        EV(10, RUN, 0, 0, 0, 0),
        EV(12, STEP, 0, 0, 0, 0), /* a label: no new span */
        EV(15, READY, 1, SL_READY_WORKER, 0, 0),
        EV(20, OS_SAMPLE, 0, 800, 100, 0), /* 0 waits for a core */
        EV(25, RUN, 1, 0, 0, 1),
        EV(30, OS_SAMPLE, 0, 100, 800, 0), /* back on it */
        EV(35, YIELD, 1, 0, 0, 1),
        EV(35, RUN, 1, 0, 0, 1), /* an instant in ready: no span, no split */
        EV(40, BLOCK, 0, SL_WAIT_IO, 0, 0),
        EV(50, WAKE, 0, SL_WAIT_IO, 0, 0),
        EV(50, RUN, 0, 0, 0, 1),
        EV(60, BLOCK, 1, SL_WAIT_SLEEP, 0, 1),
        EV(70, EXIT, 0, SL_EXIT_OK, 0, 1),
        EV(75, SPAWN, 9, 0, 0, 0), /* not a task of this trace: ignored */
        EV(80, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
        EV(80, SPAWN, 3, 0, 0, 0),
    };
    sl_trace *t = make_trace(ev, sizeof ev / sizeof ev[0], 4);
    sl_spans s;
    assert_int_equal(sl_spans_build(t, &s), 0);

    assert_int_equal(s.n_tasks, 4);
    assert_int_equal(s.n, 12);
    const size_t first[] = {0, 7, 11, 11, 12};
    for (int i = 0; i <= 4; i++)
        assert_int_equal(s.first[i], first[i]);

    assert_span(&s.v[0], 0, 0, 10, SL_ST_READY, SL_READY_CPU, 0);
    assert_span(&s.v[1], 0, 10, 20, SL_ST_RUNNING, 0, 0);
    assert_span(&s.v[2], 0, 20, 30, SL_ST_READY, SL_READY_CPU, 0);
    assert_span(&s.v[3], 0, 30, 40, SL_ST_RUNNING, 0, 0);
    assert_span(&s.v[4], 0, 40, 50, SL_ST_WAITING, SL_WAIT_IO, 0);
    assert_span(&s.v[5], 0, 50, 70, SL_ST_RUNNING, 0, 1);
    assert_span(&s.v[6], 0, 70, 80, SL_ST_DONE, 0, 0);

    assert_span(&s.v[7], 1, 5, 15, SL_ST_QUEUED, 0, 0);
    assert_span(&s.v[8], 1, 15, 25, SL_ST_READY, SL_READY_WORKER, 0);
    assert_span(&s.v[9], 1, 25, 60, SL_ST_RUNNING, 0, 1);
    assert_span(&s.v[10], 1, 60, 80, SL_ST_WAITING, SL_WAIT_SLEEP, 0);

    /* A state entered at the very end still shows, with no length. */
    assert_span(&s.v[11], 3, 80, 80, SL_ST_READY, SL_READY_CPU, 0);

    sl_spans_free(&s);
    assert_null(s.v);
    sl_trace_free(t);
}

/* Spans tile each task's life: contiguous, in order, from its first event to the end. */
static void test_spans_tile(void **state)
{
    enum { N = 40, E = 4000 };
    sl_event *ev = calloc(E, sizeof *ev);
    uint8_t st[N] = {0};
    uint32_t x = 7;
    uint64_t t = 0;
    for (size_t e = 0; e < E; e++) {
        x = x * 1103515245u + 12345u;
        uint32_t i = (x >> 8) % N;
        t += (x >> 20) % 3;
        static const uint16_t next_kind[] = {SL_EV_SPAWN, SL_EV_RUN, SL_EV_BLOCK, SL_EV_WAKE};
        uint16_t k = next_kind[st[i] % 4];
        if (st[i] % 4 == 1 && (x & 1))
            k = SL_EV_OS_SAMPLE;
        ev[e] = (sl_event){.t_ns = t,
                           .kind = k,
                           .task = i,
                           .core = (uint16_t)(x % 2),
                           .reason = k == SL_EV_OS_SAMPLE ? (x >> 4) % 100 : SL_WAIT_IO,
                           .arg = (x >> 12) % 100};
        if (k != SL_EV_OS_SAMPLE)
            st[i] = st[i] % 4 == 3 ? 1 : st[i] + 1;
    }
    sl_trace *tr = make_trace(ev, E, N);
    sl_spans s;
    assert_int_equal(sl_spans_build(tr, &s), 0);
    for (uint32_t i = 0; i < N; i++) {
        assert_true(s.first[i + 1] > s.first[i]);
        for (size_t k = s.first[i]; k < s.first[i + 1]; k++) {
            assert_int_equal(s.v[k].task, i);
            if (k + 1 < s.first[i + 1]) {
                assert_int_equal(s.v[k].end_ns, s.v[k + 1].start_ns);
                assert_true(s.v[k].end_ns > s.v[k].start_ns);
                assert_false(s.v[k].state == s.v[k + 1].state &&
                             s.v[k].reason == s.v[k + 1].reason && s.v[k].core == s.v[k + 1].core);
            }
        }
        assert_int_equal(s.v[s.first[i + 1] - 1].end_ns, t);
    }
    sl_spans_free(&s);
    sl_trace_free(tr);
    free(ev);
}

static void test_spans_empty(void **state)
{
    sl_trace *t = make_trace(NULL, 0, 3);
    sl_spans s;
    assert_int_equal(sl_spans_build(t, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.first[3], 0);
    sl_spans_free(&s);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_exact),
        cmocka_unit_test(test_spans_tile),
        cmocka_unit_test(test_spans_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
