/*
 * counter-clock.c - setting up and refreshing the counter clock (see
 * counter-clock.h for the conversion itself, which the hooks inline).
 */
#define _GNU_SOURCE
#include "trace/counter-clock.h"

#include <linux/perf_event.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* Tries for one tight (counter, clock, counter) bracket: a preempted try
 * shows a wide bracket and loses to the others. */
#define ANCHOR_TRIES 16
/* The start calibration's window: long enough that a bracket's width (tens
 * of ns) is a few ppm of it, short enough not to be noticed at start. */
#define CALIBRATE_NS 10000000u
/* From this age on, the rate measured since the first anchor beats the start
 * rate: a 20 ns bracket over 100 ms is 0.2 ppm. */
#define LONG_RATE_NS 100000000u
/* A measured error is absorbed over this much time... */
#define SLEW_NS 20000000
/* ...by a slope at most this far (parts per million) from the rate, so a
 * writer that stalls after a refresh cannot carry the line far off. */
#define SLEW_MAX_PPM 50
/* Behind the clock by more than this (the machine was suspended, the writer
 * starved): step forward instead, which keeps the line monotonic. */
#define STEP_NS 2000

uint64_t sl__cclock_gettime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Invariant: one constant rate whatever the core's frequency or sleep state
 * (x86: CPUID 8000_0007h EDX bit 8; the aarch64 generic timer always is). */
static bool counter_invariant(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000007u, &a, &b, &c, &d))
        return false;
    return (d >> 8) & 1u;
#elif defined(__aarch64__)
    return true;
#else
    return false;
#endif
}

/* A counter value and the clock read at (about) the same instant. */
static void anchor(uint64_t *cyc, uint64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < ANCHOR_TRIES; i++) {
        uint64_t c1 = sl_counter_read();
        uint64_t m = sl__cclock_gettime();
        uint64_t c2 = sl_counter_read();
        if (c2 >= c1 && c2 - c1 < best) {
            best = c2 - c1;
            *cyc = c1 + (c2 - c1) / 2;
            *ns = m;
        }
    }
    if (best == UINT64_MAX) { /* the counter went backwards every time */
        *cyc = sl_counter_read();
        *ns = sl__cclock_gettime();
    }
}

/* The kernel's own counter-to-ns rate, from a self-monitoring dummy event's
 * mmap page; 0 where it is not offered (e.g. a guest on kvm-clock). The page
 * converts to perf's clock, not CLOCK_MONOTONIC: only its rate is used, the
 * offset comes from an anchor. */
static uint64_t perf_page_rate(void)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_DUMMY;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    struct perf_event_mmap_page *pc = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
    uint64_t rate = 0;
    if (pc != MAP_FAILED) {
        for (int tries = 0; tries < 1000; tries++) {
            uint32_t seq = __atomic_load_n(&pc->lock, __ATOMIC_ACQUIRE);
            bool zero = pc->cap_user_time_zero;
            uint32_t mult = pc->time_mult;
            uint16_t shift = pc->time_shift;
            /* The kernel's own recipe for this page (perf_event.h): a
             * compiler barrier between the reads and the second look at
             * the sequence (a fence would not build under ThreadSanitizer). */
            __asm__ __volatile__("" ::: "memory");
            if (__atomic_load_n(&pc->lock, __ATOMIC_ACQUIRE) != seq || (seq & 1))
                continue;
            if (zero && mult != 0 && shift <= 32)
                rate = (uint64_t)mult << (32 - shift);
            else if (zero && mult != 0)
                rate = (uint64_t)mult >> (shift - 32);
            break;
        }
        munmap(pc, (size_t)page);
    }
    close(fd);
    return rate;
}

/* Once per process: which source, and the start rate. */
static struct {
    sl__cclock_source source;
    uint64_t rate;
} machine;
static pthread_once_t machine_once = PTHREAD_ONCE_INIT;

static void machine_probe(void)
{
    machine.source = SL__CCLOCK_GETTIME;
    if (!counter_invariant())
        return;
    uint64_t rate = perf_page_rate();
    if (rate != 0) {
        machine.source = SL__CCLOCK_PERF_PAGE;
        machine.rate = rate;
        return;
    }
    uint64_t c1, m1, c2, m2;
    anchor(&c1, &m1);
    do
        anchor(&c2, &m2);
    while (m2 - m1 < CALIBRATE_NS);
    if (c2 <= c1)
        return;
    machine.rate = (uint64_t)(((unsigned __int128)(m2 - m1) << 32) / (c2 - c1));
    machine.source = machine.rate ? SL__CCLOCK_CALIBRATED : SL__CCLOCK_GETTIME;
}

static void publish(sl__cclock *k, uint64_t cyc0, uint64_t ns0, uint64_t mult)
{
    unsigned s = atomic_load_explicit(&k->seq, memory_order_relaxed);
    atomic_store_explicit(&k->seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&k->cyc0, cyc0, memory_order_relaxed);
    atomic_store_explicit(&k->ns0, ns0, memory_order_relaxed);
    atomic_store_explicit(&k->mult, mult, memory_order_relaxed);
    atomic_store_explicit(&k->seq, s + 2, memory_order_release);
}

void sl__cclock_init(sl__cclock *k)
{
    pthread_once(&machine_once, machine_probe);
    memset(k, 0, sizeof(*k));
    atomic_init(&k->seq, 0);
    k->source = machine.source;
    if (k->source == SL__CCLOCK_GETTIME)
        return;
    anchor(&k->first_cyc, &k->first_ns);
    k->rate = machine.rate;
    publish(k, k->first_cyc, k->first_ns, k->rate);
}

void sl__cclock_refresh(sl__cclock *k)
{
    if (k->source == SL__CCLOCK_GETTIME)
        return;
    uint64_t c, m;
    anchor(&c, &m);
    uint64_t pred = sl__cclock_convert(c, atomic_load_explicit(&k->cyc0, memory_order_relaxed),
                                       atomic_load_explicit(&k->ns0, memory_order_relaxed),
                                       atomic_load_explicit(&k->mult, memory_order_relaxed));
    int64_t err = (int64_t)(m - pred);
    uint64_t abs_err = err < 0 ? (uint64_t)-err : (uint64_t)err;
    k->last_err_ns = err;
    if (abs_err > k->max_err_ns)
        k->max_err_ns = abs_err;
    k->refreshes++;
    if (m - k->first_ns >= LONG_RATE_NS && c > k->first_cyc)
        k->rate = (uint64_t)(((unsigned __int128)(m - k->first_ns) << 32) / (c - k->first_cyc));
    if (err > STEP_NS) {
        pred = m;
        err = 0;
    }
    if (err < -SLEW_NS)
        err = -SLEW_NS;
    /* Slope = rate * (1 + err / SLEW_NS), bounded to SLEW_MAX_PPM. */
    int64_t ppb = err * 1000000000 / SLEW_NS;
    if (ppb > SLEW_MAX_PPM * 1000)
        ppb = SLEW_MAX_PPM * 1000;
    if (ppb < -SLEW_MAX_PPM * 1000)
        ppb = -SLEW_MAX_PPM * 1000;
    __int128 slope = (__int128)k->rate + (__int128)k->rate * ppb / 1000000000;
    publish(k, c, pred, (uint64_t)slope);
}

const char *sl__cclock_source_name(const sl__cclock *k)
{
    switch (k->source) {
    case SL__CCLOCK_PERF_PAGE:
        return "perf-page";
    case SL__CCLOCK_CALIBRATED:
        return "calibrated";
    default:
        return "clock_gettime";
    }
}
