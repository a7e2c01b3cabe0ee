/*
 * hit.h - what was drawn where, for the mouse.
 *
 * Views register the cells that stand for a strategy or a task as they draw
 * them, so a click is resolved against the very frame the user sees, and
 * no second copy of the layout has to agree with the views.
 */
#ifndef SL_UI_HIT_H
#define SL_UI_HIT_H

#include "ui/view.h"
#include "ui/term.h"

/* Forgets the last frame's areas (at the start of a frame). */
void sl__hit_reset(void);
/* Registers an area; the latest drawn wins where areas overlap (an overlay
 * over the panels). Areas past a fixed number are dropped. */
void sl__hit_add(sl_rect r, sl_hit_kind kind, int index);

#endif
