/*
 * scenario-sections.c - [lesson], [run], [group NAME] and [task NAME].
 *
 * Group and task names share one namespace, kept in a small open-addressing
 * index so a file with thousands of sections still loads in linear time.
 * A group's tasks are named NAME-N, so a section called `page-7` next to a
 * group `page` is refused whatever the counts: after `--tasks` rescales the
 * group, the two could name the same task.
 */
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-parse.h"

static const char *kind_word(const sl__section *s)
{
    return s->is_task ? "task" : "group";
}

/* Index of the section named `name` (with hash h), or -1. */
static long find_name(const sl__parser *ps, const char *name, uint64_t h)
{
    for (uint32_t i = (uint32_t)h % SL__NAME_INDEX;; i = (i + 1) % SL__NAME_INDEX) {
        uint32_t slot = ps->name_index[i];
        if (slot == 0)
            return -1;
        const sl__section *s = &ps->s->sections[slot - 1];
        if (s->hash == h && strcmp(s->name, name) == 0)
            return (long)slot - 1;
    }
}

static void index_add(sl__parser *ps, uint32_t idx, uint64_t h)
{
    uint32_t i = (uint32_t)h % SL__NAME_INDEX;
    while (ps->name_index[i] != 0)
        i = (i + 1) % SL__NAME_INDEX;
    ps->name_index[i] = idx + 1;
}

void sl__section_close(sl__parser *ps)
{
    if (ps->sec == SL__SEC_QUEUE || ps->sec == SL__SEC_COUNTER)
        sl__object_close(ps);
    if (ps->err != 0 || ps->cur == NULL)
        return;
    if (ps->cur->n_steps == 0)
        sl__fail(ps, ps->cur->line, SL_EPARSE,
                 "%s '%s' has no step (add a line such as 'step = cpu 2ms')", kind_word(ps->cur),
                 ps->cur->name);
}

static void open_single(sl__parser *ps, const char *kind, sl__sec sec, uint32_t *first,
                        const char *name)
{
    char q[64];
    if (*name != '\0') {
        sl__fail(ps, ps->line, SL_EPARSE, "[%s] takes no name, got '%s'", kind,
                 sl__clip(name, q, sizeof(q)));
        return;
    }
    if (*first != 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate section [%s] (first at line %u)", kind,
                 *first);
        return;
    }
    *first = ps->line;
    ps->sec = sec;
}

static void open_named(sl__parser *ps, bool is_task, const char *name)
{
    if (!sl__check_section_name(ps, is_task ? "task" : "group", name, is_task ? "solo" : "page"))
        return;
    sl__scenario *s = ps->s;
    if (s->n_sections == SL__MAX_SECTIONS) {
        sl__fail(ps, ps->line, SL_EPARSE, "too many sections (at most %u)", SL__MAX_SECTIONS);
        return;
    }
    uint64_t h = sl__name_hash(name);
    long dup = find_name(ps, name, h);
    if (dup >= 0) {
        sl__fail(ps, ps->line, SL_EPARSE, "duplicate name '%s' (first used at line %u)", name,
                 s->sections[dup].line);
        return;
    }
    if (s->n_sections == s->cap_sections) {
        uint32_t cap = s->cap_sections ? 2 * s->cap_sections : 8;
        sl__section *grown = realloc(s->sections, cap * sizeof(*grown));
        if (grown == NULL) {
            sl__fail(ps, 0, SL_ENOMEM, "out of memory");
            return;
        }
        s->sections = grown;
        s->cap_sections = cap;
    }
    sl__section *sec = &s->sections[s->n_sections];
    *sec = (sl__section){.name = strdup(name),
                         .hash = h,
                         .line = ps->line,
                         .is_task = is_task,
                         .count = 1,
                         .repeat = 1};
    if (sec->name == NULL) {
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
        return;
    }
    index_add(ps, s->n_sections, h);
    ps->cur = sec;
    ps->sec = is_task ? SL__SEC_TASK : SL__SEC_GROUP;
    s->n_sections++;
}

void sl__section_open(sl__parser *ps, const char *inner)
{
    char q[64];
    sl__section_close(ps);
    ps->cur = NULL;
    ps->sec = SL__SEC_NONE;
    if (ps->err != 0)
        return;

    char buf[SL__LINE_MAX + 1];
    size_t n = strlen(inner);
    if (n > SL__LINE_MAX)
        n = SL__LINE_MAX;
    memcpy(buf, inner, n);
    buf[n] = '\0';
    char *kind = buf;
    while (*kind == ' ' || *kind == '\t')
        kind++;
    char *end = kind + strlen(kind);
    while (end > kind && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    char *name = kind + strcspn(kind, " \t");
    if (*name != '\0') {
        *name++ = '\0';
        name += strspn(name, " \t");
    }

    if (strcmp(kind, "lesson") == 0)
        open_single(ps, "lesson", SL__SEC_LESSON, &ps->lesson_line, name);
    else if (strcmp(kind, "run") == 0)
        open_single(ps, "run", SL__SEC_RUN, &ps->run_line, name);
    else if (strcmp(kind, "group") == 0 || strcmp(kind, "task") == 0)
        open_named(ps, kind[0] == 't', name);
    else if (strcmp(kind, "queue") == 0 || strcmp(kind, "counter") == 0)
        sl__object_open(ps, kind, name);
    else
        sl__fail(ps, ps->line, SL_EPARSE,
                 "unknown section [%s] (expected [lesson], [run], [group NAME], [task NAME], "
                 "[queue NAME] or [counter NAME])",
                 sl__clip(inner, q, sizeof(q)));
}

/* If `name` is P-<digits>, the section called P, or -1. */
static long digit_suffix_owner(const sl__parser *ps, const char *name)
{
    const char *dash = strrchr(name, '-');
    if (dash == NULL || dash == name || dash[1] == '\0' ||
        strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return -1;
    char prefix[SL__NAME_MAX + 1];
    size_t n = (size_t)(dash - name);
    memcpy(prefix, name, n);
    prefix[n] = '\0';
    return find_name(ps, prefix, sl__name_hash(prefix));
}

void sl__check_name_clashes(sl__parser *ps)
{
    const sl__scenario *s = ps->s;
    const sl__section *worst_b = NULL, *worst_a = NULL;
    uint32_t worst = 0;
    for (uint32_t i = 0; i < s->n_sections; i++) {
        long a = digit_suffix_owner(ps, s->sections[i].name);
        if (a < 0)
            continue;
        const sl__section *sa = &s->sections[a], *sb = &s->sections[i];
        uint32_t line = sa->line > sb->line ? sa->line : sb->line;
        if (worst == 0 || line < worst)
            worst = line, worst_a = sa, worst_b = sb;
    }
    if (worst != 0)
        sl__fail(ps, worst, SL_EPARSE,
                 "%s '%s' (line %u) looks like a task of %s '%s' (line %u), whose tasks "
                 "are named %s-0, %s-1, ...; rename one",
                 kind_word(worst_b), worst_b->name, worst_b->line, kind_word(worst_a),
                 worst_a->name, worst_a->line, worst_a->name, worst_a->name);
}
