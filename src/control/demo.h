/*
 * demo.h - scripted demos: a small line language that drives the TUI, and
 * the player that carries it out (live for a lecturer, or in a recording).
 *
 *   # a comment                 lesson NAME     strategy NAME
 *   wait 2s | 1.5s | 500ms      key KEY...      say TEXT | say
 *   pause                       run             until-done
 *
 * Keys are single characters (q c p 1 + ...) or names: Space Enter Tab
 * BTab Esc Left Right Up Down Home End PgUp PgDn Backspace Ctrl-L.
 * A `#` after a command (not after say, whose text is taken as written)
 * starts a comment. Errors read "FILE:LINE: message".
 */
#ifndef SL_UI_DEMO_H
#define SL_UI_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_DEMO_MAX_KEYS 16
#define SL_DEMO_MAX_SAY 200

typedef enum sl_demo_op {
    SL_DEMO_LESSON,     /* load lesson `text` (the first one opens the session) */
    SL_DEMO_STRATEGY,   /* choose strategy `text` for the next run */
    SL_DEMO_WAIT,       /* let `ns` pass */
    SL_DEMO_KEY,        /* press keys[] one after another */
    SL_DEMO_SAY,        /* caption `text` (NULL clears it) */
    SL_DEMO_PAUSE,      /* live: wait for a key; recording: hold a moment */
    SL_DEMO_RUN,        /* start (or restart) the run; replay: play from 0 */
    SL_DEMO_UNTIL_DONE, /* wait until no run is going and playback stopped */
} sl_demo_op;

typedef struct sl_demo_cmd {
    sl_demo_op op;
    int line;                   /* 1-based line in the file */
    uint64_t ns;                /* wait */
    int keys[SL_DEMO_MAX_KEYS]; /* key: term.h key codes */
    int n_keys;
    char *text; /* lesson, strategy, say (owned) */
} sl_demo_cmd;

typedef struct sl_demo {
    char *name; /* what errors call the file */
    sl_demo_cmd *cmds;
    size_t n;
} sl_demo;

/* Parses `text`; errors are "NAME:LINE: message" in `why`. */
int sl__demo_parse(const char *name, const char *text, sl_demo **out, char *why, size_t why_size);
/* Reads and parses a file (errors name `path`). */
int sl__demo_load(const char *path, sl_demo **out, char *why, size_t why_size);
void sl__demo_free(sl_demo *d);
/* The first lesson / strategy the script names, or NULL. */
const char *sl__demo_first(const sl_demo *d, sl_demo_op op);
/* A demo file from a path, or a shipped demo's name ("io-download" ->
 * assets/demos/io-download.demo next to the lessons). */
int sl__demo_resolve(const char *name_or_path, char *buf, size_t size);
/* The key code of a name ("Space", "q"), or SL_KEY_NONE. */
int sl__demo_key(const char *name);

/* ---- the player (demo-play.c) ---- */

struct sl_app;

typedef struct sl_player {
    const sl_demo *demo;
    bool live;         /* a lecturer is at the keyboard: pause waits for a key */
    size_t pc;         /* next command */
    int key_i;         /* next key of the current key command */
    bool waiting;      /* a wait, a hold or the gap between keys is running */
    uint64_t until_ns; /* ... and ends then */
    bool paused;       /* live pause: waiting for a key */
    char say[SL_DEMO_MAX_SAY + 1];
    bool done; /* every command carried out */
} sl_player;

/* Player flags from sl__player_step. */
enum {
    SL_PLAYER_REDRAW = 1 << 0, /* something visible changed */
    SL_PLAYER_QUIT = 1 << 1,   /* a scripted q */
};

/* Time between the keys of one `key` line, and a recording's pause. */
#define SL_DEMO_KEY_GAP_NS 250000000ull
#define SL_DEMO_HOLD_NS 2000000000ull

void sl__player_init(sl_player *p, const sl_demo *d, bool live);
/* Carries out every command due at `now_ns` (the session's clock) until
 * one has to wait; *next_ns is when to call again (UINT64_MAX: on the next
 * poll, a run or a key will end the wait). Returns SL_PLAYER_* flags. */
int sl__player_step(sl_player *p, struct sl_app *a, uint64_t now_ns, uint64_t *next_ns);
/* A key typed during a live pause: true if it was taken to continue. */
bool sl__player_key(sl_player *p, int key);
/* True while the session has work in progress: a run, a compare, playback. */
bool sl__player_busy(const struct sl_app *a);
/* Draws the caption over the caption bar (the terminal's overlay hook). */
void sl__player_draw(void *player_and_app);

#endif
