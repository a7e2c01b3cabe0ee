/*
 * keyseq.c - the special keys' escape sequences, and their decoding.
 *
 * One table of the variants xterm (normal and application keypad mode),
 * vt220-style terminals (tmux, screen), the Linux console and rxvt send; the
 * terminal layer registers them all with ncurses and decodes with it what
 * ncurses leaves undecoded. Modified keys (`ESC [1;5H`, Ctrl-Home) decode as
 * the plain key: a lecturer holding Ctrl by accident still moves the playhead.
 */
#include "ui/keyseq.h"

#include <string.h>

#include "ui/term.h"

const sl_keyseq sl__keyseqs[] = {
    {"[A", SL_KEY_UP},        {"OA", SL_KEY_UP},
    {"[B", SL_KEY_DOWN},      {"OB", SL_KEY_DOWN},
    {"[C", SL_KEY_RIGHT},     {"OC", SL_KEY_RIGHT},
    {"[D", SL_KEY_LEFT},      {"OD", SL_KEY_LEFT},
    {"[H", SL_KEY_HOME},      {"OH", SL_KEY_HOME},
    {"[1~", SL_KEY_HOME}, /* vt220, tmux, screen, Linux console */
    {"[7~", SL_KEY_HOME}, /* rxvt */
    {"[F", SL_KEY_END},       {"OF", SL_KEY_END},
    {"[4~", SL_KEY_END},      {"[8~", SL_KEY_END},
    {"[5~", SL_KEY_PGUP},     {"[6~", SL_KEY_PGDN},
    {"[3~", SL_KEY_DELETE},   {"[Z", SL_KEY_BTAB},
    {"OM", SL_KEY_ENTER}, /* the keypad's Enter in application mode */
    {"OP", SL_KEY_F1},        {"OQ", SL_KEY_F1 + 1},
    {"OR", SL_KEY_F1 + 2},    {"OS", SL_KEY_F1 + 3},
    {"[[A", SL_KEY_F1}, /* Linux console */
    {"[[B", SL_KEY_F1 + 1},   {"[[C", SL_KEY_F1 + 2},
    {"[[D", SL_KEY_F1 + 3},   {"[[E", SL_KEY_F1 + 4},
    {"[11~", SL_KEY_F1}, /* rxvt, old xterm */
    {"[12~", SL_KEY_F1 + 1},  {"[13~", SL_KEY_F1 + 2},
    {"[14~", SL_KEY_F1 + 3},  {"[15~", SL_KEY_F1 + 4},
    {"[17~", SL_KEY_F1 + 5},  {"[18~", SL_KEY_F1 + 6},
    {"[19~", SL_KEY_F1 + 7},  {"[20~", SL_KEY_F1 + 8},
    {"[21~", SL_KEY_F1 + 9},  {"[23~", SL_KEY_F1 + 10},
    {"[24~", SL_KEY_F1 + 11},
};

const size_t sl__n_keyseqs = sizeof sl__keyseqs / sizeof sl__keyseqs[0];

#define MAX_SEQ 32

size_t sl__keyseq_length(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == 'O')
        return n >= 2 ? 2 : 0;
    if (s[0] != '[')
        return 1;
    if (n < 2)
        return 0;
    if (s[1] == '[')
        return n >= 3 ? 3 : 0;
    if (s[1] == 'M') /* X10 mouse: three bytes of button, column, row */
        return n >= 5 ? 5 : 0;
    /* CSI: parameter bytes 0x30-0x3F (SGR mouse's '<' among them),
     * intermediates 0x20-0x2F, one final byte 0x40-0x7E. */
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x40 && c <= 0x7E)
            return i + 1;
        if (c < 0x20 || c > 0x3F || i + 1 >= MAX_SEQ)
            return i + 1; /* not a CSI after all: end it here */
    }
    return 0;
}

/* "[1;5H" -> "[H", "[5;2~" -> "[5~": the modifier parameter dropped. */
static size_t strip_modifier(const char *s, size_t n, char *out)
{
    const char *semi = memchr(s, ';', n);
    if (!semi || s[0] != '[' || n >= MAX_SEQ) {
        memcpy(out, s, n);
        return n;
    }
    size_t head = (size_t)(semi - s);
    /* "[1;5H": a lone 1 before the modifier only carries it. */
    if (head == 2 && s[1] == '1' && s[n - 1] != '~')
        head = 1;
    memcpy(out, s, head);
    out[head] = s[n - 1];
    return head + 1;
}

int sl__keyseq_decode(const char *s, size_t n)
{
    char buf[MAX_SEQ];
    if (n == 0 || n >= MAX_SEQ)
        return SL_KEY_NONE;
    n = strip_modifier(s, n, buf);
    for (size_t i = 0; i < sl__n_keyseqs; i++)
        if (strlen(sl__keyseqs[i].seq) == n && memcmp(sl__keyseqs[i].seq, buf, n) == 0)
            return sl__keyseqs[i].key;
    return SL_KEY_NONE;
}
