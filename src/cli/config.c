/*
 * config.c - the user's preferences file, the environment and the options
 * that override both (see config.h for the format).
 *
 * The file is parsed with libinih, as the scenarios are, through a line
 * reader that counts lines and hands libinih a blank line for anything it
 * would drop without a word (a line with no `=`): that line is reported
 * with its number instead. Every value goes through sl__config_set, so a
 * value means the same in the file, in SCHEDLAB_* and on the command line,
 * and a bad one is refused the same way everywhere.
 */
#include "cli/config.h"

#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/file.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"
#include "schedlab/ui.h"

#define DEFAULT_LESSON "io-download"

static const struct {
    const char *section, *name, *env;
} keys[SL_CFG__COUNT] = {
    [SL_CFG_THEME] = {"view", "theme", "SCHEDLAB_THEME"},
    [SL_CFG_MOUSE] = {"view", "mouse", "SCHEDLAB_MOUSE"},
    [SL_CFG_PACE] = {"lecture", "pace", "SCHEDLAB_PACE"},
    [SL_CFG_LESSON] = {"start", "lesson", "SCHEDLAB_LESSON"},
    [SL_CFG_STRATEGY] = {"start", "strategy", "SCHEDLAB_STRATEGY"},
    [SL_CFG_KEYS] = {"keys", "keys", NULL},
};

void sl__config_defaults(sl_config *c)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", c->path);
    *c = (sl_config){.theme = SL_THEME_DEFAULT, .mouse = true, .pace_ns = -1};
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->lesson, sizeof c->lesson, "%s", DEFAULT_LESSON);
}

bool sl__config_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n;
    /* The XDG rule: a relative XDG_CONFIG_HOME is ignored. */
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, size, "%s/schedlab/config.ini", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, size, "%s/.config/schedlab/config.ini", home);
    else
        n = -1;
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return false;
    }
    return true;
}

static int fail(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* "20s", "1.5s", "500ms", "off", "lesson". */
static int parse_pace(const char *v, int64_t *out, char *why, size_t size)
{
    if (strcmp(v, "off") == 0) {
        *out = 0;
        return 0;
    }
    if (strcmp(v, "lesson") == 0) {
        *out = -1;
        return 0;
    }
    char *end;
    double d = strtod(v, &end);
    double scale = strcmp(end, "s") == 0 ? 1e9 : strcmp(end, "ms") == 0 ? 1e6 : 0;
    double ns = d * scale;
    if (end == v || scale == 0 || ns < 1e9 || ns > 600e9)
        return fail(why, size, "pace '%s' is not a duration from 1s to 600s, off or lesson", v);
    *out = (int64_t)ns;
    return 0;
}

/* One [keys] line: NAME = NAME. */
static int add_remap(sl_config *c, const char *from, const char *to, char *why, size_t size)
{
    int a = sl_demo_key(from), b = sl_demo_key(to);
    if (a == SL_KEY_NONE || b == SL_KEY_NONE)
        return fail(why, size,
                    "unknown key '%s' (a character, or Space Enter Tab BTab Esc Left Right Up "
                    "Down Home End PgUp PgDn Backspace)",
                    a == SL_KEY_NONE ? from : to);
    size_t i = 0;
    while (i < c->n_remaps && c->remap[i][0] != a)
        i++;
    if (i == SL_CONFIG_MAX_REMAPS)
        return fail(why, size, "more than %d key remaps", SL_CONFIG_MAX_REMAPS);
    if (i == c->n_remaps)
        c->n_remaps++;
    c->remap[i][0] = a;
    c->remap[i][1] = b;
    size_t n = strlen(c->keys_text);
    snprintf(c->keys_text + n, sizeof c->keys_text - n, "%s%s=%s", n ? " " : "", from, to);
    return 0;
}

int sl__config_set(sl_config *c, sl_config_key key, const char *value, sl_config_source source,
                   const char *what, int line, char *why, size_t why_size)
{
    switch (key) {
    case SL_CFG_THEME: {
        int t = sl_theme_parse(value);
        if (t < 0)
            return fail(why, why_size, "theme '%s' is not one of %s", value, SL_THEME_NAMES);
        c->theme = t;
        break;
    }
    case SL_CFG_MOUSE:
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
            return fail(why, why_size, "mouse '%s' is not on or off", value);
        c->mouse = strcmp(value, "on") == 0;
        break;
    case SL_CFG_PACE:
        if (parse_pace(value, &c->pace_ns, why, why_size) < 0)
            return -1;
        break;
    case SL_CFG_LESSON: {
        char path[PATH_MAX];
        if (sl_scenario_resolve(value, path, sizeof path) < 0)
            return fail(why, why_size, "no lesson '%s' (see `schedlab list`)", value);
        if (strlen(value) >= sizeof c->lesson)
            return fail(why, why_size, "lesson name longer than %zu bytes", sizeof c->lesson - 1);
        snprintf(c->lesson, sizeof c->lesson, "%s", value);
        break;
    }
    case SL_CFG_STRATEGY:
        if (!sl_strategy_find(value) || strlen(value) >= sizeof c->strategy)
            return fail(why, why_size, "no strategy '%s' (see `schedlab list`)", value);
        snprintf(c->strategy, sizeof c->strategy, "%s", value);
        break;
    default:
        return fail(why, why_size, "not a setting");
    }
    sl_config_origin *o = &c->origin[key];
    *o = (sl_config_origin){.source = source, .line = line};
    snprintf(o->what, sizeof o->what, "%s", what ? what : "");
    return 0;
}

/* ---- the file ---- */

typedef struct reader {
    sl_config *c;
    const char *name;
    FILE *err;
    const char *next; /* the text not yet handed to libinih */
    int line;
    char section[32];
} reader;

static void report(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(reader *r, const char *fmt, ...)
{
    fprintf(r->err, "%s:%d: ", r->name, r->line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->err, fmt, ap);
    va_end(ap);
    fputs(" (line ignored)\n", r->err);
    r->c->errors++;
}

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* libinih's line reader: one line a call, a line it would drop replaced by
 * a blank one after saying what is wrong with it. */
static char *read_line(char *buf, int size, void *stream)
{
    reader *r = stream;
    if (!r->next || !*r->next)
        return NULL;
    const char *end = strchr(r->next, '\n');
    size_t len = end ? (size_t)(end - r->next) : strlen(r->next);
    const char *line = r->next;
    r->next = end ? end + 1 : line + len;
    r->line++;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    const char *s = skip_blank(line);
    size_t rest = len - (size_t)(s - line);
    bool blank = rest == 0 || *s == ';' || *s == '#';
    bool ok = blank || (*s == '[' && memchr(s, ']', rest)) || memchr(s, '=', rest);
    if (len + 2 > (size_t)size) {
        report(r, "line longer than %d bytes", size - 2);
        ok = false;
    } else if (!ok) {
        report(r, "'%.*s' is neither `key = value` nor a [section]", (int)(rest > 60 ? 60 : rest),
               s);
    }
    if (!ok) {
        snprintf(buf, (size_t)size, "\n");
        return buf;
    }
    /* Indentation stripped: libinih would read an indented line as the
     * continuation of the key above. */
    snprintf(buf, (size_t)size, "%.*s\n", (int)rest, s);
    return buf;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    char why[300];
    if (strcmp(section, "keys") == 0) {
        if (add_remap(r->c, name, value, why, sizeof why) < 0)
            report(r, "%s", why);
        else
            r->c->origin[SL_CFG_KEYS] =
                (sl_config_origin){.source = SL_CFG_FROM_FILE, .line = r->line};
        return 1;
    }
    for (int k = 0; k < SL_CFG_KEYS; k++) {
        if (strcmp(section, keys[k].section) != 0 || strcmp(name, keys[k].name) != 0)
            continue;
        if (sl__config_set(r->c, (sl_config_key)k, value, SL_CFG_FROM_FILE, NULL, r->line, why,
                           sizeof why) < 0)
            report(r, "%s", why);
        return 1;
    }
    bool known = strcmp(section, "view") == 0 || strcmp(section, "lecture") == 0 ||
                 strcmp(section, "start") == 0;
    if (!known)
        report(r, "unknown section [%s] (expected [view], [lecture], [start] or [keys])", section);
    else
        report(r, "unknown key '%s' in [%s] (expected %s)", name, section,
               strcmp(section, "view") == 0      ? "theme or mouse"
               : strcmp(section, "lecture") == 0 ? "pace"
                                                 : "lesson or strategy");
    return 1;
}

void sl__config_parse(sl_config *c, const char *name, const char *text, FILE *err)
{
    reader r = {.c = c, .name = name, .err = err, .next = text};
    /* Every error is reported by the reader and the handler, each line
     * once, so libinih's own count (the first error's line) adds nothing. */
    ini_parse_stream(read_line, &r, on_value, &r);
}

void sl__config_load(sl_config *c, FILE *err)
{
    if (!c->path[0] || !sl_file_exists(c->path))
        return;
    char *text = NULL, why[PATH_MAX + 100];
    size_t size;
    int rc = sl_file_read(c->path, SL_CONFIG_MAX_FILE, false, &text, &size, why, sizeof why);
    if (rc < 0) {
        fprintf(err, "%s (the defaults are used)\n", why);
        c->errors++;
        c->unreadable = true;
        return;
    }
    c->found = true;
    if (memchr(text, '\0', size))
        fprintf(err, "%s: holds a NUL byte: the rest of the file after it is ignored\n", c->path);
    sl__config_parse(c, c->path, text, err);
    free(text);
}

void sl__config_env(sl_config *c, FILE *err)
{
    for (int k = 0; k < SL_CFG_KEYS; k++) {
        const char *v = getenv(keys[k].env);
        if (!v || !*v)
            continue;
        char why[300];
        if (sl__config_set(c, (sl_config_key)k, v, SL_CFG_FROM_ENV, keys[k].env, 0, why,
                           sizeof why) < 0) {
            fprintf(err, "%s: %s (ignored)\n", keys[k].env, why);
            c->errors++;
        }
    }
}

void sl__config_startup(sl_config *c)
{
    c->path[0] = '\0';
    sl__config_path(c->path, sizeof c->path);
    sl__config_defaults(c);
    sl__config_load(c, stderr);
    sl__config_env(c, stderr);
}

/* ---- options and results ---- */

int sl__config_flag(sl_config *c, const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    char why[300];
    sl_config_key key;
    const char *value;
    if (strcmp(a, "--mono") == 0 || strcmp(a, "--no-mouse") == 0 || strcmp(a, "--mouse") == 0) {
        key = a[2] == 'm' && a[3] == 'o' && a[4] == 'n' ? SL_CFG_THEME : SL_CFG_MOUSE;
        value = key == SL_CFG_THEME ? "mono" : strcmp(a, "--mouse") == 0 ? "on" : "off";
    } else if (strcmp(a, "--theme") == 0 || strcmp(a, "--pace") == 0 || strcmp(a, "-s") == 0 ||
               strcmp(a, "--strategy") == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "schedlab %s: %s needs a value\n", cmd, a);
            return -1;
        }
        key = strcmp(a, "--theme") == 0  ? SL_CFG_THEME
              : strcmp(a, "--pace") == 0 ? SL_CFG_PACE
                                         : SL_CFG_STRATEGY;
        value = argv[++*i];
    } else {
        return 0;
    }
    if (sl__config_set(c, key, value, SL_CFG_FROM_FLAG, a, 0, why, sizeof why) < 0) {
        fprintf(stderr, "schedlab %s: %s\n", cmd, why);
        return -1;
    }
    return 1;
}

void sl__config_apply(const sl_config *c, sl_ui_opts *o)
{
    o->theme = c->theme;
    o->mono = o->mono || c->theme == SL_THEME_MONO;
    o->no_mouse = o->no_mouse || !c->mouse;
    if (c->pace_ns >= 0) {
        o->pace_set = true;
        o->pace_ns = (uint64_t)c->pace_ns;
    }
    if (!o->strategy && c->strategy[0])
        o->strategy = c->strategy;
    o->remap = c->remap;
    o->n_remaps = c->n_remaps;
}

static void print_origin(const sl_config *c, sl_config_key k, FILE *out)
{
    const sl_config_origin *o = &c->origin[k];
    switch (o->source) {
    case SL_CFG_FROM_FILE:
        fprintf(out, "file %s:%d\n", c->path, o->line);
        break;
    case SL_CFG_FROM_ENV:
        fprintf(out, "environment %s\n", o->what);
        break;
    case SL_CFG_FROM_FLAG:
        fprintf(out, "flag %s\n", o->what);
        break;
    default:
        fputs("default\n", out);
        break;
    }
}

void sl__config_print(const sl_config *c, FILE *out)
{
    char pace[32];
    if (c->pace_ns < 0)
        snprintf(pace, sizeof pace, "lesson");
    else if (c->pace_ns == 0)
        snprintf(pace, sizeof pace, "off");
    else
        snprintf(pace, sizeof pace, "%gs", (double)c->pace_ns / 1e9);
    const char *values[SL_CFG__COUNT] = {
        [SL_CFG_THEME] = sl_theme_name(c->theme),
        [SL_CFG_MOUSE] = c->mouse ? "on" : "off",
        [SL_CFG_PACE] = pace,
        [SL_CFG_LESSON] = c->lesson,
        [SL_CFG_STRATEGY] = c->strategy[0] ? c->strategy : "(the lesson's first)",
        [SL_CFG_KEYS] = c->keys_text[0] ? c->keys_text : "(none)",
    };
    fprintf(out, "# %s%s\n",
            c->path[0] ? c->path : "no config file (neither XDG_CONFIG_HOME nor HOME)",
            !c->path[0] || c->found ? ""
            : c->unreadable         ? " (unreadable: defaults)"
                                    : " (not found: defaults)");
    for (int k = 0; k < SL_CFG__COUNT; k++) {
        fprintf(out, "%-9s = %-28s ; ", keys[k].name, values[k]);
        print_origin(c, (sl_config_key)k, out);
    }
}
