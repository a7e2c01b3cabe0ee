/*
 * test-scenario-errors.c - every class of mistake, with its exact message.
 *
 * Each row is its own cmocka test: a file, the line the error must name and
 * the sentence a lecturer will read. Messages are part of the interface:
 * changing one should make this file fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/scenario.h"

#define LESSON "[lesson]\ntitle = T\n"
#define TASK "[task a]\nstep = yield\n"

typedef struct error_case {
    const char *name;
    const char *text;
    uint32_t line;
    const char *message;
} error_case;

static const error_case cases[] = {
    {"unknown section", LESSON "[groups x]\n", 3,
     "unknown section [groups x] (expected [lesson], [run], [group NAME], [task NAME], "
     "[queue NAME] or [counter NAME])"},
    {"unknown key in run", LESSON "[run]\nseeds = 3\n" TASK, 4,
     "unknown key 'seeds' in [run] (expected seed, workers, chunksize, gil_interval, "
     "gil, offload, time_scale, pace, start)"},
    {"pace out of range", LESSON "[run]\npace = 900ms\n" TASK, 4,
     "pace must be between 1s and 600s, got 900ms"},
    {"start fork", LESSON "[run]\nstart = fork\n" TASK, 4,
     "start must be forkserver or spawn, got 'fork' (fork is not offered: forking a "
     "multi-threaded process is unsafe)"},
    {"unknown key in lesson", LESSON "author = me\n" TASK, 3,
     "unknown key 'author' in [lesson] (expected title, caption, strategies)"},
    {"unknown key in group", LESSON "[group g]\nsteps = cpu 1ms\n", 4,
     "unknown key 'steps' in [group g] (expected count, repeat, step)"},
    {"count in task", LESSON "[task a]\ncount = 3\n", 4,
     "[task] has no count (use [group a] for many tasks like it)"},
    {"missing lesson", TASK, 0, "missing [lesson] section with a title"},
    {"missing title", "[lesson]\ncaption = c\n" TASK, 1, "[lesson] has no title"},
    {"empty title", "[lesson]\ntitle =\n" TASK, 2, "title is empty"},
    {"group without step", LESSON "[group g]\ncount = 2\n" TASK, 3,
     "group 'g' has no step (add a line such as 'step = cpu 2ms')"},
    {"task without step at end", LESSON TASK "[task b]\n", 5,
     "task 'b' has no step (add a line such as 'step = cpu 2ms')"},
    {"count zero", LESSON "[group g]\ncount = 0\nstep = yield\n", 4,
     "count must be between 1 and 10000000, got 0"},
    {"count absurd", LESSON "[group g]\ncount = 10_000_001\nstep = yield\n", 4,
     "count must be between 1 and 10000000, got 10_000_001"},
    {"count not a number", LESSON "[group g]\ncount = twenty\nstep = yield\n", 4,
     "count must be a whole number, got 'twenty'"},
    {"count beyond 64 bits", LESSON "[group g]\ncount = 99999999999999999999999\n", 4,
     "count must be between 1 and 10000000, got 99999999999999999999999"},
    {"malformed duration", LESSON "[task a]\nstep = cpu 3xs\n", 4,
     "bad duration '3xs' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)"},
    {"duration without unit", LESSON "[task a]\nstep = sleep 300\n", 4,
     "bad duration '300' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)"},
    {"duration with empty fraction", LESSON "[task a]\nstep = sleep 1.s\n", 4,
     "bad duration '1.s' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)"},
    {"negative duration", LESSON "[task a]\nstep = sleep -5ms\n", 4,
     "bad duration '-5ms' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)"},
    {"duration finer than ns", LESSON "[task a]\nstep = cpu 1.5ns\n", 4,
     "duration '1.5ns' is finer than 1ns"},
    {"duration too long", LESSON "[task a]\nstep = sleep 3601s\n", 4,
     "duration '3601s' is too long (at most 3600s)"},
    {"zero duration", LESSON "[task a]\nstep = cpu 0ms\n", 4,
     "cpu duration must be greater than 0"},
    {"reversed range", LESSON "[task a]\nstep = io 1200ms..300ms\n", 4,
     "range '1200ms..300ms' is reversed (write the smaller value first)"},
    {"reversed size range", LESSON "[task a]\nstep = io 1ms 20k..1k\n", 4,
     "range '20k..1k' is reversed (write the smaller value first)"},
    {"unknown step", LESSON "\n\n\n\n\n\n\n[group page]\ncount = 2\n\nstep = iox 3ms\n", 13,
     "unknown step 'iox' (expected cpu, cpu-sumsq, io, get, sleep, yield, put, take, inc, "
     "lock, unlock)"},
    {"empty step", LESSON "[task a]\nstep =\n", 4,
     "empty step (expected cpu, cpu-sumsq, io, get, sleep, yield, put, take, inc, lock, "
     "unlock)"},
    {"missing argument", LESSON "[task a]\nstep = sleep\n", 4,
     "sleep needs one duration, e.g. 2ms"},
    {"extra argument", LESSON "[task a]\nstep = io 1ms 2k 3k\n", 4,
     "io takes a delay and an optional size, e.g. 300ms 20k, got extra '3k'"},
    {"yield argument", LESSON "[task a]\nstep = yield 1ms\n", 4,
     "yield takes no argument, got extra '1ms'"},
    {"bad size", LESSON "[task a]\nstep = io 1ms 20kb\n", 4,
     "bad size '20kb' (expected bytes with an optional k or M suffix, e.g. 20k)"},
    {"size too large", LESSON "[task a]\nstep = io 1ms 2048M\n", 4,
     "size '2048M' is too large (at most 1024M)"},
    {"bad sumsq", LESSON "[task a]\nstep = cpu-sumsq i + 10\n", 4,
     "bad cpu-sumsq count 'i+10' (expected a whole number, optionally '+ i', e.g. 10_000_000 + "
     "i)"},
    {"sumsq zero", LESSON "[task a]\nstep = cpu-sumsq 0 + i\n", 4,
     "cpu-sumsq count must be at least 1"},
    {"get without http", LESSON "[task a]\nstep = get ftp://example.org/\n", 4,
     "get needs an http:// or https:// URL, got 'ftp://example.org/'"},
    {"duplicate group name", LESSON "[group g]\nstep = yield\n[task g]\nstep = yield\n", 5,
     "duplicate name 'g' (first used at line 3)"},
    {"task name clash",
     LESSON "[task page-7]\nstep = yield\n\n[group page]\ncount = 20\nstep = yield\n", 6,
     "task 'page-7' (line 3) looks like a task of group 'page' (line 6), whose tasks are named "
     "page-0, page-1, ...; rename one"},
    {"duplicate key", LESSON "[run]\nseed = 1\nworkers = 2\nseed = 3\n" TASK, 6,
     "duplicate key 'seed' (first at line 4)"},
    {"duplicate section", LESSON "[run]\n[run]\n" TASK, 4,
     "duplicate section [run] (first at line 3)"},
    {"workers zero", LESSON "[run]\nworkers = 0\n" TASK, 4,
     "workers must be between 1 and 4096, got 0"},
    {"workers too many", LESSON "[run]\nworkers = 4097\n" TASK, 4,
     "workers must be between 1 and 4096, got 4097"},
    {"gil interval too long", LESSON "[run]\ngil_interval = 20s\n" TASK, 4,
     "gil_interval must be between 1us and 10s, got 20s"},
    {"gil interval too short", LESSON "[run]\ngil_interval = 500ns\n" TASK, 4,
     "gil_interval must be between 1us and 10s, got 500ns"},
    {"gil neither on nor off", LESSON "[run]\ngil = yes\n" TASK, 4,
     "gil must be on or off, got 'yes'"},
    {"gil twice", LESSON "[run]\ngil = on\ngil = off\n" TASK, 5,
     "duplicate key 'gil' (first at line 4)"},
    {"offload unknown", LESSON "[run]\noffload = sleep\n" TASK, 4,
     "offload must be cpu, io or all, got 'sleep'"},
    {"time scale zero", LESSON "[run]\ntime_scale = 0.0\n" TASK, 4,
     "time_scale must be greater than 0 and at most 1000, got 0.0"},
    {"time scale too large", LESSON "[run]\ntime_scale = 1000.5\n" TASK, 4,
     "time_scale must be greater than 0 and at most 1000, got 1000.5"},
    {"time scale not a number", LESSON "[run]\ntime_scale = 1e3\n" TASK, 4,
     "time_scale must be a number such as 0.5 or 2, got '1e3'"},
    {"bad strategies", LESSON "strategies = threads; gil\n" TASK, 3,
     "strategies must be a comma-separated list of names such as 'sequential, threads', got "
     "'threads; gil'"},
    {"no tasks", LESSON "[run]\nseed = 3\n", 0,
     "no tasks: add a [group NAME] or [task NAME] section"},
    {"too many tasks", LESSON "[group a]\ncount = 10000000\nstep = yield\n[task b]\nstep = yield\n",
     6, "task 'b' brings the scenario to 10000001 tasks (at most 10000000)"},
    {"too many steps", LESSON "[group a]\ncount = 9000000\nstep = yield\nstep = yield\n", 4,
     "group 'a' brings the scenario to 18000000 steps (at most 16777216); lower its count or "
     "repeat"},
    {"key before section", "title = T\n" LESSON TASK, 1,
     "key 'title' before any section (start with [lesson])"},
    {"line without equals", LESSON "[task a]\nstep cpu 1ms\n", 4,
     "expected 'key = value', got 'step cpu 1ms'"},
    {"line without equals at end", LESSON TASK "oops", 5, "expected 'key = value', got 'oops'"},
    {"missing key", LESSON "= 3\n" TASK, 3, "missing key before '='"},
    {"header without bracket", LESSON "[group g\n", 3, "section header has no closing ']'"},
    {"text after header", LESSON "[run] now\n" TASK, 3, "unexpected text after ']': 'now'"},
    {"lesson with a name", "[lesson one]\n", 1, "[lesson] takes no name, got 'one'"},
    {"group without name", LESSON "[group]\n", 3, "[group] needs a name, e.g. [group page]"},
    {"bad group name", LESSON "[group a/b]\n", 3,
     "bad group name 'a/b' (use up to 40 letters, digits, '-', '_' or '.')"},
    {"invalid utf-8", LESSON "[task a]\nstep = sleep 1\xffms\n", 4,
     "invalid UTF-8 byte 0xff at column 15"},
    {"overlong utf-8", LESSON "caption = \xC0\xAF\n" TASK, 3,
     "invalid UTF-8 byte 0xc0 at column 11"},
    {"control character", LESSON "caption = bell\a\n" TASK, 3,
     "control character 0x07 at column 15"},
    {"line too long",
     LESSON "caption = "
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxx\n" TASK,
     3, "line is too long (199 bytes, at most 198)"},
};

static void check_error(void **state)
{
    const error_case *c = *state;
    sl_scenario *sc = (sl_scenario *)(uintptr_t)1;
    sl_diag d;
    int rc = sl_scenario_parse("lesson.ini", c->text, &sc, &d);
    assert_int_equal(rc, SL_EPARSE);
    assert_null(sc);
    assert_string_equal(d.file, "lesson.ini");
    assert_string_equal(d.message, c->message);
    assert_int_equal(d.line, c->line);
}

static void test_nul_byte(void **state)
{
    static const char text[] = LESSON "[task a]\nstep = yi\0eld\n";
    sl_scenario *sc = NULL;
    sl_diag d;
    assert_int_equal(sl_scenario_parse_bytes("nul.ini", text, sizeof(text) - 1, &sc, &d),
                     SL_EPARSE);
    assert_null(sc);
    char msg[512];
    sl_diag_format(&d, msg, sizeof(msg));
    assert_string_equal(msg, "nul.ini:4: NUL byte at column 10 (this is not a text file)");
}

static void test_file_too_large(void **state)
{
    size_t len = SL_SCENARIO_MAX_FILE + 1;
    char *text = malloc(len);
    memset(text, '\n', len);
    sl_scenario *sc = NULL;
    sl_diag d;
    assert_int_equal(sl_scenario_parse_bytes("big.ini", text, len, &sc, &d), SL_EPARSE);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.message, "file is too large (at most 1048576 bytes)");
    free(text);
}

static void test_missing_file(void **state)
{
    sl_scenario *sc = NULL;
    sl_diag d;
    assert_int_equal(sl_scenario_load("/nonexistent/x.ini", &sc, &d), SL_ENOENT);
    assert_null(sc);
    char msg[512];
    sl_diag_format(&d, msg, sizeof(msg));
    assert_string_equal(msg, "/nonexistent/x.ini: cannot open: No such file or directory");
    assert_int_equal(sl_scenario_load("/", &sc, &d), SL_ENOTREG);
    assert_string_equal(d.message,
                        "a directory, not a regular file (schedlab reads only regular files)");
}

static void test_first_error_wins(void **state)
{
    sl_scenario *sc = NULL;
    sl_diag d;
    assert_int_equal(sl_scenario_parse("x.ini", LESSON "[run]\nworkers = 0\nbogus = 1\n", &sc, &d),
                     SL_EPARSE);
    assert_int_equal(d.line, 4);
    assert_int_equal(sl_scenario_parse("x.ini", NULL, &sc, &d), SL_EPARSE);
    assert_string_equal(d.message, "missing [lesson] section with a title");
    assert_int_equal(sl_scenario_parse("x.ini", LESSON, NULL, &d), SL_EINVAL);
}

int main(void)
{
    size_t n = sizeof(cases) / sizeof(cases[0]);
    struct CMUnitTest *tests = calloc(n + 4, sizeof(*tests));
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){
            .name = cases[i].name, .test_func = check_error, .initial_state = (void *)&cases[i]};
    tests[n] = (struct CMUnitTest){.name = "nul byte", .test_func = test_nul_byte};
    tests[n + 1] = (struct CMUnitTest){.name = "file too large", .test_func = test_file_too_large};
    tests[n + 2] = (struct CMUnitTest){.name = "missing file", .test_func = test_missing_file};
    tests[n + 3] =
        (struct CMUnitTest){.name = "first error wins", .test_func = test_first_error_wins};
    int rc = _cmocka_run_group_tests("scenario-errors", tests, n + 4, NULL, NULL);
    free(tests);
    return rc;
}
