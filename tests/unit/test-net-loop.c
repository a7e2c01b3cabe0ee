/*
 * test-net-loop.c - the event-loop client (curl multi-socket on libuv)
 * against the latency server, over loopback only.
 *
 * Every test owns a uv loop and ends with uv_loop_close(loop) == 0, which
 * fails if the client left a poll, a timer or a socket behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "schedlab/error.h"
#include "schedlab/net.h"

typedef struct fixture {
    sl_net_server *server;
    uint16_t port;
    uv_loop_t loop;
    sl_net_loop_client *client;
} fixture;

typedef struct slot {
    int calls;
    int status;
    uint64_t bytes;
    char why[256];
} slot;

/* Set while sl_net_loop_get runs: done must never fire inside it. */
static bool inside_get;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_int_equal(sl_net_server_start(&f->server), 0);
    f->port = sl_net_server_port(f->server);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(sl_net_loop_client_new(&f->client, &f->loop), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    sl_net_loop_client_free(f->client);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    assert_int_equal(sl_net_server_stop(f->server), 0);
    free(f);
    return 0;
}

static void record(void *arg, int status, uint64_t bytes, const char *why)
{
    slot *s = arg;

    assert_false(inside_get);
    s->calls++;
    s->status = status;
    s->bytes = bytes;
    if (status != 0) {
        assert_non_null(why);
        snprintf(s->why, sizeof(s->why), "%s", why);
    } else {
        assert_null(why);
    }
}

static void get(fixture *f, const char *url, sl_net_done_fn done, void *arg)
{
    inside_get = true;
    assert_int_equal(sl_net_loop_get(f->client, url, done, arg), 0);
    inside_get = false;
}

/* n transfers of delay_ms at once; bytes of transfer i are i * 97 + 1. */
static void run_concurrent(fixture *f, unsigned n, uint64_t delay_ms, uint64_t limit_ms)
{
    slot *slots = calloc(n, sizeof(*slots));
    char url[128];
    uint64_t t0 = uv_hrtime(), elapsed_ms;

    for (unsigned i = 0; i < n; i++) {
        sl_net_io_url(url, sizeof(url), f->port, delay_ms * 1000000, i * 97ull + 1);
        get(f, url, record, &slots[i]);
    }
    assert_int_equal(sl_net_loop_inflight(f->client), n);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    elapsed_ms = (uv_hrtime() - t0) / 1000000;
    for (unsigned i = 0; i < n; i++) {
        if (slots[i].calls != 1 || slots[i].status != 0 || slots[i].bytes != i * 97ull + 1)
            fail_msg("transfer %u: %d calls, status %d, %llu bytes, %s", i, slots[i].calls,
                     slots[i].status, (unsigned long long)slots[i].bytes, slots[i].why);
    }
    assert_int_equal(sl_net_loop_inflight(f->client), 0);
    assert_int_equal(sl_net_server_requests(f->server), n);
    /* Shape only: sequential waits would take n * delay_ms. */
    assert_true(elapsed_ms >= delay_ms);
    assert_true(elapsed_ms < limit_ms);
    free(slots);
}

static void test_hundred_concurrent(void **state)
{
    run_concurrent(*state, 100, 200, 5000);
}

static void test_thousand_concurrent(void **state)
{
    run_concurrent(*state, 1000, 100, 20000);
}

static void test_big_body(void **state)
{
    fixture *f = *state;
    char url[128];
    slot s = {0};

    sl_net_io_url(url, sizeof(url), f->port, 0, 64ull << 20);
    get(f, url, record, &s);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.status, 0);
    assert_int_equal(s.bytes, 64ull << 20);
}

typedef struct chain {
    fixture *f;
    int left;
    int calls;
} chain;

/* Starts the next GET from inside done, as a resumed coroutine would. */
static void chain_next(void *arg, int status, uint64_t bytes, const char *why)
{
    chain *ch = arg;
    char url[128];

    assert_int_equal(status, 0);
    assert_int_equal(bytes, 10);
    ch->calls++;
    if (--ch->left > 0) {
        sl_net_io_url_for(url, sizeof(url), ch->f->port, (uint32_t)ch->left + SL_NET_HOSTS - 3,
                          1000000, 10);
        get(ch->f, url, chain_next, ch);
    }
}

/* Each transfer has its own connection (FORBID_REUSE, see client-loop.c),
 * and a task's number picks one of the server's loopback addresses. */
static void test_chained_connection_per_transfer(void **state)
{
    fixture *f = *state;
    chain ch = {.f = f, .left = 5};
    char url[128];

    sl_net_io_url(url, sizeof(url), f->port, 1000000, 10);
    get(f, url, chain_next, &ch);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(ch.calls, 5);
    assert_int_equal(sl_net_server_requests(f->server), 5);
    assert_int_equal(sl_net_server_connections(f->server), 5);
}

static void test_refused_sentence(void **state)
{
    fixture *f = *state;
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char url[128], want[64];
    slot s = {0};
    uint16_t port;

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    port = ntohs(addr.sin_port);

    sl_net_io_url(url, sizeof(url), port, 0, 1);
    get(f, url, record, &s);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.status, SL_ENET);
    snprintf(want, sizeof(want), "connection refused to 127.0.0.1:%u", port);
    assert_string_equal(s.why, want);
}

static void test_http_error_sentence(void **state)
{
    fixture *f = *state;
    char url[128], want[200];
    slot s = {0};

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/missing", f->port);
    get(f, url, record, &s);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.status, SL_ENET);
    snprintf(want, sizeof(want), "HTTP 404 from %s", url);
    assert_string_equal(s.why, want);
}

static void stop_loop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static void test_free_abandons_inflight(void **state)
{
    fixture *f = *state;
    uv_timer_t timer;
    char url[128];
    slot s = {0};

    sl_net_io_url(url, sizeof(url), f->port, 10ull * 1000000000, 1);
    get(f, url, record, &s);
    uv_timer_init(&f->loop, &timer);
    uv_timer_start(&timer, stop_loop, 50, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&timer, NULL);
    assert_int_equal(sl_net_loop_inflight(f->client), 1);
    /* teardown frees with the transfer in flight: done must not fire and
     * the loop must still close. */
    sl_net_loop_client_free(f->client);
    f->client = NULL;
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(s.calls, 0);
}

/* ---- the connection limit: later GETs wait their turn ---- */

typedef struct limited {
    fixture *f;
    int index;
    int *order, *n_done;
    size_t most_holding;
    slot s;
} limited;

static void limited_done(void *arg, int status, uint64_t bytes, const char *why)
{
    limited *l = arg;
    record(&l->s, status, bytes, why);
    l->order[(*l->n_done)++] = l->index;
    /* Transfers still holding a connection (this one has let go of its). */
    size_t holding = sl_net_loop_inflight(l->f->client) - sl_net_loop_queued(l->f->client);
    if (holding > l->most_holding)
        l->most_holding = holding;
}

static void test_limit_queues_in_order(void **state)
{
    fixture *f = *state;
    enum { N = 6 };
    limited ls[N];
    int order[N], n_done = 0;
    char url[128];
    sl_net_loop_client_set_limit(f->client, 2);
    for (int i = 0; i < N; i++) {
        ls[i] = (limited){.f = f, .index = i, .order = order, .n_done = &n_done};
        sl_net_io_url(url, sizeof(url), f->port, 50 * 1000000ull, 100 + i);
        get(f, url, limited_done, &ls[i]);
    }
    assert_int_equal(sl_net_loop_inflight(f->client), N);
    assert_int_equal(sl_net_loop_queued(f->client), N - 2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(n_done, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(ls[i].s.calls, 1);
        assert_int_equal(ls[i].s.status, 0);
        assert_int_equal(ls[i].s.bytes, 100 + i);
        assert_true(ls[i].most_holding <= 2);
    }
    /* Nothing else could start before a first transfer ended. */
    assert_true(order[0] <= 1);
    assert_int_equal(sl_net_loop_inflight(f->client), 0);
    assert_int_equal(sl_net_server_requests(f->server), N);
}

static void test_url_too_long(void **state)
{
    fixture *f = *state;
    char url[1100];
    slot s = {0};

    memset(url, 'a', sizeof(url) - 1);
    url[sizeof(url) - 1] = '\0';
    memcpy(url, "http://", 7);
    assert_int_equal(sl_net_loop_get(f->client, url, record, &s), SL_EINVAL);
    assert_int_equal(sl_net_loop_inflight(f->client), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hundred_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thousand_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chained_connection_per_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_error_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_abandons_inflight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_queues_in_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
