/*
 * test-trace-sampler.c - the kernel sampler: a busy thread yields OS_SAMPLE
 * events with on-cpu time, idle ones stay silent, registration stays exact
 * with thousands of vehicles, and /proc/stat busy time is recorded.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "skip-exit.h"

typedef struct spinner {
    atomic_int tid;
    atomic_bool stop;
} spinner;

static void *spin(void *arg)
{
    spinner *s = arg;
    atomic_store(&s->tid, gettid());
    volatile uint64_t x = 0;
    while (!atomic_load(&s->stop))
        x++;
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_busy_thread_sampled(void **state)
{
    sl_rings *r;
    uint64_t epoch = sl_clock_ns();
    assert_int_equal(sl_rings_create(&r, 1, 1u << 14, epoch, 0), 0);
    sl_ring *ring = sl_rings_claim(r);
    sl_os_sampler *s;
    assert_int_equal(sl_os_sampler_start(&s, ring, epoch, 2000), 0);

    spinner sp = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, spin, &sp), 0);
    while (atomic_load(&sp.tid) == 0)
        sleep_ms(1);
    int tid = atomic_load(&sp.tid);
    sl_os_sampler_add(s, getpid(), tid, 5);
    sl_os_sampler_add(s, getpid(), gettid(), SL_NO_TASK); /* this thread mostly sleeps */
    assert_int_equal(sl_os_sampler_count(s), 2);
    sleep_ms(60);
    sl_os_sampler_set_task(s, tid, 6);
    sleep_ms(30);
    atomic_store(&sp.stop, true);
    pthread_join(th, NULL);
    sl_os_sampler_remove(s, tid);
    assert_int_equal(sl_os_sampler_count(s), 1);

    sl_trace_os os;
    memset(&os, 0, sizeof(os));
    sl_os_sampler_stop(s, &os);
    /* perf_event where the kernel permits switch records, else schedstat. */
    assert_true(strcmp(os.switch_source, "schedstat") == 0 ||
                strcmp(os.switch_source, "perf_event") == 0);
    long cores = sysconf(_SC_NPROCESSORS_CONF);
    assert_true(os.n_core_busy >= 1 && os.n_core_busy <= (uint32_t)(cores < 64 ? cores : 64));
    uint64_t busy = 0;
    for (uint32_t i = 0; i < os.n_core_busy; i++)
        busy += os.core_busy_ns[i];
    assert_true(busy > 0); /* the spinner kept a core busy for 90 ms */

    sl_event ev[1024];
    size_t n = sl_ring_pop(ring, ev, 1024);
    uint64_t on_cpu_us = 0;
    size_t spinner_samples = 0;
    bool saw_task6 = false;
    uint64_t last_t = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ev[i].kind, SL_EV_OS_SAMPLE);
        assert_true(ev[i].t_ns >= last_t);
        last_t = ev[i].t_ns;
        assert_true(ev[i].arg > 0 || ev[i].reason > 0); /* only when something changed */
        assert_true(ev[i].core < cores);
        if (ev[i].vehicle == (uint32_t)tid) {
            spinner_samples++;
            on_cpu_us += ev[i].arg;
            assert_true(ev[i].task == 5 || ev[i].task == 6);
            saw_task6 |= ev[i].task == 6;
        } else {
            assert_int_equal(ev[i].vehicle, (uint32_t)gettid());
            assert_int_equal(ev[i].task, SL_NO_TASK);
        }
    }
    print_message("sampler: %zu samples of the spinner, %llu us on cpu\n", spinner_samples,
                  (unsigned long long)on_cpu_us);
    assert_true(spinner_samples >= 3);
    assert_true(on_cpu_us > 10000); /* generous: it spun ~90 ms */
    assert_true(saw_task6);
    sl_rings_destroy(r);
}

static void test_many_vehicles_registry(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 64, 0, 0), 0);
    sl_os_sampler *s;
    assert_int_equal(sl_os_sampler_start(&s, sl_rings_at(r, 0), 0, 2000), 0);
    enum { N = 10000 };
    /* Tids that do not exist: registered, never sampled, removable. */
    int base = 4000000;
    for (int i = 0; i < N; i++)
        sl_os_sampler_add(s, getpid(), base + i * 7, (uint32_t)i);
    assert_int_equal(sl_os_sampler_count(s), N);
    sl_os_sampler_add(s, getpid(), base, 1); /* a reused tid replaces, not adds */
    assert_int_equal(sl_os_sampler_count(s), N);
    srand(3);
    int *order = malloc(N * sizeof(*order));
    for (int i = 0; i < N; i++)
        order[i] = i;
    for (int i = N - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int k = 0; k < N / 2; k++)
        sl_os_sampler_remove(s, base + order[k] * 7);
    assert_int_equal(sl_os_sampler_count(s), N - N / 2);
    sl_os_sampler_remove(s, base + order[0] * 7); /* twice: ignored */
    sl_os_sampler_remove(s, 12345678);            /* unknown: ignored */
    assert_int_equal(sl_os_sampler_count(s), N - N / 2);
    for (int k = N / 2; k < N; k++) {
        sl_os_sampler_set_task(s, base + order[k] * 7, 1);
        sl_os_sampler_remove(s, base + order[k] * 7);
    }
    assert_int_equal(sl_os_sampler_count(s), 0);
    free(order);
    assert_true(sl_os_sampler_period_us(s) >= 2000);
    sl_os_sampler_stop(s, NULL);
    assert_int_equal(sl_ring_pending(sl_rings_at(r, 0)), 0);
    sl_rings_destroy(r);
}

/* ---- switch records: voluntary and involuntary, counted exactly ---- */

typedef struct napper {
    atomic_int tid;
    int naps;
} napper;

static void *nap_often(void *arg)
{
    napper *z = arg;
    atomic_store(&z->tid, gettid());
    sleep_ms(20); /* registered by now */
    for (int i = 0; i < z->naps; i++)
        sleep_ms(1);
    return NULL;
}

static void test_switch_records(void **state)
{
    sl_rings *r;
    uint64_t epoch = sl_clock_ns();
    assert_int_equal(sl_rings_create(&r, 1, 1u << 14, epoch, 0), 0);
    sl_os_sampler *s;
    assert_int_equal(sl_os_sampler_start(&s, sl_rings_claim(r), epoch, 2000), 0);

    /* One thread that gives its core up 50 times... */
    napper z = {.naps = 50};
    pthread_t nt;
    assert_int_equal(pthread_create(&nt, NULL, nap_often, &z), 0);
    while (atomic_load(&z.tid) == 0)
        sleep_ms(1);
    sl_os_sampler_add(s, getpid(), atomic_load(&z.tid), 0);
    /* ...and more spinners than cores, which the kernel must preempt. */
    enum { MAX_SPIN = 17 };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n_spin = cores + 1 < MAX_SPIN ? (int)cores + 1 : MAX_SPIN;
    spinner sp[MAX_SPIN];
    pthread_t th[MAX_SPIN];
    for (int i = 0; i < n_spin; i++) {
        sp[i] = (spinner){0};
        assert_int_equal(pthread_create(&th[i], NULL, spin, &sp[i]), 0);
        while (atomic_load(&sp[i].tid) == 0)
            sleep_ms(1);
        sl_os_sampler_add(s, getpid(), atomic_load(&sp[i].tid), (uint32_t)(1 + i));
    }
    pthread_join(nt, NULL);
    sleep_ms(50);
    for (int i = 0; i < n_spin; i++) {
        atomic_store(&sp[i].stop, true);
        pthread_join(th[i], NULL);
    }
    sl_trace_os os;
    memset(&os, 0, sizeof(os));
    sl_os_sampler_stop(s, &os);
    sl_rings_destroy(r);
    if (strcmp(os.switch_source, "perf_event") != 0)
        skip_because("perf_event switch records not permitted here (%s)", os.switch_source);
    print_message("switch records: %llu voluntary, %llu involuntary\n",
                  (unsigned long long)os.voluntary, (unsigned long long)os.involuntary);
    assert_true(os.voluntary >= 50);
    assert_true(os.involuntary >= 1);
}

typedef struct sleepers {
    atomic_int *tids;
    atomic_bool stop;
} sleepers;

static void *nap(void *arg)
{
    sleepers *z = arg;
    static atomic_int next;
    int me = atomic_fetch_add(&next, 1);
    atomic_store(&z->tids[me], gettid());
    while (!atomic_load(&z->stop))
        sleep_ms(5);
    return NULL;
}

/* Many live vehicles: the period stretches with the sweep's cost. */
static void test_period_adapts(void **state)
{
    enum { N = 400 };
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 1u << 16, 0, 0), 0);
    sl_os_sampler *s;
    assert_int_equal(sl_os_sampler_start(&s, sl_rings_at(r, 0), 0, 100), 0);
    sleepers z = {.tids = calloc(N, sizeof(atomic_int))};
    pthread_t *th = calloc(N, sizeof(*th));
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, nap, &z), 0);
    for (int i = 0; i < N; i++) {
        while (atomic_load(&z.tids[i]) == 0)
            sleep_ms(1);
        sl_os_sampler_add(s, getpid(), atomic_load(&z.tids[i]), (uint32_t)i);
    }
    sleep_ms(100);
    uint32_t period = sl_os_sampler_period_us(s);
    print_message("sampler: %d vehicles -> period %u us\n", N, period);
    assert_true(period > 100); /* 400 vehicles cannot be swept in 5 us */
    atomic_store(&z.stop, true);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    sl_os_sampler_stop(s, NULL);
    free(th);
    free(z.tids);
    sl_rings_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_thread_sampled),
        cmocka_unit_test(test_many_vehicles_registry),
        cmocka_unit_test(test_period_adapts),
        cmocka_unit_test(test_switch_records),
    };
    return skip_exit_code(cmocka_run_group_tests(tests, NULL, NULL));
}
