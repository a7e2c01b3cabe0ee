/*
 * record-cast.h - an asciicast v2 writer: a JSON header line, then one
 * `[time, "o", data]` line per chunk of terminal output and
 * `[time, "r", "COLSxROWS"]` per resize.
 *
 * The writer owns the shape of the timeline: times never go backwards,
 * output closer together than one frame (1/fps) is merged into one event,
 * and gaps longer than the idle limit are shortened to it, as
 * `asciinema rec --idle-time-limit` does. Output is cut only at whole UTF-8
 * characters, so every event is valid JSON text on its own.
 */
#ifndef SL_UI_RECORD_CAST_H
#define SL_UI_RECORD_CAST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_cast_header {
    int width, height;   /* terminal size in cells */
    int64_t timestamp;   /* unix seconds of the recording (fixed for replays) */
    const char *title;   /* shown by players, or NULL */
    const char *term;    /* env.TERM */
    const char *shell;   /* env.SHELL */
    unsigned fps;        /* at most this many events a second (0: 30) */
    double idle_limit_s; /* > 0: no gap in the output longer than this */
} sl_cast_header;

typedef struct sl_cast sl_cast;

/* Creates `path` and writes the header line. */
int sl__cast_open(sl_cast **out, const char *path, const sl_cast_header *h);
/* Terminal output at `t_ns` (time since the recording started). */
int sl__cast_output(sl_cast *c, uint64_t t_ns, const char *data, size_t n);
/* The terminal became cols x rows at `t_ns`. */
int sl__cast_resize(sl_cast *c, uint64_t t_ns, int cols, int rows);
/* Writes what is pending and closes the file; returns the first write error.
 * NULL is allowed. */
int sl__cast_close(sl_cast *c);
/* Writes the pending event now (before reading the counts). */
int sl__cast_flush(sl_cast *c);
/* Time of the newest event, after the idle limit (the cast's length). */
uint64_t sl__cast_length(const sl_cast *c);
/* Events written so far (after merging). */
size_t sl__cast_events(const sl_cast *c);

/* Writes s (n bytes) as a JSON string, quotes included: quotes, backslashes
 * and control characters escaped, invalid UTF-8 as U+FFFD. */
void sl__cast_json_string(FILE *f, const char *s, size_t n);

#endif
