/*
 * scenario-keys.c - the libinih handler: what each `key = value` means.
 *
 * The reader has already told us which section we are in and which line
 * libinih is on (ps->line), so every message below names that line. Keys
 * that make sense once are refused when repeated, naming the first line;
 * `caption` may be repeated to continue its paragraph (libinih's lines are
 * short), and `step` appends a step.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-parse.h"

#define MAX_WORKERS 4096u
#define MAX_CHUNKSIZE 100000u
#define MIN_GIL_NS 1000ull
#define MAX_GIL_NS 10000000000ull
#define MIN_PACE_NS 1000000000ull
#define MAX_PACE_NS 600000000000ull

static const char *const key_words[SL__KEY__COUNT] = {
    [SL__KEY_TITLE] = "title",
    [SL__KEY_STRATEGIES] = "strategies",
    [SL__KEY_SEED] = "seed",
    [SL__KEY_WORKERS] = "workers",
    [SL__KEY_CHUNKSIZE] = "chunksize",
    [SL__KEY_GIL_INTERVAL] = "gil_interval",
    [SL__KEY_GIL] = "gil",
    [SL__KEY_OFFLOAD] = "offload",
    [SL__KEY_TIME_SCALE] = "time_scale",
    [SL__KEY_PACE] = "pace",
    [SL__KEY_START] = "start",
};

/* Marks a once-only key as seen; false (with the error set) if it was. */
static bool first_time(sl__parser *ps, sl__key k)
{
    if (ps->key_line[k] != 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate key '%s' (first at line %u)", key_words[k],
                 ps->key_line[k]);
        return false;
    }
    ps->key_line[k] = ps->line;
    return true;
}

/* A whole number in [lo, hi] for `key`. */
static bool whole(sl__parser *ps, const char *key, const char *value, uint64_t lo, uint64_t hi,
                  uint64_t *out)
{
    char q[64];
    int rc = sl__parse_uint(value, UINT64_MAX, out);
    if (rc == SL_EPARSE) {
        sl__fail(ps, ps->line, SL_EPARSE, "%s must be a whole number, got '%s'", key,
                 sl__clip(value, q, sizeof(q)));
        return false;
    }
    if (rc < 0 || *out < lo || *out > hi) {
        sl__fail(ps, ps->line, SL_EPARSE, "%s must be between %llu and %llu, got %s", key,
                 (unsigned long long)lo, (unsigned long long)hi, sl__clip(value, q, sizeof(q)));
        return false;
    }
    return true;
}

static char *dup_or_fail(sl__parser *ps, const char *value)
{
    char *s = strdup(value);
    if (s == NULL)
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
    return s;
}

/* Strategy names joined as "a, b, c"; the names themselves are checked by
 * the command that runs them. */
static void set_strategies(sl__parser *ps, const char *value)
{
    char norm[SL__LINE_MAX + 1], q[64];
    size_t len = 0;
    const char *p = value;
    for (;;) {
        p += strspn(p, " \t");
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789+_-:");
        const char *after = p + n + strspn(p + n, " \t");
        if (n == 0 || (*after != ',' && *after != '\0')) {
            sl__fail(ps, ps->line, SL_EPARSE,
                     "strategies must be a comma-separated list of names such as "
                     "'sequential, threads', got '%s'",
                     sl__clip(value, q, sizeof(q)));
            return;
        }
        if (len + n + 2 >= sizeof(norm))
            break;
        if (len > 0)
            memcpy(norm + len, ", ", 2), len += 2;
        memcpy(norm + len, p, n);
        len += n;
        if (*after == '\0')
            break;
        p = after + 1;
    }
    norm[len] = '\0';
    ps->s->pub.strategies = dup_or_fail(ps, norm);
}

static void add_caption(sl__parser *ps, const char *value)
{
    sl_scenario *sc = &ps->s->pub;
    size_t n = strlen(value);
    if (n == 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "caption is empty");
        return;
    }
    size_t old = ps->caption_len;
    if (old + 1 + n > SL__CAPTION_MAX) {
        sl__fail(ps, ps->line, SL_EPARSE, "caption is too long (at most %u bytes)",
                 SL__CAPTION_MAX);
        return;
    }
    char *grown = realloc((char *)sc->caption, old + 1 + n + 1);
    if (grown == NULL) {
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
        return;
    }
    if (old > 0)
        grown[old++] = ' ';
    memcpy(grown + old, value, n + 1);
    sc->caption = grown;
    ps->caption_len = old + n;
}

static void lesson_key(sl__parser *ps, const char *key, const char *value)
{
    char q[64];
    if (strcmp(key, "title") == 0) {
        if (!first_time(ps, SL__KEY_TITLE))
            return;
        if (*value == '\0')
            sl__fail(ps, ps->line, SL_EPARSE, "title is empty");
        else
            ps->s->pub.title = dup_or_fail(ps, value);
    } else if (strcmp(key, "caption") == 0) {
        add_caption(ps, value);
    } else if (strcmp(key, "strategies") == 0) {
        if (first_time(ps, SL__KEY_STRATEGIES))
            set_strategies(ps, value);
    } else {
        sl__fail(ps, ps->line, SL_EPARSE,
                 "unknown key '%s' in [lesson] (expected title, caption, strategies)",
                 sl__clip(key, q, sizeof(q)));
    }
}

/* A duration in [lo, hi] (`range` names them) for `key`. */
static bool duration(sl__parser *ps, const char *key, const char *value, uint64_t lo, uint64_t hi,
                     const char *range, uint64_t *out)
{
    char q[64], msg[SL__MSG_MAX];
    if (sl__parse_duration(value, out, msg) < 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "%s", msg);
        return false;
    }
    if (*out < lo || *out > hi) {
        sl__fail(ps, ps->line, SL_EPARSE, "%s must be between %s, got %s", key, range,
                 sl__clip(value, q, sizeof(q)));
        return false;
    }
    return true;
}

static void run_key(sl__parser *ps, const char *key, const char *value)
{
    char q[64];
    sl_scenario *sc = &ps->s->pub;
    uint64_t v;
    int k = 0;
    while (k < SL__KEY__COUNT && (k < SL__KEY_SEED || strcmp(key, key_words[k]) != 0))
        k++;
    if (k == SL__KEY__COUNT) {
        sl__fail(ps, ps->line, SL_EPARSE,
                 "unknown key '%s' in [run] (expected seed, workers, chunksize, gil_interval, "
                 "gil, offload, time_scale, pace, start)",
                 sl__clip(key, q, sizeof(q)));
        return;
    }
    if (!first_time(ps, (sl__key)k))
        return;
    double d;
    switch (k) {
    case SL__KEY_SEED:
        if (whole(ps, key, value, 0, UINT64_MAX, &v))
            sc->seed = v;
        break;
    case SL__KEY_WORKERS:
        if (whole(ps, key, value, 1, MAX_WORKERS, &v))
            sc->workers = (uint32_t)v;
        break;
    case SL__KEY_CHUNKSIZE:
        if (whole(ps, key, value, 1, MAX_CHUNKSIZE, &v))
            sc->chunksize = (uint32_t)v;
        break;
    case SL__KEY_GIL_INTERVAL:
        if (duration(ps, key, value, MIN_GIL_NS, MAX_GIL_NS, "1us and 10s", &v))
            sc->gil_interval_ns = v;
        break;
    case SL__KEY_PACE:
        if (duration(ps, key, value, MIN_PACE_NS, MAX_PACE_NS, "1s and 600s", &v))
            sc->pace_ns = v;
        break;
    case SL__KEY_GIL:
        if (sl_gil_parse(value, &sc->gil) < 0)
            sl__fail(ps, ps->line, SL_EPARSE, "gil must be on or off, got '%s'",
                     sl__clip(value, q, sizeof(q)));
        break;
    case SL__KEY_START:
        sc->start = sl_start_method_parse(value);
        if (sc->start == SL_START_DEFAULT)
            sl__fail(ps, ps->line, SL_EPARSE,
                     "start must be forkserver or spawn, got '%s' (fork is not offered: forking "
                     "a multi-threaded process is unsafe)",
                     sl__clip(value, q, sizeof(q)));
        break;
    case SL__KEY_OFFLOAD:
        if (sl_offload_parse(value, &sc->offload) < 0)
            sl__fail(ps, ps->line, SL_EPARSE, "offload must be cpu, io or all, got '%s'",
                     sl__clip(value, q, sizeof(q)));
        break;
    default:
        if (sl__parse_decimal(value, &d) < 0)
            sl__fail(ps, ps->line, SL_EPARSE,
                     "time_scale must be a number such as 0.5 or 2, got '%s'",
                     sl__clip(value, q, sizeof(q)));
        else if (d <= 0 || d > SL__MAX_TIME_SCALE)
            sl__fail(ps, ps->line, SL_EPARSE,
                     "time_scale must be greater than 0 and at most 1000, got %s",
                     sl__clip(value, q, sizeof(q)));
        else
            sc->time_scale = d;
        break;
    }
}

static void add_step(sl__parser *ps, const char *value)
{
    sl__section *sec = ps->cur;
    char msg[SL__MSG_MAX];
    sl__step_tpl t;
    int rc = sl__step_parse(value, &t, msg);
    if (rc < 0) {
        sl__fail(ps, rc == SL_ENOMEM ? 0 : ps->line, rc, "%s", msg);
        return;
    }
    t.line = ps->line;
    if (sec->n_steps == sec->cap_steps) {
        if (sec->cap_steps >= SL_SCENARIO_MAX_STEPS) {
            free(t.url);
            free(t.obj);
            sl__fail(ps, ps->line, SL_EPARSE, "too many steps in %s '%s'",
                     sec->is_task ? "task" : "group", sec->name);
            return;
        }
        uint32_t cap = sec->cap_steps ? 2 * sec->cap_steps : 4;
        sl__step_tpl *grown = realloc(sec->steps, cap * sizeof(*grown));
        if (grown == NULL) {
            free(t.url);
            free(t.obj);
            sl__fail(ps, 0, SL_ENOMEM, "out of memory");
            return;
        }
        sec->steps = grown;
        sec->cap_steps = cap;
    }
    sec->steps[sec->n_steps++] = t;
}

static void section_key(sl__parser *ps, const char *key, const char *value)
{
    char q[64];
    sl__section *sec = ps->cur;
    uint64_t v;
    if (strcmp(key, "step") == 0) {
        add_step(ps, value);
    } else if (strcmp(key, "count") == 0 && !sec->is_task) {
        if (sec->count_line != 0) {
            sl__fail(ps, ps->line, SL_EPARSE, "duplicate key 'count' (first at line %u)",
                     sec->count_line);
        } else if (whole(ps, key, value, 1, SL_SCENARIO_MAX_TASKS, &v)) {
            sec->count = (uint32_t)v;
            sec->count_line = ps->line;
        }
    } else if (strcmp(key, "count") == 0) {
        sl__fail(ps, ps->line, SL_EPARSE,
                 "[task] has no count (use [group %s] for many tasks like it)", sec->name);
    } else if (strcmp(key, "repeat") == 0) {
        if (sec->repeat_line != 0) {
            sl__fail(ps, ps->line, SL_EPARSE, "duplicate key 'repeat' (first at line %u)",
                     sec->repeat_line);
        } else if (whole(ps, key, value, 1, SL__MAX_REPEAT, &v)) {
            sec->repeat = (uint32_t)v;
            sec->repeat_line = ps->line;
        }
    } else {
        sl__fail(ps, ps->line, SL_EPARSE, "unknown key '%s' in [%s %s] (expected %s)",
                 sl__clip(key, q, sizeof(q)), sec->is_task ? "task" : "group", sec->name,
                 sec->is_task ? "repeat, step" : "count, repeat, step");
    }
}

int sl__on_key(void *user, const char *section, const char *name, const char *value)
{
    sl__parser *ps = user;
    char q[64];
    ps->pending = 0;
    if (ps->err != 0)
        return 1;
    if (*name == '\0') {
        sl__fail(ps, ps->line, SL_EPARSE, "missing key before '='");
        return 1;
    }
    switch (ps->sec) {
    case SL__SEC_LESSON:
        lesson_key(ps, name, value);
        break;
    case SL__SEC_RUN:
        run_key(ps, name, value);
        break;
    case SL__SEC_GROUP:
    case SL__SEC_TASK:
        section_key(ps, name, value);
        break;
    case SL__SEC_QUEUE:
    case SL__SEC_COUNTER:
        sl__object_key(ps, name, value);
        break;
    default:
        sl__fail(ps, ps->line, SL_EPARSE, "key '%s' before any section (start with [lesson])",
                 sl__clip(name, q, sizeof(q)));
        break;
    }
    return 1;
}
