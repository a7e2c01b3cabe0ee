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
#include <unistd.h>

#include "cli/bench-probes.h"
#include "schedlab/coro.h"
#include "schedlab/trace.h"
#include "schedlab/steal.h"

extern char **environ;

static double per_op(uint64_t t0, uint64_t t1, uint64_t ops)
{
    return (double)(t1 - t0) / (double)ops;
}

double sl__bench_empty_loop_ns(void)
{
    const uint64_t n = 10000000;
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("" ::: "memory");
    return per_op(t0, sl_clock_ns(), n);
}

/* Cost of one call of `read`, over 2,000,000 calls. Always inlined, so that
 * `read` is a direct, inlined call in each caller's loop, not one through a
 * pointer, which would add its own cost to what is measured. */
static inline __attribute__((always_inline)) double time_reads(uint64_t (*read)(void))
{
    const uint64_t n = 2000000;
    uint64_t sink = 0;
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++)
        sink += read();
    uint64_t t1 = sl_clock_ns();
    __asm__ volatile("" ::"r"(sink));
    return per_op(t0, t1, n);
}

double sl__bench_clock_ns(void)
{
    return time_reads(sl_clock_ns);
}

/* The CPU's own cycle counter, the cheapest timestamp there is: the floor
 * under any hook that stamps its events, whatever clock it converts to. */
static inline uint64_t read_counter(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

double sl__bench_counter_read_ns(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
    return time_reads(read_counter);
#else
    return -1;
#endif
}

double sl__bench_hook_ns(double empty_loop_ns)
{
    const uint32_t cap = 1u << 20;
    sl_rings *rings;
    uint64_t epoch = sl_clock_ns();
    if (sl_rings_create(&rings, 1, cap, epoch, 0) < 0)
        return -1;
    sl_ring *ring = sl_rings_claim(rings);
    sl_hook_bind(ring, 1, epoch);
    const uint64_t n = cap - 1; /* fits: measures the push, not the drop path */
    /* A first pass faults the ring's pages in, as a running collector's
     * ring is: the timed pass measures hooks, not page faults. */
    static sl_event sink[4096];
    for (uint64_t i = 0; i < n; i++)
        sl_hook_emit(SL_EV_RUN, (uint32_t)i, 0, i);
    while (sl_ring_pop(ring, sink, 4096) > 0)
        ;
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++)
        sl_hook_emit(SL_EV_RUN, (uint32_t)i, 0, i);
    uint64_t t1 = sl_clock_ns();
    sl_hook_unbind();
    sl_rings_destroy(rings);
    return per_op(t0, t1, n) - empty_loop_ns;
}

static void pingpong_coro(sl_coro *co, void *arg)
{
    for (;;)
        sl_coro_yield(co);
}

double sl__bench_coroutine_switch_ns(void)
{
    sl_coro *co;
    if (sl_coro_create(&co, pingpong_coro, NULL, 0) < 0)
        return -1;
    const uint64_t n = 5000000;
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++)
        sl_coro_resume(co);
    uint64_t t1 = sl_clock_ns();
    /* The coroutine never returns: it is suspended, so destroying it is safe. */
    sl_coro_destroy(co);
    return per_op(t0, t1, 2 * n); /* resume + yield = two switches */
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

/* A process vehicle is this binary spawned in worker mode: spawn, exec,
 * dynamic linking and exit, as the process strategies pay it. */
double sl__bench_process_create_ns(void)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
    char *args[] = {exe, "--version", NULL};
    const uint64_t n = 100;
    uint64_t t0 = sl_clock_ns();
    for (uint64_t i = 0; i < n; i++) {
        pid_t pid;
        if (posix_spawn(&pid, exe, &fa, NULL, args, environ) != 0)
            return -1;
        waitpid(pid, NULL, 0);
    }
    uint64_t t1 = sl_clock_ns();
    posix_spawn_file_actions_destroy(&fa);
    return per_op(t0, t1, n);
}

double sl__bench_collector_events_per_s(void)
{
    enum { RINGS = 4 };
    const uint32_t cap = 1u << 20;
    uint64_t epoch = sl_clock_ns();
    sl_rings *rings;
    if (sl_rings_create(&rings, RINGS, cap, epoch, 0) < 0)
        return -1;
    /* Interleaved timestamps across rings: the collector has to merge. */
    for (int r = 0; r < RINGS; r++) {
        sl_ring *ring = sl_rings_claim(rings);
        for (uint32_t i = 0; i + 1 < cap; i++) {
            sl_event ev = {.t_ns = (uint64_t)i * RINGS + (uint64_t)r, .task = i, .kind = SL_EV_RUN};
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
    if (sl_collector_start(&col, rings, trace, 1000000) == 0) {
        uint64_t t0 = sl_clock_ns();
        size_t drained = 0;
        while (drained < (size_t)RINGS * (cap - 1)) {
            size_t got = sl_collector_drain(col);
            if (got == 0)
                break;
            drained += got;
        }
        uint64_t t1 = sl_clock_ns();
        sl_collector_stop(col);
        rate = (double)drained / ((double)(t1 - t0) / 1e9);
    }
    sl_trace_free(trace);
    sl_rings_destroy(rings);
    return rate;
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
