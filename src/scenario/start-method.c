/*
 * start-method.c - the names of the start methods of worker processes
 * (`[run] start`, `--start`): forkserver and spawn, as in multiprocessing.
 */
#include <string.h>

#include "schedlab/scenario.h"

const char *sl_start_method_name(sl_start_method m)
{
    return m == SL_START_SPAWN ? "spawn" : "forkserver";
}

sl_start_method sl_start_method_parse(const char *name)
{
    if (name != NULL && strcmp(name, "forkserver") == 0)
        return SL_START_FORKSERVER;
    if (name != NULL && strcmp(name, "spawn") == 0)
        return SL_START_SPAWN;
    return SL_START_DEFAULT;
}
