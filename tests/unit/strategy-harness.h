/*
 * strategy-harness.h - the engine's wiring around one strategy run, for the
 * strategy tests (test-strategy-*.c).
 *
 * The strategy tests link sl_strategy only, so they cannot call the engine,
 * yet each wants a run wired the way src/engine/run.c wires it: a scenario
 * parsed from a string, the latency server, rings (the runner's and the
 * sampler's included, with the blob a process strategy asks for), a trace
 * and its collector, this thread bound to the runner's ring, the run timed
 * and optionally stopped from another thread, and afterwards a check that
 * the collector dropped nothing. One copy of that lives here.
 *
 * The per-task state machines that fold a finished trace stay in each test:
 * they check different promises (one GIL holder, one coroutine at a time,
 * offloaded steps, waits on shared objects, child pids) and merging them
 * would loosen some of them.
 *
 * Everything is static inline so that a test uses only what it needs
 * without unused-function warnings. Include after cmocka.h.
 */
#ifndef SCHEDLAB_TESTS_STRATEGY_HARNESS_H
#define SCHEDLAB_TESTS_STRATEGY_HARNESS_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/net.h"
#include "schedlab/strategy.h"
#include "schedlab/proc.h"

/* The latency server GET and io steps talk to; NULL until started. */
static sl_net_server *harness_server;

/* What one run leaves for the checks. */
typedef struct run_out {
    sl_scenario *sc;
    sl_trace *trace;
    sl_run_result res;
    int status;
    uint64_t wall_ns;
} run_out;

/* cmocka group setup / teardown for tests whose tasks reach the network. */
static inline int harness_server_setup(void **state)
{
    if (sl_net_global_init() < 0 || sl_net_server_start(&harness_server) < 0)
        return -1;
    return 0;
}

static inline int harness_server_teardown(void **state)
{
    sl_net_server_stop(harness_server);
    harness_server = NULL;
    return 0;
}

static inline void harness_sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

/* The schedlab binary for worker processes, or a test failure when run
 * outside ctest (which sets SCHEDLAB_WORKER_EXE): a process test cannot
 * start copies of this test binary as workers, and must not pass without
 * running. */
static inline const char *harness_worker_exe(void)
{
    const char *exe = getenv("SCHEDLAB_WORKER_EXE");
    if (exe == NULL || exe[0] == '\0')
        fail_msg("SCHEDLAB_WORKER_EXE is not set: run this test through ctest, which points it "
                 "at the schedlab binary");
    return exe;
}

/* The scenario in `text`, or a test failure naming the line at fault. */
static inline sl_scenario *harness_parse(const char *text)
{
    sl_scenario *sc = NULL;
    sl_diag diag;
    if (sl_scenario_parse("test", text, &sc, &diag) < 0)
        fail_msg("scenario: line %u: %s", diag.line, diag.message);
    return sc;
}

/* How the worker processes of the runs start: a test binary that forked
 * the forkserver at the top of main may run its tests under each method. */
static sl_start_method harness_start = SL_START_FORKSERVER;

/* Runs the group once per start method (the forkserver forked first, at
 * the top of main as the app does): 0 if every test passed both times. */
#define HARNESS_RUN_PER_START_METHOD(tests, setup, teardown)                                       \
    __extension__({                                                                                \
        int failed_ = sl_forkserver_start() < 0;                                                   \
        if (failed_)                                                                               \
            print_error("the forkserver did not start: no test ran\n");                            \
        if (!failed_) {                                                                            \
            harness_start = SL_START_FORKSERVER;                                                   \
            failed_ |= cmocka_run_group_tests(tests, setup, teardown);                             \
            harness_start = SL_START_SPAWN;                                                        \
            failed_ |= cmocka_run_group_tests(tests, setup, teardown);                             \
        }                                                                                          \
        failed_;                                                                                   \
    })

/* The context the engine builds for `sc` before the rings exist: the
 * scenario's workers and GIL interval, the latency server's port (0 when
 * none runs), its runtime (GIL on unless it says off) and offload, and
 * harness_start. Tests override what they vary. */
static inline sl_run_ctx harness_ctx(const sl_scenario *sc, atomic_int *stop, sl_run_result *res)
{
    return (sl_run_ctx){
        .sc = sc,
        .workers = sc->workers,
        .gil_interval_ns = sc->gil_interval_ns,
        .gil = sc->gil,
        .offload = sc->offload,
        .net_port = harness_server != NULL ? sl_net_server_port(harness_server) : 0,
        .stop = stop,
        .result = res,
        .start = harness_start,
    };
}

/* Sets ctx->epoch_ns and ctx->rings: `n_rings` of `ring_capacity` events
 * (0: what the engine makes, rings_needed + 2), with the blob `st` asks
 * for. Claims the runner's and the sampler's ring (unused here), starts a
 * trace for `st` and its collector, and binds this thread as the runner. */
static inline sl_collector *harness_wire(const sl_strategy *st, sl_run_ctx *ctx, uint32_t n_rings,
                                         uint32_t ring_capacity, sl_trace **trace)
{
    if (n_rings == 0)
        n_rings = st->rings_needed(ctx) + 2;
    size_t blob = st->blob_needed ? st->blob_needed(ctx) : 0;
    ctx->epoch_ns = sl_clock_ns();
    assert_int_equal(sl_rings_create(&ctx->rings, n_rings, ring_capacity, ctx->epoch_ns, blob), 0);
    sl_ring *runner = sl_rings_claim(ctx->rings);
    assert_non_null(runner);
    assert_non_null(sl_rings_claim(ctx->rings)); /* the sampler's */

    sl_trace_meta meta = {.n_tasks = ctx->sc->n_tasks};
    snprintf(meta.strategy, sizeof(meta.strategy), "%s", st->name);
    assert_int_equal(sl_trace_new(trace, &meta, NULL), 0);
    sl_collector *col;
    assert_int_equal(sl_collector_start(&col, ctx->rings, *trace, 1000), 0);
    sl_hook_bind(runner, (uint32_t)getpid(), ctx->epoch_ns);
    return col;
}

/* Undoes harness_wire but for the rings: the trace then holds every event,
 * none dropped. */
static inline void harness_unwire(sl_collector *col, const sl_trace *trace)
{
    sl_hook_unbind();
    assert_int_equal(sl_collector_stop(col), 0);
    assert_int_equal(trace->dropped, 0);
}

typedef struct harness_stopper {
    atomic_int *stop;
    uint64_t after_ns;
} harness_stopper;

static inline void *harness_stop_later(void *arg)
{
    harness_stopper *s = arg;
    harness_sleep_ns(s->after_ns);
    atomic_store(s->stop, 1);
    return NULL;
}

/* Runs `st` under `ctx` (out->sc parsed, ctx from harness_ctx) wired as
 * harness_wire does, timing st->run; stop_after_ns > 0 raises the stop flag
 * from another thread after that long. Leaves ctx->rings destroyed. */
static inline void harness_run(const sl_strategy *st, sl_run_ctx *ctx, uint32_t n_rings,
                               uint32_t ring_capacity, uint64_t stop_after_ns, run_out *out)
{
    sl_collector *col = harness_wire(st, ctx, n_rings, ring_capacity, &out->trace);
    pthread_t stopper_thread;
    harness_stopper s = {.stop = ctx->stop, .after_ns = stop_after_ns};
    if (stop_after_ns > 0)
        assert_int_equal(pthread_create(&stopper_thread, NULL, harness_stop_later, &s), 0);
    uint64_t t0 = sl_clock_ns();
    out->status = st->run(ctx);
    out->wall_ns = sl_clock_ns() - t0;
    if (stop_after_ns > 0)
        pthread_join(stopper_thread, NULL);
    harness_unwire(col, out->trace);
    sl_rings_destroy(ctx->rings);
}

static inline void harness_free(run_out *out)
{
    sl_trace_free(out->trace);
    sl_scenario_free(out->sc);
}

/* The pids a /proc children file lists, as its text ("" when none). */
static inline void harness_read_children(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f != NULL ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f != NULL)
        fclose(f);
}

/* No child of this process is left, reaped or not, but the forkserver when
 * one runs: and it has no child left either. */
static inline void harness_assert_no_children(void)
{
    pid_t fs = sl_forkserver_pid();
    errno = 0;
    if (fs == 0) {
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
        return;
    }
    /* nothing ended unreaped, and the one live child is the server */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), 0);
    char path[96], buf[256], want[32];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    harness_read_children(path, buf, sizeof(buf));
    snprintf(want, sizeof(want), "%d ", (int)fs);
    assert_string_equal(buf, want);
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)fs, (int)fs);
    harness_read_children(path, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

#endif
