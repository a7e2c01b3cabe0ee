/*
 * run.c - one scenario under one strategy, on its own thread.
 *
 * Order of a run, and why:
 *   1. rings, trace, collector, kernel sampler and RSS watcher are set up
 *      before the clock's epoch, so their start-up is not charged to tasks;
 *   2. the runner thread binds ring 0 (the strategy's SPAWN/QUEUE hooks for
 *      the parent side go there); the sampler writes ring 1;
 *   3. strategy->run() executes every task; MARK events bracket it;
 *   4. the sampler and the collector stop last, so the trace is complete
 *      and sorted when sl_run_done() turns true.
 *
 * Cancelling one task: the last n_tasks bytes of the rings' blob are the
 * per-task claims (strategy.h), shared with worker processes through the
 * same mapping. sl_run_cancel_task and the vehicle about to start a task
 * race for the same byte with one compare-and-swap, so a task is either
 * started or cancelled, never both. claims_mu keeps the mapping alive while
 * another thread uses it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine/rss-watch.h"
#include "schedlab/proc.h"
#include "schedlab/error.h"
#include "schedlab/engine.h"
#include "schedlab/work.h"

/* Events buffered per run across all rings, split evenly between rings.
 * Pages of the memfd are committed only when written, but the mapping takes
 * address space in this process and in every worker that attaches it: so a
 * ring is sized to the run, not to the most a run could need. The runner's
 * ring takes SPAWN and QUEUE for every task at once (two million events for
 * a million tasks); the collector drains every ring each millisecond, so
 * beyond that a ring holds a burst of RING_BURST_EVENTS. */
#define RING_BUDGET_EVENTS (64u << 20)
#define RING_BURST_EVENTS (1u << 17)
#define RING_MIN_EVENTS 1024u
#define RING_MAX_EVENTS (4u << 20)
#define COLLECTOR_PERIOD_US 1000
#define SAMPLER_PERIOD_US 2000

struct sl_run {
    sl_engine *engine;
    sl_run_opts opts;
    sl_trace *trace;
    pthread_t thread;
    atomic_bool done;
    atomic_int stop;
    int status;
    sl_run_result result;
    char worker_exe[PATH_MAX];
    pthread_mutex_t claims_mu;
    atomic_uchar *claims; /* under claims_mu; NULL before and after the strategy */
    uint32_t n_claims;
};

/* This process's address space in use, in bytes (0 if unknown). */
static uint64_t vm_size(void)
{
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Events per ring: what the run needs, within the budget, and under an
 * address-space limit (RLIMIT_AS) within a quarter of what is left. */
static uint32_t ring_capacity(uint32_t n_rings, uint32_t n_tasks)
{
    uint64_t budget = RING_BUDGET_EVENTS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = vm_size(), room = rl.rlim_cur > used ? rl.rlim_cur - used : 0;
        if (room / 4 / sizeof(sl_event) < budget)
            budget = room / 4 / sizeof(sl_event);
    }
    uint64_t cap = 2ull * n_tasks + RING_BURST_EVENTS;
    if (cap > budget / (n_rings ? n_rings : 1))
        cap = budget / (n_rings ? n_rings : 1);
    if (cap < RING_MIN_EVENTS)
        cap = RING_MIN_EVENTS;
    if (cap > RING_MAX_EVENTS)
        cap = RING_MAX_EVENTS;
    return (uint32_t)cap;
}

static void fill_meta(sl_trace_meta *meta, const sl_run *r, const sl_run_ctx *ctx)
{
    memset(meta, 0, sizeof(*meta));
    snprintf(meta->scenario, sizeof(meta->scenario), "%s", r->opts.sc->name);
    snprintf(meta->title, sizeof(meta->title), "%s", r->opts.sc->title);
    snprintf(meta->strategy, sizeof(meta->strategy), "%s", r->opts.strategy->name);
    meta->n_tasks = r->opts.sc->n_tasks;
    meta->workers = r->opts.strategy->uses_workers ? ctx->workers : 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    meta->cores = cores > 0 ? (uint32_t)cores : 1;
    meta->gil = ctx->gil;
    meta->gil_interval_ns = ctx->gil == SL_GIL_ON && r->opts.strategy->gil != SL_GIL_SCOPE_NONE
                                ? ctx->gil_interval_ns
                                : 0;
    meta->cpu_iters_per_us = sl_work_iters_per_us();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    meta->started_unix_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(meta->machine, sizeof(meta->machine), "%.40s %.20s", u.nodename, u.machine);
}

uint32_t sl_run_gil(const sl_run_opts *opts)
{
    if (opts->strategy->gil == SL_GIL_SCOPE_ALWAYS)
        return SL_GIL_ON;
    if (opts->strategy->gil == SL_GIL_SCOPE_NEVER)
        return SL_GIL_NEVER;
    return opts->gil != SL_GIL_DEFAULT ? opts->gil : opts->sc->gil;
}

/* The worker binary: $SCHEDLAB_WORKER_EXE (tests) or this executable. */
static void find_worker_exe(char *buf, size_t size)
{
    const char *env = getenv("SCHEDLAB_WORKER_EXE");
    if (env != NULL && env[0] != '\0') {
        snprintf(buf, size, "%s", env);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    buf[n > 0 ? (size_t)n : 0] = '\0';
}

static void copy_os_result(sl_trace_os *os, const sl_run_result *res, uint64_t peak_kb,
                           uint64_t base_kb)
{
    /* The sampler's switch records, where the kernel gave them, count every
     * vehicle's switches exactly; getrusage's counts are the fallback. */
    if (strcmp(os->switch_source, "perf_event") == 0) {
        snprintf(os->switch_source, sizeof(os->switch_source), "perf_event+schedstat");
    } else {
        snprintf(os->switch_source, sizeof(os->switch_source), "rusage+schedstat");
        os->voluntary = res->voluntary;
        os->involuntary = res->involuntary;
    }
    os->cpu_ns = res->cpu_ns;
    /* Process strategies see each child's own peak; the watcher sees the sum. */
    os->peak_rss_kb = peak_kb > res->peak_rss_kb ? peak_kb : res->peak_rss_kb;
    os->n_vehicles = res->n_vehicles;
    uint64_t grown = os->peak_rss_kb > base_kb ? os->peak_rss_kb - base_kb : 0;
    os->vehicle_mem_kb = res->n_vehicles ? grown / res->n_vehicles : 0;
}

static int run_body(sl_run *r)
{
    const sl_scenario *sc = r->opts.sc;
    sl_run_ctx ctx = {
        .sc = sc,
        .workers = r->opts.workers ? r->opts.workers : sc->workers,
        .chunksize = sc->chunksize ? sc->chunksize : 1,
        .gil_interval_ns = r->opts.gil_interval_ns ? r->opts.gil_interval_ns : sc->gil_interval_ns,
        .gil = sl_run_gil(&r->opts),
        .offload = r->opts.offload ? r->opts.offload : sc->offload,
        .net_port = sl_engine_port(r->engine),
        .worker_exe = r->worker_exe,
        .stop = &r->stop,
        .result = &r->result,
        .start = r->opts.start != SL_START_DEFAULT ? r->opts.start : sc->start,
    };
    if (getenv(SL_WORKER_MARK_ENV) != NULL) {
        snprintf(r->result.error, sizeof(r->result.error),
                 "this process was started as a worker of process %s, so the binary workers are "
                 "started from is not schedlab: set SCHEDLAB_WORKER_EXE to the schedlab binary",
                 getenv(SL_WORKER_MARK_ENV));
        return SL_ESPAWN;
    }
    uint32_t n_rings = r->opts.strategy->rings_needed(&ctx) + 2;
    size_t blob = r->opts.strategy->blob_needed ? r->opts.strategy->blob_needed(&ctx) : 0;
    size_t strategy_blob = blob;
    blob += sc->n_tasks;

    sl_trace_meta meta;
    fill_meta(&meta, r, &ctx);
    const char **names = malloc(sizeof(*names) * (sc->n_tasks ? sc->n_tasks : 1));
    if (names == NULL)
        return SL_ENOMEM;
    for (uint32_t i = 0; i < sc->n_tasks; i++)
        names[i] = sc->tasks[i].name;
    sl_trace *trace;
    int err = sl_trace_new(&trace, &meta, names);
    free(names);
    if (err < 0)
        return err;
    __atomic_store_n(&r->trace, trace, __ATOMIC_RELEASE);

    uint64_t epoch = sl_clock_ns();
    ctx.epoch_ns = epoch;
    err = sl_rings_create(&ctx.rings, n_rings, ring_capacity(n_rings, sc->n_tasks), epoch, blob);
    if (err < 0)
        return err;
    if (sc->n_tasks > 0) {
        /* Zeroed by the mapping: every task starts SL_CLAIM_PENDING. */
        ctx.claims = (atomic_uchar *)((char *)sl_rings_blob(ctx.rings, NULL) + strategy_blob);
        pthread_mutex_lock(&r->claims_mu);
        r->claims = ctx.claims;
        r->n_claims = sc->n_tasks;
        pthread_mutex_unlock(&r->claims_mu);
    }
    sl_ring *runner_ring = sl_rings_claim(ctx.rings);
    sl_ring *sampler_ring = sl_rings_claim(ctx.rings);

    sl_collector *collector = NULL;
    sl__rss_watch *rss = NULL;
    err = sl_collector_start(&collector, ctx.rings, r->trace, COLLECTOR_PERIOD_US);
    if (err == 0)
        err = sl_os_sampler_start(&ctx.sampler, sampler_ring, epoch, SAMPLER_PERIOD_US);
    if (err == 0)
        err = sl__rss_watch_start(&rss);
    if (err == 0) {
        sl_hook_bind(runner_ring, (uint32_t)getpid(), epoch);
        sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_BEGIN, sc->n_tasks);
        err = r->opts.strategy->run(&ctx);
        if (err == 0 && atomic_load(&r->stop))
            err = SL_EINTR;
        sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_RUN_END, (uint64_t)(int64_t)err);
        sl_hook_unbind();
    }

    uint64_t peak_kb = 0, base_kb = 0;
    if (rss != NULL)
        sl__rss_watch_stop(rss, &peak_kb, &base_kb);
    if (ctx.sampler != NULL)
        sl_os_sampler_stop(ctx.sampler, &r->trace->os);
    copy_os_result(&r->trace->os, &r->result, peak_kb, base_kb);
    if (collector != NULL) {
        int cerr = sl_collector_stop(collector);
        if (err == 0)
            err = cerr;
    }
    pthread_mutex_lock(&r->claims_mu);
    r->claims = NULL;
    pthread_mutex_unlock(&r->claims_mu);
    sl_rings_destroy(ctx.rings);
    return err;
}

static void *run_main(void *arg)
{
    sl_run *r = arg;
    r->status = run_body(r);
    if (r->status < 0 && r->result.error[0] == '\0')
        snprintf(r->result.error, sizeof(r->result.error), "%s", sl_strerror(r->status));
    atomic_store(&r->done, true);
    return NULL;
}

int sl_run_start(sl_run **out, sl_engine *e, const sl_run_opts *opts)
{
    *out = NULL;
    if (opts == NULL || opts->sc == NULL || opts->strategy == NULL)
        return SL_EINVAL;
    sl_run *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return SL_ENOMEM;
    r->engine = e;
    r->opts = *opts;
    atomic_init(&r->done, false);
    atomic_init(&r->stop, 0);
    pthread_mutex_init(&r->claims_mu, NULL);
    find_worker_exe(r->worker_exe, sizeof(r->worker_exe));
    if (pthread_create(&r->thread, NULL, run_main, r) != 0) {
        pthread_mutex_destroy(&r->claims_mu);
        free(r);
        return SL_ELIMIT;
    }
    *out = r;
    return 0;
}

sl_trace *sl_run_trace(sl_run *r)
{
    /* The trace exists once the runner thread created it; views poll until then. */
    return __atomic_load_n(&r->trace, __ATOMIC_ACQUIRE);
}

bool sl_run_done(sl_run *r)
{
    return atomic_load(&r->done);
}

void sl_run_cancel(sl_run *r)
{
    atomic_store(&r->stop, 1);
}

int sl_run_cancel_task(sl_run *r, uint32_t task)
{
    if (task >= r->opts.sc->n_tasks)
        return SL_EINVAL;
    int err = SL_ESTATE;
    pthread_mutex_lock(&r->claims_mu);
    unsigned char expect = SL_CLAIM_PENDING;
    if (r->claims != NULL && task < r->n_claims &&
        atomic_compare_exchange_strong(&r->claims[task], &expect, SL_CLAIM_CANCELLED))
        err = 0;
    pthread_mutex_unlock(&r->claims_mu);
    return err;
}

int sl_run_wait(sl_run *r, sl_run_result *out)
{
    pthread_join(r->thread, NULL);
    r->thread = 0;
    if (out != NULL)
        *out = r->result;
    return r->status;
}

sl_trace *sl_run_take_trace(sl_run *r)
{
    sl_trace *t = r->trace;
    r->trace = NULL;
    return t;
}

void sl_run_free(sl_run *r)
{
    if (r == NULL)
        return;
    if (r->thread != 0) {
        sl_run_cancel(r);
        pthread_join(r->thread, NULL);
    }
    sl_trace_free(r->trace);
    pthread_mutex_destroy(&r->claims_mu);
    free(r);
}

int sl_run_once(sl_engine *e, const sl_run_opts *opts, sl_trace **trace, sl_run_result *res)
{
    sl_run *r;
    int err = sl_run_start(&r, e, opts);
    if (err < 0)
        return err;
    err = sl_run_wait(r, res);
    if (trace != NULL)
        *trace = sl_run_take_trace(r);
    sl_run_free(r);
    return err;
}
