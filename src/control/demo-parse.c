/*
 * demo-parse.c - reading a demo script, with errors a lecturer can act on.
 *
 * Everything that can be checked before the screen is taken is checked
 * here (keys, durations, strategy and lesson names), so a typo stops the
 * demo with "intro.demo:4: unknown command 'wiat'" rather than halfway
 * through a lecture.
 */
#include "schedlab/control.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schedlab/error.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"
#include "schedlab/file.h"
#include "schedlab/ui.h"

int sl_demo_key(const char *name)
{
    return sl_key_by_name(name);
}

typedef struct parser {
    const char *name;
    int line;
    char *why;
    size_t why_size;
} parser;

static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...)
{
    int n = snprintf(p->why, p->why_size, "%s:%d: ", p->name, p->line);
    if (n >= 0 && (size_t)n < p->why_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->why + n, p->why_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return SL_EPARSE;
}

/* "2s", "1.5s", "500ms": at most ten minutes. */
static int parse_duration(const char *s, uint64_t *ns)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isdigit((unsigned char)s[0]))
        return -1;
    double scale;
    if (strcmp(end, "s") == 0)
        scale = 1e9;
    else if (strcmp(end, "ms") == 0)
        scale = 1e6;
    else
        return -1;
    v *= scale;
    if (v < 0 || v > 600e9)
        return -1;
    *ns = (uint64_t)v;
    return 0;
}

/* Characters in a UTF-8 string: every byte but a continuation byte starts one. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const char *const op_names[] = {
    [SL_DEMO_LESSON] = "lesson", [SL_DEMO_STRATEGY] = "strategy",
    [SL_DEMO_WAIT] = "wait",     [SL_DEMO_KEY] = "key",
    [SL_DEMO_SAY] = "say",       [SL_DEMO_PAUSE] = "pause",
    [SL_DEMO_RUN] = "run",       [SL_DEMO_UNTIL_DONE] = "until-done",
};

/* Fills c from one command line (comments and blanks already gone). */
static int parse_cmd(parser *p, char *line, sl_demo_cmd *c)
{
    char *word = line;
    size_t wl = strcspn(line, " \t");
    char *arg = line + wl;
    if (*arg)
        *arg++ = '\0';
    arg += strspn(arg, " \t");
    int op = -1;
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (strcmp(word, op_names[i]) == 0)
            op = (int)i;
    if (op < 0)
        return fail(p, "unknown command '%s'", word);
    *c = (sl_demo_cmd){.op = (sl_demo_op)op, .line = p->line};
    if (op != SL_DEMO_SAY) {
        /* Trailing comments and blanks, except in a caption. */
        char *hash = strchr(arg, '#');
        if (hash && hash > line && (hash[-1] == ' ' || hash[-1] == '\t' || hash == arg))
            *hash = '\0';
        size_t n = strlen(arg);
        while (n > 0 && isspace((unsigned char)arg[n - 1]))
            arg[--n] = '\0';
    }
    switch (c->op) {
    case SL_DEMO_PAUSE:
    case SL_DEMO_RUN:
    case SL_DEMO_UNTIL_DONE:
        if (*arg)
            return fail(p, "'%s' takes no argument", word);
        return 0;
    case SL_DEMO_WAIT:
        if (!*arg)
            return fail(p, "wait needs a duration, such as 2s or 500ms");
        if (parse_duration(arg, &c->ns) < 0)
            return fail(p, "bad duration '%s' (use 2s, 1.5s or 500ms, at most 600s)", arg);
        return 0;
    case SL_DEMO_KEY:
        for (char *k = strtok(arg, " \t"); k; k = strtok(NULL, " \t")) {
            int code = sl_demo_key(k);
            if (code == SL_KEY_NONE)
                return fail(p, "unknown key '%s'", k);
            if (c->n_keys == SL_DEMO_MAX_KEYS)
                return fail(p, "more than %d keys on one line", SL_DEMO_MAX_KEYS);
            c->keys[c->n_keys++] = code;
        }
        if (c->n_keys == 0)
            return fail(p, "key needs at least one key, such as Space or c");
        return 0;
    case SL_DEMO_SAY: {
        size_t n = strlen(arg);
        while (n > 0 && isspace((unsigned char)arg[n - 1]))
            arg[--n] = '\0';
        if (utf8_chars(arg) > SL_DEMO_MAX_SAY)
            return fail(p, "say text longer than %d characters", SL_DEMO_MAX_SAY);
        if (n && !(c->text = strdup(arg)))
            return SL_ENOMEM;
        return 0;
    }
    case SL_DEMO_STRATEGY:
    case SL_DEMO_LESSON:
        if (!*arg || strpbrk(arg, " \t"))
            return fail(p, "%s needs one name", word);
        uint32_t gil;
        if (c->op == SL_DEMO_STRATEGY && !sl_strategy_parse(arg, strlen(arg), &gil))
            return fail(p, "unknown strategy '%s' (see `schedlab list`)", arg);
        char path[PATH_MAX];
        if (c->op == SL_DEMO_LESSON && sl_scenario_resolve(arg, path, sizeof path) < 0)
            return fail(p, "no lesson '%s' (see `schedlab list`)", arg);
        if (!(c->text = strdup(arg)))
            return SL_ENOMEM;
        return 0;
    }
    return fail(p, "unknown command '%s'", word);
}

void sl_demo_free(sl_demo *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->cmds[i].text);
    free(d->cmds);
    free(d->name);
    free(d);
}

int sl_demo_parse(const char *name, const char *text, sl_demo **out, char *why, size_t why_size)
{
    *out = NULL;
    why[0] = '\0';
    sl_demo *d = calloc(1, sizeof *d);
    char *copy = strdup(text);
    if (!d || !copy || !(d->name = strdup(name))) {
        free(copy);
        sl_demo_free(d);
        return SL_ENOMEM;
    }
    parser p = {.name = name, .why = why, .why_size = why_size};
    size_t cap = 0;
    int rc = 0;
    char *save = NULL;
    /* strtok_r on "\n" would skip empty lines and lose the count: split by hand. */
    for (char *line = copy; line && rc == 0; line = save) {
        p.line++;
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        line += strspn(line, " \t");
        if (*line == '\0' || *line == '#')
            continue;
        if (d->n == cap) {
            cap = cap ? cap * 2 : 32;
            sl_demo_cmd *cmds = realloc(d->cmds, cap * sizeof *cmds);
            if (!cmds) {
                rc = SL_ENOMEM;
                break;
            }
            d->cmds = cmds;
        }
        rc = parse_cmd(&p, line, &d->cmds[d->n]);
        if (rc == 0)
            d->n++;
    }
    free(copy);
    if (rc == 0 && d->n == 0) {
        p.line = 1;
        rc = fail(&p, "no commands (see `schedlab record --help` for the language)");
    }
    if (rc < 0) {
        sl_demo_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int sl_demo_load(const char *path, sl_demo **out, char *why, size_t why_size)
{
    *out = NULL;
    char *text;
    size_t len;
    int rc = sl_file_read(path, SL_DEMO_MAX_FILE, false, &text, &len, why, why_size);
    if (rc < 0)
        return rc;
    const char *nul = memchr(text, '\0', len);
    if (nul)
        snprintf(why, why_size, "%s: byte %zu is a NUL byte: a demo is a text file", path,
                 (size_t)(nul - text));
    rc = nul ? SL_EPARSE : sl_demo_parse(path, text, out, why, why_size);
    free(text);
    return rc;
}

const char *sl_demo_first(const sl_demo *d, sl_demo_op op)
{
    for (size_t i = 0; d && i < d->n; i++)
        if (d->cmds[i].op == op)
            return d->cmds[i].text;
    return NULL;
}

int sl_demo_resolve(const char *name_or_path, char *buf, size_t size)
{
    if (sl_file_exists(name_or_path)) {
        int w = snprintf(buf, size, "%s", name_or_path);
        return w >= 0 && (size_t)w < size ? 0 : SL_EINVAL;
    }
    if (strchr(name_or_path, '/'))
        return SL_ENOENT;
    /* Shipped demos sit beside the shipped lessons: assets/demos next to
     * assets/scenarios, wherever the lessons were found. */
    char stem[256];
    snprintf(stem, sizeof stem, "%s", name_or_path);
    size_t n = strlen(stem);
    if (n > 5 && strcmp(stem + n - 5, ".demo") == 0)
        stem[n - 5] = '\0';
    char ini[PATH_MAX];
    if (sl_scenario_resolve(stem, ini, sizeof ini) < 0)
        return SL_ENOENT;
    char *slash = strrchr(ini, '/');
    if (!slash)
        return SL_ENOENT;
    *slash = '\0';
    slash = strrchr(ini, '/');
    const char *dir = ".";
    if (slash) {
        *slash = '\0';
        dir = ini;
    }
    int w = snprintf(buf, size, "%s/demos/%s.demo", dir, stem);
    if (w < 0 || (size_t)w >= size)
        return SL_EINVAL;
    return sl_file_exists(buf) ? 0 : SL_ENOENT;
}
