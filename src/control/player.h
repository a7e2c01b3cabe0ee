/*
 * player.h - carrying out a demo script on the app (demo-play.c): live in
 * front of a class, or headless into a recording.
 */
#ifndef SL_CONTROL_PLAYER_H
#define SL_CONTROL_PLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/control.h"

struct sl_app;
struct sl_ui;

typedef struct sl_player {
    const sl_demo *demo;
    bool live;         /* a lecturer is at the keyboard: pause waits for a key */
    size_t pc;         /* next command */
    int key_i;         /* next key of the current key command */
    bool waiting;      /* a wait, a hold or the gap between keys is running */
    uint64_t until_ns; /* ... and ends then */
    bool paused;       /* live pause: waiting for a key */
    char say[4 * SL_DEMO_MAX_SAY + 1]; /* UTF-8: up to 4 bytes a character */
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
bool sl__player_key(sl_player *p, struct sl_ui *ui, int key);
/* True while the session has work in progress: a run, a compare, playback. */
bool sl__player_busy(const struct sl_app *a);

#endif
