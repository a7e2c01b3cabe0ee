/*
 * test-export-verdict.c - the recommendation follows the measured numbers
 * and the lessons' rule: cpu-bound under the GIL -> processes, without it
 * -> threads; io-bound with few fast waits -> threads, many or slow ->
 * coroutines; a near-tie never goes against the rule; a run that failed by
 * design is no baseline; lost updates are always said.
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

/* What the GIL means to each strategy named in these tests. */
static uint8_t scope_of(const char *name)
{
    if (strcmp(name, "sequential") == 0 || strcmp(name, "coroutines") == 0)
        return SL_GIL_SCOPE_NONE;
    if (strcmp(name, "gil") == 0)
        return SL_GIL_SCOPE_ALWAYS;
    if (strcmp(name, "procpool") == 0 || strcmp(name, "processes") == 0 ||
        strcmp(name, "async+procs") == 0)
        return SL_GIL_SCOPE_PROCESS;
    if (strcmp(name, "interpreters") == 0)
        return SL_GIL_SCOPE_PER_WORKER;
    return SL_GIL_SCOPE_RUN;
}

static sl_report_row row(const char *name, double wall_ms, double run_ms, double io_ms,
                         uint32_t cores, uint64_t mem_kb, bool blocking)
{
    sl_report_row r;
    memset(&r, 0, sizeof(r));
    snprintf(r.strategy, sizeof(r.strategy), "%s", name);
    r.gil = SL_GIL_ON;
    r.gil_scope = scope_of(name);
    r.stats.wait_ns = (uint64_t)(io_ms * 1e6);
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
    char why[640];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 3);
    assert_non_null(strstr(why, "cpu-bound (100% of the task time computes) under CPython's GIL"));
    assert_non_null(strstr(why, "procpool has a GIL per process, could use 2 cores and used 2 at "
                                "once, 1.9x faster than sequential."));
}

/* cpu-bound: a near-tie never goes against the rule. Under the GIL a
 * process pool within 10% of the fastest (threads, say, on a machine where
 * they got lucky) is the answer; without a GIL, threads are. */
static void cpu_bound_ties_follow_the_runtime(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 4000, 4000, 0, 1, 400, true),
        row("threads", 2000, 4000, 0, 2, 60, true),
        row("procpool", 2160, 4000, 0, 2, 8000, true),
        row("async+procs", 2100, 4000, 0, 2, 8000, false),
    };
    sl_report r = {.scenario = "cpu", .title = "t", .cores = 2, .rows = rows, .n_rows = 4};
    char why[640];
    /* The plain pool before the hybrid, though the hybrid was faster. */
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_non_null(strstr(why, "(threads was 8% faster, within the noise: the rule decides)"));

    /* No GIL anywhere: threads, even a little slower than the pool. */
    for (int i = 0; i < 4; i++)
        rows[i].gil = SL_GIL_OFF;
    rows[1].stats.wall_ns = 2200000000ull;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "with no GIL (free-threaded CPython or C): threads compute on 2"));

    /* Beyond the tie the measurement wins, and the sentence says by how much. */
    rows[1].stats.wall_ns = 3000000000ull;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 3);
    assert_non_null(strstr(why, "async+procs measured clearly fastest (1.9x faster than "
                                "sequential), 43% ahead of threads, the rule's pick (threads "
                                "without a GIL) for cpu-bound work."));
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
    char why[640];
    /* gil (59 ms) and coroutines (62) tie with threads (60): threads. */
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why,
                           "io-bound (91% of the task time waits) with few fast waits (20 "
                           "tasks, waits of 10 ms): threads overlaps them with plain blocking"));

    /* The same tasks waiting 350 ms each: slow waits, an event loop. */
    for (int i = 0; i < 5; i++)
        rows[i].stats.io_ns = rows[i].stats.wait_ns = 7000ull * 1000 * 1000;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_non_null(strstr(why, "with slow waits (20 tasks, waits of 350 ms): coroutines overlaps "
                                "every wait on one thread at 35 KiB"));

    /* 2000 tasks with fast waits: many, an event loop too. */
    for (int i = 0; i < 5; i++) {
        rows[i].stats.tasks = rows[i].stats.completed = 2000;
        rows[i].stats.io_ns = rows[i].stats.wait_ns = 2000ull * 10 * 1000 * 1000;
    }
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_non_null(strstr(why, "with many waits (2000 tasks, waits of 10 ms)"));

    /* io-fast-few's shape: 4 tasks, ten 12 ms requests each in a row. 120 ms
     * of waiting per task, but each wait is fast: threads. */
    for (int i = 0; i < 5; i++) {
        rows[i].stats.tasks = rows[i].stats.completed = 4;
        rows[i].stats.io_ns = rows[i].stats.wait_ns = 4ull * 120 * 1000 * 1000;
        rows[i].stats.io_waits = 40;
    }
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "with few fast waits (4 tasks, waits of 12 ms)"));
    for (int i = 0; i < 5; i++)
        rows[i].stats.io_waits = 0;

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
    char why[640];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 0);
    assert_string_equal(why, "no strategy ran clearly faster than plain sequential code here: "
                             "for this work, concurrency only added switching and waiting.");
}

/* A pipeline: sequential fails by design (its consumer waits for ever), so
 * it is no baseline; time blocked on the queue is waiting, not computing. */
static void failed_sequential_is_no_baseline(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 5000, 100, 0, 1, 400, true),
        row("threads", 900, 30, 150, 2, 70, true),
        row("coroutines", 1000, 30, 150, 1, 35, false),
    };
    rows[0].stats.failed = 1;
    rows[0].stats.completed = 19;
    snprintf(rows[0].error, sizeof(rows[0].error), "a take would wait forever");
    sl_report r = {.scenario = "pipe", .title = "t", .cores = 2, .rows = rows, .n_rows = 3};
    assert_int_equal(sl_report_baseline(&r), 2);
    assert_true(sl_report_speedup(&r, 0) == 0.0);
    assert_true(sl_report_speedup(&r, 2) == 1.0);
    char why[640];
    /* 30 ms computing against 150 ms blocked on the queue: io-bound. */
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "io-bound (83% of the task time waits)"));
    assert_non_null(strstr(why, "Sequential did not complete (by design: its tasks wait on each "
                                "other), so speedups are against coroutines"));
    /* The baseline itself wins: no "1.0x faster than coroutines". */
    rows[1].stats.wall_ns = 3000000000ull;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_null(strstr(why, "faster than coroutines"));
    rows[2].error[0] = 'x';
    assert_int_equal(sl_report_baseline(&r), -1);
    sl_report_recommend(&r, why, sizeof(why));
    assert_non_null(strstr(why, "no baseline for speedups"));
}

/* A run that lost updates is never recommended while another kept every
 * update, however much faster it ran, and the sentence says it was left
 * out; when every run lost some, the winner's losses are said. */
static void lost_updates_are_always_said(void **state)
{
    sl_report_row rows[] = {
        row("sequential", 4000, 4000, 0, 1, 400, true),
        row("processes", 2000, 4000, 0, 2, 8000, true),
        row("procpool", 2100, 4000, 0, 2, 8000, true),
    };
    for (int i = 0; i < 3; i++) {
        rows[i].n_counters = 1;
        rows[i].counter_expected[0] = 1200;
        rows[i].counter_actual[0] = 1200;
    }
    rows[1].counter_actual[0] = 700;
    sl_report r = {.scenario = "race", .title = "t", .cores = 2, .rows = rows, .n_rows = 3};
    char why[640];
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 2);
    assert_null(strstr(why, "But "));
    rows[2].stats.wall_ns = 4000000000ull;
    assert_int_not_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(
        why, "Left out: 1 run that lost updates of a shared counter (the most: processes, 500)"));
    rows[0].counter_actual[0] = 1100;
    rows[2].counter_actual[0] = 1000;
    assert_int_equal(sl_report_recommend(&r, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "But processes lost 500 updates of a shared counter"));
    assert_null(strstr(why, "Left out"));
}

/* What a run could use comes from the runtime model, not the measurement. */
static void cores_could_use_follows_the_runtime(void **state)
{
    sl_report_row t = row("threads", 1, 1, 0, 1, 1, true);
    t.stats.tasks = 20;
    assert_int_equal(sl_report_cores_could(&t, 2), 1);
    t.gil = SL_GIL_OFF;
    assert_int_equal(sl_report_cores_could(&t, 2), 2);
    sl_report_row g = row("gil", 1, 1, 0, 1, 1, true);
    g.gil = SL_GIL_OFF;
    assert_int_equal(sl_report_cores_could(&g, 8), 1);
    sl_report_row p = row("procpool", 1, 1, 0, 1, 1, true);
    p.workers = 4;
    assert_int_equal(sl_report_cores_could(&p, 8), 4);
    sl_report_row c = row("coroutines", 1, 1, 0, 1, 1, false);
    assert_int_equal(sl_report_cores_could(&c, 8), 1);
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
    char why[640];
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
    assert_non_null(strstr(buf, "io: Downloads (2 cores)\nruntime: CPython, GIL\n"));
    assert_non_null(strstr(buf, "blocking"));
    assert_non_null(strstr(buf, "lost"));
    assert_non_null(strstr(buf, "cores could"));
    /* Sequential has no vehicle: no memory nor creation per vehicle. */
    assert_non_null(strstr(buf, "sequential          -      yes      0%       1 / 1    1.00x      "
                                "none           -           -       -"));
    assert_non_null(strstr(buf, "coroutines          -       no     92%       1 / 1"));
    assert_non_null(strstr(buf, "5.9 us"));
    assert_non_null(strstr(buf, "recommended: coroutines - io-bound"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_bound_recommends_the_parallel_vehicle),
        cmocka_unit_test(cpu_bound_ties_follow_the_runtime),
        cmocka_unit_test(io_bound_ties_follow_the_lessons_rule),
        cmocka_unit_test(failed_sequential_is_no_baseline),
        cmocka_unit_test(lost_updates_are_always_said),
        cmocka_unit_test(cores_could_use_follows_the_runtime),
        cmocka_unit_test(sequential_wins_when_nothing_beats_it),
        cmocka_unit_test(runs_with_more_failures_are_never_recommended),
        cmocka_unit_test(verdict_table_has_every_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
