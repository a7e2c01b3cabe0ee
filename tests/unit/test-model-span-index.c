/*
 * test-model-span-index.c - a column found through the span index equals
 * the column summed from every span.
 *
 * A property over 1,000 random span sets from a seeded generator (spans
 * with gaps, zero lengths, the state "new", final states in the middle of a
 * task and at its end, runs on cores past the ones asked for, overlapping
 * runs on one core) and over folds of synthetic runs: for random windows
 * and lanes, a playhead walks each column in random steps (mostly forward,
 * sometimes back), and at every step the column that sl_lane_sweep and
 * sl_core_sweep give through the index must equal what sl_spans_columns()
 * and sl_spans_core_columns() give for that column cut there, busy time
 * included; sl_spans_core_history() must equal sl_spans_core_columns()
 * uncut.
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
#include "schedlab/model.h"
#include "seeded-rng.h"

#define N_SETS 1000
#define MAX_TASKS 40
#define MAX_COLS 24

/* Random spans, each task's in time order; *end gets the latest end. */
static void gen_spans(sl_spans *s, uint32_t n_tasks, uint32_t cores, uint64_t *end)
{
    size_t cap = (size_t)n_tasks * 24 + 1;
    s->v = malloc(cap * sizeof *s->v);
    s->first = malloc(((size_t)n_tasks + 1) * sizeof *s->first);
    assert_non_null(s->v);
    assert_non_null(s->first);
    s->n = 0;
    s->n_tasks = n_tasks;
    *end = 0;
    for (uint32_t t = 0; t < n_tasks; t++) {
        s->first[t] = s->n;
        uint64_t at = below(4) == 0 ? 0 : below(400);
        uint32_t k = below(4) == 0 ? 0 : below(23);
        for (uint32_t i = 0; i < k; i++) {
            at += below(3) == 0 ? below(30) : 0; /* a gap now and then */
            uint64_t len = below(5) == 0 ? 0 : below(4) == 0 ? below(600) : below(40);
            uint8_t st = below(4) == 0 ? SL_ST_RUNNING : (uint8_t)below(SL_ST__COUNT);
            s->v[s->n++] = (sl_span){.start_ns = at,
                                     .end_ns = at + len,
                                     .task = t,
                                     .state = st,
                                     .reason = (uint8_t)below(4),
                                     .core = st == SL_ST_RUNNING ? (uint16_t)below(cores + 2) : 0};
            at += len;
            *end = at > *end ? at : *end;
        }
    }
    s->first[n_tasks] = s->n;
}

/* Every column of one window, every lane split and a few limits, against
 * the full pass over that one column. */
static void check_window(const sl_spans *s, const sl_span_index *ix, uint32_t cores, uint64_t t0,
                         uint64_t dt, int n, int set)
{
    uint32_t n_tasks = s->n_tasks;
    uint32_t k = 1 + below(n_tasks ? n_tasks : 1);
    uint32_t first = below(n_tasks ? n_tasks : 1);
    int rows = (int)((n_tasks - first + k - 1) / k);
    uint32_t *ended = malloc(((size_t)rows * MAX_COLS * 3 + 1) * sizeof *ended);
    uint32_t *lane_ended = malloc(((size_t)rows * 3 + 1) * sizeof *lane_ended);
    uint8_t *got = malloc((size_t)rows + 1);
    assert_non_null(ended);
    assert_non_null(lane_ended);
    assert_non_null(got);
    for (int r = 0; r < rows; r++) {
        uint32_t a = first + (uint32_t)r * k, b = a + k < n_tasks ? a + k : n_tasks;
        assert_int_equal(
            sl_spans_ended_before(s, a, b, t0, dt, n, ended + (size_t)r * MAX_COLS * 3), 0);
    }
    sl_lane_sweep lw = {0};
    sl_core_sweep cw = {0};
    for (int c = 0; c < n; c++) {
        uint64_t cs = t0 + (uint64_t)c * dt;
        for (int r = 0; r < rows; r++)
            memcpy(lane_ended + (size_t)r * 3, ended + (size_t)r * MAX_COLS * 3 + (size_t)c * 3,
                   3 * sizeof *lane_ended);
        assert_int_equal(sl_lane_sweep_start(&lw, first, k, rows, cs, dt, lane_ended), 0);
        assert_int_equal(sl_core_sweep_start(&cw, cores, cs, dt), 0);
        /* The playhead walks the column in random steps, mostly forward,
         * from before it to past it, now and then stepping back. */
        uint64_t limit = cs > 3 ? cs - below(3) : cs;
        for (int step = 0; step < 12; step++) {
            limit =
                below(6) == 0 ? cs + below((uint32_t)dt + 1) : limit + below((uint32_t)dt / 3 + 2);
            if (step == 11)
                limit = UINT64_MAX;
            assert_int_equal(sl_lane_sweep_to(&lw, ix, s, limit, got), 0);
            for (int r = 0; r < rows; r++) {
                uint32_t a = first + (uint32_t)r * k, b = a + k < n_tasks ? a + k : n_tasks;
                uint8_t want;
                assert_int_equal(sl_spans_columns(s, a, b, cs, dt, limit, 1, &want), 0);
                if (got[r] != want)
                    fail_msg("set %d: lane [%u, %u) column %d step %d: swept %#x, full %#x", set, a,
                             b, c, step, got[r], want);
            }
            sl_core_cell want_c[8], got_c[8];
            uint64_t want_b[8], got_b[8];
            assert_int_equal(sl_spans_core_columns(s, cores, cs, dt, limit, 1, want_c, want_b), 0);
            assert_int_equal(sl_core_sweep_to(&cw, ix, s, limit, got_c, got_b), 0);
            for (uint32_t core = 0; core < cores; core++) {
                if (got_c[core].task != want_c[core].task ||
                    got_c[core].migrated != want_c[core].migrated ||
                    got_c[core].brief_run != want_c[core].brief_run || got_b[core] != want_b[core])
                    fail_msg("set %d: core %u column %d step %d: swept %u/%d/%d/%llu, full "
                             "%u/%d/%d/%llu",
                             set, core, c, step, got_c[core].task, got_c[core].migrated,
                             got_c[core].brief_run, (unsigned long long)got_b[core],
                             want_c[core].task, want_c[core].migrated, want_c[core].brief_run,
                             (unsigned long long)want_b[core]);
            }
        }
    }
    sl_lane_sweep_free(&lw);
    sl_core_sweep_free(&cw);
    free(ended);
    free(lane_ended);
    free(got);
}

/* The uncut history of every core equals the full pass, busy by column. */
static void check_history(const sl_spans *s, uint32_t cores, uint64_t t0, uint64_t dt, int n)
{
    sl_core_cell hist[8 * MAX_COLS], full[8 * MAX_COLS];
    uint64_t cols[8 * MAX_COLS], busy[8];
    assert_int_equal(sl_spans_core_history(s, cores, t0, dt, n, hist, cols), 0);
    assert_int_equal(sl_spans_core_columns(s, cores, t0, dt, UINT64_MAX, n, full, busy), 0);
    for (uint32_t core = 0; core < cores; core++) {
        uint64_t sum = 0;
        for (int c = 0; c < n; c++) {
            size_t i = (size_t)core * (size_t)n + (size_t)c;
            assert_int_equal(hist[i].task, full[i].task);
            assert_int_equal(hist[i].migrated, full[i].migrated);
            assert_int_equal(hist[i].brief_run, full[i].brief_run);
            sum += cols[i];
        }
        assert_int_equal(sum, busy[core]);
    }
}

static void check_spans(const sl_spans *s, uint32_t cores, uint64_t end, int set)
{
    sl_span_index ix = {0};
    assert_int_equal(sl_span_index_build(s, &ix), 0);
    for (int w = 0; w < 3; w++) {
        int n = 1 + (int)below(MAX_COLS);
        uint64_t t0 = w == 0 ? 0 : below((uint32_t)end + 1);
        uint64_t dt = 1 + (w == 0 ? end / (uint64_t)n : below(200));
        check_window(s, &ix, cores, t0, dt, n, set);
        check_history(s, cores, t0, dt, n);
    }
    /* A second build into the same index reuses it. */
    assert_int_equal(sl_span_index_build(s, &ix), 0);
    check_window(s, &ix, cores, 0, 1 + end / 7, 7, set);
    sl_span_index_free(&ix);
}

static void test_random_spans(void **state)
{
    (void)state;
    rng_state = UINT64_C(0x5DEECE66D);
    for (int set = 0; set < N_SETS; set++) {
        uint32_t n_tasks = below(MAX_TASKS + 1);
        uint32_t cores = 1 + below(4);
        sl_spans s;
        uint64_t end;
        gen_spans(&s, n_tasks, cores, &end);
        check_spans(&s, cores, end, set);
        free(s.v);
        free(s.first);
    }
}

/* Spans of real folds: a synthetic event loop and a synthetic scheduler. */
static void test_folded_traces(void **state)
{
    (void)state;
    rng_state = UINT64_C(0x2545F4914F6CDD1D);
    for (int i = 0; i < 12; i++) {
        sl_trace *tr;
        if (i == 0) /* thousands of tasks on one core in one column */
            assert_int_equal(sl_synth_loop_trace(&tr, 6000, 200), 0);
        else if (i % 2)
            assert_int_equal(sl_synth_loop_trace(&tr, 50 + below(300), 1 + below(40)), 0);
        else
            assert_int_equal(sl_synth_trace(&tr, 10 + below(60), 500 + below(5000), 1 + below(4)),
                             0);
        sl_spans s;
        assert_int_equal(sl_spans_build(tr, &s), 0);
        uint32_t cores = tr->meta.cores ? tr->meta.cores : 1;
        check_spans(&s, cores > 8 ? 8 : cores, sl_trace_end_ns(tr), 10000 + i);
        sl_spans_free(&s);
        sl_trace_free(tr);
    }
}

static void test_empty_and_errors(void **state)
{
    (void)state;
    sl_spans s = {.first = (size_t[]){0, 0}, .n_tasks = 1};
    sl_span_index ix = {0};
    assert_int_equal(sl_span_index_build(&s, &ix), 0);
    uint32_t ended[3] = {0};
    uint8_t out, want;
    sl_lane_sweep lw = {0};
    assert_int_equal(sl_lane_sweep_start(&lw, 0, 1, 1, 0, 10, ended), 0);
    assert_int_equal(sl_lane_sweep_to(&lw, &ix, &s, UINT64_MAX, &out), 0);
    assert_int_equal(sl_spans_columns(&s, 0, 1, 0, 10, UINT64_MAX, 1, &want), 0);
    assert_int_equal(out, want);
    assert_int_equal(out, SL_ST_NEW);
    assert_int_equal(sl_lane_sweep_start(&lw, 0, 0, 1, 0, 10, ended), SL_EINVAL);
    sl_lane_sweep_free(&lw);
    sl_core_sweep cw = {0};
    assert_int_equal(sl_core_sweep_start(&cw, 1, 0, 0), SL_EINVAL);
    assert_int_equal(sl_core_sweep_start(&cw, SL_MODEL_CORES + 1, 0, 10), SL_EINVAL);
    sl_core_sweep_free(&cw);
    assert_int_equal(sl_spans_ended_before(&s, 0, 2, 0, 10, 1, ended), SL_EINVAL);
    sl_span_index_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_spans),
        cmocka_unit_test(test_folded_traces),
        cmocka_unit_test(test_empty_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
