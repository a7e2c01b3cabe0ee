/*
 * strategy-list.c - the -s argument shared by `run` and `tui`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/strategy-list.h"

int sl__strategy_list_parse(const char *spec, const sl_strategy **out, uint32_t *gil, int max)
{
    int n = 0;
    if (spec == NULL || strcmp(spec, "all") == 0) {
        for (int i = 0; sl_strategies[i] != NULL && n < max; i++) {
            gil[n] = SL_GIL_DEFAULT;
            out[n++] = sl_strategies[i];
        }
        return n;
    }
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        uint32_t g;
        const sl_strategy *st = sl_strategy_parse(tok, strlen(tok), &g);
        if (st == NULL) {
            fprintf(stderr, "schedlab: unknown strategy '%s'; one of:", tok);
            for (int i = 0; sl_strategies[i] != NULL; i++)
                fprintf(stderr, " %s", sl_strategies[i]->name);
            fprintf(stderr, ", all (NAME:gil or NAME:nogil sets the GIL for one run)\n");
            return -1;
        }
        if (n < max) {
            gil[n] = g;
            out[n++] = st;
        }
    }
    if (n == 0) {
        fprintf(stderr, "schedlab: no strategy given\n");
        return -1;
    }
    return n;
}
