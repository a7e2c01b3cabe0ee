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

/* The slot of a core number in the per-core arrays. */
static inline uint32_t sl__core_slot(uint32_t core)
{
    return core < SL_MODEL_CORES ? core : SL_MODEL_CORES - 1;
}

/* The state a task shows: running tasks the kernel has preempted show as
 * ready. Inline: the span fold asks twice an event. */
static inline sl_state sl__shown_state(const sl_task_now *t)
{
    return t->state == SL_ST_RUNNING && t->preempted ? SL_ST_READY : (sl_state)t->state;
}

/* Running tasks on a core now, not preempted (sl_model_on_cpu): inline,
 * as the fold checks it at every run. */
static inline uint32_t sl__on_cpu(const sl_model *m)
{
    return m->count[SL_ST_RUNNING] - m->preempted;
}

/* The list operations are here, inline, because every state change of the
 * fold makes three of them: at a million tasks a frame of playback folds
 * some ten thousand events, and the calls cost more than the work. */
#define SL__PREV(m, i) ((m)->link[2 * (size_t)(i)])
#define SL__NEXT(m, i) ((m)->link[2 * (size_t)(i) + 1])

/* The list a task belongs to in its current state, or -1 for none. */
static inline int sl__model_list_of(const sl_model *m, uint32_t task)
{
    const sl_task_now *t = &m->tasks[task];

    switch (t->state) {
    case SL_ST_QUEUED:
        return SL_LIST_QUEUED;
    case SL_ST_STARTING:
        return SL_LIST_STARTING;
    case SL_ST_READY:
        return SL_LIST_READY;
    case SL_ST_WAITING:
        return SL_LIST_WAITING;
    case SL_ST_RUNNING:
        return t->preempted ? SL_LIST_READY : SL_LIST_CORE0 + (int)sl__core_slot(t->core);
    case SL_ST_DONE:
    case SL_ST_FAILED:
    case SL_ST_CANCELLED:
        return SL_LIST_DONE;
    default:
        return -1;
    }
}

/* Appends `task` to list `list`. */
static inline void sl__model_list_push(sl_model *m, int list, uint32_t task)
{
    uint32_t tail = m->tail[list];

    SL__PREV(m, task) = tail;
    SL__NEXT(m, task) = SL__NIL;
    if (tail == SL__NIL)
        m->head[list] = task;
    else
        SL__NEXT(m, tail) = task;
    m->tail[list] = task;
}

/* Unlinks `task` from `list`. */
static inline void sl__model_list_remove(sl_model *m, int list, uint32_t task)
{
    uint32_t prev = SL__PREV(m, task), next = SL__NEXT(m, task);

    if (prev == SL__NIL)
        m->head[list] = next;
    else
        SL__NEXT(m, prev) = next;
    if (next == SL__NIL)
        m->tail[list] = prev;
    else
        SL__PREV(m, next) = prev;
    SL__PREV(m, task) = SL__NEXT(m, task) = SL__NIL;
}

/* Empties every list. */
void sl__model_lists_clear(sl_model *m);
/* a - b, or 0 when b is later (events out of order must not wrap). */
static inline uint64_t sl__since(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* Whether a state is final: done, failed or cancelled (a task's last span
 * in such a state lasts for ever). */
bool sl__state_ended(uint8_t st);
/* What a column shows, given each state's time in it (ns[SL_ST_NEW] is set
 * here to the rest of `whole`, the column's length times its tasks, that
 * `covered` does not account for): the state held longest, ties to the one
 * that tells more, with SL_COL_BRIEF_RUN when running lost. */
uint8_t sl__column_pick(uint64_t ns[SL_ST__COUNT], uint64_t covered, uint64_t whole);
/* A core's column of length `len`: the task that ran longest (`best`, its
 * `best_ns`, whether it had migrated there), against idle. */
sl_core_cell sl__core_pick(uint32_t best, uint64_t best_ns, bool best_moved, uint64_t busy_ns,
                           uint64_t len);

/* What the appending span fold holds back per task (spans.c). */
struct sl_span_pending {
    sl_span open; /* the span still growing */
    sl_span last; /* the one closed before it, held back in case it reopens */
    bool has_open, has_last;
};

/* Whether two spans show the same thing (state, reason, core). */
static inline bool sl__span_same_key(const sl_span *a, const sl_span *b)
{
    return a->state == b->state && a->reason == b->reason && a->core == b->core;
}

/* The span fold of a finished trace in per-task regions (span-regions.c).
 * Open: counts the view's events per task and makes the regions (false
 * without the memory: the fold appends). Change: what spans.c's change()
 * does, in the region; 1 when the region was too small and the fold now
 * appends (call the appending change). Close: the fold appends from now on.
 * Held: spans held back after task i's closed ones. Copy and take: the
 * read-outs, into out->first[i + 1] set to where task i's spans start
 * (take gives the regions' array away, `total` spans long). */
bool sl__regions_open(sl_span_fold *f, const sl_trace_view *v);
int sl__regions_change(sl_span_fold *f, sl_span key, uint64_t t);
void sl__regions_close(sl_span_fold *f);
/* The fold has written what it will for now: stops making the regions
 * resident ahead of it. */
void sl__regions_filled(sl_span_fold *f);
size_t sl__regions_held(const sl_span_fold *f, uint32_t i);
void sl__regions_copy(const sl_span_fold *f, sl_spans *out);
void sl__regions_take(sl_span_fold *f, sl_spans *out, size_t total);

/* Flags of an sl_span_index entry, over the span's number. */
#define SL__SPAN_FOREVER (1u << 31) /* the task's last span, in a final state */
#define SL__SPAN_MOVED (1u << 30)   /* a run on another core than the task's previous run */
#define SL__SPAN_NUMBER (SL__SPAN_MOVED - 1u)
/* The entries [*lo, *hi) of ix->idx that hold every span overlapping
 * [cs, ce) (and some that do not: the caller checks each). */
void sl__span_index_range(const sl_span_index *ix, uint64_t cs, uint64_t ce, size_t *lo,
                          size_t *hi);
/* The part of span `sp` (its index entry `e`) in [cs, ce), 0 if none: a
 * span that lasts for ever counts only when it begins inside. */
uint64_t sl__span_overlap(const sl_span *sp, uint32_t e, uint64_t cs, uint64_t ce);

/* How far ahead the hot loops over events and index entries ask for the
 * memory they will touch. At a million tasks each step lands on a task or a
 * span far from the last one, and would wait for memory on its own; asked
 * this many steps early, about as many of those waits overlap. */
#define SL__PREFETCH_AHEAD 16

/* Asks for task i's entry and links, which folding an event about it
 * writes. */
static inline void sl__model_prefetch(const sl_model *m, uint32_t i)
{
    if (i < m->n_tasks) {
        const char *k = (const char *)&m->tasks[i];
        __builtin_prefetch(k, 1);
        __builtin_prefetch(k + sizeof *m->tasks - 1, 1);
        __builtin_prefetch(&m->link[2 * (size_t)i], 1);
    }
}

/* Folds events[m->next ..] into m, up to `stop` or the first event later
 * than t_ns: the playhead's loop, where sl_model_apply is inlined. */
void sl__model_fold_to(sl_model *m, const sl_event *events, size_t stop, uint64_t t_ns);

/* Names a task for a sentence: the trace's name, or "task-<i>". */
const char *sl__model_task_name(const sl_model *m, uint32_t task, char *buf, size_t size);
/* Formats a duration for a sentence: "0.4 ms", "430 ms", "12.3 s". */
void sl__fmt_ms(uint64_t ns, char *buf, size_t size);

#endif
