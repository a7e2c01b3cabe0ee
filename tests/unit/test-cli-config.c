/*
 * test-cli-config.c - the preferences file: where it is looked for, each
 * broken line reported with its file and line while the rest is read and
 * the broken setting keeps its value, the precedence of default, file,
 * environment and flag (and what --print says of each), and what the view
 * is handed. Never reads the real user's file: XDG_CONFIG_HOME and HOME
 * point into a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/config.h"
#include "schedlab/ui.h"

static char dir[64];

static const char *const env_vars[] = {"SCHEDLAB_THEME", "SCHEDLAB_MOUSE", "SCHEDLAB_PACE",
                                       "SCHEDLAB_LESSON", "SCHEDLAB_STRATEGY"};

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/schedlab-config-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    setenv("XDG_CONFIG_HOME", dir, 1);
    setenv("HOME", "/nonexistent-home", 1);
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Parses `text` over the defaults; the messages written, in *msgs. */
static void parse(sl_config *c, const char *text, char **msgs)
{
    size_t len;
    FILE *err = open_memstream(msgs, &len);
    c->path[0] = '\0';
    sl__config_defaults(c);
    sl__config_parse(c, "config.ini", text, err);
    fclose(err);
}

static void write_file(const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/schedlab", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/schedlab/config.ini", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_path(void **state)
{
    char buf[256], want[256];
    assert_true(sl__config_path(buf, sizeof buf));
    snprintf(want, sizeof want, "%s/schedlab/config.ini", dir);
    assert_string_equal(buf, want);
    /* A relative XDG_CONFIG_HOME is ignored (the XDG rule): HOME/.config. */
    setenv("XDG_CONFIG_HOME", "relative", 1);
    setenv("HOME", "/home/lecturer", 1);
    assert_true(sl__config_path(buf, sizeof buf));
    assert_string_equal(buf, "/home/lecturer/.config/schedlab/config.ini");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    assert_false(sl__config_path(buf, sizeof buf));
    setenv("XDG_CONFIG_HOME", dir, 1);
    setenv("HOME", "/nonexistent-home", 1);
}

static void test_good_file(void **state)
{
    sl_config c;
    char *msgs;
    parse(&c,
          "; my lecture room\n"
          "[view]\n"
          "theme = projector   ; the hall's beamer\n"
          "  mouse = off\n"
          "\n"
          "[lecture]\n"
          "pace = 20s\n"
          "[start]\r\n"
          "lesson = cpu-sumsq\n"
          "strategy = coroutines\n"
          "[keys]\n"
          "j = Down\n"
          "k = Up\n"
          "F = Space\n",
          &msgs);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.theme, SL_THEME_PROJECTOR);
    assert_false(c.mouse);
    assert_int_equal(c.pace_ns, 20000000000ll);
    assert_string_equal(c.lesson, "cpu-sumsq");
    assert_string_equal(c.strategy, "coroutines");
    assert_int_equal(c.n_remaps, 3);
    assert_int_equal(c.remap[0][0], 'j');
    assert_int_equal(c.remap[0][1], SL_KEY_DOWN);
    assert_int_equal(c.remap[2][1], ' ');
    assert_int_equal(c.origin[SL_CFG_THEME].source, SL_CFG_FROM_FILE);
    assert_int_equal(c.origin[SL_CFG_THEME].line, 3);
    assert_int_equal(c.origin[SL_CFG_MOUSE].line, 4);
    assert_int_equal(c.origin[SL_CFG_STRATEGY].line, 10);

    /* What the view is handed. */
    sl_ui_opts o = {0};
    sl__config_apply(&c, &o);
    assert_int_equal(o.theme, SL_THEME_PROJECTOR);
    assert_true(o.no_mouse);
    assert_true(o.pace_set);
    assert_int_equal(o.pace_ns, 20000000000ull);
    assert_string_equal(o.strategy, "coroutines");
    assert_int_equal(o.n_remaps, 3);
    /* A strategy already chosen (-s, a demo's) is kept. */
    o = (sl_ui_opts){.strategy = "threads"};
    sl__config_apply(&c, &o);
    assert_string_equal(o.strategy, "threads");
}

/* Each broken line says where and what, once; the good lines around it are
 * read, and the broken setting keeps the value it had. */
static void test_broken_lines(void **state)
{
    sl_config c;
    char *msgs;
    parse(&c,
          "[view]\n"
          "theme = neon\n"
          "mouse = on\n"
          "colour = red\n"
          "this line is broken\n"
          "[lecture]\n"
          "pace = 2h\n"
          "[start]\n"
          "lesson = no-such-lesson\n"
          "strategy = fibres\n"
          "[keys]\n"
          "j = Dwon\n"
          "[colours]\n"
          "x = 1\n"
          "[view\n"
          "theme = mono\n",
          &msgs);
    const char *want =
        "config.ini:2: theme 'neon' is not one of default, projector or mono (line ignored)\n"
        "config.ini:4: unknown key 'colour' in [view] (expected theme or mouse) (line ignored)\n"
        "config.ini:5: 'this line is broken' is neither `key = value` nor a [section] (line "
        "ignored)\n"
        "config.ini:7: pace '2h' is not a duration from 1s to 600s, off or lesson (line "
        "ignored)\n"
        "config.ini:9: no lesson 'no-such-lesson' (see `schedlab list`) (line ignored)\n"
        "config.ini:10: no strategy 'fibres' (see `schedlab list`) (line ignored)\n"
        "config.ini:12: unknown key 'Dwon' (a character, or Space Enter Tab BTab Esc Left "
        "Right Up Down Home End PgUp PgDn Backspace) (line ignored)\n"
        "config.ini:14: unknown section [colours] (expected [view], [lecture], [start] or "
        "[keys]) (line ignored)\n"
        "config.ini:15: '[view' is neither `key = value` nor a [section] (line ignored)\n"
        "config.ini:16: unknown section [colours] (expected [view], [lecture], [start] or "
        "[keys]) (line ignored)\n";
    if (strcmp(msgs, want) != 0)
        fail_msg("messages:\n%s", msgs);
    free(msgs);
    /* Line 16 is under [colours] still ([view was not a header). */
    assert_int_equal(c.errors, 10);
    assert_int_equal(c.theme, SL_THEME_DEFAULT);
    assert_true(c.mouse);
    assert_int_equal(c.origin[SL_CFG_MOUSE].line, 3);
    assert_int_equal(c.pace_ns, -1);
    assert_string_equal(c.lesson, "io-download");
    assert_string_equal(c.strategy, "");
    assert_int_equal(c.n_remaps, 0);
    assert_int_equal(c.origin[SL_CFG_THEME].source, SL_CFG_FROM_DEFAULT);
}

/* Not text at all: a long line and a binary-looking one are refused alone. */
static void test_odd_lines(void **state)
{
    sl_config c;
    char *msgs, text[2000] = "[view]\ntheme = ";
    memset(text + strlen(text), 'x', 1500);
    strcat(text, "\nmouse = off\n");
    parse(&c, text, &msgs);
    assert_non_null(strstr(msgs, "config.ini:2: line longer than"));
    assert_null(strstr(msgs, "config.ini:3"));
    assert_false(c.mouse);
    free(msgs);
}

/* Later sources win: default < file < environment < flag. */
static void test_precedence(void **state)
{
    write_file("[view]\ntheme = projector\nmouse = off\n[lecture]\npace = 30s\n"
               "[start]\nstrategy = threads\n");
    setenv("SCHEDLAB_PACE", "off", 1);
    setenv("SCHEDLAB_STRATEGY", "coroutines", 1);
    setenv("SCHEDLAB_THEME", "sepia", 1); /* refused: the file's stays */
    static sl_config c;
    sl__config_startup(&c);
    assert_true(c.found);
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.theme, SL_THEME_PROJECTOR);
    assert_int_equal(c.origin[SL_CFG_THEME].source, SL_CFG_FROM_FILE);
    assert_int_equal(c.pace_ns, 0);
    assert_int_equal(c.origin[SL_CFG_PACE].source, SL_CFG_FROM_ENV);
    assert_string_equal(c.strategy, "coroutines");
    char *argv[] = {"tui", "-s", "gil", "--theme", "mono", "--mouse", "--pace", "nope", NULL};
    int argc = 8;
    for (int i = 1; i < 6; i++)
        assert_int_equal(sl__config_flag(&c, "tui", argc, argv, &i), 1);
    int i = 6;
    assert_int_equal(sl__config_flag(&c, "tui", argc, argv, &i), -1);
    assert_string_equal(c.strategy, "gil");
    assert_int_equal(c.theme, SL_THEME_MONO);
    assert_true(c.mouse);
    assert_int_equal(c.pace_ns, 0); /* the bad flag changed nothing */

    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    sl__config_print(&c, f);
    fclose(f);
    char want[1024];
    snprintf(want, sizeof want,
             "# %s/schedlab/config.ini\n"
             "theme     = mono                         ; flag --theme\n"
             "mouse     = on                           ; flag --mouse\n"
             "pace      = off                          ; environment SCHEDLAB_PACE\n"
             "lesson    = io-download                  ; default\n"
             "strategy  = gil                          ; flag -s\n"
             "keys      = (none)                       ; default\n",
             dir);
    assert_string_equal(out, want);
    free(out);
    unsetenv("SCHEDLAB_PACE");
    unsetenv("SCHEDLAB_STRATEGY");
    unsetenv("SCHEDLAB_THEME");
}

/* No file: the defaults, said so; a file that cannot be read: the defaults,
 * with the reason. */
static void test_missing_and_unreadable(void **state)
{
    static sl_config c;
    char path[128];
    snprintf(path, sizeof path, "%s/schedlab/config.ini", dir);
    unlink(path);
    sl__config_startup(&c);
    assert_false(c.found);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.theme, SL_THEME_DEFAULT);
    /* A directory where the file should be. */
    mkdir(path, 0700);
    char *msgs;
    size_t len;
    FILE *err = open_memstream(&msgs, &len);
    sl__config_defaults(&c);
    sl__config_load(&c, err);
    fclose(err);
    assert_false(c.found);
    assert_int_equal(c.errors, 1);
    assert_non_null(strstr(msgs, "a directory, not a regular file"));
    assert_non_null(strstr(msgs, "(the defaults are used)"));
    free(msgs);
    /* --print says it was there but unreadable, not "not found". */
    FILE *out = open_memstream(&msgs, &len);
    sl__config_print(&c, out);
    fclose(out);
    assert_non_null(strstr(msgs, "config.ini (unreadable: defaults)\n"));
    free(msgs);
    rmdir(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path),         cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_broken_lines), cmocka_unit_test(test_odd_lines),
        cmocka_unit_test(test_precedence),   cmocka_unit_test(test_missing_and_unreadable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
