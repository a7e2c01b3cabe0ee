/*
 * strategy-table.c - every strategy, in the order menus and reports list
 * them: the baseline first, then OS threads, processes, the event loop and
 * CPython's GIL, which the lessons contrast with plain threads, and last
 * the hybrids that put an event loop together with threads or processes.
 */
#include <string.h>

#include "schedlab/strategy.h"

extern const sl_strategy sl_strategy_sequential;
extern const sl_strategy sl_strategy_threads;
extern const sl_strategy sl_strategy_threadpool;
extern const sl_strategy sl_strategy_processes;
extern const sl_strategy sl_strategy_procpool;
extern const sl_strategy sl_strategy_coroutines;
extern const sl_strategy sl_strategy_gil;
extern const sl_strategy sl_strategy_async_threads;
extern const sl_strategy sl_strategy_async_procs;
extern const sl_strategy sl_strategy_async_subprocess;

const sl_strategy *const sl_strategies[] = {
    &sl_strategy_sequential,
    &sl_strategy_threads,
    &sl_strategy_threadpool,
    &sl_strategy_processes,
    &sl_strategy_procpool,
    &sl_strategy_coroutines,
    &sl_strategy_gil,
    &sl_strategy_async_threads,
    &sl_strategy_async_procs,
    &sl_strategy_async_subprocess,
    NULL,
};

const sl_strategy *sl_strategy_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const sl_strategy *const *s = sl_strategies; *s != NULL; s++)
        if (strcmp((*s)->name, name) == 0)
            return *s;
    return NULL;
}
