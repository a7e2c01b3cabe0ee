/*
 * test-control-record.c - asciicast recording: the writer's timeline (merging,
 * idle limit, UTF-8 cut across chunks, resizes), a demo recorded headless
 * from a synthetic trace (every line strict JSON, read with jansson; the
 * header; times never going back; the final screen, replayed through
 * libvterm, showing the lesson and the ready list), the same recording made
 * twice being the same bytes, and the shipped demos parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui-vterm.h"
#include "schedlab/error.h"
#include "schedlab/export.h"
#include "schedlab/control.h"
#include "schedlab/trace.h"

/* ---- a cast file, read and checked line by line ---- */

typedef struct cast {
    json_t *header;
    double times[20000];
    char kinds[20000];
    size_t n;
    char *output; /* every "o" event's data, concatenated */
    size_t output_len;
    char resizes[8][16];
    size_t n_resizes;
    int version;         /* the header's */
    char marks[16][256]; /* v3 markers' labels ... */
    double mark_at[16];  /* ... and times since the start */
    size_t n_marks;
} cast;

/* A member of a JSON object that must be a number. */
static double num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fail_msg("\"%s\" is not a number", key);
    return json_number_value(v);
}

/* A member of a JSON object that must be a string. */
static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("\"%s\" is not a string", key);
    return s;
}

static cast *read_cast(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    cast *c = calloc(1, sizeof *c);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    FILE *out = open_memstream(&c->output, &c->output_len);
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        /* One whole line is one JSON value, nothing after it; strict UTF-8,
         * so a character cut between two chunks shows here. */
        json_error_t err;
        json_t *v = json_loads(line, JSON_REJECT_DUPLICATES, &err);
        if (!v)
            fail_msg("%s:%d:%d: %s: %.80s", path, lineno, err.column, err.text, line);
        if (lineno == 1) {
            assert_true(json_is_object(v));
            c->header = v;
            c->version = (int)num(v, "version");
            assert_true(c->version == 2 || c->version == 3);
            continue;
        }
        const json_t *t = json_array_get(v, 0), *kind = json_array_get(v, 1),
                     *data = json_array_get(v, 2);
        if (!json_is_array(v) || json_array_size(v) != 3 || !json_is_number(t) ||
            !json_is_string(kind) || !json_is_string(data))
            fail_msg("%s:%d: not [time, kind, data]: %.80s", path, lineno, line);
        assert_true(c->n < 20000);
        /* v3 stamps each event with the interval since the one before:
         * kept here as times since the start, as v2 writes them. */
        double at = json_number_value(t);
        if (c->version == 3) {
            assert_true(at >= 0);
            at += c->n ? c->times[c->n - 1] : 0;
        }
        c->times[c->n] = at;
        c->kinds[c->n] = json_string_value(kind)[0];
        if (c->kinds[c->n] == 'o')
            fwrite(json_string_value(data), 1, json_string_length(data), out);
        else if (c->kinds[c->n] == 'r' && c->n_resizes < 8)
            snprintf(c->resizes[c->n_resizes++], 16, "%s", json_string_value(data));
        else if (c->kinds[c->n] == 'm' && c->version == 3 && c->n_marks < 16) {
            c->mark_at[c->n_marks] = at;
            snprintf(c->marks[c->n_marks++], 256, "%s", json_string_value(data));
        } else if (c->kinds[c->n] != 'r')
            fail_msg("%s:%d: event kind '%s'", path, lineno, json_string_value(kind));
        c->n++;
        json_decref(v);
    }
    fclose(out);
    free(line);
    fclose(f);
    assert_true(lineno >= 1);
    return c;
}

static void free_cast(cast *c)
{
    json_decref(c->header);
    free(c->output);
    free(c);
}

/* The header's fixed fields: asciicast v2, the size, the start, the title,
 * and the TERM a player should emulate. */
static void assert_header(const cast *c, int width, int height, double timestamp, const char *title)
{
    assert_int_equal(num(c->header, "version"), 2);
    assert_int_equal(num(c->header, "width"), width);
    assert_int_equal(num(c->header, "height"), height);
    assert_int_equal(num(c->header, "timestamp"), timestamp);
    assert_string_equal(str(c->header, "title"), title);
    assert_string_equal(str(json_object_get(c->header, "env"), "TERM"), "xterm-256color");
}

static void assert_times_ordered(const cast *c)
{
    for (size_t i = 0; i < c->n; i++) {
        assert_true(c->times[i] >= 0);
        if (i)
            assert_true(c->times[i] >= c->times[i - 1]);
    }
}

static char *tmp_path(char *buf, size_t size, const char *stem)
{
    snprintf(buf, size, "/tmp/schedlab-test-%d-%s.cast", (int)getpid(), stem);
    return buf;
}

/* ---- the writer ---- */

/* The writer tests' header: 90x30, 10 frames a second, 1 s idle limit. */
static sl_cast_header writer_header(int version, const char *title)
{
    return (sl_cast_header){.version = version,
                            .width = 90,
                            .height = 30,
                            .timestamp = 1234,
                            .title = title,
                            .term = "xterm-256color",
                            .shell = "/bin/sh",
                            .fps = 10,
                            .idle_limit_s = 1.0};
}

static void test_cast_writer(void **state)
{
    char path[128];
    tmp_path(path, sizeof path, "writer");
    sl_cast_header h = writer_header(0, "A \"quoted\" title");
    sl_cast *c;
    assert_int_equal(sl_cast_open(&c, path, &h), 0);
    const uint64_t ms = 1000000;
    /* Two chunks 20 ms apart merge (a frame is 100 ms); "é" is cut in two. */
    sl_cast_output(c, 0, "hello \xC3", 7);
    sl_cast_output(c, 20 * ms, "\xA9 world\r\n", 9);
    /* 5 s of silence shrinks to the 1 s limit. */
    sl_cast_output(c, 5000 * ms, "\033[1mbold\033[0m \"q\" \\", 18);
    sl_cast_resize(c, 5050 * ms, 100, 35);
    /* A chunk holding only part of a character waits for the rest. */
    sl_cast_output(c, 5300 * ms, "\xE2\x96", 2);
    sl_cast_output(c, 5500 * ms, "\x88 bad:\xFF.", 8);
    /* Time going back is clamped. */
    sl_cast_output(c, 5400 * ms, "!", 1);
    assert_int_equal(sl_cast_close(c), 0);

    cast *k = read_cast(path);
    assert_header(k, 90, 30, 1234, "A \"quoted\" title");
    assert_string_equal(str(json_object_get(k->header, "env"), "SHELL"), "/bin/sh");
    assert_times_ordered(k);
    assert_int_equal(k->n, 4);
    assert_string_equal(k->output, "hello \xC3\xA9 world\r\n\033[1mbold\033[0m \"q\" \\"
                                   "\xE2\x96\x88 bad:\xEF\xBF\xBD.!");
    assert_true(fabs(k->times[0]) < 1e-9);
    assert_true(fabs(k->times[1] - 1.0) < 1e-6); /* 5 s cut to 1 s */
    assert_int_equal(k->kinds[2], 'r');
    assert_true(fabs(k->times[2] - 1.05) < 1e-6);
    assert_string_equal(k->resizes[0], "100x35");
    /* The chunk at 1.3 s held no whole character: its event starts with
     * the rest, at 1.5 s. */
    assert_true(fabs(k->times[3] - 1.5) < 1e-6);
    free_cast(k);
    unlink(path);
}

/* The same timeline as v3: a `term` header, intervals since the previous
 * event that add up to the v2 times, and the marker v2 leaves out. */
static void test_cast_writer_v3(void **state)
{
    char path[128];
    tmp_path(path, sizeof path, "writer-v3");
    sl_cast_header h = writer_header(3, "v3");
    sl_cast *c;
    assert_int_equal(sl_cast_open(&c, path, &h), 0);
    const uint64_t ms = 1000000;
    sl_cast_output(c, 0, "hello ", 6);
    sl_cast_output(c, 20 * ms, "world\r\n", 7);
    sl_cast_marker(c, 700 * ms, "Threads: the \"waits\" overlap");
    sl_cast_output(c, 700 * ms, "A", 1);
    sl_cast_output(c, 5000 * ms, "B", 1); /* 4.3 s of silence cut to 1 s */
    sl_cast_resize(c, 5050 * ms, 100, 35);
    sl_cast_marker(c, 5050 * ms, NULL);
    sl_cast_output(c, 5333 * ms + 333333, "C", 1);
    assert_int_equal(sl_cast_close(c), 0);

    cast *k = read_cast(path);
    assert_int_equal(k->version, 3);
    const json_t *term = json_object_get(k->header, "term");
    assert_int_equal(num(term, "cols"), 90);
    assert_int_equal(num(term, "rows"), 30);
    assert_string_equal(str(term, "type"), "xterm-256color");
    assert_null(json_object_get(k->header, "width"));
    assert_int_equal(num(k->header, "timestamp"), 1234);
    assert_true(fabs(num(k->header, "idle_time_limit") - 1.0) < 1e-9);
    assert_string_equal(str(json_object_get(k->header, "env"), "SHELL"), "/bin/sh");
    assert_string_equal(k->output, "hello world\r\nABC");
    assert_int_equal(k->n, 7);
    const char kinds[] = "omoormo";
    const double at[] = {0, 0.7, 0.7, 1.7, 1.75, 1.75, 2.033333};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(k->kinds[i], kinds[i]);
        if (fabs(k->times[i] - at[i]) > 1e-6)
            fail_msg("event %d at %.6f, not %.6f", i, k->times[i], at[i]);
    }
    assert_int_equal(k->n_marks, 2);
    assert_string_equal(k->marks[0], "Threads: the \"waits\" overlap");
    assert_string_equal(k->marks[1], "");
    assert_string_equal(k->resizes[0], "100x35");
    free_cast(k);

    /* The file itself holds intervals: the fourth event ("B") reads 1.0. */
    size_t n;
    FILE *f = fopen(path, "r");
    char line[256];
    for (int i = 0; i < 5; i++)
        assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    n = strlen(line);
    assert_true(n > 0);
    assert_string_equal(line, "[1.000000, \"o\", \"B\"]\n");

    /* v2 writes no marker; a version other than 2 or 3 is refused. */
    h.version = 2;
    assert_int_equal(sl_cast_open(&c, path, &h), 0);
    sl_cast_output(c, 0, "x", 1);
    sl_cast_marker(c, 10 * ms, "not in v2");
    sl_cast_output(c, 500 * ms, "y", 1);
    assert_int_equal(sl_cast_close(c), 0);
    k = read_cast(path);
    assert_int_equal(k->version, 2);
    assert_int_equal(k->n, 2);
    free_cast(k);
    h.version = 4;
    assert_int_equal(sl_cast_open(&c, path, &h), SL_EINVAL);
    unlink(path);
}

/* ---- the demo language ---- */

static void expect_error(const char *text, const char *message)
{
    sl_demo *d;
    char why[256];
    assert_int_equal(sl_demo_parse("intro.demo", text, &d, why, sizeof why), SL_EPARSE);
    assert_null(d);
    assert_string_equal(why, message);
}

static void test_demo_errors(void **state)
{
    expect_error("lesson io-download\nstrategy threads\nrun\nwiat 2s\n",
                 "intro.demo:4: unknown command 'wiat'");
    expect_error("# comment\n\nwait 2\n", "intro.demo:3: bad duration '2' (use 2s, 1.5s or "
                                          "500ms, at most 600s)");
    expect_error("wait\n", "intro.demo:1: wait needs a duration, such as 2s or 500ms");
    expect_error("wait 601s\n",
                 "intro.demo:1: bad duration '601s' (use 2s, 1.5s or 500ms, at most 600s)");
    expect_error("key Space Spcae\n", "intro.demo:1: unknown key 'Spcae'");
    expect_error("key\n", "intro.demo:1: key needs at least one key, such as Space or c");
    expect_error("strategy fibres\n",
                 "intro.demo:1: unknown strategy 'fibres' (see `schedlab list`)");
    expect_error("lesson no-such-lesson\n",
                 "intro.demo:1: no lesson 'no-such-lesson' (see `schedlab list`)");
    expect_error("lesson\n", "intro.demo:1: lesson needs one name");
    expect_error("run now\n", "intro.demo:1: 'run' takes no argument");
    expect_error("until-done\r\npause please\n", "intro.demo:2: 'pause' takes no argument");
    expect_error("# nothing\n", "intro.demo:1: no commands (see `schedlab record --help` for "
                                "the language)");
    char longsay[300] = "say ";
    memset(longsay + 4, 'x', 201);
    expect_error(longsay, "intro.demo:1: say text longer than 200 characters");
}

/* Before: 150 'é' (300 bytes) were refused as longer than 200 characters. */
static void test_demo_say_counts_characters(void **state)
{
    char text[1024] = "say ";
    for (int i = 0; i < 150; i++)
        strcat(text, "\u00e9");
    sl_demo *d;
    char why[256];
    assert_int_equal(sl_demo_parse("utf8.demo", text, &d, why, sizeof why), 0);
    assert_int_equal(strlen(d->cmds[0].text), 300);
    sl_demo_free(d);
    for (int i = 150; i < 201; i++)
        strcat(text, "\u00e9");
    expect_error(text, "intro.demo:1: say text longer than 200 characters");
}

/* Before: a NUL byte printed uninitialised bytes; /dev/zero was read without
 * end and a FIFO blocked the open. */
static void test_demo_load_refuses_what_is_no_text(void **state)
{
    char path[] = "/tmp/sl-demo-XXXXXX", why[512];
    memset(why, 0x7f, sizeof why);
    int fd = mkstemp(path);
    assert_int_equal(write(fd, "wait 1s\n\0run\n", 13), 13);
    close(fd);
    sl_demo *d;
    assert_int_equal(sl_demo_load(path, &d, why, sizeof why), SL_EPARSE);
    assert_null(d);
    char want[600];
    snprintf(want, sizeof want, "%s: byte 8 is a NUL byte: a demo is a text file", path);
    assert_string_equal(why, want);
    unlink(path);

    assert_int_equal(sl_demo_load("/dev/zero", &d, why, sizeof why), SL_ENOTREG);
    assert_non_null(strstr(why, "/dev/zero: a character device, not a regular file"));
    assert_int_equal(mkfifo(path, 0600), 0);
    char buf[PATH_MAX];
    assert_int_equal(sl_demo_resolve(path, buf, sizeof buf), 0);
    assert_int_equal(sl_demo_load(buf, &d, why, sizeof why), SL_ENOTREG);
    assert_non_null(strstr(why, "a FIFO, not a regular file"));
    unlink(path);
}

static void test_demo_parse(void **state)
{
    const char *text = "# a demo\n"
                       "lesson io-download   # trailing comment\n"
                       "  strategy threads\n"
                       "wait 1.5s\n"
                       "key Space c + 3 Left Esc tab\n"
                       "say Waiting is #1 here\n"
                       "say\n"
                       "run\n"
                       "until-done\n"
                       "wait 250ms\n"
                       "pause\n";
    sl_demo *d;
    char why[256];
    assert_int_equal(sl_demo_parse("ok.demo", text, &d, why, sizeof why), 0);
    assert_int_equal(d->n, 10);
    assert_int_equal(d->cmds[0].op, SL_DEMO_LESSON);
    assert_string_equal(d->cmds[0].text, "io-download");
    assert_int_equal(d->cmds[0].line, 2);
    assert_string_equal(sl_demo_first(d, SL_DEMO_STRATEGY), "threads");
    assert_int_equal(d->cmds[2].ns, 1500000000ull);
    assert_int_equal(d->cmds[3].n_keys, 7);
    const int keys[] = {' ', 'c', '+', '3', SL_KEY_LEFT, SL_KEY_ESC, SL_KEY_TAB};
    for (int i = 0; i < 7; i++)
        assert_int_equal(d->cmds[3].keys[i], keys[i]);
    assert_string_equal(d->cmds[4].text, "Waiting is #1 here");
    assert_null(d->cmds[5].text);
    assert_int_equal(d->cmds[8].ns, 250000000ull);
    assert_int_equal(d->cmds[9].op, SL_DEMO_PAUSE);
    assert_int_equal(d->cmds[9].line, 11);
    sl_demo_free(d);
}

/* Every lesson ships a demo, and every shipped demo parses. */
static void test_shipped_demos(void **state)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/scenarios", SL_TEST_ASSETS);
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    int lessons = 0;
    while ((e = readdir(dp))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".ini") != 0)
            continue;
        char path[1024], why[512];
        snprintf(path, sizeof path, "%s/demos/%.*s.demo", SL_TEST_ASSETS, (int)(n - 4), e->d_name);
        sl_demo *d;
        if (sl_demo_load(path, &d, why, sizeof why) != 0)
            fail_msg("%s: %s", path, why);
        char want[128];
        snprintf(want, sizeof want, "%.*s", (int)(n - 4), e->d_name);
        const char *lesson = sl_demo_first(d, SL_DEMO_LESSON);
        assert_non_null(lesson);
        assert_string_equal(lesson, want);
        sl_demo_free(d);
        lessons++;
    }
    closedir(dp);
    assert_true(lessons >= 3);
    /* A lesson's name finds its demo, wherever the lessons were found. */
    char found[1024];
    assert_int_equal(sl_demo_resolve("io-download", found, sizeof found), 0);
    size_t n = strlen(found);
    assert_true(n > 22 && strcmp(found + n - 22, "demos/io-download.demo") == 0);
    assert_int_equal(sl_demo_resolve("io-download.demo", found, sizeof found), 0);
    assert_int_equal(sl_demo_resolve("no-such-lesson", found, sizeof found), SL_ENOENT);
}

/* ---- recording a demo headless ---- */

static const char replay_demo[] = "say Hello, class: this is a saved run.\n"
                                  "wait 1s\n"
                                  "run\n"
                                  "wait 300ms\n"
                                  "key Space\n"
                                  "wait 2s\n"
                                  "key Space\n"
                                  "until-done\n"
                                  "say\n"
                                  "key Home\n"
                                  "key ] ] ] ] ] ] ] ] ]\n"
                                  "wait 5s\n";

/* Records `demo` on a synthetic trace of 20 tasks, at 100x32. */
static sl_record_stats record_demo(const char *path, const char *demo, double idle, int version)
{
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 20, 2000, 2), 0);
    sl_demo *d;
    char why[256];
    assert_int_equal(sl_demo_parse("test.demo", demo, &d, why, sizeof why), 0);
    sl_ui_opts o = {.trace = tr};
    sl_record_opts r = {.out = path,
                        .demo = d,
                        .cols = 100,
                        .rows = 32,
                        .idle_limit_s = idle,
                        .cast_version = version};
    sl_record_stats st;
    if (sl_ui_record(&o, &r, &st, why, sizeof why) != 0)
        fail_msg("record: %s", why);
    sl_demo_free(d);
    return st;
}

static void record_synthetic(const char *path, double idle)
{
    sl_record_stats st = record_demo(path, replay_demo, idle, 0);
    assert_true(st.events > 5);
    assert_true(st.cast_s > (idle > 0 ? 3.0 : 9.0));
    assert_true(st.run_s == 0); /* a replay never waits in real time */
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(m);
    fclose(f);
    return buf;
}

static void test_record_replay(void **state)
{
    char path[128], again[128];
    tmp_path(path, sizeof path, "replay");
    tmp_path(again, sizeof again, "replay-again");
    record_synthetic(path, 0);
    cast *c = read_cast(path);
    /* A replay is stamped with the run's start (0 for the synthetic run). */
    assert_header(c, 100, 32, 0, "Synthetic lesson - threadpool (replay)");
    str(json_object_get(c->header, "env"), "SHELL");
    assert_times_ordered(c);
    /* Frame rate cap: no two events closer than 1/30 s. */
    for (size_t i = 1; i < c->n; i++)
        assert_true(c->times[i] - c->times[i - 1] > 1.0 / 30 - 1e-6);
    /* The script's length: 1 + 0.3 + 0.25 + 2 + 0.25 + playback + keys + 5 s. */
    assert_true(c->times[c->n - 1] > 9.0);
    /* Only the 16 base colours: no 256-colour or direct-colour sequences. */
    assert_null(strstr(c->output, "38;5;"));
    assert_null(strstr(c->output, "48;5;"));
    assert_null(strstr(c->output, "38;2;"));

    /* What a player shows at the end, through a terminal emulator. */
    VTerm *vt = vterm_new(32, 100);
    vterm_set_utf8(vt, 1);
    VTermScreen *scr = vterm_obtain_screen(vt);
    vterm_screen_reset(scr, 1);
    vterm_input_write(vt, c->output, c->output_len);
    vscreen vs = {.vt = vt, .scr = scr, .cols = 100, .rows = 32};
    if (vs_find(&vs, "Synthetic lesson") != 0 || vs_find(&vs, "Ready") < 0 ||
        vs_find(&vs, "Timeline") < 0 || vs_find(&vs, "task-") < 0) {
        vs_dump(&vs);
        fail_msg("the last frame lacks the lesson, the timeline or the ready list");
    }
    /* The caption was cleared by `say` alone. */
    assert_int_equal(vs_find(&vs, "Hello, class"), -1);
    vterm_free(vt);
    free_cast(c);

    /* The same trace and demo: the same bytes. */
    record_synthetic(again, 0);
    size_t n1, n2;
    char *a = slurp(path, &n1), *b = slurp(again, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);

    /* The idle limit shortens the long waits. */
    record_synthetic(again, 0.5);
    c = read_cast(again);
    assert_times_ordered(c);
    assert_true(fabs(num(c->header, "idle_time_limit") - 0.5) < 1e-9);
    for (size_t i = 1; i < c->n; i++)
        assert_true(c->times[i] - c->times[i - 1] <= 0.5 + 1e-6);
    free_cast(c);
    unlink(path);
    unlink(again);
}

/* A v3 recording marks the demo's moments: each `say` when it is said, the
 * predict question when it is posed, labelled with their text; and it
 * plays to the same screen as the v2 recording of the same demo. */
static const char marked_demo[] = "say Hello, class: this is a saved run.\n"
                                  "wait 1s\n"
                                  "run\n"
                                  "wait 300ms\n"
                                  "key Space\n"
                                  "say Paused: look at the ready list.\n"
                                  "wait 2s\n"
                                  "key Space\n"
                                  "until-done\n"
                                  "key Home\n"
                                  "say Now guess what the scheduler does next.\n"
                                  "key p\n"
                                  "wait 1s\n"
                                  "key 1\n"
                                  "wait 1s\n"
                                  "key p\n"
                                  "say\n"
                                  "key End\n"
                                  "wait 2s\n";

/* The screen a player shows at the end of a cast. */
static VTerm *play_to_end(const cast *c, int cols, int rows, vscreen *vs)
{
    VTerm *vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    VTermScreen *scr = vterm_obtain_screen(vt);
    vterm_screen_reset(scr, 1);
    vterm_input_write(vt, c->output, c->output_len);
    *vs = (vscreen){.vt = vt, .scr = scr, .cols = cols, .rows = rows};
    return vt;
}

static void test_record_v3_markers(void **state)
{
    char p2[128], p3[128];
    tmp_path(p2, sizeof p2, "marked-v2");
    tmp_path(p3, sizeof p3, "marked-v3");
    record_demo(p2, marked_demo, 0, 2);
    record_demo(p3, marked_demo, 0, 3);
    cast *c2 = read_cast(p2), *c3 = read_cast(p3);
    assert_int_equal(c2->version, 2);
    assert_int_equal(c3->version, 3);
    assert_int_equal(num(json_object_get(c3->header, "term"), "cols"), 100);
    assert_int_equal(num(json_object_get(c3->header, "term"), "rows"), 32);
    assert_times_ordered(c3);
    assert_int_equal(c2->n_marks, 0);

    /* The three captions said and the one question posed, in order. */
    if (c3->n_marks != 4) {
        for (size_t i = 0; i < c3->n_marks; i++)
            print_message("mark %.6f %s\n", c3->mark_at[i], c3->marks[i]);
        fail_msg("%zu markers, not 4", c3->n_marks);
    }
    assert_string_equal(c3->marks[0], "Hello, class: this is a saved run.");
    assert_string_equal(c3->marks[1], "Paused: look at the ready list.");
    assert_string_equal(c3->marks[2], "Now guess what the scheduler does next.");
    const char *questions[] = {"Which ready task runs next?", "Which waiting task wakes next?",
                               "Which thread takes the GIL next?",
                               "Which thread does the OS run next?",
                               "Which pool worker takes a task next?"};
    bool asked = false;
    for (int i = 0; i < 5; i++)
        asked = asked || strcmp(c3->marks[3], questions[i]) == 0;
    if (!asked)
        fail_msg("the last marker is no predict question: '%s'", c3->marks[3]);
    /* At the script's moments: 0; after 1 s + 300 ms + a key's 250 ms; the
     * question as the caption before it, in the same instant. */
    assert_true(fabs(c3->mark_at[0]) < 1e-6);
    assert_true(fabs(c3->mark_at[1] - 1.55) < 1e-6);
    assert_true(c3->mark_at[2] > 3.8);
    assert_true(fabs(c3->mark_at[3] - c3->mark_at[2]) < 1e-6);

    /* The same terminal output at the same times, so the same last screen. */
    assert_int_equal(c2->output_len, c3->output_len);
    assert_memory_equal(c2->output, c3->output, c2->output_len);
    assert_true(fabs(c2->times[c2->n - 1] - c3->times[c3->n - 1]) < 1e-5);
    vscreen s2, s3;
    VTerm *v2 = play_to_end(c2, 100, 32, &s2), *v3 = play_to_end(c3, 100, 32, &s3);
    for (int y = 0; y < 32; y++) {
        char r2[1024], r3[1024];
        vs_row(&s2, y, r2, sizeof r2);
        vs_row(&s3, y, r3, sizeof r3);
        if (strcmp(r2, r3) != 0) {
            vs_dump(&s3);
            fail_msg("row %d differs:\n v2 %s\n v3 %s", y, r2, r3);
        }
    }
    assert_true(vs_find(&s3, "Synthetic lesson") >= 0);
    vterm_free(v2);
    vterm_free(v3);
    free_cast(c2);
    free_cast(c3);
    unlink(p2);
    unlink(p3);
}

/* The caption of a `say` shows while it lasts. */
static void test_record_say(void **state)
{
    char path[128], why[256];
    tmp_path(path, sizeof path, "say");
    sl_trace *tr;
    assert_int_equal(sl_synth_trace(&tr, 8, 400, 2), 0);
    sl_demo *d;
    assert_int_equal(
        sl_demo_parse("say.demo", "say Watch the ready list grow\nwait 2s\n", &d, why, sizeof why),
        0);
    sl_ui_opts o = {.trace = tr, .ascii = true};
    sl_record_opts r = {.out = path, .demo = d};
    sl_record_stats st;
    assert_int_equal(sl_ui_record(&o, &r, &st, why, sizeof why), 0);
    cast *c = read_cast(path);
    assert_int_equal(num(c->header, "width"), 120);
    assert_int_equal(num(c->header, "height"), 40);
    assert_times_ordered(c);
    assert_true(fabs(c->times[c->n - 1] - 2.0) < 1e-6);
    VTerm *vt = vterm_new(40, 120);
    vterm_set_utf8(vt, 1);
    VTermScreen *scr = vterm_obtain_screen(vt);
    vterm_screen_reset(scr, 1);
    vterm_input_write(vt, c->output, c->output_len);
    vscreen vs = {.vt = vt, .scr = scr, .cols = 120, .rows = 40};
    int y = vs_find(&vs, "> Watch the ready list grow");
    if (y < 34) {
        vs_dump(&vs);
        fail_msg("the caption is not in the caption bar");
    }
    vterm_free(vt);
    free_cast(c);
    sl_demo_free(d);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_writer),
        cmocka_unit_test(test_cast_writer_v3),
        cmocka_unit_test(test_demo_errors),
        cmocka_unit_test(test_demo_parse),
        cmocka_unit_test(test_demo_say_counts_characters),
        cmocka_unit_test(test_demo_load_refuses_what_is_no_text),
        cmocka_unit_test(test_shipped_demos),
        cmocka_unit_test(test_record_replay),
        cmocka_unit_test(test_record_say),
        cmocka_unit_test(test_record_v3_markers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
