/*
 * test-net.c - the latency server and the blocking client, over loopback.
 *
 * Only 127.0.0.1 is ever contacted. The unresolvable host is a name under
 * the reserved .invalid TLD whose first label is longer than DNS allows, so
 * the resolver rejects it before building a query: nothing leaves the
 * machine, not even a DNS packet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "net/net-internal.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

#define LONG_LABEL "this-label-is-longer-than-the-sixty-three-bytes-dns-allows-so-it-never-leaves"
#define BAD_HOST LONG_LABEL ".invalid"

typedef struct fixture {
    sl_net_server *server;
    sl_net_client *client;
    uint16_t port;
} fixture;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int setup(void **state)
{
    static fixture f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(sl_net_global_init(), 0);
    assert_int_equal(sl_net_server_start(&f.server), 0);
    f.port = sl_net_server_port(f.server);
    assert_int_not_equal(f.port, 0);
    assert_int_equal(sl_net_client_new(&f.client), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    sl_net_client_free(f->client);
    /* 0 means the server's loop closed with no handle left open. */
    assert_int_equal(sl_net_server_stop(f->server), 0);
    return 0;
}

static void test_delay_and_bytes(void **state)
{
    fixture *f = *state;
    char url[128], why[256];
    uint64_t bytes = 0, t0;

    sl_net_io_url(url, sizeof(url), f->port, 50 * 1000000ull, 12345);
    t0 = now_ns();
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
    assert_true(now_ns() - t0 >= 50 * 1000000ull);
    assert_int_equal(bytes, 12345);
    assert_int_equal(sl_net_server_requests(f->server), 1);
}

static void test_keep_alive_three_requests(void **state)
{
    fixture *f = *state;
    char url[128], why[256];
    uint64_t bytes;

    for (int i = 0; i < 3; i++) {
        sl_net_io_url(url, sizeof(url), f->port, 1000000, (uint64_t)(100 + i));
        assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
        assert_int_equal(bytes, 100 + i);
    }
    assert_int_equal(sl_net_server_requests(f->server), 3);
    assert_int_equal(sl_net_server_connections(f->server), 1);
}

static void test_zero_and_big_bodies(void **state)
{
    fixture *f = *state;
    char url[128], why[256];
    uint64_t bytes = 1;

    sl_net_io_url(url, sizeof(url), f->port, 0, 0);
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
    assert_int_equal(bytes, 0);
    sl_net_io_url(url, sizeof(url), f->port, 0, 64ull << 20);
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
    assert_int_equal(bytes, 64ull << 20);
}

/* Sends `req` on a fresh raw connection and reads until EOF (or 5 s). */
static size_t raw_exchange(uint16_t port, const char *req, char *out, size_t size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {.tv_sec = 5};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t got = 0;
    ssize_t n;

    assert_true(fd >= 0);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    while (got + 1 < size && (n = recv(fd, out + got, size - 1 - got, 0)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    /* n == 0: the server closed; n < 0 would be the 5 s timeout. */
    assert_int_equal(n, 0);
    close(fd);
    return got;
}

static void test_malformed_gets_400_and_close(void **state)
{
    fixture *f = *state;
    char out[1024];

    raw_exchange(f->port, "HELLO THERE\r\n\r\n", out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
    assert_int_equal(sl_net_server_requests(f->server), 0);
}

static void test_pipelined_answers_in_order(void **state)
{
    fixture *f = *state;
    char out[1024];
    const char *second;

    raw_exchange(f->port,
                 "GET /io?bytes=3&delay_us=2000 HTTP/1.1\r\nHost: a\r\n\r\n"
                 "GET /io?bytes=5 HTTP/1.1\r\nConnection: close\r\n\r\n",
                 out, sizeof(out));
    assert_non_null(strstr(out, "Content-Length: 3\r\n"));
    assert_non_null(strstr(out, "\r\n\r\nabcHTTP/1.1 200 OK\r\n"));
    second = strstr(out, "abcHTTP/1.1");
    assert_non_null(strstr(second, "Content-Length: 5\r\n"));
    assert_non_null(strstr(second, "Connection: close\r\n\r\nabcde"));
    assert_int_equal(sl_net_server_requests(f->server), 2);
}

static void test_http_error_sentence(void **state)
{
    fixture *f = *state;
    char url[128], why[256], want[300];
    uint64_t bytes;

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/nope", f->port);
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), SL_ENET);
    snprintf(want, sizeof(want), "HTTP 404 from %s", url);
    assert_string_equal(why, want);
}

/* A loopback port with nothing listening: bound, read back, closed. */
static uint16_t closed_port(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void test_refused_sentence(void **state)
{
    fixture *f = *state;
    uint16_t port = closed_port();
    char url[128], why[256], want[64];
    uint64_t bytes;

    sl_net_io_url(url, sizeof(url), port, 0, 1);
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), SL_ENET);
    snprintf(want, sizeof(want), "connection refused to 127.0.0.1:%u", port);
    assert_string_equal(why, want);

    /* The same client still works afterwards. */
    sl_net_io_url(url, sizeof(url), f->port, 0, 7);
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
    assert_int_equal(bytes, 7);
}

static void test_unresolvable_sentence(void **state)
{
    fixture *f = *state;
    const char *want = "could not resolve host '" BAD_HOST "' (offline?)";
    char why[256];
    uint64_t bytes;

    assert_int_equal(sl_net_client_get(f->client, "http://" BAD_HOST "/", &bytes, why, sizeof(why)),
                     SL_ENET);
    assert_string_equal(why, want);
    assert_int_equal(
        sl_net_client_get(f->client, "https://" BAD_HOST "/x", &bytes, why, sizeof(why)), SL_ENET);
    assert_string_equal(why, want);
}

static void test_other_schemes_refused(void **state)
{
    fixture *f = *state;
    char why[256];
    uint64_t bytes;

    assert_int_equal(sl_net_client_get(f->client, "file:///etc/hostname", &bytes, why, sizeof(why)),
                     SL_ENET);
    assert_string_equal(why,
                        "unsupported URL scheme in 'file:///etc/hostname' (http and https only)");
}

static void test_io_url(void **state)
{
    char url[128];

    sl_net_io_url(url, sizeof(url), 8080, 1500, 10);
    assert_string_equal(url, "http://127.0.0.1:8080/io?delay_us=2&bytes=10");
    sl_net_io_url(url, sizeof(url), 1, 3000000000ull, 0);
    assert_string_equal(url, "http://127.0.0.1:1/io?delay_us=3000000&bytes=0");
    sl_net_io_url_for(url, sizeof(url), 80, SL_NET_HOSTS + 4, 1000, 1);
    assert_string_equal(url, "http://127.0.0.5:80/io?delay_us=1&bytes=1");
}

/* Every address the server listens on answers (the last one too). */
static void test_every_address_answers(void **state)
{
    fixture *f = *state;
    char url[128], why[256];
    uint64_t bytes = 0;

    sl_net_io_url_for(url, sizeof(url), f->port, SL_NET_HOSTS - 1, 0, 3);
    assert_non_null(strstr(url, "//127.0.0.16:"));
    assert_int_equal(sl_net_client_get(f->client, url, &bytes, why, sizeof(why)), 0);
    assert_int_equal(bytes, 3);
}

/* Lowers RLIMIT_NOFILE to 32 above the lowest free descriptor and takes
 * every descriptor left (into fds, at most 64): returns how many. The
 * limit before goes to *old. */
static int exhaust_descriptors(struct rlimit *old, int fds[64])
{
    struct rlimit low;
    int n = 0, probe = open("/dev/null", O_RDONLY | O_CLOEXEC);

    assert_true(probe >= 0);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, old), 0);
    low = *old;
    low.rlim_cur = (rlim_t)probe + 32;
    close(probe);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        n++;
    return n;
}

static void give_back_descriptors(const struct rlimit *old, int fds[64], int n)
{
    while (n > 0)
        close(fds[--n]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, old), 0);
}

/* With no descriptor left, the sentence names the limit instead of curl's
 * "Couldn't connect to server". */
static void test_out_of_descriptors_sentence(void **state)
{
    fixture *f = *state;
    struct rlimit old;
    char url[128], why[256];
    int fds[64];

    int n = exhaust_descriptors(&old, fds);
    sl_net_io_url(url, sizeof(url), f->port, 0, 1);
    int rc = sl_net_client_get(f->client, url, NULL, why, sizeof(why));
    give_back_descriptors(&old, fds, n);
    assert_int_equal(rc, SL_ENET);
    assert_non_null(strstr(why, "out of file descriptors (RLIMIT_NOFILE"));
}

/* Out of descriptors, the server's libuv cannot accept the connection, and
 * its guard (uv__emfile_trick, in uv_listen's accept loop) accepts and
 * hangs it up without calling the server back. The client's sentence must
 * still blame the limit, not the network: it used to read "Empty reply
 * from server" or "Connection reset by peer" (tests/e2e/limits.sh failed
 * once in eight CI runs for it). */
static void test_out_of_descriptors_hang_up_sentence(void **state)
{
    fixture *f = *state;
    struct rlimit old;
    char url[128], why[256];
    int fds[64];

    /* A first transfer, refused, makes libcurl set up what it keeps (its
     * multi handle): the transfer under the shortage then needs its socket
     * alone. It goes nowhere near the server, which so holds no connection
     * that could close, freeing a descriptor, once they are exhausted. */
    sl_net_io_url(url, sizeof(url), closed_port(), 0, 1);
    assert_int_equal(sl_net_client_get(f->client, url, NULL, why, sizeof(why)), SL_ENET);
    assert_int_equal(sl_net_server_connections(f->server), 0);

    int n = exhaust_descriptors(&old, fds);
    close(fds[--n]); /* one left: the client's socket takes it */
    sl_net_io_url(url, sizeof(url), f->port, 0, 1);
    int rc = sl_net_client_get(f->client, url, NULL, why, sizeof(why));
    give_back_descriptors(&old, fds, n);
    assert_int_equal(rc, SL_ENET);
    /* The server never took the connection: it was hung up unseen. */
    assert_int_equal(sl_net_server_connections(f->server), 0);
    if (!strstr(why, "broke: out of file descriptors (RLIMIT_NOFILE is "))
        print_error("why: %s\n", why);
    assert_non_null(strstr(why, "broke: out of file descriptors (RLIMIT_NOFILE is "));
}

/* A broken connection is blamed on the limit only when it was to a running
 * in-process server and no server hung up a connection for another reason
 * while the transfer ran: such a hang-up before it says nothing of this
 * one; one during it may be what broke it; and a reset from anywhere else
 * may have nothing to do with descriptors. */
static void test_broken_blames_only_a_hang_up_during_it(void **state)
{
    fixture *f = *state;
    const char *reset = "Recv failure: Connection reset by peer";
    char url[128], want[256], why[256];
    sl_net_server *gone;

    snprintf(url, sizeof(url), "http://127.0.0.%d:%u/io", SL_NET_HOSTS, f->port);
    atomic_fetch_add(&sl__net_other_hangups, 1); /* before the transfer */
    uint64_t at_start = sl__net_hangups();
    assert_int_equal(sl__net_result(NULL, CURLE_RECV_ERROR, url, reset, at_start, why, sizeof(why)),
                     SL_ENET);
    snprintf(want, sizeof(want), "connection to 127.0.0.%d:%u broke: out of file descriptors",
             SL_NET_HOSTS, f->port);
    assert_non_null(strstr(why, want));
    assert_non_null(strstr(why, "(RLIMIT_NOFILE is "));

    /* Another address, another port, a server stopped: worded as they are. */
    snprintf(url, sizeof(url), "http://127.0.0.%d:%u/io", SL_NET_HOSTS + 1, f->port);
    assert_int_equal(sl__net_result(NULL, CURLE_RECV_ERROR, url, reset, at_start, why, sizeof(why)),
                     SL_ENET);
    snprintf(want, sizeof(want), "connection to 127.0.0.%d:%u broke: %s", SL_NET_HOSTS + 1, f->port,
             reset);
    assert_string_equal(why, want);
    assert_int_equal(sl__net_result(NULL, CURLE_RECV_ERROR, "http://127.0.0.1:1/io", reset,
                                    at_start, why, sizeof(why)),
                     SL_ENET);
    assert_string_equal(why,
                        "connection to 127.0.0.1:1 broke: Recv failure: Connection reset by peer");
    assert_int_equal(sl_net_server_start(&gone), 0);
    uint16_t gone_port = sl_net_server_port(gone);
    assert_int_equal(sl_net_server_stop(gone), 0);
    at_start = sl__net_hangups();
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/io", gone_port);
    assert_int_equal(sl__net_result(NULL, CURLE_RECV_ERROR, url, reset, at_start, why, sizeof(why)),
                     SL_ENET);
    snprintf(want, sizeof(want), "connection to 127.0.0.1:%u broke: %s", gone_port, reset);
    assert_string_equal(why, want);

    /* Another hang-up during it. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/io", f->port);
    atomic_fetch_add(&sl__net_other_hangups, 1);
    assert_int_equal(sl__net_result(NULL, CURLE_RECV_ERROR, url, reset, at_start, why, sizeof(why)),
                     SL_ENET);
    snprintf(want, sizeof(want), "connection to 127.0.0.1:%u broke: %s", f->port, reset);
    assert_string_equal(why, want);
}

/* Out of descriptors, the server cannot accept: it must hang up the
 * connection it cannot take, not leave its client waiting forever (the
 * clients are this process's threads: waiting, they keep the descriptors
 * that would let it accept), and serve again once descriptors are back. */
static void test_out_of_descriptors_server_hangs_up(void **state)
{
    fixture *f = *state;
    struct rlimit old;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(f->port)};
    static const char get[] = "GET /io?delay_us=0&bytes=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    char url[128], why[256], buf[256];
    int fds[64];

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int n = exhaust_descriptors(&old, fds);
    close(fds[--n]); /* one left: the client's socket takes it */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct timeval five = {.tv_sec = 5};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof(five));
    assert_int_equal(connect(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(send(sock, get, sizeof(get) - 1, 0), (ssize_t)(sizeof(get) - 1));
    errno = 0;
    ssize_t got = recv(sock, buf, sizeof(buf), 0);
    int recv_errno = errno;
    close(sock);
    give_back_descriptors(&old, fds, n);
    /* Hung up (0, or a reset), not answered and not left to time out. */
    assert_true(got == 0 || (got < 0 && recv_errno == ECONNRESET));

    /* Served again. libuv's own out-of-descriptors guard accepts and hangs
     * up every pending connection in a loop that can still be running when
     * the descriptors come back, so the first connection after the shortage
     * may be hung up too; the next ones must be served. */
    sl_net_io_url(url, sizeof(url), f->port, 0, 1);
    int again = SL_ENET;
    for (int attempt = 0; attempt < 3 && again != 0; attempt++) {
        if (attempt > 0)
            usleep(20000);
        again = sl_net_client_get(f->client, url, NULL, why, sizeof(why));
    }
    if (again != 0)
        print_error("not served again: %s\n", why);
    assert_int_equal(again, 0);
}

static void test_nofile_raised(void **state)
{
    struct rlimit rl;
    rlim_t want;

    assert_int_equal(sl_net_global_init(), 0);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    want = rl.rlim_max < ((rlim_t)1 << 20) ? rl.rlim_max : ((rlim_t)1 << 20);
    assert_true(rl.rlim_cur >= want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delay_and_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_three_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_and_big_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_gets_400_and_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_answers_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_error_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unresolvable_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_schemes_refused, setup, teardown),
        cmocka_unit_test(test_io_url),
        cmocka_unit_test_setup_teardown(test_every_address_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_descriptors_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_descriptors_hang_up_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_descriptors_server_hangs_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_blames_only_a_hang_up_during_it, setup,
                                        teardown),
        cmocka_unit_test(test_nofile_raised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
