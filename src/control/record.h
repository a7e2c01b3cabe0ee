/*
 * record.h - sessions beyond the plain TUI: a demo played live in front of
 * a class, the live terminal recorded to an asciicast file, and a demo
 * recorded headless (no terminal needed: CI makes the lessons' casts).
 */
#ifndef SL_UI_RECORD_H
#define SL_UI_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "control/demo.h"
#include "ui/ui.h"

typedef struct sl_record_opts {
    const char *out;     /* the cast file */
    const sl_demo *demo; /* the script */
    int cols, rows;      /* the screen; 0: 120 x 40 */
    unsigned fps;        /* at most this many frames a second; 0: 30 */
    double idle_limit_s; /* > 0: no pause in the cast longer than this */
} sl_record_opts;

typedef struct sl_record_stats {
    double cast_s;  /* the cast's length (after the idle limit) */
    double real_s;  /* how long recording took */
    double run_s;   /* of which runs were going (real time) */
    size_t events;  /* events in the cast */
    uint64_t bytes; /* terminal output recorded */
} sl_record_stats;

/* Plays the demo headless into a cast. The clock is virtual (waits cost
 * nothing) except while a run is going, which takes its real time; a saved
 * trace's recording is therefore the same, byte for byte, every time.
 * Returns 0, SL_EINTR on SIGINT/SIGTERM, or a negative SL_E* with `why`. */
int sl_ui_record(const sl_ui_opts *o, const sl_record_opts *r, sl_record_stats *st, char *why,
                 size_t why_size);

/* The interactive TUI (sl_ui_main) with, optionally, a demo played live
 * (`pause` waits for a key) and the terminal's bytes teed into `cast_path`
 * with resize events. */
int sl_ui_live(const sl_ui_opts *o, const sl_demo *demo, const char *cast_path, char *why,
               size_t why_size);

#endif
