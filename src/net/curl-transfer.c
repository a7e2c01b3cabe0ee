/*
 * curl-transfer.c - what the blocking and the event-loop client share:
 * the options of one transfer and the sentence for one failure.
 *
 * Both clients must behave alike, or a scenario would fail under threads
 * and pass under coroutines for reasons that have nothing to do with
 * scheduling. The failure sentences are written for a lecture room: they
 * name the host and say what probably went wrong ("(offline?)") instead of
 * echoing curl's error code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "net/net-internal.h"
#include "schedlab/error.h"

#define CONNECT_TIMEOUT_MS 5000L
#define TOTAL_TIMEOUT_MS 120000L

/* Counts the body and drops it: io steps measure waiting, not storage. */
static size_t count_body(char *data, size_t size, size_t nmemb, void *arg)
{
    uint64_t *counter = arg;

    *counter += (uint64_t)size * nmemb;
    return size * nmemb;
}

/* errno of the last socket() that failed on this thread, 0 after one that
 * worked. libcurl 7.88 leaves CURLINFO_OS_ERRNO at 0 when socket() itself
 * fails, which in a big run means the descriptors ran out; opening the
 * sockets ourselves lets the sentence name that limit. */
static _Thread_local int socket_errno;

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    pthread_rwlock_rdlock(&sl__net_fd_lock);
    curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
    pthread_rwlock_unlock(&sl__net_fd_lock);

    socket_errno = fd == CURL_SOCKET_BAD ? errno : 0;
    return fd;
}

int sl__net_easy_setup(CURL *easy, uint64_t *counter, char *errbuf)
{
    CURLcode rc = CURLE_OK;

    /* Without NOSIGNAL, timeouts use SIGALRM, which is process-wide and
     * breaks as soon as two vehicles time out at once. */
    rc |= sl__curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, count_body);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_WRITEDATA, counter);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    rc |= sl__curl.easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    /* A scenario's `get` must not become a way to read local files. */
    rc |= sl__curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= sl__curl.easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    rc |= sl__curl.easy_setopt(easy, CURLOPT_USERAGENT, "schedlab");
    rc |= sl__curl.easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    return rc == CURLE_OK ? 0 : SL_ENET;
}

/* Host and port of url into host/port, or url itself when it won't parse. */
static void url_host_port(const char *url, char *host, size_t size, char *port, size_t psize)
{
    CURLU *u = sl__curl.url();
    char *h = NULL, *p = NULL;

    snprintf(host, size, "%s", url);
    port[0] = '\0';
    if (!u)
        return;
    if (sl__curl.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        sl__curl.url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
        snprintf(host, size, "%s", h);
        if (sl__curl.url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK)
            snprintf(port, psize, "%s", p);
    }
    sl__curl.free(h);
    sl__curl.free(p);
    sl__curl.url_cleanup(u);
}

/* "<what> out of file descriptors (<the limit>)": the limit by name and,
 * for the process's own one, its value. */
static void out_of_descriptors(const char *what, bool system_wide, char *why, size_t size)
{
    struct rlimit rl;
    if (system_wide)
        snprintf(why, size, "%s out of file descriptors (fs.file-max)", what);
    else if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        snprintf(why, size, "%s out of file descriptors (RLIMIT_NOFILE is %llu, see ulimit -n)",
                 what, (unsigned long long)rl.rlim_cur);
    else
        snprintf(why, size, "%s out of file descriptors (RLIMIT_NOFILE, see ulimit -n)", what);
}

/* Whether the connection that broke was to a running in-process latency
 * server: the address curl last connected to, or, with no transfer to ask
 * (easy NULL), the URL's. */
static bool to_our_server(CURL *easy, const char *host, const char *port)
{
    char *ip = NULL;
    long primary_port = 0;

    if (easy && sl__curl.easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && ip[0] &&
        sl__curl.easy_getinfo(easy, CURLINFO_PRIMARY_PORT, &primary_port) == CURLE_OK &&
        primary_port > 0)
        return sl__net_server_running(ip, primary_port);
    return sl__net_server_running(host, strtol(port, NULL, 10));
}

static void connect_failure(CURL *easy, const char *host, const char *port, const char *detail,
                            char *why, size_t size)
{
    long os_errno = 0;

    sl__curl.easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno == 0)
        os_errno = socket_errno;
    switch (os_errno) {
    case ECONNREFUSED:
        snprintf(why, size, "connection refused to %s:%s", host, port);
        break;
    case ENETUNREACH:
    case EHOSTUNREACH:
        snprintf(why, size, "no route to %s:%s (offline?)", host, port);
        break;
    case ETIMEDOUT:
        snprintf(why, size, "connecting to %s:%s timed out (offline?)", host, port);
        break;
    case EMFILE:
    case ENFILE: {
        /* Loopback connections cost two descriptors: the server is in this
         * process. */
        char what[320];
        snprintf(what, sizeof(what), "cannot connect to %s:%s:", host, port);
        out_of_descriptors(what, os_errno == ENFILE, why, size);
        break;
    }
    case EADDRNOTAVAIL:
        snprintf(why, size,
                 "cannot connect to %s:%s: no free local port (net.ipv4.ip_local_port_range)", host,
                 port);
        break;
    default:
        snprintf(why, size, "could not connect to %s:%s: %s", host, port, detail);
        break;
    }
}

int sl__net_result(CURL *easy, CURLcode rc, const char *url, const char *errbuf,
                   uint64_t hangups_at_start, char *why, size_t why_size)
{
    char host[256], port[16];
    const char *detail = errbuf && errbuf[0] ? errbuf : sl__curl.easy_strerror(rc);
    long status = 0;

    if (why_size > 0)
        why[0] = '\0';
    if (rc == CURLE_OK) {
        sl__curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        if (status < 400)
            return 0;
        snprintf(why, why_size, "HTTP %ld from %s", status, url);
        return SL_ENET;
    }

    url_host_port(url, host, sizeof(host), port, sizeof(port));
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(why, why_size, "could not resolve host '%s' (offline?)", host);
        break;
    case CURLE_COULDNT_RESOLVE_PROXY:
        snprintf(why, why_size, "could not resolve the proxy for %s (offline?)", url);
        break;
    case CURLE_COULDNT_CONNECT:
        connect_failure(easy, host, port, detail, why, why_size);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(why, why_size, "timed out fetching %s: %s", url, detail);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(why, why_size, "TLS with %s failed: %s", host, detail);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        snprintf(why, why_size, "unsupported URL scheme in '%s' (http and https only)", url);
        break;
    case CURLE_URL_MALFORMAT:
        snprintf(why, why_size, "malformed URL '%s'", url);
        break;
    case CURLE_TOO_MANY_REDIRECTS:
        snprintf(why, why_size, "too many redirects from %s", url);
        break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        /* A running in-process server hangs up a connection it has not
         * served to the end only for want of descriptors, or for a reason
         * it counts in sl__net_other_hangups before closing the socket
         * (latency-server.c, at the top). Its hang-ups for want of
         * descriptors cannot all be counted: libuv's own guard hangs up
         * pending connections without telling it. So the limit is blamed
         * for a connection to such a server that broke while no other
         * hang-up was counted; a reset from anywhere else (another host, a
         * `schedlab serve` of another process, a server being stopped) is
         * worded as it is. Counts from before the transfer say nothing of
         * it. */
        if (to_our_server(easy, host, port) && sl__net_hangups() == hangups_at_start) {
            /* As short as "cannot connect to ...: out of file
             * descriptors": a task's failure line holds 160 bytes, and
             * after "task page-10: GET <url>: " the longer "broke: the
             * server ran out of file descriptors (RLIMIT_N" was cut before
             * the limit's value. */
            char what[320];
            snprintf(what, sizeof(what), "connection to %s:%s broke:", host, port);
            out_of_descriptors(what, false, why, why_size);
        } else
            snprintf(why, why_size, "connection to %s:%s broke: %s", host, port, detail);
        break;
    default:
        snprintf(why, why_size, "GET %s failed: %s", url, detail);
        break;
    }
    return SL_ENET;
}
