/*
 * client-loop.c - the HTTP client of coroutines: libcurl's multi-socket API
 * driven by a libuv loop.
 *
 * Thousands of transfers share one thread: curl tells us which sockets to
 * watch (socket callback) and when it next needs a tick (timer callback);
 * libuv watches them with one uv_poll_t per socket and one uv_timer_t, and
 * hands readiness back through curl_multi_socket_action. Finished transfers
 * are collected from curl_multi_info_read and reported to their `done`
 * callback exactly once, always from a loop callback, never from inside
 * sl_net_loop_get. Easy handles are recycled so a coroutine's next io step
 * costs no allocation.
 *
 * Every transfer opens its own connection and closes it when done
 * (CURLOPT_FORBID_REUSE), like aiohttp with force_close. Keeping them alive
 * made the loop's cpu time grow with the square of the connections: libcurl
 * 7.88 keeps every idle connection in the multi handle's cache and walks the
 * lists of cached connections on each new transfer and each return to the
 * cache (a profile shows two such loops on top). Measured on `run scale
 * --tasks 10000 -s coroutines` (2 cores, tasks spread over 16 server
 * addresses): kept alive 3.0-3.9 s cpu, 3.8-4.7 s wall; FRESH_CONNECT alone
 * no better (it only skips the reuse lookup); FORBID_REUSE 0.83-0.86 s cpu,
 * 1.3 s wall. The price is a loopback connect per io step for a coroutine
 * that makes several, tens of microseconds.
 *
 * At most `limit` transfers hold a connection at once; later GETs wait in a
 * FIFO, as aiohttp's TCPConnector(limit=...) makes them wait. Without it a
 * loop that falls behind (a hundred thousand coroutines whose sleeps end
 * within seconds) opens connections faster than they finish until the
 * process runs out of descriptors, and each extra transfer in the multi
 * handle makes every curl call dearer. The default leaves room in
 * RLIMIT_NOFILE for both ends of each connection (the latency server runs
 * in the same process) and is far above what the lessons' own runs open.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <uv.h>

#include "net/net-internal.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

typedef struct xfer xfer;
typedef struct sock sock;

struct xfer {
    CURL *easy;
    sl_net_loop_client *c;
    sl_net_done_fn done;
    void *arg;
    uint64_t bytes;    /* body bytes so far */
    uint64_t hangups;  /* sl__net_hangups() as it started */
    xfer *prev, *next; /* in the busy or the idle list */
    char errbuf[CURL_ERROR_SIZE];
    char url[1024]; /* for the failure sentence */
};

/* A GET waiting for a connection slot (the URL follows the struct). */
typedef struct waiting {
    struct waiting *next;
    sl_net_done_fn done;
    void *arg;
    char url[];
} waiting;

/* Default connection limit: at most this many... */
#define LIMIT_MAX 1000
/* ...and never more than the descriptors left after this reserve allow. */
#define FD_RESERVE 256

/* One watched socket; freed by its close callback. */
struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    sl_net_loop_client *c;
    sock *prev, *next;
};

struct sl_net_loop_client {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    size_t inflight; /* transfers holding a connection */
    size_t limit;    /* most transfers holding a connection at once */
    size_t queued;
    waiting *wait_head, *wait_tail; /* GETs waiting for a slot, oldest first */
    xfer *busy;                     /* transfers in flight */
    xfer *idle;                     /* finished transfers, ready for reuse (singly linked) */
    sock *socks;                    /* sockets being watched, to close them on free */
};

static void busy_unlink(sl_net_loop_client *c, xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        c->busy = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->prev = NULL;
}

static void sock_closed(uv_handle_t *h)
{
    free(h->data);
}

static void sock_forget(sock *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        s->c->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static int start(sl_net_loop_client *c, const char *url, sl_net_done_fn done, void *arg);

/* Gives free connection slots to the oldest waiting GETs. Runs in a loop
 * callback, so a GET that cannot start reports its failure at once. */
static void start_waiting(sl_net_loop_client *c)
{
    while (c->wait_head && c->inflight < c->limit) {
        waiting *w = c->wait_head;
        c->wait_head = w->next;
        if (!c->wait_head)
            c->wait_tail = NULL;
        c->queued--;
        int err = start(c, w->url, w->done, w->arg);
        if (err != 0)
            w->done(w->arg, SL_ENET, 0,
                    err == SL_ENOMEM ? "out of memory starting a transfer"
                                     : "libcurl refused to start a transfer");
        free(w);
    }
}

/* Reports every finished transfer. Called after curl returns, never from a
 * curl callback, so `done` may start the next transfer at once. */
static void collect_done(sl_net_loop_client *c)
{
    CURLMsg *msg;
    int left;

    while ((msg = sl__curl.multi_info_read(c->multi, &left))) {
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result; /* msg dies with remove_handle */
        char why[512];
        xfer *x = NULL;
        int status;

        if (msg->msg != CURLMSG_DONE)
            continue;
        sl__curl.easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
        status = sl__net_result(easy, result, x->url, x->errbuf, x->hangups, why, sizeof(why));
        sl__curl.multi_remove_handle(c->multi, easy);
        c->inflight--;
        busy_unlink(c, x);
        x->next = c->idle;
        c->idle = x;
        x->done(x->arg, status, x->bytes, status == 0 ? NULL : why);
    }
    start_waiting(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sock *s = h->data;
    sl_net_loop_client *c = s->c;
    int flags = 0, running;

    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else
        flags = ((events & UV_READABLE) ? CURL_CSELECT_IN : 0) |
                ((events & UV_WRITABLE) ? CURL_CSELECT_OUT : 0);
    /* s may be closed by the socket callback inside this call. */
    sl__curl.multi_socket_action(c->multi, s->fd, flags, &running);
    collect_done(c);
}

static void on_timeout(uv_timer_t *t)
{
    sl_net_loop_client *c = t->data;
    int running;

    sl__curl.multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect_done(c);
}

/* CURLMOPT_SOCKETFUNCTION: what = CURL_POLL_IN/OUT/INOUT to (re)arm the
 * watch on fd, CURL_POLL_REMOVE to drop it (curl closes fd afterwards). */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    sl_net_loop_client *c = userp;
    sock *s = socketp;
    int events = 0;

    if (what == CURL_POLL_REMOVE) {
        if (s) {
            sl__curl.multi_assign(c->multi, fd, NULL);
            sock_forget(s);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s)
            return -1;
        if (uv_poll_init_socket(c->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->c = c;
        s->poll.data = s;
        s->next = c->socks;
        if (c->socks)
            c->socks->prev = s;
        c->socks = s;
        sl__curl.multi_assign(c->multi, fd, s);
    }
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    if (events == 0)
        return uv_poll_stop(&s->poll) == 0 ? 0 : -1;
    return uv_poll_start(&s->poll, events, on_poll) == 0 ? 0 : -1;
}

/* CURLMOPT_TIMERFUNCTION: -1 deletes the timer, any other value (0 too)
 * re-arms it. curl must not be called from here, so even 0 goes through the
 * loop: a 0 ms uv timer fires on the next iteration. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    sl_net_loop_client *c = userp;

    if (timeout_ms < 0)
        return uv_timer_stop(&c->timer) == 0 ? 0 : -1;
    return uv_timer_start(&c->timer, on_timeout, (uint64_t)timeout_ms, 0) == 0 ? 0 : -1;
}

int sl_net_loop_client_new(sl_net_loop_client **out, uv_loop_t *loop)
{
    sl_net_loop_client *c;
    CURLMcode rc = CURLM_OK;
    int err;

    *out = NULL;
    err = sl_net_global_init();
    if (err != 0)
        return err;
    c = calloc(1, sizeof(*c));
    if (!c)
        return SL_ENOMEM;
    c->loop = loop;
    c->multi = sl__curl.multi_init();
    if (!c->multi) {
        free(c);
        return SL_ENOMEM;
    }
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    /* Every transfer gets its own connection at once: limits here would
     * queue transfers inside curl and hide the concurrency being shown. */
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    rc |= sl__curl.multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    if (rc != CURLM_OK) {
        sl__curl.multi_cleanup(c->multi);
        free(c);
        return SL_ENET;
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->limit = LIMIT_MAX;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        size_t room = rl.rlim_cur > FD_RESERVE + 32 ? (rl.rlim_cur - FD_RESERVE) / 2 : 16;
        if (room < c->limit)
            c->limit = room;
    }
    *out = c;
    return 0;
}

void sl_net_loop_client_set_limit(sl_net_loop_client *c, size_t limit)
{
    c->limit = limit ? limit : 1;
}

static xfer *xfer_get(sl_net_loop_client *c)
{
    xfer *x = c->idle;

    if (x) {
        c->idle = x->next;
        return x;
    }
    x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->easy = sl__curl.easy_init();
    if (!x->easy || sl__net_easy_setup(x->easy, &x->bytes, x->errbuf) != 0 ||
        sl__curl.easy_setopt(x->easy, CURLOPT_PRIVATE, x) != CURLE_OK ||
        sl__curl.easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK) {
        sl__curl.easy_cleanup(x->easy);
        free(x);
        return NULL;
    }
    x->c = c;
    return x;
}

/* Puts a transfer into the multi handle. */
static int start(sl_net_loop_client *c, const char *url, sl_net_done_fn done, void *arg)
{
    xfer *x = xfer_get(c);
    if (!x)
        return SL_ENOMEM;
    strcpy(x->url, url);
    x->done = done;
    x->arg = arg;
    x->bytes = 0;
    x->errbuf[0] = '\0';
    x->hangups = sl__net_hangups();
    if (sl__curl.easy_setopt(x->easy, CURLOPT_URL, x->url) != CURLE_OK ||
        sl__curl.multi_add_handle(c->multi, x->easy) != CURLM_OK) {
        x->next = c->idle;
        c->idle = x;
        return SL_ENET;
    }
    c->inflight++;
    x->prev = NULL;
    x->next = c->busy;
    if (c->busy)
        c->busy->prev = x;
    c->busy = x;
    return 0;
}

int sl_net_loop_get(sl_net_loop_client *c, const char *url, sl_net_done_fn done, void *arg)
{
    size_t len = strlen(url);
    if (len >= sizeof(((xfer *)0)->url))
        return SL_EINVAL;
    /* Waiting ones go first, even if a slot is free right now: FIFO. */
    if (c->inflight < c->limit && c->wait_head == NULL)
        return start(c, url, done, arg);
    waiting *w = malloc(sizeof(*w) + len + 1);
    if (!w)
        return SL_ENOMEM;
    w->next = NULL;
    w->done = done;
    w->arg = arg;
    memcpy(w->url, url, len + 1);
    if (c->wait_tail)
        c->wait_tail->next = w;
    else
        c->wait_head = w;
    c->wait_tail = w;
    c->queued++;
    return 0;
}

size_t sl_net_loop_inflight(const sl_net_loop_client *c)
{
    return c->inflight + c->queued;
}

size_t sl_net_loop_queued(const sl_net_loop_client *c)
{
    return c->queued;
}

static void client_closed(uv_handle_t *h)
{
    free(h->data);
}

void sl_net_loop_client_free(sl_net_loop_client *c)
{
    if (!c)
        return;
    /* Transfers still in flight or waiting are abandoned without a done call. */
    while (c->wait_head) {
        waiting *w = c->wait_head;
        c->wait_head = w->next;
        free(w);
    }
    c->wait_tail = NULL;
    c->queued = 0;
    while (c->busy) {
        xfer *x = c->busy;
        busy_unlink(c, x);
        sl__curl.multi_remove_handle(c->multi, x->easy);
        x->next = c->idle;
        c->idle = x;
    }
    /* Closes cached connections; curl may report their removal through
     * on_socket, which closes their polls. */
    sl__curl.multi_cleanup(c->multi);
    while (c->socks)
        sock_forget(c->socks);
    while (c->idle) {
        xfer *x = c->idle;
        c->idle = x->next;
        sl__curl.easy_cleanup(x->easy);
        free(x);
    }
    uv_close((uv_handle_t *)&c->timer, client_closed);
}
