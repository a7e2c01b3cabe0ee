/*
 * prefs.c - the user's preferences as the app applies them: a lecture pace
 * of their own over the lessons', and keys remapped as they type them.
 *
 * Remaps apply to what is typed only: a demo script presses the keys it
 * names, so a script plays the same whoever's config is in force.
 */
#include "control/app.h"
#include "control/play.h"

uint64_t sl__app_pace(const sl_app *a, const sl_scenario *sc)
{
    return a->pace_set ? a->pace_ns : sl__play_lesson_pace(sc);
}

int sl__app_remap(const sl_app *a, int key)
{
    for (size_t i = 0; i < a->n_remaps; i++)
        if (a->remap[i][0] == key)
            return a->remap[i][1];
    return key;
}
