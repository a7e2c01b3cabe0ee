/*
 * test-scenario.c - loading good scenarios: exact tasks, steps and draws.
 *
 * Error messages live in test-scenario-errors.c, random input in
 * test-scenario-fuzz.c. Here: what a correct file turns into, the shipped
 * lessons, seeded ranges, `+ i`, time_scale, set_task_count, lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedlab/error.h"
#include "schedlab/scenario.h"

#define LESSON "[lesson]\ntitle = T\n"

static sl_scenario *parse_ok(const char *text)
{
    sl_scenario *sc = NULL;
    sl_diag d;
    int rc = sl_scenario_parse("t.ini", text, &sc, &d);
    if (rc != 0) {
        char msg[600];
        sl_diag_format(&d, msg, sizeof(msg));
        fail_msg("unexpected error: %s", msg);
    }
    assert_non_null(sc);
    return sc;
}

static const sl_step *step_of(const sl_scenario *sc, uint32_t task, uint32_t i)
{
    assert_true(task < sc->n_tasks);
    assert_true(i < sc->tasks[task].n_steps);
    return &sl_task_steps(sc, task)[i];
}

static void test_exact_tasks_and_steps(void **state)
{
    sl_scenario *sc = parse_ok("; a comment\n"
                               "# another\n"
                               "[lesson]\n"
                               "title = Two kinds\n"
                               "caption = First half,\n"
                               "caption = second half.\n"
                               "strategies = sequential,threads ,  coroutines\n"
                               "[run]\n"
                               "seed = 42\n"
                               "workers = 5\n"
                               "chunksize = 3\n"
                               "gil_interval = 2.5ms\n"
                               "gil = off\n"
                               "offload = io\n"
                               "[group page]\n"
                               "count = 3\n"
                               "step = io 300ms 20k\n"
                               "step = cpu 2ms\n"
                               "[task solo]\n"
                               "  step = sleep 100ms   ; indented, inline comment\n"
                               "\tstep = yield\n"
                               "step = get https://example.org/x?y=1\n"
                               "step = cpu-sumsq 1_000 + i\n"
                               "step = io 1.5s\n");
    assert_string_equal(sc->path, "t.ini");
    assert_string_equal(sc->name, "t");
    assert_string_equal(sc->title, "Two kinds");
    assert_string_equal(sc->caption, "First half, second half.");
    assert_string_equal(sc->strategies, "sequential, threads, coroutines");
    assert_int_equal(sc->seed, 42);
    assert_int_equal(sc->workers, 5);
    assert_int_equal(sc->chunksize, 3);
    assert_int_equal(sc->gil_interval_ns, 2500000);
    assert_int_equal(sc->gil, SL_GIL_OFF);
    assert_int_equal(sc->offload, SL_OFFLOAD_IO);
    assert_true(sc->time_scale == 1.0);

    assert_int_equal(sc->n_groups, 2);
    assert_string_equal(sc->groups[0].name, "page");
    assert_int_equal(sc->groups[0].line, 15);
    assert_int_equal(sc->groups[0].count, 3);
    assert_string_equal(sc->groups[1].name, "solo");
    assert_int_equal(sc->groups[1].count, 1);

    assert_int_equal(sc->n_tasks, 4);
    assert_int_equal(sc->n_steps, 3 * 2 + 5);
    const char *names[] = {"page-0", "page-1", "page-2", "solo"};
    for (uint32_t t = 0; t < 4; t++) {
        assert_string_equal(sc->tasks[t].name, names[t]);
        assert_int_equal(sc->tasks[t].group, t < 3 ? 0 : 1);
        assert_int_equal(sc->tasks[t].n_steps, t < 3 ? 2 : 5);
    }
    for (uint32_t t = 0; t < 3; t++) {
        const sl_step *io = step_of(sc, t, 0), *cpu = step_of(sc, t, 1);
        assert_int_equal(io->kind, SL_STEP_IO);
        assert_int_equal(io->line, 17);
        assert_int_equal(io->ns, 300000000);
        assert_int_equal(io->n, 20 * 1024);
        assert_int_equal(cpu->kind, SL_STEP_CPU);
        assert_int_equal(cpu->line, 18);
        assert_int_equal(cpu->ns, 2000000);
    }
    const sl_step *s = sl_task_steps(sc, 3);
    assert_int_equal(s[0].kind, SL_STEP_SLEEP);
    assert_int_equal(s[0].ns, 100000000);
    assert_int_equal(s[0].line, 20);
    assert_int_equal(s[1].kind, SL_STEP_YIELD);
    assert_int_equal(s[2].kind, SL_STEP_GET);
    assert_string_equal(s[2].url, "https://example.org/x?y=1");
    assert_int_equal(s[3].kind, SL_STEP_CPU_SUMSQ);
    assert_int_equal(s[3].n, 1000); /* i = 0 for a task */
    assert_int_equal(s[4].kind, SL_STEP_IO);
    assert_int_equal(s[4].ns, 1500000000);
    assert_int_equal(s[4].n, 1024); /* default body */
    assert_int_equal(s[4].line, 24);
    sl_scenario_free(sc);
}

static void test_defaults_crlf_bom(void **state)
{
    sl_scenario *sc = parse_ok("\xEF\xBB\xBF[lesson]\r\ntitle = CRLF\r\n[task a]\r\nstep = "
                               "cpu 1us\r\n");
    assert_string_equal(sc->title, "CRLF");
    assert_null(sc->caption);
    assert_null(sc->strategies);
    assert_int_equal(sc->seed, 1);
    assert_int_equal(sc->workers, 4);
    assert_int_equal(sc->chunksize, 1);
    assert_int_equal(sc->gil_interval_ns, 5000000);
    assert_int_equal(sc->pace_ns, 0);
    /* The lessons are Python's: the GIL is on unless a scenario says off. */
    assert_int_equal(sc->gil, SL_GIL_ON);
    assert_int_equal(sc->offload, SL_OFFLOAD_ALL);
    assert_int_equal(sc->n_tasks, 1);
    assert_string_equal(sc->tasks[0].name, "a");
    assert_int_equal(step_of(sc, 0, 0)->ns, 1000);
    assert_int_equal(step_of(sc, 0, 0)->line, 4);
    sl_scenario_free(sc);
}

/* [run] pace: how long the TUI plays a run back. */
static void test_pace(void **state)
{
    sl_scenario *sc =
        parse_ok("[lesson]\ntitle = P\n[run]\npace = 12s\n[task a]\nstep = cpu 1us\n");
    assert_int_equal(sc->pace_ns, 12000000000ull);
    sl_scenario_free(sc);
}

static void test_longest_line(void **state)
{
    char text[512], caption[200];
    memset(caption, 'c', 188);
    caption[188] = '\0';
    /* "caption = " and 188 bytes: 198, the longest line libinih can take. */
    snprintf(text, sizeof(text), LESSON "caption = %s\r\n[task a]\nstep = yield", caption);
    sl_scenario *sc = parse_ok(text);
    assert_string_equal(sc->caption, caption);
    assert_int_equal(sc->n_tasks, 1); /* the last line needs no newline */
    sl_scenario_free(sc);
}

static void test_durations_and_sizes(void **state)
{
    static const struct {
        const char *step;
        uint64_t ns, n;
    } cases[] = {
        {"cpu 1.5s", 1500000000, 0},
        {"cpu 300ms", 300000000, 0},
        {"cpu 2us", 2000, 0},
        {"cpu 2\xC2\xB5s", 2000, 0},
        {"cpu 2\xCE\xBCs", 2000, 0},
        {"cpu 7ns", 7, 0},
        {"cpu 1_000ms", 1000000000, 0},
        {"cpu 0.001s", 1000000, 0},
        {"cpu 0.5us", 500, 0},
        {"io 0ms 0", 0, 0},
        {"io 1ms 5", 1000000, 5},
        {"io 1ms 3K", 1000000, 3072},
        {"io 1ms 2m", 1000000, 2097152},
        {"io 1ms 1_024", 1000000, 1024},
        {"sleep 3600s", 3600000000000ull, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), LESSON "[task a]\nstep = %s\n", cases[i].step);
        sl_scenario *sc = parse_ok(text);
        const sl_step *s = step_of(sc, 0, 0);
        if (s->ns != cases[i].ns || s->n != cases[i].n)
            fail_msg("'%s': ns %llu n %llu", cases[i].step, (unsigned long long)s->ns,
                     (unsigned long long)s->n);
        sl_scenario_free(sc);
    }
}

static void test_zero_padded_names(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[group one]\nstep = yield\n"
                                      "[group ten]\ncount = 10\nstep = yield\n"
                                      "[group eleven]\ncount = 11\nstep = yield\n"
                                      "[group big]\ncount = 101\nstep = yield\n");
    assert_int_equal(sc->n_tasks, 1 + 10 + 11 + 101);
    assert_string_equal(sc->tasks[0].name, "one-0");
    assert_string_equal(sc->tasks[1].name, "ten-0");
    assert_string_equal(sc->tasks[10].name, "ten-9");
    assert_string_equal(sc->tasks[11].name, "eleven-00");
    assert_string_equal(sc->tasks[21].name, "eleven-10");
    assert_string_equal(sc->tasks[22].name, "big-000");
    assert_string_equal(sc->tasks[122].name, "big-100");
    sl_scenario_free(sc);
}

static const char ranged[] = LESSON "[run]\nseed = %d\n"
                                    "[group page]\ncount = 200\n"
                                    "step = io 100ms..600ms 10k..300k\n"
                                    "step = cpu 1ms..3ms\n"
                                    "step = cpu-sumsq 5..9 + i\n";

static sl_scenario *parse_ranged(int seed)
{
    char text[512];
    snprintf(text, sizeof(text), ranged, seed);
    return parse_ok(text);
}

static void test_ranges_reproducible_and_bounded(void **state)
{
    sl_scenario *a = parse_ranged(42), *b = parse_ranged(42), *c = parse_ranged(43);
    assert_int_equal(a->n_steps, b->n_steps);
    assert_memory_equal(a->steps, b->steps, a->n_steps * sizeof(sl_step));
    size_t differ = 0;
    uint64_t io_min = UINT64_MAX, io_max = 0;
    for (uint32_t t = 0; t < a->n_tasks; t++) {
        const sl_step *s = sl_task_steps(a, t);
        assert_in_range(s[0].ns, 100000000, 600000000);
        assert_in_range(s[0].n, 10 * 1024, 300 * 1024);
        assert_in_range(s[1].ns, 1000000, 3000000);
        assert_in_range(s[2].n, 5 + t, 9 + t);
        io_min = s[0].ns < io_min ? s[0].ns : io_min;
        io_max = s[0].ns > io_max ? s[0].ns : io_max;
        differ += s[0].ns != sl_task_steps(c, t)[0].ns;
    }
    /* 200 draws spread over the range, and another seed draws differently. */
    assert_true(io_min < 150000000 && io_max > 550000000);
    assert_true(differ > 190);
    sl_scenario_free(a);
    sl_scenario_free(b);
    sl_scenario_free(c);
}

static void test_plus_i_spellings(void **state)
{
    const char *spellings[] = {"10000000+i", "10_000_000 + i", "10_000_000 +i", "10000000+ i"};
    for (size_t k = 0; k < 4; k++) {
        char text[256];
        snprintf(text, sizeof(text), LESSON "[group sum]\ncount = 20\nstep = cpu-sumsq %s\n",
                 spellings[k]);
        sl_scenario *sc = parse_ok(text);
        for (uint32_t t = 0; t < 20; t++)
            assert_int_equal(step_of(sc, t, 0)->n, 10000000 + t);
        sl_scenario_free(sc);
    }
    sl_scenario *sc = parse_ok(LESSON "[group sum]\ncount = 3\nstep = cpu-sumsq 77\n");
    for (uint32_t t = 0; t < 3; t++)
        assert_int_equal(step_of(sc, t, 0)->n, 77);
    sl_scenario_free(sc);
}

static void test_time_scale(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[run]\ntime_scale = 0.5\n"
                                      "[group g]\ncount = 2\n"
                                      "step = cpu 10ms\nstep = io 300ms 20k\n"
                                      "step = sleep 1s\nstep = cpu-sumsq 1000 + i\n"
                                      "step = cpu 1ns\n");
    assert_true(sc->time_scale == 0.5);
    for (uint32_t t = 0; t < 2; t++) {
        assert_int_equal(step_of(sc, t, 0)->ns, 5000000);
        assert_int_equal(step_of(sc, t, 1)->ns, 150000000);
        assert_int_equal(step_of(sc, t, 1)->n, 20 * 1024); /* bytes are not scaled */
        assert_int_equal(step_of(sc, t, 2)->ns, 500000000);
        assert_int_equal(step_of(sc, t, 3)->n, (1000 + t + 1) / 2); /* 500.5 rounds up */
        assert_int_equal(step_of(sc, t, 4)->ns, 1);                 /* rounds, never to 0 */
    }
    sl_scenario_free(sc);

    sc = parse_ok(LESSON "[run]\ntime_scale = 50\n[task a]\nstep = cpu-sumsq 10_000_000\n");
    assert_int_equal(step_of(sc, 0, 0)->n, 500000000);
    sl_scenario_free(sc);
}

static void test_repeat(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[group t]\ncount = 2\nrepeat = 3\n"
                                      "step = sleep 10ms..20ms\nstep = yield\n");
    assert_int_equal(sc->n_steps, 2 * 3 * 2);
    for (uint32_t t = 0; t < 2; t++) {
        assert_int_equal(sc->tasks[t].n_steps, 6);
        for (uint32_t i = 0; i < 6; i++) {
            const sl_step *s = step_of(sc, t, i);
            assert_int_equal(s->kind, i % 2 ? SL_STEP_YIELD : SL_STEP_SLEEP);
            assert_int_equal(s->line, i % 2 ? 7 : 6);
            if (i % 2 == 0)
                assert_in_range(s->ns, 10000000, 20000000);
        }
    }
    sl_scenario_free(sc);
}

static void test_totals(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[group g]\ncount = 4\n"
                                      "step = cpu 2ms\nstep = io 100ms\nstep = sleep 50ms\n"
                                      "step = cpu-sumsq 1000\nstep = get http://h/\n");
    uint64_t cpu, wait;
    sl_scenario_totals(sc, &cpu, &wait);
    assert_int_equal(cpu, 4 * (2000000 + 300)); /* sumsq: 0.3 ns per iteration */
    assert_int_equal(wait, 4 * 150000000);
    sl_scenario_free(sc);
}

static void test_set_task_count(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[group a]\ncount = 20\nstep = io 1ms..9ms\n"
                                      "[group b]\ncount = 10\nstep = cpu 1ms\n"
                                      "[task c]\nstep = yield\n");
    uint64_t a3 = step_of(sc, 3, 0)->ns;
    assert_int_equal(sl_scenario_set_task_count(sc, 310), 0);
    assert_int_equal(sc->n_tasks, 310);
    assert_int_equal(sc->groups[0].count, 200);
    assert_int_equal(sc->groups[1].count, 100);
    assert_int_equal(sc->groups[2].count, 10);
    assert_string_equal(sc->tasks[3].name, "a-003");
    assert_int_equal(step_of(sc, 3, 0)->ns, a3); /* the same draw for the same task */
    assert_string_equal(sc->tasks[300].name, "c-0");
    assert_int_equal(sc->n_steps, 310);

    assert_int_equal(sl_scenario_set_task_count(sc, 3), 0);
    assert_int_equal(sc->groups[0].count, 1);
    assert_int_equal(sc->groups[1].count, 1);
    assert_int_equal(sc->groups[2].count, 1);
    assert_string_equal(sc->tasks[2].name, "c");

    /* Proportion with "at least one each": 4 tasks over 1000:1:1. */
    assert_int_equal(sl_scenario_set_task_count(sc, 31), 0);
    assert_int_equal(sl_scenario_set_task_count(sc, 2), SL_EINVAL);
    assert_int_equal(sl_scenario_set_task_count(sc, SL_SCENARIO_MAX_TASKS + 1), SL_EINVAL);
    assert_int_equal(sc->n_tasks, 31); /* unchanged by the refusals */
    sl_scenario_free(sc);

    sc = parse_ok(LESSON "[group a]\ncount = 1000\nstep = yield\n[task b]\nstep = yield\n"
                         "[task c]\nstep = yield\n");
    assert_int_equal(sl_scenario_set_task_count(sc, 4), 0);
    assert_int_equal(sc->groups[0].count, 2);
    assert_int_equal(sc->groups[1].count, 1);
    assert_int_equal(sc->groups[2].count, 1);
    sl_scenario_free(sc);
}

static void test_million_tasks(void **state)
{
    sl_scenario *sc = parse_ok(LESSON "[group page]\ncount = 20\n"
                                      "step = io 100ms..600ms 10k..300k\nstep = cpu 1ms\n");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(sl_scenario_set_task_count(sc, 1000000), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    assert_int_equal(sc->n_tasks, 1000000);
    assert_int_equal(sc->n_steps, 2000000);
    assert_string_equal(sc->tasks[999999].name, "page-999999");
    assert_int_equal(sc->tasks[999999].first_step, 1999998);
    assert_true(sizeof(sl_step) <= 32);
    assert_true(s < 10.0); /* generous: about 0.1 s without sanitizers */
    sl_scenario_free(sc);
}

static void test_shipped_lessons(void **state)
{
    static const struct {
        const char *name;
        uint32_t tasks, workers;
    } lessons[] = {{"io-download", 20, 5}, {"cpu-sumsq", 20, 2}, {"mixed", 16, 4}};
    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.ini", SL_TEST_ASSETS, lessons[i].name);
        sl_scenario *sc = NULL;
        sl_diag d;
        int rc = sl_scenario_load(path, &sc, &d);
        if (rc != 0) {
            char msg[600];
            sl_diag_format(&d, msg, sizeof(msg));
            fail_msg("%s", msg);
        }
        assert_string_equal(sc->name, lessons[i].name);
        assert_int_equal(sc->n_tasks, lessons[i].tasks);
        assert_int_equal(sc->workers, lessons[i].workers);
        assert_non_null(sc->title);
        assert_true(sc->caption != NULL && strlen(sc->caption) > 200);
        assert_non_null(sc->strategies);
        sl_scenario_free(sc);
    }
}

static void test_io_download_lesson(void **state)
{
    sl_scenario *sc = NULL;
    assert_int_equal(sl_scenario_load(SL_TEST_ASSETS "/scenarios/io-download.ini", &sc, NULL), 0);
    assert_string_equal(sc->strategies,
                        "sequential, threads, threadpool, processes, coroutines, async+threads");
    /* The notes' run_in_executor(pool, blocking_download), under CPython. */
    assert_int_equal(sc->offload, SL_OFFLOAD_IO);
    assert_int_equal(sc->gil, SL_GIL_ON);
    for (uint32_t t = 0; t < sc->n_tasks; t++) {
        assert_int_equal(step_of(sc, t, 0)->kind, SL_STEP_IO);
        assert_in_range(step_of(sc, t, 0)->ns, 100000000, 600000000);
        assert_in_range(step_of(sc, t, 0)->n, 10 * 1024, 300 * 1024);
        assert_int_equal(step_of(sc, t, 1)->kind, SL_STEP_CPU);
        assert_int_equal(step_of(sc, t, 1)->ns, 1000000);
    }
    sl_scenario_free(sc);

    assert_int_equal(sl_scenario_load(SL_TEST_ASSETS "/scenarios/cpu-sumsq.ini", &sc, NULL), 0);
    for (uint32_t t = 0; t < 20; t++)
        assert_int_equal(step_of(sc, t, 0)->n, (uint64_t)(10000000 + t) * 50);
    sl_scenario_free(sc);
}

static void test_resolve_and_list(void **state)
{
    char buf[4096];
    assert_int_equal(sl_scenario_resolve("io-download", buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "scenarios/io-download.ini"));
    assert_int_equal(sl_scenario_resolve("mixed.ini", buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "scenarios/mixed.ini"));
    const char *path = SL_TEST_ASSETS "/scenarios/cpu-sumsq.ini";
    assert_int_equal(sl_scenario_resolve(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, path);
    assert_int_equal(sl_scenario_resolve("no-such-lesson", buf, sizeof(buf)), SL_ENOENT);
    assert_int_equal(sl_scenario_resolve("/nonexistent/x.ini", buf, sizeof(buf)), SL_ENOENT);
    assert_int_equal(sl_scenario_resolve("io-download", buf, 4), SL_EINVAL);

    char **names = NULL;
    int n = sl_scenario_list(&names);
    assert_true(n >= 3);
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0)
            assert_true(strcmp(names[i - 1], names[i]) < 0);
        found += strcmp(names[i], "io-download") == 0 || strcmp(names[i], "cpu-sumsq") == 0 ||
                 strcmp(names[i], "mixed") == 0;
    }
    assert_null(names[n]);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    assert_int_equal(found, 3);
}

/* [run] start: forkserver by default, as Python 3.14 on Linux; spawn on request. */
static void test_start_method(void **state)
{
    sl_scenario *sc = parse_ok("[lesson]\ntitle = t\n[task a]\nstep = yield\n");
    assert_int_equal(sc->start, SL_START_FORKSERVER);
    sl_scenario_free(sc);
    sc = parse_ok("[lesson]\ntitle = t\n[run]\nstart = spawn\n[task a]\nstep = yield\n");
    assert_int_equal(sc->start, SL_START_SPAWN);
    assert_string_equal(sl_start_method_name(sc->start), "spawn");
    sl_scenario_free(sc);
    assert_int_equal(sl_start_method_parse("fork"), SL_START_DEFAULT);
}

static void test_summary(void **state)
{
    sl_scenario *sc = parse_ok("[lesson]\ntitle = Sum\ncaption = A lesson.\n"
                               "[run]\ntime_scale = 2\n"
                               "[group page]\ncount = 12\nrepeat = 2\n"
                               "step = io 100ms..600ms 10k..300k\nstep = cpu-sumsq 10_000_000+i\n"
                               "[task solo]\nstep = sleep 1.5s\n");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sl_scenario_summary(sc, f);
    fclose(f);
    assert_non_null(strstr(text, "t: Sum\n"));
    assert_non_null(strstr(text, "  A lesson.\n"));
    assert_non_null(
        strstr(text, "gil on, gil_interval 5ms, offload all, time_scale 2, start forkserver\n"));
    assert_non_null(
        strstr(text, "  group page x12 (page-00 .. page-11), program repeated 2 times  [line 6]\n"
                     "    io 100ms..600ms 10k..300k\n"
                     "    cpu-sumsq 10_000_000 + i\n"));
    assert_non_null(strstr(text, "  task solo  [line 11]\n    sleep 1.5s\n"));
    assert_non_null(strstr(text, "13 tasks, 49 steps"));
    assert_non_null(strstr(text, "waiting "));
    free(text);
    sl_scenario_free(sc);
}

static void test_diag_format_and_names(void **state)
{
    sl_diag d = {.file = "io-download.ini", .line = 12, .message = "unknown step 'iox'"};
    char buf[128];
    sl_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "io-download.ini:12: unknown step 'iox'");
    d.line = 0;
    sl_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "io-download.ini: unknown step 'iox'");
    sl_diag_format(&d, buf, 6);
    assert_string_equal(buf, "io-do");

    assert_string_equal(sl_step_kind_name(SL_STEP_CPU), "cpu");
    assert_string_equal(sl_step_kind_name(SL_STEP_CPU_SUMSQ), "cpu-sumsq");
    assert_string_equal(sl_step_kind_name(SL_STEP_IO), "io");
    assert_string_equal(sl_step_kind_name(SL_STEP_GET), "get");
    assert_string_equal(sl_step_kind_name(SL_STEP_SLEEP), "sleep");
    assert_string_equal(sl_step_kind_name(SL_STEP_YIELD), "yield");
    assert_string_equal(sl_step_kind_name(SL_STEP__COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_tasks_and_steps),
        cmocka_unit_test(test_defaults_crlf_bom),
        cmocka_unit_test(test_pace),
        cmocka_unit_test(test_longest_line),
        cmocka_unit_test(test_durations_and_sizes),
        cmocka_unit_test(test_zero_padded_names),
        cmocka_unit_test(test_ranges_reproducible_and_bounded),
        cmocka_unit_test(test_plus_i_spellings),
        cmocka_unit_test(test_time_scale),
        cmocka_unit_test(test_repeat),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_set_task_count),
        cmocka_unit_test(test_million_tasks),
        cmocka_unit_test(test_shipped_lessons),
        cmocka_unit_test(test_io_download_lesson),
        cmocka_unit_test(test_resolve_and_list),
        cmocka_unit_test(test_start_method),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_diag_format_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
