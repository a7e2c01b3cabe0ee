/*
 * cli.h - schedlab's subcommands: one file each, one table in cli.c.
 *
 * Every command takes (argc, argv) with argv[0] = the command name and
 * returns the process exit code:
 *   0 success, 1 the run itself failed (tasks failed, a limit stopped it),
 *   2 usage error or bad input (scenario, trace file), 3 internal error,
 *   130 interrupted by SIGINT/SIGTERM (partial results printed).
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <stdbool.h>

enum {
    SL_EXIT_SUCCESS = 0,
    SL_EXIT_RUN_FAILED = 1,
    SL_EXIT_USAGE = 2,
    SL_EXIT_INTERNAL = 3,
    SL_EXIT_INTERRUPTED = 130,
};

typedef struct sl_command {
    const char *name;    /* "run" */
    const char *args;    /* synopsis after the name: "SCENARIO [-s STRATEGY[,…]|all] …" */
    const char *summary; /* one line for `schedlab --help` */
    int (*main)(int argc, char **argv);
    int (*help)(void); /* prints the command's --help */
    int hidden;        /* not listed (worker mode) */
} sl_command;

/* Dispatches argv to a command; no arguments opens the TUI. */
int sl_cli_main(int argc, char **argv);
/* Whether the command line may run tasks (and so start worker processes):
 * then main() starts the forkserver before anything else. */
bool sl_cli_runs_tasks(int argc, char **argv);

int sl_cmd_run(int argc, char **argv);
int sl_cmd_check(int argc, char **argv);
int sl_cmd_serve(int argc, char **argv);
int sl_cmd_list(int argc, char **argv);
int sl_cmd_bench(int argc, char **argv);
int sl_cmd_tui(int argc, char **argv);
int sl_cmd_replay(int argc, char **argv);
int sl_cmd_export(int argc, char **argv);
int sl_cmd_record(int argc, char **argv);
int sl_cmd_config(int argc, char **argv);

int sl_cmd_run_help(void);
int sl_cmd_check_help(void);
int sl_cmd_serve_help(void);
int sl_cmd_list_help(void);
int sl_cmd_bench_help(void);
int sl_cmd_tui_help(void);
int sl_cmd_replay_help(void);
int sl_cmd_export_help(void);
int sl_cmd_record_help(void);
int sl_cmd_config_help(void);

/* True when argv holds -h or --help (commands check this first). */
int sl_cli_wants_help(int argc, char **argv);

#endif
