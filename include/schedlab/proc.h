/*
 * Proc.h - the door of src/proc/: worker processes.
 *
 * Starting, watching and reaping them, and the blob of shared memory
 * through which they get their tasks and report back.
 */
#ifndef SCHEDLAB_PROC_H
#define SCHEDLAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdatomic.h>

#include "schedlab/scenario.h"
#include "schedlab/shared.h"

/*
 * Starting worker processes and reaping them (process strategies).
 *
 * Two start methods, as in multiprocessing: forkserver (a fork of a small
 * server forked before any thread existed) and spawn (posix_spawn of the
 * schedlab binary in worker mode). Never a fork of the app itself: it has a
 * collector thread, the latency server thread and maybe a UI thread, and a
 * forked child of a multi-threaded process may only call
 * async-signal-safe functions. Each child ends up with the rings' memfd
 * on fd 3, every other fd closed, default signal dispositions, an empty
 * signal mask and its own process group (a terminal's Ctrl-C reaches only
 * the app, which then stops its workers itself).
 *
 * Children are watched through pidfds (poll), reaped with wait4 for their
 * rusage, and never left as zombies.
 */
/* One started worker process. */
typedef struct sl_child {
    pid_t pid;
    int pidfd;    /* -1 if pidfd_open failed: then polled with wait4(WNOHANG) */
    uint32_t tag; /* task (processes) or worker slot (procpool) */
    bool alive;   /* not reaped yet */
    bool termed;  /* sent SIGTERM by a stop */
} sl_child;

/* The children of one run. */
typedef struct sl_children {
    sl_child *v;
    uint32_t n, cap;
    uint32_t live;       /* started and not reaped yet */
    uint64_t kill_at_ns; /* stop: when SIGTERM'd children get SIGKILL (0: none) */
} sl_children;

/* Grace a stopped worker gets between SIGTERM and SIGKILL. */
#define SL_STOP_GRACE_NS 200000000ull

/* Starts `ctx->worker_exe __worker --fd 3 --role ROLE --index K --parent PID
 * [--ring R]` (R < 0: the worker claims a ring). Emits MARK VEHICLE_START
 * (vehicle = pid, arg = creation ns) and adds to n_vehicles and
 * vehicle_create_ns. Returns 0, SL_ELIMIT (the OS refused a process: EAGAIN,
 * ENOMEM, EMFILE…) or SL_ESPAWN, with a sentence in why. */
int sl_worker_spawn(sl_run_ctx *ctx, const char *role, uint32_t index, int ring, pid_t *pid,
                    char *why, size_t why_size);

/* The environment a worker starts with: this process's, plus
 * SL_WORKER_MARK_ENV=<pid> (built once; if memory ran out, `environ`
 * unmarked). */
char **sl_worker_environ(void);

/* Tracks a started child. 0 or SL_ENOMEM (then the child is killed and reaped). */
int sl_children_add(sl_children *cs, pid_t pid, uint32_t tag);

/* Waits up to timeout_ms for a child to end and reaps it: *which is its index
 * in cs->v, *status its wait status. Adds its rusage to ctx->result (cpu_ns,
 * voluntary, involuntary, peak_rss_kb), emits MARK VEHICLE_EXIT and removes
 * it from ctx->sampler. Returns 1 if one was reaped, 0 on timeout. */
int sl_children_wait(sl_children *cs, sl_run_ctx *ctx, int timeout_ms, uint32_t *which,
                     int *status);

/* Stops every live child: SIGTERM now, SIGKILL once the grace has passed.
 * Call it on every loop turn after a stop was requested. */
void sl_children_stop(sl_children *cs);

/* Frees the tracking (every child must have been reaped). */
void sl_children_free(sl_children *cs);

struct sl_worker_slot;
/* Tells the kernel sampler which task each live worker carries now, from
 * the workers' slots in the blob (indexed by child tag); `shown` remembers
 * what it was last told, per slot, so unchanged workers cost nothing. */
void sl_children_show_tasks(const sl_children *cs, sl_os_sampler *sampler,
                            struct sl_worker_slot *slots, uint32_t *shown);

/* What a pool of worker processes is watched with (procpool, async+procs). */
typedef struct sl_supervisor {
    sl_children *cs;
    sl_run_ctx *ctx;
    struct sl_blob *blob;         /* its stop flag asks the workers to take no new task */
    struct sl_worker_slot *slots; /* the workers' slots, for the sampler */
    uint32_t *shown;              /* per slot, the task the sampler was last told */
    int poll_ms;                  /* how often the slots are looked at */
    bool *stopping;               /* set once a stop was asked (read by `ended`) */
    /* A worker was reaped: cs->v[which], its wait status. 0, or a negative
     * SL_E* that ends the run (the first one is returned). */
    int (*ended)(void *arg, uint32_t which, int status);
    void *arg;
} sl_supervisor;

/* Watches the pool until every worker has been reaped: on a stop request,
 * asks the workers to stop (SIGTERM, then SIGKILL after the grace); keeps
 * the sampler told which task each worker carries; reports each reaped
 * worker to `ended`. Returns 0, SL_EINTR after a stop, or `ended`'s first
 * error. */
int sl_children_supervise(const sl_supervisor *sv);

/* "killed by signal 9 (SIGKILL)" or "exited with status 3". */
void sl_status_describe(int status, char *buf, size_t size);

/* Emits the EXIT of a task whose vehicle died without emitting it, on the
 * runner's ring with vehicle = pid, counts it in ctx->result and, when
 * failed, records "task NAME: worker pid P <what>" in result->failures. */
void sl_exit_for_dead(sl_run_ctx *ctx, uint32_t task, pid_t pid, int status, bool stopped);

/* Every worker process starts with this variable in its environment (its
 * value: the parent's pid). A run inside such a process is refused: the
 * binary its workers were started from is then not schedlab (a test binary
 * run by hand without SCHEDLAB_WORKER_EXE, say), and would otherwise start
 * copies of itself without end. */
#define SL_WORKER_MARK_ENV "SCHEDLAB_WORKER_OF"

/* For the tests: when set as the forkserver starts, it forks its workers and
 * reaps them on request, as where it cannot clone them as the app's
 * children (forkserver.c), so that path is tested here too. */
#define SL_FORKSERVER_FORK_ENV "SCHEDLAB_FORKSERVER_FORK"

/* Fault injection for the tests: a pool worker kills itself (SIGKILL) right
 * after the EXIT of the task this variable names, before marking it done. */
#define SL_FAULT_DIE_AFTER_EXIT_ENV "SCHEDLAB_FAULT_DIE_AFTER_EXIT"

/* Entry of a worker process (`schedlab __worker …`): returns its exit code. */
int sl_worker_main(int argc, char **argv);

/*
 * What a worker process finds in the rings' shared blob.
 *
 * Worker processes inherit nothing of the run but the rings' memfd on fd 3
 * (a spawned one is a fresh image; a forkserver's was forked before the run
 * existed). Everything else they need travels in the blob of that region:
 *
 *   sl_blob header   run parameters, the procpool queue counter, and the
 *                     result (outcomes, failure sentences) workers fill
 *   slots[n_slots]    per worker: the task it runs now and its current chunk,
 *                     so the parent can attribute a crash
 *   states[n_tasks]   per task: new / running / done / orphan
 *   shared            the queues, counters and locks (shared-objects.h), if
 *                     the scenario declares any
 *   image             the expanded scenario (tasks, steps, strings)
 *   claims            the engine's per-task claims (strategy.h), placed by
 *                     the engine after the strategy's part of the blob
 *
 * Every field a worker writes is atomic: producers and the parent are
 * different processes sharing the same pages.
 */
#define SL_BLOB_MAGIC 0x4b574c53u /* "SLWK" */
#define SL_BLOB_VERSION 3u

/* One pool worker's public state (procpool), written by that worker only. */
typedef struct sl_worker_slot {
    _Atomic uint32_t task;  /* task it runs now, or SL_NO_TASK */
    _Atomic uint32_t first; /* its current chunk is [first, end) */
    _Atomic uint32_t end;
    _Atomic int32_t ring;  /* ring index it produces into, -1 before it claims one */
    _Atomic int32_t pid;   /* its pid once started */
    _Atomic uint32_t runs; /* tasks it has started */
    /* Its ring's written count when it took `task`: the task's EXIT, if the
     * worker published it, lies after. The one witness the parent asks
     * (sl_ring_holds) when the worker dies, so a task exits exactly once. */
    _Atomic uint64_t task_from;
} sl_worker_slot;

typedef struct sl_blob {
    uint32_t magic, version;
    uint32_t n_tasks;         /* tasks in the image */
    uint32_t n_slots;         /* worker slots (procpool) */
    uint32_t workers;         /* ctx->workers, for the worker's own ctx */
    uint32_t chunksize;       /* tasks per grab (procpool) */
    uint64_t gil_interval_ns; /* ctx->gil_interval_ns */
    uint32_t gil, offload;    /* ctx->gil, ctx->offload: the runtime every process follows */
    double iters_per_us;      /* the parent's cpu calibration */
    uint16_t net_port;        /* latency server port */
    uint64_t slots_off;       /* offsets from the blob start */
    uint64_t states_off;
    uint64_t shared_off, shared_size; /* shared objects; size 0: none */
    uint64_t image_off, image_size;
    uint64_t claims_off;      /* the engine's per-task claims (ctx->claims); 0: none */
    _Atomic uint32_t next;    /* procpool queue: next task index to hand out */
    _Atomic uint32_t orphans; /* tasks put back by the parent after a crash */
    _Atomic uint32_t stop;    /* the parent asks workers to take no new task */
    sl_run_result result;     /* the workers' ctx->result: outcomes, failure sentences
                               * (updated with atomics by sl_task_exec_blocking) */
} sl_blob;

/* Bytes of the serialized image of `sc`. */
size_t sl_worker_image_size(const sl_scenario *sc);
/* Serializes `sc` (tasks, groups, steps, strings) into buf. 0 or SL_EINVAL if
 * `size` is too small. */
int sl_worker_image_write(const sl_scenario *sc, void *buf, size_t size);
/* Rebuilds a scenario from an image (every offset checked). The result owns
 * its memory: free it with sl_worker_image_free, never sl_scenario_free.
 * 0, SL_ECORRUPT or SL_ENOMEM. */
int sl_worker_image_read(const void *buf, size_t size, sl_scenario **out);
void sl_worker_image_free(sl_scenario *sc);

/* Blob bytes a run of `sc` with `n_slots` pool workers needs. */
size_t sl_blob_size(const sl_scenario *sc, uint32_t n_slots);
/* Lays out the blob for ctx's run in the rings' blob, shared objects
 * included (then set as ctx->shared, as if every task had its own vehicle:
 * a pool says otherwise with sl_shared_set_slots). 0, SL_EINVAL or
 * SL_ENOMEM. */
int sl_blob_init(sl_run_ctx *ctx, uint32_t n_slots, sl_blob **out);
/* Checks a blob found by a worker: 0 or SL_ECORRUPT. */
int sl_blob_check(const sl_blob *b, size_t size);

static inline sl_worker_slot *sl_blob_slots(sl_blob *b)
{
    return (sl_worker_slot *)((char *)b + b->slots_off);
}

static inline _Atomic uint32_t *sl_blob_states(sl_blob *b)
{
    return (_Atomic uint32_t *)((char *)b + b->states_off);
}

/* The run's shared objects in a checked blob, or NULL if it has none. */
static inline struct sl_shared *sl_blob_shared(sl_blob *b)
{
    return b->shared_size > 0 ? (struct sl_shared *)((char *)b + b->shared_off) : NULL;
}

/* Adds the workers' outcome counters and failure sentences to `r`, and the
 * shared counters' race report (parent, once every worker has been reaped). */
void sl_blob_merge(sl_blob *b, sl_run_result *r);

/* A pidfd for pid (-1 on failure) and its close, through raw syscalls (see
 * spawn.c for why). */
int sl_pidfd_open(pid_t pid);
void sl_pidfd_close(int fd);

/* Reaps pid, a child of this process or of the forkserver: 1 with *status
 * and *ru, 0 if nohang and it has not ended, SL_ESPAWN if it cannot. */
struct rusage;
int sl_proc_reap(pid_t pid, bool nohang, int *status, struct rusage *ru);

/* The forkserver (src/proc/forkserver.c): its pid, or 0 (not started, or
 * gone). */
pid_t sl_forkserver_pid(void);
/* The parent of the forkserver's workers: this process when the server
 * clones them as its siblings (CLONE_PARENT: reaped here with wait4), else
 * the server (reaped by it, sl_forkserver_reap); 0 without a server. */
pid_t sl_forkserver_parent(void);
/* Forks a worker that runs sl_worker_main(argc, argv) with fd3 as its fd 3
 * and, when fd1 >= 0, fd1 as its stdout. argv[argc] must be NULL; its
 * strings must fit in 2 KiB. 0 with *pid, SL_ELIMIT or SL_ESPAWN with a
 * sentence in why. */
int sl_forkserver_fork(int argc, char *const argv[], int fd3, int fd1, pid_t *pid, char *why,
                       size_t why_size);
/* Reaps pid, a child of the server: 1 with *status and *ru, 0 if nohang and
 * it has not ended, SL_ESPAWN if the server cannot. */
int sl_forkserver_reap(pid_t pid, bool nohang, int *status, struct rusage *ru);

/* Has the forkserver load libcurl into its own image, once: workers forked
 * after it have it (call before the first worker of a run with network
 * steps; without it each of them would load it, 15 ms apiece). 0 (also
 * when there is no server: forking then says why), or SL_ENET with why. */
int sl_forkserver_preload_net(char *why, size_t why_size);

/* Forks the forkserver (the default start method of worker processes, see
 * src/proc/forkserver.c). Call it at the very top of main(), before any
 * thread exists; without it, runs with the forkserver start method fail with
 * a sentence. 0, or SL_ELIMIT if the OS refused a socket or a process. */
int sl_forkserver_start(void);

/* Starts one worker process that exits at once (exe: the schedlab binary,
 * for spawn) by start method m, and reaps it: what creating a process
 * vehicle costs (schedlab bench). 0 with *ns, or SL_E*. */
int sl_process_create_once(sl_start_method m, const char *exe, uint64_t *ns);

#endif
