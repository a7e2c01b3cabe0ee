/*
 * worker.c - `schedlab __worker`: the process side of the process strategies.
 *
 *   schedlab __worker --fd 3 --role task|pool|loop --index K --parent PID [--ring R]
 *   schedlab __worker --fd 3 --role cpu --index T --ring R --step I --kind K
 *                     --amount N [--rate ITERS_PER_US] [--parent PID]
 *
 * The parent posix_spawns this (spawn.h) with the rings' memfd on fd 3. The
 * worker maps the region, rebuilds the scenario from the blob's image,
 * adopts the parent's cpu calibration, claims a ring (or reuses ring R, the
 * one of the worker it replaces), binds its hooks with vehicle = its pid and
 * runs tasks with sl_task_exec_blocking, the code every blocking vehicle
 * shares. Its ctx->result is the blob's shared result, so outcomes and
 * failure sentences reach the parent without any pipe.
 *
 *   role task   runs task K (processes)
 *   role pool   is pool worker K: takes chunks from the blob's queue, then
 *               orphans a dead worker left behind, until none is left
 *   role loop   is loop worker K of async+procs: runs tasks K, K+N, K+2N…
 *               (N = the blob's slots) as coroutines on its own event loop
 *   role cpu    one cpu step of async+subprocess (worker-cpu.c): needs no
 *               blob, only ring R; prints its result on stdout
 *   role noop   exits at once: what starting a process costs, for
 *               `schedlab bench` (sl_process_create_once)
 *
 * It dies with its parent (PR_SET_PDEATHSIG) and, on SIGTERM, cancels its
 * current task cleanly at the next slice and takes no other (a loop worker
 * cancels all its pending tasks; a cpu child just dies).
 *
 * Exit codes: 0 done (or stopped), 2 bad arguments, 3 cannot join the run.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/loop.h"
#include "schedlab/proc.h"
#include "schedlab/shared.h"
#include "proc/worker.h"

/* lock-free, so a signal handler may store it */
atomic_int sl__worker_stop;

static void on_sigterm(int sig)
{
    (void)sig;
    atomic_store(&sl__worker_stop, 1);
}

typedef sl__worker_args worker_args;

typedef struct worker {
    sl_run_ctx ctx;
    sl_blob *b;
    _Atomic uint32_t *states;
    sl_worker_slot *slot; /* NULL for role task */
    sl_ring *ring;        /* the ring its hooks write to */
    atomic_uchar *claims; /* the engine's per-task claims, or NULL */
    sl_net_client *client;
    /* Fault injection for the tests: the task after whose EXIT this worker
     * kills itself before marking the task done (the window in which the
     * pool once reported a second EXIT); from SL_FAULT_DIE_AFTER_EXIT_ENV. */
    const char *die_after_exit;
} worker;

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = s != NULL ? strtol(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    *out = v;
    return *end == '\0';
}

static bool parse_rate(const char *s, double *out)
{
    char *end;
    double v = s != NULL ? strtod(s, &end) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || !(v > 0 && v < 1e9))
        return false;
    *out = v;
    return true;
}

static bool known_role(const char *v)
{
    return !strcmp(v, "task") || !strcmp(v, "pool") || !strcmp(v, "loop") || !strcmp(v, "cpu") ||
           !strcmp(v, "noop");
}

static bool parse_args(int argc, char **argv, worker_args *a)
{
    *a = (worker_args){.fd = -1,
                       .index = -1,
                       .parent = 0,
                       .ring = -1,
                       .step = -1,
                       .kind = -1,
                       .amount = UINT64_MAX};
    long fd = -1;
    for (int i = 1; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok;
        if (strcmp(k, "--fd") == 0)
            ok = parse_long(v, 0, 1 << 20, &fd);
        else if (strcmp(k, "--role") == 0)
            ok = (a->role = v) != NULL && known_role(v);
        else if (strcmp(k, "--index") == 0)
            ok = parse_long(v, 0, UINT32_MAX - 1, &a->index);
        else if (strcmp(k, "--parent") == 0)
            ok = parse_long(v, 1, 1 << 30, &a->parent);
        else if (strcmp(k, "--ring") == 0)
            ok = parse_long(v, 0, UINT32_MAX - 1, &a->ring);
        else if (strcmp(k, "--step") == 0)
            ok = parse_long(v, 0, UINT32_MAX - 1, &a->step);
        else if (strcmp(k, "--kind") == 0)
            ok = parse_long(v, SL_STEP_CPU, SL_STEP_CPU_SUMSQ, &a->kind);
        else if (strcmp(k, "--amount") == 0)
            ok = parse_u64(v, &a->amount);
        else if (strcmp(k, "--rate") == 0)
            ok = parse_rate(v, &a->rate);
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "schedlab __worker: bad argument %s %s\n", k, v ? v : "");
            return false;
        }
    }
    a->fd = (int)fd;
    if (a->fd < 0 || a->role == NULL || a->index < 0) {
        fprintf(stderr, "usage: schedlab __worker --fd N --role task|pool|loop|cpu --index K "
                        "[--parent PID] [--ring R] [--step I --kind K --amount N --rate X]\n");
        return false;
    }
    if (!strcmp(a->role, "cpu") &&
        (a->ring < 0 || a->step < 0 || a->kind < 0 || a->amount == UINT64_MAX)) {
        fprintf(stderr, "schedlab __worker: role cpu needs --ring, --step, --kind, --amount\n");
        return false;
    }
    return true;
}

static bool stopping(worker *w)
{
    return atomic_load(&sl__worker_stop) || atomic_load(&w->b->stop);
}

/* Names t as the slot's task, with where in the ring its events begin. */
static void slot_take(worker *w, uint32_t t)
{
    atomic_store(&w->slot->task_from, sl_ring_written(w->ring));
    atomic_store(&w->slot->task, t);
}

/* Runs task t, already marked running in the blob (and in the slot). */
static void run_task(worker *w, uint32_t t)
{
    if (!sl_task_claim(&w->ctx, t)) {
        /* cancelled while queued: no READY, no RUN */
        sl_task_finish(&w->ctx, t, SL_EINTR, NULL);
    } else {
        if (w->slot != NULL) {
            atomic_fetch_add(&w->slot->runs, 1);
            sl_hook_emit(SL_EV_READY, t, SL_READY_WORKER, 0);
        }
        sl_task_exec_blocking(&w->ctx, t, w->client);
        if (w->die_after_exit != NULL && strcmp(w->ctx.sc->tasks[t].name, w->die_after_exit) == 0)
            raise(SIGKILL);
    }
    atomic_store(&w->states[t], SL_TASK_DONE);
    if (w->slot != NULL)
        atomic_store(&w->slot->task, SL_NO_TASK);
}

/* Takes a task its dead worker left unstarted; false if there is none. The
 * slot names the task before the state changes, so that a crash in between
 * is still attributed. */
static bool take_orphan(worker *w)
{
    for (uint32_t t = 0; t < w->b->n_tasks && !stopping(w); t++) {
        if (atomic_load(&w->states[t]) != SL_TASK_ORPHAN)
            continue;
        slot_take(w, t);
        uint32_t expect = SL_TASK_ORPHAN;
        if (atomic_compare_exchange_strong(&w->states[t], &expect, SL_TASK_RUNNING)) {
            run_task(w, t);
            return true;
        }
        atomic_store(&w->slot->task, SL_NO_TASK);
    }
    return false;
}

static void pool_loop(worker *w)
{
    uint32_t n = w->b->n_tasks, chunk = w->b->chunksize;
    while (!stopping(w)) {
        /* once the counter has passed the end, only orphans are left: do not
         * keep adding to it */
        uint32_t first = atomic_load(&w->b->next) < n ? atomic_fetch_add(&w->b->next, chunk) : n;
        if (first >= n) {
            if (!take_orphan(w))
                return;
            continue;
        }
        uint32_t end = n - first < chunk ? n : first + chunk;
        atomic_store(&w->slot->first, first);
        atomic_store(&w->slot->end, end);
        for (uint32_t t = first; t < end && !stopping(w); t++) {
            slot_take(w, t);
            atomic_store(&w->states[t], SL_TASK_RUNNING);
            run_task(w, t);
        }
        atomic_store(&w->slot->end, 0);
        atomic_store(&w->slot->first, 0);
    }
}

/* Maps the run, checks the blob, rebuilds the scenario. */
static int join_run(worker *w, const worker_args *a, sl_rings **rings, sl_scenario **sc)
{
    int err = sl_rings_attach(rings, a->fd);
    if (err < 0) {
        fprintf(stderr, "schedlab __worker: cannot map fd %d: %s\n", a->fd, sl_strerror(err));
        return err;
    }
    size_t size;
    w->b = sl_rings_blob(*rings, &size);
    err = sl_blob_check(w->b, size);
    if (err == 0)
        err = sl_worker_image_read((char *)w->b + w->b->image_off, w->b->image_size, sc);
    if (err == 0 && (*sc)->n_tasks != w->b->n_tasks)
        err = SL_ECORRUPT;
    if (err == 0 && w->b->claims_off > 0)
        w->claims = (atomic_uchar *)((char *)w->b + w->b->claims_off);
    if (err < 0) {
        fprintf(stderr, "schedlab __worker: the run's shared image is unusable: %s\n",
                sl_strerror(err));
        return err;
    }
    bool pool = strcmp(a->role, "task") != 0;
    if ((pool && a->index >= w->b->n_slots) || (!pool && a->index >= w->b->n_tasks)) {
        fprintf(stderr, "schedlab __worker: index %ld out of range\n", a->index);
        return SL_EINVAL;
    }
    w->states = sl_blob_states(w->b);
    w->slot = pool ? &sl_blob_slots(w->b)[a->index] : NULL;
    return 0;
}

/* Claims (or reuses) a ring and binds this process's hooks to it. */
static int bind_ring(worker *w, const worker_args *a, sl_rings *rings)
{
    sl_ring *ring = a->ring >= 0 ? sl_rings_at(rings, (uint32_t)a->ring) : sl_rings_claim(rings);
    if (ring == NULL) {
        fprintf(stderr, "schedlab __worker: no free ring in the run's region\n");
        return SL_ELIMIT;
    }
    if (w->slot != NULL) {
        for (uint32_t i = 0; i < sl_rings_count(rings); i++)
            if (sl_rings_at(rings, i) == ring)
                atomic_store(&w->slot->ring, (int32_t)i);
        atomic_store(&w->slot->pid, (int32_t)getpid());
    }
    w->ring = ring;
    sl_hook_bind(ring, (uint32_t)getpid(), sl_rings_epoch(rings));
    return 0;
}

/* The blocking client of a task or pool worker; a loop worker only needs
 * libcurl initialised (its scheduler makes an event-loop client). */
static int open_client(worker *w, uint32_t task, bool loop)
{
    if (!sl_needs_net(w->ctx.sc, task))
        return 0;
    int err = sl_net_global_init();
    if (err == 0 && !loop)
        err = sl_net_client_new(&w->client);
    if (err < 0)
        fprintf(stderr, "schedlab __worker: no HTTP client: %s\n", sl_strerror(err));
    return err;
}

/* async+procs: this worker's share of the tasks, as coroutines on its own
 * loop. The parent already emitted their SPAWN and QUEUE; it emits EXIT for
 * any of them not marked done here should this process die. */
static int loop_main(worker *w, uint32_t index)
{
    uint32_t n = w->b->n_tasks, stride = w->b->n_slots;
    uint32_t *mine = malloc(((n + stride - 1) / stride + 1) * sizeof(*mine));
    if (mine == NULL)
        return SL_ENOMEM;
    uint32_t k = 0;
    for (uint32_t t = index; t < n; t += stride)
        mine[k++] = t;
    sl_sched_opts o = {.tasks = mine,
                       .n_tasks = k,
                       .no_spawn = true,
                       .switch_vehicle = (uint32_t)getpid(),
                       .done_states = w->states,
                       .running_slot = &w->slot->task};
    int err = sl_sched_run(&w->ctx, &o);
    free(mine);
    return err;
}

int sl_worker_main(int argc, char **argv)
{
    worker_args a;
    if (!parse_args(argc, argv, &a))
        return WORKER_USAGE;
    if (strcmp(a.role, "noop") == 0)
        return WORKER_OK;
    /* The parent may die at any moment, even before the prctl: check after. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (a.parent > 0 && getppid() != (pid_t)a.parent)
        return WORKER_SETUP;
    /* A cpu child has nothing to tidy up: SIGTERM keeps its default action. */
    if (strcmp(a.role, "cpu") == 0)
        return sl__worker_cpu(&a);
    struct sigaction sa = {.sa_handler = on_sigterm, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);

    worker w = {.die_after_exit = getenv(SL_FAULT_DIE_AFTER_EXIT_ENV)};
    sl_rings *rings = NULL;
    sl_scenario *sc = NULL;
    int err = join_run(&w, &a, &rings, &sc);
    if (err == 0) {
        if (w.b->iters_per_us > 0)
            sl_work_set_iters_per_us(w.b->iters_per_us);
        else
            sl_work_calibrate();
        w.ctx = (sl_run_ctx){.sc = sc,
                             .rings = rings,
                             .epoch_ns = sl_rings_epoch(rings),
                             .workers = w.b->workers,
                             .chunksize = w.b->chunksize,
                             .gil_interval_ns = w.b->gil_interval_ns,
                             .gil = w.b->gil,
                             .offload = w.b->offload,
                             .net_port = w.b->net_port,
                             .stop = &sl__worker_stop,
                             .result = &w.b->result,
                             .shared = sl_blob_shared(w.b),
                             .claims = w.claims};
        bool loop = strcmp(a.role, "loop") == 0;
        err = open_client(&w, w.slot != NULL ? SL_NO_TASK : (uint32_t)a.index, loop);
    }
    if (err == 0)
        err = bind_ring(&w, &a, rings);
    /* a worker process has its own memory: plain counters are copies */
    sl_shared_own_copies();
    if (err == 0) {
        /* A pool's worker is up: its start-up ends before its first task. */
        if (strcmp(a.role, "task") != 0)
            sl_hook_emit(SL_EV_START, SL_NO_TASK, SL_START_WORKER_UP, (uint64_t)a.index);
        if (strcmp(a.role, "loop") == 0) {
            err = loop_main(&w, (uint32_t)a.index);
        } else if (w.slot != NULL) {
            pool_loop(&w);
        } else {
            atomic_store(&w.states[a.index], SL_TASK_RUNNING);
            run_task(&w, (uint32_t)a.index);
        }
        sl_shared_publish_copies(w.ctx.shared);
        sl_hook_unbind();
    }
    sl_net_client_free(w.client);
    sl_worker_image_free(sc);
    sl_rings_destroy(rings);
    return err == 0 ? WORKER_OK : WORKER_SETUP;
}
