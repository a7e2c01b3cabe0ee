/*
 * test-ui-input.c - keys and mouse reports as the terminal sends them.
 *
 * The escape sequences of xterm, tmux/screen, the Linux console and rxvt are
 * fed through ncurses (a file as the terminal's input) under each of those
 * TERM values and must arrive as the one key they stand for: End sent as
 * `ESC [4~` under TERM=xterm-256color once arrived as Esc, `[`, `4`, `~` and
 * started strategy 4. Unknown sequences arrive as nothing, mouse reports
 * arrive with their cell when the mouse is on and as nothing when it is off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui-vterm.h"
#include "ui/keyseq.h"
#include "ui/term.h"

/* Opens the terminal as `type` with `bytes` waiting as its input. */
static void open_with_input(const char *type, const char *bytes, bool mouse, FILE **in, FILE **out)
{
    setlocale(LC_ALL, "C.UTF-8");
    *in = tmpfile();
    *out = fopen("/dev/null", "w");
    assert_non_null(*in);
    assert_non_null(*out);
    fputs(bytes, *in);
    rewind(*in);
    sl_term_opts o = {.in = *in, .out = *out, .type = type, .cols = 80, .rows = 24, .mouse = mouse};
    assert_int_equal(sl_term_open(&o), 0);
}

static void close_input(FILE *in, FILE *out)
{
    sl_term_close();
    fclose(in);
    fclose(out);
}

/* Every key sl_term_key reads from `bytes` until the input runs dry. */
static size_t read_keys(const char *type, const char *bytes, bool mouse, int *keys, size_t max)
{
    FILE *in, *out;
    open_with_input(type, bytes, mouse, &in, &out);
    size_t n = 0;
    for (int idle = 0; idle < 8 && n < max;) {
        int k = sl_term_key(20);
        if (k == SL_KEY_NONE)
            idle++;
        else if (k != SL_KEY_RESIZE) /* from forcing the size at open */
            keys[n++] = k;
    }
    close_input(in, out);
    return n;
}

/* The sequences each terminal sends, as every TERM a user may have set. */
static void test_special_keys_under_every_term(void **state)
{
    static const char *types[] = {"xterm",         "xterm-256color", "screen",
                                  "tmux-256color", "linux",          "rxvt"};
    static const struct {
        const char *bytes;
        int key;
    } cases[] = {
        {"\033[1~", SL_KEY_HOME},   {"\033[4~", SL_KEY_END},    {"\033[H", SL_KEY_HOME},
        {"\033[F", SL_KEY_END},     {"\033OH", SL_KEY_HOME},    {"\033OF", SL_KEY_END},
        {"\033[7~", SL_KEY_HOME},   {"\033[8~", SL_KEY_END},    {"\033[5~", SL_KEY_PGUP},
        {"\033[6~", SL_KEY_PGDN},   {"\033[3~", SL_KEY_DELETE}, {"\033OP", SL_KEY_F1},
        {"\033[11~", SL_KEY_F1},    {"\033[[A", SL_KEY_F1},     {"\033[21~", SL_KEY_F1 + 9},
        {"\033[A", SL_KEY_UP},      {"\033OB", SL_KEY_DOWN},    {"\033[1;5H", SL_KEY_HOME},
        {"\033[5;2~", SL_KEY_PGUP}, {"\033[Z", SL_KEY_BTAB},
    };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            char bytes[32];
            snprintf(bytes, sizeof bytes, "%sq", cases[c].bytes);
            int keys[8];
            size_t n = read_keys(types[t], bytes, false, keys, 8);
            if (n != 2 || keys[0] != cases[c].key || keys[1] != 'q')
                fail_msg("TERM=%s, ESC%s: %zu keys, first %#x (want %#x), then %#x", types[t],
                         cases[c].bytes + 1, n, n ? (unsigned)keys[0] : 0u, (unsigned)cases[c].key,
                         n > 1 ? (unsigned)keys[1] : 0u);
        }
    }
}

/* Sequences nobody knows vanish whole; a lone Esc stays an Esc. */
static void test_unknown_sequences_never_leak(void **state)
{
    int keys[16];
    size_t n =
        read_keys("xterm-256color", "\033[99~\033[200;4;7x\033Oz\033[4;1~a", false, keys, 16);
    /* ESC [4;1~ is End with a modifier: End. */
    assert_int_equal(n, 2);
    assert_int_equal(keys[0], SL_KEY_END);
    assert_int_equal(keys[1], 'a');
    n = read_keys("xterm-256color", "\033\033x", false, keys, 16);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0], SL_KEY_ESC);
    /* A mouse report while the mouse is off is swallowed, not typed. */
    static const char *types[] = {"xterm-256color", "screen"};
    for (size_t i = 0; i < 2; i++) {
        n = read_keys(types[i], "\033[<0;5;3M\033[<0;5;3m1\033[M !!2", false, keys, 16);
        assert_int_equal(n, 2);
        assert_int_equal(keys[0], '1');
        assert_int_equal(keys[1], '2');
    }
}

static void test_keyseq_table(void **state)
{
    /* Lengths of whole and partial sequences. */
    assert_int_equal(sl__keyseq_length("[4~", 3), 3);
    assert_int_equal(sl__keyseq_length("[4", 2), 0);
    assert_int_equal(sl__keyseq_length("[[A", 3), 3);
    assert_int_equal(sl__keyseq_length("OH", 2), 2);
    assert_int_equal(sl__keyseq_length("[<0;12;3M", 9), 9);
    assert_int_equal(sl__keyseq_length("x", 1), 1);
    assert_int_equal(sl__keyseq_decode("x", 1), SL_KEY_NONE);
    /* Every entry decodes to its key, and no sequence names two keys. */
    for (size_t i = 0; i < sl__n_keyseqs; i++) {
        const char *s = sl__keyseqs[i].seq;
        assert_int_equal(sl__keyseq_length(s, strlen(s)), strlen(s));
        assert_int_equal(sl__keyseq_decode(s, strlen(s)), sl__keyseqs[i].key);
        for (size_t j = i + 1; j < sl__n_keyseqs; j++)
            assert_string_not_equal(s, sl__keyseqs[j].seq);
    }
}

/* With the mouse on, ncurses' report reaches the handler with its cell. */
static void test_mouse_report_decoded(void **state)
{
    FILE *in, *out;
    /* One report per input, as a terminal sends them one at a time. */
    static const struct {
        const char *bytes;
        sl_mouse want;
    } cases[] = {
        {"\033[<0;7;4M\033[<0;7;4m", {SL_MOUSE_CLICK, 6, 3}},
        {"\033[<64;2;2M", {SL_MOUSE_WHEEL_UP, 1, 1}},
        {"\033[<65;80;24M", {SL_MOUSE_WHEEL_DOWN, 79, 23}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        open_with_input("xterm-256color", cases[i].bytes, true, &in, &out);
        int k, n = 0;
        while ((k = sl_term_key(20)) != SL_KEY_NONE || n++ < 3)
            if (k == SL_KEY_MOUSE)
                break;
        assert_int_equal(k, SL_KEY_MOUSE);
        sl_mouse m = sl_term_mouse();
        assert_int_equal(m.kind, cases[i].want.kind);
        assert_int_equal(m.x, cases[i].want.x);
        assert_int_equal(m.y, cases[i].want.y);
        /* The release that follows reports nothing. */
        while ((k = sl_term_key(20)) == SL_KEY_RESIZE)
            ;
        assert_int_equal(k, SL_KEY_NONE);
        close_input(in, out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyseq_table),
        cmocka_unit_test(test_special_keys_under_every_term),
        cmocka_unit_test(test_unknown_sequences_never_leak),
        cmocka_unit_test(test_mouse_report_decoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
