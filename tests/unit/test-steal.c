/*
 * test-steal.c - a worker's local ready queue: FIFO ring, run-next slot,
 * bounded, and a steal that takes the older half of what is queued (the
 * run-next task only once the ring is empty); then owners and thieves on
 * real threads, where no task may be lost or taken twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/steal.h"

static void fifo_with_run_next_first(void **state)
{
    sl_runq q;
    sl_runq_init(&q);
    assert_int_equal(sl_runq_pop(&q), SL_NO_TASK);
    for (uint32_t i = 0; i < 3; i++)
        assert_true(sl_runq_push(&q, i, NULL, NULL));
    assert_int_equal(sl_runq_put_next(&q, 7, NULL, NULL), SL_NO_TASK);
    /* a second run-next task displaces the first to the tail */
    assert_int_equal(sl_runq_put_next(&q, 8, NULL, NULL), SL_NO_TASK);
    assert_int_equal(sl_runq_len(&q), 5);
    uint32_t want[] = {8, 0, 1, 2, 7};
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(sl_runq_pop(&q), want[k]);
    assert_int_equal(sl_runq_pop(&q), SL_NO_TASK);
    assert_int_equal(sl_runq_len(&q), 0);
    sl_runq_destroy(&q);
}

static void bounded(void **state)
{
    sl_runq q;
    sl_runq_init(&q);
    for (uint32_t i = 0; i < SL_RUNQ_CAP; i++)
        assert_true(sl_runq_push(&q, i, NULL, NULL));
    assert_false(sl_runq_push(&q, 999, NULL, NULL));
    /* the slot still takes one; what it displaces cannot fit and comes back */
    assert_int_equal(sl_runq_put_next(&q, 1000, NULL, NULL), SL_NO_TASK);
    assert_int_equal(sl_runq_put_next(&q, 1001, NULL, NULL), 1000);
    assert_int_equal(sl_runq_len(&q), SL_RUNQ_CAP + 1);
    sl_runq_destroy(&q);
}

typedef struct seen {
    uint32_t tasks[SL_RUNQ_CAP];
    uint32_t n, calls;
    sl_runq *q;
    bool locked; /* the queue's lock was held during the note */
} seen;

static void note(void *arg, const uint32_t *tasks, uint32_t n)
{
    seen *s = arg;
    s->calls++;
    memcpy(s->tasks + s->n, tasks, n * sizeof(*tasks));
    s->n += n;
    s->locked = pthread_mutex_trylock(&s->q->lock) != 0;
}

static void steal_takes_the_older_half(void **state)
{
    sl_runq q;
    sl_runq_init(&q);
    for (uint32_t i = 0; i < 5; i++)
        assert_true(sl_runq_push(&q, 10 + i, NULL, NULL));
    sl_runq_put_next(&q, 99, NULL, NULL);
    uint32_t out[SL_RUNQ_CAP];
    seen s = {.q = &q};
    /* 5 queued: 3 go (rounded up), the oldest, never the run-next task */
    assert_int_equal(sl_runq_take_half(&q, out, note, &s), 3);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], 11);
    assert_int_equal(out[2], 12);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.n, 3);
    assert_memory_equal(s.tasks, out, 3 * sizeof(uint32_t));
    assert_true(s.locked);
    assert_int_equal(sl_runq_take_half(&q, out, NULL, NULL), 1);
    assert_int_equal(out[0], 13);
    assert_int_equal(sl_runq_take_half(&q, out, NULL, NULL), 1);
    assert_int_equal(out[0], 14);
    /* the ring is empty: now the run-next task goes */
    assert_int_equal(sl_runq_take_half(&q, out, NULL, NULL), 1);
    assert_int_equal(out[0], 99);
    assert_int_equal(sl_runq_take_half(&q, out, note, &s), 0);
    assert_int_equal(s.calls, 1); /* no note for an empty steal */
    sl_runq_destroy(&q);
    (void)state;
}

/* ---- owners and thieves on threads -------------------------------------- */

#define THREADS 4
#define PER_THREAD 50000u

typedef struct arena {
    sl_runq q[THREADS];
    atomic_uint taken[THREADS * PER_THREAD];
    atomic_uint done;
} arena;

typedef struct player {
    arena *a;
    uint32_t id;
} player;

static void take(arena *a, uint32_t task)
{
    atomic_fetch_add(&a->taken[task], 1);
    atomic_fetch_add(&a->done, 1);
}

/* Each thread pushes its own tasks, pops some, steals from the others and
 * keeps going until every task was taken by someone. */
static void *play(void *arg)
{
    player *p = arg;
    arena *a = p->a;
    uint32_t buf[SL_RUNQ_CAP];
    uint32_t next = 0, spin = 0;
    while (atomic_load(&a->done) < THREADS * PER_THREAD) {
        while (next < PER_THREAD && sl_runq_len(&a->q[p->id]) < SL_RUNQ_CAP / 2) {
            uint32_t task = p->id * PER_THREAD + next++;
            if (next % 7 == 0)
                assert_int_equal(sl_runq_put_next(&a->q[p->id], task, NULL, NULL), SL_NO_TASK);
            else
                assert_true(sl_runq_push(&a->q[p->id], task, NULL, NULL));
            if (next % 3 == 0)
                break;
        }
        uint32_t task = sl_runq_pop(&a->q[p->id]);
        if (task != SL_NO_TASK) {
            take(a, task);
            continue;
        }
        uint32_t victim = (p->id + 1 + spin++ % (THREADS - 1)) % THREADS;
        uint32_t n = sl_runq_take_half(&a->q[victim], buf, NULL, NULL);
        for (uint32_t k = 0; k < n; k++)
            take(a, buf[k]);
    }
    return NULL;
}

static void no_task_lost_or_taken_twice(void **state)
{
    arena *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    for (int k = 0; k < THREADS; k++)
        sl_runq_init(&a->q[k]);
    pthread_t th[THREADS];
    player p[THREADS];
    for (uint32_t k = 0; k < THREADS; k++) {
        p[k] = (player){.a = a, .id = k};
        assert_int_equal(pthread_create(&th[k], NULL, play, &p[k]), 0);
    }
    for (int k = 0; k < THREADS; k++)
        pthread_join(th[k], NULL);
    for (uint32_t i = 0; i < THREADS * PER_THREAD; i++)
        if (atomic_load(&a->taken[i]) != 1)
            fail_msg("task %u taken %u times", i, atomic_load(&a->taken[i]));
    for (int k = 0; k < THREADS; k++) {
        assert_int_equal(sl_runq_len(&a->q[k]), 0);
        sl_runq_destroy(&a->q[k]);
    }
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_with_run_next_first),
        cmocka_unit_test(bounded),
        cmocka_unit_test(steal_takes_the_older_half),
        cmocka_unit_test(no_task_lost_or_taken_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
