/*
 * cmd-check.c - `schedlab check SCENARIO`: validate and summarise, run nothing.
 */
#include <stdio.h>

#include "schedlab/cli.h"
#include "schedlab/scenario.h"

int sl_cmd_check_help(void)
{
    printf("usage: schedlab check SCENARIO\n\n"
           "Validates SCENARIO (a lesson name or an .ini path) without running it and\n"
           "prints a summary: title, caption, groups, step programs, expected totals.\n"
           "An error names the file, the line and what is wrong.\n\n"
           "exit: 0 valid, 2 invalid or not found\n");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_check(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "schedlab check: expected one SCENARIO, see `schedlab check --help`\n");
        return SL_EXIT_USAGE;
    }
    char path[4096];
    if (sl_scenario_resolve(argv[1], path, sizeof(path)) < 0) {
        fprintf(stderr, "%s: no such file, and no lesson of that name (see `schedlab list`)\n",
                argv[1]);
        return SL_EXIT_USAGE;
    }
    sl_scenario *sc;
    sl_diag diag;
    if (sl_scenario_load(path, &sc, &diag) < 0) {
        char msg[600];
        sl_diag_format(&diag, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        return SL_EXIT_USAGE;
    }
    sl_scenario_summary(sc, stdout);
    sl_scenario_free(sc);
    return SL_EXIT_SUCCESS;
}
