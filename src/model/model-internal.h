/*
 * model-internal.h - what the model's files share and nothing else sees.
 *
 * The fold keeps the ready, waiting and queued tasks, and the running tasks of
 * each core, in intrusive doubly linked lists ordered by entry. Entering a
 * list appends at its tail, and the fold sees events in time order, so every
 * list is already in the order its view wants (queue order, longest waiting
 * first, submission order): listing the first `max` tasks never sorts, even
 * with a million tasks.
 */
#ifndef SCHEDLAB_MODEL_INTERNAL_H
#define SCHEDLAB_MODEL_INTERNAL_H

#include "schedlab/model.h"

#define SL__NIL UINT32_MAX

/* The list a task belongs to in its current state, or -1 for none. */
int sl__model_list_of(const sl_model *m, uint32_t task);
/* Appends `task` to list `list` / unlinks it from `list`. */
void sl__model_list_push(sl_model *m, int list, uint32_t task);
void sl__model_list_remove(sl_model *m, int list, uint32_t task);
/* Empties every list. */
void sl__model_lists_clear(sl_model *m);
/* The slot of a core number in the per-core arrays. */
static inline uint32_t sl__core_slot(uint32_t core)
{
    return core < SL_MODEL_CORES ? core : SL_MODEL_CORES - 1;
}
/* a - b, or 0 when b is later (events out of order must not wrap). */
static inline uint64_t sl__since(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* Names a task for a sentence: the trace's name, or "task-<i>". */
const char *sl__model_task_name(const sl_model *m, uint32_t task, char *buf, size_t size);
/* Formats a duration for a sentence: "0.4 ms", "430 ms", "12.3 s". */
void sl__fmt_ms(uint64_t ns, char *buf, size_t size);

#endif
