/*
 * cmd-run.c - `schedlab run`: one scenario under strategies, in turn.
 *
 * Strategies run one after another, never two at once: they would steal
 * cores from each other and every number would be wrong. Each run's trace
 * is folded by the model into the statistics the report prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "schedlab/cli.h"
#include "cli/run-signals.h"
#include "cli/strategy-list.h"
#include "schedlab/export.h"
#include "schedlab/error.h"
#include "schedlab/engine.h"

int sl_cmd_run_help(void)
{
    printf("usage: schedlab run SCENARIO [options]\n\n"
           "Runs SCENARIO (a lesson name such as io-download, or an .ini path) under\n"
           "each strategy in turn and prints a comparison: wall and cpu time, speedup\n"
           "against sequential, cores used at once, ready latency, context switches,\n"
           "memory, events and dropped events, completed and failed tasks.\n\n"
           "options:\n"
           "  -s, --strategy LIST  comma-separated strategies, or `all` (default: the\n"
           "                       lesson's own list, else all); see `schedlab list`\n"
           "  -w, --workers N      pool size (default: the lesson's): threads of threadpool,\n"
           "                       processes of procpool and async+procs, executor\n"
           "                       threads of async+threads\n"
           "      --tasks N        run N tasks instead of the lesson's count\n"
           "      --gil on|off     the runtime (default: the lesson's, else on): on is\n"
           "                       CPython with its GIL, off free-threaded CPython or C;\n"
           "                       NAME:gil or NAME:nogil in the list sets it for one run\n"
           "      --offload cpu|io|all  what async+threads hands to its executor\n"
           "                       (default: the lesson's, else all)\n"
           "      --start METHOD   how worker processes start, as in multiprocessing:\n"
           "                       forkserver (default: forked from a server forked\n"
           "                       before any thread) or spawn (a fresh schedlab);\n"
           "                       plain fork is not offered: forking a multi-threaded\n"
           "                       process is unsafe\n"
           "  -f, --format FMT     table (default), json, csv, or verdict: the lessons'\n"
           "                       comparison (blocking calls, waits overlapped, cores,\n"
           "                       GIL interference, scalability) and a recommendation\n"
           "  -t, --trace FILE     save each run's events (several strategies: FILE gets\n"
           "                       -STRATEGY before its extension); open with `replay`\n"
           "  -h, --help           this text\n\n"
           "exit: 0 all tasks done, 1 a task failed or a limit stopped a run,\n"
           "      2 bad usage or scenario, 130 interrupted (partial results printed)\n");
    return SL_EXIT_SUCCESS;
}

/* FILE for one strategy, FILE with -STRATEGY before the extension for several. */
static void trace_path(char *buf, size_t size, const char *base, const char *strategy, int many)
{
    if (!many) {
        snprintf(buf, size, "%s", base);
        return;
    }
    const char *dot = strrchr(base, '.');
    const char *slash = strrchr(base, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        snprintf(buf, size, "%s-%s", base, strategy);
    else
        snprintf(buf, size, "%.*s-%s%s", (int)(dot - base), base, strategy, dot);
}

typedef struct run_opts {
    const char *scenario;
    const char *strategies;
    const char *trace;
    uint32_t workers;
    uint32_t tasks;
    uint32_t gil;     /* sl_gil */
    uint32_t offload; /* sl_offload */
    int format;
    sl_start_method start; /* SL_START_DEFAULT: the lesson's */
} run_opts;

static int parse_args(int argc, char **argv, run_opts *o)
{
    static const struct option longs[] = {
        {"strategy", required_argument, NULL, 's'},
        {"workers", required_argument, NULL, 'w'},
        {"format", required_argument, NULL, 'f'},
        {"trace", required_argument, NULL, 't'},
        {"tasks", required_argument, NULL, 'T'},
        {"gil", required_argument, NULL, 'G'},
        {"offload", required_argument, NULL, 'O'},
        {"start", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "s:w:f:t:", longs, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's':
            o->strategies = optarg;
            break;
        case 'w':
        case 'T': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end != '\0' || v == 0 || v > (c == 'w' ? 4096ul : 10000000ul)) {
                fprintf(stderr, "schedlab run: %s must be a number from 1 to %s, not '%s'\n",
                        c == 'w' ? "--workers" : "--tasks", c == 'w' ? "4096" : "10000000", optarg);
                return -1;
            }
            *(c == 'w' ? &o->workers : &o->tasks) = (uint32_t)v;
            break;
        }
        case 'f':
            o->format = sl_report_format_parse(optarg);
            if (o->format < 0) {
                fprintf(stderr, "schedlab run: unknown format '%s' (table, json, csv or verdict)\n",
                        optarg);
                return -1;
            }
            break;
        case 't':
            o->trace = optarg;
            break;
        case 'G':
            if (sl_gil_parse(optarg, &o->gil) < 0) {
                fprintf(stderr, "schedlab run: --gil must be on or off, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'S':
            o->start = sl_start_method_parse(optarg);
            if (o->start == SL_START_DEFAULT) {
                fprintf(stderr,
                        "schedlab run: unknown start method '%s' (forkserver or spawn; fork is "
                        "not offered: forking a multi-threaded process is unsafe)\n",
                        optarg);
                return -1;
            }
            break;
        case 'O':
            if (sl_offload_parse(optarg, &o->offload) < 0) {
                fprintf(stderr, "schedlab run: --offload must be cpu, io or all, not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        default:
            fprintf(stderr, "see `schedlab run --help`\n");
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "schedlab run: expected one SCENARIO, see `schedlab run --help`\n");
        return -1;
    }
    o->scenario = argv[optind];
    return 0;
}

static int load_scenario(const char *arg, uint32_t tasks, sl_scenario **sc)
{
    char path[4096];
    if (sl_scenario_resolve(arg, path, sizeof(path)) < 0) {
        fprintf(stderr,
                "schedlab: no scenario '%s' (not a file, not a lesson; see `schedlab list`)\n",
                arg);
        return -1;
    }
    sl_diag diag;
    if (sl_scenario_load(path, sc, &diag) < 0) {
        char msg[600];
        sl_diag_format(&diag, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        return -1;
    }
    if (tasks != 0 && sl_scenario_set_task_count(*sc, tasks) < 0) {
        fprintf(stderr, "schedlab: cannot make %u tasks of '%s'\n", tasks, arg);
        sl_scenario_free(*sc);
        return -1;
    }
    return 0;
}

/* Runs one strategy; fills `row`; returns the run's status. */
static int run_one(sl_engine *eng, const sl_scenario *sc, const sl_strategy *st, uint32_t gil,
                   const run_opts *o, int many, sl_report_row *row, const char **source)
{
    sl_run_opts ro = {.sc = sc,
                      .strategy = st,
                      .workers = o->workers,
                      .gil = gil != SL_GIL_DEFAULT ? gil : o->gil,
                      .offload = o->offload,
                      .start = o->start};
    sl_run *run;
    int err = sl_run_start(&run, eng, &ro);
    if (err < 0)
        return err;
    sl_run_result res;
    err = sl__run_signals_wait(run, &res);
    sl_trace *trace = sl_run_take_trace(run);
    sl_run_free(run);
    sl_strategy_label(st, gil, row->strategy, sizeof(row->strategy));
    snprintf(row->error, sizeof(row->error), "%s", res.error);
    if (trace == NULL) {
        /* No trace, no task ran: the row still counts every task. */
        row->stats.tasks = row->stats.not_started = sc->n_tasks;
        return err < 0 ? err : SL_ENOMEM;
    }
    row->workers = trace->meta.workers;
    row->gil = trace->meta.gil;
    row->gil_scope = st->gil;
    row->blocking_calls = !st->event_loop_io;
    row->create_ns = res.n_vehicles ? res.vehicle_create_ns / res.n_vehicles : 0;
    row->n_counters = res.n_counters < 8 ? res.n_counters : 8;
    for (uint32_t c = 0; c < row->n_counters; c++) {
        snprintf(row->counter_names[c], sizeof(row->counter_names[c]), "%s", res.counter_names[c]);
        row->counter_expected[c] = res.counter_expected[c];
        row->counter_actual[c] = res.counter_actual[c];
        row->counter_shared[c] = res.counter_shared[c];
        row->counter_copies[c] = res.counter_copies[c];
    }
    sl_stats_compute(trace, &row->stats);
    static char src[32];
    snprintf(src, sizeof(src), "%s", trace->os.switch_source);
    *source = src;
    for (uint32_t i = 0; i < res.n_failures && i < 8; i++)
        fprintf(stderr, "schedlab: %s: %s\n", st->name, res.failures[i]);
    if (o->trace != NULL) {
        char path[4096];
        trace_path(path, sizeof(path), o->trace, row->strategy, many);
        char why[600];
        int serr = sl_trace_save(trace, path, why, sizeof why);
        if (serr < 0) {
            fprintf(stderr, "schedlab: the trace was not saved: %s\n",
                    why[0] ? why : sl_strerror(serr));
            if (err == 0)
                err = serr;
        }
    }
    sl_trace_free(trace);
    return err;
}

/* Descriptors kept for everything but connections: the engine's rings,
 * sampler files, pipes, the terminal. */
#define FD_BASE 64u

/* Says before the run, with the value that would do, when RLIMIT_NOFILE
 * (as the engine left it: raised to the hard limit where it could) cannot
 * hold a connection for every task at once. A blocking transfer takes four
 * descriptors (the socket, the server's end in this process, curl's wake-up
 * pair) and the sampler keeps up to a quarter of the limit for its /proc
 * files, so 4/3 of (4 per task + FD_BASE) is what every strategy needs. */
static void check_nofile(const sl_scenario *sc)
{
    uint64_t io_tasks = 0;
    for (uint32_t t = 0; t < sc->n_tasks; t++) {
        const sl_step *st = sl_task_steps(sc, t);
        for (uint32_t i = 0; i < sc->tasks[t].n_steps; i++) {
            if (st[i].kind == SL_STEP_IO || st[i].kind == SL_STEP_GET) {
                io_tasks++;
                break;
            }
        }
    }
    uint64_t need = (4 * io_tasks + FD_BASE) * 4 / 3;
    struct rlimit rl;
    if (io_tasks == 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= need)
        return;
    fprintf(stderr,
            "schedlab: RLIMIT_NOFILE is %llu, but %llu tasks may each hold a connection at "
            "once: tasks past the limit will fail; `ulimit -n %llu` would do\n",
            (unsigned long long)rl.rlim_cur, (unsigned long long)io_tasks,
            (unsigned long long)need);
}

int sl_cmd_run(int argc, char **argv)
{
    run_opts o;
    if (parse_args(argc, argv, &o) < 0)
        return SL_EXIT_USAGE;
    sl_scenario *sc;
    if (load_scenario(o.scenario, o.tasks, &sc) < 0)
        return SL_EXIT_USAGE;
    const sl_strategy *list[32];
    uint32_t gil[32];
    int n = sl__strategy_list_parse(o.strategies ? o.strategies : sc->strategies, list, gil, 32);
    if (n < 0) {
        sl_scenario_free(sc);
        return SL_EXIT_USAGE;
    }
    sl_engine *eng;
    int err = sl_engine_open(&eng);
    if (err < 0) {
        fprintf(stderr, "schedlab: cannot start the engine: %s\n", sl_strerror(err));
        sl_scenario_free(sc);
        return SL_EXIT_INTERNAL;
    }
    check_nofile(sc);
    sl__run_signals_install();
    sl_report_row *rows = calloc((size_t)n, sizeof(*rows));
    sl_report rep = {.scenario = sc->name,
                     .title = sc->title,
                     .cores = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN),
                     .iters_per_us = sl_engine_calibration(eng),
                     .switch_source = "rusage+schedstat",
                     .rows = rows};
    int code = SL_EXIT_SUCCESS;
    for (int i = 0; rows != NULL && i < n && !sl__run_signals_caught(); i++) {
        char label[40];
        sl_strategy_label(list[i], gil[i], label, sizeof(label));
        fprintf(stderr, "schedlab: %s under %s (%d/%d)...\n", sc->name, label, i + 1, n);
        err = run_one(eng, sc, list[i], gil[i], &o, n > 1, &rows[i], &rep.switch_source);
        rep.n_rows = (size_t)i + 1;
        if (err < 0 && err != SL_EINTR)
            code = SL_EXIT_RUN_FAILED;
        if (rows[i].stats.failed > 0 || rows[i].error[0] != '\0')
            code = SL_EXIT_RUN_FAILED;
    }
    if (sl__run_signals_caught()) {
        fprintf(stderr, "schedlab: interrupted; partial results follow\n");
        code = SL_EXIT_INTERRUPTED;
    }
    sl_report_write(&rep, o.format, stdout);
    free(rows);
    sl_engine_close(eng);
    sl_scenario_free(sc);
    return code;
}
