/*
 * cli.c - the command table and dispatch.
 *
 * `schedlab` alone opens the TUI on the default lesson; `schedlab CMD …`
 * runs a command from the table below; `__worker` is the hidden entry of
 * worker processes spawned by the process strategies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/cli.h"
#include "schedlab/proc.h"

static int worker_main(int argc, char **argv)
{
    return sl_worker_main(argc, argv);
}

static const sl_command commands[] = {
    {.name = "tui",
     .args = "[SCENARIO] [-s STRATEGY] [-w N] [--tasks N] [--demo DEMO] [--record OUT.cast] "
             "[--cast-format v2|v3] [--mono] [--ascii] [--no-mouse]",
     .summary = "animate a lesson live in the terminal (the default)",
     .main = sl_cmd_tui,
     .help = sl_cmd_tui_help},
    {.name = "run",
     .args = "SCENARIO [-s STRATEGY[,...]|all] [--workers N] [--format table|json|csv] "
             "[--trace FILE]",
     .summary = "run a scenario under strategies, one after another, and compare",
     .main = sl_cmd_run,
     .help = sl_cmd_run_help},
    {.name = "replay",
     .args = "TRACE [--demo DEMO [-o OUT.cast]] [--record OUT.cast] [--cast-format v2|v3]",
     .summary = "open a saved trace in the TUI",
     .main = sl_cmd_replay,
     .help = sl_cmd_replay_help},
    {.name = "record",
     .args = "[SCENARIO] [--demo DEMO] -o OUT.cast [--size COLSxROWS] [--fps N] "
             "[--idle-limit S] [--cast-format v2|v3] [--html OUT.html]",
     .summary = "play a demo headless and write it as an asciicast file",
     .main = sl_cmd_record,
     .help = sl_cmd_record_help},
    {.name = "export",
     .args = "TRACE [--perfetto OUT.json] [--svg OUT.svg] [--csv OUT.csv] [--html OUT.html] "
             "[--ticks [--tick MS] [--tasks A-B] [-o FILE]]",
     .summary = "turn a saved trace into Perfetto JSON, an SVG, a tick table, CSV or a web page",
     .main = sl_cmd_export,
     .help = sl_cmd_export_help},
    {.name = "check",
     .args = "SCENARIO",
     .summary = "validate a scenario without running it and summarise it",
     .main = sl_cmd_check,
     .help = sl_cmd_check_help},
    {.name = "serve",
     .args = "[--port N]",
     .summary = "run the loopback latency server alone (for the CPython side by side)",
     .main = sl_cmd_serve,
     .help = sl_cmd_serve_help},
    {.name = "list",
     .args = "",
     .summary = "list the lessons and the strategies",
     .main = sl_cmd_list,
     .help = sl_cmd_list_help},
    {.name = "config",
     .args = "[--print] [SCENARIO] [-s STRATEGY] [--theme NAME] [--pace P] [--mono] "
             "[--no-mouse|--mouse]",
     .summary = "show the settings from the config file, environment and options",
     .main = sl_cmd_config,
     .help = sl_cmd_config_help},
    {.name = "bench",
     .args = "[--json]",
     .summary = "measure hooks, switches, creation costs and the collector",
     .main = sl_cmd_bench,
     .help = sl_cmd_bench_help},
    {.name = "__worker", .main = worker_main, .hidden = 1},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int sl_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
        if (strcmp(argv[i], "--") == 0)
            break;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: schedlab [COMMAND] [ARGS]\n\n"
                 "Runs the same tasks under sequential code, threads, processes, coroutines\n"
                 "and a GIL, and shows what each scheduler does. Without a command, opens\n"
                 "the live view on the io-download lesson.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!commands[i].hidden)
            fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`schedlab COMMAND --help` describes a command; `schedlab --version`.\n"
                 "exit codes: 0 ok, 1 the run failed, 2 bad usage or input, 3 internal error,\n"
                 "130 interrupted.\n");
}

bool sl_cli_runs_tasks(int argc, char **argv)
{
    if (argc < 2)
        return true;
    const char *cmd = argv[1];
    static const char *const running[] = {"tui", "run", "record", "replay", "bench"};
    for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
        if (strcmp(cmd, running[i]) == 0)
            return !sl_cli_wants_help(argc - 1, argv + 1);
    /* options without a command open the TUI */
    return cmd[0] == '-' && strcmp(cmd, "--version") != 0 && strcmp(cmd, "-V") != 0 &&
           strcmp(cmd, "--help") != 0 && strcmp(cmd, "-h") != 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return sl_cmd_tui(1, (char *[]){"tui", NULL});
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("schedlab %s\n", SCHEDLAB_VERSION);
        return SL_EXIT_SUCCESS;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return SL_EXIT_SUCCESS;
    }
    if (cmd[0] == '-') {
        /* Options without a command belong to the default command, the TUI. */
        argv[0] = "tui";
        return sl_cmd_tui(argc, argv);
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, cmd) != 0)
            continue;
        if (commands[i].help != NULL && sl_cli_wants_help(argc - 1, argv + 1))
            return commands[i].help();
        return commands[i].main(argc - 1, argv + 1);
    }
    fprintf(stderr, "schedlab: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return SL_EXIT_USAGE;
}

/* A report cut short (stdout on a full disk or /dev/full) is a failed
 * command: the exit code says so and stderr names the cause. */
int sl_cli_main(int argc, char **argv)
{
    int code = dispatch(argc, argv);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "schedlab: cannot write standard output: %s\n",
                errno != 0 ? strerror(errno) : "a write failed");
        if (code == SL_EXIT_SUCCESS)
            code = SL_EXIT_RUN_FAILED;
    }
    return code;
}
