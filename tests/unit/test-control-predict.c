/*
 * test-control-predict.c - predict mode on hand-made traces: a wake-up
 * question with twelve choices (two digits pick the eleventh), its reveal
 * and reason, the choices drawn where the Ready list stands at 80x24 and
 * 160x48, no strategy switch from a digit, a GIL question and its reason,
 * a pool question (which idle worker takes the next queued task) with its
 * workers drawn as the choices, and a round of ten ending in a score
 * summary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "control/app.h"
#include "control/keys.h"
#include "control/play.h"
#include "ui-vterm.h"
#include "ui-paused.h"
#include "schedlab/ui.h"
#include "control/predict.h"

#define N 12
#define CO SL_VEHICLE_COROUTINE

static vscreen vs;
static sl_ui ui;

static sl_event ev(uint64_t t_us, int kind, uint32_t task, uint32_t reason)
{
    return (sl_event){.t_ns = t_us * 1000,
                      .kind = (uint16_t)kind,
                      .task = task,
                      .vehicle = CO | task,
                      .reason = reason};
}

/* Twelve coroutines start one at a time and each waits on io; then they
 * wake in the order 10, 9, ..., 0, 11: the answer is never the longest
 * waiter (task 0) until the end. */
static sl_trace *wake_trace(void)
{
    sl_trace_meta meta = {.n_tasks = N, .cores = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "coroutines");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    uint64_t t = 1;
    for (uint32_t i = 0; i < N; i++) {
        sl_event e[3] = {ev(t, SL_EV_SPAWN, i, 0), ev(t + 1, SL_EV_RUN, i, 0),
                         ev(t + 2, SL_EV_BLOCK, i, SL_WAIT_IO)};
        assert_int_equal(sl_trace_append(tr, e, 3), 0);
        t += 10;
    }
    t = 1000;
    for (int k = 0; k < N; k++) {
        uint32_t i = k < N - 1 ? (uint32_t)(N - 2 - k) : N - 1;
        sl_event e[3] = {ev(t, SL_EV_WAKE, i, SL_WAIT_IO), ev(t + 1, SL_EV_RUN, i, 0),
                         ev(t + 2, SL_EV_EXIT, i, SL_EXIT_OK)};
        assert_int_equal(sl_trace_append(tr, e, 3), 0);
        t += 100;
    }
    tr->finished = true;
    return tr;
}

/* Three threads queue for the GIL (0 first); 2 takes it. */
static sl_trace *gil_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 3, .cores = 2, .gil_interval_ns = 5000000};
    snprintf(meta.strategy, sizeof meta.strategy, "gil");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    sl_event e[] = {
        {.t_ns = 1000, .kind = SL_EV_READY, .task = 0, .reason = SL_READY_GIL},
        {.t_ns = 2000, .kind = SL_EV_READY, .task = 1, .reason = SL_READY_GIL},
        {.t_ns = 3000, .kind = SL_EV_READY, .task = 2, .reason = SL_READY_GIL},
        {.t_ns = 9000, .kind = SL_EV_GIL_TAKE, .task = 2},
        {.t_ns = 9001, .kind = SL_EV_RUN, .task = 2},
    };
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

/* A pool of three worker threads (vehicles 101-103) and five queued tasks:
 * each worker takes one at first (101 first), task-0 ends at 100 us and
 * task-1 at 200 us; then worker 102 takes task-3 though 101 was idle
 * longer, and 101 takes task-4. */
static sl_trace *pool_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 5, .cores = 2, .workers = 3};
    snprintf(meta.strategy, sizeof meta.strategy, "threadpool");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    for (uint32_t i = 0; i < 5; i++) {
        sl_event e[2] = {{.t_ns = 1000, .kind = SL_EV_SPAWN, .task = i},
                         {.t_ns = 1000, .kind = SL_EV_QUEUE, .task = i, .arg = i + 1}};
        assert_int_equal(sl_trace_append(tr, e, 2), 0);
    }
#define TAKE(t_us, task_, v)                                                                       \
    {.t_ns = (t_us)*1000,                                                                          \
     .kind = SL_EV_READY,                                                                          \
     .task = (task_),                                                                              \
     .vehicle = (v),                                                                               \
     .reason = SL_READY_WORKER},                                                                   \
        {.t_ns = (t_us)*1000 + 1000, .kind = SL_EV_RUN, .task = (task_), .vehicle = (v)}
    sl_event e[] = {
        TAKE(10, 0, 101),
        TAKE(20, 1, 102),
        TAKE(30, 2, 103),
        {.t_ns = 100000, .kind = SL_EV_EXIT, .task = 0, .vehicle = 101},
        {.t_ns = 200000, .kind = SL_EV_EXIT, .task = 1, .vehicle = 102},
        TAKE(300, 3, 102),
        TAKE(400, 4, 101),
        {.t_ns = 900000, .kind = SL_EV_EXIT, .task = 2, .vehicle = 103},
        {.t_ns = 900000, .kind = SL_EV_EXIT, .task = 3, .vehicle = 102},
        {.t_ns = 900000, .kind = SL_EV_EXIT, .task = 4, .vehicle = 101},
    };
#undef TAKE
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

/* Four coroutines on a loop, ten rounds: all wait on io, wake in the order
 * 2 0 3 1, and the loop runs them in that (FIFO) order: three wake-up
 * questions and three FIFO ones per round. */
static sl_trace *loop_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 4, .cores = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "coroutines");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    uint64_t t = 1;
    for (uint32_t i = 0; i < 4; i++) {
        sl_event e = ev(t, SL_EV_SPAWN, i, 0);
        assert_int_equal(sl_trace_append(tr, &e, 1), 0);
    }
    static const uint32_t order[4] = {2, 0, 3, 1};
    for (int round = 0; round < 10; round++) {
        for (int k = 0; k < 4; k++) {
            uint32_t i = round == 0 ? (uint32_t)k : order[k];
            t += 10;
            sl_event e[2] = {ev(t, SL_EV_RUN, i, 0), ev(t + 1, SL_EV_BLOCK, i, SL_WAIT_IO)};
            assert_int_equal(sl_trace_append(tr, e, 2), 0);
        }
        for (int k = 0; k < 4; k++) {
            t += 100;
            sl_event e = ev(t, SL_EV_WAKE, order[k], SL_WAIT_IO);
            assert_int_equal(sl_trace_append(tr, &e, 1), 0);
        }
    }
    for (uint32_t i = 0; i < 4; i++) {
        t += 10;
        sl_event e[2] = {ev(t, SL_EV_RUN, order[i], 0), ev(t + 1, SL_EV_EXIT, order[i], 0)};
        assert_int_equal(sl_trace_append(tr, e, 2), 0);
    }
    tr->finished = true;
    return tr;
}

static void open_ui(sl_trace *tr, int cols, int rows)
{
    assert_int_equal(vs_open(&vs, cols, rows, false, false), 0);
    assert_int_equal(ui_open_paused(&ui, tr), 0);
    sl__app_tables(&ui);
    sl_play_fold(&ui);
}

static int teardown(void **state)
{
    sl_pane_close(&ui.main);
    vs_close(&vs);
    return 0;
}

static void draw(void)
{
    sl_play_fold(&ui);
    sl_ui_draw(&ui);
    vs_sync(&vs);
}

static int index_of_answer(void)
{
    for (uint32_t i = 0; i < ui.predict.n_cand; i++)
        if (ui.predict.cand[i] == ui.predict.answer)
            return (int)i;
    fail();
    return -1;
}

/* Types choice i + 1 as a student would: digits, Enter if still asked. */
static void choose(int i)
{
    char digits[16]; /* room for any int, so the compiler sees no truncation */
    snprintf(digits, sizeof digits, "%d", i + 1);
    for (const char *d = digits; *d; d++)
        sl__keys_handle(&ui, *d);
    if (ui.predict.asking)
        sl__keys_handle(&ui, SL_KEY_ENTER);
}

static void wake_question(int cols, int rows)
{
    open_ui(wake_trace(), cols, rows);
    sl__keys_handle(&ui, 'p');
    assert_true(ui.predict.asking);
    assert_int_equal(ui.predict.kind, SL_Q_WAKE);
    assert_int_equal(ui.predict.n_cand, N);
    assert_int_equal(ui.predict.answer, 10);
    draw();
    int y = vs_find(&vs, "PREDICT");
    assert_int_equal(y, ui.lay.caption.y);
    assert_true(vs_col(&vs, y, "Which waiting task wakes next? Press 1-12.") > 0);
    assert_int_equal(vs_find(&vs, "Guess 1-12"), ui.lay.ready.y);
    /* Longest waiting first: task-00 is choice 1. */
    assert_true(vs_col(&vs, ui.lay.ready.y + 1, "1   task-0 io") > 0);
    /* Choices beyond the rows say how many more (the wide list has room). */
    if (!ui.lay.wide)
        assert_true(vs_find(&vs, "more (arrows)") > ui.lay.ready.y);
    int answer = index_of_answer();
    assert_true(answer >= 9);
    /* One digit that a second could extend waits for it. */
    sl__keys_handle(&ui, '1');
    assert_true(ui.predict.asking);
    draw();
    assert_true(vs_col(&vs, y, "Your answer: 1") > 0);
    sl__keys_handle(&ui, '0' + (char)(answer + 1 - 10));
    assert_true(ui.predict.revealed);
    assert_int_equal(ui.predict.right, 1);
    draw();
    assert_true(vs_col(&vs, y, "Right!") > 0);
    assert_true(strstr(ui.predict.note, "task-10's io ended first") != NULL);
    /* A digit now is no strategy key: nothing runs. */
    int strategy = ui.strategy;
    sl__keys_handle(&ui, '5');
    assert_int_equal(ui.strategy, strategy);
    assert_int_equal(ui.req, 0);
    assert_true(ui.predict.on);
    sl__keys_handle(&ui, SL_KEY_TAB);
    assert_int_equal(ui.req, 0);
    /* Nor compare mode's runs, nor a lesson from the picker. */
    sl__keys_handle(&ui, 'c');
    assert_int_equal(ui.req, 0);
    assert_true(ui.predict.on);
    sl__keys_handle(&ui, 's');
    assert_int_equal(ui.overlay, SL_OV_NONE);
    assert_true(strstr(ui.status, "Press p to leave it first") != NULL);
}

static void test_wake_80x24(void **state)
{
    wake_question(80, 24);
}

static void test_wake_160x48(void **state)
{
    wake_question(160, 48);
    draw();
    sl__keys_handle(&ui, ' ');
    assert_true(ui.predict.asking);
    /* The arrows choose too. */
    int answer = index_of_answer();
    for (int i = 0; i < answer; i++)
        sl__keys_handle(&ui, SL_KEY_DOWN);
    draw();
    assert_true(vs_find(&vs, sl_trace_task_name(ui.main.trace, ui.predict.answer)) > 0);
    sl__keys_handle(&ui, SL_KEY_ENTER);
    assert_int_equal(ui.predict.right, 2);
}

static void test_round_summary(void **state)
{
    open_ui(wake_trace(), 80, 24);
    sl__keys_handle(&ui, 'p');
    int asked = 0;
    while (ui.predict.asking && asked < 20) {
        choose(asked % 2 ? 0 : index_of_answer());
        asked++;
        sl__keys_handle(&ui, ' ');
    }
    assert_int_equal(asked, SL_PREDICT_ROUND);
    assert_true(ui.predict.over);
    draw();
    char want[64];
    snprintf(want, sizeof want, "Round over: %u of 10 right (wake-ups %u/10)", ui.predict.right,
             ui.predict.right);
    assert_true(vs_find(&vs, want) > 0);
    assert_true(ui.predict.right >= 5);
}

static void test_gil_question(void **state)
{
    open_ui(gil_trace(), 80, 24);
    sl__keys_handle(&ui, 'p');
    assert_true(ui.predict.asking);
    assert_int_equal(ui.predict.kind, SL_Q_GIL);
    assert_int_equal(ui.predict.n_cand, 3);
    assert_int_equal(ui.predict.answer, 2);
    draw();
    assert_true(vs_find(&vs, "Which thread takes the GIL next? Press 1-3.") > 0);
    sl__keys_handle(&ui, '1');
    assert_true(ui.predict.revealed);
    assert_int_equal(ui.predict.right, 0);
    assert_true(strstr(ui.predict.note, "No: task-2 took the GIL") != NULL);
    assert_true(strstr(ui.predict.note, "no fixed order") != NULL);
    /* The RUN after the take is the same decision: no second question. */
    sl__keys_handle(&ui, ' ');
    assert_false(ui.predict.asking);
    assert_true(ui.predict.over);
}

/* FIFO questions come now and then: three others between two of them,
 * though the trace offers as many FIFO decisions as wake-ups. */
static void test_fifo_now_and_then(void **state)
{
    open_ui(loop_trace(), 80, 24);
    sl__keys_handle(&ui, 'p');
    int kinds[SL_PREDICT_ROUND], n = 0;
    while (ui.predict.asking && n < SL_PREDICT_ROUND) {
        kinds[n++] = ui.predict.kind;
        choose(index_of_answer());
        if (kinds[n - 1] == SL_Q_FIFO)
            assert_true(strstr(ui.predict.note, "head of the queue") != NULL);
        sl__keys_handle(&ui, ' ');
    }
    assert_int_equal(n, SL_PREDICT_ROUND);
    int fifo = 0, last_fifo = -10;
    for (int i = 0; i < n; i++) {
        if (kinds[i] != SL_Q_FIFO)
            continue;
        assert_true(i - last_fifo > 3);
        last_fifo = i;
        fifo++;
    }
    assert_true(fifo >= 1 && fifo <= 3);
    assert_true(ui.predict.asked_by[SL_Q_WAKE] >= 7);
}

static void pool_question(int cols, int rows)
{
    open_ui(pool_trace(), cols, rows);
    sl__keys_handle(&ui, 'p');
    /* At the first take all three workers are idle, none has had a task. */
    assert_true(ui.predict.asking);
    assert_int_equal(ui.predict.kind, SL_Q_WORKER);
    assert_int_equal(ui.predict.n_cand, 3);
    assert_int_equal(ui.predict.task, 0);
    assert_int_equal(ui.predict.answer, 0);
    draw();
    int y = vs_find(&vs, "PREDICT");
    assert_true(vs_col(&vs, y, "Which pool worker takes a task next?") > 0);
    assert_int_equal(vs_find(&vs, "Guess 1-3"), ui.lay.ready.y);
    assert_true(vs_col(&vs, ui.lay.ready.y + 1,
                       cols >= 120 ? "1   worker 1: no task yet" : "1   worker 1") > 0);
    choose(2);
    assert_true(ui.predict.revealed);
    assert_int_equal(ui.predict.right, 0);
    assert_true(strstr(ui.predict.note, "No: worker 1 took task-0: 3 workers had been idle as "
                                        "long") != NULL);

    /* Then two are idle; and at 300 us workers 1 and 2, 1 the longer. */
    sl__keys_handle(&ui, ' ');
    assert_int_equal(ui.predict.kind, SL_Q_WORKER);
    assert_int_equal(ui.predict.n_cand, 2);
    choose(index_of_answer());
    sl__keys_handle(&ui, ' ');
    assert_true(ui.predict.asking);
    assert_int_equal(ui.predict.kind, SL_Q_WORKER);
    assert_int_equal(ui.predict.task, 3);
    assert_int_equal(ui.predict.n_cand, 2);
    assert_int_equal(ui.predict.cand[0], 0);
    assert_int_equal(ui.predict.last[0], 0);
    assert_int_equal(ui.predict.idle_ns[0], 100000);
    assert_int_equal(ui.predict.answer, 1);
    draw();
    /* Each choice says how long it has been idle and what it ran last. */
    char row[512];
    vs_text(&vs, ui.lay.ready.y + 1, ui.lay.ready.x, ui.lay.ready.w, row, sizeof row);
    assert_non_null(strstr(row, cols >= 120 ? "worker 1 idle 200µs, last task-0" : "worker 1"));
    choose(1);
    assert_int_equal(ui.predict.right, 2);
    assert_true(strstr(ui.predict.note, "Right! worker 2 took task-3 though others were idle "
                                        "longer") != NULL);
    /* The reveal lights the task that was taken in the Ready list. */
    draw();
    assert_true(vs_find(&vs, "task-3") > 0);
    /* The fourth: worker 1, alone idle at 400 us, is no question. */
    sl__keys_handle(&ui, ' ');
    assert_true(ui.predict.over);
    assert_true(strstr(ui.predict.note, "pool workers 2/3") != NULL);
}

static void test_pool_80x24(void **state)
{
    pool_question(80, 24);
}

static void test_pool_160x48(void **state)
{
    pool_question(160, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_wake_80x24, teardown),
        cmocka_unit_test_teardown(test_wake_160x48, teardown),
        cmocka_unit_test_teardown(test_round_summary, teardown),
        cmocka_unit_test_teardown(test_fifo_now_and_then, teardown),
        cmocka_unit_test_teardown(test_pool_80x24, teardown),
        cmocka_unit_test_teardown(test_pool_160x48, teardown),
        cmocka_unit_test_teardown(test_gil_question, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
