/*
 * cast-marks.c - the moments a recording marks: each caption a demo says
 * and each question predict mode poses.
 *
 * A v3 cast carries them as marker events, so a player can pause at each
 * (asciinema-player's pauseOnMarkers) and a student can jump from one to
 * the next; a v2 cast stays as asciinema 2.x reads it (the writer drops
 * markers). Questions are noticed by their count, whichever way they came
 * (a key, a demo's `key p`, Space after a reveal), so the loops call this
 * once a turn rather than predict mode knowing about casts.
 */
#include "control/app.h"

void sl__app_mark_say(sl_app *a, uint64_t t_ns, const char *text)
{
    if (a->tee && text && text[0])
        sl__tee_mark(a->tee, t_ns, text);
}

void sl__app_mark_questions(sl_app *a, uint64_t t_ns)
{
    const sl_predict *pr = &a->ui.predict;
    if (pr->posed == a->marked)
        return;
    a->marked = pr->posed;
    if (a->tee && pr->asking)
        sl__tee_mark(a->tee, t_ns, sl_ui_question(pr->kind));
}
