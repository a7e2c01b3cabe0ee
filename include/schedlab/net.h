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

/* Starts the server thread; listens on 127.0.0.1 with an ephemeral port. */
int sl_net_server_start(sl_net_server **out);
uint16_t sl_net_server_port(const sl_net_server *s);
/* Requests answered so far. */
uint64_t sl_net_server_requests(const sl_net_server *s);
void sl_net_server_stop(sl_net_server *s);

/* Writes the URL of an io step: http://127.0.0.1:PORT/io?delay_us=..&bytes=.. */
void sl_net_io_url(char *buf, size_t size, uint16_t port, uint64_t delay_ns, uint64_t bytes);

/* Once per process, before any thread: curl_global_init. */
int sl_net_global_init(void);

/* ---- blocking client (libcurl easy) ------------------------------------ */

typedef struct sl_net_client sl_net_client; /* one per vehicle: keeps its connection */

int sl_net_client_new(sl_net_client **out);
/* GETs `url`; returns 0 and the body size in *bytes, or SL_ENET with a
 * sentence in `why` (e.g. "could not resolve host example.org (offline?)"). */
int sl_net_client_get(sl_net_client *c, const char *url, uint64_t *bytes, char *why,
                      size_t why_size);
void sl_net_client_free(sl_net_client *c);

/* ---- event-loop client (libcurl multi-socket on a libuv loop) ---------- */

typedef struct sl_net_loop_client sl_net_loop_client;

/* Called on the loop thread when a transfer ends: status 0 or SL_ENET. */
typedef void (*sl_net_done_fn)(void *arg, int status, uint64_t bytes, const char *why);

int sl_net_loop_client_new(sl_net_loop_client **out, uv_loop_t *loop);
/* Starts a GET; `done` is called exactly once, from the loop. */
int sl_net_loop_get(sl_net_loop_client *c, const char *url, sl_net_done_fn done, void *arg);
/* Transfers in flight. */
size_t sl_net_loop_inflight(const sl_net_loop_client *c);
/* Frees; must be called with no transfer in flight, closes its uv handles
 * (run the loop once more afterwards so the close callbacks fire). */
void sl_net_loop_client_free(sl_net_loop_client *c);

#endif
