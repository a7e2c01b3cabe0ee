/*
 * engine-fixture.h - the cmocka group setup and teardown of the engine
 * tests: one engine (its loopback server) for the whole group.
 *
 * Setup fails without SCHEDLAB_WORKER_EXE: the engine would then start
 * workers from the test binary itself, which would start more, without
 * end. ctest sets it. Header-only, static: include after cmocka.h.
 */
#ifndef SL_TESTS_ENGINE_FIXTURE_H
#define SL_TESTS_ENGINE_FIXTURE_H

#include <stdlib.h>

#include "schedlab/engine.h"

static sl_engine *engine;

static int engine_setup(void **state)
{
    if (getenv("SCHEDLAB_WORKER_EXE") == NULL) {
        print_message("SCHEDLAB_WORKER_EXE is not set: run this test through ctest\n");
        return -1;
    }
    return sl_engine_open(&engine) == 0 ? 0 : -1;
}

static int engine_teardown(void **state)
{
    sl_engine_close(engine);
    return 0;
}

#endif
