/*
 * cast-marks.c - the moments a recording marks: each caption a demo says
 * and each question predict mode poses.
 *
 * A v3 cast carries them as marker events, so a player can pause at each
 * (asciinema-player's pauseOnMarkers) and a student can jump from one to
 * the next; a v2 cast stays as asciinema 2.x reads it (the writer drops
 * markers). Each is marked right after the frame that shows it, at that
 * frame's time, so a player paused at a marker shows the caption or the
 * question. Questions are noticed by their count, whichever way they came
 * (a key, a demo's `key p`, Space after a reveal), so the loops call this
 * after each frame rather than predict mode knowing about casts.
 */
#include <stdio.h>

#include "control/app.h"

void sl__app_mark_say(sl_app *a, const char *text)
{
    if (!a->tee || !text || !text[0])
        return;
    snprintf(a->mark_say, sizeof a->mark_say, "%s", text);
    a->mark_pending = true;
}

void sl__app_marks(sl_app *a, uint64_t t_ns)
{
    if (a->mark_pending) {
        a->mark_pending = false;
        sl__tee_mark(a->tee, t_ns, a->mark_say);
    }
    const sl_predict *pr = &a->ui.predict;
    if (pr->posed == a->marked)
        return;
    a->marked = pr->posed;
    if (a->tee && pr->asking)
        sl__tee_mark(a->tee, t_ns, sl_ui_question(pr->kind));
}
