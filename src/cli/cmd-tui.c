/*
 * cmd-tui.c - `schedlab tui [SCENARIO] [-s STRATEGY]`: the live view.
 *
 * Loads the lesson (and a demo to play, if any) here, so that a bad name or
 * file is reported on the plain terminal with the usual exit code before
 * the screen is taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/cli.h"
#include "cli/cmd-record.h"
#include "cli/config.h"
#include "schedlab/error.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"
#include "schedlab/control.h"

int sl_cmd_tui_help(void)
{
    printf("usage: schedlab tui [SCENARIO] [-s STRATEGY] [-w N] [--tasks N] [--demo DEMO]\n"
           "                    [--record OUT.cast [--cast-format v2|v3]] [--theme NAME]\n"
           "                    [--pace P] [--mono] [--ascii] [--no-mouse|--mouse]\n\n"
           "Runs SCENARIO (a lesson name or an .ini path; default io-download, or the\n"
           "configured lesson: see `schedlab config --help`) and animates\n"
           "it live: every task's state over time, the running / ready / waiting /\n"
           "queued lists, the cores and the switch counters. Number keys and Tab pick\n"
           "another strategy, c compares them all on one clock, p predicts the next\n"
           "dispatch, ? lists every key.\n\n"
           "  -s, --strategy NAME  strategy of the first run (see `schedlab list`)\n"
           "  -w, --workers N      pool size for pool strategies\n"
           "  --tasks N            run N tasks instead of the lesson's count\n"
           "  --demo DEMO          play a demo script (a file or a lesson name): lecturer\n"
           "                       mode; its `pause` lines wait for any key\n"
           "  --record OUT.cast    also write what the terminal shows to an asciicast\n"
           "                       file (16 colours, with resizes)\n"
           "  --cast-format v2|v3  asciicast v2 (default; asciinema 2.x) or v3 (asciinema\n"
           "                       3.0), which marks each `say` and predict question\n"
           "  --theme NAME         default, projector (bright, bold, nothing dim) or mono\n"
           "  --pace P             lecture pace: each run plays back over P (1s..600s),\n"
           "                       off (real speed) or lesson (the lesson's own)\n"
           "  --mono               no colours (also when NO_COLOR is set)\n"
           "  --ascii              ASCII glyphs (also under a non-UTF-8 locale)\n"
           "  --no-mouse           leave the mouse to the terminal; by default a click\n"
           "                       runs a strategy or selects a task, the wheel zooms\n"
           "  --mouse              the mouse, where the config file turned it off\n\n"
           "exit: 0 quit, 2 bad usage or lesson, 3 internal error, 130 interrupted\n");
    return SL_EXIT_SUCCESS;
}

static int finish(int rc, const char *why)
{
    if (rc == 0)
        return SL_EXIT_SUCCESS;
    if (rc == SL_EINTR)
        return SL_EXIT_INTERRUPTED;
    fprintf(stderr, "schedlab: %s\n", why[0] ? why : sl_strerror(rc));
    return rc == SL_ENOTSUP ? SL_EXIT_USAGE : SL_EXIT_INTERNAL;
}

int sl_cmd_tui(int argc, char **argv)
{
    sl_ui_opts o = {0};
    const char *lesson = NULL, *demo_name = NULL, *record = NULL;
    unsigned long tasks = 0;
    int cast_version = 2;
    /* Preferences first; options override them. */
    static sl_config cfg;
    sl__config_startup(&cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = sl__config_flag(&cfg, "tui", argc, argv, &i);
        if (taken == 0)
            taken = sl__record_view_option("tui", argc, argv, &i, &o);
        if (taken == 0)
            taken = sl__cast_format_option("tui", argc, argv, &i, &cast_version);
        if (taken < 0)
            return SL_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--tasks") == 0 && i + 1 < argc) {
            char *end;
            tasks = strtoul(argv[++i], &end, 10);
            if (*end || tasks < 1 || tasks > SL_SCENARIO_MAX_TASKS) {
                fprintf(stderr, "schedlab tui: --tasks takes a number from 1 to %u\n",
                        SL_SCENARIO_MAX_TASKS);
                return SL_EXIT_USAGE;
            }
        } else if (strcmp(a, "--demo") == 0 && i + 1 < argc) {
            demo_name = argv[++i];
        } else if (strcmp(a, "--record") == 0 && i + 1 < argc) {
            record = argv[++i];
        } else if (a[0] == '-' || lesson) {
            fprintf(stderr, "schedlab tui: unexpected '%s', see `schedlab tui --help`\n", a);
            return SL_EXIT_USAGE;
        } else {
            lesson = a;
        }
    }
    /* -s beats a demo's first strategy, which beats the configured one. */
    if (cfg.origin[SL_CFG_STRATEGY].source == SL_CFG_FROM_FLAG)
        o.strategy = cfg.strategy;
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        fprintf(stderr, "schedlab tui: needs a terminal; `schedlab run` prints results as text\n");
        return SL_EXIT_USAGE;
    }
    sl_demo *demo = NULL;
    if (demo_name) {
        int rc = sl__record_demo("tui", demo_name, &demo);
        if (rc != SL_EXIT_SUCCESS)
            return rc;
        if (!lesson)
            lesson = sl_demo_first(demo, SL_DEMO_LESSON);
        if (!o.strategy)
            o.strategy = sl_demo_first(demo, SL_DEMO_STRATEGY);
    }
    if (!lesson)
        lesson = cfg.lesson;
    sl__config_apply(&cfg, &o);
    int rc = sl__record_lesson(lesson, &o.scenario);
    if (rc == SL_EXIT_SUCCESS && tasks &&
        sl_scenario_set_task_count(o.scenario, (uint32_t)tasks) < 0) {
        fprintf(stderr, "schedlab tui: cannot make %lu tasks of '%s'\n", tasks, lesson);
        rc = SL_EXIT_USAGE;
    }
    if (rc != SL_EXIT_SUCCESS) {
        sl_demo_free(demo);
        return rc;
    }
    char why[256] = "";
    rc = finish(sl_ui_live(&o, demo, record, cast_version, why, sizeof why), why);
    sl_demo_free(demo);
    return rc;
}
