/*
 * test-scenario-objects.c - [queue], [counter], locks and the steps that
 * use them: what a loaded lesson holds, and every mistake with its exact
 * message and line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/scenario.h"

#define LESSON "[lesson]\ntitle = T\n"
#define QUEUE "[queue q]\ncapacity = 2\n"

static sl_scenario *parse_ok(const char *text)
{
    sl_scenario *sc = NULL;
    sl_diag d;
    int rc = sl_scenario_parse("objects.ini", text, &sc, &d);
    if (rc != 0)
        fail_msg("line %u: %s", d.line, d.message);
    return sc;
}

static void test_objects_loaded(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[run]\ntime_scale = 2\n"
                                      "[group prod]\ncount = 2\nstep = put jobs 3\n"
                                      "step = inc hits 5..5\n"
                                      "[task cons]\nstep = lock m\nstep = take jobs 6\n"
                                      "step = unlock m\nstep = lock n\nstep = unlock n\n"
                                      "[queue other]\ncapacity = 1\n"
                                      "[queue jobs]\ncapacity = 4\n"
                                      "[counter hits]\nwindow = 20us\nshared = yes\n"
                                      "[counter quiet]\nshared = no\n");
    assert_int_equal(sc->n_queues, 2);
    assert_string_equal(sc->queues[1].name, "jobs");
    assert_int_equal(sc->queues[1].capacity, 4);
    assert_int_equal(sc->queues[1].line, 17);
    assert_int_equal(sc->n_counters, 2);
    assert_string_equal(sc->counters[0].name, "hits");
    /* time_scale applies to the window, declared before or after it */
    assert_int_equal(sc->counters[0].window_ns, 40000);
    assert_int_equal(sc->counters[1].window_ns, 0);
    /* a plain counter is a copy per process; `shared = yes` is one for all */
    assert_true(sc->counters[0].shared);
    assert_false(sc->counters[1].shared);
    assert_int_equal(sc->n_locks, 2);
    assert_string_equal(sc->locks[0].name, "m");
    assert_int_equal(sc->locks[0].line, 10);
    assert_string_equal(sc->locks[1].name, "n");

    assert_int_equal(sc->n_tasks, 3);
    const sl_step *p = sl_task_steps(sc, 1);
    assert_int_equal(p[0].kind, SL_STEP_PUT);
    assert_int_equal(p[0].obj, 1);
    assert_int_equal(p[0].n, 3); /* counts are not scaled */
    assert_int_equal(p[1].kind, SL_STEP_INC);
    assert_int_equal(p[1].obj, 0);
    assert_int_equal(p[1].n, 5);
    const sl_step *c = sl_task_steps(sc, 2);
    assert_int_equal(c[0].kind, SL_STEP_LOCK);
    assert_int_equal(c[0].obj, 0);
    assert_int_equal(c[1].kind, SL_STEP_TAKE);
    assert_int_equal(c[1].n, 6);
    assert_int_equal(c[3].kind, SL_STEP_LOCK);
    assert_int_equal(c[3].obj, 1);
    assert_int_equal(c[4].kind, SL_STEP_UNLOCK);
    assert_string_equal(sl_step_kind_name(SL_STEP_UNLOCK), "unlock");

    /* inc windows count as cpu: 2 tasks x 5 x 40 us */
    uint64_t cpu, wait;
    sl_scenario_totals(sc, &cpu, &wait);
    assert_int_equal(cpu, 400000);
    sl_scenario_free(sc);
}

static void test_default_count_and_ranges(void **state)
{
    sl_scenario *sc = parse_ok(LESSON QUEUE "[group g]\ncount = 20\nstep = put q\n"
                                            "step = take q 1..3\n");
    bool varied = false;
    for (uint32_t t = 0; t < sc->n_tasks; t++) {
        const sl_step *s = sl_task_steps(sc, t);
        assert_int_equal(s[0].n, 1);
        assert_in_range(s[1].n, 1, 3);
        varied |= s[1].n != sl_task_steps(sc, 0)[1].n;
    }
    assert_true(varied);
    sl_scenario_free(sc);
}

static void test_summary_lists_objects(void **state)
{
    sl_scenario *sc = parse_ok(LESSON QUEUE "[counter c]\nwindow = 50us\n"
                                            "[task a]\nstep = lock m\nstep = put q 2\n"
                                            "step = inc c 10\nstep = unlock m\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sl_scenario_summary(sc, f);
    fclose(f);
    assert_non_null(strstr(buf, "  queue q: capacity 2  [line 3]\n"));
    assert_non_null(
        strstr(buf, "  counter c: from 0, window 50us, a copy per worker process  [line 5]\n"));
    assert_non_null(strstr(buf, "  lock m  [first used at line 8]\n"));
    assert_non_null(strstr(buf, "    lock m\n    put q 2\n    inc c 10\n    unlock m\n"));
    free(buf);
    sl_scenario_free(sc);
}

/* A program repeated keeps its pairs: each repetition locks and unlocks. */
static void test_repeat_keeps_pairs(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[task a]\nrepeat = 3\nstep = lock m\nstep = lock n\n"
                                      "step = unlock m\nstep = unlock n\n");
    assert_int_equal(sc->n_steps, 12);
    sl_scenario_free(sc);
}

typedef struct error_case {
    const char *name;
    const char *text;
    uint32_t line;
    const char *message;
} error_case;

static const error_case cases[] = {
    {"queue without capacity", LESSON "[queue q]\n[task a]\nstep = put q\n", 3,
     "queue 'q' has no capacity (add a line such as 'capacity = 4')"},
    {"queue capacity zero", LESSON "[queue q]\ncapacity = 0\n", 4,
     "capacity must be between 1 and 1000000, got 0"},
    {"queue capacity too large", LESSON "[queue q]\ncapacity = 1_000_001\n", 4,
     "capacity must be between 1 and 1000000, got 1_000_001"},
    {"queue capacity not a number", LESSON "[queue q]\ncapacity = lots\n", 4,
     "capacity must be a whole number, got 'lots'"},
    {"queue duplicate capacity", LESSON "[queue q]\ncapacity = 1\ncapacity = 2\n", 5,
     "duplicate key 'capacity' (first at line 4)"},
    {"queue unknown key", LESSON "[queue q]\nsize = 2\n", 4,
     "unknown key 'size' in [queue q] (expected capacity)"},
    {"queue without name", LESSON "[queue]\n", 3, "[queue] needs a name, e.g. [queue jobs]"},
    {"bad counter name", LESSON "[counter a/b]\n", 3,
     "bad counter name 'a/b' (use up to 40 letters, digits, '-', '_' or '.')"},
    {"duplicate object", LESSON QUEUE "[counter q]\n", 5,
     "duplicate name 'q' (first used at line 3)"},
    {"counter window too long", LESSON "[counter c]\nwindow = 2s\n", 4,
     "window must be at most 1s, got 2s"},
    {"counter bad window", LESSON "[counter c]\nwindow = 20\n", 4,
     "bad duration '20' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)"},
    {"counter unknown key", LESSON "[counter c]\nstart = 5\n", 4,
     "unknown key 'start' in [counter c] (expected window or shared)"},
    {"counter bad shared", LESSON "[counter c]\nshared = maybe\n", 4,
     "shared must be yes or no, got 'maybe'"},
    {"counter duplicate shared", LESSON "[counter c]\nshared = yes\nshared = no\n", 5,
     "duplicate key 'shared' (first at line 4)"},
    {"too many counters",
     LESSON "[counter c1]\n[counter c2]\n[counter c3]\n[counter c4]\n[counter c5]\n"
            "[counter c6]\n[counter c7]\n[counter c8]\n[counter c9]\n",
     11, "too many counters (at most 8)"},
    {"put unknown queue", LESSON QUEUE "[task a]\nstep = yield\nstep = put jobs\n", 7,
     "put to unknown queue 'jobs' (declare it with a [queue jobs] section)"},
    {"take unknown queue", LESSON "[task a]\nstep = take q 2\n", 4,
     "take from unknown queue 'q' (declare it with a [queue q] section)"},
    {"inc unknown counter", LESSON QUEUE "[task a]\nstep = inc q\n", 6,
     "inc of unknown counter 'q' (declare it with a [counter q] section)"},
    {"put without queue", LESSON "[task a]\nstep = put\n", 4,
     "put needs a queue name and an optional count, e.g. jobs 3"},
    {"inc extra", LESSON "[task a]\nstep = inc c 1 2\n", 4,
     "inc takes a counter name and an optional count, e.g. hits 100, got extra '2'"},
    {"lock extra", LESSON "[task a]\nstep = lock m n\n", 4,
     "lock takes a lock name, e.g. m, got extra 'n'"},
    {"bad object name", LESSON "[task a]\nstep = lock m!\n", 4,
     "bad name 'm!' (use up to 40 letters, digits, '-', '_' or '.')"},
    {"put count zero", LESSON QUEUE "[task a]\nstep = put q 0\n", 6,
     "bad count '0' (expected a whole number from 1 to 1000000, e.g. 3)"},
    {"take count too large", LESSON QUEUE "[task a]\nstep = take q 2000000\n", 6,
     "bad count '2000000' (expected a whole number from 1 to 1000000, e.g. 3)"},
    {"inc reversed range", LESSON "[task a]\nstep = inc c 5..2\n", 4,
     "range '5..2' is reversed (write the smaller value first)"},
    {"lock named like a queue", LESSON QUEUE "[task a]\nstep = lock q\nstep = unlock q\n", 6,
     "'q' is a queue (line 3); give the lock a name of its own"},
    {"lock never unlocked", LESSON "[group g]\ncount = 2\nstep = lock m\nstep = cpu 1ms\n", 5,
     "group 'g' never unlocks 'm' (locked at line 5); add 'step = unlock m'"},
    {"unlock without lock", LESSON "[task a]\nstep = cpu 1ms\nstep = unlock m\n", 5,
     "unlock 'm' without a matching 'lock m' before it in task 'a'"},
    {"lock twice", LESSON "[task a]\nstep = lock m\nstep = lock m\nstep = unlock m\n", 5,
     "lock 'm' again while task 'a' holds it (locked at line 4); locks are not re-entrant"},
    {"unlock twice", LESSON "[task a]\nstep = lock m\nstep = unlock m\nstep = unlock m\n", 6,
     "unlock 'm' without a matching 'lock m' before it in task 'a'"},
    {"too many locks",
     LESSON "[task a]\nstep = lock l1\nstep = lock l2\nstep = lock l3\nstep = lock l4\n"
            "step = lock l5\nstep = lock l6\nstep = lock l7\nstep = lock l8\n"
            "step = lock l9\nstep = lock l10\nstep = lock l11\nstep = lock l12\n"
            "step = lock l13\nstep = lock l14\nstep = lock l15\nstep = lock l16\n"
            "step = lock l17\n",
     20, "too many locks (at most 16)"},
};

static void check_error(void **state)
{
    const error_case *c = *state;
    sl_scenario *sc = (sl_scenario *)(uintptr_t)1;
    sl_diag d;
    int rc = sl_scenario_parse("lesson.ini", c->text, &sc, &d);
    assert_int_equal(rc, SL_EPARSE);
    assert_null(sc);
    assert_string_equal(d.message, c->message);
    assert_int_equal(d.line, c->line);
}

int main(void)
{
    size_t n = sizeof(cases) / sizeof(cases[0]);
    struct CMUnitTest *tests = calloc(n + 4, sizeof(*tests));
    tests[0] = (struct CMUnitTest){.name = "objects loaded", .test_func = test_objects_loaded};
    tests[1] = (struct CMUnitTest){.name = "default count and ranges",
                                   .test_func = test_default_count_and_ranges};
    tests[2] = (struct CMUnitTest){.name = "summary lists objects",
                                   .test_func = test_summary_lists_objects};
    tests[3] =
        (struct CMUnitTest){.name = "repeat keeps pairs", .test_func = test_repeat_keeps_pairs};
    for (size_t i = 0; i < n; i++)
        tests[4 + i] = (struct CMUnitTest){
            .name = cases[i].name, .test_func = check_error, .initial_state = (void *)&cases[i]};
    int rc = _cmocka_run_group_tests("scenario-objects", tests, n + 4, NULL, NULL);
    free(tests);
    return rc;
}
