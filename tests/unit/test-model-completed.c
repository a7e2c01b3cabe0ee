/*
 * test-model-completed.c - the finished tasks in completion order, as
 * Python's as_completed() yields futures: EXIT order, whatever the order of
 * submission or of the outcomes, and stable when seeking back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "schedlab/model.h"

#define EV(t_, k_, task_, reason_)                                                                 \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .vehicle = 7       \
    }

/* Four tasks submitted 0..3; they finish 2, 0, 3 (cancelled while queued),
 * 1 (failed). */
static const sl_event events[] = {
    EV(0, SPAWN, 0, 0),
    EV(0, QUEUE, 0, 0),
    EV(0, SPAWN, 1, 0),
    EV(0, QUEUE, 1, 0),
    EV(0, SPAWN, 2, 0),
    EV(0, QUEUE, 2, 0),
    EV(0, SPAWN, 3, 0),
    EV(0, QUEUE, 3, 0),
    EV(10, RUN, 0, 0),
    EV(10, RUN, 1, 0),
    EV(10, RUN, 2, 0),
    EV(20, EXIT, 2, SL_EXIT_OK),
    EV(30, EXIT, 0, SL_EXIT_OK),
    EV(35, EXIT, 3, SL_EXIT_CANCELLED),
    EV(40, EXIT, 1, SL_EXIT_FAILED),
};
#define N_EVENTS (sizeof events / sizeof events[0])

static void fold_to(sl_model *m, uint64_t t)
{
    sl_model_reset(m);
    for (size_t i = 0; i < N_EVENTS && events[i].t_ns <= t; i++)
        sl_model_apply(m, &events[i]);
    m->t_ns = t;
}

static void test_exit_order_not_submission_order(void **state)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, 4, 2), 0);
    uint32_t out[8];

    fold_to(&m, 15);
    assert_int_equal(sl_model_completed(&m, out, 8), 0);
    assert_int_equal(sl_model_finished(&m), 0);

    fold_to(&m, 30);
    assert_int_equal(sl_model_completed(&m, out, 8), 2);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 0);

    fold_to(&m, 100);
    assert_int_equal(sl_model_finished(&m), 4);
    assert_int_equal(sl_model_completed(&m, out, 8), 4);
    const uint32_t want[] = {2, 0, 3, 1};
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], want[i]);
    assert_int_equal(m.tasks[3].state, SL_ST_CANCELLED);
    assert_int_equal(m.tasks[3].started, false);
    sl_model_free(&m);
}

static void test_max_keeps_the_most_recent(void **state)
{
    sl_model m;
    assert_int_equal(sl_model_init(&m, 4, 2), 0);
    fold_to(&m, 100);
    uint32_t out[2];
    assert_int_equal(sl_model_completed(&m, out, 2), 2);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 1);
    assert_int_equal(sl_model_completed(&m, out, 0), 0);
    sl_model_free(&m);
}

static void test_seek_back_over_a_trace(void **state)
{
    sl_trace_meta meta = {.n_tasks = 4};
    const char *names[] = {"a", "b", "c", "d"};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    assert_int_equal(sl_trace_append(t, events, N_EVENTS), 0);
    sl_model m;
    assert_int_equal(sl_model_init(&m, 4, 2), 0);
    uint32_t out[8];
    sl_model_seek(&m, t, 100);
    assert_int_equal(sl_model_completed(&m, out, 8), 4);
    sl_model_seek(&m, t, 32);
    assert_int_equal(sl_model_completed(&m, out, 8), 2);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 0);
    sl_model_free(&m);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_order_not_submission_order),
        cmocka_unit_test(test_max_keeps_the_most_recent),
        cmocka_unit_test(test_seek_back_over_a_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
