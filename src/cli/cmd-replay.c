/*
 * cmd-replay.c - `schedlab replay TRACE`: a saved run in the live views.
 *
 * The trace is loaded before the screen is taken, so a missing, truncated
 * or corrupt file is reported plainly (exit 2).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "schedlab/error.h"
#include "ui/ui.h"

int sl_cmd_replay_help(void)
{
    printf("usage: schedlab replay TRACE [--mono] [--ascii]\n\n"
           "Opens a trace saved with `schedlab run --trace FILE` in the live views and\n"
           "plays it from the start: Space pauses, arrows step event by event, +/-\n"
           "change the speed, Home/End jump, ? lists every key.\n\n"
           "exit: 0 quit, 2 bad usage or unreadable trace, 3 internal error,\n"
           "130 interrupted\n");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_replay(int argc, char **argv)
{
    sl_ui_opts o = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mono") == 0)
            o.mono = true;
        else if (strcmp(argv[i], "--ascii") == 0)
            o.ascii = true;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "schedlab replay: unexpected '%s', see `schedlab replay --help`\n",
                    argv[i]);
            return SL_EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "schedlab replay: expected one TRACE, see `schedlab replay --help`\n");
        return SL_EXIT_USAGE;
    }
    char why[256] = "";
    int rc = sl_trace_load(path, &o.trace, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", path, why[0] ? why : sl_strerror(rc));
        return SL_EXIT_USAGE;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        sl_trace_free(o.trace);
        fprintf(stderr, "schedlab replay: needs a terminal\n");
        return SL_EXIT_USAGE;
    }
    rc = sl_ui_main(&o, why, sizeof why);
    if (rc == 0)
        return SL_EXIT_SUCCESS;
    if (rc == SL_EINTR)
        return SL_EXIT_INTERRUPTED;
    fprintf(stderr, "schedlab: %s\n", why[0] ? why : sl_strerror(rc));
    return SL_EXIT_INTERNAL;
}
