/*
 * fuzz-demo.c - libFuzzer target for the demo language's parser.
 *
 * Feeds arbitrary bytes (cut at the first NUL, as sl_demo_load refuses
 * files with one) to sl_demo_parse; a demo that parses is walked command
 * by command, a refusal must say why and return nothing. Built by CMake
 * with clang (preset `fuzz`), run by .ci/fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    sl_demo *d = NULL;
    char why[512] = "";
    if (sl_demo_parse("fuzz.demo", text, &d, why, sizeof why) != 0) {
        if (d != NULL || strncmp(why, "fuzz.demo", 9) != 0)
            __builtin_trap();
        free(text);
        return 0;
    }
    for (size_t i = 0; i < d->n; i++) {
        const sl_demo_cmd *c = &d->cmds[i];
        if (c->n_keys < 0 || c->n_keys > SL_DEMO_MAX_KEYS || c->line < 1)
            __builtin_trap();
    }
    sl_demo_first(d, SL_DEMO_LESSON);
    sl_demo_free(d);
    free(text);
    return 0;
}
