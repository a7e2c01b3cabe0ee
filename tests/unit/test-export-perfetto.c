/*
 * test-export-perfetto.c - the Perfetto JSON of a small trace, parsed back.
 *
 * A strict little JSON reader (RFC 8259: no trailing commas, no raw control
 * characters, valid UTF-8) turns the output into a tree; the test then
 * checks the events against the spans and the model of the same trace, so
 * the file is both valid and true.
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

#include "schedlab/export.h"

/* ---- a strict JSON reader ----------------------------------------------- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype type;
    char *text;         /* string (decoded) or number (as written) */
    struct jval *items; /* array items or object values */
    char **keys;        /* object keys */
    size_t n;
} jval;

typedef struct jreader {
    const char *p;
    bool bad;
} jreader;

static void ws(jreader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static void put_utf8(char **o, unsigned cp)
{
    if (cp < 0x80) {
        *(*o)++ = (char)cp;
    } else if (cp < 0x800) {
        *(*o)++ = (char)(0xc0 | cp >> 6);
        *(*o)++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *(*o)++ = (char)(0xe0 | cp >> 12);
        *(*o)++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *(*o)++ = (char)(0x80 | (cp & 0x3f));
    }
}

/* Bytes of one valid UTF-8 character at p, 0 if invalid. */
static size_t utf8_ok(const unsigned char *p)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xe0) == 0xc0 ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 2 && p[0] < 0xc2)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static char *jstring(jreader *r)
{
    if (*r->p != '"') {
        r->bad = true;
        return NULL;
    }
    r->p++;
    char *out = malloc(strlen(r->p) + 1), *o = out;
    while (*r->p != '"') {
        const unsigned char c = (unsigned char)*r->p;
        if (c == '\0' || c < 0x20) {
            r->bad = true;
            break;
        }
        if (c != '\\') {
            size_t n = utf8_ok((const unsigned char *)r->p);
            if (n == 0) {
                r->bad = true;
                break;
            }
            memcpy(o, r->p, n);
            o += n;
            r->p += n;
            continue;
        }
        r->p++;
        switch (*r->p) {
        case '"':
        case '\\':
        case '/':
            *o++ = *r->p;
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            unsigned cp = 0;
            for (int i = 1; i <= 4; i++) {
                char h = r->p[i];
                int v = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (v < 0)
                    r->bad = true;
                cp = cp * 16 + (unsigned)(v < 0 ? 0 : v);
            }
            r->p += 4;
            put_utf8(&o, cp);
            break;
        }
        default:
            r->bad = true;
        }
        if (r->bad)
            break;
        r->p++;
    }
    *o = '\0';
    if (!r->bad)
        r->p++;
    return out;
}

static bool digits(jreader *r)
{
    if (*r->p < '0' || *r->p > '9')
        return false;
    while (*r->p >= '0' && *r->p <= '9')
        r->p++;
    return true;
}

static void jvalue(jreader *r, jval *v);

static void jitems(jreader *r, jval *v, bool object)
{
    char close = object ? '}' : ']';
    r->p++;
    ws(r);
    if (*r->p == close) {
        r->p++;
        return;
    }
    for (;;) {
        v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
        v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
        v->keys[v->n] = NULL;
        memset(&v->items[v->n], 0, sizeof v->items[v->n]);
        v->n++;
        ws(r);
        if (object) {
            v->keys[v->n - 1] = jstring(r);
            ws(r);
            if (r->bad || *r->p != ':') {
                r->bad = true;
                return;
            }
            r->p++;
        }
        jvalue(r, &v->items[v->n - 1]);
        if (r->bad)
            return;
        ws(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == close) {
            r->p++;
            return;
        }
        r->bad = true;
        return;
    }
}

static void jvalue(jreader *r, jval *v)
{
    ws(r);
    const char *start = r->p;
    if (*r->p == '{') {
        v->type = J_OBJ;
        jitems(r, v, true);
    } else if (*r->p == '[') {
        v->type = J_ARR;
        jitems(r, v, false);
    } else if (*r->p == '"') {
        v->type = J_STR;
        v->text = jstring(r);
    } else if (strncmp(r->p, "null", 4) == 0) {
        v->type = J_NULL;
        r->p += 4;
    } else if (strncmp(r->p, "true", 4) == 0 || strncmp(r->p, "false", 5) == 0) {
        v->type = J_BOOL;
        r->p += *r->p == 't' ? 4 : 5;
    } else {
        v->type = J_NUM;
        if (*r->p == '-')
            r->p++;
        if (*r->p == '0')
            r->p++;
        else if (!digits(r))
            r->bad = true;
        if (*r->p == '.') {
            r->p++;
            if (!digits(r))
                r->bad = true;
        }
        if (*r->p == 'e' || *r->p == 'E') {
            r->p++;
            if (*r->p == '+' || *r->p == '-')
                r->p++;
            if (!digits(r))
                r->bad = true;
        }
        v->text = strndup(start, (size_t)(r->p - start));
    }
}

static void jfree(jval *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->text);
}

static bool jparse(const char *text, jval *out)
{
    jreader r = {.p = text};
    memset(out, 0, sizeof *out);
    jvalue(&r, out);
    ws(&r);
    return !r.bad && *r.p == '\0';
}

static const jval *jget(const jval *obj, const char *key)
{
    if (!obj || obj->type != J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

static const char *jtext(const jval *obj, const char *key)
{
    const jval *v = jget(obj, key);
    return v && (v->type == J_STR || v->type == J_NUM) ? v->text : NULL;
}

static bool jis(const jval *obj, const char *key, const char *text)
{
    const char *t = jtext(obj, key);
    return t && strcmp(t, text) == 0;
}

/* "1000.123" µs -> 1000123 ns, exactly. */
static uint64_t ts_ns(const char *s)
{
    char *end;
    uint64_t us = strtoull(s, &end, 10), frac = 0;
    assert_int_equal(*end, '.');
    assert_int_equal(strlen(end + 1), 3);
    frac = strtoull(end + 1, NULL, 10);
    return us * 1000 + frac;
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
    jval root;
    const jval *ev; /* traceEvents */
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
    assert_true(jparse(fx->json, &fx->root));
    fx->ev = jget(&fx->root, "traceEvents");
    assert_non_null(fx->ev);
    assert_int_equal(fx->ev->type, J_ARR);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    jfree(&fx->root);
    free(fx->json);
    sl_trace_free(fx->trace);
    free(fx);
    return 0;
}

static const jval *args_of(const jval *e)
{
    return jget(e, "args");
}

static void test_reader_rejects(void **state)
{
    /* The checker must be able to fail, or the other tests prove nothing. */
    static const char *const bad[] = {
        "{\"a\":1,}", "[1 2]", "{\"a\":\"x\ty\"}", "\"\xff\"", "[01]", "{\"a\" 1}", "[1.]", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jval v;
        assert_false(jparse(bad[i], &v));
        jfree(&v);
    }
    jval v;
    assert_true(jparse("{\"a\":[1,-2.5e3,null,true,\"\\u00e9\"]}", &v));
    assert_string_equal(jget(&v, "a")->items[4].text, "\xc3\xa9");
    jfree(&v);
}

static void test_metadata(void **state)
{
    fixture *fx = *state;
    assert_true(jis(&fx->root, "displayTimeUnit", "ms"));
    assert_true(jis(jget(&fx->root, "otherData"), "title", "Demo <&>"));
    int threads = 0, process = 0;
    for (size_t i = 0; i < fx->ev->n; i++) {
        const jval *e = &fx->ev->items[i];
        if (!jis(e, "ph", "M"))
            continue;
        assert_true(jis(e, "pid", "1"));
        if (jis(e, "name", "process_name")) {
            assert_true(jis(args_of(e), "name", "demo \xc2\xb7 threads"));
            process++;
        } else if (jis(e, "name", "thread_name")) {
            int tid = atoi(jtext(e, "tid"));
            assert_in_range(tid, 1, 3);
            assert_string_equal(jtext(args_of(e), "name"), decoded[tid - 1]);
            threads++;
        }
    }
    assert_int_equal(process, 1);
    assert_int_equal(threads, 3);
}

static const jval *find_x(const fixture *fx, int tid, const char *ts)
{
    for (size_t i = 0; i < fx->ev->n; i++) {
        const jval *e = &fx->ev->items[i];
        if (jis(e, "ph", "X") && atoi(jtext(e, "tid")) == tid && jis(e, "ts", ts))
            return e;
    }
    return NULL;
}

static void test_slices(void **state)
{
    fixture *fx = *state;
    sl_spans s;
    assert_int_equal(sl_spans_build(fx->trace, &s), 0);
    size_t xs = 0;
    for (size_t i = 0; i < fx->ev->n; i++)
        xs += jis(&fx->ev->items[i], "ph", "X");
    assert_int_equal(xs, s.n);
    for (size_t k = 0; k < s.n; k++) {
        char ts[32], dur[32];
        snprintf(ts, sizeof ts, "%llu.%03llu", (unsigned long long)(s.v[k].start_ns / 1000),
                 (unsigned long long)(s.v[k].start_ns % 1000));
        uint64_t d = s.v[k].end_ns - s.v[k].start_ns;
        snprintf(dur, sizeof dur, "%llu.%03llu", (unsigned long long)(d / 1000),
                 (unsigned long long)(d % 1000));
        const jval *e = find_x(fx, (int)s.v[k].task + 1, ts);
        assert_non_null(e);
        assert_string_equal(jtext(e, "dur"), dur);
        const char *state_name = sl_state_name(s.v[k].state);
        assert_memory_equal(jtext(e, "name"), state_name, strlen(state_name));
    }
    sl_spans_free(&s);

    const jval *e = find_x(fx, 1, "1000.123");
    assert_true(jis(e, "name", "running") && jis(e, "dur", "1000.127"));
    assert_true(jis(args_of(e), "core", "0"));
    e = find_x(fx, 1, "2000.250");
    assert_true(jis(e, "name", "waiting: io") && jis(e, "dur", "1999.750"));
    assert_true(jis(args_of(e), "reason", "io"));
    e = find_x(fx, 3, "0.000");
    assert_true(jis(e, "name", "queued") && jis(e, "dur", "2000.250"));
    e = find_x(fx, 3, "2000.250");
    assert_true(jis(e, "name", "ready: worker") && jis(e, "dur", "499.750"));
    e = find_x(fx, 2, "6500.000");
    assert_true(jis(e, "name", "failed") && jis(e, "dur", "500.000"));
}

static void test_counters(void **state)
{
    fixture *fx = *state;
    sl_model m;
    assert_int_equal(sl_model_init(&m, 3, 2), 0);
    const char *last_ready = NULL, *last_waiting = NULL, *ready_at_3ms = NULL;
    int queued = 0, cores = 0;
    for (size_t i = 0; i < fx->ev->n; i++) {
        const jval *e = &fx->ev->items[i];
        if (!jis(e, "ph", "C"))
            continue;
        uint64_t t = ts_ns(jtext(e, "ts"));
        sl_model_seek(&m, fx->trace, t);
        const jval *a = args_of(e);
        char want[16];
        if (jis(e, "name", "ready")) {
            snprintf(want, sizeof want, "%u", m.count[SL_ST_READY] + m.preempted);
            assert_string_equal(jtext(a, "ready"), want);
            /* Emitted only when the value changes. */
            assert_true(!last_ready || strcmp(last_ready, want) != 0);
            last_ready = jtext(a, "ready");
            if (t <= 3000000)
                ready_at_3ms = last_ready;
        } else if (jis(e, "name", "waiting")) {
            snprintf(want, sizeof want, "%u", m.count[SL_ST_WAITING]);
            assert_string_equal(jtext(a, "waiting"), want);
            assert_true(!last_waiting || strcmp(last_waiting, want) != 0);
            last_waiting = jtext(a, "waiting");
        } else if (jis(e, "name", "queued")) {
            snprintf(want, sizeof want, "%u", m.count[SL_ST_QUEUED]);
            assert_string_equal(jtext(a, "queued"), want);
            queued++;
        } else {
            assert_true(jis(e, "name", "cores busy"));
            for (int c = 0; c < 2; c++) {
                snprintf(want, sizeof want, "cpu%d", c);
                assert_true(jis(a, want, m.core_task[c] != SL_NO_TASK ? "1" : "0"));
            }
            cores++;
        }
    }
    /* At 3 ms task 1 has yielded (ready), 0 waits on io, 2 runs. */
    assert_non_null(ready_at_3ms);
    assert_string_equal(ready_at_3ms, "1");
    assert_int_equal(queued, 2); /* 1 at the start, 0 when the worker picks it */
    assert_true(cores >= 4);
    sl_model_free(&m);
}

static void test_instants_and_flows(void **state)
{
    fixture *fx = *state;
    const jval *s = NULL, *f = NULL;
    int switches = 0, gil = 0;
    for (size_t i = 0; i < fx->ev->n; i++) {
        const jval *e = &fx->ev->items[i];
        if (jis(e, "ph", "s")) {
            assert_null(s);
            s = e;
        } else if (jis(e, "ph", "f")) {
            assert_null(f);
            f = e;
        } else if (jis(e, "ph", "i") && jis(e, "name", "switch")) {
            if (jis(e, "ts", "1000.123")) {
                assert_true(jis(e, "s", "t") && jis(e, "tid", "1"));
                assert_true(jis(args_of(e), "to", "main"));
                assert_int_equal(jget(args_of(e), "from")->type, J_NULL);
            } else {
                assert_true(jis(e, "ts", "3000.000") && jis(e, "s", "p"));
                assert_true(jis(args_of(e), "from", decoded[1]));
            }
            switches++;
        } else if (jis(e, "ph", "i") && jis(e, "name", "gil-take")) {
            assert_true(jis(e, "tid", "3") && jis(e, "ts", "2500.000"));
            assert_true(jis(args_of(e), "wait_us", "0.500"));
            gil++;
        }
    }
    assert_int_equal(switches, 2);
    assert_int_equal(gil, 1);
    /* The one WAKE (task 0 at 4 ms) flows to its next RUN (4.7 ms). */
    assert_non_null(s);
    assert_non_null(f);
    assert_string_equal(jtext(s, "id"), jtext(f, "id"));
    assert_true(jis(s, "cat", "wake") && jis(f, "cat", "wake"));
    assert_true(jis(s, "name", "wake") && jis(f, "name", "wake"));
    assert_true(jis(s, "tid", "1") && jis(s, "ts", "4000.000"));
    assert_true(jis(f, "tid", "1") && jis(f, "ts", "4700.000"));
    assert_true(jis(f, "bp", "e"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_rejects),
        cmocka_unit_test_setup_teardown(test_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instants_and_flows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
