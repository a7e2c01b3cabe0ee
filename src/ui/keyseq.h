/*
 * keyseq.h - the escape sequences terminals send for special keys.
 *
 * Terminfo names one sequence per key for the terminal $TERM claims to be,
 * but the terminal in front of the user often sends another: tmux and screen
 * send the vt220 `ESC [1~` / `ESC [4~` for Home / End whatever TERM says, the
 * Linux console sends `ESC [[A` for F1, rxvt `ESC [7~` for Home. This table
 * holds every common variant, so the terminal layer can teach ncurses all of
 * them, and decode by itself whatever ncurses still passes through byte by
 * byte, swallowing a sequence it does not know rather than letting its bytes
 * through as ordinary keys.
 */
#ifndef SL_UI_KEYSEQ_H
#define SL_UI_KEYSEQ_H

#include <stddef.h>

typedef struct sl_keyseq {
    const char *seq; /* the bytes after ESC */
    int key;         /* an SL_KEY_* code */
} sl_keyseq;

extern const sl_keyseq sl__keyseqs[];
extern const size_t sl__n_keyseqs;

/* Length of the escape sequence whose bytes after ESC start `s` (n bytes):
 * a CSI (`[` parameters final), an SS3 (`O` one letter), the Linux console's
 * `[[` letter, or an SGR mouse report. 0 when `s` holds only part of one,
 * 1 for ESC followed by any other byte (an Alt chord). */
size_t sl__keyseq_length(const char *s, size_t n);

/* The SL_KEY_* that the bytes after ESC (n of them, a whole sequence from
 * sl__keyseq_length) stand for, or SL_KEY_NONE when no key is known by them. */
int sl__keyseq_decode(const char *s, size_t n);

#endif
