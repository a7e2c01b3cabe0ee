/*
 * scenario-int.h - the scenario module's private types: what the file says.
 *
 * A loaded scenario keeps the templates it was written as (sections with
 * their step programs and unexpanded ranges) next to the public expansion,
 * so sl_scenario_set_task_count can redraw the tasks and sl_scenario_summary
 * can print the program as the lecturer wrote it.
 */
#ifndef SL_SCENARIO_INT_H
#define SL_SCENARIO_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "schedlab/scenario.h"

#define SL__NAME_MAX 40                /* characters of a group or task name */
#define SL__MAX_SECTIONS 10000u        /* [group]/[task] sections per file */
#define SL__MAX_REPEAT 1000000u        /* repeat = N */
#define SL__MAX_NS 3600000000000ull    /* one duration, before time_scale: 1 h */
#define SL__MAX_BYTES 1073741824ull    /* one io body: 1 GiB */
#define SL__MAX_SUMSQ 1000000000000ull /* cpu-sumsq n, before time_scale */
#define SL__MAX_TIME_SCALE 1000.0      /* [run] time_scale */
#define SL__SUMSQ_PS_PER_ITER 300u     /* estimate for totals: 0.3 ns per i*i */
#define SL__MSG_MAX 256                /* sl_diag.message */
#define SL__MAX_WINDOW_NS 1000000000ull /* a counter's window, before time_scale: 1 s */
#define SL__NO_OBJ UINT16_MAX           /* a step that names no shared object */

/* An inclusive range of a step parameter; a plain value has lo == hi. */
typedef struct sl__range {
    uint64_t lo, hi;
} sl__range;

/* One `step = ...` line as written, before draws and time_scale. */
typedef struct sl__step_tpl {
    uint8_t kind;  /* sl_step_kind */
    bool plus_i;   /* cpu-sumsq: add the task's index within its group */
    uint32_t line; /* line of the step */
    sl__range ns;  /* cpu, sleep, io delay */
    sl__range n;   /* cpu-sumsq n, io bytes */
    char *url;     /* get: owned */
    char *obj;     /* put/take/inc/lock/unlock: the object's name, owned */
    uint16_t obj_index; /* that object's index once resolved, else SL__NO_OBJ */
} sl__step_tpl;

/* One [group NAME] or [task NAME] section. */
typedef struct sl__section {
    char *name;          /* owned */
    uint64_t hash;       /* of name, seeds its draws */
    uint32_t line;       /* of the section header */
    bool is_task;        /* [task]: a single task named exactly `name` */
    uint32_t count;      /* tasks (1 for [task] until set_task_count) */
    uint32_t count_line; /* line of `count =`, 0 if absent */
    uint32_t repeat;     /* program repetitions */
    uint32_t repeat_line;
    sl__step_tpl *steps;
    uint32_t n_steps, cap_steps;
} sl__section;

/* What sl_scenario_load allocates: the public struct comes first, so an
 * sl_scenario pointer from the loader is also an sl__scenario pointer. */
typedef struct sl__scenario {
    sl_scenario pub;
    sl__section *sections;
    uint32_t n_sections, cap_sections;
    char *task_names; /* one block holding every task's name */
    uint64_t *windows; /* per counter: window as written, before time_scale */
} sl__scenario;

/* Step grammar (scenario-steps.c). sl__step_parse and sl__parse_duration
 * return 0, or SL_EPARSE (SL_ENOMEM) with a sentence in msg[SL__MSG_MAX];
 * the two number parsers return SL_EPARSE (malformed) or SL_ELIMIT (> max). */
int sl__step_parse(const char *text, sl__step_tpl *out, char *msg);
int sl__parse_duration(const char *tok, uint64_t *ns, char *msg);
int sl__parse_uint(const char *tok, uint64_t max, uint64_t *out);
int sl__parse_decimal(const char *tok, double *out);

/* Writing values back (scenario-format.c). */
/* Copies s (or its first len bytes) into buf[size] for quoting in a message:
 * cut at a character boundary with "..." when it does not fit. Returns buf. */
const char *sl__clip(const char *s, char *buf, size_t size);
const char *sl__clip_n(const char *s, size_t len, char *buf, size_t size);
/* Writes a duration the way a scenario would: "300ms", "1.5s", "12.346s". */
void sl__format_ns(uint64_t ns, char *buf, size_t size);
/* Writes a size as "20k", "1M" or plain bytes. */
void sl__format_bytes(uint64_t n, char *buf, size_t size);
/* Writes a step template as a `step =` value. */
void sl__format_step(const sl__step_tpl *t, char *buf, size_t size);

/* Whether name is 1..SL__NAME_MAX letters, digits, '-', '_' or '.'. */
bool sl__valid_name(const char *name);

/* Whether steps of this kind name a shared object. */
static inline bool sl__step_has_obj(int kind)
{
    return kind >= SL_STEP_PUT && kind <= SL_STEP_UNLOCK;
}

/* Step names (step-names.c): SL_STEP__COUNT when unknown. */
int sl__step_kind_find(const char *name);
extern const char sl__step_kinds_expected[];

/* Expansion (scenario-expand.c). `counts` (one per section) or NULL for the
 * sections' own counts. On success replaces groups, tasks, steps and names;
 * on failure leaves sc untouched and returns SL_ELIMIT or SL_ENOMEM. */
int sl__expand(sl__scenario *s, const uint32_t *counts);
uint64_t sl__name_hash(const char *name);

/* Frees the templates and expansion of a scenario under construction. */
void sl__scenario_destroy(sl__scenario *s);

#endif
