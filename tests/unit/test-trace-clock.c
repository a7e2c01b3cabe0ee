/*
 * test-trace-clock.c - the hooks' counter clock against CLOCK_MONOTONIC.
 *
 * Over a 10 s run (the test is otherwise idle: it samples every 200 us, so
 * it takes little CPU), with the collector refreshing the conversion as in
 * a real run, every converted time is within 1 us of a clock_gettime bracket
 * around it and never goes backwards, on a thread pinned to each core and on
 * one that migrates between cores. A worker process that attaches the region
 * converts the same way. 10 s because the slow errors (a start rate a few
 * ppm off, the clock's own slew) only show over seconds.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/trace.h"
#include "trace/counter-clock.h"
#include "trace/ring-layout.h"

#define RUN_NS 10000000000ull
#define TOLERANCE_NS 1000u

typedef struct sampler {
    const sl__cclock *clock;
    int cpu;       /* pinned core, or -1: migrate every 50 ms */
    uint64_t n;    /* samples taken */
    uint64_t bad;  /* samples outside the bracket +- 1 us */
    uint64_t back; /* samples earlier than the one before */
    int64_t worst; /* largest distance outside the bracket */
    char first_bad[160];
} sampler;

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void *sample(void *arg)
{
    sampler *s = arg;
    long n_cpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (s->cpu >= 0)
        pin(s->cpu);
    uint64_t start = sl_clock_ns(), prev = 0;
    int at = 0;
    struct timespec nap = {.tv_nsec = 200000};
    for (uint64_t k = 0;; k++) {
        if (s->cpu < 0 && k % 250 == 0 && n_cpu > 1)
            pin(at++ % (int)n_cpu);
        uint64_t m1 = sl_clock_ns();
        uint64_t t = sl__cclock_now(s->clock);
        uint64_t m2 = sl_clock_ns();
        int64_t off = 0;
        if (t + TOLERANCE_NS < m1)
            off = (int64_t)(m1 - t);
        else if (t > m2 + TOLERANCE_NS)
            off = (int64_t)(t - m2);
        if (off != 0 && s->bad++ == 0)
            snprintf(s->first_bad, sizeof(s->first_bad),
                     "at %.3f s: converted %llu outside [%llu, %llu] by %lld ns",
                     (double)(m1 - start) / 1e9, (unsigned long long)t, (unsigned long long)m1,
                     (unsigned long long)m2, (long long)off);
        if (off > s->worst)
            s->worst = off;
        if (t < prev)
            s->back++;
        prev = t;
        s->n++;
        if (m2 - start >= RUN_NS)
            break;
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static void test_tracks_clock_across_cores(void **state)
{
    sl_rings *rings;
    assert_int_equal(sl_rings_create(&rings, 1, 64, sl_clock_ns(), 0), 0);
    sl_trace_meta meta = {.n_tasks = 1};
    sl_trace *trace;
    assert_int_equal(sl_trace_new(&trace, &meta, NULL), 0);
    sl_collector *col;
    assert_int_equal(sl_collector_start(&col, rings, trace, 1000), 0);
    const sl__cclock *k = sl__ring_clock(sl_rings_at(rings, 0));

    long n_cpu = sysconf(_SC_NPROCESSORS_ONLN);
    sampler s[3] = {
        {.clock = k, .cpu = 0}, {.clock = k, .cpu = n_cpu > 1 ? 1 : 0}, {.clock = k, .cpu = -1}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sample, &s[i]), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(sl_collector_stop(col), 0);

    for (int i = 0; i < 3; i++) {
        if (s[i].bad)
            fprintf(stderr,
                    "sampler %d (cpu %d, source %s): %llu of %llu bad, worst %lld ns; "
                    "first %s\n",
                    i, s[i].cpu, sl__cclock_source_name(k), (unsigned long long)s[i].bad,
                    (unsigned long long)s[i].n, (long long)s[i].worst, s[i].first_bad);
        assert_true(s[i].n > 1000);
        assert_int_equal(s[i].bad, 0);
        assert_int_equal(s[i].back, 0);
    }
    /* The end's check is reported on the trace, and agrees. */
    assert_string_equal(trace->os.clock_source, sl__cclock_source_name(k));
    assert_true(trace->os.clock_drift_ns < TOLERANCE_NS);
    sl_trace_free(trace);
    sl_rings_destroy(rings);
}

/* A worker process attaching the region stamps its hooks on the same line. */
static void test_worker_converts_identically(void **state)
{
    uint64_t epoch = sl_clock_ns();
    enum { ROUNDS = 200 };
    sl_rings *rings;
    assert_int_equal(sl_rings_create(&rings, 1, ROUNDS, epoch, 0), 0);
    int go[2], done[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(done), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sl_rings *mine;
        if (sl_rings_attach(&mine, sl_rings_fd(rings)) != 0)
            _exit(2);
        sl_hook_bind(sl_rings_at(mine, 0), 7, sl_rings_epoch(mine));
        char c;
        for (int i = 0; i < ROUNDS && read(go[0], &c, 1) == 1; i++) {
            sl_hook_emit(SL_EV_RUN, (uint32_t)i, 0, 0);
            if (write(done[1], &c, 1) != 1)
                _exit(3);
        }
        _exit(0);
    }
    uint64_t lo[ROUNDS], hi[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        char c = 'x';
        lo[i] = sl_clock_ns() - epoch;
        assert_int_equal(write(go[1], &c, 1), 1);
        assert_int_equal(read(done[0], &c, 1), 1);
        hi[i] = sl_clock_ns() - epoch;
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sl_event ev[ROUNDS];
    assert_int_equal(sl_ring_pop(sl_rings_at(rings, 0), ev, ROUNDS), ROUNDS);
    for (int i = 0; i < ROUNDS; i++) {
        assert_int_equal(ev[i].task, (uint32_t)i);
        assert_true(ev[i].t_ns + TOLERANCE_NS >= lo[i]);
        assert_true(ev[i].t_ns <= hi[i] + TOLERANCE_NS);
    }
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
    sl_rings_destroy(rings);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_converts_identically),
        cmocka_unit_test(test_tracks_clock_across_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
