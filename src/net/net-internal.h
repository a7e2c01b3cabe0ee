/*
 * net-internal.h - what the net module's files share and nobody else sees.
 *
 * The request-head parser is separate from the server so it can be tested
 * on bytes alone; the curl helpers are shared by the blocking and the
 * event-loop client so both configure transfers and word failures the same.
 */
#ifndef SL_NET_INTERNAL_H
#define SL_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>
#include <stdatomic.h>

#include "net/curl-api.h"

/* Largest request head the server buffers; a longer one is malformed. */
#define SL__HTTP_HEAD_MAX 8192
/* Upper bounds of the query values, to turn nonsense into 400. */
#define SL__HTTP_DELAY_US_MAX 3600000000ULL /* one hour */
#define SL__HTTP_BYTES_MAX (1ULL << 32)     /* 4 GiB, streamed, never allocated */

typedef struct sl__http_req {
    int status;        /* 200 for /io, 404 for any other path */
    bool keep_alive;   /* the connection may carry another request */
    uint64_t delay_us; /* delay_us= value (0 if absent) */
    uint64_t bytes;    /* bytes= value (0 if absent) */
} sl__http_req;

/* Parses the request head at the start of buf[0..len). Returns its length
 * (> 0) once the blank line ending it is in the buffer, 0 when more bytes are
 * needed, or -1 when it is malformed (bad request line, bad header, a body,
 * bad query numbers, or no end within SL__HTTP_HEAD_MAX bytes). */
long sl__http_parse(const char *buf, size_t len, sl__http_req *req);

/* Taken shared by the clients around socket(), and exclusively by the
 * latency server while it trades its spare descriptor for a pending
 * connection (latency-server.c, shed_one), so that a client's socket()
 * cannot take the number the spare just freed between its close() and
 * the accept(). (libcurl opens other descriptors, its resolver's, outside
 * it: the server still loses its spare now and then, and takes it back at
 * the next shortage.) */
extern pthread_rwlock_t sl__net_fd_lock;

/* Sets the options every transfer of both clients uses: no signals, a
 * discarding byte counter into *counter, connect and total timeouts, the
 * error buffer errbuf (CURL_ERROR_SIZE bytes). 0 or SL_ENET. */
int sl__net_easy_setup(CURL *easy, uint64_t *counter, char *errbuf);

/* Connections the in-process servers hung up, before serving them to the
 * end, for any reason but want of descriptors (latency-server.c says which
 * reasons, and why the others are all want of descriptors). */
extern atomic_uint_fast64_t sl__net_other_hangups;

/* sl__net_other_hangups now: a transfer reads it as it starts, to tell
 * sl__net_result whether a server hung up a connection during it for a
 * reason other than descriptors. */
static inline uint64_t sl__net_hangups(void)
{
    return atomic_load_explicit(&sl__net_other_hangups, memory_order_acquire);
}

/* Whether ip:port (a dotted IPv4 address) is one of the addresses of an
 * in-process latency server now running. */
bool sl__net_server_running(const char *ip, long port);

/* Words a finished transfer: 0 when it succeeded with HTTP status < 400,
 * else SL_ENET with one sentence in why ("connection refused to
 * 127.0.0.1:1234", "HTTP 404 from <url>", ...). hangups_at_start is
 * sl__net_hangups() from before the transfer started: a broken connection
 * is blamed on the descriptor limit only if it was to a running in-process
 * server and no server hung one up since for another reason. */
int sl__net_result(CURL *easy, CURLcode rc, const char *url, const char *errbuf,
                   uint64_t hangups_at_start, char *why, size_t why_size);

#endif
