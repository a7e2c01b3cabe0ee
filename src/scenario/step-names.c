/*
 * step-names.c - the words a scenario uses for step kinds.
 *
 * One table serves both directions (parsing `step = io ...` and printing a
 * step), so the grammar and every display agree on the spelling.
 */
#include <string.h>

#include "scenario/scenario-int.h"

static const char *const kind_names[SL_STEP__COUNT] = {
    [SL_STEP_CPU] = "cpu",   [SL_STEP_CPU_SUMSQ] = "cpu-sumsq", [SL_STEP_IO] = "io",
    [SL_STEP_GET] = "get",   [SL_STEP_SLEEP] = "sleep",         [SL_STEP_YIELD] = "yield",
    [SL_STEP_PUT] = "put",   [SL_STEP_TAKE] = "take",           [SL_STEP_INC] = "inc",
    [SL_STEP_LOCK] = "lock", [SL_STEP_UNLOCK] = "unlock",
};

/* The list error messages offer when a step kind is unknown. */
const char sl__step_kinds_expected[] =
    "cpu, cpu-sumsq, io, get, sleep, yield, put, take, inc, lock, unlock";

const char *sl_step_kind_name(int kind)
{
    if (kind < 0 || kind >= SL_STEP__COUNT)
        return "?";
    return kind_names[kind];
}

int sl__step_kind_find(const char *name)
{
    for (int k = 0; k < SL_STEP__COUNT; k++)
        if (strcmp(kind_names[k], name) == 0)
            return k;
    return SL_STEP__COUNT;
}
