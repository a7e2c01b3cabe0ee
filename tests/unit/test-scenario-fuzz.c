/*
 * test-scenario-fuzz.c - thousands of mangled files, each refused cleanly.
 *
 * A seeded mutator (so a failure reproduces) damages good scenarios byte by
 * byte and token by token; every result must either load into a consistent
 * scenario or fail with a message naming a line of the input. Run under
 * ASan/UBSan this is the cheap, always-on sibling of tests/fuzz/.
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

#define ITERATIONS 4000
#define MAX_TEXT 8192

static const char *const seeds[] = {
    "[lesson]\ntitle = Mixed\ncaption = a\ncaption = b\nstrategies = sequential, gil\n"
    "[run]\nseed = 42\nworkers = 5\nchunksize = 2\ngil_interval = 5ms\ntime_scale = 0.5\n"
    "[group page]\ncount = 12\nrepeat = 2\nstep = io 100ms..600ms 10k..300k\n"
    "step = cpu 1ms\nstep = cpu-sumsq 10_000 + i\n"
    "[task solo]\nstep = sleep 1.5s\nstep = yield\nstep = get http://127.0.0.1:1/x\n",
    "\xEF\xBB\xBF; bom\r\n[lesson]\r\ntitle = \xC2\xB5 CRLF\r\n[group g]\r\ncount = 3\r\n"
    "  step = sleep 2\xC2\xB5s..9us ; c\r\n",
};

static const char *const tokens[] = {
    "[",
    "]",
    "=",
    "..",
    "+ i",
    "\n",
    "\r",
    "\t",
    ";",
    "#",
    "[group x]\n",
    "[task y]\n",
    "[lesson]\n",
    "[run]\n",
    "step = ",
    "count = ",
    "repeat = 3\n",
    "cpu",
    "io",
    "get",
    "sleep",
    "yield",
    "cpu-sumsq",
    "ms",
    "us",
    "\xC2\xB5s",
    "ns",
    "s",
    "k",
    "M",
    "0",
    "1",
    "_",
    ".",
    "-",
    "99999999999999999999",
    "\xff",
    "\xC0\xAF",
    "\xE2\x82",
    "x-1",
    "http://",
    "page-07",
    "title = t\n",
    "time_scale = ",
    "1000",
    "0.0001",
    "\0",
};

static uint64_t rng_state;

static uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n == 0 ? 0 : (size_t)(next() % n);
}

static void insert(char *buf, size_t *len, size_t at, const char *s, size_t n)
{
    if (*len + n > MAX_TEXT)
        return;
    memmove(buf + at + n, buf + at, *len - at);
    memcpy(buf + at, s, n);
    *len += n;
}

/* Replaces one digit by another: numbers change, the file mostly stays valid. */
static void mutate_digit(char *buf, size_t len)
{
    size_t start = below(len);
    for (size_t i = 0; i < len; i++) {
        size_t at = (start + i) % len;
        if (buf[at] >= '0' && buf[at] <= '9') {
            buf[at] = (char)('0' + below(10));
            return;
        }
    }
}

/* Duplicates or deletes one whole line. */
static void mutate_line(char *buf, size_t *len)
{
    if (*len == 0)
        return;
    size_t from = below(*len);
    while (from > 0 && buf[from - 1] != '\n')
        from--;
    size_t to = from;
    while (to < *len && buf[to] != '\n')
        to++;
    if (to < *len)
        to++;
    if (below(2) == 0) {
        char line[MAX_TEXT];
        memcpy(line, buf + from, to - from);
        insert(buf, len, to, line, to - from);
    } else {
        memmove(buf + from, buf + to, *len - to);
        *len -= to - from;
    }
}

static void mutate(char *buf, size_t *len)
{
    size_t at = below(*len + 1);
    switch (below(12)) {
    case 0: /* flip a byte */
        if (*len > 0)
            buf[below(*len)] ^= (char)(1u << below(8));
        break;
    case 1: { /* a random byte */
        char c = (char)next();
        insert(buf, len, at, &c, 1);
        break;
    }
    case 2: { /* a token that means something to the grammar */
        size_t k = below(sizeof(tokens) / sizeof(tokens[0]));
        insert(buf, len, at, tokens[k],
               k == sizeof(tokens) / sizeof(tokens[0]) - 1 ? 1 : strlen(tokens[k]));
        break;
    }
    case 3: { /* delete a span */
        size_t n = below(*len - at + 1) % 16;
        memmove(buf + at, buf + at + n, *len - at - n);
        *len -= n;
        break;
    }
    case 4: { /* duplicate a span elsewhere */
        char span[64];
        size_t from = below(*len), n = below(sizeof(span));
        if (from + n > *len)
            n = *len - from;
        memcpy(span, buf + from, n);
        insert(buf, len, at, span, n);
        break;
    }
    case 5: /* a very long line */
        for (int i = 0; i < 30; i++)
            insert(buf, len, at, "xxxxxxxx", 8);
        break;
    case 6:
    case 7:
        mutate_digit(buf, *len);
        break;
    default:
        mutate_line(buf, len);
        break;
    }
}

static uint32_t count_lines(const char *buf, size_t len)
{
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\n';
    return n;
}

static void check_consistent(const sl_scenario *sc)
{
    size_t steps = 0;
    uint32_t tasks = 0;
    assert_non_null(sc->title);
    assert_true(sc->n_tasks > 0 && sc->n_groups > 0);
    for (uint32_t g = 0; g < sc->n_groups; g++)
        tasks += sc->groups[g].count;
    assert_int_equal(tasks, sc->n_tasks);
    for (uint32_t t = 0; t < sc->n_tasks; t++) {
        const sl_task *task = &sc->tasks[t];
        assert_true(task->group < sc->n_groups);
        assert_int_equal(task->first_step, steps);
        assert_true(task->name[0] != '\0');
        steps += task->n_steps;
        for (uint32_t i = 0; i < task->n_steps; i++) {
            const sl_step *s = &sl_task_steps(sc, t)[i];
            assert_true(s->kind < SL_STEP__COUNT);
            assert_true(s->line > 0);
            if (s->kind == SL_STEP_GET)
                assert_non_null(s->url);
        }
    }
    assert_int_equal(steps, sc->n_steps);
}

static void test_mutated_inputs(void **state)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    char *buf = malloc(MAX_TEXT);
    int loaded = 0, refused = 0;
    rng_state = 20261121;
    for (int it = 0; it < ITERATIONS; it++) {
        const char *seed = seeds[it % 2];
        size_t len = strlen(seed);
        memcpy(buf, seed, len);
        for (size_t m = 1 + below(3); m > 0; m--)
            mutate(buf, &len);

        sl_scenario *sc = NULL;
        sl_diag d;
        int rc = sl_scenario_parse_bytes("fuzz.ini", buf, len, &sc, &d);
        if (rc == 0) {
            loaded++;
            check_consistent(sc);
            sl_scenario_summary(sc, sink);
            if (sl_scenario_set_task_count(sc, sc->n_groups + (uint32_t)below(50)) == 0)
                check_consistent(sc);
            sl_scenario_free(sc);
        } else {
            refused++;
            assert_null(sc);
            assert_true(rc == SL_EPARSE);
            assert_true(d.message[0] != '\0');
            assert_true(d.line <= count_lines(buf, len));
        }
    }
    print_message("loaded %d, refused %d\n", loaded, refused);
    /* Both outcomes must be exercised, or the mutator is too weak or too harsh. */
    assert_true(loaded > ITERATIONS / 20);
    assert_true(refused > ITERATIONS / 4);
    free(buf);
    fclose(sink);
}

static void test_random_bytes(void **state)
{
    char buf[512];
    rng_state = 7;
    for (int it = 0; it < 2000; it++) {
        size_t len = below(sizeof(buf));
        for (size_t i = 0; i < len; i++)
            buf[i] = it % 2 ? (char)next() : " =[]\n;#abcdefgstuvkmi0123456789.+-_"[below(36)];
        sl_scenario *sc = NULL;
        sl_diag d;
        int rc = sl_scenario_parse_bytes("noise.ini", buf, len, &sc, &d);
        assert_true(rc == SL_EPARSE);
        assert_null(sc);
        assert_true(d.line <= count_lines(buf, len));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutated_inputs),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
