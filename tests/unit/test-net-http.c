/*
 * test-net-http.c - the latency server's request-head parser, on bytes alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "net/net-internal.h"

static long parse(const char *text, sl__http_req *req)
{
    return sl__http_parse(text, strlen(text), req);
}

static void test_valid_request(void **state)
{
    const char *text = "GET /io?delay_us=2500&bytes=4096 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    sl__http_req req;

    assert_int_equal(parse(text, &req), (long)strlen(text));
    assert_int_equal(req.status, 200);
    assert_true(req.keep_alive);
    assert_int_equal(req.delay_us, 2500);
    assert_int_equal(req.bytes, 4096);
}

static void test_query_order_and_defaults(void **state)
{
    sl__http_req req;

    assert_true(parse("GET /io?bytes=7&x=y&delay_us=3 HTTP/1.1\r\n\r\n", &req) > 0);
    assert_int_equal(req.bytes, 7);
    assert_int_equal(req.delay_us, 3);
    assert_true(parse("GET /io HTTP/1.1\r\n\r\n", &req) > 0);
    assert_int_equal(req.status, 200);
    assert_int_equal(req.bytes, 0);
    assert_int_equal(req.delay_us, 0);
}

static void test_incomplete_needs_more(void **state)
{
    sl__http_req req;

    assert_int_equal(parse("GET /io?bytes=1 HTTP/1.1\r\nHost: x\r\n", &req), 0);
    assert_int_equal(parse("", &req), 0);
}

static void test_keep_alive_rules(void **state)
{
    sl__http_req req;

    assert_true(parse("GET /io HTTP/1.0\r\n\r\n", &req) > 0);
    assert_false(req.keep_alive);
    assert_true(parse("GET /io HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) > 0);
    assert_true(req.keep_alive);
    assert_true(parse("GET /io HTTP/1.1\r\nconnection:close\r\n\r\n", &req) > 0);
    assert_false(req.keep_alive);
}

static void test_pipelined_takes_first(void **state)
{
    const char *first = "GET /io?bytes=1 HTTP/1.1\r\n\r\n";
    char both[128];
    sl__http_req req;

    snprintf(both, sizeof(both), "%sGET /io?bytes=2 HTTP/1.1\r\n\r\n", first);
    assert_int_equal(parse(both, &req), (long)strlen(first));
    assert_int_equal(req.bytes, 1);
}

static void test_other_path_is_404(void **state)
{
    sl__http_req req;

    assert_true(parse("GET /favicon.ico HTTP/1.1\r\n\r\n", &req) > 0);
    assert_int_equal(req.status, 404);
    assert_true(parse("GET /iox?bytes=1 HTTP/1.1\r\n\r\n", &req) > 0);
    assert_int_equal(req.status, 404);
}

static void test_malformed(void **state)
{
    static const char *bad[] = {
        "HELLO\r\n\r\n",
        "POST /io HTTP/1.1\r\n\r\n",
        "GET /io HTTP/2.0\r\n\r\n",
        "GET io HTTP/1.1\r\n\r\n",
        "GET  HTTP/1.1\r\n\r\n",
        "GET /io?bytes=12x HTTP/1.1\r\n\r\n",
        "GET /io?bytes= HTTP/1.1\r\n\r\n",
        "GET /io?delay_us=-1 HTTP/1.1\r\n\r\n",
        "GET /io?delay_us=99999999999 HTTP/1.1\r\n\r\n",
        "GET /io?bytes=99999999999999999999 HTTP/1.1\r\n\r\n",
        "GET /io HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET /io HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET /io HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
        "GET /io HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "\r\n\r\n",
    };
    sl__http_req req;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &req) != -1)
            fail_msg("accepted: %s", bad[i]);
    }
    assert_true(parse("GET /io HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &req) > 0);
}

static void test_head_too_long(void **state)
{
    static char big[SL__HTTP_HEAD_MAX + 64];
    sl__http_req req;

    memset(big, 'x', sizeof(big));
    assert_int_equal(sl__http_parse(big, SL__HTTP_HEAD_MAX, &req), -1);
    assert_int_equal(sl__http_parse(big, SL__HTTP_HEAD_MAX - 1, &req), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_request),
        cmocka_unit_test(test_query_order_and_defaults),
        cmocka_unit_test(test_incomplete_needs_more),
        cmocka_unit_test(test_keep_alive_rules),
        cmocka_unit_test(test_pipelined_takes_first),
        cmocka_unit_test(test_other_path_is_404),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_head_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
