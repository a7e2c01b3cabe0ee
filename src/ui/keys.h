/*
 * keys.h - key bindings: one const table, read by the dispatcher, the help
 * overlay and the footer, so what the help says is what the keys do.
 */
#ifndef SL_UI_KEYS_H
#define SL_UI_KEYS_H

#include <stddef.h>

#include "ui/view.h"

/* Effects a handler returns, or-ed together. */
enum {
    SL_REDRAW = 1 << 0,   /* the frame must be drawn again */
    SL_RELAYOUT = 1 << 1, /* panels must be recomputed first */
    SL_QUIT = 1 << 2,     /* leave the TUI */
};

typedef int (*sl_key_fn)(sl_ui *ui, int key);

typedef struct sl_binding {
    int keys[12];            /* key codes (term.h), 0-terminated */
    const char *label;       /* how help and footer write the keys */
    const char *label_ascii; /* the same without arrows, or NULL */
    const char *help;        /* one line for the help overlay */
    const char *footer;      /* a word for the footer, NULL: help only */
    int rank;                /* footer order: 1 first; a narrow footer drops the last */
    sl_key_fn fn;
} sl_binding;

extern const sl_binding sl__bindings[];
extern const size_t sl__n_bindings;

/* Handles one key: the open overlay and predict mode first, then the
 * table. Returns SL_REDRAW | SL_RELAYOUT | SL_QUIT flags. */
int sl__keys_handle(sl_ui *ui, int key);
/* The label of a binding for this terminal. */
const char *sl__binding_label(const sl_binding *b, bool ascii);

#endif
