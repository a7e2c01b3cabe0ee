/*
 * test-export-svg.c - the SVG timeline is well-formed XML and says what it should.
 *
 * A small XML checker (tag nesting, quoted attributes, entities, UTF-8,
 * one root) reads the picture back and gathers the text it shows, so the
 * test checks the title, the task names (escaped), the legend and the
 * axis, then the aggregated picture of many tasks.
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

/* ---- a small XML checker ------------------------------------------------ */

typedef struct xml {
    const char *p;
    char stack[32][32];
    int depth, roots;
    char *text; /* decoded character data of every element, one per line */
    size_t len;
    bool in_text_element;
} xml;

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static size_t read_name(const char *p)
{
    size_t n = 0;
    while (name_char(p[n], n == 0))
        n++;
    return n;
}

/* One character of text or attribute value; appends it decoded when `keep`.
 * Returns false on a bare '&', '<', a control character or bad UTF-8. */
static bool xml_char(xml *x, bool keep)
{
    const unsigned char *p = (const unsigned char *)x->p;
    char dec[8];
    size_t n = 1, used = 1;
    if (*p == '<' || (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r'))
        return false;
    if (*p == '&') {
        static const char *const ent[][2] = {
            {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
        size_t k;
        for (k = 0; k < 5; k++)
            if (strncmp(x->p, ent[k][0], strlen(ent[k][0])) == 0)
                break;
        if (k == 5)
            return false;
        strcpy(dec, ent[k][1]);
        used = strlen(ent[k][0]);
        n = 1;
    } else {
        n = *p < 0x80             ? 1
            : (*p & 0xe0) == 0xc0 ? 2
            : (*p & 0xf0) == 0xe0 ? 3
            : (*p & 0xf8) == 0xf0 ? 4
                                  : 0;
        if (n == 0 || (n == 2 && *p < 0xc2))
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        memcpy(dec, p, n);
        used = n;
    }
    if (keep) {
        x->text = realloc(x->text, x->len + n + 2);
        memcpy(x->text + x->len, dec, n);
        x->len += n;
        x->text[x->len] = '\0';
    }
    x->p += used;
    return true;
}

static bool attributes(xml *x)
{
    char seen[16][32];
    int n_seen = 0;
    for (;;) {
        bool space = false;
        while (*x->p == ' ' || *x->p == '\n') {
            x->p++;
            space = true;
        }
        if (*x->p == '>' || (x->p[0] == '/' && x->p[1] == '>'))
            return true;
        size_t n = read_name(x->p);
        if (!space || n == 0 || n >= 32 || x->p[n] != '=' || x->p[n + 1] != '"')
            return false;
        for (int i = 0; i < n_seen; i++)
            if (strlen(seen[i]) == n && strncmp(seen[i], x->p, n) == 0)
                return false; /* duplicate attribute */
        if (n_seen < 16) {
            memcpy(seen[n_seen], x->p, n);
            seen[n_seen++][n] = '\0';
        }
        x->p += n + 2;
        while (*x->p != '"')
            if (*x->p == '\0' || !xml_char(x, false))
                return false;
        x->p++;
    }
}

static bool xml_check(const char *doc, xml *x)
{
    memset(x, 0, sizeof *x);
    x->text = calloc(1, 1);
    x->p = doc;
    if (strncmp(x->p, "<?xml ", 6) == 0) {
        const char *end = strstr(x->p, "?>");
        if (!end)
            return false;
        x->p = end + 2;
    }
    while (*x->p) {
        if (*x->p != '<') {
            if (x->depth == 0 && *x->p != '\n' && *x->p != ' ')
                return false; /* text outside the root */
            if (!xml_char(x, x->in_text_element))
                return false;
            continue;
        }
        x->p++;
        bool closing = *x->p == '/';
        x->p += closing;
        size_t n = read_name(x->p);
        if (n == 0 || n >= 32)
            return false;
        char name[32];
        memcpy(name, x->p, n);
        name[n] = '\0';
        x->p += n;
        if (closing) {
            if (*x->p != '>' || x->depth == 0 || strcmp(x->stack[x->depth - 1], name) != 0)
                return false;
            x->p++;
            x->depth--;
            if (x->in_text_element) {
                x->text = realloc(x->text, x->len + 2);
                x->text[x->len++] = '\n';
                x->text[x->len] = '\0';
            }
            x->in_text_element = false;
            continue;
        }
        if (!attributes(x))
            return false;
        if (x->depth == 0 && ++x->roots > 1)
            return false;
        if (*x->p == '/') {
            x->p += 2;
            continue;
        }
        x->p++;
        if (x->depth == 32)
            return false;
        strcpy(x->stack[x->depth++], name);
        x->in_text_element = strcmp(name, "text") == 0 || strcmp(name, "title") == 0;
    }
    return x->depth == 0 && x->roots == 1;
}

static bool shows(const xml *x, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = x->text; (p = strstr(p, line)) != NULL; p++)
        if ((p == x->text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

/* ---- the pictures -------------------------------------------------------- */

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

/* A finished trace of these events. */
static sl_trace *trace_of(const sl_trace_meta *meta, const char *const *names, const sl_event *ev,
                          size_t n)
{
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, meta, names), 0);
    assert_int_equal(sl_trace_append(t, ev, n), 0);
    return t;
}

static char *svg_of(sl_trace *t)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_int_equal(sl_export_svg(t, f), 0);
    fclose(f);
    return buf;
}

static void test_checker_rejects(void **state)
{
    static const char *const bad[] = {
        "<a><b></a></b>",
        "<a>&</a>",
        "<a x=1/>",
        "<a>",
        "<a/><b/>",
        "<a x=\"<\"/>",
        "<a>\x01</a>",
        "<a x=\"1\"x=\"2\"/>",
        "<a x=\"1\" x=\"2\"/>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xml x;
        assert_false(xml_check(bad[i], &x));
        free(x.text);
    }
    xml x;
    assert_true(
        xml_check("<?xml version=\"1.0\"?>\n<a k=\"&amp;\"><text>x &lt; y</text></a>\n", &x));
    assert_true(shows(&x, "x < y"));
    free(x.text);
}

static void test_svg_small(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, QUEUE, 1, 0, 1, 0),
        EV(0, SPAWN, 2, 0, 0, 0),
        EV(1000000, RUN, 0, 0, 0, 0),
        EV(1000000, RUN, 2, 0, 0, 1),
        EV(2000000, BLOCK, 0, SL_WAIT_IO, 0, 0),
        EV(2000000, READY, 1, 3, 0, 0),
        EV(2500000, RUN, 1, 0, 0, 0),
        EV(4000000, WAKE, 0, 1, 0, 0),
        EV(4000000, EXIT, 2, SL_EXIT_FAILED, 9, 1),
        EV(4500000, RUN, 0, 0, 0, 1),
        EV(6000000, EXIT, 1, SL_EXIT_CANCELLED, 0, 0),
        EV(6500000, EXIT, 0, SL_EXIT_OK, 0, 1),
        EV(7000000, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    };
    static const char *const names[] = {"fetch", "a<b & \"c\"", "crunch"};
    sl_trace_meta meta = {
        .scenario = "demo", .title = "Demo <&>", .strategy = "threads", .n_tasks = 3, .cores = 2};
    sl_trace *t = trace_of(&meta, names, ev, sizeof ev / sizeof ev[0]);
    char *svg = svg_of(t);
    xml x;
    assert_true(xml_check(svg, &x));
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));

    assert_true(shows(&x, "Demo <&> \xe2\x80\x94 threads"));
    for (int i = 0; i < 3; i++)
        assert_true(shows(&x, names[i]));
    static const char *const legend[] = {"running", "ready",  "waiting",  "queued",
                                         "done",    "failed", "cancelled"};
    for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++) {
        assert_true(shows(&x, legend[i]));
        char id[40];
        snprintf(id, sizeof id, "<pattern id=\"st-%s\"", legend[i]);
        assert_non_null(strstr(svg, id));
    }
    assert_true(shows(&x, "core 0") && shows(&x, "core 1"));
    /* 7 ms: ticks every 1 ms, 0 to 7. */
    assert_true(shows(&x, "0") && shows(&x, "7") && !shows(&x, "8"));
    assert_true(shows(&x, "time (ms)"));
    /* A span wide enough is labelled with its wait reason. */
    assert_true(shows(&x, "io"));
    free(x.text);
    free(svg);
    sl_trace_free(t);
}

/* A pool's worker processes: a lane each, their start-up drawn `starting`
 * from the request to the worker being up and labelled with its length;
 * the tasks' lanes keep them queued. A run without them has no such lane. */
static void test_svg_pool_workers(void **state)
{
    static const sl_event ev[] = {
        EV(0, SPAWN, 0, 0, 0, 0),
        EV(0, QUEUE, 0, 0, 1, 0),
        EV(0, START, SL_NO_TASK, SL_START_WORKER, 0, 0),
        EV(0, START, SL_NO_TASK, SL_START_WORKER, 1, 0),
        EV(40000000, START, SL_NO_TASK, SL_START_WORKER_UP, 0, 0),
        EV(50000000, START, SL_NO_TASK, SL_START_WORKER_UP, 1, 0),
        EV(51000000, READY, 0, SL_READY_WORKER, 0, 0),
        EV(52000000, RUN, 0, 0, 0, 0),
        EV(100000000, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(100000000, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    };
    static const char *const names[] = {"fetch"};
    sl_trace_meta meta = {.scenario = "demo", .strategy = "procpool", .n_tasks = 1, .cores = 2};
    sl_trace *t = trace_of(&meta, names, ev, sizeof ev / sizeof ev[0]);
    char *svg = svg_of(t);
    xml x;
    assert_true(xml_check(svg, &x));
    assert_non_null(strstr(svg, "<g id=\"workers\">"));
    assert_true(shows(&x, "worker 0") && shows(&x, "worker 1"));
    assert_true(shows(&x, "start-up 40.0 ms") && shows(&x, "start-up 50.0 ms"));
    free(x.text);
    free(svg);
    sl_trace_free(t);

    /* The same run without the workers' events: no worker lane. */
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        if (ev[i].kind != SL_EV_START)
            assert_int_equal(sl_trace_append(t, &ev[i], 1), 0);
    svg = svg_of(t);
    assert_null(strstr(svg, "id=\"workers\""));
    free(svg);
    sl_trace_free(t);
}

static void test_svg_aggregated(void **state)
{
    enum { N = 300 };
    sl_event *ev = calloc(3 * N, sizeof *ev);
    for (uint32_t i = 0; i < N; i++) {
        ev[i] = (sl_event)EV(i * 1000ull, SPAWN, i, 0, 0, 0);
        ev[N + i] = (sl_event)EV(N * 1000ull + i * 10000ull, RUN, i, 0, 0, i % 2);
        ev[2 * N + i] = (sl_event)EV(N * 1000ull + i * 10000ull + 5000, EXIT, i, 0, 0, i % 2);
    }
    /* Time order: interleave the RUN/EXIT pairs. */
    sl_event *sorted = calloc(3 * N, sizeof *sorted);
    memcpy(sorted, ev, N * sizeof *ev);
    for (uint32_t i = 0; i < N; i++) {
        sorted[N + 2 * i] = ev[N + i];
        sorted[N + 2 * i + 1] = ev[2 * N + i];
    }
    sl_trace_meta meta = {.scenario = "many", .strategy = "threads", .n_tasks = N, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, sorted, 3 * N), 0);
    char *svg = svg_of(t);
    xml x;
    assert_true(xml_check(svg, &x));
    assert_non_null(strstr(svg, "<g id=\"groups\">"));
    assert_true(shows(&x, "tasks 0-2"));
    assert_true(shows(&x, "tasks 270-272"));
    assert_non_null(strstr(x.text, "3 tasks per lane"));
    assert_false(shows(&x, "task-299"));
    assert_true(strlen(svg) < 4u << 20);
    free(x.text);
    free(svg);
    sl_trace_free(t);
    free(ev);
    free(sorted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_rejects),
        cmocka_unit_test(test_svg_small),
        cmocka_unit_test(test_svg_aggregated),
        cmocka_unit_test(test_svg_pool_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
