/*
 * net-init.c - process-wide set-up the net module needs once.
 *
 * libcurl is loaded here (curl-api.c says why it is not linked), and
 * curl_global_init is not thread-safe and must run before any transfer, and
 * a run with thousands of concurrent connections needs more descriptors than
 * the usual soft limit of 1024 (each loopback connection costs two: client
 * and server live in the same process). Root may raise the hard limit too,
 * up to fs.nr_open (1048576 by default), which is what a run of ten
 * thousand blocking threads, each with a connection, needs.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>

#include "net/curl-api.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

/* Read when fs.nr_open cannot be: the kernel's default ceiling. */
#define NR_OPEN_DEFAULT ((rlim_t)1 << 20)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

/* fs.nr_open: the most any RLIMIT_NOFILE may be set to. */
static rlim_t nr_open(void)
{
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    unsigned long long v = 0;

    if (!f)
        return NR_OPEN_DEFAULT;
    if (fscanf(f, "%llu", &v) != 1 || v == 0)
        v = NR_OPEN_DEFAULT;
    fclose(f);
    return (rlim_t)v;
}

/* Raises the soft and, where the process may (root: CAP_SYS_RESOURCE), the
 * hard limit to fs.nr_open; otherwise the soft limit up to the hard one.
 * Best effort: the old limit still works for small runs, and a run that
 * reaches it says so. */
static void raise_nofile(void)
{
    struct rlimit rl, want;
    rlim_t top = nr_open();

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    want.rlim_cur = want.rlim_max = top;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max >= top)
        want.rlim_max = rl.rlim_max;
    if (rl.rlim_cur >= top || setrlimit(RLIMIT_NOFILE, &want) == 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > top ? top : rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void init_once(void)
{
    raise_nofile();
    init_rc = sl__curl_load();
    if (init_rc == 0)
        init_rc = sl__curl.global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : SL_ENET;
}

int sl_net_global_init(void)
{
    pthread_once(&once, init_once);
    return init_rc;
}
