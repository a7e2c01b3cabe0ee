/*
 * test-export-ticks.c - the tick table of a small trace, byte for byte.
 *
 * The expected table was worked out by hand from the events below, the way
 * a student fills in a worksheet: each row is a tick, and each task shows the
 * state that held longest in it (a tie goes to running, as on the TUI's
 * columns); CPU and IOs are the tick's averages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/error.h"
#include "schedlab/scenario.h"

#define MS 1000000ull
#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static sl_trace *demo_trace(void)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, SPAWN, 1, 0, 0, 0),
        EV(0, STEP, 0, SL_STEP_CPU, 0, 0),
        EV(0, RUN, 0, 0, 0, 0),
        EV(5 * MS, STEP, 1, SL_STEP_CPU_SUMSQ, 0, 1),
        EV(5 * MS, RUN, 1, 0, 0, 1),
        EV(12 * MS, SPAWN, 2, 0, 0, 0),
        EV(15 * MS, STEP, 0, SL_STEP_IO, 1, 0),
        EV(15 * MS, BLOCK, 0, SL_WAIT_IO, 0, 0),
        EV(20 * MS, STEP, 2, SL_STEP_CPU, 0, 0),
        EV(20 * MS, RUN, 2, 0, 0, 0),
        EV(25 * MS, BLOCK, 1, SL_WAIT_SLEEP, 0, 1),
        EV(32 * MS, WAKE, 0, SL_WAIT_IO, 0, 1),
        EV(35 * MS, EXIT, 2, SL_EXIT_FAILED, (uint64_t)-1, 0),
        EV(35 * MS, STEP, 0, SL_STEP_CPU, 2, 0),
        EV(35 * MS, RUN, 0, 0, 2, 0),
        EV(41 * MS, WAKE, 1, SL_WAIT_SLEEP, 0, 1),
        EV(41 * MS, RUN, 1, 0, 1, 1),
        EV(50 * MS, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(55 * MS, EXIT, 1, SL_EXIT_OK, 0, 1),
    };
    static const char *const names[] = {"A", "B", "C"};
    sl_trace_meta meta = {
        .scenario = "demo", .title = "Ticks", .strategy = "threads", .n_tasks = 3, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    assert_int_equal(sl_trace_append(t, ev, sizeof ev / sizeof ev[0]), 0);
    return t;
}

/* Runs the exporter into memory; returns the text (caller frees). */
static char *ticks_of(sl_trace *t, const sl_ticks_opts *o, int *rc)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    *rc = sl_export_ticks(t, o, f);
    fclose(f);
    return buf;
}

static const char expected[] =
    "demo: Ticks\n"
    "strategy threads, 2 cores, tick 10 ms, tasks 0-2 of 3\n"
    "RUN:step on a core, READY waiting for one (READY:gil the GIL, :loop the event\n"
    "loop, :worker a pool worker), WAIT:reason blocked, START its process starting\n"
    "up (creation to first step), blank not spawned yet;\n"
    "each the state that held longest in the tick;\n"
    "CPU cores busy with the tasks, IOs io waits in flight (tick averages)\n"
    "\n"
    "       ms  A        B              C        CPU  IOs\n"
    "        0  RUN:cpu  RUN:cpu-sumsq             2    0\n"
    "       10  RUN:cpu  RUN:cpu-sumsq  READY      2    1\n"
    "       20  WAIT:io  RUN:cpu-sumsq  RUN:cpu    2    1\n"
    "       30  RUN:cpu  WAIT:sleep     RUN:cpu    1    0\n"
    "       40  RUN:cpu  RUN:cpu-sumsq  FAIL       2    0\n"
    "       50  DONE     RUN:cpu-sumsq  FAIL       1    0\n"
    "\n"
    "ticks\n"
    "  running  4        5              2\n"
    "    ready  0        0              1\n"
    "  waiting  1        1              0\n"
    "\n"
    "CPU busy 71.8% of 2 cores, io busy 33.3% of 6 ticks\n";

static void test_ticks_exact(void **state)
{
    sl_trace *t = demo_trace();
    int rc;
    char *text = ticks_of(t, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(text, expected);

    /* A saved trace gives the same bytes again. */
    sl_ticks_opts o = {.tick_ns = 10 * MS, .last_task = UINT32_MAX};
    char *again = ticks_of(t, &o, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(again, expected);
    free(again);
    free(text);
    sl_trace_free(t);
}

static void test_ticks_fraction_and_selection(void **state)
{
    sl_trace *t = demo_trace();
    sl_ticks_opts o = {.tick_ns = 2500000, .first_task = 1, .last_task = 1};
    int rc;
    char *text = ticks_of(t, &o, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "tick 2.500 ms, tasks 1-1 of 3\n"));
    assert_non_null(strstr(text, "\n       ms  B              CPU  IOs\n"));
    /* 2.5 ms: B spawned, not yet running; 5 ms: it runs its sum of squares. */
    assert_non_null(strstr(text, "\n    2.500  READY            1    0\n"));
    assert_non_null(strstr(text, "\n    5.000  RUN:cpu-sumsq    2    0\n"));
    assert_non_null(strstr(text, "\n   55.000  DONE             0    0\n"));
    assert_null(strstr(text, " A "));
    free(text);
    sl_trace_free(t);
}

static void test_ticks_wrap(void **state)
{
    enum { N = 20 };
    char names[N][24];
    const char *ptr[N];
    sl_event ev[2 * N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "a-long-task-%02d", i);
        ptr[i] = names[i];
        ev[i] = (sl_event)EV(0, SPAWN, (uint32_t)i, 0, 0, 0);
        ev[N + i] = (sl_event)EV((uint64_t)(i + 1) * MS, EXIT, (uint32_t)i, SL_EXIT_OK, 0, 0);
    }
    sl_trace_meta meta = {.scenario = "wide", .strategy = "threads", .n_tasks = N, .cores = 4};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, ptr), 0);
    assert_int_equal(sl_trace_append(t, ev, 2 * N), 0);

    int rc;
    char *text = ticks_of(t, &(sl_ticks_opts){.tick_ns = MS, .last_task = UINT32_MAX}, &rc);
    assert_int_equal(rc, 0);
    /* 14-column names: 9 + 10 + 6 × 16 = 115 > 100, so five per table. */
    assert_non_null(strstr(text, "\ntasks 0-4\n"));
    assert_non_null(strstr(text, "\ntasks 15-19\n"));
    assert_null(strstr(text, "\ntasks 20"));
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl - line <= SL_TICKS_LINE);
        line = nl + 1;
    }
    free(text);

    /* Nothing selected, or a tick so small the table would be absurd. */
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(sl_export_ticks(t, &(sl_ticks_opts){.first_task = N, .last_task = N}, f),
                     SL_EINVAL);
    assert_int_equal(sl_export_ticks(t, &(sl_ticks_opts){.tick_ns = 1, .last_task = 3}, f),
                     SL_ELIMIT);
    fclose(f);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_exact),
        cmocka_unit_test(test_ticks_fraction_and_selection),
        cmocka_unit_test(test_ticks_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
