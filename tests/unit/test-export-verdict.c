/*
 * test-export-verdict.c - the recommendation follows the measured numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schedlab/export.h"

static sl_report_row row(const char *name, double wall_ms, double run_ms, double io_ms,
                         uint32_t cores, uint64_t mem_kb, bool blocking)
{
    sl_report_row r;
    memset(&r, 0, sizeof(r));
    snprintf(r.strategy, sizeof(r.strategy), "%s", name);
    r.stats.tasks = r.stats.completed = 20;
    r.stats.wall_ns = (uint64_t)(wall_ms * 1e6);
    r.stats.run_ns = (uint64_t)(run_ms * 1e6);
    r.stats.io_ns = (uint64_t)(io_ms * 1e6);
    r.stats.max_cores = cores;
    r.stats.vehicle_mem_kb = mem_kb;
    r.blocking_calls = blocking;
    return r;
}

static void cpu_bound_recommends_the_parallel_vehicle(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 4000, 4000, 0, 1, 400, true),
        row("gil", 4100, 4000, 0, 1, 60, true),
        row("coroutines", 4000, 4000, 0, 1, 30, false),
        row("procpool", 2100, 4000, 0, 2, 8000, true),
    };
    sl_report r = {.scenario = "cpu", .title = "t", .cores = 2, .rows = rows, .n_rows = 4};
    char why[320];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 3);
    assert_non_null(strstr(why, "cpu-bound (100% of the work computes)"));
    assert_non_null(strstr(why, "procpool used 2 at once, 1.9x faster than sequential"));
}

/* The lessons' rule settles runs within 10% of each other. */
static void io_bound_ties_follow_the_lessons_rule(void **state)
{
    /* 20 tasks waiting 10 ms each: few fast waits, plain threads. */
    sl_report_row rows[] = {
        row("sequential", 210, 20, 200, 1, 400, true), row("threads", 60, 20, 200, 1, 70, true),
        row("coroutines", 62, 20, 200, 1, 35, false),  row("gil", 59, 20, 200, 1, 20, true),
        row("threadpool", 100, 20, 200, 1, 20, true),
    };
    rows[3].stats.switches_gil = 19;
    sl_report r = {.scenario = "io", .title = "t", .cores = 2, .rows = rows, .n_rows = 5};
    char why[320];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "threads overlaps the waits with plain blocking calls; with 20"));

    /* The same tasks waiting 350 ms each: slow waits, an event loop. */
    for (int i = 0; i < 5; i++)
        rows[i].stats.io_ns = 7000ull * 1000 * 1000;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_non_null(strstr(why, "coroutines overlaps every wait on one thread at 35 KiB"));

    /* 2000 tasks with fast waits: many, an event loop too. */
    for (int i = 0; i < 5; i++) {
        rows[i].stats.tasks = rows[i].stats.completed = 2000;
        rows[i].stats.io_ns = 2000ull * 10 * 1000 * 1000;
    }
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);

    /* A hybrid ties with the plain strategy: the plain one. */
    snprintf(rows[1].strategy, sizeof(rows[1].strategy), "async+threads");
    rows[1].blocking_calls = false;
    rows[1].stats.vehicle_mem_kb = 8;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
}

static void sequential_wins_when_nothing_beats_it(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 4000, 4000, 0, 1, 100, true),
        row("gil", 5100, 4000, 0, 1, 70, true),
    };
    rows[1].stats.switches_gil = 700;
    sl_report r = {.scenario = "cpu", .title = "t", .cores = 2, .rows = rows, .n_rows = 2};
    char why[320];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 0);
    assert_string_equal(why, "no strategy ran faster than plain sequential code here: for this "
                             "work, concurrency only added switching and waiting.");
}

/* A run that lost more tasks than another is out; the same task failing
 * everywhere (a get while offline) still leaves the others comparable. */
static void runs_with_more_failures_are_never_recommended(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 7000, 20, 7000, 1, 400, true),
        row("threads", 500, 20, 7000, 1, 70, true),
    };
    rows[1].stats.failed = 1;
    sl_report r = {.scenario = "io", .title = "t", .cores = 2, .rows = rows, .n_rows = 2};
    char why[320];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 0);
    rows[0].stats.failed = 1;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    snprintf(rows[0].error, sizeof(rows[0].error), "interrupted");
    snprintf(rows[1].error, sizeof(rows[1].error), "interrupted");
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), -1);
    assert_string_equal(why, "no run completed its tasks: nothing to recommend");
}

static void verdict_table_has_every_column(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 7000, 20, 7000, 1, 400, true),
        row("coroutines", 620, 20, 7000, 1, 35, false),
    };
    rows[1].stats.io_overlap = 0.92;
    rows[1].create_ns = 5900;
    sl_report r = {.scenario = "io", .title = "Downloads", .cores = 2, .rows = rows, .n_rows = 2};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sl_report_write(&r, SL_REPORT_VERDICT, f);
    fclose(f);
    assert_non_null(strstr(buf, "io: Downloads (2 cores)"));
    assert_non_null(strstr(buf, "blocking"));
    assert_non_null(strstr(buf, "coroutines               no       92%"));
    assert_non_null(strstr(buf, "5.9 us"));
    assert_non_null(strstr(buf, "recommended: coroutines - io-bound"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_bound_recommends_the_parallel_vehicle),
        cmocka_unit_test(io_bound_ties_follow_the_lessons_rule),
        cmocka_unit_test(sequential_wins_when_nothing_beats_it),
        cmocka_unit_test(runs_with_more_failures_are_never_recommended),
        cmocka_unit_test(verdict_table_has_every_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
