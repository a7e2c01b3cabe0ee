/*
 * test-model-columns.c - timeline columns from synthetic spans: a column
 * shows the state held longest, a short run leaves its mark, and zooming
 * never flips what a long stretch shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/model.h"

#define MAX_SPANS 8192
#define BRIEF SL_COL_BRIEF_RUN

/* Spans written task by task, each task's in time order. */
typedef struct builder {
    sl_span v[MAX_SPANS];
    size_t first[9];
    size_t n;
    uint32_t task;
} builder;

static void start_task(builder *b, uint32_t task)
{
    while (b->task < task)
        b->first[++b->task] = b->n;
}

static void span(builder *b, uint64_t s, uint64_t e, sl_state st, uint16_t core)
{
    assert_true(b->n < MAX_SPANS);
    b->v[b->n++] =
        (sl_span){.start_ns = s, .end_ns = e, .task = b->task, .state = st, .core = core};
}

static sl_spans done(builder *b, uint32_t n_tasks)
{
    while (b->task < n_tasks)
        b->first[++b->task] = b->n;
    return (sl_spans){.v = b->v, .n = b->n, .first = b->first, .n_tasks = n_tasks};
}

/* A ticker: in every `period` it runs `run` ns and waits the rest. */
static void ticker(builder *b, uint64_t from, uint64_t to, uint64_t period, uint64_t run)
{
    for (uint64_t t = from; t < to; t += period) {
        span(b, t, t + run, SL_ST_RUNNING, 0);
        span(b, t + run, t + period, SL_ST_WAITING, 0);
    }
}

static void test_one_percent_running_draws_waiting(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    ticker(&b, 0, 10000, 100, 1);
    sl_spans s = done(&b, 1);
    uint8_t out[100];
    /* One run per column, then ten and fifty per column: waiting each time. */
    const uint64_t dts[] = {100, 1000, 5000};
    for (size_t z = 0; z < 3; z++) {
        int n = (int)(10000 / dts[z]);
        assert_int_equal(sl_spans_columns(&s, 0, 1, 0, dts[z], UINT64_MAX, n, out), 0);
        for (int c = 0; c < n; c++)
            assert_int_equal(out[c], SL_ST_WAITING | BRIEF);
    }
}

static void test_sixty_forty_draws_the_sixty(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    /* Column 0: 60 running, 40 waiting. Column 1: 40 running, 60 waiting.
     * Column 2: 60 ready, 40 running. Column 3: 50/50 running and ready. */
    span(&b, 0, 60, SL_ST_RUNNING, 0);
    span(&b, 60, 100, SL_ST_WAITING, 0);
    span(&b, 100, 140, SL_ST_RUNNING, 0);
    span(&b, 140, 200, SL_ST_WAITING, 0);
    span(&b, 200, 260, SL_ST_READY, 0);
    span(&b, 260, 300, SL_ST_RUNNING, 0);
    span(&b, 300, 350, SL_ST_RUNNING, 0);
    span(&b, 350, 400, SL_ST_READY, 0);
    sl_spans s = done(&b, 1);
    uint8_t out[4];
    assert_int_equal(sl_spans_columns(&s, 0, 1, 0, 100, UINT64_MAX, 4, out), 0);
    assert_int_equal(out[0], SL_ST_RUNNING);
    assert_int_equal(out[1], SL_ST_WAITING | BRIEF);
    assert_int_equal(out[2], SL_ST_READY | BRIEF);
    assert_int_equal(out[3], SL_ST_RUNNING);
}

/* A process that starts for 70 and runs for 10: the column draws start-up,
 * marked brief-run; start-up beats ready and waiting in a tie, running
 * beats it. */
static void test_start_up_longer_than_the_work_draws_starting(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    span(&b, 0, 70, SL_ST_STARTING, 0);
    span(&b, 70, 80, SL_ST_RUNNING, 0);
    span(&b, 80, 100, SL_ST_DONE, 0);
    start_task(&b, 1);
    span(&b, 100, 150, SL_ST_STARTING, 0);
    span(&b, 150, 200, SL_ST_READY, 0);
    start_task(&b, 2);
    span(&b, 100, 150, SL_ST_WAITING, 0);
    span(&b, 150, 200, SL_ST_RUNNING, 0);
    sl_spans s = done(&b, 3);
    uint8_t out[2];
    assert_int_equal(sl_spans_columns(&s, 0, 1, 0, 100, UINT64_MAX, 1, out), 0);
    assert_int_equal(out[0], SL_ST_STARTING | BRIEF);
    assert_int_equal(sl_spans_columns(&s, 1, 2, 100, 100, UINT64_MAX, 1, out), 0);
    assert_int_equal(out[0], SL_ST_STARTING);
    /* Tasks 1 and 2 in one lane: 50 starting, 50 ready, 50 waiting, 50
     * running: running tells most. */
    assert_int_equal(sl_spans_columns(&s, 1, 3, 100, 100, UINT64_MAX, 1, out), 0);
    assert_int_equal(out[0], SL_ST_RUNNING);
}

/* A long stretch of mostly waiting, then one of ready, then running: at
 * every zoom and offset, each column wholly inside a stretch shows it. */
static void test_zoom_never_flips_a_long_stretch(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    ticker(&b, 0, 20000, 37, 3);
    span(&b, 20017, 40000, SL_ST_READY, 0);
    span(&b, 40000, 60000, SL_ST_RUNNING, 1);
    span(&b, 60000, 60010, SL_ST_DONE, 0);
    sl_spans s = done(&b, 1);
    static const struct {
        uint64_t a, b;
        uint8_t st;
    } stretch[] = {
        {0, 20000, SL_ST_WAITING}, {20017, 40000, SL_ST_READY}, {40000, 60000, SL_ST_RUNNING}};
    uint8_t out[1024];
    for (uint64_t dt = 40; dt <= 8000; dt = dt * 3 / 2) {
        for (uint64_t t0 = 0; t0 < 3 * dt; t0 += dt / 3 + 1) {
            int n = (int)((70000 - t0) / dt);
            if (n > 1024)
                n = 1024;
            assert_int_equal(sl_spans_columns(&s, 0, 1, t0, dt, UINT64_MAX, n, out), 0);
            for (int c = 0; c < n; c++) {
                uint64_t ca = t0 + (uint64_t)c * dt, cb = ca + dt;
                for (size_t k = 0; k < 3; k++)
                    if (ca >= stretch[k].a && cb <= stretch[k].b)
                        assert_int_equal(out[c] & ~BRIEF, stretch[k].st);
                /* Past the end the task stays done. */
                if (ca >= 60000)
                    assert_int_equal(out[c], SL_ST_DONE);
            }
        }
    }
}

/* A lane sums its tasks' time; time before a task starts counts as new. */
static void test_lane_sums_its_tasks(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    /* Three waiters and one runner: the lane waits, and ran briefly. */
    for (uint32_t t = 0; t < 3; t++) {
        start_task(&b, t);
        span(&b, 0, 100, SL_ST_WAITING, 0);
    }
    start_task(&b, 3);
    span(&b, 0, 100, SL_ST_RUNNING, 0);
    /* Task 4 spawns at 90 and runs to the end: new wins its first column. */
    start_task(&b, 4);
    span(&b, 90, 200, SL_ST_RUNNING, 0);
    sl_spans s = done(&b, 5);
    uint8_t out[2];
    assert_int_equal(sl_spans_columns(&s, 0, 4, 0, 100, UINT64_MAX, 1, out), 0);
    assert_int_equal(out[0], SL_ST_WAITING | BRIEF);
    /* One waiter and one runner: a tie goes to running. */
    assert_int_equal(sl_spans_columns(&s, 2, 4, 0, 100, UINT64_MAX, 1, out), 0);
    assert_int_equal(out[0], SL_ST_RUNNING);
    assert_int_equal(sl_spans_columns(&s, 4, 5, 0, 100, UINT64_MAX, 2, out), 0);
    assert_int_equal(out[0], SL_ST_NEW | BRIEF);
    assert_int_equal(out[1], SL_ST_RUNNING);
    /* Cut at 95: in [0, 95) task 4 is new 90 ns, running 5 ns. */
    assert_int_equal(sl_spans_columns(&s, 4, 5, 0, 100, 95, 1, out), 0);
    assert_int_equal(out[0], SL_ST_NEW | BRIEF);
    /* Cut at 191: the second column is all running so far. */
    assert_int_equal(sl_spans_columns(&s, 4, 5, 100, 100, 191, 1, out), 0);
    assert_int_equal(out[0], SL_ST_RUNNING);
    assert_int_equal(sl_spans_columns(&s, 4, 6, 0, 100, UINT64_MAX, 1, out), SL_EINVAL);
}

static void test_core_lanes(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    /* Task 0: 1 ns on core 0 in column 0, then 60 ns on core 1 in column 1.
     * Task 1: 40 ns on core 1 in column 1. Task 2: all of column 2 on core 0. */
    span(&b, 0, 1, SL_ST_RUNNING, 0);
    span(&b, 1, 100, SL_ST_WAITING, 0);
    span(&b, 100, 160, SL_ST_RUNNING, 1);
    span(&b, 160, 300, SL_ST_DONE, 0);
    start_task(&b, 1);
    span(&b, 160, 200, SL_ST_RUNNING, 1);
    start_task(&b, 2);
    span(&b, 200, 300, SL_ST_RUNNING, 0);
    sl_spans s = done(&b, 3);
    sl_core_cell out[2 * 3];
    uint64_t busy[2];
    assert_int_equal(sl_spans_core_columns(&s, 2, 0, 100, UINT64_MAX, 3, out, busy), 0);
    /* Core 0: idle with a brief run, idle, task 2. */
    assert_int_equal(out[0].task, SL_NO_TASK);
    assert_true(out[0].brief_run);
    assert_int_equal(out[1].task, SL_NO_TASK);
    assert_false(out[1].brief_run);
    assert_int_equal(out[2].task, 2);
    assert_false(out[2].brief_run);
    /* Core 1: idle, task 0 (60 ns, arrived from core 0) over task 1, idle. */
    assert_int_equal(out[3].task, SL_NO_TASK);
    assert_int_equal(out[4].task, 0);
    assert_true(out[4].migrated);
    assert_true(out[4].brief_run);
    assert_int_equal(out[5].task, SL_NO_TASK);
    assert_int_equal(busy[0], 101);
    assert_int_equal(busy[1], 100);
    /* Cut at 130: core 1 ran task 0 for 30 of column 1's 30 ns. */
    assert_int_equal(sl_spans_core_columns(&s, 2, 0, 100, 130, 3, out, busy), 0);
    assert_int_equal(out[4].task, 0);
    assert_false(out[4].brief_run);
    assert_int_equal(busy[1], 30);
}

/* A core the GIL hands between five threads, 15 ns each in a 100 ns
 * column (one 16), is busy 76%: the lane shows a task (the longest, marked
 * as not alone), as the meter says, not idle because idle (24 ns) held
 * longer than any one thread. */
static void test_core_shared_by_many_is_busy(void **state)
{
    static builder b;
    memset(&b, 0, sizeof b);
    for (uint32_t t = 0; t < 5; t++) {
        uint64_t end = 15 * t + (t == 2 ? 16 : 15);
        start_task(&b, t);
        span(&b, 15 * t, end, SL_ST_RUNNING, 0);
        span(&b, end, 300, SL_ST_READY, 0);
    }
    sl_spans s = done(&b, 5);
    sl_core_cell out[2];
    uint64_t busy[1];
    assert_int_equal(sl_spans_core_columns(&s, 1, 0, 100, UINT64_MAX, 2, out, busy), 0);
    assert_int_equal(out[0].task, 2);
    assert_true(out[0].brief_run);
    assert_int_equal(busy[0], 76);
    assert_int_equal(out[1].task, SL_NO_TASK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_percent_running_draws_waiting),
        cmocka_unit_test(test_sixty_forty_draws_the_sixty),
        cmocka_unit_test(test_start_up_longer_than_the_work_draws_starting),
        cmocka_unit_test(test_zoom_never_flips_a_long_stretch),
        cmocka_unit_test(test_lane_sums_its_tasks),
        cmocka_unit_test(test_core_lanes),
        cmocka_unit_test(test_core_shared_by_many_is_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
