/*
 * skip-exit.h - how a unit test says it cannot judge on this machine (one
 * core, perf_event not permitted, never two idle cores): skip_because()
 * prints why and skips the test; if nothing failed, skip_exit_code() then
 * makes the executable exit 77, which CMakeLists.txt's SKIP_RETURN_CODE
 * turns into "skipped" in CTest, never "passed". A test that can judge but
 * lacks its setup (SCHEDLAB_WORKER_EXE, say) fails instead.
 *
 * Header-only, static: include after cmocka.h, and end main with
 * `return skip_exit_code(cmocka_run_group_tests(...));`.
 */
#ifndef SL_TESTS_SKIP_EXIT_H
#define SL_TESTS_SKIP_EXIT_H

/* Tests of this executable skipped so far. */
static int skipped_tests;

/* printf-style reason, then cmocka's skip() (which leaves the test). */
#define skip_because(...)                                                                          \
    do {                                                                                           \
        print_message("skipped: ");                                                                \
        print_message(__VA_ARGS__);                                                                \
        print_message("\n");                                                                       \
        skipped_tests++;                                                                           \
        skip();                                                                                    \
    } while (0)

/* 1 if any test failed, else 77 if any was skipped, else 0. */
static inline int skip_exit_code(int failed)
{
    return failed != 0 ? 1 : skipped_tests > 0 ? 77 : 0;
}

#endif
