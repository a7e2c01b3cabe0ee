/*
 * forkserver.c - the forkserver start method: worker processes forked from a
 * small server process that was itself forked before any thread existed.
 *
 * Forking the app is unsafe (the collector, the latency server and the UI
 * are threads: a child of a multi-threaded process may only call
 * async-signal-safe functions), and posix_spawn of schedlab pays exec and
 * the dynamic loader for every worker. So, as Python's forkserver does,
 * sl_forkserver_start forks one server at the very top of main(), while the
 * process is still single-threaded, and every worker is then a plain fork()
 * of that server: a copy of a small process that has loaded everything and
 * started nothing.
 *
 *   app ──socketpair (SOCK_SEQPACKET)──▶ server ──clone(CLONE_PARENT)──▶ worker
 *    ▲                                                                    │
 *    └──────────────── the worker is the app's child: wait4 ◀─────────────┘
 *
 * The app asks with one message per request, under a mutex (any thread may
 * ask; each request gets its reply before the next is sent):
 *   FORK  the worker's argv, with the run's memfd (and, for a cpu child, the
 *         write end of its stdout pipe) attached as SCM_RIGHTS; the server
 *         clones itself, the child installs the memfd as fd 3 (and the pipe
 *         as fd 1), closes every other descriptor, takes its own process
 *         group, resets signals and runs sl_worker_main. Reply: the pid or
 *         an errno.
 *   NET   load libcurl (and init it) in the server itself, once, before the
 *         first worker of a run with network steps: every worker forked
 *         after that has it, as Python's set_forkserver_preload() gives
 *         workers the modules they need. A server that never got NET
 *         forks from an image without libcurl's 28 libraries, which is
 *         what makes a worker of a cpu-only run cheap. Reply: 0 or an errno.
 * The worker is made with CLONE_PARENT: a copy of the server whose parent
 * is the app, as if the app had forked it. So the app watches it through a
 * pidfd and reaps it with its own wait4 (status and rusage: every worker's
 * CPU time, context switches and peak RSS), as it does a spawned one, and
 * the server never hears of it again. One creation is then one round trip
 * and the worker's exit, three wake-ups across processes. Asking the
 * server to reap, once the pidfd said the worker had ended, was a second
 * round trip after the exit: 0.15-0.2 ms a worker in a small model of the
 * protocol on a 2-core VM, where each such wake-up costs about 60 us
 * (less in `schedlab bench`, whose probe asks while the worker still
 * runs). glibc's _Fork takes no flags, so the server makes the clone
 * itself and does what _Fork does besides (see adopt_probe); where it
 * cannot be sure to (not x86_64, a glibc whose _Fork does more, no
 * PR_GET_TID_ADDRESS) it falls back to _Fork, and a worker is then the
 * server's child, which the app has the server reap:
 *   REAP  a pid the app saw end (through a pidfd it opened itself: the pid
 *         stays the server's unreaped child until this request, so it can
 *         never name another process). The server wait4()s it and replies
 *         with its status and rusage.
 * What a fork costs here is mostly the pages the worker writes (each one a
 * copy), the pages of code it runs (each one a fault) and the mappings it
 * inherits: a worker writes and runs as little as it can before its role
 * (no environment change, no lazy symbol binding: the binary is linked with
 * -z now, no atfork handlers, raw system calls to set itself up, no library
 * destructors at its exit).
 * Lifetimes: the server dies with the app (PR_SET_PDEATHSIG, and EOF on the
 * socket); a worker dies with its parent (PR_SET_PDEATHSIG): the app
 * itself, or with the fallback the server, which dies with the app. The
 * server keeps no descriptor of a run after a fork: the memfd is released
 * when the run's last process lets it go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/proc.h"

enum { OP_FORK = 1, OP_REAP = 2, OP_NET = 3 };

#define ARGS_MAX 2048
#define ARGV_MAX 64 /* strings a FORK may carry (a cpu child has 19) */

typedef struct request {
    uint32_t op;
    int32_t pid;     /* REAP */
    uint32_t nohang; /* REAP: do not wait for it to end */
    uint32_t argc;   /* FORK: strings in args, each NUL-terminated */
    uint32_t has_fd1;
    uint32_t len; /* bytes used in args */
    char args[ARGS_MAX];
} request;

typedef struct reply {
    int32_t pid; /* FORK: the worker; REAP: the pid reaped, 0 if not ended */
    int32_t err; /* errno of a failed fork or wait4, else 0 */
    int32_t status;
    int32_t pad;
    struct rusage ru;
} reply;

/* Signals a worker must not inherit as ignored or blocked. */
static const int reset_signals[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT, SIGPIPE,
                                    SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};

/* In the server: the signal state a worker starts with (default
 * dispositions, nothing blocked), kept by the server itself so that a
 * worker inherits it instead of setting it. The server needs nothing else:
 * its own group keeps a terminal's signals away, and it sends with
 * MSG_NOSIGNAL. */
static void worker_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < sizeof(reset_signals) / sizeof(reset_signals[0]); i++)
        signal(reset_signals[i], SIG_DFL);
}

/* dup2 through syscall() (see become_worker). */
static int move_fd(int from, int to)
{
    return from == to ? 0 : (int)syscall(SYS_dup3, from, to, 0);
}

/* What a worker cloned as the app's child needs to be, for glibc, the same
 * process a _Fork would have made (see adopt_probe). Filled in the app
 * before the server is forked, so both sides hold the same answer. */
static struct {
    bool ok;      /* workers are cloned with CLONE_PARENT: the app's children */
    pid_t *tid;   /* &THREAD_SELF->tid: the kernel writes the worker's tid there */
    void *robust; /* glibc's robust mutex list head, registered again in the worker */
    size_t robust_len;
} adopt;

static struct {
    pthread_mutex_t mu;
    int sock;       /* the app's end, -1 when no server */
    pid_t pid;      /* the server */
    bool net_asked; /* NET was sent to the server */
    int net_err;    /* and its answer: 0 or an errno */
} server = {PTHREAD_MUTEX_INITIALIZER, -1, 0, false, 0};

/* ---- the server side ---------------------------------------------------- */

/* In the freshly forked worker: from the server's copy to a worker that
 * knows nothing of the server. Never returns. */
static void become_worker(int sock, request *rq, int fd3, int fd1)
{
    /* This copy of the server faults in each page of code it runs for the
     * first time (fork copies no page table of the code) and copies each
     * page it writes: tens of microseconds apiece on a 2-core VM, where
     * the whole creation costs under 1 ms. So syscall(), mapped once the
     * clone has returned through it, rather than a libc wrapper each, and
     * nothing for signals: the server keeps the state a worker starts with
     * (worker_signals). That took a noop worker from 16 page faults to 9,
     * and 0.2 ms off its creation. */
    syscall(SYS_close, sock);
    syscall(SYS_setpgid, 0, 0);
    if (fd1 >= 0 && move_fd(fd1, 1) < 0)
        syscall(SYS_exit_group, 3);
    if (move_fd(fd3, 3) < 0)
        syscall(SYS_exit_group, 3);
    if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
        closefrom(4);
    char *argv[ARGV_MAX + 1];
    uint32_t argc = 0;
    for (uint32_t off = 0; off < rq->len && argc < rq->argc; argc++) {
        argv[argc] = rq->args + off;
        while (rq->args[off] != '\0')
            off++;
        off++;
    }
    argv[argc] = NULL;
    int code = sl_worker_main((int)argc, argv);
    /* A cpu child's result line is flushed by the child itself; stdout is
     * the only stream a worker writes (stderr has no buffer), flushed here
     * only if it holds something. Then _exit: exit() would also run every
     * library's destructors (the TLS stacks libcurl loads have many), and
     * each page they write is a page this copy of the server has to copy
     * first: that tripled the creation cost. A worker owns nothing they
     * would release. */
#ifdef __GLIBC__
    if (stdout->_IO_write_ptr > stdout->_IO_write_base)
        fflush(stdout);
#else
    fflush(NULL);
#endif
    syscall(SYS_exit_group, code);
    _exit(code);
}

/* Receives one request and its descriptors (up to 2). 0 on EOF or error. */
static ssize_t receive(int sock, request *rq, int fds[2], int *n_fds)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = rq, .iov_len = sizeof(*rq)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    *n_fds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && *n_fds < 2; i++)
                memcpy(&fds[(*n_fds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        }
    if (n < (ssize_t)offsetof(request, args) || rq->len > ARGS_MAX)
        return n <= 0 ? 0 : -1;
    return n;
}

/* Whether the server can clone workers as the app's children, as _Fork
 * would fork them. _Fork takes no CLONE_PARENT, so the server makes the
 * clone itself, and does what _Fork does besides the syscall: the kernel
 * stores the child's tid in glibc's struct pthread (CLONE_CHILD_SETTID, at
 * the address glibc registered with set_tid_address, which
 * PR_GET_TID_ADDRESS gives back), and the child registers the robust mutex
 * list again (a new process starts without one; the list itself is empty:
 * the server holds no robust mutex). That is all _Fork does in glibc 2.34
 * to 2.40 (2.36's, disassembled: the clone, then set_robust_list); 2.41's
 * also resets the vDSO getrandom state, without which sibling workers
 * would draw the same numbers, so other versions do not adopt. Without the
 * tid, the worker's main thread would lock the blob's robust mutexes under
 * the server's tid, and the kernel would not release them when the worker
 * dies. Any doubt (another architecture or glibc, a kernel without
 * PR_GET_TID_ADDRESS, an address that is not where this thread's tid is):
 * no adoption, the server forks and reaps its own children. */
static void adopt_probe(void)
{
#if defined(__x86_64__)
    if (getenv(SL_FORKSERVER_FORK_ENV) != NULL)
        return;
    int major = 0, minor = 0;
    if (sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) != 2 || major != 2 || minor < 34 ||
        minor > 40)
        return;
    pid_t *tid = NULL;
    char *self = (char *)pthread_self();
    if (prctl(PR_GET_TID_ADDRESS, &tid) != 0 || tid == NULL || (char *)tid < self ||
        (char *)tid >= self + 4096 || *tid != gettid())
        return;
    void *head = NULL;
    size_t len = 0;
    if (syscall(SYS_get_robust_list, 0, &head, &len) != 0 || head == NULL)
        return;
    adopt.tid = tid;
    adopt.robust = head;
    adopt.robust_len = len;
    adopt.ok = true;
#endif
}

/* The worker: a copy of the server whose parent is the app. */
static pid_t fork_worker(void)
{
#if defined(__x86_64__)
    if (adopt.ok) {
        /* x86_64's argument order: flags, stack, parent_tid, child_tid, tls.
         * The exit signal is the server's (SIGCHLD): CLONE_PARENT takes it
         * with the parent. */
        long pid =
            syscall(SYS_clone, CLONE_PARENT | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
                    0L, NULL, adopt.tid, 0L);
        if (pid == 0)
            syscall(SYS_set_robust_list, adopt.robust, adopt.robust_len);
        return (pid_t)pid;
    }
#endif
    /* _Fork, not fork: the server has a single thread, so the atfork
     * handlers (libc's lock resets, and the TLS libraries' that reseed their
     * random generators; a worker only speaks plain HTTP to the latency
     * server) have nothing to do but write pages, which the worker would
     * then have to copy. */
    return _Fork();
}

static void serve_fork(int sock, request *rq, const int fds[2], int n_fds, reply *rp)
{
    if (n_fds < 1 || (rq->has_fd1 && n_fds < 2) || rq->len == 0 || rq->args[rq->len - 1] != '\0' ||
        rq->argc > ARGV_MAX) {
        rp->err = EINVAL;
        return;
    }
    pid_t pid = fork_worker();
    if (pid == 0)
        become_worker(sock, rq, fds[0], rq->has_fd1 ? fds[1] : -1);
    rp->pid = pid > 0 ? pid : 0;
    rp->err = pid > 0 ? 0 : errno;
}

static void serve_reap(const request *rq, reply *rp)
{
    pid_t got;
    do
        got = wait4(rq->pid, &rp->status, rq->nohang ? WNOHANG : 0, &rp->ru);
    while (got < 0 && errno == EINTR);
    rp->pid = got > 0 ? got : 0;
    rp->err = got < 0 ? errno : 0;
}

/* The server: one request at a time until the app closes its end. */
static void serve(int sock)
{
    for (;;) {
        request rq;
        int fds[2], n_fds;
        ssize_t n = receive(sock, &rq, fds, &n_fds);
        if (n == 0)
            break;
        reply rp = {0};
        if (n < 0)
            rp.err = EINVAL;
        else if (rq.op == OP_FORK)
            serve_fork(sock, &rq, fds, n_fds, &rp);
        else if (rq.op == OP_REAP)
            serve_reap(&rq, &rp);
        else if (rq.op == OP_NET) {
            rp.err = sl_net_global_init() == 0 ? 0 : ELIBACC;
            worker_signals(); /* whatever the libraries did to them */
        } else
            rp.err = EINVAL;
        /* the worker has its copies: the server keeps nothing of the run */
        for (int i = 0; i < n_fds; i++)
            close(fds[i]);
        if (send(sock, &rp, sizeof(rp), MSG_NOSIGNAL) != (ssize_t)sizeof(rp))
            break;
    }
    _exit(0);
}

/* At the app's exit: the server sees EOF and ends; reap it, so that it is
 * not left a zombie for whoever adopts it. */
static void stop_server(void)
{
    pthread_mutex_lock(&server.mu);
    if (server.sock >= 0) {
        close(server.sock);
        server.sock = -1;
        waitpid(server.pid, NULL, 0);
    }
    pthread_mutex_unlock(&server.mu);
}

int sl_forkserver_start(void)
{
    if (server.sock >= 0)
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return SL_ELIMIT;
    pid_t app = getpid();
    adopt_probe();
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return SL_ELIMIT;
    }
    if (pid == 0) {
        close(sv[0]);
        /* dies with the app, even if the app dies before the prctl */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != app)
            _exit(0);
        /* its own process group: a terminal's Ctrl-C or Ctrl-Z reaches the
         * app, which stops its workers itself, never the server */
        setpgid(0, 0);
        worker_signals();
        prctl(PR_SET_NAME, "schedlab-fsrv");
        /* every worker carries the mark; set once here, so that a fork does
         * not write (and copy) the environment's pages for each worker */
        char mark[16];
        snprintf(mark, sizeof(mark), "%d", (int)app);
        setenv(SL_WORKER_MARK_ENV, mark, 1);
        serve(sv[1]);
    }
    close(sv[1]);
    server.sock = sv[0];
    server.pid = pid;
    atexit(stop_server);
    return 0;
}

/* ---- the app side ------------------------------------------------------- */

pid_t sl_forkserver_pid(void)
{
    pthread_mutex_lock(&server.mu);
    pid_t pid = server.sock >= 0 ? server.pid : 0;
    pthread_mutex_unlock(&server.mu);
    return pid;
}

pid_t sl_forkserver_parent(void)
{
    pid_t pid = sl_forkserver_pid();
    return pid != 0 && adopt.ok ? getpid() : pid;
}

/* The server stopped answering: forget it (its workers are children of this
 * process, reaped as ever, or, forked by it, died with it). */
static void lost_server(void)
{
    close(server.sock);
    server.sock = -1;
    waitpid(server.pid, NULL, WNOHANG);
}

/* One round trip with the mutex held: 0, or the errno of the socket. */
static int ask(const request *rq, const int *fds, int n_fds, reply *rp)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = (void *)rq, .iov_len = offsetof(request, args) + rq->len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n_fds > 0) {
        msg.msg_control = ctl.buf;
        msg.msg_controllen = CMSG_SPACE((size_t)n_fds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN((size_t)n_fds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, (size_t)n_fds * sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(server.sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    do
        n = recv(server.sock, rp, sizeof(*rp), 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(*rp))
        return n < 0 ? errno : EPIPE;
    return 0;
}

int sl_forkserver_fork(int argc, char *const argv[], int fd3, int fd1, pid_t *pid, char *why,
                       size_t why_size)
{
    request rq = {.op = OP_FORK, .argc = (uint32_t)argc, .has_fd1 = fd1 >= 0};
    if (argc > ARGV_MAX) {
        snprintf(why, why_size, "more worker arguments than the forkserver's %d", ARGV_MAX);
        return SL_ESPAWN;
    }
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]) + 1;
        if (rq.len + len > ARGS_MAX) {
            snprintf(why, why_size, "worker arguments longer than the forkserver's %d bytes",
                     ARGS_MAX);
            return SL_ESPAWN;
        }
        memcpy(rq.args + rq.len, argv[i], len);
        rq.len += (uint32_t)len;
    }
    int fds[2] = {fd3, fd1};
    reply rp;
    pthread_mutex_lock(&server.mu);
    if (server.sock < 0) {
        pthread_mutex_unlock(&server.mu);
        snprintf(why, why_size,
                 "no forkserver: it is started at the top of main, before any thread "
                 "(use --start spawn)");
        return SL_ESPAWN;
    }
    int err = ask(&rq, fds, fd1 >= 0 ? 2 : 1, &rp);
    pid_t server_pid = server.pid;
    if (err != 0)
        lost_server();
    pthread_mutex_unlock(&server.mu);
    if (err != 0) {
        snprintf(why, why_size, "the forkserver (pid %d) is gone: %s (use --start spawn)",
                 (int)server_pid, strerror(err));
        return SL_ESPAWN;
    }
    if (rp.err != 0) {
        snprintf(why, why_size, "the forkserver cannot fork a worker: %s", strerror(rp.err));
        return rp.err == EAGAIN || rp.err == ENOMEM ? SL_ELIMIT : SL_ESPAWN;
    }
    *pid = rp.pid;
    return 0;
}

int sl_forkserver_preload_net(char *why, size_t why_size)
{
    request rq = {.op = OP_NET};
    reply rp = {0};
    pthread_mutex_lock(&server.mu);
    /* Once per server. Without one (or once it is lost), forking says why. */
    if (server.sock >= 0 && !server.net_asked) {
        if (ask(&rq, NULL, 0, &rp) != 0)
            lost_server();
        server.net_asked = true;
        server.net_err = rp.err;
    }
    int err = server.sock >= 0 ? server.net_err : 0;
    pthread_mutex_unlock(&server.mu);
    if (err == 0)
        return 0;
    snprintf(why, why_size, "the forkserver cannot load libcurl (its reason is on stderr)");
    return SL_ENET;
}

int sl_forkserver_reap(pid_t pid, bool nohang, int *status, struct rusage *ru)
{
    request rq = {.op = OP_REAP, .pid = pid, .nohang = nohang};
    reply rp;
    pthread_mutex_lock(&server.mu);
    int err = server.sock >= 0 ? ask(&rq, NULL, 0, &rp) : EPIPE;
    if (err != 0 && server.sock >= 0)
        lost_server();
    pthread_mutex_unlock(&server.mu);
    if (err != 0 || rp.err != 0)
        return SL_ESPAWN;
    if (rp.pid == 0)
        return 0;
    *status = rp.status;
    *ru = rp.ru;
    return 1;
}
