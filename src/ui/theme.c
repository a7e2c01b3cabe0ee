/*
 * theme.c - the look of each role on this terminal.
 *
 * The 16-colour palette is the default because it is what a projector and a
 * lecture-room terminal reliably show; each state gets its own hue so that
 * running, ready, waiting, queued and starting stay distinguishable, and failed and
 * cancelled are the only reds (told apart by their glyphs). Every state's
 * colour keeps a contrast of at least 3:1 on a black background (xterm's
 * palette), so waiting is the bright blue: the dark one reads 2.2:1. With 256 colours the same hues
 * are softer. In monochrome the glyphs carry the meaning and attributes only separate the chrome.
 */
#include "ui/theme.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/model.h"
#include "schedlab/ui.h"

/* ANSI colour numbers, so that this file needs no ncurses header. */
enum { C_BLACK = 0, C_RED, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN, C_WHITE };
/* The bright half of the 16 (8 + a colour); a terminal with only eight
 * gets the colour in bold instead (term.c). */
enum { C_BRIGHT = 8 };

sl_palette sl__theme_palette(int colors, bool mono)
{
    const char *nc = getenv("NO_COLOR");
    if (mono || (nc && *nc) || colors < 8)
        return SL_PALETTE_MONO;
    return colors >= 256 ? SL_PALETTE_256 : SL_PALETTE_16;
}

sl_palette sl__theme_pick(sl_palette p, int theme)
{
    if (theme == SL_THEME_MONO)
        return SL_PALETTE_MONO;
    if (theme == SL_THEME_PROJECTOR && p != SL_PALETTE_MONO)
        return SL_PALETTE_PROJECTOR;
    return p;
}

static const char *const theme_names[SL_THEME__COUNT] = {
    [SL_THEME_DEFAULT] = "default",
    [SL_THEME_PROJECTOR] = "projector",
    [SL_THEME_MONO] = "mono",
};

int sl_theme_parse(const char *name)
{
    for (int t = 0; t < SL_THEME__COUNT; t++)
        if (strcmp(name, theme_names[t]) == 0)
            return t;
    return -1;
}

const char *sl_theme_name(int t)
{
    return t >= 0 && t < SL_THEME__COUNT ? theme_names[t] : theme_names[0];
}

static const sl_style mono_styles[SL_ROLE__COUNT] = {
    [SL_ROLE_DIM] = {.fg = -1, .bg = -1, .dim = true},
    [SL_ROLE_TITLE] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_HEADER] = {.fg = -1, .bg = -1, .reverse = true},
    [SL_ROLE_FOOTER] = {.fg = -1, .bg = -1, .reverse = true},
    [SL_ROLE_KEY] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_ACCENT] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_SELECTED] = {.fg = -1, .bg = -1, .reverse = true},
    [SL_ROLE_WARN] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_GOOD] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_LIVE] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_PAUSED] = {.fg = -1, .bg = -1, .bold = true, .underline = true},
    [SL_ROLE_ST_RUNNING] = {.fg = -1, .bg = -1, .bold = true},
    [SL_ROLE_ST_DONE] = {.fg = -1, .bg = -1, .dim = true},
    [SL_ROLE_ST_FAILED] = {.fg = -1, .bg = -1, .bold = true},
};

static const sl_style styles16[SL_ROLE__COUNT] = {
    [SL_ROLE_NORMAL] = {.fg = -1, .bg = -1},
    [SL_ROLE_DIM] = {.fg = -1, .bg = -1, .dim = true},
    [SL_ROLE_TITLE] = {.fg = C_CYAN, .bg = -1, .bold = true},
    [SL_ROLE_HEADER] = {.fg = C_WHITE, .bg = C_BLUE, .bold = true},
    [SL_ROLE_FOOTER] = {.fg = C_BLACK, .bg = C_CYAN},
    [SL_ROLE_KEY] = {.fg = C_YELLOW, .bg = -1, .bold = true},
    [SL_ROLE_ACCENT] = {.fg = C_MAGENTA, .bg = -1, .bold = true},
    [SL_ROLE_SELECTED] = {.fg = C_BLACK, .bg = C_WHITE},
    [SL_ROLE_WARN] = {.fg = C_YELLOW, .bg = -1, .bold = true},
    [SL_ROLE_GOOD] = {.fg = C_GREEN, .bg = -1, .bold = true},
    [SL_ROLE_LIVE] = {.fg = C_WHITE, .bg = C_RED, .bold = true},
    [SL_ROLE_PAUSED] = {.fg = C_BLACK, .bg = C_YELLOW},
    [SL_ROLE_ST_NEW] = {.fg = -1, .bg = -1, .dim = true},
    [SL_ROLE_ST_STARTING] = {.fg = C_CYAN, .bg = -1},
    [SL_ROLE_ST_QUEUED] = {.fg = C_MAGENTA, .bg = -1},
    [SL_ROLE_ST_READY] = {.fg = C_YELLOW, .bg = -1},
    [SL_ROLE_ST_RUNNING] = {.fg = C_GREEN, .bg = -1, .bold = true},
    [SL_ROLE_ST_WAITING] = {.fg = C_BRIGHT + C_BLUE, .bg = -1, .bold = true},
    [SL_ROLE_ST_DONE] = {.fg = -1, .bg = -1, .dim = true},
    [SL_ROLE_ST_FAILED] = {.fg = C_RED, .bg = -1, .bold = true},
    [SL_ROLE_ST_CANCELLED] = {.fg = C_RED, .bg = -1},
};

/* For projectors, which wash colours out and lose dim text altogether:
 * every colour from the bright half, every text bold, nothing dim (what
 * other themes dim is plain white here); the states keep their hues. */
static const sl_style styles_projector[SL_ROLE__COUNT] = {
    [SL_ROLE_NORMAL] = {.fg = C_BRIGHT + C_WHITE, .bg = -1, .bold = true},
    [SL_ROLE_DIM] = {.fg = C_WHITE, .bg = -1, .bold = true},
    [SL_ROLE_TITLE] = {.fg = C_BRIGHT + C_CYAN, .bg = -1, .bold = true},
    [SL_ROLE_HEADER] = {.fg = C_BRIGHT + C_WHITE, .bg = C_BLUE, .bold = true},
    [SL_ROLE_FOOTER] = {.fg = C_BLACK, .bg = C_BRIGHT + C_WHITE, .bold = true},
    [SL_ROLE_KEY] = {.fg = C_BRIGHT + C_YELLOW, .bg = -1, .bold = true},
    [SL_ROLE_ACCENT] = {.fg = C_BRIGHT + C_MAGENTA, .bg = -1, .bold = true},
    [SL_ROLE_SELECTED] = {.fg = C_BLACK, .bg = C_BRIGHT + C_WHITE, .bold = true},
    [SL_ROLE_WARN] = {.fg = C_BRIGHT + C_YELLOW, .bg = -1, .bold = true},
    [SL_ROLE_GOOD] = {.fg = C_BRIGHT + C_GREEN, .bg = -1, .bold = true},
    [SL_ROLE_LIVE] = {.fg = C_BRIGHT + C_WHITE, .bg = C_RED, .bold = true},
    [SL_ROLE_PAUSED] = {.fg = C_BLACK, .bg = C_BRIGHT + C_YELLOW, .bold = true},
    [SL_ROLE_ST_NEW] = {.fg = C_WHITE, .bg = -1, .bold = true},
    [SL_ROLE_ST_QUEUED] = {.fg = C_BRIGHT + C_MAGENTA, .bg = -1, .bold = true},
    [SL_ROLE_ST_READY] = {.fg = C_BRIGHT + C_YELLOW, .bg = -1, .bold = true},
    [SL_ROLE_ST_RUNNING] = {.fg = C_BRIGHT + C_GREEN, .bg = -1, .bold = true},
    [SL_ROLE_ST_WAITING] = {.fg = C_BRIGHT + C_CYAN, .bg = -1, .bold = true},
    [SL_ROLE_ST_DONE] = {.fg = C_WHITE, .bg = -1, .bold = true},
    [SL_ROLE_ST_FAILED] = {.fg = C_BRIGHT + C_RED, .bg = -1, .bold = true},
    [SL_ROLE_ST_CANCELLED] = {.fg = C_BRIGHT + C_RED, .bg = -1, .underline = true},
};

static const sl_style styles256[SL_ROLE__COUNT] = {
    [SL_ROLE_NORMAL] = {.fg = -1, .bg = -1},
    [SL_ROLE_DIM] = {.fg = 245, .bg = -1},
    [SL_ROLE_TITLE] = {.fg = 80, .bg = -1, .bold = true},
    [SL_ROLE_HEADER] = {.fg = 255, .bg = 24, .bold = true},
    [SL_ROLE_FOOTER] = {.fg = 252, .bg = 237},
    [SL_ROLE_KEY] = {.fg = 221, .bg = -1, .bold = true},
    [SL_ROLE_ACCENT] = {.fg = 213, .bg = -1, .bold = true},
    [SL_ROLE_SELECTED] = {.fg = 16, .bg = 153},
    [SL_ROLE_WARN] = {.fg = 214, .bg = -1, .bold = true},
    [SL_ROLE_GOOD] = {.fg = 114, .bg = -1, .bold = true},
    [SL_ROLE_LIVE] = {.fg = 255, .bg = 160, .bold = true},
    [SL_ROLE_PAUSED] = {.fg = 16, .bg = 221},
    [SL_ROLE_ST_NEW] = {.fg = 240, .bg = -1},
    [SL_ROLE_ST_STARTING] = {.fg = 44, .bg = -1},
    [SL_ROLE_ST_QUEUED] = {.fg = 141, .bg = -1},
    [SL_ROLE_ST_READY] = {.fg = 221, .bg = -1},
    [SL_ROLE_ST_RUNNING] = {.fg = 77, .bg = -1},
    [SL_ROLE_ST_WAITING] = {.fg = 75, .bg = -1},
    [SL_ROLE_ST_DONE] = {.fg = 242, .bg = -1},
    [SL_ROLE_ST_FAILED] = {.fg = 196, .bg = -1, .bold = true},
    [SL_ROLE_ST_CANCELLED] = {.fg = 167, .bg = -1},
};

sl_style sl__theme_style(sl_palette p, int role)
{
    if (role < 0 || role >= SL_ROLE__COUNT)
        role = SL_ROLE_NORMAL;
    sl_style s;
    switch (p) {
    case SL_PALETTE_PROJECTOR:
        s = styles_projector[role];
        break;
    case SL_PALETTE_256:
        s = styles256[role];
        break;
    case SL_PALETTE_16:
        s = styles16[role];
        break;
    default:
        s = mono_styles[role];
        s.fg = s.bg = -1;
        return s;
    }
    /* Zero-initialised roles mean "terminal default", not black on black. */
    if (s.fg == 0 && s.bg == 0)
        s.fg = s.bg = -1;
    return s;
}

static const char *const glyphs_utf8[SL_ST__COUNT] = {
    [SL_ST_NEW] = " ",   [SL_ST_STARTING] = "▞", [SL_ST_QUEUED] = "·",
    [SL_ST_READY] = "▒", [SL_ST_RUNNING] = "█",  [SL_ST_WAITING] = "░",
    [SL_ST_DONE] = " ",  [SL_ST_FAILED] = "✗",   [SL_ST_CANCELLED] = "⊘",
};

static const char *const glyphs_ascii[SL_ST__COUNT] = {
    [SL_ST_NEW] = " ",   [SL_ST_STARTING] = "^", [SL_ST_QUEUED] = ".",
    [SL_ST_READY] = "=", [SL_ST_RUNNING] = "#",  [SL_ST_WAITING] = "-",
    [SL_ST_DONE] = " ",  [SL_ST_FAILED] = "X",   [SL_ST_CANCELLED] = "x",
};

const char *sl__theme_glyph(int state, bool ascii)
{
    if (state < 0 || state >= SL_ST__COUNT)
        state = SL_ST_NEW;
    return ascii ? glyphs_ascii[state] : glyphs_utf8[state];
}

const char *sl__theme_end_mark(int state, bool ascii)
{
    if (state == SL_ST_DONE)
        return ascii ? "+" : "✓";
    return sl__theme_glyph(state, ascii);
}

const char *sl__theme_rule(bool ascii)
{
    return ascii ? "-" : "─";
}

bool sl_theme_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}
