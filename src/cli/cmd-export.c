/*
 * cmd-export.c - `schedlab export TRACE`: a saved run as files for class.
 *
 * One trace, any number of outputs in one go (Perfetto JSON, an SVG
 * timeline, a tick table, span CSV), so a lecturer prepares slides and a
 * worksheet from the same measured run. The trace is loaded and every
 * option checked before anything is written; an output that cannot be
 * written is removed rather than left half-done.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/cli.h"
#include "cli/lesson-page.h"
#include "schedlab/export.h"
#include "schedlab/error.h"
#include "schedlab/file.h"

int sl_cmd_export_help(void)
{
    printf("usage: schedlab export TRACE [--perfetto OUT.json] [--svg OUT.svg]\n"
           "                             [--csv OUT.csv] [--html OUT.html [--demo DEMO]]\n"
           "                             [--ticks [--tick MS] [--tasks A-B] [-o FILE]]\n\n"
           "Turns a trace saved with `schedlab run SCENARIO --trace FILE` into pictures\n"
           "and tables. Give at least one output; several may be given at once.\n\n"
           "  --perfetto OUT.json  Chrome trace event JSON: open it at ui.perfetto.dev\n"
           "                       (a thread per task, a slice per state, counters for\n"
           "                       the ready and waiting lists and each core, switches,\n"
           "                       and an arrow from each wake-up to the next run)\n"
           "  --svg OUT.svg        a timeline picture for slides: a lane per task (per\n"
           "                       group of tasks past 200), a lane per core, a legend\n"
           "  --csv OUT.csv        one row per state span: task,name,state,reason,core,\n"
           "                       start_ms,end_ms,duration_ms\n"
           "  --ticks              an OSTEP-style table, one line per tick: each task's\n"
           "                       state (RUN:step, READY, WAIT:reason, QUEUED, DONE,\n"
           "                       FAIL; blank before spawn), tasks on a core (CPU),\n"
           "                       tasks in io (IOs), then totals; on stdout unless -o\n"
           "  --html OUT.html      one page for a course site, working offline from a file:\n"
           "                       the run replayed in asciinema-player (pausing at each\n"
           "                       caption), the SVG timeline under it, the lesson's\n"
           "                       caption and the measured numbers beside it\n"
           "  --demo DEMO          the demo the page's recording plays (default: the\n"
           "                       title, the run over 10 s, the takeaway)\n"
           "  --tick MS            the tick of --ticks in ms, decimals allowed (10)\n"
           "  --tasks A-B          only tasks A to B (indices from 0, or one index); the\n"
           "                       table wraps past %d tasks or %d columns\n"
           "  -o FILE              write the --ticks table to FILE\n\n"
           "An output named - goes to stdout.\n\n"
           "exit: 0 written, 1 an output could not be written, 2 bad usage or\n"
           "unreadable trace, 3 internal error\n",
           SL_TICKS_MAX_TASKS, SL_TICKS_LINE);
    return SL_EXIT_SUCCESS;
}

typedef struct export_args {
    const char *trace, *perfetto, *svg, *csv, *ticks_out, *html, *demo;
    bool ticks;
    bool has_tasks;
    sl_ticks_opts opts;
} export_args;

static int usage_error(const char *fmt, const char *what)
{
    fputs("schedlab export: ", stderr);
    fprintf(stderr, fmt, what);
    fputs(", see `schedlab export --help`\n", stderr);
    return SL_EXIT_USAGE;
}

/* The value of option argv[*i]: "--opt=VALUE" or the next argument. */
static const char *value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static bool parse_tick(const char *s, uint64_t *ns)
{
    char *end;
    errno = 0;
    double ms = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(ms) || ms <= 0 || ms > 1e9)
        return false;
    *ns = (uint64_t)llround(ms * 1e6);
    return *ns > 0;
}

static bool parse_index(const char *s, char **end, uint32_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, end, 10);
    if (errno || v >= UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_tasks(const char *s, sl_ticks_opts *o)
{
    char *end;
    if (!parse_index(s, &end, &o->first_task))
        return false;
    o->last_task = o->first_task;
    if (*end == '-' && !parse_index(end + 1, &end, &o->last_task))
        return false;
    return *end == '\0' && o->first_task <= o->last_task;
}

/* The field of an option naming an output file, or NULL; `name` gets its spelling. */
static const char **file_option(export_args *a, const char *arg, const char **name)
{
    static const char *const names[] = {"--perfetto", "--svg", "--csv", "-o", "--html", "--demo"};
    const char **slots[] = {&a->perfetto, &a->svg, &a->csv, &a->ticks_out, &a->html, &a->demo};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (is_opt(arg, names[k])) {
            *name = names[k];
            return slots[k];
        }
    }
    return NULL;
}

static int parse(int argc, char **argv, export_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *name, *v;
        const char **slot = file_option(a, arg, &name);
        if (slot) {
            v = value(argc, argv, &i, name);
            if (!v || !v[0])
                return usage_error("%s needs a file name", name);
            *slot = v;
        } else if (strcmp(arg, "--ticks") == 0) {
            a->ticks = true;
        } else if (is_opt(arg, "--tick")) {
            v = value(argc, argv, &i, "--tick");
            if (!v || !parse_tick(v, &a->opts.tick_ns))
                return usage_error("%s needs a positive number of ms", "--tick");
        } else if (is_opt(arg, "--tasks")) {
            v = value(argc, argv, &i, "--tasks");
            if (!v || !parse_tasks(v, &a->opts))
                return usage_error("%s needs A-B or one task index", "--tasks");
            a->has_tasks = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else if (a->trace) {
            return usage_error("unexpected '%s' (one TRACE only)", arg);
        } else {
            a->trace = arg;
        }
    }
    if (!a->trace)
        return usage_error("%s", "expected a TRACE");
    if (!a->perfetto && !a->svg && !a->csv && !a->ticks && !a->html)
        return usage_error("%s", "give at least one of --perfetto, --svg, --csv, --ticks, --html");
    if (a->demo && !a->html)
        return usage_error("%s", "--demo goes with --html");
    if (!a->ticks && (a->ticks_out || a->opts.tick_ns || a->has_tasks))
        return usage_error("%s", "-o, --tick and --tasks go with --ticks");
    return 0;
}

typedef struct output {
    const char *what, *path;
    int (*write)(sl_trace *t, const export_args *a, FILE *out);
} output;

static int write_perfetto(sl_trace *t, const export_args *a, FILE *out)
{
    return sl_export_perfetto(t, out);
}

static int write_svg(sl_trace *t, const export_args *a, FILE *out)
{
    return sl_export_svg(t, out);
}

static int write_csv(sl_trace *t, const export_args *a, FILE *out)
{
    return sl_export_spans_csv(t, out);
}

static int write_ticks(sl_trace *t, const export_args *a, FILE *out)
{
    return sl_export_ticks(t, &a->opts, out);
}

/* Writes one output by sl_ofile's rule ("-" is stdout); returns an exit code. */
static int emit(sl_trace *t, const export_args *a, const output *o)
{
    char why[600];
    sl_ofile *f;
    int rc = sl_ofile_open(&f, o->path, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "schedlab export: %s\n", why);
        return SL_EXIT_RUN_FAILED;
    }
    bool in_place = sl_ofile_in_place(f);
    rc = o->write(t, a, sl_ofile_stream(f));
    if (rc < 0 && rc != SL_EIO) {
        sl_ofile_abort(f);
        if (rc == SL_ELIMIT) {
            fprintf(stderr, "schedlab export: the tick is too small: more than %d rows\n",
                    SL_TICKS_MAX_ROWS);
            return SL_EXIT_USAGE;
        }
        fprintf(stderr, "schedlab export: %s: %s\n", o->what, sl_strerror(rc));
        return SL_EXIT_INTERNAL;
    }
    /* A write error (SL_EIO from the writer) is the stream's: commit names it. */
    if (sl_ofile_commit(f, why, sizeof why) < 0) {
        fprintf(stderr, "schedlab export: %s\n", why);
        return SL_EXIT_RUN_FAILED;
    }
    if (strcmp(o->path, "-") != 0)
        fprintf(stderr, "wrote %s (%s%s)\n", o->path, o->what,
                in_place ? ", written into: not a regular file" : "");
    return SL_EXIT_SUCCESS;
}

int sl_cmd_export(int argc, char **argv)
{
    export_args a = {.opts = {.last_task = UINT32_MAX}};
    int code = parse(argc, argv, &a);
    if (code != 0)
        return code;

    sl_trace *t;
    char why[256] = "";
    int rc = sl_trace_load(a.trace, &t, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", a.trace, why[0] ? why : sl_strerror(rc));
        return SL_EXIT_USAGE;
    }
    if (a.ticks && a.opts.first_task >= t->meta.n_tasks) {
        if (t->meta.n_tasks == 0)
            fprintf(stderr, "schedlab export: %s has no tasks to tabulate\n", a.trace);
        else
            fprintf(stderr, "schedlab export: --tasks starts past the trace's %u tasks\n",
                    t->meta.n_tasks);
        sl_trace_free(t);
        return SL_EXIT_USAGE;
    }

    const output outs[] = {
        {"perfetto", a.perfetto, write_perfetto},
        {"svg", a.svg, write_svg},
        {"csv", a.csv, write_csv},
        {"ticks", a.ticks ? (a.ticks_out ? a.ticks_out : "-") : NULL, write_ticks},
    };
    for (size_t k = 0; k < sizeof outs / sizeof outs[0] && code == 0; k++)
        if (outs[k].path)
            code = emit(t, &a, &outs[k]);
    sl_trace_free(t);
    if (code == 0 && a.html) {
        char hwhy[600] = "";
        rc = sl__lesson_page(a.trace, a.demo, NULL, a.html, hwhy, sizeof hwhy);
        if (rc < 0) {
            fprintf(stderr, "schedlab export: %s\n", hwhy[0] ? hwhy : sl_strerror(rc));
            bool output = rc == SL_EIO || rc == SL_ENOSPC || rc == SL_EACCES || rc == SL_ENOTREG ||
                          rc == SL_ENOENT;
            return rc == SL_EPARSE || rc == SL_ENOTSUP ? SL_EXIT_USAGE
                   : output                            ? SL_EXIT_RUN_FAILED
                                                       : SL_EXIT_INTERNAL;
        }
        if (strcmp(a.html, "-") != 0)
            fprintf(stderr, "wrote %s (html)\n", a.html);
    }
    return code;
}
