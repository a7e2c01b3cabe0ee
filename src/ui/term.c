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

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/error.h"

static SCREEN *screen;
static bool ascii_glyphs;
static sl_palette palette;
static attr_t role_attr[SL_ROLE__COUNT];

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
            init_pair((short)(r + 1), s.fg, s.bg);
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
    leaveok(stdscr, TRUE);
    ascii_glyphs = o->ascii || !sl_theme_locale_utf8();
    /* COLORS is only set by start_color(): ask terminfo for the count. */
    palette = sl__theme_palette(has_colors() ? tigetnum("colors") : 0, o->mono);
    if (o->colors16 && palette == SL_PALETTE_256)
        palette = SL_PALETTE_16;
    setup_roles();
    if (o->cols > 0 && o->rows > 0)
        resizeterm(o->rows, o->cols);
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
    size_t bytes = 0;
    int cols = 0;
    while (s[bytes] && cols < maxw) {
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        cols++;
    }
    attr_t mark = role >= 0 && (role & SL_ROLE_MARK) ? A_UNDERLINE : 0;
    if (role >= 0)
        role &= ~SL_ROLE_MARK;
    if (role < 0 || role >= SL_ROLE__COUNT)
        role = SL_ROLE_NORMAL;
    char plain[1024];
    if (ascii_glyphs && bytes != (size_t)cols) {
        /* Text from elsewhere (captions, lints) may hold UTF-8 that an
         * ASCII terminal cannot show: one '?' per code point instead. */
        size_t n = 0;
        for (size_t i = 0; i < bytes && n + 1 < sizeof plain; i++)
            if (((unsigned char)s[i] & 0xC0) != 0x80)
                plain[n++] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
        s = plain;
        bytes = n;
    }
    attrset(role_attr[role] | mark);
    /* Writing the bottom-right cell reports ERR (the cursor cannot advance);
     * the cell is still drawn, so the result is ignored. */
    mvaddnstr(y, x, s, (int)bytes);
    attrset(A_NORMAL);
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

int sl_term_key(int timeout_ms)
{
    timeout(timeout_ms);
    int c = getch();
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
    case KEY_HOME:
        return SL_KEY_HOME;
    case KEY_END:
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
        return SL_KEY_ESC;
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
        return c;
    }
}
