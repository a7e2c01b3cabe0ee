/*
 * keys.h - key bindings: one const table, read by the dispatcher, the help
 * overlay and the footer, so what the help says is what the keys do.
 */
#ifndef SL_UI_KEYS_H
#define SL_UI_KEYS_H

#include <stddef.h>

#include "schedlab/ui.h"

extern const sl_binding sl__bindings[];
extern const size_t sl__n_bindings;

/* Handles one key: the open overlay and predict mode first, then the
 * table. Returns SL_REDRAW | SL_RELAYOUT | SL_QUIT flags. */
int sl__keys_handle(sl_ui *ui, int key);
/* Runs strategy `idx` (as its number key does). */
int sl__keys_choose_strategy(sl_ui *ui, int idx);
/* A click or a wheel turn (mouse.c), for sl__app_key to call on
 * SL_KEY_MOUSE: returns the same flags as a key. */
int sl__mouse_handle(sl_ui *ui, sl_mouse m);

#endif
