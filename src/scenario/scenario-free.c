/*
 * scenario-free.c - releases a scenario and everything it owns.
 *
 * The public strings are const for readers but were allocated by the
 * loader; the casts below are where that ownership comes back.
 */
#include <stdlib.h>

#include "scenario/scenario-int.h"

static void free_objects(sl_object *o, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free((char *)o[i].name);
    free(o);
}

void sl__scenario_destroy(sl__scenario *s)
{
    for (uint32_t g = 0; g < s->n_sections; g++) {
        sl__section *sec = &s->sections[g];
        for (uint32_t i = 0; i < sec->n_steps; i++) {
            free(sec->steps[i].url);
            free(sec->steps[i].obj);
        }
        free(sec->steps);
        free(sec->name);
    }
    free(s->sections);
    free_objects(s->pub.queues, s->pub.n_queues);
    free_objects(s->pub.counters, s->pub.n_counters);
    free_objects(s->pub.locks, s->pub.n_locks);
    free(s->windows);
    free(s->task_names);
    free(s->pub.groups);
    free(s->pub.tasks);
    free(s->pub.steps);
    free((char *)s->pub.path);
    free((char *)s->pub.name);
    free((char *)s->pub.title);
    free((char *)s->pub.caption);
    free((char *)s->pub.strategies);
    free(s);
}

void sl_scenario_free(sl_scenario *sc)
{
    if (sc != NULL)
        sl__scenario_destroy((sl__scenario *)sc);
}
