/*
 * term.h - the terminal: the only part of schedlab that talks to ncurses.
 *
 * Views draw text and glyphs at (y, x) with a role; term.c turns roles into
 * colour pairs through the theme and flushes once per frame. Keeping ncurses
 * behind this small surface means a view can be rendered off-screen (into a
 * file for the screen tests, or /dev/null for the frame benchmark) by opening
 * the terminal on other streams.
 */
#ifndef SL_UI_TERM_H
#define SL_UI_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "ui/theme.h"

/* A rectangle of cells. */
typedef struct sl_rect {
    int x, y, w, h;
} sl_rect;

/* Keys beyond the character range (characters are returned as themselves). */
enum {
    SL_KEY_NONE = -1,
    SL_KEY_UP = 0x110000,
    SL_KEY_DOWN,
    SL_KEY_LEFT,
    SL_KEY_RIGHT,
    SL_KEY_HOME,
    SL_KEY_END,
    SL_KEY_PGUP,
    SL_KEY_PGDN,
    SL_KEY_ENTER,
    SL_KEY_ESC,
    SL_KEY_TAB,
    SL_KEY_BTAB,
    SL_KEY_BACKSPACE,
    SL_KEY_RESIZE,
};

typedef struct sl_term_opts {
    FILE *in, *out;   /* NULL: the process's terminal */
    const char *type; /* terminal type, NULL: $TERM */
    bool mono;        /* attributes only */
    bool ascii;       /* ASCII glyphs (also forced by a non-UTF-8 locale) */
    int cols, rows;   /* > 0: force this size (off-screen rendering) */
    bool colors16;    /* at most the 16 base colours (recordings play anywhere) */
} sl_term_opts;

/* Opens the terminal (one at a time): raw keys, no echo, hidden cursor,
 * colours per the theme. The locale must already be set. */
int sl__term_open(const sl_term_opts *o);
/* Restores the terminal and frees the screen. Safe to call twice. */
void sl__term_close(void);
/* Leaves curses mode for a moment (before a fatal exit or a suspend). */
void sl__term_suspend(void);
/* Back from sl__term_suspend: redraws everything on the next flush. */
void sl__term_resume(void);

bool sl__term_ascii(void);
sl_palette sl__term_palette(void);
void sl__term_size(int *cols, int *rows);
/* Forces a size (tests, off-screen rendering). */
void sl__term_resize(int cols, int rows);

/* Starts a frame: clears the back buffer. */
void sl__term_begin(void);
/* Ends a frame: sends the differences to the terminal. */
void sl__term_flush(void);
/* Draws on top of every frame just before it is sent (a demo's caption);
 * NULL removes it. */
void sl__term_overlay(void (*draw)(void *ctx), void *ctx);
/* Repaints the whole screen on the next flush (after Ctrl-L or a resume). */
void sl__term_invalidate(void);

/* Writes UTF-8 text at (y, x), at most `maxw` columns (< 0: to the edge),
 * clipped to the screen. Returns the columns written. */
int sl__term_put(int y, int x, int maxw, int role, const char *s);
/* printf-style sl__term_put. */
int sl__term_putf(int y, int x, int maxw, int role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fills a rectangle with spaces in a role (a bar's background). */
void sl__term_fill(sl_rect r, int role);
/* A panel title: "── Title ──────" across the width. */
void sl__term_title(int y, int x, int w, const char *title);

/* A framed box (cleared inside) with a title on its top edge. */
void sl__term_box(sl_rect r, const char *title);

/* Next key within `timeout_ms` (< 0: wait forever), or SL_KEY_NONE. */
int sl__term_key(int timeout_ms);

/* Columns a UTF-8 string takes (every code point counts one). */
int sl__term_width(const char *s);

#endif
