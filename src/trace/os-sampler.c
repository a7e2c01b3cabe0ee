/*
 * os-sampler.c - the kernel's view of the vehicles, from /proc.
 *
 * Hooks see what the program does; only the kernel sees when a runnable
 * thread sat in a run queue. A thread samples each registered vehicle's
 * /proc/<pid>/task/<tid>/schedstat (on-cpu ns, run-queue wait ns) and, when
 * either grew by at least a microsecond, emits one OS_SAMPLE into its ring:
 * task = what the vehicle carries now, vehicle = tid, reason = run-queue wait
 * µs, arg = on-cpu µs, core = field 39 (`processor`) of .../stat. Only the
 * whole microseconds reported are taken off the baseline, so the remainders
 * carry over and the sums stay exact.
 *
 * Scale: a sweep costs a pread or two per vehicle (0.3 µs for schedstat,
 * 1.7 µs more for stat when it ran; ~4 µs all told, measured with 400 threads).
 * The period stretches so that a sweep's CPU time never exceeds 1/20 of it
 * (the sampler stays under ~5% of one core): 10,000 busy vehicles are sampled
 * about every 0.8 s instead of every 2 ms. A sweep releases the mutex every 64 vehicles so that
 * registering a vehicle never waits for a whole sweep; a vehicle swapped in by
 * a removal mid-sweep may be seen twice or skipped once, which only shifts
 * time between two samples.
 *
 * File descriptors stay open per vehicle (pread at offset 0 regenerates a
 * /proc file) up to a quarter of RLIMIT_NOFILE; vehicles beyond that budget
 * open, read and close on every sample.
 *
 * /proc/stat's per-core busy time (user+nice+system+irq+softirq+steal) is
 * read at start and stop; the difference goes into sl_trace_os.
 *
 * Where the kernel permits perf events (os-switches.h), every sweep first
 * drains the context-switch records: each registered vehicle's voluntary
 * and involuntary switches are counted exactly (the totals replace the
 * engine's getrusage counts, and switch_source says "perf_event"), and its
 * core is the one it last switched in on, which spares the stat read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "trace/os-switches.h"

#define DEFAULT_PERIOD_US 2000u
#define SWEEP_DUTY 20u  /* period >= SWEEP_DUTY x sweep time */
#define SWEEP_CHUNK 64u /* vehicles sampled per mutex hold */
#define MAX_CORES 64u

typedef struct vehicle {
    int pid, tid;
    uint32_t task;
    int fd_sched, fd_stat;        /* -1: not kept open (over budget, or gone) */
    uint64_t base_cpu, base_wait; /* ns already reported */
    bool gone;                    /* its /proc entry vanished: nothing more to read */
    bool core_known;              /* switched in since registration (perf) */
    uint16_t core;                /* where it last switched in (perf) */
} vehicle;

struct sl_os_sampler {
    sl_ring *ring;
    uint64_t epoch_ns;
    uint64_t period_ns; /* as asked */
    pthread_mutex_t mu; /* guards everything below up to `wake_mu` */
    vehicle *v;
    uint32_t n, cap;
    uint32_t *slots; /* open-addressing tid -> index + 1 (0: empty) */
    uint32_t n_slots;
    uint32_t fds_open, fd_budget;
    uint64_t cur_period_ns; /* as adapted to the number of vehicles */
    pthread_mutex_t wake_mu;
    pthread_cond_t wake;
    bool stopping;
    pthread_t thread;
    uint64_t busy0[MAX_CORES];
    uint32_t n_busy0;
    sl__switches *switches;          /* NULL: perf events not permitted */
    uint64_t voluntary, involuntary; /* registered vehicles' switches (perf) */
};

/* ---- /proc reading ----------------------------------------------------- */

static ssize_t read_file(int *fd, const char *path, char *buf, size_t size)
{
    int f = *fd >= 0 ? *fd : open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return -1;
    ssize_t n = pread(f, buf, size - 1, 0);
    if (*fd < 0)
        close(f);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

static bool read_schedstat(vehicle *v, uint64_t *cpu, uint64_t *wait)
{
    char path[64], buf[128];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", v->pid, v->tid);
    unsigned long long a, b;
    if (read_file(&v->fd_sched, path, buf, sizeof(buf)) <= 0 ||
        sscanf(buf, "%llu %llu", &a, &b) != 2)
        return false;
    *cpu = a;
    *wait = b;
    return true;
}

/* Field 39 of stat; the command name (field 2) may hold spaces and ')'. */
static uint16_t read_processor(vehicle *v)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", v->pid, v->tid);
    if (read_file(&v->fd_stat, path, buf, sizeof(buf)) <= 0)
        return 0;
    char *p = strrchr(buf, ')');
    for (int field = 2; p != NULL && field < 39; field++)
        p = strchr(p + 1, ' ');
    return p != NULL ? (uint16_t)strtoul(p + 1, NULL, 10) : 0;
}

static void close_fds(sl_os_sampler *s, vehicle *v)
{
    if (v->fd_sched >= 0) {
        close(v->fd_sched);
        s->fds_open--;
    }
    if (v->fd_stat >= 0) {
        close(v->fd_stat);
        s->fds_open--;
    }
    v->fd_sched = v->fd_stat = -1;
}

/* Per-core busy ns from /proc/stat; returns the number of cores read. */
static uint32_t read_core_busy(uint64_t busy[MAX_CORES])
{
    FILE *f = fopen("/proc/stat", "re");
    if (f == NULL)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t ns_per_tick = hz > 0 ? 1000000000u / (uint64_t)hz : 10000000u;
    uint32_t n = 0;
    char line[512];
    memset(busy, 0, MAX_CORES * sizeof(*busy));
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned cpu;
        unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
        if (sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &user, &nice, &sys,
                   &idle, &iowait, &irq, &softirq, &steal) != 9 ||
            cpu >= MAX_CORES)
            continue;
        busy[cpu] = (user + nice + sys + irq + softirq + steal) * ns_per_tick;
        if (cpu + 1 > n)
            n = cpu + 1;
    }
    fclose(f);
    return n;
}

/* ---- the tid index ------------------------------------------------------- */

static uint32_t slot_of(const sl_os_sampler *s, int tid)
{
    return ((uint32_t)tid * 2654435761u) & (s->n_slots - 1);
}

/* The slot holding tid, or the empty slot where it would go. */
static uint32_t find_slot(const sl_os_sampler *s, int tid)
{
    uint32_t i = slot_of(s, tid);
    while (s->slots[i] != 0 && s->v[s->slots[i] - 1].tid != tid)
        i = (i + 1) & (s->n_slots - 1);
    return i;
}

static int rehash(sl_os_sampler *s, uint32_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof(*slots));
    if (slots == NULL)
        return SL_ENOMEM;
    free(s->slots);
    s->slots = slots;
    s->n_slots = n_slots;
    for (uint32_t k = 0; k < s->n; k++)
        s->slots[find_slot(s, s->v[k].tid)] = k + 1;
    return 0;
}

/* Backward-shift deletion keeps linear probing correct without tombstones. */
static void erase_slot(sl_os_sampler *s, uint32_t i)
{
    uint32_t mask = s->n_slots - 1;
    for (uint32_t j = (i + 1) & mask; s->slots[j] != 0; j = (j + 1) & mask) {
        uint32_t home = slot_of(s, s->v[s->slots[j] - 1].tid);
        /* Move j back into the hole i unless its home lies in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            s->slots[i] = s->slots[j];
            i = j;
        }
    }
    s->slots[i] = 0;
}

/* ---- switch records (perf) ------------------------------------------------ */

/* Counts a registered vehicle's switch; other tasks' are not the run's. */
static void on_switch(void *arg, const sl__switch *sw)
{
    sl_os_sampler *s = arg;
    uint32_t at = find_slot(s, sw->tid);
    if (s->slots[at] == 0)
        return;
    vehicle *v = &s->v[s->slots[at] - 1];
    if (!sw->out) {
        v->core = sw->cpu;
        v->core_known = true;
    } else if (sw->preempt) {
        s->involuntary++;
    } else {
        s->voluntary++;
    }
}

/* With the lock held: takes in the records written since the last drain. */
static void drain_switches(sl_os_sampler *s)
{
    if (s->switches != NULL)
        sl__switches_drain(s->switches, on_switch, s);
}

/* ---- sampling ------------------------------------------------------------- */

static void sample(sl_os_sampler *s, vehicle *v)
{
    uint64_t cpu, wait;
    if (v->gone)
        return;
    if (!read_schedstat(v, &cpu, &wait)) {
        v->gone = true;
        close_fds(s, v);
        return;
    }
    uint64_t cpu_us = cpu > v->base_cpu ? (cpu - v->base_cpu) / 1000u : 0;
    uint64_t wait_us = wait > v->base_wait ? (wait - v->base_wait) / 1000u : 0;
    if (cpu_us == 0 && wait_us == 0)
        return;
    v->base_cpu += cpu_us * 1000u;
    v->base_wait += wait_us * 1000u;
    uint64_t now = sl_clock_ns();
    sl_event ev = {
        .t_ns = now > s->epoch_ns ? now - s->epoch_ns : 0,
        .arg = cpu_us,
        .task = v->task,
        .vehicle = (uint32_t)v->tid,
        .kind = SL_EV_OS_SAMPLE,
        .core = v->core_known ? v->core : read_processor(v),
        .reason = wait_us > UINT32_MAX ? UINT32_MAX : (uint32_t)wait_us,
    };
    sl_ring_push(s->ring, &ev);
}

/* CPU time, not wall time: on a loaded machine the sampler waits for a core,
 * and that wait is not a cost to spread out. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sweep(sl_os_sampler *s)
{
    uint64_t t0 = thread_cpu_ns();
    pthread_mutex_lock(&s->mu);
    drain_switches(s);
    pthread_mutex_unlock(&s->mu);
    for (uint32_t i = 0;;) {
        pthread_mutex_lock(&s->mu);
        if (i >= s->n) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        for (uint32_t end = i + SWEEP_CHUNK; i < end && i < s->n; i++)
            sample(s, &s->v[i]);
        pthread_mutex_unlock(&s->mu);
    }
    uint64_t spent = thread_cpu_ns() - t0;
    pthread_mutex_lock(&s->mu);
    s->cur_period_ns = spent * SWEEP_DUTY > s->period_ns ? spent * SWEEP_DUTY : s->period_ns;
    pthread_mutex_unlock(&s->mu);
}

static void *sampler_main(void *arg)
{
    sl_os_sampler *s = arg;
    pthread_mutex_lock(&s->wake_mu);
    while (!s->stopping) {
        pthread_mutex_lock(&s->mu);
        uint64_t period = s->cur_period_ns;
        pthread_mutex_unlock(&s->mu);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t ns = (uint64_t)ts.tv_nsec + period;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        int rc = pthread_cond_timedwait(&s->wake, &s->wake_mu, &ts);
        if (s->stopping || (rc != 0 && rc != ETIMEDOUT))
            break;
        pthread_mutex_unlock(&s->wake_mu);
        sweep(s);
        pthread_mutex_lock(&s->wake_mu);
    }
    pthread_mutex_unlock(&s->wake_mu);
    return NULL;
}

/* ---- public ------------------------------------------------------------- */

int sl_os_sampler_start(sl_os_sampler **out, sl_ring *ring, uint64_t epoch_ns, uint32_t period_us)
{
    *out = NULL;
    if (ring == NULL)
        return SL_EINVAL;
    sl_os_sampler *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return SL_ENOMEM;
    s->ring = ring;
    s->epoch_ns = epoch_ns;
    s->period_ns = (uint64_t)(period_us ? period_us : DEFAULT_PERIOD_US) * 1000u;
    s->cur_period_ns = s->period_ns;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t budget = rl.rlim_cur == RLIM_INFINITY ? 4096 : rl.rlim_cur / 4;
        s->fd_budget = budget > 4096 ? 4096 : (uint32_t)budget;
    }
    s->n_busy0 = read_core_busy(s->busy0);
    if (rehash(s, 64) < 0) {
        free(s);
        return SL_ENOMEM;
    }
    /* Refused (not permitted): the /proc and getrusage figures stand alone. */
    if (sl__switches_open(&s->switches) != 0)
        s->switches = NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->wake_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
        sl__switches_close(s->switches);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->wake_mu);
        pthread_mutex_destroy(&s->mu);
        free(s->slots);
        free(s);
        return SL_ELIMIT;
    }
    *out = s;
    return 0;
}

static void open_fds(sl_os_sampler *s, vehicle *v)
{
    char path[64];
    v->fd_sched = v->fd_stat = -1;
    if (s->fds_open + 2 > s->fd_budget)
        return;
    snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", v->pid, v->tid);
    v->fd_sched = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", v->pid, v->tid);
    v->fd_stat = open(path, O_RDONLY | O_CLOEXEC);
    s->fds_open += (v->fd_sched >= 0) + (v->fd_stat >= 0);
}

void sl_os_sampler_add(sl_os_sampler *s, int pid, int tid, uint32_t task)
{
    if (s == NULL)
        return;
    vehicle nv = {.pid = pid, .tid = tid, .task = task};
    pthread_mutex_lock(&s->mu);
    uint32_t at = find_slot(s, tid);
    if (s->slots[at] != 0) {
        /* A tid reused before its old vehicle was removed: start afresh. */
        vehicle *old = &s->v[s->slots[at] - 1];
        close_fds(s, old);
        open_fds(s, &nv);
        *old = nv;
    } else {
        if (s->n == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 64;
            vehicle *v = realloc(s->v, cap * sizeof(*v));
            if (v == NULL) {
                pthread_mutex_unlock(&s->mu);
                return;
            }
            s->v = v;
            s->cap = cap;
        }
        open_fds(s, &nv);
        s->v[s->n] = nv;
        s->slots[at] = ++s->n;
        if (s->n * 2 > s->n_slots && rehash(s, s->n_slots * 2) < 0) {
            /* Out of memory: a fuller table would end up probing forever. */
            close_fds(s, &s->v[s->n - 1]);
            erase_slot(s, at);
            s->n--;
            pthread_mutex_unlock(&s->mu);
            return;
        }
    }
    /* The baseline: time on cpu before registration is not this run's. */
    vehicle *v = &s->v[s->slots[find_slot(s, tid)] - 1];
    if (!read_schedstat(v, &v->base_cpu, &v->base_wait)) {
        v->gone = true;
        close_fds(s, v);
    }
    pthread_mutex_unlock(&s->mu);
}

void sl_os_sampler_set_task(sl_os_sampler *s, int tid, uint32_t task)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    uint32_t at = find_slot(s, tid);
    if (s->slots[at] != 0)
        s->v[s->slots[at] - 1].task = task;
    pthread_mutex_unlock(&s->mu);
}

void sl_os_sampler_remove(sl_os_sampler *s, int tid)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    /* Its last switches are still in the buffers: count them first. */
    drain_switches(s);
    uint32_t at = find_slot(s, tid);
    if (s->slots[at] != 0) {
        uint32_t idx = s->slots[at] - 1;
        close_fds(s, &s->v[idx]);
        erase_slot(s, at);
        if (idx != s->n - 1) {
            s->v[idx] = s->v[s->n - 1];
            s->slots[find_slot(s, s->v[idx].tid)] = idx + 1;
        }
        s->n--;
    }
    pthread_mutex_unlock(&s->mu);
}

uint32_t sl_os_sampler_count(sl_os_sampler *s)
{
    pthread_mutex_lock(&s->mu);
    uint32_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

uint32_t sl_os_sampler_period_us(sl_os_sampler *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t p = s->cur_period_ns / 1000u;
    pthread_mutex_unlock(&s->mu);
    return p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
}

void sl_os_sampler_stop(sl_os_sampler *s, sl_trace_os *os)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->wake_mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->wake_mu);
    pthread_join(s->thread, NULL);
    /* The last stretch since the previous sweep belongs to the run too. */
    sweep(s);

    if (os != NULL) {
        uint64_t busy1[MAX_CORES];
        uint32_t n = read_core_busy(busy1);
        if (n > s->n_busy0)
            n = s->n_busy0;
        for (uint32_t i = 0; i < n; i++)
            os->core_busy_ns[i] = busy1[i] > s->busy0[i] ? busy1[i] - s->busy0[i] : 0;
        os->n_core_busy = n;
        if (s->switches != NULL) {
            os->voluntary = s->voluntary;
            os->involuntary = s->involuntary;
            snprintf(os->switch_source, sizeof(os->switch_source), "perf_event");
        } else {
            snprintf(os->switch_source, sizeof(os->switch_source), "schedstat");
        }
    }
    sl__switches_close(s->switches);
    for (uint32_t i = 0; i < s->n; i++)
        close_fds(s, &s->v[i]);
    free(s->v);
    free(s->slots);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->wake_mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
