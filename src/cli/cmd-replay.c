/*
 * cmd-replay.c - `schedlab replay TRACE`: a saved run in the live views.
 *
 * The trace is loaded before the screen is taken, so a missing, truncated
 * or corrupt file is reported plainly (exit 2). With --demo and -o the
 * replay is recorded headless instead: the playhead is virtual, so the cast
 * is the same, byte for byte, every time.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/cli.h"
#include "cli/cmd-record.h"
#include "cli/config.h"
#include "schedlab/error.h"
#include "schedlab/control.h"

int sl_cmd_replay_help(void)
{
    printf("usage: schedlab replay TRACE [--demo DEMO] [--record OUT.cast] [--mono] [--ascii]\n"
           "                     [--no-mouse|--mouse] [--theme NAME] [--pace P]\n"
           "                     [--cast-format v2|v3]\n"
           "       schedlab replay TRACE --demo DEMO -o OUT.cast [--size COLSxROWS] [--fps N]\n"
           "                             [--idle-limit S] [--cast-format v2|v3]\n\n"
           "Opens a trace saved with `schedlab run --trace FILE` in the live views and\n"
           "plays it from the start: Space pauses, arrows step event by event, +/-\n"
           "change the speed, Home/End jump, ? lists every key. --demo plays a demo\n"
           "script on it, --record tees the terminal into an asciicast file. With -o\n"
           "the demo is recorded headless (no terminal) into OUT.cast, the same bytes\n"
           "every time (see `schedlab record --help` for the demo language).\n"
           "--cast-format v3 writes asciicast v3 (asciinema 3.0) with a marker at each\n"
           "`say` and predict question; v2, the default, plays in asciinema 2.x.\n\n"
           "exit: 0 quit, 2 bad usage or unreadable trace, 3 internal error,\n"
           "130 interrupted\n");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_replay(int argc, char **argv)
{
    sl_ui_opts o = {0};
    sl_record_opts r = {0};
    const char *path = NULL, *demo_name = NULL, *record = NULL;
    static sl_config cfg;
    sl__config_startup(&cfg);
    for (int i = 1; i < argc; i++) {
        /* The trace ran under one strategy: choosing another means nothing,
         * and is refused like any option that does not apply. */
        if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--strategy") == 0) {
            fprintf(stderr,
                    "schedlab replay: %s does not apply: a trace replays the strategy it "
                    "recorded, see `schedlab replay --help`\n",
                    argv[i]);
            return SL_EXIT_USAGE;
        }
        int taken = sl__config_flag(&cfg, "replay", argc, argv, &i);
        if (taken == 0)
            taken = sl__record_option("replay", argc, argv, &i, &r);
        if (taken < 0)
            return SL_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(argv[i], "--demo") == 0 && i + 1 < argc)
            demo_name = argv[++i];
        else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc)
            record = argv[++i];
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
    sl__config_apply(&cfg, &o);
    if (r.out && !demo_name) {
        fprintf(stderr, "schedlab replay: -o records a demo: add --demo DEMO\n");
        return SL_EXIT_USAGE;
    }
    sl_demo *demo = NULL;
    if (demo_name) {
        int drc = sl__record_demo("replay", demo_name, &demo);
        if (drc != SL_EXIT_SUCCESS)
            return drc;
    }
    char why[256] = "";
    int rc = sl_trace_load(path, &o.trace, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", path, why[0] ? why : sl_strerror(rc));
        sl_demo_free(demo);
        return SL_EXIT_USAGE;
    }
    if (r.out) {
        r.demo = demo;
        rc = sl__record_run("replay", &o, &r);
        sl_demo_free(demo);
        return rc;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        sl_trace_free(o.trace);
        sl_demo_free(demo);
        fprintf(stderr, "schedlab replay: needs a terminal\n");
        return SL_EXIT_USAGE;
    }
    rc = sl_ui_live(&o, demo, record, r.cast_version, why, sizeof why);
    sl_demo_free(demo);
    if (rc == 0)
        return SL_EXIT_SUCCESS;
    if (rc == SL_EINTR)
        return SL_EXIT_INTERRUPTED;
    fprintf(stderr, "schedlab: %s\n", why[0] ? why : sl_strerror(rc));
    return SL_EXIT_INTERNAL;
}
