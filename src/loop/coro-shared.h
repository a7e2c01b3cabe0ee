/*
 * coro-shared.h - queues, counters and locks for coroutines: the same
 * shared-objects region as every other vehicle, waited on the asyncio way.
 *
 * A coroutine that must wait joins the object's FIFO wait list, says BLOCK
 * and gives the loop back; the coroutine whose put, take or unlock lets it
 * go on WAKEs it into the ready queue. An inc spends its window without
 * ever yielding, so no other coroutine runs between its read and its write:
 * no update is lost. The scheduler (coro-sched.c) calls these four.
 */
#ifndef SL_STRATEGY_CORO_SHARED_H
#define SL_STRATEGY_CORO_SHARED_H

#include <stdbool.h>
#include <stdint.h>

#include "schedlab/loop.h"

/* Before the loop runs: sets up ctx->shared for the scheduler's tasks if
 * the scenario needs it and no one did (*owned then true). 0 or SL_ENOMEM. */
int sl__co_shared_open(sl_run_ctx *ctx, uint32_t n_tasks, bool *owned);
/* After the loop: the race report into ctx->result, and the region freed
 * if it was this scheduler's. */
void sl__co_shared_close(sl_run_ctx *ctx, bool owned);

/* Inside task t's coroutine, before its first step. */
void sl__co_shared_start(sl_co_task *t);
/* From the scheduler, as task t exits (done, failed or cancelled): frees
 * its locks and wakes whoever that lets go on. */
void sl__co_shared_end(sl_co_task *t);

/* Inside the coroutine: a put, take, inc, lock or unlock step (STEP
 * emitted). 0, SL_EINTR, or SL_E* with a sentence in t->why. */
int sl__co_shared_step(sl_co_task *t, uint32_t index, const sl_step *step);

#endif
