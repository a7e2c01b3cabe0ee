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

#include "schedlab/ui.h"
#include "ui/theme.h"

sl_palette sl__term_palette(void);

/* Starts a frame: clears the back buffer. */
void sl__term_begin(void);
/* Ends a frame: sends the differences to the terminal. */
void sl__term_flush(void);

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

/* Columns a UTF-8 string takes (every code point counts one). */
int sl__term_width(const char *s);

#endif
