/*
 * test-ui-lesson.c - the lesson explaining itself, rendered into a virtual
 * terminal at 80x24 and 160x48 from a hand-made trace: the caption box over
 * the lists (header and timeline still in view), the lesson's objects under
 * the core lanes (the GIL, a shared counter's lost updates, a queue's fill
 * and blocked putters), and the end-of-run takeaway derived from the
 * trace's statistics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ui-vterm.h"
#include "ui-paused.h"
#include "ui/view.h"

static vscreen vs;
static sl_ui ui;

static sl_object counters[] = {{.name = "hits"}};
static sl_object queues[] = {{.name = "raw", .capacity = 3}};
static const sl_scenario lesson = {
    .name = "race",
    .title = "A race on a shared counter",
    .caption = "Four racers each add 1 to the counter hits with no lock. Under threads the racers "
               "run on both cores at once and overwrite each other's writes: hits ends well below "
               "its expected total. Watch the careful tasks queue on the lock.",
    .counters = counters,
    .n_counters = 1,
    .queues = queues,
    .n_queues = 1,
};

/* Three threads under a GIL: task-0 holds it, task-1 waits for it; eight
 * increments of hits of which three were lost; queue raw full with one
 * putter blocked. Everything ends at 100 us. */
static sl_trace *objects_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 3, .cores = 2, .gil_interval_ns = 5000000};
    snprintf(meta.strategy, sizeof meta.strategy, "gil");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, NULL), 0);
    uint32_t hits = SL_OBJECT_REF(SL_OBJ_COUNTER, 0), raw = SL_OBJECT_REF(SL_OBJ_QUEUE, 0);
    sl_event e[] = {
        {.t_ns = 1000, .kind = SL_EV_SPAWN, .task = 0},
        {.t_ns = 1000, .kind = SL_EV_SPAWN, .task = 1},
        {.t_ns = 1000, .kind = SL_EV_SPAWN, .task = 2},
        {.t_ns = 2000, .kind = SL_EV_GIL_TAKE, .task = 0},
        {.t_ns = 2001, .kind = SL_EV_RUN, .task = 0},
        {.t_ns = 3000, .kind = SL_EV_READY, .task = 1, .reason = SL_READY_GIL},
        {.t_ns = 4000,
         .kind = SL_EV_OBJECT,
         .task = 0,
         .reason = hits,
         .arg = SL_OBJECT_COUNTER_ARG(1, 1)},
        {.t_ns = 5000,
         .kind = SL_EV_OBJECT,
         .task = 0,
         .reason = hits,
         .arg = SL_OBJECT_COUNTER_ARG(5, 8)},
        {.t_ns = 6000,
         .kind = SL_EV_OBJECT,
         .task = 2,
         .reason = raw,
         .arg = SL_OBJECT_QUEUE_ARG(3, 3, 1, 0)},
        {.t_ns = 100000, .kind = SL_EV_EXIT, .task = 0},
        {.t_ns = 100000, .kind = SL_EV_EXIT, .task = 1},
        {.t_ns = 100000, .kind = SL_EV_EXIT, .task = 2},
    };
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

static void open_ui(int cols, int rows)
{
    assert_int_equal(vs_open(&vs, cols, rows, false, false), 0);
    assert_int_equal(ui_open_paused(&ui, objects_trace()), 0);
    ui.sc = &lesson;
}

static int teardown(void **state)
{
    sl_pane_close(&ui.main);
    vs_close(&vs);
    return 0;
}

static void draw_at(uint64_t t_ns)
{
    ui_draw_at(&ui, &vs, t_ns);
}

static void intro(int cols, int rows)
{
    open_ui(cols, rows);
    ui.overlay = SL_OV_INTRO;
    draw_at(0);
    /* The box's top border carries the lesson's title. */
    int box = vs_find(&vs, "─ A race on a shared counter ─");
    char row[512];
    assert_true(box > ui.lay.timeline.y);
    assert_true(vs_find(&vs, "Timeline") < box);
    assert_true(vs_find(&vs, "Four racers each add 1") == box + 1);
    assert_true(vs_find(&vs, "on the lock.") > box + 1);
    assert_true(vs_find(&vs, "Esc or Enter closes; i shows this again") > box);
    /* Every line of the paragraph is cut after a word. */
    for (int y = box + 1; y < vs_find(&vs, "Esc or Enter"); y++) {
        vs_row(&vs, y, row, sizeof row);
        assert_null(strstr(row, "overwri "));
    }
}

static void test_intro_80x24(void **state)
{
    intro(80, 24);
}

static void test_intro_160x48(void **state)
{
    intro(160, 48);
}

static void objects(int cols, int rows)
{
    open_ui(cols, rows);
    draw_at(50000);
    int gil = vs_find(&vs, "GIL held by task-0, 1 wait, 0 hand-offs");
    assert_true(gil > ui.lay.cores.y);
    assert_int_equal(vs_find(&vs, "counter hits 5 of 8, 3 lost"), gil + 1);
    assert_int_equal(vs_find(&vs, "queue raw 3/3 full, 1 put 0 take wait"), gil + 2);
    /* Before the increments: no counter yet. */
    draw_at(3500);
    assert_true(vs_find(&vs, "counter hits") < 0);
    /* Mid-run there is no takeaway; at the end there is, from the stats. */
    assert_true(vs_find(&vs, "gil lost") < 0);
    draw_at(100000);
    int t = vs_find(&vs, "gil lost 3 of 8 increments");
    assert_true(t >= ui.lay.caption.y);
}

static void test_objects_80x24(void **state)
{
    objects(80, 24);
}

static void test_objects_160x48(void **state)
{
    objects(160, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_intro_80x24, teardown),
        cmocka_unit_test_teardown(test_intro_160x48, teardown),
        cmocka_unit_test_teardown(test_objects_80x24, teardown),
        cmocka_unit_test_teardown(test_objects_160x48, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
