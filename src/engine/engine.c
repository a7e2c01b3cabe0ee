/*
 * engine.c - what outlives a run: the cpu calibration and the latency server.
 *
 * Both are set up once, before any run, because both would distort a run if
 * done during it: calibration burns a core for ~50 ms, and starting the
 * server spawns a thread.
 */
#include <stdlib.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/engine.h"
#include "schedlab/work.h"

struct sl_engine {
    sl_net_server *server; /* loopback latency server for io steps */
    double iters_per_us;   /* cpu-step calibration */
};

int sl_engine_open(sl_engine **out)
{
    *out = NULL;
    int err = sl_net_global_init();
    if (err < 0)
        return err;
    sl_engine *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return SL_ENOMEM;
    e->iters_per_us = sl_work_calibrate();
    err = sl_net_server_start(&e->server);
    if (err < 0) {
        free(e);
        return err;
    }
    *out = e;
    return 0;
}

double sl_engine_calibration(const sl_engine *e)
{
    return e->iters_per_us;
}

uint16_t sl_engine_port(const sl_engine *e)
{
    return sl_net_server_port(e->server);
}

void sl_engine_close(sl_engine *e)
{
    if (e == NULL)
        return;
    sl_net_server_stop(e->server);
    free(e);
}
