/*
 * fuzz-scenario.c - libFuzzer target for the scenario loader.
 *
 * Feeds arbitrary bytes (NUL bytes included) to sl_scenario_parse_bytes; a
 * file that loads is also rescaled, totalled and summarised, so expansion
 * and the printer see whatever the grammar accepts. Built by CMake with
 * clang (preset `fuzz`), run by .ci/fuzz. A `count = 10000000` is legal, so
 * one input may expand to ten million tasks: hence .ci/fuzz's raised RSS
 * limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "schedlab/scenario.h"

/* Crashes (which libFuzzer reports) when the expansion is inconsistent. */
static void check(const sl_scenario *sc)
{
    size_t steps = 0;
    for (uint32_t t = 0; t < sc->n_tasks; t++) {
        if (sc->tasks[t].first_step != steps || sc->tasks[t].group >= sc->n_groups)
            __builtin_trap();
        steps += sc->tasks[t].n_steps;
    }
    if (steps != sc->n_steps || sc->n_tasks == 0 || sc->title == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (sink == NULL)
        sink = fopen("/dev/null", "w");
    sl_scenario *sc = NULL;
    sl_diag diag;
    if (sl_scenario_parse_bytes("fuzz.ini", data, size, &sc, &diag) != 0) {
        char msg[600];
        sl_diag_format(&diag, msg, sizeof(msg));
        if (sc != NULL || diag.message[0] == '\0' || strncmp(msg, "fuzz.ini", 8) != 0)
            __builtin_trap();
        return 0;
    }
    check(sc);
    sl_scenario_summary(sc, sink);
    if (sl_scenario_set_task_count(sc, sc->n_groups + size % 64) == 0)
        check(sc);
    uint64_t cpu, wait;
    sl_scenario_totals(sc, &cpu, &wait);
    sl_scenario_free(sc);
    return 0;
}
