/*
 * strategy-table.c - every strategy, in the order menus and reports list
 * them: the baseline first, then OS threads, processes, the event loop and
 * CPython's GIL, which the lessons contrast with plain threads, and last
 * the hybrids that put an event loop together with threads or processes,
 * and Go's and tokio's answer: coroutines on every core, with stealing.
 */
#include <stdio.h>
#include <string.h>

#include "schedlab/strategy.h"

extern const sl_strategy sl_strategy_sequential;
extern const sl_strategy sl_strategy_threads;
extern const sl_strategy sl_strategy_threadpool;
extern const sl_strategy sl_strategy_interpreters;
extern const sl_strategy sl_strategy_processes;
extern const sl_strategy sl_strategy_procpool;
extern const sl_strategy sl_strategy_coroutines;
extern const sl_strategy sl_strategy_gil;
extern const sl_strategy sl_strategy_async_threads;
extern const sl_strategy sl_strategy_async_procs;
extern const sl_strategy sl_strategy_async_subprocess;
extern const sl_strategy sl_strategy_work_stealing;

const sl_strategy *const sl_strategies[] = {
    &sl_strategy_sequential,
    &sl_strategy_threads,
    &sl_strategy_threadpool,
    &sl_strategy_interpreters,
    &sl_strategy_processes,
    &sl_strategy_procpool,
    &sl_strategy_coroutines,
    &sl_strategy_gil,
    &sl_strategy_async_threads,
    &sl_strategy_async_procs,
    &sl_strategy_async_subprocess,
    &sl_strategy_work_stealing,
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

const sl_strategy *sl_strategy_parse(const char *spec, size_t len, uint32_t *gil)
{
    char name[40];
    const char *colon = memchr(spec, ':', len);
    size_t n = colon != NULL ? (size_t)(colon - spec) : len;
    if (n >= sizeof(name))
        return NULL;
    memcpy(name, spec, n);
    name[n] = '\0';
    *gil = SL_GIL_DEFAULT;
    if (colon != NULL) {
        size_t rest = len - n - 1;
        if (rest == 3 && memcmp(colon + 1, "gil", 3) == 0)
            *gil = SL_GIL_ON;
        else if (rest == 5 && memcmp(colon + 1, "nogil", 5) == 0)
            *gil = SL_GIL_OFF;
        else
            return NULL;
    }
    return sl_strategy_find(name);
}

void sl_strategy_label(const sl_strategy *st, uint32_t gil, char *buf, size_t size)
{
    bool follows = st->gil == SL_GIL_SCOPE_RUN || st->gil == SL_GIL_SCOPE_PROCESS;
    snprintf(buf, size, "%s%s", st->name,
             !follows || gil == SL_GIL_DEFAULT ? ""
             : gil == SL_GIL_ON                ? ":gil"
                                               : ":nogil");
}
