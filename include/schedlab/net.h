/*
 * net.h - schedlab's loopback "internet": a latency server and two clients.
 *
 * The server (its own thread and libuv loop, on 127.0.0.1, an ephemeral
 * port) answers `GET /io?delay_us=D&bytes=B` after D microseconds with a
 * B-byte body, so io steps do real socket I/O with controlled latency.
 * Blocking vehicles use libcurl's easy API; coroutines use libcurl's
 * multi-socket API driven by the coroutine scheduler's libuv loop.
 */
#ifndef SCHEDLAB_NET_H
#define SCHEDLAB_NET_H

#include <stddef.h>
#include <stdint.h>

typedef struct uv_loop_s uv_loop_t;

/* ---- latency server ---------------------------------------------------- */

typedef struct sl_net_server sl_net_server;

/* Loopback addresses the server listens on, all with the same port:
 * 127.0.0.1 .. 127.0.0.SL_NET_HOSTS. A client connection needs a free
 * ephemeral port per server address and port (ip_local_port_range: about
 * 28000), so several addresses multiply how many connections can be open
 * at once. */
#define SL_NET_HOSTS 16

/* Starts the server thread; listens on every address above, one ephemeral
 * port for all.
 * Keep-alive connections carry one request at a time; a malformed request
 * gets 400 and the connection closes, an unknown path 404. 0 or SL_E*. */
int sl_net_server_start(sl_net_server **out);
/* The same on a given port (0: an ephemeral one); SL_ENET if it is taken
 * on any of the addresses. */
int sl_net_server_start_on(sl_net_server **out, uint16_t port);
uint16_t sl_net_server_port(const sl_net_server *s);
/* Requests answered with 200 so far (counted as the answer starts). */
uint64_t sl_net_server_requests(const sl_net_server *s);
/* Connections accepted so far (shows keep-alive reuse). */
uint64_t sl_net_server_connections(const sl_net_server *s);
/* Stops the thread, closes every connection and frees s (NULL is fine).
 * 0, or SL_ESTATE if the server's loop did not close cleanly. */
int sl_net_server_stop(sl_net_server *s);

/* Writes the URL of an io step: http://127.0.0.1:PORT/io?delay_us=..&bytes=..
 * (delay rounded up to whole microseconds). */
void sl_net_io_url(char *buf, size_t size, uint16_t port, uint64_t delay_ns, uint64_t bytes);
/* The same for task `task`: its host is 127.0.0.(1 + task % SL_NET_HOSTS),
 * which spreads many tasks' connections over the server's addresses. */
void sl_net_io_url_for(char *buf, size_t size, uint16_t port, uint32_t task, uint64_t delay_ns,
                       uint64_t bytes);

/* Once per process, before any thread: curl_global_init, and the soft
 * RLIMIT_NOFILE raised toward the hard limit. Idempotent and thread-safe;
 * the constructors below call it too. 0 or SL_ENET. */
int sl_net_global_init(void);

/* ---- blocking client (libcurl easy) ------------------------------------ */

typedef struct sl_net_client sl_net_client; /* one per vehicle: keeps its connection */

int sl_net_client_new(sl_net_client **out);
/* GETs `url` (http or https, redirects followed, connect timeout 5 s, total
 * 120 s); returns 0 and the body size in *bytes, or SL_ENET with a sentence
 * in `why` (e.g. "could not resolve host 'example.org' (offline?)",
 * "connection refused to 127.0.0.1:1234", "HTTP 404 from <url>"). */
int sl_net_client_get(sl_net_client *c, const char *url, uint64_t *bytes, char *why,
                      size_t why_size);
void sl_net_client_free(sl_net_client *c);

/* ---- event-loop client (libcurl multi-socket on a libuv loop) ---------- */

typedef struct sl_net_loop_client sl_net_loop_client;

/* Called on the loop thread when a transfer ends: status 0 or SL_ENET. */
typedef void (*sl_net_done_fn)(void *arg, int status, uint64_t bytes, const char *why);

int sl_net_loop_client_new(sl_net_loop_client **out, uv_loop_t *loop);
/* Starts a GET (same options and sentences as sl_net_client_get). On 0,
 * `done` is called exactly once, later, from a loop callback (never from
 * inside this call), with why NULL on success; `done` may start another GET
 * but must not free the client. On error (SL_EINVAL for a URL of 1024 bytes
 * or more, SL_ENOMEM, SL_ENET) `done` is never called. */
int sl_net_loop_get(sl_net_loop_client *c, const char *url, sl_net_done_fn done, void *arg);
/* GETs started and not done: holding a connection or waiting for one. */
size_t sl_net_loop_inflight(const sl_net_loop_client *c);
/* Of those, the ones waiting for a connection slot. */
size_t sl_net_loop_queued(const sl_net_loop_client *c);
/* At most `limit` transfers hold a connection at once; later GETs wait in
 * order (aiohttp's TCPConnector limit). Default: 1000, or fewer if
 * RLIMIT_NOFILE leaves room for fewer (two descriptors per connection,
 * as the latency server shares the process). */
void sl_net_loop_client_set_limit(sl_net_loop_client *c, size_t limit);
/* Frees; transfers still in flight are abandoned without a done call.
 * Closes its uv handles: run the loop once more afterwards so the close
 * callbacks fire (then uv_loop_close succeeds). */
void sl_net_loop_client_free(sl_net_loop_client *c);

#endif
