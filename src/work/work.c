/*
 * work.c - the arithmetic behind cpu steps, and its calibration.
 *
 * A cpu step must really occupy a core for its duration, under every
 * strategy, so the lessons' timings come from execution and not from sleeps.
 *
 * sl_work_burn is one long dependency chain (multiply-add, then xor-shift):
 * every iteration needs the previous result, so the CPU cannot overlap
 * iterations, and the empty asm barrier on the state hides its value from the
 * optimiser, so the loop is neither vectorised nor shortened. Its state is
 * its return value, so burn(a + b, s) == burn(b, burn(a, s)): slicing a step
 * does not change its result.
 *
 * sl_work_sumsq is Python's sum(i*i for i in range(from, to)) in uint64. The
 * barrier sits on the loop counter: without it clang -O2 replaces the loop
 * by the closed form n(n-1)(2n-1)/6 (no loop left at all). Checked with
 * `objdump -d` of gcc 12 and clang 14 -O2 builds: with the barrier both keep
 * one imul and one add per i; test-work.c also checks that doubling n takes
 * clearly longer. The loop does four i per turn into two sums: the plain
 * one-i loop needs five uops per cycle to keep its one-cycle add chain fed,
 * and on the Xeon it was tuned on it ran at either 1.0 or 1.4 cycles per i
 * depending on how often it was entered (the gil strategy's 50 µs slices
 * made it 1.4x slower than the same work in one piece); four at a time is
 * bound by the multiplier alone, the same whether sliced or not.
 *
 * Calibration measures thread CPU time, not wall time, so a preempted
 * calibration still yields the rate of the core itself.
 */
#include "schedlab/work.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "schedlab/scenario.h"

#define BURN_MUL 6364136223846793005ull
#define BURN_ADD 1442695040888963407ull
#define CALIBRATE_NS 50000000ull
#define CALIBRATE_SUMSQ_NS 10000000ull
#define CALIBRATE_CHUNK 20000ull

/* Iterations per µs, stored as doubles; 0 means "not known yet". */
static _Atomic double burn_rate;
static _Atomic double sumsq_rate;
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;
static pthread_once_t sumsq_once = PTHREAD_ONCE_INIT;

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t sl_work_burn(uint64_t iters, uint64_t seed)
{
    uint64_t x = seed;
    for (uint64_t i = 0; i < iters; i++) {
        x = x * BURN_MUL + BURN_ADD;
        x ^= x >> 29;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

void sl_work_sumsq(uint64_t from, uint64_t to, uint64_t *acc)
{
    uint64_t even = *acc, odd = 0;
    uint64_t i = from;
    for (; i < to && to - i >= 4; i += 4) {
        __asm__ volatile("" : "+r"(i));
        even += i * i;
        odd += (i + 1) * (i + 1);
        even += (i + 2) * (i + 2);
        odd += (i + 3) * (i + 3);
    }
    for (; i < to; i++) {
        __asm__ volatile("" : "+r"(i));
        even += i * i;
    }
    *acc = even + odd;
}

/* Iterations per µs of `body` over about `budget_ns` of CPU time, after a
 * short warm-up so the core has left its idle frequency. */
static double measure(uint64_t (*body)(uint64_t chunk, uint64_t state), uint64_t budget_ns)
{
    uint64_t state = 1;
    uint64_t warm_end = thread_cpu_ns() + budget_ns / 10;
    while (thread_cpu_ns() < warm_end)
        state = body(CALIBRATE_CHUNK, state);

    uint64_t iters = 0;
    uint64_t start = thread_cpu_ns(), now = start;
    while (now - start < budget_ns) {
        state = body(CALIBRATE_CHUNK, state);
        iters += CALIBRATE_CHUNK;
        now = thread_cpu_ns();
    }
    /* Keeps the work observable, so it cannot be dropped. */
    __asm__ volatile("" : : "r"(state));
    return (double)iters * 1000.0 / (double)(now - start);
}

static uint64_t burn_body(uint64_t chunk, uint64_t state)
{
    return sl_work_burn(chunk, state);
}

static uint64_t sumsq_body(uint64_t chunk, uint64_t state)
{
    uint64_t acc = state;
    sl_work_sumsq(0, chunk, &acc);
    return acc;
}

static void calibrate_burn(void)
{
    /* A worker process may have been handed its parent's rate already. */
    if (atomic_load(&burn_rate) > 0)
        return;
    atomic_store(&burn_rate, measure(burn_body, CALIBRATE_NS));
}

static void calibrate_sumsq(void)
{
    atomic_store(&sumsq_rate, measure(sumsq_body, CALIBRATE_SUMSQ_NS));
}

double sl_work_calibrate(void)
{
    pthread_once(&burn_once, calibrate_burn);
    pthread_once(&sumsq_once, calibrate_sumsq);
    return atomic_load(&burn_rate);
}

double sl_work_iters_per_us(void)
{
    return atomic_load(&burn_rate);
}

void sl_work_set_iters_per_us(double v)
{
    if (v > 0)
        atomic_store(&burn_rate, v);
}

static uint64_t iters_at(double per_us, uint64_t ns)
{
    return (uint64_t)(per_us * (double)ns / 1000.0 + 0.5);
}

uint64_t sl_work_iters_for_ns(uint64_t ns)
{
    double rate = atomic_load(&burn_rate);
    if (rate <= 0) {
        pthread_once(&burn_once, calibrate_burn);
        rate = atomic_load(&burn_rate);
    }
    return iters_at(rate, ns);
}

/* Iterations of the sum of squares that take about `ns`. Sliced work only
 * needs the order of magnitude, so the short sumsq calibration runs lazily. */
static uint64_t sumsq_iters_for_ns(uint64_t ns)
{
    pthread_once(&sumsq_once, calibrate_sumsq);
    return iters_at(atomic_load(&sumsq_rate), ns);
}

bool sl_work_run(int kind, uint64_t amount, uint64_t slice_ns, sl_work_check_fn keep_going,
                 void *arg, uint64_t *result)
{
    bool sumsq = kind == SL_STEP_CPU_SUMSQ;
    uint64_t total = sumsq ? amount : sl_work_iters_for_ns(amount);
    uint64_t slice = total;
    if (slice_ns > 0) {
        slice = sumsq ? sumsq_iters_for_ns(slice_ns) : sl_work_iters_for_ns(slice_ns);
        if (slice == 0)
            slice = 1;
    }

    /* The burn's seed is the amount, so equal steps give equal results. */
    uint64_t state = sumsq ? 0 : amount;
    bool finished = true;
    for (uint64_t done = 0; done < total;) {
        uint64_t n = total - done < slice ? total - done : slice;
        if (sumsq)
            sl_work_sumsq(done, done + n, &state);
        else
            state = sl_work_burn(n, state);
        done += n;
        if (done < total && keep_going && !keep_going(arg)) {
            finished = false;
            break;
        }
    }
    if (result)
        *result = state;
    return finished;
}
