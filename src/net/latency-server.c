/*
 * latency-server.c - the loopback latency server: schedlab's "internet".
 *
 * io steps need real sockets with a latency the scenario controls, without
 * depending on a network the lecture room may not have. This server runs on
 * its own thread and libuv loop, listens on 127.0.0.1 .. 127.0.0.16 (one
 * ephemeral port on every address, see SL_NET_HOSTS in net.h), and
 * answers `GET /io?delay_us=D&bytes=B` after D microseconds with a B-byte
 * body. Connections are kept alive and carry one request at a time.
 *
 * Bodies are streamed from one chunk of filler bytes owned by the server, in
 * batches of a few writes, so a 64 MiB answer costs 64 KiB of memory. The
 * delay is checked against uv_hrtime when the timer fires because libuv
 * timers count whole milliseconds from a cached clock and may fire early.
 *
 * Why a broken connection to this server is blamed on the descriptor limit
 * (curl-transfer.c words it). The server hangs up a connection it has not
 * finished serving only:
 *   - for want of descriptors: shed_one below, and libuv's own guard,
 *     uv__emfile_trick in uv_listen's accept loop (libuv 1.44,
 *     src/unix/stream.c), which accepts and closes every pending connection
 *     and calls nobody back, so this file cannot count those;
 *   - for any other reason, each counted in sl__net_other_hangups before
 *     the socket closes: an error answer (400, 404: the client may be reset
 *     if it sent more than the head), a write or read that failed for the
 *     server (out of memory), a connection it could not set up, and the
 *     server stopping (every connection, and the backlog with the
 *     listeners).
 * There is no idle timeout. So a client whose connection to a running
 * in-process server broke, while sl__net_other_hangups stood still, lost
 * it for want of descriptors, whether or not the server saw it. A client
 * leaving first (on_read's EOF, a write to a gone peer) is not counted: it
 * broke nobody's connection but its own.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "net/net-internal.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

#define CHUNK_SIZE 65536
#define BATCH_CHUNKS 16 /* one write request carries at most 1 MiB of body */
#define LISTEN_BACKLOG 4096
#define BIND_ATTEMPTS 8

typedef struct conn conn;

struct sl_net_server {
    uv_loop_t loop;
    uv_tcp_t listeners[SL_NET_HOSTS]; /* 127.0.0.1 .. 127.0.0.SL_NET_HOSTS, one port */
    int listening;                    /* listeners initialised */
    uv_async_t stop_async;
    pthread_t thread;
    uint16_t port;
    int loop_close_rc;                /* uv_loop_close's answer, read after join */
    atomic_uint_fast64_t requests;    /* 200 answers started */
    atomic_uint_fast64_t connections; /* connections accepted */
    conn *conns;                      /* open connections, to close them on stop */
    int spare_fd;                     /* held to accept-and-hang-up when out of descriptors */
    char chunk[CHUNK_SIZE];           /* the filler every body is cut from */
};

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t wreq;
    sl_net_server *s;
    conn *prev, *next;
    int open_handles; /* freed when both handles have closed */
    bool closing;
    bool reading;
    bool busy;        /* a request is being answered */
    bool close_after; /* close once the answer is written */
    uint64_t due_ns;  /* uv_hrtime when the delay ends */
    uint64_t left;    /* body bytes still to write */
    size_t head_len;  /* bytes of head still to send with the first batch */
    size_t in_len;
    char head[160];
    char in[SL__HTTP_HEAD_MAX];
};

static const char bad_request[] = "HTTP/1.1 400 Bad Request\r\n"
                                  "Content-Length: 0\r\nConnection: close\r\n\r\n";
static const char not_found[] = "HTTP/1.1 404 Not Found\r\n"
                                "Content-Length: 0\r\nConnection: close\r\n\r\n";

static void conn_process(conn *c);

atomic_uint_fast64_t sl__net_other_hangups;

/* Counted before the socket closes, so a client that sees the hang-up sees
 * the count up. */
static void count_other_hangup(void)
{
    atomic_fetch_add_explicit(&sl__net_other_hangups, 1, memory_order_release);
}

static void conn_closed(uv_handle_t *h)
{
    conn *c = h->data;

    if (--c->open_handles == 0)
        free(c);
}

static void conn_close(conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->prev)
        c->prev->next = c->next;
    else
        c->s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
    uv_close((uv_handle_t *)&c->timer, conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    conn *c = h->data;

    /* Never empty: reading is on only while the buffer holds less than a
     * whole head, and a head that fills it is rejected as malformed. */
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof(c->in) - c->in_len));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = stream->data;

    if (nread < 0) { /* the client hung up (or reset) first */
        conn_close(c);
        return;
    }
    c->in_len += (size_t)nread;
    conn_process(c);
}

static void reading(conn *c, bool on)
{
    if (on == c->reading)
        return;
    if (on && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        count_other_hangup();
        conn_close(c);
        return;
    }
    if (!on)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = on;
}

static void write_batch(conn *c);

static void on_written(uv_write_t *req, int status)
{
    conn *c = req->data;

    if (status < 0 || c->closing) {
        /* A write cancelled by a close was counted, or not, by what
         * closed it (shed_one's is for want of descriptors); a peer gone
         * first (EPIPE, ECONNRESET) broke nothing of ours; any other
         * failure is the server's. */
        if (status < 0 && !c->closing && status != UV_EPIPE && status != UV_ECONNRESET)
            count_other_hangup();
        conn_close(c);
        return;
    }
    if (c->left > 0) {
        write_batch(c);
        return;
    }
    c->busy = false;
    if (c->close_after) {
        conn_close(c);
        return;
    }
    conn_process(c);
}

/* Sends the pending head (if any) and up to BATCH_CHUNKS chunks of body. */
static void write_batch(conn *c)
{
    uv_buf_t bufs[BATCH_CHUNKS + 1];
    unsigned n = 0;

    if (c->head_len > 0) {
        bufs[n++] = uv_buf_init(c->head, (unsigned)c->head_len);
        c->head_len = 0;
    }
    while (c->left > 0 && n < BATCH_CHUNKS + 1) {
        size_t len = c->left < CHUNK_SIZE ? (size_t)c->left : CHUNK_SIZE;
        bufs[n++] = uv_buf_init(c->s->chunk, (unsigned)len);
        c->left -= len;
    }
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, bufs, n, on_written) != 0) {
        count_other_hangup();
        conn_close(c);
    }
}

/* Answers with a fixed error text and closes. Counted before the first
 * byte leaves, as its client may be reset rather than read the answer. */
static void answer_error(conn *c, const char *text, size_t len)
{
    count_other_hangup();
    memcpy(c->head, text, len);
    c->head_len = len;
    c->left = 0;
    c->busy = true;
    c->close_after = true;
    reading(c, false);
    write_batch(c);
}

static void answer_io(conn *c)
{
    int n = snprintf(c->head, sizeof(c->head),
                     "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %llu\r\n%s\r\n",
                     (unsigned long long)c->left, c->close_after ? "Connection: close\r\n" : "");

    c->head_len = (size_t)n;
    /* Counted before the first byte leaves, so a client that has its whole
     * answer always sees it counted. */
    atomic_fetch_add_explicit(&c->s->requests, 1, memory_order_relaxed);
    write_batch(c);
}

static void on_delay(uv_timer_t *t)
{
    conn *c = t->data;
    uint64_t now = uv_hrtime();

    if (now < c->due_ns) {
        uint64_t ms = (c->due_ns - now + 999999) / 1000000;
        uv_timer_start(&c->timer, on_delay, ms, 0);
        return;
    }
    answer_io(c);
}

/* Takes the next request out of the input buffer, if a whole head is there. */
static void conn_process(conn *c)
{
    sl__http_req req;
    long used;

    if (c->busy || c->closing)
        return;
    used = sl__http_parse(c->in, c->in_len, &req);
    if (used == 0) {
        reading(c, true);
        return;
    }
    if (used < 0) {
        answer_error(c, bad_request, sizeof(bad_request) - 1);
        return;
    }
    c->in_len -= (size_t)used;
    memmove(c->in, c->in + used, c->in_len);
    if (req.status == 404) {
        answer_error(c, not_found, sizeof(not_found) - 1);
        return;
    }
    c->busy = true;
    c->close_after = !req.keep_alive;
    c->left = req.bytes;
    reading(c, false);
    if (req.delay_us == 0) {
        answer_io(c);
        return;
    }
    c->due_ns = uv_hrtime() + req.delay_us * 1000;
    uv_update_time(&c->s->loop);
    uv_timer_start(&c->timer, on_delay, (req.delay_us + 999) / 1000, 0);
}

/* A new connection: accepted from the listener, or (fd >= 0) already
 * accepted by shed_one. Served until the client hangs up. */
static void conn_serve(sl_net_server *s, uv_stream_t *listener, int fd)
{
    conn *c = calloc(1, sizeof(*c));
    if (!c) {
        count_other_hangup();
        if (fd >= 0)
            close(fd);
        return;
    }
    c->s = s;
    uv_tcp_init(&s->loop, &c->tcp);
    uv_timer_init(&s->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->open_handles = 2;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    int rc = fd >= 0 ? uv_tcp_open(&c->tcp, fd) : uv_accept(listener, (uv_stream_t *)&c->tcp);
    if (rc != 0) {
        count_other_hangup();
        if (fd >= 0)
            close(fd); /* uv_tcp_open failed: the handle does not own it */
        conn_close(c);
        return;
    }
    atomic_fetch_add_explicit(&s->connections, 1, memory_order_relaxed);
    uv_tcp_nodelay(&c->tcp, 1);
    reading(c, true);
}

/* Out of descriptors (EMFILE, ENFILE). The clients are threads of this
 * process and share its descriptor table: a connection the server cannot
 * accept holds its client's descriptor while that client waits for an answer
 * that never comes, and libuv calls back here in a loop until the accept
 * succeeds, so the server's own timers never fire either. Unless a
 * descriptor is freed here, at once, the run hangs. So free one: close an
 * idle kept-alive connection (its client reconnects), else accept the
 * pending one on the spare descriptor and hang it up, else drop a busy one;
 * the clients of the last two fail promptly and name the limit. A pending
 * connection accepted once descriptors are back (the spare reopens beside
 * it) is served, not hung up: it may be a client that came after the
 * shortage ended. Nothing is counted here: a hang-up not counted in
 * sl__net_other_hangups is one for want of descriptors (see the top of the
 * file), and libuv's guard cannot count its own anyway. */

static void shed_one(sl_net_server *s, uv_stream_t *listener)
{
    conn *busy = NULL;
    for (conn *c = s->conns; c; c = c->next) {
        if (c->closing)
            continue;
        if (!c->busy) {
            conn_close(c); /* uv_close closes the socket now, not later */
            return;
        }
        busy = c;
    }
    uv_os_fd_t fd;
    /* A spare lost earlier (another thread took the number it freed: 6
     * runs in 40 of io-download under async+threads, 200 tasks, ulimit -n
     * 64) comes back as soon as a descriptor is free. Without it, a
     * server with no connection to drop could free nothing, and its
     * clients would wait on connections it never accepts. */
    if (s->spare_fd < 0)
        s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (s->spare_fd >= 0 && uv_fileno((uv_handle_t *)listener, &fd) == 0) {
        /* No client may open a socket between the close and the accept. */
        pthread_rwlock_wrlock(&sl__net_fd_lock);
        close(s->spare_fd);
        int pending = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        pthread_rwlock_unlock(&sl__net_fd_lock);
        if (pending >= 0 && s->spare_fd >= 0) {
            conn_serve(s, listener, pending);
            return;
        }
        if (pending >= 0) {
            pthread_rwlock_wrlock(&sl__net_fd_lock);
            close(pending);
            s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            pthread_rwlock_unlock(&sl__net_fd_lock);
            return;
        }
    }
    if (busy != NULL)
        conn_close(busy);
}

static void on_connection(uv_stream_t *listener, int status)
{
    sl_net_server *s = listener->data;

    if (status == UV_EMFILE || status == UV_ENFILE)
        shed_one(s, listener);
    else if (status == 0)
        conn_serve(s, listener, -1);
}

static void on_stop(uv_async_t *a)
{
    sl_net_server *s = a->data;

    /* Hangs up every connection and, closing the listeners, the backlog:
     * none of it for want of descriptors. */
    count_other_hangup();
    while (s->conns)
        conn_close(s->conns);
    for (int i = 0; i < s->listening; i++)
        uv_close((uv_handle_t *)&s->listeners[i], NULL);
    uv_close((uv_handle_t *)&s->stop_async, NULL);
}

static void *server_main(void *arg)
{
    sl_net_server *s = arg;
    sigset_t pipe;

    /* A peer that hangs up mid-body must cost a write error, not SIGPIPE;
     * blocking it here leaves the process's disposition alone. */
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);

    uv_run(&s->loop, UV_RUN_DEFAULT);
    s->loop_close_rc = uv_loop_close(&s->loop);
    return NULL;
}

static void close_any(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static int listen_on(sl_net_server *s, int host, uint16_t port)
{
    uv_tcp_t *l = &s->listeners[host];
    struct sockaddr_in addr;
    char ip[24];

    snprintf(ip, sizeof(ip), "127.0.0.%d", host + 1);
    uv_ip4_addr(ip, port, &addr);
    if (uv_tcp_init(&s->loop, l) != 0)
        return SL_ENET;
    s->listening++;
    l->data = s;
    if (uv_tcp_bind(l, (const struct sockaddr *)&addr, 0) != 0 ||
        uv_listen((uv_stream_t *)l, LISTEN_BACKLOG, on_connection) != 0)
        return SL_ENET;
    return 0;
}

static void close_listeners(sl_net_server *s)
{
    for (int i = 0; i < s->listening; i++)
        uv_close((uv_handle_t *)&s->listeners[i], NULL);
    s->listening = 0;
    uv_run(&s->loop, UV_RUN_NOWAIT);
}

/* Binds and listens on the caller's thread, so a failure is reported by
 * sl_net_server_start itself and the port is known before it returns.
 * 127.0.0.1 gets an ephemeral port; the other addresses must get the same
 * one, and another program may hold it there, so a few ports are tried. */
static int server_listen(sl_net_server *s, uint16_t port)
{
    /* a port asked for is the one: nothing else to try */
    for (int attempt = 0; attempt < (port ? 1 : BIND_ATTEMPTS); attempt++) {
        struct sockaddr_storage bound;
        int len = sizeof(bound), host, rc = listen_on(s, 0, port);

        if (rc == 0 && uv_tcp_getsockname(&s->listeners[0], (struct sockaddr *)&bound, &len) != 0)
            rc = SL_ENET;
        if (rc != 0)
            return rc;
        s->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
        for (host = 1; host < SL_NET_HOSTS && listen_on(s, host, s->port) == 0; host++)
            ;
        if (host == SL_NET_HOSTS)
            return 0;
        close_listeners(s);
    }
    return SL_ENET;
}

/* Ports of the in-process servers now running, 0 for a free slot: a
 * broken connection is blamed on the descriptor limit only if it was to
 * one of them (curl-transfer.c). A server that finds no free slot is left
 * out, and its clients' hang-ups are worded as plain resets. */
#define RUNNING_MAX 8
static atomic_uint running_ports[RUNNING_MAX];

static void running_add(uint16_t port)
{
    for (int i = 0; i < RUNNING_MAX; i++) {
        unsigned free_slot = 0;
        if (atomic_compare_exchange_strong(&running_ports[i], &free_slot, port))
            return;
    }
}

static void running_remove(uint16_t port)
{
    for (int i = 0; i < RUNNING_MAX; i++) {
        unsigned mine = port;
        if (atomic_compare_exchange_strong(&running_ports[i], &mine, 0))
            return;
    }
}

bool sl__net_server_running(const char *ip, long port)
{
    struct in_addr a;

    if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip, &a) != 1)
        return false;
    uint32_t host = ntohl(a.s_addr);
    if (host < 0x7f000001u || host > 0x7f000000u + SL_NET_HOSTS)
        return false;
    for (int i = 0; i < RUNNING_MAX; i++)
        if (atomic_load(&running_ports[i]) == (unsigned)port)
            return true;
    return false;
}

static void server_free(sl_net_server *s)
{
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    free(s);
}

int sl_net_server_start(sl_net_server **out)
{
    return sl_net_server_start_on(out, 0);
}

int sl_net_server_start_on(sl_net_server **out, uint16_t port)
{
    sl_net_server *s;
    int rc;

    *out = NULL;
    rc = sl_net_global_init();
    if (rc != 0)
        return rc;
    s = calloc(1, sizeof(*s));
    if (!s)
        return SL_ENOMEM;
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (size_t i = 0; i < CHUNK_SIZE; i++)
        s->chunk[i] = (char)('a' + i % 26);
    if (uv_loop_init(&s->loop) != 0) {
        server_free(s);
        return SL_ENET;
    }
    rc = uv_async_init(&s->loop, &s->stop_async, on_stop) == 0 ? server_listen(s, port) : SL_ENET;
    s->stop_async.data = s;
    if (rc == 0 && pthread_create(&s->thread, NULL, server_main, s) != 0)
        rc = SL_ESPAWN;
    if (rc != 0) {
        uv_walk(&s->loop, close_any, NULL);
        uv_run(&s->loop, UV_RUN_DEFAULT);
        uv_loop_close(&s->loop);
        server_free(s);
        return rc;
    }
    running_add(s->port);
    *out = s;
    return 0;
}

uint16_t sl_net_server_port(const sl_net_server *s)
{
    return s->port;
}

uint64_t sl_net_server_requests(const sl_net_server *s)
{
    return atomic_load_explicit(&s->requests, memory_order_relaxed);
}

uint64_t sl_net_server_connections(const sl_net_server *s)
{
    return atomic_load_explicit(&s->connections, memory_order_relaxed);
}

int sl_net_server_stop(sl_net_server *s)
{
    int rc;

    if (!s)
        return 0;
    running_remove(s->port);
    uv_async_send(&s->stop_async);
    pthread_join(s->thread, NULL);
    rc = s->loop_close_rc == 0 ? 0 : SL_ESTATE;
    server_free(s);
    return rc;
}
