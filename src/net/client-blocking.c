/*
 * client-blocking.c - the HTTP client of blocking vehicles (libcurl easy).
 *
 * One client per vehicle (thread, process, pool worker) keeps one easy
 * handle, so successive io steps reuse the same kept-alive connection just
 * as a Python requests.Session would; the vehicle blocks in the kernel while
 * it waits, which is exactly what the threads strategies want to show.
 */
#include <stdlib.h>

#include "net/net-internal.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

struct sl_net_client {
    CURL *easy;
    uint64_t bytes;               /* body bytes of the current transfer */
    char errbuf[CURL_ERROR_SIZE]; /* curl's own detail of a failure */
};

int sl_net_client_new(sl_net_client **out)
{
    sl_net_client *c;
    int rc;

    *out = NULL;
    rc = sl_net_global_init();
    if (rc != 0)
        return rc;
    c = calloc(1, sizeof(*c));
    if (!c)
        return SL_ENOMEM;
    c->easy = sl__curl.easy_init();
    if (!c->easy) {
        free(c);
        return SL_ENOMEM;
    }
    rc = sl__net_easy_setup(c->easy, &c->bytes, c->errbuf);
    if (rc != 0) {
        sl_net_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sl_net_client_get(sl_net_client *c, const char *url, uint64_t *bytes, char *why,
                      size_t why_size)
{
    CURLcode rc;

    uint64_t hangups = sl__net_hangups();

    c->bytes = 0;
    c->errbuf[0] = '\0';
    rc = sl__curl.easy_setopt(c->easy, CURLOPT_URL, url);
    if (rc == CURLE_OK)
        rc = sl__curl.easy_perform(c->easy);
    if (bytes)
        *bytes = c->bytes;
    return sl__net_result(c->easy, rc, url, c->errbuf, hangups, why, why_size);
}

void sl_net_client_free(sl_net_client *c)
{
    if (!c)
        return;
    sl__curl.easy_cleanup(c->easy);
    free(c);
}
