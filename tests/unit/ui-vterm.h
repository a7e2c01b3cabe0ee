/*
 * ui-vterm.h - screen tests: ncurses draws into a temporary file at a fixed
 * size, libvterm interprets the bytes, the test reads the visible cells.
 *
 * This checks what a person would see (text at positions after every escape
 * sequence has been applied), not which bytes ncurses chose to send.
 */
#ifndef SL_TEST_UI_VTERM_H
#define SL_TEST_UI_VTERM_H

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vterm.h>

#include "ui/term.h"

typedef struct vscreen {
    VTerm *vt;
    VTermScreen *scr;
    FILE *out, *in;
    off_t off;
    int cols, rows;
} vscreen;

/* Opens the terminal on a temporary file as an xterm-256color of cols x rows. */
static inline int vs_open(vscreen *v, int cols, int rows, bool ascii, bool mono)
{
    setlocale(LC_ALL, "C.UTF-8");
    memset(v, 0, sizeof *v);
    v->out = tmpfile();
    v->in = fopen("/dev/null", "r");
    v->cols = cols;
    v->rows = rows;
    sl_term_opts o = {.in = v->in,
                      .out = v->out,
                      .type = "xterm-256color",
                      .cols = cols,
                      .rows = rows,
                      .ascii = ascii,
                      .mono = mono};
    int rc = sl_term_open(&o);
    if (rc < 0)
        return rc;
    v->vt = vterm_new(rows, cols);
    vterm_set_utf8(v->vt, 1);
    v->scr = vterm_obtain_screen(v->vt);
    vterm_screen_reset(v->scr, 1);
    return 0;
}

/* Feeds everything ncurses wrote since the last sync into the emulator. */
static inline void vs_sync(vscreen *v)
{
    fflush(v->out);
    char buf[65536];
    ssize_t n;
    while ((n = pread(fileno(v->out), buf, sizeof buf, v->off)) > 0) {
        vterm_input_write(v->vt, buf, (size_t)n);
        v->off += n;
    }
}

static inline void vs_resize(vscreen *v, int cols, int rows)
{
    sl_term_resize(cols, rows);
    vterm_set_size(v->vt, rows, cols);
    v->cols = cols;
    v->rows = rows;
}

/* Row y as UTF-8 (trailing blanks kept). */
static inline char *vs_row(const vscreen *v, int y, char *buf, size_t size)
{
    size_t n = 0;
    for (int x = 0; x < v->cols && n + 8 < size; x++) {
        VTermScreenCell c;
        vterm_screen_get_cell(v->scr, (VTermPos){.row = y, .col = x}, &c);
        uint32_t cp = c.chars[0] ? c.chars[0] : ' ';
        if (cp < 0x80) {
            buf[n++] = (char)cp;
        } else if (cp < 0x800) {
            buf[n++] = (char)(0xC0 | (cp >> 6));
            buf[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            buf[n++] = (char)(0xE0 | (cp >> 12));
            buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    buf[n] = '\0';
    return buf;
}

/* First row containing `needle`, or -1. */
static inline int vs_find(const vscreen *v, const char *needle)
{
    char buf[4096];
    for (int y = 0; y < v->rows; y++)
        if (strstr(vs_row(v, y, buf, sizeof buf), needle))
            return y;
    return -1;
}

/* Column of `needle` in row y, or -1. */
static inline int vs_col(const vscreen *v, int y, const char *needle)
{
    char buf[4096];
    vs_row(v, y, buf, sizeof buf);
    const char *p = strstr(buf, needle);
    if (!p)
        return -1;
    int col = 0;
    for (const char *q = buf; q < p; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            col++;
    return col;
}

/* The cells of row y from column x, w wide, as UTF-8. */
static inline char *vs_text(const vscreen *v, int y, int x, int w, char *buf, size_t size)
{
    char row[4096];
    vs_row(v, y, row, sizeof row);
    const char *p = row;
    for (int i = 0; i < x && *p; i++) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80)
            p++;
    }
    size_t n = 0;
    for (int i = 0; i < w && *p && n + 4 < size; i++) {
        do
            buf[n++] = *p++;
        while (((unsigned char)*p & 0xC0) == 0x80);
    }
    buf[n] = '\0';
    return buf;
}

/* True when the cell at (y, x) is underlined. */
static inline bool vs_underlined(const vscreen *v, int y, int x)
{
    VTermScreenCell c;
    vterm_screen_get_cell(v->scr, (VTermPos){.row = y, .col = x}, &c);
    return c.attrs.underline != 0;
}

/* Prints the screen (for a failing test's log). */
static inline void vs_dump(const vscreen *v)
{
    char buf[4096];
    for (int y = 0; y < v->rows; y++)
        fprintf(stderr, "%2d|%s|\n", y, vs_row(v, y, buf, sizeof buf));
}

static inline void vs_close(vscreen *v)
{
    sl_term_close();
    if (v->vt)
        vterm_free(v->vt);
    if (v->out)
        fclose(v->out);
    if (v->in)
        fclose(v->in);
}

#endif
