/*
 * event-names.c - short names for event kinds and wait reasons.
 *
 * Tables with designated initialisers so that reordering the enums in
 * event.h cannot silently shift a name onto the wrong kind.
 */
#include <stddef.h>

#include "schedlab/trace.h"

static const char *const kind_names[SL_EV__COUNT] = {
    [SL_EV_NONE] = "none",         [SL_EV_SPAWN] = "spawn",
    [SL_EV_QUEUE] = "queue",       [SL_EV_READY] = "ready",
    [SL_EV_RUN] = "run",           [SL_EV_BLOCK] = "block",
    [SL_EV_WAKE] = "wake",         [SL_EV_YIELD] = "yield",
    [SL_EV_SWITCH] = "switch",     [SL_EV_EXIT] = "exit",
    [SL_EV_GIL_TAKE] = "gil-take", [SL_EV_GIL_DROP] = "gil-drop",
    [SL_EV_STEP] = "step",         [SL_EV_OS_SAMPLE] = "os-sample",
    [SL_EV_MARK] = "mark",         [SL_EV_OBJECT] = "object",
    [SL_EV_START] = "start",
    [SL_EV_STEAL] = "steal",       [SL_EV_PARK] = "park",
    [SL_EV_UNPARK] = "unpark",     [SL_EV_MIGRATE] = "migrate",
};

static const char *const reason_names[SL_WAIT__COUNT] = {
    [SL_WAIT_NONE] = "none", [SL_WAIT_IO] = "io",       [SL_WAIT_SLEEP] = "sleep",
    [SL_WAIT_LOCK] = "lock", [SL_WAIT_QUEUE] = "queue", [SL_WAIT_CHILD] = "child",
};

const char *sl_event_kind_name(int kind)
{
    if (kind < 0 || kind >= SL_EV__COUNT || kind_names[kind] == NULL)
        return "?";
    return kind_names[kind];
}

const char *sl_wait_reason_name(int reason)
{
    if (reason < 0 || reason >= SL_WAIT__COUNT || reason_names[reason] == NULL)
        return "?";
    return reason_names[reason];
}
