/*
 * record-tee.h - what the terminal module writes, caught on its way out.
 *
 * ncurses writes to a file descriptor, so to see its bytes the terminal is
 * opened on a memory file (sl__tee_stream) and, after every frame, the app
 * moves the new bytes to the cast and, when recording a live session, on
 * to the real terminal. Because curses then no longer owns the real
 * terminal, the tee sets its modes (no echo, keys at once, no output
 * translation), watches its size (SIGWINCH) and handles Ctrl-Z (SIGTSTP)
 * itself.
 */
#ifndef SL_UI_RECORD_TEE_H
#define SL_UI_RECORD_TEE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "schedlab/export.h"

typedef struct sl_tee sl_tee;

/* Opens the memory file. `cast` (taken; may be NULL) receives every byte;
 * `tty` >= 0 is the real terminal (its output side: also made raw, and its
 * size followed), -1 for a headless recording. */
int sl__tee_open(sl_tee **out, sl_cast *cast, int tty);
/* The stream to open the terminal module on. */
FILE *sl__tee_stream(sl_tee *t);
/* Moves the bytes written since the last pump, stamped `t_ns`. */
int sl__tee_pump(sl_tee *t, uint64_t t_ns);
/* The real terminal's size (false when there is none or it cannot tell). */
bool sl__tee_tty_size(const sl_tee *t, int *cols, int *rows);
/* True once after the real terminal was resized; gives the new size and
 * writes a resize event at `t_ns`. */
bool sl__tee_resized(sl_tee *t, uint64_t t_ns, int *cols, int *rows);
/* True once after Ctrl-Z asked the program to stop. */
bool sl__tee_stop_asked(sl_tee *t);
/* Stops the process as Ctrl-Z does, after passing what curses wrote to
 * leave the screen (sl_term_suspend) to the real terminal only and putting
 * back its modes; returns once continued (fg), the modes raw again and the
 * size checked anew. The cast sees none of it: it plays on. */
void sl__tee_stop_here(sl_tee *t);
/* Forgets what was written since the last pump (a headless recording
 * ends on its last frame, not on the terminal being restored). */
void sl__tee_drop(sl_tee *t);
/* Marks a moment of the cast (v3 casts: a marker event labelled `label`),
 * after passing on what was written before it. */
int sl__tee_mark(sl_tee *t, uint64_t t_ns, const char *label);
/* The cast being written, or NULL. */
sl_cast *sl__tee_cast(sl_tee *t);
/* Bytes moved so far. */
uint64_t sl__tee_bytes(const sl_tee *t);
/* Pumps what is left at `t_ns`, restores the real terminal, closes the cast;
 * returns the cast's first error. NULL is allowed. */
int sl__tee_close(sl_tee *t, uint64_t t_ns);

#endif
