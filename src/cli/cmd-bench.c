/*
 * cmd-bench.c - `schedlab bench`: what each mechanism costs, in one run.
 *
 * The numbers are compared with each other (a coroutine switch against a
 * thread switch) within one invocation, never with another machine's: these
 * machines are noisy. Targets are printed beside them; missing one is a
 * finding, not a failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench-probes.h"
#include "schedlab/cli.h"
#include "schedlab/coro.h"
#include "schedlab/work.h"
#include "schedlab/steal.h"
#include "schedlab/control.h"

typedef struct bench_row {
    const char *key;    /* JSON key */
    const char *label;  /* table label */
    const char *unit;   /* "ns", "us", "events/s" */
    const char *target; /* "<= 10" or "" */
    double value;
} bench_row;

/* A ratio needs its second decimal to be compared with its target. */
static int digits(const bench_row *r)
{
    return strcmp(r->unit, "x") == 0 ? 2 : 1;
}

int sl_cmd_bench_help(void)
{
    printf("usage: schedlab bench [--json]\n\n"
           "Measures on this machine, in one run: the cost of a hook (against an empty\n"
           "loop), a clock read, a read of the CPU's cycle counter (the floor under any\n"
           "timestamp) and the hook's ratio to it, a coroutine, thread and process\n"
           "switch, coroutine, thread and process creation, the collector's throughput\n"
           "(4 interleaved rings and one ring, in CPU time), the span fold, the time\n"
           "to draw one full TUI frame (120x40, 20 tasks, 10,000 events), and for a\n"
           "finished 1,000,000-coroutine run its first frame and a playback frame.\n"
           "Short probes keep the fastest of 15 rounds; compare ratios within one run.\n\n"
           "  --json   one JSON object instead of the table\n");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_bench(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "schedlab bench: unknown argument '%s'\n", argv[i]);
            return SL_EXIT_USAGE;
        }
    }
    double empty = sl__bench_empty_loop_ns();
    double frame_us = -1;
    sl_ui_bench_frame(120, 40, 20, 10000, &frame_us);
    /* A million-coroutine run writes about 300,000 events a second: 10,000
     * a frame at 30 frames a second. */
    double first_1m_ms = -1, seek_1m_ms = -1, frame_1m_us = -1;
    if (sl_ui_bench_playback(120, 40, 1000000, 10000, &first_1m_ms, &seek_1m_ms, &frame_1m_us) < 0)
        first_1m_ms = seek_1m_ms = frame_1m_us = -1;
    double hook = -1, counter = -1;
    if (sl__bench_hook(empty, &hook, &counter) < 0)
        hook = counter = -1;
    bench_row rows[] = {
        {"hook_ns", "hook (per event, minus empty loop)", "ns", "<= 10", hook},
        {"clock_ns", "clock read", "ns", "", sl__bench_clock_ns()},
        {"counter_read_ns", "cycle counter read (floor of a timestamp)", "ns", "", counter},
        {"hook_to_counter_ratio", "hook / counter read (same rounds)", "x", "<= 1.3",
         hook > 0 && counter > 0 ? hook / counter : -1},
        {"coroutine_switch_ns", "coroutine switch", "ns", "<= 10", sl__bench_coroutine_switch_ns()},
        {"thread_switch_ns", "thread switch (pipe ping-pong, 1 cpu)", "ns", "",
         sl__bench_thread_switch_ns()},
        {"process_switch_ns", "process switch (pipe ping-pong, 1 cpu)", "ns", "",
         sl__bench_process_switch_ns()},
        {"coroutine_create_ns", "coroutine creation (pooled stack)", "ns", "<= 100",
         sl__bench_coroutine_create_ns()},
        {"thread_create_ns", "thread creation + join", "ns", "", sl__bench_thread_create_ns()},
        {"steal_ns", "work-stealing steal (64 of 128 queued tasks)", "ns", "",
         sl__bench_steal_ns()},
        {"steal_wake_ns", "work-stealing cross-worker wake-up", "ns", "",
         sl_steal_bench_wake_ns(2000)},
        {"process_create_forkserver_ns", "process creation (forkserver: clone, exit, reap)", "ns",
         "<= 1000000", sl__bench_process_create_ns(SL_START_FORKSERVER)},
        {"process_create_spawn_ns", "process creation (spawn schedlab: exec, exit, reap)", "ns", "",
         sl__bench_process_create_ns(SL_START_SPAWN)},
        {"collector_events_per_s", "collector throughput, 4 interleaved rings", "events/s",
         ">= 20000000", sl__bench_collector_events_per_s(4)},
        {"collector_single_ring_events_per_s", "collector throughput, one ring", "events/s",
         ">= 50000000", sl__bench_collector_events_per_s(1)},
        {"fold_events_per_s", "span fold, 1,000 tasks", "events/s", "",
         sl__bench_fold_events_per_s()},
        {"tui_frame_us", "TUI frame 120x40, 20 tasks, 10k events", "us", "", frame_us},
        {"tui_first_frame_1m_ms", "TUI first frame, 1M coroutines, 12M events", "ms", "<= 1000",
         first_1m_ms},
        {"tui_seek_1m_ms", "TUI jump from the end to the middle, 1M coroutines", "ms", "",
         seek_1m_ms},
        {"tui_frame_1m_us", "TUI playback frame, 1M coroutines, 30 fps", "us", "<= 333",
         frame_1m_us},
    };
    size_t n = sizeof(rows) / sizeof(rows[0]);
    if (json) {
        printf("{");
        for (size_t i = 0; i < n; i++)
            printf("%s\"%s\":%.*f", i ? "," : "", rows[i].key, digits(&rows[i]), rows[i].value);
        printf(",\"coroutine_backend\":\"%s\",\"cpu_iters_per_us\":%.1f}\n", sl_coro_backend(),
               sl_work_calibrate());
        return SL_EXIT_SUCCESS;
    }
    printf("%-42s %14s %-9s %s\n", "measure", "value", "unit", "target");
    for (size_t i = 0; i < n; i++) {
        if (rows[i].value < 0)
            printf("%-42s %14s %-9s %s\n", rows[i].label, "n/a", rows[i].unit, rows[i].target);
        else
            printf("%-42s %14.*f %-9s %s\n", rows[i].label, digits(&rows[i]), rows[i].value,
                   rows[i].unit, rows[i].target);
    }
    double co = rows[4].value, th = rows[5].value;
    if (co > 0 && th > 0)
        printf("\na thread switch costs %.0fx a coroutine switch (backend %s)\n", th / co,
               sl_coro_backend());
    return SL_EXIT_SUCCESS;
}
