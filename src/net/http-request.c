/*
 * http-request.c - the latency server's tiny HTTP/1.x request-head parser.
 *
 * The server understands exactly one request, `GET /io?delay_us=D&bytes=B`,
 * so a general HTTP parser would be more code than the server itself. This
 * one checks the request line and the header syntax, reads the two query
 * numbers, and decides whether the connection stays open. Anything it does
 * not understand is malformed: the server answers 400 and closes, which is
 * what a student poking it with netcat should see.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <strings.h>

#include "net/net-internal.h"

/* A decimal number of 1..19 digits, no sign, at most max. */
static bool parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool key_is(const char *s, size_t n, const char *key)
{
    return strlen(key) == n && memcmp(s, key, n) == 0;
}

/* delay_us=D&bytes=B in any order; unknown keys are ignored so a browser's
 * cache-busting parameter does not turn into an error. */
static bool parse_query(const char *q, size_t n, sl__http_req *req)
{
    const char *end = q + n;

    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));

        if (eq) {
            size_t klen = (size_t)(eq - q), vlen = (size_t)(stop - eq - 1);
            if (key_is(q, klen, "delay_us") &&
                !parse_u64(eq + 1, vlen, SL__HTTP_DELAY_US_MAX, &req->delay_us))
                return false;
            if (key_is(q, klen, "bytes") &&
                !parse_u64(eq + 1, vlen, SL__HTTP_BYTES_MAX, &req->bytes))
                return false;
        }
        q = stop + 1;
    }
    return true;
}

static bool parse_request_line(const char *s, size_t n, sl__http_req *req)
{
    const char *end = s + n;
    const char *sp1 = memchr(s, ' ', n);
    const char *sp2;
    const char *target, *qmark;
    size_t tlen, plen;

    if (!sp1 || sp1 - s != 3 || memcmp(s, "GET", 3) != 0)
        return false;
    target = sp1 + 1;
    sp2 = memchr(target, ' ', (size_t)(end - target));
    if (!sp2 || sp2 == target || target[0] != '/')
        return false;
    if (key_is(sp2 + 1, (size_t)(end - sp2 - 1), "HTTP/1.1"))
        req->keep_alive = true;
    else if (key_is(sp2 + 1, (size_t)(end - sp2 - 1), "HTTP/1.0"))
        req->keep_alive = false;
    else
        return false;

    tlen = (size_t)(sp2 - target);
    qmark = memchr(target, '?', tlen);
    plen = qmark ? (size_t)(qmark - target) : tlen;
    req->status = key_is(target, plen, "/io") ? 200 : 404;
    if (qmark && !parse_query(qmark + 1, tlen - plen - 1, req))
        return false;
    return true;
}

/* Case-insensitive search for a token inside a header value. */
static bool value_has(const char *v, size_t n, const char *token)
{
    size_t t = strlen(token);

    for (size_t i = 0; i + t <= n; i++)
        if (strncasecmp(v + i, token, t) == 0)
            return true;
    return false;
}

static bool parse_header(const char *s, size_t n, sl__http_req *req)
{
    const char *colon = memchr(s, ':', n);
    const char *v;
    size_t nlen, vlen;

    if (!colon || colon == s)
        return false;
    nlen = (size_t)(colon - s);
    for (size_t i = 0; i < nlen; i++)
        if (s[i] == ' ' || s[i] == '\t' || (unsigned char)s[i] < 0x21)
            return false;
    v = colon + 1;
    vlen = n - nlen - 1;
    while (vlen > 0 && (*v == ' ' || *v == '\t'))
        v++, vlen--;

    if (nlen == 10 && strncasecmp(s, "connection", 10) == 0) {
        if (value_has(v, vlen, "close"))
            req->keep_alive = false;
        else if (value_has(v, vlen, "keep-alive"))
            req->keep_alive = true;
    } else if (nlen == 14 && strncasecmp(s, "content-length", 14) == 0) {
        /* A GET with a body would leave bytes the next request trips on. */
        if (!(vlen == 1 && v[0] == '0'))
            return false;
    } else if (nlen == 17 && strncasecmp(s, "transfer-encoding", 17) == 0) {
        return false;
    }
    return true;
}

long sl__http_parse(const char *buf, size_t len, sl__http_req *req)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    const char *line, *eol, *head_end;

    if (!end)
        return len >= SL__HTTP_HEAD_MAX ? -1 : 0;
    head_end = end + 2; /* the CRLF of the last line */
    if ((size_t)(end + 4 - buf) > SL__HTTP_HEAD_MAX)
        return -1;

    memset(req, 0, sizeof(*req));
    eol = memmem(buf, (size_t)(head_end - buf), "\r\n", 2);
    if (!parse_request_line(buf, (size_t)(eol - buf), req))
        return -1;
    for (line = eol + 2; line < head_end; line = eol + 2) {
        eol = memmem(line, (size_t)(head_end - line), "\r\n", 2);
        if (!parse_header(line, (size_t)(eol - line), req))
            return -1;
    }
    return (long)(end + 4 - buf);
}
