/*
 * cmd-list.c - `schedlab list`: the lessons and the strategies.
 */
#include <stdio.h>
#include <stdlib.h>

#include "schedlab/cli.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"

int sl_cmd_list_help(void)
{
    printf("usage: schedlab list\n\nLists the shipped lessons (with their titles) and the\n"
           "strategies (with what each does and its Python analogue).\n");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_list(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "schedlab list: takes no arguments\n");
        return SL_EXIT_USAGE;
    }
    char **names = NULL;
    int n = sl_scenario_list(&names);
    printf("lessons:\n");
    for (int i = 0; i < n; i++) {
        char path[4096];
        sl_scenario *sc = NULL;
        sl_diag diag;
        if (sl_scenario_resolve(names[i], path, sizeof(path)) == 0 &&
            sl_scenario_load(path, &sc, &diag) == 0) {
            printf("  %-20s %s (%u tasks)\n", names[i], sc->title, sc->n_tasks);
            sl_scenario_free(sc);
        } else {
            printf("  %-20s (invalid: run `schedlab check %s`)\n", names[i], names[i]);
        }
        free(names[i]);
    }
    free(names);
    if (n <= 0)
        printf("  (none found: run from the source tree or install with cmake --install)\n");
    printf("\nstrategies:\n");
    for (int i = 0; sl_strategies[i] != NULL; i++)
        printf("  %-17s %s\n  %-17s python: %s\n", sl_strategies[i]->name,
               sl_strategies[i]->summary, "", sl_strategies[i]->python);
    return SL_EXIT_SUCCESS;
}
