/*
 * bench-probes.c - how much each mechanism costs on this machine.
 *
 * Switch probes ping-pong a byte between two threads (or processes) pinned
 * to one CPU, so every round trip is two real context switches and no
 * cross-core wake-up (lmbench's lat_ctx method). Coroutine probes ping-pong
 * through sl_coro_resume/yield. Loops are long enough (≥ 10 ms) that the
 * clock's resolution does not matter; results are per operation.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench-probes.h"
#include "schedlab/proc.h"
#include "schedlab/coro.h"
#include "schedlab/strategy.h"
#include "schedlab/model.h"
#include "schedlab/trace.h"
#include "schedlab/steal.h"

extern char **environ;

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double per_op(uint64_t t0, uint64_t t1, uint64_t ops)
{
    return (double)(t1 - t0) / (double)ops;
}

/* Rounds of a short probe, of which the fastest counts: on a shared machine
 * a round that lost the CPU says nothing about the mechanism. */
#define ROUNDS 15
#define ROUND_OPS 100000u

double sl__bench_empty_loop_ns(void)
{
    double best = -1;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = sl_clock_ns();
        for (uint64_t i = 0; i < ROUND_OPS; i++)
            __asm__ volatile("" ::: "memory");
        double ns = per_op(t0, sl_clock_ns(), ROUND_OPS);
        if (best < 0 || ns < best)
            best = ns;
    }
    return best;
}

/* Cost of one call of `read`: the fastest of ROUNDS rounds of ROUND_OPS calls.
 * Always inlined, so that `read` is a direct, inlined call in each caller's
 * loop, not one through a pointer, which would add its own cost. */
static inline __attribute__((always_inline)) double time_reads(uint64_t (*read)(void))
{
    double best = -1;
    uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = sl_clock_ns();
        for (uint64_t i = 0; i < ROUND_OPS; i++)
            sink += read();
        double ns = per_op(t0, sl_clock_ns(), ROUND_OPS);
        if (best < 0 || ns < best)
            best = ns;
    }
    __asm__ volatile("" ::"r"(sink));
    return best;
}

double sl__bench_clock_ns(void)
{
    return time_reads(sl_clock_ns);
}

double sl__bench_counter_read_ns(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
    return time_reads(sl_counter_read);
#else
    return -1;
#endif
}

/* Hooks into a ring whose pages are already faulted in (as a running
 * collector's are) and that never fills: the push, not the drop path. Each
 * round alternates with a round of bare counter reads, so that the ratio of
 * the two fastest rounds compares them under the same machine load. */
int sl__bench_hook(double empty_loop_ns, double *hook_ns, double *counter_ns)
{
    uint64_t epoch = sl_clock_ns();
    sl_rings *rings;
    if (sl_rings_create(&rings, 1, ROUND_OPS + 1, epoch, 0) < 0)
        return -1;
    sl_ring *ring = sl_rings_claim(rings);
    sl_hook_bind(ring, 1, epoch);
    static sl_event sink[4096];
    double best = -1, best_counter = -1;
    for (int r = 0; r <= ROUNDS; r++) {
        uint64_t t0 = sl_clock_ns();
        for (uint64_t i = 0; i < ROUND_OPS; i++)
            sl_hook_emit(SL_EV_RUN, (uint32_t)i, 0, i);
        double ns = per_op(t0, sl_clock_ns(), ROUND_OPS);
        while (sl_ring_pop(ring, sink, 4096) > 0)
            ;
        /* Round 0 faults the ring in. */
        if (r > 0 && (best < 0 || ns < best))
            best = ns;
        double c = sl__bench_counter_read_ns();
        if (best_counter < 0 || c < best_counter)
            best_counter = c;
    }
    sl_hook_unbind();
    sl_rings_destroy(rings);
    *hook_ns = best - empty_loop_ns;
    *counter_ns = best_counter - empty_loop_ns;
    return 0;
}

static void pingpong_coro(sl_coro *co, void *arg)
{
    for (;;)
        sl_coro_yield(co);
}

/* The fastest of ROUNDS rounds: a round in which the thread lost its CPU
 * measures the machine's load, not the switch (a single 5,000,000-resume
 * loop used to include every preemption on this shared machine). */
double sl__bench_coroutine_switch_ns(void)
{
    sl_coro *co;
    if (sl_coro_create(&co, pingpong_coro, NULL, 0) < 0)
        return -1;
    double best = -1;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = sl_clock_ns();
        for (uint64_t i = 0; i < ROUND_OPS; i++)
            sl_coro_resume(co);
        double ns = per_op(t0, sl_clock_ns(), 2 * ROUND_OPS); /* resume + yield: two switches */
        if (best < 0 || ns < best)
            best = ns;
    }
    /* The coroutine never returns: it is suspended, so destroying it is safe. */
    sl_coro_destroy(co);
    return best;
}

static void empty_coro(sl_coro *co, void *arg) {}

double sl__bench_coroutine_create_ns(void)
{
    /* Within the stack pool's capacity (4096 per size): beyond it, creation
     * is an mmap and an mprotect, which `run` reports per vehicle instead. */
    enum { N = 1000 };
    static sl_coro *cos[N];
    /* Warm the stack pool first: steady-state creation reuses stacks. */
    for (int round = 0; round < 2; round++) {
        uint64_t t0 = sl_clock_ns();
        for (int i = 0; i < N; i++)
            if (sl_coro_create(&cos[i], empty_coro, NULL, 0) < 0)
                return -1;
        uint64_t t1 = sl_clock_ns();
        for (int i = 0; i < N; i++)
            sl_coro_destroy(cos[i]);
        if (round == 1)
            return per_op(t0, t1, N);
    }
    return -1;
}

static void pin_to_cpu0(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void unpin(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < CPU_SETSIZE; i++)
        CPU_SET(i, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* Echoes every byte from fds[0] to fds[1] until end of file. */
static void echo_loop(int in, int out)
{
    char c;
    while (read(in, &c, 1) == 1)
        if (write(out, &c, 1) != 1)
            break;
}

typedef struct echo_args {
    int in, out;
} echo_args;

static void *echo_thread(void *arg)
{
    echo_args *a = arg;
    pin_to_cpu0();
    echo_loop(a->in, a->out);
    return NULL;
}

/* Sends n bytes through the echo and back; returns ns per switch. */
static double pingpong(int to, int from, uint64_t n)
{
    char c = 'x';
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++)
        if (write(to, &c, 1) != 1 || read(from, &c, 1) != 1)
            return -1;
    return per_op(t0, sl_clock_ns(), 2 * n);
}

/* The two pipes of a ping-pong (a: there, b: back); both or neither. */
static int pipe_pair(int a[2], int b[2])
{
    if (pipe(a) < 0)
        return -1;
    if (pipe(b) < 0) {
        close(a[0]);
        close(a[1]);
        return -1;
    }
    return 0;
}

double sl__bench_thread_switch_ns(void)
{
    int a[2], b[2];
    if (pipe_pair(a, b) < 0)
        return -1;
    echo_args args = {.in = a[0], .out = b[1]};
    pthread_t th;
    double r = -1;
    pin_to_cpu0();
    if (pthread_create(&th, NULL, echo_thread, &args) == 0) {
        r = pingpong(a[1], b[0], 100000);
        close(a[1]);
        pthread_join(th, NULL);
    } else {
        close(a[1]);
    }
    unpin();
    close(a[0]);
    close(b[0]);
    close(b[1]);
    return r;
}

double sl__bench_process_switch_ns(void)
{
    int a[2], b[2];
    if (pipe_pair(a, b) < 0)
        return -1;
    pin_to_cpu0();
    /* The child only calls read/write/_exit: safe after fork even with threads. */
    pid_t pid = fork();
    if (pid == 0) {
        close(a[1]);
        close(b[0]);
        echo_loop(a[0], b[1]);
        _exit(0);
    }
    double r = -1;
    close(a[0]);
    close(b[1]);
    if (pid > 0) {
        r = pingpong(a[1], b[0], 100000);
        close(a[1]);
        waitpid(pid, NULL, 0);
    } else {
        close(a[1]);
    }
    close(b[0]);
    unpin();
    return r;
}

static void *nothing(void *arg)
{
    return arg;
}

double sl__bench_thread_create_ns(void)
{
    const uint64_t n = 2000;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++) {
        pthread_t th;
        if (pthread_create(&th, &attr, nothing, NULL) != 0)
            return -1;
        pthread_join(th, NULL);
    }
    uint64_t t1 = sl_clock_ns();
    pthread_attr_destroy(&attr);
    return per_op(t0, t1, n);
}

/* A process vehicle started by method m and reaped: a fork of the
 * forkserver, or a posix_spawn of this binary (exec and dynamic linking
 * included), as the process strategies pay it. */
double sl__bench_process_create_ns(sl_start_method m)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    const uint64_t n = 100;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t ns;
        if (sl_process_create_once(m, exe, &ns) < 0)
            return -1;
        total += ns;
    }
    return (double)total / (double)n;
}

/* Drains `n_rings` full rings of timestamps interleaved across them (the
 * collector has to merge every event) into a trace whose memory is already
 * resident: what is measured is the collector, not the kernel handing out
 * fresh pages (on this kind of VM that costs more than the merge; see the
 * README). The drain runs in this thread (the collector's own thread sleeps
 * for an hour between drains), and its CPU time is what counts: on a shared
 * machine the wall clock would add whatever else ran. */
double sl__bench_collector_events_per_s(uint32_t n_rings)
{
    const uint32_t cap = 1u << 20;
    uint64_t epoch = sl_clock_ns();
    sl_rings *rings;
    if (sl_rings_create(&rings, n_rings, cap, epoch, 0) < 0)
        return -1;
    for (uint32_t r = 0; r < n_rings; r++) {
        sl_ring *ring = sl_rings_claim(rings);
        for (uint32_t i = 0; i + 1 < cap; i++) {
            sl_event ev = {.t_ns = (uint64_t)i * n_rings + r, .task = i, .kind = SL_EV_RUN};
            sl_ring_push(ring, &ev);
        }
    }
    sl_trace_meta meta = {.n_tasks = 1};
    sl_trace *trace;
    sl_collector *col;
    if (sl_trace_new(&trace, &meta, NULL) < 0) {
        sl_rings_destroy(rings);
        return -1;
    }
    double rate = -1;
    if (sl_trace_reserve(trace, (size_t)n_rings * cap) == 0 &&
        sl_collector_start(&col, rings, trace, 3600u * 1000000u) == 0) {
        uint64_t t0 = thread_cpu_ns();
        size_t drained = 0;
        while (drained < (size_t)n_rings * (cap - 1)) {
            size_t got = sl_collector_drain(col);
            if (got == 0)
                break;
            drained += got;
        }
        uint64_t t1 = thread_cpu_ns();
        sl_collector_stop(col);
        rate = (double)drained / ((double)(t1 - t0) / 1e9);
    }
    sl_trace_free(trace);
    sl_rings_destroy(rings);
    return rate;
}

/* The span fold (sl_span_fold_grow: the model and every task's spans, what
 * the views, the statistics and the exporters read) over a synthetic trace
 * of 1,000 tasks on 4 cores: the fastest of 5 whole passes from the start. */
double sl__bench_fold_events_per_s(void)
{
    sl_trace *tr;
    if (sl_synth_trace(&tr, 1000, 1000000, 4) < 0)
        return -1;
    double best = -1;
    sl_trace_view v;
    sl_trace_read(tr, &v);
    for (int r = 0; r < 5; r++) {
        sl_span_fold f;
        if (sl_span_fold_init(&f, tr->meta.n_tasks, 4) < 0)
            break;
        uint64_t t0 = sl_clock_ns();
        int rc = sl_span_fold_grow(&f, &v, NULL, NULL);
        double rate = (double)v.count / ((double)(sl_clock_ns() - t0) / 1e9);
        sl_span_fold_free(&f);
        if (rc == 0 && rate > best)
            best = rate;
    }
    sl_trace_read_end(&v);
    sl_trace_free(tr);
    return best;
}

/* One steal as a worker does it: half of a victim's queue of 128 taken
 * (under its lock) and queued at the thief. */
double sl__bench_steal_ns(void)
{
    static sl_runq victim, thief;
    uint32_t buf[SL_RUNQ_CAP];
    sl_runq_init(&victim);
    sl_runq_init(&thief);
    const uint32_t n = 20000;
    uint64_t sum = 0;
    for (uint32_t r = 0; r < n; r++) {
        for (uint32_t k = 0; k < 128; k++)
            sl_runq_push(&victim, k, NULL, NULL);
        uint64_t t0 = sl_clock_ns();
        uint32_t got = sl_runq_take_half(&victim, buf, NULL, NULL);
        for (uint32_t k = 0; k < got; k++)
            sl_runq_push(&thief, buf[k], NULL, NULL);
        sum += sl_clock_ns() - t0;
        while (sl_runq_pop(&victim) != SL_NO_TASK || sl_runq_pop(&thief) != SL_NO_TASK)
            ;
    }
    sl_runq_destroy(&victim);
    sl_runq_destroy(&thief);
    return (double)sum / n;
}
