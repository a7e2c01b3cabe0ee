/*
 * test-trace-file.c - trace files: an exact round trip, and every truncation
 * and every flipped byte rejected with a sentence, never a crash.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"

static char dir[64];

static int make_dir(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/sl-trace-file-XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
    return rmdir(dir);
}

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static sl_trace *sample_trace(size_t n_events)
{
    sl_trace_meta meta = {
        .n_tasks = 3,
        .workers = 4,
        .cores = 2,
        .gil_interval_ns = 5000000,
        .cpu_iters_per_us = 123.25,
        .started_unix_ns = UINT64_C(1763700000123456789),
    };
    snprintf(meta.scenario, sizeof(meta.scenario), "io-download");
    snprintf(meta.title, sizeof(meta.title), "Downloading many pages");
    snprintf(meta.strategy, sizeof(meta.strategy), "threadpool");
    snprintf(meta.machine, sizeof(meta.machine), "test-host / Xeon");
    const char *names[] = {"fetch-a", "fetch b (slow)", "parse"};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    for (size_t i = 0; i < n_events; i++) {
        sl_event e = {
            .t_ns = i * 1000 + (i % 3),
            .arg = UINT64_C(0xfedcba9876543210) ^ i,
            .task = (uint32_t)(i % 3),
            .vehicle = 1000 + (uint32_t)(i % 5),
            .kind = (uint16_t)(1 + i % (SL_EV__COUNT - 1)),
            .core = (uint16_t)(i % 2),
            .reason = (uint32_t)(i % 6),
        };
        assert_int_equal(sl_trace_append(t, &e, 1), 0);
    }
    t->dropped = 17;
    t->late = 2;
    snprintf(t->os.switch_source, sizeof(t->os.switch_source), "schedstat");
    t->os.voluntary = 11;
    t->os.involuntary = 12;
    t->os.cpu_ns = 13;
    t->os.peak_rss_kb = 14;
    t->os.vehicle_mem_kb = 15;
    t->os.n_vehicles = 16;
    t->os.n_core_busy = 2;
    t->os.core_busy_ns[0] = 900;
    t->os.core_busy_ns[1] = 901;
    return t;
}

static void assert_same(const sl_trace *a, const sl_trace *b)
{
    assert_string_equal(a->meta.scenario, b->meta.scenario);
    assert_string_equal(a->meta.title, b->meta.title);
    assert_string_equal(a->meta.strategy, b->meta.strategy);
    assert_string_equal(a->meta.machine, b->meta.machine);
    assert_int_equal(a->meta.n_tasks, b->meta.n_tasks);
    assert_int_equal(a->meta.workers, b->meta.workers);
    assert_int_equal(a->meta.cores, b->meta.cores);
    assert_int_equal(a->meta.gil_interval_ns, b->meta.gil_interval_ns);
    assert_true(a->meta.cpu_iters_per_us == b->meta.cpu_iters_per_us);
    assert_int_equal(a->meta.started_unix_ns, b->meta.started_unix_ns);
    for (uint32_t i = 0; i < a->meta.n_tasks; i++)
        assert_string_equal(sl_trace_task_name(a, i), sl_trace_task_name(b, i));
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->events, b->events, a->count * sizeof(sl_event));
    assert_int_equal(a->dropped, b->dropped);
    assert_int_equal(a->late, b->late);
    assert_string_equal(a->os.switch_source, b->os.switch_source);
    assert_int_equal(a->os.voluntary, b->os.voluntary);
    assert_int_equal(a->os.involuntary, b->os.involuntary);
    assert_int_equal(a->os.cpu_ns, b->os.cpu_ns);
    assert_int_equal(a->os.peak_rss_kb, b->os.peak_rss_kb);
    assert_int_equal(a->os.vehicle_mem_kb, b->os.vehicle_mem_kb);
    assert_int_equal(a->os.n_vehicles, b->os.n_vehicles);
    assert_int_equal(a->os.n_core_busy, b->os.n_core_busy);
    assert_memory_equal(a->os.core_busy_ns, b->os.core_busy_ns,
                        a->os.n_core_busy * sizeof(uint64_t));
}

static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*size);
    assert_int_equal(fread(b, 1, *size, f), *size);
    fclose(f);
    return b;
}

static void write_all(const char *path, const uint8_t *b, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, size, f), size);
    fclose(f);
}

static void test_round_trip(void **state)
{
    char path[128];
    path_of(path, sizeof(path), "round.sltrace");
    sl_trace *t = sample_trace(1200);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace *back;
    char why[160] = "x";
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), 0);
    assert_string_equal(why, "");
    assert_true(back->finished);
    assert_same(t, back);
    sl_trace_free(back);
    sl_trace_free(t);

    t = sample_trace(0);
    t->meta.n_tasks = 0;
    free(t->task_names[0]);
    free(t->task_names[1]);
    free(t->task_names[2]);
    free(t->task_names);
    t->task_names = NULL;
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), 0);
    assert_same(t, back);
    sl_trace_free(back);
    sl_trace_free(t);
    unlink(path);
}

static void test_every_truncation_rejected(void **state)
{
    char path[128], cut[128];
    path_of(path, sizeof(path), "full.sltrace");
    path_of(cut, sizeof(cut), "cut.sltrace");
    sl_trace *t = sample_trace(40);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
    size_t size;
    uint8_t *b = read_all(path, &size);
    for (size_t len = 0; len < size; len++) {
        write_all(cut, b, len);
        sl_trace *back = (sl_trace *)1;
        char why[160] = "";
        int err = sl_trace_load(cut, &back, why, sizeof(why));
        assert_int_equal(err, SL_ECORRUPT);
        assert_null(back);
        assert_non_null(strstr(why, "truncated"));
    }
    /* The sentence counts what is left of the events. */
    write_all(cut, b, size - 32 * 9 - 5);
    char why[160];
    sl_trace *back;
    assert_int_equal(sl_trace_load(cut, &back, why, sizeof(why)), SL_ECORRUPT);
    assert_string_equal(why, "trace file truncated: expected 40 events, found 30");
    free(b);
    unlink(cut);
    unlink(path);
}

static void test_every_flipped_byte_rejected(void **state)
{
    char path[128], bad[128];
    path_of(path, sizeof(path), "good.sltrace");
    path_of(bad, sizeof(bad), "bad.sltrace");
    sl_trace *t = sample_trace(20);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
    size_t size;
    uint8_t *b = read_all(path, &size);
    int by_crc = 0;
    for (size_t i = 0; i < size; i++) {
        b[i] ^= 0x20;
        write_all(bad, b, size);
        b[i] ^= 0x20;
        sl_trace *back = (sl_trace *)1;
        char why[160] = "";
        int err = sl_trace_load(bad, &back, why, sizeof(why));
        assert_true(err == SL_ECORRUPT || err == SL_EVERSION);
        assert_null(back);
        assert_true(strlen(why) > 10);
        by_crc += strstr(why, "checksum") != NULL;
    }
    /* Every payload byte (all but the 48-byte header) is caught by the CRC,
     * except the stored CRC itself, which is in the header. */
    assert_int_equal(by_crc, (int)(size - 48) + 4);
    free(b);
    unlink(bad);
    unlink(path);
}

static void test_version_and_magic(void **state)
{
    char path[128];
    path_of(path, sizeof(path), "v.sltrace");
    sl_trace *t = sample_trace(3);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
    size_t size;
    uint8_t *b = read_all(path, &size);
    /* What this schedlab writes is version 2: its kinds reach MIGRATE. */
    assert_int_equal(b[8] | b[9] << 8 | b[10] << 16 | b[11] << 24, 2);
    char why[160];
    sl_trace *back;
    b[8] = 3;
    write_all(path, b, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_EVERSION);
    assert_string_equal(why, "unsupported file version 3 (this schedlab reads up to 2)");
    b[8] = 0;
    write_all(path, b, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_EVERSION);
    assert_string_equal(why, "unsupported file version 0 (this schedlab reads up to 2)");
    b[8] = 2;
    b[0] = 'X';
    write_all(path, b, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_ECORRUPT);
    assert_string_equal(why, "not a schedlab trace file (bad magic)");
    free(b);
    unlink(path);

    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_ENOENT);
    assert_non_null(strstr(why, "cannot open"));
    assert_int_equal(sl_trace_load(dir, &back, NULL, 0), SL_ENOTREG);
}

/* ---- a version 1 file, built byte by byte from the format's description,
 * so the test does not lean on the writer it checks. ---- */

typedef struct bytes {
    uint8_t b[4096];
    size_t n;
} bytes;

static void b_u(bytes *o, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

static void b_str(bytes *o, const char *s, size_t field)
{
    memset(o->b + o->n, 0, field);
    memcpy(o->b + o->n, s, strlen(s));
    o->n += field;
}

/* The IEEE CRC-32, bit by bit: the checksum the format names. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n-- > 0) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

/* A version `version` file with two tasks and the events of kinds `kinds`. */
static size_t craft_file(uint8_t *out, uint32_t version, const uint16_t *kinds, size_t n_events)
{
    bytes p = {.n = 0};
    b_str(&p, "io-download", 64);
    b_str(&p, "Old file", 128);
    b_str(&p, "threads", 32);
    b_u(&p, 2, 4); /* tasks */
    b_u(&p, 2, 4); /* workers */
    b_u(&p, 2, 4); /* cores */
    b_u(&p, 0, 4); /* gil unknown */
    b_u(&p, 5000000, 8);
    b_u(&p, 0x405ec00000000000u, 8); /* 123.0 */
    b_u(&p, 1700000000000000000u, 8);
    b_str(&p, "old-host", 64);
    b_u(&p, 0, 8); /* dropped */
    b_u(&p, 0, 8); /* late */
    b_u(&p, 3, 4);
    memcpy(p.b + p.n, "one", 3);
    p.n += 3;
    b_u(&p, 3, 4);
    memcpy(p.b + p.n, "two", 3);
    p.n += 3;
    b_str(&p, "none", 32);
    for (int i = 0; i < 5; i++)
        b_u(&p, 0, 8);
    b_u(&p, 0, 4); /* vehicles */
    b_u(&p, 0, 4); /* core busy entries */
    for (size_t i = 0; i < n_events; i++) {
        b_u(&p, 1000 * (i + 1), 8); /* t_ns */
        b_u(&p, 0, 8);              /* arg */
        b_u(&p, i % 2, 4);          /* task */
        b_u(&p, 7, 4);              /* vehicle */
        b_u(&p, kinds[i], 2);
        b_u(&p, 0, 2); /* core */
        b_u(&p, 0, 4); /* reason */
    }
    bytes h = {.n = 0};
    memcpy(h.b, "SLTRACE", 8);
    h.n = 8;
    b_u(&h, version, 4);
    b_u(&h, 48, 4);
    b_u(&h, p.n, 8);
    b_u(&h, n_events, 8);
    b_u(&h, 2, 4);
    b_u(&h, crc32_ieee(p.b, p.n), 4);
    b_u(&h, 0, 8);
    memcpy(out, h.b, h.n);
    memcpy(out + h.n, p.b, p.n);
    return h.n + p.n;
}

/* Version 2 only appended event kinds, so a version 1 file still loads;
 * a kind past what its version knows is corruption, named with its offset. */
static void test_old_version_read(void **state)
{
    char path[128], why[200];
    path_of(path, sizeof(path), "v1.sltrace");
    uint8_t file[4096];
    const uint16_t old_kinds[] = {SL_EV_SPAWN, SL_EV_RUN, SL_EV_OBJECT, SL_EV_EXIT};
    size_t size = craft_file(file, 1, old_kinds, 4);
    write_all(path, file, size);
    sl_trace *back = NULL;
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), 0);
    assert_int_equal(back->count, 4);
    assert_int_equal(back->meta.n_tasks, 2);
    assert_string_equal(sl_trace_task_name(back, 1), "two");
    assert_string_equal(back->meta.machine, "old-host");
    assert_int_equal(back->events[2].kind, SL_EV_OBJECT);
    assert_int_equal(back->events[3].t_ns, 4000);
    sl_trace_free(back);

    /* START did not exist in version 1: event 2 sits at 48 + payload - 2*32. */
    const uint16_t new_kinds[] = {SL_EV_SPAWN, SL_EV_RUN, SL_EV_START, SL_EV_EXIT};
    size = craft_file(file, 1, new_kinds, 4);
    write_all(path, file, size);
    back = (sl_trace *)1;
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_ECORRUPT);
    assert_null(back);
    char want[200];
    snprintf(want, sizeof(want),
             "trace file corrupt: event 2 at offset %zu has unknown kind %u (version 1 knows "
             "%u kinds)",
             size - 2 * 32, (unsigned)SL_EV_START, (unsigned)SL_EV_START);
    assert_string_equal(why, want);

    /* The same events are version 2's own. */
    size = craft_file(file, 2, new_kinds, 4);
    write_all(path, file, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), 0);
    assert_int_equal(back->events[2].kind, SL_EV_START);
    sl_trace_free(back);

    /* A kind no version knows. */
    const uint16_t alien[] = {SL_EV_SPAWN, 999};
    size = craft_file(file, 2, alien, 2);
    write_all(path, file, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_ECORRUPT);
    snprintf(want, sizeof(want),
             "trace file corrupt: event 1 at offset %zu has unknown kind 999 (version 2 knows "
             "%u kinds)",
             size - 32, (unsigned)SL_EV__COUNT);
    assert_string_equal(why, want);
    unlink(path);
}

/* Before: a payload size of 2^64-1 overflowed the sum and the message read
 * "truncated: 9156 of 47 bytes". */
static void test_huge_payload_size(void **state)
{
    char path[128], why[200];
    path_of(path, sizeof(path), "huge.sltrace");
    sl_trace *t = sample_trace(4), *back = NULL;
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
    size_t size;
    uint8_t *b = read_all(path, &size);
    memset(b + 16, 0xff, 8);
    write_all(path, b, size);
    assert_int_equal(sl_trace_load(path, &back, why, sizeof(why)), SL_ECORRUPT);
    assert_string_equal(why, "trace file corrupt: the header claims a payload of "
                             "18446744073709551615 bytes, over the cap of 1073741824 bytes for a "
                             "trace file");
    free(b);
    unlink(path);
}

/* A trace written through a pipe or a device: the header comes first, so
 * nothing seeks; a full device is an error that says so. */
static void test_save_into_devices(void **state)
{
    char why[200];
    sl_trace *t = sample_trace(100);
    assert_int_equal(sl_trace_save(t, "/dev/null", why, sizeof(why)), 0);
    assert_int_equal(sl_trace_save(t, "/dev/full", why, sizeof(why)), SL_ENOSPC);
    assert_non_null(strstr(why, "No space left on device"));
    assert_int_equal(sl_trace_save(t, dir, why, sizeof(why)), SL_ENOTREG);
    sl_trace_free(t);
}

static void test_random_bytes_never_crash(void **state)
{
    char path[128];
    path_of(path, sizeof(path), "noise.sltrace");
    sl_trace *t = sample_trace(10);
    assert_int_equal(sl_trace_save(t, path, NULL, 0), 0);
    sl_trace_free(t);
    size_t size;
    uint8_t *good = read_all(path, &size);
    uint8_t *b = malloc(size);
    srand(7);
    for (int round = 0; round < 2000; round++) {
        memcpy(b, good, size);
        /* Keep a valid header prefix often, so parsing reaches deeper. */
        size_t from = round % 2 ? 48 : 0;
        for (int k = 0; k < 1 + round % 8; k++)
            b[from + (size_t)rand() % (size - from)] = (uint8_t)rand();
        size_t len = round % 3 ? size : (size_t)rand() % size;
        write_all(path, b, len);
        sl_trace *back = NULL;
        char why[160];
        if (sl_trace_load(path, &back, why, sizeof(why)) == 0)
            sl_trace_free(back); /* only possible if every flip was a no-op */
    }
    free(b);
    free(good);
    unlink(path);
}

static void test_save_to_missing_dir(void **state)
{
    sl_trace *t = sample_trace(1);
    assert_int_equal(sl_trace_save(t, "/nonexistent-dir/x.sltrace", NULL, 0), SL_ENOENT);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_truncation_rejected),
        cmocka_unit_test(test_every_flipped_byte_rejected),
        cmocka_unit_test(test_version_and_magic),
        cmocka_unit_test(test_old_version_read),
        cmocka_unit_test(test_huge_payload_size),
        cmocka_unit_test(test_save_into_devices),
        cmocka_unit_test(test_random_bytes_never_crash),
        cmocka_unit_test(test_save_to_missing_dir),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
