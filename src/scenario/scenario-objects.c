/*
 * scenario-objects.c - the objects tasks share: [queue NAME], [counter NAME]
 * and the locks their steps name.
 *
 * A step may name a queue or counter declared further down the file, so
 * names are resolved once the whole file is read; a lock needs no section
 * (its first `lock` or `unlock` declares it), which keeps a lesson about a
 * lock down to the two lines that matter. Each program is then walked once
 * to check its locks pair up: a task that ends holding a lock, unlocks one
 * it does not hold or takes one twice is a mistake in the lesson, better
 * reported at its line than discovered as a hang in front of the class.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-parse.h"

static const char *sec_word(const sl__section *s)
{
    return s->is_task ? "task" : "group";
}

/* The queue or counter called name, with its kind, or NULL. */
static const sl_object *find_object(const sl_scenario *sc, const char *name, const char **kind)
{
    for (uint32_t i = 0; i < sc->n_queues; i++)
        if (strcmp(sc->queues[i].name, name) == 0)
            return *kind = "queue", &sc->queues[i];
    for (uint32_t i = 0; i < sc->n_counters; i++)
        if (strcmp(sc->counters[i].name, name) == 0)
            return *kind = "counter", &sc->counters[i];
    return NULL;
}

/* Appends an object to arr (allocated at its maximum on first use). */
static sl_object *add_object(sl__parser *ps, sl_object **arr, uint32_t *n, uint32_t max,
                             const char *what, const char *name, uint32_t line)
{
    if (*n == max) {
        sl__fail(ps, line, SL_EPARSE, "too many %s (at most %u)", what, max);
        return NULL;
    }
    if (*arr == NULL && (*arr = calloc(max, sizeof(**arr))) == NULL) {
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
        return NULL;
    }
    sl_object *o = &(*arr)[*n];
    *o = (sl_object){.name = strdup(name), .line = line};
    if (o->name == NULL) {
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
        return NULL;
    }
    (*n)++;
    return o;
}

void sl__object_open(sl__parser *ps, const char *kind, const char *name)
{
    sl_scenario *sc = &ps->s->pub;
    bool queue = kind[0] == 'q';
    if (!sl__check_section_name(ps, kind, name, queue ? "jobs" : "hits"))
        return;
    const char *other;
    const sl_object *dup = find_object(sc, name, &other);
    if (dup != NULL) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate name '%s' (first used at line %u)", name,
                 dup->line);
        return;
    }
    if (queue) {
        if (add_object(ps, &sc->queues, &sc->n_queues, SL_SCENARIO_MAX_QUEUES, "queues", name,
                       ps->line) == NULL)
            return;
        ps->obj = sc->n_queues - 1;
    } else {
        if (ps->s->windows == NULL &&
            (ps->s->windows = calloc(SL_SCENARIO_MAX_COUNTERS, sizeof(uint64_t))) == NULL) {
            sl__fail(ps, 0, SL_ENOMEM, "out of memory");
            return;
        }
        if (add_object(ps, &sc->counters, &sc->n_counters, SL_SCENARIO_MAX_COUNTERS, "counters",
                       name, ps->line) == NULL)
            return;
        ps->obj = sc->n_counters - 1;
    }
    ps->obj_key = 0;
    ps->shared_key = 0;
    ps->sec = queue ? SL__SEC_QUEUE : SL__SEC_COUNTER;
}

/* A counter's `shared = yes|no`: where the integer lives when processes
 * run the tasks (threads and coroutines share it either way). */
static void counter_shared(sl__parser *ps, sl_object *o, const char *value)
{
    char q[64];
    if (ps->shared_key != 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate key 'shared' (first at line %u)",
                 ps->shared_key);
        return;
    }
    ps->shared_key = ps->line;
    if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)
        o->shared = value[0] == 'y';
    else
        sl__fail(ps, ps->line, SL_EPARSE, "shared must be yes or no, got '%s'",
                 sl__clip(value, q, sizeof(q)));
}

void sl__object_key(sl__parser *ps, const char *key, const char *value)
{
    char q[64], msg[SL__MSG_MAX];
    sl_scenario *sc = &ps->s->pub;
    bool queue = ps->sec == SL__SEC_QUEUE;
    const char *want = queue ? "capacity" : "window";
    sl_object *o = queue ? &sc->queues[ps->obj] : &sc->counters[ps->obj];
    if (!queue && strcmp(key, "shared") == 0) {
        counter_shared(ps, o, value);
        return;
    }
    if (strcmp(key, want) != 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "unknown key '%s' in [%s %s] (expected %s)",
                 sl__clip(key, q, sizeof(q)), queue ? "queue" : "counter", o->name,
                 queue ? want : "window or shared");
        return;
    }
    if (ps->obj_key != 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate key '%s' (first at line %u)", want,
                 ps->obj_key);
        return;
    }
    ps->obj_key = ps->line;
    uint64_t v;
    if (queue) {
        int rc = sl__parse_uint(value, UINT64_MAX, &v);
        if (rc == SL_EPARSE)
            sl__fail(ps, ps->line, SL_EPARSE, "capacity must be a whole number, got '%s'",
                     sl__clip(value, q, sizeof(q)));
        else if (rc < 0 || v < 1 || v > SL_SCENARIO_MAX_ITEMS)
            sl__fail(ps, ps->line, SL_EPARSE, "capacity must be between 1 and %u, got %s",
                     SL_SCENARIO_MAX_ITEMS, sl__clip(value, q, sizeof(q)));
        else
            o->capacity = (uint32_t)v;
        return;
    }
    if (sl__parse_duration(value, &v, msg) < 0)
        sl__fail(ps, ps->line, SL_EPARSE, "%s", msg);
    else if (v > SL__MAX_WINDOW_NS)
        sl__fail(ps, ps->line, SL_EPARSE, "window must be at most 1s, got %s",
                 sl__clip(value, q, sizeof(q)));
    else
        ps->s->windows[ps->obj] = v;
}

void sl__object_close(sl__parser *ps)
{
    if (ps->err != 0 || ps->sec != SL__SEC_QUEUE || ps->obj_key != 0)
        return;
    const sl_object *o = &ps->s->pub.queues[ps->obj];
    sl__fail(ps, o->line, SL_EPARSE,
             "queue '%s' has no capacity (add a line such as 'capacity = 4')", o->name);
}

/* The lock called name, declared now if this is its first use. */
static int lock_index(sl__parser *ps, const sl__step_tpl *t)
{
    sl_scenario *sc = &ps->s->pub;
    for (uint32_t i = 0; i < sc->n_locks; i++)
        if (strcmp(sc->locks[i].name, t->obj) == 0)
            return (int)i;
    const char *kind;
    const sl_object *o = find_object(sc, t->obj, &kind);
    if (o != NULL) {
        sl__fail(ps, t->line, SL_EPARSE, "'%s' is a %s (line %u); give the lock a name of its own",
                 t->obj, kind, o->line);
        return -1;
    }
    if (add_object(ps, &sc->locks, &sc->n_locks, SL_SCENARIO_MAX_LOCKS, "locks", t->obj, t->line) ==
        NULL)
        return -1;
    return (int)sc->n_locks - 1;
}

/* Sets t->obj_index from its name; false (with the error set) if unknown. */
static bool resolve(sl__parser *ps, sl__step_tpl *t)
{
    const sl_scenario *sc = &ps->s->pub;
    int idx = -1;
    if (t->kind == SL_STEP_LOCK || t->kind == SL_STEP_UNLOCK) {
        idx = lock_index(ps, t);
        if (idx < 0)
            return false;
    } else {
        bool queue = t->kind != SL_STEP_INC;
        const sl_object *arr = queue ? sc->queues : sc->counters;
        uint32_t n = queue ? sc->n_queues : sc->n_counters;
        for (uint32_t i = 0; i < n && idx < 0; i++)
            if (strcmp(arr[i].name, t->obj) == 0)
                idx = (int)i;
        if (idx < 0) {
            const char *verb = t->kind == SL_STEP_PUT    ? "put to"
                               : t->kind == SL_STEP_TAKE ? "take from"
                                                         : "inc of";
            const char *kind = queue ? "queue" : "counter";
            sl__fail(ps, t->line, SL_EPARSE,
                     "%s unknown %s '%s' (declare it with a [%s %s] section)", verb, kind, t->obj,
                     kind, t->obj);
            return false;
        }
    }
    t->obj_index = (uint16_t)idx;
    return true;
}

/* Walks one program: every lock taken is released, none twice. */
static void check_pairs(sl__parser *ps, const sl__section *sec)
{
    uint32_t held_at[SL_SCENARIO_MAX_LOCKS] = {0}; /* line of the lock step, 0: free */
    for (uint32_t i = 0; i < sec->n_steps && ps->err == 0; i++) {
        const sl__step_tpl *t = &sec->steps[i];
        if (t->kind == SL_STEP_LOCK && held_at[t->obj_index] != 0)
            sl__fail(ps, t->line, SL_EPARSE,
                     "lock '%s' again while %s '%s' holds it (locked at line %u); locks are "
                     "not re-entrant",
                     t->obj, sec_word(sec), sec->name, held_at[t->obj_index]);
        else if (t->kind == SL_STEP_LOCK)
            held_at[t->obj_index] = t->line;
        else if (t->kind == SL_STEP_UNLOCK && held_at[t->obj_index] == 0)
            sl__fail(ps, t->line, SL_EPARSE,
                     "unlock '%s' without a matching 'lock %s' before it in %s '%s'", t->obj,
                     t->obj, sec_word(sec), sec->name);
        else if (t->kind == SL_STEP_UNLOCK)
            held_at[t->obj_index] = 0;
    }
    for (uint32_t i = 0; i < sec->n_steps && ps->err == 0; i++) {
        const sl__step_tpl *t = &sec->steps[i];
        if (t->kind == SL_STEP_LOCK && held_at[t->obj_index] == t->line)
            sl__fail(ps, t->line, SL_EPARSE,
                     "%s '%s' never unlocks '%s' (locked at line %u); add 'step = unlock %s'",
                     sec_word(sec), sec->name, t->obj, t->line, t->obj);
    }
}

void sl__objects_finish(sl__parser *ps)
{
    sl__scenario *s = ps->s;
    for (uint32_t g = 0; g < s->n_sections && ps->err == 0; g++) {
        sl__section *sec = &s->sections[g];
        for (uint32_t i = 0; i < sec->n_steps && ps->err == 0; i++)
            if (sl__step_has_obj(sec->steps[i].kind))
                resolve(ps, &sec->steps[i]);
        if (ps->err == 0)
            check_pairs(ps, sec);
    }
    for (uint32_t i = 0; i < s->pub.n_counters; i++) {
        double w = (double)s->windows[i] * s->pub.time_scale + 0.5;
        s->pub.counters[i].window_ns = (uint64_t)w;
    }
}
