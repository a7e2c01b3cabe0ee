/*
 * term.c - ncurses behind a dozen functions.
 *
 * One SCREEN at a time, created with newterm() so that the streams and the
 * terminal type can be chosen: the real terminal for the TUI, a temporary
 * file for the screen tests, /dev/null for the frame benchmark. Roles map to
 * colour pairs 1..SL_ROLE__COUNT once at open; a frame is erase, draw, one
 * doupdate, so ncurses sends only the cells that changed.
 */
#include "ui/term.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <wchar.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/error.h"
#include "ui/keyseq.h"

static SCREEN *screen;
static bool ascii_glyphs;
static sl_palette palette;
static attr_t role_attr[SL_ROLE__COUNT];
static sl_mouse last_mouse;
static bool mouse_on;

/* Codes given to the sequences of keyseq.c that terminfo does not know:
 * above the codes ncurses numbers terminfo's extended keys with (from
 * KEY_MAX + 1, one per extended key of the terminal type). */
#define SEQ_CODE(i) (0x6000 + (int)(i))

/* Teaches ncurses every variant of the special keys, so that one typed in
 * tmux, screen, rxvt or the Linux console decodes whatever TERM claims. */
static void define_keyseqs(void)
{
    char seq[40];
    for (size_t i = 0; i < sl__n_keyseqs; i++) {
        snprintf(seq, sizeof seq, "\033%s", sl__keyseqs[i].seq);
        if (key_defined(seq) == 0)
            define_key(seq, SEQ_CODE(i));
    }
}

/* Clicks and the wheel, nothing else: a release or a drag reports nothing,
 * and with no click interval a press is reported at once. */
static void enable_mouse(bool on)
{
    mmask_t want = on ? BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0;
    mousemask(want, NULL);
    mouseinterval(0);
    mouse_on = on;
}

/* With the mouse off ncurses still matches terminfo's kmous prefix (`ESC [<`
 * or `ESC [M`) but leaves the report's body unread, which would then arrive
 * as keys ("0;5;3M": 0 runs a strategy). A terminal left in mouse mode by
 * another program sends such reports: read the body and drop it. */
static void drain_mouse_report(void)
{
    const char *kmous = tigetstr("kmous");
    bool sgr = kmous && kmous != (char *)-1 && strchr(kmous, '<');
    timeout(10);
    for (int i = 0; i < 32; i++) {
        int c = getch();
        if (c == ERR || (sgr ? c == 'M' || c == 'm' : i == 2))
            return;
    }
}

/* A bright colour (8-15) on a terminal with only eight: the base colour,
 * drawn bold, which such terminals show bright. */
static short fit_colour(short c, attr_t *a)
{
    if (c >= 8 && c < 16 && COLORS < 16) {
        *a |= A_BOLD;
        return (short)(c - 8);
    }
    return c;
}

static void setup_roles(void)
{
    if (palette != SL_PALETTE_MONO) {
        start_color();
        use_default_colors();
    }
    for (int r = 0; r < SL_ROLE__COUNT; r++) {
        sl_style s = sl__theme_style(palette, r);
        attr_t a = A_NORMAL;
        if (palette != SL_PALETTE_MONO) {
            init_pair((short)(r + 1), fit_colour(s.fg, &a), fit_colour(s.bg, &a));
            a |= COLOR_PAIR(r + 1);
        }
        if (s.bold)
            a |= A_BOLD;
        if (s.dim)
            a |= A_DIM;
        if (s.reverse)
            a |= A_REVERSE;
        if (s.underline)
            a |= A_UNDERLINE;
        role_attr[r] = a;
    }
}

int sl_term_open(const sl_term_opts *o)
{
    if (screen)
        return SL_ESTATE;
    FILE *out = o->out ? o->out : stdout;
    FILE *in = o->in ? o->in : stdin;
    screen = newterm(o->type, out, in);
    if (!screen)
        return SL_ENOTSUP;
    set_term(screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    define_keyseqs();
    enable_mouse(o->mouse);
    leaveok(stdscr, TRUE);
    ascii_glyphs = o->ascii || !sl_theme_locale_utf8();
    /* COLORS is only set by start_color(): ask terminfo for the count. */
    palette = sl__theme_palette(has_colors() ? tigetnum("colors") : 0, o->mono);
    if (o->colors16 && palette == SL_PALETTE_256)
        palette = SL_PALETTE_16;
    palette = sl__theme_pick(palette, o->theme);
    setup_roles();
    if (o->cols > 0 && o->rows > 0)
        resizeterm(o->rows, o->cols);
    /* A screen from newterm() stays in ncurses' "not yet running" state
     * until it has been suspended once, and in that state every cursor
     * move flushes the output: a frame went out in 25-500 write() calls,
     * one per escape sequence (4-5 us each on the VMs this was measured
     * on: most of a million-task playback frame). One suspend and resume
     * (what Ctrl-Z does) and a frame goes out in a few buffer-sized
     * writes. */
    endwin();
    refresh();
    return 0;
}

void sl_term_close(void)
{
    if (!screen)
        return;
    endwin();
    delscreen(screen);
    screen = NULL;
}

void sl_term_suspend(void)
{
    if (screen)
        endwin();
}

void sl_term_resume(void)
{
    if (!screen)
        return;
    refresh();
    clearok(curscr, TRUE);
}

bool sl_term_ascii(void)
{
    return ascii_glyphs;
}

sl_palette sl__term_palette(void)
{
    return palette;
}

void sl_term_size(int *cols, int *rows)
{
    *cols = COLS;
    *rows = LINES;
}

void sl_term_resize(int cols, int rows)
{
    resizeterm(rows, cols);
}

void sl__term_begin(void)
{
    werase(stdscr);
}

void sl__term_flush(void)
{
    wnoutrefresh(stdscr);
    doupdate();
}

void sl_term_invalidate(void)
{
    clearok(curscr, TRUE);
}

int sl__term_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* The next code point of UTF-8 text at *s (advancing past it), as one
 * cell shows it: a malformed byte or a control character is shown as '?'
 * (a control character sent to the terminal would move its cursor). */
static wchar_t next_cell(const char **s)
{
    const unsigned char *u = (const unsigned char *)*s;
    wchar_t c = u[0];
    int more = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    size_t n = 1;
    if (more > 0) {
        c &= 0x3F >> more;
        for (; more > 0 && (u[n] & 0xC0) == 0x80; more--, n++)
            c = (c << 6) | (u[n] & 0x3F);
    }
    /* What is left unread of a cut sequence is skipped by the caller. */
    *s += n;
    if (more != 0 || c < 0x20 || (c >= 0x7F && c < 0xA0))
        return L'?';
    return c;
}

int sl__term_put(int y, int x, int maxw, int role, const char *s)
{
    if (y < 0 || y >= LINES || x >= COLS || !s)
        return 0;
    int room = COLS - x;
    if (maxw < 0 || maxw > room)
        maxw = room;
    /* Skip what falls left of the screen. */
    while (x < 0 && *s) {
        s++;
        while (((unsigned char)*s & 0xC0) == 0x80)
            s++;
        x++;
        maxw--;
    }
    if (maxw <= 0)
        return 0;
    attr_t mark = role >= 0 && (role & SL_ROLE_MARK) ? A_UNDERLINE : 0;
    if (role >= 0)
        role &= ~SL_ROLE_MARK;
    if (role < 0 || role >= SL_ROLE__COUNT)
        role = SL_ROLE_NORMAL;
    attr_t a = role_attr[role] | mark;
    short pair = (short)PAIR_NUMBER(a);
    a &= ~A_COLOR;
    /* Cells are made here and copied in whole (add_wchnstr): each byte
     * through addnstr costs ncurses a multibyte decode, a width lookup and
     * a control-character check, which made this the most expensive part
     * of drawing a frame. */
    cchar_t cells[512];
    int cols = 0;
    if (maxw > (int)(sizeof cells / sizeof *cells))
        maxw = (int)(sizeof cells / sizeof *cells);
    while (*s && cols < maxw) {
        wchar_t wc[2] = {next_cell(&s), L'\0'};
        while (((unsigned char)*s & 0xC0) == 0x80)
            s++;
        /* An ASCII terminal cannot show other code points: '?' instead,
         * but the micro sign of a duration ("850µs") has a plain spelling. */
        if (ascii_glyphs && wc[0] >= 0x80)
            wc[0] = wc[0] == 0xB5 ? L'u' : L'?';
        setcchar(&cells[cols++], wc, a, pair, NULL);
    }
    if (cols > 0)
        mvadd_wchnstr(y, x, cells, cols);
    return cols;
}

int sl__term_putf(int y, int x, int maxw, int role, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return sl__term_put(y, x, maxw, role, buf);
}

void sl__term_fill(sl_rect r, int role)
{
    char line[1024];
    int w = r.w < (int)sizeof line - 1 ? r.w : (int)sizeof line - 1;
    if (w <= 0)
        return;
    memset(line, ' ', (size_t)w);
    line[w] = '\0';
    for (int y = r.y; y < r.y + r.h; y++)
        sl__term_put(y, r.x, w, role, line);
}

void sl__term_title(int y, int x, int w, const char *title)
{
    const char *rule = sl__theme_rule(ascii_glyphs);
    for (int i = 0; i < w; i++)
        sl__term_put(y, x + i, 1, SL_ROLE_DIM, rule);
    if (title && *title && w > 4)
        sl__term_putf(y, x + 1, w - 2, SL_ROLE_TITLE, " %s ", title);
}

void sl__term_box(sl_rect r, const char *title)
{
    if (r.w < 4 || r.h < 3)
        return;
    const char *h = ascii_glyphs ? "-" : "─", *v = ascii_glyphs ? "|" : "│";
    const char *c[4] = {"┌", "┐", "└", "┘"};
    if (ascii_glyphs)
        c[0] = c[1] = c[2] = c[3] = "+";
    sl__term_fill(r, SL_ROLE_NORMAL);
    for (int x = r.x + 1; x < r.x + r.w - 1; x++) {
        sl__term_put(r.y, x, 1, SL_ROLE_TITLE, h);
        sl__term_put(r.y + r.h - 1, x, 1, SL_ROLE_TITLE, h);
    }
    for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
        sl__term_put(y, r.x, 1, SL_ROLE_TITLE, v);
        sl__term_put(y, r.x + r.w - 1, 1, SL_ROLE_TITLE, v);
    }
    sl__term_put(r.y, r.x, 1, SL_ROLE_TITLE, c[0]);
    sl__term_put(r.y, r.x + r.w - 1, 1, SL_ROLE_TITLE, c[1]);
    sl__term_put(r.y + r.h - 1, r.x, 1, SL_ROLE_TITLE, c[2]);
    sl__term_put(r.y + r.h - 1, r.x + r.w - 1, 1, SL_ROLE_TITLE, c[3]);
    if (title && *title)
        sl__term_putf(r.y, r.x + 2, r.w - 4, SL_ROLE_TITLE, " %s ", title);
}

sl_mouse sl_term_mouse(void)
{
    return last_mouse;
}

/* KEY_MOUSE: the report, or SL_KEY_NONE for one this UI does not use. */
static int mouse_key(void)
{
    MEVENT ev;
    if (!mouse_on) {
        drain_mouse_report();
        return SL_KEY_NONE;
    }
    if (getmouse(&ev) != OK)
        return SL_KEY_NONE;
    sl_mouse m = {.x = ev.x, .y = ev.y};
    if (ev.bstate & BUTTON1_PRESSED)
        m.kind = SL_MOUSE_CLICK;
    else if (ev.bstate & BUTTON4_PRESSED)
        m.kind = SL_MOUSE_WHEEL_UP;
    else if (ev.bstate & BUTTON5_PRESSED)
        m.kind = SL_MOUSE_WHEEL_DOWN;
    else
        return SL_KEY_NONE;
    last_mouse = m;
    return SL_KEY_MOUSE;
}

/* After an ESC that ncurses did not decode: the rest of the sequence,
 * decoded by keyseq.c. A sequence nobody knows (or an Alt chord) is
 * swallowed whole: its bytes must not arrive as keys (End sent as
 * `ESC [4~` once ran strategy 4). */
static int escape_tail(void)
{
    char buf[40];
    size_t n = 0;
    timeout(10); /* the rest of a sequence is already on its way */
    for (;;) {
        int c = getch();
        if (c == ERR)
            return n == 0 ? SL_KEY_ESC : SL_KEY_NONE;
        if (n == 0 && (c == 27 || c > 0xFF)) {
            /* A lone Esc, then another key. */
            ungetch(c);
            return SL_KEY_ESC;
        }
        if (c > 0xFF || n + 1 >= sizeof buf)
            return SL_KEY_NONE;
        buf[n++] = (char)c;
        size_t len = sl__keyseq_length(buf, n);
        if (len > 0)
            return sl__keyseq_decode(buf, len);
    }
}

/* A key terminfo names beyond the standard set (xterm's kHOM5 is
 * Ctrl-Home): the plain key, as keyseq.c decodes modified keys. */
static int extended_key(int c)
{
    static const struct {
        const char *prefix;
        int key;
    } names[] = {
        {"kHOM", SL_KEY_HOME},  {"kEND", SL_KEY_END},  {"kPRV", SL_KEY_PGUP}, {"kNXT", SL_KEY_PGDN},
        {"kDC", SL_KEY_DELETE}, {"kUP", SL_KEY_UP},    {"kDN", SL_KEY_DOWN},  {"kLFT", SL_KEY_LEFT},
        {"kRIT", SL_KEY_RIGHT}, {"kcbt", SL_KEY_BTAB}, /* the Linux console's second Shift-Tab */
    };
    const char *name = keyname(c);
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strncmp(name, names[i].prefix, strlen(names[i].prefix)) == 0)
            return names[i].key;
    return SL_KEY_NONE;
}

int sl_term_key(int timeout_ms)
{
    timeout(timeout_ms);
    int c = getch();
    if (c >= SEQ_CODE(0) && c < SEQ_CODE(sl__n_keyseqs))
        return sl__keyseqs[c - SEQ_CODE(0)].key;
    if (c >= KEY_F(1) && c <= KEY_F(12))
        return SL_KEY_F1 + (c - KEY_F(1));
    if (c > KEY_MAX)
        return extended_key(c);
    switch (c) {
    case ERR:
        return SL_KEY_NONE;
    case KEY_UP:
        return SL_KEY_UP;
    case KEY_DOWN:
        return SL_KEY_DOWN;
    case KEY_LEFT:
        return SL_KEY_LEFT;
    case KEY_RIGHT:
        return SL_KEY_RIGHT;
    case KEY_SPREVIOUS:
        return SL_KEY_PGUP;
    case KEY_SNEXT:
        return SL_KEY_PGDN;
    case KEY_SDC:
        return SL_KEY_DELETE;
    case KEY_HOME:
    case KEY_SHOME:
    case KEY_FIND: /* vt220's Find, where Home is (`ESC [1~` under rxvt) */
        return SL_KEY_HOME;
    case KEY_END:
    case KEY_SEND:
    case KEY_SELECT: /* vt220's Select, where End is */
        return SL_KEY_END;
    case KEY_PPAGE:
        return SL_KEY_PGUP;
    case KEY_NPAGE:
        return SL_KEY_PGDN;
    case KEY_ENTER:
    case '\r':
    case '\n':
        return SL_KEY_ENTER;
    case 27:
        return escape_tail();
    case KEY_DC:
        return SL_KEY_DELETE;
    case KEY_MOUSE:
        return mouse_key();
    case '\t':
        return SL_KEY_TAB;
    case KEY_BTAB:
        return SL_KEY_BTAB;
    case KEY_BACKSPACE:
    case 127:
        return SL_KEY_BACKSPACE;
    case KEY_RESIZE:
        return SL_KEY_RESIZE;
    default:
        /* A key ncurses decoded but this UI has no use for: never let its
         * code pass for a character. */
        return c > 0xFF ? SL_KEY_NONE : c;
    }
}
