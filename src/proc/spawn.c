/*
 * spawn.c - starting worker processes (through the forkserver, or with
 * posix_spawn), watching them through pidfds and reaping them with wait4,
 * ours or the forkserver's (see spawn.h for why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/blocking.h"
#include "schedlab/proc.h"
#include "schedlab/shared.h"

extern char **environ;

/* Signals a worker must not inherit as ignored (the app may ignore some). */
static const int reset_signals[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT, SIGPIPE,
                                    SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};

static char **marked_environ;
static pthread_once_t marked_once = PTHREAD_ONCE_INIT;

/* Copies the pointers of `environ` (not the strings: they outlive the run)
 * and appends the mark; an inherited mark is replaced, never doubled. */
static void build_marked_environ(void)
{
    static char mark[sizeof(SL_WORKER_MARK_ENV) + 16];
    snprintf(mark, sizeof(mark), "%s=%d", SL_WORKER_MARK_ENV, (int)getpid());
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = malloc((n + 2) * sizeof(*env));
    if (env == NULL)
        return;
    size_t k = 0, name_len = strlen(SL_WORKER_MARK_ENV);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], SL_WORKER_MARK_ENV, name_len) != 0 || environ[i][name_len] != '=')
            env[k++] = environ[i];
    env[k++] = mark;
    env[k] = NULL;
    marked_environ = env;
}

char **sl_worker_environ(void)
{
    pthread_once(&marked_once, build_marked_environ);
    return marked_environ != NULL ? marked_environ : environ;
}

static int spawn_error(int rc)
{
    switch (rc) {
    case EAGAIN:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
        return SL_ELIMIT;
    default:
        return SL_ESPAWN;
    }
}

/* Counts a started worker and marks its start in the trace. */
static void started(sl_run_ctx *ctx, pid_t pid, uint64_t cost)
{
    __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
    sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, (uint32_t)pid, SL_MARK_VEHICLE_START, cost);
}

int sl_worker_spawn(sl_run_ctx *ctx, const char *role, uint32_t index, int ring, pid_t *pid,
                    char *why, size_t why_size)
{
    /* Start-up begins with the request: a task's own process starts for
     * it; a pool's worker (pool, loop) for no task, whose tasks stay
     * queued until it is up (trace.h, START). */
    if (strcmp(role, "task") == 0)
        sl_hook_emit(SL_EV_START, index, SL_START_TASK, 0);
    else
        sl_hook_emit(SL_EV_START, SL_NO_TASK, SL_START_WORKER, index);
    bool served = ctx->start != SL_START_SPAWN;
    if (!served && (ctx->worker_exe == NULL || ctx->worker_exe[0] == '\0')) {
        snprintf(why, why_size, "no schedlab binary to start worker processes from");
        return SL_ESPAWN;
    }
    char idx[16], parent[16], ringbuf[16];
    snprintf(idx, sizeof(idx), "%u", index);
    /* the worker checks that its parent is alive and is the one named here */
    snprintf(parent, sizeof(parent), "%d", served ? (int)sl_forkserver_parent() : (int)getpid());
    snprintf(ringbuf, sizeof(ringbuf), "%d", ring);
    char *argv[] = {(char *)ctx->worker_exe,
                    "__worker",
                    "--fd",
                    "3",
                    "--role",
                    (char *)role,
                    "--index",
                    idx,
                    "--parent",
                    parent,
                    ring >= 0 ? "--ring" : NULL,
                    ringbuf,
                    NULL};
    if (served) {
        uint64_t t0 = sl_clock_ns();
        /* counted in the first worker's creation: it is what that one waits for */
        if (sl_needs_net(ctx->sc, SL_NO_TASK)) {
            int err = sl_forkserver_preload_net(why, why_size);
            if (err < 0)
                return err;
        }
        /* sl_worker_main's argv starts at "__worker" */
        int err = sl_forkserver_fork(ring >= 0 ? 11 : 9, argv + 1, sl_rings_fd(ctx->rings), -1, pid,
                                     why, why_size);
        if (err == 0)
            started(ctx, *pid, sl_clock_ns() - t0);
        return err;
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) {
        snprintf(why, why_size, "cannot start worker process: %s", strerror(rc));
        return SL_ENOMEM;
    }
    rc = posix_spawnattr_init(&at);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&fa);
        snprintf(why, why_size, "cannot start worker process: %s", strerror(rc));
        return SL_ENOMEM;
    }
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (size_t i = 0; i < sizeof(reset_signals) / sizeof(reset_signals[0]); i++)
        sigaddset(&defaults, reset_signals[i]);
    /* The memfd goes to fd 3 first, then everything above is closed: the
     * child must not hold the latency server's or the UI's descriptors. */
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, sl_rings_fd(ctx->rings), 3);
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&at, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&at, &defaults);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&at, 0);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                               POSIX_SPAWN_SETPGROUP);
    uint64_t t0 = sl_clock_ns();
    if (rc == 0)
        rc = posix_spawn(pid, ctx->worker_exe, &fa, &at, argv, sl_worker_environ());
    uint64_t cost = sl_clock_ns() - t0;
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        snprintf(why, why_size, "cannot start worker process %s: %s", ctx->worker_exe,
                 strerror(rc));
        return spawn_error(rc);
    }
    started(ctx, *pid, cost);
    return 0;
}

int sl_proc_reap(pid_t pid, bool nohang, int *status, struct rusage *ru)
{
    pid_t got;
    do
        got = wait4(pid, status, nohang ? WNOHANG : 0, ru);
    while (got < 0 && errno == EINTR);
    if (got == pid)
        return 1;
    /* not a child of this process: one of the forkserver's */
    if (got < 0 && errno == ECHILD && sl_forkserver_pid() != 0)
        return sl_forkserver_reap(pid, nohang, status, ru);
    return got == 0 ? 0 : SL_ESPAWN;
}

/* pidfds are opened and closed with raw syscalls: ThreadSanitizer does not
 * intercept pidfd_open, so a pidfd reusing a number another thread's socket
 * had (the latency server's) would look like a race on close(). Kept out of
 * the sanitizer's sight entirely, they are correctly seen as never shared. */
int sl_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

void sl_pidfd_close(int fd)
{
    syscall(SYS_close, fd);
}

int sl_children_add(sl_children *cs, pid_t pid, uint32_t tag)
{
    if (cs->n == cs->cap) {
        uint32_t cap = cs->cap ? 2 * cs->cap : 16;
        sl_child *v = realloc(cs->v, cap * sizeof(*v));
        if (v == NULL) {
            int status;
            struct rusage ru;
            kill(pid, SIGKILL);
            sl_proc_reap(pid, false, &status, &ru);
            return SL_ENOMEM;
        }
        cs->v = v;
        cs->cap = cap;
    }
    int pidfd = sl_pidfd_open(pid);
    cs->v[cs->n++] = (sl_child){.pid = pid, .pidfd = pidfd, .tag = tag, .alive = true};
    cs->live++;
    return 0;
}

static void account(sl_run_result *r, const struct rusage *ru)
{
    uint64_t cpu =
        (uint64_t)ru->ru_utime.tv_sec * 1000000000ull + (uint64_t)ru->ru_utime.tv_usec * 1000ull +
        (uint64_t)ru->ru_stime.tv_sec * 1000000000ull + (uint64_t)ru->ru_stime.tv_usec * 1000ull;
    __atomic_fetch_add(&r->cpu_ns, cpu, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->voluntary, (uint64_t)ru->ru_nvcsw, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->involuntary, (uint64_t)ru->ru_nivcsw, __ATOMIC_RELAXED);
    uint64_t rss = (uint64_t)ru->ru_maxrss;
    uint64_t peak = __atomic_load_n(&r->peak_rss_kb, __ATOMIC_RELAXED);
    while (rss > peak && !__atomic_compare_exchange_n(&r->peak_rss_kb, &peak, rss, true,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* Reaps child i if it has ended (blocking only if `wait` says it has). */
static bool reap(sl_children *cs, sl_run_ctx *ctx, uint32_t i, int *status)
{
    sl_child *c = &cs->v[i];
    struct rusage ru;
    if (sl_proc_reap(c->pid, c->pidfd < 0, status, &ru) != 1)
        return false;
    account(ctx->result, &ru);
    if (c->pidfd >= 0)
        sl_pidfd_close(c->pidfd);
    c->pidfd = -1;
    c->alive = false;
    cs->live--;
    uint64_t how =
        WIFSIGNALED(*status) ? (uint64_t)WTERMSIG(*status) : (uint64_t)WEXITSTATUS(*status);
    sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, (uint32_t)c->pid, SL_MARK_VEHICLE_EXIT, how);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, c->pid);
    return true;
}

int sl_children_wait(sl_children *cs, sl_run_ctx *ctx, int timeout_ms, uint32_t *which, int *status)
{
    struct pollfd *pfd = calloc(cs->live ? cs->live : 1, sizeof(*pfd));
    uint32_t *map = calloc(cs->live ? cs->live : 1, sizeof(*map));
    nfds_t k = 0;
    bool unwatched = false;
    for (uint32_t i = 0; i < cs->n && pfd != NULL && map != NULL; i++) {
        if (!cs->v[i].alive)
            continue;
        if (cs->v[i].pidfd < 0) {
            unwatched = true;
            continue;
        }
        pfd[k] = (struct pollfd){.fd = cs->v[i].pidfd, .events = POLLIN};
        map[k++] = i;
    }
    /* Without pidfds (or memory for the poll set), poll wait4 at a short period. */
    if (unwatched || pfd == NULL || map == NULL)
        timeout_ms = timeout_ms < 2 ? timeout_ms : 2;
    int n = poll(pfd, pfd != NULL && map != NULL ? k : 0, timeout_ms);
    int found = 0;
    for (nfds_t j = 0; n > 0 && j < k && !found; j++)
        if (pfd[j].revents != 0 && reap(cs, ctx, map[j], status)) {
            *which = map[j];
            found = 1;
        }
    for (uint32_t i = 0; i < cs->n && !found; i++)
        if (cs->v[i].alive && (cs->v[i].pidfd < 0 || pfd == NULL || map == NULL)) {
            if (reap(cs, ctx, i, status)) {
                *which = i;
                found = 1;
            }
        }
    free(pfd);
    free(map);
    return found;
}

void sl_children_stop(sl_children *cs)
{
    uint64_t now = sl_clock_ns();
    if (cs->kill_at_ns == 0)
        cs->kill_at_ns = now + SL_STOP_GRACE_NS;
    bool late = now >= cs->kill_at_ns;
    /* An unreaped child keeps its pid, so these kills cannot hit a stranger. */
    for (uint32_t i = 0; i < cs->n; i++) {
        sl_child *c = &cs->v[i];
        if (!c->alive)
            continue;
        if (!c->termed) {
            kill(c->pid, SIGTERM);
            c->termed = true;
        } else if (late) {
            kill(c->pid, SIGKILL);
        }
    }
}

void sl_children_free(sl_children *cs)
{
    for (uint32_t i = 0; i < cs->n; i++)
        if (cs->v[i].pidfd >= 0)
            sl_pidfd_close(cs->v[i].pidfd);
    free(cs->v);
    *cs = (sl_children){0};
}

void sl_status_describe(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(buf, size, "killed by signal %d (SIG%s)%s", sig, abbrev ? abbrev : "?",
                 WCOREDUMP(status) ? ", core dumped" : "");
    } else {
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
    }
}

void sl_exit_for_dead(sl_run_ctx *ctx, uint32_t task, pid_t pid, int status, bool stopped)
{
    sl_run_result *r = ctx->result;
    uint64_t sig = WIFSIGNALED(status) ? (uint64_t)WTERMSIG(status) : 0;
    /* frees the locks it held and takes it out of any wait list */
    sl_shared_task_end(ctx->shared, task);
    if (stopped) {
        sl_hook_emit_v(SL_EV_EXIT, task, (uint32_t)pid, SL_EXIT_CANCELLED, sig);
        __atomic_fetch_add(&r->cancelled, 1, __ATOMIC_RELAXED);
        return;
    }
    uint64_t arg = sig != 0 ? sig : (uint64_t)(int64_t)SL_ECRASH;
    sl_hook_emit_v(SL_EV_EXIT, task, (uint32_t)pid, SL_EXIT_FAILED, arg);
    __atomic_fetch_add(&r->failed, 1, __ATOMIC_RELAXED);
    char how[64];
    sl_status_describe(status, how, sizeof(how));
    sl_result_failure(r, "task %s: worker pid %d %s%s", ctx->sc->tasks[task].name, (int)pid, how,
                      sig != 0 ? "" : " before its task ended");
}

void sl_children_show_tasks(const sl_children *cs, sl_os_sampler *sampler,
                            struct sl_worker_slot *slots, uint32_t *shown)
{
    if (sampler == NULL)
        return;
    for (uint32_t i = 0; i < cs->n; i++) {
        const sl_child *c = &cs->v[i];
        if (!c->alive)
            continue;
        uint32_t t = atomic_load(&slots[c->tag].task);
        if (t != shown[c->tag]) {
            sl_os_sampler_set_task(sampler, c->pid, t);
            shown[c->tag] = t;
        }
    }
}

int sl_children_supervise(const sl_supervisor *sv)
{
    int ret = 0;
    while (sv->cs->live > 0) {
        if (sl_stopped(sv->ctx) && !*sv->stopping) {
            *sv->stopping = true;
            atomic_store(&sv->blob->stop, 1);
            ret = SL_EINTR;
        }
        if (*sv->stopping)
            sl_children_stop(sv->cs);
        sl_children_show_tasks(sv->cs, sv->ctx->sampler, sv->slots, sv->shown);
        uint32_t which;
        int status;
        if (sl_children_wait(sv->cs, sv->ctx, sv->poll_ms, &which, &status) <= 0)
            continue;
        int err = sv->ended(sv->arg, which, status);
        if (err < 0 && ret == 0) {
            ret = err;
            atomic_store(&sv->blob->stop, 1);
        }
    }
    return ret;
}
