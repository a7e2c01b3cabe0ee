/*
 * cmd-config.c - `schedlab config --print`: the settings a command would
 * start with, and where each came from.
 *
 * It reads what `tui` reads (the file, then SCHEDLAB_*), then its own
 * options as `tui` would take them, so `schedlab config --print --theme
 * projector` shows exactly what `schedlab tui --theme projector` uses.
 */
#include <stdio.h>
#include <string.h>

#include "schedlab/cli.h"
#include "cli/config.h"

int sl_cmd_config_help(void)
{
    char path[PATH_MAX];
    bool have = sl__config_path(path, sizeof path);
    printf("usage: schedlab config [--print] [SCENARIO] [-s STRATEGY] [--theme NAME] [--pace P]\n"
           "                       [--mono] [--no-mouse|--mouse]\n\n"
           "Prints the settings `schedlab tui` and `schedlab record` start from, one a\n"
           "line, each with where it came from: default, file (with its line),\n"
           "environment or flag. Later sources win: the defaults, then the config file,\n"
           "then the SCHEDLAB_* variables, then the options given here.\n\n"
           "  --print              print the settings (what `config` does)\n"
           "  -s, --strategy NAME  the first strategy to run\n"
           "  --theme NAME         default, projector (bright, bold, nothing dim) or mono\n"
           "  --pace P             lecture pace: 1s..600s, off or lesson\n"
           "  --mono               the mono theme\n"
           "  --no-mouse, --mouse  leave the mouse to the terminal, or take it\n\n"
           "The file: %s\n"
           "  [view]      theme = default|projector|mono   mouse = on|off\n"
           "  [lecture]   pace = 20s|off|lesson\n"
           "  [start]     lesson = NAME   strategy = NAME\n"
           "  [keys]      j = Down   (typing j acts as Down; one remap a line)\n"
           "Variables: SCHEDLAB_THEME, SCHEDLAB_MOUSE, SCHEDLAB_PACE, SCHEDLAB_LESSON,\n"
           "SCHEDLAB_STRATEGY. A line of the file that cannot be read is reported as\n"
           "FILE:LINE and its setting keeps its default: schedlab starts all the same.\n\n"
           "exit: 0 printed, 2 bad usage\n",
           have ? path : "$XDG_CONFIG_HOME/schedlab/config.ini (neither it nor HOME is set)");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_config(int argc, char **argv)
{
    static sl_config cfg;
    sl__config_startup(&cfg);
    for (int i = 1; i < argc; i++) {
        int taken = sl__config_flag(&cfg, "config", argc, argv, &i);
        if (taken < 0)
            return SL_EXIT_USAGE;
        if (taken || strcmp(argv[i], "--print") == 0)
            continue;
        char why[300];
        if (argv[i][0] == '-' || sl__config_set(&cfg, SL_CFG_LESSON, argv[i], SL_CFG_FROM_FLAG,
                                                "SCENARIO", 0, why, sizeof why) < 0) {
            fprintf(stderr, "schedlab config: %s\n",
                    argv[i][0] == '-' ? "unexpected option, see `schedlab config --help`" : why);
            return SL_EXIT_USAGE;
        }
    }
    sl__config_print(&cfg, stdout);
    return SL_EXIT_SUCCESS;
}
