/*
 * worker-image.c - the blob a worker process reads: layout and scenario image.
 *
 * A spawned worker shares no memory with its parent except the rings'
 * region, so the expanded scenario is serialized there once per run:
 *
 *   head | groups[n_groups] | tasks[n_tasks] | steps[n_steps] | strings
 *
 * Records hold offsets into the string table instead of pointers, and every
 * offset and count is checked on the way back in: a worker must not trust
 * bytes it did not write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"
#include "schedlab/proc.h"

#define NO_STRING UINT32_MAX

/* A scenario rebuilt from an image, with the string table its names point into. */
typedef struct image_scenario {
    sl_scenario pub; /* first: an sl_scenario pointer is an image_scenario pointer */
    char *table;
} image_scenario;

typedef struct img_head {
    uint32_t magic;
    uint32_t n_groups, n_tasks;
    uint32_t workers, chunksize;
    uint32_t name, title, path; /* string offsets */
    uint64_t n_steps;
    uint64_t strings_size;
    uint64_t seed;
    uint64_t gil_interval_ns;
    double time_scale;
} img_head;

typedef struct img_group {
    uint32_t name, line, count, pad;
} img_group;

typedef struct img_task {
    uint32_t name, group, first_step, n_steps;
} img_task;

typedef struct img_step {
    uint64_t ns, n;
    uint32_t line, url, kind, obj;
} img_step;

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static size_t str_bytes(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

size_t sl_worker_image_size(const sl_scenario *sc)
{
    size_t strings = str_bytes(sc->name) + str_bytes(sc->title) + str_bytes(sc->path);
    for (uint32_t i = 0; i < sc->n_groups; i++)
        strings += str_bytes(sc->groups[i].name);
    for (uint32_t i = 0; i < sc->n_tasks; i++)
        strings += str_bytes(sc->tasks[i].name);
    for (size_t i = 0; i < sc->n_steps; i++)
        strings += str_bytes(sc->steps[i].url);
    return sizeof(img_head) + sc->n_groups * sizeof(img_group) + sc->n_tasks * sizeof(img_task) +
           sc->n_steps * sizeof(img_step) + align8(strings);
}

/* Appends s to the string table; returns its offset (NO_STRING for NULL). */
static uint32_t put_string(char *table, size_t *used, const char *s)
{
    if (s == NULL)
        return NO_STRING;
    size_t n = strlen(s) + 1;
    memcpy(table + *used, s, n);
    uint32_t off = (uint32_t)*used;
    *used += n;
    return off;
}

int sl_worker_image_write(const sl_scenario *sc, void *buf, size_t size)
{
    size_t need = sl_worker_image_size(sc);
    if (size < need || need - sizeof(img_head) > UINT32_MAX)
        return SL_EINVAL;
    img_head *h = buf;
    img_group *groups = (img_group *)(h + 1);
    img_task *tasks = (img_task *)(groups + sc->n_groups);
    img_step *steps = (img_step *)(tasks + sc->n_tasks);
    char *table = (char *)(steps + sc->n_steps);
    size_t used = 0;
    memset(h, 0, sizeof(*h));
    h->magic = SL_BLOB_MAGIC;
    h->n_groups = sc->n_groups;
    h->n_tasks = sc->n_tasks;
    h->n_steps = sc->n_steps;
    h->workers = sc->workers;
    h->chunksize = sc->chunksize;
    h->seed = sc->seed;
    h->gil_interval_ns = sc->gil_interval_ns;
    h->time_scale = sc->time_scale;
    h->name = put_string(table, &used, sc->name);
    h->title = put_string(table, &used, sc->title);
    h->path = put_string(table, &used, sc->path);
    for (uint32_t i = 0; i < sc->n_groups; i++)
        groups[i] = (img_group){.name = put_string(table, &used, sc->groups[i].name),
                                .line = sc->groups[i].line,
                                .count = sc->groups[i].count};
    for (uint32_t i = 0; i < sc->n_tasks; i++)
        tasks[i] = (img_task){.name = put_string(table, &used, sc->tasks[i].name),
                              .group = sc->tasks[i].group,
                              .first_step = sc->tasks[i].first_step,
                              .n_steps = sc->tasks[i].n_steps};
    for (size_t i = 0; i < sc->n_steps; i++)
        steps[i] = (img_step){.ns = sc->steps[i].ns,
                              .n = sc->steps[i].n,
                              .line = sc->steps[i].line,
                              .url = put_string(table, &used, sc->steps[i].url),
                              .kind = sc->steps[i].kind,
                              .obj = sc->steps[i].obj};
    memset(table + used, 0, align8(used) - used);
    h->strings_size = align8(used);
    return 0;
}

/* A string of the table, or NULL; *ok cleared if the offset is bad. */
static const char *get_string(const char *table, uint64_t size, uint32_t off, bool *ok)
{
    if (off == NO_STRING)
        return NULL;
    if (off >= size) {
        *ok = false;
        return NULL;
    }
    return table + off;
}

int sl_worker_image_read(const void *buf, size_t size, sl_scenario **out)
{
    *out = NULL;
    const img_head *h = buf;
    if (size < sizeof(*h) || h->magic != SL_BLOB_MAGIC)
        return SL_ECORRUPT;
    uint64_t body =
        (uint64_t)h->n_groups * sizeof(img_group) + (uint64_t)h->n_tasks * sizeof(img_task);
    if (h->n_steps > size || h->strings_size > size ||
        sizeof(*h) + body + h->n_steps * sizeof(img_step) + h->strings_size > size)
        return SL_ECORRUPT;
    const img_group *groups = (const img_group *)(h + 1);
    const img_task *tasks = (const img_task *)(groups + h->n_groups);
    const img_step *steps = (const img_step *)(tasks + h->n_tasks);
    const char *src_table = (const char *)(steps + h->n_steps);
    if (h->strings_size == 0 || src_table[h->strings_size - 1] != '\0')
        return SL_ECORRUPT;

    image_scenario *img = calloc(1, sizeof(*img));
    if (img == NULL)
        return SL_ENOMEM;
    sl_scenario *sc = &img->pub;
    char *table = img->table = malloc(h->strings_size);
    sc->groups = calloc(h->n_groups ? h->n_groups : 1, sizeof(*sc->groups));
    sc->tasks = calloc(h->n_tasks ? h->n_tasks : 1, sizeof(*sc->tasks));
    sc->steps = calloc(h->n_steps ? h->n_steps : 1, sizeof(*sc->steps));
    if (table == NULL || sc->groups == NULL || sc->tasks == NULL || sc->steps == NULL) {
        sl_worker_image_free(sc);
        return SL_ENOMEM;
    }
    memcpy(table, src_table, h->strings_size);
    uint64_t ts = h->strings_size;
    bool ok = true;
    sc->name = get_string(table, ts, h->name, &ok);
    sc->title = get_string(table, ts, h->title, &ok);
    sc->path = get_string(table, ts, h->path, &ok);
    sc->seed = h->seed;
    sc->workers = h->workers;
    sc->chunksize = h->chunksize;
    sc->gil_interval_ns = h->gil_interval_ns;
    sc->time_scale = h->time_scale;
    sc->n_groups = h->n_groups;
    sc->n_tasks = h->n_tasks;
    sc->n_steps = h->n_steps;
    for (uint32_t i = 0; i < h->n_groups; i++)
        sc->groups[i] = (sl_group){.name = get_string(table, ts, groups[i].name, &ok),
                                   .line = groups[i].line,
                                   .count = groups[i].count};
    for (uint32_t i = 0; i < h->n_tasks; i++) {
        const img_task *t = &tasks[i];
        sc->tasks[i] = (sl_task){.name = get_string(table, ts, t->name, &ok),
                                 .group = t->group,
                                 .first_step = t->first_step,
                                 .n_steps = t->n_steps};
        if (sc->tasks[i].name == NULL || (h->n_groups > 0 && t->group >= h->n_groups) ||
            (uint64_t)t->first_step + t->n_steps > h->n_steps)
            ok = false;
    }
    for (size_t i = 0; i < h->n_steps; i++) {
        sc->steps[i] = (sl_step){.kind = (uint8_t)steps[i].kind,
                                 .obj = (uint16_t)steps[i].obj,
                                 .line = steps[i].line,
                                 .ns = steps[i].ns,
                                 .n = steps[i].n,
                                 .url = get_string(table, ts, steps[i].url, &ok)};
        if (steps[i].kind >= SL_STEP__COUNT || (steps[i].kind == SL_STEP_GET && !sc->steps[i].url))
            ok = false;
    }
    if (!ok) {
        sl_worker_image_free(sc);
        return SL_ECORRUPT;
    }
    *out = sc;
    return 0;
}

void sl_worker_image_free(sl_scenario *sc)
{
    if (sc == NULL)
        return;
    image_scenario *img = (image_scenario *)sc;
    free(img->table);
    free(sc->groups);
    free(sc->tasks);
    free(sc->steps);
    free(img);
}

size_t sl_blob_size(const sl_scenario *sc, uint32_t n_slots)
{
    /* 64 bytes of slack let the shared objects start on a cache line
     * wherever the region maps the blob. */
    size_t shared = sl_shared_size(sc);
    return align8(sizeof(sl_blob)) + align8(n_slots * sizeof(sl_worker_slot)) +
           align8(sc->n_tasks * sizeof(uint32_t)) + (shared ? align64(shared) + 64 : 0) +
           sl_worker_image_size(sc);
}

int sl_blob_init(sl_run_ctx *ctx, uint32_t n_slots, sl_blob **out)
{
    size_t size;
    void *mem = sl_rings_blob(ctx->rings, &size);
    if (mem == NULL || size < sl_blob_size(ctx->sc, n_slots))
        return SL_EINVAL;
    sl_blob *b = mem;
    memset(b, 0, sizeof(*b));
    b->magic = SL_BLOB_MAGIC;
    b->version = SL_BLOB_VERSION;
    b->n_tasks = ctx->sc->n_tasks;
    b->n_slots = n_slots;
    b->workers = ctx->workers;
    b->chunksize = ctx->chunksize > 0 ? ctx->chunksize : 1;
    b->gil_interval_ns = ctx->gil_interval_ns;
    b->gil = ctx->gil;
    b->offload = ctx->offload;
    b->iters_per_us = sl_work_iters_per_us();
    b->net_port = ctx->net_port;
    b->slots_off = align8(sizeof(*b));
    b->states_off = b->slots_off + align8(n_slots * sizeof(sl_worker_slot));
    uint64_t after_states = b->states_off + align8(ctx->sc->n_tasks * sizeof(uint32_t));
    b->shared_size = sl_shared_size(ctx->sc);
    b->shared_off = after_states;
    b->image_off = after_states;
    if (b->shared_size > 0) {
        b->shared_off = align64((uintptr_t)b + after_states) - (uintptr_t)b;
        b->image_off = b->shared_off + align64(b->shared_size);
    }
    b->image_size = sl_worker_image_size(ctx->sc);
    /* The engine placed them in the same mapping: workers find them there. */
    if (ctx->claims != NULL)
        b->claims_off = (uint64_t)((char *)ctx->claims - (char *)b);
    sl_worker_slot *slots = sl_blob_slots(b);
    for (uint32_t i = 0; i < n_slots; i++) {
        atomic_init(&slots[i].task, SL_NO_TASK);
        atomic_init(&slots[i].first, 0);
        atomic_init(&slots[i].end, 0);
        atomic_init(&slots[i].ring, -1);
        atomic_init(&slots[i].pid, 0);
        atomic_init(&slots[i].runs, 0);
    }
    _Atomic uint32_t *states = sl_blob_states(b);
    for (uint32_t i = 0; i < ctx->sc->n_tasks; i++)
        atomic_init(&states[i], SL_TASK_NEW);
    ctx->shared = NULL;
    if (b->shared_size > 0) {
        int err = sl_shared_init((char *)b + b->shared_off, b->shared_size, ctx->sc,
                                 ctx->sc->n_tasks, SL_SHARED_PER_TASK, &ctx->shared);
        if (err < 0)
            return err;
        /* a blob is shared between processes: event loops there must poll */
        sl_shared_set_polled(ctx->shared);
    }
    *out = b;
    return sl_worker_image_write(ctx->sc, (char *)b + b->image_off, b->image_size);
}

int sl_blob_check(const sl_blob *b, size_t size)
{
    if (b == NULL || size < sizeof(*b) || b->magic != SL_BLOB_MAGIC ||
        b->version != SL_BLOB_VERSION)
        return SL_ECORRUPT;
    if (b->slots_off + (uint64_t)b->n_slots * sizeof(sl_worker_slot) > size ||
        b->states_off + (uint64_t)b->n_tasks * sizeof(uint32_t) > size || b->image_off > size ||
        b->image_size > size - b->image_off || b->shared_off > size || b->claims_off > size ||
        b->n_tasks > size - b->claims_off || b->shared_size > size - b->shared_off)
        return SL_ECORRUPT;
    if (b->shared_size > 0)
        return sl_shared_check((const char *)b + b->shared_off, b->shared_size);
    return 0;
}

void sl_blob_merge(sl_blob *b, sl_run_result *r)
{
    sl_run_result *w = &b->result;
    __atomic_fetch_add(&r->completed, __atomic_load_n(&w->completed, __ATOMIC_ACQUIRE),
                       __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->failed, __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE), __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->cancelled, __atomic_load_n(&w->cancelled, __ATOMIC_ACQUIRE),
                       __ATOMIC_RELAXED);
    /* A worker that hit a limit says which; the first sentence is kept. */
    if (r->error[0] == '\0' && w->error[0] != '\0')
        snprintf(r->error, sizeof(r->error), "%.*s", (int)sizeof(w->error) - 1, w->error);
    uint32_t n = __atomic_load_n(&w->n_failures, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n && i < sizeof(w->failures) / sizeof(w->failures[0]); i++)
        sl_result_failure(r, "%s", w->failures[i]);
    /* The mutex and condition variables are not destroyed: they vanish with
     * the region, and destroying one a killed worker waited on may block. */
    sl_shared_report(sl_blob_shared(b), r);
}
