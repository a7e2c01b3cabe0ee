/*
 * test-work.c - the cpu work: exact sums, resumable slices, calibration.
 *
 * The sum of squares is compared with the closed form; slicing must never
 * change a result; sl_work_run must stop when asked. Two generous timing
 * shapes guard against the compiler folding the loops away: doubling n must
 * take clearly longer, and a 20 ms step must take roughly 20 ms of CPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "schedlab/scenario.h"
#include "schedlab/work.h"

static uint64_t cpu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t closed_form(uint64_t n)
{
    unsigned __int128 v = (unsigned __int128)n * (n - 1) * (2 * n - 1) / 6;
    return n == 0 ? 0 : (uint64_t)v;
}

static void sumsq_matches_closed_form(void **state)
{
    (void)state;
    for (uint64_t n = 0; n < 300; n++) {
        uint64_t acc = 0;
        sl_work_sumsq(0, n, &acc);
        assert_int_equal(acc, closed_form(n));
    }
    uint64_t acc = 0;
    sl_work_sumsq(0, 2000000, &acc);
    assert_int_equal(acc, closed_form(2000000));
}

static void sumsq_resumes_in_chunks(void **state)
{
    (void)state;
    uint64_t whole = 0, parts = 0;
    sl_work_sumsq(0, 100003, &whole);
    for (uint64_t from = 0; from < 100003; from += 977) {
        uint64_t to = from + 977 < 100003 ? from + 977 : 100003;
        sl_work_sumsq(from, to, &parts);
    }
    assert_int_equal(whole, parts);
}

static void burn_is_deterministic_and_resumable(void **state)
{
    (void)state;
    assert_int_equal(sl_work_burn(10000, 42), sl_work_burn(10000, 42));
    assert_int_not_equal(sl_work_burn(10000, 42), sl_work_burn(10000, 43));
    assert_int_not_equal(sl_work_burn(10000, 42), sl_work_burn(10001, 42));
    assert_int_equal(sl_work_burn(0, 7), 7);
    assert_int_equal(sl_work_burn(10000, 42), sl_work_burn(6000, sl_work_burn(4000, 42)));
}

static void *calibrate_thread(void *arg)
{
    *(double *)arg = sl_work_calibrate();
    return NULL;
}

static void calibration_is_positive_and_idempotent(void **state)
{
    (void)state;
    double a = 0, b = 0;
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, calibrate_thread, &a), 0);
    assert_int_equal(pthread_create(&t2, NULL, calibrate_thread, &b), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_true(a > 0);
    assert_true(a == b);
    assert_true(sl_work_calibrate() == a);
    assert_true(sl_work_iters_per_us() == a);
    assert_true(sl_work_iters_for_ns(2000000) > sl_work_iters_for_ns(1000000));
    assert_int_equal(sl_work_iters_for_ns(0), 0);
}

typedef struct counter {
    int calls;
    int stop_after;
} counter;

static bool count_and_maybe_stop(void *arg)
{
    counter *c = arg;
    c->calls++;
    return c->calls < c->stop_after;
}

static void run_computes_the_same_sum_in_slices(void **state)
{
    (void)state;
    counter c = {.stop_after = 1000000};
    uint64_t sum = 0;
    assert_true(sl_work_run(SL_STEP_CPU_SUMSQ, 3000000, 100000, count_and_maybe_stop, &c, &sum));
    assert_int_equal(sum, closed_form(3000000));
    assert_true(c.calls >= 2);

    uint64_t a = 0, b = 0;
    assert_true(sl_work_run(SL_STEP_CPU, 2000000, 0, NULL, NULL, &a));
    assert_true(sl_work_run(SL_STEP_CPU, 2000000, 50000, NULL, NULL, &b));
    assert_int_equal(a, b);
}

static void run_stops_when_told(void **state)
{
    (void)state;
    counter c = {.stop_after = 3};
    uint64_t sum = 0;
    assert_false(sl_work_run(SL_STEP_CPU_SUMSQ, 50000000, 100000, count_and_maybe_stop, &c, &sum));
    assert_int_equal(c.calls, 3);
    assert_true(sum > 0);
    assert_true(sum < closed_form(50000000));

    counter d = {.stop_after = 2};
    uint64_t t0 = cpu_now_ns();
    assert_false(sl_work_run(SL_STEP_CPU, 10000000000ull, 100000, count_and_maybe_stop, &d, NULL));
    assert_int_equal(d.calls, 2);
    assert_true(cpu_now_ns() - t0 < 1000000000ull);
}

static uint64_t best_sumsq_ns(uint64_t n)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 3; i++) {
        uint64_t acc = 0, t0 = cpu_now_ns();
        sl_work_sumsq(0, n, &acc);
        uint64_t dt = cpu_now_ns() - t0;
        assert_true(acc > 0);
        best = dt < best ? dt : best;
    }
    return best;
}

static void sumsq_time_grows_with_n(void **state)
{
    (void)state;
    uint64_t one = best_sumsq_ns(10000000), two = best_sumsq_ns(20000000);
    print_message("sumsq: n=1e7 %.1f ms, n=2e7 %.1f ms\n", one / 1e6, two / 1e6);
    assert_true(one > 1000000);
    assert_true(two * 10 > one * 14);
}

static void cpu_step_takes_about_its_duration(void **state)
{
    (void)state;
    sl_work_calibrate();
    uint64_t t0 = cpu_now_ns();
    assert_true(sl_work_run(SL_STEP_CPU, 20000000, 1000000, NULL, NULL, NULL));
    uint64_t dt = cpu_now_ns() - t0;
    print_message("cpu 20 ms step: %.1f ms of CPU\n", dt / 1e6);
    assert_true(dt > 10000000 && dt < 60000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sumsq_matches_closed_form),
        cmocka_unit_test(sumsq_resumes_in_chunks),
        cmocka_unit_test(burn_is_deterministic_and_resumable),
        cmocka_unit_test(calibration_is_positive_and_idempotent),
        cmocka_unit_test(run_computes_the_same_sum_in_slices),
        cmocka_unit_test(run_stops_when_told),
        cmocka_unit_test(sumsq_time_grows_with_n),
        cmocka_unit_test(cpu_step_takes_about_its_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
