/*
 * hit.c - the frame's clickable areas, newest first on lookup.
 *
 * A frame registers a few dozen areas (strategies, the visible task rows
 * and list entries); a fixed array is plenty, and a frame that draws more
 * loses only the mouse on the extra ones.
 */
#include "ui/hit.h"

#define MAX_HITS 512

typedef struct area {
    sl_rect r;
    sl_hit hit;
} area;

static area areas[MAX_HITS];
static int n_areas;

void sl__hit_reset(void)
{
    n_areas = 0;
}

void sl__hit_add(sl_rect r, sl_hit_kind kind, int index)
{
    if (n_areas < MAX_HITS && r.w > 0 && r.h > 0)
        areas[n_areas++] = (area){.r = r, .hit = {.kind = kind, .index = index}};
}

/* Overlays are drawn last and clear what they cover; an area that lies
 * under one must not answer through it, so the search goes newest first
 * and an overlay registers itself as an SL_HIT_NONE area. */
sl_hit sl_hit_at(int x, int y)
{
    for (int i = n_areas - 1; i >= 0; i--) {
        const sl_rect *r = &areas[i].r;
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return areas[i].hit;
    }
    return (sl_hit){.kind = SL_HIT_NONE};
}
