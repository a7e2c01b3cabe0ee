/*
 * asciicast.c - the asciicast file, v2 or v3: header, output, resize and
 * marker events.
 *
 * Terminal output arrives in whatever chunks the terminal module flushed;
 * the writer keeps one pending event and appends to it while new output
 * falls within a frame of its start, so a burst of flushes (a key handled,
 * then the frame it caused) plays as one step and the file stays small.
 * Times are rebased as events start: a gap longer than the idle limit is
 * cut down to the limit, and every later time moves back by what was cut.
 *
 * The two versions differ only in how they write what the writer keeps:
 * v2 stamps each event with its time since the start, v3 (asciinema 3.0)
 * with the time since the previous event, and names the terminal in a
 * `term` object. v3 intervals are differences of whole microseconds, so
 * summing them gives back the v2 times exactly, with no drift.
 */
#include "export/export-internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/file.h"

struct sl_cast {
    sl_ofile *out; /* the file, by the output rule: replaced whole or written into */
    FILE *f;
    uint64_t frame_ns; /* minimum spacing of events */
    uint64_t idle_ns;  /* 0: no limit */
    uint64_t last_raw; /* raw time of the newest event started */
    uint64_t skipped;  /* idle time cut so far */
    bool started;      /* an event was started */
    char *buf;         /* pending output */
    size_t len, cap;
    uint64_t pending_t; /* its (rebased) time */
    bool pending;
    int version;      /* 2 or 3 */
    uint64_t prev_us; /* v3: time of the last event written, in µs */
    size_t events;
    int err;
};

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* Overlong three- and four-byte forms, surrogates, beyond U+10FFFF. */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

void sl__cast_json_string(FILE *f, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c == '\n') {
            fputs("\\n", f);
            i++;
        } else if (c == '\r') {
            fputs("\\r", f);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0) {
                fputs("\\ufffd", f);
                i++;
            } else {
                fwrite(s + i, 1, len, f);
                i += len;
            }
        }
    }
    fputc('"', f);
}

/* v2: {version, width, height, timestamp, idle_time_limit, title,
 * env: {TERM, SHELL}}; v3: {version, term: {cols, rows, type}, timestamp,
 * idle_time_limit, title, env: {SHELL}}. */
static void write_header(sl_cast *c, const sl_cast_header *h)
{
    const char *term = h->term ? h->term : "xterm-256color";
    const char *shell = h->shell ? h->shell : "/bin/sh";
    if (c->version == 3) {
        fprintf(c->f,
                "{\"version\": 3, \"term\": {\"cols\": %d, \"rows\": %d, \"type\": ", h->width,
                h->height);
        sl__cast_json_string(c->f, term, strlen(term));
        fprintf(c->f, "}, \"timestamp\": %lld", (long long)h->timestamp);
    } else {
        fprintf(c->f, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld",
                h->width, h->height, (long long)h->timestamp);
    }
    if (h->idle_limit_s > 0)
        fprintf(c->f, ", \"idle_time_limit\": %g", h->idle_limit_s);
    if (h->title) {
        fputs(", \"title\": ", c->f);
        sl__cast_json_string(c->f, h->title, strlen(h->title));
    }
    fputs(", \"env\": {", c->f);
    if (c->version == 2) {
        fputs("\"TERM\": ", c->f);
        sl__cast_json_string(c->f, term, strlen(term));
        fputs(", ", c->f);
    }
    fputs("\"SHELL\": ", c->f);
    sl__cast_json_string(c->f, shell, strlen(shell));
    fputs("}}\n", c->f);
}

int sl_cast_open(sl_cast **out, const char *path, const sl_cast_header *h)
{
    *out = NULL;
    if (h->width <= 0 || h->height <= 0 || (h->version != 0 && h->version != 2 && h->version != 3))
        return SL_EINVAL;
    sl_cast *c = calloc(1, sizeof *c);
    if (!c)
        return SL_ENOMEM;
    int rc = sl_ofile_open(&c->out, path, NULL, 0);
    if (rc < 0) {
        free(c);
        return rc;
    }
    c->f = sl_ofile_stream(c->out);
    c->frame_ns = 1000000000ull / (h->fps ? h->fps : 30);
    c->idle_ns = h->idle_limit_s > 0 ? (uint64_t)(h->idle_limit_s * 1e9) : 0;
    c->version = h->version == 3 ? 3 : 2;
    write_header(c, h);
    *out = c;
    return 0;
}

/* The rebased time of an event starting at raw time t. */
static uint64_t rebase(sl_cast *c, uint64_t t)
{
    if (c->started && t < c->last_raw)
        t = c->last_raw;
    if (c->started && c->idle_ns && t - c->last_raw > c->idle_ns)
        c->skipped += t - c->last_raw - c->idle_ns;
    c->last_raw = t;
    c->started = true;
    return t - c->skipped;
}

/* Opens an event line at rebased time t: v2 writes t, v3 the interval
 * since the previous event. */
static void put_time(sl_cast *c, uint64_t t)
{
    uint64_t us = t / 1000;
    if (c->version == 3) {
        uint64_t abs_us = us;
        us = abs_us > c->prev_us ? abs_us - c->prev_us : 0;
        if (abs_us > c->prev_us)
            c->prev_us = abs_us;
    }
    fprintf(c->f, "[%llu.%06llu, ", (unsigned long long)(us / 1000000ull),
            (unsigned long long)(us % 1000000ull));
}

/* Writes the pending output up to its last whole character (all of it when
 * `all`); an incomplete character waits for the rest. */
static void flush_pending(sl_cast *c, bool all)
{
    if (!c->pending || c->len == 0)
        return;
    size_t cut = c->len;
    if (!all) {
        /* Back up over a trailing incomplete sequence (at most 3 bytes). */
        size_t i = c->len, back = 0;
        while (i > 0 && back < 3 && ((unsigned char)c->buf[i - 1] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i > 0 && (unsigned char)c->buf[i - 1] >= 0xC0) {
            size_t need = utf8_len((const unsigned char *)c->buf + i - 1, c->len - i + 1);
            if (need == 0 && c->len - i + 1 < 4)
                cut = i - 1;
        }
    }
    if (cut > 0) {
        put_time(c, c->pending_t);
        fputs("\"o\", ", c->f);
        sl__cast_json_string(c->f, c->buf, cut);
        fputs("]\n", c->f);
        c->events++;
    }
    memmove(c->buf, c->buf + cut, c->len - cut);
    c->len -= cut;
    c->pending = c->len > 0;
}

int sl_cast_output(sl_cast *c, uint64_t t_ns, const char *data, size_t n)
{
    if (n == 0)
        return c->err;
    if (c->pending) {
        uint64_t raw = t_ns < c->last_raw ? c->last_raw : t_ns;
        /* Within a frame of the pending event's start (raw time, before any
         * idle cut) the output joins it. */
        if (raw - c->last_raw >= c->frame_ns) {
            flush_pending(c, false);
            c->pending_t = rebase(c, t_ns);
        }
    } else {
        c->pending_t = rebase(c, t_ns);
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b)
            return c->err = SL_ENOMEM;
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, data, n);
    c->len += n;
    c->pending = true;
    return c->err;
}

int sl_cast_resize(sl_cast *c, uint64_t t_ns, int cols, int rows)
{
    flush_pending(c, true);
    put_time(c, rebase(c, t_ns));
    fprintf(c->f, "\"r\", \"%dx%d\"]\n", cols, rows);
    c->events++;
    return c->err;
}

int sl_cast_marker(sl_cast *c, uint64_t t_ns, const char *label)
{
    if (c->version < 3)
        return c->err;
    flush_pending(c, true);
    put_time(c, rebase(c, t_ns));
    fputs("\"m\", ", c->f);
    sl__cast_json_string(c->f, label ? label : "", label ? strlen(label) : 0);
    fputs("]\n", c->f);
    c->events++;
    return c->err;
}

int sl_cast_flush(sl_cast *c)
{
    flush_pending(c, true);
    return c->err;
}

uint64_t sl_cast_length(const sl_cast *c)
{
    return c->started ? c->last_raw - c->skipped : 0;
}

size_t sl_cast_events(const sl_cast *c)
{
    return c->events;
}

int sl_cast_close(sl_cast *c)
{
    if (!c)
        return 0;
    flush_pending(c, true);
    int rc = c->err;
    int wrc = sl_ofile_commit(c->out, NULL, 0);
    if (rc == 0)
        rc = wrc;
    free(c->buf);
    free(c);
    return rc;
}
