/*
 * test-export-csv.c - span rows of a small trace, every byte checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/error.h"

#define EV(t_, k_, task_, reason_, arg_, core_)                                                    \
    {                                                                                              \
        .t_ns = (t_), .kind = SL_EV_##k_, .task = (task_), .reason = (reason_), .arg = (arg_),     \
        .core = (core_)                                                                            \
    }

static void test_csv_exact(void **state)
{
    static const sl_event ev[] = {
        EV(1500, SPAWN, 0, 0, 0, 0),
        EV(1000007, RUN, 0, 0, 0, 1),
        EV(2000000, BLOCK, 0, SL_WAIT_IO, 0, 1),
        EV(2500000, READY, 1, SL_READY_GIL, 0, 0),
        EV(3000000, WAKE, 0, SL_WAIT_IO, 0, 0),
        EV(3000000, RUN, 1, 0, 0, 0),
        EV(4000000, EXIT, 1, SL_EXIT_FAILED, 11, 0),
        EV(4000000, RUN, 0, 0, 1, 0),
        EV(5000000, EXIT, 0, SL_EXIT_OK, 0, 0),
        EV(6000000, MARK, SL_NO_TASK, SL_MARK_RUN_END, 0, 0),
    };
    static const char *const names[] = {"plain", "x,\"y\""};
    sl_trace_meta meta = {.scenario = "csv", .strategy = "gil", .n_tasks = 2, .cores = 2};
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, names), 0);
    assert_int_equal(sl_trace_append(t, ev, sizeof ev / sizeof ev[0]), 0);

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_int_equal(sl_export_spans_csv(t, f), 0);
    fclose(f);
    assert_string_equal(buf, "task,name,state,reason,core,start_ms,end_ms,duration_ms\n"
                             "0,plain,ready,cpu,,0.001500,1.000007,0.998507\n"
                             "0,plain,running,,1,1.000007,2.000000,0.999993\n"
                             "0,plain,waiting,io,,2.000000,3.000000,1.000000\n"
                             "0,plain,ready,cpu,,3.000000,4.000000,1.000000\n"
                             "0,plain,running,,0,4.000000,5.000000,1.000000\n"
                             "0,plain,done,,,5.000000,6.000000,1.000000\n"
                             "1,\"x,\"\"y\"\"\",ready,gil,,2.500000,3.000000,0.500000\n"
                             "1,\"x,\"\"y\"\"\",running,,0,3.000000,4.000000,1.000000\n"
                             "1,\"x,\"\"y\"\"\",failed,,,4.000000,6.000000,2.000000\n");
    free(buf);
    sl_trace_free(t);
}

static void test_csv_stream_error(void **state)
{
    sl_trace_meta meta = {.n_tasks = 1, .cores = 1};
    sl_event ev = EV(0, SPAWN, 0, 0, 0, 0);
    sl_trace *t;
    assert_int_equal(sl_trace_new(&t, &meta, NULL), 0);
    assert_int_equal(sl_trace_append(t, &ev, 1), 0);
    /* A stream opened for reading refuses writes: the error must surface. */
    FILE *f = fopen("/dev/null", "r");
    assert_non_null(f);
    assert_int_equal(sl_export_spans_csv(t, f), SL_EIO);
    fclose(f);
    sl_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_exact),
        cmocka_unit_test(test_csv_stream_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
