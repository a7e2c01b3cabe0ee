/*
 * cmd-record.c - `schedlab record [SCENARIO] [--demo DEMO] -o OUT.cast`:
 * a lesson's demo played headless into an asciicast file (v2, or v3 with
 * markers).
 *
 * No terminal is needed (CI records the lessons). The lesson and the demo
 * are loaded and checked here, before anything runs, so a typo in either
 * is reported with its file and line and exit code 2.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/cli.h"
#include "cli/cmd-record.h"
#include "cli/config.h"
#include "cli/lesson-page.h"
#include "schedlab/error.h"
#include "schedlab/export.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"

int sl_cmd_record_help(void)
{
    printf(
        "usage: schedlab record [SCENARIO] [--demo DEMO] -o OUT.cast [-s STRATEGY] [-w N]\n"
        "                       [--size COLSxROWS] [--fps N] [--idle-limit S] [--mono] [--ascii]\n"
        "                       [--cast-format v2|v3] [--theme NAME] [--html OUT.html]\n"
        "\n"
        "Plays a demo script on the live view without a terminal and writes what the\n"
        "screen showed as an asciicast file (play it with `asciinema play OUT.cast`).\n"
        "DEMO is a file or a lesson name (assets/demos/NAME.demo); by default the\n"
        "lesson's own demo. SCENARIO defaults to the demo's first `lesson` line.\n"
        "Waits cost no time, but runs go at their real pace, so the cast shows them as\n"
        "they happened. `schedlab replay TRACE --demo DEMO -o OUT.cast` records a saved\n"
        "trace instead: the same file, byte for byte, every time.\n\n"
        "  -o, --output FILE    the cast to write\n"
        "  --demo DEMO          the script to play\n"
        "  -s, --strategy NAME  strategy before the script chooses one\n"
        "  -w, --workers N      pool size for pool strategies\n"
        "  --size COLSxROWS     screen size (default 120x40, at least 80x24)\n"
        "  --fps N              at most N frames a second (default 30)\n"
        "  --idle-limit S       shorten pauses in the cast to at most S seconds\n"
        "  --cast-format v2|v3  asciicast v2 (default; asciinema 2.x) or v3 (asciinema\n"
        "                       3.0), which marks each `say` and predict question\n"
        "  --theme NAME         default, projector (bright, bold, nothing dim) or mono\n"
        "  --mono, --ascii      no colours / ASCII glyphs\n"
        "  --html OUT.html      also one page for a course site (see `schedlab export\n"
        "                       --help`): the cast (as v3) in asciinema-player, the\n"
        "                       timeline and numbers of the main view's last run\n\n"
        "Demo language, one command a line (# starts a comment):\n"
        "  lesson NAME      load a lesson (does not run it)\n"
        "  strategy NAME    choose the strategy of the next run\n"
        "  run              start the run (a saved trace: play it from the start)\n"
        "  until-done       wait until no run is going and playback has stopped\n"
        "  wait 2s|500ms    let time pass\n"
        "  key KEY...       press keys: Space Enter Tab Esc Left Right Up Down Home\n"
        "                   End PgUp PgDn or one character (c p q 1-9 + - [ ])\n"
        "  say TEXT         caption in the caption bar; `say` alone clears it\n"
        "  pause            live (tui --demo): wait for a key; recording: hold 2 s\n\n"
        "exit: 0 written, 2 bad usage, lesson or demo, 3 internal error, 130 interrupted\n");
    return SL_EXIT_SUCCESS;
}

static int number(const char *cmd, const char *opt, const char *s, double lo, double hi,
                  double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "schedlab %s: %s takes a number from %g to %g\n", cmd, opt, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int sl__cast_format_option(const char *cmd, int argc, char **argv, int *i, int *version)
{
    if (strcmp(argv[*i], "--cast-format") != 0)
        return 0;
    const char *v = *i + 1 < argc ? argv[++*i] : "";
    if (strcmp(v, "v2") == 0 || strcmp(v, "2") == 0) {
        *version = 2;
    } else if (strcmp(v, "v3") == 0 || strcmp(v, "3") == 0) {
        *version = 3;
    } else {
        fprintf(stderr,
                "schedlab %s: --cast-format takes v2 (asciinema 2.x, the default) or v3 "
                "(asciinema 3.0, with markers)\n",
                cmd);
        return -1;
    }
    return 1;
}

int sl__record_option(const char *cmd, int argc, char **argv, int *i, sl_record_opts *r)
{
    const char *a = argv[*i];
    int fmt = sl__cast_format_option(cmd, argc, argv, i, &r->cast_version);
    if (fmt != 0)
        return fmt;
    bool takes = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--size") == 0 ||
                 strcmp(a, "--fps") == 0 || strcmp(a, "--idle-limit") == 0;
    if (!takes)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "schedlab %s: %s needs a value\n", cmd, a);
        return -1;
    }
    const char *v = argv[++*i];
    double d;
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
        r->out = v;
    } else if (strcmp(a, "--size") == 0) {
        int c, rows, n = 0;
        if (sscanf(v, "%dx%d%n", &c, &rows, &n) != 2 || v[n] || c < 80 || rows < 24 || c > 500 ||
            rows > 200) {
            fprintf(stderr, "schedlab %s: --size takes COLSxROWS, from 80x24 to 500x200\n", cmd);
            return -1;
        }
        r->cols = c;
        r->rows = rows;
    } else if (strcmp(a, "--fps") == 0) {
        if (number(cmd, a, v, 1, 60, &d) < 0)
            return -1;
        r->fps = (unsigned)d;
    } else {
        if (number(cmd, a, v, 0.1, 3600, &d) < 0)
            return -1;
        r->idle_limit_s = d;
    }
    return 1;
}

int sl__record_view_option(const char *cmd, int argc, char **argv, int *i, sl_ui_opts *o)
{
    const char *a = argv[*i];
    if ((strcmp(a, "-s") == 0 || strcmp(a, "--strategy") == 0) && *i + 1 < argc) {
        o->strategy = argv[++*i];
    } else if ((strcmp(a, "-w") == 0 || strcmp(a, "--workers") == 0) && *i + 1 < argc) {
        char *end;
        long n = strtol(argv[++*i], &end, 10);
        if (*end || n < 1 || n > 1024) {
            fprintf(stderr, "schedlab %s: --workers takes a number from 1 to 1024\n", cmd);
            return -1;
        }
        o->workers = (uint32_t)n;
    } else if (strcmp(a, "--mono") == 0) {
        o->mono = true;
    } else if (strcmp(a, "--ascii") == 0) {
        o->ascii = true;
    } else {
        return 0;
    }
    return 1;
}

int sl__record_lesson(const char *lesson, sl_scenario **out)
{
    char path[PATH_MAX];
    sl_diag diag;
    if (sl_scenario_resolve(lesson, path, sizeof path) < 0) {
        fprintf(stderr, "%s: no such file, and no lesson of that name (see `schedlab list`)\n",
                lesson);
        return SL_EXIT_USAGE;
    }
    if (sl_scenario_load(path, out, &diag) < 0) {
        char msg[600];
        sl_diag_format(&diag, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        return SL_EXIT_USAGE;
    }
    return SL_EXIT_SUCCESS;
}

int sl__record_demo(const char *cmd, const char *name, sl_demo **out)
{
    char path[PATH_MAX], why[512];
    if (sl_demo_resolve(name, path, sizeof path) < 0) {
        fprintf(stderr, "%s: no such demo file, and no shipped demo of that name\n", name);
        return SL_EXIT_USAGE;
    }
    if (sl_demo_load(path, out, why, sizeof why) < 0) {
        fprintf(stderr, "%s\n", why);
        return SL_EXIT_USAGE;
    }
    return SL_EXIT_SUCCESS;
}

int sl__record_run(const char *cmd, sl_ui_opts *o, const sl_record_opts *r)
{
    char why[512] = "";
    sl_record_stats st;
    int rc = sl_ui_record(o, r, &st, why, sizeof why);
    if (rc == SL_EINTR) {
        fprintf(stderr, "schedlab %s: interrupted; %s holds what was recorded\n", cmd, r->out);
        return SL_EXIT_INTERRUPTED;
    }
    if (rc < 0) {
        fprintf(stderr, "schedlab %s: %s\n", cmd, why[0] ? why : sl_strerror(rc));
        /* An output that could not be written is the user's to fix, like a failed run. */
        bool output = rc == SL_EIO || rc == SL_ENOSPC || rc == SL_EACCES || rc == SL_ENOTREG ||
                      rc == SL_ENOENT;
        return output ? SL_EXIT_RUN_FAILED : SL_EXIT_INTERNAL;
    }
    printf("%s: %.1f s, %zu events, %.0f KiB of terminal output (recorded in %.1f s, "
           "runs %.1f s)\n",
           r->out, st.cast_s, st.events, (double)st.bytes / 1024.0, st.real_s, st.run_s);
    return SL_EXIT_SUCCESS;
}

int sl_cmd_record(int argc, char **argv)
{
    sl_ui_opts o = {0};
    sl_record_opts r = {0};
    const char *lesson = NULL, *demo_name = NULL, *html = NULL;
    static sl_config cfg;
    sl__config_startup(&cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = sl__config_flag(&cfg, "record", argc, argv, &i);
        if (taken == 0)
            taken = sl__record_option("record", argc, argv, &i, &r);
        if (taken == 0)
            taken = sl__record_view_option("record", argc, argv, &i, &o);
        if (taken < 0)
            return SL_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(a, "--demo") == 0 && i + 1 < argc) {
            demo_name = argv[++i];
        } else if (strcmp(a, "--html") == 0 && i + 1 < argc) {
            html = argv[++i];
        } else if (a[0] == '-' || lesson) {
            fprintf(stderr, "schedlab record: unexpected '%s', see `schedlab record --help`\n", a);
            return SL_EXIT_USAGE;
        } else {
            lesson = a;
        }
    }
    if (!r.out) {
        fprintf(stderr, "schedlab record: -o OUT.cast is required\n");
        return SL_EXIT_USAGE;
    }
    if (html && r.cast_version == 2) {
        fprintf(stderr, "schedlab record: --html plays the cast's markers: it needs "
                        "--cast-format v3 (the default with --html)\n");
        return SL_EXIT_USAGE;
    }
    if (html && !sl_export_html_player()) {
        fprintf(stderr, "schedlab record: this schedlab was built without asciinema-player "
                        "(web/node_modules): run .ci/install-deps, then build again\n");
        return SL_EXIT_USAGE;
    }
    if (cfg.origin[SL_CFG_STRATEGY].source == SL_CFG_FROM_FLAG)
        o.strategy = cfg.strategy;
    sl_demo *demo;
    int rc = sl__record_demo("record", demo_name ? demo_name : lesson ? lesson : cfg.lesson, &demo);
    if (rc != SL_EXIT_SUCCESS)
        return rc;
    if (!lesson)
        lesson = sl_demo_first(demo, SL_DEMO_LESSON);
    if (!lesson)
        lesson = cfg.lesson;
    if (!o.strategy)
        o.strategy = sl_demo_first(demo, SL_DEMO_STRATEGY);
    sl__config_apply(&cfg, &o);
    rc = sl__record_lesson(lesson, &o.scenario);
    if (rc != SL_EXIT_SUCCESS) {
        sl_demo_free(demo);
        return rc;
    }
    r.demo = demo;
    char trace_tmp[] = "/tmp/schedlab-record-XXXXXX";
    if (html) {
        /* The page's timeline and numbers: the main view's last run. */
        int fd = mkstemp(trace_tmp);
        if (fd < 0) {
            fprintf(stderr, "schedlab record: cannot make a temporary file in /tmp\n");
            sl_demo_free(demo);
            return SL_EXIT_INTERNAL;
        }
        close(fd);
        r.cast_version = 3;
        r.trace_out = trace_tmp;
    }
    rc = sl__record_run("record", &o, &r);
    sl_demo_free(demo);
    if (html && rc == SL_EXIT_SUCCESS) {
        char why[600] = "";
        int prc = sl__lesson_page(trace_tmp, NULL, r.out, html, why, sizeof why);
        if (prc < 0) {
            fprintf(stderr, "schedlab record: %s\n", why[0] ? why : sl_strerror(prc));
            rc = SL_EXIT_RUN_FAILED;
        } else if (strcmp(html, "-") != 0) {
            printf("%s: the page, with %s\n", html, r.out);
        }
    }
    if (html)
        unlink(trace_tmp);
    return rc;
}
