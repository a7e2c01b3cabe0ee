/*
 * strategy-list.c - the -s argument shared by `run` and `tui`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/strategy-list.h"

int sl__strategy_list_parse(const char *spec, const sl_strategy **out, int max)
{
    int n = 0;
    if (spec == NULL || strcmp(spec, "all") == 0) {
        for (int i = 0; sl_strategies[i] != NULL && n < max; i++)
            out[n++] = sl_strategies[i];
        return n;
    }
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        const sl_strategy *st = sl_strategy_find(tok);
        if (st == NULL) {
            fprintf(stderr, "schedlab: unknown strategy '%s'; one of:", tok);
            for (int i = 0; sl_strategies[i] != NULL; i++)
                fprintf(stderr, " %s", sl_strategies[i]->name);
            fprintf(stderr, ", all\n");
            return -1;
        }
        if (n < max)
            out[n++] = st;
    }
    if (n == 0) {
        fprintf(stderr, "schedlab: no strategy given\n");
        return -1;
    }
    return n;
}
