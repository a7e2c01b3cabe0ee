/*
 * fmt.c - small formatting shared by the views: durations, the timeline's
 * time window, task characters for the core lanes, strategy names.
 */
#include <stdio.h>
#include <string.h>

#include "ui/view.h"

char *sl__fmt_dur(char *buf, size_t size, uint64_t ns, bool ascii)
{
    return sl_fmt_duration(buf, size, ns, ascii);
}

/* A round span (1, 2 or 5 times a power of ten) at least `ns`, so that a
 * growing live run rescales the axis in a few steps, not every frame. */
static uint64_t nice_span(uint64_t ns)
{
    uint64_t s = 1000000; /* 1 ms */
    for (;;) {
        if (s >= ns)
            return s;
        if (2 * s >= ns)
            return 2 * s;
        if (5 * s >= ns)
            return 5 * s;
        s *= 10;
    }
}

void sl__timeline_window(const sl_ui *ui, int cols, uint64_t *t0, uint64_t *dt)
{
    if (cols < 1)
        cols = 1;
    uint64_t end = sl_play_shown_end(ui);
    if (end < ui->t_ns)
        end = ui->t_ns;
    uint64_t span = nice_span(end);
    for (int z = 0; z < ui->zoom && span > (uint64_t)cols * 1000; z++)
        span /= 2;
    uint64_t start = 0;
    if (ui->zoom > 0) {
        /* Keep the playhead three quarters across the window. */
        uint64_t lead = span / 4 * 3;
        start = ui->t_ns > lead ? ui->t_ns - lead : 0;
    }
    *t0 = start;
    *dt = (span + (uint64_t)cols - 1) / (uint64_t)cols;
    if (*dt == 0)
        *dt = 1;
}

char sl__task_char(uint32_t task)
{
    static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return chars[task % (sizeof chars - 1)];
}

const char *sl_strategy_name(const sl_ui *ui, int i)
{
    return i >= 0 && i < ui->n_strategies && ui->strategies[i].name ? ui->strategies[i].name : "?";
}

const char *sl__binding_label(const sl_binding *b, bool ascii)
{
    return ascii && b->label_ascii ? b->label_ascii : b->label;
}

/* Bytes of the first `cols` code points of s. */
static size_t prefix_bytes(const char *s, int cols)
{
    size_t b = 0;
    for (int c = 0; s[b] && c < cols; c++) {
        b++;
        while (((unsigned char)s[b] & 0xC0) == 0x80)
            b++;
    }
    return b;
}

char *sl__fmt_fit(char *out, size_t size, const char *s, int w, bool ascii)
{
    const char *more = ascii ? "..." : "\u2026";
    int more_w = ascii ? 3 : 1;
    if (size == 0)
        return out;
    if (w <= 0) {
        out[0] = '\0';
        return out;
    }
    if (sl__term_width(s) <= w) {
        snprintf(out, size, "%s", s);
        return out;
    }
    /* The longest run of whole words that leaves room for the mark,
     * without the separator before the cut. */
    size_t room = prefix_bytes(s, w - more_w), cut = 0;
    for (size_t i = 1; i <= room; i++)
        if (s[i] == ' ')
            cut = i;
    while (cut > 0 && strchr(" ,;:-", s[cut - 1]))
        cut--;
    /* One word wider than the room: it is cut, visibly. */
    if (cut == 0)
        cut = w > more_w ? room : 0;
    snprintf(out, size, "%.*s%s", (int)cut, s, w >= more_w ? more : "");
    return out;
}
