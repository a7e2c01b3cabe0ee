/*
 * test-export-perfetto.c - the Perfetto JSON of a small trace, parsed back.
 *
 * jansson parses the output strictly (RFC 8259: no trailing commas, no raw
 * control characters, valid UTF-8, no duplicate keys); the test then checks
 * the events against the spans and the model of the same trace, so the file
 * is both valid and true.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"

/* ---- reading the JSON ---------------------------------------------------- */

/* Strict: a duplicate key would let two writers disagree unseen. */
static json_t *parse(const char *text, json_error_t *err)
{
    return json_loads(text, JSON_REJECT_DUPLICATES, err);
}

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool is(const json_t *obj, const char *key, const char *text)
{
    const char *t = str(obj, key);
    return t && strcmp(t, text) == 0;
}

static long long integer(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}

/* A time in µs with three decimals (1000.123) as ns (1000123), exactly. */
static uint64_t ns(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fail_msg("\"%s\" is not a number", key);
    double us = json_number_value(v);
    assert_true(us >= 0);
    return (uint64_t)llround(us * 1000);
}

/* ---- the trace ----------------------------------------------------------- */

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static const sl_event events[] = {
    EV(0, SPAWN, 0, 0, 0, 0),
    EV(0, SPAWN, 1, 0, 0, 0),
    EV(0, QUEUE, 2, 0, 1, 0),
    EV(1000123, SWITCH, 0, 0, SL_NO_TASK, 0),
    EV(1000123, RUN, 0, 0, 0, 0),
    EV(1500000, RUN, 1, 0, 0, 1),
    EV(2000250, BLOCK, 0, SL_WAIT_IO, 0, 0),
    EV(2000250, READY, 2, SL_READY_WORKER, 0, 0),
    EV(2500000, GIL_TAKE, 2, 0, 500, 0),
    EV(2500000, RUN, 2, 0, 0, 0),
    EV(3000000, YIELD, 1, 0, 0, 1),
    EV(3000000, SWITCH, SL_NO_TASK, 0, 1, 1),
    EV(4000000, WAKE, 0, SL_WAIT_IO, 0, 1),
    EV(4500000, EXIT, 2, SL_EXIT_OK, 0, 0),
    EV(4700000, RUN, 0, 0, 1, 0),
    EV(5000000, RUN, 1, 0, 1, 1),
    EV(6000000, EXIT, 0, SL_EXIT_OK, 0, 0),
    EV(6500000, EXIT, 1, SL_EXIT_FAILED, 9, 1),
    EV(7000000, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
};
static const char *const names[] = {"main", "say \"hi\"\\", "tab\there\xff"};
static const char *const decoded[] = {"main", "say \"hi\"\\", "tab\there\xef\xbf\xbd"};

typedef struct fixture {
    sl_trace *trace;
    char *json;
    json_t *root;
    json_t *ev; /* traceEvents */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    sl_trace_meta meta = {
        .scenario = "demo", .title = "Demo <&>", .strategy = "threads", .n_tasks = 3, .cores = 2};
    assert_int_equal(sl_trace_new(&fx->trace, &meta, names), 0);
    assert_int_equal(sl_trace_append(fx->trace, events, sizeof events / sizeof events[0]), 0);
    size_t size = 0;
    FILE *f = open_memstream(&fx->json, &size);
    assert_int_equal(sl_export_perfetto(fx->trace, f), 0);
    fclose(f);
    json_error_t err;
    fx->root = parse(fx->json, &err);
    if (!fx->root)
        fail_msg("perfetto output:%d:%d: %s", err.line, err.column, err.text);
    fx->ev = json_object_get(fx->root, "traceEvents");
    assert_true(json_is_array(fx->ev));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    json_decref(fx->root);
    free(fx->json);
    sl_trace_free(fx->trace);
    free(fx);
    return 0;
}

static const json_t *args_of(const json_t *e)
{
    return json_object_get(e, "args");
}

static void test_parser_is_strict(void **state)
{
    /* What the exporter must never write is what the parser must reject, or
     * the other tests prove nothing. */
    static const char *const bad[] = {
        "{\"a\":1,}", "[1 2]", "{\"a\":\"x\ty\"}",  "[\"\xff\"]", "[01]", "{\"a\" 1}",
        "[1.]",       "",      "{\"a\":1,\"a\":2}",
    };
    json_error_t err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = parse(bad[i], &err);
        if (v)
            fail_msg("accepted bad JSON #%zu: %s", i, bad[i]);
    }
    json_t *v = parse("{\"a\":[1,-2.5e3,null,true,\"\\u00e9\"]}", &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "a"), 4)), "\xc3\xa9");
    json_decref(v);
}

static void test_metadata(void **state)
{
    fixture *fx = *state;
    assert_true(is(fx->root, "displayTimeUnit", "ms"));
    assert_true(is(json_object_get(fx->root, "otherData"), "title", "Demo <&>"));
    int threads = 0, process = 0;
    size_t i;
    json_t *e;
    json_array_foreach(fx->ev, i, e)
    {
        if (!is(e, "ph", "M"))
            continue;
        assert_int_equal(integer(e, "pid"), 1);
        if (is(e, "name", "process_name")) {
            assert_true(is(args_of(e), "name", "demo \xc2\xb7 threads"));
            process++;
        } else if (is(e, "name", "thread_name")) {
            long long tid = integer(e, "tid");
            assert_in_range(tid, 1, 3);
            assert_string_equal(str(args_of(e), "name"), decoded[tid - 1]);
            threads++;
        }
    }
    assert_int_equal(process, 1);
    assert_int_equal(threads, 3);
}

static const json_t *find_x(const fixture *fx, long long tid, uint64_t ts_ns)
{
    size_t i;
    const json_t *e;
    json_array_foreach(fx->ev, i, e)
    {
        if (is(e, "ph", "X") && integer(e, "tid") == tid && ns(e, "ts") == ts_ns)
            return e;
    }
    return NULL;
}

static void test_slices(void **state)
{
    fixture *fx = *state;
    sl_spans s;
    assert_int_equal(sl_spans_build(fx->trace, &s), 0);
    size_t xs = 0, i;
    const json_t *e;
    json_array_foreach(fx->ev, i, e) xs += is(e, "ph", "X");
    assert_int_equal(xs, s.n);
    for (size_t k = 0; k < s.n; k++) {
        e = find_x(fx, s.v[k].task + 1, s.v[k].start_ns);
        assert_non_null(e);
        assert_int_equal(ns(e, "dur"), s.v[k].end_ns - s.v[k].start_ns);
        const char *state_name = sl_state_name(s.v[k].state);
        assert_memory_equal(str(e, "name"), state_name, strlen(state_name));
    }
    sl_spans_free(&s);

    e = find_x(fx, 1, 1000123);
    assert_true(is(e, "name", "running") && ns(e, "dur") == 1000127);
    assert_int_equal(integer(args_of(e), "core"), 0);
    e = find_x(fx, 1, 2000250);
    assert_true(is(e, "name", "waiting: io") && ns(e, "dur") == 1999750);
    assert_true(is(args_of(e), "reason", "io"));
    e = find_x(fx, 3, 0);
    assert_true(is(e, "name", "queued") && ns(e, "dur") == 2000250);
    e = find_x(fx, 3, 2000250);
    assert_true(is(e, "name", "ready: worker") && ns(e, "dur") == 499750);
    e = find_x(fx, 2, 6500000);
    assert_true(is(e, "name", "failed") && ns(e, "dur") == 500000);
}

static void test_counters(void **state)
{
    fixture *fx = *state;
    sl_model m;
    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    long long last_ready = -1, last_waiting = -1, ready_at_3ms = -1;
    int queued = 0, cores = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(fx->ev, i, e)
    {
        if (!is(e, "ph", "C"))
            continue;
        uint64_t t = ns(e, "ts");
        sl_model_seek(&m, fx->trace, t);
        const json_t *a = args_of(e);
        if (is(e, "name", "ready")) {
            long long ready = integer(a, "ready");
            assert_int_equal(ready, m.count[SL_ST_READY] + m.preempted);
            /* Emitted only when the value changes. */
            assert_true(ready != last_ready);
            last_ready = ready;
            if (t <= 3000000)
                ready_at_3ms = ready;
        } else if (is(e, "name", "waiting")) {
            long long waiting = integer(a, "waiting");
            assert_int_equal(waiting, m.count[SL_ST_WAITING]);
            assert_true(waiting != last_waiting);
            last_waiting = waiting;
        } else if (is(e, "name", "queued")) {
            assert_int_equal(integer(a, "queued"), m.count[SL_ST_QUEUED]);
            queued++;
        } else {
            assert_true(is(e, "name", "cores busy"));
            for (int c = 0; c < 2; c++) {
                char key[16];
                snprintf(key, sizeof key, "cpu%d", c);
                assert_int_equal(integer(a, key), m.core_task[c] != SL_NO_TASK);
            }
            cores++;
        }
    }
    /* At 3 ms task 1 has yielded (ready), 0 waits on io, 2 runs. */
    assert_int_equal(ready_at_3ms, 1);
    assert_int_equal(queued, 2); /* 1 at the start, 0 when the worker picks it */
    assert_true(cores >= 4);
    sl_model_free(&m);
}

static void test_instants_and_flows(void **state)
{
    fixture *fx = *state;
    const json_t *s = NULL, *f = NULL;
    int switches = 0, gil = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(fx->ev, i, e)
    {
        if (is(e, "ph", "s")) {
            assert_null(s);
            s = e;
        } else if (is(e, "ph", "f")) {
            assert_null(f);
            f = e;
        } else if (is(e, "ph", "i") && is(e, "name", "switch")) {
            if (ns(e, "ts") == 1000123) {
                assert_true(is(e, "s", "t") && integer(e, "tid") == 1);
                assert_true(is(args_of(e), "to", "main"));
                assert_true(json_is_null(json_object_get(args_of(e), "from")));
            } else {
                assert_true(ns(e, "ts") == 3000000 && is(e, "s", "p"));
                assert_true(is(args_of(e), "from", decoded[1]));
            }
            switches++;
        } else if (is(e, "ph", "i") && is(e, "name", "gil-take")) {
            assert_true(integer(e, "tid") == 3 && ns(e, "ts") == 2500000);
            assert_int_equal(ns(args_of(e), "wait_us"), 500);
            gil++;
        }
    }
    assert_int_equal(switches, 2);
    assert_int_equal(gil, 1);
    /* The one WAKE (task 0 at 4 ms) flows to its next RUN (4.7 ms). */
    assert_non_null(s);
    assert_non_null(f);
    assert_true(json_equal(json_object_get(s, "id"), json_object_get(f, "id")));
    assert_true(is(s, "cat", "wake") && is(f, "cat", "wake"));
    assert_true(is(s, "name", "wake") && is(f, "name", "wake"));
    assert_true(integer(s, "tid") == 1 && ns(s, "ts") == 4000000);
    assert_true(integer(f, "tid") == 1 && ns(f, "ts") == 4700000);
    assert_true(is(f, "bp", "e"));
}

/* A pool's workers being created: a "workers starting" counter that rises
 * with each request and falls as each worker is up. */
static void test_workers_starting_counter(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, QUEUE, 0, 0, 1, 0),
        EV(1000, START, SL_NO_TASK, SL_START_WORKER, 0, 0),
        EV(2000, START, SL_NO_TASK, SL_START_WORKER, 1, 0),
        EV(3000000, START, SL_NO_TASK, SL_START_WORKER_UP, 0, 0),
        EV(4000000, START, SL_NO_TASK, SL_START_WORKER_UP, 1, 0),
        EV(4001000, READY, 0, SL_READY_WORKER, 0, 0),
        EV(4002000, RUN, 0, 0, 0, 0),
        EV(5000000, EXIT, 0, SL_EXIT_OK, 0, 0),
    };
    static const char *const one[] = {"fetch"};
    sl_trace_meta meta = {.scenario = "demo", .strategy = "procpool", .n_tasks = 1, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, one), 0);
    assert_int_equal(sl_trace_append(t, ev, sizeof ev / sizeof ev[0]), 0);
    char *json = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&json, &size);
    assert_int_equal(sl_export_perfetto(t, f), 0);
    fclose(f);
    json_error_t err;
    json_t *root = parse(json, &err);
    assert_non_null(root);
    const json_t *all = json_object_get(root, "traceEvents"), *e;
    size_t i;
    long long seen[8];
    size_t n = 0;
    json_array_foreach(all, i, e)
    {
        if (is(e, "ph", "C") && is(e, "name", "workers starting") && n < 8)
            seen[n++] = integer(args_of(e), "workers starting");
    }
    assert_int_equal(n, 4);
    assert_true(seen[0] == 1 && seen[1] == 2 && seen[2] == 1 && seen[3] == 0);
    json_decref(root);
    free(json);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser_is_strict),
        cmocka_unit_test_setup_teardown(test_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instants_and_flows, setup, teardown),
        cmocka_unit_test(test_workers_starting_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
