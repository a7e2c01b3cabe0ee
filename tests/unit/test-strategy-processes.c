/*
 * test-strategy-processes.c - processes and procpool with real worker processes.
 *
 * Each run is wired as the engine does it (rings with a blob, the runner's
 * ring bound to this thread, a collector filling a trace) and checked for
 * the hook contract: one SPAWN, RUN, one EXIT last per task, child events
 * stamped with the child's pid, at most N tasks running in a pool of N.
 * Crash tests SIGKILL a worker mid-task and check that only its task
 * fails; every test ends with no child left (waitpid gives ECHILD).
 *
 * The worker binary comes from SCHEDLAB_WORKER_EXE (CMake sets it); without
 * it the process tests fail, naming it. The blob's image round-trip needs
 * no worker.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "schedlab/blocking.h"
#include "schedlab/error.h"
#include "schedlab/strategy.h"
#include "schedlab/work.h"
#include "schedlab/proc.h"
#include "skip-exit.h"
#include "strategy-harness.h"

extern const sl_strategy sl_strategy_processes;
extern const sl_strategy sl_strategy_procpool;

typedef struct rig {
    sl_scenario *sc;
    sl_rings *rings;
    sl_trace *trace;
    sl_collector *col;
    sl_run_result res;
    atomic_int stop;
    sl_run_ctx ctx;
    uint32_t runner; /* vehicle of the runner: this process */
} rig;

static int group_setup(void **state)
{
    if (harness_server_setup(state) < 0)
        return -1;
    sl_work_calibrate();
    return 0;
}

static void rig_open(rig *r, const char *text, const sl_strategy *st, uint32_t workers,
                     uint32_t chunksize, const char *exe)
{
    memset(r, 0, sizeof(*r));
    r->sc = harness_parse(text);
    r->runner = (uint32_t)getpid();
    r->ctx = harness_ctx(r->sc, &r->stop, &r->res);
    r->ctx.workers = workers;
    r->ctx.chunksize = chunksize;
    r->ctx.worker_exe = exe;
    r->col = harness_wire(st, &r->ctx, st->rings_needed(&r->ctx), 4096, &r->trace);
    r->rings = r->ctx.rings;
}

/* Stops the collector so the trace holds everything; keeps the rig open. */
static void rig_finish(rig *r)
{
    harness_unwire(r->col, r->trace);
    r->col = NULL;
}

static void rig_free(rig *r)
{
    sl_trace_free(r->trace);
    sl_rings_destroy(r->rings);
    sl_scenario_free(r->sc);
}

#ifndef SL_SANITIZED /* only the shape test, not built under sanitizers, uses it */
static void rig_close(rig *r)
{
    rig_finish(r);
    rig_free(r);
}
#endif

static uint32_t task_named(const sl_scenario *sc, const char *name)
{
    for (uint32_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i].name, name) == 0)
            return i;
    fail_msg("no task %s", name);
    return SL_NO_TASK;
}

static bool is_vehicle(const sl_trace *t, uint32_t v)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->events[i].kind == SL_EV_MARK && t->events[i].reason == SL_MARK_VEHICLE_START &&
            t->events[i].vehicle == v)
            return true;
    return false;
}

/* What the contract says of every run (a task never submitted may only be
 * cancelled by the runner, as sl_tasks_cancel does); returns the most tasks seen running
 * at once and fills *vehicles with the distinct child vehicles. */
static uint32_t check_contract(const rig *r, bool pool, uint32_t *vehicles)
{
    const sl_trace *t = r->trace;
    uint32_t n = r->sc->n_tasks;
    uint32_t *spawns = calloc(n, sizeof(uint32_t)), *exits = calloc(n, sizeof(uint32_t));
    uint32_t *runs = calloc(n, sizeof(uint32_t)), *ready = calloc(n, sizeof(uint32_t));
    uint32_t *owner = calloc(n, sizeof(uint32_t)), seen[64];
    uint32_t *starts = calloc(n, sizeof(uint32_t));
    bool *running = calloc(n, sizeof(bool));
    uint32_t now = 0, most = 0, n_seen = 0, asked = 0, n_up = 0, up[64];
    for (size_t i = 0; i < t->count; i++) {
        const sl_event *e = &t->events[i];
        if (i > 0)
            assert_true(t->events[i - 1].t_ns <= e->t_ns);
        if (e->kind == SL_EV_MARK || e->kind == SL_EV_OS_SAMPLE)
            continue;
        /* procpool: a worker process's start-up, for no task (its tasks
         * stay queued): asked for by the runner, then up in the worker
         * before it takes a task */
        if (e->kind == SL_EV_START && e->task == SL_NO_TASK) {
            assert_true(pool);
            if (e->reason == SL_START_WORKER) {
                assert_int_equal(e->vehicle, r->runner);
                asked++;
            } else {
                assert_int_equal(e->reason, SL_START_WORKER_UP);
                assert_int_not_equal(e->vehicle, r->runner);
                assert_true(n_up < asked);
                if (n_up < 64)
                    up[n_up] = e->vehicle;
                n_up++;
            }
            continue;
        }
        assert_true(e->task < n);
        assert_int_equal(exits[e->task], 0); /* nothing after EXIT */
        if (e->kind == SL_EV_SPAWN || e->kind == SL_EV_QUEUE) {
            assert_int_equal(e->vehicle, r->runner);
            spawns[e->task] += e->kind == SL_EV_SPAWN;
            continue;
        }
        /* processes: the start-up phase, from the creation request (right
         * after SPAWN, by the runner) to the child's first RUN */
        if (e->kind == SL_EV_START) {
            assert_false(pool);
            assert_int_equal(e->vehicle, r->runner);
            assert_int_equal(spawns[e->task], 1);
            assert_int_equal(runs[e->task], 0);
            starts[e->task]++;
            continue;
        }
        if (e->kind == SL_EV_EXIT && e->vehicle == r->runner) {
            /* never started (not even submitted, if the run stopped first) */
            assert_int_equal(e->reason, SL_EXIT_CANCELLED);
            assert_int_equal(runs[e->task], 0);
            exits[e->task]++;
            continue;
        }
        assert_int_equal(spawns[e->task], 1); /* submitted before anything else */
        /* from a child: stamped with its pid, one vehicle per task */
        assert_int_not_equal(e->vehicle, r->runner);
        assert_true(is_vehicle(t, e->vehicle));
        if (owner[e->task] == 0)
            owner[e->task] = e->vehicle;
        assert_int_equal(owner[e->task], e->vehicle);
        if (e->kind == SL_EV_READY && e->reason == SL_READY_WORKER)
            ready[e->task]++;
        if (e->kind == SL_EV_RUN) {
            runs[e->task]++;
            if (!pool)
                assert_int_equal(starts[e->task], 1); /* started up first */
            if (pool) {
                assert_int_equal(ready[e->task], 1); /* READY(worker) came first */
                bool was_up = false;                 /* its worker said it was up first */
                for (uint32_t k = 0; k < n_up && k < 64; k++)
                    was_up |= up[k] == e->vehicle;
                assert_true(was_up);
            }
            if (!running[e->task]) {
                running[e->task] = true;
                most = ++now > most ? now : most;
            }
        }
        if (e->kind == SL_EV_EXIT) {
            if (e->reason == SL_EXIT_OK)
                assert_true(runs[e->task] >= 1);
            exits[e->task]++;
            if (running[e->task])
                now--;
            running[e->task] = false;
        }
        bool known = false;
        for (uint32_t k = 0; k < n_seen; k++)
            known |= seen[k] == e->vehicle;
        if (!known && n_seen < 64)
            seen[n_seen++] = e->vehicle;
    }
    for (uint32_t i = 0; i < n; i++) {
        assert_true(spawns[i] == 1 || runs[i] == 0);
        assert_int_equal(exits[i], 1);
    }
    free(spawns);
    free(exits);
    free(runs);
    free(ready);
    free(starts);
    free(owner);
    free(running);
    *vehicles = n_seen;
    return most;
}

/* Every worker exited with status 0 (a sanitizer's report in a worker
 * would change it); returns how many exited. */
static uint32_t clean_vehicle_exits(const sl_trace *t)
{
    uint32_t n = 0;
    for (size_t i = 0; i < t->count; i++)
        if (t->events[i].kind == SL_EV_MARK && t->events[i].reason == SL_MARK_VEHICLE_EXIT) {
            assert_int_equal(t->events[i].arg, 0);
            n++;
        }
    return n;
}

/* The EXIT event of a task. */
static const sl_event *exit_of(const sl_trace *t, uint32_t task)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->events[i].kind == SL_EV_EXIT && t->events[i].task == task)
            return &t->events[i];
    fail_msg("task %u has no EXIT", task);
    return NULL;
}

static const char *mixed = "[lesson]\ntitle = mixed\n[run]\nseed = 3\n"
                           "[group m]\ncount = 4\nstep = cpu 3ms\nstep = io 10ms 2k\n"
                           "step = sleep 5ms\nstep = yield\nstep = cpu-sumsq 20000\n";

static void test_processes_run_every_task_in_its_own_process(void **state)
{
    const char *exe = harness_worker_exe();
    rig r;
    rig_open(&r, mixed, &sl_strategy_processes, 0, 0, exe);
    assert_int_equal(sl_strategy_processes.run(&r.ctx), 0);
    rig_finish(&r);
    uint32_t vehicles;
    check_contract(&r, false, &vehicles);
    assert_int_equal(vehicles, 4);
    assert_int_equal(clean_vehicle_exits(r.trace), 4);
    assert_int_equal(r.res.completed, 4);
    assert_int_equal(r.res.failed + r.res.cancelled, 0);
    assert_int_equal(r.res.n_vehicles, 4);
    assert_true(r.res.vehicle_create_ns > 0);
    assert_true(r.res.cpu_ns >= 4 * 3000000ull);
    assert_true(r.res.peak_rss_kb > 0);
    assert_string_equal(r.res.error, "");
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(exit_of(r.trace, i)->reason, SL_EXIT_OK);
    rig_free(&r);
    harness_assert_no_children();
}

static void test_procpool_never_runs_more_than_n(void **state)
{
    const char *exe = harness_worker_exe();
    rig r;
    rig_open(&r, mixed, &sl_strategy_procpool, 2, 1, exe);
    assert_int_equal(sl_strategy_procpool.run(&r.ctx), 0);
    rig_finish(&r);
    uint32_t vehicles;
    assert_true(check_contract(&r, true, &vehicles) <= 2);
    assert_true(vehicles >= 1 && vehicles <= 2);
    assert_int_equal(clean_vehicle_exits(r.trace), 2);
    assert_int_equal(r.res.completed, 4);
    assert_int_equal(r.res.n_vehicles, 2);
    size_t queued = 0;
    for (size_t i = 0; i < r.trace->count; i++)
        queued += r.trace->events[i].kind == SL_EV_QUEUE;
    assert_int_equal(queued, 4);
    rig_free(&r);
    harness_assert_no_children();
}

/* Kills, with SIGKILL, the vehicle of `task` once it is seen sleeping. */
typedef struct killer {
    rig *r;
    uint32_t task;
    bool stop_instead; /* set ctx->stop at the first RUN instead of killing */
    pid_t killed;
} killer;

static void *killer_main(void *arg)
{
    killer *k = arg;
    sl_trace *t = k->r->trace;
    for (int tries = 0; tries < 5000; tries++) {
        pid_t victim = 0;
        bool go = false;
        {
            sl_trace_view held;
            sl_trace_read(t, &held);
            for (size_t i = 0; i < held.count && !go; i++) {
                const sl_event *e = &held.events[i];
                if (k->stop_instead)
                    go = e->kind == SL_EV_RUN;
                else if (e->kind == SL_EV_BLOCK && e->task == k->task) {
                    victim = (pid_t)e->vehicle;
                    go = true;
                }
            }
            sl_trace_read_end(&held);
        }
        if (go) {
            if (k->stop_instead)
                atomic_store(&k->r->stop, 1);
            else if (kill(victim, SIGKILL) == 0)
                k->killed = victim;
            return NULL;
        }
        usleep(1000);
    }
    return NULL;
}

static void run_with(rig *r, const sl_strategy *st, killer *k, int expect)
{
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, killer_main, k), 0);
    int err = st->run(&r->ctx);
    pthread_join(th, NULL);
    assert_int_equal(err, expect);
    rig_finish(r);
}

/* `long` comes first so that, in a pool, its chunk holds a task it never
 * started: the crash must not lose that one either. */
static const char *one_long = "[lesson]\ntitle = crash\n[run]\nseed = 1\n"
                              "[task long]\nstep = cpu 1ms\nstep = sleep 5s\n"
                              "[group short]\ncount = 4\nstep = cpu 2ms\nstep = sleep 20ms\n";

static void check_killed(rig *r, const killer *k)
{
    assert_true(k->killed > 0);
    const sl_event *e = exit_of(r->trace, k->task);
    assert_int_equal(e->reason, SL_EXIT_FAILED);
    assert_int_equal(e->arg, SIGKILL);
    assert_int_equal(e->vehicle, (uint32_t)k->killed);
    assert_int_equal(r->res.failed, 1);
    assert_int_equal(r->res.completed, r->sc->n_tasks - 1);
    assert_int_equal(r->res.n_failures, 1);
    char want[160];
    snprintf(want, sizeof(want), "task long: worker pid %d killed by signal 9 (SIGKILL)",
             (int)k->killed);
    assert_string_equal(r->res.failures[0], want);
}

static void test_processes_report_a_killed_child(void **state)
{
    const char *exe = harness_worker_exe();
    rig r;
    rig_open(&r, one_long, &sl_strategy_processes, 0, 0, exe);
    killer k = {.r = &r, .task = task_named(r.sc, "long")};
    uint64_t t0 = sl_clock_ns();
    run_with(&r, &sl_strategy_processes, &k, 0);
    assert_true(sl_clock_ns() - t0 < 4000000000ull); /* did not sleep the 5 s */
    uint32_t vehicles;
    check_contract(&r, false, &vehicles);
    check_killed(&r, &k);
    rig_free(&r);
    harness_assert_no_children();
}

static void test_procpool_survives_a_killed_worker(void **state)
{
    const char *exe = harness_worker_exe();
    rig r;
    rig_open(&r, one_long, &sl_strategy_procpool, 2, 2, exe);
    killer k = {.r = &r, .task = task_named(r.sc, "long")};
    run_with(&r, &sl_strategy_procpool, &k, 0);
    uint32_t vehicles;
    assert_true(check_contract(&r, true, &vehicles) <= 2);
    check_killed(&r, &k);
    rig_free(&r);
    harness_assert_no_children();
}

/* A worker killed after its task's EXIT and before it marked the task done
 * (the worker does it to itself: SL_FAULT_DIE_AFTER_EXIT_ENV, set in main,
 * names `doomed-after-exit`). The EXIT in the ring is the one witness: the
 * task stays completed with its one EXIT, no second one is made up for the
 * dead worker, and every other task completes. */
static void test_procpool_worker_killed_after_an_exit(void **state)
{
    const char *exe = harness_worker_exe();
    rig r;
    rig_open(&r,
             "[lesson]\ntitle = late death\n[run]\nseed = 1\n"
             "[task doomed-after-exit]\nstep = cpu 1ms\n"
             "[group short]\ncount = 5\nstep = cpu 1ms\nstep = sleep 10ms\n",
             &sl_strategy_procpool, 2, 1, exe);
    assert_int_equal(sl_strategy_procpool.run(&r.ctx), 0);
    rig_finish(&r);
    uint32_t vehicles;
    check_contract(&r, true, &vehicles); /* one EXIT per task, last */
    const sl_event *e = exit_of(r.trace, task_named(r.sc, "doomed-after-exit"));
    assert_int_equal(e->reason, SL_EXIT_OK);
    assert_int_equal(r.res.completed, r.sc->n_tasks);
    assert_int_equal(r.res.failed, 0);
    rig_free(&r);
    harness_assert_no_children();
}

static const char *sleepers = "[lesson]\ntitle = stop\n[run]\nseed = 1\n"
                              "[group s]\ncount = 6\nstep = sleep 3s\n";

static void test_stop_cancels_and_reaps(void **state)
{
    const char *exe = harness_worker_exe();
    const sl_strategy *strategies[] = {&sl_strategy_processes, &sl_strategy_procpool};
    for (int i = 0; i < 2; i++) {
        rig r;
        rig_open(&r, sleepers, strategies[i], 2, 1, exe);
        killer k = {.r = &r, .stop_instead = true};
        uint64_t t0 = sl_clock_ns();
        run_with(&r, strategies[i], &k, SL_EINTR);
        assert_true(sl_clock_ns() - t0 < 2000000000ull);
        uint32_t vehicles;
        check_contract(&r, i == 1, &vehicles);
        assert_int_equal(r.res.completed + r.res.failed, 0);
        assert_int_equal(r.res.cancelled, 6);
        rig_free(&r);
        harness_assert_no_children();
    }
}

static void test_spawn_failure_cancels_the_rest(void **state)
{
    rig r;
    rig_open(&r, mixed, &sl_strategy_processes, 0, 0, "/nonexistent/schedlab");
    r.ctx.start = SL_START_SPAWN; /* whichever pass this is: a forkserver needs no binary */
    assert_int_equal(sl_strategy_processes.run(&r.ctx), SL_ESPAWN);
    rig_finish(&r);
    uint32_t vehicles;
    check_contract(&r, false, &vehicles);
    assert_int_equal(vehicles, 0);
    assert_int_equal(r.res.cancelled, 4);
    assert_int_equal(r.res.n_vehicles, 0);
    assert_non_null(strstr(r.res.error, "cannot start worker process /nonexistent/schedlab"));
    rig_free(&r);
    harness_assert_no_children();
}

/* Entries of /proc/PID/fd whose link names `what` (any when NULL). */
static int fds_of(pid_t pid, const char *what)
{
    char dir[64], path[320], link[256];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        ssize_t len = readlink(path, link, sizeof(link) - 1);
        link[len > 0 ? len : 0] = '\0';
        n += what == NULL || strstr(link, what) != NULL;
    }
    closedir(d);
    return n;
}

/* The forkserver keeps nothing of a run: every worker reaped (by the app,
 * or by the server on its request), no descriptor of the run's memfd left in it, and none in
 * the app once the rings are gone: the shared memory is released. */
static void test_forkserver_keeps_nothing_of_a_run(void **state)
{
    const char *exe = harness_worker_exe();
    pid_t fs = sl_forkserver_pid();
    assert_true(fs > 0);
    int server_fds = fds_of(fs, NULL);
    const sl_strategy *strategies[] = {&sl_strategy_processes, &sl_strategy_procpool};
    for (int i = 0; i < 2; i++) {
        rig r;
        rig_open(&r, mixed, strategies[i], 2, 1, exe);
        r.ctx.start = SL_START_FORKSERVER; /* whichever pass this is */
        assert_int_equal(fds_of(getpid(), "memfd:"), 1);
        assert_int_equal(strategies[i]->run(&r.ctx), 0);
        rig_finish(&r);
        assert_int_equal(r.res.completed, 4);
        /* every worker's wait4 rusage was counted: cpu time and peak RSS */
        assert_true(r.res.cpu_ns >= 4 * 3000000ull);
        assert_true(r.res.peak_rss_kb > 0);
        rig_free(&r);
        assert_int_equal(fds_of(fs, "memfd:"), 0);
        assert_int_equal(fds_of(fs, NULL), server_fds);
        assert_int_equal(fds_of(getpid(), "memfd:"), 0);
        harness_assert_no_children();
    }
}

/* A forkserver's worker is this process's child when the server clones it
 * with CLONE_PARENT: glibc's state in it is what a fork would have left
 * (its tid where glibc keeps it, its robust mutex list registered: without
 * them a worker killed inside a shared lock would not release it), and it
 * is reaped here with wait4, rusage included, leaving no zombie anywhere.
 * When the server does not adopt (sl_forkserver_parent() is the server),
 * the worker is the server's child, reaped through it. */
static void test_forkserver_worker_is_reaped_with_its_rusage(void **state)
{
    pid_t parent = sl_forkserver_parent();
    assert_true(parent > 0);
    bool adopted = parent == getpid();
    assert_true(adopted || parent == sl_forkserver_pid());
    sl_rings *rings;
    assert_int_equal(sl_rings_create(&rings, 1, 1024, sl_clock_ns(), 0), 0);
    int out[2];
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    char rate[32], who[16];
    snprintf(rate, sizeof(rate), "%.17g", sl_work_calibrate());
    snprintf(who, sizeof(who), "%d", (int)parent);
    /* a cpu child that burns 400 ms: alive long enough to be looked at */
    char *argv[] = {"__worker", "--fd",   "3",      "--role",   "cpu",      "--index",   "0",
                    "--step",   "0",      "--kind", "0",        "--amount", "400000000", "--rate",
                    rate,       "--ring", "0",      "--parent", who,        NULL};
    pid_t pid;
    char why[160];
    int err = sl_forkserver_fork(19, argv, sl_rings_fd(rings), out[1], &pid, why, sizeof(why));
    close(out[1]);
    assert_int_equal(err, 0);
    /* Set up once it is in a process group of its own: become_worker does
     * that after the clone's own work. Until then (2 s at most) it is
     * looked at again. */
    char path[64], stat[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int ppid = 0, pgrp = 0;
    for (int i = 0; i < 200 && pgrp != pid; i++) {
        if (i > 0)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(stat, sizeof(stat), f));
        fclose(f);
        assert_int_equal(sscanf(strrchr(stat, ')') + 2, "%*c %d %d", &ppid, &pgrp), 2);
    }
    assert_int_equal(pgrp, (int)pid);
    assert_int_equal(ppid, (int)parent);
    if (adopted) {
        /* The server is a fork of this thread: its struct pthread, so the
         * worker's, is at this thread's address. The kernel stored the tid
         * there, and the worker registered the robust list. Skipped where
         * this process may not look into its child (ptrace scope). */
        pid_t *tid = NULL;
        void *mine = NULL, *its = NULL;
        size_t len = 0;
        assert_int_equal(prctl(PR_GET_TID_ADDRESS, &tid), 0);
        pid_t word = 0;
        struct iovec local = {&word, sizeof(word)}, remote = {tid, sizeof(word)};
        if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(word))
            assert_int_equal(word, pid);
        assert_int_equal(syscall(SYS_get_robust_list, 0, &mine, &len), 0);
        if (syscall(SYS_get_robust_list, pid, &its, &len) == 0)
            assert_ptr_equal(its, mine);
    }
    int status;
    struct rusage ru = {0};
    assert_int_equal(sl_proc_reap(pid, false, &status, &ru), 1);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    uint64_t cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec +
                      (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
    assert_true(cpu_us >= 100000);
    assert_true(ru.ru_maxrss > 0);
    char line[256] = "";
    ssize_t n = read(out[0], line, sizeof(line) - 1);
    assert_true(n > 0);
    assert_non_null(strstr(line, "sum="));
    close(out[0]);
    sl_rings_destroy(rings);
    harness_assert_no_children();
}

/* Whether process pid maps a file whose path contains `what`. */
static bool maps_file(pid_t pid, const char *what)
{
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = strstr(line, what) != NULL;
    fclose(f);
    return found;
}

/* Runs `text` under processes with the forkserver: every task completes. */
static void run_served(const char *text, uint32_t n_tasks)
{
    rig r;
    rig_open(&r, text, &sl_strategy_processes, 2, 1, harness_worker_exe());
    r.ctx.start = SL_START_FORKSERVER;
    assert_int_equal(sl_strategy_processes.run(&r.ctx), 0);
    rig_finish(&r);
    assert_int_equal(r.res.completed, n_tasks);
    rig_free(&r);
}

/* libcurl is not linked: the forkserver is forked without it, a cpu-only
 * run leaves it so (its workers are forks of the light image), and the
 * first run with network steps has the server load it once, before its
 * first worker, which then uses it. First of the tests, so that in the
 * first pass nothing has asked for the network yet. */
static void test_forkserver_loads_libcurl_for_network_runs_only(void **state)
{
    pid_t fs = sl_forkserver_pid();
    assert_true(fs > 0);
    static bool first_pass = true;
    if (first_pass) {
        first_pass = false;
        assert_false(maps_file(fs, "libcurl"));
        run_served("[lesson]\ntitle = cpu\n[run]\nseed = 1\n[group c]\ncount = 2\nstep = cpu 1ms\n",
                   2);
        assert_false(maps_file(fs, "libcurl"));
    }
    run_served(mixed, 4);
    assert_true(maps_file(fs, "libcurl"));
    harness_assert_no_children();
}

#ifndef SL_SANITIZED
/* Timing shapes: not built under sanitizers, which slow threads and
 * processes unevenly, so a ratio there would judge the sanitizer. */

static double seconds_since(uint64_t t0)
{
    return (double)(sl_clock_ns() - t0) / 1e9;
}

/* A shape, not a benchmark: four 250 ms cpu tasks on two cores, procpool(2)
 * against the same tasks run one after the other here. Each side keeps its
 * best of up to five tries, so a machine busy with something else for a
 * moment does not decide. A spawned worker pays an exec and the loading of
 * every library before its first task (15-45 ms on a 2-core VM): with 100 ms
 * tasks that start-up alone brought the spawn pass to 1.45x, so the tasks are
 * long enough for it to stay small beside them. */
static void test_procpool_uses_both_cores_for_cpu_work(void **state)
{
    const char *exe = harness_worker_exe();
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        skip_because("one core: no parallel speedup to check");
    const char *cpu = "[lesson]\ntitle = cpu\n[run]\nseed = 1\n"
                      "[group c]\ncount = 4\nstep = cpu 250ms\n";
    double sequential = 1e9, pool = 1e9;
    for (int attempt = 0; attempt < 5 && sequential / pool < 1.5; attempt++) {
        rig r;
        rig_open(&r, cpu, &sl_strategy_procpool, 2, 1, exe);
        uint64_t t0 = sl_clock_ns();
        for (uint32_t i = 0; i < r.sc->n_tasks; i++)
            assert_int_equal(sl_task_exec_blocking(&r.ctx, i, NULL), SL_EXIT_OK);
        double s = seconds_since(t0);
        r.res = (sl_run_result){0};
        t0 = sl_clock_ns();
        assert_int_equal(sl_strategy_procpool.run(&r.ctx), 0);
        double p = seconds_since(t0);
        assert_int_equal(r.res.completed, 4);
        print_message("sequential %.3f s, procpool(2) %.3f s\n", s, p);
        sequential = s < sequential ? s : sequential;
        pool = p < pool ? p : pool;
        rig_close(&r);
    }
    print_message("best: %.2fx faster\n", sequential / pool);
    assert_true(sequential / pool >= 1.5);
    harness_assert_no_children();
}
#endif

static void test_image_round_trip_and_corruption(void **state)
{
    const char *text = "[lesson]\ntitle = image\n[run]\nseed = 9\nworkers = 3\n"
                       "[group a]\ncount = 2\nstep = cpu 1ms\nstep = get http://127.0.0.1:1/x\n"
                       "[task solo]\nstep = sleep 2ms\nstep = io 1ms 3k\n";
    sl_scenario *sc, *back;
    sl_diag diag;
    assert_int_equal(sl_scenario_parse("<test>", text, &sc, &diag), 0);
    size_t size = sl_worker_image_size(sc);
    char *buf = malloc(size);
    assert_int_equal(sl_worker_image_write(sc, buf, size - 1), SL_EINVAL);
    assert_int_equal(sl_worker_image_write(sc, buf, size), 0);
    assert_int_equal(sl_worker_image_read(buf, size, &back), 0);
    assert_int_equal(back->n_tasks, sc->n_tasks);
    assert_int_equal(back->n_steps, sc->n_steps);
    assert_int_equal(back->workers, 3);
    assert_string_equal(back->title, "image");
    for (uint32_t i = 0; i < sc->n_tasks; i++) {
        assert_string_equal(back->tasks[i].name, sc->tasks[i].name);
        assert_int_equal(back->tasks[i].first_step, sc->tasks[i].first_step);
        assert_int_equal(back->tasks[i].n_steps, sc->tasks[i].n_steps);
    }
    for (size_t i = 0; i < sc->n_steps; i++) {
        assert_int_equal(back->steps[i].kind, sc->steps[i].kind);
        assert_int_equal(back->steps[i].ns, sc->steps[i].ns);
        assert_int_equal(back->steps[i].n, sc->steps[i].n);
        if (sc->steps[i].url != NULL)
            assert_string_equal(back->steps[i].url, sc->steps[i].url);
        else
            assert_null(back->steps[i].url);
    }
    sl_worker_image_free(back);
    /* every truncation is refused, never read past */
    for (size_t cut = 0; cut < size; cut += 7)
        assert_int_equal(sl_worker_image_read(buf, cut, &back), SL_ECORRUPT);
    /* a huge count or offset anywhere is refused or harmless: never a read
     * out of bounds (ASan watches) */
    char *copy = malloc(size);
    size_t refused = 0;
    for (size_t off = 0; off + 4 <= size; off += 4) {
        memcpy(copy, buf, size);
        uint32_t v = 0xfffffff0u;
        memcpy(copy + off, &v, 4);
        if (sl_worker_image_read(copy, size, &back) == 0)
            sl_worker_image_free(back);
        else
            refused++;
    }
    assert_true(refused > 0);
    free(copy);
    free(buf);
    sl_scenario_free(sc);
}

static void test_worker_rejects_bad_arguments(void **state)
{
    char *no_fd[] = {"__worker", "--role", "task", "--index", "0", NULL};
    assert_int_equal(sl_worker_main(5, no_fd), 2);
    char *bad_role[] = {"__worker", "--fd", "3", "--role", "boss", "--index", "0", NULL};
    assert_int_equal(sl_worker_main(7, bad_role), 2);
    char *bad_index[] = {"__worker", "--fd", "3", "--role", "task", "--index", "x", NULL};
    assert_int_equal(sl_worker_main(7, bad_index), 2);
}

int main(void)
{
    /* Before any spawn: workers inherit the environment built at the first. */
    setenv(SL_FAULT_DIE_AFTER_EXIT_ENV, "doomed-after-exit", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forkserver_loads_libcurl_for_network_runs_only),
        cmocka_unit_test(test_image_round_trip_and_corruption),
        cmocka_unit_test(test_worker_rejects_bad_arguments),
        cmocka_unit_test(test_processes_run_every_task_in_its_own_process),
        cmocka_unit_test(test_procpool_never_runs_more_than_n),
        cmocka_unit_test(test_processes_report_a_killed_child),
        cmocka_unit_test(test_procpool_survives_a_killed_worker),
        cmocka_unit_test(test_procpool_worker_killed_after_an_exit),
        cmocka_unit_test(test_stop_cancels_and_reaps),
        cmocka_unit_test(test_spawn_failure_cancels_the_rest),
        cmocka_unit_test(test_forkserver_keeps_nothing_of_a_run),
        cmocka_unit_test(test_forkserver_worker_is_reaped_with_its_rusage),
#ifndef SL_SANITIZED
        cmocka_unit_test(test_procpool_uses_both_cores_for_cpu_work),
#endif
    };
    return skip_exit_code(
        HARNESS_RUN_PER_START_METHOD(tests, group_setup, harness_server_teardown));
}
