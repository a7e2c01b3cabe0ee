/*
 * shared-internal.h - the layout of the shared-objects region and the
 * helpers its two files share (shared-objects.c: layout, task accounting,
 * stalls; shared-steps.c: the steps).
 *
 * Everything is reached through offsets from the region's start, never a
 * pointer, because a worker process maps the region at another address.
 * One mutex guards every queue, lock and wait list: the operations are a
 * few stores each, and a single lock lets a stall be judged on a coherent
 * picture of the whole run.
 */
#ifndef SL_STRATEGY_SHARED_INTERNAL_H
#define SL_STRATEGY_SHARED_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "schedlab/shared.h"

#define SL__SH_MAGIC 0x48534c53u /* "SLSH" */
#define SL__SH_NAME 48
#define SL__SH_NONE UINT32_MAX

/* A task's part in the accounting. */
enum { SL__SH_NEW = 0, SL__SH_RUNNING, SL__SH_BLOCKED, SL__SH_DONE };

/* Why the last stall could not end (picks the failure sentence). */
enum { SL__STALL_SEQUENTIAL = 0, SL__STALL_POOL_FULL, SL__STALL_ALL_WAIT };

/* A FIFO of waiting tasks, linked through sl__sh_task.next. */
typedef struct sl__sh_list {
    uint32_t first, last; /* SL__SH_NONE when empty */
} sl__sh_list;

typedef struct sl__sh_queue {
    pthread_cond_t can_put;  /* broadcast when an item was taken */
    pthread_cond_t can_take; /* broadcast when an item was put */
    sl__sh_list putters, takers;
    uint32_t capacity, head, count;
    uint64_t items_off; /* uint32_t items[capacity]: a ring from `head` */
    char name[SL__SH_NAME];
} sl__sh_queue;

typedef struct sl__sh_counter {
    _Atomic uint64_t value; /* the shared integer, updated without a lock */
    _Atomic uint64_t done;  /* increments performed on it: what value should read */
    uint64_t window_ns;
    uint32_t shared; /* declared `shared = yes`: worker processes use it too;
                      * else each worker process counts on a copy of its own */
    /* What the copies ended with, added by each worker process as it ends
     * (sl_shared_publish_copies). */
    _Atomic uint32_t copies;
    _Atomic uint64_t copies_done, copies_sum, copies_min, copies_max;
    char name[SL__SH_NAME];
} sl__sh_counter;

typedef struct sl__sh_lock {
    pthread_cond_t freed; /* broadcast when released */
    sl__sh_list waiters;
    uint32_t holder; /* task holding it, or SL__SH_NONE */
    char name[SL__SH_NAME];
} sl__sh_lock;

typedef struct sl__sh_task {
    uint32_t next;   /* next in the wait list it is on */
    uint16_t state;  /* SL__SH_NEW .. SL__SH_DONE */
    uint16_t doomed; /* waiting through a stall: SL__STALL_* + 1, else 0 */
    uint16_t reason; /* sl_wait_reason while it waits */
    uint16_t list;   /* the list it waits in: SL__SH_LIST(kind, index) */
} sl__sh_task;

/* Names a wait list: kind 0 a queue's putters, 1 its takers, 2 a lock's
 * waiters; index is the queue's or lock's. */
#define SL__SH_LIST(kind, index) ((uint16_t)((kind) << 8 | (index)))

struct sl_shared {
    uint32_t magic, n_tasks;
    uint64_t size;
    pthread_mutex_t mu; /* robust, process-shared: guards all below */
    uint32_t mode, slots;
    uint32_t running;    /* tasks started and not ended (waiting ones included) */
    uint32_t blocked;    /* tasks in a wait list */
    uint32_t unfinished; /* tasks not ended, started or not */
    uint32_t polled;     /* waiters may live in other processes' event loops,
                          * which no `ready` hook reaches: they poll */
    uint32_t n_queues, n_counters, n_locks;
    uint64_t tasks_off; /* sl__sh_task[n_tasks] */
    sl__sh_queue queues[SL_SCENARIO_MAX_QUEUES];
    sl__sh_counter counters[SL_SCENARIO_MAX_COUNTERS];
    sl__sh_lock locks[SL_SCENARIO_MAX_LOCKS];
};

static inline sl__sh_task *sl__sh_tasks(sl_shared *sh)
{
    return (sl__sh_task *)((char *)sh + sh->tasks_off);
}

static inline uint32_t *sl__sh_items(sl_shared *sh, sl__sh_queue *q)
{
    return (uint32_t *)((char *)sh + q->items_off);
}

/* Takes / releases the mutex; a holder that died is forgiven (its updates
 * are a few stores, and the dead task's accounting is settled by its end). */
void sl__sh_enter(sl_shared *sh);
void sl__sh_leave(sl_shared *sh);
/* Waits on cv (mutex held) for at most ns. */
void sl__sh_wait(sl_shared *sh, pthread_cond_t *cv, uint64_t ns);

/* Whether a waiter at the head of a list may go on. */
static inline bool sl__sh_has_room(const sl_shared *sh, uint32_t q)
{
    return sh->queues[q].count < sh->queues[q].capacity;
}

static inline bool sl__sh_has_item(const sl_shared *sh, uint32_t q)
{
    return sh->queues[q].count > 0;
}

static inline bool sl__sh_is_free(const sl_shared *sh, uint32_t l)
{
    return sh->locks[l].holder == SL__SH_NONE;
}

/* With the mutex held: whether waiting task `task` may go on now (doomed
 * by a stall, or at the head of its list with what it waits for there). */
bool sl__sh_may_go(sl_shared *sh, uint32_t task);

/* Tells h->ready (if any) about the head of every list that may go on. */
void sl__sh_notify_heads(sl_shared *sh, const sl_shared_hooks *h);

void sl__sh_list_push(sl_shared *sh, sl__sh_list *l, uint32_t task);
/* Unlinks task from l wherever it is; false if it was not there. */
bool sl__sh_list_remove(sl_shared *sh, sl__sh_list *l, uint32_t task);

/* With the mutex held, after a task blocked or ended: true if every task
 * that could make progress now waits with nothing to wake it. Then every
 * waiter is doomed (it fails even if a later change would free it: the
 * stall is reported the same way every time) and woken: condition
 * variables broadcast, and h->ready (h may be NULL) told of each. */
bool sl__sh_stall_check(sl_shared *sh, const sl_shared_hooks *h);

/* The end of a failure sentence for a stall of kind doomed - 1 ("no other
 * task can run under sequential"). */
const char *sl__sh_stall_reason(const sl_shared *sh, uint32_t doomed, char *buf, size_t size);

#endif
