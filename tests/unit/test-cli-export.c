/*
 * test-cli-export.c - `schedlab export`: options, errors and exit codes.
 *
 * Calls the command's entry directly (the dispatcher's table is not needed
 * to test it) with stdout and stderr captured into files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedlab/export.h"
#include "schedlab/trace.h"

extern int sl_cmd_export(int argc, char **argv);
extern int sl_cmd_export_help(void);

static char dir[64];

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf = realloc(buf, cap = len + n + 1);
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    buf[len] = '\0';
    return buf;
}

/* Runs the command with stdout and stderr sent to files; returns its exit
 * code and the captured text (caller frees). */
static int run(char **argv, char **out, char **err)
{
    char out_path[128], err_path[128];
    path_in(out_path, sizeof out_path, "stdout.txt");
    path_in(err_path, sizeof err_path, "stderr.txt");
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    int argc = 0;
    while (argv[argc])
        argc++;
    int rc = argv[0] ? sl_cmd_export(argc, argv) : sl_cmd_export_help();
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    *out = slurp(out_path);
    *err = slurp(err_path);
    return rc;
}

static void save_demo(const char *path)
{
    static const sl_event ev[] = {
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 0},
        {.t_ns = 0, .kind = SL_EV_SPAWN, .task = 1},
        {.t_ns = 1000000, .kind = SL_EV_RUN, .task = 0, .core = 0},
        {.t_ns = 2000000, .kind = SL_EV_BLOCK, .task = 0, .reason = SL_WAIT_IO},
        {.t_ns = 2000000, .kind = SL_EV_RUN, .task = 1, .core = 1},
        {.t_ns = 3000000, .kind = SL_EV_WAKE, .task = 0, .reason = SL_WAIT_IO},
        {.t_ns = 3500000, .kind = SL_EV_RUN, .task = 0, .core = 0},
        {.t_ns = 4000000, .kind = SL_EV_EXIT, .task = 1},
        {.t_ns = 5000000, .kind = SL_EV_EXIT, .task = 0},
    };
    static const char *const names[] = {"fetch", "crunch"};
    sl_trace_meta meta = {
        .scenario = "demo", .title = "Demo", .strategy = "threads", .n_tasks = 2, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    assert_int_equal(sl_trace_append(t, ev, sizeof ev / sizeof ev[0]), 0);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/sl-cli-export-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_all_outputs(void **state)
{
    char trace[128], pj[128], svg[128], csv[128], ticks[128];
    path_in(trace, sizeof trace, "run.trace");
    path_in(pj, sizeof pj, "run.json");
    path_in(svg, sizeof svg, "run.svg");
    path_in(csv, sizeof csv, "run.csv");
    path_in(ticks, sizeof ticks, "run.txt");
    save_demo(trace);

    char *out, *err;
    int rc = run((char *[]){"export", trace, "--perfetto", pj, "--svg", svg, "--csv=", NULL}, &out,
                 &err);
    /* "--csv=" names no file: a usage error before anything is written. */
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "--csv needs a file name"));
    assert_int_equal(access(pj, F_OK), -1);
    free(out);
    free(err);

    char csv_opt[160];
    snprintf(csv_opt, sizeof csv_opt, "--csv=%s", csv);
    rc = run((char *[]){"export", trace, "--perfetto", pj, "--svg", svg, csv_opt, "--ticks",
                        "--tick", "0.5", "-o", ticks, NULL},
             &out, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "wrote"));
    free(out);
    free(err);

    char *text = slurp(pj);
    assert_non_null(text);
    assert_memory_equal(text, "{\"displayTimeUnit\":\"ms\"", 23);
    assert_non_null(strstr(text, "\"name\":\"fetch\""));
    free(text);
    text = slurp(svg);
    assert_memory_equal(text, "<?xml", 5);
    assert_non_null(strstr(text, "</svg>\n"));
    free(text);
    text = slurp(csv);
    assert_memory_equal(text, "task,name,state,reason,core,start_ms,end_ms,duration_ms\n0,fetch,",
                        63);
    free(text);

    /* The table in the file is the exporter's, byte for byte; stdout gets it without -o. */
    text = slurp(ticks);
    sl_trace *t;
    assert_int_equal(sl_trace_load(trace, &t, NULL, 0), 0);
    char *want = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&want, &size);
    assert_int_equal(
        sl_export_ticks(t, &(sl_ticks_opts){.tick_ns = 500000, .last_task = UINT32_MAX}, f), 0);
    fclose(f);
    assert_string_equal(text, want);
    assert_non_null(strstr(text, "\n    3.500  RUN:cpu  RUN:cpu "));
    rc = run((char *[]){"export", trace, "--ticks", "--tick=0.5", NULL}, &out, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    free(out);
    free(err);
    free(want);
    free(text);
    sl_trace_free(t);
}

static void test_bad_trace(void **state)
{
    char trace[128], svg[128];
    path_in(trace, sizeof trace, "bad.trace");
    path_in(svg, sizeof svg, "bad.svg");
    FILE *f = fopen(trace, "w");
    fputs("this is not a trace file, just some words long enough for a header......", f);
    fclose(f);
    char *out, *err;
    int rc = run((char *[]){"export", trace, "--svg", svg, NULL}, &out, &err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "bad.trace: not a schedlab trace file"));
    assert_int_equal(access(svg, F_OK), -1);
    free(out);
    free(err);

    /* Cut a valid trace short: the loader's sentence comes through. */
    char good[128];
    path_in(good, sizeof good, "good.trace");
    save_demo(good);
    char *bytes = slurp(good);
    struct stat st;
    assert_int_equal(stat(good, &st), 0);
    f = fopen(trace, "w");
    fwrite(bytes, 1, (size_t)st.st_size - 40, f);
    fclose(f);
    free(bytes);
    rc = run((char *[]){"export", trace, "--csv", "-", NULL}, &out, &err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "truncated"));
    assert_string_equal(out, "");
    free(out);
    free(err);

    path_in(trace, sizeof trace, "missing.trace");
    rc = run((char *[]){"export", trace, "--csv", "-", NULL}, &out, &err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "missing.trace: "));
    free(out);
    free(err);
}

static void test_unwritable_output(void **state)
{
    char trace[128];
    path_in(trace, sizeof trace, "run.trace");
    save_demo(trace);
    char *out, *err;
    int rc = run((char *[]){"export", trace, "--svg", "/nonexistent-dir/x.svg", NULL}, &out, &err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "cannot write /nonexistent-dir/x.svg: No such file or directory"));
    free(out);
    free(err);
    rc = run((char *[]){"export", trace, "--csv", "/dev/full", NULL}, &out, &err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "cannot write /dev/full"));
    free(out);
    free(err);
}

static void test_usage(void **state)
{
    char trace[128];
    path_in(trace, sizeof trace, "run.trace");
    save_demo(trace);
    static const char *const cases[][2] = {
        {"", "give at least one of"},
        {"--ticks --tick 0", "--tick needs"},
        {"--ticks --tasks 3-1", "--tasks"},
        {"--ticks --tasks 5", "past the trace's 2 tasks"},
        {"-o x.txt --svg y", "go with --ticks"},
        {"--bogus", "unknown option '--bogus'"},
        {"--svg", "--svg needs a file name"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char line[128], *argv[8] = {"export", trace};
        int argc = 2;
        snprintf(line, sizeof line, "%s", cases[k][0]);
        for (char *tok = strtok(line, " "); tok && argc < 7; tok = strtok(NULL, " "))
            argv[argc++] = tok;
        argv[argc] = NULL;
        char *out, *err;
        assert_int_equal(run(argv, &out, &err), 2);
        assert_non_null(strstr(err, cases[k][1]));
        free(out);
        free(err);
    }
    char *out, *err;
    assert_int_equal(run((char *[]){"export", "--svg", "x.svg", NULL}, &out, &err), 2);
    assert_non_null(strstr(err, "expected a TRACE"));
    free(out);
    free(err);

    assert_int_equal(run((char *[]){NULL}, &out, &err), 0);
    assert_non_null(strstr(out, "--perfetto"));
    assert_true(strstr(out, "--svg") && strstr(out, "--csv") && strstr(out, "--ticks"));
    assert_true(strstr(out, "--tick MS") && strstr(out, "--tasks A-B"));
    assert_non_null(strstr(out, "exit:"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_outputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
