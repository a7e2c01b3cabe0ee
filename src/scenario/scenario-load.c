/*
 * scenario-load.c - sl_scenario_load / parse: from bytes to a checked lesson.
 *
 * One path for every input: the file is read whole (it is small, and the
 * reader needs to see NUL bytes, which fgets would hide), libinih walks it
 * line by line through scenario-reader.c, then the whole-file rules are
 * checked (a title, at least one task, names that cannot clash, totals
 * within limits) and the tasks are expanded. The first error wins and is
 * reported as "file:line: what is wrong".
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/file.h"
#include "scenario/scenario-parse.h"

#define DEFAULT_SEED 1
#define DEFAULT_WORKERS 4
#define DEFAULT_GIL_NS 5000000ull

void sl_diag_format(const sl_diag *d, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (d->line == 0)
        snprintf(buf, size, "%s: %s", d->file, d->message);
    else
        snprintf(buf, size, "%s:%u: %s", d->file, d->line, d->message);
}

/* "assets/scenarios/io-download.ini" -> "io-download". */
static char *stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
        n -= 4;
    return strndup(base, n);
}

static void check_totals(sl__parser *ps)
{
    const sl__scenario *s = ps->s;
    uint64_t tasks = 0, steps = 0;
    for (uint32_t i = 0; i < s->n_sections && ps->err == 0; i++) {
        const sl__section *sec = &s->sections[i];
        uint32_t line = sec->count_line ? sec->count_line : sec->line;
        tasks += sec->count;
        steps += (uint64_t)sec->count * sec->repeat * sec->n_steps;
        if (tasks > SL_SCENARIO_MAX_TASKS)
            sl__fail(ps, line, SL_EPARSE, "%s '%s' brings the scenario to %llu tasks (at most %u)",
                     sec->is_task ? "task" : "group", sec->name, (unsigned long long)tasks,
                     SL_SCENARIO_MAX_TASKS);
        else if (steps > SL_SCENARIO_MAX_STEPS)
            sl__fail(ps, sec->repeat_line > line ? sec->repeat_line : line, SL_EPARSE,
                     "%s '%s' brings the scenario to %llu steps (at most %u); lower its count or "
                     "repeat",
                     sec->is_task ? "task" : "group", sec->name, (unsigned long long)steps,
                     SL_SCENARIO_MAX_STEPS);
    }
}

/* The rules that need the whole file. */
static void check_file(sl__parser *ps)
{
    if (ps->err != 0)
        return;
    if (ps->lesson_line == 0)
        sl__fail(ps, 0, SL_EPARSE, "missing [lesson] section with a title");
    else if (ps->s->pub.title == NULL)
        sl__fail(ps, ps->lesson_line, SL_EPARSE, "[lesson] has no title");
    else if (ps->s->n_sections == 0)
        sl__fail(ps, 0, SL_EPARSE, "no tasks: add a [group NAME] or [task NAME] section");
    sl__check_name_clashes(ps);
    check_totals(ps);
    if (ps->err == 0)
        sl__objects_finish(ps);
}

static void parse_text(sl__parser *ps, size_t len)
{
    if (len > SL_SCENARIO_MAX_FILE) {
        sl__fail(ps, 0, SL_EPARSE, "file is too large (at most %u bytes)", SL_SCENARIO_MAX_FILE);
        return;
    }
    ps->name_index = calloc(SL__NAME_INDEX, sizeof(*ps->name_index));
    if (ps->name_index == NULL) {
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
        return;
    }
    int r = ini_parse_stream(sl__read_line, ps, sl__on_key, ps);
    sl__check_pending(ps);
    sl__section_close(ps);
    if (r == -2)
        sl__fail(ps, 0, SL_ENOMEM, "out of memory");
    else if (r > 0)
        sl__fail(ps, (uint32_t)r, SL_EPARSE, "syntax error");
    check_file(ps);
    free(ps->name_index);
}

int sl_scenario_parse_bytes(const char *name, const void *data, size_t len, sl_scenario **out,
                            sl_diag *diag)
{
    sl_diag local;
    if (diag == NULL)
        diag = &local;
    memset(diag, 0, sizeof(*diag));
    snprintf(diag->file, sizeof(diag->file), "%s", name != NULL ? name : "<string>");
    if (out != NULL)
        *out = NULL;
    if (name == NULL || out == NULL || (data == NULL && len != 0)) {
        snprintf(diag->message, sizeof(diag->message), "invalid argument");
        return SL_EINVAL;
    }

    sl__scenario *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(diag->message, sizeof(diag->message), "out of memory");
        return SL_ENOMEM;
    }
    s->pub.seed = DEFAULT_SEED;
    s->pub.workers = DEFAULT_WORKERS;
    s->pub.chunksize = 1;
    s->pub.gil_interval_ns = DEFAULT_GIL_NS;
    s->pub.gil = SL_GIL_ON;
    s->pub.offload = SL_OFFLOAD_ALL;
    s->pub.start = SL_START_FORKSERVER;
    s->pub.time_scale = 1.0;
    s->pub.path = strdup(name);
    s->pub.name = stem(name);

    sl__parser ps = {.s = s, .diag = diag, .p = data, .end = (const char *)data + len};
    if (s->pub.path == NULL || s->pub.name == NULL)
        sl__fail(&ps, 0, SL_ENOMEM, "out of memory");
    else
        parse_text(&ps, len);
    if (ps.err == 0) {
        int rc = sl__expand(s, NULL);
        if (rc < 0)
            sl__fail(&ps, 0, rc, "%s", sl_strerror(rc));
    }
    if (ps.err != 0) {
        sl__scenario_destroy(s);
        return ps.err;
    }
    *out = &s->pub;
    return 0;
}

int sl_scenario_parse(const char *name, const char *text, sl_scenario **out, sl_diag *diag)
{
    return sl_scenario_parse_bytes(name, text, text != NULL ? strlen(text) : 0, out, diag);
}

int sl_scenario_load(const char *path, sl_scenario **out, sl_diag *diag)
{
    sl_diag local;
    if (diag == NULL)
        diag = &local;
    memset(diag, 0, sizeof(*diag));
    snprintf(diag->file, sizeof(diag->file), "%s", path != NULL ? path : "<null>");
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL) {
        snprintf(diag->message, sizeof(diag->message), "invalid argument");
        return SL_EINVAL;
    }
    /* The parser names the cap itself, so one byte more than it is read. */
    char *buf, why[600];
    size_t n;
    int rc = sl_file_read(path, SL_SCENARIO_MAX_FILE + 1, false, &buf, &n, why, sizeof why);
    if (rc < 0) {
        size_t skip = strlen(path) + 2; /* why is "PATH: cause" */
        const char *cause = strlen(why) > skip ? why + skip : why;
        size_t k = strnlen(cause, sizeof(diag->message) - 1);
        memcpy(diag->message, cause, k);
        diag->message[k] = '\0';
        return rc;
    }
    rc = sl_scenario_parse_bytes(path, buf, n, out, diag);
    free(buf);
    return rc;
}
