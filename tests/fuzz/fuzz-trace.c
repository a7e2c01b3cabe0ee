/*
 * fuzz-trace.c - libFuzzer target for the trace loader, and what reads a
 * loaded trace.
 *
 * Random bytes almost never carry the right CRC-32, so the loader would stop
 * at the checksum: the target first writes the payload's real checksum into
 * the header, then loads. A trace that loads is folded by the model (forward
 * and seeking back to its middle), summarised, and exported as SVG, CSV,
 * Perfetto JSON and the tick table, so every reader of events sees whatever
 * the loader accepts. Built by CMake with clang (preset `fuzz`), run by
 * .ci/fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/model.h"
#include "schedlab/trace.h"
#include "trace/trace-internal.h"

#define HEADER_SIZE 48u

static void fold(sl_trace *t)
{
    sl_model m;
    if (sl_model_init(&m, t->meta.n_tasks, t->meta.cores) != 0)
        return;
    uint64_t end = t->count ? t->events[t->count - 1].t_ns : 0;
    sl_model_seek(&m, t, end);
    sl_model_seek(&m, t, end / 2);
    sl_model_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (sink == NULL)
        sink = fopen("/dev/null", "w");
    uint8_t *b = malloc(size ? size : 1);
    memcpy(b, data, size);
    if (size >= HEADER_SIZE) {
        uint32_t crc = sl__crc32(0, b + HEADER_SIZE, size - HEADER_SIZE);
        for (int i = 0; i < 4; i++)
            b[36 + i] = (uint8_t)(crc >> (8 * i));
    }
    sl_trace *t = NULL;
    char why[256] = "";
    if (sl_trace_parse_bytes(b, size, &t, why, sizeof why) != 0) {
        if (t != NULL || why[0] == '\0')
            __builtin_trap(); /* a refusal always says why and returns nothing */
        free(b);
        return 0;
    }
    fold(t);
    sl_stats st;
    sl_stats_compute(t, &st);
    sl_export_svg(t, sink);
    sl_export_spans_csv(t, sink);
    sl_export_perfetto(t, sink);
    sl_ticks_opts opts = {.last_task = UINT32_MAX};
    sl_export_ticks(t, &opts, sink);
    sl_trace_free(t);
    free(b);
    return 0;
}
