/*
 * lesson-page.c - a saved run as a page for a course site
 * (`export TRACE --html OUT.html`).
 *
 * The page's cast is recorded here from the trace itself, headless and as
 * asciicast v3, so it carries markers: a demo (the user's, or one made
 * from the trace: the title, the run played over the lecture pace, the
 * takeaway) played on the replay, the same bytes every time. The measured
 * table, the takeaway and the SVG come from the same trace; the caption
 * from the lesson it names, when that lesson is found.
 */
#include "cli/lesson-page.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/export.h"
#include "schedlab/file.h"
#include "schedlab/scenario.h"

/* At most n characters of s (whole UTF-8 characters), as a `say` allows. */
static void clip_chars(char *dst, size_t size, const char *s, size_t n)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < n && i + 4 < size) {
        size_t len = 1;
        while (((unsigned char)s[i + len] & 0xC0) == 0x80)
            len++;
        memcpy(dst + i, s + i, len);
        i += len;
        chars++;
    }
    dst[i] = '\0';
}

/* The demo made from the trace: a caption, the run over 10 s, the takeaway. */
static char *default_demo(const sl_trace *t, const char *takeaway)
{
    char say1[4 * SL_DEMO_MAX_SAY + 1], say2[4 * SL_DEMO_MAX_SAY + 1], line[1024];
    snprintf(line, sizeof line, "%s, under %s: watch the ready and waiting lists.",
             t->meta.title[0] ? t->meta.title : t->meta.scenario, t->meta.strategy);
    clip_chars(say1, sizeof say1, line, SL_DEMO_MAX_SAY);
    clip_chars(say2, sizeof say2, takeaway, SL_DEMO_MAX_SAY);
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    /* `key L`: the lecture pace (10 s a run), so a fast run can be followed. */
    fprintf(f, "wait 1s\nsay %s\nkey L\nrun\nuntil-done\n", say1);
    if (say2[0])
        fprintf(f, "say %s\n", say2);
    fputs("wait 4s\n", f);
    fclose(f);
    return text;
}

/* The measured numbers, one a line, for the page's side. */
static void write_table(FILE *f, const sl_trace *t, const sl_stats *s)
{
    char d[32];
    fprintf(f, "strategy        %s%s\n", t->meta.strategy,
            t->meta.gil == SL_GIL_ON    ? " (GIL)"
            : t->meta.gil == SL_GIL_OFF ? " (no GIL)"
                                        : "");
    fprintf(f, "tasks           %u done, %u failed, %u cancelled, %u not run\n", s->completed,
            s->failed, s->cancelled, s->not_started);
    fprintf(f, "wall time       %s\n", sl_fmt_duration(d, sizeof d, s->wall_ns, false));
    fprintf(f, "cpu time        %s\n", sl_fmt_duration(d, sizeof d, s->cpu_ns, false));
    fprintf(f, "cores           %u at most, %.2f on average (of %u)\n", s->max_cores, s->mean_cores,
            t->meta.cores);
    fprintf(f, "ready latency   %.1f ms mean, %.0f ms max\n", s->ready_ms_mean, s->ready_ms_max);
    fprintf(f, "waits overlap   %.0f%%\n", 100.0 * s->io_overlap);
    fprintf(f,
            "switches        %llu voluntary, %llu involuntary,\n"
            "                %llu coroutine, %llu GIL hand-offs\n",
            (unsigned long long)s->switches_voluntary, (unsigned long long)s->switches_involuntary,
            (unsigned long long)s->switches_coroutine, (unsigned long long)s->switches_gil);
    if (s->increments)
        fprintf(f, "lost updates    %llu of %llu increments\n", (unsigned long long)s->lost_updates,
                (unsigned long long)s->increments);
    fprintf(f, "events          %llu (%llu dropped)\n", (unsigned long long)s->events,
            (unsigned long long)s->dropped);
}

/* Records the demo on the trace at `path` into a v3 cast; returns its text. */
static int record_cast(const char *trace_path, const sl_demo *demo, char **cast, size_t *len,
                       char *why, size_t why_size)
{
    sl_ui_opts o = {0};
    int rc = sl_trace_load(trace_path, &o.trace, why, why_size);
    if (rc < 0)
        return rc;
    char tmp[] = "/tmp/schedlab-page-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) {
        sl_trace_free(o.trace);
        snprintf(why, why_size, "cannot make a temporary file in /tmp");
        return SL_EIO;
    }
    close(fd);
    sl_record_opts r = {.out = tmp, .demo = demo, .cast_version = 3, .idle_limit_s = 3};
    sl_record_stats st;
    rc = sl_ui_record(&o, &r, &st, why, why_size);
    if (rc == 0)
        rc = sl_file_read(tmp, (size_t)1 << 30, false, cast, len, why, why_size);
    unlink(tmp);
    return rc;
}

int sl__lesson_page(const char *trace_path, const char *demo_path, const char *cast_path,
                    const char *out_path, char *why, size_t why_size)
{
    if (!sl_export_html_player()) {
        snprintf(why, why_size,
                 "this schedlab was built without asciinema-player (web/node_modules): run "
                 ".ci/install-deps, then build again");
        return SL_ENOTSUP;
    }
    sl_trace *t;
    int rc = sl_trace_load(trace_path, &t, why, why_size);
    if (rc < 0)
        return rc;
    sl_stats st;
    char takeaway[512] = "", *table = NULL, *svg = NULL, *demo_text = NULL, *cast = NULL;
    size_t table_len = 0, svg_len = 0, cast_len = 0;
    sl_scenario *sc = NULL;
    sl_demo *demo = NULL;
    rc = sl_stats_compute(t, &st);
    if (rc == 0) {
        sl_takeaway(&st, &t->meta, takeaway, sizeof takeaway);
        FILE *f = open_memstream(&table, &table_len);
        write_table(f, t, &st);
        fclose(f);
        f = open_memstream(&svg, &svg_len);
        rc = sl_export_svg(t, f);
        fclose(f);
    }
    /* The lesson's caption, when the lesson the trace names is at hand. */
    char path[PATH_MAX];
    sl_diag diag;
    if (t->meta.scenario[0] && sl_scenario_resolve(t->meta.scenario, path, sizeof path) == 0 &&
        sl_scenario_load(path, &sc, &diag) < 0)
        sc = NULL;
    if (rc == 0 && cast_path)
        rc = sl_file_read(cast_path, (size_t)1 << 30, false, &cast, &cast_len, why, why_size);
    else if (rc == 0 && demo_path)
        rc = sl_demo_load(demo_path, &demo, why, why_size);
    else if (rc == 0 && (demo_text = default_demo(t, takeaway)) != NULL)
        rc = sl_demo_parse("the page's demo", demo_text, &demo, why, why_size);
    if (rc == 0 && !cast_path)
        rc = record_cast(trace_path, demo, &cast, &cast_len, why, why_size);
    if (rc == 0) {
        sl_html_page page = {
            .title = t->meta.title[0] ? t->meta.title : t->meta.scenario,
            .caption = sc ? sc->caption : NULL,
            .takeaway = takeaway,
            .table = table,
            .cast = cast,
            .cast_len = cast_len,
            .svg = svg,
            .svg_len = svg_len,
        };
        sl_ofile *of;
        rc = sl_ofile_open(&of, out_path, why, why_size);
        if (rc == 0) {
            rc = sl_export_html(&page, sl_ofile_stream(of));
            if (rc < 0 && rc != SL_EIO) {
                sl_ofile_abort(of);
                snprintf(why, why_size, "%s: %s", out_path, sl_strerror(rc));
            } else {
                rc = sl_ofile_commit(of, why, why_size);
            }
        }
    } else if (!why[0]) {
        snprintf(why, why_size, "%s", sl_strerror(rc));
    }
    free(cast);
    sl_demo_free(demo);
    free(demo_text);
    sl_scenario_free(sc);
    free(table);
    free(svg);
    sl_trace_free(t);
    return rc;
}
