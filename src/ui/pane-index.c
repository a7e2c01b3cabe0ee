/*
 * pane-index.c - a finished run's span index, built beside its first frame.
 *
 * The index (sl_span_index) is what lets a playback frame sum only the
 * spans that changed since the last one. A million-task run has nine
 * million spans, and indexing them takes 0.15-0.4 s here: the first frame
 * of a finished run (the end of the trace, where nothing needs cutting
 * through the index) does not need it. So a finished run's index is built
 * by a thread of its own while the first frame is drawn; until it is done
 * the views sum their cut columns from every span (tens of ms at a million
 * tasks, nothing at a lesson's size), as they do without an index.
 *
 * The thread reads the spans, which stay as they are once a finished run is
 * read out, and writes only its own index; the pane takes that index after
 * pthread_join, so nothing else is shared but the `done` flag. A live run's
 * spans change under it, so its index is built in place as before.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ui/view.h"

struct sl_index_build {
    pthread_t thread;
    const sl_spans *spans;
    sl_span_index index;
    int rc;
    atomic_bool done;
};

static void *build(void *arg)
{
    struct sl_index_build *b = arg;
    b->rc = sl_span_index_build(b->spans, &b->index);
    atomic_store_explicit(&b->done, true, memory_order_release);
    return NULL;
}

void sl__pane_index_start(sl_pane *p)
{
    sl__pane_index_join(p);
    p->have_index = false;
    struct sl_index_build *b = calloc(1, sizeof *b);
    if (b) {
        b->spans = &p->spans;
        b->index = p->index; /* its memory serves again */
        p->index = (sl_span_index){0};
        if (pthread_create(&b->thread, NULL, build, b) == 0) {
            p->index_build = b;
            return;
        }
        p->index = b->index;
        free(b);
    }
    p->have_index = sl_span_index_build(&p->spans, &p->index) == 0;
}

/* Takes the built index into the pane. */
static void take(sl_pane *p)
{
    struct sl_index_build *b = p->index_build;
    pthread_join(b->thread, NULL);
    sl_span_index_free(&p->index);
    p->index = b->index;
    p->have_index = b->rc == 0;
    p->index_build = NULL;
    free(b);
}

bool sl__pane_index_ready(const sl_pane *pc)
{
    sl_pane *p = (sl_pane *)pc; /* the index is the pane's, not the frame's */
    if (p->index_build && atomic_load_explicit(&p->index_build->done, memory_order_acquire))
        take(p);
    return p->have_index;
}

void sl__pane_index_join(sl_pane *p)
{
    if (p->index_build)
        take(p);
}
