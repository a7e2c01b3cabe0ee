/*
 * test-ui-cores.c - ready, queued and busy cores mean one thing on every
 * panel of one screen, at 80x24 and 160x48, from hand-made traces.
 *
 * Under sequential the tasks not yet started are queued for the one
 * runner, not ready, and the ready latency is only the runner's hand-over.
 * The core meters, the Running list's per-core lines and the lints count
 * the same thing (the run's tasks on a core, by the trace) and say what they
 * count: a playhead between two tasks shows "no task" on the core, a meter
 * near 100% and a lint that does not call the cores idle. Under a GIL the
 * threads waiting for it are ready, with the cause, and the latency counts
 * their wait. A coroutine that resumes on another work-stealing worker
 * gets a » in its timeline column, which the legend explains.
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

#define US 1000ull
#define MS 1000000ull

static vscreen vs;
static sl_ui ui;

static const char *const names[] = {"job-0", "job-1", "job-2", "job-3"};

/* Sequential: four tasks queued at 0; the runner takes each in turn
 * (READY worker, RUN 5 us later on core 0) and computes 40 ms. */
static sl_trace *sequential_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 4, .cores = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "sequential");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, names), 0);
    for (uint32_t i = 0; i < 4; i++) {
        sl_event e[] = {
            {.t_ns = 0, .kind = SL_EV_SPAWN, .task = i},
            {.t_ns = 0, .kind = SL_EV_QUEUE, .task = i, .arg = i + 1},
        };
        assert_int_equal(sl_trace_append(tr, e, 2), 0);
    }
    for (uint32_t i = 0; i < 4; i++) {
        uint64_t t = 1 * MS + i * 40 * MS;
        sl_event e[] = {
            {.t_ns = t, .kind = SL_EV_READY, .task = i, .reason = SL_READY_WORKER},
            {.t_ns = t + 5 * US, .kind = SL_EV_RUN, .task = i, .core = 0},
            {.t_ns = t + 5 * US, .kind = SL_EV_STEP, .task = i, .reason = SL_STEP_CPU},
            {.t_ns = t + 40 * MS - 10 * US, .kind = SL_EV_EXIT, .task = i},
        };
        assert_int_equal(sl_trace_append(tr, e, 4), 0);
    }
    tr->finished = true;
    return tr;
}

/* Threads under a GIL: job-0 takes it and computes; the others wait for it
 * from 1 ms; job-1 gets it at 21 ms. */
static sl_trace *gil_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 4, .cores = 2, .gil_interval_ns = 5 * MS};
    snprintf(meta.strategy, sizeof meta.strategy, "threads");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, names), 0);
    sl_event e[] = {
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 0},
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 1},
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 2},
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 3},
        {.t_ns = 1 * MS, .kind = SL_EV_GIL_TAKE, .task = 0},
        {.t_ns = 1 * MS, .kind = SL_EV_RUN, .task = 0, .core = 1},
        {.t_ns = 1 * MS, .kind = SL_EV_READY, .task = 1, .reason = SL_READY_GIL},
        {.t_ns = 1 * MS, .kind = SL_EV_READY, .task = 2, .reason = SL_READY_GIL},
        {.t_ns = 1 * MS, .kind = SL_EV_READY, .task = 3, .reason = SL_READY_GIL},
        {.t_ns = 21 * MS, .kind = SL_EV_GIL_DROP, .task = 0},
        {.t_ns = 21 * MS, .kind = SL_EV_READY, .task = 0, .reason = SL_READY_GIL},
        {.t_ns = 21 * MS, .kind = SL_EV_GIL_TAKE, .task = 1},
        {.t_ns = 21 * MS, .kind = SL_EV_RUN, .task = 1, .core = 0},
        {.t_ns = 60 * MS, .kind = SL_EV_EXIT, .task = 0},
        {.t_ns = 60 * MS, .kind = SL_EV_EXIT, .task = 1},
        {.t_ns = 60 * MS, .kind = SL_EV_EXIT, .task = 2},
        {.t_ns = 60 * MS, .kind = SL_EV_EXIT, .task = 3},
    };
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

static void open_ui(int cols, int rows, sl_trace *tr)
{
    assert_int_equal(vs_open(&vs, cols, rows, false, false), 0);
    assert_int_equal(ui_open_paused(&ui, tr), 0);
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

/* The text of a list panel's title row from its rectangle. */
static bool title_has(sl_rect r, const char *what)
{
    char row[1024];
    return strstr(vs_text(&vs, r.y, r.x, r.w, row, sizeof row), what) != NULL;
}

/* True when a row of panel r holds `what` below its title. */
static bool in_panel(sl_rect r, const char *what)
{
    char row[1024];
    for (int y = r.y + 1; y < r.y + r.h; y++)
        if (strstr(vs_text(&vs, y, r.x, r.w, row, sizeof row), what) != NULL)
            return true;
    return false;
}

/* True when no row of the screen holds `what`. */
static bool nowhere(const char *what)
{
    return vs_find(&vs, what) < 0;
}

/* A core line of the meters: its percentage. */
static int meter_pct(int core)
{
    char label[8], row[1024];
    snprintf(label, sizeof label, "c%-3d", core);
    for (int y = ui.lay.cores.y + 1; y < ui.lay.cores.y + ui.lay.cores.h; y++) {
        vs_text(&vs, y, ui.lay.cores.x, ui.lay.cores.w, row, sizeof row);
        if (strncmp(row, label, 4) != 0)
            continue;
        const char *pct = strchr(row, '%');
        assert_non_null(pct);
        while (pct > row && pct[-1] >= '0' && pct[-1] <= '9')
            pct--;
        return atoi(pct);
    }
    fail_msg("no meter for c%d", core);
    return -1;
}

static void sequential(int cols, int rows)
{
    open_ui(cols, rows, sequential_trace());
    /* Mid job-1: one runs, two wait their turn, none is ready. */
    draw_at(60 * MS);
    assert_true(title_has(ui.lay.ready, "Ready 0"));
    assert_true(title_has(ui.lay.queued, "Queued 2"));
    assert_true(in_panel(ui.lay.queued, "job-2"));
    assert_true(vs_find(&vs, "2 wait their turn (not started)") >= 0);
    /* The latency counts the hand-over only, as the empty ready list says. */
    assert_true(vs_find(&vs, "ready latency 5µs, max 5µs") >= 0);
    /* The kernel's counts are the whole run's, and say so before its end. */
    assert_true(vs_find(&vs, cols >= 120 ? "OS switches (whole run)  vol 0  invol 0"
                                         : "OS switches (whole run)") >= 0 ||
                vs_find(&vs, "OS, whole run: vol 0 invol 0") >= 0);
    assert_true(vs_find(&vs, "c0   job-1") >= 0);
    assert_true(vs_find(&vs, cols >= 120 ? "c1   no task of this run" : "c1   no task") >= 0);
    assert_true(nowhere("idle"));
    /* The meters say whose work they count, over which time. */
    assert_true(vs_find(&vs, "the run's tasks") == ui.lay.cores.y);
    assert_true(vs_find(&vs, "so far") == ui.lay.cores.y);
    assert_int_equal(meter_pct(0), 98); /* 58.98 ms of 60 */
    assert_int_equal(meter_pct(1), 0);
    assert_true(vs_find(&vs, "its tasks kept 1.0 of 2 cores busy so far") >= 0);

    /* Between job-1's exit and job-2's start: the runner holds no task. The
     * core line says so, the meter still shows the run so far, and the lint
     * does not call both cores idle. */
    draw_at(81 * MS - 5 * US);
    assert_true(title_has(ui.lay.running, "Running 0"));
    assert_true(vs_find(&vs, "c0   no task") >= 0);
    assert_int_equal(meter_pct(0), 98);
    assert_true(vs_find(&vs, "its tasks kept 1.0 of 2 cores busy so far") >= 0);
    assert_true(nowhere(" 0 of 2 cores"));
    assert_true(nowhere("idle"));
    /* The runner has taken job-2: it is ready, for the runner, for 5 us. */
    draw_at(81 * MS + 2 * US);
    assert_true(title_has(ui.lay.ready, "Ready 1"));
    assert_true(in_panel(ui.lay.ready, "job-2"));
    assert_true(cols < 120 || in_panel(ui.lay.ready, "job-2 2µs worker"));
}

static void test_sequential_80x24(void **state)
{
    sequential(80, 24);
}

static void test_sequential_160x48(void **state)
{
    sequential(160, 48);
}

static void gil(int cols, int rows)
{
    open_ui(cols, rows, gil_trace());
    draw_at(11 * MS);
    /* Runnable and waiting for the GIL: ready, with the cause. */
    assert_true(title_has(ui.lay.ready, "Ready 3"));
    assert_true(in_panel(ui.lay.ready, cols >= 120 ? "job-1 11.0ms gil" : "job-1 11.0ms"));
    assert_true(vs_find(&vs, "c1   job-0") >= 0);
    assert_true(vs_find(&vs, "c0   no task") >= 0);
    assert_int_equal(meter_pct(1), 90); /* 10 ms of 11 */
    assert_int_equal(meter_pct(0), 0);
    /* Runnable since its spawn: the latency counts job-1's 21 ms, the GIL's
     * 20 ms of it, and job-0's 1 ms. */
    draw_at(30 * MS);
    assert_true(vs_find(&vs, "ready latency 11.0ms, max 21.0ms") >= 0);
    assert_true(vs_find(&vs, "c0   job-1") >= 0);
    assert_int_equal(meter_pct(0), 30); /* 9 ms of 30 */
    assert_int_equal(meter_pct(1), 66); /* 20 ms of 30 */
    assert_true(nowhere("idle"));
}

static void test_gil_80x24(void **state)
{
    gil(80, 24);
}

static void test_gil_160x48(void **state)
{
    gil(160, 48);
}

/* Work stealing: job-0 runs on worker 0, yields, and resumes on worker 1
 * at 41 ms (a MIGRATE); job-1 on worker 1, then on worker 0 at 91 ms. */
static sl_trace *steal_trace(void)
{
    sl_trace_meta meta = {.n_tasks = 2, .cores = 2, .workers = 2};
    snprintf(meta.strategy, sizeof meta.strategy, "work-stealing");
    sl_trace *tr;
    assert_int_equal(sl_trace_new(&tr, &meta, names), 0);
    const uint32_t co = SL_VEHICLE_COROUTINE;
    sl_event e[] = {
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 0, .vehicle = co},
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 1, .vehicle = co | 1},
        {.t_ns = 1 * MS,
         .kind = SL_EV_RUN,
         .task = 0,
         .vehicle = co,
         .reason = SL_RUN_ON_WORKER(0)},
        {.t_ns = 1 * MS,
         .kind = SL_EV_RUN,
         .task = 1,
         .vehicle = co | 1,
         .core = 1,
         .reason = SL_RUN_ON_WORKER(1)},
        {.t_ns = 40 * MS, .kind = SL_EV_BLOCK, .task = 1, .vehicle = co | 1, .reason = SL_WAIT_IO},
        {.t_ns = 40 * MS, .kind = SL_EV_YIELD, .task = 0, .vehicle = co},
        {.t_ns = 41 * MS, .kind = SL_EV_MIGRATE, .task = 0, .vehicle = co, .reason = 0, .arg = 1},
        {.t_ns = 41 * MS,
         .kind = SL_EV_RUN,
         .task = 0,
         .vehicle = co,
         .core = 1,
         .reason = SL_RUN_ON_WORKER(1)},
        {.t_ns = 80 * MS, .kind = SL_EV_EXIT, .task = 0, .vehicle = co},
        {.t_ns = 90 * MS, .kind = SL_EV_WAKE, .task = 1, .vehicle = co | 1, .reason = SL_WAIT_IO},
        {.t_ns = 91 * MS, .kind = SL_EV_MIGRATE, .task = 1, .vehicle = co | 1, .reason = 1},
        {.t_ns = 91 * MS,
         .kind = SL_EV_RUN,
         .task = 1,
         .vehicle = co | 1,
         .reason = SL_RUN_ON_WORKER(0)},
        {.t_ns = 120 * MS, .kind = SL_EV_EXIT, .task = 1, .vehicle = co | 1},
    };
    assert_int_equal(sl_trace_append(tr, e, sizeof e / sizeof e[0]), 0);
    tr->finished = true;
    return tr;
}

static void migrate(int cols, int rows)
{
    open_ui(cols, rows, steal_trace());
    draw_at(120 * MS);
    sl_rect r = ui.lay.timeline;
    int label_w = r.w >= 100 ? 16 : 12, cells_w = r.w - label_w - 1;
    uint64_t t0, dt;
    sl__timeline_window(&ui, cells_w, &t0, &dt);
    const struct {
        const char *name;
        uint64_t at;
    } moved[] = {{"job-0", 41 * MS}, {"job-1", 91 * MS}};
    for (int k = 0; k < 2; k++) {
        int y = vs_find(&vs, moved[k].name);
        assert_true(y > r.y);
        char cell[16], row[1024];
        int x = r.x + label_w + 1 + (int)((moved[k].at - t0) / dt);
        assert_string_equal(vs_text(&vs, y, x, 1, cell, sizeof cell), "»");
        /* Once: the first run on a worker is no move. */
        vs_text(&vs, y, r.x + label_w + 1, cells_w, row, sizeof row);
        const char *first = strstr(row, "»");
        assert_non_null(first);
        assert_null(strstr(first + 1, "»"));
    }
    /* The legend says what » is where it has room. */
    if (cols >= 120)
        assert_int_equal(vs_find(&vs, "» moved worker"), r.y);
}

static void test_migrate_80x24(void **state)
{
    migrate(80, 24);
}

static void test_migrate_160x48(void **state)
{
    migrate(160, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sequential_80x24, teardown),
        cmocka_unit_test_teardown(test_sequential_160x48, teardown),
        cmocka_unit_test_teardown(test_gil_80x24, teardown),
        cmocka_unit_test_teardown(test_gil_160x48, teardown),
        cmocka_unit_test_teardown(test_migrate_80x24, teardown),
        cmocka_unit_test_teardown(test_migrate_160x48, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
