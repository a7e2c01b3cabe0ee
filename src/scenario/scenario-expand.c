/*
 * scenario-expand.c - from section templates to concrete tasks and steps.
 *
 * Every drawn value is a pure function of (seed, section name, task index,
 * repetition, step, field), hashed with the splitmix64 finaliser. Nothing
 * depends on the order of draws, so page-07 gets the same latencies whether
 * the lesson has 20 tasks or `--tasks` made it 1000, and the same on every
 * machine. time_scale is applied after the draw, in double precision on
 * values below 2^53, so it is exact enough and deterministic.
 *
 * Steps are 32 bytes and tasks 24, all in three flat arrays plus one block
 * of names, so a million tasks cost a few allocations, not millions.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-int.h"

uint64_t sl__name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Where one drawn value sits among all the draws of a scenario. */
typedef struct coords {
    uint64_t seed, hash;
    uint32_t task, rep, step;
} coords;

static uint64_t draw(sl__range r, const coords *c, unsigned field)
{
    if (r.lo == r.hi)
        return r.lo;
    uint64_t x = mix(c->seed ^ mix(c->hash ^ mix(((uint64_t)c->task << 32 | c->rep) ^
                                                 mix((uint64_t)c->step << 1 | field))));
    uint64_t span = r.hi - r.lo + 1;
    /* Multiply-shift maps x onto [0, span) without modulo bias worth naming. */
    return r.lo + (uint64_t)(((unsigned __int128)x * span) >> 64);
}

static uint64_t scale(uint64_t v, double k, uint64_t min)
{
    double d = (double)v * k + 0.5;
    uint64_t r = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
    return r < min ? min : r;
}

static void fill_step(sl_step *out, const sl__step_tpl *t, const coords *c, double k)
{
    *out = (sl_step){.kind = t->kind, .line = t->line};
    switch (t->kind) {
    case SL_STEP_CPU:
    case SL_STEP_SLEEP:
        out->ns = scale(draw(t->ns, c, 0), k, 1);
        break;
    case SL_STEP_IO:
        out->ns = scale(draw(t->ns, c, 0), k, 0);
        out->n = draw(t->n, c, 1);
        break;
    case SL_STEP_CPU_SUMSQ:
        out->n = scale(draw(t->n, c, 1) + (t->plus_i ? c->task : 0), k, 1);
        break;
    case SL_STEP_GET:
        out->url = t->url;
        break;
    case SL_STEP_PUT:
    case SL_STEP_TAKE:
    case SL_STEP_INC:
        out->obj = t->obj_index;
        out->n = draw(t->n, c, 1);
        break;
    case SL_STEP_LOCK:
    case SL_STEP_UNLOCK:
        out->obj = t->obj_index;
        break;
    default:
        break;
    }
}

static unsigned digits(uint32_t v)
{
    unsigned d = 1;
    while (v >= 10)
        v /= 10, d++;
    return d;
}

/* Whether the tasks of `sec` are NAME-N (else the one task is NAME). */
static bool numbered(const sl__section *sec, uint32_t count)
{
    return !sec->is_task || count != 1;
}

/* Writes NAME-<index zero padded to width> and its NUL; returns the end. */
static char *write_name(char *p, const char *name, size_t len, bool number, uint32_t index,
                        unsigned width)
{
    memcpy(p, name, len);
    p += len;
    if (number) {
        *p++ = '-';
        for (unsigned i = width; i > 0; i--, index /= 10)
            p[i - 1] = (char)('0' + index % 10);
        p += width;
    }
    *p++ = '\0';
    return p;
}

int sl__expand(sl__scenario *s, const uint32_t *counts)
{
    uint64_t n_tasks = 0, n_steps = 0, name_bytes = 0;
    for (uint32_t g = 0; g < s->n_sections; g++) {
        const sl__section *sec = &s->sections[g];
        uint32_t c = counts != NULL ? counts[g] : sec->count;
        n_tasks += c;
        n_steps += (uint64_t)c * sec->repeat * sec->n_steps;
        name_bytes += (uint64_t)c * (strlen(sec->name) + 2 + digits(c ? c - 1 : 0));
        if (n_tasks > SL_SCENARIO_MAX_TASKS || n_steps > SL_SCENARIO_MAX_STEPS)
            return SL_ELIMIT;
    }

    sl_group *groups = calloc(s->n_sections ? s->n_sections : 1, sizeof(*groups));
    sl_task *tasks = malloc((n_tasks ? n_tasks : 1) * sizeof(*tasks));
    sl_step *steps = malloc((n_steps ? n_steps : 1) * sizeof(*steps));
    char *names = malloc(name_bytes ? name_bytes : 1);
    if (groups == NULL || tasks == NULL || steps == NULL || names == NULL) {
        free(groups), free(tasks), free(steps), free(names);
        return SL_ENOMEM;
    }

    const double k = s->pub.time_scale;
    uint32_t t = 0, st = 0;
    char *np = names;
    for (uint32_t g = 0; g < s->n_sections; g++) {
        const sl__section *sec = &s->sections[g];
        uint32_t c = counts != NULL ? counts[g] : sec->count;
        size_t len = strlen(sec->name);
        unsigned width = digits(c ? c - 1 : 0);
        bool number = numbered(sec, c);
        groups[g] = (sl_group){.name = sec->name, .line = sec->line, .count = c};
        for (uint32_t i = 0; i < c; i++, t++) {
            tasks[t] = (sl_task){
                .name = np, .group = g, .first_step = st, .n_steps = sec->repeat * sec->n_steps};
            np = write_name(np, sec->name, len, number, i, width);
            coords co = {.seed = s->pub.seed, .hash = sec->hash, .task = i};
            for (co.rep = 0; co.rep < sec->repeat; co.rep++)
                for (co.step = 0; co.step < sec->n_steps; co.step++)
                    fill_step(&steps[st++], &sec->steps[co.step], &co, k);
        }
    }

    if (counts != NULL)
        for (uint32_t g = 0; g < s->n_sections; g++)
            s->sections[g].count = counts[g];
    free(s->pub.groups);
    free(s->pub.tasks);
    free(s->pub.steps);
    free(s->task_names);
    s->pub.groups = groups;
    s->pub.n_groups = s->n_sections;
    s->pub.tasks = tasks;
    s->pub.n_tasks = (uint32_t)n_tasks;
    s->pub.steps = steps;
    s->pub.n_steps = (size_t)n_steps;
    s->task_names = names;
    return 0;
}

typedef struct share {
    uint64_t rem; /* remainder of the exact proportional share */
    uint32_t idx;
} share;

/* Largest remainder first; ties in file order, so the result is stable. */
static int by_remainder(const void *a, const void *b)
{
    const share *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

int sl_scenario_set_task_count(sl_scenario *sc, uint32_t n)
{
    sl__scenario *s = (sl__scenario *)sc;
    if (sc == NULL || s->n_sections == 0 || n < s->n_sections || n > SL_SCENARIO_MAX_TASKS)
        return SL_EINVAL;
    uint32_t g_n = s->n_sections;
    uint32_t *counts = malloc(g_n * sizeof(*counts));
    share *order = malloc(g_n * sizeof(*order));
    if (counts == NULL || order == NULL) {
        free(counts), free(order);
        return SL_ENOMEM;
    }
    uint64_t total = 0, sum = 0;
    for (uint32_t g = 0; g < g_n; g++)
        total += s->sections[g].count;
    for (uint32_t g = 0; g < g_n; g++) {
        uint64_t exact = (uint64_t)s->sections[g].count * n;
        counts[g] = (uint32_t)(exact / total);
        order[g] = (share){.rem = exact % total, .idx = g};
        if (counts[g] == 0)
            counts[g] = 1;
        sum += counts[g];
    }
    qsort(order, g_n, sizeof(*order), by_remainder);
    /* Flooring leaves fewer than g_n tasks to hand out. */
    for (uint32_t i = 0; i < g_n && sum < n; i++, sum++)
        counts[order[i].idx]++;
    /* "At least one each" may overshoot: take back from the least deserving. */
    while (sum > n)
        for (uint32_t i = g_n; i > 0 && sum > n; i--)
            if (counts[order[i - 1].idx] > 1)
                counts[order[i - 1].idx]--, sum--;
    free(order);
    int rc = sl__expand(s, counts);
    free(counts);
    return rc;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void sl_scenario_totals(const sl_scenario *sc, uint64_t *cpu_ns, uint64_t *wait_ns)
{
    uint64_t cpu = 0, wait = 0;
    for (size_t i = 0; i < sc->n_steps; i++) {
        const sl_step *st = &sc->steps[i];
        if (st->kind == SL_STEP_CPU)
            cpu = add_sat(cpu, st->ns);
        else if (st->kind == SL_STEP_CPU_SUMSQ)
            cpu = add_sat(cpu, st->n / 1000 * SL__SUMSQ_PS_PER_ITER +
                                   st->n % 1000 * SL__SUMSQ_PS_PER_ITER / 1000);
        else if (st->kind == SL_STEP_IO || st->kind == SL_STEP_SLEEP)
            wait = add_sat(wait, st->ns);
        else if (st->kind == SL_STEP_INC && st->obj < sc->n_counters)
            cpu = add_sat(cpu, st->n * sc->counters[st->obj].window_ns);
    }
    if (cpu_ns != NULL)
        *cpu_ns = cpu;
    if (wait_ns != NULL)
        *wait_ns = wait;
}
