/*
 * net-init.c - process-wide set-up the net module needs once.
 *
 * curl_global_init is not thread-safe and must run before any transfer, and
 * a run with thousands of concurrent connections needs more descriptors than
 * the usual soft limit of 1024 (each loopback connection costs two: client
 * and server live in the same process).
 */
#include <pthread.h>
#include <sys/resource.h>

#include <curl/curl.h>

#include "schedlab/error.h"
#include "schedlab/net.h"

/* Far above any run's needs; keeps an unlimited hard limit from being
 * copied into the soft one (setrlimit refuses more than fs.nr_open). */
#define NOFILE_WANTED ((rlim_t)1 << 20)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = rl.rlim_max < NOFILE_WANTED ? rl.rlim_max : NOFILE_WANTED;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want;
        /* Best effort: the old limit still works for small runs. */
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void init_once(void)
{
    raise_nofile();
    init_rc = curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : SL_ENET;
}

int sl_net_global_init(void)
{
    pthread_once(&once, init_once);
    return init_rc;
}
