/*
 * loop-internal.h - what the files of src/loop/ share: the hook for a
 * coroutine's events and the ready queue's tail.
 */
#ifndef SL_LOOP_INTERNAL_H
#define SL_LOOP_INTERNAL_H

#include "schedlab/loop.h"

static inline void emit(sl_event_kind kind, uint32_t task, uint32_t reason, uint64_t arg)
{
    sl_hook_emit_v(kind, task, sl_coro_vehicle(task), reason, arg);
}

/* Queues t at the tail of its loop's ready queue and emits READY(loop). */
void sl__sched_ready_push(sl_sched *s, sl_co_task *t);

#endif
