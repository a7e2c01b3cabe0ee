/*
 * gil.h - a global interpreter lock modelled on CPython 3's "new GIL"
 * (Python/ceval_gil.h since 3.2), with hooks at every hand-off.
 *
 * A thread that wants the lock waits on a condition variable for at most
 * the switch interval; if the same holder still has it after a whole
 * interval, the waiter sets the drop request (CPython's eval breaker). The
 * holder polls the request between slices of its work, lets go, and waits
 * until another thread has taken the lock (FORCE_SWITCHING), so the one
 * that asked really gets it instead of the holder grabbing it straight back.
 */
#ifndef SL_STRATEGY_GIL_H
#define SL_STRATEGY_GIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedlab/event.h"

typedef struct sl__gil {
    pthread_mutex_t mu;
    pthread_cond_t released; /* signalled when the lock is let go */
    pthread_cond_t taken;    /* broadcast when a thread takes it */
    bool locked;             /* someone holds it */
    uint32_t holder;         /* task holding it, or SL_NO_TASK */
    uint32_t last_holder;    /* task that held it last, or SL_NO_TASK */
    uint32_t waiters;        /* threads waiting in sl__gil_take */
    uint64_t switch_number;  /* takes so far */
    uint64_t handoffs;       /* takes by a task other than the last holder */
    uint64_t taken_at_ns;    /* when the holder took it */
    uint64_t interval_ns;    /* switch interval */
    int drop_request;        /* eval breaker: the holder must let go (atomic) */
} sl__gil;

/* Initialises an unlocked GIL with a switch interval (0: CPython's 5 ms). */
int sl__gil_init(sl__gil *g, uint64_t interval_ns);
void sl__gil_destroy(sl__gil *g);

/* Emits READY(GIL), waits for the lock (setting the drop request after each
 * interval the same holder kept it), takes it and emits GIL_TAKE(wait ns). */
void sl__gil_take(sl__gil *g, uint32_t task);

/* Lets go: emits GIL_DROP(cause, held ns); cause is BLOCK or DONE. */
void sl__gil_drop(sl__gil *g, uint32_t task, sl_gil_drop_cause cause);

/* The holder's answer to a drop request: GIL_DROP(interval), READY(GIL),
 * waits until another thread has taken the lock (FORCE_SWITCHING), then
 * queues to take it back like sl__gil_take. */
void sl__gil_yield(sl__gil *g, uint32_t task);

/* True if a waiter asked the holder to let go. */
bool sl__gil_drop_requested(sl__gil *g);

/* Hand-offs so far (takes by another task than the last holder). */
uint64_t sl__gil_handoffs(sl__gil *g);

#endif
