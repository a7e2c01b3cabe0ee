/*
 * theme.h - colours by role and glyphs by state.
 *
 * Views never name a colour: they name a role (SL_ROLE_READY, SL_ROLE_TITLE)
 * and the theme decides what that looks like on this terminal: the 16-colour
 * palette by default, 256 colours when the terminal has them, attributes
 * only under NO_COLOR / --mono. Every state also has a glyph, so a state is
 * readable without colour; --ascii or a non-UTF-8 locale picks ASCII glyphs.
 */
#ifndef SL_UI_THEME_H
#define SL_UI_THEME_H

#include <stdbool.h>

typedef enum sl_role {
    SL_ROLE_NORMAL = 0,
    SL_ROLE_DIM,      /* secondary text: units, axis labels */
    SL_ROLE_TITLE,    /* panel titles and rules */
    SL_ROLE_HEADER,   /* the header bar */
    SL_ROLE_FOOTER,   /* the footer bar */
    SL_ROLE_KEY,      /* a key name in the footer and help */
    SL_ROLE_ACCENT,   /* the playhead, a migration, the current strategy */
    SL_ROLE_SELECTED, /* the selected task */
    SL_ROLE_WARN,     /* lints, dropped events, wrong guesses */
    SL_ROLE_GOOD,     /* right guesses, the verdict */
    SL_ROLE_LIVE,     /* the LIVE badge */
    SL_ROLE_PAUSED,   /* the PAUSED badge */
    SL_ROLE_ST_NEW,   /* one role per task state, in sl_state order */
    SL_ROLE_ST_STARTING,
    SL_ROLE_ST_QUEUED,
    SL_ROLE_ST_READY,
    SL_ROLE_ST_RUNNING,
    SL_ROLE_ST_WAITING,
    SL_ROLE_ST_DONE,
    SL_ROLE_ST_FAILED,
    SL_ROLE_ST_CANCELLED,
    SL_ROLE__COUNT
} sl_role;

/* ORed into a role: the text is underlined. A timeline column that ran
 * for less time than the state it shows is drawn so (a "brief run"). */
#define SL_ROLE_MARK 0x100

/* The role that colours a task state. */
#define SL_ROLE_STATE(st) ((int)SL_ROLE_ST_NEW + (int)(st))

/* What a role looks like: colour numbers (-1 = terminal default) and flags. */
typedef struct sl_style {
    short fg, bg;
    bool bold, dim, reverse, underline;
} sl_style;

typedef enum sl_palette {
    SL_PALETTE_MONO = 0,  /* attributes only */
    SL_PALETTE_16,        /* the sixteen ANSI colours (eight plus bold where only eight) */
    SL_PALETTE_256,       /* xterm 256-colour cube */
    SL_PALETTE_PROJECTOR, /* the bright half of the 16, bold, never dim */
} sl_palette;

/* Chooses the palette from the terminal's colour count and the flags:
 * mono wins, NO_COLOR (set and non-empty) means mono. */
sl_palette sl__theme_palette(int colors, bool mono);
/* The palette for a theme on a terminal whose palette would be `p`: the
 * projector's wherever there are colours, mono for the mono theme. */
sl_palette sl__theme_pick(sl_palette p, int theme);
/* Style of a role under a palette. */
sl_style sl__theme_style(sl_palette p, int role);

/* Glyph for a state in the timeline: "█" running, "▒" ready, "░" waiting,
 * "·" queued, " " done and new, "✗" failed, "⊘" cancelled; ASCII "#", "=",
 * "-", ".", " ", "X", "x". */
const char *sl__theme_glyph(int state, bool ascii);
/* Mark drawn once where a task finishes: "✓" (ASCII "+") or the failed glyph. */
const char *sl__theme_end_mark(int state, bool ascii);
/* Horizontal rule piece: "─" or "-". */
const char *sl__theme_rule(bool ascii);

#endif
