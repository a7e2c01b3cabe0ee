/*
 * main.c - command dispatch only: `schedlab <command> [args]`.
 */
#include "schedlab/proc.h"
#include "schedlab/cli.h"
#include "schedlab/strategy.h"

int main(int argc, char **argv)
{
    /* The forkserver must be forked while this process has one thread: here,
     * before the latency server, the collector or the UI start theirs. If it
     * cannot start, runs that need it say so and --start spawn still works. */
    if (sl_cli_runs_tasks(argc, argv))
        sl_forkserver_start();
    return sl_cli_main(argc, argv);
}
