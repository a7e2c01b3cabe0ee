/*
 * worker-image.h - what a worker process finds in the rings' shared blob.
 *
 * Worker processes are started with posix_spawn (never fork: the app is
 * multi-threaded), so they inherit nothing but the rings' memfd on fd 3.
 * Everything else they need travels in the blob of that region:
 *
 *   sl__blob header   run parameters, the procpool queue counter, and the
 *                     result (outcomes, failure sentences) workers fill
 *   slots[n_slots]    per worker: the task it runs now and its current chunk,
 *                     so the parent can attribute a crash
 *   states[n_tasks]   per task: new / running / done / orphan
 *   shared            the queues, counters and locks (shared-objects.h), if
 *                     the scenario declares any
 *   image             the expanded scenario (tasks, steps, strings)
 *   claims            the engine's per-task claims (strategy.h), placed by
 *                     the engine after the strategy's part of the blob
 *
 * Every field a worker writes is atomic: producers and the parent are
 * different processes sharing the same pages.
 */
#ifndef SL_STRATEGY_WORKER_IMAGE_H
#define SL_STRATEGY_WORKER_IMAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/scenario.h"
#include "schedlab/strategy.h"

#define SL__BLOB_MAGIC 0x4b574c53u /* "SLWK" */
#define SL__BLOB_VERSION 3u

/* Life of a task as seen through the blob. The parent emits EXIT for a task
 * whose worker died while it was RUNNING. A worker SIGKILLed exactly between
 * publishing its own EXIT and storing DONE (two adjacent stores) would get a
 * second EXIT; storing DONE first would instead risk none, which is worse
 * for the views (a task running forever). */
enum sl__task_state {
    SL__TASK_NEW = 0, /* not handed to a vehicle yet */
    SL__TASK_RUNNING, /* a vehicle emitted (or is about to emit) its RUN */
    SL__TASK_DONE,    /* its EXIT has been emitted */
    SL__TASK_ORPHAN,  /* its worker died before starting it: up for grabs again */
};

/* One pool worker's public state (procpool), written by that worker only. */
typedef struct sl__worker_slot {
    _Atomic uint32_t task;  /* task it runs now, or SL_NO_TASK */
    _Atomic uint32_t first; /* its current chunk is [first, end) */
    _Atomic uint32_t end;
    _Atomic int32_t ring;  /* ring index it produces into, -1 before it claims one */
    _Atomic int32_t pid;   /* its pid once started */
    _Atomic uint32_t runs; /* tasks it has started */
} sl__worker_slot;

typedef struct sl__blob {
    uint32_t magic, version;
    uint32_t n_tasks;         /* tasks in the image */
    uint32_t n_slots;         /* worker slots (procpool) */
    uint32_t workers;         /* ctx->workers, for the worker's own ctx */
    uint32_t chunksize;       /* tasks per grab (procpool) */
    uint64_t gil_interval_ns; /* ctx->gil_interval_ns */
    double iters_per_us;      /* the parent's cpu calibration */
    uint16_t net_port;        /* latency server port */
    uint64_t slots_off;       /* offsets from the blob start */
    uint64_t states_off;
    uint64_t shared_off, shared_size; /* shared objects; size 0: none */
    uint64_t image_off, image_size;
    uint64_t claims_off;      /* the engine's per-task claims (ctx->claims); 0: none */
    _Atomic uint32_t next;    /* procpool queue: next task index to hand out */
    _Atomic uint32_t orphans; /* tasks put back by the parent after a crash */
    _Atomic uint32_t stop;    /* the parent asks workers to take no new task */
    sl_run_result result;     /* the workers' ctx->result: outcomes, failure sentences
                               * (updated with atomics by sl_task_exec_blocking) */
} sl__blob;

/* Bytes of the serialized image of `sc`. */
size_t sl__worker_image_size(const sl_scenario *sc);
/* Serializes `sc` (tasks, groups, steps, strings) into buf. 0 or SL_EINVAL if
 * `size` is too small. */
int sl__worker_image_write(const sl_scenario *sc, void *buf, size_t size);
/* Rebuilds a scenario from an image (every offset checked). The result owns
 * its memory: free it with sl__worker_image_free, never sl_scenario_free.
 * 0, SL_ECORRUPT or SL_ENOMEM. */
int sl__worker_image_read(const void *buf, size_t size, sl_scenario **out);
void sl__worker_image_free(sl_scenario *sc);

/* Blob bytes a run of `sc` with `n_slots` pool workers needs. */
size_t sl__blob_size(const sl_scenario *sc, uint32_t n_slots);
/* Lays out the blob for ctx's run in the rings' blob, shared objects
 * included (then set as ctx->shared, as if every task had its own vehicle:
 * a pool says otherwise with sl__shared_set_slots). 0, SL_EINVAL or
 * SL_ENOMEM. */
int sl__blob_init(sl_run_ctx *ctx, uint32_t n_slots, sl__blob **out);
/* Checks a blob found by a worker: 0 or SL_ECORRUPT. */
int sl__blob_check(const sl__blob *b, size_t size);

static inline sl__worker_slot *sl__blob_slots(sl__blob *b)
{
    return (sl__worker_slot *)((char *)b + b->slots_off);
}

static inline _Atomic uint32_t *sl__blob_states(sl__blob *b)
{
    return (_Atomic uint32_t *)((char *)b + b->states_off);
}

/* The run's shared objects in a checked blob, or NULL if it has none. */
static inline struct sl__shared *sl__blob_shared(sl__blob *b)
{
    return b->shared_size > 0 ? (struct sl__shared *)((char *)b + b->shared_off) : NULL;
}

/* Adds the workers' outcome counters and failure sentences to `r`, and the
 * shared counters' race report (parent, once every worker has been reaped). */
void sl__blob_merge(sl__blob *b, sl_run_result *r);

#endif
