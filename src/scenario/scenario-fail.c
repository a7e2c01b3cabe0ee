/*
 * scenario-fail.c - the first parse error of a scenario, kept with its line:
 * every file of the parser reports through it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "scenario/scenario-parse.h"

int sl__fail(sl__parser *ps, uint32_t line, int err, const char *fmt, ...)
{
    if (ps->err != 0)
        return ps->err;
    ps->err = err;
    ps->diag->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->diag->message, sizeof(ps->diag->message), fmt, ap);
    va_end(ap);
    return err;
}
