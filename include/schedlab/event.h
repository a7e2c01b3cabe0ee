/*
 * event.h - the one record every scheduler hook emits.
 *
 * An event is 32 bytes so that a ring slot is half a cache line and a hook is
 * one clock read plus one store. Its meaning depends on `kind`; the table
 * below is the contract between the hooks (producers) and the model (the
 * only consumer that interprets events).
 *
 *   kind        task   reason               arg                    state after
 *   SPAWN       task   -                    -                      ready (sequential/threads/…)
 *   QUEUE       task   -                    backlog length         queued (pool backlog)
 *   READY       task   sl_ready_cause       -                      ready
 *   RUN         task   -                    step index             running on `core`
 *   BLOCK       task   sl_wait_reason       expected wait ns or 0  waiting(reason)
 *   WAKE        task   sl_wait_reason       -                      ready
 *   YIELD       task   -                    -                      ready
 *   SWITCH      to     -                    from task (or NO_TASK) (scheduler switch, counted)
 *   EXIT        task   sl_exit_status       error code / signal    done / failed / cancelled
 *   GIL_TAKE    task   -                    wait ns                (GIL hand-off counted)
 *   GIL_DROP    task   sl_gil_drop_cause    held ns                -
 *   STEP        task   sl_step_kind         step index             (label for views)
 *   OS_SAMPLE   task   runqueue-wait µs     on-cpu µs              (kernel view of a vehicle)
 *   MARK        -      sl_mark              value                  (run begin/end, notes)
 */
#ifndef SCHEDLAB_EVENT_H
#define SCHEDLAB_EVENT_H

#include <stdint.h>

#define SL_NO_TASK UINT32_MAX
/* Set in the vehicle id of a coroutine (the rest is its task or index):
 * views and lints tell a coroutine on the loop from an OS thread or process. */
#define SL_VEHICLE_COROUTINE 0x40000000u

typedef enum sl_event_kind {
    SL_EV_NONE = 0,
    SL_EV_SPAWN,
    SL_EV_QUEUE,
    SL_EV_READY,
    SL_EV_RUN,
    SL_EV_BLOCK,
    SL_EV_WAKE,
    SL_EV_YIELD,
    SL_EV_SWITCH,
    SL_EV_EXIT,
    SL_EV_GIL_TAKE,
    SL_EV_GIL_DROP,
    SL_EV_STEP,
    SL_EV_OS_SAMPLE,
    SL_EV_MARK,
    SL_EV__COUNT
} sl_event_kind;

/* Why a task waits (BLOCK/WAKE reason). */
typedef enum sl_wait_reason {
    SL_WAIT_NONE = 0,
    SL_WAIT_IO,
    SL_WAIT_SLEEP,
    SL_WAIT_LOCK,
    SL_WAIT_QUEUE,
    SL_WAIT_CHILD, /* awaiting a child process or an executor */
    SL_WAIT__COUNT
} sl_wait_reason;

/* What a ready task waits for (READY reason). */
typedef enum sl_ready_cause {
    SL_READY_CPU = 0, /* a core (OS run queue) */
    SL_READY_GIL,     /* the global interpreter lock */
    SL_READY_LOOP,    /* its turn on the event loop */
    SL_READY_WORKER,  /* picked from a pool backlog, about to start */
    SL_READY__COUNT
} sl_ready_cause;

typedef enum sl_exit_status {
    SL_EXIT_OK = 0,
    SL_EXIT_FAILED,    /* arg: negative SL_E* code, or the signal number if killed */
    SL_EXIT_CANCELLED,
} sl_exit_status;

typedef enum sl_gil_drop_cause {
    SL_GIL_DROP_BLOCK = 0, /* released around io or sleep */
    SL_GIL_DROP_INTERVAL,  /* forced: another thread asked after the switch interval */
    SL_GIL_DROP_DONE,      /* the cpu step finished */
} sl_gil_drop_cause;

typedef enum sl_mark {
    SL_MARK_RUN_BEGIN = 0, /* arg: number of tasks */
    SL_MARK_RUN_END,       /* arg: 0, or a negative SL_E* if the run stopped early */
    SL_MARK_VEHICLE_START, /* vehicle field names it; arg: creation cost ns */
    SL_MARK_VEHICLE_EXIT,  /* arg: exit status or signal */
} sl_mark;

typedef struct sl_event {
    uint64_t t_ns;    /* CLOCK_MONOTONIC ns since the run's epoch */
    uint64_t arg;     /* kind-specific argument (table above) */
    uint32_t task;    /* task index, or SL_NO_TASK */
    uint32_t vehicle; /* thread/process/coroutine/worker id that emitted it */
    uint16_t kind;    /* sl_event_kind */
    uint16_t core;    /* CPU the producer ran on when it emitted */
    uint32_t reason;  /* kind-specific reason (table above) */
} sl_event;

_Static_assert(sizeof(sl_event) == 32, "an event must stay 32 bytes");

/* Short lowercase name of an event kind ("run", "block", …). */
const char *sl_event_kind_name(int kind);
/* Short name of a wait reason ("io", "sleep", …). */
const char *sl_wait_reason_name(int reason);

#endif
