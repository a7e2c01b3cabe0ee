/*
 * io-url.c - the URL of an io step, in the latency server's own syntax.
 *
 * Scenarios speak nanoseconds; the server speaks microseconds. Rounding up
 * keeps the promise that an io step waits at least as long as it says.
 */
#include <inttypes.h>
#include <stdio.h>

#include "schedlab/net.h"

void sl_net_io_url(char *buf, size_t size, uint16_t port, uint64_t delay_ns, uint64_t bytes)
{
    uint64_t delay_us = delay_ns / 1000 + (delay_ns % 1000 != 0);

    snprintf(buf, size, "http://127.0.0.1:%u/io?delay_us=%" PRIu64 "&bytes=%" PRIu64,
             (unsigned)port, delay_us, bytes);
}
