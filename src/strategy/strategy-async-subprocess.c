/*
 * strategy-async-subprocess.c - coroutines on one loop; every cpu step runs
 * in a child process the coroutine awaits (Python: asyncio's
 * create_subprocess_exec + communicate). io and sleep are as under
 * `coroutines`; a cpu step costs a process start but leaves the loop free
 * and can use another core.
 *
 * The child is this binary in worker mode, started with uv_spawn on the
 * scheduler's loop: `schedlab __worker --fd 3 --role cpu --index TASK
 * --step I --kind K --amount N --rate R --ring X --parent PID`. Its stdout is
 * a uv pipe: the child prints the result and its own rusage (libuv reaps it
 * without one); its fd 3 is the rings' memfd. Each task with cpu steps has
 * one ring for its children, which never overlap: the coroutine awaits one
 * child at a time. The coroutine resumes once the child has exited and its
 * pipe is closed, as communicate() returns on exit and EOF.
 *
 * Hooks of one cpu step (vehicle in brackets):
 *   loop    STEP(cpu), BLOCK(child, expected ns)     before uv_spawn
 *   child   RUN(step index)            [child pid]   computing on its core
 *   loop    MARK vehicle exit [pid], WAKE(child), READY(loop)
 *   loop    SWITCH + RUN                             the coroutine continues
 * The child stays "running" until the parent sees its exit: that includes
 * the process's own exit, which is part of the price of this strategy. A
 * child that cannot start, or dies, fails the task with a sentence.
 *
 * Stop: live children get SIGTERM (which ends them at once), SIGKILL after
 * a grace period; the loop waits for every exit before the scheduler
 * cancels the pending tasks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/strategy.h"
#include "schedlab/error.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/loop.h"
#include "schedlab/proc.h"
#include "schedlab/proc.h"

typedef struct subproc subproc;

/* Arguments of a cpu child's command line, its binary included. */
#define SL__CPU_ARGC 20

/* The child of one task's current cpu step. */
typedef struct child {
    subproc *sp;
    sl_co_task *t;
    uv_process_t proc; /* spawn: libuv's process handle */
    uv_poll_t watch;   /* forkserver: its pidfd, readable once it ended */
    int pidfd;
    bool served;  /* started by the forkserver, watched through its pidfd */
    char why[96]; /* why the forkserver could not start it */
    uv_pipe_t out;
    int open;      /* handles not closed yet */
    bool live;     /* spawned, exit not seen */
    bool termed;   /* sent SIGTERM by a stop */
    int spawn_err; /* uv_spawn's error, or 0 */
    int pid;
    int64_t exit_status;
    int term_signal;
    char buf[256]; /* its stdout */
    size_t len;
    char spill[64]; /* read buffer once buf is full: the excess is dropped */
} child;

struct subproc {
    sl_run_ctx *ctx;
    child *kids;   /* per task */
    int *ring_of;  /* per task: ring index its children produce into, -1: none */
    uint32_t open; /* handles of all children not closed yet */
    char rate[32];
    char parent[16];
};

static bool is_cpu(const sl_step *st)
{
    return st->kind == SL_STEP_CPU || st->kind == SL_STEP_CPU_SUMSQ;
}

static bool task_has_cpu(const sl_scenario *sc, uint32_t t)
{
    const sl_step *steps = sl_task_steps(sc, t);
    for (uint32_t i = 0; i < sc->tasks[t].n_steps; i++)
        if (is_cpu(&steps[i]))
            return true;
    return false;
}

static void on_closed(uv_handle_t *h)
{
    child *c = h->data;
    c->sp->open--;
    if (--c->open == 0)
        sl_sched_wake(c->t, SL_WAIT_CHILD, true);
}

/* Records how child c ended, however it was watched. */
static void child_ended(child *c, int64_t exit_status, int term_signal)
{
    sl_run_ctx *ctx = c->sp->ctx;
    c->live = false;
    c->exit_status = exit_status;
    c->term_signal = term_signal;
    sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, (uint32_t)c->pid, SL_MARK_VEHICLE_EXIT,
                   term_signal ? (uint64_t)term_signal : (uint64_t)exit_status);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, c->pid);
}

static void on_child_exit(uv_process_t *proc, int64_t exit_status, int term_signal)
{
    child_ended(proc->data, exit_status, term_signal);
    uv_close((uv_handle_t *)proc, on_closed);
}

/* A forkserver's child's pidfd turned readable: the child ended. */
static void on_pidfd(uv_poll_t *w, int status, int events)
{
    child *c = w->data;
    int st = 0;
    struct rusage ru;
    if (sl_proc_reap(c->pid, false, &st, &ru) != 1)
        st = SIGKILL; /* the server is gone, and the child with it */
    uv_close((uv_handle_t *)w, on_closed);
    sl_pidfd_close(c->pidfd);
    c->pidfd = -1;
    child_ended(c, WIFEXITED(st) ? WEXITSTATUS(st) : 0, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    child *c = h->data;
    if (c->len + 1 < sizeof(c->buf))
        *buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof(c->buf) - 1 - c->len));
    else
        *buf = uv_buf_init(c->spill, sizeof(c->spill));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    child *c = s->data;
    if (n > 0 && buf->base != c->spill)
        c->len += (size_t)n;
    else if (n < 0)
        uv_close((uv_handle_t *)s, on_closed);
}

/* spawn: uv_spawn of the binary; false (its handles closing) if refused. */
static bool spawn_uv(child *c, char **args)
{
    sl_run_ctx *ctx = c->sp->ctx;
    uv_stdio_container_t stdio[4] = {
        {.flags = UV_IGNORE},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&c->out},
        {.flags = UV_INHERIT_FD, .data.fd = 2},
        {.flags = UV_INHERIT_FD, .data.fd = sl_rings_fd(ctx->rings)},
    };
    /* Detached: its own session, so a terminal's Ctrl-C reaches only the
     * app, which stops its children itself. */
    uv_process_options_t opt = {.exit_cb = on_child_exit,
                                .file = ctx->worker_exe,
                                .args = args,
                                .env = sl_worker_environ(),
                                .flags = UV_PROCESS_DETACHED,
                                .stdio_count = 4,
                                .stdio = stdio};
    /* No binary: fail like exec would, without a process handle to close. */
    bool tried = ctx->worker_exe != NULL && ctx->worker_exe[0] != '\0';
    int rc = tried ? uv_spawn(&c->t->s->loop, &c->proc, &opt) : UV_ENOENT;
    c->proc.data = c;
    c->open = tried ? 2 : 1;
    c->sp->open += (uint32_t)c->open;
    if (rc < 0) {
        c->spawn_err = rc;
        /* A handle uv_spawn refused is initialised all the same. */
        if (tried)
            uv_close((uv_handle_t *)&c->proc, on_closed);
        uv_close((uv_handle_t *)&c->out, on_closed);
        return false;
    }
    c->pid = c->proc.pid;
    return true;
}

/* forkserver: the server forks the child with the write end of a pipe as
 * its stdout; the loop watches its pidfd. false (handles closing) if not. */
static bool fork_served(child *c, char **args)
{
    sl_run_ctx *ctx = c->sp->ctx;
    int p[2] = {-1, -1};
    pid_t pid = 0;
    int err = SL_ELIMIT;
    c->served = true;
    if (pipe2(p, O_CLOEXEC) < 0)
        snprintf(c->why, sizeof(c->why), "cannot make a pipe: %s", strerror(errno));
    else
        err = sl_forkserver_fork(SL__CPU_ARGC - 1, args + 1, sl_rings_fd(ctx->rings), p[1], &pid,
                                 c->why, sizeof(c->why));
    if (p[1] >= 0)
        close(p[1]);
    if (err == 0 && (c->pidfd = sl_pidfd_open(pid)) < 0) {
        int st;
        struct rusage ru;
        kill(pid, SIGKILL);
        sl_proc_reap(pid, false, &st, &ru);
        snprintf(c->why, sizeof(c->why), "cannot watch cpu child pid %d: %s", (int)pid,
                 strerror(errno));
        err = SL_ESPAWN;
    }
    if (err == 0 && uv_pipe_open(&c->out, p[0]) == 0) {
        c->pid = pid;
        uv_poll_init(&c->t->s->loop, &c->watch, c->pidfd);
        c->watch.data = c;
        uv_poll_start(&c->watch, UV_READABLE, on_pidfd);
        c->open = 2;
        c->sp->open += 2;
        return true;
    }
    if (p[0] >= 0)
        close(p[0]);
    c->spawn_err = err == SL_ELIMIT ? UV_EAGAIN : UV_ENOENT;
    c->open = 1;
    c->sp->open += 1;
    uv_close((uv_handle_t *)&c->out, on_closed);
    return false;
}

/* Starts the child of step `index`; on failure closes what it opened (the
 * close callbacks then wake the coroutine all the same). */
static void start_child(child *c, uint32_t index, const sl_step *step)
{
    subproc *sp = c->sp;
    sl_sched *s = c->t->s;
    sl_run_ctx *ctx = sp->ctx;
    char task[16], stepi[16], kind[8], amount[24], ring[16];
    snprintf(task, sizeof(task), "%u", c->t->task);
    snprintf(stepi, sizeof(stepi), "%u", index);
    snprintf(kind, sizeof(kind), "%u", (unsigned)step->kind);
    snprintf(amount, sizeof(amount), "%llu",
             (unsigned long long)(step->kind == SL_STEP_CPU ? step->ns : step->n));
    snprintf(ring, sizeof(ring), "%d", sp->ring_of[c->t->task]);
    char *args[] = {(char *)ctx->worker_exe,
                    "__worker",
                    "--fd",
                    "3",
                    "--role",
                    "cpu",
                    "--index",
                    task,
                    "--step",
                    stepi,
                    "--kind",
                    kind,
                    "--amount",
                    amount,
                    "--rate",
                    sp->rate,
                    "--ring",
                    ring,
                    "--parent",
                    sp->parent,
                    NULL};
    _Static_assert(sizeof(args) / sizeof(args[0]) == SL__CPU_ARGC + 1, "argv of a cpu child");
    uv_pipe_init(&s->loop, &c->out, 0);
    c->out.data = c;
    c->pidfd = -1;
    /* start-up: from this request to the child's RUN */
    sl_hook_emit(SL_EV_START, c->t->task, 0, 0);
    uint64_t t0 = sl_clock_ns();
    bool ok = ctx->start == SL_START_SPAWN ? spawn_uv(c, args) : fork_served(c, args);
    uint64_t cost = sl_clock_ns() - t0;
    if (!ok)
        return;
    c->live = true;
    __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
    sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, (uint32_t)c->pid, SL_MARK_VEHICLE_START, cost);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, c->pid, c->pid, c->t->task);
    uv_read_start((uv_stream_t *)&c->out, on_alloc, on_read);
}

static void account(sl_run_result *r, uint64_t cpu, uint64_t rss, uint64_t vol, uint64_t invol)
{
    __atomic_fetch_add(&r->cpu_ns, cpu, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->voluntary, vol, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->involuntary, invol, __ATOMIC_RELAXED);
    uint64_t peak = __atomic_load_n(&r->peak_rss_kb, __ATOMIC_RELAXED);
    while (rss > peak && !__atomic_compare_exchange_n(&r->peak_rss_kb, &peak, rss, true,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* What the ended child means for its step: 0 or SL_E* with t->why. */
static int outcome(child *c)
{
    sl_co_task *t = c->t;
    if (c->spawn_err != 0) {
        snprintf(t->why, sizeof(t->why), "cannot start a cpu child process: %s",
                 c->why[0] != 0 ? c->why : uv_strerror(c->spawn_err));
        return c->spawn_err == UV_EAGAIN || c->spawn_err == UV_ENOMEM ? SL_ELIMIT : SL_ESPAWN;
    }
    if (c->termed || sl_sched_stopped(t->s))
        return SL_EINTR;
    if (c->term_signal != 0) {
        const char *abbrev = sigabbrev_np(c->term_signal);
        snprintf(t->why, sizeof(t->why), "cpu child pid %d killed by signal %d (SIG%s)", c->pid,
                 c->term_signal, abbrev ? abbrev : "?");
        return SL_ECRASH;
    }
    if (c->exit_status != 0) {
        snprintf(t->why, sizeof(t->why), "cpu child pid %d exited with status %lld", c->pid,
                 (long long)c->exit_status);
        return SL_ECRASH;
    }
    c->buf[c->len] = '\0';
    unsigned long long sum, cpu, rss, vol, invol;
    if (sscanf(c->buf, "sum=%llu cpu_ns=%llu rss_kb=%llu vol=%llu invol=%llu", &sum, &cpu, &rss,
               &vol, &invol) != 5) {
        snprintf(t->why, sizeof(t->why), "cpu child pid %d printed no result", c->pid);
        return SL_EIO;
    }
    account(t->s->ctx->result, cpu, rss, vol, invol);
    return 0;
}

/* Inside a coroutine: the cpu step, in a child process it awaits. */
static int spawn_step(sl_co_task *t, uint32_t index, const sl_step *step)
{
    subproc *sp = t->s->user;
    child *c = &sp->kids[t->task];
    memset(c, 0, sizeof(*c));
    c->sp = sp;
    c->t = t;
    sl_sched_block(t, SL_WAIT_CHILD, step->kind == SL_STEP_CPU ? step->ns : 0);
    start_child(c, index, step);
    sl_sched_suspend(t);
    return outcome(c);
}

/* After the loop: every child ends (SIGTERM, SIGKILL after the grace) and
 * every handle closes before the scheduler cancels what is left. */
static void sub_drain(sl_sched *s)
{
    subproc *sp = s->user;
    uint64_t kill_at = 0;
    while (sp->open > 0) {
        uint64_t now = sl_clock_ns();
        if (kill_at == 0)
            kill_at = now + SL_STOP_GRACE_NS;
        for (uint32_t i = 0; i < sp->ctx->sc->n_tasks; i++) {
            child *c = &sp->kids[i];
            if (!c->live)
                continue;
            /* a live child is unreaped: its pid names it still */
            if (!c->termed) {
                kill(c->pid, SIGTERM);
                c->termed = true;
            } else if (now >= kill_at) {
                kill(c->pid, SIGKILL);
            }
        }
        /* The scheduler's stop watch bounds each turn. */
        uv_run(&s->loop, UV_RUN_ONCE);
    }
}

/* The loop's ring first, then one ring per task that has cpu steps. */
static int claim_rings(subproc *sp)
{
    sl_run_ctx *ctx = sp->ctx;
    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++) {
        sp->ring_of[t] = -1;
        if (!task_has_cpu(ctx->sc, t))
            continue;
        sl_ring *r = sl_rings_claim(ctx->rings);
        if (r == NULL)
            return SL_ELIMIT;
        for (uint32_t i = 0; i < sl_rings_count(ctx->rings); i++)
            if (sl_rings_at(ctx->rings, i) == r)
                sp->ring_of[t] = (int)i;
    }
    return 0;
}

static int async_subprocess_run(sl_run_ctx *ctx)
{
    uint32_t n = ctx->sc->n_tasks;
    sl_ring *ring = sl_rings_claim(ctx->rings);
    subproc sp = {.ctx = ctx};
    sp.kids = calloc(n ? n : 1, sizeof(*sp.kids));
    sp.ring_of = calloc(n ? n : 1, sizeof(*sp.ring_of));
    int err = ring == NULL ? SL_ELIMIT : sp.kids && sp.ring_of ? claim_rings(&sp) : SL_ENOMEM;
    if (err < 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error), "%s",
                 err == SL_ELIMIT ? "no trace ring left for the loop or its children"
                                  : "out of memory");
        __atomic_fetch_add(&ctx->result->cancelled, n, __ATOMIC_RELAXED);
        free(sp.kids);
        free(sp.ring_of);
        return err;
    }
    sl_hook_bind(ring, (uint32_t)getpid(), ctx->epoch_ns);
    snprintf(sp.rate, sizeof(sp.rate), "%.17g", sl_work_iters_per_us());
    if (!(sl_work_iters_per_us() > 0))
        snprintf(sp.rate, sizeof(sp.rate), "%.17g", sl_work_calibrate());
    snprintf(sp.parent, sizeof(sp.parent), "%d",
             ctx->start == SL_START_SPAWN ? (int)getpid() : (int)sl_forkserver_parent());
    sl_sched_opts o = {
        .switch_vehicle = (uint32_t)getpid(), .cpu = spawn_step, .drain = sub_drain, .user = &sp};
    err = sl_sched_run(ctx, &o);
    free(sp.kids);
    free(sp.ring_of);
    return err;
}

static uint32_t async_subprocess_rings(const sl_run_ctx *ctx)
{
    uint32_t n = 1;
    for (uint32_t t = 0; t < ctx->sc->n_tasks; t++)
        n += task_has_cpu(ctx->sc, t);
    return n;
}

const sl_strategy sl_strategy_async_subprocess = {
    .name = "async+subprocess",
    .summary = "coroutines on one loop; each cpu step runs in a child process it awaits",
    .python = "asyncio.create_subprocess_exec",
    .uses_workers = false,
    .rings_needed = async_subprocess_rings,
    .run = async_subprocess_run,
    .event_loop_io = true,
    .gil = SL_GIL_SCOPE_PROCESS,
};
