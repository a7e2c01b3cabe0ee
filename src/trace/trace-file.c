/*
 * trace-file.c - saving and loading traces (format version 2; reads 1 and 2).
 *
 * Every integer is little-endian, written byte by byte, so a file moves
 * between machines. Layout:
 *
 *   header (48 bytes)
 *     0  "SLTRACE\0"          24 u64 event count
 *     8  u32 version (2)      32 u32 task count
 *     12 u32 header size (48) 36 u32 CRC-32 of the payload
 *     16 u64 payload size     40 u64 reserved (0)
 *   payload
 *     meta        scenario[64] title[128] strategy[32] n_tasks workers cores
 *                 u32 gil (0 unknown, 1 on, 2 off), gil_interval_ns, cpu_iters_per_us (IEEE bits),
 *                 started_unix_ns, machine[64]
 *     counters    u64 dropped, u64 late
 *     task names  per task: u32 length, bytes (no NUL)
 *     os          switch_source[32], voluntary, involuntary, cpu_ns,
 *                 peak_rss_kb, vehicle_mem_kb, u32 n_vehicles,
 *                 u32 n_core_busy (<= 64), u64 core_busy_ns[n_core_busy]
 *     events      32 bytes each: t_ns arg task vehicle kind core reason
 *
 * Versions: an event's kind is stored by its number in sl_event_kind.
 * Version 1 knew the kinds up to OBJECT; version 2 appended START, STEAL,
 * PARK, UNPARK and MIGRATE, and changed nothing else, so a version 1 file
 * is still read (with its own, shorter list of kinds). A newer version is
 * refused by number: its layout may differ in any way.
 *
 * The loader trusts nothing: sizes are checked against the file before any
 * allocation, the checksum before any parsing, and every count against the
 * bytes that remain, so any byte string yields a trace or a sentence.
 * A loaded trace is finished (nothing will append to it); its generation
 * starts at 0 because it is a consumer-side cache counter, not history.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/file.h"
#include "trace-internal.h"

#define FILE_MAGIC "SLTRACE"
#define FILE_VERSION 2u
#define FILE_VERSION_OLDEST 1u
#define HEADER_SIZE 48u
#define EVENT_SIZE 32u
#define META_SIZE 328u
#define MAX_NAME 4096u
#define MAX_CORES 64u

/* ---- encoding ------------------------------------------------------------ */

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void encode_event(uint8_t *p, const sl_event *e)
{
    put_u64(p, e->t_ns);
    put_u64(p + 8, e->arg);
    put_u32(p + 16, e->task);
    put_u32(p + 20, e->vehicle);
    put_u16(p + 24, e->kind);
    put_u16(p + 26, e->core);
    put_u32(p + 28, e->reason);
}

static void decode_event(const uint8_t *p, sl_event *e)
{
    e->t_ns = get_u64(p);
    e->arg = get_u64(p + 8);
    e->task = get_u32(p + 16);
    e->vehicle = get_u32(p + 20);
    e->kind = get_u16(p + 24);
    e->core = get_u16(p + 26);
    e->reason = get_u32(p + 28);
}

/* ---- writing --------------------------------------------------------------- */

/* Encodes the payload; with f NULL it only counts bytes and checksums them.
 * A failed write is sl_ofile's to remember. */
typedef struct writer {
    FILE *f;
    uint32_t crc;
    uint64_t size;
    size_t n;
    uint8_t buf[1 << 16];
} writer;

static void w_flush(writer *w)
{
    w->crc = sl__crc32(w->crc, w->buf, w->n);
    if (w->f != NULL && w->n > 0)
        fwrite(w->buf, 1, w->n, w->f);
    w->size += w->n;
    w->n = 0;
}

static uint8_t *w_room(writer *w, size_t n)
{
    if (sizeof(w->buf) - w->n < n)
        w_flush(w);
    uint8_t *p = w->buf + w->n;
    w->n += n;
    return p;
}

static void w_bytes(writer *w, const void *data, size_t n)
{
    memcpy(w_room(w, n), data, n);
}

static void w_u32(writer *w, uint32_t v)
{
    put_u32(w_room(w, 4), v);
}

static void w_u64(writer *w, uint64_t v)
{
    put_u64(w_room(w, 8), v);
}

static void write_payload(writer *w, const sl_trace *t)
{
    const sl_trace_meta *m = &t->meta;
    uint64_t bits;
    memcpy(&bits, &m->cpu_iters_per_us, sizeof(bits));
    w_bytes(w, m->scenario, sizeof(m->scenario));
    w_bytes(w, m->title, sizeof(m->title));
    w_bytes(w, m->strategy, sizeof(m->strategy));
    w_u32(w, m->n_tasks);
    w_u32(w, m->workers);
    w_u32(w, m->cores);
    w_u32(w, m->gil);
    w_u64(w, m->gil_interval_ns);
    w_u64(w, bits);
    w_u64(w, m->started_unix_ns);
    w_bytes(w, m->machine, sizeof(m->machine));

    w_u64(w, t->dropped);
    w_u64(w, t->late);

    for (uint32_t i = 0; i < m->n_tasks; i++) {
        const char *name = sl_trace_task_name(t, i);
        size_t len = strnlen(name, MAX_NAME);
        w_u32(w, (uint32_t)len);
        w_bytes(w, name, len);
    }

    const sl_trace_os *os = &t->os;
    uint32_t n_busy = os->n_core_busy < MAX_CORES ? os->n_core_busy : MAX_CORES;
    w_bytes(w, os->switch_source, sizeof(os->switch_source));
    w_u64(w, os->voluntary);
    w_u64(w, os->involuntary);
    w_u64(w, os->cpu_ns);
    w_u64(w, os->peak_rss_kb);
    w_u64(w, os->vehicle_mem_kb);
    w_u32(w, os->n_vehicles);
    w_u32(w, n_busy);
    for (uint32_t i = 0; i < n_busy; i++)
        w_u64(w, os->core_busy_ns[i]);

    for (size_t i = 0; i < t->count; i++)
        encode_event(w_room(w, EVENT_SIZE), &t->events[i]);
    w_flush(w);
}

static void encode_header(uint8_t *h, uint64_t payload, uint64_t n_events, uint32_t n_tasks,
                          uint32_t crc)
{
    memset(h, 0, HEADER_SIZE);
    memcpy(h, FILE_MAGIC, 8);
    put_u32(h + 8, FILE_VERSION);
    put_u32(h + 12, HEADER_SIZE);
    put_u64(h + 16, payload);
    put_u64(h + 24, n_events);
    put_u32(h + 32, n_tasks);
    put_u32(h + 36, crc);
}

/* Two passes over the events under one read lock: the first only sums the
 * payload's size and checksum, so the header goes first and the file is
 * written front to back (a pipe or /dev/stdout works; nothing seeks). The
 * output rule (temporary + rename, or into a device) is sl_ofile's. */
int sl_trace_save(const sl_trace *t, const char *path, char *why, size_t why_size)
{
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    if (t == NULL || path == NULL)
        return SL_EINVAL;
    writer *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return SL_ENOMEM;
    sl_ofile *o;
    int err = sl_ofile_open(&o, path, why, why_size);
    if (err < 0) {
        free(w);
        return err;
    }
    sl__trace_read_lock(t);
    write_payload(w, t);
    uint8_t header[HEADER_SIZE];
    encode_header(header, w->size, t->count, t->meta.n_tasks, w->crc);
    *w = (writer){.f = sl_ofile_stream(o)};
    fwrite(header, 1, HEADER_SIZE, w->f);
    write_payload(w, t);
    sl__trace_unlock(t);
    err = sl_ofile_commit(o, why, why_size);
    free(w);
    return err;
}

/* ---- reading --------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t size, at;
} reader;

static const uint8_t *r_take(reader *r, size_t n)
{
    if (r->size - r->at < n)
        return NULL;
    const uint8_t *p = r->p + r->at;
    r->at += n;
    return p;
}

static void copy_str(char *dst, const uint8_t *src, size_t size)
{
    memcpy(dst, src, size);
    dst[size - 1] = '\0';
}

/* Checks the header against the file; returns the payload's offset or an error. */
static int check_header(const uint8_t *b, size_t size, char *why, size_t why_size)
{
    size_t magic_len = size < 8 ? size : 8;
    if (memcmp(b, FILE_MAGIC, magic_len) != 0) {
        sl_why(why, why_size, "not a schedlab trace file (bad magic)");
        return SL_ECORRUPT;
    }
    if (size < HEADER_SIZE) {
        sl_why(why, why_size, "trace file truncated: %zu bytes, the header alone needs %u", size,
               HEADER_SIZE);
        return SL_ECORRUPT;
    }
    uint32_t version = get_u32(b + 8);
    if (version < FILE_VERSION_OLDEST || version > FILE_VERSION) {
        sl_why(why, why_size, "unsupported file version %u (this schedlab reads up to %u)", version,
               FILE_VERSION);
        return SL_EVERSION;
    }
    if (get_u32(b + 12) != HEADER_SIZE || get_u64(b + 40) != 0) {
        sl_why(why, why_size, "trace file corrupt: malformed header");
        return SL_ECORRUPT;
    }
    uint64_t payload = get_u64(b + 16), n_events = get_u64(b + 24);
    if (payload > SL_TRACE_MAX_FILE - HEADER_SIZE) {
        sl_why(why, why_size,
               "trace file corrupt: the header claims a payload of %llu bytes, over the cap "
               "of %llu bytes for a trace file",
               (unsigned long long)payload, (unsigned long long)SL_TRACE_MAX_FILE);
        return SL_ECORRUPT;
    }
    if (payload < META_SIZE || n_events > (payload - META_SIZE) / EVENT_SIZE) {
        sl_why(why, why_size, "trace file corrupt: %llu events cannot fit in %llu bytes",
               (unsigned long long)n_events, (unsigned long long)payload);
        return SL_ECORRUPT;
    }
    uint64_t have = size - HEADER_SIZE;
    uint64_t events_at = payload - n_events * EVENT_SIZE;
    if (have < payload) {
        if (have >= events_at)
            sl_why(why, why_size, "trace file truncated: expected %llu events, found %llu",
                   (unsigned long long)n_events,
                   (unsigned long long)((have - events_at) / EVENT_SIZE));
        else
            sl_why(why, why_size, "trace file truncated: %zu of %llu bytes, cut before the events",
                   size, (unsigned long long)(payload + HEADER_SIZE));
        return SL_ECORRUPT;
    }
    if (have > payload) {
        sl_why(why, why_size, "trace file corrupt: %llu unexpected bytes after the events",
               (unsigned long long)(have - payload));
        return SL_ECORRUPT;
    }
    uint32_t stored = get_u32(b + 36), computed = sl__crc32(0, b + HEADER_SIZE, (size_t)payload);
    if (stored != computed) {
        sl_why(why, why_size, "trace file corrupt: checksum mismatch (stored %08x, computed %08x)",
               stored, computed);
        return SL_ECORRUPT;
    }
    return 0;
}

static void read_meta(const uint8_t *p, sl_trace_meta *m)
{
    memset(m, 0, sizeof(*m));
    copy_str(m->scenario, p, sizeof(m->scenario));
    p += sizeof(m->scenario);
    copy_str(m->title, p, sizeof(m->title));
    p += sizeof(m->title);
    copy_str(m->strategy, p, sizeof(m->strategy));
    p += sizeof(m->strategy);
    m->n_tasks = get_u32(p);
    m->workers = get_u32(p + 4);
    m->cores = get_u32(p + 8);
    m->gil = get_u32(p + 12) <= 3 ? get_u32(p + 12) : 0; /* 3: SL_GIL_NEVER, the largest sl_gil */
    m->gil_interval_ns = get_u64(p + 16);
    uint64_t bits = get_u64(p + 24);
    memcpy(&m->cpu_iters_per_us, &bits, sizeof(bits));
    m->started_unix_ns = get_u64(p + 32);
    copy_str(m->machine, p + 40, sizeof(m->machine));
}

static void free_names(char **names, uint32_t n)
{
    if (names == NULL)
        return;
    for (uint32_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Reads the task names; NULL with `why` set if the bytes do not hold them. */
static int read_names(reader *r, uint32_t n, char ***out, char *why, size_t why_size)
{
    *out = NULL;
    if (n > (r->size - r->at) / 4) {
        sl_why(why, why_size, "trace file corrupt: %u task names cannot fit in the file", n);
        return SL_ECORRUPT;
    }
    char **names = calloc(n ? n : 1, sizeof(char *));
    if (names == NULL)
        return SL_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *lp = r_take(r, 4);
        uint32_t len = lp ? get_u32(lp) : 0;
        const uint8_t *s = lp && len <= MAX_NAME ? r_take(r, len) : NULL;
        if (s == NULL || memchr(s, '\0', len) != NULL) {
            free_names(names, n);
            sl_why(why, why_size, "trace file corrupt: bad name for task %u", i);
            return SL_ECORRUPT;
        }
        names[i] = strndup((const char *)s, len);
        if (names[i] == NULL) {
            free_names(names, n);
            return SL_ENOMEM;
        }
    }
    *out = names;
    return 0;
}

static int read_os(reader *r, sl_trace_os *os, char *why, size_t why_size)
{
    const uint8_t *p = r_take(r, 32 + 5 * 8 + 8);
    if (p == NULL) {
        sl_why(why, why_size, "trace file corrupt: the os block is cut short");
        return SL_ECORRUPT;
    }
    copy_str(os->switch_source, p, sizeof(os->switch_source));
    os->voluntary = get_u64(p + 32);
    os->involuntary = get_u64(p + 40);
    os->cpu_ns = get_u64(p + 48);
    os->peak_rss_kb = get_u64(p + 56);
    os->vehicle_mem_kb = get_u64(p + 64);
    os->n_vehicles = get_u32(p + 72);
    os->n_core_busy = get_u32(p + 76);
    if (os->n_core_busy > MAX_CORES || (p = r_take(r, os->n_core_busy * 8u)) == NULL) {
        sl_why(why, why_size, "trace file corrupt: bad per-core busy block (%u cores)",
               os->n_core_busy);
        return SL_ECORRUPT;
    }
    for (uint32_t i = 0; i < os->n_core_busy; i++)
        os->core_busy_ns[i] = get_u64(p + 8 * i);
    return 0;
}

/* The number of event kinds a file of `version` can hold. */
static unsigned kinds_of_version(uint32_t version)
{
    return version == 1 ? SL_EV_START : SL_EV__COUNT;
}

/* An unknown kind is named with its byte offset in the file, so a corrupt
 * file can be looked at with a hex dump. */
static int read_events(reader *r, sl_trace *t, uint64_t n, uint32_t version, char *why,
                       size_t why_size)
{
    unsigned n_kinds = kinds_of_version(version);
    if (r->size - r->at != n * EVENT_SIZE) {
        sl_why(why, why_size, "trace file corrupt: the events block holds %zu bytes, not %llu",
               r->size - r->at, (unsigned long long)(n * EVENT_SIZE));
        return SL_ECORRUPT;
    }
    if (sl__trace_reserve(t, (size_t)n) < 0)
        return SL_ENOMEM;
    /* A loaded trace is played back: its events on huge pages (see
     * sl_trace_reserve), advised before they are written. */
    sl_huge_pages(t->events, (size_t)n * sizeof *t->events);
    for (size_t i = 0; i < n; i++) {
        sl_event *e = &t->events[i];
        decode_event(r_take(r, EVENT_SIZE), e);
        if (e->kind >= n_kinds) {
            sl_why(why, why_size,
                   "trace file corrupt: event %zu at offset %zu has unknown kind %u (version %u "
                   "knows %u kinds)",
                   i, HEADER_SIZE + r->at - EVENT_SIZE, e->kind, version, n_kinds);
            return SL_ECORRUPT;
        }
        if (i > 0 && e->t_ns < e[-1].t_ns) {
            sl_why(why, why_size, "trace file corrupt: event %zu is out of time order", i);
            return SL_ECORRUPT;
        }
    }
    t->count = (size_t)n;
    return 0;
}

int sl_trace_parse_bytes(const void *bytes, size_t size, sl_trace **out, char *why, size_t why_size)
{
    const uint8_t *b = bytes;
    *out = NULL;
    int err = check_header(b, size, why, why_size);
    if (err < 0)
        return err;
    reader r = {.p = b + HEADER_SIZE, .size = size - HEADER_SIZE};
    sl_trace_meta meta;
    read_meta(r_take(&r, META_SIZE), &meta);
    if (meta.n_tasks != get_u32(b + 32)) {
        sl_why(why, why_size, "trace file corrupt: header says %u tasks, meta says %u",
               get_u32(b + 32), meta.n_tasks);
        return SL_ECORRUPT;
    }
    const uint8_t *counters = r_take(&r, 16);
    if (counters == NULL) {
        sl_why(why, why_size, "trace file corrupt: the counters are cut short");
        return SL_ECORRUPT;
    }
    char **names;
    err = read_names(&r, meta.n_tasks, &names, why, why_size);
    if (err < 0)
        return err;
    sl_trace *t;
    err = sl_trace_new(&t, &meta, (const char *const *)names);
    free_names(names, meta.n_tasks);
    if (err < 0)
        return err;
    t->dropped = get_u64(counters);
    t->late = get_u64(counters + 8);
    t->finished = true;
    err = read_os(&r, &t->os, why, why_size);
    if (err == 0)
        err = read_events(&r, t, get_u64(b + 24), get_u32(b + 8), why, why_size);
    if (err < 0) {
        sl_trace_free(t);
        return err;
    }
    *out = t;
    return 0;
}

int sl_trace_load(const char *path, sl_trace **out, char *why, size_t why_size)
{
    *out = NULL;
    sl_why(why, why_size, "%s", "");
    char *b;
    size_t size;
    int err = sl_file_read(path, SL_TRACE_MAX_FILE, false, &b, &size, why, why_size);
    if (err < 0)
        return err;
    err = sl_trace_parse_bytes(b, size, out, why, why_size);
    free(b);
    return err;
}
